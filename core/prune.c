/* prune.c - magnitude pruning, shaped like TF Model Optimization's prune_low_magnitude: schedules
 * (ConstantSparsity, PolynomialDecay) over the pruning's own step counter, a mask per pruned
 * tensor kept on the model, and the weights re-zeroed after every optimizer step. */
#include "nn_internal.h"
#include <math.h>
#include <string.h>

typedef struct { int layer, tensor; size_t offset, size; } pruned_tensor;

struct nn_prune {
    nn_prune_schedule sched;
    uint64_t step;          /* batches trained since nn_model_prune (TF MOT's pruning_step) */
    size_t n_params;        /* the model's layout when pruned: a model changed since is unpruned */
    int n_layers;
    int n;                  /* pruned tensors */
    pruned_tensor *t;
    uint8_t *mask;          /* one byte per parameter: 1 keep, 0 pruned (read only inside t's ranges) */
};

int nn_tensor_prunable(const nn_tensor *t)
{
    size_t len = strlen(t->name);
    /* TF MOT's prunable weights: kernels, recurrent kernels, embeddings; biases (a GRU's is 2-D) never */
    return !t->state && t->rank >= 2 && !(len >= 4 && !strcmp(t->name + len - 4, "bias"));
}

nn_prune_schedule nn_constant_sparsity(float target, int64_t begin_step, int64_t end_step, int frequency)
{
    nn_prune_schedule s = {NN_PRUNE_CONSTANT, target, target, begin_step, end_step, 3.0f, frequency};
    return s;
}

nn_prune_schedule nn_polynomial_decay(float initial_sparsity, float final_sparsity, int64_t begin_step,
                                      int64_t end_step, float power, int frequency)
{
    nn_prune_schedule s = {NN_PRUNE_POLYNOMIAL, initial_sparsity, final_sparsity, begin_step, end_step, power,
                           frequency};
    return s;
}

static int sparsity_ok(float s) { return s >= 0.0f && s < 1.0f; } /* NaN fails too */

int nn_prune_schedule_check(const nn_prune_schedule *s, char *err)
{
    if (!s) return nn_fail_buf(err, NN_ERR_ARG, "pruning: no schedule");
    if (s->kind != NN_PRUNE_CONSTANT && s->kind != NN_PRUNE_POLYNOMIAL)
        return nn_fail_buf(err, NN_ERR_ARG, "pruning: unknown schedule kind %d", s->kind);
    int poly = s->kind == NN_PRUNE_POLYNOMIAL;
    const char *what = poly ? "polynomialDecay" : "constantSparsity";
    if (poly && !sparsity_ok(s->initial_sparsity))
        return nn_fail_buf(err, NN_ERR_ARG, "%s: initialSparsity must be in [0, 1), got %g", what, (double)s->initial_sparsity);
    if (!sparsity_ok(s->final_sparsity))
        return nn_fail_buf(err, NN_ERR_ARG, "%s: %s must be in [0, 1), got %g", what,
                           poly ? "finalSparsity" : "targetSparsity", (double)s->final_sparsity);
    if (s->begin_step < 0) return nn_fail_buf(err, NN_ERR_ARG, "%s: beginStep must be >= 0, got %lld", what, (long long)s->begin_step);
    if (poly ? s->end_step <= s->begin_step : (s->end_step != -1 && s->end_step < s->begin_step))
        return nn_fail_buf(err, NN_ERR_ARG, "%s: endStep must be %s beginStep (%lld), got %lld", what,
                           poly ? "after" : "-1 (never) or at least", (long long)s->begin_step, (long long)s->end_step);
    if (s->frequency < 1) return nn_fail_buf(err, NN_ERR_ARG, "%s: frequency must be >= 1, got %d", what, (int)s->frequency);
    if (poly && !(s->power > 0.0f && s->power <= 100.0f))
        return nn_fail_buf(err, NN_ERR_ARG, "%s: power must be in (0, 100], got %g", what, (double)s->power);
    return NN_OK;
}

