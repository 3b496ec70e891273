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
    if (pad == NN_PAD_SAME) { /* TF: out = ceil(in / s), the odd padding row goes at the end */
        int out = (in + s - 1) / s, total = (out - 1) * s + k - in;
        *pad_before = total > 0 ? total / 2 : 0;
        return out;
    }
    *pad_before = 0;
    return in < k ? 0 : (in - k) / s + 1;
}

int nn_conv_geometry(nn_layer *L, const char *what, const char *window, char *err)
{
    const nn_layer_spec *s = &L->spec;
    if (L->in_rank != 3)
        return nn_fail_buf(err, NN_ERR_ARG, "%s: input must be [height, width, channels] (rank 3), "
                           "got rank %d; add a reshape layer first", what, L->in_rank);
    if (s->kernel[0] <= 0 || s->kernel[1] <= 0)
        return nn_fail_buf(err, NN_ERR_ARG, "%s: %s must be positive, got %dx%d", what, window,
                           s->kernel[0], s->kernel[1]);
    if (s->strides[0] <= 0 || s->strides[1] <= 0)
        return nn_fail_buf(err, NN_ERR_ARG, "%s: strides must be positive, got %dx%d", what,
                           s->strides[0], s->strides[1]);
    if (s->padding != NN_PAD_VALID && s->padding != NN_PAD_SAME)
        return nn_fail_buf(err, NN_ERR_ARG, "%s: padding must be 'valid' (0) or 'same' (1), got %d",
                           what, s->padding);
    if (s->padding == NN_PAD_VALID && (s->kernel[0] > L->in_shape[0] || s->kernel[1] > L->in_shape[1]))
        return nn_fail_buf(err, NN_ERR_ARG, "%s: %s %dx%d is larger than its %dx%d input; use "
                           "padding 'same' or a smaller %s", what, window, s->kernel[0],
                           s->kernel[1], L->in_shape[0], L->in_shape[1], window);
    int pt, pl;
    L->out_rank = 3;
    L->out_shape[0] = nn_conv_out(L->in_shape[0], s->kernel[0], s->strides[0], s->padding, &pt);
    L->out_shape[1] = nn_conv_out(L->in_shape[1], s->kernel[1], s->strides[1], s->padding, &pl);
    return NN_OK;
}

nn_geo nn_geo_of(const nn_layer *L)
{
    const nn_layer_spec *s = &L->spec;
    nn_geo g = {L->in_shape[0], L->in_shape[1], L->in_shape[2], s->kernel[0], s->kernel[1],
                s->strides[0], s->strides[1], 0, 0, 0, 0};
    g.oh = nn_conv_out(g.h, g.kh, g.sh, s->padding, &g.pt);
    g.ow = nn_conv_out(g.w, g.kw, g.sw, s->padding, &g.pl);
    return g;
}

/* A 1x1 kernel at stride 1 reads each pixel once: x itself is the im2col matrix. */
static int is_pointwise(const nn_geo *g) { return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1; }

static int conv_setup(nn_layer *L, char *err)
{
    nn_layer_spec *s = &L->spec;
    int st = nn_conv_geometry(L, "conv2d", "kernel", err);
    if (st != NN_OK) return st;
    if (s->units <= 0 || s->units > (1 << 16))
        return nn_fail_buf(err, NN_ERR_ARG, "conv2d: filters must be a positive integer, got %d", s->units);
    if (s->act < 0 || s->act >= NN_ACT_COUNT)
        return nn_fail_buf(err, NN_ERR_ARG, "conv2d: unknown activation id %d", s->act);
    if (s->kernel_init < 0 || s->kernel_init >= NN_INIT_COUNT || s->bias_init < 0 ||
        s->bias_init >= NN_INIT_COUNT)
        return nn_fail_buf(err, NN_ERR_ARG, "conv2d: unknown initializer");
    size_t k = (size_t)s->kernel[0] * s->kernel[1] * L->in_shape[2];
    if ((double)k * s->units > 4.0e8)
        return nn_fail_buf(err, NN_ERR_ARG, "conv2d: %zu x %d weights is too large", k, s->units);
    L->out_shape[2] = s->units;
    L->n_params = k * s->units + (s->use_bias ? (size_t)s->units : 0);
    L->reg_off = 0;
    L->reg_n = k * s->units;
    L->act = s->act;
    return NN_OK;
}

static void conv_init(nn_layer *L, float *p, nn_rng *rng)
{
    const nn_layer_spec *s = &L->spec;
    int area = s->kernel[0] * s->kernel[1], f = s->units;
    size_t nk = (size_t)area * L->in_shape[2] * f;
    /* TF's fans for conv kernels: receptive field size times channels in / out */
    nn_init_fill(s->kernel_init, p, nk, area * L->in_shape[2], area * f, rng);
    if (s->use_bias) nn_init_fill(s->bias_init, p + nk, (size_t)f, area * L->in_shape[2], area * f, rng);
}

