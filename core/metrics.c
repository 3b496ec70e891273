/* metrics.c - streaming metrics: a confusion matrix and regression sums fed batch by batch,
 * so training logs and evaluate share one definition of accuracy, precision, recall, F1, R^2. */
#include "nn_internal.h"
#include <math.h>
#include <string.h>

int nn_metrics_init(nn_metrics *mt, int k, int loss, int from_logits)
{
    memset(mt, 0, sizeof *mt);
    if (k <= 0) return NN_ERR_ARG;
    mt->num_classes = k > 1 ? k : 2;
    if (mt->num_classes <= NN_MAX_CONFUSION) { /* a vocabulary-sized output keeps only the counts */
        mt->confusion = NN_CALLOC((size_t)mt->num_classes * (size_t)mt->num_classes, sizeof(int64_t));
        if (!mt->confusion) return NN_ERR_NOMEM;
    }
    mt->threshold_logits = from_logits && k == 1;
    /* remember how labels are encoded: one class index per row for SCCE */
    mt->n_values = 0;
    mt->sparse = loss == NN_LOSS_SCCE;
    mt->k = k;
    return NN_OK;
}

static int argmax(const float *v, int k)
{
    int b = 0;
    for (int i = 1; i < k; i++) if (v[i] > v[b]) b = i;
    return b;
}

int nn_metrics_add(nn_metrics *mt, const float *pred, const float *y, int n, double loss_sum)
{
    int k = mt->k, nc = mt->num_classes;
    float thr = mt->threshold_logits ? 0.0f : 0.5f;
    for (int r = 0; r < n; r++) {
        const float *p = pred + (long)r * k;
        int t, q;
        if (mt->sparse) {
            t = (int)y[r];
            q = argmax(p, k);
        } else {
            const float *yr = y + (long)r * k;
            t = k > 1 ? argmax(yr, k) : yr[0] >= 0.5f;
            q = k > 1 ? argmax(p, k) : p[0] >= thr;
            for (int c = 0; c < k; c++) { /* regression sums over every output */
                double d = (double)p[c] - yr[c];
                mt->sse += d * d;
                mt->sae += fabs(d);
                mt->sum_y += yr[c];
                mt->sum_y2 += (double)yr[c] * yr[c];
            }
            mt->n_values += k;
        }
        mt->correct += t == q;
        if (mt->confusion && t >= 0 && t < nc && q >= 0 && q < nc) mt->confusion[(long)t * nc + q]++;
    }
    mt->count += n;
    mt->sum_loss += loss_sum;
    return NN_OK;
}

void nn_metrics_finalize(nn_metrics *mt)
{
    int nc = mt->num_classes;
    if (!mt->count) return;
    mt->loss = mt->sum_loss / (double)mt->count;
    mt->accuracy = (double)mt->correct / (double)mt->count;
    if (!mt->confusion) mt->precision = mt->recall = mt->f1 = NAN;
    /* binary: of class 1; multiclass: macro average over classes that occur */
    double sp = 0, sr = 0, sf = 0;
    int used = 0;
    for (int c = (mt->k == 1 ? 1 : 0); mt->confusion && c < nc; c++) {
        int64_t tp = mt->confusion[(long)c * nc + c], fp = 0, fn = 0;
        for (int o = 0; o < nc; o++) {
            if (o == c) continue;
            fp += mt->confusion[(long)o * nc + c];
            fn += mt->confusion[(long)c * nc + o];
        }
        if (mt->k > 1 && tp + fp + fn == 0) continue;
        double p = tp + fp ? (double)tp / (double)(tp + fp) : 0.0;
        double r = tp + fn ? (double)tp / (double)(tp + fn) : 0.0;
        sp += p;
        sr += r;
        sf += p + r > 0 ? 2 * p * r / (p + r) : 0.0;
        used++;
    }
    if (used) { mt->precision = sp / used; mt->recall = sr / used; mt->f1 = sf / used; }
    if (mt->n_values) {
        double nv = (double)mt->n_values;
        mt->mse = mt->sse / nv;
        mt->mae = mt->sae / nv;
        double sst = mt->sum_y2 - mt->sum_y * mt->sum_y / nv;
        mt->r2 = sst > 0 ? 1.0 - mt->sse / sst : 0.0;
    }
}

void nn_metrics_reset(nn_metrics *mt)
{
    if (mt->confusion)
        memset(mt->confusion, 0, (size_t)mt->num_classes * mt->num_classes * sizeof(int64_t));
    mt->loss = mt->accuracy = mt->precision = mt->recall = mt->f1 = 0;
    mt->mse = mt->mae = mt->r2 = 0;
    mt->sum_loss = mt->sse = mt->sae = mt->sum_y = mt->sum_y2 = 0;
    mt->count = mt->n_values = mt->correct = 0;
}

void nn_metrics_free(nn_metrics *mt)
{
    if (!mt) return;
    NN_FREE(mt->confusion);
    mt->confusion = NULL;
}

/* ---- metric names: ids index nn_metrics_value ---- */
static const char *const metric_list[] = {"loss", "accuracy", "precision", "recall", "f1", "mse", "mae", "r2"};
static const nn_alias metric_aliases[] = {
    {"acc", 1}, {"binaryAccuracy", 1}, {"categoricalAccuracy", 1}, {"sparseCategoricalAccuracy", 1},
    {"meanSquaredError", 5}, {"meanAbsoluteError", 6}, {"f1Score", 4}, {"rSquared", 7},
};
const nn_names nn_metric_names = {"metrics", "metric", NN_COUNT_OF(metric_list), metric_list,
                                  NN_COUNT_OF(metric_aliases), metric_aliases};

double nn_metrics_value(const nn_metrics *mt, int id)
{
    const double v[] = {mt->loss, mt->accuracy, mt->precision, mt->recall, mt->f1, mt->mse, mt->mae, mt->r2};
    return id >= 0 && id < NN_COUNT_OF(v) ? v[id] : 0.0;
}
