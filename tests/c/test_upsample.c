/* test_upsample.c - Conv2DTranspose and UpSampling2D: forward values worked out by hand (and
 * checked against PyTorch's conv_transpose2d), a direct scatter loop on awkward shapes, output
 * sizes, option errors, and a save/load round trip. Gradients are in test_grad.c. */
#include "nn_internal.h"
#include "test.h"
#include <string.h>

/* A model of one layer on [h, w, c] inputs; *st gets nn_model_add's status. */
static nn_model *try_layer(int h, int w, int c, nn_layer_spec s, int *st)
{
    int shape[3] = {h, w, c};
    nn_model *m = nn_model_create(3, shape, 1);
    *st = nn_model_add(m, s);
    return m;
}

static nn_model *one_layer(int h, int w, int c, nn_layer_spec s, uint32_t seed)
{
    int shape[3] = {h, w, c};
    nn_model *m = nn_model_create(3, shape, seed);
    CHECK(nn_model_add(m, s) == NN_OK);
    return m;
}

/* x = [[1, 2], [3, 4]], a 3x3 kernel 1..9, stride 2: each input pixel adds x * W into the 3x3
 * window at (2 iy, 2 ix); overlaps add. 'valid' is 5x5; 'same' 4x4, its first rows and columns
 * (the one padding row and column of TF's convolution go after). */
static void test_conv2d_transpose_by_hand(void)
{
    static const float valid[25] = {1, 2, 5, 4, 6, 4, 5, 14, 10, 12, 10, 14, 36, 24, 30,
                                    12, 15, 34, 20, 24, 21, 24, 55, 32, 36};
    float x[4] = {1, 2, 3, 4}, y[25];
    for (int pad = 0; pad < 2; pad++) {
        nn_model *m = one_layer(2, 2, 1, nn_conv2d_transpose(1, 3, 3, 2, (nn_padding)pad, NN_ACT_LINEAR), 1);
        int s[3], side = pad ? 4 : 5;
        CHECK(nn_model_layer_output_shape(m, 0, s) == 3 && s[0] == side && s[1] == side && s[2] == 1);
        CHECK(nn_model_num_params(m) == 10);
        float *p = nn_model_params(m);
        for (int i = 0; i < 9; i++) p[i] = (float)(i + 1);
        p[9] = 0.5f; /* bias */
        CHECK(nn_model_predict(m, x, 1, y) == NN_OK);
        int ok = 1;
        for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++) ok &= y[r * side + c] == valid[r * 5 + c] + 0.5f;
        CHECK(ok);
        nn_model_free(m);
    }
    /* a 4x4 kernel at stride 2, 'same' (the DCGAN step): TF pads one row before, so output row 0
     * is kernel row 1 of input row 0 */
    nn_model *m = one_layer(1, 1, 1, nn_conv2d_transpose(1, 4, 4, 2, NN_PAD_SAME, NN_ACT_LINEAR), 2);
    float *p = nn_model_params(m), one = 1, y4[4];
    for (int i = 0; i < 16; i++) p[i] = (float)i;
    p[16] = 0;
    CHECK(nn_model_predict(m, &one, 1, y4) == NN_OK);
    CHECK(y4[0] == 5 && y4[1] == 6 && y4[2] == 9 && y4[3] == 10);
    nn_model_free(m);
}

/* The definition, one multiply-add at a time: y[b, iy*sh + i - pt, ix*sw + j - pl, f] +=
 * x[b, iy, ix, c] * W[i, j, f, c], then the bias. */
static void scatter_ref(const float *x, int n, int h, int w, int c, const float *W, const float *bias,
                        int kh, int kw, int sh, int sw, int pt, int pl, int oh, int ow, int f, float *y)
{
    memset(y, 0, sizeof(float) * (size_t)n * oh * ow * f);
    for (int b = 0; b < n; b++)
        for (int iy = 0; iy < h; iy++)
            for (int ix = 0; ix < w; ix++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++) {
                        int oy = iy * sh + i - pt, ox = ix * sw + j - pl;
                        if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                        for (int o = 0; o < f; o++)
                            for (int k = 0; k < c; k++)
                                y[(((size_t)b * oh + oy) * ow + ox) * f + o] +=
                                    x[(((size_t)b * h + iy) * w + ix) * c + k] * W[((i * kw + j) * f + o) * c + k];
                    }
    for (size_t i = 0; i < (size_t)n * oh * ow; i++)
        for (int o = 0; o < f; o++) y[i * f + o] += bias[o];
}

