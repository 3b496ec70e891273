/* train.c - training, prediction and evaluation on top of the model's passes. */
#include "nn_internal.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NN_EVAL_CHUNK 256 /* rows per forward when predicting: bounds the caches' size */

int nn_model_output_row_size(const nn_model *m)
{
    if (!m) return 0;
    if (!m->n_layers) return m->in_size;
    const nn_layer *L = &m->layers[m->n_layers - 1];
    return L->out_shape[L->out_rank - 1];
}

/* Output rows per sample (1 unless the output is a sequence). */
static int rows_per_sample(const nn_model *m) { return nn_model_output_size(m) / nn_model_output_row_size(m); }

int nn_model_label_size(const nn_model *m)
{
    if (!m) return 0;
    return m->loss == NN_LOSS_SCCE ? rows_per_sample(m) : nn_model_output_size(m);
}

int nn_model_check_labels(nn_model *m, const float *y, int n)
{
    if (!m) return NN_ERR_ARG;
    if (!m->compiled) return nn_fail(m, NN_ERR_STATE, "compile the model first");
    if (!y || n <= 0) return nn_fail(m, NN_ERR_ARG, "no labels");
    return nn_loss_check_labels(m, y, n);
}

static int need_compiled(nn_model *m, const char *what)
{
    if (!m) return NN_ERR_ARG;
    if (!m->compiled) return nn_fail(m, NN_ERR_STATE, "%s: compile the model first", what);
    return NN_OK;
}

/* x (and y when labels are needed) present, of a type the model takes, finite, labels fitting the loss. */
static int check_data(nn_model *m, const char *what, const void *x, int dtype, const float *y, int n, int labels)
{
    if (!x || (labels && !y) || n <= 0)
        return nn_fail(m, NN_ERR_ARG, "%s: no data (%d samples)", what, n);
    int st = nn_model_check_dtype(m, what, dtype);
    if (st != NN_OK) return st;
    int bad = dtype == NN_DTYPE_FLOAT32 ? nn_check_finite(x, (size_t)n * m->in_size) : -1; /* integers are */
    if (bad >= 0)
        return nn_fail(m, NN_ERR_NAN, "%s: input contains NaN/Inf at sample %d, feature %d", what,
                       bad / m->in_size, bad % m->in_size);
    const nn_layer *first = &m->layers[0];
    if (first->ops->check_input && (st = first->ops->check_input(first, x, dtype, n, m->err)) != NN_OK) return st;
    return y ? nn_loss_check_labels(m, y, n) : NN_OK;
}

int nn_model_check_inputs(nn_model *m, const void *x, nn_dtype dtype, int n)
{
    if (!m) return NN_ERR_ARG;
    if (m->n_layers == 0) return nn_fail(m, NN_ERR_STATE, "inputs: the model has no layers");
    return check_data(m, "inputs", x, dtype, NULL, n, 0);
}

/* Sample i of n rows of inputs of dtype. */
static const void *row_at(const nn_model *m, const void *x, int dtype, int i)
{
    return (const char *)x + (size_t)i * m->in_size * nn_dtype_size(dtype);
}

/* The output rows of the last forward (n samples) that count, with their labels: all of them, or
 * when a step mask reached the output (padding, Embedding's maskZero) the unpadded ones, gathered
 * into m->kept. As Keras, padded steps take no part in the loss or the metrics. */
typedef struct { const float *out, *preact, *y; int rows; } out_rows;

