/* test_prune.c - magnitude pruning (TF MOT's schedules and masks), the model file's weight
 * encodings (sparse, int8 with per-channel scales, sparse int8) and a loader that refuses hostile encodings. */
#include "nn.h"
#include "test.h"
#include <stdint.h>
#include <string.h>

static nn_model *mlp(uint32_t seed, int in, int hidden, int out)
{
    int shape[1] = {in};
    nn_model *m = nn_model_create(1, shape, seed);
    nn_model_add(m, nn_dense(hidden, NN_ACT_RELU));
    nn_model_add(m, nn_batchnorm());
    nn_model_add(m, nn_dense(out, NN_ACT_SOFTMAX));
    nn_optimizer o = nn_adam(0.01f);
    nn_model_compile(m, &o, NN_LOSS_SCCE);
    return m;
}

/* n samples of in features with labels in [0, k), deterministic */
static void data(float *x, float *y, int n, int in, int k)
{
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < in; j++) { x[i * in + j] = sinf(0.37f * (i * in + j) + 0.1f); s += x[i * in + j] * (j % 3 - 1); }
        y[i] = (float)((int)(fabs(s) * 3) % k);
    }
}

static size_t tensor_size(const nn_tensor *t)
{
    size_t s = 1;
    for (int d = 0; d < t->rank; d++) s *= (size_t)t->shape[d];
    return s;
}

/* TF MOT's formulas, step by step. */
static void test_schedules(void)
{
    float s;
    nn_prune_schedule c = nn_constant_sparsity(0.5f, 10, -1, 5);
    CHECK(nn_prune_schedule_at(&c, 9, &s) == 0 && s == 0.5f);
    CHECK(nn_prune_schedule_at(&c, 10, &s) == 1);
    CHECK(nn_prune_schedule_at(&c, 12, &s) == 0);
    CHECK(nn_prune_schedule_at(&c, 15, &s) == 1 && nn_prune_schedule_at(&c, 1000000, &s) == 1);
    nn_prune_schedule ce = nn_constant_sparsity(0.5f, 0, 20, 10);
    CHECK(nn_prune_schedule_at(&ce, 20, &s) == 1 && nn_prune_schedule_at(&ce, 30, &s) == 0);
    nn_prune_schedule p = nn_polynomial_decay(0.2f, 0.8f, 100, 1100, 3.0f, 100);
    for (int64_t step = 0; step <= 1300; step += 50) {
        double q = (double)(step - 100) / 1000.0;
        q = q < 0 ? 0 : q > 1 ? 1 : q;
        double want = (0.2 - 0.8) * pow(1 - q, 3) + 0.8;
        int upd = nn_prune_schedule_at(&p, step, &s);
        CHECK_NEAR(s, want, 1e-6);
        CHECK(upd == (step >= 100 && step <= 1100 && step % 100 == 0));
    }
    CHECK(nn_prune_schedule_at(&p, 600, &s) == 1 && fabs(s - (-0.6 * 0.125 + 0.8)) < 1e-6);
    /* power 1 is linear */
    nn_prune_schedule lin = nn_polynomial_decay(0.0f, 0.5f, 0, 10, 1.0f, 1);
    CHECK(nn_prune_schedule_at(&lin, 4, &s) == 1 && fabs(s - 0.2) < 1e-6);
    /* refused, with messages naming the field */
    char err[NN_ERR_LEN];
    nn_prune_schedule bad = nn_constant_sparsity(1.0f, 0, -1, 100);
    CHECK(nn_prune_schedule_check(&bad, err) == NN_ERR_ARG && strstr(err, "targetSparsity"));
    bad = nn_constant_sparsity(NAN, 0, -1, 100);
    CHECK(nn_prune_schedule_check(&bad, err) == NN_ERR_ARG);
    bad = nn_polynomial_decay(-0.1f, 0.5f, 0, 10, 3, 1);
    CHECK(nn_prune_schedule_check(&bad, err) == NN_ERR_ARG && strstr(err, "initialSparsity"));
    bad = nn_polynomial_decay(0, 0.5f, 10, 10, 3, 1);
    CHECK(nn_prune_schedule_check(&bad, err) == NN_ERR_ARG && strstr(err, "endStep"));
    bad = nn_polynomial_decay(0, 0.5f, 0, -1, 3, 1);
    CHECK(nn_prune_schedule_check(&bad, err) == NN_ERR_ARG && strstr(err, "endStep"));
    bad = nn_constant_sparsity(0.5f, 0, -1, 0);
    CHECK(nn_prune_schedule_check(&bad, err) == NN_ERR_ARG && strstr(err, "frequency"));
    bad = nn_constant_sparsity(0.5f, -3, -1, 1);
    CHECK(nn_prune_schedule_check(&bad, err) == NN_ERR_ARG && strstr(err, "beginStep"));
    bad = nn_polynomial_decay(0, 0.5f, 0, 10, 0, 1);
    CHECK(nn_prune_schedule_check(&bad, err) == NN_ERR_ARG && strstr(err, "power"));
    bad.kind = 7;
    CHECK(nn_prune_schedule_at(&bad, 0, &s) == NN_ERR_ARG);
}