static void test_conv2d_transpose_shapes(void)
{
    struct { int h, w, c, f, kh, kw, sh, sw, pad, oh, ow, pt, pl; } cases[] = {
        {3, 5, 2, 3, 3, 2, 2, 1, NN_PAD_VALID, 7, 6, 0, 0},
        {3, 5, 2, 3, 3, 2, 2, 1, NN_PAD_SAME, 6, 5, 0, 0},   /* totals 1 and 1: all after */
        {4, 3, 3, 2, 4, 4, 2, 2, NN_PAD_SAME, 8, 6, 1, 1},   /* totals 2: one before, one after */
        {2, 3, 1, 2, 2, 1, 3, 3, NN_PAD_VALID, 6, 9, 0, 0},  /* kernel < stride: gaps stay bias */
        {3, 3, 2, 1, 5, 5, 1, 1, NN_PAD_SAME, 3, 3, 2, 2},   /* stride 1 'same': a plain convolution's adjoint */
        {2, 2, 4, 5, 1, 1, 1, 1, NN_PAD_VALID, 2, 2, 0, 0},  /* 1x1 */
    };
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        int h = cases[t].h, w = cases[t].w, c = cases[t].c, f = cases[t].f;
        nn_layer_spec s = nn_conv2d_transpose(f, cases[t].kh, cases[t].kw, 1, (nn_padding)cases[t].pad, NN_ACT_LINEAR);
        nn_spec_set_ints(&s, "strides", 2, (int[]){cases[t].sh, cases[t].sw});
        nn_spec_set_name(&s, "biasInitializer", "glorotUniform");
        nn_model *m = one_layer(h, w, c, s, 10 + (uint32_t)t);
        int sh[3];
        CHECK(nn_model_layer_output_shape(m, 0, sh) == 3 && sh[0] == cases[t].oh && sh[1] == cases[t].ow && sh[2] == f);
        int n = 3, kn = cases[t].kh * cases[t].kw * f * c;
        float x[3 * 5 * 5 * 4], y[3 * 9 * 9 * 5], r[3 * 9 * 9 * 5];
        for (int i = 0; i < n * h * w * c; i++) x[i] = (float)((i * 7) % 11) - 5.0f;
        const float *p = nn_model_params(m);
        CHECK(nn_model_predict(m, x, n, y) == NN_OK);
        scatter_ref(x, n, h, w, c, p, p + kn, cases[t].kh, cases[t].kw, cases[t].sh, cases[t].sw,
                    cases[t].pt, cases[t].pl, cases[t].oh, cases[t].ow, f, r);
        double worst = 0;
        for (int i = 0; i < n * cases[t].oh * cases[t].ow * f; i++) worst = fmax(worst, fabs(y[i] - r[i]));
        if (worst > 1e-4) printf("  case %d: worst %g\n", (int)t, worst);
        CHECK(worst < 1e-4);
        nn_model_free(m);
    }
}

static void test_conv2d_transpose_errors(void)
{
    int flat[1] = {12};
    nn_model *m = nn_model_create(1, flat, 1);
    CHECK(nn_model_add(m, nn_conv2d_transpose(2, 3, 3, 2, NN_PAD_SAME, NN_ACT_RELU)) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "conv2dTranspose: input must be [height, width, channels]") != NULL);
    nn_model_free(m);
    /* 64-bit output sizes: 4096 x 4096 x 2 pixels times 65536^2 strides would wrap an int */
    int st;
    m = try_layer(4096, 4096, 1, nn_conv2d_transpose(2, 1, 1, 65536, NN_PAD_SAME, NN_ACT_LINEAR), &st);
    CHECK(st == NN_ERR_ARG && nn_model_num_layers(m) == 0);
    CHECK(strstr(nn_model_error(m), "values per sample") != NULL);
    nn_model_free(m);
    nn_layer_spec s = nn_conv2d_transpose(0, 3, 3, 2, NN_PAD_SAME, NN_ACT_LINEAR);
    CHECK(s.err[0] != 0 && strstr(s.err, "filters") != NULL);
    s = nn_conv2d_transpose(2, 3, 3, 2, NN_PAD_SAME, NN_ACT_LINEAR);
    CHECK(nn_spec_set_ints(&s, "strides", 2, (int[]){0, 1}) != NN_OK);
}

/* [[1, 2], [3, 4]] repeated 2 down, 3 across; backward sums each block. */
static void test_upsampling(void)
{
    nn_model *m = one_layer(2, 2, 2, nn_upsampling2d(2, 3), 1);
    int s[3];
    CHECK(nn_model_layer_output_shape(m, 0, s) == 3 && s[0] == 4 && s[1] == 6 && s[2] == 2);
    CHECK(nn_model_num_params(m) == 0);
    float x[8] = {1, -1, 2, -2, 3, -3, 4, -4}, y[48];
    CHECK(nn_model_predict(m, x, 1, y) == NN_OK);
    static const float want[4][6] = {{1, 1, 1, 2, 2, 2}, {1, 1, 1, 2, 2, 2}, {3, 3, 3, 4, 4, 4}, {3, 3, 3, 4, 4, 4}};
    int ok = 1;
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 6; c++) ok &= y[(r * 6 + c) * 2] == want[r][c] && y[(r * 6 + c) * 2 + 1] == -want[r][c];
    CHECK(ok);
    nn_model_free(m);
    /* one number: square */
    nn_layer_spec sq = nn_spec(NN_LAYER_UPSAMPLING2D);
    CHECK(nn_spec_set(&sq, "size", 3) == NN_OK);
    m = one_layer(2, 1, 1, sq, 1);
    CHECK(nn_model_layer_output_shape(m, 0, s) == 3 && s[0] == 6 && s[1] == 3);
    nn_model_free(m);
    /* bilinear is refused by name, with what to use instead */
    nn_layer_spec b = nn_upsampling2d(2, 2);
    CHECK(nn_spec_set_name(&b, "interpolation", "bilinear") == NN_OK);
    int st;
    m = try_layer(2, 2, 1, b, &st);
    CHECK(st == NN_ERR_ARG && nn_model_num_layers(m) == 0);
    CHECK(strstr(nn_model_error(m), "interpolation 'bilinear' is not supported") != NULL);
    nn_model_free(m);
    nn_layer_spec bad = nn_upsampling2d(2, 2);
    CHECK(nn_spec_set_name(&bad, "interpolation", "bicubic") != NN_OK);
    m = try_layer(1 << 13, 1 << 13, 1, nn_upsampling2d(1 << 16, 1 << 16), &st);
    CHECK(st == NN_ERR_ARG && nn_model_num_layers(m) == 0 && strstr(nn_model_error(m), "values per sample") != NULL);
    nn_model_free(m);
}

