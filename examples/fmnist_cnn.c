/* fmnist_cnn.c - Fashion-MNIST with the CNN of issue 5 (and of the Keras MNIST example):
 *   Conv2D(32, 3x3, relu) -> MaxPool(2) -> Conv2D(64, 3x3, relu) -> MaxPool(2) -> Flatten
 *   -> Dense(128, relu) -> Dense(10, softmax); Adam 1e-3, batch 32, sparse labels.
 * Images are [28, 28, 1] (NHWC). Training prints Keras-style lines; the test set is evaluated
 * after every epoch (not timed: samples/s measures training alone).
 *
 * Run:  build/fmnist_cnn [--data DIR] [--epochs N] [--batch N] [--limit N] [--test-limit N]
 *                        [--seed N] [--shift K] [--flip] [--save PATH]
 *       DIR defaults to /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist);
 *       --limit 5000 trains on the first 5000 of the 60000 images; --shift/--flip turn on the
 *       random image augmentation of nn_model_set_augment.
 * The last line is JSON for scripts, e.g.
 *       {"example":"fmnist_cnn","train_samples":60000,"epochs":1,"test_accuracy":0.88,...}
 */
#define _POSIX_C_SOURCE 200809L /* popen, pclose */
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
    fprintf(stderr, "fmnist_cnn: %s: %s\n", what, nn_model_error(m));
}

/* Whole-string integer in [lo, hi], or exit with a usage message. */
static long long arg_long(const char *opt, const char *s, long long lo, long long hi)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || *end || end == s || v < lo || v > hi) {
        fprintf(stderr, "fmnist_cnn: %s needs an integer in %lld..%lld\n", opt, lo, hi);
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
        fprintf(stderr, "fmnist_cnn: Fashion-MNIST not found in %s: apt-get install dataset-fashion-mnist\n"
                        "        (cannot open %s)\n", dir, path);
        return NULL;
    }
    fclose(f);
    size_t len;
    unsigned char *bytes = gunzip_file(path, &len);
    if (!bytes) { fprintf(stderr, "fmnist_cnn: cannot decompress %s with gzip -dc\n", path); return NULL; }
    int ndim, dims[4];
    const uint8_t *data;
    if (nn_idx_parse(bytes, len, &ndim, dims, &data) != NN_OK) {
        fprintf(stderr, "fmnist_cnn: %s is not a valid idx file\n", path);
        free(bytes);
        return NULL;
    }
    int n = dims[0], size = 1; /* items, then the floats per item: 28*28 for images, 1 for labels */
    for (int d = 1; d < ndim; d++) size *= dims[d];
    if (limit > 0 && limit < n) n = limit;
    float *out = malloc((size_t)n * size * sizeof(float));
    if (!out || nn_idx_to_float(data, (size_t)n * size, scale, out) != NN_OK) {
        fprintf(stderr, "fmnist_cnn: out of memory reading %s\n", path);
        free(out);
        free(bytes);
        return NULL;
    }
    free(bytes); /* data pointed into it */
    *count = n;
    *item_size = size;
    return out;
}

