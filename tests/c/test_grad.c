/* Finite-difference gradient checks: every layer, activation and loss, the L1/L2 terms and the
 * gradient with respect to the input. Fixed seeds; a guard that gradients are not all zero. */
#include "nn_internal.h"
#include "test.h"
#include <string.h>

#define N 4 /* samples */

typedef struct { nn_model *m; const float *x, *y; int n; nn_rng rng0; } gc_ctx;

/* Loss exactly as training sees it, with the dropout RNG replayed so masks are identical. */
static double loss_of(gc_ctx *c, float *dy, int *fused)
{
    c->m->rng = c->rng0;
    nn_model_forward(c->m, c->x, c->n, 1);
    const nn_layer *last = &c->m->layers[c->m->n_layers - 1];
    int k = nn_model_output_row_size(c->m); /* a sequence output: one row per step */
    double l = nn_loss_compute(c->m->loss, c->m->from_logits, last->act, last->y, last->preact,
                               c->y, c->n * (last->out_size / k), k, dy, fused);
    return l + nn_regularization(c->m, NULL);
}

/* Compare analytic dL/dparams and (with check_x) dL/dx with central differences. */
static void grad_check_x(nn_model *m, float *x, const float *y, int n, double tol, const char *what, int check_x)
{
    gc_ctx c = {m, x, y, n, m->rng};
    int k = nn_model_output_size(m), fused;
    float *dy = malloc(sizeof(float) * n * k), *dx = malloc(sizeof(float) * n * m->in_size);
    loss_of(&c, dy, &fused);
    nn_model_zero_grads(m);
    nn_model_backward_fused(m, dy, dx, fused);
    nn_regularization(m, m->grads);
    double worst = 0, gnorm = 0;
    const float h = 1e-2f;
    for (size_t i = 0; i < m->n_params; i++) {
        float w = m->params[i];
        m->params[i] = w + h; double lp = loss_of(&c, NULL, &fused);
        m->params[i] = w - h; double lm = loss_of(&c, NULL, &fused);
        m->params[i] = w;
        double num = (lp - lm) / (2 * h), an = m->grads[i];
        double err = fabs(num - an) / fmax(1e-2, fabs(num) + fabs(an));
        if (err > worst) worst = err;
        gnorm += fabs(an);
    }
    double worst_x = 0, xnorm = check_x ? 0 : 1;
    for (int i = 0; check_x && i < n * m->in_size; i++) {
        float v = x[i];
        x[i] = v + h; double lp = loss_of(&c, NULL, &fused);
        x[i] = v - h; double lm = loss_of(&c, NULL, &fused);
        x[i] = v;
        double num = (lp - lm) / (2 * h);
        double err = fabs(num - dx[i]) / fmax(1e-2, fabs(num) + fabs(dx[i]));
        if (err > worst_x) worst_x = err;
        xnorm += fabs(dx[i]);
    }
    if (worst > tol || worst_x > tol || gnorm < 1e-3 || xnorm < 1e-4)
        printf("  %s: worst rel err params %.2e input %.2e, |g| %.3g |dx| %.3g\n", what, worst,
               worst_x, gnorm, xnorm);
    CHECK(worst <= tol);
    CHECK(worst_x <= tol);
    CHECK(gnorm > 1e-3);  /* the check must have checked something */
    CHECK(xnorm > 1e-4);
    free(dy);
    free(dx);
}

static void grad_check(nn_model *m, float *x, const float *y, int n, double tol, const char *what)
{
    grad_check_x(m, x, y, n, tol, what, 1);
}

static nn_model *mlp(int act_hidden, int out_units, int out_act, int loss, uint32_t seed)
{
    int shape[1] = {3};
    nn_model *m = nn_model_create(1, shape, seed);
    nn_model_add(m, nn_dense(5, act_hidden));
    nn_model_add(m, nn_dense(out_units, out_act));
    nn_optimizer o = nn_sgd(0.1f);
    CHECK(nn_model_compile(m, &o, loss) == NN_OK);
    return m;
}

static void inputs(float *x, int n, uint32_t seed)
{
    nn_rng r;
    nn_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) x[i] = 2.0f * nn_rng_uniform(&r) - 1.0f;
}

static void test_activations(void)
{
    float x[N * 3], y[N];
    inputs(x, N * 3, 1);
    for (int i = 0; i < N; i++) y[i] = (float)(i % 3) * 0.4f - 0.3f;
    for (int a = 0; a < NN_ACT_COUNT; a++) {
        if (a == NN_ACT_SOFTMAX) continue; /* softmax over a 5-wide hidden layer: below */
        nn_model *m = mlp(a, 1, NN_ACT_LINEAR, NN_LOSS_MSE, 10 + a);
        char what[64];
        snprintf(what, sizeof what, "hidden %s", nn_act_name(a));
        grad_check(m, x, y, N, 2e-2, what);
        nn_model_free(m);
    }
    nn_model *m = mlp(NN_ACT_SOFTMAX, 1, NN_ACT_LINEAR, NN_LOSS_MSE, 99);
    grad_check(m, x, y, N, 2e-2, "hidden softmax");
    nn_model_free(m);
}

