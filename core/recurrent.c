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
    t[0] = (nn_tensor){"kernel", 2, {nn_seq_features(L), g}, 0, 1, 0};
    t[1] = (nn_tensor){"recurrent_kernel", 2, {c->units, g}, 0, 0, 0};
    t[2] = bias_rows > 1 ? (nn_tensor){"bias", 2, {bias_rows, g}, 0, 0, 0} : (nn_tensor){"bias", 1, {g}, 0, 0, 0};
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
