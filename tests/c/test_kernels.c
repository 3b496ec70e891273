/* Every SIMD kernel against its scalar reference, on awkward sizes. */
#include "kernels.h"
#include "nn.h"
#include "rng.h"
#include "test.h"
#include <float.h>
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

static void test_recurrent_gates(void)
{ /* the LSTM cell and GRU blend, with and without a previous state, on the awkward sizes */
    nn_rng r;
    nn_rng_seed(&r, 11);
    for (int si = 0; si < NS; si++) {
        int u = sizes[si];
        float *buf = malloc(sizeof(float) * 20 * u);
        float *a = buf, *cp = a + 4 * u, *tc = cp + u, *dh = tc + u, *dtc = dh + u;
        float *c1 = dtc + u, *c2 = c1 + u, *dz1 = c2 + u, *dz2 = dz1 + 4 * u, *dc1 = dz2 + 4 * u, *dc2 = dc1 + u;
        fill(buf, 9 * u, &r);
        for (int prev = 0; prev < 2; prev++) {
            const float *p = prev ? cp : NULL;
            nn_lstm_cell(u, a, p, c1); nn_lstm_cell_ref(u, a, p, c2);
            CHECK(max_abs_diff(c1, c2, u) < 1e-6f);
            fill(dc1, u, &r);
            memcpy(dc2, dc1, sizeof(float) * u);
            nn_lstm_cell_backward(u, a, p, tc, dh, dtc, dc1, dz1);
            nn_lstm_cell_backward_ref(u, a, p, tc, dh, dtc, dc2, dz2);
            CHECK(max_abs_diff(dz1, dz2, 4 * u) < 1e-6f && max_abs_diff(dc1, dc2, u) < 1e-6f);
            /* GRU: z = a[0..u), hh = a[u..2u) */
            nn_gru_blend(u, a, a + u, p, c1); nn_gru_blend_ref(u, a, a + u, p, c2);
            CHECK(max_abs_diff(c1, c2, u) < 1e-6f);
            fill(dc1, u, &r);
            memcpy(dc2, dc1, sizeof(float) * u);
            nn_gru_blend_backward(u, a, a + u, p, dh, dz1, dz1 + u, prev ? dc1 : NULL);
            nn_gru_blend_backward_ref(u, a, a + u, p, dh, dz2, dz2 + u, prev ? dc2 : NULL);
            CHECK(max_abs_diff(dz1, dz2, 2 * u) < 1e-6f && max_abs_diff(dc1, dc2, u) < 1e-6f);
        }
        free(buf);
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

/* ---- the transcendental maps: SIMD vs reference vs libm (double) ---- */

/* The exact value of map k at x, in double: 0 exp, 1 tanh, 2 sigmoid, 3 elu (alpha 1.5). */
static double map_exact(int k, float x)
{
    double v = x;
    switch (k) {
    case 0: return exp(v);
    case 1: return tanh(v);
    case 2: return 1.0 / (1.0 + exp(-v));
    default: return v > 0.0 ? v : 1.5 * expm1(v);
    }
}

static void map_run(int k, int simd, const float *x, float *y, int n)
{
    switch (k) {
    case 0: (simd ? nn_exp : nn_exp_ref)(x, y, n); break;
    case 1: (simd ? nn_tanh : nn_tanh_ref)(x, y, n); break;
    case 2: (simd ? nn_sigmoid : nn_sigmoid_ref)(x, y, n); break;
    default: (simd ? nn_elu : nn_elu_ref)(x, y, n, 1.5f);
    }
}

/* |got - want| within rel relative (plus an absolute floor far below FLT_MIN for results that
 * are subnormal); NaN and inf exactly. */
static int map_ok(float got, double want, double rel)
{
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == (float)want;
    if (fabs(want) >= FLT_MAX) return fabsf(got) >= FLT_MAX && (got > 0) == (want > 0); /* overflow */
    return fabs((double)got - want) <= rel * fabs(want) + 1e-40;
}

#define MAP_N 60000
static void test_maps_accuracy(void)
{ /* a dense sweep of [-120, 120], denser near 0, plus the special values, per map */
    static float x[MAP_N], y1[MAP_N], y2[MAP_N];
    static const char *names[4] = {"exp", "tanh", "sigmoid", "elu"};
    int n = 0;
    for (int i = 0; i < 24000; i++) x[n++] = -120.0f + 240.0f * (float)i / 24000.0f;
    for (int i = 0; i < 24000; i++) x[n++] = (float)((i - 12000) * 1e-4);        /* [-1.2, 1.2] */
    for (int e = -45; e <= 38; e++) { x[n++] = powf(10.0f, (float)e); x[n++] = -powf(10.0f, (float)e); }
    const float special[] = {0.0f, -0.0f, 0.625f, -0.625f, 0.62499994f, 88.0f, 88.72f, 88.73f,
                             89.0f, 89.5f, -87.3f, -100.0f, -103.9f, -104.0f, -105.0f, 44.0f,
                             -44.0f, 3.4e38f, -3.4e38f, 1e-30f, -1e-30f, 1e-45f, INFINITY,
                             -INFINITY, NAN, -NAN};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) x[n++] = special[i];
    for (int k = 0; k < 4; k++) {
        map_run(k, 1, x, y1, n);
        map_run(k, 0, x, y2, n);
        int bad_simd = 0, bad_ref = 0, bad_agree = 0;
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double w = map_exact(k, x[i]);
            if (!map_ok(y1[i], w, 1e-6)) { if (bad_simd++ < 3) printf("  %s(%g): simd %.9g, exact %.9g\n", names[k], (double)x[i], (double)y1[i], w); }
            if (!map_ok(y2[i], w, 1e-6)) { if (bad_ref++ < 3) printf("  %s(%g): ref %.9g, exact %.9g\n", names[k], (double)x[i], (double)y2[i], w); }
            if (!map_ok(y1[i], y2[i], 5e-7)) bad_agree++; /* the same algorithm up to FMA rounding */
            if (fabs(w) < FLT_MAX && fabs(w) > 1e-37) {
                double e = fabs(y1[i] - w) / fabs(w);
                if (e > worst) worst = e;
            }
        }
        printf("  %s: worst relative error %.3g over %d values\n", names[k], worst, n);
        CHECK(bad_simd == 0);
        CHECK(bad_ref == 0);
        CHECK(bad_agree == 0);
    }
}

