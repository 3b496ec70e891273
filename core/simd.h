/* simd.h - the one place that maps SIMD intrinsics, per target, to a small macro vocabulary.
 *
 * A target defines: vf (a vector of VW floats), VZERO, VLOAD, VSTORE, VSPLAT, VSPLATP(p) (splat
 * of *p, one load), VADD, VSUB, VMUL, VDIV, VSQRT, VFMA(a,b,c) = a*b + c, VMAX,
 * VGT0MASK(y,d) = y > 0 ? d : 0, VSUM (horizontal sum), NN_SIMD_NAME, and for the GEMM's
 * packing the 128-bit transpose
 * TRANSPOSE4(src, lds, dst, ldd): dst[c*ldd + r] = src[r*lds + c] for r, c < 4.
 * Without a target (or with -DNN_NO_SIMD) VW is undefined and the kernels written over these
 * macros fall back to their scalar _ref. Private to core/: include only from the
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
#define VSPLATP(p) wasm_v128_load32_splat(p)
#define VADD(a, b) wasm_f32x4_add(a, b)
#define VSUB(a, b) wasm_f32x4_sub(a, b)
#define VMUL(a, b) wasm_f32x4_mul(a, b)
#define VDIV(a, b) wasm_f32x4_div(a, b)
#define VSQRT(a) wasm_f32x4_sqrt(a)
/* no usable FMA in Node 20's wasm: mul then add */
#define VFMA(a, b, c) wasm_f32x4_add(wasm_f32x4_mul(a, b), c)
#define VMAX(a, b) wasm_f32x4_pmax(a, b)
#define VGT0MASK(y, d) wasm_v128_and(wasm_f32x4_gt(y, VZERO()), d)
static inline float VSUM(vf v)
{
    return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
           (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}
#define TRANSPOSE4(src, lds, dst, ldd)                                                        \
    do {                                                                                       \
        v128_t r0_ = wasm_v128_load(src), r1_ = wasm_v128_load((src) + (lds));                 \
        v128_t r2_ = wasm_v128_load((src) + 2 * (lds)), r3_ = wasm_v128_load((src) + 3 * (lds)); \
        v128_t t0_ = wasm_i32x4_shuffle(r0_, r1_, 0, 4, 1, 5), t1_ = wasm_i32x4_shuffle(r2_, r3_, 0, 4, 1, 5); \
        v128_t t2_ = wasm_i32x4_shuffle(r0_, r1_, 2, 6, 3, 7), t3_ = wasm_i32x4_shuffle(r2_, r3_, 2, 6, 3, 7); \
        wasm_v128_store((dst), wasm_i64x2_shuffle(t0_, t1_, 0, 2));                            \
        wasm_v128_store((dst) + (ldd), wasm_i64x2_shuffle(t0_, t1_, 1, 3));                    \
        wasm_v128_store((dst) + 2 * (ldd), wasm_i64x2_shuffle(t2_, t3_, 0, 2));                \
        wasm_v128_store((dst) + 3 * (ldd), wasm_i64x2_shuffle(t2_, t3_, 1, 3));                \
    } while (0)
#elif !defined(NN_NO_SIMD) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define NN_SIMD_NAME "x86-avx2-fma"
typedef __m256 vf;
#define VW 8
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSPLAT(x) _mm256_set1_ps(x)
#define VSPLATP(p) _mm256_broadcast_ss(p)
#define VADD(a, b) _mm256_add_ps(a, b)
#define VSUB(a, b) _mm256_sub_ps(a, b)
#define VMUL(a, b) _mm256_mul_ps(a, b)
#define VDIV(a, b) _mm256_div_ps(a, b)
#define VSQRT(a) _mm256_sqrt_ps(a)
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
#define VSPLATP(p) _mm_load1_ps(p)
#define VADD(a, b) _mm_add_ps(a, b)
#define VSUB(a, b) _mm_sub_ps(a, b)
#define VMUL(a, b) _mm_mul_ps(a, b)
#define VDIV(a, b) _mm_div_ps(a, b)
#define VSQRT(a) _mm_sqrt_ps(a)
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

#if defined(VW) && !defined(__wasm_simd128__) /* x86: SSE's 4x4 transpose serves AVX2 too */
#define TRANSPOSE4(src, lds, dst, ldd)                                                        \
    do {                                                                                       \
        __m128 r0_ = _mm_loadu_ps(src), r1_ = _mm_loadu_ps((src) + (lds));                     \
        __m128 r2_ = _mm_loadu_ps((src) + 2 * (lds)), r3_ = _mm_loadu_ps((src) + 3 * (lds));   \
        _MM_TRANSPOSE4_PS(r0_, r1_, r2_, r3_);                                                 \
        _mm_storeu_ps((dst), r0_);                                                             \
        _mm_storeu_ps((dst) + (ldd), r1_);                                                     \
        _mm_storeu_ps((dst) + 2 * (ldd), r2_);                                                 \
        _mm_storeu_ps((dst) + 3 * (ldd), r3_);                                                 \
    } while (0)
#endif

#endif
