/* Image layers: Conv2D against a direct convolution, pooling and batchnorm values, TF's 'same'
 * arithmetic, save/load of every new layer (bit-exact), version-1 files, augmentation, a small
 * CNN that learns, and the errors a caller can cause. Gradients are checked in test_grad.c. */
#include "nn_internal.h"
#include "test.h"
#include <string.h>

static void fill(float *x, int n, uint32_t seed)
{
    nn_rng r;
    nn_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) x[i] = 2.0f * nn_rng_uniform(&r) - 1.0f;
}

/* y[b, oy, ox, f] = b_f + sum_{i,j,c} x[b, oy*sh+i-pt, ox*sw+j-pl, c] W[i, j, c, f] */
static void conv_direct(const float *x, int n, int h, int w, int c, const float *W, const float *bias,
                        int kh, int kw, int sh, int sw, int pad, int f, float *y, int *oh, int *ow)
{
    int pt, pl;
    *oh = nn_conv_out(h, kh, sh, pad, &pt);
    *ow = nn_conv_out(w, kw, sw, pad, &pl);
    for (int b = 0; b < n; b++)
        for (int oy = 0; oy < *oh; oy++)
            for (int ox = 0; ox < *ow; ox++)
                for (int o = 0; o < f; o++) {
                    double s = bias ? bias[o] : 0.0;
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++) {
                            int iy = oy * sh + i - pt, ix = ox * sw + j - pl;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            for (int k = 0; k < c; k++)
                                s += (double)x[((b * h + iy) * w + ix) * c + k] * W[((i * kw + j) * c + k) * f + o];
                        }
                    y[((b * *oh + oy) * *ow + ox) * f + o] = (float)s;
                }
}

static void test_same_arithmetic(void)
{
    int p;
    CHECK(nn_conv_out(28, 3, 1, NN_PAD_VALID, &p) == 26 && p == 0);
    CHECK(nn_conv_out(28, 3, 1, NN_PAD_SAME, &p) == 28 && p == 1);
    CHECK(nn_conv_out(28, 3, 2, NN_PAD_SAME, &p) == 14 && p == 0); /* total 1: all at the end */
    CHECK(nn_conv_out(5, 3, 2, NN_PAD_SAME, &p) == 3 && p == 1);
    CHECK(nn_conv_out(6, 4, 1, NN_PAD_SAME, &p) == 6 && p == 1);   /* total 3: 1 before, 2 after */
    CHECK(nn_conv_out(7, 2, 3, NN_PAD_VALID, &p) == 2);
    CHECK(nn_conv_out(13, 2, 2, NN_PAD_VALID, &p) == 6);           /* maxpool floors */
    CHECK(nn_conv_out(13, 2, 2, NN_PAD_SAME, &p) == 7);
}

static void test_conv_forward(void)
{
    struct { int h, w, c, f, kh, kw, sh, sw, pad, bias; } cases[] = {
        {7, 5, 3, 4, 3, 3, 1, 1, NN_PAD_VALID, 1}, {7, 5, 3, 4, 3, 3, 1, 1, NN_PAD_SAME, 1},
        {9, 8, 2, 5, 3, 2, 2, 3, NN_PAD_SAME, 0}, {9, 8, 2, 5, 4, 4, 2, 2, NN_PAD_VALID, 1},
        {6, 6, 5, 3, 1, 1, 1, 1, NN_PAD_VALID, 1}, {6, 6, 5, 3, 1, 1, 2, 2, NN_PAD_SAME, 1},
        {5, 5, 1, 17, 5, 5, 1, 1, NN_PAD_SAME, 1}, {3, 4, 2, 2, 3, 4, 1, 1, NN_PAD_VALID, 1},
    };
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        int h = cases[t].h, w = cases[t].w, c = cases[t].c, f = cases[t].f, n = 3, oh, ow;
        int shape[3] = {h, w, c};
        nn_model *m = nn_model_create(3, shape, 7 + (uint32_t)t);
        nn_layer_spec s = nn_conv2d(f, cases[t].kh, cases[t].kw, 1, cases[t].pad, NN_ACT_LINEAR);
        nn_spec_set_ints(&s, "strides", 2, (int[]){cases[t].sh, cases[t].sw});
        nn_spec_set(&s, "useBias", cases[t].bias);
        nn_spec_set_name(&s, "biasInitializer", "glorotUniform"); /* non-zero biases */
        CHECK(nn_model_add(m, s) == NN_OK);
        float *x = malloc(sizeof(float) * n * h * w * c), *y = malloc(sizeof(float) * n * h * w * f * 4);
        fill(x, n * h * w * c, 3);
        const float *W = nn_model_params(m);
        conv_direct(x, n, h, w, c, W, cases[t].bias ? W + cases[t].kh * cases[t].kw * c * f : NULL,
                    cases[t].kh, cases[t].kw, cases[t].sh, cases[t].sw, cases[t].pad, f, y, &oh, &ow);
        int osh[3];
        CHECK(nn_model_layer_output_shape(m, 0, osh) == 3 && osh[0] == oh && osh[1] == ow && osh[2] == f);
        CHECK(nn_model_forward(m, x, n, 0) == NN_OK);
        const float *out = nn_model_output(m);
        double worst = 0;
        for (int i = 0; i < n * oh * ow * f; i++) worst = fmax(worst, fabs(out[i] - y[i]));
        if (worst > 1e-5) printf("  case %zu: worst %g\n", t, worst);
        CHECK(worst <= 1e-5);
        free(x);
        free(y);
        nn_model_free(m);
    }
}

