/* optim.c - optimizers: one loop over the model's whole parameter array. */
#include "kernels.h"
#include "nn_internal.h"
#include <math.h>
#include <string.h>

static nn_optimizer opt_base(int type, float lr)
{
    nn_optimizer o = {0};
    o.type = type;
    o.lr = lr;
    o.beta1 = 0.9f;
    o.beta2 = 0.999f;
    o.rho = 0.9f;
    o.eps = 1e-7f; /* TF.js's backend epsilon */
    o.initial_accumulator = 0.1f;
    return o;
}

nn_optimizer nn_sgd(float lr) { return opt_base(NN_OPT_SGD, lr); }
nn_optimizer nn_adam(float lr) { return opt_base(NN_OPT_ADAM, lr); }
nn_optimizer nn_rmsprop(float lr) { return opt_base(NN_OPT_RMSPROP, lr); }
nn_optimizer nn_adagrad(float lr) { return opt_base(NN_OPT_ADAGRAD, lr); }

nn_optimizer nn_momentum(float lr, float momentum, int nesterov)
{
    nn_optimizer o = opt_base(NN_OPT_SGD, lr);
    o.momentum = momentum;
    o.nesterov = nesterov;
    return o;
}

int nn_optim_state_arrays(int type, float momentum)
{
    switch (type) {
    case NN_OPT_ADAM: return 2;
    case NN_OPT_RMSPROP: return momentum != 0.0f ? 2 : 1;
    case NN_OPT_ADAGRAD: return 1;
    default: return momentum != 0.0f ? 1 : 0;
    }
}

void nn_optim_step(const nn_optimizer *o, uint64_t t, float *w, const float *g, float *s1,
                   float *s2, size_t n)
{
    float lr = o->lr, eps = o->eps;
    switch (o->type) {
    case NN_OPT_ADAM: { /* m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr mhat/(sqrt(vhat)+eps) */
        float b1 = o->beta1, b2 = o->beta2;
        float c1 = 1.0f / (1.0f - (float)pow(b1, (double)t));
        float c2 = 1.0f / (1.0f - (float)pow(b2, (double)t));
        nn_adam_update(n, lr, b1, b2, c1, c2, eps, w, g, s1, s2);
        break;
    }
    case NN_OPT_RMSPROP: { /* s = rho s + (1-rho) g^2; step = lr g/(sqrt(s)+eps) (+ momentum) */
        float rho = o->rho, mu = o->momentum;
        for (size_t i = 0; i < n; i++) {
            float s = s1[i] = rho * s1[i] + (1.0f - rho) * g[i] * g[i];
            float step = lr * g[i] / (sqrtf(s) + eps);
            if (mu != 0.0f) step = s2[i] = mu * s2[i] + step;
            w[i] -= step;
        }
        break;
    }
    case NN_OPT_ADAGRAD: /* s += g^2; w -= lr g/(sqrt(s)+eps) */
        for (size_t i = 0; i < n; i++) {
            float s = s1[i] += g[i] * g[i];
            w[i] -= lr * g[i] / (sqrtf(s) + eps);
        }
        break;
    default: { /* SGD; momentum v = mu v - lr g; w += v, or Nesterov w += mu v - lr g */
        float mu = o->momentum;
        if (mu == 0.0f) {
            for (size_t i = 0; i < n; i++) w[i] -= lr * g[i];
        } else {
            for (size_t i = 0; i < n; i++) {
                float v = s1[i] = mu * s1[i] - lr * g[i];
                w[i] += o->nesterov ? mu * v - lr * g[i] : v;
            }
        }
    }
    }
}

static size_t tensor_size(const nn_tensor *t)
{
    size_t size = 1;
    for (int d = 0; d < t->rank; d++) size *= (size_t)t->shape[d];
    return size;
}

