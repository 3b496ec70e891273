/* conv2d.c - 2D convolution over NHWC inputs: y = act(im2col(x) W + b).
 * W is [kh, kw, in_c, filters] (TF.js's layout), which row-major is the [kh*kw*in_c, filters]
 * matrix that multiplies im2col's rows: one row per output pixel, holding its kh x kw x in_c
 * window (zeros where the window hangs over the padding). The three products (forward, dW, dx)
 * are then plain nn_gemm calls over the whole batch. */
#include "kernels.h"
#include "nn_internal.h"
#include <string.h>

int nn_conv_out(int in, int k, int s, int pad, int *pad_before)
{
    int64_t i = in, kk = k, ss = s; /* 64-bit: extreme kernels and strides must not overflow */
    if (pad == NN_PAD_SAME) { /* TF: out = ceil(in / s), the odd padding row goes at the end */
        int64_t out = (i + ss - 1) / ss, total = (out - 1) * ss + kk - i;
        *pad_before = total > 0 ? (int)(total / 2) : 0;
        return (int)out;
    }
    *pad_before = 0;
    return i < kk ? 0 : (int)((i - kk) / ss + 1);
}

int nn_conv_geometry(nn_layer *L, const nn_window_cfg *c, const char *what, const char *window, char *err)
{
    if (L->in_rank != 3)
        return nn_fail_buf(err, NN_ERR_ARG, "%s: input must be [height, width, channels] (rank 3), "
                           "got rank %d; add a reshape layer first", what, L->in_rank);
    if (c->padding == NN_PAD_VALID && (c->size[0] > L->in_shape[0] || c->size[1] > L->in_shape[1]))
        return nn_fail_buf(err, NN_ERR_ARG, "%s: %s %dx%d is larger than its %dx%d input; use "
                           "padding 'same' or a smaller %s", what, window, c->size[0],
                           c->size[1], L->in_shape[0], L->in_shape[1], window);
    int pt, pl;
    L->out_rank = 3;
    L->out_shape[0] = nn_conv_out(L->in_shape[0], c->size[0], c->strides[0], c->padding, &pt);
    L->out_shape[1] = nn_conv_out(L->in_shape[1], c->size[1], c->strides[1], c->padding, &pl);
    return NN_OK;
}

nn_geo nn_geo_of(const nn_layer *L)
{
    const nn_window_cfg *c = NN_CFG(L, nn_window_cfg);
    nn_geo g = {L->in_shape[0], L->in_shape[1], L->in_shape[2], c->size[0], c->size[1],
                c->strides[0], c->strides[1], 0, 0, 0, 0};
    g.oh = nn_conv_out(g.h, g.kh, g.sh, c->padding, &g.pt);
    g.ow = nn_conv_out(g.w, g.kw, g.sw, c->padding, &g.pl);
    return g;
}

/* A 1x1 kernel at stride 1 reads each pixel once: x itself is the im2col matrix. */
static int is_pointwise(const nn_geo *g) { return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1; }

typedef struct {
    nn_window_cfg w; /* kernelSize, strides, padding, dataFormat: first, as nn_conv_geometry reads it */
    int filters, act, use_bias, kernel_init, bias_init;
    float alpha, l1, l2;
} conv_cfg;
typedef struct { float *z, *dz, *y, *col; } conv_priv; /* col: im2col rows [cap*oh*ow, kh*kw*in_c] */

static const nn_option conv_options[] = {
    {"filters", NN_KIND_INT, 1, 0, 1, 1 << 16, NN_OPTION_REQUIRED, NULL, offsetof(conv_cfg, filters),
     NULL, "output channels"},
    {"kernelSize", NN_KIND_INTS, 2, 0, 1, 1 << 16, NN_OPTION_REQUIRED, NULL, offsetof(conv_cfg, w.size),
     NULL, "window [height, width] (one number: square)"},
    {"strides", NN_KIND_INTS, 2, 1, 1, 1 << 16, 0, NULL, offsetof(conv_cfg, w.strides), NULL,
     "step [down, across]"},
    NN_OPT_PADDING(conv_cfg, w.padding),
    NN_OPT_DATA_FORMAT(conv_cfg, w.data_format),
    NN_OPT_ACTIVATION(conv_cfg, act),
    NN_OPT_USE_BIAS(conv_cfg, use_bias),
    NN_OPT_INIT("kernelInitializer", conv_cfg, kernel_init, NN_INIT_GLOROT_UNIFORM),
    NN_OPT_INIT("biasInitializer", conv_cfg, bias_init, NN_INIT_ZEROS),
    NN_OPT_ALPHA(conv_cfg, alpha),
    NN_OPT_L1L2(conv_cfg, l1, l2),
};