static void test_pool_values(void)
{
    /* one 3x3 image, 2 channels: channel 0 = 1..9, channel 1 = -(1..9) */
    float x[18];
    for (int i = 0; i < 9; i++) { x[2 * i] = (float)(i + 1); x[2 * i + 1] = -(float)(i + 1); }
    int shape[3] = {3, 3, 2};
    nn_model *m = nn_model_create(3, shape, 1);
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_SAME)); /* 2x2 out; the last row/column is padding */
    CHECK(nn_model_forward(m, x, 1, 0) == NN_OK);
    const float *y = nn_model_output(m);
    float want_max[8] = {5, -1, 6, -3, 8, -7, 9, -9};
    for (int i = 0; i < 8; i++) CHECK_NEAR(y[i], want_max[i], 0);
    nn_model_free(m);
    m = nn_model_create(3, shape, 1);
    nn_model_add(m, nn_avgpool2d(2, 2, NN_PAD_SAME)); /* padding is not counted in the mean */
    CHECK(nn_model_forward(m, x, 1, 0) == NN_OK);
    y = nn_model_output(m);
    float want_avg[8] = {3, -3, 4.5f, -4.5f, 7.5f, -7.5f, 9, -9};
    for (int i = 0; i < 8; i++) CHECK_NEAR(y[i], want_avg[i], 1e-6);
    nn_model_free(m);
    m = nn_model_create(3, shape, 1);
    nn_model_add(m, nn_globalavgpool2d());
    CHECK(nn_model_forward(m, x, 1, 0) == NN_OK);
    y = nn_model_output(m);
    CHECK(nn_model_output_size(m) == 2);
    CHECK_NEAR(y[0], 5, 1e-6);
    CHECK_NEAR(y[1], -5, 1e-6);
    nn_model_free(m);
}

/* Max pooling's backward sends each window's gradient to the first pixel (row order) holding its
 * maximum, ties included (an all-zero window after relu is the common one), and overlapping
 * windows add up on a shared maximum. */