/* Over the tensors a layer marks regularized: a kernel (a Bidirectional's two kernels). */
double nn_regularization(nn_model *m, float *g)
{
    double pen = 0.0;
    for (int l = 0; l < m->n_layers; l++) {
        float l1 = m->layers[l].l1, l2 = m->layers[l].l2;
        if (l1 == 0.0f && l2 == 0.0f) continue;
        nn_tensor t[NN_MAX_TENSORS];
        int n = nn_model_layer_tensors(m, l, t);
        for (int k = 0; k < n; k++) {
            if (!t[k].regularized || t[k].state) continue;
            const float *w = m->params + t[k].offset;
            float *gw = g ? g + t[k].offset : NULL;
            for (size_t i = 0, size = tensor_size(&t[k]); i < size; i++) { /* l1 |w| + l2 w^2 */
                pen += l1 * fabsf(w[i]) + l2 * w[i] * w[i];
                if (gw) gw[i] += l1 * (w[i] > 0.0f ? 1.0f : (w[i] < 0.0f ? -1.0f : 0.0f)) + 2.0f * l2 * w[i];
            }
        }
    }
    return pen;
}

static const char *const opt_list[NN_OPT_COUNT] = {"sgd", "adam", "rmsprop", "adagrad"};
static const nn_alias opt_aliases[] = {{"momentum", NN_OPT_SGD}};
const nn_names nn_opt_names = {"optimizers", "optimizer", NN_OPT_COUNT, opt_list, NN_COUNT_OF(opt_aliases), opt_aliases};

int nn_opt_from_name(const char *name) { return nn_names_find(&nn_opt_names, name); }
const char *nn_opt_name(int opt) { return nn_names_get(&nn_opt_names, opt); }

/* ---- compile settings in the key/value encoding (files, the JS API's compile) ---- */
typedef struct { nn_optimizer opt; int loss, from_logits; nn_name_list metrics; } compile_cfg;
enum { C_OPTIMIZER, C_LR, C_METRICS = 13 };
static const nn_option compile_options[] = {
    [C_OPTIMIZER] = {"optimizer", NN_KIND_ENUM, 1, NN_OPT_SGD, 0, 0, 0, &nn_opt_names,
                     offsetof(compile_cfg, opt.type), NULL, "sgd, adam, rmsprop or adagrad"},
    [C_LR] = {"learningRate", NN_KIND_FLOAT, 1, 0.01, 0, 1e6, NN_OPTION_HI_OPEN, NULL,
              offsetof(compile_cfg, opt.lr), NULL, "step size (default: the optimizer's, as TF.js)"},
    {"momentum", NN_KIND_FLOAT, 1, 0, 0, 1, NN_OPTION_HI_OPEN, NULL, offsetof(compile_cfg, opt.momentum),
     NULL, "SGD / RMSprop momentum"},
    {"nesterov", NN_KIND_BOOL, 1, 0, 0, 1, 0, NULL, offsetof(compile_cfg, opt.nesterov), NULL,
     "SGD: Nesterov momentum"},
    {"beta1", NN_KIND_FLOAT, 1, 0.9, 0, 1, NN_OPTION_HI_OPEN, NULL, offsetof(compile_cfg, opt.beta1), NULL,
     "Adam: first moment decay"},
    {"beta2", NN_KIND_FLOAT, 1, 0.999, 0, 1, NN_OPTION_HI_OPEN, NULL, offsetof(compile_cfg, opt.beta2), NULL,
     "Adam: second moment decay"},
    {"rho", NN_KIND_FLOAT, 1, 0.9, 0, 1, NN_OPTION_HI_OPEN, NULL, offsetof(compile_cfg, opt.rho), NULL,
     "RMSprop: decay"},
    {"epsilon", NN_KIND_FLOAT, 1, 1e-7, 1e-30, 1, 0, NULL, offsetof(compile_cfg, opt.eps), NULL,
     "Adam / RMSprop / AdaGrad: added to the denominator"},
    {"initialAccumulatorValue", NN_KIND_FLOAT, 1, 0.1, 0, 1e6, 0, NULL,
     offsetof(compile_cfg, opt.initial_accumulator), NULL, "AdaGrad: starting accumulator"},
    {"clipNorm", NN_KIND_FLOAT, 1, 0, 0, 1e30, 0, NULL, offsetof(compile_cfg, opt.clip_norm), NULL,
     "each weight tensor's gradient scaled to at most this L2 norm (0: off; Keras clipnorm)"},
    {"clipValue", NN_KIND_FLOAT, 1, 0, 0, 1e30, 0, NULL, offsetof(compile_cfg, opt.clip_value), NULL,
     "each gradient value clamped to +-clipValue (0: off; Keras clipvalue)"},
    {"loss", NN_KIND_ENUM, 1, 0, 0, 0, NN_OPTION_REQUIRED, &nn_loss_names, offsetof(compile_cfg, loss),
     NULL, "the loss to minimize"},
    {"fromLogits", NN_KIND_BOOL, 1, 0, 0, 1, 0, NULL, offsetof(compile_cfg, from_logits), NULL,
     "the output is logits (a linear last layer)"},
    /* ids from 1: the loss is always reported; written only when compile listed metrics, so a
     * model compiled without them saves as before */
    [C_METRICS] = {"metrics", NN_KIND_NAMES, NN_MAX_METRICS, 0, NN_METRIC_ACCURACY, 0, NN_OPTION_OPTIONAL,
                   &nn_metric_names, offsetof(compile_cfg, metrics), NULL,
                   "what training and evaluation report besides the loss, as named (Keras's metrics)"},
};

