/* fmnist_data.h - what the Fashion-MNIST examples share: reading the gzipped idx files into
 * floats (through `gzip -dc` and nn_idx_parse), option parsing and a clock. Header-only, static:
 * define FMNIST_PROG (the program's name, for messages) before including it. Needs
 * _POSIX_C_SOURCE 200809L (popen) defined before the first system header. */
#ifndef FMNIST_DATA_H
#define FMNIST_DATA_H

#include "nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_DIR "/usr/share/datasets/fashion-mnist"

static double now_s(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Print what failed and why (the message lives on the model). */
static void report(const nn_model *m, const char *what)
{
    fprintf(stderr, FMNIST_PROG ": %s: %s\n", what, nn_model_error(m));
}

/* Whole-string integer in [lo, hi], or exit with a usage message. */
static long long arg_long(const char *opt, const char *s, long long lo, long long hi)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || *end || end == s || v < lo || v > hi) {
        fprintf(stderr, FMNIST_PROG ": %s needs an integer in %lld..%lld\n", opt, lo, hi);
        exit(1);
    }
    return v;
}

/* The whole output of `gzip -dc path` in a malloc'ed buffer (*len bytes), or NULL. */
static unsigned char *gunzip_file(const char *path, size_t *len)
{
    /* Single-quote the path for the shell; a ' inside becomes '\'' */
    size_t n = strlen(path), k = 0;
    char *cmd = malloc(4 * n + 32);
    if (!cmd) return NULL;
    k += (size_t)sprintf(cmd, "gzip -dc '");
    for (size_t i = 0; i < n; i++) {
        if (path[i] == '\'') { memcpy(cmd + k, "'\\''", 4); k += 4; }
        else cmd[k++] = path[i];
    }
    strcpy(cmd + k, "'");
    FILE *p = popen(cmd, "r");
    free(cmd);
    if (!p) return NULL;
    size_t cap = 1 << 20, used = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        used += fread(buf + used, 1, cap - used, p);
        if (used < cap) break; /* end of stream (or a read error, caught below) */
        unsigned char *bigger = realloc(buf, cap * 2);
        if (!bigger) { free(buf); buf = NULL; break; }
        buf = bigger;
        cap *= 2;
    }
    int read_error = ferror(p);
    if (pclose(p) != 0 || read_error) { free(buf); return NULL; } /* gzip failed: missing or corrupt */
    *len = used;
    return buf;
}

/* Read DIR/NAME (idx, gzipped) into floats: out gets the first `limit` items (all if limit <= 0 or
 * larger), each scaled by `scale`. *count gets how many; *item_size the floats per item.
 * Returns a malloc'ed array or NULL after printing why. */
static float *load_idx(const char *dir, const char *name, int limit, float scale, int *count,
                       int *item_size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb"); /* check first: gzip's own message is less helpful */
    if (!f) {
        fprintf(stderr, FMNIST_PROG ": Fashion-MNIST not found in %s: apt-get install dataset-fashion-mnist\n"
                        "        (cannot open %s)\n", dir, path);
        return NULL;
    }
    fclose(f);
    size_t len;
    unsigned char *bytes = gunzip_file(path, &len);
    if (!bytes) { fprintf(stderr, FMNIST_PROG ": cannot decompress %s with gzip -dc\n", path); return NULL; }
    int ndim, dims[4];
    const uint8_t *data;
    if (nn_idx_parse(bytes, len, &ndim, dims, &data) != NN_OK) {
        fprintf(stderr, FMNIST_PROG ": %s is not a valid idx file\n", path);
        free(bytes);
        return NULL;
    }
    int n = dims[0], size = 1; /* items, then the floats per item: 28*28 for images, 1 for labels */
    for (int d = 1; d < ndim; d++) size *= dims[d];
    if (limit > 0 && limit < n) n = limit;
    float *out = malloc((size_t)n * size * sizeof(float));
    if (!out || nn_idx_to_float(data, (size_t)n * size, scale, out) != NN_OK) {
        fprintf(stderr, FMNIST_PROG ": out of memory reading %s\n", path);
        free(out);
        free(bytes);
        return NULL;
    }
    free(bytes); /* data pointed into it */
    *count = n;
    *item_size = size;
    return out;
}

/* The Fashion-MNIST split: images as rows of 784 floats in [0, 1], labels as class indices. */
typedef struct { float *x_train, *y_train, *x_test, *y_test; int n_train, n_test; } fmnist_data;

static void fmnist_free(fmnist_data *d)
{
    free(d->x_train); free(d->y_train); free(d->x_test); free(d->y_test);
    memset(d, 0, sizeof *d);
}

/* Load the four files of DIR, the first `limit` training and `test_limit` test images (0 = all).
 * Returns 0, or -1 after saying why on stderr. */
static int fmnist_load(const char *dir, int limit, int test_limit, fmnist_data *d)
{
    int n_lab = 0, n_tlab = 0, in_size = 0, in_size_t = 0, one = 0, one_t = 0;
    memset(d, 0, sizeof *d);
    d->x_train = load_idx(dir, "train-images-idx3-ubyte.gz", limit, 1.0f / 255, &d->n_train, &in_size);
    d->y_train = d->x_train ? load_idx(dir, "train-labels-idx1-ubyte.gz", limit, 1.0f, &n_lab, &one) : NULL;
    d->x_test = d->y_train ? load_idx(dir, "t10k-images-idx3-ubyte.gz", test_limit, 1.0f / 255, &d->n_test, &in_size_t) : NULL;
    d->y_test = d->x_test ? load_idx(dir, "t10k-labels-idx1-ubyte.gz", test_limit, 1.0f, &n_tlab, &one_t) : NULL;
    if (!d->y_test) { fmnist_free(d); return -1; } /* load_idx said why */
    if (in_size != 28 * 28 || in_size_t != 28 * 28 || one != 1 || one_t != 1 ||
        n_lab != d->n_train || n_tlab != d->n_test) {
        fprintf(stderr, FMNIST_PROG ": unexpected files in %s: want 28x28 images with one label each\n", dir);
        fmnist_free(d);
        return -1;
    }
    printf("Fashion-MNIST: %d training and %d test images from %s (kernels: %s)\n",
           d->n_train, d->n_test, dir, nn_simd_name());
    return 0;
}

#endif
