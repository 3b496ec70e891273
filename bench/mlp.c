/* mlp.c - the Fashion-MNIST MLP benchmark through nnplay's C API: natively (build/bench_mlp) and
 * as wasm under Node without the JS API (node build-wasm/bench_mlp.js), same source.
 *
 * 784-128-10 (relu, softmax), Adam 1e-3, batch 32, sparse labels, Glorot uniform kernels and zero
 * biases (nnplay's defaults). After a warm-up on a throwaway model, one nn_model_fit call trains
 * all epochs; each epoch is timed up to the epoch callback, which evaluates the test set untimed.
 * Times are process CPU time (what ranks the systems on a shared machine) and wall time.
 *
 * Run:  build/bench_mlp --data DIR [--epochs N] [--limit N] [--seed N]
 *       DIR holds the four Fashion-MNIST idx files decompressed (train-images-idx3-ubyte, ...);
 *       tools/bench.mjs (npm run bench) makes it from the .gz files of dataset-fashion-mnist.
 * Progress goes to stderr; the last line on stdout is one JSON object for tools/bench.mjs.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#define BENCH_PROG "bench_mlp"
#include "bench_util.h"

static nn_model *mlp(uint32_t seed)
{
    int in_shape[1] = {784};
    nn_model *m = nn_model_create(1, in_shape, seed);
    nn_optimizer adam = nn_adam(1e-3f);
    if (nn_model_add(m, nn_dense(128, NN_ACT_RELU)) != NN_OK ||
        nn_model_add(m, nn_dense(10, NN_ACT_SOFTMAX)) != NN_OK ||
        nn_model_compile(m, &adam, NN_LOSS_SCCE) != NN_OK) {
        fprintf(stderr, "bench_mlp: building the model: %s\n", m ? nn_model_error(m) : "out of memory");
        nn_model_free(m);
        return NULL;
    }
    return m;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    int epochs = 5, limit = 0;
    uint32_t seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--data")) dir = argv[i + 1];
        else if (!strcmp(argv[i], "--epochs")) epochs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--limit")) limit = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else dir = NULL, i = argc; /* unknown option: usage below */
    }
    if (!dir || argc % 2 == 0 || epochs < 1 || epochs > BENCH_MAX_EPOCHS || limit < 0) {
        fprintf(stderr, "usage: bench_mlp --data DIR [--epochs 1..%d] [--limit N] [--seed N]\n", BENCH_MAX_EPOCHS);
        return 1;
    }

    int rc = 1;
    nn_model *m = NULL;
    fmnist d;
    if (!load_fmnist(dir, limit, 1, &d)) goto done;
    const float *x = d.x, *y = d.y, *xt = d.xt, *yt = d.yt;
    int n = d.n, n_test = d.n_test;

    nn_fit_opts fo = nn_fit_defaults();
    fo.batch_size = 32;
    /* warm-up: caches, page faults, and in wasm V8's optimizing compiler */
    if (!(m = mlp(seed))) goto done;
    if (nn_model_fit(m, x, y, n < 4096 ? n : 4096, &fo, NULL, NULL) != NN_OK) {
        fprintf(stderr, "bench_mlp: warm-up: %s\n", nn_model_error(m));
        goto done;
    }
    nn_model_free(m);

    if (!(m = mlp(seed))) goto done;
    epoch_log lg = {.x_test = xt, .y_test = yt, .n_test = n_test, .n_train = n};
    fo.epochs = epochs;
    lg.mark = now();
    if (nn_model_fit(m, x, y, n, &fo, on_epoch, &lg) != NN_OK || lg.done != epochs) {
        fprintf(stderr, "bench_mlp: training: %s\n", nn_model_error(m));
        goto done;
    }

    printf("{\"system\":\"nnplay-c\",\"train_samples\":%d,\"epochs\":%d", n, epochs);
    print_rates("run_samples_per_s", "samples_per_s", n, lg.cpu, epochs);
    print_rates("run_wall_samples_per_s", "wall_samples_per_s", n, lg.wall, epochs);
    printf(",\"test_accuracy\":[");
    for (int e = 0; e < epochs; e++) printf("%s%.4f", e ? "," : "", lg.accuracy[e]);
    printf("],\"simd\":\"%s\"}\n", nn_simd_name());
    rc = 0;
done:
    nn_model_free(m);
    fmnist_free(&d);
    return rc;
}