/* Which layers and tensors are prunable, and the layer list. */
static void test_prunable(void)
{
    nn_model *m = mlp(1, 7, 16, 3);
    uint64_t w, z;
    CHECK(nn_model_layer_sparsity(m, 0, &w, &z) == 0 && w == 7 * 16 && z == 0);
    CHECK(nn_model_layer_sparsity(m, 1, &w, &z) == -1); /* batchnorm */
    CHECK(nn_model_layer_sparsity(m, 2, &w, &z) == 0 && w == 16 * 3);
    CHECK(nn_model_layer_sparsity(m, 3, &w, &z) == -1);
    nn_prune_schedule s = nn_constant_sparsity(0.5f, 0, -1, 1);
    int bn = 1, far = 9, first = 0;
    CHECK(nn_model_prune(m, &s, &bn, 1) == NN_ERR_ARG && strstr(nn_model_error(m), "no prunable"));
    CHECK(nn_model_prune(m, &s, &far, 1) == NN_ERR_ARG && strstr(nn_model_error(m), "no layer 9"));
    CHECK(nn_model_pruning(m, NULL, NULL) == 0);
    CHECK(nn_model_prune_update(m, 0.5f) == NN_ERR_STATE);
    CHECK(nn_model_prune(m, &s, &first, 1) == NN_OK && nn_model_pruning(m, NULL, NULL) == 1);
    CHECK(nn_model_layer_sparsity(m, 0, NULL, NULL) == 1 && nn_model_layer_sparsity(m, 2, NULL, NULL) == 0);
    nn_model_free(m);
    /* recurrent kernels and embeddings are prunable, a GRU's 2-D bias is not */
    int in[1] = {5};
    nn_model *r = nn_model_create(1, in, 2);
    nn_model_add(r, nn_embedding(10, 4));
    nn_model_add(r, nn_gru(3));
    nn_tensor t[NN_MAX_TENSORS];
    int n = nn_model_layer_tensors(r, 1, t);
    CHECK(n == 3 && !nn_model_layer_sparsity(r, 1, NULL, NULL));
    CHECK(nn_model_layer_sparsity(r, 0, &w, &z) == 0 && w == 40);
    CHECK(nn_model_layer_sparsity(r, 1, &w, &z) == 0 && w == 4 * 9 + 3 * 9);
    nn_model_free(r);
    /* a model without prunable weights */
    nn_model *f = nn_model_create(1, in, 2);
    nn_model_add(f, nn_activation(NN_ACT_RELU));
    CHECK(nn_model_prune(f, &s, NULL, 0) == NN_ERR_ARG && strstr(nn_model_error(f), "no prunable"));
    nn_model_free(f);
}

