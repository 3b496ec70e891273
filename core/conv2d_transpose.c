/* conv2d_transpose.c - Conv2DTranspose over NHWC inputs: y = act(col2im(x W^T) + b), the
 * backward-data pass of the convolution that would map y's shape back to x's ("deconvolution").
 * W is [kh, kw, filters, in_c] (TF.js's and Keras's layout), which row-major is the
 * [kh*kw*filters, in_c] matrix of that convolution. Each input pixel spreads its value times the
 * kernel over a kh x kw window of the output, windows strides apart; overlaps add up.
 * Output size (TF's): 'same' in*s; 'valid' in*s + max(k - s, 0). The geometry is the convolution's
 * (nn_geo with the output as its image and the input as its windows), so im2col and col2im are
 * conv2d.c's: forward is one nn_gemm then col2im; backward im2col of dL/dz then two nn_gemm. */
#include "kernels.h"
#include "nn_internal.h"
#include <string.h>

typedef struct {
    nn_window_cfg w; /* kernelSize, strides, padding, dataFormat */
    int filters, act, use_bias, kernel_init, bias_init;
    float alpha, l1, l2;
} convt_cfg;
typedef struct { float *z, *dz, *y, *col; } convt_priv; /* col: [cap*in_h*in_w, kh*kw*filters] */

static const nn_option convt_options[] = {
    {"filters", NN_KIND_INT, 1, 0, 1, 1 << 16, NN_OPTION_REQUIRED, NULL, offsetof(convt_cfg, filters),
     NULL, "output channels"},
    {"kernelSize", NN_KIND_INTS, 2, 0, 1, 1 << 16, NN_OPTION_REQUIRED, NULL, offsetof(convt_cfg, w.size),
     NULL, "window [height, width] (one number: square)"},
    {"strides", NN_KIND_INTS, 2, 1, 1, 1 << 16, 0, NULL, offsetof(convt_cfg, w.strides), NULL,
     "upsampling step [down, across]"},
    {"padding", NN_KIND_ENUM, 1, NN_PAD_VALID, 0, 0, 0, &nn_padding_names, offsetof(convt_cfg, w.padding),
     NULL, "'same': output in*strides; 'valid': in*strides + max(kernel - strides, 0)"},
    NN_OPT_DATA_FORMAT(convt_cfg, w.data_format),
    NN_OPT_ACTIVATION(convt_cfg, act),
    NN_OPT_USE_BIAS(convt_cfg, use_bias),
    NN_OPT_INIT("kernelInitializer", convt_cfg, kernel_init, NN_INIT_GLOROT_UNIFORM),
    NN_OPT_INIT("biasInitializer", convt_cfg, bias_init, NN_INIT_ZEROS),
    NN_OPT_ALPHA(convt_cfg, alpha),
    NN_OPT_L1L2(convt_cfg, l1, l2),
};

nn_layer_spec nn_conv2d_transpose(int filters, int kh, int kw, int stride, nn_padding pad, nn_act act)
{
    nn_layer_spec s = nn_spec(NN_LAYER_CONV2D_TRANSPOSE);
    int k[2] = {kh, kw};
    nn_spec_set(&s, "filters", filters);
    nn_spec_set_ints(&s, "kernelSize", 2, k);
    nn_spec_set_ints(&s, "strides", 1, &stride);
    nn_spec_set(&s, "padding", pad);
    nn_spec_set(&s, "activation", act);
    return s;
}

/* TF's deconv output length along one axis, in 64 bits. */
static int64_t convt_out(int64_t in, int64_t k, int64_t s, int pad)
{
    return pad == NN_PAD_SAME ? in * s : in * s + (k > s ? k - s : 0);
}

/* The convolution this layer is the adjoint of: its image is our output, its windows our input. */
static nn_geo convt_geo(const nn_layer *L)
{
    const convt_cfg *c = NN_CFG(L, convt_cfg);
    nn_geo g = {L->out_shape[0], L->out_shape[1], c->filters, c->w.size[0], c->w.size[1],
                c->w.strides[0], c->w.strides[1], 0, 0, 0, 0};
    g.oh = nn_conv_out(g.h, g.kh, g.sh, c->w.padding, &g.pt);
    g.ow = nn_conv_out(g.w, g.kw, g.sw, c->w.padding, &g.pl);
    return g;
}

static int convt_setup(nn_layer *L, char *err)
{
    const convt_cfg *c = NN_CFG(L, convt_cfg);
    if (L->in_rank != 3)
        return nn_fail_buf(err, NN_ERR_ARG, "conv2dTranspose: input must be [height, width, channels] "
                           "(rank 3), got rank %d; add a reshape layer first", L->in_rank);
    int64_t oh = convt_out(L->in_shape[0], c->w.size[0], c->w.strides[0], c->w.padding);
    int64_t ow = convt_out(L->in_shape[1], c->w.size[1], c->w.strides[1], c->w.padding);
    if ((double)oh * (double)ow * c->filters > NN_MAX_VALUES) /* doubles: the product may pass 2^63 */
        return nn_fail_buf(err, NN_ERR_ARG, "conv2dTranspose: output [%lld, %lld, %d] is more than %d "
                           "values per sample; use smaller strides or fewer filters", (long long)oh,
                           (long long)ow, c->filters, NN_MAX_VALUES);
    double k = (double)c->w.size[0] * c->w.size[1] * c->filters;
    if (k * L->in_shape[2] > 4.0e8)
        return nn_fail_buf(err, NN_ERR_ARG, "conv2dTranspose: %.0f x %d weights is too large", k,
                           L->in_shape[2]);
    L->out_rank = 3;
    L->out_shape[0] = (int)oh;
    L->out_shape[1] = (int)ow;
    L->out_shape[2] = c->filters;
    L->act = c->act;
    L->alpha = c->alpha;
    L->l1 = c->l1;
    L->l2 = c->l2;
    return NN_OK;
}

