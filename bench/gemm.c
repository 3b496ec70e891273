/* gemm.c - GEMM throughput next to the micro-kernel's ceiling, native and wasm.
 *
 * The ceiling is the register-tile micro-kernel alone on L1-resident packed panels: what
 * nn_gemm could reach if packing, cache misses and edges cost nothing. Then nn_gemm for the
 * three training shapes (NN: C = A B, forward; NT: C = A B^T, input gradient; TN: C = A^T B,
 * weight gradient) at square sizes and at the shapes of a 784-128-10 MLP with batch 32.
 * Every figure is the median of several timed runs after a warm-up (V8 first runs wasm from
 * its baseline compiler), each run long enough for the clock. The machine may be shared: each
 * case's runs are interleaved with runs of the micro-kernel, so the ratio compares two figures
 * taken under the same load.
 *
 * Run:  build/bench_gemm [--json] [--quick]      (native)
 *       node build-wasm/bench_gemm.js [--json] [--quick]   (wasm)
 * --json prints one object: {"target": ..., "ceiling_gflops": x, "results": [{"shape": "NN",
 * "m": .., "n": .., "k": .., "gflops": .., "ratio": .., "ceiling_gflops": ..}, ...]}: each
 * result's ratio = gflops / its ceiling_gflops (the micro-kernel timed alongside it); the top
 * ceiling_gflops is the median of those.
 * --quick times fewer and shorter runs (a smoke test, not a measurement). */
#define _POSIX_C_SOURCE 200809L
#include "kernels.h"
#include "nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int n_runs = 7;             /* timed runs per figure; the median is reported */
static double min_run_s = 0.02;    /* each run repeats the operation for at least this long */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef void (*op_fn)(void *ctx);

/* A repeat count for op(ctx) that makes one run last min_run_s; calibrating warms it up. */
static long calibrate(op_fn op, void *ctx)
{
    long reps = 1;
    for (;;) {
        double t0 = now_s();
        for (long r = 0; r < reps; r++) op(ctx);
        double t = now_s() - t0;
        if (t >= min_run_s) return reps;
        reps = t > 0 ? (long)(reps * (1.2 * min_run_s / t)) + 1 : reps * 10;
    }
}

static double run_seconds(op_fn op, void *ctx, long reps)
{
    double t0 = now_s();
    for (long r = 0; r < reps; r++) op(ctx);
    return (now_s() - t0) / (double)reps;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return v[n / 2];
}

/* Median seconds per call of op and of ref, their runs interleaved: the machine may be shared,
 * and a load that changes during the benchmark then weighs on both alike. */
static void paired_medians(op_fn op, void *ctx, op_fn ref, void *rctx, double *op_s, double *ref_s)
{
    long reps = calibrate(op, ctx), rreps = calibrate(ref, rctx);
    double a[32], b[32];
    for (int i = 0; i < n_runs; i++) {
        a[i] = run_seconds(op, ctx, reps);
        b[i] = run_seconds(ref, rctx, rreps);
    }
    *op_s = median(a, n_runs);
    *ref_s = median(b, n_runs);
}

/* ---- the ceiling: the micro-kernel on packed panels that stay in L1 */
typedef struct {
    int kc, ldc;
    float *ap, *bp, *c;
    double flops; /* per run_micro call */
} micro_ctx;

static void run_micro(void *p)
{
    micro_ctx *m = p;
    for (int i = 0; i < 64; i++) nn_gemm_microkernel(m->kc, m->ap, m->bp, m->c, m->ldc);
}

static int micro_init(micro_ctx *m)
{
    int mr, nr;
    nn_gemm_tile_shape(&mr, &nr);
    m->kc = 256;
    m->ldc = nr;
    m->ap = malloc(sizeof(float) * mr * m->kc);
    m->bp = malloc(sizeof(float) * nr * m->kc);
    m->c = calloc((size_t)mr * nr, sizeof(float));
    if (!m->ap || !m->bp || !m->c) return 0;
    for (int i = 0; i < mr * m->kc; i++) m->ap[i] = 1e-3f * (float)(i % 7);
    for (int i = 0; i < nr * m->kc; i++) m->bp[i] = 1e-3f * (float)(i % 5);
    m->flops = 64.0 * 2.0 * mr * nr * m->kc;
    double t0 = now_s();
    while (now_s() - t0 < 0.2) run_micro(m); /* let V8's optimizing tier take over */
    return 1;
}