static void test_losses(void)
{
    float x[N * 3];
    inputs(x, N * 3, 2);
    float yb[N] = {0, 1, 1, 0}, yreg[N * 2] = {0.5f, -1, 2, 0.1f, -0.3f, 0.7f, 1.5f, -2};
    float yfar[N * 2] = {3, -3, 3, 3, -3, -3, 3, -3};
    float yoh[N * 3] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2f, 0.3f, 0.5f}, ys[N] = {0, 2, 1, 2};
    struct { int out, act, loss, logits; const float *y; const char *name; } cases[] = {
        {2, NN_ACT_LINEAR, NN_LOSS_MSE, 0, yreg, "mse"},
        {2, NN_ACT_TANH, NN_LOSS_MAE, 0, yfar, "mae"}, /* targets far from tanh's range: no kink */
        {1, NN_ACT_SIGMOID, NN_LOSS_BCE, 0, yb, "bce fused with sigmoid"},
        {1, NN_ACT_LINEAR, NN_LOSS_BCE, 1, yb, "bce from logits"},
        {3, NN_ACT_SOFTMAX, NN_LOSS_CCE, 0, yoh, "cce fused with softmax"},
        {3, NN_ACT_LINEAR, NN_LOSS_CCE, 1, yoh, "cce from logits"},
        {3, NN_ACT_SIGMOID, NN_LOSS_CCE, 0, yoh, "cce on probabilities"},
        {3, NN_ACT_SOFTMAX, NN_LOSS_SCCE, 0, ys, "scce fused"},
        {3, NN_ACT_LINEAR, NN_LOSS_SCCE, 1, ys, "scce from logits"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nn_model *m = mlp(NN_ACT_TANH, cases[i].out, cases[i].act, cases[i].loss, 20 + (uint32_t)i);
        CHECK(nn_model_set_from_logits(m, cases[i].logits) == NN_OK);
        grad_check(m, x, cases[i].y, N, 3e-2, cases[i].name);
        nn_model_free(m);
    }
    /* BCE on probabilities (unfused): sigmoid, then a rate-0 dropout hides it from the loss */
    int shape[1] = {3};
    nn_model *m = nn_model_create(1, shape, 31);
    nn_model_add(m, nn_dense(5, NN_ACT_TANH));
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    nn_model_add(m, nn_dropout(0.0f));
    nn_optimizer o = nn_sgd(0.1f);
    nn_model_compile(m, &o, NN_LOSS_BCE);
    grad_check(m, x, yb, N, 3e-2, "bce on probabilities");
    nn_model_free(m);
}

static void test_layers(void)
{
    float x[N * 3], y[N * 2] = {0.5f, -1, 2, 0.1f, -0.3f, 0.7f, 1.5f, -2};
    inputs(x, N * 3, 3);
    int shape[1] = {3};
    /* Activation layer and Dropout (its mask replayed from the saved RNG) */
    nn_model *m = nn_model_create(1, shape, 5);
    nn_model_add(m, nn_dense(6, NN_ACT_LINEAR));
    nn_model_add(m, nn_activation(NN_ACT_ELU));
    nn_model_add(m, nn_dropout(0.3f));
    nn_model_add(m, nn_dense(2, NN_ACT_LINEAR));
    nn_optimizer o = nn_adam(0.01f);
    nn_model_compile(m, &o, NN_LOSS_MSE);
    grad_check(m, x, y, N, 2e-2, "activation + dropout layers");
    nn_model_free(m);
    /* softmax as a separate Activation layer, fused with the cross-entropy */
    float ys[N] = {0, 1, 1, 0};
    m = nn_model_create(1, shape, 6);
    nn_model_add(m, nn_dense(4, NN_ACT_TANH));
    nn_model_add(m, nn_dense(2, NN_ACT_LINEAR));
    nn_model_add(m, nn_activation(NN_ACT_SOFTMAX));
    nn_model_compile(m, &o, NN_LOSS_SCCE);
    grad_check(m, x, ys, N, 2e-2, "softmax activation layer + scce");
    nn_model_free(m);
    /* dense without bias */
    m = nn_model_create(1, shape, 7);
    nn_layer_spec s = nn_dense(4, NN_ACT_SIGMOID);
    nn_spec_set(&s, "useBias", 0);
    nn_model_add(m, s);
    nn_model_add(m, nn_dense(2, NN_ACT_LINEAR));
    nn_model_compile(m, &o, NN_LOSS_MSE);
    CHECK(nn_model_num_params(m) == 3 * 4 + 4 * 2 + 2);
    grad_check(m, x, y, N, 2e-2, "dense without bias");
    nn_model_free(m);
}