static void test_maxpool_backward_routing(void)
{
    int shape[3] = {4, 4, 1};
    /* 2x2 windows: [0 0 / 0 0] all tied, [1 3 / 3 2] tie at 3, [5 5 / 5 5], [0 -1 / 7 -2] */
    float x[16] = {0, 0, 1, 3,
                   0, 0, 3, 2,
                   5, 5, 0, -1,
                   5, 5, 7, -2};
    float dy[4] = {1, 2, 3, 4}, dx[16];
    float want[16] = {1, 0, 0, 2,
                      0, 0, 0, 0,
                      3, 0, 0, 0,
                      0, 0, 4, 0};
    nn_model *m = nn_model_create(3, shape, 1);
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    CHECK(nn_model_forward(m, x, 1, 1) == NN_OK);
    CHECK(nn_model_backward(m, dy, dx) == NN_OK);
    for (int i = 0; i < 16; i++) CHECK_NEAR(dx[i], want[i], 0);
    nn_model_free(m);

    /* 5x5 input: 2x2 windows leave the last row and column unread; at stride 3 they also skip
     * the middle row and column. Those get 0 whatever dx held before. */
    int shape5[3] = {5, 5, 1};
    float x5[25], dx5[25];
    for (int i = 0; i < 25; i++) x5[i] = (float)((i * 7) % 11);
    for (int stride = 2; stride <= 3; stride++) {
        nn_layer_spec pool5 = nn_maxpool2d(2, 2, NN_PAD_VALID);
        nn_spec_set(&pool5, "strides", stride);
        m = nn_model_create(3, shape5, 1);
        nn_model_add(m, pool5);
        for (int i = 0; i < 25; i++) dx5[i] = 99.0f;
        CHECK(nn_model_forward(m, x5, 1, 1) == NN_OK);
        CHECK(nn_model_backward(m, dy, dx5) == NN_OK);
        float sum = 0.0f;
        int nonzero = 0;
        for (int i = 0; i < 25; i++) {
            int r = i / 5, col = i % 5;
            int read = r < 2 * 2 + (stride - 2) * 3 && col < 2 * 2 + (stride - 2) * 3 &&
                       (stride == 2 || (r != 2 && col != 2));
            if (!read) CHECK_NEAR(dx5[i], 0, 0);
            sum += dx5[i];
            nonzero += dx5[i] != 0.0f;
        }
        CHECK_NEAR(sum, 1 + 2 + 3 + 4, 0); /* every window's gradient lands once */
        CHECK(nonzero == 4);
        nn_model_free(m);
    }

    /* 3x3 windows at stride 1: all four hold the 9 in the middle, which gets the sum */
    float y9[16] = {1, 2, 3, 4,
                    5, 9, 6, 7,
                    8, 2, 1, 0,
                    3, 4, 5, 6};
    m = nn_model_create(3, shape, 1);
    nn_layer_spec pool = nn_maxpool2d(3, 3, NN_PAD_VALID);
    nn_spec_set(&pool, "strides", 1);
    nn_model_add(m, pool);
    CHECK(nn_model_forward(m, y9, 1, 1) == NN_OK);
    CHECK(nn_model_backward(m, dy, dx) == NN_OK);
    for (int i = 0; i < 16; i++) CHECK_NEAR(dx[i], i == 5 ? 10.0f : 0.0f, 0);
    nn_model_free(m);
}

