/* Optimizer steps against values computed by hand (two steps each, g fixed). */
#include "nn_internal.h"
#include "test.h"
#include <string.h>

static void steps(nn_optimizer o, float w0, float g, int n, float *w_out)
{
    float w = w0, s1 = 0, s2 = 0;
    if (o.type == NN_OPT_ADAGRAD) s1 = o.initial_accumulator;
    for (int t = 1; t <= n; t++) nn_optim_step(&o, (uint64_t)t, &w, &g, &s1, &s2, 1);
    *w_out = w;
}

static void test_sgd(void)
{
    float w;
    steps(nn_sgd(0.1f), 1.0f, 0.5f, 2, &w);
    CHECK_NEAR(w, 1.0 - 2 * 0.05, 1e-6); /* w -= lr g, twice */
}

static void test_momentum(void)
{
    float w;
    /* v1 = -0.05, w1 = 0.95; v2 = 0.9*-0.05 - 0.05 = -0.095, w2 = 0.855 */
    steps(nn_momentum(0.1f, 0.9f, 0), 1.0f, 0.5f, 2, &w);
    CHECK_NEAR(w, 0.855, 1e-6);
    /* Nesterov: w1 = 1 + 0.9*-0.05 - 0.05 = 0.905; v2 = -0.095, w2 = 0.905 - 0.0855 - 0.05 = 0.7695 */
    steps(nn_momentum(0.1f, 0.9f, 1), 1.0f, 0.5f, 2, &w);
    CHECK_NEAR(w, 0.7695, 1e-6);
}

static void test_adam(void)
{
    float w;
    /* with constant g, bias-corrected mhat = g and vhat = g^2 at every step, so each step is
     * lr * g/(|g| + eps) ~= lr: after 2 steps w = 1 - 2*0.01 */
    steps(nn_adam(0.01f), 1.0f, 0.5f, 2, &w);
    CHECK_NEAR(w, 1.0 - 2 * 0.01 * 0.5 / (0.5 + 1e-7), 1e-6);
    /* an uncorrected Adam would step 0.01*0.1/sqrt(0.001) = 0.0316 first: make sure we don't */
    steps(nn_adam(0.01f), 1.0f, 0.5f, 1, &w);
    CHECK_NEAR(w, 0.99, 1e-6);
}

static void test_rmsprop(void)
{
    float w;
    /* s1 = 0.1*0.25 = 0.025, step1 = 0.01*0.5/sqrt(0.025) = 0.0316228;
     * s2 = 0.9*0.025 + 0.025 = 0.0475, step2 = 0.005/sqrt(0.0475) = 0.0229416 */
    steps(nn_rmsprop(0.01f), 1.0f, 0.5f, 2, &w);
    CHECK_NEAR(w, 1.0 - 0.0316228 - 0.0229416, 1e-5);
}

static void test_adagrad(void)
{
    float w;
    /* s = 0.1 + 0.25 = 0.35, step 0.1*0.5/sqrt(.35) = 0.0845154; s = 0.6, step 0.0645497 */
    steps(nn_adagrad(0.1f), 1.0f, 0.5f, 2, &w);
    CHECK_NEAR(w, 1.0 - 0.0845154 - 0.0645497, 1e-5);
}

static void test_names(void)
{
    CHECK(nn_opt_from_name("adam") == NN_OPT_ADAM);
    CHECK(nn_opt_from_name("rmsprop") == NN_OPT_RMSPROP);
    CHECK(nn_opt_from_name("nope") == -1);
    CHECK(nn_loss_from_name("categoricalCrossentropy") == NN_LOSS_CCE);
    CHECK(nn_loss_from_name("sparse_categorical_crossentropy") == NN_LOSS_SCCE);
    CHECK(nn_act_from_name("leakyRelu") == NN_ACT_LEAKY_RELU);
    CHECK(nn_act_from_name("swish") == -1);
    CHECK(nn_init_from_name("heNormal") == NN_INIT_HE_NORMAL);
}

