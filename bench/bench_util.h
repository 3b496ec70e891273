/* bench_util.h - what the C bench programs share (bench/mlp.c, bench/cnn.c, bench/compress.c,
 * bench/text.c, bench/charlm.c): a clock of process CPU time and wall time, the decompressed
 * Fashion-MNIST idx reader and data set, the CNN that cnn.c and compress.c train, the text
 * benches' token files and parameter dumps, the epoch callback that times epochs and scores the
 * test set, and medians. Header-only, static; define BENCH_PROG (the
 * program's name, for messages) and _POSIX_C_SOURCE 200809L (clock_gettime) before including it. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include "nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

#define BENCH_MAX_EPOCHS 100

typedef struct { double cpu, wall; } stamp;

static stamp now(void)
{
    struct timespec w;
    clock_gettime(CLOCK_MONOTONIC, &w);
    stamp s = {0, (double)w.tv_sec + w.tv_nsec * 1e-9};
#ifdef __EMSCRIPTEN__
    /* Emscripten has no CPU-time clock; ask Node for this process's (all threads, as natively) */
    s.cpu = EM_ASM_DOUBLE({ const u = process.cpuUsage(); return (u.user + u.system) / 1e6; });
#else
    struct timespec c;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
    s.cpu = (double)c.tv_sec + c.tv_nsec * 1e-9;
#endif
    return s;
}

/* DIR/NAME (an idx file of bytes, `item` bytes per item) as floats times `scale`: the first
 * `limit` items (all if limit <= 0). *n gets the count. NULL after printing why. */
static float *load_idx(const char *dir, const char *name, int item, int limit, float scale, int *n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    long len = -1;
    unsigned char *bytes = NULL;
    if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (bytes = malloc((size_t)len)) && fread(bytes, 1, (size_t)len, f) != (size_t)len) {
        free(bytes);
        bytes = NULL;
    }
    if (f) fclose(f);
    if (!bytes) {
        fprintf(stderr, BENCH_PROG ": cannot read %s (decompressed Fashion-MNIST idx file)\n", path);
        return NULL;
    }
    int ndim, dims[4], size = 1;
    const uint8_t *data;
    float *out = NULL;
    if (nn_idx_parse(bytes, (size_t)len, &ndim, dims, &data) == NN_OK) {
        for (int d = 1; d < ndim; d++) size *= dims[d];
        *n = limit > 0 && limit < dims[0] ? limit : dims[0];
    }
    if (size != item) fprintf(stderr, BENCH_PROG ": %s is not an idx file of %d-byte items\n", path, item);
    else if (!(out = malloc((size_t)*n * item * sizeof(float)))) fprintf(stderr, BENCH_PROG ": out of memory\n");
    else nn_idx_to_float(data, (size_t)*n * item, scale, out);
    free(bytes);
    return out;
}

/* Fashion-MNIST as the benches train on it: pixels scaled to [0, 1], labels as class indices. */
typedef struct {
    float *x, *y, *xt, *yt; /* training images and labels; test ones (NULL without test) */
    int n, n_test;
} fmnist;

static void fmnist_free(fmnist *d)
{
    free(d->x); free(d->y); free(d->xt); free(d->yt);
    memset(d, 0, sizeof *d);
}

/* The first `limit` training images and labels (all if limit <= 0) from the decompressed idx files
 * in dir, and with test the 10,000 test ones. 0 (d empty) after printing why. */
static int load_fmnist(const char *dir, int limit, int test, fmnist *d)
{
    int n_lab = 0, n_tlab = 0;
    memset(d, 0, sizeof *d);
    d->x = load_idx(dir, "train-images-idx3-ubyte", 784, limit, 1.0f / 255, &d->n);
    d->y = d->x ? load_idx(dir, "train-labels-idx1-ubyte", 1, limit, 1.0f, &n_lab) : NULL;
    d->xt = d->y && test ? load_idx(dir, "t10k-images-idx3-ubyte", 784, 0, 1.0f / 255, &d->n_test) : NULL;
    d->yt = d->xt ? load_idx(dir, "t10k-labels-idx1-ubyte", 1, 0, 1.0f, &n_tlab) : NULL;
    if (!d->y || (test && !d->yt)) {
        fmnist_free(d);
        return 0;
    }
    if (d->n != n_lab || d->n_test != n_tlab) {
        fprintf(stderr, BENCH_PROG ": images and labels differ in count in %s\n", dir);
        fmnist_free(d);
        return 0;
    }
    return 1;
}

