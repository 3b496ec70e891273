/* Knowledge distillation: the loss and its gradient against finite differences, its limits
 * (alpha 1 is the student's own cross-entropy step), learning from the teacher alone, misuse. */
#include "nn.h"
#include "test.h"
#include <string.h>

/* dL/ds of nn_distill_loss against central differences, one-hot and sparse labels */
static void test_distill_gradient(void)
{
    enum { N = 3, K = 5 };
    float s[N * K], t[N * K], y1[N * K] = {0}, ys[N], g[N * K];
    nn_random_fill(s, N * K, 1, 0.0f, 2.0f, 1);
    nn_random_fill(t, N * K, 1, 0.0f, 3.0f, 2);
    for (int r = 0; r < N; r++) { ys[r] = (float)((2 * r + 1) % K); y1[r * K + (2 * r + 1) % K] = 1; }
    const float temps[3] = {1.0f, 2.5f, 10.0f}, alphas[3] = {0.0f, 0.3f, 1.0f};
    double gmax = 0;
    for (int sparse = 0; sparse < 2; sparse++)
        for (int a = 0; a < 3; a++)
            for (int ti = 0; ti < 3; ti++) {
                const float *y = sparse ? ys : y1;
                double l = nn_distill_loss(s, t, y, sparse, N, K, temps[ti], alphas[a], g);
                CHECK(isfinite(l) && l >= 0);
                for (int i = 0; i < N * K; i++) {
                    const float h = 1e-2f;
                    float keep = s[i];
                    s[i] = keep + h;
                    double lp = nn_distill_loss(s, t, y, sparse, N, K, temps[ti], alphas[a], NULL);
                    s[i] = keep - h;
                    double lm = nn_distill_loss(s, t, y, sparse, N, K, temps[ti], alphas[a], NULL);
                    s[i] = keep;
                    double fd = (lp - lm) / (2.0 * (double)h);
                    CHECK_NEAR(g[i], fd, 2e-3 * (1 + fabs(fd)));
                    gmax = fmax(gmax, fabs(g[i]));
                }
            }
    CHECK(gmax > 0.01); /* not all zero */
}

/* The soft term is T^2 KL(p_t || q_s): zero when the logits agree; alpha 1 is the plain CE */
static void test_distill_loss_values(void)
{
    float s[4] = {1, 2, 0.5f, -1}, y[1] = {1}, g[4];
    CHECK_NEAR(nn_distill_loss(s, s, y, 1, 1, 4, 3.0f, 0.0f, g), 0.0, 1e-7);
    for (int c = 0; c < 4; c++) CHECK_NEAR(g[c], 0.0, 1e-7);
    double lse = log(exp(1.0) + exp(2.0) + exp(0.5) + exp(-1.0));
    float t[4] = {5, -3, 0, 2};
    CHECK_NEAR(nn_distill_loss(s, t, y, 1, 1, 4, 3.0f, 1.0f, NULL), lse - 2.0, 1e-6);
    /* by hand: T = 2, alpha = 0 */
    double p[4], q[4], sp = 0, sq = 0, kl = 0;
    for (int c = 0; c < 4; c++) { p[c] = exp(t[c] / 2.0); q[c] = exp(s[c] / 2.0); sp += p[c]; sq += q[c]; }
    for (int c = 0; c < 4; c++) kl += p[c] / sp * log((p[c] / sp) / (q[c] / sq));
    CHECK_NEAR(nn_distill_loss(s, t, y, 1, 1, 4, 2.0f, 0.0f, NULL), 4.0 * kl, 1e-6);
    CHECK(isnan(nn_distill_loss(s, t, y, 1, 1, 4, 0.0f, 0.5f, NULL)));
}

static nn_model *mlp(int hidden, uint32_t seed, int act)
{
    int in[1] = {4};
    nn_model *m = nn_model_create(1, in, seed);
    nn_model_add(m, nn_dense(hidden, NN_ACT_TANH));
    nn_model_add(m, nn_dense(3, act));
    return m;
}

/* inputs in 4D; the class is which of three fixed directions a sample points most along */
static void task(float *x, float *y, int n, uint32_t seed)
{
    nn_random_fill(x, (size_t)n * 4, 1, 0.0f, 1.0f, seed);
    for (int i = 0; i < n; i++) {
        const float *r = x + i * 4;
        float v[3] = {r[0] + r[1], r[1] - r[2] + r[3], r[2] - r[0]};
        y[i] = (float)(v[1] > v[0] ? (v[2] > v[1] ? 2 : 1) : (v[2] > v[0] ? 2 : 0));
    }
}

/* alpha 1 is the student's own training: the same steps as without a teacher */
static void test_alpha_one_is_plain_training(void)
{
    nn_model *a = mlp(6, 1, NN_ACT_SOFTMAX), *b = mlp(6, 1, NN_ACT_SOFTMAX), *t = mlp(5, 2, NN_ACT_LINEAR);
    nn_optimizer o = nn_adam(0.01f);
    nn_model_compile(a, &o, NN_LOSS_SCCE);
    nn_model_compile(b, &o, NN_LOSS_SCCE);
    CHECK(nn_model_set_distill(b, t, 4.0f, 1.0f) == NN_OK);
    float x[32 * 4], y[32], la, lb;
    task(x, y, 32, 3);
    for (int s = 0; s < 5; s++) {
        CHECK(nn_model_train_batch(a, x, y, 32, &la) == NN_OK && nn_model_train_batch(b, x, y, 32, &lb) == NN_OK);
        CHECK_NEAR(la, lb, 1e-5);
    }
    float d = 0;
    for (size_t i = 0; i < nn_model_num_params(a); i++) d = fmaxf(d, fabsf(nn_model_params(a)[i] - nn_model_params(b)[i]));
    CHECK(d < 1e-5f);
    nn_model_free(a); nn_model_free(b); nn_model_free(t);
}

