/* recurrent.c - what SimpleRNN, LSTM and GRU share: their common options and config (the
 * nn_seq_cfg their configs begin with), shapes, weight tensors, initialization, and the handling
 * of the last state / every state at both ends of a pass. */
#include "nn_internal.h"
#include <string.h>

int nn_seq_setup(nn_layer *L, int gates, char *err)
{
    const nn_seq_cfg *c = NN_CFG(L, nn_seq_cfg);
    const char *what = L->ops->func;
    if (L->in_rank != 2)
        return nn_fail_buf(err, NN_ERR_ARG, "%s: input must be a sequence [steps, features] (rank 2), "
                           "got rank %d", what, L->in_rank);
    if (c->act == NN_ACT_SOFTMAX || (gates > 1 && c->ract == NN_ACT_SOFTMAX))
        return nn_fail_buf(err, NN_ERR_ARG, "%s: softmax is not an element-wise activation; use it on a "
                           "dense layer after the %s", what, what);
    if (c->return_state) /* TF.js's rule; nnplay has no functional models to take several outputs */
        return nn_fail_buf(err, NN_ERR_ARG, "%s: returnState gives the layer several outputs (its output and "
                           "final states), but all layers in a Sequential model should have a single output "
                           "tensor (TF.js's rule too); leave returnState false", what);
    if ((double)(nn_seq_features(L) + c->units) * gates * c->units > 4.0e8)
        return nn_fail_buf(err, NN_ERR_ARG, "%s: %d x %d weights is too large", what,
                           nn_seq_features(L) + c->units, gates * c->units);
    L->out_rank = c->return_sequences ? 2 : 1;
    L->out_shape[0] = c->return_sequences ? nn_seq_steps(L) : c->units;
    L->out_shape[1] = c->return_sequences ? c->units : 0;
    L->act = NN_ACT_LINEAR; /* the activations are inside the recurrence: no loss fuses with them */
    L->alpha = c->alpha;
    L->l1 = c->l1;
    L->l2 = c->l2;
    return NN_OK;
}

int nn_seq_tensors(const nn_layer *L, int gates, int bias_rows, nn_tensor *t)
{
    const nn_seq_cfg *c = NN_CFG(L, nn_seq_cfg);
    int g = gates * c->units;
    t[0] = (nn_tensor){"kernel", 2, {nn_seq_features(L), g}, 0, 1, 0, 0};
    t[1] = (nn_tensor){"recurrent_kernel", 2, {c->units, g}, 0, 0, 0, 0};
    t[2] = bias_rows > 1 ? (nn_tensor){"bias", 2, {bias_rows, g}, 0, 0, 0, 0} : (nn_tensor){"bias", 1, {g}, 0, 0, 0, 0};
    return c->use_bias ? 3 : 2;
}

void nn_seq_init(nn_layer *L, float *p, int gates, int bias_rows, nn_rng *rng)
{
    const nn_seq_cfg *c = NN_CFG(L, nn_seq_cfg);
    size_t u = (size_t)c->units, d = (size_t)nn_seq_features(L), g = (size_t)gates * u;
    nn_init_fill(c->kernel_init, p, d * g, (int)d, (int)g, rng);
    nn_init_fill(c->recurrent_init, p + d * g, u * g, (int)u, (int)g, rng);
    if (c->use_bias) nn_init_fill(c->bias_init, p + (d + u) * g, (size_t)bias_rows * g, (int)d, (int)g, rng);
}

void nn_seq_output(nn_layer *L, float *h, float *last, int n)
{
    const nn_seq_cfg *c = NN_CFG(L, nn_seq_cfg);
    int T = nn_seq_steps(L), u = c->units;
    if (!c->return_sequences)
        for (int r = 0; r < n; r++) memcpy(last + (size_t)r * u, h + ((size_t)r * T + T - 1) * u, (size_t)u * sizeof(float));
    L->y = c->return_sequences ? h : last;
    L->preact = L->y;
}

void nn_seq_seed_dh(const nn_layer *L, float *dh, const float *dy, int n)
{
    const nn_seq_cfg *c = NN_CFG(L, nn_seq_cfg);
    int T = nn_seq_steps(L), u = c->units;
    size_t all = (size_t)n * T * u;
    if (c->return_sequences) { memcpy(dh, dy, all * sizeof(float)); return; }
    memset(dh, 0, all * sizeof(float));
    for (int r = 0; r < n; r++) memcpy(dh + ((size_t)r * T + T - 1) * u, dy + (size_t)r * u, (size_t)u * sizeof(float));
}