static void test_regularization(void)
{
    float x[N * 3], y[N * 2] = {0.5f, -1, 2, 0.1f, -0.3f, 0.7f, 1.5f, -2};
    inputs(x, N * 3, 4);
    int shape[1] = {3};
    nn_model *m = nn_model_create(1, shape, 8);
    nn_layer_spec a = nn_dense(5, NN_ACT_TANH), b = nn_dense(2, NN_ACT_LINEAR);
    nn_spec_set(&a, "l2", 0.05);
    nn_spec_set(&b, "l1", 0.02);
    nn_model_add(m, a);
    nn_model_add(m, b);
    nn_optimizer o = nn_sgd(0.1f);
    nn_model_compile(m, &o, NN_LOSS_MSE);
    double pen = nn_regularization(m, NULL);
    CHECK(pen > 0);
    grad_check(m, x, y, N, 2e-2, "l1/l2");
    nn_model_free(m);
}

/* An image model: input [5, 6, 2] (odd sizes, several channels), then `mid` layers, then
 * flatten and a dense head of 2 outputs trained on MSE. */
static void image_check(const nn_layer_spec *mid, int n_mid, float *x, uint32_t seed, double tol,
                        const char *what)
{
    static const float y[N * 2] = {0.5f, -1, 2, 0.1f, -0.3f, 0.7f, 1.5f, -2};
    int shape[3] = {5, 6, 2};
    nn_model *m = nn_model_create(3, shape, seed);
    for (int i = 0; i < n_mid; i++) CHECK(nn_model_add(m, mid[i]) == NN_OK);
    nn_model_add(m, nn_flatten());
    nn_model_add(m, nn_dense(2, NN_ACT_LINEAR));
    nn_optimizer o = nn_sgd(0.1f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_MSE) == NN_OK);
    /* small non-zero biases, so a bias that were ignored would show */
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i] == 0.0f) m->params[i] = 0.05f * (float)((int)(i % 7) - 3);
    grad_check(m, x, y, N, tol, what);
    nn_model_free(m);
}

static void test_conv_layers(void)
{
    float x[N * 60];
    inputs(x, N * 60, 5);
    nn_layer_spec c1 = nn_conv2d(3, 3, 3, 1, NN_PAD_VALID, NN_ACT_TANH);
    image_check(&c1, 1, x, 40, 2e-2, "conv2d 3x3 valid stride 1");
    nn_layer_spec c2 = nn_conv2d(3, 3, 2, 2, NN_PAD_SAME, NN_ACT_LINEAR);
    image_check(&c2, 1, x, 41, 2e-2, "conv2d 3x2 same stride 2");
    nn_layer_spec c3[2] = {nn_conv2d(4, 2, 3, 2, NN_PAD_VALID, NN_ACT_SIGMOID),
                           nn_conv2d(2, 1, 1, 1, NN_PAD_VALID, NN_ACT_TANH)};
    nn_spec_set_ints(&c3[0], "strides", 2, (int[]){2, 1});
    nn_spec_set(&c3[1], "useBias", 0);
    image_check(c3, 2, x, 42, 2e-2, "conv2d strides 2x1, then 1x1 without bias");
    nn_layer_spec c4 = nn_conv2d(2, 4, 4, 1, NN_PAD_SAME, NN_ACT_TANH); /* even kernel: uneven padding */
    image_check(&c4, 1, x, 43, 2e-2, "conv2d 4x4 same");
    nn_layer_spec c5[2] = {nn_conv2d(3, 3, 3, 1, NN_PAD_SAME, NN_ACT_TANH), nn_avgpool2d(2, 2, NN_PAD_VALID)};
    image_check(c5, 2, x, 44, 2e-2, "avgpool 2x2 valid");
    nn_layer_spec c6[2] = {nn_conv2d(3, 2, 2, 1, NN_PAD_VALID, NN_ACT_TANH), nn_avgpool2d(3, 3, NN_PAD_SAME)};
    nn_spec_set(&c6[1], "strides", 2);
    image_check(c6, 2, x, 45, 2e-2, "avgpool 3x3 same stride 2 (partial windows)");
    nn_layer_spec c7[2] = {nn_conv2d(3, 3, 3, 1, NN_PAD_SAME, NN_ACT_TANH), nn_globalavgpool2d()};
    image_check(c7, 2, x, 46, 2e-2, "global average pooling");
    nn_layer_spec c8[3] = {nn_conv2d(3, 3, 3, 1, NN_PAD_SAME, NN_ACT_LINEAR), nn_batchnorm(),
                           nn_activation(NN_ACT_TANH)};
    image_check(c8, 3, x, 47, 3e-2, "batchnorm over channels (training mode)");

    /* max pooling on distinct, well separated inputs: no tie is within the finite difference */
    float xm[N * 60];
    int32_t perm[N * 60];
    nn_model *tmp = nn_model_create(1, (int[]){1}, 9);
    nn_model_permutation(tmp, perm, N * 60);
    nn_model_free(tmp);
    for (int i = 0; i < N * 60; i++) xm[i] = 0.05f * (float)perm[i] - 6.0f;
    nn_layer_spec p1 = nn_maxpool2d(2, 2, NN_PAD_VALID);
    image_check(&p1, 1, xm, 48, 2e-2, "maxpool 2x2 valid");
    nn_layer_spec p2 = nn_maxpool2d(3, 2, NN_PAD_SAME);
    nn_spec_set_ints(&p2, "strides", 2, (int[]){2, 1});
    image_check(&p2, 1, xm, 49, 2e-2, "maxpool 3x2 same strides 2x1");

    /* reshape a flat input into an image; batchnorm on flat features */
    float yv[N * 2] = {0.5f, -1, 2, 0.1f, -0.3f, 0.7f, 1.5f, -2};
    nn_model *m = nn_model_create(1, (int[]){12}, 50);
    nn_model_add(m, nn_reshape(3, (int[]){3, -1, 2}));
    nn_model_add(m, nn_conv2d(2, 2, 2, 1, NN_PAD_VALID, NN_ACT_TANH));
    nn_model_add(m, nn_flatten());
    nn_model_add(m, nn_batchnorm());
    nn_model_add(m, nn_dense(2, NN_ACT_LINEAR));
    nn_optimizer o = nn_adam(0.01f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_MSE) == NN_OK);
    grad_check(m, x, yv, N, 3e-2, "reshape, conv2d, flatten, batchnorm on features");
    nn_model_free(m);
}

