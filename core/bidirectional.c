/* bidirectional.c - TF.js's Bidirectional wrapper: a recurrent layer (its spec is the `layer`
 * option) runs as two layers over the same input, a forward copy and a backward one with
 * goBackwards toggled; their outputs merge per row:
 *   concat [f, b],  sum f + b,  mul f * b,  ave (f + b) / 2
 * With returnSequences (the wrapped layer's) the backward copy's states come in the order it read
 * them, so row t takes b at step T-1-t (TF.js reverses it back in time). Parameters: the forward
 * copy's, then the backward's, each in its own layout. The copies are ordinary layers of their
 * types, planned from the spec (setup, tensors) and given private blocks at the first reserve;
 * masks reach both, so each holds its state over padded steps. */
#include "nn_internal.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

typedef struct { nn_sub_spec layer; int merge_mode; } bidi_cfg;
/* dir: the two copies (ready once planned and given their private blocks); y: the merged output
 * [cap, out_size]; dy: dL/d each copy's output [cap, its out_size]; dx: the backward copy's dL/dx */
typedef struct { nn_layer dir[2]; int ready; float *y, *dy[2], *dx; } bidi_priv;

static const char *const merge_list[] = {"concat", "sum", "mul", "ave", "null"};
const nn_names nn_merge_names = {"mergeModes", "mergeMode", NN_COUNT_OF(merge_list), merge_list, 0, NULL};

static const nn_option bidi_options[] = {
    {"layer", NN_KIND_LAYER, 1, 0, 0, 0, NN_OPTION_REQUIRED, NULL, offsetof(bidi_cfg, layer), NULL,
     "the recurrent layer (simpleRNN, lstm or gru) to run forward and, in a copy, backward (returnSequences is its own)"},
    {"mergeMode", NN_KIND_ENUM, 1, NN_MERGE_CONCAT, 0, 0, 0, &nn_merge_names, offsetof(bidi_cfg, merge_mode), NULL,
     "how the directions combine (null, a list of both, is refused in a Sequential model)"},
};

nn_layer_spec nn_bidirectional(nn_layer_spec layer, nn_merge merge_mode)
{
    nn_layer_spec s = nn_spec(NN_LAYER_BIDIRECTIONAL);
    nn_spec_set_layer(&s, "layer", &layer);
    nn_spec_set(&s, "mergeMode", merge_mode);
    return s;
}

/* Plan copy k (0 forward, 1 backward) of the wrapped layer over L's input. */
static int plan_dir(const nn_layer *L, int k, nn_layer *D, char *err)
{
    nn_layer_spec s = nn_sub_spec_get(&NN_CFG(L, bidi_cfg)->layer);
    const nn_layer_ops *ops = nn_layer_ops_for(s.type);
    if (!ops || !ops->recurrent) /* only a spec's bytes poked by hand get here */
        return nn_fail_buf(err, NN_ERR_ARG, "bidirectional: layer is not a recurrent layer");
    if (k) NN_SPEC_CFG(&s, nn_seq_cfg)->go_backwards ^= 1;
    char msg[NN_ERR_LEN];
    int st = nn_layer_plan(D, &s, L->in_rank, L->in_shape, msg);
    return st == NN_OK ? NN_OK : nn_fail_buf(err, st, "bidirectional: %s", msg);
}

static int bidi_setup(nn_layer *L, char *err)
{
    const bidi_cfg *c = NN_CFG(L, bidi_cfg);
    if (c->merge_mode == NN_MERGE_NULL) /* TF.js's rule; nnplay has no functional models */
        return nn_fail_buf(err, NN_ERR_ARG, "bidirectional: mergeMode null gives the two directions' outputs "
                           "as a list, but all layers in a Sequential model should have a single output tensor "
                           "(TF.js's rule too); use 'concat', 'sum', 'mul' or 'ave'");
    nn_layer D;
    int st = plan_dir(L, 0, &D, err);
    if (st != NN_OK) return st;
    L->out_rank = D.out_rank;
    memcpy(L->out_shape, D.out_shape, sizeof L->out_shape);
    if (c->merge_mode == NN_MERGE_CONCAT) L->out_shape[L->out_rank - 1] *= 2;
    L->act = NN_ACT_LINEAR;
    L->l1 = D.l1; /* the wrapped layer's penalties, on both kernels */
    L->l2 = D.l2;
    return NN_OK;
}

