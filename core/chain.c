/* chain.c - models inside a model: Keras's Sequential([generator, discriminator]). The chain runs
 * its models one after another on their own weights (shared, never copied), with its own loss and
 * optimizer state; which layers it updates is taken when it is compiled, from the layers'
 * trainable flags (Keras's rule), so a discriminator frozen before the GAN is compiled stays
 * frozen inside it and still learns through its own compile. */
#include "nn_internal.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define NN_MAX_CHAIN 16

typedef struct {
    nn_model *m;
    size_t n_params;           /* as when the chain was made: the model may not change */
    int n_layers;
    unsigned char *updates;    /* per layer, taken at compile */
    int any;                   /* some layer is updated */
    float *om, *ov;            /* this chain's optimizer state for the model (NULL when unused) */
} chain_part;

struct nn_chain {
    chain_part part[NN_MAX_CHAIN];
    int n;
    int compiled, loss, from_logits;
    nn_name_list metrics;      /* compile's metrics (nn_chain_compile_encoded) */
    nn_optimizer opt;
    uint64_t step;
    float *buf[2];             /* dL/d a model's input, passed to the one before */
    size_t buf_cap;
    char err[NN_ERR_LEN];
};

const char *nn_chain_error(const nn_chain *c) { return c ? c->err : "no chain (NULL)"; }

static int chain_fail_model(nn_chain *c, int i, int st)
{
    return nn_fail_buf(c->err, st, "model %d of the chain: %s", i + 1, nn_model_error(c->part[i].m));
}

static void free_state(nn_chain *c)
{
    for (int i = 0; i < c->n; i++) {
        NN_FREE(c->part[i].updates); NN_FREE(c->part[i].om); NN_FREE(c->part[i].ov);
        /* a recompile with fewer state arrays (Adam, then SGD) must not keep, and free again, the old ones */
        c->part[i].updates = NULL; c->part[i].om = c->part[i].ov = NULL;
    }
    c->compiled = 0;
}

nn_chain *nn_chain_create(nn_model *const *models, int n, char *err)
{
    if (!models || n < 1 || n > NN_MAX_CHAIN) {
        nn_fail_buf(err, NN_ERR_ARG, "a chain takes 1 to %d models, got %d", NN_MAX_CHAIN, n);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        if (!models[i] || models[i]->n_layers == 0) {
            nn_fail_buf(err, NN_ERR_ARG, "model %d of the chain %s", i + 1, models[i] ? "has no layers" : "is NULL");
            return NULL;
        }
        for (int j = 0; j < i; j++)
            if (models[j] == models[i]) {
                nn_fail_buf(err, NN_ERR_ARG, "model %d of the chain is model %d again: a model appears once", i + 1, j + 1);
                return NULL;
            }
        if (i > 0) { /* each model takes what the one before gives */
            const nn_layer *L = &models[i - 1]->layers[models[i - 1]->n_layers - 1];
            const nn_model *m = models[i];
            int same = L->out_rank == m->in_rank;
            for (int d = 0; same && d < m->in_rank; d++) same = L->out_shape[d] == m->in_shape[d];
            if (!same) {
                char a[48] = "", b[48] = "";
                for (int d = 0; d < L->out_rank; d++) snprintf(a + strlen(a), sizeof a - strlen(a), "%s%d", d ? ", " : "", L->out_shape[d]);
                for (int d = 0; d < m->in_rank; d++) snprintf(b + strlen(b), sizeof b - strlen(b), "%s%d", d ? ", " : "", m->in_shape[d]);
                nn_fail_buf(err, NN_ERR_ARG, "model %d of the chain gives [%s] but model %d takes [%s]", i, a, i + 1, b);
                return NULL;
            }
        }
    }
    nn_chain *c = NN_CALLOC(1, sizeof *c);
    if (!c) { nn_fail_buf(err, NN_ERR_NOMEM, "out of memory for a chain"); return NULL; }
    c->n = n;
    for (int i = 0; i < n; i++)
        c->part[i] = (chain_part){models[i], models[i]->n_params, models[i]->n_layers, NULL, 0, NULL, NULL};
    return c;
}