static int kept_rows_as(nn_model *m, int loss, const float *y, int n, out_rows *o)
{
    const nn_layer *last = &m->layers[m->n_layers - 1];
    int k = nn_model_output_row_size(m), rows = n * rows_per_sample(m);
    int ly = loss == NN_LOSS_SCCE ? 1 : k; /* label floats per row */
    *o = (out_rows){last->y, last->preact, y, rows};
    if (!last->mask) return NN_OK;
    if (n > m->kept_cap) { /* grown once per batch size, as the other caches */
        uint64_t cap = (uint64_t)rows * k;
        if (nn_grow(&m->kept[0], cap) || nn_grow(&m->kept[1], cap) || nn_grow(&m->kept[2], (uint64_t)rows * ly) ||
            nn_grow(&m->kept[3], cap))
            return nn_fail(m, NN_ERR_NOMEM, "out of memory for the unpadded rows of a batch of %d", n);
        m->kept_cap = n;
    }
    int c = 0;
    for (int r = 0; r < rows; r++) {
        if (last->mask[r] == 0.0f) continue;
        memcpy(m->kept[0] + (size_t)c * k, last->y + (size_t)r * k, (size_t)k * sizeof(float));
        memcpy(m->kept[1] + (size_t)c * k, last->preact + (size_t)r * k, (size_t)k * sizeof(float));
        memcpy(m->kept[2] + (size_t)c * ly, y + (size_t)r * ly, (size_t)ly * sizeof(float));
        c++;
    }
    *o = (out_rows){m->kept[0], m->kept[1], m->kept[2], c};
    return NN_OK;
}

static int kept_rows(nn_model *m, const float *y, int n, out_rows *o) { return kept_rows_as(m, m->loss, y, n, o); }

/* Keras's sample_weight: the mean over rows of w[sample] * the row's loss, and its gradient. Row by
 * row, so every loss (fused or not) is weighted the same way; w may be negative (that row's loss is
 * ascended: the minimax GAN's generator). */
static double weighted_loss(const nn_model *m, int loss, int from_logits, const out_rows *o, int k, const float *w,
                            float *dy, int *fused)
{
    const nn_layer *last = &m->layers[m->n_layers - 1];
    int per = rows_per_sample(m), ly = loss == NN_LOSS_SCCE ? 1 : k;
    double total = 0;
    for (int r = 0; r < o->rows; r++) {
        size_t at = (size_t)r * k;
        float *d = dy + at, wr = w[r / per];
        total += wr * nn_loss_compute(loss, from_logits, last->act, o->out + at, o->preact ? o->preact + at : NULL,
                                      o->y + (size_t)r * ly, 1, k, d, fused);
        for (int j = 0; j < k; j++) d[j] *= wr / (float)o->rows;
    }
    return o->rows ? total / o->rows : 0.0;
}

int nn_train_loss(nn_model *m, int loss, int from_logits, const float *y, int n, double *out, int *fusedp)
{
    return nn_train_loss_weighted(m, loss, from_logits, y, NULL, n, out, fusedp);
}

int nn_train_loss_weighted(nn_model *m, int loss, int from_logits, const float *y, const float *w, int n, double *out,
                           int *fusedp)
{
    const nn_layer *last = &m->layers[m->n_layers - 1];
    int st, fused, k = nn_model_output_row_size(m), rows = n * rows_per_sample(m);
    out_rows o;
    if (w && last->mask) return nn_fail(m, NN_ERR_ARG, "sample weights: not supported with masked (padded) outputs");
    if ((st = kept_rows_as(m, loss, y, n, &o)) != NN_OK) return st;
    float *dy = last->mask ? m->kept[3] : m->dy;
    double l = w ? weighted_loss(m, loss, from_logits, &o, k, w, dy, &fused)
                 : nn_loss_compute(loss, from_logits, last->act, o.out, o.preact, o.y, o.rows, k, dy, &fused);
    if (last->mask) { /* dL/d the kept rows back in place; padded rows get none */
        for (int r = 0, c = 0; r < rows; r++) {
            float *d = m->dy + (size_t)r * k;
            if (last->mask[r] == 0.0f) memset(d, 0, (size_t)k * sizeof(float));
            else memcpy(d, dy + (size_t)c++ * k, (size_t)k * sizeof(float));
        }
    }
    *out = l;
    *fusedp = fused;
    return NN_OK;
}

int nn_train_metrics(nn_model *m, int loss, const float *y, int n, double l, nn_metrics *mt)
{
    out_rows o;
    int st = kept_rows_as(m, loss, y, n, &o);
    if (st == NN_OK) nn_metrics_add(mt, o.out, o.y, o.rows, l * o.rows);
    return st;
}

