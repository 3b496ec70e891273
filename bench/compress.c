/* compress.c - issue 13's pruning and quantization targets on the Fashion-MNIST CNN of bench/cnn.c
 * (build/bench_compress): Conv2D(32, 3x3) -> MaxPool -> Conv2D(64, 3x3) -> MaxPool -> Flatten ->
 * Dense(128) -> Dense(10), Adam 1e-3, batch 32.
 *   1. The dense model trains --epochs epochs over the 60,000 images; its test accuracy is the
 *      baseline, and its file (saved without the optimizer state, f32) the size baseline.
 *      The dense copy trained --prune-epochs more epochs shows what the extra epochs alone give.
 *   2. For each target sparsity (50%, 80%, 90%) a copy of it (through its file, optimizer state
 *      included) is pruned with TF MOT's recipe: polynomialDecay from 0 to the target over the
 *      first 2/3 of --prune-epochs epochs of fine-tuning (masks every 100 batches), then
 *      stripped; reported: test accuracy, the kernels' sparsity, the file size.
 *   3. int8: the dense model and the 90% one saved with NN_SAVE_QUANTIZE_INT8, loaded back
 *      (dequantized) and scored: file size and accuracy.
 * Run:  build/bench_compress --data DIR [--epochs N] [--prune-epochs N] [--seed N] [--limit N]
 * Progress goes to stderr; the last line on stdout is one JSON object for tools/bench.mjs. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#define BENCH_PROG "bench_compress"
#include "bench_util.h"

#define BATCH 32

static double accuracy(nn_model *m, const float *x, const float *y, int n)
{
    nn_metrics mt;
    if (nn_model_evaluate(m, x, y, n, &mt) != NN_OK) {
        fprintf(stderr, BENCH_PROG ": evaluate: %s\n", nn_model_error(m));
        return -1;
    }
    double a = mt.accuracy;
    nn_metrics_free(&mt);
    return a;
}

/* The model's file with flags, and (when copy) the model loaded back from it. */
static size_t file_size(nn_model *m, int flags, nn_model **copy)
{
    size_t n = nn_model_save_size_ex(m, flags), w = 0;
    unsigned char *b = malloc(n);
    char err[NN_ERR_LEN] = "";
    if (!b || nn_model_save_ex(m, b, n, &w, flags) != NN_OK) { free(b); return 0; }
    if (copy && !(*copy = nn_model_load(b, w, err))) fprintf(stderr, BENCH_PROG ": load: %s\n", err);
    free(b);
    return w;
}

