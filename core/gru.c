/* gru.c - GRU over [t, features] with Keras's gate order z, r, h:
 *   z = ra(x Wz + h Uz + bz),  r = ra(x Wr + h Ur + br)
 *   resetAfter false (TF.js):  hh = a(x Wh + (r h) Uh + bh)
 *   resetAfter true (Keras 2): hh = a(x Wh + bh_in + r (h Uh + bh_rec)), bias [2, 3u]
 *   h_new = z h + (1 - z) hh
 * Step s reads input position t = s (t = T-1-s with goBackwards). x W (+ the input bias) for every
 * step is one GEMM; the recurrent products are GEMMs per step over the batch. */
#include "kernels.h"
#include "nn_internal.h"
#include <string.h>

typedef struct { nn_seq_cfg q; int reset_after; } gru_cfg;
/* by input position: p (pre-activations) and a (activations) of z, r, hh [n*T, 3u], dz [n*T, 3u]
 * (dL/d of the input part); by step: h, dh [n*T, u], q [n*T, u] (resetAfter: h Uh + bh_rec; else
 * r h); scratch: rec [n, 3u] (recurrent products, then their gradients), dq [n, u]; last [n, u] */
typedef struct { float *p, *a, *dz, *h, *dh, *q, *rec, *dq, *last; nn_seq_drop drop; } gru_priv;

static const nn_option gru_options[] = {
    NN_OPT_SEQ(gru_cfg, "for the candidate state"),
    NN_OPT_RECURRENT_ACTIVATION(gru_cfg),
    {"resetAfter", NN_KIND_BOOL, 1, 0, 0, 1, 0, NULL, offsetof(gru_cfg, reset_after), NULL,
     "reset gate after the recurrent product, two bias rows (Keras 2's default; TF.js: false only)"},
};

nn_layer_spec nn_gru(int units)
{
    nn_layer_spec s = nn_spec(NN_LAYER_GRU);
    nn_spec_set(&s, "units", units);
    return s;
}

static int bias_rows(const nn_layer *L) { return NN_CFG(L, gru_cfg)->reset_after ? 2 : 1; }
static int gru_setup(nn_layer *L, char *err) { return nn_seq_setup(L, 3, err); }
static int gru_tensors(const nn_layer *L, nn_tensor *t) { return nn_seq_tensors(L, 3, bias_rows(L), t); }
static void gru_init(nn_layer *L, float *p, nn_rng *rng) { nn_seq_init(L, p, 3, bias_rows(L), rng); }

static int gru_reserve(nn_layer *L, int cap)
{
    const gru_cfg *gc = NN_CFG(L, gru_cfg);
    const nn_seq_cfg *c = &gc->q;
    gru_priv *d = L->priv;
    uint64_t nu = (uint64_t)cap * nn_seq_steps(L) * (uint64_t)c->units, bu = (uint64_t)cap * c->units;
    if (nn_grow(&d->p, 3 * nu) || nn_grow(&d->a, 3 * nu) || nn_grow(&d->dz, 3 * nu) || nn_grow(&d->h, nu) ||
        nn_grow(&d->dh, nu) || nn_grow(&d->q, nu) || nn_grow(&d->rec, 3 * bu) || nn_grow(&d->dq, bu) ||
        nn_grow(&d->last, bu) || nn_seq_drop_reserve(&d->drop, L, cap))
        return NN_ERR_NOMEM;
    L->y = c->return_sequences ? d->h : d->last;
    return NN_OK;
}