static int conv_reserve(nn_layer *L, int cap)
{
    nn_geo g = nn_geo_of(L);
    size_t n = (size_t)cap * L->out_size * sizeof(float);
    double col_bytes = (double)cap * g.oh * g.ow * g.kh * g.kw * g.c * sizeof(float);
    if (col_bytes > 2147483647.0) return NN_ERR_NOMEM;
    float *z = NN_REALLOC(L->z, n), *dz, *col;
    if (!z) return NN_ERR_NOMEM;
    L->z = z;
    if (!(dz = NN_REALLOC(L->dz, n))) return NN_ERR_NOMEM;
    L->dz = dz;
    if (!is_pointwise(&g)) {
        if (!(col = NN_REALLOC(L->col, (size_t)col_bytes))) return NN_ERR_NOMEM;
        L->col = col;
    }
    if (L->act == NN_ACT_LINEAR) {
        L->y = L->z;
    } else {
        float *y = NN_REALLOC(L->y, n);
        if (!y) return NN_ERR_NOMEM;
        L->y = y;
    }
    return NN_OK;
}

/* col[(b, oy, ox), (i, j, c)] = x[b, oy*sh + i - pt, ox*sw + j - pl, c], 0 in the padding. */
static void im2col(const nn_geo *g, const float *x, int n, float *col)
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
                    /* index from the row start: x0 may be negative, and a pointer before xb is UB */
                    const float *src = xb + (size_t)iy * g->w * g->c;
                    if (inside) { memcpy(dst, src + (size_t)x0 * g->c, (size_t)run * sizeof(float)); continue; }
                    for (int j = 0; j < g->kw; j++) {
                        int ix = x0 + j;
                        if (ix < 0 || ix >= g->w) memset(dst + j * g->c, 0, (size_t)g->c * sizeof(float));
                        else memcpy(dst + j * g->c, src + (size_t)ix * g->c, (size_t)g->c * sizeof(float));
                    }
                }
            }
    }
}

/* The adjoint of im2col: dx = sum over the windows that read each pixel of their dcol values. */
static void col2im(const nn_geo *g, const float *col, int n, float *dx)
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
                    float *dst = db + (size_t)iy * g->w * g->c; /* the row start, as in im2col */
                    if (inside) { nn_axpy(run, 1.0f, src, dst + (size_t)x0 * g->c); continue; }
                    for (int j = 0; j < g->kw; j++) {
                        int ix = x0 + j;
                        if (ix >= 0 && ix < g->w) nn_axpy(g->c, 1.0f, src + j * g->c, dst + (size_t)ix * g->c);
                    }
                }
            }
    }
}

static void conv_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                         nn_rng *rng)
{
    nn_geo g = nn_geo_of(L);
    int f = L->spec.units, K = g.kh * g.kw * g.c, rows = n * g.oh * g.ow;
    const float *a = x;
    if (!is_pointwise(&g)) { im2col(&g, x, n, L->col); a = L->col; }
    nn_gemm(0, 0, rows, f, K, a, K, p, f, 0.0f, L->z, f); /* z = col W */
    if (L->act == NN_ACT_LINEAR) L->y = L->z;
    if (L->spec.use_bias && L->act == NN_ACT_RELU) { /* one pass over z instead of two */
        nn_bias_relu(L->z, p + (size_t)K * f, L->y, rows, f);
    } else {
        if (L->spec.use_bias) nn_add_rows(L->z, p + (size_t)K * f, rows, f);
        if (L->act != NN_ACT_LINEAR) nn_act_forward(L->act, L->spec.alpha, L->z, L->y, rows, f);
    }
    L->preact = L->z;
}

/* Reads the im2col rows of the last forward, then reuses that buffer for dL/dcol: one backward
 * per forward, which is how the model runs them. */
static void conv_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                          float *dx, int n)
{
    nn_geo ge = nn_geo_of(L);
    int f = L->spec.units, K = ge.kh * ge.kw * ge.c, rows = n * ge.oh * ge.ow;
    int pw = is_pointwise(&ge);
    const float *dz = dy;
    if (!L->grad_is_preact && L->act != NN_ACT_LINEAR) {
        nn_act_backward(L->act, L->spec.alpha, L->z, L->y, dy, L->dz, rows, f);
        dz = L->dz;
    }
    nn_gemm(1, 0, K, f, rows, pw ? x : L->col, K, dz, f, 1.0f, g, f); /* dW += col^T dz */
    if (L->spec.use_bias) nn_sum_rows(dz, rows, f, g + (size_t)K * f);
    if (!dx) return;
    if (pw) { nn_gemm(0, 1, rows, K, f, dz, f, p, f, 0.0f, dx, K); return; } /* dx = dz W^T */
    nn_gemm(0, 1, rows, K, f, dz, f, p, f, 0.0f, L->col, K); /* dcol = dz W^T */
    col2im(&ge, L->col, n, dx);
}

static void conv_release(nn_layer *L)
{
    if (L->y != L->z) NN_FREE(L->y);
    NN_FREE(L->z);
    NN_FREE(L->dz);
    NN_FREE(L->col);
    L->y = L->z = L->dz = L->col = NULL;
}

const nn_layer_ops nn_conv2d_ops = {"Conv2D", conv_setup, conv_init, conv_reserve, conv_forward,
                                    conv_backward, conv_release};
