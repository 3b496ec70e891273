/* dropout.c - inverted dropout: while training y = x * mask, mask = 0 or 1/(1-rate). */
#include "kernels.h"
#include "nn_internal.h"
#include <string.h>

static int dropout_setup(nn_layer *L, char *err)
{
    float r = L->spec.rate;
    if (!(r >= 0.0f && r < 1.0f))
        return nn_fail_buf(err, NN_ERR_ARG, "dropout: rate must be in [0, 1), got %g", (double)r);
    L->out_rank = L->in_rank;
    memcpy(L->out_shape, L->in_shape, sizeof L->out_shape);
    return NN_OK;
}

static int dropout_reserve(nn_layer *L, int cap)
{
    size_t n = (size_t)cap * L->out_size * sizeof(float);
    float *y = NN_REALLOC(L->y, n), *mask;
    if (!y) return NN_ERR_NOMEM;
    L->y = y;
    if (!(mask = NN_REALLOC(L->mask, n))) return NN_ERR_NOMEM;
    L->mask = mask;
    return NN_OK;
}

static void dropout_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                            nn_rng *rng)
{
    long cnt = (long)n * L->out_size;
    float rate = L->spec.rate, keep = 1.0f / (1.0f - rate);
    if (!training || rate == 0.0f) {
        for (long i = 0; i < cnt; i++) L->mask[i] = 1.0f;
        memcpy(L->y, x, (size_t)cnt * sizeof(float));
    } else {
        for (long i = 0; i < cnt; i++) L->mask[i] = nn_rng_uniform(rng) < rate ? 0.0f : keep;
        nn_vmul(x, L->mask, L->y, (int)cnt);
    }
    L->preact = L->y;
}

static void dropout_backward(nn_layer *L, const float *p, float *g, const float *x,
                             const float *dy, float *dx, int n)
{
    if (dx) nn_vmul(dy, L->mask, dx, n * L->out_size);
}

static void dropout_release(nn_layer *L)
{
    NN_FREE(L->y);
    NN_FREE(L->mask);
    L->y = L->mask = NULL;
}

const nn_layer_ops nn_dropout_ops = {"Dropout", dropout_setup, NULL, dropout_reserve,
                                     dropout_forward, dropout_backward, dropout_release};