/* Conv2DTranspose (both paddings, kernels smaller than, equal to and larger than the stride,
 * unequal strides, no bias, L2) and UpSampling2D, on the [5, 6, 2] image. */
static void test_upsampling_layers(void)
{
    float x[N * 60];
    inputs(x, N * 60, 6);
    nn_layer_spec t1 = nn_conv2d_transpose(3, 3, 3, 2, NN_PAD_VALID, NN_ACT_TANH);
    image_check(&t1, 1, x, 140, 2e-2, "conv2dTranspose 3x3 valid stride 2");
    nn_layer_spec t2 = nn_conv2d_transpose(2, 4, 4, 2, NN_PAD_SAME, NN_ACT_TANH);
    image_check(&t2, 1, x, 141, 2e-2, "conv2dTranspose 4x4 same stride 2 (a row of padding each side)");
    nn_layer_spec t3 = nn_conv2d_transpose(2, 3, 2, 1, NN_PAD_SAME, NN_ACT_SIGMOID);
    nn_spec_set_ints(&t3, "strides", 2, (int[]){1, 3}); /* kernel 2 < stride 3 across: gaps */
    nn_spec_set(&t3, "useBias", 0);
    nn_spec_set(&t3, "l2", 0.05);
    image_check(&t3, 1, x, 142, 2e-2, "conv2dTranspose 3x2 same strides 1x3, no bias, l2");
    nn_layer_spec t4[2] = {nn_conv2d_transpose(3, 2, 2, 2, NN_PAD_VALID, NN_ACT_LINEAR), nn_batchnorm()};
    image_check(t4, 2, x, 143, 3e-2, "conv2dTranspose 2x2 stride 2, batchnorm");
    nn_layer_spec u1[2] = {nn_upsampling2d(2, 3), nn_conv2d(2, 3, 3, 2, NN_PAD_VALID, NN_ACT_TANH)};
    image_check(u1, 2, x, 144, 2e-2, "upSampling2d 2x3 then conv2d");
    nn_layer_spec u2[2] = {nn_conv2d(3, 2, 2, 1, NN_PAD_SAME, NN_ACT_TANH), nn_upsampling2d(1, 2)};
    image_check(u2, 2, x, 145, 2e-2, "conv2d then upSampling2d 1x2");
}

/* Embedding -> flatten -> dense: the table's rows get dy; ids repeat within and across samples,
 * so rows collect several contributions. Token ids carry no gradient (not checked). */
static void test_embedding(void)
{
    float x[N * 3] = {0, 2, 2, 5, 1, 0, 3, 3, 3, 4, 0, 1};
    float y[N * 2] = {0.5f, -1, 2, 0.1f, -0.3f, 0.7f, 1.5f, -2};
    int shape[1] = {3};
    nn_model *m = nn_model_create(1, shape, 30);
    nn_layer_spec e = nn_embedding(6, 4);
    nn_spec_set_name(&e, "embeddingsInitializer", "glorotUniform"); /* larger weights: a sharper check */
    CHECK(nn_model_add(m, e) == NN_OK);
    CHECK(nn_model_add(m, nn_flatten()) == NN_OK);
    CHECK(nn_model_add(m, nn_dense(2, NN_ACT_TANH)) == NN_OK);
    nn_optimizer o = nn_sgd(0.1f);
    nn_model_compile(m, &o, NN_LOSS_MSE);
    int s[3];
    CHECK(nn_model_layer_output_shape(m, 0, s) == 2 && s[0] == 3 && s[1] == 4);
    grad_check_x(m, x, y, N, 2e-2, "embedding", 0);
    float bad[3] = {0, 6, 1}, l;
    CHECK(nn_model_train_batch(m, bad, y, 1, &l) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "embedding: input 6 at sample 0, position 1 is not a token id in [0, 6)") != NULL);
    nn_model_free(m);
}

