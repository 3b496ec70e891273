/* kernels_ref.c - scalar reference kernels: the definition of what kernels.c must compute. */
#include "kernels.h"
#include <math.h>

void nn_gemm_ref(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                 int ldb, float beta, float *C, int ldc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            float s = 0.0f;
            for (int k = 0; k < K; k++) {
                float a = ta ? A[(long)k * lda + i] : A[(long)i * lda + k];
                float b = tb ? B[(long)j * ldb + k] : B[(long)k * ldb + j];
                s += a * b;
            }
            float *c = &C[(long)i * ldc + j];
            *c = beta != 0.0f ? *c + s : s;
        }
}

float nn_dot_ref(const float *a, const float *b, int n)
{
    float s = 0.0f;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

void nn_axpy_ref(int n, float a, const float *x, float *y)
{
    for (int i = 0; i < n; i++) y[i] += a * x[i];
}

void nn_add_rows_ref(float *y, const float *b, int rows, int cols)
{
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) y[(long)r * cols + c] += b[c];
}

void nn_sum_rows_ref(const float *x, int rows, int cols, float *out)
{
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) out[c] += x[(long)r * cols + c];
}

void nn_relu_ref(const float *x, float *y, int n)
{
    for (int i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void nn_relu_backward_ref(const float *y, const float *dy, float *dx, int n)
{
    for (int i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void nn_vmul_ref(const float *x, const float *y, float *z, int n)
{
    for (int i = 0; i < n; i++) z[i] = x[i] * y[i];
}

void nn_adam_update_ref(size_t n, float lr, float b1, float b2, float c1, float c2, float eps,
                        float *w, const float *g, float *m, float *v)
{
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = m[i] = b1 * m[i] + (1.0f - b1) * gi;
        float vi = v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        w[i] -= lr * (mi * c1) / (sqrtf(vi * c2) + eps);
    }
}

/* ---- convolution and pooling kernels ---- */
void nn_bias_relu_ref(float *z, const float *b, float *y, int rows, int cols)
{
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            float v = z[(long)r * cols + c] += b[c];
            y[(long)r * cols + c] = v > 0.0f ? v : 0.0f;
        }
}

void nn_vmax_ref(int n, const float *x, float *y)
{
    for (int i = 0; i < n; i++) y[i] = x[i] > y[i] ? x[i] : y[i];
}

void nn_maxpool_window_backward_ref(int c, int rows, int cols, int row_stride, const float *x,
                                    const float *y, const float *dy, float *dx, int add)
{
    for (int k = 0; k < c; k++) {
        float rem = dy[k]; /* still to route: zero once the maximum is found */
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) {
                long at = (long)i * row_stride + (long)j * c + k;
                float keep = y[k] - x[at] > 0.0f ? rem : 0.0f;
                dx[at] = add ? dx[at] + (rem - keep) : rem - keep;
                rem = keep;
            }
    }
}
