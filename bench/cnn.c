/* cnn.c - the Fashion-MNIST CNN benchmark of issue 5 through nnplay's C API (build/bench_cnn):
 *   Conv2D(32, 3x3, relu) -> MaxPool(2) -> Conv2D(64, 3x3, relu) -> MaxPool(2) -> Flatten
 *   -> Dense(128, relu) -> Dense(10, softmax); Adam 1e-3, batch 32, sparse labels, Glorot uniform
 *   kernels and zero biases (nnplay's defaults), images [28, 28, 1] (NHWC).
 *
 * Speed: after a warm-up of --warmup batches, --runs runs each train one nn_model_fit epoch over
 * the first --batches batches of the training set (the same model goes on learning); samples/s
 * is the median over runs, in process CPU time (what ranks the systems on a shared machine) and
 * wall time. Accuracy (--epochs N > 0): a fresh model trains N epochs over all 60,000 images and
 * the test set is scored after each (untimed); the epochs' own samples/s are reported too.
 *
 * Run:  build/bench_cnn --data DIR [--batches N] [--warmup N] [--runs N] [--epochs N] [--seed N]
 *       DIR holds the four Fashion-MNIST idx files decompressed (tools/bench.mjs makes it).
 * Progress goes to stderr; the last line on stdout is one JSON object for tools/bench.mjs.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#define BENCH_PROG "bench_cnn"
#include "bench_util.h"

#define MAX_RUNS BENCH_MAX_EPOCHS
#define BATCH 32

int main(int argc, char **argv)
{
    const char *dir = NULL;
    int batches = 100, warmup = 20, runs = 3, epochs = 0;
    uint32_t seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--data")) dir = argv[i + 1];
        else if (!strcmp(argv[i], "--batches")) batches = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--epochs")) epochs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else dir = NULL, i = argc; /* unknown option: usage below */
    }
    if (!dir || argc % 2 == 0 || batches < 1 || batches > 1875 || warmup < 0 || warmup > 1875 ||
        runs < 1 || runs > MAX_RUNS || epochs < 0 || epochs > MAX_RUNS) {
        fprintf(stderr, "usage: bench_cnn --data DIR [--batches 1..1875] [--warmup 0..1875] "
                        "[--runs 1..%d] [--epochs 0..%d] [--seed N]\n", MAX_RUNS, MAX_RUNS);
        return 1;
    }

    int rc = 1;
    int limit = epochs > 0 ? 0 : (batches > warmup ? batches : warmup) * BATCH;
    nn_model *m = NULL;
    fmnist d;
    if (!load_fmnist(dir, limit, epochs > 0, &d)) goto done;
    const float *x = d.x, *y = d.y, *xt = d.xt, *yt = d.yt;
    int n = d.n, n_test = d.n_test;

    /* speed: warm-up (caches, page faults), then the timed runs on the same model */
    nn_fit_opts fo = nn_fit_defaults();
    fo.batch_size = BATCH;
    double cpu[MAX_RUNS], wall[MAX_RUNS];
    int n_run = batches * BATCH < n ? batches * BATCH : n, n_warm = warmup * BATCH < n ? warmup * BATCH : n;
    if (!(m = fmnist_cnn(seed))) goto done;
    if (n_warm > 0 && nn_model_fit(m, x, y, n_warm, &fo, NULL, NULL) != NN_OK) {
        fprintf(stderr, "bench_cnn: warm-up: %s\n", nn_model_error(m));
        goto done;
    }
    if (timed_runs(m, x, y, n_run, &fo, runs, cpu, wall) != NN_OK) goto done;
    nn_model_free(m);
    m = NULL;

    /* accuracy: a fresh model, whole epochs */
    epoch_log lg = {.x_test = xt, .y_test = yt, .n_test = n_test, .n_train = n};
    if (epochs > 0) {
        if (!(m = fmnist_cnn(seed))) goto done;
        fo.epochs = epochs;
        lg.mark = now();
        if (nn_model_fit(m, x, y, n, &fo, on_epoch, &lg) != NN_OK || lg.done != epochs) {
            fprintf(stderr, "bench_cnn: training: %s\n", nn_model_error(m));
            goto done;
        }
    }

    printf("{\"system\":\"nnplay-c\",\"batch\":%d,\"batches\":%d,\"runs\":%d", BATCH, n_run / BATCH, runs);
    print_rates("run_samples_per_s", "samples_per_s", n_run, cpu, runs);
    print_rates("run_wall_samples_per_s", "wall_samples_per_s", n_run, wall, runs);
    printf(",\"epochs\":%d,\"train_samples\":%d,\"test_accuracy\":[", epochs, epochs ? n : 0);
    for (int e = 0; e < epochs; e++) printf("%s%.4f", e ? "," : "", lg.accuracy[e]);
    printf("]");
    if (epochs) print_rates("epoch_samples_per_s", "epoch_median_samples_per_s", n, lg.cpu, epochs);
    printf(",\"simd\":\"%s\"}\n", nn_simd_name());
    rc = 0;
done:
    nn_model_free(m);
    fmnist_free(&d);
    return rc;
}
