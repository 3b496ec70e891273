/* Every SIMD kernel against its scalar reference, on awkward sizes. */
#include "kernels.h"
#include "nn.h"
#include "rng.h"
#include "test.h"
#include <string.h>

static const int sizes[] = {1, 3, 5, 17, 33, 257};
#define NS (int)(sizeof sizes / sizeof sizes[0])

static void fill(float *v, int n, nn_rng *r)
{
    for (int i = 0; i < n; i++) v[i] = 2.0f * nn_rng_uniform(r) - 1.0f;
}

static float max_abs_diff(const float *a, const float *b, int n)
{
    float m = 0;
    for (int i = 0; i < n; i++) { float d = fabsf(a[i] - b[i]); if (d > m || d != d) m = d != d ? 1e30f : d; }
    return m;
}

static void test_gemm_all_shapes(void)
{
    nn_rng r;
    nn_rng_seed(&r, 7);
    int cases = 0;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int a = 0; a < NS; a++)
                for (int b = 0; b < NS; b++)
                    for (int c = 0; c < NS; c += 2) {
                        int M = sizes[a], N = sizes[b], K = sizes[c];
                        float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N);
                        float *C1 = malloc(sizeof(float) * M * N), *C2 = malloc(sizeof(float) * M * N);
                        fill(A, M * K, &r); fill(B, K * N, &r); fill(C1, M * N, &r);
                        memcpy(C2, C1, sizeof(float) * M * N);
                        float beta = (float)((a + b) & 1);
                        int lda = ta ? M : K, ldb = tb ? K : N;
                        nn_gemm(ta, tb, M, N, K, A, lda, B, ldb, beta, C1, N);
                        nn_gemm_ref(ta, tb, M, N, K, A, lda, B, ldb, beta, C2, N);
                        float d = max_abs_diff(C1, C2, M * N);
                        CHECK(d <= 1e-4f * (1 + K / 16));
                        if (d > 1e-4f * (1 + K / 16))
                            printf("  gemm ta=%d tb=%d M=%d N=%d K=%d diff %g\n", ta, tb, M, N, K, d);
                        cases++;
                        free(A); free(B); free(C1); free(C2);
                    }
    CHECK(cases == 4 * NS * NS * (NS / 2));
}

static void test_gemm_leading_dims(void)
{ /* sub-matrices with lda/ldb/ldc larger than the logical width */
    nn_rng r;
    nn_rng_seed(&r, 3);
    float A[40 * 40], B[40 * 40], C1[40 * 40], C2[40 * 40];
    fill(A, 1600, &r); fill(B, 1600, &r); fill(C1, 1600, &r);
    memcpy(C2, C1, sizeof C1);
    nn_gemm(0, 0, 17, 19, 13, A, 40, B, 40, 1.0f, C1, 40);
    nn_gemm_ref(0, 0, 17, 19, 13, A, 40, B, 40, 1.0f, C2, 40);
    CHECK(max_abs_diff(C1, C2, 1600) < 1e-4f);
}

static void test_vector_kernels(void)
{
    nn_rng r;
    nn_rng_seed(&r, 11);
    for (int s = 0; s < NS; s++) {
        int n = sizes[s];
        float x[257], y[257], y1[257], y2[257], b[257];
        fill(x, n, &r); fill(y, n, &r); fill(b, n, &r);
        CHECK_NEAR(nn_dot(x, y, n), nn_dot_ref(x, y, n), 1e-4);
        memcpy(y1, y, sizeof y); memcpy(y2, y, sizeof y);
        nn_axpy(n, 0.7f, x, y1); nn_axpy_ref(n, 0.7f, x, y2);
        CHECK(max_abs_diff(y1, y2, n) < 1e-6f);
        nn_relu(x, y1, n); nn_relu_ref(x, y2, n);
        CHECK(max_abs_diff(y1, y2, n) == 0.0f);
        nn_relu_backward(x, y, y1, n); nn_relu_backward_ref(x, y, y2, n);
        CHECK(max_abs_diff(y1, y2, n) == 0.0f);
        nn_vmul(x, y, y1, n); nn_vmul_ref(x, y, y2, n);
        CHECK(max_abs_diff(y1, y2, n) == 0.0f);
        /* rows x cols forms */
        int rows = 3, cols = n;
        float m1[3 * 257], m2[3 * 257], s1[257] = {0}, s2[257] = {0};
        fill(m1, rows * cols, &r);
        memcpy(m2, m1, sizeof m1);
        nn_add_rows(m1, b, rows, cols); nn_add_rows_ref(m2, b, rows, cols);
        CHECK(max_abs_diff(m1, m2, rows * cols) == 0.0f);
        nn_sum_rows(m1, rows, cols, s1); nn_sum_rows_ref(m1, rows, cols, s2);
        CHECK(max_abs_diff(s1, s2, cols) < 1e-6f);
    }
}