/* SimpleRNN through time: the last state, and every state read backwards; sigmoid and tanh. */
static void test_simple_rnn(void)
{
    float x[N * 3 * 2], y[N * 2] = {0.5f, -1, 2, 0.1f, -0.3f, 0.7f, 1.5f, -2};
    inputs(x, N * 3 * 2, 31);
    int shape[2] = {3, 2};
    for (int v = 0; v < 3; v++) {
        nn_model *m = nn_model_create(2, shape, 40 + (uint32_t)v);
        nn_layer_spec r = nn_simple_rnn(4, v == 1 ? NN_ACT_SIGMOID : NN_ACT_TANH);
        if (v >= 1) nn_spec_set(&r, "returnSequences", 1);
        if (v == 2) { nn_spec_set(&r, "goBackwards", 1); nn_spec_set(&r, "useBias", 0); nn_spec_set(&r, "l2", 0.01); }
        CHECK(nn_model_add(m, r) == NN_OK);
        if (v >= 1) CHECK(nn_model_add(m, nn_flatten()) == NN_OK);
        CHECK(nn_model_add(m, nn_dense(2, NN_ACT_LINEAR)) == NN_OK);
        nn_optimizer o = nn_sgd(0.1f);
        nn_model_compile(m, &o, NN_LOSS_MSE);
        const char *what[3] = {"simpleRNN last state", "simpleRNN returnSequences sigmoid",
                               "simpleRNN goBackwards, no bias, l2"};
        grad_check(m, x, y, N, 2e-2, what[v]);
        nn_model_free(m);
    }
}

/* LSTM through time: the last state; every state backwards with hardSigmoid gates; no bias. */
static void test_lstm(void)
{
    float x[N * 3 * 2], y[N * 2] = {0.5f, -1, 2, 0.1f, -0.3f, 0.7f, 1.5f, -2};
    inputs(x, N * 3 * 2, 32);
    int shape[2] = {3, 2};
    for (int v = 0; v < 3; v++) {
        nn_model *m = nn_model_create(2, shape, 50 + (uint32_t)v);
        nn_layer_spec r = nn_lstm(3);
        if (v >= 1) nn_spec_set(&r, "returnSequences", 1);
        if (v == 1) nn_spec_set_name(&r, "recurrentActivation", "hardSigmoid");
        if (v == 2) { nn_spec_set(&r, "goBackwards", 1); nn_spec_set(&r, "useBias", 0); nn_spec_set(&r, "l1", 0.01); }
        CHECK(nn_model_add(m, r) == NN_OK);
        if (v >= 1) CHECK(nn_model_add(m, nn_flatten()) == NN_OK);
        CHECK(nn_model_add(m, nn_dense(2, NN_ACT_LINEAR)) == NN_OK);
        nn_optimizer o = nn_sgd(0.1f);
        nn_model_compile(m, &o, NN_LOSS_MSE);
        const char *what[3] = {"lstm last state", "lstm returnSequences hardSigmoid", "lstm goBackwards, no bias, l1"};
        grad_check(m, x, y, N, 2e-2, what[v]);
        if (v == 0) CHECK(nn_model_params(m)[2 * 12 + 3 * 12 + 3] == 1.0f); /* unitForgetBias */
        nn_model_free(m);
    }
}

/* GRU through time, both reset placements: the last state; every state backwards with
 * hardSigmoid gates; resetAfter without bias. */
static void test_gru(void)
{
    float x[N * 3 * 2], y[N * 2] = {0.5f, -1, 2, 0.1f, -0.3f, 0.7f, 1.5f, -2};
    inputs(x, N * 3 * 2, 33);
    int shape[2] = {3, 2};
    for (int v = 0; v < 5; v++) {
        nn_model *m = nn_model_create(2, shape, 60 + (uint32_t)v);
        nn_layer_spec r = nn_gru(3);
        int after = v == 1 || v == 3 || v == 4;
        nn_spec_set(&r, "resetAfter", after);
        nn_spec_set_name(&r, "biasInitializer", "glorotUniform"); /* non-zero biases, both rows */
        if (v >= 2) nn_spec_set(&r, "returnSequences", 1);
        if (v == 2 || v == 3) { nn_spec_set(&r, "goBackwards", 1); nn_spec_set_name(&r, "recurrentActivation", "hardSigmoid"); }
        if (v == 4) nn_spec_set(&r, "useBias", 0);
        CHECK(nn_model_add(m, r) == NN_OK);
        if (v >= 2) CHECK(nn_model_add(m, nn_flatten()) == NN_OK);
        CHECK(nn_model_add(m, nn_dense(2, NN_ACT_LINEAR)) == NN_OK);
        nn_optimizer o = nn_sgd(0.1f);
        nn_model_compile(m, &o, NN_LOSS_MSE);
        char what[80];
        snprintf(what, sizeof what, "gru variant %d (resetAfter %d)", v, after);
        grad_check(m, x, y, N, 2e-2, what);
        nn_model_free(m);
    }
}

/* A character model: lstm(returnSequences) -> dense(softmax) on every step, sparse labels per step
 * (the fused softmax + cross-entropy per row); and the same with categorical labels. */
