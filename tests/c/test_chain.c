/* Chains: models inside a model (a GAN's generator -> discriminator) train like one model, share
 * the models' weights, and follow Keras's trainable-at-compile rule. */
#include "nn.h"
#include "test.h"
#include <math.h>
#include <string.h>

static nn_model *mlp(int in, int hidden, int out, int act, uint32_t seed)
{
    int shape[1] = {in};
    nn_model *m = nn_model_create(1, shape, seed);
    nn_model_add(m, nn_dense(hidden, NN_ACT_TANH));
    nn_model_add(m, nn_dense(out, act));
    return m;
}

static void fill(float *v, int n, uint32_t seed) { nn_random_fill(v, (size_t)n, 1, 0.0f, 1.0f, seed); }

/* A chain [A, B] steps exactly as one model holding A's layers and then B's. */
static void test_chain_equals_one_model(void)
{
    for (int adam = 0; adam < 2; adam++) {
        nn_model *a = mlp(3, 5, 4, NN_ACT_RELU, 1), *b = mlp(4, 6, 1, NN_ACT_SIGMOID, 2);
        int shape[1] = {3};
        nn_model *one = nn_model_create(1, shape, 3);
        nn_model_add(one, nn_dense(5, NN_ACT_TANH));
        nn_model_add(one, nn_dense(4, NN_ACT_RELU));
        nn_model_add(one, nn_dense(6, NN_ACT_TANH));
        nn_model_add(one, nn_dense(1, NN_ACT_SIGMOID));
        size_t na = nn_model_num_params(a), nb = nn_model_num_params(b);
        CHECK(nn_model_num_params(one) == na + nb);
        memcpy(nn_model_params(one), nn_model_params(a), na * sizeof(float));
        memcpy(nn_model_params(one) + na, nn_model_params(b), nb * sizeof(float));
        nn_optimizer o = adam ? nn_adam(0.01f) : nn_sgd(0.1f);
        nn_model *parts[2] = {a, b};
        char err[NN_ERR_LEN];
        nn_chain *c = nn_chain_create(parts, 2, err);
        CHECK(c != NULL);
        CHECK(nn_chain_compile(c, &o, NN_LOSS_BCE) == NN_OK && nn_model_compile(one, &o, NN_LOSS_BCE) == NN_OK);
        float x[8 * 3], y[8], l1 = 0, l2 = 0;
        fill(x, 24, 5);
        for (int i = 0; i < 8; i++) y[i] = (float)(x[3 * i] > 0);
        for (int s = 0; s < 5; s++) {
            CHECK(nn_chain_train_batch(c, x, NN_DTYPE_FLOAT32, y, 8, &l1, NULL) == NN_OK);
            CHECK(nn_model_train_batch(one, x, y, 8, &l2) == NN_OK);
            CHECK(fabsf(l1 - l2) < 1e-6f);
        }
        float d = 0;
        for (size_t i = 0; i < na; i++) d = fmaxf(d, fabsf(nn_model_params(a)[i] - nn_model_params(one)[i]));
        for (size_t i = 0; i < nb; i++) d = fmaxf(d, fabsf(nn_model_params(b)[i] - nn_model_params(one)[na + i]));
        CHECK(d < 1e-6f);
        float p1[8], p2[8];
        CHECK(nn_chain_predict(c, x, NN_DTYPE_FLOAT32, 8, p1) == NN_OK && nn_model_predict(one, x, 8, p2) == NN_OK);
        for (int i = 0; i < 8; i++) CHECK(fabsf(p1[i] - p2[i]) < 1e-6f);
        CHECK(nn_chain_step_count(c) == 5);
        nn_metrics m1, m2;
        nn_metrics_init(&m1, 1, NN_LOSS_BCE, 0);
        CHECK(nn_chain_evaluate(c, x, NN_DTYPE_FLOAT32, y, 8, &m1) == NN_OK);
        nn_metrics_finalize(&m1);
        CHECK(nn_model_evaluate(one, x, y, 8, &m2) == NN_OK);
        CHECK(fabs(m1.loss - m2.loss) < 1e-6 && m1.accuracy == m2.accuracy);
        nn_metrics_free(&m1);
        nn_metrics_free(&m2);
        nn_chain_free(c);
        nn_model_free(a); nn_model_free(b); nn_model_free(one);
    }
}

/* The GAN recipe: D compiled, then frozen, then the GAN compiled: the GAN's steps move G only,
 * D's own steps still move D. */
