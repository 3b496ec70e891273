/* nn_gemm against nn_gemm_ref on every path: the four transpose combinations, beta 0 and 1,
 * sizes 1..70 around the register tile, sizes that cross the cache blocks (KC, MC, NC) and the
 * pack-or-read-in-place thresholds, long K, leading dimensions wider than the matrices (with
 * NaN in the gaps, which must never reach a result, and canaries in C's gaps, which must never
 * change), and the micro-kernel alone. Runs natively, as wasm, and forced scalar. */
#include "kernels.h"
#include "nn.h"
#include "rng.h"
#include "test.h"
#include <string.h>

static nn_rng rng;

static float uniform(void) { return 2.0f * nn_rng_uniform(&rng) - 1.0f; }

typedef void (*gemm_fn)(int, int, int, int, int, const float *, int, const float *, int, float,
                        float *, int);

/* One case: op(A) is m x k, op(B) k x n, with pad extra floats at the end of every row of A,
 * B and C. Returns 1 when gemm matches the reference within a tolerance growing with k. */
static int check_with(gemm_fn gemm, int ta, int tb, int m, int n, int k, float beta, int pad)
{
    int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
    int lda = ac + pad, ldb = bc + pad, ldc = n + pad;
    size_t na = (size_t)ar * lda, nb = (size_t)br * ldb, nc = (size_t)m * ldc;
    float *A = malloc(sizeof(float) * (na ? na : 1)), *B = malloc(sizeof(float) * (nb ? nb : 1));
    float *C1 = malloc(sizeof(float) * nc), *C2 = malloc(sizeof(float) * nc);
    if (!A || !B || !C1 || !C2) {
        printf("  out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < na; i++) A[i] = i % lda < (size_t)ac ? uniform() : NAN;
    for (size_t i = 0; i < nb; i++) B[i] = i % ldb < (size_t)bc ? uniform() : NAN;
    for (size_t i = 0; i < nc; i++) /* beta 0 must not read C: NaN there must vanish */
        C1[i] = i % ldc < (size_t)n ? (beta != 0.0f ? uniform() : NAN) : 12345.0f;
    memcpy(C2, C1, sizeof(float) * nc);
    gemm(ta, tb, m, n, k, A, lda, B, ldb, beta, C1, ldc);
    nn_gemm_ref(ta, tb, m, n, k, A, lda, B, ldb, beta, C2, ldc);
    float tol = 1e-5f * (float)(k + 8), worst = 0.0f;
    int ok = 1;
    for (size_t i = 0; i < nc; i++) {
        if (i % ldc >= (size_t)n) { /* the gap after each row of C is not C's */
            if (C1[i] != 12345.0f) ok = 0;
            continue;
        }
        float d = fabsf(C1[i] - C2[i]);
        if (!(d <= tol)) ok = 0; /* also catches NaN */
        if (d > worst || d != d) worst = d;
    }
    if (!ok)
        printf("  ta=%d tb=%d m=%d n=%d k=%d beta=%g pad=%d: max diff %g (tol %g)\n", ta, tb, m, n,
               k, beta, pad, worst, tol);
    free(A); free(B); free(C1); free(C2);
    return ok;
}

static int check_case(int ta, int tb, int m, int n, int k, float beta, int pad)
{
    return check_with(nn_gemm, ta, tb, m, n, k, beta, pad);
}

/* nn_gemv in nn_gemm's argument order: one row of A */
static void gemv_as_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda,
                         const float *B, int ldb, float beta, float *C, int ldc)
{
    (void)ta; (void)M; (void)lda; (void)ldc;
    nn_gemv(tb, N, K, A, B, ldb, beta, C);
}

static void test_gemv(void)
{ /* one row times B (tb 0: x W, the forward pass) or B^T (tb 1: dz W^T, the input gradient), on
   * the awkward sizes around the vector width and the four-row passes, padded rows of B */
    static const int sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 17, 33, 257};
    nn_rng_seed(&rng, 6);
    for (int tb = 0; tb < 2; tb++)
        for (int a = 0; a < 11; a++)
            for (int b = 0; b < 11; b++)
                for (int beta = 0; beta < 2; beta++)
                    CHECK(check_with(gemv_as_gemm, 0, tb, 1, sizes[a], sizes[b], (float)beta, (a + b) % 3));
}