static void gru_forward(nn_layer *L, const float *w, const float *x, int n, int training, nn_rng *rng)
{
    const gru_cfg *gc = NN_CFG(L, gru_cfg);
    const nn_seq_cfg *c = &gc->q;
    gru_priv *d = L->priv;
    int T = nn_seq_steps(L), D = nn_seq_features(L), u = c->units, G = 3 * u;
    const float *W = w, *U = w + (size_t)D * G, *b = U + (size_t)u * G;
    const float *brec = gc->reset_after && c->use_bias ? b + G : NULL;
    x = nn_seq_drop_input(&d->drop, L, x, n, training, rng);
    nn_gemm(0, 0, n * T, G, D, x, D, W, G, 0.0f, d->p, G); /* x W, every step at once */
    if (c->use_bias) nn_add_rows(d->p, b, n * T, G);
    for (int s = 0; s < T; s++) {
        int t = c->go_backwards ? T - 1 - s : s;
        const float *hp = s ? d->h + (size_t)(s - 1) * u : NULL; /* rows of h_{s-1}, stride T*u */
        /* the state the recurrent products read (recurrentDropout masks it; z h does not) */
        const float *hpm = s ? nn_seq_drop_state(&d->drop, L, d->h, s - 1, n) : NULL;
        float *ps = d->p + (size_t)t * G;                         /* rows of this step, stride T*G */
        if (hp) nn_gemm(0, 0, n, gc->reset_after ? G : 2 * u, u, hpm, T * u, U, G, 0.0f, d->rec, G);
        for (int r = 0; r < n; r++) {
            float *pr = ps + (size_t)r * T * G, *ar = d->a + ((size_t)r * T + t) * G;
            const float *rec = d->rec + (size_t)r * G, *h0 = hp ? hpm + (size_t)r * T * u : NULL;
            float *q = d->q + ((size_t)r * T + s) * u;
            for (int k = 0; k < 2 * u; k++) pr[k] += (h0 ? rec[k] : 0.0f) + (brec ? brec[k] : 0.0f);
            nn_act_forward(c->ract, 0.0f, pr, ar, 1, 2 * u); /* z, r */
            if (gc->reset_after) { /* q = h Uh + bh_rec; hh's pre-activation gets r q */
                for (int k = 0; k < u; k++) {
                    q[k] = (h0 ? rec[2 * u + k] : 0.0f) + (brec ? brec[2 * u + k] : 0.0f);
                    pr[2 * u + k] += ar[u + k] * q[k];
                }
            } else { /* q = r h; hh's pre-activation gets q Uh (below, one GEMM) */
                for (int k = 0; k < u; k++) q[k] = h0 ? ar[u + k] * h0[k] : 0.0f;
            }
        }
        if (!gc->reset_after && hp)
            nn_gemm(0, 0, n, u, u, d->q + (size_t)s * u, T * u, U + 2 * u, G, 1.0f, ps + 2 * u, T * G);
        for (int r = 0; r < n; r++) {
            float *pr = ps + (size_t)r * T * G, *ar = d->a + ((size_t)r * T + t) * G;
            const float *h0 = hp ? hp + (size_t)r * T * u : NULL;
            float *hs = d->h + ((size_t)r * T + s) * u;
            nn_act_forward(c->act, 0.0f, pr + 2 * u, ar + 2 * u, 1, u); /* hh */
            if (!nn_seq_kept(L, r, t)) { nn_seq_hold(L, d->h, r, s); continue; } /* padding */
            nn_gru_blend(u, ar, ar + 2 * u, h0, hs);
        }
    }
    nn_seq_output(L, d->h, d->last, n);
}

/* dz = dL/d(the pre-activations) by input position: the input part's gradient; per step the
 * recurrent part's gradient (rec) goes to dU, dh_{s-1} and the recurrent bias. */