/* One-shot masks keep exactly the largest |w| of each tensor (TF MOT's top_k threshold). */
static void test_masks_exact(void)
{
    nn_model *m = mlp(3, 13, 29, 5);
    float *p = nn_model_params(m);
    size_t np = nn_model_num_params(m);
    float *before = malloc(np * sizeof(float));
    memcpy(before, p, np * sizeof(float));
    nn_prune_schedule s = nn_constant_sparsity(0.3f, 0, -1, 1);
    CHECK(nn_model_prune(m, &s, NULL, 0) == NN_OK);
    const float levels[] = {0.0f, 0.25f, 0.5f, 0.8f, 0.9f, 0.97f};
    for (int li = 0; li < 6; li++) {
        memcpy(p, before, np * sizeof(float));
        CHECK(nn_model_prune_update(m, levels[li]) == NN_OK);
        for (int l = 0; l < nn_model_num_layers(m); l++) {
            nn_tensor t[NN_MAX_TENSORS];
            int k = nn_model_layer_tensors(m, l, t);
            for (int j = 0; j < k; j++) {
                size_t size = tensor_size(&t[j]), zeros = 0;
                int prunable = !t[j].state && t[j].rank >= 2;
                float smallest_kept = INFINITY, largest_cut = 0.0f;
                for (size_t e = 0; e < size; e++) {
                    float w = (t[j].state ? nn_model_state(m) : p)[t[j].offset + e];
                    float b = (t[j].state ? nn_model_state(m) : before)[t[j].offset + e];
                    if (w == 0.0f) { zeros++; largest_cut = fmaxf(largest_cut, fabsf(b)); }
                    else { smallest_kept = fminf(smallest_kept, fabsf(w)); CHECK(w == b); }
                }
                if (!prunable) { /* biases, batchnorm: untouched */
                    const float *now = t[j].state ? nn_model_state(m) : p, *was = t[j].state ? nn_model_state(m) : before;
                    CHECK(!memcmp(now + t[j].offset, was + t[j].offset, size * sizeof(float)));
                    continue;
                }
                size_t keep = (size_t)nearbyintf((float)size * (1.0f - levels[li]));
                keep = keep < 1 ? 1 : keep;
                CHECK(zeros == size - keep);
                CHECK(largest_cut <= smallest_kept);
                uint64_t w, z;
                nn_model_layer_sparsity(m, l, &w, &z);
                CHECK(w == size && z == zeros);
            }
        }
    }
    CHECK(nn_model_prune_update(m, 1.0f) == NN_ERR_ARG);
    free(before);
    nn_model_free(m);
}

/* Masks hold through optimizer steps (Adam keeps pushing the pruned weights) and the schedule
 * advances by training batches inside fit. */
static void test_masks_hold_in_fit(void)
{
    enum { N = 96, IN = 10, K = 4 };
    float x[N * IN], y[N];
    data(x, y, N, IN, K);
    nn_model *m = mlp(4, IN, 24, K);
    nn_prune_schedule s = nn_polynomial_decay(0.0f, 0.75f, 2, 14, 3.0f, 3);
    CHECK(nn_model_prune(m, &s, NULL, 0) == NN_OK);
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 4;
    fo.batch_size = 16; /* 6 batches an epoch: 24 steps */
    CHECK(nn_model_fit(m, x, y, N, &fo, NULL, NULL) == NN_OK);
    uint64_t step;
    nn_prune_schedule got;
    CHECK(nn_model_pruning(m, &got, &step) == 1 && step == 24 && got.final_sparsity == 0.75f);
    uint64_t w, z;
    for (int l = 0; l < 3; l += 2) {
        CHECK(nn_model_layer_sparsity(m, l, &w, &z) == 1);
        CHECK(z == w - (uint64_t)nearbyintf((float)w * 0.25f)); /* final sparsity since step 14 */
    }
    /* zeros stay zeros through more steps past the schedule's end */
    float *p = nn_model_params(m);
    size_t np = nn_model_num_params(m);
    unsigned char *zero = malloc(np);
    for (size_t i = 0; i < np; i++) zero[i] = p[i] == 0.0f;
    for (int b = 0; b < 10; b++) CHECK(nn_model_train_batch(m, x, y, 16, NULL) == NN_OK);
    int held = 1;
    for (size_t i = 0; i < np; i++) held &= !zero[i] || p[i] == 0.0f;
    CHECK(held);
    CHECK(nn_model_pruning(m, NULL, &step) == 1 && step == 34);
    /* the mask updates happened at the schedule's steps: with frequency 3 from 2, none at 14's
     * neighbours; with 0.75 reached at 14 exactly */
    free(zero);
    /* strip: no masks, the zeros stay, then training may regrow them */
    nn_model_layer_sparsity(m, 0, &w, &z);
    CHECK(nn_model_strip_pruning(m) == NN_OK && nn_model_pruning(m, NULL, NULL) == 0);
    uint64_t z2;
    CHECK(nn_model_layer_sparsity(m, 0, &w, &z2) == 0 && z2 == z);
    nn_model_train_batch(m, x, y, 16, NULL);
    nn_model_layer_sparsity(m, 0, &w, &z2);
    CHECK(z2 < z);
    /* adding a layer drops the pruning (its masks no longer match) */
    CHECK(nn_model_prune(m, &s, NULL, 0) == NN_OK);
    nn_model_add(m, nn_dense(2, NN_ACT_LINEAR));
    CHECK(nn_model_pruning(m, NULL, NULL) == 0);
    nn_model_free(m);
}