/* alpha 0: the student learns the teacher's function from the teacher alone (its labels are noise) */
static void test_learns_from_teacher(void)
{
    enum { N = 512 };
    static float x[N * 4], y[N], noise[N], pt[N * 3], ps[N * 3];
    task(x, y, N, 5);
    nn_model *t = mlp(16, 7, NN_ACT_SOFTMAX), *s = mlp(8, 8, NN_ACT_SOFTMAX);
    nn_optimizer o = nn_adam(0.02f);
    nn_model_compile(t, &o, NN_LOSS_SCCE);
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 40;
    CHECK(nn_model_fit(t, x, y, N, &fo, NULL, NULL) == NN_OK);
    nn_metrics mt;
    nn_model_evaluate(t, x, y, N, &mt);
    CHECK(mt.accuracy > 0.9);
    nn_metrics_free(&mt);
    for (int i = 0; i < N; i++) noise[i] = (float)(i % 3);
    nn_model_compile(s, &o, NN_LOSS_SCCE);
    CHECK(nn_model_set_distill(s, t, 2.0f, 0.0f) == NN_OK);
    CHECK(nn_model_fit(s, x, noise, N, &fo, NULL, NULL) == NN_OK);
    nn_model_predict(t, x, N, pt);
    nn_model_predict(s, x, N, ps);
    int agree = 0;
    for (int i = 0; i < N; i++) {
        int at = 0, as = 0;
        for (int c = 1; c < 3; c++) { if (pt[i * 3 + c] > pt[i * 3 + at]) at = c; if (ps[i * 3 + c] > ps[i * 3 + as]) as = c; }
        agree += at == as;
    }
    CHECK(agree > N * 9 / 10);
    /* off again: the student trains on its labels */
    CHECK(nn_model_set_distill(s, NULL, 0, 0) == NN_OK);
    float l;
    CHECK(nn_model_train_batch(s, x, y, 32, &l) == NN_OK);
    nn_model_free(t); nn_model_free(s);
}

static void test_distill_misuse(void)
{
    nn_model *s = mlp(4, 1, NN_ACT_SOFTMAX), *t = mlp(4, 2, NN_ACT_SOFTMAX), *sig = mlp(4, 3, NN_ACT_SIGMOID);
    CHECK(nn_model_set_distill(s, s, 2, 0.5f) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(s), "the teacher is the student itself") != NULL);
    CHECK(nn_model_set_distill(s, t, 0, 0.5f) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(s), "temperature must be a number in (0, 1000], got 0") != NULL);
    CHECK(nn_model_set_distill(s, t, 2, 1.5f) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(s), "alpha must be a number in [0, 1], got 1.5") != NULL);
    CHECK(nn_model_set_distill(s, sig, 2, 0.5f) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(s), "the teacher must end in softmax or a linear layer (logits), it ends in sigmoid") != NULL);
    int in5[1] = {5};
    nn_model *wide = nn_model_create(1, in5, 1);
    nn_model_add(wide, nn_dense(3, NN_ACT_SOFTMAX));
    CHECK(nn_model_set_distill(s, wide, 2, 0.5f) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(s), "the teacher reads 5 values per sample, the student 4") != NULL);
    /* compiled with a loss that does not say how labels are encoded */
    nn_optimizer o = nn_sgd(0.1f);
    nn_model_compile(s, &o, NN_LOSS_MSE);
    CHECK(nn_model_set_distill(s, t, 2, 0.5f) == NN_OK);
    float x[4] = {0}, y[3] = {0, 1, 0}, l;
    CHECK(nn_model_train_batch(s, x, y, 1, &l) == NN_ERR_STATE);
    CHECK(strstr(nn_model_error(s), "compile the student with categoricalCrossentropy or sparseCategoricalCrossentropy") != NULL);
    /* one-hot labels with categorical cross-entropy work */
    nn_model_compile(s, &o, NN_LOSS_CCE);
    CHECK(nn_model_train_batch(s, x, y, 1, &l) == NN_OK && isfinite(l));
    /* the teacher changed shape under it */
    nn_model_pop(t);
    CHECK(nn_model_train_batch(s, x, y, 1, &l) == NN_ERR_STATE);
    CHECK(strstr(nn_model_error(s), "changed shape since nn_model_set_distill") != NULL);
    nn_model_free(s); nn_model_free(t); nn_model_free(sig); nn_model_free(wide);
}

int main(void)
{
    RUN(test_distill_gradient);
    RUN(test_distill_loss_values);
    RUN(test_alpha_one_is_plain_training);
    RUN(test_learns_from_teacher);
    RUN(test_distill_misuse);
    return nt_summary("test_distill");
}
