/* dropout.c - inverted dropout: while training y = x * mask, mask = 0 or 1/(1-rate). */
#include "kernels.h"
#include "nn_internal.h"
#include <string.h>

typedef struct { float rate; } dropout_cfg;
typedef struct { float *y, *mask; } dropout_priv;

static const nn_option dropout_options[] = {
    {"rate", NN_KIND_FLOAT, 1, 0, 0, 1, NN_OPTION_REQUIRED | NN_OPTION_HI_OPEN, NULL,
     offsetof(dropout_cfg, rate), NULL, "fraction of the inputs dropped while training"},
};

nn_layer_spec nn_dropout(float rate)
{
    nn_layer_spec s = nn_spec(NN_LAYER_DROPOUT);
    nn_spec_set(&s, "rate", rate);
    return s;
}

static int dropout_setup(nn_layer *L, char *err)
{
    nn_layer_same_shape(L);
    return NN_OK;
}

static int dropout_reserve(nn_layer *L, int cap)
{
    dropout_priv *d = L->priv;
    uint64_t n = (uint64_t)cap * (uint64_t)L->out_size;
    if (nn_grow(&d->y, n) || nn_grow(&d->mask, n)) return NN_ERR_NOMEM;
    L->y = d->y;
    return NN_OK;
}

static void dropout_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                            nn_rng *rng)
{
    dropout_priv *d = L->priv;
    size_t cnt = (size_t)n * L->out_size;
    float rate = NN_CFG(L, dropout_cfg)->rate, keep = 1.0f / (1.0f - rate);
    if (!training || rate == 0.0f) {
        for (size_t i = 0; i < cnt; i++) d->mask[i] = 1.0f;
        memcpy(L->y, x, cnt * sizeof(float));
    } else {
        for (size_t i = 0; i < cnt; i++) d->mask[i] = nn_rng_uniform(rng) < rate ? 0.0f : keep;
        nn_vmul(x, d->mask, L->y, (int)cnt);
    }
    L->preact = L->y;
}

static void dropout_backward(nn_layer *L, const float *p, float *g, const float *x,
                             const float *dy, float *dx, int n)
{
    dropout_priv *d = L->priv;
    if (dx) nn_vmul(dy, d->mask, dx, n * L->out_size);
}

static void dropout_release(nn_layer *L)
{
    dropout_priv *d = L->priv;
    NN_FREE(d->y); NN_FREE(d->mask);
    d->y = d->mask = NULL;
    L->y = NULL;
}

const nn_layer_ops nn_dropout_ops = {
    .name = "Dropout",
    .func = "dropout",
    .doc = "inverted dropout while training; identity when predicting",
    .options = dropout_options,
    .n_options = NN_COUNT_OF(dropout_options),
    .cfg_size = sizeof(dropout_cfg),
    .priv_size = sizeof(dropout_priv),
    .setup = dropout_setup,
    .reserve = dropout_reserve,
    .forward = dropout_forward,
    .backward = dropout_backward,
    .release = dropout_release,
};