int nn_prune_schedule_at(const nn_prune_schedule *s, int64_t step, float *sparsity)
{
    if (nn_prune_schedule_check(s, NULL) != NN_OK) return NN_ERR_ARG;
    float sp = s->final_sparsity;
    if (s->kind == NN_PRUNE_POLYNOMIAL) {
        /* TF MOT: p = min(1, max(0, (step - begin) / (end - begin))), s = (si - sf) (1 - p)^power + sf */
        double p = (double)(step - s->begin_step) / (double)(s->end_step - s->begin_step);
        p = p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
        sp = (float)((s->initial_sparsity - s->final_sparsity) * pow(1.0 - p, s->power) + s->final_sparsity);
    }
    if (sparsity) *sparsity = sp;
    return step >= s->begin_step && (s->end_step == -1 || step <= s->end_step) &&
           (step - s->begin_step) % s->frequency == 0;
}

void nn_prune_free(nn_model *m)
{
    if (!m || !m->prune) return;
    NN_FREE(m->prune->t);
    NN_FREE(m->prune->mask);
    NN_FREE(m->prune);
    m->prune = NULL;
}

/* The k-th smallest of v[0..n) (k < n), reordering v: quickselect, median-of-three pivots. */
static float select_kth(float *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        float a = v[lo], b = v[mid], c = v[hi];
        float pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = lo, j = hi;
        while (i <= j) { /* Hoare partition around the pivot's value */
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                float t = v[i]; v[i] = v[j]; v[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return v[k];
    }
    return v[k];
}

/* TF MOT's _update_mask: keep |w| >= the k-th largest |w|, k = max(round(size (1 - s)), 1). */
static int update_masks(nn_model *m, float sparsity)
{
    struct nn_prune *p = m->prune;
    size_t most = 0;
    for (int i = 0; i < p->n; i++) most = p->t[i].size > most ? p->t[i].size : most;
    float *tmp = NN_MALLOC((most ? most : 1) * sizeof(float));
    if (!tmp) return nn_fail(m, NN_ERR_NOMEM, "pruning: out of memory for a tensor of %zu weights", most);
    for (int i = 0; i < p->n; i++) {
        const float *w = m->params + p->t[i].offset;
        uint8_t *mask = p->mask + p->t[i].offset;
        size_t size = p->t[i].size;
        float kf = nearbyintf((float)size * (1.0f - sparsity)); /* tf.math.round: half to even */
        size_t k = kf < 1.0f ? 1 : (size_t)kf > size ? size : (size_t)kf;
        for (size_t j = 0; j < size; j++) tmp[j] = fabsf(w[j]);
        float thr = select_kth(tmp, size, size - k);
        for (size_t j = 0; j < size; j++) mask[j] = fabsf(w[j]) >= thr;
    }
    NN_FREE(tmp);
    return NN_OK;
}

static void apply_masks(nn_model *m)
{
    const struct nn_prune *p = m->prune;
    for (int i = 0; i < p->n; i++) {
        float *w = m->params + p->t[i].offset;
        const uint8_t *mask = p->mask + p->t[i].offset;
        for (size_t j = 0; j < p->t[i].size; j++) w[j] = mask[j] ? w[j] : 0.0f;
    }
}

/* A model whose layers changed since it was pruned no longer matches its masks: drop them. */
static int still_valid(nn_model *m)
{
    if (m->prune && (m->prune->n_params != m->n_params || m->prune->n_layers != m->n_layers)) nn_prune_free(m);
    return m->prune != NULL;
}

void nn_prune_after_step(nn_model *m)
{
    if (!still_valid(m)) return;
    struct nn_prune *p = m->prune;
    float s;
    if (nn_prune_schedule_at(&p->sched, (int64_t)p->step, &s) == 1) update_masks(m, s);
    apply_masks(m);
    p->step++;
}

/* A fresh pruning state over the prunable tensors of the layers chosen (all when layers NULL). */
static int make_state(nn_model *m, const nn_prune_schedule *s, const int *layers, int n, uint64_t step)
{
    struct nn_prune *p = NN_CALLOC(1, sizeof *p);
    if (!p) return nn_fail(m, NN_ERR_NOMEM, "pruning: out of memory");
    int cap = 0;
    for (int l = 0; l < m->n_layers; l++) {
        nn_tensor t[NN_MAX_TENSORS];
        int k = nn_model_layer_tensors(m, l, t);
        for (int j = 0; j < k; j++) cap += nn_tensor_prunable(&t[j]);
    }
    p->t = NN_MALLOC((size_t)(cap ? cap : 1) * sizeof *p->t);
    p->mask = NN_MALLOC(m->n_params ? m->n_params : 1);
    if (!p->t || !p->mask) {
        NN_FREE(p->t); NN_FREE(p->mask); NN_FREE(p);
        return nn_fail(m, NN_ERR_NOMEM, "pruning: out of memory for the masks of %zu weights", m->n_params);
    }
    for (int l = 0; l < m->n_layers; l++) {
        int chosen = !layers;
        for (int i = 0; layers && i < n; i++) chosen |= layers[i] == l;
        if (!chosen) continue;
        nn_tensor t[NN_MAX_TENSORS];
        int k = nn_model_layer_tensors(m, l, t);
        for (int j = 0; j < k; j++) {
            if (!nn_tensor_prunable(&t[j])) continue;
            size_t size = 1;
            for (int d = 0; d < t[j].rank; d++) size *= (size_t)t[j].shape[d];
            p->t[p->n++] = (pruned_tensor){l, j, t[j].offset, size};
        }
    }
    memset(p->mask, 1, m->n_params ? m->n_params : 1);
    p->sched = *s;
    p->step = step;
    p->n_params = m->n_params;
    p->n_layers = m->n_layers;
    nn_prune_free(m);
    m->prune = p;
    return NN_OK;
}

int nn_model_prune(nn_model *m, const nn_prune_schedule *s, const int *layers, int n)
{
    if (!m) return NN_ERR_ARG;
    int st = nn_prune_schedule_check(s, m->err);
    if (st != NN_OK) return st;
    if (n < 0 || (n > 0 && !layers)) return nn_fail(m, NN_ERR_ARG, "pruning: bad layer list (%d layers)", n);
    if (n == 0) layers = NULL;
    for (int i = 0; i < n; i++) {
        if (layers[i] < 0 || layers[i] >= m->n_layers)
            return nn_fail(m, NN_ERR_ARG, "pruning: no layer %d (the model has %d)", layers[i], m->n_layers);
        if (nn_model_layer_sparsity(m, layers[i], NULL, NULL) < 0)
            return nn_fail(m, NN_ERR_ARG, "pruning: layer %d (%s) has no prunable weights (kernels, recurrent "
                           "kernels and embeddings are pruned; biases and batchnorm never)", layers[i],
                           m->layers[layers[i]].ops->func);
    }
    int any = 0;
    for (int l = 0; l < m->n_layers && !any; l++) any = nn_model_layer_sparsity(m, l, NULL, NULL) >= 0;
    if (!any) return nn_fail(m, NN_ERR_ARG, "pruning: the model has no prunable weights (kernels, recurrent kernels, embeddings)");
    return make_state(m, s, layers, n, 0);
}

int nn_model_prune_update(nn_model *m, float sparsity)
{
    if (!m) return NN_ERR_ARG;
    if (!still_valid(m)) return nn_fail(m, NN_ERR_STATE, "pruning: the model is not being pruned (call prune first)");
    if (sparsity < 0.0f) nn_prune_schedule_at(&m->prune->sched, (int64_t)m->prune->step, &sparsity);
    else if (!sparsity_ok(sparsity)) return nn_fail(m, NN_ERR_ARG, "pruning: sparsity must be in [0, 1), got %g", (double)sparsity);
    int st = update_masks(m, sparsity);
    if (st == NN_OK) apply_masks(m);
    return st;
}

int nn_model_strip_pruning(nn_model *m)
{
    if (!m) return NN_ERR_ARG;
    nn_prune_free(m);
    return NN_OK;
}

int nn_model_pruning(const nn_model *m, nn_prune_schedule *s, uint64_t *step)
{
    if (!m || !m->prune || m->prune->n_params != m->n_params || m->prune->n_layers != m->n_layers) return 0;
    if (s) *s = m->prune->sched;
    if (step) *step = m->prune->step;
    return 1;
}

int nn_model_layer_sparsity(const nn_model *m, int i, uint64_t *weights, uint64_t *zeros)
{
    if (!m || i < 0 || i >= m->n_layers) return -1;
    nn_tensor t[NN_MAX_TENSORS];
    int k = nn_model_layer_tensors(m, i, t), any = 0;
    uint64_t nw = 0, nz = 0;
    for (int j = 0; j < k; j++) {
        if (!nn_tensor_prunable(&t[j])) continue;
        any = 1;
        size_t size = 1;
        for (int d = 0; d < t[j].rank; d++) size *= (size_t)t[j].shape[d];
        const float *w = m->params + t[j].offset;
        for (size_t e = 0; e < size; e++) nz += w[e] == 0.0f;
        nw += size;
    }
    if (weights) *weights = nw;
    if (zeros) *zeros = nz;
    if (!any) return -1;
    int pruned = 0;
    if (nn_model_pruning(m, NULL, NULL))
        for (int j = 0; j < m->prune->n; j++) pruned |= m->prune->t[j].layer == i;
    return pruned;
}

/* ---- the file's pruning section (after the optimizer state):
 *   u32 n_tensors (0: not pruned) | u8 kind | f32 initial, final, power | i64 begin, end |
 *   i32 frequency | u64 step | per tensor: u32 layer, u32 tensor, u8 mask (0: the tensor's
 *   nonzeros, 1: a bitmap of ceil(size/8) bytes follows, bit j of byte j/8 = weight j kept) */
static int mask_is_nonzeros(const nn_model *m, const pruned_tensor *t)
{
    const float *w = m->params + t->offset;
    const uint8_t *mask = m->prune->mask + t->offset;
    for (size_t j = 0; j < t->size; j++)
        if ((w[j] != 0.0f) != (mask[j] != 0)) return 0;
    return 1;
}

void nn_prune_write(const nn_model *m, nn_wbuf *w)
{
    if (!nn_model_pruning(m, NULL, NULL)) { nn_put_u32(w, 0); return; }
    const struct nn_prune *p = m->prune;
    nn_put_u32(w, (uint32_t)p->n);
    uint8_t kind = (uint8_t)p->sched.kind;
    nn_put_bytes(w, &kind, 1);
    nn_put_f32(w, p->sched.initial_sparsity);
    nn_put_f32(w, p->sched.final_sparsity);
    nn_put_f32(w, p->sched.power);
    nn_put_u64(w, (uint64_t)p->sched.begin_step);
    nn_put_u64(w, (uint64_t)p->sched.end_step);
    nn_put_u32(w, (uint32_t)p->sched.frequency);
    nn_put_u64(w, p->step);
    for (int i = 0; i < p->n; i++) {
        nn_put_u32(w, (uint32_t)p->t[i].layer);
        nn_put_u32(w, (uint32_t)p->t[i].tensor);
        uint8_t bitmap = !mask_is_nonzeros(m, &p->t[i]);
        nn_put_bytes(w, &bitmap, 1);
        if (!bitmap) continue;
        const uint8_t *mask = p->mask + p->t[i].offset;
        for (size_t j = 0; j < p->t[i].size; j += 8) {
            uint8_t b = 0;
            for (size_t e = j; e < j + 8 && e < p->t[i].size; e++) b |= (uint8_t)(mask[e] ? 1u << (e - j) : 0u);
            nn_put_bytes(w, &b, 1);
        }
    }
}

static uint8_t get_u8(nn_rbuf *r)
{
    if (r->bad || r->pos + 1 > r->len) { r->bad = 1; return 0; }
    return r->p[r->pos++];
}

int nn_prune_read(nn_model *m, nn_rbuf *r, char *err)
{
    uint32_t n = nn_get_u32(r);
    if (r->bad) return nn_fail_buf(err, NN_ERR_FORMAT, "truncated model bytes (pruning)");
    if (n == 0) return NN_OK;
    nn_prune_schedule s;
    s.kind = get_u8(r);
    s.initial_sparsity = nn_get_f32(r);
    s.final_sparsity = nn_get_f32(r);
    s.power = nn_get_f32(r);
    s.begin_step = (int64_t)nn_get_u64(r);
    s.end_step = (int64_t)nn_get_u64(r);
    s.frequency = (int32_t)nn_get_u32(r);
    uint64_t step = nn_get_u64(r);
    char msg[NN_ERR_LEN];
    if (r->bad) return nn_fail_buf(err, NN_ERR_FORMAT, "truncated model bytes (pruning)");
    if (nn_prune_schedule_check(&s, msg) != NN_OK) return nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: %s", msg);
    /* each record takes at least 9 bytes: a count past that is a lie, refused before allocating */
    if (n > (r->len - r->pos) / 9) return nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: %u pruned tensors in the bytes left", n);
    if (make_state(m, &s, NULL, 0, step) != NN_OK) return nn_fail_buf(err, NN_ERR_NOMEM, "load: out of memory (pruning)");
    struct nn_prune *p = m->prune;
    if (n > (uint32_t)p->n) {
        int have = p->n;
        nn_prune_free(m);
        return nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: %u pruned tensors, the model has %d prunable", n, have);
    }
    /* make_state listed every prunable tensor in order; keep the n the file names, in order */
    int kept = 0, next = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t layer = nn_get_u32(r), tensor = nn_get_u32(r);
        uint8_t bitmap = get_u8(r);
        if (r->bad) { nn_prune_free(m); return nn_fail_buf(err, NN_ERR_FORMAT, "truncated model bytes (pruning)"); }
        while (next < p->n && ((uint32_t)p->t[next].layer < layer ||
                               ((uint32_t)p->t[next].layer == layer && (uint32_t)p->t[next].tensor < tensor)))
            next++;
        if (next >= p->n || (uint32_t)p->t[next].layer != layer || (uint32_t)p->t[next].tensor != tensor || bitmap > 1) {
            nn_prune_free(m);
            return nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: pruned tensor %u (layer %u, tensor %u%s) is not a "
                               "prunable tensor in order", i, layer, tensor, bitmap > 1 ? ", bad mask mode" : "");
        }
        pruned_tensor t = p->t[next++];
        uint8_t *mask = p->mask + t.offset;
        const float *w = m->params + t.offset;
        if (!bitmap) {
            for (size_t j = 0; j < t.size; j++) mask[j] = w[j] != 0.0f;
        } else {
            uint64_t bytes = ((uint64_t)t.size + 7) / 8;
            if (bytes > r->len - r->pos) { nn_prune_free(m); return nn_fail_buf(err, NN_ERR_FORMAT, "truncated model bytes (pruning mask)"); }
            const uint8_t *b = r->p + r->pos;
            for (size_t j = 0; j < t.size; j++) mask[j] = (b[j / 8] >> (j % 8)) & 1u;
            r->pos += (size_t)bytes;
        }
        p->t[kept++] = t;
    }
    p->n = kept;
    return NN_OK;
}