void nn_chain_free(nn_chain *c)
{
    if (!c) return;
    free_state(c);
    NN_FREE(c->buf[0]); NN_FREE(c->buf[1]);
    NN_FREE(c);
}

/* The models are the caller's: refuse to run on one that gained layers since. */
static int check_parts(nn_chain *c, const char *what)
{
    for (int i = 0; i < c->n; i++)
        if (c->part[i].m->n_layers != c->part[i].n_layers || c->part[i].m->n_params != c->part[i].n_params)
            return nn_fail_buf(c->err, NN_ERR_STATE, "%s: model %d of the chain changed since the chain was made", what, i + 1);
    return NN_OK;
}

static nn_model *last_model(const nn_chain *c) { return c->part[c->n - 1].m; }

int nn_chain_compile(nn_chain *c, const nn_optimizer *opt, nn_loss loss)
{
    if (!c) return NN_ERR_ARG;
    int st = check_parts(c, "compile");
    if (st != NN_OK) return st;
    if (!opt) return nn_fail_buf(c->err, NN_ERR_ARG, "compile: no optimizer given");
    if ((int)loss < 0 || loss >= NN_LOSS_COUNT) return nn_fail_buf(c->err, NN_ERR_ARG, "compile: unknown loss id %d", (int)loss);
    if ((st = nn_optimizer_usable(opt, c->err)) != NN_OK) return st;
    int k = nn_model_output_row_size(last_model(c));
    if ((loss == NN_LOSS_CCE || loss == NN_LOSS_SCCE) && k < 2)
        return nn_fail_buf(c->err, NN_ERR_ARG, "compile: %s needs at least 2 output units, the chain has %d",
                           nn_loss_name(loss), k);
    free_state(c);
    int arrays = nn_optim_state_arrays(opt->type, opt->momentum);
    for (int i = 0; i < c->n; i++) {
        chain_part *p = &c->part[i];
        if (!(p->updates = NN_CALLOC((size_t)p->n_layers, 1))) goto oom;
        p->any = 0;
        for (int l = 0; l < p->n_layers; l++)
            p->any |= p->updates[l] = p->m->layers[l].spec.trainable != 0 && p->m->layers[l].n_params;
        size_t n = p->n_params ? p->n_params : 1;
        if (!p->any) continue; /* frozen: no state */
        if (arrays >= 1 && !(p->om = NN_CALLOC(n, sizeof(float)))) goto oom;
        if (arrays >= 2 && !(p->ov = NN_CALLOC(n, sizeof(float)))) goto oom;
        if (opt->type == NN_OPT_ADAGRAD)
            for (size_t j = 0; j < p->n_params; j++) p->om[j] = opt->initial_accumulator;
    }
    c->opt = *opt;
    c->loss = loss;
    c->from_logits = 0;
    memset(&c->metrics, 0, sizeof c->metrics);
    c->step = 0;
    c->compiled = 1;
    c->err[0] = 0;
    return NN_OK;
oom:
    free_state(c);
    return nn_fail_buf(c->err, NN_ERR_NOMEM, "compile: out of memory");
}

/* Every model forward on n samples (x of dtype into the first); training or inference. */
static int forward_all(nn_chain *c, const void *x, nn_dtype dtype, int n, int training)
{
    for (int i = 0; i < c->n; i++) {
        nn_model *m = c->part[i].m;
        int st = nn_model_forward_typed(m, x, i ? NN_DTYPE_FLOAT32 : dtype, n, training);
        if (st != NN_OK) return chain_fail_model(c, i, st);
        x = nn_model_output(m);
    }
    return NN_OK;
}

int nn_chain_train_batch(nn_chain *c, const void *x, nn_dtype dtype, const float *y, int n, float *loss, nn_metrics *mt)
{
    return nn_chain_train_batch_weighted(c, x, dtype, y, NULL, n, loss, mt);
}