int nn_optimizer_usable(const nn_optimizer *o, char *err)
{
    if (o->type < 0 || o->type >= NN_OPT_COUNT) return nn_fail_buf(err, NN_ERR_ARG, "unknown optimizer id %d", o->type);
    if (!(o->lr > 0.0f) || !(o->lr < 1e6f)) /* the table allows 0 for "the optimizer's default" */
        return nn_fail_buf(err, NN_ERR_ARG, "learning rate must be positive and below 1e6, got %g", (double)o->lr);
    if (o->nesterov != 0 && o->nesterov != 1)
        return nn_fail_buf(err, NN_ERR_ARG, "nesterov must be 0 or 1, got %d", o->nesterov);
    return nn_optimizer_check(o, err);
}

int nn_optimizer_check(const nn_optimizer *o, char *err)
{
    /* through the table, so a struct from C or from an old file meets the limits an encoded
     * setting meets, with the same message */
    compile_cfg c, scratch;
    memset(&c, 0, sizeof c);
    c.opt = *o;
    uint8_t buf[1024];
    nn_wbuf w = {buf, 0, sizeof buf};
    nn_options_encode(compile_options, NN_COUNT_OF(compile_options), &c, ~0u, &w);
    if (w.len > sizeof buf) return nn_fail_buf(err, NN_ERR_ARG, "compile: settings too long");
    nn_rbuf r = {buf, w.len, 0, 0};
    memset(&scratch, 0, sizeof scratch);
    return nn_options_decode(compile_options, NN_COUNT_OF(compile_options), &scratch, NULL, "compile", &r, err);
}

int nn_compile_decode(const void *buf, size_t len, nn_optimizer *opt, int *loss, int *from_logits,
                      nn_name_list *metrics, char *err)
{
    if (!buf) return nn_fail_buf(err, NN_ERR_ARG, "compile: no settings");
    compile_cfg c;
    memset(&c, 0, sizeof c);
    nn_options_defaults(compile_options, NN_COUNT_OF(compile_options), &c);
    uint32_t given = 0;
    nn_rbuf r = {buf, len, 0, 0};
    int st = nn_options_decode(compile_options, NN_COUNT_OF(compile_options), &c, &given, "compile", &r, err);
    if (st != NN_OK) return st;
    if (r.pos != r.len) return nn_fail_buf(err, NN_ERR_FORMAT, "compile: %zu bytes after the settings", r.len - r.pos);
    for (int i = 0; i < NN_COUNT_OF(compile_options); i++)
        if ((compile_options[i].flags & NN_OPTION_REQUIRED) && !(given & (1u << i)))
            return nn_fail_buf(err, NN_ERR_ARG, "compile: %s is missing: %s", compile_options[i].name,
                               compile_options[i].doc);
    if (!(given & (1u << C_LR))) /* TF.js's defaults */
        c.opt.lr = c.opt.type == NN_OPT_ADAM || c.opt.type == NN_OPT_RMSPROP ? 0.001f : 0.01f;
    *opt = c.opt;
    *loss = c.loss;
    *from_logits = c.from_logits;
    if (metrics) *metrics = c.metrics;
    return NN_OK;
}

