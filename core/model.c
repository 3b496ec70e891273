/* model.c - a sequential model: layers, the contiguous parameter/gradient arrays, and the
 * forward/backward passes over them. */
#include "nn_internal.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

int nn_fail_buf(char *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, NN_ERR_LEN, fmt, ap);
        va_end(ap);
    }
    return code;
}

int nn_fail(nn_model *m, int code, const char *fmt, ...)
{
    if (m) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m->err, NN_ERR_LEN, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *nn_model_error(const nn_model *m) { return m ? m->err : "no model (NULL)"; }

const char *nn_status_name(int status)
{
    switch (status) {
    case NN_OK: return "ok";
    case NN_ERR_ARG: return "bad argument";
    case NN_ERR_NOMEM: return "out of memory";
    case NN_ERR_FORMAT: return "bad format";
    case NN_ERR_IO: return "i/o error";
    case NN_ERR_NAN: return "NaN/Inf";
    case NN_ERR_STATE: return "wrong state";
    case NN_STOPPED: return "stopped";
    default: return "unknown status";
    }
}

int nn_shape_size(int rank, const int *shape)
{
    int64_t s = 1;
    for (int i = 0; i < rank; i++) {
        if (shape[i] <= 0) return -1;
        s *= shape[i];
        if (s > NN_MAX_VALUES) return -1;
    }
    return (int)s;
}

nn_model *nn_model_create(int rank, const int *shape, uint32_t seed)
{
    if (rank < 1 || rank > NN_MAX_RANK || !shape || nn_shape_size(rank, shape) <= 0) return NULL;
    nn_model *m = NN_CALLOC(1, sizeof *m);
    if (!m) return NULL;
    m->in_rank = rank;
    memcpy(m->in_shape, shape, (size_t)rank * sizeof(int));
    m->in_size = nn_shape_size(rank, shape);
    m->seed = seed;
    nn_rng_seed(&m->rng, seed);
    m->loss = -1;
    return m;
}

static void free_buffers(nn_model *m)
{
    for (int l = 0; l < m->n_layers; l++)
        if (m->layers[l].ops->release) m->layers[l].ops->release(&m->layers[l]);
    NN_FREE(m->dbuf[0]); NN_FREE(m->dbuf[1]); NN_FREE(m->dy);
    NN_FREE(m->xb); NN_FREE(m->yb);
    m->dbuf[0] = m->dbuf[1] = m->dy = m->xb = m->yb = NULL;
    for (int i = 0; i < 4; i++) { NN_FREE(m->kept[i]); m->kept[i] = NULL; }
    m->kept_cap = 0;
    m->cap = 0;
    m->xb_cap = 0;
}

void nn_model_free(nn_model *m)
{
    if (!m) return;
    free_buffers(m);
    for (int l = 0; l < m->n_layers; l++) NN_FREE(m->layers[l].priv);
    NN_FREE(m->layers);
    NN_FREE(m->params);
    NN_FREE(m->grads);
    NN_FREE(m->opt_m);
    NN_FREE(m->opt_v);
    NN_FREE(m->state);
    NN_FREE(m->aug_tmp);
    nn_prune_free(m);
    NN_FREE(m);
}

/* The shape the next layer receives. */
static void tail_shape(const nn_model *m, int *rank, int *shape)
{
    if (m->n_layers == 0) {
        *rank = m->in_rank;
        memcpy(shape, m->in_shape, sizeof m->in_shape);
    } else {
        const nn_layer *L = &m->layers[m->n_layers - 1];
        *rank = L->out_rank;
        memcpy(shape, L->out_shape, sizeof L->out_shape);
    }
}

static int add_layer(nn_model *m, nn_layer_spec spec);

/* A failed add is remembered, so a chain of adds can be checked once, at compile. */
int nn_model_add(nn_model *m, nn_layer_spec spec)
{
    if (!m) return NN_ERR_ARG;
    int st = add_layer(m, spec);
    if (st != NN_OK) m->add_failed = 1;
    else nn_prune_free(m); /* its masks describe the layers before */
    return st;
}

int nn_model_add_encoded(nn_model *m, const void *buf, size_t len)
{
    if (!m) return NN_ERR_ARG;
    nn_layer_spec s;
    int st = nn_spec_decode(buf, len, &s, m->err);
    if (st != NN_OK) { m->add_failed = 1; return st; }
    return nn_model_add(m, s);
}

/* Layer L's tensors with offsets relative to its own parameters / state; sets the counts. */
static int layer_tensors(nn_layer *L, nn_tensor *t, char *err)
{
    int n = L->ops->tensors ? L->ops->tensors(L, t) : 0;
    uint64_t np = 0, ns = 0;
    for (int i = 0; i < n; i++) {
        uint64_t size = 1;
        for (int d = 0; d < t[i].rank; d++) size *= (uint64_t)(t[i].shape[d] > 0 ? t[i].shape[d] : 0);
        if (size == 0 || size > NN_MAX_TENSOR)
            return nn_fail_buf(err, NN_ERR_ARG, "%s: its %s would hold %llu values (at most %llu)",
                               L->ops->func, t[i].name, (unsigned long long)size,
                               (unsigned long long)NN_MAX_TENSOR);
        uint64_t *at = t[i].state ? &ns : &np;
        t[i].offset = (size_t)*at;
        *at += size;
    }
    L->n_params = (size_t)np;
    L->n_state = (size_t)ns;
    return n;
}

int nn_model_layer_tensors(const nn_model *m, int i, nn_tensor *out)
{
    if (!m || i < 0 || i >= m->n_layers || !out) return 0;
    nn_layer L = m->layers[i]; /* a copy: layer_tensors only recomputes what is already there */
    int n = layer_tensors(&L, out, NULL);
    for (int k = 0; k < n; k++) out[k].offset += out[k].state ? L.s_off : L.p_off;
    return n > 0 ? n : 0;
}

int nn_layer_plan(nn_layer *L, const nn_layer_spec *spec, int in_rank, const int *in_shape, char *err)
{
    int st = nn_spec_validate(spec, err);
    if (st != NN_OK) return st;
    const nn_layer_ops *ops = nn_layer_ops_for(spec->type);
    memset(L, 0, sizeof *L);
    L->spec = *spec;
    L->ops = ops;
    L->in_rank = in_rank;
    memcpy(L->in_shape, in_shape, (size_t)in_rank * sizeof(int));
    L->in_size = nn_shape_size(L->in_rank, L->in_shape);
    st = ops->setup(L, err);
    if (st != NN_OK) return st;
    L->out_size = nn_shape_size(L->out_rank, L->out_shape);
    if (L->out_size <= 0)
        return nn_fail_buf(err, NN_ERR_ARG, "%s: its output shape is empty or holds more than %d values "
                           "per sample", ops->func, NN_MAX_VALUES);
    nn_tensor t[NN_MAX_TENSORS];
    st = layer_tensors(L, t, err);
    return st < 0 ? st : NN_OK;
}

/* Check a spec and set up L after the model's current last layer, allocating nothing. */
static int plan_layer(const nn_model *m, const nn_layer_spec *spec, nn_layer *L, char *err)
{
    int rank, shape[NN_MAX_RANK];
    tail_shape(m, &rank, shape);
    return nn_layer_plan(L, spec, rank, shape, err);
}

void nn_model_release_buffers(nn_model *m) { if (m) free_buffers(m); }

static int add_layer(nn_model *m, nn_layer_spec spec)
{
    nn_layer L;
    int st = plan_layer(m, &spec, &L, m->err);
    if (st == NN_OK) st = nn_layer_take_name(m, &L.spec);
    if (st != NN_OK) return st;
    if (m->n_layers == m->layers_cap) {
        int cap = m->layers_cap ? 2 * m->layers_cap : 8;
        nn_layer *ls = NN_REALLOC(m->layers, (size_t)cap * sizeof *ls);
        if (!ls) return nn_fail(m, NN_ERR_NOMEM, "out of memory adding a layer");
        m->layers = ls;
        m->layers_cap = cap;
    }
    if (L.ops->priv_size && !(L.priv = NN_CALLOC(1, L.ops->priv_size)))
        return nn_fail(m, NN_ERR_NOMEM, "out of memory adding a layer");
    uint64_t need = (uint64_t)m->n_params + L.n_params, need_s = (uint64_t)m->n_state + L.n_state;
    if (need > NN_MAX_PARAMS || need_s > NN_MAX_PARAMS) {
        NN_FREE(L.priv);
        return nn_fail(m, NN_ERR_ARG, "%s is too large: the model would have %llu parameters (at most %llu)",
                       L.ops->func, (unsigned long long)(need > need_s ? need : need_s),
                       (unsigned long long)NN_MAX_PARAMS);
    }
    if (need > m->params_cap) {
        size_t cap = (size_t)(need + need / 2 + 16);
        float *p = NN_REALLOC(m->params, cap * sizeof(float));
        if (!p) { NN_FREE(L.priv); return nn_fail(m, NN_ERR_NOMEM, "out of memory for %llu parameters", (unsigned long long)need); }
        m->params = p;
        float *g = NN_REALLOC(m->grads, cap * sizeof(float));
        if (!g) { /* give the grown params block back: the model stays as it was */
            if (!m->params_cap) { NN_FREE(m->params); m->params = NULL; }
            else { float *q = NN_REALLOC(m->params, m->params_cap * sizeof(float)); if (q) m->params = q; }
            NN_FREE(L.priv);
            return nn_fail(m, NN_ERR_NOMEM, "out of memory for %llu gradients", (unsigned long long)need);
        }
        m->grads = g;
        m->params_cap = cap;
    }
    if (need_s > m->state_cap) {
        size_t cap = (size_t)(need_s + need_s / 2 + 16);
        float *st2 = NN_REALLOC(m->state, cap * sizeof(float));
        if (!st2) { NN_FREE(L.priv); return nn_fail(m, NN_ERR_NOMEM, "out of memory for %llu state values", (unsigned long long)need_s); }
        m->state = st2;
        m->state_cap = cap;
    }
    L.p_off = m->n_params;
    L.s_off = m->n_state;
    L.updates = L.spec.trainable != 0;
    L.state = m->state ? m->state + L.s_off : NULL;
    if (L.ops->init_params) L.ops->init_params(&L, m->params ? m->params + L.p_off : NULL, &m->rng);
    if (L.n_params) memset(m->grads + L.p_off, 0, L.n_params * sizeof(float));
    m->layers[m->n_layers++] = L;
    m->n_params = (size_t)need;
    m->n_state = (size_t)need_s;
    /* the new layer has no caches yet, and optimizer state no longer matches */
    if (m->cap || m->xb_cap) free_buffers(m);
    m->compiled = 0;
    m->err[0] = 0;
    return NN_OK;
}

int nn_model_check_layers(const nn_model *m, const nn_layer_spec *specs, int n, uint64_t *n_params,
                          uint64_t *n_state, char *err)
{
    /* a scratch model that only tracks the tail shape: plan each layer as add would */
    nn_model t;
    memset(&t, 0, sizeof t);
    t.in_rank = m->in_rank;
    memcpy(t.in_shape, m->in_shape, sizeof t.in_shape);
    t.in_size = m->in_size;
    nn_layer Ls[2], L; /* the previous layer (the next one's input) and the current one */
    uint64_t np = 0, ns = 0;
    for (int i = 0; i < n; i++) {
        char msg[NN_ERR_LEN];
        t.layers = &Ls[(i + 1) & 1];
        t.n_layers = i ? 1 : 0;
        int st = plan_layer(&t, &specs[i], &L, msg);
        Ls[i & 1] = L;
        if (st != NN_OK) return nn_fail_buf(err, st, "layer %d: %s", i, msg);
        np += L.n_params;
        ns += L.n_state;
        if (np > NN_MAX_PARAMS || ns > NN_MAX_PARAMS)
            return nn_fail_buf(err, NN_ERR_ARG, "layer %d: more than %llu parameters", i,
                               (unsigned long long)NN_MAX_PARAMS);
    }
    *n_params = np;
    *n_state = ns;
    return NN_OK;
}

static int check_optimizer(nn_model *m, const nn_optimizer *o) { return nn_optimizer_usable(o, m->err); }

/* Allocate optimizer state for the current optimizer (zeroed, AdaGrad's at its initial value). */
static int alloc_opt_state(nn_model *m)
{
    NN_FREE(m->opt_m); NN_FREE(m->opt_v);
    m->opt_m = m->opt_v = NULL;
    int k = nn_optim_state_arrays(m->opt.type, m->opt.momentum);
    size_t n = m->n_params ? m->n_params : 1;
    if (k >= 1 && !(m->opt_m = NN_CALLOC(n, sizeof(float)))) return NN_ERR_NOMEM;
    if (k >= 2 && !(m->opt_v = NN_CALLOC(n, sizeof(float)))) return NN_ERR_NOMEM;
    if (m->opt.type == NN_OPT_ADAGRAD)
        for (size_t i = 0; i < m->n_params; i++) m->opt_m[i] = m->opt.initial_accumulator;
    return NN_OK;
}

int nn_model_compile(nn_model *m, const nn_optimizer *opt, nn_loss loss)
{
    if (!m) return NN_ERR_ARG;
    if (!opt) return nn_fail(m, NN_ERR_ARG, "compile: no optimizer given");
    if (m->add_failed)
        return nn_fail(m, NN_ERR_STATE, "compile: a layer could not be added, so the model is "
                       "incomplete (%s)", m->err[0] ? m->err : "see the add that failed");
    if (m->n_layers == 0) return nn_fail(m, NN_ERR_STATE, "compile: the model has no layers");
    if ((int)loss < 0 || loss >= NN_LOSS_COUNT)
        return nn_fail(m, NN_ERR_ARG, "compile: unknown loss id %d", (int)loss);
    int st = check_optimizer(m, opt);
    if (st != NN_OK) return st;
    int k = nn_model_output_row_size(m);
    if ((loss == NN_LOSS_CCE || loss == NN_LOSS_SCCE) && k < 2)
        return nn_fail(m, NN_ERR_ARG, "compile: %s needs at least 2 output units, the model has %d",
                       nn_loss_name(loss), k);
    m->opt = *opt;
    m->loss = loss;
    memset(&m->metrics, 0, sizeof m->metrics); /* Keras: a compile lists its own (compile_encoded sets them) */
    m->step = 0;
    if (alloc_opt_state(m) != NN_OK) return nn_fail(m, NN_ERR_NOMEM, "compile: out of memory");
    for (int l = 0; l < m->n_layers; l++) m->layers[l].updates = m->layers[l].spec.trainable != 0;
    m->compiled = 1;
    m->err[0] = 0;
    return NN_OK;
}

int nn_model_set_trainable(nn_model *m, int i, int trainable)
{
    if (!m) return NN_ERR_ARG;
    if (i < -1 || i >= m->n_layers)
        return nn_fail(m, NN_ERR_ARG, "trainable: no layer %d (the model has %d)", i, m->n_layers);
    for (int l = i < 0 ? 0 : i; l < (i < 0 ? m->n_layers : i + 1); l++) m->layers[l].spec.trainable = trainable != 0;
    return NN_OK;
}

int nn_model_layer_trainable(const nn_model *m, int i)
{
    return m && i >= 0 && i < m->n_layers ? m->layers[i].spec.trainable != 0 : 0;
}

int nn_model_set_from_logits(nn_model *m, int from_logits)
{
    if (!m) return NN_ERR_ARG;
    if (from_logits && m->n_layers && m->layers[m->n_layers - 1].act != NN_ACT_LINEAR)
        return nn_fail(m, NN_ERR_ARG, "fromLogits needs a linear last layer, it has %s",
                       nn_act_name(m->layers[m->n_layers - 1].act));
    m->from_logits = from_logits != 0;
    return NN_OK;
}

int nn_model_input_size(const nn_model *m) { return m ? m->in_size : 0; }

int nn_model_output_size(const nn_model *m)
{
    if (!m) return 0;
    return m->n_layers ? m->layers[m->n_layers - 1].out_size : m->in_size;
}

int nn_model_input_shape(const nn_model *m, int *shape)
{
    if (!m) return 0;
    if (shape) memcpy(shape, m->in_shape, (size_t)m->in_rank * sizeof(int));
    return m->in_rank;
}

int nn_model_num_layers(const nn_model *m) { return m ? m->n_layers : 0; }

const nn_layer_spec *nn_model_layer_spec(const nn_model *m, int i)
{
    return m && i >= 0 && i < m->n_layers ? &m->layers[i].spec : NULL;
}

int nn_model_layer_output_shape(const nn_model *m, int i, int *shape)
{
    if (!m || i < 0 || i >= m->n_layers) return 0;
    if (shape) memcpy(shape, m->layers[i].out_shape, (size_t)m->layers[i].out_rank * sizeof(int));
    return m->layers[i].out_rank;
}

size_t nn_model_layer_num_params(const nn_model *m, int i)
{
    return m && i >= 0 && i < m->n_layers ? m->layers[i].n_params : 0;
}

size_t nn_model_layer_param_offset(const nn_model *m, int i)
{
    return m && i >= 0 && i < m->n_layers ? m->layers[i].p_off : 0;
}

size_t nn_model_num_params(const nn_model *m) { return m ? m->n_params : 0; }
size_t nn_model_num_state(const nn_model *m) { return m ? m->n_state : 0; }
float *nn_model_state(nn_model *m) { return m ? m->state : NULL; }

size_t nn_model_layer_num_state(const nn_model *m, int i)
{
    return m && i >= 0 && i < m->n_layers ? m->layers[i].n_state : 0;
}

size_t nn_model_layer_state_offset(const nn_model *m, int i)
{
    return m && i >= 0 && i < m->n_layers ? m->layers[i].s_off : 0;
}
float *nn_model_params(nn_model *m) { return m ? m->params : NULL; }
float *nn_model_grads(nn_model *m) { return m ? m->grads : NULL; }
int nn_model_loss(const nn_model *m) { return m ? m->loss : -1; }
int nn_model_from_logits(const nn_model *m) { return m ? m->from_logits : 0; }
const nn_optimizer *nn_model_optimizer(const nn_model *m) { return m && m->compiled ? &m->opt : NULL; }
uint64_t nn_model_step_count(const nn_model *m) { return m ? m->step : 0; }

int nn_model_set_lr(nn_model *m, float lr)
{
    if (!m) return NN_ERR_ARG;
    if (!(lr > 0.0f) || !(lr < 1e6f))
        return nn_fail(m, NN_ERR_ARG, "learning rate must be positive and below 1e6, got %g", (double)lr);
    m->opt.lr = lr;
    return NN_OK;
}

float nn_model_get_lr(const nn_model *m) { return m ? m->opt.lr : 0.0f; }

int nn_model_reserve(nn_model *m, int cap)
{
    if (cap <= m->cap) return NN_OK;
    uint64_t maxw = (uint64_t)m->in_size;
    for (int l = 0; l < m->n_layers; l++)
        if ((uint64_t)m->layers[l].out_size > maxw) maxw = (uint64_t)m->layers[l].out_size;
    /* 64-bit: in wasm, cap x a few million values per sample passes 4 GiB and would wrap */
    if ((uint64_t)cap * maxw * sizeof(float) > NN_MAX_BUFFER)
        return nn_fail(m, NN_ERR_ARG, "a batch of %d samples is too large: a layer's values would take "
                       "%llu MB (at most %llu MB per buffer); use a smaller batch", cap,
                       (unsigned long long)((uint64_t)cap * maxw * sizeof(float) >> 20),
                       (unsigned long long)(NN_MAX_BUFFER >> 20));
    for (int l = 0; l < m->n_layers; l++) {
        nn_layer *L = &m->layers[l];
        if (L->ops->reserve && L->ops->reserve(L, cap) != NN_OK) goto oom;
        L->cap = cap;
    }
    uint64_t n = (uint64_t)cap * maxw;
    if (nn_grow(&m->dbuf[0], n) || nn_grow(&m->dbuf[1], n) ||
        nn_grow(&m->dy, (uint64_t)cap * (uint64_t)nn_model_output_size(m)))
        goto oom;
    m->dbuf_len = (size_t)n;
    m->cap = cap;
    return NN_OK;
oom:
    free_buffers(m); /* leave a consistent, empty cache rather than a half-grown one */
    return nn_fail(m, NN_ERR_NOMEM, "out of memory for a batch of %d samples", cap);
}

/* A layer's slice of the parameter (or gradient) array; NULL while a model has no parameters
 * (no pointer arithmetic on NULL). */
static float *layer_params(float *all, const nn_layer *L) { return all ? all + L->p_off : NULL; }

static const char *const dtype_list[NN_DTYPE_COUNT] = {"float32", "int32", "uint16", "uint8"};
const nn_names nn_dtype_names = {"dtypes", "dtype", NN_DTYPE_COUNT, dtype_list, 0, NULL};

int nn_model_check_dtype(nn_model *m, const char *what, int dtype)
{
    if (dtype < 0 || dtype >= NN_DTYPE_COUNT) return nn_fail(m, NN_ERR_ARG, "%s: unknown input type id %d", what, dtype);
    if (dtype != NN_DTYPE_FLOAT32 && m->n_layers && !m->layers[0].ops->int_input)
        return nn_fail(m, NN_ERR_ARG, "%s: %s inputs are token ids for a first layer that reads them (an embedding); "
                       "this model starts with %s, give it float32 inputs", what, dtype_list[dtype],
                       m->layers[0].ops->func);
    return NN_OK;
}

int nn_model_forward(nn_model *m, const float *x, int n, int training)
{
    return nn_model_forward_typed(m, x, NN_DTYPE_FLOAT32, n, training);
}

int nn_model_forward_typed(nn_model *m, const void *x, nn_dtype dtype, int n, int training)
{
    if (!m) return NN_ERR_ARG;
    if (!x || n <= 0) return nn_fail(m, NN_ERR_ARG, "forward: need at least one sample");
    if (m->n_layers == 0) return nn_fail(m, NN_ERR_STATE, "forward: the model has no layers");
    int st = nn_model_check_dtype(m, "forward", dtype);
    if (st != NN_OK) return st;
    if ((st = nn_model_reserve(m, n)) != NN_OK) return st;
    const int ids = dtype != NN_DTYPE_FLOAT32;
    const float *in = ids ? NULL : x, *mask = NULL;
    m->layers[0].ids = ids ? x : NULL;
    m->layers[0].ids_dtype = dtype;
    for (int l = 0; l < m->n_layers; l++) {
        nn_layer *L = &m->layers[l];
        L->state = m->state ? m->state + L->s_off : NULL; /* the array may have moved */
        L->mask_in = mask;
        L->mask = NULL;
        L->ops->forward(L, layer_params(m->params, L), in, n, training, &m->rng);
        /* a step mask goes on while the step axis does ([steps, ...] in and out) */
        if (!L->mask && mask && L->in_rank == 2 && L->out_rank == 2 && L->out_shape[0] == L->in_shape[0])
            L->mask = mask;
        mask = L->mask;
        in = L->y;
    }
    m->last_n = n;
    m->last_x = x;
    m->last_dtype = dtype;
    return NN_OK;
}

const float *nn_model_output(const nn_model *m)
{
    return m && m->n_layers && m->last_n ? m->layers[m->n_layers - 1].y : NULL;
}

/* Backward with the last layer told whether dy is w.r.t. its pre-activation; x: the float input,
 * or NULL when the first layer was given ids (it reads them from L->ids). */
static int backward(nn_model *m, const float *x, const float *dy, float *dx, int fused)
{
    int n = m->last_n;
    const float *d = dy;
    for (int l = m->n_layers - 1; l >= 0; l--) {
        nn_layer *L = &m->layers[l];
        const float *in = l ? m->layers[l - 1].y : x;
        float *out = l ? m->dbuf[l & 1] : dx;
        L->grad_is_preact = fused && l == m->n_layers - 1;
        L->ops->backward(L, layer_params(m->params, L), layer_params(m->grads, L), in, d, out, n);
        L->grad_is_preact = 0;
        d = out;
    }
    return NN_OK;
}

int nn_model_backward_fused(nn_model *m, const float *dy, float *dx, int fused)
{
    if (!m) return NN_ERR_ARG;
    if (!m->last_n || !m->last_x) return nn_fail(m, NN_ERR_STATE, "backward: call forward first");
    if (!dy) return nn_fail(m, NN_ERR_ARG, "backward: no gradient given");
    return backward(m, m->last_dtype == NN_DTYPE_FLOAT32 ? m->last_x : NULL, dy, dx, fused);
}

int nn_model_backward(nn_model *m, const float *dy, float *dx)
{
    return nn_model_backward_fused(m, dy, dx, 0);
}

void nn_model_zero_grads(nn_model *m)
{
    if (m && m->grads) memset(m->grads, 0, m->n_params * sizeof(float));
}

static void step_range(nn_model *m, const nn_optimizer *o, uint64_t t, float *om, float *ov, size_t at, size_t len)
{
    if (len) nn_optim_step(o, t, m->params + at, m->grads + at, om ? om + at : NULL, ov ? ov + at : NULL, len);
}

void nn_step_layers(nn_model *m, const nn_optimizer *o, uint64_t t, float *om, float *ov, const unsigned char *updates)
{
    /* one pass per run of consecutive updated layers (one pass in all when nothing is frozen) */
    size_t at = 0, len = 0;
    for (int l = 0; l < m->n_layers; l++) {
        const nn_layer *L = &m->layers[l];
        int up = updates ? updates[l] : L->updates;
        if (!L->n_params) continue;
        if (up && len && at + len == L->p_off) { len += L->n_params; continue; }
        step_range(m, o, t, om, ov, at, len);
        at = L->p_off;
        len = up ? L->n_params : 0;
    }
    step_range(m, o, t, om, ov, at, len);
}

int nn_model_apply_grads(nn_model *m)
{
    if (!m) return NN_ERR_ARG;
    if (!m->compiled) return nn_fail(m, NN_ERR_STATE, "the model is not compiled");
    nn_regularization(m, m->grads);
    nn_clip_grads(m, &m->opt);
    m->step++;
    nn_step_layers(m, &m->opt, m->step, m->opt_m, m->opt_v, NULL);
    if (m->prune) nn_prune_after_step(m); /* pruned weights stay 0 */
    return NN_OK;
}

size_t nn_model_summary(const nn_model *m, char *buf, size_t cap)
{
    size_t len = 0;
    char line[160];
#define EMIT(...) do { int k_ = snprintf(line, sizeof line, __VA_ARGS__); \
        if (k_ > 0) { if (buf && len + 1 < cap) { size_t c_ = cap - len - 1; \
        memcpy(buf + len, line, (size_t)k_ < c_ ? (size_t)k_ : c_); } len += (size_t)k_; } } while (0)
    if (!m) return 0;
    EMIT("%-28s %-20s %10s\n", "Layer (type)", "Output shape", "Param #");
    EMIT("%.60s\n", "============================================================");
    for (int l = 0; l < m->n_layers; l++) {
        const nn_layer *L = &m->layers[l];
        char name[NN_LAYER_NAME + 32], shape[40];
        snprintf(name, sizeof name, "%s (%s)", L->spec.name, L->ops->name); /* Keras's "dense (Dense)" */
        int o = snprintf(shape, sizeof shape, "[null");
        for (int i = 0; i < L->out_rank && o < (int)sizeof shape; i++)
            o += snprintf(shape + o, sizeof shape - (size_t)o, ",%d", L->out_shape[i]);
        if (o < (int)sizeof shape) snprintf(shape + o, sizeof shape - (size_t)o, "]");
        EMIT("%-28s %-20s %10zu\n", name, shape, L->n_params + L->n_state);
    }
    EMIT("%.60s\n", "============================================================");
    /* Keras counts non-trainable weights (batchnorm's moving statistics) in the total */
    EMIT("Total params: %zu\n", m->n_params + m->n_state);
    size_t frozen = 0;
    for (int l = 0; l < m->n_layers; l++) frozen += m->layers[l].spec.trainable ? 0 : m->layers[l].n_params;
    if (m->n_state || frozen) { /* and frozen layers' weights among the non-trainable ones */
        EMIT("Trainable params: %zu\n", m->n_params - frozen);
        EMIT("Non-trainable params: %zu\n", m->n_state + frozen);
    }
    uint64_t pstep, pw = 0, pz = 0;
    if (nn_model_pruning(m, NULL, &pstep)) { /* TF MOT's wrapped layers show in its summary; here a line */
        for (int l = 0; l < m->n_layers; l++) {
            uint64_t w, z;
            if (nn_model_layer_sparsity(m, l, &w, &z) == 1) { pw += w; pz += z; }
        }
        EMIT("Pruning: step %llu, %.1f%% of %llu pruned weights are 0\n", (unsigned long long)pstep,
             pw ? 100.0 * (double)pz / (double)pw : 0.0, (unsigned long long)pw);
    }
#undef EMIT
    if (buf && cap) buf[len < cap ? len : cap - 1] = 0;
    return len;
}