/* ---- nn_gemm on one shape */
typedef struct {
    int ta, tb, m, n, k;
    float *a, *b, *c;
} gemm_ctx;

static void run_gemm(void *p)
{
    gemm_ctx *g = p;
    int lda = g->ta ? g->m : g->k, ldb = g->tb ? g->k : g->n;
    /* beta 1 where training accumulates (the weight gradient), 0 elsewhere */
    nn_gemm(g->ta, g->tb, g->m, g->n, g->k, g->a, lda, g->b, ldb, g->ta ? 1.0f : 0.0f, g->c, g->n);
}

/* GFLOPS of nn_gemm on one shape, and (*ceiling) of the micro-kernel timed alongside it. */
static double gemm_gflops(int ta, int tb, int m, int n, int k, micro_ctx *micro, double *ceiling)
{
    gemm_ctx g = {ta, tb, m, n, k, malloc(sizeof(float) * m * k), malloc(sizeof(float) * k * n),
                  calloc((size_t)m * n, sizeof(float))};
    if (!g.a || !g.b || !g.c) {
        fprintf(stderr, "bench_gemm: out of memory for %d x %d x %d\n", m, n, k);
        exit(1);
    }
    for (int i = 0; i < m * k; i++) g.a[i] = 1e-3f * (float)(i % 13) - 6e-3f;
    for (int i = 0; i < k * n; i++) g.b[i] = 1e-3f * (float)(i % 11) - 5e-3f;
    double s, cs;
    paired_medians(run_gemm, &g, run_micro, micro, &s, &cs);
    free(g.a); free(g.b); free(g.c);
    *ceiling = micro->flops / cs * 1e-9;
    return 2.0 * m * n * k / s * 1e-9;
}

typedef struct {
    const char *shape;
    int m, n, k;
    const char *what; /* "" for the square sizes */
} bench_case;

/* ---- few rows of C (batch-1 inference): nn_gemm, which routes them to nn_gemv, against its
 * blocked path alone (nn_gemm_blocked, what nn_gemm ran before the route), timed interleaved. A
 * case is up to three products in a row: a network's dense layers at batch 1. Cases marked
 * per_row run nn_gemv once per row of C instead of nn_gemm: the measurements behind nn_gemm's
 * row threshold (GEMV_M in core/gemm.c), on both sides of it. */
typedef struct {
    const char *what;
    int n_ops;
    bench_case ops[3];
    int per_row;
} rows_case;

typedef void (*gemm_fn)(int, int, int, int, int, const float *, int, const float *, int, float,
                        float *, int);

typedef struct {
    const rows_case *c;
    gemm_fn gemm;
    float *a[3], *b[3], *y[3];
} rows_ctx;

/* nn_gemv once per row of C, in nn_gemm's argument order (op(A) = A only) */
static void gemv_rows(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                      int ldb, float beta, float *C, int ldc)
{
    (void)ta;
    for (int i = 0; i < M; i++) nn_gemv(tb, N, K, A + (long)i * lda, B, ldb, beta, C + (long)i * ldc);
}

static void run_rows(void *p)
{
    rows_ctx *x = p;
    for (int i = 0; i < x->c->n_ops; i++) {
        const bench_case *o = &x->c->ops[i];
        int ta = o->shape[0] == 'T', tb = o->shape[1] == 'T';
        x->gemm(ta, tb, o->m, o->n, o->k, x->a[i], ta ? o->m : o->k, x->b[i], tb ? o->k : o->n,
                ta ? 1.0f : 0.0f, x->y[i], o->n);
    }
}

