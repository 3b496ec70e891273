/* rnn.c - SimpleRNN over [t, features]: h_s = act(x_t W + h_{s-1} U + b), h_{-1} = 0, where step s
 * reads input position t = s (or t = T-1-s with goBackwards). W, U, b in TF.js's layout: kernel
 * [in, units], recurrent_kernel [units, units], bias [units].
 * Forward: one GEMM for x W over every step of the batch, then per step one GEMM for h U.
 * Backward through time: per step dz = dh * act', dh_{s-1} += dz U^T, dU += h_{s-1}^T dz; then
 * one GEMM each for dW = X^T dZ and dX = dZ W^T over all steps. */
#include "kernels.h"
#include "nn_internal.h"
#include <string.h>

typedef struct {
    int units, act, use_bias, kernel_init, recurrent_init, bias_init, return_sequences, go_backwards;
    float alpha, l1, l2;
} rnn_cfg;
/* z: pre-activations by input position; h: states by step; dz, dh alike; last: the last state */
typedef struct { float *z, *h, *dz, *dh, *last; } rnn_priv;

static const nn_option rnn_options[] = {
    {"units", NN_KIND_INT, 1, 0, 1, 1 << 16, NN_OPTION_REQUIRED, NULL, offsetof(rnn_cfg, units), NULL,
     "size of the state"},
    {"activation", NN_KIND_ENUM, 1, NN_ACT_TANH, 0, 0, 0, &nn_act_names, offsetof(rnn_cfg, act), NULL,
     "applied to each new state"},
    NN_OPT_USE_BIAS(rnn_cfg, use_bias),
    NN_OPT_INIT("kernelInitializer", rnn_cfg, kernel_init, NN_INIT_GLOROT_UNIFORM),
    NN_OPT_INIT("recurrentInitializer", rnn_cfg, recurrent_init, NN_INIT_ORTHOGONAL),
    NN_OPT_INIT("biasInitializer", rnn_cfg, bias_init, NN_INIT_ZEROS),
    {"returnSequences", NN_KIND_BOOL, 1, 0, 0, 1, 0, NULL, offsetof(rnn_cfg, return_sequences), NULL,
     "output every step's state [t, units], not only the last"},
    {"goBackwards", NN_KIND_BOOL, 1, 0, 0, 1, 0, NULL, offsetof(rnn_cfg, go_backwards), NULL,
     "read the sequence from its end (outputs in the order read)"},
    NN_OPT_ALPHA(rnn_cfg, alpha),
    NN_OPT_L1L2(rnn_cfg, l1, l2),
};

nn_layer_spec nn_simple_rnn(int units, nn_act act)
{
    nn_layer_spec s = nn_spec(NN_LAYER_SIMPLE_RNN);
    nn_spec_set(&s, "units", units);
    nn_spec_set(&s, "activation", act);
    return s;
}

static int steps(const nn_layer *L) { return L->in_shape[0]; }
static int features(const nn_layer *L) { return L->in_shape[1]; }

static int rnn_setup(nn_layer *L, char *err)
{
    const rnn_cfg *c = NN_CFG(L, rnn_cfg);
    if (L->in_rank != 2)
        return nn_fail_buf(err, NN_ERR_ARG, "simpleRNN: input must be a sequence [steps, features] (rank 2), "
                           "got rank %d", L->in_rank);
    if (c->act == NN_ACT_SOFTMAX)
        return nn_fail_buf(err, NN_ERR_ARG, "simpleRNN: softmax is not an element-wise activation; use it on "
                           "a dense layer after the simpleRNN");
    if ((double)(features(L) + c->units) * c->units > 4.0e8)
        return nn_fail_buf(err, NN_ERR_ARG, "simpleRNN: %d x %d weights is too large", features(L) + c->units, c->units);
    L->out_rank = c->return_sequences ? 2 : 1;
    L->out_shape[0] = c->return_sequences ? steps(L) : c->units;
    L->out_shape[1] = c->return_sequences ? c->units : 0;
    L->act = NN_ACT_LINEAR; /* the activation is inside the recurrence: a loss never fuses with it */
    L->alpha = c->alpha;
    L->l1 = c->l1;
    L->l2 = c->l2;
    return NN_OK;
}

static int rnn_tensors(const nn_layer *L, nn_tensor *t)
{
    const rnn_cfg *c = NN_CFG(L, rnn_cfg);
    t[0] = (nn_tensor){"kernel", 2, {features(L), c->units}, 0, 1, 0};
    t[1] = (nn_tensor){"recurrent_kernel", 2, {c->units, c->units}, 0, 0, 0};
    t[2] = (nn_tensor){"bias", 1, {c->units}, 0, 0, 0};
    return c->use_bias ? 3 : 2;
}

