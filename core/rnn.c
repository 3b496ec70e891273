/* rnn.c - SimpleRNN over [t, features]: h_s = act(x_t W + h_{s-1} U + b), h_{-1} = 0, where step s
 * reads input position t = s (or t = T-1-s with goBackwards). W, U, b in TF.js's layout: kernel
 * [in, units], recurrent_kernel [units, units], bias [units].
 * Forward: one GEMM for x W over every step of the batch, then per step one GEMM for h U.
 * Backward through time: per step dz = dh * act', dh_{s-1} += dz U^T, dU += h_{s-1}^T dz; then
 * one GEMM each for dW = X^T dZ and dX = dZ W^T over all steps. */
#include "kernels.h"
#include "nn_internal.h"
#include <string.h>

typedef struct { nn_seq_cfg q; } rnn_cfg;
/* z: pre-activations by input position; h: states by step; dz, dh alike; last: the last state */
typedef struct { float *z, *h, *dz, *dh, *last; nn_seq_drop drop; } rnn_priv;

static const nn_option rnn_options[] = {
    NN_OPT_SEQ(rnn_cfg, "applied to each new state"),
    NN_OPT_ALPHA(rnn_cfg, q.alpha),
};

nn_layer_spec nn_simple_rnn(int units, nn_act act)
{
    nn_layer_spec s = nn_spec(NN_LAYER_SIMPLE_RNN);
    nn_spec_set(&s, "units", units);
    nn_spec_set(&s, "activation", act);
    return s;
}

static int rnn_setup(nn_layer *L, char *err) { return nn_seq_setup(L, 1, err); }
static int rnn_tensors(const nn_layer *L, nn_tensor *t) { return nn_seq_tensors(L, 1, 1, t); }
static void rnn_init(nn_layer *L, float *p, nn_rng *rng) { nn_seq_init(L, p, 1, 1, rng); }

static int rnn_reserve(nn_layer *L, int cap)
{
    const nn_seq_cfg *c = &NN_CFG(L, rnn_cfg)->q;
    rnn_priv *d = L->priv;
    uint64_t n = (uint64_t)cap * nn_seq_steps(L) * (uint64_t)c->units;
    if (nn_grow(&d->z, n) || nn_grow(&d->h, n) || nn_grow(&d->dz, n) || nn_grow(&d->dh, n) ||
        nn_grow(&d->last, (uint64_t)cap * c->units) || nn_seq_drop_reserve(&d->drop, L, cap))
        return NN_ERR_NOMEM;
    L->y = c->return_sequences ? d->h : d->last;
    return NN_OK;
}

static void rnn_forward(nn_layer *L, const float *p, const float *x, int n, int training, nn_rng *rng)
{
    const nn_seq_cfg *c = &NN_CFG(L, rnn_cfg)->q;
    rnn_priv *d = L->priv;
    int T = nn_seq_steps(L), D = nn_seq_features(L), u = c->units, ld = T * u;
    const float *W = p, *U = p + (size_t)D * u, *b = U + (size_t)u * u;
    x = nn_seq_drop_input(&d->drop, L, x, n, training, rng);
    nn_gemm(0, 0, n * T, u, D, x, D, W, u, 0.0f, d->z, u); /* z = x W, every step at once */
    if (c->use_bias) nn_add_rows(d->z, b, n * T, u);
    for (int s = 0; s < T; s++) {
        int t = c->go_backwards ? T - 1 - s : s;
        if (s > 0) nn_gemm(0, 0, n, u, u, nn_seq_drop_state(&d->drop, L, d->h, s - 1, n), ld, U, u, 1.0f,
                           d->z + (size_t)t * u, ld);
        for (int r = 0; r < n; r++) {
            if (!nn_seq_kept(L, r, t)) { nn_seq_hold(L, d->h, r, s); continue; }
            nn_act_forward(c->act, c->alpha, d->z + ((size_t)r * T + t) * u, d->h + ((size_t)r * T + s) * u, 1, u);
        }
    }
    nn_seq_output(L, d->h, d->last, n);
}

static void rnn_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                         float *dx, int n)
{
    const nn_seq_cfg *c = &NN_CFG(L, rnn_cfg)->q;
    rnn_priv *d = L->priv;
    int T = nn_seq_steps(L), D = nn_seq_features(L), u = c->units, ld = T * u;
    const float *W = p, *U = p + (size_t)D * u;
    float *gW = g, *gU = g + (size_t)D * u, *gb = gU + (size_t)u * u;
    nn_seq_seed_dh(L, d->dh, dy, n);
    for (int s = T - 1; s >= 0; s--) {
        int t = c->go_backwards ? T - 1 - s : s;
        float *dz = d->dz + (size_t)t * u;
        for (int r = 0; r < n; r++) { /* dz = dh * act'(z) */
            if (!nn_seq_kept(L, r, t)) {
                memset(dz + (size_t)r * ld, 0, (size_t)u * sizeof(float));
                nn_seq_hold_back(L, d->dh, r, s);
                continue;
            }
            nn_act_backward(c->act, c->alpha, d->z + ((size_t)r * T + t) * u, d->h + ((size_t)r * T + s) * u,
                            d->dh + ((size_t)r * T + s) * u, dz + (size_t)r * ld, 1, u);
        }
        if (s == 0) continue;
        const float *hp = d->drop.on_h ? d->drop.hm + (size_t)(s - 1) * u : d->h + (size_t)(s - 1) * u;
        int ldd;
        float beta, *dst = nn_seq_drop_dstate(&d->drop, L, d->dh, s - 1, &ldd, &beta);
        nn_gemm(1, 0, u, u, n, hp, ld, dz, ld, 1.0f, gU, u);        /* dU += h_{s-1}^T dz */
        nn_gemm(0, 1, n, u, u, dz, ld, U, u, beta, dst, ldd);        /* dh_{s-1} += dz U^T */
        nn_seq_drop_state_grad(&d->drop, L, d->dh, s - 1, n);
    }
    if (d->drop.on_x) x = d->drop.xm;
    nn_gemm(1, 0, D, u, n * T, x, D, d->dz, u, 1.0f, gW, u); /* dW += X^T dZ */
    if (c->use_bias) nn_sum_rows(d->dz, n * T, u, gb);
    if (dx) nn_gemm(0, 1, n * T, D, u, d->dz, u, W, u, 0.0f, dx, D); /* dX = dZ W^T */
    nn_seq_drop_dx(&d->drop, L, dx, n);
}

static void rnn_release(nn_layer *L)
{
    rnn_priv *d = L->priv;
    NN_FREE(d->z); NN_FREE(d->h); NN_FREE(d->dz); NN_FREE(d->dh); NN_FREE(d->last);
    nn_seq_drop_release(&d->drop);
    memset(d, 0, sizeof *d);
    L->y = NULL;
}

const nn_layer_ops nn_simple_rnn_ops = {
    .name = "SimpleRNN",
    .func = "simpleRNN",
    .doc = "recurrent layer over [steps, features]: h = activation(x W + h U + b), the last h or all",
    .options = rnn_options,
    .n_options = NN_COUNT_OF(rnn_options),
    .cfg_size = sizeof(rnn_cfg),
    .priv_size = sizeof(rnn_priv),
    .setup = rnn_setup,
    .tensors = rnn_tensors,
    .init_params = rnn_init,
    .reserve = rnn_reserve,
    .forward = rnn_forward,
    .backward = rnn_backward,
    .release = rnn_release,
    .recurrent = 1,
};