static void test_few_rows(void)
{ /* nn_gemm with one to four rows (the GEMV route and the blocked path next to it) at the dense
   * layers' batch-1 shapes: a 784-512-256-10 MLP and the digit CNNs' 256-10 and 1600-128-10
   * heads, forward (NN), input gradient (NT), and the weight gradient (TN, K = 1) */
    static const int dims[][2] = {{512, 784}, {256, 512}, {10, 256}, {128, 1600}, {10, 128}, {3, 1001}};
    nn_rng_seed(&rng, 7);
    for (int m = 1; m <= 4; m++)
        for (int d = 0; d < 6; d++) {
            int n = dims[d][0], k = dims[d][1];
            CHECK(check_case(0, 0, m, n, k, 0.0f, m & 1));
            CHECK(check_case(0, 1, m, k, n, 0.0f, m & 1));
            CHECK(check_case(1, 0, k, n, m, 1.0f, 0));
            CHECK(check_case(1, 1, m, n, k, (float)(m & 1), 2)); /* not routed: op(A) strided */
            CHECK(check_case(0, 0, m, n, k, 1.0f, 0));
        }
}

static void test_blocked_alone(void)
{ /* the path bench/gemm.c compares the routes with must be right on the shapes they take */
    nn_rng_seed(&rng, 8);
    for (int t = 0; t < 4; t++) {
        CHECK(check_with(nn_gemm_blocked, t >> 1, t & 1, 1, 130, 77, 0.0f, 1));
        CHECK(check_with(nn_gemm_blocked, t >> 1, t & 1, 1, 10, 256, 1.0f, 0));
        CHECK(check_with(nn_gemm_blocked, t >> 1, t & 1, 3, 2, 9, 0.0f, 0));
        CHECK(check_with(nn_gemm_blocked, t >> 1, t & 1, 5, 7, 0, 1.0f, 0));
    }
}

static void test_small_sizes_all_shapes(void)
{ /* every m and n of 1..70 meets a spread of k, each transpose combination, both betas */
    nn_rng_seed(&rng, 1);
    int cases = 0;
    for (int t = 0; t < 4; t++)
        for (int m = 1; m <= 70; m++)
            for (int j = 0; j < 3; j++) {
                int n = (m * 7 + j * 23 + 3) % 70 + 1, k = (m * 13 + j * 31 + 5) % 70 + 1;
                for (int b = 0; b < 2; b++, cases++) CHECK(check_case(t >> 1, t & 1, m, n, k, (float)b, 0));
            }
    CHECK(cases == 4 * 70 * 3 * 2);
}

static void test_tile_edges(void)
{ /* all combinations of sizes just below, at and above the tile multiples */
    static const int mn[] = {1, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 24, 33, 64, 65};
    static const int ks[] = {1, 2, 5, 17, 70};
    nn_rng_seed(&rng, 2);
    for (int t = 0; t < 4; t++)
        for (int a = 0; a < 15; a++)
            for (int b = 0; b < 15; b++)
                for (int c = 0; c < 5; c++)
                    CHECK(check_case(t >> 1, t & 1, mn[a], mn[b], ks[c], (float)((a + b + c) & 1), 0));
}

static void test_cache_blocks(void)
{ /* past KC (256), MC (64 or 96), NC (512) and the packing thresholds (64), each shape */
    static const int dims[][3] = {
        {50, 530, 300}, /* few rows: op(B) read in place; many columns: op(A) packed */
        {100, 40, 520}, /* many rows: op(B) packed; two full KC blocks and a remainder */
        {97, 70, 257},  /* ragged everywhere, K just past one block */
        {7, 9, 1000},   /* long K on a tiny C */
        {200, 3, 64},   /* tall and narrow */
        {3, 600, 33},   /* short and wide */
    };
    nn_rng_seed(&rng, 3);
    for (int t = 0; t < 4; t++)
        for (int d = 0; d < 6; d++)
            for (int b = 0; b < 2; b++)
                CHECK(check_case(t >> 1, t & 1, dims[d][0], dims[d][1], dims[d][2], (float)b, 0));
}

