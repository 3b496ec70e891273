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

double nn_regularization(nn_model *m, float *g)
{
    double pen = 0.0;
    for (int l = 0; l < m->n_layers; l++) {
        nn_layer *L = &m->layers[l];
        float l1 = L->spec.l1, l2 = L->spec.l2;
        if ((l1 == 0.0f && l2 == 0.0f) || !L->reg_n) continue;
        const float *w = m->params + L->p_off + L->reg_off;
        float *gw = g ? g + L->p_off + L->reg_off : NULL;
        for (size_t i = 0; i < L->reg_n; i++) { /* l1 |w| + l2 w^2 */
            pen += l1 * fabsf(w[i]) + l2 * w[i] * w[i];
            if (gw) gw[i] += l1 * (w[i] > 0.0f ? 1.0f : (w[i] < 0.0f ? -1.0f : 0.0f)) + 2.0f * l2 * w[i];
        }
    }
    return pen;
}

int nn_opt_from_name(const char *name)
{
    static const struct { const char *n; int id; } t[] = {
        {"sgd", NN_OPT_SGD}, {"momentum", NN_OPT_SGD}, {"adam", NN_OPT_ADAM},
        {"rmsprop", NN_OPT_RMSPROP}, {"adagrad", NN_OPT_ADAGRAD},
    };
    if (!name) return -1;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(name, t[i].n)) return t[i].id;
    return -1;
}

const char *nn_opt_name(int opt)
{
    static const char *names[NN_OPT_COUNT] = {"sgd", "adam", "rmsprop", "adagrad"};
    return opt >= 0 && opt < NN_OPT_COUNT ? names[opt] : "unknown";
}