nn_layer_spec nn_conv2d(int filters, int kh, int kw, int stride, nn_padding pad, nn_act act)
{
    nn_layer_spec s = nn_spec(NN_LAYER_CONV2D);
    int k[2] = {kh, kw};
    nn_spec_set(&s, "filters", filters);
    nn_spec_set_ints(&s, "kernelSize", 2, k);
    nn_spec_set_ints(&s, "strides", 1, &stride);
    nn_spec_set(&s, "padding", pad);
    nn_spec_set(&s, "activation", act);
    return s;
}

static int conv_setup(nn_layer *L, char *err)
{
    const conv_cfg *c = NN_CFG(L, conv_cfg);
    int st = nn_conv_geometry(L, &c->w, "conv2d", "kernel", err);
    if (st != NN_OK) return st;
    double k = (double)c->w.size[0] * c->w.size[1] * L->in_shape[2];
    if (k * c->filters > 4.0e8)
        return nn_fail_buf(err, NN_ERR_ARG, "conv2d: %.0f x %d weights is too large", k, c->filters);
    L->out_shape[2] = c->filters;
    L->act = c->act;
    L->alpha = c->alpha;
    L->l1 = c->l1;
    L->l2 = c->l2;
    return NN_OK;
}

static int conv_tensors(const nn_layer *L, nn_tensor *t)
{
    const conv_cfg *c = NN_CFG(L, conv_cfg);
    t[0] = (nn_tensor){"kernel", 4, {c->w.size[0], c->w.size[1], L->in_shape[2], c->filters}, 0, 1, 0, 0};
    t[1] = (nn_tensor){"bias", 1, {c->filters}, 0, 0, 0, 0};
    return c->use_bias ? 2 : 1;
}

static void conv_init(nn_layer *L, float *p, nn_rng *rng)
{
    const conv_cfg *c = NN_CFG(L, conv_cfg);
    int area = c->w.size[0] * c->w.size[1], f = c->filters;
    size_t nk = (size_t)area * L->in_shape[2] * f;
    /* TF's fans for conv kernels: receptive field size times channels in / out */
    nn_init_fill(c->kernel_init, p, nk, area * L->in_shape[2], area * f, rng);
    if (c->use_bias) nn_init_fill(c->bias_init, p + nk, (size_t)f, area * L->in_shape[2], area * f, rng);
}

static int conv_reserve(nn_layer *L, int cap)
{
    conv_priv *d = L->priv;
    nn_geo g = nn_geo_of(L);
    uint64_t n = (uint64_t)cap * (uint64_t)L->out_size;
    uint64_t cols = (uint64_t)cap * g.oh * g.ow * ((uint64_t)g.kh * g.kw * g.c);
    if (nn_grow(&d->z, n) || nn_grow(&d->dz, n)) return NN_ERR_NOMEM;
    if (!is_pointwise(&g) && nn_grow(&d->col, cols)) return NN_ERR_NOMEM;
    if (L->act != NN_ACT_LINEAR && nn_grow(&d->y, n)) return NN_ERR_NOMEM;
    L->y = L->act == NN_ACT_LINEAR ? d->z : d->y;
    return NN_OK;
}

/* col[(b, oy, ox), (i, j, c)] = x[b, oy*sh + i - pt, ox*sw + j - pl, c], 0 in the padding. */
void nn_im2col(const nn_geo *g, const float *x, int n, float *col)
{
    int K = g->kh * g->kw * g->c, run = g->kw * g->c;
    for (int b = 0; b < n; b++) {
        const float *xb = x + (size_t)b * g->h * g->w * g->c;
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++) {
                float *row = col + (((size_t)b * g->oh + oy) * g->ow + ox) * K;
                int x0 = ox * g->sw - g->pl, inside = x0 >= 0 && x0 + g->kw <= g->w;
                for (int i = 0; i < g->kh; i++) {
                    int iy = oy * g->sh + i - g->pt;
                    float *dst = row + (size_t)i * run;
                    if (iy < 0 || iy >= g->h) { memset(dst, 0, (size_t)run * sizeof(float)); continue; }
                    /* pixel pointers only for pixels that exist: x0 may be left of the row */
                    const float *xrow = xb + (size_t)iy * g->w * g->c;
                    if (inside) { memcpy(dst, xrow + (size_t)x0 * g->c, (size_t)run * sizeof(float)); continue; }
                    for (int j = 0; j < g->kw; j++) {
                        int ix = x0 + j;
                        if (ix < 0 || ix >= g->w) memset(dst + j * g->c, 0, (size_t)g->c * sizeof(float));
                        else memcpy(dst + j * g->c, xrow + (size_t)ix * g->c, (size_t)g->c * sizeof(float));
                    }
                }
            }
    }
}