static void test_batchnorm(void)
{
    enum { n = 16, c = 3 };
    float x[n * 2 * 2 * c];
    fill(x, n * 4 * c, 5);
    for (int i = 0; i < n * 4 * c; i++) x[i] = x[i] * (float)(1 + i % c) + (float)(i % c); /* per channel */
    int shape[3] = {2, 2, c};
    nn_model *m = nn_model_create(3, shape, 1);
    CHECK(nn_model_add(m, nn_batchnorm()) == NN_OK);
    CHECK(nn_model_num_params(m) == 2 * c);  /* gamma, beta */
    CHECK(nn_model_num_state(m) == 2 * c);   /* moving mean, moving variance */
    CHECK(nn_model_layer_num_state(m, 0) == 2 * c && nn_model_layer_state_offset(m, 0) == 0);
    const float *st = nn_model_state(m);
    CHECK(st[0] == 0.0f && st[c] == 1.0f);
    CHECK(nn_model_forward(m, x, n, 1) == NN_OK);
    const float *y = nn_model_output(m);
    for (int k = 0; k < c; k++) { /* training: normalized with the batch statistics */
        double s = 0, s2 = 0, mx = 0, vx = 0;
        for (int r = 0; r < n * 4; r++) { s += y[r * c + k]; s2 += y[r * c + k] * y[r * c + k]; mx += x[r * c + k]; }
        mx /= n * 4;
        for (int r = 0; r < n * 4; r++) vx += (x[r * c + k] - mx) * (x[r * c + k] - mx);
        vx /= n * 4;
        CHECK_NEAR(s / (n * 4), 0, 1e-5);
        CHECK_NEAR(s2 / (n * 4), vx / (vx + 1e-3), 1e-4);
        CHECK_NEAR(st[k], 0.01 * mx, 1e-5);                   /* moving = 0.99 * init + 0.01 * batch */
        CHECK_NEAR(st[c + k], 0.99 + 0.01 * vx, 1e-5);
    }
    /* inference: the moving statistics; gamma/beta apply */
    float *p = nn_model_params(m);
    p[0] = 2.0f; p[c] = 0.5f;
    float st0[2 * c];
    memcpy(st0, st, sizeof st0);
    CHECK(nn_model_forward(m, x, 2, 0) == NN_OK);
    y = nn_model_output(m);
    CHECK_NEAR(y[0], 2.0 * (x[0] - st[0]) / sqrt(st[c] + 1e-3) + 0.5, 1e-5);
    CHECK(memcmp(st0, st, sizeof st0) == 0); /* predicting leaves the state alone */
    /* backward after an inference forward: the statistics are constants, dx = gamma/std * dy */
    float dy[2 * 4 * c], dx[2 * 4 * c];
    fill(dy, 2 * 4 * c, 6);
    CHECK(nn_model_backward(m, dy, dx) == NN_OK);
    for (int i = 0; i < 2 * 4 * c; i++)
        CHECK_NEAR(dx[i], p[i % c] * dy[i] / sqrt(st[c + i % c] + 1e-3), 1e-5);
    /* optimizers and L1/L2 never touch the state */
    nn_optimizer o = nn_sgd(0.5f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_MSE) == NN_OK);
    for (size_t i = 0; i < nn_model_num_params(m); i++) nn_model_grads(m)[i] = 1.0f;
    CHECK(nn_model_apply_grads(m) == NN_OK);
    CHECK(memcmp(st0, st, sizeof st0) == 0);
    CHECK_NEAR(p[0], 1.5, 1e-6);
    nn_model_free(m);
}

/* A model with every new layer, trained a little so the state and optimizer moments are not trivial. */
static nn_model *every_layer_model(uint32_t seed)
{
    int shape[1] = {8 * 8};
    nn_model *m = nn_model_create(1, shape, seed);
    nn_model_add(m, nn_reshape(3, (int[]){8, 8, 1}));
    nn_model_add(m, nn_conv2d(4, 3, 3, 1, NN_PAD_SAME, NN_ACT_RELU));
    nn_model_add(m, nn_batchnorm());
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_layer_spec c2 = nn_conv2d(6, 3, 3, 2, NN_PAD_SAME, NN_ACT_TANH);
    nn_spec_set(&c2, "kernelRegularizer.l2", 1e-3);
    nn_model_add(m, c2);
    nn_model_add(m, nn_avgpool2d(1, 1, NN_PAD_VALID));
    nn_model_add(m, nn_flatten());
    nn_model_add(m, nn_reshape(3, (int[]){2, 2, 6}));
    nn_model_add(m, nn_globalavgpool2d());
    nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX));
    nn_optimizer o = nn_adam(0.01f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_OK);
    return m;
}