/* Forward, loss, backward, step on n rows already in place; *loss gets the batch loss. */
static int train_rows(nn_model *m, const void *x, int dtype, const float *y, const float *w, int n, double *loss)
{
    int st = nn_model_forward_typed(m, x, dtype, n, 1);
    if (st != NN_OK) return st;
    int fused;
    double l;
    if (m->teacher && w)
        return nn_fail(m, NN_ERR_ARG, "sample weights: not with distillation (the student's loss is the distiller's)");
    st = m->teacher ? nn_distill_step_loss(m, x, dtype, y, n, &l, &fused) /* a student */
                    : nn_train_loss_weighted(m, m->loss, m->from_logits, y, w, n, &l, &fused);
    if (st != NN_OK) return st;
    l += nn_regularization(m, NULL);
    if (!isfinite(l))
        return nn_fail(m, NN_ERR_NAN, "the loss became %s after %llu steps: training diverged "
                       "(try a lower learning rate)", isnan(l) ? "NaN" : "Inf",
                       (unsigned long long)m->step);
    nn_model_zero_grads(m);
    nn_model_backward_fused(m, m->dy, NULL, fused);
    nn_model_apply_grads(m);
    *loss = l;
    return NN_OK;
}

int nn_model_train_batch(nn_model *m, const float *x, const float *y, int n, float *loss)
{
    return nn_model_train_batch_typed(m, x, NN_DTYPE_FLOAT32, y, n, loss);
}

int nn_model_train_batch_typed(nn_model *m, const void *x, nn_dtype dtype, const float *y, int n, float *loss)
{
    return nn_model_train_batch_metrics(m, x, dtype, y, n, loss, NULL);
}

int nn_model_train_batch_metrics(nn_model *m, const void *x, nn_dtype dtype, const float *y, int n, float *loss,
                                 nn_metrics *mt)
{
    return nn_model_train_batch_weighted(m, x, dtype, y, NULL, n, loss, mt);
}

int nn_check_sample_weights(const float *w, int n, char *err)
{
    for (int i = 0; w && i < n; i++)
        if (!isfinite(w[i]))
            return nn_fail_buf(err, NN_ERR_ARG, "train batch: sample weight %d is %g; weights must be finite numbers",
                               i, (double)w[i]);
    return NN_OK;
}

int nn_model_train_batch_weighted(nn_model *m, const void *x, nn_dtype dtype, const float *y, const float *w, int n,
                                  float *loss, nn_metrics *mt)
{
    int st = need_compiled(m, "train batch");
    if (st != NN_OK) return st;
    if ((st = check_data(m, "train batch", x, dtype, y, n, 1)) != NN_OK) return st;
    if ((st = nn_check_sample_weights(w, n, m->err)) != NN_OK) return st;
    double l = 0;
    if ((st = train_rows(m, x, dtype, y, w, n, &l)) != NN_OK) return st;
    /* the outputs are still the batch's forward pass (before the step), as Keras reports */
    if (mt && (st = nn_train_metrics(m, m->loss, y, n, l, mt)) != NN_OK) return st;
    if (loss) *loss = (float)l;
    return NN_OK;
}

/* Inference in chunks; copies the last layer's output, or every layer's when all is set. */
static int predict_chunks(nn_model *m, const char *what, const void *x, int dtype, int n, float *out, int all)
{
    if (!m) return NN_ERR_ARG;
    if (m->n_layers == 0) return nn_fail(m, NN_ERR_STATE, "%s: the model has no layers", what);
    if (!out) return nn_fail(m, NN_ERR_ARG, "%s: no output buffer", what);
    int st = check_data(m, what, x, dtype, NULL, n, 0);
    if (st != NN_OK) return st;
    for (int i = 0; i < n; i += NN_EVAL_CHUNK) {
        int c = n - i < NN_EVAL_CHUNK ? n - i : NN_EVAL_CHUNK;
        if ((st = nn_model_forward_typed(m, row_at(m, x, dtype, i), dtype, c, 0)) != NN_OK) return st;
        float *o = out;
        for (int l = all ? 0 : m->n_layers - 1; l < m->n_layers; l++) {
            size_t k = (size_t)m->layers[l].out_size;
            memcpy(o + (size_t)i * k, m->layers[l].y, (size_t)c * k * sizeof(float));
            o += (size_t)n * k;
        }
    }
    m->last_x = NULL; /* x is the caller's and may go away */
    return NN_OK;
}