static void test_sequence_output(void)
{
    float x[N * 3 * 2], ys[N * 3] = {0, 3, 1, 2, 2, 0, 1, 1, 3, 0, 2, 1}, yc[N * 3 * 4];
    inputs(x, N * 3 * 2, 34);
    for (int i = 0; i < N * 3; i++) for (int k = 0; k < 4; k++) yc[i * 4 + k] = (float)((int)ys[i] == k);
    int shape[2] = {3, 2};
    for (int v = 0; v < 2; v++) {
        nn_model *m = nn_model_create(2, shape, 70 + (uint32_t)v);
        nn_layer_spec r = nn_lstm(3);
        nn_spec_set(&r, "returnSequences", 1);
        CHECK(nn_model_add(m, r) == NN_OK);
        CHECK(nn_model_add(m, nn_dense(4, NN_ACT_SOFTMAX)) == NN_OK);
        nn_optimizer o = nn_sgd(0.1f);
        CHECK(nn_model_compile(m, &o, v ? NN_LOSS_CCE : NN_LOSS_SCCE) == NN_OK);
        CHECK(nn_model_output_row_size(m) == 4 && nn_model_label_size(m) == (v ? 12 : 3));
        grad_check(m, x, v ? yc : ys, N, 2e-2, v ? "lstm -> dense softmax per step, cce" : "lstm -> dense softmax per step, scce");
        nn_metrics mt;
        CHECK(nn_model_evaluate(m, x, v ? yc : ys, N, &mt) == NN_OK && mt.count == N * 3 && mt.num_classes == 4);
        nn_metrics_free(&mt);
        float bad[N * 3];
        memcpy(bad, ys, sizeof bad);
        bad[7] = 4;
        if (!v) CHECK(nn_model_check_labels(m, bad, N) == NN_ERR_ARG && strstr(nn_model_error(m), "at sample 2"));
        nn_model_free(m);
    }
}

/* dropout and recurrentDropout (training passes, masks replayed from the RNG): every recurrent type,
 * GRU with both reset placements. */
static void test_recurrent_dropout(void)
{
    float x[N * 4 * 3], y[N * 2] = {0.5f, -1, 2, 0.1f, -0.3f, 0.7f, 1.5f, -2};
    inputs(x, N * 4 * 3, 35);
    int shape[2] = {4, 3};
    for (int v = 0; v < 4; v++) {
        nn_model *m = nn_model_create(2, shape, 80 + (uint32_t)v);
        nn_layer_spec r = v == 0 ? nn_simple_rnn(4, NN_ACT_TANH) : v == 1 ? nn_lstm(3) : nn_gru(3);
        if (v >= 2) nn_spec_set(&r, "resetAfter", v == 3);
        nn_spec_set(&r, "dropout", 0.3);
        nn_spec_set(&r, "recurrentDropout", 0.4);
        nn_spec_set(&r, "returnSequences", 1);
        CHECK(nn_model_add(m, r) == NN_OK);
        CHECK(nn_model_add(m, nn_flatten()) == NN_OK);
        CHECK(nn_model_add(m, nn_dense(2, NN_ACT_LINEAR)) == NN_OK);
        nn_optimizer o = nn_sgd(0.1f);
        nn_model_compile(m, &o, NN_LOSS_MSE);
        const char *what[4] = {"simpleRNN dropout", "lstm dropout", "gru dropout", "gru resetAfter dropout"};
        grad_check(m, x, y, N, 2e-2, what[v]);
        /* predicting uses no masks: two predictions agree, and differ from a training pass */
        float p1[N * 2], p2[N * 2];
        nn_model_predict(m, x, N, p1);
        nn_model_predict(m, x, N, p2);
        CHECK(memcmp(p1, p2, sizeof p1) == 0);
        nn_model_forward(m, x, N, 1);
        CHECK(memcmp(p1, nn_model_output(m), sizeof p1) != 0);
        nn_model_free(m);
    }
}

/* Masking: Embedding(maskZero) -> recurrent (every state) -> dense softmax per step. Padded steps
 * keep the state (its gradient goes to the step before); training leaves them out of the loss. */
