/* lstm.c - LSTM over [t, features] with Keras's gate order i, f, c, o:
 *   z = x_t W + h_{s-1} U + b            (W [in, 4u], U [u, 4u], b [4u]: TF.js's layout)
 *   i = ra(z_i), f = ra(z_f), g = a(z_c), o = ra(z_o)      (ra: recurrent activation)
 *   c_s = f c_{s-1} + i g,   h_s = o a(c_s)
 * Step s reads input position t = s (t = T-1-s with goBackwards). x W for every step is one GEMM;
 * h U is one GEMM per step over the batch and the four gates at once. Backward through time:
 *   dc = dc_next + dh o a'(c);  di = dc g, df = dc c_{s-1}, dg = dc i, do = dh a(c);  dc_next = dc f
 * then dz through the gate activations, dU and dh_{s-1} per step, dW and dX in one GEMM each. */
#include "kernels.h"
#include "nn_internal.h"
#include <string.h>

typedef struct { nn_seq_cfg q; int unit_forget_bias; } lstm_cfg;
/* by input position: z, a (activated gates), dz [n*T, 4u]; by step: c, tc = a(c), h, dh [n*T, u];
 * dc: the cell gradient carried between steps [n, u]; tmp [2u]; last [n, u] */
typedef struct { float *z, *a, *dz, *c, *tc, *h, *dh, *dc, *tmp, *last; nn_seq_drop drop; } lstm_priv;

static const nn_option lstm_options[] = {
    NN_OPT_SEQ(lstm_cfg, "for the cell input and output"),
    NN_OPT_RECURRENT_ACTIVATION(lstm_cfg),
    {"unitForgetBias", NN_KIND_BOOL, 1, 1, 0, 1, 0, NULL, offsetof(lstm_cfg, unit_forget_bias), NULL,
     "start the forget gate's bias at 1 (Keras's default)"},
};

nn_layer_spec nn_lstm(int units)
{
    nn_layer_spec s = nn_spec(NN_LAYER_LSTM);
    nn_spec_set(&s, "units", units);
    return s;
}

static int lstm_setup(nn_layer *L, char *err) { return nn_seq_setup(L, 4, err); }
static int lstm_tensors(const nn_layer *L, nn_tensor *t) { return nn_seq_tensors(L, 4, 1, t); }

static void lstm_init(nn_layer *L, float *p, nn_rng *rng)
{
    const nn_seq_cfg *c = &NN_CFG(L, lstm_cfg)->q;
    nn_seq_init(L, p, 4, 1, rng);
    size_t u = (size_t)c->units, d = (size_t)nn_seq_features(L);
    float *b = p + (d + u) * 4 * u;
    if (c->use_bias && NN_CFG(L, lstm_cfg)->unit_forget_bias) for (size_t k = 0; k < u; k++) b[u + k] = 1.0f;
}

static int lstm_reserve(nn_layer *L, int cap)
{
    const nn_seq_cfg *c = &NN_CFG(L, lstm_cfg)->q;
    lstm_priv *d = L->priv;
    uint64_t nu = (uint64_t)cap * nn_seq_steps(L) * (uint64_t)c->units;
    if (nn_grow(&d->z, 4 * nu) || nn_grow(&d->a, 4 * nu) || nn_grow(&d->dz, 4 * nu) || nn_grow(&d->c, nu) ||
        nn_grow(&d->tc, nu) || nn_grow(&d->h, nu) || nn_grow(&d->dh, nu) ||
        nn_grow(&d->dc, (uint64_t)cap * c->units) || nn_grow(&d->tmp, 2 * (uint64_t)c->units) ||
        nn_grow(&d->last, (uint64_t)cap * c->units) || nn_seq_drop_reserve(&d->drop, L, cap))
        return NN_ERR_NOMEM;
    L->y = c->return_sequences ? d->h : d->last;
    return NN_OK;
}

static void lstm_forward(nn_layer *L, const float *p, const float *x, int n, int training, nn_rng *rng)
{
    const nn_seq_cfg *c = &NN_CFG(L, lstm_cfg)->q;
    lstm_priv *d = L->priv;
    int T = nn_seq_steps(L), D = nn_seq_features(L), u = c->units, G = 4 * u;
    const float *W = p, *U = p + (size_t)D * G, *b = U + (size_t)u * G;
    x = nn_seq_drop_input(&d->drop, L, x, n, training, rng);
    nn_gemm(0, 0, n * T, G, D, x, D, W, G, 0.0f, d->z, G); /* z = x W, every step at once */
    if (c->use_bias) nn_add_rows(d->z, b, n * T, G);
    for (int s = 0; s < T; s++) {
        int t = c->go_backwards ? T - 1 - s : s;
        if (s > 0) nn_gemm(0, 0, n, G, u, nn_seq_drop_state(&d->drop, L, d->h, s - 1, n), T * u, U, G, 1.0f,
                           d->z + (size_t)t * G, T * G);
        for (int r = 0; r < n; r++) {
            const float *z = d->z + ((size_t)r * T + t) * G;
            float *a = d->a + ((size_t)r * T + t) * G;
            size_t at = ((size_t)r * T + s) * u;
            if (!nn_seq_kept(L, r, t)) { /* padding: h and c stay as they were */
                nn_seq_hold(L, d->h, r, s);
                nn_seq_hold(L, d->c, r, s);
                continue;
            }
            nn_act_forward(c->ract, 0.0f, z, a, 1, 2 * u);                 /* i, f */
            nn_act_forward(c->act, 0.0f, z + 2 * u, a + 2 * u, 1, u);      /* g */
            nn_act_forward(c->ract, 0.0f, z + 3 * u, a + 3 * u, 1, u);     /* o */
            nn_lstm_cell(u, a, s ? d->c + at - u : NULL, d->c + at);
            nn_act_forward(c->act, 0.0f, d->c + at, d->tc + at, 1, u);
            nn_vmul(a + 3 * u, d->tc + at, d->h + at, u);
        }
    }
    nn_seq_output(L, d->h, d->last, n);
}