/* A pruned model inside a model of models (a GAN's generator) keeps its zeros through the chain's steps. */
static void test_chain_pruned(void)
{
    enum { N = 32, IN = 10 };
    float x[N * IN], y[N];
    data(x, y, N, IN, 2);
    int in[1] = {IN}, mid[1] = {6};
    nn_model *g = nn_model_create(1, in, 3), *d = nn_model_create(1, mid, 4);
    nn_model_add(g, nn_dense(6, NN_ACT_TANH));
    nn_model_add(d, nn_dense(1, NN_ACT_SIGMOID));
    nn_optimizer o = nn_adam(0.01f);
    nn_model_compile(d, &o, NN_LOSS_BCE);
    nn_prune_schedule s = nn_constant_sparsity(0.5f, 0, -1, 1);
    CHECK(nn_model_prune(g, &s, NULL, 0) == NN_OK);
    nn_model *parts[2] = {g, d};
    char err[NN_ERR_LEN];
    nn_chain *c = nn_chain_create(parts, 2, err);
    CHECK(c && nn_chain_compile(c, &o, NN_LOSS_BCE) == NN_OK);
    for (int i = 0; i < N; i++) y[i] = y[i] > 0.5f;
    for (int b = 0; b < 4; b++) CHECK(nn_chain_train_batch(c, x, NN_DTYPE_FLOAT32, y, N, NULL, NULL) == NN_OK);
    uint64_t step, w, z;
    CHECK(nn_model_pruning(g, NULL, &step) == 1 && step == 4);
    CHECK(nn_model_layer_sparsity(g, 0, &w, &z) == 1 && z == w / 2);
    nn_chain_free(c);
    nn_model_free(g);
    nn_model_free(d);
}

/* Popping a layer drops the pruning, as adding one does: the masks describe the layers before. */
static void test_pop_drops_pruning(void)
{
    int in[1] = {4};
    nn_model *m = nn_model_create(1, in, 5);
    nn_model_add(m, nn_dense(8, NN_ACT_RELU));
    nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX));
    nn_prune_schedule s = nn_constant_sparsity(0.5f, 0, -1, 1);
    CHECK(nn_model_prune(m, &s, NULL, 0) == NN_OK && nn_model_pruning(m, NULL, NULL) == 1);
    CHECK(nn_model_pop(m) == NN_OK);
    CHECK(nn_model_pruning(m, NULL, NULL) == 0);
    nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX)); /* a head of the same size inherits no masks */
    nn_optimizer o = nn_sgd(0.1f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_OK);
    float x[8] = {1, 2, 3, 4, -1, -2, -3, -4}, y[2] = {0, 2};
    CHECK(nn_model_train_batch(m, x, y, 2, NULL) == NN_OK);
    uint64_t w, z;
    CHECK(nn_model_layer_sparsity(m, 1, &w, &z) == 0 && w == 24 && z == 0);
    nn_model_free(m);
}

static unsigned char *save(nn_model *m, int flags, size_t *len)
{
    size_t n = nn_model_save_size_ex(m, flags);
    unsigned char *b = malloc(n);
    CHECK(nn_model_save_ex(m, b, n, len, flags) == NN_OK && *len == n);
    return b;
}

