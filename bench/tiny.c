/* tiny.c - the tiny-network benchmark of bench/tiny.mjs through nnplay's C API, natively
 * (build/bench_tiny) and as wasm under Node without the JS API (node build-wasm/bench_tiny.js).
 *
 * 2-8-8-1 (tanh, tanh, sigmoid), binary cross-entropy, SGD 0.03, batch 10, 250 'circle' points,
 * trained the way the JS API's fit does it: per epoch a shuffle, then nn_model_train_steps over
 * the whole epoch feeding streaming metrics. Then the 100x100 decision boundary: predict of
 * 10,000 grid points over [-6, 6]^2. Small enough to run under valgrind --tool=callgrind for
 * instruction counts (--epochs 200 --runs 1 --boundary 10).
 *
 * Run:  build/bench_tiny [--epochs N] [--runs N] [--boundary N] [--seed N]
 * Progress goes to stderr; the last line on stdout is one JSON object.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "nn.h"
#include "nn_data.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 250
#define BATCH 10
#define LR 0.03f
#define GRID 100

static double cpu_now(void)
{
    struct timespec c;
#ifdef __EMSCRIPTEN__
    clock_gettime(CLOCK_MONOTONIC, &c); /* no CPU-time clock in Emscripten: wall time */
#else
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
#endif
    return (double)c.tv_sec + c.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* What the JS fit loop does for `epochs` epochs: shuffle, train_steps over the epoch, metrics. */
static int train(nn_model *m, const float *x, const float *y, int32_t *perm, nn_metrics *mt,
                 int epochs)
{
    for (int e = 0; e < epochs; e++) {
        nn_model_permutation(m, perm, N);
        nn_metrics_reset(mt);
        int got = nn_model_train_steps(m, x, y, N, perm, 0, N, BATCH, mt);
        if (got != N) return got < 0 ? got : NN_ERR_STATE;
        nn_metrics_finalize(mt);
    }
    return NN_OK;
}

static int arg_int(int argc, char **argv, const char *name, int def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return atoi(argv[i + 1]);
    return def;
}

int main(int argc, char **argv)
{
    int epochs = arg_int(argc, argv, "--epochs", 2000), runs = arg_int(argc, argv, "--runs", 5);
    int boundary = arg_int(argc, argv, "--boundary", 200), seed = arg_int(argc, argv, "--seed", 1);
    if (epochs < 1 || runs < 1 || runs > 100 || boundary < 1 || boundary > 10000) {
        fprintf(stderr, "bench_tiny: --epochs >= 1, --runs 1..100, --boundary 1..10000\n");
        return 2;
    }
    static float x[N * 2], y[N], grid[GRID * GRID * 2], out[GRID * GRID];
    static int32_t perm[N];
    if (nn_data_generate(NN_DATA_CIRCLE, N, 0.0f, 0, (uint32_t)seed, x, y) != NN_OK) {
        fprintf(stderr, "bench_tiny: cannot generate the data\n");
        return 1;
    }
    int in_shape[1] = {2};
    nn_model *m = nn_model_create(1, in_shape, (uint32_t)seed);
    nn_model_add(m, nn_dense(8, NN_ACT_TANH));
    nn_model_add(m, nn_dense(8, NN_ACT_TANH));
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    nn_optimizer opt = nn_sgd(LR);
    nn_metrics mt;
    if (!m || nn_model_compile(m, &opt, NN_LOSS_BCE) != NN_OK ||
        nn_metrics_init(&mt, 1, NN_LOSS_BCE, 0) != NN_OK) {
        fprintf(stderr, "bench_tiny: %s\n", m ? nn_model_error(m) : "out of memory");
        return 1;
    }
    double times[100], bt[10000];
    int st = train(m, x, y, perm, &mt, epochs / 10 > 0 ? epochs / 10 : 1); /* warm-up */
    for (int r = 0; r < runs && st == NN_OK; r++) {
        double t0 = cpu_now();
        st = train(m, x, y, perm, &mt, epochs);
        times[r] = cpu_now() - t0;
        fprintf(stderr, "bench_tiny: run %d: %.0f samples/s\n", r + 1, (double)N * epochs / times[r]);
    }
    for (int r = 0; r < GRID; r++)
        for (int c = 0; c < GRID; c++) {
            grid[2 * (r * GRID + c)] = -6.0f + (c + 0.5f) * 0.12f;
            grid[2 * (r * GRID + c) + 1] = 6.0f - (r + 0.5f) * 0.12f;
        }
    for (int i = 0; i < boundary && st == NN_OK; i++) {
        double t0 = cpu_now();
        st = nn_model_predict(m, grid, GRID * GRID, out);
        bt[i] = cpu_now() - t0;
    }
    if (st != NN_OK) {
        fprintf(stderr, "bench_tiny: %s\n", nn_model_error(m));
        return 1;
    }
    float p[N];
    int hits = 0;
    nn_model_predict(m, x, N, p);
    for (int i = 0; i < N; i++) hits += (p[i] >= 0.5f) == (y[i] == 1.0f);
    double sps = (double)N * epochs / median(times, runs);
    printf("{\"system\":\"tiny-c\",\"simd\":\"%s\",\"samples_per_s\":%.0f,\"train_accuracy\":%.4f,"
           "\"boundary_ms\":%.4f}\n", nn_simd_name(), sps, (double)hits / N, median(bt, boundary) * 1e3);
    nn_metrics_free(&mt);
    nn_model_free(m);
    return 0;
}