static void test_masking(void)
{
    float x[N * 4] = {0, 0, 3, 1, 2, 0, 1, 4, 0, 3, 3, 2, 1, 2, 3, 4}; /* zeros: padding, pre and inside */
    float ys[N * 4] = {1, 2, 0, 3, 2, 1, 1, 0, 3, 3, 0, 2, 1, 0, 2, 3};
    int shape[1] = {4};
    for (int v = 0; v < 4; v++) {
        nn_model *m = nn_model_create(1, shape, 90 + (uint32_t)v);
        nn_layer_spec e = nn_embedding(5, 3);
        nn_spec_set(&e, "maskZero", 1);
        nn_spec_set_name(&e, "embeddingsInitializer", "glorotUniform");
        CHECK(nn_model_add(m, e) == NN_OK);
        nn_layer_spec r = v == 0 ? nn_simple_rnn(3, NN_ACT_TANH) : v == 1 ? nn_lstm(3) : nn_gru(3);
        if (v >= 2) nn_spec_set(&r, "resetAfter", v == 3);
        nn_spec_set(&r, "returnSequences", 1);
        if (v == 1) nn_spec_set(&r, "goBackwards", 1);
        CHECK(nn_model_add(m, r) == NN_OK);
        CHECK(nn_model_add(m, nn_dense(4, NN_ACT_SOFTMAX)) == NN_OK);
        nn_optimizer o = nn_sgd(0.1f);
        nn_model_compile(m, &o, NN_LOSS_SCCE);
        const char *what[4] = {"simpleRNN masked", "lstm masked backwards", "gru masked", "gru resetAfter masked"};
        grad_check_x(m, x, ys, N, 2e-2, what[v], 0);
        /* a padded step repeats the state before it: sample 0's first two steps are padding (zero
         * state), sample 1's second step repeats its first step's state */
        CHECK(nn_model_forward(m, x, N, 0) == NN_OK);
        const float *h = m->layers[1].y;
        if (v != 1) {
            for (int k = 0; k < 3; k++) CHECK(h[k] == 0.0f && h[3 + k] == 0.0f);
            for (int k = 0; k < 3; k++) CHECK(h[(1 * 4 + 1) * 3 + k] == h[(1 * 4 + 0) * 3 + k]);
        }
        /* the loss leaves padded steps out: evaluate's counts only the 12 real steps */
        nn_metrics mt;
        CHECK(nn_model_evaluate(m, x, ys, N, &mt) == NN_OK && mt.count == 12);
        nn_metrics_free(&mt);
        float l;
        CHECK(nn_model_train_batch(m, x, ys, N, &l) == NN_OK && isfinite(l));
        nn_model_free(m);
    }
}

/* The layer Bidirectional wraps: simpleRNN, lstm, gru (resetAfter on the third kind's odd turns). */
static nn_layer_spec wrapped(int kind, int units, int seq)
{
    nn_layer_spec r = kind == 0 ? nn_simple_rnn(units, NN_ACT_TANH) : kind == 1 ? nn_lstm(units) : nn_gru(units);
    if (kind == 2) nn_spec_set(&r, "resetAfter", seq);
    nn_spec_set(&r, "returnSequences", seq);
    nn_spec_set_name(&r, "biasInitializer", "glorotUniform"); /* non-zero biases */
    return r;
}

/* Bidirectional over every recurrent type, every merge mode, the last state and every state (the
 * backward copy's reversed in time), with L2 on both kernels. */
static void test_bidirectional(void)
{
    float x[N * 3 * 2], y[N * 2] = {0.5f, -1, 2, 0.1f, -0.3f, 0.7f, 1.5f, -2};
    inputs(x, N * 3 * 2, 36);
    int shape[2] = {3, 2};
    const char *kinds[3] = {"simpleRNN", "lstm", "gru"}, *modes[4] = {"concat", "sum", "mul", "ave"};
    for (int kind = 0; kind < 3; kind++)
        for (int mode = NN_MERGE_CONCAT; mode <= NN_MERGE_AVE; mode++)
            for (int seq = 0; seq < 2; seq++) {
                nn_model *m = nn_model_create(2, shape, 100 + (uint32_t)(kind * 8 + mode * 2 + seq));
                nn_layer_spec r = wrapped(kind, 3, seq);
                if (mode == NN_MERGE_SUM) nn_spec_set(&r, "l2", 0.01);
                CHECK(nn_model_add(m, nn_bidirectional(r, (nn_merge)mode)) == NN_OK);
                if (seq) CHECK(nn_model_add(m, nn_flatten()) == NN_OK);
                CHECK(nn_model_add(m, nn_dense(2, NN_ACT_LINEAR)) == NN_OK);
                nn_optimizer o = nn_sgd(0.1f);
                nn_model_compile(m, &o, NN_LOSS_MSE);
                char what[96];
                snprintf(what, sizeof what, "bidirectional %s %s%s", kinds[kind], modes[mode], seq ? " returnSequences" : "");
                grad_check(m, x, y, N, 2e-2, what);
                nn_model_free(m);
            }
}

/* Bidirectional after Embedding(maskZero): both directions hold their state over padded steps;
 * every state to a dense softmax per step, and the last state; with dropouts (masks replayed). */