int nn_model_predict(nn_model *m, const float *x, int n, float *out)
{
    return predict_chunks(m, "predict", x, NN_DTYPE_FLOAT32, n, out, 0);
}

int nn_model_predict_typed(nn_model *m, const void *x, nn_dtype dtype, int n, float *out)
{
    return predict_chunks(m, "predict", x, dtype, n, out, 0);
}

int nn_model_predict_layers(nn_model *m, const float *x, int n, float *out)
{
    return predict_chunks(m, "predict layers", x, NN_DTYPE_FLOAT32, n, out, 1);
}

int nn_model_predict_layers_typed(nn_model *m, const void *x, nn_dtype dtype, int n, float *out)
{
    return predict_chunks(m, "predict layers", x, dtype, n, out, 1);
}

int nn_model_evaluate(nn_model *m, const float *x, const float *y, int n, nn_metrics *out)
{
    return nn_model_evaluate_typed(m, x, NN_DTYPE_FLOAT32, y, n, out);
}

int nn_model_evaluate_typed(nn_model *m, const void *x, nn_dtype dtype, const float *y, int n, nn_metrics *out)
{
    int st = need_compiled(m, "evaluate");
    if (st != NN_OK) return st;
    if (!out) return nn_fail(m, NN_ERR_ARG, "evaluate: no metrics struct");
    memset(out, 0, sizeof *out);
    if ((st = check_data(m, "evaluate", x, dtype, y, n, 1)) != NN_OK) return st;
    int k = nn_model_output_row_size(m), ly = nn_model_label_size(m);
    if (nn_metrics_init(out, k, m->loss, m->from_logits) != NN_OK)
        return nn_fail(m, NN_ERR_NOMEM, "evaluate: out of memory");
    double reg = nn_regularization(m, NULL);
    for (int i = 0; i < n; i += NN_EVAL_CHUNK) {
        int c = n - i < NN_EVAL_CHUNK ? n - i : NN_EVAL_CHUNK, fused;
        if ((st = nn_model_forward_typed(m, row_at(m, x, dtype, i), dtype, c, 0)) != NN_OK) {
            nn_metrics_free(out);
            return st;
        }
        const nn_layer *last = &m->layers[m->n_layers - 1];
        out_rows o;
        if ((st = kept_rows(m, y + (size_t)i * ly, c, &o)) != NN_OK) { nn_metrics_free(out); return st; }
        double l = nn_loss_compute(m->loss, m->from_logits, last->act, o.out, o.preact, o.y, o.rows, k, NULL, &fused);
        nn_metrics_add(out, o.out, o.y, o.rows, (l + reg) * o.rows);
    }
    m->last_x = NULL;
    nn_metrics_finalize(out);
    return NN_OK;
}

void nn_model_permutation(nn_model *m, int32_t *perm, int n)
{
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)nn_rng_below(&m->rng, (uint32_t)i + 1);
        int32_t t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
}

static int reserve_gather(nn_model *m, int bs)
{
    if (bs <= m->xb_cap) return NN_OK;
    int st = nn_model_reserve(m, bs); /* first: it says when the batch is too large */
    if (st != NN_OK) return st;
    if (nn_grow(&m->xb, (uint64_t)bs * (uint64_t)m->in_size) ||
        nn_grow(&m->yb, (uint64_t)bs * (uint64_t)nn_model_output_size(m)))
        return nn_fail(m, NN_ERR_NOMEM, "out of memory for a batch of %d", bs);
    m->xb_cap = bs;
    return NN_OK;
}

int nn_model_train_steps(nn_model *m, const float *x, const float *y, int n,
                         const int32_t *perm, int start, int n_batches, int batch_size,
                         nn_metrics *mt)
{
    return nn_model_train_steps_typed(m, x, NN_DTYPE_FLOAT32, y, n, perm, start, n_batches, batch_size, mt);
}