static void test_leading_dims(void)
{ /* rows wider than the matrices: NaN in A's and B's gaps, canaries in C's */
    nn_rng_seed(&rng, 4);
    for (int t = 0; t < 4; t++)
        for (int pad = 1; pad <= 9; pad += 4) {
            CHECK(check_case(t >> 1, t & 1, 17, 19, 13, 1.0f, pad));
            CHECK(check_case(t >> 1, t & 1, 70, 66, 40, 0.0f, pad));
            CHECK(check_case(t >> 1, t & 1, 90, 100, 300, 1.0f, pad));
        }
}

static void test_empty(void)
{ /* k = 0 is an empty sum: C = beta C; m or n = 0 touches nothing */
    float A[4] = {1, 2, 3, 4}, B[4] = {1, 2, 3, 4}, C[4] = {5, 6, 7, 8};
    nn_gemm(0, 0, 2, 2, 0, A, 1, B, 2, 1.0f, C, 2);
    CHECK(C[0] == 5 && C[3] == 8);
    nn_gemm(0, 0, 2, 2, 0, A, 1, B, 2, 0.0f, C, 2);
    CHECK(C[0] == 0 && C[1] == 0 && C[2] == 0 && C[3] == 0);
    C[0] = 9;
    nn_gemm(0, 0, 0, 2, 2, A, 2, B, 2, 0.0f, C, 2);
    nn_gemm(0, 0, 2, 0, 2, A, 2, B, 2, 0.0f, C, 2);
    CHECK(C[0] == 9);
    for (int tb = 0; tb < 2; tb++) { /* the GEMV alike */
        float y[2] = {5, 6};
        nn_gemv(tb, 2, 0, A, B, 2, 1.0f, y);
        CHECK(y[0] == 5 && y[1] == 6);
        nn_gemv(tb, 2, 0, A, B, 2, 0.0f, y);
        CHECK(y[0] == 0 && y[1] == 0);
        y[0] = 9;
        nn_gemv(tb, 0, 2, A, B, 2, 0.0f, y);
        CHECK(y[0] == 9);
    }
}

static void test_microkernel(void)
{ /* the kernel bench/gemm.c times: C += Ap Bp on packed panels */
    int mr, nr, kc = 37;
    nn_gemm_tile_shape(&mr, &nr);
    CHECK(mr >= 1 && nr >= 1 && mr <= 16 && nr <= 64);
    float *ap = malloc(sizeof(float) * mr * kc), *bp = malloc(sizeof(float) * nr * kc);
    float *c = malloc(sizeof(float) * mr * (nr + 3)), *want = malloc(sizeof(float) * mr * (nr + 3));
    nn_rng_seed(&rng, 5);
    for (int i = 0; i < mr * kc; i++) ap[i] = uniform();
    for (int i = 0; i < nr * kc; i++) bp[i] = uniform();
    for (int i = 0; i < mr * (nr + 3); i++) c[i] = want[i] = uniform();
    for (int r = 0; r < mr; r++)
        for (int j = 0; j < nr; j++)
            for (int k = 0; k < kc; k++) want[r * (nr + 3) + j] += ap[k * mr + r] * bp[k * nr + j];
    nn_gemm_microkernel(kc, ap, bp, c, nr + 3);
    float worst = 0;
    for (int i = 0; i < mr * (nr + 3); i++) worst = fmaxf(worst, fabsf(c[i] - want[i]));
    CHECK(worst < 1e-4f);
    free(ap); free(bp); free(c); free(want);
}

int main(void)
{
    printf("  gemm: %s\n", nn_simd_name());
    RUN(test_small_sizes_all_shapes);
    RUN(test_tile_edges);
    RUN(test_cache_blocks);
    RUN(test_leading_dims);
    RUN(test_gemv);
    RUN(test_few_rows);
    RUN(test_blocked_alone);
    RUN(test_empty);
    RUN(test_microkernel);
    return nt_summary("gemm");
}
