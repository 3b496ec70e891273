/* distill.c - knowledge distillation (Hinton, Vinyals and Dean 2015, as Keras's Distiller
 * example): a student's step on alpha * CE(y, softmax(s)) + (1 - alpha) * T^2 * KL(p_t || q_s),
 * p_t = softmax(t/T), q_s = softmax(s/T), run inside the model's own training loop. */
#include "nn_internal.h"
#include <math.h>
#include <string.h>

/* log-sum-exp of z/T over k values, and softmax(z/T) into p when not NULL */
static double lse_scaled(const float *z, int k, double inv_t, double *p)
{
    double mx = z[0] * inv_t;
    for (int c = 1; c < k; c++) mx = z[c] * inv_t > mx ? z[c] * inv_t : mx;
    double s = 0.0;
    for (int c = 0; c < k; c++) s += exp(z[c] * inv_t - mx);
    double lse = mx + log(s);
    if (p) for (int c = 0; c < k; c++) p[c] = exp(z[c] * inv_t - lse);
    return lse;
}

double nn_distill_loss(const float *s, const float *t, const float *y, int sparse, int n, int k,
                       float temperature, float alpha, float *grad)
{
    if (!s || !t || !y || n <= 0 || k < 2 || k > NN_MAX_VALUES || !(temperature > 0)) return NAN;
    double T = temperature, a = alpha, inv_t = 1.0 / T, total = 0.0;
    for (int r = 0; r < n; r++) {
        const float *sr = s + (size_t)r * k, *tr = t + (size_t)r * k;
        float *gr = grad ? grad + (size_t)r * k : NULL;
        double lse1 = lse_scaled(sr, k, 1.0, NULL);
        double lse_s = lse_scaled(sr, k, inv_t, NULL), lse_t = lse_scaled(tr, k, inv_t, NULL);
        double hard = 0.0, kl = 0.0;
        for (int c = 0; c < k; c++) {
            double yc = sparse ? (double)(c == (int)y[r]) : (double)y[(size_t)r * k + c];
            double logq = sr[c] * inv_t - lse_s, logp = tr[c] * inv_t - lse_t, p = exp(logp);
            if (yc != 0.0) hard += yc * (lse1 - sr[c]);
            if (p > 0.0) kl += p * (logp - logq);
            if (gr) gr[c] = (float)((a * (exp(sr[c] - lse1) - yc) + (1.0 - a) * T * (exp(logq) - p)) / n);
        }
        total += a * hard + (1.0 - a) * T * T * kl;
    }
    return total / n;
}

int nn_model_set_distill(nn_model *m, nn_model *teacher, float temperature, float alpha)
{
    if (!m) return NN_ERR_ARG;
    if (!teacher) { m->teacher = NULL; return NN_OK; }
    if (teacher == m) return nn_fail(m, NN_ERR_ARG, "distill: the teacher is the student itself");
    if (!(temperature > 0.0f) || !isfinite(temperature) || temperature > 1000.0f)
        return nn_fail(m, NN_ERR_ARG, "distill: temperature must be a number in (0, 1000], got %g", (double)temperature);
    if (!(alpha >= 0.0f && alpha <= 1.0f))
        return nn_fail(m, NN_ERR_ARG, "distill: alpha must be a number in [0, 1], got %g", (double)alpha);
    if (m->n_layers == 0 || teacher->n_layers == 0)
        return nn_fail(m, NN_ERR_STATE, "distill: the %s has no layers", m->n_layers ? "teacher" : "student");
    if (teacher->in_size != m->in_size)
        return nn_fail(m, NN_ERR_ARG, "distill: the teacher reads %d values per sample, the student %d",
                       teacher->in_size, m->in_size);
    int k = nn_model_output_size(m);
    if (nn_model_output_size(teacher) != k)
        return nn_fail(m, NN_ERR_ARG, "distill: the teacher gives %d outputs per sample, the student %d",
                       nn_model_output_size(teacher), k);
    const nn_model *ms[2] = {m, teacher};
    for (int i = 0; i < 2; i++) {
        const nn_layer *L = &ms[i]->layers[ms[i]->n_layers - 1];
        const char *who = i ? "teacher" : "student";
        if (nn_model_output_row_size(ms[i]) != k || k < 2)
            return nn_fail(m, NN_ERR_ARG, "distill: the %s's output must be one row of at least 2 classes per sample", who);
        if (L->act != NN_ACT_SOFTMAX && L->act != NN_ACT_LINEAR)
            return nn_fail(m, NN_ERR_ARG, "distill: the %s must end in softmax or a linear layer (logits), it "
                           "ends in %s", who, nn_act_name(L->act));
    }
    m->teacher = teacher;
    m->distill_t = temperature;
    m->distill_alpha = alpha;
    return NN_OK;
}

/* A model's logits after its forward: the softmax's input, or the linear output itself. */
static const float *logits(const nn_model *m)
{
    const nn_layer *L = &m->layers[m->n_layers - 1];
    return L->act == NN_ACT_SOFTMAX ? L->preact : L->y;
}

int nn_distill_step_loss(nn_model *m, const void *x, int dtype, const float *y, int n, double *loss, int *fused)
{
    nn_model *t = m->teacher;
    if (m->loss != NN_LOSS_CCE && m->loss != NN_LOSS_SCCE)
        return nn_fail(m, NN_ERR_STATE, "distill: compile the student with categoricalCrossentropy or "
                       "sparseCategoricalCrossentropy (its labels), it has %s", nn_loss_name(m->loss));
    /* shapes may have changed since it was set (layers popped, added) */
    const nn_layer *last = &m->layers[m->n_layers - 1];
    int k = nn_model_output_size(m);
    if (t->n_layers == 0 || t->in_size != m->in_size || nn_model_output_size(t) != k ||
        (last->act != NN_ACT_SOFTMAX && last->act != NN_ACT_LINEAR) ||
        (t->layers[t->n_layers - 1].act != NN_ACT_SOFTMAX && t->layers[t->n_layers - 1].act != NN_ACT_LINEAR))
        return nn_fail(m, NN_ERR_STATE, "distill: the teacher or the student changed shape since "
                       "nn_model_set_distill; set it again");
    int st = nn_model_forward_typed(t, x, (nn_dtype)dtype, n, 0);
    if (st != NN_OK) return nn_fail(m, st, "distill: the teacher: %s", t->err);
    double l = nn_distill_loss(logits(m), logits(t), y, m->loss == NN_LOSS_SCCE, n, k, m->distill_t,
                               m->distill_alpha, m->dy);
    *loss = l;
    *fused = last->act == NN_ACT_SOFTMAX; /* dL/ds is w.r.t. the softmax's input */
    return NN_OK;
}
