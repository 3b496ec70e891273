/* model.c - a sequential model: layers, the contiguous parameter/gradient arrays, and the
 * forward/backward passes over them. */
#include "nn_internal.h"
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
    long s = 1;
    for (int i = 0; i < rank; i++) {
        if (shape[i] <= 0) return -1;
        s *= shape[i];
        if (s > (1 << 28)) return -1;
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
    m->cap = 0;
    m->xb_cap = 0;
}

void nn_model_free(nn_model *m)
{
    if (!m) return;
    free_buffers(m);
    NN_FREE(m->layers);
    NN_FREE(m->params);
    NN_FREE(m->grads);
    NN_FREE(m->opt_m);
    NN_FREE(m->opt_v);
    NN_FREE(m->state);
    NN_FREE(m->aug_tmp);
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

/* base + off, where base is NULL while no layer has parameters (NULL + 0 is undefined in C). */
static float *at(float *base, size_t off) { return base ? base + off : NULL; }

/* A failed add is remembered, so a chain of adds can be checked once, at compile. */
int nn_model_add(nn_model *m, nn_layer_spec spec)
{
    if (!m) return NN_ERR_ARG;
    int st = add_layer(m, spec);
    if (st != NN_OK) m->add_failed = 1;
    return st;
}

static int add_layer(nn_model *m, nn_layer_spec spec)
{
    const nn_layer_ops *ops = nn_layer_ops_for(spec.type);
    if (!ops) return nn_fail(m, NN_ERR_ARG, "unknown layer type %d", spec.type);
    nn_layer L;
    memset(&L, 0, sizeof L);
    L.spec = spec;
    L.ops = ops;
    tail_shape(m, &L.in_rank, L.in_shape);
    L.in_size = nn_shape_size(L.in_rank, L.in_shape);
    int st = ops->setup(&L, m->err);
    if (st != NN_OK) return st;
    L.out_size = nn_shape_size(L.out_rank, L.out_shape);
    if (L.out_size <= 0) return nn_fail(m, NN_ERR_ARG, "%s: output shape is empty", ops->name);

    if (m->n_layers == m->layers_cap) {
        int cap = m->layers_cap ? 2 * m->layers_cap : 8;
        nn_layer *ls = NN_REALLOC(m->layers, (size_t)cap * sizeof *ls);
        if (!ls) return nn_fail(m, NN_ERR_NOMEM, "out of memory adding a layer");
        m->layers = ls;
        m->layers_cap = cap;
    }
    size_t need = m->n_params + L.n_params;
    if (need > m->params_cap) {
        size_t cap = need + need / 2 + 16;
        float *p = NN_REALLOC(m->params, cap * sizeof(float));
        if (!p) return nn_fail(m, NN_ERR_NOMEM, "out of memory for %zu parameters", need);
        m->params = p;
        float *g = NN_REALLOC(m->grads, cap * sizeof(float));
        if (!g) { /* give the grown params block back: the model stays as it was */
            if (!m->params_cap) { NN_FREE(m->params); m->params = NULL; }
            else { float *q = NN_REALLOC(m->params, m->params_cap * sizeof(float)); if (q) m->params = q; }
            return nn_fail(m, NN_ERR_NOMEM, "out of memory for %zu gradients", need);
        }
        m->grads = g;
        m->params_cap = cap;
    }
    size_t need_s = m->n_state + L.n_state;
    if (need_s > m->state_cap) {
        float *st2 = NN_REALLOC(m->state, need_s * sizeof(float));
        if (!st2) return nn_fail(m, NN_ERR_NOMEM, "out of memory for %zu state values", need_s);
        m->state = st2;
        m->state_cap = need_s;
    }
    L.p_off = m->n_params;
    L.s_off = m->n_state;
    L.state = m->state ? m->state + L.s_off : NULL;
    if (ops->init_params) ops->init_params(&L, at(m->params, L.p_off), &m->rng);
    if (L.n_params) memset(m->grads + L.p_off, 0, L.n_params * sizeof(float));
    m->layers[m->n_layers++] = L;
    m->n_params = need;
    m->n_state = need_s;
    /* the new layer has no caches yet, and optimizer state no longer matches */
    free_buffers(m);
    m->compiled = 0;
    m->err[0] = 0;
    return NN_OK;
}

static int check_optimizer(nn_model *m, const nn_optimizer *o)
{
    if (o->type < 0 || o->type >= NN_OPT_COUNT)
        return nn_fail(m, NN_ERR_ARG, "unknown optimizer id %d", o->type);
    if (!(o->lr > 0.0f) || !(o->lr < 1e6f))
        return nn_fail(m, NN_ERR_ARG, "learning rate must be positive and below 1e6, got %g",
                       (double)o->lr);
    if (!(o->momentum >= 0.0f && o->momentum < 1.0f))
        return nn_fail(m, NN_ERR_ARG, "momentum must be in [0, 1), got %g", (double)o->momentum);
    if (!(o->beta1 >= 0.0f && o->beta1 < 1.0f && o->beta2 >= 0.0f && o->beta2 < 1.0f))
        return nn_fail(m, NN_ERR_ARG, "Adam betas must be in [0, 1)");
    if (!(o->rho >= 0.0f && o->rho < 1.0f))
        return nn_fail(m, NN_ERR_ARG, "RMSprop rho must be in [0, 1), got %g", (double)o->rho);
    if (!(o->eps > 0.0f)) return nn_fail(m, NN_ERR_ARG, "epsilon must be positive");
    return NN_OK;
}

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
    int k = nn_model_output_size(m);
    if ((loss == NN_LOSS_CCE || loss == NN_LOSS_SCCE) && k < 2)
        return nn_fail(m, NN_ERR_ARG, "compile: %s needs at least 2 output units, the model has %d",
                       nn_loss_name(loss), k);
    m->opt = *opt;
    m->loss = loss;
    m->step = 0;
    if (alloc_opt_state(m) != NN_OK) return nn_fail(m, NN_ERR_NOMEM, "compile: out of memory");
    m->compiled = 1;
    m->err[0] = 0;
    return NN_OK;
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
    size_t maxw = (size_t)m->in_size;
    for (int l = 0; l < m->n_layers; l++) {
        nn_layer *L = &m->layers[l];
        if (L->ops->reserve && L->ops->reserve(L, cap) != NN_OK) goto oom;
        L->cap = cap;
        if ((size_t)L->out_size > maxw) maxw = (size_t)L->out_size;
    }
    size_t n = (size_t)cap * maxw;
    for (int i = 0; i < 2; i++) {
        float *d = NN_REALLOC(m->dbuf[i], n * sizeof(float));
        if (!d) goto oom;
        m->dbuf[i] = d;
    }
    float *dy = NN_REALLOC(m->dy, (size_t)cap * nn_model_output_size(m) * sizeof(float));
    if (!dy) goto oom;
    m->dy = dy;
    m->dbuf_len = n;
    m->cap = cap;
    return NN_OK;
oom:
    free_buffers(m); /* leave a consistent, empty cache rather than a half-grown one */
    return nn_fail(m, NN_ERR_NOMEM, "out of memory for a batch of %d samples", cap);
}