/* A class name as Keras names a layer after it (its to_snake_case): SimpleRNN -> simple_rnn. */
static void snake_case(const char *cls, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; cls[i] && k + 2 < cap; i++) {
        unsigned char c = (unsigned char)cls[i], p = i ? (unsigned char)cls[i - 1] : 0, q = (unsigned char)cls[i + 1];
        if (i && isupper(c) && (islower(p) || (p != '_' && (islower(q) || isdigit(q))))) out[k++] = '_';
        out[k++] = (char)tolower(c);
    }
    out[k] = 0;
}

/* The forward copy's tensors, then the backward's, named as Keras names them: forward_lstm/kernel,
 * backward_simple_rnn/bias, ... */
static int bidi_tensors(const nn_layer *L, nn_tensor *t)
{
    int n = 0;
    for (int k = 0; k < 2; k++) {
        nn_layer D;
        nn_tensor dt[NN_MAX_TENSORS];
        char name[24];
        if (plan_dir(L, k, &D, NULL) != NN_OK) return 0;
        snake_case(D.ops->name, name, sizeof name);
        int m = D.ops->tensors(&D, dt);
        for (int i = 0; i < m && n < NN_MAX_TENSORS; i++, n++) {
            t[n] = dt[i];
            snprintf(t[n].name, sizeof t[n].name, "%s_%.16s/%.20s", k ? "backward" : "forward", name, dt[i].name);
        }
    }
    return n;
}

static void bidi_init(nn_layer *L, float *p, nn_rng *rng)
{
    for (int k = 0; k < 2; k++) {
        nn_layer D;
        if (plan_dir(L, k, &D, NULL) != NN_OK) return;
        D.ops->init_params(&D, p, rng);
        p += D.n_params;
    }
}

static void bidi_release(nn_layer *L)
{
    bidi_priv *d = L->priv;
    for (int k = 0; k < 2; k++) {
        nn_layer *D = &d->dir[k];
        if (D->priv && D->ops->release) D->ops->release(D);
        NN_FREE(D->priv);
        NN_FREE(d->dy[k]);
    }
    NN_FREE(d->y);
    NN_FREE(d->dx);
    memset(d, 0, sizeof *d);
    L->y = NULL;
}

static int bidi_reserve(nn_layer *L, int cap)
{
    bidi_priv *d = L->priv;
    for (int k = 0; k < 2 && !d->ready; k++) { /* a failed reserve is released whole by the model */
        nn_layer *D = &d->dir[k];
        if (D->priv) continue;
        if (plan_dir(L, k, D, NULL) != NN_OK) return NN_ERR_ARG;
        if (!(D->priv = NN_CALLOC(1, D->ops->priv_size))) return NN_ERR_NOMEM;
    }
    d->ready = 1;
    uint64_t inner = (uint64_t)cap * (uint64_t)d->dir[0].out_size;
    for (int k = 0; k < 2; k++) {
        if (d->dir[k].ops->reserve(&d->dir[k], cap) != NN_OK || nn_grow(&d->dy[k], inner)) return NN_ERR_NOMEM;
        d->dir[k].cap = cap;
    }
    if (nn_grow(&d->y, (uint64_t)cap * (uint64_t)L->out_size) || nn_grow(&d->dx, (uint64_t)cap * (uint64_t)L->in_size))
        return NN_ERR_NOMEM;
    L->y = d->y;
    return NN_OK;
}

/* Each copy outputs R rows of u per sample (R: the steps with returnSequences, else 1); output
 * row t pairs the forward copy's row t with the backward copy's row R-1-t. */