/* A pruned model saves smaller, reloads with its pruning state and resumes fine-tuning. */
static void test_save_pruned(void)
{
    enum { N = 64, IN = 32, K = 4 };
    float x[N * IN], y[N];
    data(x, y, N, IN, K);
    nn_model *m = mlp(5, IN, 64, K);
    size_t dense, sparse, half, stripped;
    free(save(m, NN_SAVE_NO_OPTIMIZER, &dense));
    nn_prune_schedule s = nn_constant_sparsity(0.5f, 0, -1, 1);
    nn_model_prune(m, &s, NULL, 0);
    nn_model_prune_update(m, 0.5f);
    free(save(m, NN_SAVE_NO_OPTIMIZER, &half));
    nn_model_prune_update(m, 0.9f);
    unsigned char *b = save(m, NN_SAVE_NO_OPTIMIZER, &sparse);
    CHECK(half < dense && sparse < half);
    /* 2304 kernel weights: 90% zeros saves 4 * 0.9 * 2304 bytes less a bitmap of 2304 bits */
    CHECK(dense - sparse > 4 * 1800);
    char err[NN_ERR_LEN];
    nn_model *r = nn_model_load(b, sparse, err);
    CHECK(r != NULL);
    if (r) {
        CHECK(!memcmp(nn_model_params(r), nn_model_params(m), nn_model_num_params(m) * sizeof(float)));
        nn_prune_schedule got;
        uint64_t step;
        CHECK(nn_model_pruning(r, &got, &step) == 1 && step == 0 && got.kind == s.kind &&
              got.final_sparsity == s.final_sparsity && got.begin_step == 0 && got.end_step == -1 && got.frequency == 1);
        CHECK(nn_model_layer_sparsity(r, 0, NULL, NULL) == 1);
        nn_model_free(r);
    }
    free(b);
    /* with the optimizer, after training: the masks and the step come back and hold */
    for (int i = 0; i < 5; i++) nn_model_train_batch(m, x, y, N, NULL);
    s = nn_constant_sparsity(0.9f, 0, -1, 1);
    size_t full;
    b = save(m, 0, &full);
    r = nn_model_load(b, full, err);
    CHECK(r != NULL);
    if (r) {
        uint64_t step;
        CHECK(nn_model_pruning(r, NULL, &step) == 1 && step == 5);
        for (int i = 0; i < 3; i++) { nn_model_train_batch(m, x, y, N, NULL); nn_model_train_batch(r, x, y, N, NULL); }
        /* the same run: the state came back exactly */
        CHECK(!memcmp(nn_model_params(r), nn_model_params(m), nn_model_num_params(m) * sizeof(float)));
        uint64_t w, z;
        nn_model_layer_sparsity(r, 0, &w, &z);
        CHECK(z == w - (uint64_t)nearbyintf((float)w * 0.5f));
        nn_model_free(r);
    }
    free(b);
    /* a kept weight that is exactly 0 makes the writer store the mask as a bitmap */
    float *p = nn_model_params(m);
    size_t first_kept = 0;
    while (p[first_kept] == 0.0f) first_kept++;
    p[first_kept] = 0.0f;
    b = save(m, NN_SAVE_NO_OPTIMIZER, &full);
    r = nn_model_load(b, full, err);
    CHECK(r != NULL);
    if (r) {
        p[first_kept] = 0.5f; /* kept: the next step may move it; pruned ones stay 0 */
        nn_model_params(r)[first_kept] = 0.5f;
        nn_model_train_batch(r, x, y, N, NULL);
        CHECK(nn_model_params(r)[first_kept] != 0.0f);
        nn_model_free(r);
    }
    free(b);
    size_t pruned;
    free(save(m, NN_SAVE_NO_OPTIMIZER, &pruned));
    nn_model_strip_pruning(m);
    free(save(m, NN_SAVE_NO_OPTIMIZER, &stripped));
    CHECK(stripped == pruned - (1 + 12 + 16 + 4 + 8 + 2 * 9)); /* the section is its count alone */
    nn_model_free(m);
}

/* int8: about 4x smaller, weights within half a step of their channel's scale, predictions close;
 * the loaded model is float and trains. */
