/* simd.h - the one place that maps SIMD intrinsics, per target, to a small macro vocabulary.
 *
 * A target defines: vf (a vector of VW floats), VZERO, VLOAD, VSTORE, VSPLAT, VSPLATP(p) (splat
 * of *p, one load), VADD, VSUB, VMUL, VDIV, VSQRT, VFMA(a,b,c) = a*b + c, VMAX,
 * VGT0MASK(y,d) = y > 0 ? d : 0, VSUM (horizontal sum), VSUM4(a, b, c, d, out) (out[0..3] = the
 * horizontal sums of a, b, c, d, in one vector store), NN_SIMD_NAME, and for the GEMM's
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
/* pairs of lanes added across a and b, then across the two halves: four sums, no lane extracts */
static inline void VSUM4(vf a, vf b, vf c, vf d, float *out)
{
    vf ab = wasm_f32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
    vf cd = wasm_f32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), wasm_i32x4_shuffle(c, d, 2, 6, 3, 7));
    wasm_v128_store(out, wasm_f32x4_add(wasm_i64x2_shuffle(ab, cd, 0, 2), wasm_i64x2_shuffle(ab, cd, 1, 3)));
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
static inline void nn_vsum4_128(__m128 a, __m128 b, __m128 c, __m128 d, float *out)
{
    __m128 ab = _mm_add_ps(_mm_unpacklo_ps(a, b), _mm_unpackhi_ps(a, b));
    __m128 cd = _mm_add_ps(_mm_unpacklo_ps(c, d), _mm_unpackhi_ps(c, d));
    _mm_storeu_ps(out, _mm_add_ps(_mm_movelh_ps(ab, cd), _mm_movehl_ps(cd, ab)));
}
#if VW == 8
#define NN_HALVES_(v) _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))
#define VSUM4(a, b, c, d, out) nn_vsum4_128(NN_HALVES_(a), NN_HALVES_(b), NN_HALVES_(c), NN_HALVES_(d), out)
#else
#define VSUM4(a, b, c, d, out) nn_vsum4_128(a, b, c, d, out)
#endif
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

/* For the transcendental kernels (kernels.c: exp, tanh, sigmoid, elu), per target:
 * VCLAMP(x, lo, hi) = min(max(x, lo), hi) with NaN kept NaN; VLT(a, b) = the lane mask a < b;
 * VSEL(m, a, b) = m ? a : b per lane (m a mask from VLT); VPOW2I(n) = 2^n for lanes holding
 * integers in [-126, 127]. */
#if defined(VW) && defined(__wasm_simd128__)
/* pmax(a, b) = a < b ? b : a and pmin(a, b) = b < a ? b : a both return a when a lane is NaN */
#define VCLAMP(x, lo, hi) wasm_f32x4_pmin(wasm_f32x4_pmax(x, lo), hi)
#define VLT(a, b) wasm_f32x4_lt(a, b)
#define VSEL(m, a, b) wasm_v128_bitselect(a, b, m)
#define VPOW2I(n) wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23)
#elif defined(VW) && VW == 8
/* maxps/minps return their second operand when a lane is NaN */
#define VCLAMP(x, lo, hi) _mm256_min_ps(hi, _mm256_max_ps(lo, x))
#define VLT(a, b) _mm256_cmp_ps(a, b, _CMP_LT_OQ)
#define VSEL(m, a, b) _mm256_blendv_ps(b, a, m)
#define VPOW2I(n) _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23))
#elif defined(VW)
#define VCLAMP(x, lo, hi) _mm_min_ps(hi, _mm_max_ps(lo, x))
#define VLT(a, b) _mm_cmplt_ps(a, b)
#define VSEL(m, a, b) _mm_or_ps(_mm_and_ps(m, a), _mm_andnot_ps(m, b))
#define VPOW2I(n) _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(_mm_cvttps_epi32(n), _mm_set1_epi32(127)), 23))
#endif

#endif
