/* gemm.c - C = op(A) op(B) + beta C over the macros of simd.h; scalar builds use nn_gemm_ref. */
#include "kernels.h"
#include "simd.h"

#ifndef VW

void nn_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
             int ldb, float beta, float *C, int ldc)
{
    nn_gemm_ref(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

#else

/* C rows [i, i+R) x columns [j, j+2*VW): R x 2 vectors of accumulators over all of K.
 * A's element (row r, k) is at A[r*ars + k*aks], which covers op(A) = A and A^T alike. */
#define GEMM_TILE(R)                                                                           \
    static void gemm_tile##R(int K, const float *A, long ars, long aks, const float *B,       \
                             long ldb, float beta, float *C, long ldc)                         \
    {                                                                                          \
        vf c0[R], c1[R];                                                                       \
        for (int r = 0; r < R; r++) { c0[r] = VZERO(); c1[r] = VZERO(); }                      \
        for (int k = 0; k < K; k++) {                                                          \
            vf b0 = VLOAD(B + k * ldb), b1 = VLOAD(B + k * ldb + VW);                          \
            for (int r = 0; r < R; r++) {                                                      \
                vf a = VSPLAT(A[r * ars + k * aks]);                                           \
                c0[r] = VFMA(a, b0, c0[r]);                                                    \
                c1[r] = VFMA(a, b1, c1[r]);                                                    \
            }                                                                                  \
        }                                                                                      \
        for (int r = 0; r < R; r++) {                                                          \
            float *c = C + r * ldc;                                                            \
            if (beta != 0.0f) { c0[r] = VADD(c0[r], VLOAD(c)); c1[r] = VADD(c1[r], VLOAD(c + VW)); } \
            VSTORE(c, c0[r]);                                                                  \
            VSTORE(c + VW, c1[r]);                                                             \
        }                                                                                      \
    }
GEMM_TILE(4)
GEMM_TILE(1)

/* op(B) = B: broadcast A, stream B rows (the forward pass and the weight gradient). */
static void gemm_nn(int ta, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                    float beta, float *C, int ldc)
{
    long ars = ta ? 1 : lda, aks = ta ? lda : 1;
    int jv = N - N % (2 * VW);
    for (int j = 0; j < jv; j += 2 * VW) {
        int i = 0;
        for (; i + 4 <= M; i += 4)
            gemm_tile4(K, A + i * ars, ars, aks, B + j, ldb, beta, C + (long)i * ldc + j, ldc);
        for (; i < M; i++)
            gemm_tile1(K, A + i * ars, ars, aks, B + j, ldb, beta, C + (long)i * ldc + j, ldc);
    }
    if (jv < N) /* columns left over: the reference on that slice */
        nn_gemm_ref(ta, 0, M, N - jv, K, A, lda, B + jv, ldb, beta, C + jv, ldc);
}

/* op(B) = B^T: C[i,j] = dot(A row i, B row j); four B rows share each A load (input gradient). */
static void gemm_nt(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                    float beta, float *C, int ldc)
{
    for (int i = 0; i < M; i++) {
        const float *a = A + (long)i * lda;
        float *c = C + (long)i * ldc;
        int j = 0;
        for (; j + 4 <= N; j += 4) {
            const float *b0 = B + (long)j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
            vf s0 = VZERO(), s1 = VZERO(), s2 = VZERO(), s3 = VZERO();
            int k = 0;
            for (; k + VW <= K; k += VW) {
                vf va = VLOAD(a + k);
                s0 = VFMA(va, VLOAD(b0 + k), s0);
                s1 = VFMA(va, VLOAD(b1 + k), s1);
                s2 = VFMA(va, VLOAD(b2 + k), s2);
                s3 = VFMA(va, VLOAD(b3 + k), s3);
            }
            float t0 = VSUM(s0), t1 = VSUM(s1), t2 = VSUM(s2), t3 = VSUM(s3);
            for (; k < K; k++) {
                t0 += a[k] * b0[k]; t1 += a[k] * b1[k]; t2 += a[k] * b2[k]; t3 += a[k] * b3[k];
            }
            if (beta != 0.0f) { t0 += c[j]; t1 += c[j + 1]; t2 += c[j + 2]; t3 += c[j + 3]; }
            c[j] = t0; c[j + 1] = t1; c[j + 2] = t2; c[j + 3] = t3;
        }
        for (; j < N; j++) {
            float t = nn_dot(a, B + (long)j * ldb, K);
            c[j] = beta != 0.0f ? c[j] + t : t;
        }
    }
}

void nn_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
             int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0) return;
    if (!tb) gemm_nn(ta, M, N, K, A, lda, B, ldb, beta, C, ldc);
    else if (!ta) gemm_nt(M, N, K, A, lda, B, ldb, beta, C, ldc);
    else nn_gemm_ref(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc); /* unused by the layers */
}

#endif
