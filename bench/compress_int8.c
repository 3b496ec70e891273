/* compress_int8.c - would int8 inference kernels beat nnplay's f32 GEMM? (issue 13: "optionally
 * int8 inference kernels if they are faster (measure)"). For the Fashion-MNIST CNN's shapes it
 * times C = A B with nn_gemm (f32) and with one nn_dot per output (f32, the int8 kernel's loop) against an int8 GEMM of the usual dynamic-range kind: A's rows
 * quantized to int8 on the fly (one scale per row), B int8 with one scale per output column
 * (what NN_SAVE_QUANTIZE_INT8 stores), products summed in int32, rescaled to f32. The int8 dot is
 * the best this toolchain offers without VNNI or relaxed SIMD: int8 widened to int16, then
 * pairwise multiply-add to int32 (AVX2 vpmaddwd, wasm i32x4.dot_i16x8_s).
 * Run: build/bench_compress_int8 [--json]   (node build-wasm/bench_compress_int8.js for wasm) */
#define _POSIX_C_SOURCE 200809L
#include "kernels.h"
#include "nn.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__AVX2__)
#include <immintrin.h>
#endif

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* sum of a[i] b[i] over k int8 values (k a multiple of 16 here) */
static int32_t dot_i8(const int8_t *a, const int8_t *b, int k)
{
    int i = 0;
    int32_t s = 0;
#if defined(__wasm_simd128__)
    v128_t acc = wasm_i32x4_splat(0);
    for (; i + 16 <= k; i += 16) {
        v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);
        acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(x), wasm_i16x8_extend_low_i8x16(y)));
        acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(x), wasm_i16x8_extend_high_i8x16(y)));
    }
    s = wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) + wasm_i32x4_extract_lane(acc, 2) +
        wasm_i32x4_extract_lane(acc, 3);
#elif defined(__AVX2__)
    __m256i acc = _mm256_setzero_si256();
    for (; i + 16 <= k; i += 16) {
        __m256i x = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a + i)));
        __m256i y = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b + i)));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, y));
    }
    __m128i h = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
    s = _mm_cvtsi128_si32(h);
#endif
    for (; i < k; i++) s += (int32_t)a[i] * b[i];
    return s;
}

/* C[M,N] = A[M,K] (f32, quantized per row into qa) times B (int8, stored transposed [N,K], scale sb[N]) */
static void gemm_i8(int M, int N, int K, const float *A, int8_t *qa, float *sa, const int8_t *Bt, const float *sb,
                    float *C)
{
    for (int r = 0; r < M; r++) {
        const float *a = A + (size_t)r * K;
        float mx = 0;
        for (int k = 0; k < K; k++) mx = fmaxf(mx, fabsf(a[k]));
        float s = mx > 0 ? mx / 127.0f : 1.0f, inv = 1.0f / s;
        for (int k = 0; k < K; k++) qa[(size_t)r * K + k] = (int8_t)lrintf(a[k] * inv);
        sa[r] = s;
    }
    for (int r = 0; r < M; r++)
        for (int c = 0; c < N; c++)
            C[(size_t)r * N + c] = (float)dot_i8(qa + (size_t)r * K, Bt + (size_t)c * K, K) * sa[r] * sb[c];
}