static void test_lr_between_epochs(void)
{
    int shape[1] = {1};
    nn_model *m = nn_model_create(1, shape, 1);
    nn_model_add(m, nn_dense(1, NN_ACT_LINEAR));
    nn_optimizer o = nn_sgd(0.1f);
    nn_model_compile(m, &o, NN_LOSS_MSE);
    CHECK(nn_model_set_lr(m, 0.02f) == NN_OK);
    CHECK_NEAR(nn_model_get_lr(m), 0.02, 1e-9);
    CHECK(nn_model_set_lr(m, -1.0f) == NN_ERR_ARG);
    CHECK(nn_model_set_lr(m, NAN) == NN_ERR_ARG);
    CHECK_NEAR(nn_model_get_lr(m), 0.02, 1e-9);
    /* one step with lr 0.02 on w=[w0,b0], x=1, y=0: dL/dw = 2*(w0+b0) */
    float *p = nn_model_params(m), w0 = p[0], b0 = p[1], x = 1, y = 0, l;
    nn_model_train_batch(m, &x, &y, 1, &l);
    CHECK_NEAR(p[0], w0 - 0.02 * 2 * (w0 + b0), 1e-6);
    CHECK_NEAR(p[1], b0 - 0.02 * 2 * (w0 + b0), 1e-6);
    nn_model_free(m);
}

/* Keras's clipnorm (per weight tensor) and clipvalue, applied to the gradients before the step:
 * with plain SGD at lr 1 the step is the clipped gradient itself. */
static void test_clipping(void)
{
    int shape[1] = {2};
    nn_model *m = nn_model_create(1, shape, 1);
    nn_model_add(m, nn_dense(2, NN_ACT_LINEAR));
    nn_optimizer o = nn_sgd(1.0f);
    o.clip_norm = 1.0f;
    CHECK(nn_model_compile(m, &o, NN_LOSS_MSE) == NN_OK);
    float *w = nn_model_params(m), *g = nn_model_grads(m), before[6];
    memcpy(before, w, sizeof before);
    float grads[6] = {3, 4, 0, 0, /* kernel: norm 5 -> scaled to 1 */ 0.3f, 0.4f /* bias: norm 0.5, kept */};
    memcpy(g, grads, sizeof grads);
    CHECK(nn_model_apply_grads(m) == NN_OK);
    CHECK_NEAR(before[0] - w[0], 0.6, 1e-6);
    CHECK_NEAR(before[1] - w[1], 0.8, 1e-6);
    CHECK_NEAR(before[4] - w[4], 0.3, 1e-6);
    CHECK_NEAR(before[5] - w[5], 0.4, 1e-6);
    o.clip_norm = 0;
    o.clip_value = 0.5f;
    CHECK(nn_model_compile(m, &o, NN_LOSS_MSE) == NN_OK);
    memcpy(before, w, sizeof before);
    float grads2[6] = {3, -4, 0.1f, -0.2f, 0.7f, -0.5f};
    memcpy(g, grads2, sizeof grads2);
    CHECK(nn_model_apply_grads(m) == NN_OK);
    float want[6] = {0.5f, -0.5f, 0.1f, -0.2f, 0.5f, -0.5f};
    for (int i = 0; i < 6; i++) CHECK_NEAR(before[i] - w[i], want[i], 1e-6);
    o.clip_value = -1;
    CHECK(nn_model_compile(m, &o, NN_LOSS_MSE) == NN_ERR_ARG);
    /* settings a C caller or an old file can pass, refused as the encoded ones are */
    o = nn_adagrad(0.1f);
    o.initial_accumulator = -44.8f;
    CHECK(nn_model_compile(m, &o, NN_LOSS_MSE) == NN_ERR_ARG && strstr(nn_model_error(m), "initialAccumulatorValue must be a number in [0, 1000000], got -44.8"));
    o = nn_momentum(0.1f, 0.5f, 5);
    CHECK(nn_model_compile(m, &o, NN_LOSS_MSE) == NN_ERR_ARG && strstr(nn_model_error(m), "nesterov"));
    nn_model_free(m);
}

int main(void)
{
    RUN(test_sgd);
    RUN(test_momentum);
    RUN(test_adam);
    RUN(test_rmsprop);
    RUN(test_adagrad);
    RUN(test_names);
    RUN(test_lr_between_epochs);
    RUN(test_clipping);
    return nt_summary("optim");
}