static void test_bidirectional_masked(void)
{
    float x[N * 4] = {0, 0, 3, 1, 2, 0, 1, 4, 0, 3, 3, 2, 1, 2, 3, 4};
    float ys[N * 4] = {1, 2, 0, 3, 2, 1, 1, 0, 3, 3, 0, 2, 1, 0, 2, 3}, yl[N] = {1, 0, 3, 2};
    int shape[1] = {4};
    for (int v = 0; v < 6; v++) {
        int kind = v % 3, seq = v < 3;
        nn_model *m = nn_model_create(1, shape, 120 + (uint32_t)v);
        nn_layer_spec e = nn_embedding(5, 3);
        nn_spec_set(&e, "maskZero", 1);
        nn_spec_set_name(&e, "embeddingsInitializer", "glorotUniform");
        CHECK(nn_model_add(m, e) == NN_OK);
        nn_layer_spec r = wrapped(kind, 3, seq);
        if (v == 4) { nn_spec_set(&r, "dropout", 0.3); nn_spec_set(&r, "recurrentDropout", 0.4); }
        CHECK(nn_model_add(m, nn_bidirectional(r, (nn_merge)(v % 4))) == NN_OK);
        CHECK(nn_model_add(m, nn_dense(4, NN_ACT_SOFTMAX)) == NN_OK);
        nn_optimizer o = nn_sgd(0.1f);
        nn_model_compile(m, &o, NN_LOSS_SCCE);
        char what[64];
        snprintf(what, sizeof what, "bidirectional masked, variant %d", v);
        grad_check_x(m, x, seq ? ys : yl, N, 2e-2, what, 0);
        if (v == 0) { /* concat per step: the forward half holds 0 over sample 0's leading padding, the
                       * backward half holds the state it had at the first real step */
            CHECK(nn_model_forward(m, x, N, 0) == NN_OK);
            const float *h = m->layers[1].y; /* [4 steps, 6] */
            for (int k = 0; k < 3; k++) {
                CHECK(h[k] == 0.0f && h[6 + k] == 0.0f && h[12 + k] != 0.0f);
                CHECK(h[3 + k] == h[12 + 3 + k] && h[6 + 3 + k] == h[12 + 3 + k]);
            }
            nn_metrics mt; /* the 4 padded steps leave the loss */
            CHECK(nn_model_evaluate(m, x, ys, N, &mt) == NN_OK && mt.count == 12);
            nn_metrics_free(&mt);
        }
        nn_model_free(m);
    }
}

/* Bidirectional is what it says: its concat output per step is a forward layer's states beside a
 * goBackwards layer's, reversed in time, when those layers have its weights. */
static void test_bidirectional_is_two_layers(void)
{
    float x[N * 5 * 2];
    inputs(x, N * 5 * 2, 37);
    int shape[2] = {5, 2};
    nn_layer_spec r = wrapped(1, 3, 1);
    nn_model *b = nn_model_create(2, shape, 7), *f = nn_model_create(2, shape, 8), *g = nn_model_create(2, shape, 9);
    nn_layer_spec rb = r;
    nn_spec_set(&rb, "goBackwards", 1);
    CHECK(nn_model_add(b, nn_bidirectional(r, NN_MERGE_CONCAT)) == NN_OK);
    CHECK(nn_model_add(f, r) == NN_OK && nn_model_add(g, rb) == NN_OK);
    size_t half = nn_model_num_params(f);
    CHECK(nn_model_num_params(b) == 2 * half);
    memcpy(nn_model_params(f), nn_model_params(b), half * sizeof(float));
    memcpy(nn_model_params(g), nn_model_params(b) + half, half * sizeof(float));
    float pb[N * 5 * 6], pf[N * 5 * 3], pg[N * 5 * 3];
    CHECK(nn_model_predict(b, x, N, pb) == NN_OK && nn_model_predict(f, x, N, pf) == NN_OK &&
          nn_model_predict(g, x, N, pg) == NN_OK);
    int same = 1;
    for (int s = 0; s < N; s++)
        for (int t = 0; t < 5; t++)
            for (int k = 0; k < 3; k++)
                same &= pb[(s * 5 + t) * 6 + k] == pf[(s * 5 + t) * 3 + k] &&
                        pb[(s * 5 + t) * 6 + 3 + k] == pg[(s * 5 + 4 - t) * 3 + k];
    CHECK(same);
    nn_model_free(b);
    nn_model_free(f);
    nn_model_free(g);
}

/* The recurrent kernel starts orthogonal: U^T U = I. */
static void test_orthogonal(void)
{
    int shape[2] = {2, 3};
    nn_model *m = nn_model_create(2, shape, 5);
    CHECK(nn_model_add(m, nn_simple_rnn(6, NN_ACT_TANH)) == NN_OK);
    const float *U = nn_model_params(m) + 3 * 6;
    double worst = 0;
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            double d = 0;
            for (int k = 0; k < 6; k++) d += (double)U[k * 6 + i] * U[k * 6 + j];
            worst = fmax(worst, fabs(d - (i == j)));
        }
    CHECK(worst < 1e-5);
    nn_model_free(m);
}

int main(void)
{
    RUN(test_conv_layers);
    RUN(test_upsampling_layers);
    RUN(test_activations);
    RUN(test_losses);
    RUN(test_layers);
    RUN(test_regularization);
    RUN(test_embedding);
    RUN(test_simple_rnn);
    RUN(test_orthogonal);
    RUN(test_lstm);
    RUN(test_gru);
    RUN(test_sequence_output);
    RUN(test_recurrent_dropout);
    RUN(test_masking);
    RUN(test_bidirectional);
    RUN(test_bidirectional_masked);
    RUN(test_bidirectional_is_two_layers);
    return nt_summary("grad");
}