/* GFLOPS of nn_gemm on a case, and (*old) of nn_gemm_blocked on it */
static double rows_gflops(const rows_case *c, double *old)
{
    rows_ctx x = {c, c->per_row ? gemv_rows : nn_gemm, {0}, {0}, {0}}, xo;
    double flops = 0;
    for (int i = 0; i < c->n_ops; i++) {
        const bench_case *o = &c->ops[i];
        size_t na = (size_t)o->m * o->k, nb = (size_t)o->k * o->n;
        x.a[i] = malloc(sizeof(float) * na);
        x.b[i] = malloc(sizeof(float) * nb);
        x.y[i] = calloc((size_t)o->m * o->n, sizeof(float));
        if (!x.a[i] || !x.b[i] || !x.y[i]) {
            fprintf(stderr, "bench_gemm: out of memory\n");
            exit(1);
        }
        for (size_t j = 0; j < na; j++) x.a[i][j] = 1e-3f * (float)(j % 13) - 6e-3f;
        for (size_t j = 0; j < nb; j++) x.b[i][j] = 1e-3f * (float)(j % 11) - 5e-3f;
        flops += 2.0 * o->m * o->n * o->k;
    }
    xo = x;
    xo.gemm = nn_gemm_blocked;
    double s, so;
    paired_medians(run_rows, &x, run_rows, &xo, &s, &so);
    for (int i = 0; i < c->n_ops; i++) { free(x.a[i]); free(x.b[i]); free(x.y[i]); }
    *old = flops / so * 1e-9;
    return flops / s * 1e-9;
}

static const rows_case rows_cases[] = {
    {"mlp 784-512-256-10, batch 1: forward", 3,
     {{"NN", 1, 512, 784, ""}, {"NN", 1, 256, 512, ""}, {"NN", 1, 10, 256, ""}}},
    {"mlp 784-512-256-10, batch 1: dx of every layer", 3,
     {{"NT", 1, 256, 10, ""}, {"NT", 1, 512, 256, ""}, {"NT", 1, 784, 512, ""}}},
    {"mlp 784-512-256-10, batch 1: dW of every layer", 3,
     {{"TN", 784, 512, 1, ""}, {"TN", 512, 256, 1, ""}, {"TN", 256, 10, 1, ""}}},
    {"digit CNN (shipped) dense 256-10, batch 1: forward", 1, {{"NN", 1, 10, 256, ""}}},
    {"digit CNN (cnn preset) dense 1600-128-10, batch 1: forward", 2,
     {{"NN", 1, 128, 1600, ""}, {"NN", 1, 10, 128, ""}}},
    {"dense 784-512, 2 rows, a GEMV per row", 1, {{"NN", 2, 512, 784, ""}}, 1},
    {"dense 1600-128, 2 rows, a GEMV per row", 1, {{"NN", 2, 128, 1600, ""}}, 1},
    {"dense 784-512, 3 rows, a GEMV per row", 1, {{"NN", 3, 512, 784, ""}}, 1},
    {"dense 128-10 dx, 2 rows, a GEMV per row", 1, {{"NT", 2, 128, 10, ""}}, 1},
    {"dense 1600-128 dx, 2 rows, a GEMV per row", 1, {{"NT", 2, 1600, 128, ""}}, 1},
    {"dense 784-512 dx, 3 rows, a GEMV per row", 1, {{"NT", 3, 784, 512, ""}}, 1},
    {"dense 1600-128 dx, 3 rows, a GEMV per row", 1, {{"NT", 3, 1600, 128, ""}}, 1},
    {"dense 1600-128 dx, 4 rows, a GEMV per row", 1, {{"NT", 4, 1600, 128, ""}}, 1},
};
#define N_ROWS_CASES ((int)(sizeof rows_cases / sizeof rows_cases[0]))