/* The Fashion-MNIST CNN of bench/cnn.c and bench/compress.c: Conv2D(32, 3x3, relu) -> MaxPool(2)
 * -> Conv2D(64, 3x3, relu) -> MaxPool(2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax),
 * Adam 1e-3, sparse categorical cross-entropy. NULL after printing why. */
static nn_model *fmnist_cnn(uint32_t seed)
{
    int in_shape[3] = {28, 28, 1};
    nn_model *m = nn_model_create(3, in_shape, seed);
    nn_optimizer adam = nn_adam(1e-3f);
    nn_model_add(m, nn_conv2d(32, 3, 3, 1, NN_PAD_VALID, NN_ACT_RELU)); /* a NULL m fails at compile */
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_model_add(m, nn_conv2d(64, 3, 3, 1, NN_PAD_VALID, NN_ACT_RELU));
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_model_add(m, nn_flatten());
    nn_model_add(m, nn_dense(128, NN_ACT_RELU));
    nn_model_add(m, nn_dense(10, NN_ACT_SOFTMAX));
    if (nn_model_compile(m, &adam, NN_LOSS_SCCE) != NN_OK) {
        fprintf(stderr, BENCH_PROG ": building the model: %s\n", m ? nn_model_error(m) : "out of memory");
        nn_model_free(m);
        return NULL;
    }
    return m;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Print "name":[rates],"median_name":median for `count` samples over each of the n times (s). */
static void print_rates(const char *name, const char *median_name, int count, const double *secs, int n)
{
    double *r = malloc((size_t)n * sizeof *r);
    if (!r) return;
    printf(",\"%s\":[", name);
    for (int e = 0; e < n; e++) printf("%s%.0f", e ? "," : "", r[e] = count / secs[e]);
    qsort(r, (size_t)n, sizeof r[0], cmp_double);
    printf("],\"%s\":%.0f", median_name, n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2);
    free(r);
}

/* `runs` timed nn_model_fit calls over the first n samples (the same model goes on learning):
 * cpu[r] and wall[r] get seconds. NN_OK, or the failed call's status after printing why. */
static int timed_runs(nn_model *m, const float *x, const float *y, int n, const nn_fit_opts *fo, int runs,
                      double *cpu, double *wall)
{
    for (int r = 0; r < runs; r++) {
        stamp t0 = now();
        int st = nn_model_fit(m, x, y, n, fo, NULL, NULL);
        if (st != NN_OK) {
            fprintf(stderr, BENCH_PROG ": training: %s\n", nn_model_error(m));
            return st;
        }
        stamp t1 = now();
        cpu[r] = t1.cpu - t0.cpu;
        wall[r] = t1.wall - t0.wall;
        fprintf(stderr, BENCH_PROG ": run %d: %.0f samples/s over %d samples\n", r + 1, n / cpu[r], n);
    }
    return NN_OK;
}

/* The epochs of one nn_model_fit, each timed up to the epoch callback, which scores the test
 * set untimed (on_epoch is the callback, an epoch_log its user data). */
typedef struct {
    const float *x_test, *y_test;
    int n_test, n_train;
    stamp mark;                      /* when the current epoch started */
    double cpu[BENCH_MAX_EPOCHS], wall[BENCH_MAX_EPOCHS], accuracy[BENCH_MAX_EPOCHS]; /* seconds; test accuracy */
    int done;
} epoch_log;

static int on_epoch(nn_model *m, int epoch, const nn_metrics *train, const nn_metrics *val, void *user)
{
    (void)train, (void)val;
    epoch_log *lg = user;
    stamp t = now();
    nn_metrics te;
    memset(&te, 0, sizeof te);
    if (nn_model_evaluate(m, lg->x_test, lg->y_test, lg->n_test, &te) != NN_OK) return 1;
    lg->cpu[epoch] = t.cpu - lg->mark.cpu;
    lg->wall[epoch] = t.wall - lg->mark.wall;
    lg->accuracy[epoch] = te.accuracy;
    lg->done = epoch + 1;
    nn_metrics_free(&te);
    fprintf(stderr, BENCH_PROG ": epoch %d: %.0f samples/s, test accuracy %.4f\n", epoch + 1,
            lg->n_train / lg->cpu[epoch], lg->accuracy[epoch]);
    lg->mark = now();
    return 0;
}

/* A token file written by tools/bench.mjs from a text dataset (layout: bench/lib.mjs encodeTokens):
 * count rows of `steps` ids, the first train_count of them training samples. */
typedef struct {
    int count, steps, train_count, vocab;
    int32_t *ids;    /* count * steps */
    uint8_t *labels; /* count */
} tokens;

static uint32_t read_u32le(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* Read a token file; 0 on success, else 1 after printing why. Free with tokens_free. */
static int load_tokens(const char *path, tokens *t)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    unsigned char h[24];
    int ok = f && fread(h, 1, sizeof h, f) == sizeof h && !memcmp(h, "NNBTOKS1", 8);
    uint32_t v[4] = {0};
    for (int i = 0; ok && i < 4; i++) ok = (v[i] = read_u32le(h + 8 + 4 * i)) <= 100000000u;
    uint64_t n_ids = (uint64_t)v[0] * v[1];
    ok = ok && v[1] > 0 && v[2] <= v[0] && v[3] > 0 && n_ids <= 200000000u;
    unsigned char *raw = ok ? malloc((size_t)n_ids * 4 + v[0] + 1) : NULL;
    ok = raw && fread(raw, 1, (size_t)n_ids * 4 + v[0] + 1, f) == (size_t)n_ids * 4 + v[0]; /* +1: nothing after */
    if (ok) {
        t->count = (int)v[0], t->steps = (int)v[1], t->train_count = (int)v[2], t->vocab = (int)v[3];
        t->ids = malloc((size_t)n_ids * sizeof *t->ids);
        t->labels = malloc((size_t)v[0] + 1);
        ok = t->ids && t->labels;
        for (uint64_t i = 0; ok && i < n_ids; i++) {
            t->ids[i] = (int32_t)read_u32le(raw + 4 * i);
            ok = t->ids[i] >= 0 && t->ids[i] < t->vocab;
        }
        if (ok) memcpy(t->labels, raw + 4 * n_ids, (size_t)v[0]);
    }
    free(raw);
    if (f) fclose(f);
    if (!ok) {
        free(t->ids);
        free(t->labels);
        memset(t, 0, sizeof *t);
        fprintf(stderr, BENCH_PROG ": cannot read %s (a token file tools/bench.mjs writes)\n", path);
        return 1;
    }
    return 0;
}

static void tokens_free(tokens *t) { free(t->ids); free(t->labels); }

/* Write the model's parameter array (nn_model_params, layer by layer in TF.js's layouts) to a file:
 * "NNBPARAM" | u64 count | f32 params[count], little-endian (x86 and wasm are). 0 on success. */
static int save_params(nn_model *m, const char *path)
{
    uint64_t n = nn_model_num_params(m);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite("NNBPARAM", 1, 8, f) == 8 && fwrite(&n, 8, 1, f) == 1 &&
             fwrite(nn_model_params(m), sizeof(float), (size_t)n, f) == (size_t)n;
    if (f && fclose(f) != 0) ok = 0;
    if (!ok) fprintf(stderr, BENCH_PROG ": cannot write %s\n", path);
    return !ok;
}

#endif