static void test_quantize(void)
{
    enum { N = 32, IN = 256, K = 10 };
    static float x[N * IN], y[N];
    data(x, y, N, IN, K);
    nn_model *m = mlp(6, IN, 256, K);
    for (int i = 0; i < 3; i++) nn_model_train_batch(m, x, y, N, NULL);
    size_t f32, q8;
    free(save(m, NN_SAVE_NO_OPTIMIZER, &f32));
    unsigned char *b = save(m, NN_SAVE_NO_OPTIMIZER | NN_SAVE_QUANTIZE_INT8, &q8);
    printf("  f32 %zu bytes, int8 %zu bytes (%.2fx)\n", f32, q8, (double)f32 / q8);
    CHECK((double)f32 / q8 > 3.5);
    char err[NN_ERR_LEN];
    nn_model *r = nn_model_load(b, q8, err);
    CHECK(r != NULL);
    if (!r) { printf("  %s\n", err); free(b); nn_model_free(m); return; }
    for (int l = 0; l < nn_model_num_layers(m); l++) {
        nn_tensor t[NN_MAX_TENSORS];
        int k = nn_model_layer_tensors(m, l, t);
        for (int j = 0; j < k; j++) {
            size_t size = tensor_size(&t[j]);
            if (t[j].state) continue;
            const float *a = nn_model_params(m) + t[j].offset, *q = nn_model_params(r) + t[j].offset;
            if (t[j].rank < 2) { CHECK(!memcmp(a, q, size * sizeof(float))); continue; } /* biases, gamma: f32 */
            int ch = t[j].shape[t[j].rank - 1];
            float *mx = calloc((size_t)ch, sizeof(float));
            for (size_t e = 0; e < size; e++) mx[e % ch] = fmaxf(mx[e % ch], fabsf(a[e]));
            int ok = 1, used = 0;
            for (size_t e = 0; e < size; e++) {
                ok &= fabsf(a[e] - q[e]) <= mx[e % ch] / 127.0f * 0.5f + 1e-7f;
                used |= a[e] != q[e];
            }
            CHECK(ok && used);
            free(mx);
        }
    }
    float p1[N * K], p2[N * K];
    nn_model_predict(m, x, N, p1);
    nn_model_predict(r, x, N, p2);
    double worst = 0;
    for (int i = 0; i < N * K; i++) worst = fmax(worst, fabs(p1[i] - p2[i]));
    CHECK(worst < 0.02);
    CHECK(nn_model_train_batch(r, x, y, N, NULL) == NN_OK);
    nn_model_free(r);
    free(b);
    /* pruned and quantized: sparse int8, smaller still; the zeros stay exactly 0 */
    nn_prune_schedule s = nn_constant_sparsity(0.8f, 0, -1, 1);
    nn_model_prune(m, &s, NULL, 0);
    nn_model_prune_update(m, 0.8f);
    size_t both;
    b = save(m, NN_SAVE_NO_OPTIMIZER | NN_SAVE_QUANTIZE_INT8, &both);
    printf("  pruned 80%% + int8: %zu bytes (%.2fx)\n", both, (double)f32 / both);
    CHECK(both < q8 / 2);
    r = nn_model_load(b, both, err);
    CHECK(r != NULL);
    if (r) {
        uint64_t w, z, z2;
        nn_model_layer_sparsity(m, 0, &w, &z);
        nn_model_layer_sparsity(r, 0, &w, &z2);
        CHECK(z == z2 && nn_model_pruning(r, NULL, NULL) == 1);
        nn_model_free(r);
    }
    free(b);
    /* a NaN weight cannot be quantized: that tensor is stored as it is */
    nn_model_strip_pruning(m);
    nn_model_params(m)[3] = NAN;
    b = save(m, NN_SAVE_NO_OPTIMIZER | NN_SAVE_QUANTIZE_INT8, &both);
    r = nn_model_load(b, both, err);
    CHECK(r && isnan(nn_model_params(r)[3]) && nn_model_params(r)[4] == nn_model_params(m)[4]);
    nn_model_free(r);
    free(b);
    CHECK(nn_model_save_ex(m, x, sizeof x, &both, 8) == NN_ERR_ARG);
    nn_model_free(m);
}

/* ---- hostile encodings: each refused with a message, in time and memory bounded by the file ---- */
static uint32_t crc32(const unsigned char *p, size_t n)
{
    uint32_t crc = ~0u;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void reseal(unsigned char *b, size_t len)
{
    uint32_t c = crc32(b, len - 4);
    for (int i = 0; i < 4; i++) b[len - 4 + i] = (unsigned char)(c >> (8 * i));
}

static void put32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i)); }

/* Where the params' encoded array starts: after the header, the layer specs and n_params. */
static size_t params_at(const unsigned char *b)
{
    size_t at = 36;
    uint32_t n_layers = b[32] | b[33] << 8 | b[34] << 16 | (uint32_t)b[35] << 24;
    for (uint32_t l = 0; l < n_layers; l++) at += 4 + (b[at] | b[at + 1] << 8 | b[at + 2] << 16 | (uint32_t)b[at + 3] << 24);
    return at + 8;
}

static void refuse(const unsigned char *b, size_t len, const char *want, const char *what)
{
    char err[NN_ERR_LEN] = "";
    nn_model *r = nn_model_load(b, len, err);
    CHECK(r == NULL);
    if (!strstr(err, want)) { printf("  %s: got \"%s\", want \"%s\"\n", what, err, want); CHECK(0); }
    nn_model_free(r);
}

/* Conv2DTranspose's kernel [kh, kw, filters, in_c] has its output channels on axis 2: one scale per
 * filter (encoding 4, channels in_c values apart), so a filter of small weights keeps them even
 * beside a filter of large ones; the loaded model predicts as the float one does. */