static void test_save_load(void)
{
    enum { n = 24 };
    float x[n * 64], y[n];
    fill(x, n * 64, 9);
    for (int i = 0; i < n; i++) y[i] = (float)(i % 3);
    nn_model *m = every_layer_model(3);
    CHECK(nn_model_num_layers(m) == 10);
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 3;
    fo.batch_size = 8;
    CHECK(nn_model_fit(m, x, y, n, &fo, NULL, NULL) == NN_OK);
    size_t len = nn_model_save_size(m), w;
    unsigned char *buf = malloc(len);
    CHECK(nn_model_save(m, buf, len, &w) == NN_OK && w == len);
    char err[NN_ERR_LEN] = "";
    nn_model *r = nn_model_load(buf, len, err);
    CHECK(r != NULL);
    if (!r) { printf("  load: %s\n", err); free(buf); nn_model_free(m); return; }
    float p1[n * 3], p2[n * 3];
    CHECK(nn_model_predict(m, x, n, p1) == NN_OK);
    CHECK(nn_model_predict(r, x, n, p2) == NN_OK);
    CHECK(memcmp(p1, p2, sizeof p1) == 0); /* bit-exact */
    CHECK(nn_model_num_state(r) == nn_model_num_state(m) && nn_model_num_state(m) == 8);
    CHECK(memcmp(nn_model_state(r), nn_model_state(m), 8 * sizeof(float)) == 0);
    CHECK(nn_model_state(m)[0] != 0.0f); /* training moved it */
    for (int l = 0; l < nn_model_num_layers(m); l++)
        CHECK(nn_model_layer_spec(m, l)->type == nn_model_layer_spec(r, l)->type &&
              memcmp(nn_model_layer_spec(m, l)->cfg.bytes, nn_model_layer_spec(r, l)->cfg.bytes,
                     NN_SPEC_BYTES) == 0);
    /* training on continues identically: optimizer moments and RNG came along */
    CHECK(nn_model_fit(m, x, y, n, &fo, NULL, NULL) == NN_OK);
    CHECK(nn_model_fit(r, x, y, n, &fo, NULL, NULL) == NN_OK);
    CHECK(memcmp(nn_model_params(m), nn_model_params(r), nn_model_num_params(m) * sizeof(float)) == 0);
    CHECK(memcmp(nn_model_state(m), nn_model_state(r), 8 * sizeof(float)) == 0);
    /* a truncated state block is caught */
    CHECK(nn_model_load(buf, len - 40, err) == NULL);
    free(buf);
    nn_model_free(r);
    nn_model_free(m);
}


static void test_augment(void)
{
    enum { h = 5, w = 4, c = 2, n = 64 };
    float img[h * w * c], x[n * h * w * c];
    for (int i = 0; i < h * w * c; i++) img[i] = (float)(i + 1);
    int shape[3] = {h, w, c};
    nn_model *m = nn_model_create(3, shape, 1);
    CHECK(nn_model_set_augment(m, 1, 1) == NN_OK);
    for (int s = 0; s < n; s++) memcpy(x + s * h * w * c, img, sizeof img);
    nn_augment_rows(m, x, n);
    int seen[3][3][2] = {{{0}}};
    for (int s = 0; s < n; s++) { /* each sample is img shifted by (dy, dx) in -1..1, maybe mirrored */
        const float *a = x + s * h * w * c;
        int found = 0;
        for (int dy = -1; dy <= 1 && !found; dy++)
            for (int dx = -1; dx <= 1 && !found; dx++)
                for (int f = 0; f < 2 && !found; f++) {
                    int ok = 1;
                    for (int yy = 0; yy < h && ok; yy++)
                        for (int xx = 0; xx < w && ok; xx++)
                            for (int k = 0; k < c; k++) {
                                int sy = yy - dy, sx = xx - dx;
                                if (f) sx = w - 1 - sx;
                                float want = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0.0f : img[(sy * w + sx) * c + k];
                                if (a[(yy * w + xx) * c + k] != want) { ok = 0; break; }
                            }
                    if (ok) { found = 1; seen[dy + 1][dx + 1][f]++; }
                }
        CHECK(found);
    }
    int kinds = 0;
    for (int i = 0; i < 18; i++) kinds += ((int *)seen)[i] > 0;
    CHECK(kinds >= 12); /* 64 draws of 18 kinds: most appear */
    CHECK(nn_model_set_augment(m, 0, 0) == NN_OK);
    memcpy(x, img, sizeof img);
    nn_augment_rows(m, x, 1);
    CHECK(memcmp(x, img, sizeof img) == 0); /* off: untouched */
    CHECK(nn_model_set_augment(m, 5, 0) == NN_ERR_ARG && strstr(nn_model_error(m), "smaller"));
    CHECK(nn_model_set_augment(m, -1, 0) == NN_ERR_ARG);
    nn_model_free(m);
    int flat[1] = {4};
    m = nn_model_create(1, flat, 1);
    CHECK(nn_model_set_augment(m, 1, 0) == NN_ERR_ARG && strstr(nn_model_error(m), "image"));
    nn_model_free(m);
}

/* 8x8 images of a horizontal or a vertical bar at a random place: a small CNN learns it,
 * with augmentation on, and the same seed gives the same weights. */