int nn_model_forward(nn_model *m, const float *x, int n, int training)
{
    if (!m) return NN_ERR_ARG;
    if (!x || n <= 0) return nn_fail(m, NN_ERR_ARG, "forward: need at least one sample");
    if (m->n_layers == 0) return nn_fail(m, NN_ERR_STATE, "forward: the model has no layers");
    int st = nn_model_reserve(m, n);
    if (st != NN_OK) return st;
    const float *in = x;
    for (int l = 0; l < m->n_layers; l++) {
        nn_layer *L = &m->layers[l];
        L->state = m->state ? m->state + L->s_off : NULL; /* the array may have moved */
        L->ops->forward(L, at(m->params, L->p_off), in, n, training, &m->rng);
        in = L->y;
    }
    m->last_n = n;
    m->last_x = x;
    return NN_OK;
}

const float *nn_model_output(const nn_model *m)
{
    return m && m->n_layers && m->last_n ? m->layers[m->n_layers - 1].y : NULL;
}

/* Backward with the last layer told whether dy is w.r.t. its pre-activation. */
static int backward(nn_model *m, const float *x, const float *dy, float *dx, int fused)
{
    int n = m->last_n;
    const float *d = dy;
    for (int l = m->n_layers - 1; l >= 0; l--) {
        nn_layer *L = &m->layers[l];
        const float *in = l ? m->layers[l - 1].y : x;
        float *out = l ? m->dbuf[l & 1] : dx;
        L->grad_is_preact = fused && l == m->n_layers - 1;
        L->ops->backward(L, at(m->params, L->p_off), at(m->grads, L->p_off), in, d, out, n);
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
    return backward(m, m->last_x, dy, dx, fused);
}

int nn_model_backward(nn_model *m, const float *dy, float *dx)
{
    return nn_model_backward_fused(m, dy, dx, 0);
}

void nn_model_zero_grads(nn_model *m)
{
    if (m && m->grads) memset(m->grads, 0, m->n_params * sizeof(float));
}

int nn_model_apply_grads(nn_model *m)
{
    if (!m) return NN_ERR_ARG;
    if (!m->compiled) return nn_fail(m, NN_ERR_STATE, "the model is not compiled");
    nn_regularization(m, m->grads);
    m->step++;
    nn_optim_step(&m->opt, m->step, m->params, m->grads, m->opt_m, m->opt_v, m->n_params);
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
        char name[64], shape[40];
        snprintf(name, sizeof name, "%s_%d (%s)", L->ops->name, l + 1, L->ops->name);
        int o = snprintf(shape, sizeof shape, "[null");
        for (int i = 0; i < L->out_rank && o < (int)sizeof shape; i++)
            o += snprintf(shape + o, sizeof shape - (size_t)o, ",%d", L->out_shape[i]);
        if (o < (int)sizeof shape) snprintf(shape + o, sizeof shape - (size_t)o, "]");
        EMIT("%-28s %-20s %10zu\n", name, shape, L->n_params + L->n_state);
    }
    EMIT("%.60s\n", "============================================================");
    /* Keras counts non-trainable weights (batchnorm's moving statistics) in the total */
    EMIT("Total params: %zu\n", m->n_params + m->n_state);
    if (m->n_state) {
        EMIT("Trainable params: %zu\n", m->n_params);
        EMIT("Non-trainable params: %zu\n", m->n_state);
    }
#undef EMIT
    if (buf && cap) buf[len < cap ? len : cap - 1] = 0;
    return len;
}