int nn_chain_train_batch_weighted(nn_chain *c, const void *x, nn_dtype dtype, const float *y, const float *w, int n,
                                  float *loss, nn_metrics *mt)
{
    if (!c) return NN_ERR_ARG;
    int st = check_parts(c, "train batch");
    if (st != NN_OK) return st;
    if (!c->compiled) return nn_fail_buf(c->err, NN_ERR_STATE, "train batch: compile the chain first");
    if (!x || !y || n <= 0) return nn_fail_buf(c->err, NN_ERR_ARG, "train batch: no data (%d samples)", n);
    nn_model *first = c->part[0].m, *last = last_model(c);
    if ((st = nn_model_check_inputs(first, x, dtype, n)) != NN_OK) return chain_fail_model(c, 0, st);
    if ((st = nn_loss_check_labels_as(last, c->loss, y, n)) != NN_OK) return chain_fail_model(c, c->n - 1, st);
    if ((st = nn_check_sample_weights(w, n, c->err)) != NN_OK) return st;
    /* dL/d the inputs of models 2..n, ping-ponged */
    uint64_t need = 0;
    for (int i = 1; i < c->n; i++)
        if ((uint64_t)n * c->part[i].m->in_size > need) need = (uint64_t)n * c->part[i].m->in_size;
    if (need > c->buf_cap) {
        if (need * sizeof(float) > NN_MAX_BUFFER || nn_grow(&c->buf[0], need) || nn_grow(&c->buf[1], need))
            return nn_fail_buf(c->err, NN_ERR_NOMEM, "train batch: out of memory for a batch of %d", n);
        c->buf_cap = (size_t)need;
    }
    if ((st = forward_all(c, x, dtype, n, 1)) != NN_OK) return st;
    double l;
    int fused;
    if ((st = nn_train_loss_weighted(last, c->loss, c->from_logits, y, w, n, &l, &fused)) != NN_OK)
        return chain_fail_model(c, c->n - 1, st);
    for (int i = 0; i < c->n; i++) l += nn_regularization(c->part[i].m, NULL);
    if (!isfinite(l))
        return nn_fail_buf(c->err, NN_ERR_NAN, "the loss became %s after %llu steps: training diverged "
                           "(try a lower learning rate)", isnan(l) ? "NaN" : "Inf", (unsigned long long)c->step);
    if (mt && (st = nn_train_metrics(last, c->loss, y, n, l, mt)) != NN_OK) return chain_fail_model(c, c->n - 1, st);
    const float *dy = last->dy;
    for (int i = c->n - 1; i >= 0; i--) { /* backward: each model's dL/dx is the one before's dL/dy */
        nn_model *m = c->part[i].m;
        float *dx = i ? c->buf[i & 1] : NULL;
        nn_model_zero_grads(m);
        if ((st = nn_model_backward_fused(m, dy, dx, i == c->n - 1 && fused)) != NN_OK) return chain_fail_model(c, i, st);
        dy = dx;
    }
    c->step++;
    for (int i = 0; i < c->n; i++) {
        chain_part *p = &c->part[i];
        if (!p->any) continue; /* frozen inside this chain */
        nn_regularization(p->m, p->m->grads);
        nn_clip_grads(p->m, &c->opt);
        nn_step_layers(p->m, &c->opt, c->step, p->om, p->ov, p->updates);
        if (p->m->prune) nn_prune_after_step(p->m); /* a pruned model's zeros stay, in a chain too */
    }
    if (loss) *loss = (float)l;
    return NN_OK;
}

int nn_chain_predict(nn_chain *c, const void *x, nn_dtype dtype, int n, float *out)
{
    if (!c) return NN_ERR_ARG;
    int st = check_parts(c, "predict");
    if (st != NN_OK) return st;
    if (!x || !out || n <= 0) return nn_fail_buf(c->err, NN_ERR_ARG, "predict: no data (%d samples)", n);
    nn_model *first = c->part[0].m;
    if ((st = nn_model_check_inputs(first, x, dtype, n)) != NN_OK) return chain_fail_model(c, 0, st);
    size_t row = (size_t)first->in_size * nn_dtype_size(dtype), k = (size_t)nn_model_output_size(last_model(c));
    for (int i = 0; i < n; i += 256) { /* in chunks: bounds the models' caches */
        int b = n - i < 256 ? n - i : 256;
        if ((st = forward_all(c, (const char *)x + (size_t)i * row, dtype, b, 0)) != NN_OK) return st;
        memcpy(out + (size_t)i * k, nn_model_output(last_model(c)), (size_t)b * k * sizeof(float));
    }
    return NN_OK;
}