static void make_bars(float *x, float *y, int n, uint32_t seed)
{
    nn_rng r;
    nn_rng_seed(&r, seed);
    memset(x, 0, sizeof(float) * n * 64);
    for (int s = 0; s < n; s++) {
        int vertical = (int)nn_rng_below(&r, 2), pos = (int)nn_rng_below(&r, 8), from = (int)nn_rng_below(&r, 4);
        for (int k = from; k < from + 4; k++) x[s * 64 + (vertical ? k * 8 + pos : pos * 8 + k)] = 1.0f;
        y[s] = (float)vertical;
    }
}

static nn_model *bars_cnn(uint32_t seed)
{
    int shape[3] = {8, 8, 1};
    nn_model *m = nn_model_create(3, shape, seed);
    nn_model_add(m, nn_conv2d(4, 3, 3, 1, NN_PAD_SAME, NN_ACT_RELU));
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_model_add(m, nn_flatten());
    nn_model_add(m, nn_dense(2, NN_ACT_SOFTMAX));
    nn_optimizer o = nn_adam(0.02f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_OK);
    CHECK(nn_model_set_augment(m, 1, 1) == NN_OK);
    return m;
}

static void test_cnn_learns(void)
{
    enum { n = 256 };
    static float x[n * 64], y[n], xt[n * 64], yt[n];
    make_bars(x, y, n, 1);
    make_bars(xt, yt, n, 2);
    nn_model *a = bars_cnn(5), *b = bars_cnn(5);
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 15;
    fo.batch_size = 16;
    CHECK(nn_model_fit(a, x, y, n, &fo, NULL, NULL) == NN_OK);
    CHECK(nn_model_fit(b, x, y, n, &fo, NULL, NULL) == NN_OK);
    CHECK(memcmp(nn_model_params(a), nn_model_params(b), nn_model_num_params(a) * sizeof(float)) == 0);
    nn_metrics mt;
    CHECK(nn_model_evaluate(a, xt, yt, n, &mt) == NN_OK);
    printf("  bars test accuracy %.4f\n", mt.accuracy);
    CHECK(mt.accuracy >= 0.95);
    nn_metrics_free(&mt);
    nn_model_free(a);
    nn_model_free(b);
}

/* Adding spec to a model of input `shape` fails with a message containing `want`. */
static void add_fails(int rank, const int *shape, nn_layer_spec spec, const char *want)
{
    nn_model *m = nn_model_create(rank, shape, 1);
    int st = nn_model_add(m, spec);
    CHECK(st == NN_ERR_ARG);
    if (!strstr(nn_model_error(m), want)) printf("  message '%s' lacks '%s'\n", nn_model_error(m), want);
    CHECK(strstr(nn_model_error(m), want) != NULL);
    nn_model_free(m);
}

