/* kernels.h - the SIMD vocabulary: every hot loop of the core goes through these.
 *
 * Each has a scalar reference (suffix _ref) that always compiles and that the SIMD versions are
 * tested against (tests/c/test_kernels.c). The SIMD mappings live in one place, simd.h:
 * wasm simd128, x86 AVX2+FMA, x86 SSE2, chosen at build time; -DNN_NO_SIMD forces scalar.
 * Matrices are row-major with explicit leading dimensions. */
#ifndef NN_KERNELS_H
#define NN_KERNELS_H

#include <stddef.h>

/* C[M,N] = op(A)[M,K] * op(B)[K,N] + beta*C, op = transpose when ta/tb; beta is 0 or 1. */
void nn_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
             int ldb, float beta, float *C, int ldc);
void nn_gemm_ref(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                 int ldb, float beta, float *C, int ldc);
/* nn_gemm's packed, blocked path alone, without its routes for small shapes (small dense layers,
 * few rows, one or two columns): bench/gemm.c times the routes against it. */
void nn_gemm_blocked(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                     int ldb, float beta, float *C, int ldc);
/* y[N] = x[K] op(B) + beta*y, one row (batch-1 inference); nn_gemm routes rows of few-row products
 * here. tb = 0: B is [K, N] (y = x W, an axpy per row of B, vectors along y); tb = 1: B is [N, K]
 * (dx = dz W^T, a dot per row of B). ldb is B's row stride; beta is 0 or 1. */
void nn_gemv(int tb, int N, int K, const float *x, const float *B, int ldb, float beta, float *y);
void nn_gemv_ref(int tb, int N, int K, const float *x, const float *B, int ldb, float beta, float *y);
/* The register tile of nn_gemm's micro-kernel: *mr rows x *nr columns of C. */
void nn_gemm_tile_shape(int *mr, int *nr);
/* The micro-kernel alone (bench/gemm.c measures its ceiling): C[mr x nr] (row stride ldc) +=
 * Ap Bp over kc, Ap packed k-major with mr floats per k, Bp with nr floats per k. */
void nn_gemm_microkernel(int kc, const float *Ap, const float *Bp, float *C, int ldc);

/* sum_i a[i]*b[i] */
float nn_dot(const float *a, const float *b, int n);
float nn_dot_ref(const float *a, const float *b, int n);
/* y += a*x */
void nn_axpy(int n, float a, const float *x, float *y);
void nn_axpy_ref(int n, float a, const float *x, float *y);
/* y[r, :] += b for each of rows rows */
void nn_add_rows(float *y, const float *b, int rows, int cols);
void nn_add_rows_ref(float *y, const float *b, int rows, int cols);
/* out[c] += sum_r x[r, c] (bias gradients) */
void nn_sum_rows(const float *x, int rows, int cols, float *out);
void nn_sum_rows_ref(const float *x, int rows, int cols, float *out);
/* y = max(x, 0) */
void nn_relu(const float *x, float *y, int n);
void nn_relu_ref(const float *x, float *y, int n);
/* dx = y > 0 ? dy : 0 */
void nn_relu_backward(const float *y, const float *dy, float *dx, int n);
void nn_relu_backward_ref(const float *y, const float *dy, float *dx, int n);
/* z = x * y element-wise */
void nn_vmul(const float *x, const float *y, float *z, int n);
void nn_vmul_ref(const float *x, const float *y, float *z, int n);
/* Adam on n values: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr (m c1)/(sqrt(v c2) + eps),
 * with c1, c2 the bias corrections 1/(1 - b1^t), 1/(1 - b2^t) */
void nn_adam_update(size_t n, float lr, float b1, float b2, float c1, float c2, float eps,
                    float *w, const float *g, float *m, float *v);
void nn_adam_update_ref(size_t n, float lr, float b1, float b2, float c1, float c2, float eps,
                        float *w, const float *g, float *m, float *v);

/* ---- element-wise transcendental maps (activations, softmax, fused losses) ----
 * Accurate to a few float ulps (about 3e-7 relative, tests/c/test_kernels.c checks 1e-6
 * against libm) over the whole float range: exact limits at +-inf and for large |x|, NaN in ->
 * NaN out. The SIMD and scalar versions run the same algorithm, so results agree across
 * builds up to FMA rounding; the SIMD ones run a ragged tail through one padded vector. */
/* y = exp(x) */
void nn_exp(const float *x, float *y, int n);
void nn_exp_ref(const float *x, float *y, int n);
/* y = tanh(x) */
void nn_tanh(const float *x, float *y, int n);
void nn_tanh_ref(const float *x, float *y, int n);
/* y = 1/(1+exp(-x)) */
void nn_sigmoid(const float *x, float *y, int n);
void nn_sigmoid_ref(const float *x, float *y, int n);
/* y = x > 0 ? x : a*(exp(x)-1) */
void nn_elu(const float *x, float *y, int n, float a);
void nn_elu_ref(const float *x, float *y, int n, float a);

/* ---- a small dense layer's three products (at most a few hundred weights, as TF Playground's
 * nets): loops along the units with the weights in L1, none of nn_gemm's tiling and packing,
 * which costs more than the multiply-adds at these sizes; nn_gemm routes such shapes here.
 * W is [in, u] row-major. ---- */
