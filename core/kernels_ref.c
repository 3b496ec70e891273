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

void nn_gemv_ref(int tb, int N, int K, const float *x, const float *B, int ldb, float beta, float *y)
{
    nn_gemm_ref(0, tb, 1, N, K, x, K, B, ldb, beta, y, N);
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

/* ---- the transcendental maps: the algorithm of kernels.h, one value at a time ---- */

/* n and r with x = n ln2 + r, |r| <= ln2/2, for x already clamped to [NN_EXP_LO, NN_EXP_HI] */
static float exp_reduce(float x, float *r)
{
    float n = (x * NN_LOG2E + NN_ROUND_MAGIC) - NN_ROUND_MAGIC;
    *r = (x - n * NN_LN2_HI) - n * NN_LN2_LO;
    return n;
}

/* r + r^2 P(r) = expm1(r) for |r| <= ln2/2 */
static float expm1_poly(float r)
{
    float p = NN_EXP_P4;
    p = p * r + NN_EXP_P3;
    p = p * r + NN_EXP_P2;
    p = p * r + NN_EXP_P1;
    p = p * r + NN_EXP_P0;
    return (r * r) * p + r;
}

/* clamp keeping NaN */
static float clampf(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

static float exp1(float x)
{
    if (x != x) return x + x; /* NaN (and no float-to-int conversion of it below) */
    float r, n = exp_reduce(clampf(x, NN_EXP_LO, NN_EXP_HI), &r);
    int h = (int)n / 2; /* 2^n in two steps: both stay normal down to n = -150 */
    return ldexpf(ldexpf(1.0f + expm1_poly(r), h), (int)n - h);
}

/* expm1(x) = 2^n expm1(r) + (2^n - 1) for x clamped to [lo, hi] within [-30, 30] */
static float expm1_1(float x, float lo, float hi)
{
    if (x != x) return x + x;
    float r, k = exp_reduce(clampf(x, lo, hi), &r), s = ldexpf(1.0f, (int)k);
    return s * expm1_poly(r) + (s - 1.0f);
}

static float tanh1(float x)
{
    float a = fabsf(x), x2 = x * x;
    if (a < NN_TANH_SMALL) {
        float q = NN_TANH_Q4;
        q = q * x2 + NN_TANH_Q3;
        q = q * x2 + NN_TANH_Q2;
        q = q * x2 + NN_TANH_Q1;
        q = q * x2 + NN_TANH_Q0;
        return (x * x2) * q + x;
    }
    float t = 1.0f - 2.0f / (exp1(a + a) + 1.0f);
    return x < 0.0f ? -t : t;
}

void nn_exp_ref(const float *x, float *y, int n)
{
    for (int i = 0; i < n; i++) y[i] = exp1(x[i]);
}

void nn_tanh_ref(const float *x, float *y, int n)
{
    for (int i = 0; i < n; i++) y[i] = tanh1(x[i]);
}

void nn_sigmoid_ref(const float *x, float *y, int n)
{
    for (int i = 0; i < n; i++) { /* e = exp(-|x|) never overflows; x < 0: e/(1+e) */
        float e = exp1(-fabsf(x[i])), s = 1.0f / (1.0f + e);
        y[i] = x[i] < 0.0f ? e * s : s;
    }
}

void nn_elu_ref(const float *x, float *y, int n, float a)
{
    for (int i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : a * expm1_1(x[i], -30.0f, 0.0f);
}

void nn_small_xw_ref(int n, int in, int u, const float *x, const float *W, const float *b, float *z)
{
    nn_gemm_ref(0, 0, n, u, in, x, in, W, u, 0.0f, z, u);
    if (b) nn_add_rows_ref(z, b, n, u);
}

void nn_small_xtd_ref(int n, int in, int u, const float *x, const float *d, float *gW)
{
    nn_gemm_ref(1, 0, in, u, n, x, in, d, u, 1.0f, gW, u);
}

void nn_small_dwt_ref(int n, int in, int u, const float *d, const float *W, float *dx)
{
    nn_gemm_ref(0, 1, n, in, u, d, u, W, u, 0.0f, dx, in);
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

void nn_lstm_cell_ref(int u, const float *a, const float *cp, float *c)
{
    for (int k = 0; k < u; k++) c[k] = (cp ? a[u + k] * cp[k] : 0.0f) + a[k] * a[2 * u + k];
}

void nn_lstm_cell_backward_ref(int u, const float *a, const float *cp, const float *tc, const float *dh,
                               const float *dtc, float *dc, float *dz)
{
    for (int k = 0; k < u; k++) {
        float d = dc[k] + dtc[k];
        dz[k] = d * a[2 * u + k];
        dz[u + k] = cp ? d * cp[k] : 0.0f;
        dz[2 * u + k] = d * a[k];
        dz[3 * u + k] = dh[k] * tc[k];
        dc[k] = d * a[u + k];
    }
}

void nn_gru_blend_ref(int u, const float *z, const float *hh, const float *hp, float *h)
{
    for (int k = 0; k < u; k++) h[k] = z[k] * (hp ? hp[k] : 0.0f) + (1.0f - z[k]) * hh[k];
}

void nn_gru_blend_backward_ref(int u, const float *z, const float *hh, const float *hp, const float *dh,
                               float *dz, float *dhh, float *dhp)
{
    for (int k = 0; k < u; k++) {
        dz[k] = dh[k] * ((hp ? hp[k] : 0.0f) - hh[k]);
        dhh[k] = dh[k] * (1.0f - z[k]);
        if (dhp) dhp[k] += dh[k] * z[k];
    }
}