int main(int argc, char **argv)
{
    int json = argc > 1 && !strcmp(argv[1], "--json");
    /* the CNN at inference: dense 1600 -> 128 at batch 1, 32 and 256 (predict's chunk); the second
     * conv's im2col GEMM (11 x 11 windows of 3 x 3 x 32) for 8 images */
    static const struct { const char *name; int m, n, k; } shapes[] = {
        {"dense 1600x128, batch 1", 1, 128, 1600}, {"dense 1600x128, batch 32", 32, 128, 1600},
        {"dense 1600x128, batch 256", 256, 128, 1600}, {"conv2 im2col, 8 images", 8 * 121, 64, 288},
    };
    if (json) printf("{\"target\":\"%s\",\"shapes\":[", nn_simd_name());
    else printf("int8 (dynamic-range) GEMM vs nn_gemm f32, %s\n", nn_simd_name());
    for (int s = 0; s < 4; s++) {
        int M = shapes[s].m, N = shapes[s].n, K = shapes[s].k;
        float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N), *C = malloc(sizeof(float) * M * N),
              *C8 = malloc(sizeof(float) * M * N), *sb = malloc(sizeof(float) * N), *sa = malloc(sizeof(float) * M);
        int8_t *Bt = malloc((size_t)K * N), *qa = malloc((size_t)M * K);
        float *Bf = malloc(sizeof(float) * K * N); /* B transposed, f32: the same loop as int8 with nn_dot */
        for (int i = 0; i < M * K; i++) A[i] = fmaxf(0.0f, sinf(0.7f * i + 0.3f));
        for (int i = 0; i < K * N; i++) B[i] = 0.05f * sinf(1.3f * i + 0.1f);
        for (int c = 0; c < N; c++) {
            float mx = 0;
            for (int k = 0; k < K; k++) mx = fmaxf(mx, fabsf(B[(size_t)k * N + c]));
            sb[c] = mx / 127.0f;
            for (int k = 0; k < K; k++) Bt[(size_t)c * K + k] = (int8_t)lrintf(B[(size_t)k * N + c] / sb[c]);
            for (int k = 0; k < K; k++) Bf[(size_t)c * K + k] = B[(size_t)k * N + c];
        }
        double best[3] = {1e9, 1e9, 1e9};
        for (int impl = 0; impl < 3; impl++) {
            for (int rep = 0; rep < 7; rep++) {
                int iters = 1 + (int)(2e7 / ((double)M * N * K));
                double t0 = now_s();
                for (int it = 0; it < iters; it++) {
                    if (impl == 0) nn_gemm(0, 0, M, N, K, A, K, B, N, 0.0f, C, N);
                    else if (impl == 1) gemm_i8(M, N, K, A, qa, sa, Bt, sb, C8);
                    else
                        for (int r = 0; r < M; r++)
                            for (int c = 0; c < N; c++) C[(size_t)r * N + c] = nn_dot(A + (size_t)r * K, Bf + (size_t)c * K, K);
                }
                double t = (now_s() - t0) / iters;
                if (t < best[impl]) best[impl] = t;
            }
        }
        nn_gemm(0, 0, M, N, K, A, K, B, N, 0.0f, C, N);
        /* error against the size of the terms summed (sum |a b|), not |C|, which cancellation makes small */
        double err = 0, ref = 0;
        for (int r = 0; r < M; r++)
            for (int c = 0; c < N; c++) {
                double mag = 0;
                for (int k = 0; k < K; k++) mag += fabs((double)A[(size_t)r * K + k] * B[(size_t)k * N + c]);
                err = fmax(err, fabs(C[(size_t)r * N + c] - C8[(size_t)r * N + c]));
                ref = fmax(ref, mag);
            }
        double gf = 2.0 * M * N * K * 1e-9;
        if (json)
            printf("%s{\"name\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"f32_gflops\":%.2f,\"f32_dot_gflops\":%.2f,"
                   "\"int8_gflops\":%.2f,\"int8_speedup\":%.2f,\"max_rel_error\":%.5f}", s ? "," : "", shapes[s].name, M, N, K,
                   gf / best[0], gf / best[2], gf / best[1], fmin(best[0], best[2]) / best[1], err / ref);
        else
            printf("  %-28s f32 nn_gemm %6.2f, f32 dots %6.2f, int8 dots %6.2f GFLOPS: int8 %.2fx the faster f32 "
                   "(max error %.3f%% of sum |a b|)\n", shapes[s].name, gf / best[0], gf / best[2], gf / best[1],
                   fmin(best[0], best[2]) / best[1], 100 * err / ref);
        free(Bf); free(A); free(B); free(C); free(C8); free(sb); free(sa); free(Bt); free(qa);
    }
    if (json) printf("]}\n");
    return 0;
}
