/* Sample weights (Keras's train_on_batch sample_weight): the loss is the mean of w x each sample's
 * loss, for every loss, in a model and in a chain; a negative weight ascends (the minimax GAN). */
#include "nn.h"
#include "test.h"
#include <math.h>
#include <string.h>

static nn_model *mlp(int in, int out, int act, uint32_t seed)
{
    int shape[1] = {in};
    nn_model *m = nn_model_create(1, shape, seed);
    nn_model_add(m, nn_dense(6, NN_ACT_TANH));
    nn_model_add(m, nn_dense(out, act));
    return m;
}

static float max_diff(const float *a, const float *b, size_t n)
{
    float d = 0;
    for (size_t i = 0; i < n; i++) d = fmaxf(d, fabsf(a[i] - b[i]));
    return d;
}

/* For each loss: weights all 1 are no weights; weights all 2 double the loss and SGD's step;
 * weights (1, 1, 0, 0) on 4 samples are the first 2 samples alone at half the learning rate (the
 * mean is over all 4). */
static void test_weights_scale_the_loss(void)
{
    const int losses[4] = {NN_LOSS_BCE, NN_LOSS_MSE, NN_LOSS_CCE, NN_LOSS_SCCE};
    const int acts[4] = {NN_ACT_SIGMOID, NN_ACT_LINEAR, NN_ACT_SOFTMAX, NN_ACT_SOFTMAX};
    for (int t = 0; t < 4; t++) {
        int k = t >= 2 ? 3 : 1, ly = losses[t] == NN_LOSS_SCCE ? 1 : k;
        float x[4 * 2], y[4 * 3], one[4] = {1, 1, 1, 1}, two[4] = {2, 2, 2, 2}, half[4] = {1, 1, 0, 0};
        nn_random_fill(x, 8, 1, 0.0f, 1.0f, 7);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < ly; j++)
                y[i * ly + j] = losses[t] == NN_LOSS_SCCE ? (float)(i % 3) : (k == 1 ? (float)(i % 2) : (float)(j == i % 3));
        nn_model *m[4];
        float l[4];
        for (int i = 0; i < 4; i++) {
            m[i] = mlp(2, k, acts[t], 3);
            nn_optimizer o = nn_sgd(i == 3 ? 0.2f : 0.1f);
            CHECK(nn_model_compile(m[i], &o, losses[t]) == NN_OK);
        }
        CHECK(nn_model_train_batch_weighted(m[0], x, NN_DTYPE_FLOAT32, y, NULL, 4, &l[0], NULL) == NN_OK);
        CHECK(nn_model_train_batch_weighted(m[1], x, NN_DTYPE_FLOAT32, y, one, 4, &l[1], NULL) == NN_OK);
        CHECK(nn_model_train_batch_weighted(m[2], x, NN_DTYPE_FLOAT32, y, two, 4, &l[2], NULL) == NN_OK);
        CHECK(nn_model_train_batch_weighted(m[3], x, NN_DTYPE_FLOAT32, y, half, 4, &l[3], NULL) == NN_OK);
        size_t np = nn_model_num_params(m[0]);
        CHECK_NEAR(l[1], l[0], 1e-6);
        CHECK(max_diff(nn_model_params(m[0]), nn_model_params(m[1]), np) < 1e-7f);
        CHECK_NEAR(l[2], 2 * l[0], 1e-5);
        nn_model *ref = mlp(2, k, acts[t], 3), *ref2 = mlp(2, k, acts[t], 3);
        nn_optimizer o = nn_sgd(0.2f), o2 = nn_sgd(0.1f);
        float lr, lr2;
        CHECK(nn_model_compile(ref, &o, losses[t]) == NN_OK && nn_model_compile(ref2, &o2, losses[t]) == NN_OK);
        CHECK(nn_model_train_batch(ref, x, y, 4, &lr) == NN_OK); /* twice the step = lr x 2 */
        CHECK(max_diff(nn_model_params(m[2]), nn_model_params(ref), np) < 1e-6f);
        CHECK(nn_model_train_batch(ref2, x, y, 2, &lr2) == NN_OK);
        CHECK(max_diff(nn_model_params(m[3]), nn_model_params(ref2), np) < 1e-6f);
        CHECK_NEAR(l[3], lr2 / 2, 1e-6);
        for (int i = 0; i < 4; i++) nn_model_free(m[i]);
        nn_model_free(ref);
        nn_model_free(ref2);
    }
}