static void test_trainable_rule(void)
{
    nn_model *g = mlp(2, 8, 2, NN_ACT_LINEAR, 11), *d = mlp(2, 8, 1, NN_ACT_SIGMOID, 12);
    nn_optimizer o = nn_adam(0.01f);
    CHECK(nn_model_compile(d, &o, NN_LOSS_BCE) == NN_OK);
    CHECK(nn_model_set_trainable(d, -1, 0) == NN_OK);
    nn_model *parts[2] = {g, d};
    char err[NN_ERR_LEN];
    nn_chain *gan = nn_chain_create(parts, 2, err);
    CHECK(gan && nn_chain_compile(gan, &o, NN_LOSS_BCE) == NN_OK);
    size_t ng = nn_model_num_params(g), nd = nn_model_num_params(d);
    float *g0 = malloc(ng * sizeof(float)), *d0 = malloc(nd * sizeof(float));
    memcpy(g0, nn_model_params(g), ng * sizeof(float));
    memcpy(d0, nn_model_params(d), nd * sizeof(float));
    float z[16 * 2], ones[16], zeros[16], loss;
    fill(z, 32, 3);
    for (int i = 0; i < 16; i++) { ones[i] = 1; zeros[i] = 0; }
    CHECK(nn_chain_train_batch(gan, z, NN_DTYPE_FLOAT32, ones, 16, &loss, NULL) == NN_OK);
    CHECK(memcmp(g0, nn_model_params(g), ng * sizeof(float)) != 0);
    CHECK(!memcmp(d0, nn_model_params(d), nd * sizeof(float)));
    CHECK(nn_model_train_batch(d, z, zeros, 16, &loss) == NN_OK); /* compiled before the freeze */
    CHECK(memcmp(d0, nn_model_params(d), nd * sizeof(float)) != 0);
    /* metrics of the chain's step, under its own loss */
    nn_metrics mt;
    CHECK(nn_metrics_init(&mt, 1, NN_LOSS_BCE, 0) == NN_OK);
    CHECK(nn_chain_train_batch(gan, z, NN_DTYPE_FLOAT32, ones, 16, &loss, &mt) == NN_OK);
    nn_metrics_finalize(&mt);
    CHECK(mt.count == 16 && fabs(mt.loss - loss) < 1e-5);
    nn_metrics_free(&mt);
    nn_chain_free(gan);
    free(g0); free(d0);
    nn_model_free(g); nn_model_free(d);
}

static void test_chain_errors(void)
{
    nn_model *a = mlp(2, 4, 3, NN_ACT_RELU, 1), *b = mlp(2, 4, 1, NN_ACT_SIGMOID, 2);
    char err[NN_ERR_LEN];
    nn_model *bad[2] = {a, b};
    CHECK(nn_chain_create(bad, 2, err) == NULL && strstr(err, "model 1 of the chain gives [3] but model 2 takes [2]"));
    nn_model *twice[2] = {b, b};
    CHECK(nn_chain_create(twice, 2, err) == NULL && strstr(err, "model 2 of the chain is model 1 again"));
    CHECK(nn_chain_create(bad, 0, err) == NULL && strstr(err, "1 to 16 models"));
    nn_model *none[1] = {NULL};
    CHECK(nn_chain_create(none, 1, err) == NULL && strstr(err, "model 1 of the chain is NULL"));
    nn_model *c3 = mlp(3, 4, 2, NN_ACT_LINEAR, 3);
    nn_model *ok[2] = {c3, b};
    nn_chain *c = nn_chain_create(ok, 2, err);
    CHECK(c != NULL);
    float x[3] = {0, 1, 2}, y[1] = {2}, loss;
    CHECK(nn_chain_train_batch(c, x, NN_DTYPE_FLOAT32, y, 1, &loss, NULL) == NN_ERR_STATE && strstr(nn_chain_error(c), "compile the chain first"));
    nn_optimizer o = nn_sgd(0.1f);
    CHECK(nn_chain_compile(c, &o, NN_LOSS_SCCE) == NN_ERR_ARG && strstr(nn_chain_error(c), "needs at least 2 output units"));
    o.lr = -1;
    CHECK(nn_chain_compile(c, &o, NN_LOSS_BCE) == NN_ERR_ARG && strstr(nn_chain_error(c), "learning rate"));
    o = nn_sgd(0.1f);
    CHECK(nn_chain_compile(c, &o, NN_LOSS_BCE) == NN_OK);
    CHECK(nn_chain_train_batch(c, x, NN_DTYPE_FLOAT32, y, 1, &loss, NULL) == NN_ERR_ARG &&
          strstr(nn_chain_error(c), "model 2 of the chain: label 2 at sample 0 is out of range"));
    x[1] = NAN;
    y[0] = 1;
    CHECK(nn_chain_train_batch(c, x, NN_DTYPE_FLOAT32, y, 1, &loss, NULL) == NN_ERR_NAN && strstr(nn_chain_error(c), "model 1 of the chain"));
    x[1] = 1;
    CHECK(nn_chain_train_batch(c, x, NN_DTYPE_FLOAT32, y, 1, &loss, NULL) == NN_OK);
    nn_model_add(b, nn_dense(1, NN_ACT_SIGMOID)); /* the chain's model changed under it */
    CHECK(nn_chain_train_batch(c, x, NN_DTYPE_FLOAT32, y, 1, &loss, NULL) == NN_ERR_STATE &&
          strstr(nn_chain_error(c), "model 2 of the chain changed"));
    float p[1];
    CHECK(nn_chain_predict(c, x, NN_DTYPE_FLOAT32, 1, p) == NN_ERR_STATE);
    nn_chain_free(c);
    nn_chain_free(NULL);
    CHECK(nn_chain_compile(NULL, &o, NN_LOSS_BCE) == NN_ERR_ARG);
    nn_model_free(a); nn_model_free(b); nn_model_free(c3);
}