int nn_chain_evaluate(nn_chain *c, const void *x, nn_dtype dtype, const float *y, int n, nn_metrics *mt)
{
    if (!c) return NN_ERR_ARG;
    int st = check_parts(c, "evaluate");
    if (st != NN_OK) return st;
    if (!c->compiled) return nn_fail_buf(c->err, NN_ERR_STATE, "evaluate: compile the chain first");
    if (!x || !y || !mt || n <= 0) return nn_fail_buf(c->err, NN_ERR_ARG, "evaluate: no data (%d samples)", n);
    nn_model *first = c->part[0].m, *last = last_model(c);
    if ((st = nn_model_check_inputs(first, x, dtype, n)) != NN_OK) return chain_fail_model(c, 0, st);
    if ((st = nn_loss_check_labels_as(last, c->loss, y, n)) != NN_OK) return chain_fail_model(c, c->n - 1, st);
    size_t row = (size_t)first->in_size * nn_dtype_size(dtype);
    size_t ly = (size_t)(c->loss == NN_LOSS_SCCE ? nn_model_output_size(last) / nn_model_output_row_size(last)
                                                 : nn_model_output_size(last));
    double reg = 0; /* as a model's evaluate: the weights' penalties are part of the loss */
    for (int i = 0; i < c->n; i++) reg += nn_regularization(c->part[i].m, NULL);
    for (int i = 0; i < n; i += 256) { /* in chunks, as predict */
        int b = n - i < 256 ? n - i : 256, fused;
        double l;
        if ((st = forward_all(c, (const char *)x + (size_t)i * row, dtype, b, 0)) != NN_OK) return st;
        if ((st = nn_train_loss(last, c->loss, c->from_logits, y + (size_t)i * ly, b, &l, &fused)) != NN_OK ||
            (st = nn_train_metrics(last, c->loss, y + (size_t)i * ly, b, l + reg, mt)) != NN_OK)
            return chain_fail_model(c, c->n - 1, st);
    }
    return NN_OK;
}

uint64_t nn_chain_step_count(const nn_chain *c) { return c ? c->step : 0; }

int nn_chain_set_lr(nn_chain *c, float lr)
{
    if (!c) return NN_ERR_ARG;
    if (!c->compiled) return nn_fail_buf(c->err, NN_ERR_STATE, "learning rate: compile the chain first");
    if (!(lr > 0.0f) || !(lr < 1e6f))
        return nn_fail_buf(c->err, NN_ERR_ARG, "learning rate must be positive and below 1e6, got %g", (double)lr);
    c->opt.lr = lr;
    return NN_OK;
}

float nn_chain_get_lr(const nn_chain *c) { return c && c->compiled ? c->opt.lr : 0.0f; }
int nn_chain_loss(const nn_chain *c) { return c && c->compiled ? c->loss : -1; }
int nn_chain_from_logits(const nn_chain *c) { return c ? c->from_logits : 0; }
int nn_chain_metrics(const nn_chain *c, int *ids, int cap)
{
    if (!c || !c->compiled) return 0;
    for (int i = 0; ids && i < c->metrics.n && i < cap; i++) ids[i] = c->metrics.ids[i];
    return c->metrics.n;
}

int nn_chain_compile_encoded(nn_chain *c, const void *buf, size_t len)
{
    if (!c) return NN_ERR_ARG;
    nn_optimizer o;
    nn_name_list metrics;
    int loss, from_logits, st = nn_compile_decode(buf, len, &o, &loss, &from_logits, &metrics, c->err);
    if (st != NN_OK) return st;
    const nn_model *last = last_model(c);
    if (from_logits && last->layers[last->n_layers - 1].act != NN_ACT_LINEAR)
        return nn_fail_buf(c->err, NN_ERR_ARG, "fromLogits needs a linear last layer, the chain ends with %s",
                           nn_act_name(last->layers[last->n_layers - 1].act));
    if ((st = nn_chain_compile(c, &o, (nn_loss)loss)) != NN_OK) return st;
    c->from_logits = from_logits;
    c->metrics = metrics;
    return NN_OK;
}