int nn_metrics_list_set(nn_name_list *list, const int *ids, int n, char *err)
{
    const nn_option *o = &compile_options[C_METRICS];
    if (n < 0 || n > NN_MAX_METRICS || (n && !ids))
        return nn_fail_buf(err, NN_ERR_ARG, "compile: metrics must be a list of at most %d metric ids, got %d",
                           NN_MAX_METRICS, n);
    const char *names[NN_MAX_METRICS];
    for (int i = 0; i < n; i++) {
        if (ids[i] < (int)o->lo || ids[i] >= nn_metric_names.count)
            return nn_fail_buf(err, NN_ERR_ARG, "compile: unknown metric id %d (ids %d to %d: %s to %s)",
                               ids[i], (int)o->lo, nn_metric_names.count - 1, nn_metric_names.names[(int)o->lo],
                               nn_metric_names.names[nn_metric_names.count - 1]);
        names[i] = nn_metric_names.names[ids[i]];
    }
    compile_cfg c;
    memset(&c, 0, sizeof c);
    int st = nn_option_set_names(o, &c, names, n, "compile", err, NN_ERR_LEN);
    if (st == NN_OK) *list = c.metrics;
    return st;
}

int nn_model_set_metrics(nn_model *m, const int *ids, int n)
{
    if (!m) return NN_ERR_ARG;
    if (!m->compiled) return nn_fail(m, NN_ERR_STATE, "metrics: compile the model first");
    nn_name_list l;
    int st = nn_metrics_list_set(&l, ids, n, m->err);
    if (st == NN_OK) m->metrics = l;
    return st;
}

int nn_model_metrics(const nn_model *m, int *ids, int cap)
{
    if (!m || !m->compiled) return 0;
    for (int i = 0; ids && i < m->metrics.n && i < cap; i++) ids[i] = m->metrics.ids[i];
    return m->metrics.n;
}

const char *nn_model_metric_name(const nn_model *m, int i)
{
    return m && m->compiled && i >= 0 && i < m->metrics.n ? m->metrics.names[i] : "";
}

int nn_model_compile_encoded(nn_model *m, const void *buf, size_t len)
{
    if (!m) return NN_ERR_ARG;
    nn_optimizer o;
    nn_name_list metrics;
    int loss, from_logits;
    int st = nn_compile_decode(buf, len, &o, &loss, &from_logits, &metrics, m->err);
    if (st != NN_OK) return st;
    st = nn_model_compile(m, &o, (nn_loss)loss);
    if (st == NN_OK) m->metrics = metrics;
    return st == NN_OK ? nn_model_set_from_logits(m, from_logits) : st;
}

size_t nn_model_compile_encode(const nn_model *m, void *buf, size_t cap)
{
    if (!m || !m->compiled) return 0;
    compile_cfg c = {m->opt, m->loss, m->from_logits, m->metrics};
    nn_wbuf w = {buf, 0, buf ? cap : 0};
    nn_options_encode(compile_options, NN_COUNT_OF(compile_options), &c, m->metrics.given ? ~0u : ~(1u << C_METRICS), &w);
    return w.len;
}

/* Keras's order: clipnorm per weight tensor, then clipvalue; before the optimizer's update. */
void nn_clip_grads(nn_model *m, const nn_optimizer *o)
{
    float cn = o->clip_norm, cv = o->clip_value;
    if (cn > 0.0f) {
        for (int l = 0; l < m->n_layers; l++) {
            nn_tensor t[NN_MAX_TENSORS];
            int n = nn_model_layer_tensors(m, l, t);
            for (int k = 0; k < n; k++) {
                if (t[k].state) continue;
                size_t size = tensor_size(&t[k]);
                float *g = m->grads + t[k].offset;
                double ss = 0;
                for (size_t i = 0; i < size; i++) ss += (double)g[i] * g[i];
                if (ss > (double)cn * cn) { /* g *= cn / |g| */
                    float s = (float)(cn / sqrt(ss));
                    for (size_t i = 0; i < size; i++) g[i] *= s;
                }
            }
        }
    }
    if (cv > 0.0f)
        for (size_t i = 0; i < m->n_params; i++) m->grads[i] = m->grads[i] > cv ? cv : m->grads[i] < -cv ? -cv : m->grads[i];
}