/* Zeros among the prunable weights of every layer. */
static double kernel_sparsity(const nn_model *m)
{
    uint64_t w = 0, z = 0;
    for (int l = 0; l < nn_model_num_layers(m); l++) {
        uint64_t lw, lz;
        if (nn_model_layer_sparsity(m, l, &lw, &lz) >= 0) { w += lw; z += lz; }
    }
    return w ? (double)z / (double)w : 0;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    int epochs = 2, prune_epochs = 2, limit = 0;
    uint32_t seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--data")) dir = argv[i + 1];
        else if (!strcmp(argv[i], "--epochs")) epochs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--prune-epochs")) prune_epochs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--limit")) limit = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else dir = NULL, i = argc;
    }
    if (!dir || argc % 2 == 0 || epochs < 1 || epochs > 50 || prune_epochs < 1 || prune_epochs > 50 || limit < 0) {
        fprintf(stderr, "usage: bench_compress --data DIR [--epochs 1..50] [--prune-epochs 1..50] [--seed N] [--limit N]\n");
        return 1;
    }
    int rc = 1;
    nn_model *m = NULL;
    fmnist d;
    if (!load_fmnist(dir, limit, 1, &d)) goto done;
    const float *x = d.x, *y = d.y, *xt = d.xt, *yt = d.yt;
    int n = d.n, n_test = d.n_test;

    nn_fit_opts fo = nn_fit_defaults();
    fo.batch_size = BATCH;
    fo.epochs = epochs;
    stamp t0 = now();
    if (!(m = fmnist_cnn(seed)) || nn_model_fit(m, x, y, n, &fo, NULL, NULL) != NN_OK) {
        fprintf(stderr, BENCH_PROG ": training: %s\n", m ? nn_model_error(m) : "no model");
        goto done;
    }
    double dense_acc = accuracy(m, xt, yt, n_test);
    size_t dense_size = file_size(m, NN_SAVE_NO_OPTIMIZER, NULL);
    fprintf(stderr, BENCH_PROG ": dense: %d epochs in %.0f s, test accuracy %.4f, file %zu bytes\n", epochs,
            now().wall - t0.wall, dense_acc, dense_size);
    printf("{\"system\":\"nnplay-c\",\"epochs\":%d,\"prune_epochs\":%d,\"train_samples\":%d,"
           "\"dense\":{\"test_accuracy\":%.4f,\"file_bytes\":%zu},",
           epochs, prune_epochs, n, dense_acc, dense_size);

    /* the same fine-tuning without pruning: what the pruned models' extra epochs alone give */
    nn_model *longer = NULL;
    file_size(m, 0, &longer);
    nn_fit_opts lf = fo;
    lf.epochs = prune_epochs;
    if (!longer || nn_model_fit(longer, x, y, n, &lf, NULL, NULL) != NN_OK) { nn_model_free(longer); goto done; }
    double longer_acc = accuracy(longer, xt, yt, n_test);
    nn_model_free(longer);
    fprintf(stderr, BENCH_PROG ": dense, %d more epochs: test accuracy %.4f\n", prune_epochs, longer_acc);
    printf("\"dense_fine_tuned\":{\"test_accuracy\":%.4f},\"pruned\":[", longer_acc);
    static const float targets[] = {0.5f, 0.8f, 0.9f};
    nn_model *p90 = NULL;
    int batches = (n + BATCH - 1) / BATCH;
    for (int t = 0; t < 3; t++) {
        nn_model *p = NULL;
        file_size(m, 0, &p); /* a copy with the optimizer state, to go on fine-tuning */
        if (!p) goto done;
        /* masks every 100 batches (fewer on a small --limit), the last update at the end step */
        int64_t span = (int64_t)batches * prune_epochs * 2 / 3, freq = span >= 1000 ? 100 : span / 10 > 0 ? span / 10 : 1;
        nn_prune_schedule s = nn_polynomial_decay(0.0f, targets[t], 0, span / freq * freq, 3.0f, (int)freq);
        nn_fit_opts pf = fo;
        pf.epochs = prune_epochs;
        t0 = now();
        if (nn_model_prune(p, &s, NULL, 0) != NN_OK || nn_model_fit(p, x, y, n, &pf, NULL, NULL) != NN_OK) {
            fprintf(stderr, BENCH_PROG ": pruning: %s\n", nn_model_error(p));
            nn_model_free(p);
            goto done;
        }
        nn_model_strip_pruning(p);
        double acc = accuracy(p, xt, yt, n_test), sp = kernel_sparsity(p);
        size_t size = file_size(p, NN_SAVE_NO_OPTIMIZER, NULL);
        fprintf(stderr, BENCH_PROG ": pruned to %.0f%% (kernels %.4f zero) in %.0f s: test accuracy %.4f (%+.2f points), "
                "file %zu bytes (%.2fx smaller)\n", targets[t] * 100, sp, now().wall - t0.wall, acc,
                (acc - dense_acc) * 100, size, (double)dense_size / size);
        printf("%s{\"target\":%.2f,\"sparsity\":%.4f,\"test_accuracy\":%.4f,\"points_vs_dense\":%.2f,\"file_bytes\":%zu,"
               "\"x_smaller\":%.2f}", t ? "," : "", targets[t], sp, acc, (acc - dense_acc) * 100, size,
               (double)dense_size / size);
        if (t == 2) p90 = p;
        else nn_model_free(p);
    }
    /* int8: the dense model and the 90% one, dequantized on load */
    nn_model *q = NULL, *q90 = NULL;
    size_t q_size = file_size(m, NN_SAVE_NO_OPTIMIZER | NN_SAVE_QUANTIZE_INT8, &q);
    size_t q90_size = file_size(p90, NN_SAVE_NO_OPTIMIZER | NN_SAVE_QUANTIZE_INT8, &q90);
    if (!q || !q90) { nn_model_free(q); nn_model_free(q90); nn_model_free(p90); goto done; }
    double q_acc = accuracy(q, xt, yt, n_test), q90_acc = accuracy(q90, xt, yt, n_test), p90_acc = accuracy(p90, xt, yt, n_test);
    fprintf(stderr, BENCH_PROG ": int8: file %zu bytes (%.2fx smaller), test accuracy %.4f (%+.2f points); "
            "90%% pruned + int8: %zu bytes (%.2fx), accuracy %.4f (%+.2f vs the pruned f32)\n", q_size,
            (double)dense_size / q_size, q_acc, (q_acc - dense_acc) * 100, q90_size, (double)dense_size / q90_size,
            q90_acc, (q90_acc - p90_acc) * 100);
    printf("],\"int8\":{\"test_accuracy\":%.4f,\"points_vs_dense\":%.2f,\"file_bytes\":%zu,\"x_smaller\":%.2f},"
           "\"pruned90_int8\":{\"test_accuracy\":%.4f,\"points_vs_pruned\":%.2f,\"file_bytes\":%zu,\"x_smaller\":%.2f},"
           "\"simd\":\"%s\"}\n", q_acc, (q_acc - dense_acc) * 100, q_size, (double)dense_size / q_size, q90_acc,
           (q90_acc - p90_acc) * 100, q90_size, (double)dense_size / q90_size, nn_simd_name());
    nn_model_free(q); nn_model_free(q90); nn_model_free(p90);
    rc = 0;
done:
    nn_model_free(m);
    fmnist_free(&d);
    return rc;
}
