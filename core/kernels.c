/* kernels.c - the SIMD mappings (one block per target) and the kernels written once on top.
 *
 * A target defines: vf (a vector of VW floats), VZERO, VLOAD, VSTORE, VSPLAT, VADD, VMUL,
 * VFMA(a,b,c) = a*b + c, VMAX, VSUM (horizontal sum). Leftovers past the last full vector run the
 * scalar loop. Without a target every kernel is its _ref. */
#include "kernels.h"
#include "nn.h"

#if !defined(NN_NO_SIMD) && defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define NN_SIMD_NAME "wasm-simd128"
typedef v128_t vf;
#define VW 4
#define VZERO() wasm_f32x4_splat(0.0f)
#define VLOAD(p) wasm_v128_load(p)
#define VSTORE(p, v) wasm_v128_store((p), (v))
#define VSPLAT(x) wasm_f32x4_splat(x)
#define VADD(a, b) wasm_f32x4_add(a, b)
#define VMUL(a, b) wasm_f32x4_mul(a, b)
/* no usable FMA in Node 20's wasm: mul then add */
#define VFMA(a, b, c) wasm_f32x4_add(wasm_f32x4_mul(a, b), c)
#define VMAX(a, b) wasm_f32x4_pmax(a, b)
#define VGT0MASK(y, d) wasm_v128_and(wasm_f32x4_gt(y, VZERO()), d)
static inline float VSUM(vf v)
{
    return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
           (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}
#elif !defined(NN_NO_SIMD) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define NN_SIMD_NAME "x86-avx2-fma"
typedef __m256 vf;
#define VW 8
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSPLAT(x) _mm256_set1_ps(x)
#define VADD(a, b) _mm256_add_ps(a, b)
#define VMUL(a, b) _mm256_mul_ps(a, b)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VMAX(a, b) _mm256_max_ps(a, b)
#define VGT0MASK(y, d) _mm256_and_ps(_mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_GT_OQ), d)
static inline float VSUM(vf v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
#elif !defined(NN_NO_SIMD) && (defined(__SSE2__) || defined(_M_X64))
#include <emmintrin.h>
#define NN_SIMD_NAME "x86-sse2"
typedef __m128 vf;
#define VW 4
#define VZERO() _mm_setzero_ps()
#define VLOAD(p) _mm_loadu_ps(p)
#define VSTORE(p, v) _mm_storeu_ps((p), (v))
#define VSPLAT(x) _mm_set1_ps(x)
#define VADD(a, b) _mm_add_ps(a, b)
#define VMUL(a, b) _mm_mul_ps(a, b)
#define VFMA(a, b, c) _mm_add_ps(_mm_mul_ps(a, b), c)
#define VMAX(a, b) _mm_max_ps(a, b)
#define VGT0MASK(y, d) _mm_and_ps(_mm_cmpgt_ps(y, _mm_setzero_ps()), d)
static inline float VSUM(vf v)
{
    __m128 s = _mm_add_ps(v, _mm_movehl_ps(v, v));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
#else
#define NN_SIMD_NAME "scalar"
#endif

const char *nn_simd_name(void) { return NN_SIMD_NAME; }

#ifndef VW /* ---- scalar build: the reference is the implementation ---- */

void nn_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
             int ldb, float beta, float *C, int ldc)
{
    nn_gemm_ref(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
}
float nn_dot(const float *a, const float *b, int n) { return nn_dot_ref(a, b, n); }
void nn_axpy(int n, float a, const float *x, float *y) { nn_axpy_ref(n, a, x, y); }
void nn_add_rows(float *y, const float *b, int r, int c) { nn_add_rows_ref(y, b, r, c); }
void nn_sum_rows(const float *x, int r, int c, float *o) { nn_sum_rows_ref(x, r, c, o); }
void nn_relu(const float *x, float *y, int n) { nn_relu_ref(x, y, n); }
void nn_relu_backward(const float *y, const float *dy, float *dx, int n)
{
    nn_relu_backward_ref(y, dy, dx, n);
}
void nn_vmul(const float *x, const float *y, float *z, int n) { nn_vmul_ref(x, y, z, n); }

#else /* ---- SIMD build: written once over the mapping above ---- */

float nn_dot(const float *a, const float *b, int n)
{
    vf s0 = VZERO(), s1 = VZERO();
    int i = 0;
    for (; i + 2 * VW <= n; i += 2 * VW) {
        s0 = VFMA(VLOAD(a + i), VLOAD(b + i), s0);
        s1 = VFMA(VLOAD(a + i + VW), VLOAD(b + i + VW), s1);
    }
    for (; i + VW <= n; i += VW) s0 = VFMA(VLOAD(a + i), VLOAD(b + i), s0);
    float s = VSUM(VADD(s0, s1));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

void nn_axpy(int n, float a, const float *x, float *y)
{
    vf va = VSPLAT(a);
    int i = 0;
    for (; i + VW <= n; i += VW) VSTORE(y + i, VFMA(va, VLOAD(x + i), VLOAD(y + i)));
    for (; i < n; i++) y[i] += a * x[i];
}

void nn_add_rows(float *y, const float *b, int rows, int cols)
{
    for (int r = 0; r < rows; r++) {
        float *yr = y + (long)r * cols;
        int c = 0;
        for (; c + VW <= cols; c += VW) VSTORE(yr + c, VADD(VLOAD(yr + c), VLOAD(b + c)));
        for (; c < cols; c++) yr[c] += b[c];
    }
}

void nn_sum_rows(const float *x, int rows, int cols, float *out)
{
    int c = 0;
    for (; c + VW <= cols; c += VW) {
        vf s = VLOAD(out + c);
        for (int r = 0; r < rows; r++) s = VADD(s, VLOAD(x + (long)r * cols + c));
        VSTORE(out + c, s);
    }
    for (; c < cols; c++) {
        float s = out[c];
        for (int r = 0; r < rows; r++) s += x[(long)r * cols + c];
        out[c] = s;
    }
}

void nn_relu(const float *x, float *y, int n)
{
    vf z = VZERO();
    int i = 0;
    for (; i + VW <= n; i += VW) VSTORE(y + i, VMAX(VLOAD(x + i), z));
    for (; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void nn_relu_backward(const float *y, const float *dy, float *dx, int n)
{
    int i = 0;
    for (; i + VW <= n; i += VW) VSTORE(dx + i, VGT0MASK(VLOAD(y + i), VLOAD(dy + i)));
    for (; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void nn_vmul(const float *x, const float *y, float *z, int n)
{
    int i = 0;
    for (; i + VW <= n; i += VW) VSTORE(z + i, VMUL(VLOAD(x + i), VLOAD(y + i)));
    for (; i < n; i++) z[i] = x[i] * y[i];
}

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
