/* gemm.c - C = op(A) op(B) + beta C: packed, register-blocked, over the macros of simd.h.
 *
 * The GotoBLAS/BLIS layout: C is cut into NC-column x KC-deep x MC-row blocks, and the
 * micro-kernel computes one MR x NR tile of C from an MR-row sliver of op(A) and an NR-column
 * sliver of op(B), both k-major (MR resp. NR consecutive floats per k), streamed with unit stride
 * from L1 while the MR x NR accumulators stay in registers. Transposes never materialize:
 * packing reads op(A) and op(B) through their strides (4x4 register transposes where the source
 * runs along k), so A*B, A*B^T and A^T*B all end in the same micro-kernel.
 *
 * Packing copies O(MK + KN) floats and pays only when a sliver is reused enough. When it is not
 * (few rows of C, as in a batch-32 training step), operands read in place: op(B) = B row-major
 * already has NR consecutive floats per k (stride ldb), op(A) = A^T has MR per k (stride lda),
 * and op(A) = A is read as MR row streams. Only a ragged last sliver is then packed, zero-padded,
 * so the kernel never reads past an operand; ragged tiles of C go through a small local tile.
 *
 * The packing buffers are fixed-size and per thread (_Thread_local): nn_gemm never allocates,
 * and concurrent calls from different threads are safe. Scalar builds use nn_gemm_ref. */
#include "kernels.h"
#include "simd.h"
#include <string.h>

#ifndef VW

