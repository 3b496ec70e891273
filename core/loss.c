/* loss.c - losses and their gradients. Softmax + cross-entropy and sigmoid + binary
 * cross-entropy are fused: computed from the pre-activation, so they stay finite and the
 * gradient is simply p - y. */
#include "kernels.h"
#include "nn_internal.h"
#include <math.h>
#include <string.h>

#define NN_PROB_EPS 1e-7f /* clamp for probabilities given without logits (Keras's epsilon) */

/* log(1 + exp(-|z|)) + max(z, 0) - z*y: BCE of a logit, finite for any z */
static double bce_logit(float z, float y)
{
    return (z > 0.0f ? z : 0.0f) - z * y + log1p(exp(-fabs((double)z)));
}

double nn_loss_compute(int loss, int from_logits, int act, const float *out, const float *preact,
                       const float *y, int n, int k, float *dy, int *fused)
{
    double total = 0.0;
    long nk = (long)n * k;
    *fused = 0;
    if (n <= 0) return 0.0;
    switch (loss) {
    case NN_LOSS_CCE:
    case NN_LOSS_SCCE: {
        /* logits: the output itself (from_logits) or the softmax's input (fused) */
        const float *z = from_logits ? out : (act == NN_ACT_SOFTMAX ? preact : NULL);
        *fused = !from_logits && z != NULL;
        float inv_n = 1.0f / (float)n;
        for (int r = 0; r < n; r++) {
            const float *yr = loss == NN_LOSS_SCCE ? NULL : y + (long)r * k;
            int label = loss == NN_LOSS_SCCE ? (int)y[r] : -1;
            float *dr = dy ? dy + (long)r * k : NULL;
            if (z) { /* -log softmax(z)_y = logsumexp(z) - z_y; grad = softmax(z) - y */
                const float *zr = z + (long)r * k;
                float mx = zr[0];
                for (int c = 1; c < k; c++) mx = zr[c] > mx ? zr[c] : mx;
                double s = 0.0;
                for (int c = 0; c < k; c++) s += exp((double)(zr[c] - mx));
                double lse = mx + log(s);
                for (int c = 0; c < k; c++) {
                    float t = yr ? yr[c] : (float)(c == label);
                    if (t != 0.0f) total += t * (lse - zr[c]);
                    if (dr) /* fused, out already is softmax(z) */
                        dr[c] = ((from_logits ? (float)exp(zr[c] - lse) : out[(long)r * k + c]) - t) * inv_n;
                }
            } else { /* probabilities from some other activation: clamp */
                const float *pr = out + (long)r * k;
                for (int c = 0; c < k; c++) {
                    float t = yr ? yr[c] : (float)(c == label);
                    float p = pr[c] < NN_PROB_EPS ? NN_PROB_EPS : pr[c];
                    if (t != 0.0f) total -= t * log(p);
                    if (dr) dr[c] = -t / p * inv_n;
                }
            }
        }
        return total / n;
    }
    case NN_LOSS_BCE: {
        const float *z = from_logits ? out : (act == NN_ACT_SIGMOID ? preact : NULL);
        *fused = !from_logits && z != NULL;
        float inv = 1.0f / (float)nk;
        if (z) {
            if (dy) { /* dL/dz = (sigmoid(z) - y) / nk; fused, out already is sigmoid(z) */
                if (from_logits) nn_sigmoid(z, dy, (int)nk);
                const float *p = from_logits ? dy : out;
                for (long i = 0; i < nk; i++) dy[i] = (p[i] - y[i]) * inv;
            }
            for (long i = 0; i < nk; i++) total += bce_logit(z[i], y[i]);
        } else {
            for (long i = 0; i < nk; i++) {
                float p = out[i];
                p = p < NN_PROB_EPS ? NN_PROB_EPS : (p > 1.0f - NN_PROB_EPS ? 1.0f - NN_PROB_EPS : p);
                total -= y[i] * log(p) + (1.0f - y[i]) * log(1.0f - p);
                if (dy) dy[i] = (p - y[i]) / (p * (1.0f - p)) * inv;
            }
        }
        return total / nk;
    }
    case NN_LOSS_MAE: {
        float inv = 1.0f / (float)nk;
        for (long i = 0; i < nk; i++) {
            float d = out[i] - y[i];
            total += fabsf(d);
            if (dy) dy[i] = (d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : 0.0f)) * inv;
        }
        return total / nk;
    }
    default: { /* MSE */
        float inv = 2.0f / (float)nk;
        for (long i = 0; i < nk; i++) {
            float d = out[i] - y[i];
            total += (double)d * d;
            if (dy) dy[i] = d * inv;
        }
        return total / nk;
    }
    }
}

int nn_loss_check_labels(nn_model *m, const float *y, int n) { return nn_loss_check_labels_as(m, m->loss, y, n); }

int nn_loss_check_labels_as(nn_model *m, int loss, const float *y, int n)
{
    int k = nn_model_output_size(m);
    if (loss == NN_LOSS_SCCE) { /* one class index per output row: per step of a sequence */
        int rows = k / nn_model_output_row_size(m), classes = nn_model_output_row_size(m);
        for (long i = 0; i < (long)n * rows; i++) {
            float v = y[i];
            if (!(v >= 0.0f && v < (float)classes) || v != (float)(int)v)
                return nn_fail(m, NN_ERR_ARG, "label %g at sample %ld is out of range: "
                               "sparseCategoricalCrossentropy needs class indices 0..%d",
                               (double)v, i / rows, classes - 1);
        }
        return NN_OK;
    }
    long nk = (long)n * k;
    for (long i = 0; i < nk; i++) {
        if (!isfinite(y[i]))
            return nn_fail(m, NN_ERR_NAN, "labels contain NaN/Inf at sample %ld", i / k);
        if ((loss == NN_LOSS_BCE || loss == NN_LOSS_CCE) && (y[i] < 0.0f || y[i] > 1.0f))
            return nn_fail(m, NN_ERR_ARG, "label %g at sample %ld is out of range: %s needs "
                           "values in [0, 1]", (double)y[i], i / k, nn_loss_name(loss));
    }
    return NN_OK;
}

static const char *const loss_list[NN_LOSS_COUNT] = {"meanSquaredError", "binaryCrossentropy",
    "categoricalCrossentropy", "sparseCategoricalCrossentropy", "meanAbsoluteError"};
static const nn_alias loss_aliases[] = {
    {"mse", NN_LOSS_MSE}, {"mean_squared_error", NN_LOSS_MSE}, {"binary_crossentropy", NN_LOSS_BCE},
    {"categorical_crossentropy", NN_LOSS_CCE}, {"sparse_categorical_crossentropy", NN_LOSS_SCCE},
    {"mae", NN_LOSS_MAE}, {"mean_absolute_error", NN_LOSS_MAE},
};
const nn_names nn_loss_names = {"losses", "loss", NN_LOSS_COUNT, loss_list, NN_COUNT_OF(loss_aliases), loss_aliases};

int nn_loss_from_name(const char *name) { return nn_names_find(&nn_loss_names, name); }
const char *nn_loss_name(int loss) { return nn_names_get(&nn_loss_names, loss); }
