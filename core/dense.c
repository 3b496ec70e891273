/* dense.c - fully connected layer: y = act(x W + b), W is [in, units] row-major (TF.js order).
 * As in TF.js it acts on the last axis: an input [t, in] is t rows of in values ([t, units] out),
 * so a sequence model ends in a dense layer applied to every step. */
#include "kernels.h"
#include "nn_internal.h"
#include <string.h>

typedef struct { int units, act, use_bias, kernel_init, bias_init; float alpha, l1, l2; } dense_cfg;
typedef struct { float *z, *dz, *y; } dense_priv; /* z = x W + b, dz = scratch for dL/dz */

static const nn_option dense_options[] = {
    {"units", NN_KIND_INT, 1, 0, 1, 1 << 24, NN_OPTION_REQUIRED, NULL, offsetof(dense_cfg, units),
     NULL, "output units"},
    NN_OPT_ACTIVATION(dense_cfg, act),
    NN_OPT_USE_BIAS(dense_cfg, use_bias),
    NN_OPT_INIT("kernelInitializer", dense_cfg, kernel_init, NN_INIT_GLOROT_UNIFORM),
    NN_OPT_INIT("biasInitializer", dense_cfg, bias_init, NN_INIT_ZEROS),
    NN_OPT_ALPHA(dense_cfg, alpha),
    NN_OPT_L1L2(dense_cfg, l1, l2),
};

nn_layer_spec nn_dense(int units, nn_act act)
{
    nn_layer_spec s = nn_spec(NN_LAYER_DENSE);
    nn_spec_set(&s, "units", units);
    nn_spec_set(&s, "activation", act);
    return s;
}

/* Values of the last axis: the kernel's rows. */
static int in_last(const nn_layer *L) { return L->in_shape[L->in_rank - 1]; }

static int dense_setup(nn_layer *L, char *err)
{
    const dense_cfg *c = NN_CFG(L, dense_cfg);
    if ((double)in_last(L) * c->units > 4.0e8)
        return nn_fail_buf(err, NN_ERR_ARG, "dense: %d x %d weights is too large", in_last(L), c->units);
    nn_layer_same_shape(L);
    L->out_shape[L->out_rank - 1] = c->units;
    L->act = c->act;
    L->alpha = c->alpha;
    L->l1 = c->l1;
    L->l2 = c->l2;
    return NN_OK;
}

static int dense_tensors(const nn_layer *L, nn_tensor *t)
{
    const dense_cfg *c = NN_CFG(L, dense_cfg);
    t[0] = (nn_tensor){"kernel", 2, {in_last(L), c->units}, 0, 1, 0, 0};
    t[1] = (nn_tensor){"bias", 1, {c->units}, 0, 0, 0, 0};
    return c->use_bias ? 2 : 1;
}

static void dense_init(nn_layer *L, float *p, nn_rng *rng)
{
    const dense_cfg *c = NN_CFG(L, dense_cfg);
    size_t nk = (size_t)in_last(L) * c->units;
    nn_init_fill(c->kernel_init, p, nk, in_last(L), c->units, rng);
    if (c->use_bias) nn_init_fill(c->bias_init, p + nk, (size_t)c->units, in_last(L), c->units, rng);
}

static int dense_reserve(nn_layer *L, int cap)
{
    dense_priv *d = L->priv;
    uint64_t n = (uint64_t)cap * (uint64_t)L->out_size;
    if (nn_grow(&d->z, n) || nn_grow(&d->dz, n)) return NN_ERR_NOMEM;
    if (L->act != NN_ACT_LINEAR && nn_grow(&d->y, n)) return NN_ERR_NOMEM;
    L->y = L->act == NN_ACT_LINEAR ? d->z : d->y; /* linear: the output is z itself */
    return NN_OK;
}

static void dense_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                          nn_rng *rng)
{
    const dense_cfg *c = NN_CFG(L, dense_cfg);
    dense_priv *d = L->priv;
    int in = in_last(L), u = c->units;
    n *= L->in_size / in; /* rows: one per step of a sequence */
    nn_gemm(0, 0, n, u, in, x, in, p, u, 0.0f, d->z, u); /* z = x W */
    if (c->use_bias) nn_add_rows(d->z, p + (size_t)in * u, n, u);
    if (L->act != NN_ACT_LINEAR) nn_act_forward(L->act, L->alpha, d->z, L->y, n, u);
    L->preact = d->z;
}

static void dense_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                           float *dx, int n)
{
    const dense_cfg *c = NN_CFG(L, dense_cfg);
    dense_priv *d = L->priv;
    int in = in_last(L), u = c->units;
    n *= L->in_size / in;
    const float *dz = dy;
    if (!L->grad_is_preact && L->act != NN_ACT_LINEAR) {
        nn_act_backward(L->act, L->alpha, d->z, L->y, dy, d->dz, n, u);
        dz = d->dz;
    }
    nn_gemm(1, 0, in, u, n, x, in, dz, u, 1.0f, g, u); /* dW += x^T dz */
    if (c->use_bias) nn_sum_rows(dz, n, u, g + (size_t)in * u);
    if (dx) nn_gemm(0, 1, n, in, u, dz, u, p, u, 0.0f, dx, in); /* dx = dz W^T */
}

static void dense_release(nn_layer *L)
{
    dense_priv *d = L->priv;
    NN_FREE(d->z); NN_FREE(d->dz); NN_FREE(d->y);
    memset(d, 0, sizeof *d);
    L->y = NULL;
}

const nn_layer_ops nn_dense_ops = {
    .name = "Dense",
    .func = "dense",
    .doc = "fully connected: y = activation(x W + b), W is [inputs, units]",
    .options = dense_options,
    .n_options = NN_COUNT_OF(dense_options),
    .cfg_size = sizeof(dense_cfg),
    .priv_size = sizeof(dense_priv),
    .setup = dense_setup,
    .tensors = dense_tensors,
    .init_params = dense_init,
    .reserve = dense_reserve,
    .forward = dense_forward,
    .backward = dense_backward,
    .release = dense_release,
};