static void gru_backward(nn_layer *L, const float *w, float *g, const float *x, const float *dy,
                         float *dx, int n)
{
    const gru_cfg *gc = NN_CFG(L, gru_cfg);
    const nn_seq_cfg *c = &gc->q;
    gru_priv *d = L->priv;
    int T = nn_seq_steps(L), D = nn_seq_features(L), u = c->units, G = 3 * u;
    const float *W = w, *U = w + (size_t)D * G;
    float *gW = g, *gU = g + (size_t)D * G, *gb = gU + (size_t)u * G;
    float *gbrec = gc->reset_after && c->use_bias ? gb + G : NULL;
    nn_seq_seed_dh(L, d->dh, dy, n);
    for (int s = T - 1; s >= 0; s--) {
        int t = c->go_backwards ? T - 1 - s : s;
        const float *hp = s ? d->h + (size_t)(s - 1) * u : NULL;
        float *dhp = s ? d->dh + (size_t)(s - 1) * u : NULL;
        /* the masked state the recurrent products read, and where its gradient goes */
        const float *hpm = s ? (d->drop.on_h ? d->drop.hm : d->h) + (size_t)(s - 1) * u : NULL;
        int ldd = T * u;
        float beta = 1.0f, *dst = s ? nn_seq_drop_dstate(&d->drop, L, d->dh, s - 1, &ldd, &beta) : NULL;
        for (int r = 0; r < n; r++) {
            const float *pr = d->p + ((size_t)r * T + t) * G, *ar = d->a + ((size_t)r * T + t) * G;
            const float *h0 = hp ? hp + (size_t)r * T * u : NULL, *q = d->q + ((size_t)r * T + s) * u;
            const float *dh = d->dh + ((size_t)r * T + s) * u;
            float *dz = d->dz + ((size_t)r * T + t) * G, *rec = d->rec + (size_t)r * G;
            if (!nn_seq_kept(L, r, t)) { /* padding: no gate saw this step; dh goes to the step before */
                memset(dz, 0, (size_t)G * sizeof(float));
                memset(rec, 0, (size_t)G * sizeof(float));
                nn_seq_hold_back(L, d->dh, r, s);
                continue;
            }
            /* through z, through hh, and to h_{s-1} directly */
            nn_gru_blend_backward(u, ar, ar + 2 * u, h0, dh, dz, dz + 2 * u, dhp ? dhp + (size_t)r * T * u : NULL);
            nn_act_backward(c->ract, 0.0f, pr, ar, dz, dz, 1, u);
            nn_act_backward(c->act, 0.0f, pr + 2 * u, ar + 2 * u, dz + 2 * u, dz + 2 * u, 1, u);
            if (gc->reset_after) { /* hh's pre-activation got r q: dr = dph q, dq = dph r */
                for (int k = 0; k < u; k++) {
                    dz[u + k] = dz[2 * u + k] * q[k];
                    rec[2 * u + k] = dz[2 * u + k] * ar[u + k];
                }
                nn_act_backward(c->ract, 0.0f, pr + u, ar + u, dz + u, dz + u, 1, u);
                memcpy(rec, dz, 2 * (size_t)u * sizeof(float)); /* z, r: the same gradient */
            }
        }
        if (gc->reset_after) {
            if (gbrec) nn_sum_rows(d->rec, n, G, gbrec);
            if (hp) {
                nn_gemm(1, 0, u, G, n, hpm, T * u, d->rec, G, 1.0f, gU, G);       /* dU += h^T drec */
                nn_gemm(0, 1, n, u, G, d->rec, G, U, G, beta, dst, ldd);           /* dh += drec U^T */
                nn_seq_drop_state_grad(&d->drop, L, d->dh, s - 1, n);
            }
            continue;
        }
        /* resetAfter false: hh's pre-activation got (r h) Uh */
        float *dzs = d->dz + (size_t)t * G;
        if (hp) {
            nn_gemm(1, 0, u, u, n, d->q + (size_t)s * u, T * u, dzs + 2 * u, T * G, 1.0f, gU + 2 * u, G); /* dUh */
            nn_gemm(0, 1, n, u, u, dzs + 2 * u, T * G, U + 2 * u, G, 0.0f, d->dq, u);                   /* d(r h) */
        }
        for (int r = 0; r < n; r++) {
            const float *pr = d->p + ((size_t)r * T + t) * G, *ar = d->a + ((size_t)r * T + t) * G;
            const float *h0 = hp ? hpm + (size_t)r * T * u : NULL, *dq = d->dq + (size_t)r * u;
            float *dz = d->dz + ((size_t)r * T + t) * G;
            for (int k = 0; k < u; k++) dz[u + k] = h0 ? dq[k] * h0[k] : 0.0f;
            nn_act_backward(c->ract, 0.0f, pr + u, ar + u, dz + u, dz + u, 1, u);
        }
        if (hp) {
            nn_gemm(1, 0, u, 2 * u, n, hpm, T * u, dzs, T * G, 1.0f, gU, G);  /* dU_zr += h^T dz_zr */
            nn_gemm(0, 1, n, u, 2 * u, dzs, T * G, U, G, beta, dst, ldd);      /* dh += dz_zr U_zr^T */
            for (int r = 0; r < n; r++) {                                       /* dh += d(r h) r */
                const float *ar = d->a + ((size_t)r * T + t) * G, *dq = d->dq + (size_t)r * u;
                float *o = dst + (size_t)r * ldd;
                for (int k = 0; k < u; k++) o[k] += dq[k] * ar[u + k];
            }
            nn_seq_drop_state_grad(&d->drop, L, d->dh, s - 1, n);
        }
    }
    if (d->drop.on_x) x = d->drop.xm;
    nn_gemm(1, 0, D, G, n * T, x, D, d->dz, G, 1.0f, gW, G); /* dW += X^T dZ */
    if (c->use_bias) nn_sum_rows(d->dz, n * T, G, gb);
    if (dx) nn_gemm(0, 1, n * T, D, G, d->dz, G, W, G, 0.0f, dx, D); /* dX = dZ W^T */
    nn_seq_drop_dx(&d->drop, L, dx, n);
}

static void gru_release(nn_layer *L)
{
    gru_priv *d = L->priv;
    NN_FREE(d->p); NN_FREE(d->a); NN_FREE(d->dz); NN_FREE(d->h); NN_FREE(d->dh);
    NN_FREE(d->q); NN_FREE(d->rec); NN_FREE(d->dq); NN_FREE(d->last);
    nn_seq_drop_release(&d->drop);
    memset(d, 0, sizeof *d);
    L->y = NULL;
}

const nn_layer_ops nn_gru_ops = {
    .name = "GRU",
    .func = "gru",
    .doc = "gated recurrent unit over [steps, features] (gates z, r, h; resetAfter as Keras 2): the last h or all",
    .options = gru_options,
    .n_options = NN_COUNT_OF(gru_options),
    .cfg_size = sizeof(gru_cfg),
    .priv_size = sizeof(gru_priv),
    .setup = gru_setup,
    .tensors = gru_tensors,
    .init_params = gru_init,
    .reserve = gru_reserve,
    .forward = gru_forward,
    .backward = gru_backward,
    .release = gru_release,
    .recurrent = 1,
};