static void test_quantize_conv_transpose(void)
{
    enum { H = 4, C = 3, F = 8, K = 3 };
    int in[3] = {H, H, C};
    nn_model *m = nn_model_create(3, in, 12);
    nn_model_add(m, nn_conv2d_transpose(F, K, K, 2, NN_PAD_SAME, NN_ACT_LINEAR));
    nn_optimizer o = nn_adam(0.01f);
    nn_model_compile(m, &o, NN_LOSS_MSE);
    nn_tensor t[NN_MAX_TENSORS];
    CHECK(nn_model_layer_tensors(m, 0, t) == 2 && t[0].out_axis == 2 && t[0].shape[2] == F);
    float *w = nn_model_params(m) + t[0].offset;
    size_t size = tensor_size(&t[0]);
    for (size_t j = 0; j < size; j++) w[j] *= powf(10.0f, (float)((int)(j / C % F) - 4)); /* filter f: 10^(f-4) */
    size_t len;
    unsigned char *b = save(m, NN_SAVE_NO_OPTIMIZER | NN_SAVE_QUANTIZE_INT8, &len);
    size_t at = params_at(b);
    CHECK(b[at + 4] == 4 && b[at + 4 + 9] == F && b[at + 4 + 13] == C); /* int8, F channels C apart */
    char err[NN_ERR_LEN];
    nn_model *r = nn_model_load(b, len, err);
    CHECK(r != NULL);
    if (!r) { printf("  %s\n", err); free(b); nn_model_free(m); return; }
    const float *q = nn_model_params(r) + t[0].offset;
    float mx[F] = {0};
    for (size_t j = 0; j < size; j++) mx[j / C % F] = fmaxf(mx[j / C % F], fabsf(w[j]));
    int ok = 1, kept[F] = {0};
    for (size_t j = 0; j < size; j++) {
        ok &= fabsf(w[j] - q[j]) <= mx[j / C % F] / 127.0f * 0.5f + 1e-12f;
        kept[j / C % F] += q[j] != 0.0f;
    }
    CHECK(ok);
    for (int f = 0; f < F; f++) CHECK(kept[f] > K * K * C / 2); /* one scale for all would zero filters 0-4 */
    static float x[2 * H * H * C];
    for (size_t i = 0; i < sizeof x / sizeof *x; i++) x[i] = sinf(0.7f * (float)i);
    static float p1[2 * 2 * H * 2 * H * F], p2[sizeof p1 / sizeof *p1];
    nn_model_predict(m, x, 2, p1);
    nn_model_predict(r, x, 2, p2);
    double worst = 0, top = 0;
    for (size_t i = 0; i < sizeof p1 / sizeof *p1; i++) { worst = fmax(worst, fabs(p1[i] - p2[i])); top = fmax(top, fabs(p1[i])); }
    CHECK(worst < 0.01 * top);
    nn_model_free(r);
    /* hostile strides: 1 (that is encoding 2), one that does not divide the values */
    unsigned char *h = malloc(len);
#define MUT(stmt, want) do { memcpy(h, b, len); stmt; reseal(h, len); refuse(h, len, want, #stmt); } while (0)
    MUT(put32(h + at + 4 + 13, 1), "channel stride 1");
    MUT(put32(h + at + 4 + 13, 0), "channel stride 0");
    MUT(put32(h + at + 4 + 13, 5), "8 channels 5 apart");
    MUT(put32(h + at + 4 + 13, 0x40000000), "apart");
#undef MUT
    free(h);
    free(b);
    nn_model_free(m);
}