static void rows_of(const bidi_priv *d, int *u, int *R)
{
    *u = d->dir[0].out_shape[d->dir[0].out_rank - 1];
    *R = d->dir[0].out_size / *u;
}

static void bidi_forward(nn_layer *L, const float *p, const float *x, int n, int training, nn_rng *rng)
{
    const int mode = NN_CFG(L, bidi_cfg)->merge_mode;
    bidi_priv *d = L->priv;
    for (int k = 0; k < 2; k++) {
        nn_layer *D = &d->dir[k];
        D->mask_in = L->mask_in;
        D->mask = NULL;
        D->ops->forward(D, p, x, n, training, rng);
        p += D->n_params;
    }
    int u, R, w = mode == NN_MERGE_CONCAT ? 2 : 1;
    rows_of(d, &u, &R);
    for (int r = 0; r < n; r++)
        for (int t = 0; t < R; t++) {
            const float *f = d->dir[0].y + ((size_t)r * R + t) * u, *b = d->dir[1].y + ((size_t)r * R + R - 1 - t) * u;
            float *y = L->y + ((size_t)r * R + t) * w * u;
            for (int j = 0; j < u; j++) {
                switch (mode) {
                case NN_MERGE_CONCAT: y[j] = f[j]; y[u + j] = b[j]; break;
                case NN_MERGE_SUM: y[j] = f[j] + b[j]; break;
                case NN_MERGE_MUL: y[j] = f[j] * b[j]; break;
                default: y[j] = 0.5f * (f[j] + b[j]); break; /* ave */
                }
            }
        }
    L->preact = L->y;
}

static void bidi_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                          float *dx, int n)
{
    const int mode = NN_CFG(L, bidi_cfg)->merge_mode;
    bidi_priv *d = L->priv;
    int u, R, w = mode == NN_MERGE_CONCAT ? 2 : 1;
    rows_of(d, &u, &R);
    for (int r = 0; r < n; r++)
        for (int t = 0; t < R; t++) {
            size_t fr = ((size_t)r * R + t) * u, br = ((size_t)r * R + R - 1 - t) * u;
            const float *o = dy + ((size_t)r * R + t) * w * u, *f = d->dir[0].y + fr, *b = d->dir[1].y + br;
            float *df = d->dy[0] + fr, *db = d->dy[1] + br;
            for (int j = 0; j < u; j++) {
                switch (mode) {
                case NN_MERGE_CONCAT: df[j] = o[j]; db[j] = o[u + j]; break;
                case NN_MERGE_SUM: df[j] = db[j] = o[j]; break;
                case NN_MERGE_MUL: df[j] = o[j] * b[j]; db[j] = o[j] * f[j]; break;
                default: df[j] = db[j] = 0.5f * o[j]; break; /* ave */
                }
            }
        }
    size_t n0 = d->dir[0].n_params;
    d->dir[0].ops->backward(&d->dir[0], p, g, x, d->dy[0], dx, n);
    d->dir[1].ops->backward(&d->dir[1], p + n0, g + n0, x, d->dy[1], dx ? d->dx : NULL, n);
    if (dx) for (size_t i = 0, k = (size_t)n * L->in_size; i < k; i++) dx[i] += d->dx[i];
}

const nn_layer_ops nn_bidirectional_ops = {
    .name = "Bidirectional",
    .func = "bidirectional",
    .doc = "a recurrent layer run forward and backward over [steps, features], the two outputs merged",
    .options = bidi_options,
    .n_options = NN_COUNT_OF(bidi_options),
    .cfg_size = sizeof(bidi_cfg),
    .priv_size = sizeof(bidi_priv),
    .setup = bidi_setup,
    .tensors = bidi_tensors,
    .init_params = bidi_init,
    .reserve = bidi_reserve,
    .forward = bidi_forward,
    .backward = bidi_backward,
    .release = bidi_release,
};