static void test_simd_name(void)
{
    const char *s = nn_simd_name();
    printf("  kernels: %s\n", s);
#if defined(NN_NO_SIMD)
    CHECK(!strcmp(s, "scalar"));
#elif defined(__wasm_simd128__)
    CHECK(!strcmp(s, "wasm-simd128"));
#elif defined(__x86_64__)
    CHECK(!strncmp(s, "x86-", 4));
#endif
}

static void test_adam_update(void)
{ /* the vector Adam step against its reference, awkward sizes, several steps in a row */
    nn_rng r;
    nn_rng_seed(&r, 13);
    for (int s = 0; s < NS; s++) {
        int n = sizes[s];
        float w0[257], w1[257], w2[257], g[257], m1[257] = {0}, m2[257] = {0}, v1[257] = {0},
              v2[257] = {0};
        fill(w0, n, &r);
        memcpy(w1, w0, sizeof w0);
        memcpy(w2, w0, sizeof w0);
        for (int t = 1; t <= 3; t++) {
            fill(g, n, &r);
            float c1 = 1.0f / (1.0f - powf(0.9f, (float)t)), c2 = 1.0f / (1.0f - powf(0.999f, (float)t));
            nn_adam_update((size_t)n, 1e-3f, 0.9f, 0.999f, c1, c2, 1e-7f, w1, g, m1, v1);
            nn_adam_update_ref((size_t)n, 1e-3f, 0.9f, 0.999f, c1, c2, 1e-7f, w2, g, m2, v2);
        }
        CHECK(max_abs_diff(w1, w2, n) < 1e-6f);
        CHECK(max_abs_diff(m1, m2, n) < 1e-6f);
        CHECK(max_abs_diff(v1, v2, n) < 1e-6f);
        CHECK(max_abs_diff(w1, w0, n) > 1e-4f); /* the step moved the weights */
    }
}

/* ---- convolution and pooling kernels (conv2d.c, pool.c) ---- */
static void test_conv_pool_kernels(void)
{ /* SIMD against scalar on awkward sizes; the max pooling pair on windows with ties */
    nn_rng r;
    nn_rng_seed(&r, 29);
    for (int s = 0; s < NS; s++) {
        int n = sizes[s], rows = 3;
        float z1[3 * 257], z2[3 * 257], y1[3 * 257], y2[3 * 257], b[257];
        fill(z1, rows * n, &r); fill(b, n, &r);
        memcpy(z2, z1, sizeof z1);
        nn_bias_relu(z1, b, y1, rows, n); nn_bias_relu_ref(z2, b, y2, rows, n);
        CHECK(max_abs_diff(z1, z2, rows * n) == 0.0f);
        CHECK(max_abs_diff(y1, y2, rows * n) == 0.0f);
        CHECK(y1[0] == (z1[0] > 0.0f ? z1[0] : 0.0f));
        nn_bias_relu(z2, b, z2, rows, n); /* in place, as conv2d runs it without a separate y */
        nn_bias_relu_ref(z1, b, z1, rows, n);
        CHECK(max_abs_diff(z1, z2, rows * n) == 0.0f);

        /* a window of 4 positions; values on a coarse grid so ties happen */
        float win[4][257], m1[257], m2[257], dy[257];
        for (int p = 0; p < 4; p++)
            for (int i = 0; i < n; i++) win[p][i] = (float)(nn_rng_uniform(&r) < 0.5f ? 0 : (int)(4 * nn_rng_uniform(&r)));
        fill(dy, n, &r);
        memcpy(m1, win[0], sizeof m1); memcpy(m2, win[0], sizeof m2);
        for (int p = 1; p < 4; p++) { nn_vmax(n, win[p], m1); nn_vmax_ref(n, win[p], m2); }
        CHECK(max_abs_diff(m1, m2, n) == 0.0f);
        /* the same 4 positions as a 2x2 window: rows 2 pixels apart, each pixel n channels */
        float img[4 * 257], dx1[4 * 257], dx2[4 * 257];
        for (int p = 0; p < 4; p++) memcpy(img + p * n, win[p], (size_t)n * sizeof(float));
        for (int add = 0; add <= 1; add++) { /* stored over stale values, then added to 1s */
            for (int i = 0; i < 4 * n; i++) dx1[i] = dx2[i] = add ? 1.0f : 99.0f;
            nn_maxpool_window_backward(n, 2, 2, 2 * n, img, m1, dy, dx1, add);
            nn_maxpool_window_backward_ref(n, 2, 2, 2 * n, img, m2, dy, dx2, add);
            CHECK(max_abs_diff(dx1, dx2, 4 * n) == 0.0f);
            for (int i = 0; i < n; i++) { /* all of dy went to the first position holding the max */
                int first = 0;
                while (win[first][i] != m1[i]) first++;
                for (int p = 0; p < 4; p++) CHECK(dx1[p * n + i] == (float)add + (p == first ? dy[i] : 0.0f));
            }
        }
    }
}

int main(void)
{
    RUN(test_simd_name);
    RUN(test_gemm_all_shapes);
    RUN(test_gemm_leading_dims);
    RUN(test_vector_kernels);
    RUN(test_adam_update);
    RUN(test_conv_pool_kernels); /* convolution and pooling block */
    return nt_summary("kernels");
}
