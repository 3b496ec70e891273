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