/* z[r, :] = x[r, :] W + b for n rows (b may be NULL) */
void nn_small_xw(int n, int in, int u, const float *x, const float *W, const float *b, float *z);
void nn_small_xw_ref(int n, int in, int u, const float *x, const float *W, const float *b, float *z);
/* gW += x^T d: the weight gradient of n rows, d [n, u] */
void nn_small_xtd(int n, int in, int u, const float *x, const float *d, float *gW);
void nn_small_xtd_ref(int n, int in, int u, const float *x, const float *d, float *gW);
/* dx = d W^T: the input gradient of n rows */
void nn_small_dwt(int n, int in, int u, const float *d, const float *W, float *dx);
void nn_small_dwt_ref(int n, int in, int u, const float *d, const float *W, float *dx);

/* The approximations the maps above share (kernels.c, kernels_ref.c).
 * exp: x = n ln2 + r, |r| <= ln2/2 (ln2 split in two so n*HI is exact without FMA), then
 * exp(r) = 1 + r + r^2 P(r) with P of degree 4, fitted to about 3e-9 relative error; exp(x)
 * saturates to 0 below -104 and to inf above 89 (the clamp keeps 2^n representable in two
 * steps). expm1(r) = r + r^2 P(r) is the same polynomial, and expm1(x) = 2^n expm1(r) + 2^n - 1
 * has no cancellation near 0 (elu).
 * tanh: |x| < 0.625: x + x^3 Q(x^2) with Q of degree 4, fitted to about 4e-9 relative error;
 * above, 1 - 2/(exp(2|x|) + 1), which has no cancellation there. */
#define NN_EXP_LO (-104.0f)
#define NN_EXP_HI 89.0f
#define NN_LOG2E 1.44269504f
#define NN_LN2_HI 0.693145752f  /* 0x3f317200: 15 significant bits */
#define NN_LN2_LO 1.42860682e-6f
#define NN_EXP_P0 0.49999994f
#define NN_EXP_P1 0.16666521f
#define NN_EXP_P2 0.04166839f
#define NN_EXP_P3 0.00836871f
#define NN_EXP_P4 0.0013814613f
#define NN_TANH_SMALL 0.625f
#define NN_TANH_Q0 (-0.3333328f)
#define NN_TANH_Q1 0.13331442f
#define NN_TANH_Q2 (-0.053739715f)
#define NN_TANH_Q3 0.020639084f
#define NN_TANH_Q4 (-0.005704984f)
#define NN_ROUND_MAGIC 12582912.0f /* 1.5 * 2^23: (v + M) - M rounds v to an integer (|v| < 2^22) */

/* ---- recurrent gate kernels (lstm.c, gru.c): the element-wise part of one step of u units ----
 * LSTM: a holds the activated gates [i | f | g | o] (4u); cp the previous cell state or NULL (zero). */
/* c = f cp + i g */
void nn_lstm_cell(int u, const float *a, const float *cp, float *c);
void nn_lstm_cell_ref(int u, const float *a, const float *cp, float *c);
/* Backward of c = f cp + i g and h = o tc, given dh, tc = act(c) and dtc = dL/dc through tc
 * (dh o act'(c)); dc holds dL/dc from the next step and becomes dL/dc_{s-1}. Writes the gates'
 * pre-derivative gradients dz = [dc' g | dc' cp | dc' i | dh tc] with dc' = dc + dtc. */
void nn_lstm_cell_backward(int u, const float *a, const float *cp, const float *tc, const float *dh,
                           const float *dtc, float *dc, float *dz);
void nn_lstm_cell_backward_ref(int u, const float *a, const float *cp, const float *tc, const float *dh,
                               const float *dtc, float *dc, float *dz);
/* GRU's blend h = z hp + (1 - z) hh, hp the previous state or NULL (zero) */
void nn_gru_blend(int u, const float *z, const float *hh, const float *hp, float *h);
void nn_gru_blend_ref(int u, const float *z, const float *hh, const float *hp, float *h);
/* Its backward: dz = dh (hp - hh), dhh = dh (1 - z), and dhp += dh z when dhp is not NULL */
void nn_gru_blend_backward(int u, const float *z, const float *hh, const float *hp, const float *dh,
                           float *dz, float *dhh, float *dhp);
void nn_gru_blend_backward_ref(int u, const float *z, const float *hh, const float *hp, const float *dh,
                               float *dz, float *dhh, float *dhp);

/* ---- convolution and pooling kernels (conv2d.c, pool.c) ---- */
/* y[r, :] = max(y[r, :] + b, 0) kept in z too: z += b per row, then y = relu(z) (z and y may be
 * the same array); one pass instead of add_rows then relu */
void nn_bias_relu(float *z, const float *b, float *y, int rows, int cols);
void nn_bias_relu_ref(float *z, const float *b, float *y, int rows, int cols);
/* y = max(x, y) element-wise (max pooling); with NaN in x which one is kept depends on the target */
void nn_vmax(int n, const float *x, float *y);
void nn_vmax_ref(int n, const float *x, float *y);
/* Max pooling's backward for one window of rows x cols pixels (c channels each; rows row_stride
 * floats apart) whose maximum is y: each channel's dy goes to the first pixel (in row order)
 * holding the maximum ("holding" = y - x > 0 fails), 0 to the others; added into dx when add,
 * else stored (windows that do not overlap). */
void nn_maxpool_window_backward(int c, int rows, int cols, int row_stride, const float *x,
                                const float *y, const float *dy, float *dx, int add);
void nn_maxpool_window_backward_ref(int c, int rows, int cols, int row_stride, const float *x,
                                    const float *y, const float *dy, float *dx, int add);

#endif