int main(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--quick")) { n_runs = 3; min_run_s = 0.002; }
        else {
            fprintf(stderr, "usage: bench_gemm [--json] [--quick]\n");
            return 2;
        }
    }
    static const int squares[] = {32, 64, 128, 256, 512, 1024};
    static const char *shapes[] = {"NN", "NT", "TN"};
    bench_case cases[64];
    int nc = 0;
    for (int s = 0; s < 3; s++)
        for (int i = 0; i < 6; i++)
            cases[nc++] = (bench_case){shapes[s], squares[i], squares[i], squares[i], ""};
    /* a 784-128-10 MLP, batch 32: forward x W, input gradient dz W^T, weight gradient x^T dz */
    cases[nc++] = (bench_case){"NN", 32, 128, 784, "mlp: hidden forward"};
    cases[nc++] = (bench_case){"NN", 32, 10, 128, "mlp: output forward"};
    cases[nc++] = (bench_case){"NT", 32, 128, 10, "mlp: output dx"};
    cases[nc++] = (bench_case){"NT", 32, 784, 128, "mlp: hidden dx (deeper nets)"};
    cases[nc++] = (bench_case){"TN", 784, 128, 32, "mlp: hidden dW"};
    cases[nc++] = (bench_case){"TN", 128, 10, 32, "mlp: output dW"};

    micro_ctx micro;
    if (!micro_init(&micro)) {
        fprintf(stderr, "bench_gemm: out of memory\n");
        return 1;
    }
    int mr, nr;
    nn_gemm_tile_shape(&mr, &nr);
    double gflops[64], ceil_at[64];
    for (int i = 0; i < nc; i++) {
        bench_case c = cases[i];
        gflops[i] = gemm_gflops(c.shape[0] == 'T', c.shape[1] == 'T', c.m, c.n, c.k, &micro,
                                &ceil_at[i]);
        if (!json) fprintf(stderr, ".");
    }
    double rows_new[N_ROWS_CASES], rows_old[N_ROWS_CASES];
    for (int i = 0; i < N_ROWS_CASES; i++) {
        rows_new[i] = rows_gflops(&rows_cases[i], &rows_old[i]);
        if (!json) fprintf(stderr, ".");
    }
    if (!json) fprintf(stderr, "\n");
    double sorted[64];
    memcpy(sorted, ceil_at, sizeof(double) * nc);
    double ceiling = median(sorted, nc);
    free(micro.ap); free(micro.bp); free(micro.c);
    if (json) {
        printf("{\"target\":\"%s\",\"ceiling_gflops\":%.2f,\"results\":[", nn_simd_name(), ceiling);
        for (int i = 0; i < nc; i++)
            printf("%s{\"shape\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"gflops\":%.2f,\"ratio\":%.3f,"
                   "\"ceiling_gflops\":%.2f}", i ? "," : "", cases[i].shape, cases[i].m, cases[i].n,
                   cases[i].k, gflops[i], gflops[i] / ceil_at[i], ceil_at[i]);
        printf("],\"few_rows\":[");
        for (int i = 0; i < N_ROWS_CASES; i++) {
            const rows_case *c = &rows_cases[i];
            printf("%s{\"what\":\"%s\",\"products\":\"", i ? "," : "", c->what);
            for (int j = 0; j < c->n_ops; j++)
                printf("%s%s %dx%dx%d", j ? " + " : "", c->ops[j].shape, c->ops[j].m, c->ops[j].n, c->ops[j].k);
            printf("\",\"gflops\":%.2f,\"blocked_gflops\":%.2f,\"speedup\":%.2f}", rows_new[i],
                   rows_old[i], rows_new[i] / rows_old[i]);
        }
        printf("]}\n");
    } else {
        printf("target %s, tile %dx%d: micro-kernel ceiling %.1f GFLOPS\n\n"
               "shape     m     n     k   GFLOPS  ceiling  ratio\n", nn_simd_name(), mr, nr, ceiling);
        for (int i = 0; i < nc; i++)
            printf("%-5s %5d %5d %5d %8.1f %8.1f %6.0f%%  %s\n", cases[i].shape, cases[i].m,
                   cases[i].n, cases[i].k, gflops[i], ceil_at[i], 100.0 * gflops[i] / ceil_at[i],
                   cases[i].what);
        printf("\nfew rows (batch 1): nn_gemm (or a GEMV per row) against its blocked path alone, GFLOPS\n");
        for (int i = 0; i < N_ROWS_CASES; i++)
            printf("%8.1f %8.1f %6.2fx  %s\n", rows_new[i], rows_old[i], rows_new[i] / rows_old[i],
                   rows_cases[i].what);
    }
    return 0;
}