static void test_hostile_encodings(void)
{
    int in[1] = {12};
    nn_model *m = nn_model_create(1, in, 8);
    nn_model_add(m, nn_dense(16, NN_ACT_LINEAR)); /* kernel 192, bias 16: two segments */
    nn_prune_schedule s = nn_constant_sparsity(0.75f, 0, -1, 1);
    nn_model_prune(m, &s, NULL, 0);
    nn_model_prune_update(m, 0.75f);
    nn_model_strip_pruning(m);
    size_t len;
    unsigned char *sp = save(m, 0, &len), *b = malloc(len);
    size_t at = params_at(sp);
    CHECK(sp[8] == 4 && sp[at] == 2 && sp[at + 4] == 1); /* 2 segments, the kernel sparse f32 */
    size_t seg = at + 4, bitmap = seg + 9, values = bitmap + 24;
#define MUT(stmt, want) do { memcpy(b, sp, len); stmt; reseal(b, len); refuse(b, len, want, #stmt); } while (0)
    MUT(b[seg] = 9, "unknown encoding 9");
    MUT(put32(b + seg + 1, 0xffffffff), "more than the 208 values");
    MUT(put32(b + seg + 1, 100), "bits past");
    MUT(put32(b + seg + 1, 0), "empty");
    MUT(put32(b + at, 1), "hold 192 values, the layers need 208");
    MUT(put32(b + at, 0x7fffffff), "weight segments in");        /* a huge count: refused before any reading */
    MUT(b[bitmap] ^= 0x10, "corrupt model");                     /* one more nonzero: the values shift */
    MUT(put32(b + seg + 1, 190); b[bitmap + 23] = 0xff, "bits past");
    (void)values;
    free(sp); free(b);
    /* int8: zero channels, channels not dividing, a NaN or negative scale, -128 */
    sp = save(m, NN_SAVE_QUANTIZE_INT8, &len);
    b = malloc(len);
    at = params_at(sp);
    seg = at + 4;
    CHECK(sp[seg] == 3); /* sparse int8 */
    size_t ch = seg + 9 + 24, scales = ch + 4, q = scales + 4 * 16;
    uint32_t nan_bits = 0x7fc00000u, neg = 0xbf800000u;
    MUT(put32(b + ch, 0), "0 channels");
    MUT(put32(b + ch, 7), "7 channels");
    MUT(put32(b + scales + 8, nan_bits), "scale");
    MUT(put32(b + scales, neg), "scale is -1");
    MUT(b[q + 5] = 0x80, "-128");
    MUT(put32(b + ch, 0x40000000), "channels");
    MUT(put32(b + ch, 4), "corrupt model");                             /* misaligned from there on */
    free(sp); free(b);
    /* the pruning section: a tensor that is not prunable, a bad schedule, a huge count */
    nn_model_prune(m, &s, NULL, 0);
    nn_model_prune_update(m, 0.75f);
    sp = save(m, NN_SAVE_NO_OPTIMIZER, &len);
    b = malloc(len);
    size_t pr = len - 4 - (4 + 1 + 12 + 16 + 4 + 8 + 9); /* one pruned tensor, mask mode 0 */
    CHECK(sp[pr] == 1 && sp[len - 5] == 0);
    MUT(put32(b + pr + 4 + 1 + 4, 0x3f800000u), "targetSparsity");      /* final sparsity 1.0 */
    MUT(put32(b + pr + 4 + 1 + 12 + 16, 0), "frequency");
    MUT(put32(b + len - 5 - 4, 1), "not a prunable tensor");            /* tensor 1: the bias */
    MUT(put32(b + len - 5 - 8, 3), "not a prunable tensor");            /* layer 3 */
    MUT(b[len - 5] = 2, "bad mask mode");
    MUT(b[len - 5] = 1, "truncated");                                   /* a bitmap that is not there */
    MUT(put32(b + pr, 0x10000000), "pruned tensors");
    MUT(b[pr + 4] = 5, "unknown schedule kind");
    free(sp); free(b);
    /* more pruned tensors than the model has (room for them: a bitmap follows the one there) */
    float *p = nn_model_params(m);
    size_t kept = 0;
    while (p[kept] == 0.0f) kept++;
    p[kept] = 0.0f; /* a kept weight at 0: the mask is written as a bitmap */
    sp = save(m, NN_SAVE_NO_OPTIMIZER, &len);
    b = malloc(len);
    pr = len - 4 - (4 + 1 + 12 + 16 + 4 + 8 + 9 + 24);
    CHECK(sp[pr] == 1 && sp[len - 5 - 24] == 1);
    MUT(put32(b + pr, 2), "2 pruned tensors, the model has 1 prunable");
#undef MUT
    free(sp); free(b);
    nn_model_free(m);
}

int main(void)
{
    RUN(test_schedules);
    RUN(test_prunable);
    RUN(test_masks_exact);
    RUN(test_masks_hold_in_fit);
    RUN(test_chain_pruned);
    RUN(test_pop_drops_pruning);
    RUN(test_save_pruned);
    RUN(test_quantize);
    RUN(test_quantize_conv_transpose);
    RUN(test_hostile_encodings);
    return nt_summary("prune");
}