static void test_errors(void)
{
    int img[3] = {5, 5, 2}, flat[1] = {25};
    add_fails(3, img, nn_conv2d(4, 6, 3, 1, NN_PAD_VALID, NN_ACT_RELU), "larger than");
    add_fails(3, img, nn_conv2d(4, 3, 3, 0, NN_PAD_VALID, NN_ACT_RELU), "strides must be a positive integer");
    add_fails(3, img, nn_conv2d(0, 3, 3, 1, NN_PAD_VALID, NN_ACT_RELU), "filters must be a positive integer");
    add_fails(3, img, nn_conv2d(4, 0, 3, 1, NN_PAD_VALID, NN_ACT_RELU), "kernelSize must be a positive integer");
    add_fails(3, img, nn_conv2d(4, 3, 3, 1, 7, NN_ACT_RELU), "unknown padding id 7 (known: valid, same)");
    add_fails(3, img, nn_spec(NN_LAYER_CONV2D), "filters is missing");
    add_fails(1, flat, nn_conv2d(4, 3, 3, 1, NN_PAD_VALID, NN_ACT_RELU), "rank 3");
    add_fails(1, flat, nn_maxpool2d(2, 2, NN_PAD_VALID), "rank 3");
    add_fails(3, img, nn_maxpool2d(6, 6, NN_PAD_VALID), "pool size 6x6 is larger");
    add_fails(3, img, nn_avgpool2d(-1, 2, NN_PAD_VALID), "poolSize must be a positive integer");
    add_fails(1, flat, nn_globalavgpool2d(), "rank 3");
    /* dense acts on the last axis, as TF.js: [5, 5, 2] -> [5, 5, 3] with a [2, 3] kernel */
    nn_model *dm = nn_model_create(3, img, 1);
    CHECK(nn_model_add(dm, nn_dense(3, NN_ACT_RELU)) == NN_OK);
    int ds[3];
    CHECK(nn_model_layer_output_shape(dm, 0, ds) == 3 && ds[0] == 5 && ds[1] == 5 && ds[2] == 3);
    CHECK(nn_model_num_params(dm) == 2 * 3 + 3);
    nn_model_free(dm);
    add_fails(1, flat, nn_reshape(2, (int[]){4, 6}), "holds 24 values");
    add_fails(1, flat, nn_reshape(2, (int[]){-1, 4}), "cannot infer");
    add_fails(1, flat, nn_reshape(2, (int[]){-1, -1}), "positive");
    add_fails(1, flat, nn_reshape(4, (int[]){1, 1, 5, 5}), "1 to 3");
    add_fails(1, flat, nn_reshape(2, (int[]){0, 25}), "each positive or -1");
    nn_layer_spec bn = nn_batchnorm();
    nn_spec_set(&bn, "momentum", 1.5);
    add_fails(1, flat, bn, "momentum must be a number in [0, 1], got 1.5");
    bn = nn_batchnorm();
    nn_spec_set(&bn, "epsilon", 0.0);
    add_fails(1, flat, bn, "epsilon");
    bn = nn_batchnorm();
    nn_spec_set(&bn, "axis", 1);
    add_fails(1, flat, bn, "axis must be -1, got 1");
    bn = nn_batchnorm();
    nn_spec_set(&bn, "momentun", 0.5);
    add_fails(1, flat, bn, "unknown option 'momentun' (options: axis, momentum, epsilon)");
    /* 'same' lets a kernel exceed the input; flatten then dense works */
    nn_model *m = nn_model_create(3, img, 1);
    CHECK(nn_model_add(m, nn_conv2d(2, 7, 7, 1, NN_PAD_SAME, NN_ACT_RELU)) == NN_OK);
    CHECK(nn_model_add(m, nn_flatten()) == NN_OK);
    CHECK(nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX)) == NN_OK);
    CHECK(nn_model_num_params(m) == 7 * 7 * 2 * 2 + 2 + 50 * 3 + 3);
    nn_model_free(m);
}

static void test_summary(void)
{
    int shape[3] = {28, 28, 1};
    nn_model *m = nn_model_create(3, shape, 1);
    nn_model_add(m, nn_conv2d(32, 3, 3, 1, NN_PAD_VALID, NN_ACT_RELU));
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_model_add(m, nn_conv2d(64, 3, 3, 1, NN_PAD_VALID, NN_ACT_RELU));
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_model_add(m, nn_flatten());
    nn_model_add(m, nn_dense(128, NN_ACT_RELU));
    nn_model_add(m, nn_dense(10, NN_ACT_SOFTMAX));
    size_t want[7] = {320, 0, 18496, 0, 0, 204928, 1290};
    for (int l = 0; l < 7; l++) CHECK(nn_model_layer_num_params(m, l) == want[l]);
    CHECK(nn_model_num_params(m) == 225034);
    int s[3];
    CHECK(nn_model_layer_output_shape(m, 3, s) == 3 && s[0] == 5 && s[1] == 5 && s[2] == 64);
    nn_model_add(m, nn_batchnorm());
    char buf[2048];
    nn_model_summary(m, buf, sizeof buf);
    CHECK(strstr(buf, "[null,11,11,64]") && strstr(buf, "Total params: 225074") &&
          strstr(buf, "Non-trainable params: 20"));
    nn_model_free(m);
}

int main(void)
{
    RUN(test_same_arithmetic);
    RUN(test_conv_forward);
    RUN(test_pool_values);
    RUN(test_maxpool_backward_routing);
    RUN(test_batchnorm);
    RUN(test_save_load);
    RUN(test_augment);
    RUN(test_cnn_learns);
    RUN(test_errors);
    RUN(test_summary);
    return nt_summary("conv");
}