/* A 1D GAN learns a Gaussian's mean: G's samples move from about 0 to about 3. */
static void test_gan_learns(void)
{
    nn_model *g = mlp(1, 16, 1, NN_ACT_LINEAR, 21), *d = mlp(1, 16, 1, NN_ACT_SIGMOID, 22);
    nn_optimizer o = nn_adam(0.005f);
    o.beta1 = 0.5f;
    nn_model_compile(d, &o, NN_LOSS_BCE);
    nn_model_set_trainable(d, -1, 0);
    nn_model *parts[2] = {g, d};
    char err[NN_ERR_LEN];
    nn_chain *gan = nn_chain_create(parts, 2, err);
    CHECK(gan && nn_chain_compile(gan, &o, NN_LOSS_BCE) == NN_OK);
    enum { B = 64 };
    float z[B], real[B], fake[B], ones[B], zeros[B], loss;
    for (int i = 0; i < B; i++) { ones[i] = 1; zeros[i] = 0; }
    for (int step = 0; step < 600; step++) {
        nn_random_fill(real, B, 1, 3.0f, 0.5f, 1000u + (uint32_t)step);
        nn_random_fill(z, B, 1, 0.0f, 1.0f, 5000u + (uint32_t)step);
        nn_model_predict(g, z, B, fake);
        nn_model_train_batch(d, real, ones, B, &loss);
        nn_model_train_batch(d, fake, zeros, B, &loss);
        CHECK(nn_chain_train_batch(gan, z, NN_DTYPE_FLOAT32, ones, B, &loss, NULL) == NN_OK);
    }
    nn_random_fill(z, B, 1, 0.0f, 1.0f, 99);
    nn_model_predict(g, z, B, fake);
    double mean = 0;
    for (int i = 0; i < B; i++) mean += fake[i] / B;
    printf("  1D GAN: generated mean %.3f (target 3)\n", mean);
    CHECK(fabs(mean - 3.0) < 0.5);
    nn_chain_free(gan);
    nn_model_free(g); nn_model_free(d);
}

/* The chain's learning rate changes between steps, checked as a model's. */
static void test_chain_lr(void)
{
    nn_model *a = mlp(2, 4, 2, NN_ACT_LINEAR, 1), *b = mlp(2, 4, 1, NN_ACT_SIGMOID, 2);
    nn_model *parts[2] = {a, b};
    char err[NN_ERR_LEN];
    nn_chain *c = nn_chain_create(parts, 2, err);
    CHECK(nn_chain_set_lr(c, 0.1f) == NN_ERR_STATE && nn_chain_get_lr(c) == 0.0f);
    nn_optimizer o = nn_adam(0.01f);
    CHECK(nn_chain_compile(c, &o, NN_LOSS_BCE) == NN_OK);
    CHECK(nn_chain_get_lr(c) == 0.01f);
    CHECK(nn_chain_set_lr(c, 0.001f) == NN_OK && nn_chain_get_lr(c) == 0.001f);
    CHECK(nn_chain_set_lr(c, -1.0f) == NN_ERR_ARG && strstr(nn_chain_error(c), "learning rate must be positive"));
    CHECK(nn_chain_set_lr(NULL, 0.1f) == NN_ERR_ARG);
    nn_chain_free(c);
    nn_model_free(a);
    nn_model_free(b);
}

int main(void)
{
    RUN(test_chain_equals_one_model);
    RUN(test_trainable_rule);
    RUN(test_chain_errors);
    RUN(test_gan_learns);
    RUN(test_chain_lr);
    return nt_summary("chain");
}