int nn_model_train_steps_typed(nn_model *m, const void *x, nn_dtype dtype, const float *y, int n,
                               const int32_t *perm, int start, int n_batches, int batch_size,
                               nn_metrics *mt)
{
    int st = need_compiled(m, "fit");
    if (st != NN_OK) return st;
    if (!x || !y || n <= 0) return nn_fail(m, NN_ERR_ARG, "fit: no data");
    if ((st = nn_model_check_dtype(m, "fit", dtype)) != NN_OK) return st;
    if (batch_size <= 0) return nn_fail(m, NN_ERR_ARG, "fit: the batch size must be positive, got %d", batch_size);
    if (start < 0 || start > n) return nn_fail(m, NN_ERR_ARG, "fit: start %d is outside 0..%d", start, n);
    int bs = batch_size < n ? batch_size : n;
    if ((st = reserve_gather(m, bs)) != NN_OK) return st;
    int ly = nn_model_label_size(m), k = nn_model_output_row_size(m), pos = start;
    int rps = rows_per_sample(m);
    size_t row = (size_t)m->in_size * nn_dtype_size(dtype); /* bytes: xb holds rows of any dtype */
    for (int b = 0; b < n_batches && pos < n; b++) {
        int c = n - pos < bs ? n - pos : bs;
        for (int r = 0; r < c; r++) { /* gather the batch's rows */
            int32_t src = perm ? perm[pos + r] : pos + r;
            if (src < 0 || src >= n) return nn_fail(m, NN_ERR_ARG, "fit: permutation entry %d out of range", src);
            memcpy((char *)m->xb + (size_t)r * row, row_at(m, x, dtype, src), row);
            memcpy(m->yb + (size_t)r * ly, y + (size_t)src * ly, (size_t)ly * sizeof(float));
        }
        if (dtype == NN_DTYPE_FLOAT32) nn_augment_rows(m, m->xb, c); /* a no-op unless turned on */
        if (m->loss == NN_LOSS_SCCE)
            for (int r = 0; r < c * rps; r++)
                if (!(m->yb[r] >= 0.0f && m->yb[r] < (float)k) || m->yb[r] != (float)(int)m->yb[r])
                    return nn_fail(m, NN_ERR_ARG, "label %g is out of range: classes are 0..%d",
                                   (double)m->yb[r], k - 1);
        double l;
        if ((st = train_rows(m, m->xb, dtype, m->yb, NULL, c, &l)) != NN_OK) return st;
        /* the outputs are still those of this batch's forward pass (before the step) */
        if (mt && (st = nn_train_metrics(m, m->loss, m->yb, c, l, mt)) != NN_OK) return st;
        pos += c;
    }
    return pos - start;
}

nn_fit_opts nn_fit_defaults(void)
{
    nn_fit_opts o;
    memset(&o, 0, sizeof o);
    o.epochs = 1;
    o.batch_size = 32;
    o.shuffle = 1;
    return o;
}