/* The minimax generator's loss: -1 x BCE(D(G(z)), 0) = log(1 - D(G(z))), its step the exact
 * opposite of the +1 step, through a chain with a frozen discriminator. */
static void test_negative_weight_ascends_in_a_chain(void)
{
    float p0[64], z[8 * 2], zeros[8] = {0}, minus[8], plus[8];
    for (int i = 0; i < 8; i++) { minus[i] = -1; plus[i] = 1; }
    nn_random_fill(z, 16, 1, 0.0f, 1.0f, 11);
    float dg[2][64];
    size_t ng = 0;
    for (int sign = 0; sign < 2; sign++) {
        nn_model *g = mlp(2, 2, NN_ACT_LINEAR, 1), *d = mlp(2, 1, NN_ACT_SIGMOID, 2);
        nn_model *parts[2] = {g, d};
        char err[NN_ERR_LEN];
        nn_chain *c = nn_chain_create(parts, 2, err);
        nn_model_set_trainable(d, -1, 0);
        nn_optimizer o = nn_sgd(0.1f);
        CHECK(c && nn_chain_compile(c, &o, NN_LOSS_BCE) == NN_OK);
        float p[8], loss;
        CHECK(nn_chain_predict(c, z, NN_DTYPE_FLOAT32, 8, p) == NN_OK);
        double want = 0;
        for (int i = 0; i < 8; i++) want += log(1.0 - p[i]);
        ng = nn_model_num_params(g);
        memcpy(p0, nn_model_params(g), ng * sizeof(float));
        CHECK(nn_chain_train_batch_weighted(c, z, NN_DTYPE_FLOAT32, zeros, sign ? plus : minus, 8, &loss, NULL) == NN_OK);
        CHECK_NEAR(loss, sign ? -want / 8 : want / 8, 1e-5);
        for (size_t i = 0; i < ng; i++) dg[sign][i] = nn_model_params(g)[i] - p0[i];
        float bad[8] = {1, 1, 1, NAN, 1, 1, 1, 1};
        CHECK(nn_chain_train_batch_weighted(c, z, NN_DTYPE_FLOAT32, zeros, bad, 8, &loss, NULL) == NN_ERR_ARG);
        CHECK(strstr(nn_chain_error(c), "sample weight 3 is nan") != NULL);
        nn_chain_free(c);
        nn_model_free(g);
        nn_model_free(d);
    }
    float worst = 0, size = 0;
    for (size_t i = 0; i < ng; i++) { worst = fmaxf(worst, fabsf(dg[0][i] + dg[1][i])); size = fmaxf(size, fabsf(dg[1][i])); }
    CHECK(size > 1e-4f && worst < 1e-6f);
}

static void test_weight_errors(void)
{
    nn_model *m = mlp(2, 1, NN_ACT_SIGMOID, 1);
    nn_optimizer o = nn_sgd(0.1f);
    nn_model_compile(m, &o, NN_LOSS_BCE);
    float x[4] = {0, 1, 1, 0}, y[2] = {0, 1}, w[2] = {1, INFINITY}, l;
    CHECK(nn_model_train_batch_weighted(m, x, NN_DTYPE_FLOAT32, y, w, 2, &l, NULL) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "sample weight 1 is inf") != NULL);
    nn_model_free(m);
}

int main(void)
{
    RUN(test_weights_scale_the_loss);
    RUN(test_negative_weight_ascends_in_a_chain);
    RUN(test_weight_errors);
    return nt_summary("sample_weight");
}
