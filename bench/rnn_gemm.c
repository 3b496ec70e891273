/* rnn_gemm.c - where the text model's LSTM spends its matrix time: each GEMM that core/lstm.c
 * calls for one batch of bench/text.c's model (32 samples x 100 steps, input 64, 128 units, 4 gates),
 * timed alone with nn_gemm on the shapes and strides the layer uses (build/bench_rnn_gemm, and as wasm
 * build-wasm/bench_rnn_gemm.js; not part of npm run bench). Two alternatives for dU are timed beside
 * them: one GEMM over every step's rows at once, and one per sample. Best of 7 runs each.
 * Run:  build/bench_rnn_gemm        Prints a table in ms and GFLOPS. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { N = 32, T = 100, D = 64, U = 128, G = 4 * U, REPS = 7, CASES = 8 };

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static float *filled(size_t n)
{
    float *p = malloc(n * sizeof *p);
    for (size_t i = 0; p && i < n; i++) p[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    return p;
}

int main(void)
{
    float *x = filled((size_t)N * T * D), *W = filled((size_t)D * G), *Uk = filled((size_t)U * G);
    float *z = filled((size_t)N * T * G), *h = filled((size_t)N * T * U), *gU = filled((size_t)U * G);
    float *gW = filled((size_t)D * G), *dh = filled((size_t)N * U), *dx = filled((size_t)N * T * D);
    if (!x || !W || !Uk || !z || !h || !gU || !gW || !dh || !dx) { fprintf(stderr, "bench_rnn_gemm: out of memory\n"); return 1; }
    static const char *const name[CASES] = {
        "forward  Z = X W, all steps (3200x512x64)", "forward  z += h U per step (32x512x128, x99)",
        "backward dU += h^T dz per step (128x512, K=32, x99)", "backward dh = dz U^T per step (32x128x512, x99)",
        "backward dW += X^T dZ (64x512, K=3200)", "backward dX = dZ W^T (3200x64x512)",
        "alternative: dU in one GEMM (128x512, K=3199)", "alternative: dU per sample (128x512, K=99, x32)"};
    const double flops[CASES] = {2.0 * N * T * G * D, 2.0 * (T - 1) * N * G * U, 2.0 * (T - 1) * U * G * N,
                                 2.0 * (T - 1) * N * U * G, 2.0 * D * G * N * T, 2.0 * N * T * D * G,
                                 2.0 * U * G * (N * T - 1), 2.0 * N * U * G * (T - 1)};
    double best[CASES];
    for (int c = 0; c < CASES; c++) best[c] = 1e30;
    for (int rep = 0; rep < REPS; rep++) {
        for (int c = 0; c < CASES; c++) {
            double t0 = seconds();
            switch (c) { /* the calls of core/lstm.c: h and z are [N, T, width] row-major */
            case 0: nn_gemm(0, 0, N * T, G, D, x, D, W, G, 0.0f, z, G); break;
            case 1: for (int s = 1; s < T; s++) nn_gemm(0, 0, N, G, U, h + (size_t)(s - 1) * U, T * U, Uk, G, 1.0f, z + (size_t)s * G, T * G); break;
            case 2: for (int s = T - 1; s >= 1; s--) nn_gemm(1, 0, U, G, N, h + (size_t)(s - 1) * U, T * U, z + (size_t)s * G, T * G, 1.0f, gU, G); break;
            case 3: for (int s = T - 1; s >= 1; s--) nn_gemm(0, 1, N, U, G, z + (size_t)s * G, T * G, Uk, G, 1.0f, dh, U); break;
            case 4: nn_gemm(1, 0, D, G, N * T, x, D, z, G, 1.0f, gW, G); break;
            case 5: nn_gemm(0, 1, N * T, D, G, z, G, W, G, 0.0f, dx, D); break;
            /* rows (i, s-1) of h against rows (i, s) of dz, as one shifted pair of [N*T] matrices (the
             * N-1 pairs that straddle two samples would have to be subtracted or masked) */
            case 6: nn_gemm(1, 0, U, G, N * T - 1, h, U, z + G, G, 1.0f, gU, G); break;
            case 7: for (int i = 0; i < N; i++) nn_gemm(1, 0, U, G, T - 1, h + (size_t)i * T * U, U, z + ((size_t)i * T + 1) * G, G, 1.0f, gU, G); break;
            }
            double t = seconds() - t0;
            if (t < best[c]) best[c] = t;
        }
    }
    double total = 0;
    for (int c = 0; c < 6; c++) total += best[c];
    for (int c = 0; c < CASES; c++) printf("%-54s %8.2f ms %6.1f GFLOPS\n", name[c], best[c] * 1e3, flops[c] / best[c] / 1e9);
    printf("the layer's GEMMs per batch: %.2f ms, at most %.0f samples/s from them alone\n", total * 1e3, N / total);
    free(x); free(W); free(Uk); free(z); free(h); free(gU); free(gW); free(dh); free(dx);
    return 0;
}