/* ---- dropout masks ---- */
int nn_seq_drop_reserve(nn_seq_drop *d, const nn_layer *L, int cap)
{
    const nn_seq_cfg *c = NN_CFG(L, nn_seq_cfg);
    uint64_t T = (uint64_t)nn_seq_steps(L), D = (uint64_t)nn_seq_features(L), u = (uint64_t)c->units;
    if (c->dropout > 0 && (nn_grow(&d->mx, (uint64_t)cap * D) || nn_grow(&d->xm, (uint64_t)cap * T * D)))
        return NN_ERR_NOMEM;
    if (c->recurrent_dropout > 0 && (nn_grow(&d->mh, (uint64_t)cap * u) || nn_grow(&d->hm, (uint64_t)cap * T * u) ||
                                     nn_grow(&d->tmp, (uint64_t)cap * u)))
        return NN_ERR_NOMEM;
    return NN_OK;
}

void nn_seq_drop_release(nn_seq_drop *d)
{
    NN_FREE(d->mx); NN_FREE(d->mh); NN_FREE(d->xm); NN_FREE(d->hm); NN_FREE(d->tmp);
    memset(d, 0, sizeof *d);
}

static void draw_mask(float *m, size_t n, float rate, nn_rng *rng)
{
    float keep = 1.0f / (1.0f - rate);
    for (size_t i = 0; i < n; i++) m[i] = nn_rng_uniform(rng) < rate ? 0.0f : keep;
}

const float *nn_seq_drop_input(nn_seq_drop *d, const nn_layer *L, const float *x, int n, int training, nn_rng *rng)
{
    const nn_seq_cfg *c = NN_CFG(L, nn_seq_cfg);
    int T = nn_seq_steps(L), D = nn_seq_features(L);
    d->on_x = training && c->dropout > 0;
    d->on_h = training && c->recurrent_dropout > 0;
    if (d->on_h) draw_mask(d->mh, (size_t)n * c->units, c->recurrent_dropout, rng);
    if (!d->on_x) return x;
    draw_mask(d->mx, (size_t)n * D, c->dropout, rng);
    for (int r = 0; r < n; r++)
        for (int t = 0; t < T; t++) {
            size_t at = ((size_t)r * T + t) * D;
            for (int j = 0; j < D; j++) d->xm[at + j] = x[at + j] * d->mx[(size_t)r * D + j];
        }
    return d->xm;
}

const float *nn_seq_drop_state(nn_seq_drop *d, const nn_layer *L, const float *h, int s, int n)
{
    int T = nn_seq_steps(L), u = NN_CFG(L, nn_seq_cfg)->units;
    const float *rows = h + (size_t)s * u;
    if (!d->on_h) return rows;
    for (int r = 0; r < n; r++) {
        size_t at = ((size_t)r * T + s) * u;
        for (int k = 0; k < u; k++) d->hm[at + k] = h[at + k] * d->mh[(size_t)r * u + k];
    }
    return d->hm + (size_t)s * u;
}

float *nn_seq_drop_dstate(nn_seq_drop *d, const nn_layer *L, float *dh, int s, int *ld, float *beta)
{
    int T = nn_seq_steps(L), u = NN_CFG(L, nn_seq_cfg)->units;
    *ld = d->on_h ? u : T * u;
    *beta = d->on_h ? 0.0f : 1.0f;
    return d->on_h ? d->tmp : dh + (size_t)s * u;
}

void nn_seq_drop_state_grad(nn_seq_drop *d, const nn_layer *L, float *dh, int s, int n)
{
    int T = nn_seq_steps(L), u = NN_CFG(L, nn_seq_cfg)->units;
    if (!d->on_h) return;
    for (int r = 0; r < n; r++) {
        float *o = dh + ((size_t)r * T + s) * u;
        const float *g = d->tmp + (size_t)r * u, *m = d->mh + (size_t)r * u;
        for (int k = 0; k < u; k++) o[k] += g[k] * m[k];
    }
}

void nn_seq_drop_dx(const nn_seq_drop *d, const nn_layer *L, float *dx, int n)
{
    int T = nn_seq_steps(L), D = nn_seq_features(L);
    if (!d->on_x || !dx) return;
    for (int r = 0; r < n; r++)
        for (int t = 0; t < T; t++) {
            float *o = dx + ((size_t)r * T + t) * D;
            for (int j = 0; j < D; j++) o[j] *= d->mx[(size_t)r * D + j];
        }
}

/* ---- masking ---- */
void nn_seq_hold(const nn_layer *L, float *h, int r, int s)
{
    int T = nn_seq_steps(L), u = NN_CFG(L, nn_seq_cfg)->units;
    float *hs = h + ((size_t)r * T + s) * u;
    if (s) memcpy(hs, hs - u, (size_t)u * sizeof(float));
    else memset(hs, 0, (size_t)u * sizeof(float));
}

void nn_seq_hold_back(const nn_layer *L, float *dh, int r, int s)
{
    int T = nn_seq_steps(L), u = NN_CFG(L, nn_seq_cfg)->units;
    float *d = dh + ((size_t)r * T + s) * u;
    if (s) for (int k = 0; k < u; k++) d[k - u] += d[k];
}