static double now_s(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void print_metrics(const char *prefix, const nn_metrics *mt, int regression)
{
    printf(" - %sloss: %.4f", prefix, mt->loss);
    if (regression) printf(" - %smae: %.4f", prefix, mt->mae);
    else printf(" - %saccuracy: %.4f", prefix, mt->accuracy);
}

static void print_progress(int done, int total, double secs, const nn_metrics *mt, int final,
                           int redraw)
{
    int w = 30, filled = total ? (int)((long)done * w / total) : w;
    char bar[32];
    for (int i = 0; i < w; i++) bar[i] = i < filled ? '=' : '.';
    if (filled > 0 && filled < w) bar[filled - 1] = '>';
    bar[w] = 0;
    double per = done ? secs / done : 0.0;
    printf("%s%d/%d [%s] - %.1fs %.0f%s/step", redraw ? "\r" : "", done, total, bar, secs,
           per >= 1e-3 ? per * 1e3 : per * 1e6, per >= 1e-3 ? "ms" : "us");
    if (!final && mt->count) printf(" - loss: %.4f", mt->sum_loss / (double)mt->count);
    fflush(stdout);
}

int nn_model_fit(nn_model *m, const float *x, const float *y, int n, const nn_fit_opts *opts,
                 nn_epoch_cb cb, void *user)
{
    return nn_model_fit_typed(m, x, NN_DTYPE_FLOAT32, y, n, opts, cb, user);
}

int nn_model_fit_typed(nn_model *m, const void *x, nn_dtype dtype, const float *y, int n,
                       const nn_fit_opts *opts, nn_epoch_cb cb, void *user)
{
    nn_fit_opts o = opts ? *opts : nn_fit_defaults();
    int st = need_compiled(m, "fit");
    if (st != NN_OK) return st;
    if (o.epochs < 0) return nn_fail(m, NN_ERR_ARG, "fit: epochs must be >= 0, got %d", o.epochs);
    if (o.batch_size <= 0) return nn_fail(m, NN_ERR_ARG, "fit: the batch size must be positive, got %d", o.batch_size);
    if (!(o.validation_split >= 0.0f && o.validation_split < 1.0f))
        return nn_fail(m, NN_ERR_ARG, "fit: validationSplit must be in [0, 1), got %g", (double)o.validation_split);
    if ((st = check_data(m, "fit", x, dtype, y, n, 1)) != NN_OK) return st;
    int ly = nn_model_label_size(m), k = nn_model_output_row_size(m);
    if (o.val_n && !o.val_x) return nn_fail(m, NN_ERR_ARG, "fit: val_n is set but val_x is NULL");
    /* explicit validation data wins over the split, as in Keras */
    int n_val = o.val_x ? 0 : (int)((double)n * o.validation_split);
    int n_train = n - n_val;
    const void *vx = o.val_x;
    const float *vy = o.val_y;
    int vn = o.val_n, vdt = NN_DTYPE_FLOAT32; /* explicit validation data is float32 */
    if (!vx && n_val > 0) { vx = row_at(m, x, dtype, n_train); vdt = dtype; vy = y + (size_t)n_train * ly; vn = n_val; }
    if (n_train <= 0) return nn_fail(m, NN_ERR_ARG, "fit: no training samples left after the validation split");
    if (vx && (st = check_data(m, "fit (validation data)", vx, vdt, vy, vn, 1)) != NN_OK) return st;

    int32_t *perm = NN_MALLOC((size_t)n_train * sizeof(int32_t));
    if (!perm) return nn_fail(m, NN_ERR_NOMEM, "fit: out of memory");
    int steps = (n_train + o.batch_size - 1) / o.batch_size, regression = m->loss == NN_LOSS_MSE || m->loss == NN_LOSS_MAE;
    for (int e = 0; e < o.epochs && st == NN_OK; e++) {
        nn_metrics tr, va;
        memset(&va, 0, sizeof va);
        if (nn_metrics_init(&tr, k, m->loss, m->from_logits) != NN_OK) { st = nn_fail(m, NN_ERR_NOMEM, "fit: out of memory"); break; }
        if (o.shuffle) nn_model_permutation(m, perm, n_train);
        else for (int i = 0; i < n_train; i++) perm[i] = i;
        if (o.verbose) printf("Epoch %d/%d\n", e + 1, o.epochs);
        double t0 = now_s(), last = t0;
        int drawn = 0;
        for (int pos = 0, b = 0; pos < n_train && st == NN_OK; b++) {
            int got = nn_model_train_steps_typed(m, x, dtype, y, n_train, perm, pos, 1, o.batch_size, &tr);
            if (got < 0) { st = got; break; }
            pos += got;
            if (o.verbose && now_s() - last > 0.5) { last = now_s(); print_progress(b + 1, steps, last - t0, &tr, 0, drawn); drawn = 1; }
        }
        nn_metrics_finalize(&tr);
        if (st == NN_OK && vx) st = nn_model_evaluate_typed(m, vx, vdt, vy, vn, &va);
        if (st == NN_OK && o.verbose) {
            print_progress(steps, steps, now_s() - t0, &tr, 1, drawn);
            print_metrics("", &tr, regression);
            if (vx) print_metrics("val_", &va, regression);
            printf("\n");
        }
        if (st == NN_OK && cb && cb(m, e, &tr, vx ? &va : NULL, user)) st = NN_STOPPED;
        nn_metrics_free(&tr);
        nn_metrics_free(&va);
    }
    NN_FREE(perm);
    return st;
}