/* The adjoint of im2col: dx = sum over the windows that read each pixel of their dcol values. */
void nn_col2im(const nn_geo *g, const float *col, int n, float *dx)
{
    int K = g->kh * g->kw * g->c, run = g->kw * g->c;
    memset(dx, 0, (size_t)n * g->h * g->w * g->c * sizeof(float));
    for (int b = 0; b < n; b++) {
        float *db = dx + (size_t)b * g->h * g->w * g->c;
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++) {
                const float *row = col + (((size_t)b * g->oh + oy) * g->ow + ox) * K;
                int x0 = ox * g->sw - g->pl, inside = x0 >= 0 && x0 + g->kw <= g->w;
                for (int i = 0; i < g->kh; i++) {
                    int iy = oy * g->sh + i - g->pt;
                    if (iy < 0 || iy >= g->h) continue;
                    const float *src = row + (size_t)i * run;
                    float *drow = db + (size_t)iy * g->w * g->c;
                    if (inside) { nn_axpy(run, 1.0f, src, drow + (size_t)x0 * g->c); continue; }
                    for (int j = 0; j < g->kw; j++) {
                        int ix = x0 + j;
                        if (ix >= 0 && ix < g->w) nn_axpy(g->c, 1.0f, src + j * g->c, drow + (size_t)ix * g->c);
                    }
                }
            }
    }
}

static void conv_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                         nn_rng *rng)
{
    const conv_cfg *c = NN_CFG(L, conv_cfg);
    conv_priv *d = L->priv;
    nn_geo g = nn_geo_of(L);
    int f = c->filters, K = g.kh * g.kw * g.c, rows = n * g.oh * g.ow;
    const float *a = x;
    if (!is_pointwise(&g)) { nn_im2col(&g, x, n, d->col); a = d->col; }
    nn_gemm(0, 0, rows, f, K, a, K, p, f, 0.0f, d->z, f); /* z = col W */
    if (c->use_bias && L->act == NN_ACT_RELU) { /* one pass over z instead of two */
        nn_bias_relu(d->z, p + (size_t)K * f, L->y, rows, f);
    } else {
        if (c->use_bias) nn_add_rows(d->z, p + (size_t)K * f, rows, f);
        if (L->act != NN_ACT_LINEAR) nn_act_forward(L->act, L->alpha, d->z, L->y, rows, f);
    }
    L->preact = d->z;
}

/* Reads the im2col rows of the last forward, then reuses that buffer for dL/dcol: one backward
 * per forward, which is how the model runs them. */
static void conv_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                          float *dx, int n)
{
    const conv_cfg *c = NN_CFG(L, conv_cfg);
    conv_priv *d = L->priv;
    nn_geo ge = nn_geo_of(L);
    int f = c->filters, K = ge.kh * ge.kw * ge.c, rows = n * ge.oh * ge.ow;
    int pw = is_pointwise(&ge);
    const float *dz = dy;
    if (!L->grad_is_preact && L->act != NN_ACT_LINEAR) {
        nn_act_backward(L->act, L->alpha, d->z, L->y, dy, d->dz, rows, f);
        dz = d->dz;
    }
    nn_gemm(1, 0, K, f, rows, pw ? x : d->col, K, dz, f, 1.0f, g, f); /* dW += col^T dz */
    if (c->use_bias) nn_sum_rows(dz, rows, f, g + (size_t)K * f);
    if (!dx) return;
    if (pw) { nn_gemm(0, 1, rows, K, f, dz, f, p, f, 0.0f, dx, K); return; } /* dx = dz W^T */
    nn_gemm(0, 1, rows, K, f, dz, f, p, f, 0.0f, d->col, K); /* dcol = dz W^T */
    nn_col2im(&ge, d->col, n, dx);
}

static void conv_release(nn_layer *L)
{
    conv_priv *d = L->priv;
    NN_FREE(d->z); NN_FREE(d->dz); NN_FREE(d->y); NN_FREE(d->col);
    memset(d, 0, sizeof *d);
    L->y = NULL;
}

const nn_layer_ops nn_conv2d_ops = {
    .name = "Conv2D",
    .func = "conv2d",
    .doc = "2D convolution over [height, width, channels]; kernel [kh, kw, inC, filters]",
    .options = conv_options,
    .n_options = NN_COUNT_OF(conv_options),
    .cfg_size = sizeof(conv_cfg),
    .priv_size = sizeof(conv_priv),
    .setup = conv_setup,
    .tensors = conv_tensors,
    .init_params = conv_init,
    .reserve = conv_reserve,
    .forward = conv_forward,
    .backward = conv_backward,
    .release = conv_release,
};