static void lstm_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                          float *dx, int n)
{
    const nn_seq_cfg *c = &NN_CFG(L, lstm_cfg)->q;
    lstm_priv *d = L->priv;
    int T = nn_seq_steps(L), D = nn_seq_features(L), u = c->units, G = 4 * u;
    const float *W = p, *U = p + (size_t)D * G;
    float *gW = g, *gU = g + (size_t)D * G, *gb = gU + (size_t)u * G;
    nn_seq_seed_dh(L, d->dh, dy, n);
    memset(d->dc, 0, (size_t)n * u * sizeof(float));
    float *t1 = d->tmp, *t2 = d->tmp + u;
    for (int s = T - 1; s >= 0; s--) {
        int t = c->go_backwards ? T - 1 - s : s;
        for (int r = 0; r < n; r++) {
            size_t at = ((size_t)r * T + s) * u;
            const float *z = d->z + ((size_t)r * T + t) * G, *a = d->a + ((size_t)r * T + t) * G;
            if (!nn_seq_kept(L, r, t)) { /* padding: dh goes to the step before, dc passes as it is */
                memset(d->dz + ((size_t)r * T + t) * G, 0, (size_t)G * sizeof(float));
                nn_seq_hold_back(L, d->dh, r, s);
                continue;
            }
            const float *dh = d->dh + at, *cp = s ? d->c + at - u : NULL;
            float *dz = d->dz + ((size_t)r * T + t) * G, *dc = d->dc + (size_t)r * u;
            nn_vmul(dh, a + 3 * u, t1, u);                                    /* dh o */
            nn_act_backward(c->act, 0.0f, d->c + at, d->tc + at, t1, t2, 1, u); /* ... a'(c) */
            nn_lstm_cell_backward(u, a, cp, d->tc + at, dh, t2, dc, dz);
            nn_act_backward(c->ract, 0.0f, z, a, dz, dz, 1, 2 * u);
            nn_act_backward(c->act, 0.0f, z + 2 * u, a + 2 * u, dz + 2 * u, dz + 2 * u, 1, u);
            nn_act_backward(c->ract, 0.0f, z + 3 * u, a + 3 * u, dz + 3 * u, dz + 3 * u, 1, u);
        }
        if (s == 0) continue;
        const float *hp = (d->drop.on_h ? d->drop.hm : d->h) + (size_t)(s - 1) * u, *dzs = d->dz + (size_t)t * G;
        int ldd;
        float beta, *dst = nn_seq_drop_dstate(&d->drop, L, d->dh, s - 1, &ldd, &beta);
        nn_gemm(1, 0, u, G, n, hp, T * u, dzs, T * G, 1.0f, gU, G);   /* dU += h_{s-1}^T dz */
        nn_gemm(0, 1, n, u, G, dzs, T * G, U, G, beta, dst, ldd);      /* dh_{s-1} += dz U^T */
        nn_seq_drop_state_grad(&d->drop, L, d->dh, s - 1, n);
    }
    if (d->drop.on_x) x = d->drop.xm;
    nn_gemm(1, 0, D, G, n * T, x, D, d->dz, G, 1.0f, gW, G); /* dW += X^T dZ */
    if (c->use_bias) nn_sum_rows(d->dz, n * T, G, gb);
    if (dx) nn_gemm(0, 1, n * T, D, G, d->dz, G, W, G, 0.0f, dx, D); /* dX = dZ W^T */
    nn_seq_drop_dx(&d->drop, L, dx, n);
}

static void lstm_release(nn_layer *L)
{
    lstm_priv *d = L->priv;
    NN_FREE(d->z); NN_FREE(d->a); NN_FREE(d->dz); NN_FREE(d->c); NN_FREE(d->tc);
    NN_FREE(d->h); NN_FREE(d->dh); NN_FREE(d->dc); NN_FREE(d->tmp); NN_FREE(d->last);
    nn_seq_drop_release(&d->drop);
    memset(d, 0, sizeof *d);
    L->y = NULL;
}

const nn_layer_ops nn_lstm_ops = {
    .name = "LSTM",
    .func = "lstm",
    .doc = "long short-term memory over [steps, features] (gates i, f, c, o): the last h or all",
    .options = lstm_options,
    .n_options = NN_COUNT_OF(lstm_options),
    .cfg_size = sizeof(lstm_cfg),
    .priv_size = sizeof(lstm_priv),
    .setup = lstm_setup,
    .tensors = lstm_tensors,
    .init_params = lstm_init,
    .reserve = lstm_reserve,
    .forward = lstm_forward,
    .backward = lstm_backward,
    .release = lstm_release,
    .recurrent = 1,
};