/* A small generator shape: save, load, same predictions and options. */
static void test_round_trip(void)
{
    int shape[1] = {8};
    nn_model *m = nn_model_create(1, shape, 3);
    CHECK(nn_model_add(m, nn_reshape(3, (int[]){2, 2, 2})) == NN_OK);
    nn_layer_spec t = nn_conv2d_transpose(3, 4, 4, 2, NN_PAD_SAME, NN_ACT_LEAKY_RELU);
    nn_spec_set(&t, "alpha", 0.2);
    nn_spec_set(&t, "l2", 0.01);
    CHECK(nn_model_add(m, t) == NN_OK);
    CHECK(nn_model_add(m, nn_upsampling2d(1, 2)) == NN_OK);
    CHECK(nn_model_add(m, nn_conv2d_transpose(1, 3, 3, 1, NN_PAD_VALID, NN_ACT_TANH)) == NN_OK);
    int s[3];
    CHECK(nn_model_layer_output_shape(m, 3, s) == 3 && s[0] == 6 && s[1] == 10 && s[2] == 1);
    nn_optimizer o = nn_adam(0.01f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_MSE) == NN_OK);
    float x[2 * 8], y[2 * 60], a[2 * 60], b[2 * 60], l;
    for (int i = 0; i < 16; i++) x[i] = (float)(i % 5) * 0.3f - 0.6f;
    for (int i = 0; i < 120; i++) y[i] = (float)(i % 3) * 0.5f - 0.5f;
    CHECK(nn_model_train_batch(m, x, y, 2, &l) == NN_OK && isfinite(l));
    CHECK(nn_model_predict(m, x, 2, a) == NN_OK);
    size_t cap = nn_model_save_size(m), len = 0;
    uint8_t *bytes = malloc(cap);
    CHECK(nn_model_save(m, bytes, cap, &len) == NN_OK && len == cap);
    char err[NN_ERR_LEN];
    nn_model *r = nn_model_load(bytes, len, err);
    CHECK(r != NULL);
    if (r) {
        CHECK(nn_model_num_layers(r) == 4);
        CHECK(nn_model_predict(r, x, 2, b) == NN_OK && memcmp(a, b, sizeof a) == 0);
        CHECK(nn_model_layer_output_shape(r, 2, s) == 3 && s[0] == 4 && s[1] == 8 && s[2] == 3);
        CHECK(NN_SPEC_CFG(&r->layers[1].spec, nn_window_cfg)->padding == NN_PAD_SAME);
        CHECK(r->layers[1].l2 == m->layers[1].l2 && r->layers[1].alpha == m->layers[1].alpha);
        nn_model_free(r);
    }
    free(bytes);
    /* int8 (the kernel's scales run along its last axis, in_c) and back: close to the floats */
    cap = nn_model_save_size_ex(m, NN_SAVE_QUANTIZE_INT8);
    bytes = malloc(cap);
    CHECK(nn_model_save_ex(m, bytes, cap, &len, NN_SAVE_QUANTIZE_INT8) == NN_OK && len < nn_model_save_size(m));
    r = nn_model_load(bytes, len, err);
    CHECK(r != NULL);
    if (r) {
        CHECK(nn_model_predict(r, x, 2, b) == NN_OK);
        double worst = 0;
        for (int i = 0; i < 120; i++) worst = fmax(worst, fabs(a[i] - b[i]));
        CHECK(worst > 0 && worst < 0.05);
        nn_model_free(r);
    }
    free(bytes);
    nn_model_free(m);
}

int main(void)
{
    RUN(test_conv2d_transpose_by_hand);
    RUN(test_conv2d_transpose_shapes);
    RUN(test_conv2d_transpose_errors);
    RUN(test_upsampling);
    RUN(test_round_trip);
    return nt_summary("upsample");
}
