/* dense.c - fully connected layer: y = act(x W + b), W is [in, units] row-major (TF.js order). */
#include "kernels.h"
#include "nn_internal.h"
#include <string.h>

static int dense_setup(nn_layer *L, char *err)
{
    nn_layer_spec *s = &L->spec;
    if (L->in_rank != 1)
        return nn_fail_buf(err, NN_ERR_ARG, "dense: input must be flat (rank 1), got rank %d; "
                           "add a flatten layer first", L->in_rank);
    if (s->units <= 0 || s->units > (1 << 24))
        return nn_fail_buf(err, NN_ERR_ARG, "dense: units must be a positive integer, got %d",
                           s->units);
    if (s->act < 0 || s->act >= NN_ACT_COUNT)
        return nn_fail_buf(err, NN_ERR_ARG, "dense: unknown activation id %d", s->act);
    if (s->kernel_init < 0 || s->kernel_init >= NN_INIT_COUNT || s->bias_init < 0 ||
        s->bias_init >= NN_INIT_COUNT)
        return nn_fail_buf(err, NN_ERR_ARG, "dense: unknown initializer");
    if ((double)L->in_size * s->units > 4.0e8)
        return nn_fail_buf(err, NN_ERR_ARG, "dense: %d x %d weights is too large", L->in_size,
                           s->units);
    L->out_rank = 1;
    L->out_shape[0] = s->units;
    L->n_params = (size_t)L->in_size * s->units + (s->use_bias ? (size_t)s->units : 0);
    L->reg_off = 0;
    L->reg_n = (size_t)L->in_size * s->units;
    L->act = s->act;
    return NN_OK;
}

static void dense_init(nn_layer *L, float *p, nn_rng *rng)
{
    size_t nk = (size_t)L->in_size * L->spec.units;
    nn_init_fill(L->spec.kernel_init, p, nk, L->in_size, L->spec.units, rng);
    if (L->spec.use_bias)
        nn_init_fill(L->spec.bias_init, p + nk, (size_t)L->spec.units, L->in_size, L->spec.units, rng);
}

static int dense_reserve(nn_layer *L, int cap)
{
    size_t n = (size_t)cap * L->out_size * sizeof(float);
    float *z = NN_REALLOC(L->z, n), *dz;
    if (!z) return NN_ERR_NOMEM;
    L->z = z;
    if (!(dz = NN_REALLOC(L->dz, n))) return NN_ERR_NOMEM;
    L->dz = dz;
    if (L->act == NN_ACT_LINEAR) {
        L->y = L->z; /* the output is z itself */
    } else {
        float *y = NN_REALLOC(L->y, n);
        if (!y) return NN_ERR_NOMEM;
        L->y = y;
    }
    return NN_OK;
}

static void dense_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                          nn_rng *rng)
{
    int in = L->in_size, u = L->spec.units;
    nn_gemm(0, 0, n, u, in, x, in, p, u, 0.0f, L->z, u); /* z = x W */
    if (L->spec.use_bias) nn_add_rows(L->z, p + (size_t)in * u, n, u);
    if (L->act == NN_ACT_LINEAR) L->y = L->z;
    else nn_act_forward(L->act, L->spec.alpha, L->z, L->y, n, u);
    L->preact = L->z;
}

static void dense_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                           float *dx, int n)
{
    int in = L->in_size, u = L->spec.units;
    const float *dz = dy;
    if (!L->grad_is_preact && L->act != NN_ACT_LINEAR) {
        nn_act_backward(L->act, L->spec.alpha, L->z, L->y, dy, L->dz, n, u);
        dz = L->dz;
    }
    nn_gemm(1, 0, in, u, n, x, in, dz, u, 1.0f, g, u); /* dW += x^T dz */
    if (L->spec.use_bias) nn_sum_rows(dz, n, u, g + (size_t)in * u);
    if (dx) nn_gemm(0, 1, n, in, u, dz, u, p, u, 0.0f, dx, in); /* dx = dz W^T */
}

static void dense_release(nn_layer *L)
{
    if (L->y != L->z) NN_FREE(L->y);
    NN_FREE(L->z);
    NN_FREE(L->dz);
    L->y = L->z = L->dz = NULL;
}

const nn_layer_ops nn_dense_ops = {"Dense", dense_setup, dense_init, dense_reserve,
                                   dense_forward, dense_backward, dense_release};