void nn_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
             int ldb, float beta, float *C, int ldc)
{
    nn_gemm_ref(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

void nn_gemm_blocked(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                     int ldb, float beta, float *C, int ldc)
{
    nn_gemm_ref(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

void nn_gemv(int tb, int N, int K, const float *x, const float *B, int ldb, float beta, float *y)
{
    nn_gemv_ref(tb, N, K, x, B, ldb, beta, y);
}

void nn_gemm_tile_shape(int *mr, int *nr)
{
    *mr = 4;
    *nr = 4;
}

void nn_gemm_microkernel(int kc, const float *Ap, const float *Bp, float *C, int ldc)
{
    float t[16] = {0};
    for (int k = 0; k < kc; k++, Ap += 4, Bp += 4)
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++) t[r * 4 + c] += Ap[r] * Bp[c];
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) C[(long)r * ldc + c] += t[r * 4 + c];
}

#else

/* Tile and blocks, per target (bench/gemm.c measured them on this project's machine).
 * MR x NR: AVX2 has 16 ymm registers: 6 x 16 uses 12 accumulators, 2 B vectors, 1 A splat.
 * 128-bit targets (wasm, SSE2) 4 x 8: V8 keeps 8 accumulators and the operands in registers.
 * KC: a KC x NR sliver of op(B) stays in L1; MC x KC of op(A) and KC x NC of op(B) in L2. */
#define NR (2 * VW)
#if VW == 8
#define MR 6
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define HALF_ROWS(X) X(0) X(1) X(2)
#else
#define MR 4
#define ROWS(X) X(0) X(1) X(2) X(3)
#define HALF_ROWS(X) X(0) X(1)
#endif
#define KC 256
#define MC (MR * 16)
#define NC 512

/* Packing pays when a sliver of op(B) is reused by more than PACK_MIN rows of C, a sliver of
 * op(A) by more than PACK_MIN columns (measured with bench/gemm.c on the MLP's shapes: the
 * batch-32 forward pass x W runs faster reading x in place than transposing it into slivers).
 * Reading in place suffers from leading dimensions that are powers of two, though (a 4 KB
 * stride maps every k of an A^T sliver to one L1 set): so A^T is packed whenever it is reused,
 * which took TN 1024 from 62 to 98 GFLOPS. */
#define PACK_MIN 64

static _Thread_local _Alignas(64) float pack_a[MC * KC], pack_b[KC * NC];
static _Thread_local _Alignas(64) float edge_a[MR * KC], edge_b[KC * NR];

/* The MR x NR tile C = (acc ? C : 0) + sum_k a(r, k) b(k, :). Two variants of how a(r, k) is
 * addressed: a[r + k*aks] (packed slivers, and A^T in place) or a[r*ars + k] (A in place). */
#define K_DECL(r) vf c##r##0 = VZERO(), c##r##1 = VZERO();
#define K_FMA(r, p)                                                                            \
    {                                                                                          \
        vf a_ = VSPLATP(p);                                                                    \
        c##r##0 = VFMA(a_, b0, c##r##0);                                                       \
        c##r##1 = VFMA(a_, b1, c##r##1);                                                       \
    }
#define K_STEP_K(r) K_FMA(r, a + r)
#define K_STEP_R(r) K_FMA(r, a + r * ars)
#define K_STORE(r)                                                                             \
    {                                                                                          \
        float *c_ = C + r * ldc;                                                               \
        if (acc) {                                                                             \
            c##r##0 = VADD(c##r##0, VLOAD(c_));                                                \
            c##r##1 = VADD(c##r##1, VLOAD(c_ + VW));                                           \
        }                                                                                      \
        VSTORE(c_, c##r##0);                                                                   \
        VSTORE(c_ + VW, c##r##1);                                                              \
    }

#define KERNEL_K(name, ROWS)                                                                   \
    static void name(int kc, const float *a, long aks, const float *b, long bks, float *C,     \
                     long ldc, int acc)                                                        \
    {                                                                                          \
        ROWS(K_DECL)                                                                           \
        for (int k = 0; k < kc; k++, a += aks, b += bks) {                                     \
            vf b0 = VLOAD(b), b1 = VLOAD(b + VW);                                              \
            ROWS(K_STEP_K)                                                                     \
        }                                                                                      \
        ROWS(K_STORE)                                                                          \
    }
KERNEL_K(kernel_k, ROWS)
/* MR/2 rows: a ragged last sliver of A that short (M = 32 with MR = 6) wastes half a tile less */
KERNEL_K(kernel_k_half, HALF_ROWS)

static void kernel_r(int kc, const float *a, long ars, const float *b, long bks, float *C,
                     long ldc, int acc)
{
    ROWS(K_DECL)
    for (int k = 0; k < kc; k++, a++, b += bks) {
        vf b0 = VLOAD(b), b1 = VLOAD(b + VW);
        ROWS(K_STEP_R)
    }
    ROWS(K_STORE)
}

void nn_gemm_tile_shape(int *mr, int *nr)
{
    *mr = MR;
    *nr = NR;
}


/* dst[k*W + v] = src[k*ks + v*vs] for k < kc, v < w, and 0 for w <= v < W: one sliver, k-major.
 * Either vs == 1 (the sliver's rows are contiguous) or ks == 1 (its columns are: transpose). */
static void pack_sliver(float *dst, int W, const float *src, long ks, long vs, int kc, int w)
{
    if (vs == 1) {
        for (int k = 0; k < kc; k++) {
            const float *s = src + k * ks;
            float *d = dst + (long)k * W;
            int v = 0;
            for (; v + VW <= w; v += VW) VSTORE(d + v, VLOAD(s + v));
            for (; v < w; v++) d[v] = s[v];
            for (; v < W; v++) d[v] = 0.0f;
        }
        return;
    }
    int v = 0;
    for (; v + 4 <= w; v += 4) {
        int k = 0;
        for (; k + 4 <= kc; k += 4) TRANSPOSE4(src + v * vs + k, vs, dst + (long)k * W + v, W);
        for (; k < kc; k++)
            for (int u = v; u < v + 4; u++) dst[(long)k * W + u] = src[u * vs + k];
    }
    for (; v < w; v++)
        for (int k = 0; k < kc; k++) dst[(long)k * W + v] = src[v * vs + k];
    for (; v < W; v++)
        for (int k = 0; k < kc; k++) dst[(long)k * W + v] = 0.0f;
}

/* How the micro-kernel reads an MR-row sliver of op(A): a[r + k*s] (kernel_k) or a[r*s + k]. */
typedef struct {
    const float *p;
    long s;
    int rows_major; /* 1: a[r*s + k] */
} sliver;

/* One mr x nr tile of C (mr <= MR, nr <= NR); a ragged one through a local full tile. */
static void tile(int kc, sliver a, const float *b, long bks, float *C, long ldc, int acc, int mr,
                 int nr)
{
    if (mr == MR && nr == NR) {
        if (a.rows_major) kernel_r(kc, a.p, a.s, b, bks, C, ldc, acc);
        else kernel_k(kc, a.p, a.s, b, bks, C, ldc, acc);
        return;
    }
    if (mr == MR / 2 && nr == NR) {
        kernel_k_half(kc, a.p, a.s, b, bks, C, ldc, acc);
        return;
    }
    _Alignas(64) float t[MR * NR];
    /* a ragged sliver of A is always packed, so only full ones can be row-major */
    if (a.rows_major) kernel_r(kc, a.p, a.s, b, bks, t, NR, 0);
    else if (mr <= MR / 2) kernel_k_half(kc, a.p, a.s, b, bks, t, NR, 0);
    else kernel_k(kc, a.p, a.s, b, bks, t, NR, 0);
    for (int r = 0; r < mr; r++) {
        float *c = C + r * ldc;
        for (int j = 0; j < nr; j++) c[j] = acc ? c[j] + t[r * NR + j] : t[r * NR + j];
    }
}

/* Through tile(), as nn_gemm calls it: V8 compiles the kernel inlined there to faster code
 * (50 vs 43 GFLOPS) than the kernel as a function of its own, and the ceiling must be the best. */
void nn_gemm_microkernel(int kc, const float *Ap, const float *Bp, float *C, int ldc)
{
    tile(kc, (sliver){Ap, MR, 0}, Bp, NR, C, ldc, 1, MR, NR);
}

/* Dense layers as small as TF Playground's (weights op(B) or C of at most SMALL_W values, packed
 * rows) run on the nn_small_ kernels: tiling, packing and ragged-tile copies would cost more than
 * the few hundred multiply-adds (bench/tiny.c under callgrind: 60% of a 2-8-8-1 training step).
 * The three shapes of a dense layer: z = x W, dW += x^T dz, dx = dz W^T. Returns 1 when done. */
#define SMALL_W 256
static int small_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda,
                      const float *B, int ldb, float beta, float *C, int ldc)
{
    if (ldc != N) return 0;
    if (!ta && !tb && beta == 0.0f && (long)K * N <= SMALL_W && lda == K && ldb == N) {
        nn_small_xw(M, K, N, A, B, NULL, C);
        return 1;
    }
    if (ta && !tb && beta != 0.0f && (long)M * N <= SMALL_W && lda == M && ldb == N) {
        nn_small_xtd(K, M, N, A, B, C);
        return 1;
    }
    if (!ta && tb && beta == 0.0f && (long)N * K <= SMALL_W && lda == K && ldb == K) {
        nn_small_dwt(M, N, K, A, B, C);
        return 1;
    }
    return 0;
}

/* ---- few rows of C (batch-1 inference): a GEMV per row ----
 * The blocked path below computes at least MR/2 rows of a tile whatever M is, and packs the
 * ragged sliver of A for every block: with one row most of its work is padding (2.3 GFLOPS for
 * a 1600 x 128 dense layer natively, against 24 for a dot per output). A GEMV streams B once,
 * contiguously, and that stream is what bounds it. */

/* y += x[0..7] B[0..7, :]: eight rows of B per pass over y, so y is loaded and stored once per
 * eight rows, in two chains of four. In wasm this ran about 35% faster than four rows per pass
 * and than strips of y held in registers over all of K; natively all three ran alike. */
static void gemv_n8(int N, const float *x, const float *B, long ldb, float *y)
{
    const float *b0 = B, *b1 = B + ldb, *b2 = B + 2 * ldb, *b3 = B + 3 * ldb;
    const float *b4 = B + 4 * ldb, *b5 = B + 5 * ldb, *b6 = B + 6 * ldb, *b7 = B + 7 * ldb;
    vf x0 = VSPLATP(x), x1 = VSPLATP(x + 1), x2 = VSPLATP(x + 2), x3 = VSPLATP(x + 3);
    vf x4 = VSPLATP(x + 4), x5 = VSPLATP(x + 5), x6 = VSPLATP(x + 6), x7 = VSPLATP(x + 7);
    int j = 0;
    for (; j + VW <= N; j += VW) {
        vf s = VFMA(x0, VLOAD(b0 + j), VLOAD(y + j)), t = VMUL(x4, VLOAD(b4 + j));
        s = VFMA(x1, VLOAD(b1 + j), s);
        t = VFMA(x5, VLOAD(b5 + j), t);
        s = VFMA(x2, VLOAD(b2 + j), s);
        t = VFMA(x6, VLOAD(b6 + j), t);
        s = VFMA(x3, VLOAD(b3 + j), s);
        t = VFMA(x7, VLOAD(b7 + j), t);
        VSTORE(y + j, VADD(s, t));
    }
    for (; j < N; j++)
        y[j] += (x[0] * b0[j] + x[1] * b1[j] + x[2] * b2[j] + x[3] * b3[j]) +
                (x[4] * b4[j] + x[5] * b5[j] + x[6] * b6[j] + x[7] * b7[j]);
}

/* y (+)= x B^T: four rows of B share each vector of x, and one VSUM4 adds up their four sums
 * (four VSUMs made short dots, K = 10, twice as slow in wasm); a dot per leftover row */
static void gemv_t(int N, int K, const float *x, const float *B, long ldb, int acc, float *y)
{
    int j = 0;
    for (; j + 4 <= N; j += 4) {
        const float *b0 = B + j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
        vf s0 = VZERO(), s1 = VZERO(), s2 = VZERO(), s3 = VZERO();
        int k = 0;
        for (; k + VW <= K; k += VW) {
            vf xv = VLOAD(x + k);
            s0 = VFMA(xv, VLOAD(b0 + k), s0);
            s1 = VFMA(xv, VLOAD(b1 + k), s1);
            s2 = VFMA(xv, VLOAD(b2 + k), s2);
            s3 = VFMA(xv, VLOAD(b3 + k), s3);
        }
        float t[4];
        VSUM4(s0, s1, s2, s3, t);
        float t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3];
        for (; k < K; k++) {
            t0 += x[k] * b0[k];
            t1 += x[k] * b1[k];
            t2 += x[k] * b2[k];
            t3 += x[k] * b3[k];
        }
        if (acc) t0 += y[j], t1 += y[j + 1], t2 += y[j + 2], t3 += y[j + 3];
        y[j] = t0, y[j + 1] = t1, y[j + 2] = t2, y[j + 3] = t3;
    }
    for (; j < N; j++) {
        float t = nn_dot(x, B + j * ldb, K);
        y[j] = acc ? y[j] + t : t;
    }
}

void nn_gemv(int tb, int N, int K, const float *x, const float *B, int ldb, float beta, float *y)
{
    if (N <= 0) return;
    if (tb) {
        if (K <= 0 && beta == 0.0f) memset(y, 0, (size_t)N * sizeof(float));
        if (K > 0) gemv_t(N, K, x, B, ldb, beta != 0.0f, y);
        return;
    }
    if (beta == 0.0f) memset(y, 0, (size_t)N * sizeof(float));
    int k = 0;
    for (; k + 8 <= K; k += 8) gemv_n8(N, x + k, B + (long)k * ldb, ldb, y);
    for (; k < K; k++) nn_axpy(N, x[k], B + (long)k * ldb, y);
}

/* Up to how many rows of C nn_gemm computes a GEMV per row (bench/gemm.c, its few-rows cases;
 * a GEMV per row reads B once per row). One row gains everywhere. dz W^T: 3 rows still gained
 * 1.2-1.7x natively and in wasm, 4 were uneven (0.7-1.2x with 1600 x 128 weights). x W: 2 rows
 * gained 1.5-1.8x natively and 3 nothing (the blocked path's tiles fill up); in wasm 2 rows lost
 * as often as they gained (0.8-0.9x with 1600 x 128 weights, 1.0-1.1x with 784 x 512). */
#if defined(__wasm_simd128__)
#define GEMV_M(tb) ((tb) ? 3 : 1)
#else
#define GEMV_M(tb) ((tb) ? 3 : 2)
#endif

static void blocked(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                    int ldb, float beta, float *C, int ldc);

/* 1 (done) when the product is empty: M or N is 0, or K is and C = beta C */
static int empty_gemm(int M, int N, int K, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0) return 1;
    if (K <= 0) { /* an empty sum: C = beta C */
        if (beta == 0.0f)
            for (int i = 0; i < M; i++) memset(C + (long)i * ldc, 0, (size_t)N * sizeof(float));
        return 1;
    }
    return 0;
}

void nn_gemm_blocked(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                     int ldb, float beta, float *C, int ldc)
{
    if (!empty_gemm(M, N, K, beta, C, ldc)) blocked(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

void nn_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
             int ldb, float beta, float *C, int ldc)
{
    if (empty_gemm(M, N, K, beta, C, ldc)) return;
    if (small_gemm(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc)) return;
    if (M <= GEMV_M(tb) && !ta) { /* rows of A are op(A)'s, contiguous */
        for (int i = 0; i < M; i++) nn_gemv(tb, N, K, A + (long)i * lda, B, ldb, beta, C + (long)i * ldc);
        return;
    }
    if (N <= 2 && (long)M * K <= 4096) { /* one or two columns (a regression head): a tile */
        nn_gemm_ref(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc); /* would be mostly padding */
        return;
    }
    blocked(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

static void blocked(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                    int ldb, float beta, float *C, int ldc)
{
    /* op(A)[i][k] = A[i*a_vs + k*a_ks], op(B)[k][j] = B[k*b_ks + j*b_vs] */
    long a_ks = ta ? lda : 1, a_vs = ta ? 1 : lda;
    long b_ks = tb ? 1 : ldb, b_vs = tb ? ldb : 1;
    int pack_B = tb || M > PACK_MIN, pack_A = N > PACK_MIN && (ta || M > PACK_MIN);
    for (int jc = 0; jc < N; jc += NC) {
        int nc = N - jc < NC ? N - jc : NC, n_strips = (nc + NR - 1) / NR;
        for (int pc = 0; pc < K; pc += KC) {
            int kc = K - pc < KC ? K - pc : KC, acc = pc > 0 || beta != 0.0f;
            const float *Bb = B + pc * b_ks + jc * b_vs;
            if (pack_B) {
                for (int t = 0; t < n_strips; t++) {
                    int w = nc - t * NR < NR ? nc - t * NR : NR;
                    pack_sliver(pack_b + (long)t * NR * kc, NR, Bb + t * NR * b_vs, b_ks, b_vs, kc, w);
                }
            } else if (nc % NR) {
                pack_sliver(edge_b, NR, Bb + (n_strips - 1) * NR, b_ks, 1, kc, nc % NR);
            }
            for (int ic = 0; ic < M; ic += MC) {
                int mc = M - ic < MC ? M - ic : MC, m_strips = (mc + MR - 1) / MR;
                const float *Ab = A + ic * a_vs + pc * a_ks;
                if (pack_A) {
                    for (int s = 0; s < m_strips; s++) {
                        int h = mc - s * MR < MR ? mc - s * MR : MR;
                        pack_sliver(pack_a + (long)s * MR * kc, MR, Ab + s * MR * a_vs, a_ks, a_vs, kc, h);
                    }
                } else if (mc % MR) {
                    pack_sliver(edge_a, MR, Ab + (m_strips - 1) * MR * a_vs, a_ks, a_vs, kc, mc % MR);
                }
                for (int t = 0; t < n_strips; t++) {
                    int nr = nc - t * NR < NR ? nc - t * NR : NR;
                    const float *b = pack_B ? pack_b + (long)t * NR * kc : nr < NR ? edge_b : Bb + t * NR;
                    long bks = pack_B || nr < NR ? NR : ldb;
                    for (int s = 0; s < m_strips; s++) {
                        int mr = mc - s * MR < MR ? mc - s * MR : MR;
                        sliver a;
                        if (pack_A) a = (sliver){pack_a + (long)s * MR * kc, MR, 0};
                        else if (mr < MR) a = (sliver){edge_a, MR, 0};
                        else a = (sliver){Ab + s * MR * a_vs, lda, !ta};
                        tile(kc, a, b, bks, C + (long)(ic + s * MR) * ldc + jc + t * NR, ldc, acc,
                             mr, nr);
                    }
                }
            }
        }
    }
}

#endif