static int convt_tensors(const nn_layer *L, nn_tensor *t)
{
    const convt_cfg *c = NN_CFG(L, convt_cfg);
    t[0] = (nn_tensor){"kernel", 4, {c->w.size[0], c->w.size[1], c->filters, L->in_shape[2]}, 0, 1, 0, 2};
    t[1] = (nn_tensor){"bias", 1, {c->filters}, 0, 0, 0, 0};
    return c->use_bias ? 2 : 1;
}

static void convt_init(nn_layer *L, float *p, nn_rng *rng)
{
    const convt_cfg *c = NN_CFG(L, convt_cfg);
    int area = c->w.size[0] * c->w.size[1], f = c->filters, in_c = L->in_shape[2];
    size_t nk = (size_t)area * f * in_c;
    /* Keras's fans read the kernel's last two axes: in = area * filters, out = area * in_c */
    nn_init_fill(c->kernel_init, p, nk, area * f, area * in_c, rng);
    if (c->use_bias) nn_init_fill(c->bias_init, p + nk, (size_t)f, area * f, area * in_c, rng);
}

static int convt_reserve(nn_layer *L, int cap)
{
    convt_priv *d = L->priv;
    nn_geo g = convt_geo(L);
    uint64_t n = (uint64_t)cap * (uint64_t)L->out_size;
    uint64_t cols = (uint64_t)cap * g.oh * g.ow * ((uint64_t)g.kh * g.kw * g.c);
    if (nn_grow(&d->z, n) || nn_grow(&d->dz, n) || nn_grow(&d->col, cols)) return NN_ERR_NOMEM;
    if (L->act != NN_ACT_LINEAR && nn_grow(&d->y, n)) return NN_ERR_NOMEM;
    L->y = L->act == NN_ACT_LINEAR ? d->z : d->y;
    return NN_OK;
}

static void convt_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                          nn_rng *rng)
{
    const convt_cfg *c = NN_CFG(L, convt_cfg);
    convt_priv *d = L->priv;
    nn_geo g = convt_geo(L);
    int in_c = L->in_shape[2], f = c->filters, K = g.kh * g.kw * f, rows = n * g.oh * g.ow;
    int out_rows = n * g.h * g.w;
    nn_gemm(0, 1, rows, K, in_c, x, in_c, p, in_c, 0.0f, d->col, K); /* col = x W^T */
    nn_col2im(&g, d->col, n, d->z);                                  /* scatter-add the windows */
    if (c->use_bias) nn_add_rows(d->z, p + (size_t)K * in_c, out_rows, f);
    if (L->act != NN_ACT_LINEAR) nn_act_forward(L->act, L->alpha, d->z, L->y, out_rows, f);
    L->preact = d->z;
}

/* dcol = im2col(dz); dW += dcol^T x; dx = dcol W. */
static void convt_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                           float *dx, int n)
{
    const convt_cfg *c = NN_CFG(L, convt_cfg);
    convt_priv *d = L->priv;
    nn_geo ge = convt_geo(L);
    int in_c = L->in_shape[2], f = c->filters, K = ge.kh * ge.kw * f, rows = n * ge.oh * ge.ow;
    int out_rows = n * ge.h * ge.w;
    const float *dz = dy;
    if (!L->grad_is_preact && L->act != NN_ACT_LINEAR) {
        nn_act_backward(L->act, L->alpha, d->z, L->y, dy, d->dz, out_rows, f);
        dz = d->dz;
    }
    nn_im2col(&ge, dz, n, d->col);
    nn_gemm(1, 0, K, in_c, rows, d->col, K, x, in_c, 1.0f, g, in_c);
    if (c->use_bias) nn_sum_rows(dz, out_rows, f, g + (size_t)K * in_c);
    if (dx) nn_gemm(0, 0, rows, in_c, K, d->col, K, p, in_c, 0.0f, dx, in_c);
}

static void convt_release(nn_layer *L)
{
    convt_priv *d = L->priv;
    NN_FREE(d->z); NN_FREE(d->dz); NN_FREE(d->y); NN_FREE(d->col);
    memset(d, 0, sizeof *d);
    L->y = NULL;
}

const nn_layer_ops nn_conv2d_transpose_ops = {
    .name = "Conv2DTranspose",
    .func = "conv2dTranspose",
    .doc = "transposed 2D convolution (upsamples by strides); kernel [kh, kw, filters, inC]",
    .options = convt_options,
    .n_options = NN_COUNT_OF(convt_options),
    .cfg_size = sizeof(convt_cfg),
    .priv_size = sizeof(convt_priv),
    .setup = convt_setup,
    .tensors = convt_tensors,
    .init_params = convt_init,
    .reserve = convt_reserve,
    .forward = convt_forward,
    .backward = convt_backward,
    .release = convt_release,
};
