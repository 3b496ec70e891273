/* simd.h - the one place that maps SIMD intrinsics, per target, to a small macro vocabulary.
 *
 * A target defines: vf (a vector of VW floats), VZERO, VLOAD, VSTORE, VSPLAT, VADD, VMUL,
 * VFMA(a,b,c) = a*b + c, VMAX, VGT0MASK(y,d) = y > 0 ? d : 0, VSUM (horizontal sum), and
 * NN_SIMD_NAME. Without a target (or with -DNN_NO_SIMD) VW is undefined and the kernels written
 * over these macros fall back to their scalar _ref. Private to core/: include only from the
 * kernel files (kernels.c, gemm.c). */
#ifndef NN_SIMD_H
#define NN_SIMD_H

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

#endif