static void test_maps_lengths(void)
{ /* ragged tails and in-place calls give what full vectors give */
    nn_rng r;
    nn_rng_seed(&r, 17);
    for (int s = 0; s < NS; s++) {
        int n = sizes[s];
        float x[257], y1[257], y2[257], big[264];
        for (int i = 0; i < n; i++) x[i] = 8.0f * (2.0f * nn_rng_uniform(&r) - 1.0f);
        for (int k = 0; k < 4; k++) {
            memset(big, 0, sizeof big);
            memcpy(big, x, (size_t)n * sizeof(float));
            map_run(k, 1, big, big, 264 - 264 % 8); /* whole vectors, in place */
            memcpy(y1, x, sizeof x);
            map_run(k, 1, y1, y1, n);                 /* n values, in place */
            map_run(k, 0, x, y2, n);
            int same = 1;
            for (int i = 0; i < n; i++) same &= y1[i] == big[i] && map_ok(y1[i], y2[i], 5e-7);
            CHECK(same);
        }
    }
    float y = 7.0f;
    nn_tanh(&y, &y, 0); /* n = 0 touches nothing */
    CHECK(y == 7.0f);
}

static void test_small_dense(void)
{ /* the small dense products against their references, ragged unit and input counts */
    static const int dims[] = {1, 2, 3, 5, 8, 9, 16};
    nn_rng r;
    nn_rng_seed(&r, 19);
    for (int a = 0; a < 7; a++)
        for (int b = 0; b < 7; b++) {
            int in = dims[a], u = dims[b], n = 7;
            float x[7 * 16], W[16 * 16], bias[16], d[7 * 16], z1[7 * 16], z2[7 * 16];
            float g1[16 * 16], g2[16 * 16];
            fill(x, n * in, &r); fill(W, in * u, &r); fill(bias, u, &r); fill(d, n * u, &r);
            fill(g1, in * u, &r);
            memcpy(g2, g1, sizeof g1);
            nn_small_xw(n, in, u, x, W, bias, z1); nn_small_xw_ref(n, in, u, x, W, bias, z2);
            CHECK(max_abs_diff(z1, z2, n * u) < 1e-5f);
            nn_small_xw(n, in, u, x, W, NULL, z1); nn_small_xw_ref(n, in, u, x, W, NULL, z2);
            CHECK(max_abs_diff(z1, z2, n * u) < 1e-5f);
            nn_small_xtd(n, in, u, x, d, g1); nn_small_xtd_ref(n, in, u, x, d, g2);
            CHECK(max_abs_diff(g1, g2, in * u) < 1e-5f);
            nn_small_dwt(n, in, u, d, W, z1); nn_small_dwt_ref(n, in, u, d, W, z2);
            CHECK(max_abs_diff(z1, z2, n * in) < 1e-5f);
        }
    /* above 256 weights dwt takes its other path */
    static float W[20 * 20], d[3 * 20], dx1[3 * 20], dx2[3 * 20];
    fill(W, 400, &r); fill(d, 60, &r);
    nn_small_dwt(3, 20, 20, d, W, dx1); nn_small_dwt_ref(3, 20, 20, d, W, dx2);
    CHECK(max_abs_diff(dx1, dx2, 60) < 1e-5f);
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
    RUN(test_recurrent_gates);
    RUN(test_adam_update);
    RUN(test_maps_accuracy);
    RUN(test_maps_lengths);
    RUN(test_small_dense);
    RUN(test_conv_pool_kernels); /* convolution and pooling block */
    return nt_summary("kernels");
}