static void rnn_init(nn_layer *L, float *p, nn_rng *rng)
{
    const rnn_cfg *c = NN_CFG(L, rnn_cfg);
    size_t u = (size_t)c->units, d = (size_t)features(L);
    nn_init_fill(c->kernel_init, p, d * u, (int)d, (int)u, rng);
    nn_init_fill(c->recurrent_init, p + d * u, u * u, (int)u, (int)u, rng);
    if (c->use_bias) nn_init_fill(c->bias_init, p + d * u + u * u, u, (int)d, (int)u, rng);
}

static int rnn_reserve(nn_layer *L, int cap)
{
    const rnn_cfg *c = NN_CFG(L, rnn_cfg);
    rnn_priv *d = L->priv;
    uint64_t n = (uint64_t)cap * steps(L) * (uint64_t)c->units;
    if (nn_grow(&d->z, n) || nn_grow(&d->h, n) || nn_grow(&d->dz, n) || nn_grow(&d->dh, n) ||
        nn_grow(&d->last, (uint64_t)cap * c->units))
        return NN_ERR_NOMEM;
    L->y = c->return_sequences ? d->h : d->last;
    return NN_OK;
}

static void rnn_forward(nn_layer *L, const float *p, const float *x, int n, int training, nn_rng *rng)
{
    const rnn_cfg *c = NN_CFG(L, rnn_cfg);
    rnn_priv *d = L->priv;
    int T = steps(L), D = features(L), u = c->units, ld = T * u;
    const float *W = p, *U = p + (size_t)D * u, *b = U + (size_t)u * u;
    nn_gemm(0, 0, n * T, u, D, x, D, W, u, 0.0f, d->z, u); /* z = x W, every step at once */
    if (c->use_bias) nn_add_rows(d->z, b, n * T, u);
    for (int s = 0; s < T; s++) {
        int t = c->go_backwards ? T - 1 - s : s;
        if (s > 0) nn_gemm(0, 0, n, u, u, d->h + (size_t)(s - 1) * u, ld, U, u, 1.0f, d->z + (size_t)t * u, ld);
        for (int r = 0; r < n; r++)
            nn_act_forward(c->act, c->alpha, d->z + ((size_t)r * T + t) * u, d->h + ((size_t)r * T + s) * u, 1, u);
    }
    if (!c->return_sequences)
        for (int r = 0; r < n; r++) memcpy(d->last + (size_t)r * u, d->h + ((size_t)r * T + T - 1) * u, (size_t)u * sizeof(float));
    L->y = c->return_sequences ? d->h : d->last;
    L->preact = L->y;
}

static void rnn_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                         float *dx, int n)
{
    const rnn_cfg *c = NN_CFG(L, rnn_cfg);
    rnn_priv *d = L->priv;
    int T = steps(L), D = features(L), u = c->units, ld = T * u;
    const float *W = p, *U = p + (size_t)D * u;
    float *gW = g, *gU = g + (size_t)D * u, *gb = gU + (size_t)u * u;
    size_t all = (size_t)n * T * u;
    if (c->return_sequences) memcpy(d->dh, dy, all * sizeof(float));
    else {
        memset(d->dh, 0, all * sizeof(float));
        for (int r = 0; r < n; r++) memcpy(d->dh + ((size_t)r * T + T - 1) * u, dy + (size_t)r * u, (size_t)u * sizeof(float));
    }
    for (int s = T - 1; s >= 0; s--) {
        int t = c->go_backwards ? T - 1 - s : s;
        float *dz = d->dz + (size_t)t * u;
        for (int r = 0; r < n; r++) /* dz = dh * act'(z) */
            nn_act_backward(c->act, c->alpha, d->z + ((size_t)r * T + t) * u, d->h + ((size_t)r * T + s) * u,
                            d->dh + ((size_t)r * T + s) * u, dz + (size_t)r * ld, 1, u);
        if (s == 0) continue;
        const float *hp = d->h + (size_t)(s - 1) * u;
        nn_gemm(1, 0, u, u, n, hp, ld, dz, ld, 1.0f, gU, u);                        /* dU += h_{s-1}^T dz */
        nn_gemm(0, 1, n, u, u, dz, ld, U, u, 1.0f, d->dh + (size_t)(s - 1) * u, ld); /* dh_{s-1} += dz U^T */
    }
    nn_gemm(1, 0, D, u, n * T, x, D, d->dz, u, 1.0f, gW, u); /* dW += X^T dZ */
    if (c->use_bias) nn_sum_rows(d->dz, n * T, u, gb);
    if (dx) nn_gemm(0, 1, n * T, D, u, d->dz, u, W, u, 0.0f, dx, D); /* dX = dZ W^T */
}

static void rnn_release(nn_layer *L)
{
    rnn_priv *d = L->priv;
    NN_FREE(d->z); NN_FREE(d->h); NN_FREE(d->dz); NN_FREE(d->dh); NN_FREE(d->last);
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
};