int main(int argc, char **argv)
{
    const char *dir = DEFAULT_DIR, *save_path = NULL;
    int epochs = 1, batch = 32, limit = 0, test_limit = 0, shift = 0, flip = 0;
    uint32_t seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--data") && val) dir = val;
        else if (!strcmp(o, "--save") && val) save_path = val;
        else if (!strcmp(o, "--epochs")) epochs = (int)arg_long(o, val, 1, 1000000);
        else if (!strcmp(o, "--batch")) batch = (int)arg_long(o, val, 1, 1000000);
        else if (!strcmp(o, "--limit")) limit = (int)arg_long(o, val, 1, 1000000000);
        else if (!strcmp(o, "--test-limit")) test_limit = (int)arg_long(o, val, 1, 1000000000);
        else if (!strcmp(o, "--seed")) seed = (uint32_t)arg_long(o, val, 0, 4294967295LL);
        else if (!strcmp(o, "--shift")) shift = (int)arg_long(o, val, 0, 27);
        else if (!strcmp(o, "--flip")) { flip = 1; continue; } /* the one option without a value */
        else {
            fprintf(stderr, "usage: fmnist_cnn [--data DIR] [--epochs N] [--batch N] [--limit N] "
                            "[--test-limit N] [--seed N] [--shift K] [--flip] [--save PATH]\n");
            return 1;
        }
        i++; /* the others take a value */
    }

    int rc = 1, n_train = 0, n_test = 0, n_lab = 0, n_tlab = 0, in_size = 0, in_size_t = 0, one = 0, one_t = 0;
    nn_model *m = NULL;
    nn_metrics te;
    memset(&te, 0, sizeof te);
    float *x_train = load_idx(dir, "train-images-idx3-ubyte.gz", limit, 1.0f / 255, &n_train, &in_size);
    float *y_train = x_train ? load_idx(dir, "train-labels-idx1-ubyte.gz", limit, 1.0f, &n_lab, &one) : NULL;
    float *x_test = y_train ? load_idx(dir, "t10k-images-idx3-ubyte.gz", test_limit, 1.0f / 255, &n_test, &in_size_t) : NULL;
    float *y_test = x_test ? load_idx(dir, "t10k-labels-idx1-ubyte.gz", test_limit, 1.0f, &n_tlab, &one_t) : NULL;
    if (!y_test) goto done; /* load_idx said why */
    if (in_size != 28 * 28 || in_size_t != 28 * 28 || one != 1 || one_t != 1 ||
        n_lab != n_train || n_tlab != n_test) {
        fprintf(stderr, "fmnist_cnn: unexpected files in %s: want 28x28 images with one label each\n", dir);
        goto done;
    }
    printf("Fashion-MNIST: %d training and %d test images from %s (kernels: %s)\n",
           n_train, n_test, dir, nn_simd_name());

    int in_shape[3] = {28, 28, 1};
    m = nn_model_create(3, in_shape, seed);
    nn_optimizer adam = nn_adam(1e-3f);
    nn_model_add(m, nn_conv2d(32, 3, 3, 1, NN_PAD_VALID, NN_ACT_RELU)); /* a NULL m fails at compile */
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_model_add(m, nn_conv2d(64, 3, 3, 1, NN_PAD_VALID, NN_ACT_RELU));
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_model_add(m, nn_flatten());
    nn_model_add(m, nn_dense(128, NN_ACT_RELU));
    nn_model_add(m, nn_dense(10, NN_ACT_SOFTMAX));
    if (nn_model_compile(m, &adam, NN_LOSS_SCCE) != NN_OK ||
        nn_model_set_augment(m, shift, flip) != NN_OK) {
        report(m, "building the model");
        goto done;
    }
    char summary[2048];
    nn_model_summary(m, summary, sizeof summary);
    fputs(summary, stdout);

    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 1;
    fo.batch_size = batch;
    fo.verbose = 1;
    double secs = 0;
    for (int e = 0; e < epochs; e++) { /* one fit per epoch, so the test set is scored between */
        printf("(epoch %d of %d) ", e + 1, epochs);
        double t0 = now_s();
        if (nn_model_fit(m, x_train, y_train, n_train, &fo, NULL, NULL) != NN_OK) {
            report(m, "training");
            goto done;
        }
        secs += now_s() - t0;
        nn_metrics_free(&te);
        if (nn_model_evaluate(m, x_test, y_test, n_test, &te) != NN_OK) { report(m, "evaluating"); goto done; }
        printf("  test accuracy after epoch %d: %.4f (%.0f samples/s)\n", e + 1, te.accuracy,
               (double)n_train * (e + 1) / secs);
    }
    if (save_path && nn_model_save_file(m, save_path) != NN_OK) { report(m, "saving"); goto done; }

    printf("test: %d images, loss %.4f, accuracy %.4f; training took %.2f s\n",
           n_test, te.loss, te.accuracy, secs);
    if (save_path) printf("saved the model to %s\n", save_path);
    printf("{\"example\":\"fmnist_cnn\",\"train_samples\":%d,\"epochs\":%d,\"test_accuracy\":%.4f,"
           "\"test_loss\":%.4f,\"samples_per_s\":%.0f,\"simd\":\"%s\"}\n",
           n_train, epochs, te.accuracy, te.loss,
           secs > 0 ? (double)n_train * epochs / secs : 0.0, nn_simd_name());
    rc = 0;
done:
    nn_metrics_free(&te);
    nn_model_free(m);
    free(x_train); free(y_train); free(x_test); free(y_test);
    return rc;
}
