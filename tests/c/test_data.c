/* test_data.c - dataset generators, preprocessing, CSV and idx readers (nn_data.h). */
#include "nn_data.h"
#include "test.h"

#include <stdint.h>
#include <string.h>

#define N 301 /* odd on purpose: balanced halves differ by one */

static const float TOL = 1e-4f;

/* FNV-1a over the bits of floats: compares generator output across native and wasm runs. */
static uint32_t hash_floats(uint32_t h, const float *v, int count)
{
    for (int i = 0; i < count; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        for (int b = 0; b < 4; b++) { h ^= (u >> (8 * b)) & 0xffu; h *= 16777619u; }
    }
    return h;
}

static int differ(const float *a, const float *b, int count) { return memcmp(a, b, (size_t)count * sizeof(float)) != 0; }

/* The example at the top of nn_data.h, verbatim. */
static void test_header_example(void)
{
    float x[200 * 2], y[200], xtr[160 * 2], ytr[160], xte[40 * 2], yte[40], mean[2], sd[2];
    int ntr;
    nn_data_generate(NN_DATA_SPIRAL, 200, 0.1f, 0, 42, x, y);
    nn_data_split(x, y, 200, 2, 1, 0.2f, 7, xtr, ytr, xte, yte, &ntr);
    nn_standardize_fit(xtr, ntr, 2, mean, sd);
    nn_standardize_apply(xtr, ntr, 2, mean, sd);
    nn_standardize_apply(xte, 200 - ntr, 2, mean, sd);

    const char *text = "a,b,label\n1,2,0\n3,4,1\n";
    nn_csv csv;
    if (nn_csv_parse(text, strlen(text), -1, &csv) != 0) puts(csv.error);
    int feats[2] = {0, 1};
    float cx[2 * 2], cy[2];
    nn_csv_select(&csv, feats, 2, nn_csv_column(&csv, "label"), cx, cy);
    nn_csv_free(&csv);

    CHECK(ntr == 160);
    CHECK(cx[2] == 3 && cx[3] == 4 && cy[0] == 0 && cy[1] == 1);
}

static void test_kind_names(void)
{
    const char *names[] = {"circle", "xor", "gauss", "spiral", "moons", "checkerboard", "plane",
                           "gaussBumps", "blobs", "multiSpiral"};
    for (int k = 0; k < NN_DATA_KIND_COUNT; k++) {
        CHECK(nn_data_kind_from_name(names[k]) == k);
        CHECK(strcmp(nn_data_kind_name(k), names[k]) == 0);
    }
    CHECK(NN_DATA_KIND_COUNT == 10);
    CHECK(nn_data_kind_from_name("gaussBumps") == NN_DATA_GAUSS_BUMPS);
    CHECK(nn_data_kind_from_name("multiSpiral") == NN_DATA_MULTI_SPIRAL);
    CHECK(nn_data_kind_from_name("Circle") == -1);
    CHECK(nn_data_kind_from_name("") == -1);
    CHECK(nn_data_kind_from_name(NULL) == -1);
    CHECK(strcmp(nn_data_kind_name(-1), "unknown") == 0);
    CHECK(strcmp(nn_data_kind_name(10), "unknown") == 0);

    CHECK(nn_data_kind_is_regression(NN_DATA_PLANE) == 1);
    CHECK(nn_data_kind_is_regression(NN_DATA_GAUSS_BUMPS) == 1);
    CHECK(nn_data_kind_is_regression(NN_DATA_CIRCLE) == 0);
    CHECK(nn_data_kind_is_regression(99) == 0);

    CHECK(nn_data_kind_num_classes(NN_DATA_XOR, 5) == 2);
    CHECK(nn_data_kind_num_classes(NN_DATA_PLANE, 5) == 0);
    CHECK(nn_data_kind_num_classes(NN_DATA_BLOBS, 0) == 3);
    CHECK(nn_data_kind_num_classes(NN_DATA_BLOBS, -4) == 3);
    CHECK(nn_data_kind_num_classes(NN_DATA_MULTI_SPIRAL, 8) == 8);
    CHECK(nn_data_kind_num_classes(NN_DATA_BLOBS, 1) == -1);
    CHECK(nn_data_kind_num_classes(NN_DATA_BLOBS, 9) == -1);
    CHECK(nn_data_kind_num_classes(10, 0) == -1);
    CHECK(nn_data_kind_num_classes(-1, 0) == -1);
}

static void test_generate_args(void)
{
    float x[20], y[10];
    CHECK(nn_data_generate(-1, 10, 0, 0, 1, x, y) == -1);
    CHECK(nn_data_generate(NN_DATA_KIND_COUNT, 10, 0, 0, 1, x, y) == -1);
    CHECK(nn_data_generate(NN_DATA_CIRCLE, -1, 0, 0, 1, x, y) == -1);
    CHECK(nn_data_generate(NN_DATA_CIRCLE, 10, -0.01f, 0, 1, x, y) == -1);
    CHECK(nn_data_generate(NN_DATA_CIRCLE, 10, 1.01f, 0, 1, x, y) == -1);
    CHECK(nn_data_generate(NN_DATA_CIRCLE, 10, NAN, 0, 1, x, y) == -1);
    CHECK(nn_data_generate(NN_DATA_CIRCLE, 10, 0, 0, 1, NULL, y) == -1);
    CHECK(nn_data_generate(NN_DATA_CIRCLE, 10, 0, 0, 1, x, NULL) == -1);
    CHECK(nn_data_generate(NN_DATA_BLOBS, 10, 0, 1, 1, x, y) == -1);
    CHECK(nn_data_generate(NN_DATA_MULTI_SPIRAL, 10, 0, 9, 1, x, y) == -1);
    CHECK(nn_data_generate(NN_DATA_CIRCLE, 0, 0, 0, 1, NULL, NULL) == 0);
    CHECK(nn_data_generate(NN_DATA_CIRCLE, 10, 1, 0, 1, x, y) == 0);
    CHECK(nn_data_generate(NN_DATA_XOR, 10, 0, 99, 1, x, y) == 0); /* binary kinds ignore k */
    CHECK(nn_data_generate(NN_DATA_SPIRAL, 1, 0, 0, 1, x, y) == 0);
    CHECK(nn_data_generate(NN_DATA_BLOBS, 2, 0, 8, 1, x, y) == 0); /* fewer points than classes */
}

/* Properties every kind must have, for one number of classes (k as passed to the generator). */
static void check_kind(int kind, int k_req)
{
    static float x[N * 2], y[N], x2[N * 2], y2[N], x3[N * 2], y3[N];
    int k = nn_data_kind_num_classes(kind, k_req);
    int regression = nn_data_kind_is_regression(kind);
    int status = nn_data_generate(kind, N, 0.2f, k_req, 123, x, y);
    CHECK(status == 0);
    if (status) return;
    CHECK(nn_check_finite(x, N * 2) == -1);
    CHECK(nn_check_finite(y, N) == -1);

    int outside = 0, bad_label = 0, counts[8] = {0};
    for (int i = 0; i < N; i++) {
        if (!(fabsf(x[2 * i]) <= 6 && fabsf(x[2 * i + 1]) <= 6)) outside++;
        if (regression) {
            if (!(fabsf(y[i]) <= (kind == NN_DATA_PLANE ? 1.44f : 1.0f) /* plane: (12 + 12*0.2) / 10 */)) bad_label++;
        } else if (!(y[i] >= 0 && y[i] < k && y[i] == floorf(y[i]))) {
            bad_label++;
        } else {
            counts[(int)y[i]]++;
        }
    }
    CHECK(outside == 0);
    CHECK(bad_label == 0);

    if (!regression) {
        int lo = N, hi = 0;
        for (int c = 0; c < k; c++) {
            if (counts[c] < lo) lo = counts[c];
            if (counts[c] > hi) hi = counts[c];
        }
        if (kind == NN_DATA_XOR || kind == NN_DATA_CHECKERBOARD) {
            CHECK(lo > N * 0.4 && hi < N * 0.6);
        } else if (kind == NN_DATA_CIRCLE || kind == NN_DATA_MOONS || kind == NN_DATA_GAUSS ||
                   kind == NN_DATA_SPIRAL) {
            CHECK(lo > N * 0.4); /* the generator balances; noise 0.2 flips only some labels */
        } else {
            CHECK(hi - lo <= 1); /* multiclass: labels are exactly balanced */
        }
    }

    /* same seed, same bits; another seed, other points */
    CHECK(nn_data_generate(kind, N, 0.2f, k_req, 123, x2, y2) == 0);
    CHECK(!differ(x, x2, N * 2) && !differ(y, y2, N));
    CHECK(nn_data_generate(kind, N, 0.2f, k_req, 124, x3, y3) == 0);
    CHECK(differ(x, x3, N * 2));
    /* noise changes the data */
    CHECK(nn_data_generate(kind, N, 0.0f, k_req, 123, x3, y3) == 0);
    CHECK(differ(x, x3, N * 2) || differ(y, y3, N));
    /* the upper end of the range works and stays on the canvas */
    CHECK(nn_data_generate(kind, N, 1.0f, k_req, 5, x3, y3) == 0);
    int out1 = 0;
    for (int i = 0; i < N * 2; i++) out1 += !(fabsf(x3[i]) <= 6);
    CHECK(out1 == 0);
}

static void test_generate_common(void)
{
    for (int kind = 0; kind < NN_DATA_KIND_COUNT; kind++) {
        int ks[3] = {0, 2, 8};
        int nk = kind == NN_DATA_BLOBS || kind == NN_DATA_MULTI_SPIRAL ? 3 : 1;
        for (int j = 0; j < nk; j++) {
            int before = nt_failed;
            check_kind(kind, ks[j]);
            if (nt_failed != before) printf("  (kind %s, k %d)\n", nn_data_kind_name(kind), ks[j]);
        }
    }
}

/* Rows come shuffled: the first 20 rows must not all share a label. */
static void test_generate_shuffled(void)
{
    float x[400], y[200];
    CHECK(nn_data_generate(NN_DATA_CIRCLE, 200, 0, 0, 9, x, y) == 0);
    int ones = 0;
    for (int i = 0; i < 20; i++) ones += y[i] == 1;
    CHECK(ones > 2 && ones < 18);
}

static void test_circle_geometry(void)
{
    static float x[N * 2], y[N], xn[N * 2], yn[N];
    nn_data_generate(NN_DATA_CIRCLE, N, 0, 0, 3, x, y);
    int ones = 0, bad = 0;
    for (int i = 0; i < N; i++) {
        float r = sqrtf(x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1]);
        if (y[i] == 1) { ones++; bad += !(r < 2.5f + TOL); }
        else bad += !(r >= 3.5f - TOL && r <= 5 + TOL);
    }
    CHECK(bad == 0);
    CHECK(ones == N - N / 2);
    /* noise moves only the point where the label is read: same points, some labels flipped */
    nn_data_generate(NN_DATA_CIRCLE, N, 0.5f, 0, 3, xn, yn);
    CHECK(!differ(x, xn, N * 2));
    CHECK(differ(y, yn, N));
}

static void test_xor_checkerboard_geometry(void)
{
    static float x[N * 2], y[N];
    nn_data_generate(NN_DATA_XOR, N, 0, 0, 4, x, y);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        float a = x[2 * i], b = x[2 * i + 1];
        bad += y[i] != (a * b >= 0 ? 1.0f : 0.0f);
        bad += !(fabsf(a) >= 0.3f - TOL && fabsf(a) <= 5.3f + TOL);
        bad += !(fabsf(b) >= 0.3f - TOL && fabsf(b) <= 5.3f + TOL);
    }
    CHECK(bad == 0);

    nn_data_generate(NN_DATA_CHECKERBOARD, N, 0, 0, 4, x, y);
    bad = 0;
    for (int i = 0; i < N; i++) {
        int cx = (int)floorf(x[2 * i] / 3), cy = (int)floorf(x[2 * i + 1] / 3);
        bad += y[i] != (((cx + cy) & 1) ? 0.0f : 1.0f);
    }
    CHECK(bad == 0);
}

/* Mean and variance of the points of one class. */
static void class_stats(const float *x, const float *y, int n, float label, double *m, double *var)
{
    double s[2] = {0, 0}, ss[2] = {0, 0};
    int cnt = 0;
    for (int i = 0; i < n; i++)
        if (y[i] == label) {
            for (int d = 0; d < 2; d++) { s[d] += x[2 * i + d]; ss[d] += (double)x[2 * i + d] * x[2 * i + d]; }
            cnt++;
        }
    for (int d = 0; d < 2; d++) {
        m[d] = cnt ? s[d] / cnt : 0;
        var[d] = cnt ? ss[d] / cnt - m[d] * m[d] : 0;
    }
}

static void test_gauss_blobs_geometry(void)
{
    enum { M = 2000 };
    static float x[M * 2], y[M];
    double m[2], var[2];
    nn_data_generate(NN_DATA_GAUSS, M, 0, 0, 8, x, y);
    class_stats(x, y, M, 1, m, var);
    CHECK_NEAR(m[0], 2, 0.1);
    CHECK_NEAR(m[1], 2, 0.1);
    CHECK_NEAR(var[0], 0.5, 0.08); /* the Playground's variance at noise 0 */
    class_stats(x, y, M, 0, m, var);
    CHECK_NEAR(m[0], -2, 0.1);
    CHECK_NEAR(m[1], -2, 0.1);
    /* noise 0.5 is the Playground's maximum: variance 4 (a little less: redrawn inside [-6, 6]) */
    nn_data_generate(NN_DATA_GAUSS, M, 0.5f, 0, 8, x, y);
    class_stats(x, y, M, 1, m, var);
    CHECK(var[0] > 2.8 && var[0] < 4.2);

    nn_data_generate(NN_DATA_BLOBS, M, 0, 4, 8, x, y);
    for (int c = 0; c < 4; c++) {
        double a = 2 * 3.14159265358979 * c / 4;
        class_stats(x, y, M, (float)c, m, var);
        CHECK_NEAR(m[0], 4 * sin(a), 0.15);
        CHECK_NEAR(m[1], 4 * cos(a), 0.15);
    }
}

/* Largest distance between a point and its arm r = 5 t' / (3.5 pi), at angle t' + offset. */
static double spiral_error(const float *x, const float *y, int n, float label, double offset)
{
    double worst = 0;
    for (int i = 0; i < n; i++) {
        if (y[i] != label) continue;
        double px = x[2 * i], py = x[2 * i + 1], r = sqrt(px * px + py * py);
        double t = 1.75 * 2 * 3.14159265358979 * r / 5 + offset;
        double ex = r * sin(t) - px, ey = r * cos(t) - py;
        double e = sqrt(ex * ex + ey * ey);
        if (e > worst) worst = e;
    }
    return worst;
}

static void test_spiral_geometry(void)
{
    static float x[N * 2], y[N], xm[N * 2], ym[N];
    nn_data_generate(NN_DATA_SPIRAL, N, 0, 0, 5, x, y);
    CHECK(spiral_error(x, y, N, 1, 0) < 1e-3);
    CHECK(spiral_error(x, y, N, 0, 3.14159265358979) < 1e-3);
    int far = 0;
    for (int i = 0; i < N; i++) far += hypotf(x[2 * i], x[2 * i + 1]) > 5;
    CHECK(far == 0);
    /* multi_spiral with 2 arms is the spiral with labels swapped */
    nn_data_generate(NN_DATA_MULTI_SPIRAL, N, 0.3f, 2, 5, xm, ym);
    nn_data_generate(NN_DATA_SPIRAL, N, 0.3f, 0, 5, x, y);
    CHECK(!differ(x, xm, N * 2));
    int swapped = 0;
    for (int i = 0; i < N; i++) swapped += ym[i] == 1 - y[i];
    CHECK(swapped == N);
    /* 5 arms, 72 degrees apart */
    nn_data_generate(NN_DATA_MULTI_SPIRAL, N, 0, 5, 5, xm, ym);
    for (int c = 0; c < 5; c++) CHECK(spiral_error(xm, ym, N, (float)c, 2 * 3.14159265358979 * c / 5) < 1e-3);
}

static void test_moons_geometry(void)
{
    static float x[N * 2], y[N];
    nn_data_generate(NN_DATA_MOONS, N, 0, 0, 6, x, y);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        double mx = x[2 * i] / 3.0 + 0.5, my = x[2 * i + 1] / 3.0 + 0.25; /* back to sklearn units */
        if (y[i] == 0) bad += fabs(hypot(mx, my) - 1) > 1e-4 || my < -1e-4;
        else bad += fabs(hypot(mx - 1, my - 0.5) - 1) > 1e-4 || my > 0.5 + 1e-4;
    }
    CHECK(bad == 0);
}

static void test_regression_geometry(void)
{
    static float x[N * 2], y[N];
    nn_data_generate(NN_DATA_PLANE, N, 0, 0, 7, x, y);
    int bad = 0;
    float lo = 0, hi = 0;
    for (int i = 0; i < N; i++) {
        bad += fabsf(y[i] - (x[2 * i] + x[2 * i + 1]) / 10) > 1e-5f;
        if (y[i] < lo) lo = y[i];
        if (y[i] > hi) hi = y[i];
    }
    CHECK(bad == 0);
    CHECK(lo >= -1.2f && lo < -0.8f && hi <= 1.2f && hi > 0.8f);

    nn_data_generate(NN_DATA_GAUSS_BUMPS, N, 0, 0, 7, x, y);
    int near_pos = 0, near_neg = 0;
    bad = 0;
    for (int i = 0; i < N; i++) {
        float d1 = hypotf(x[2 * i] + 4, x[2 * i + 1] - 2.5f); /* +1 bump at (-4, 2.5) */
        float d2 = hypotf(x[2 * i], x[2 * i + 1] - 2.5f);     /* -1 bump at (0, 2.5) */
        if (d1 < 1) { near_pos++; bad += fabsf(y[i] - (1 - d1 / 2)) > 1e-4f; }
        if (d2 < 1) { near_neg++; bad += fabsf(y[i] + (1 - d2 / 2)) > 1e-4f; }
    }
    CHECK(bad == 0);
    CHECK(near_pos > 0 && near_neg > 0);
}

/* Pins the exact bits: this test passing both natively and as wasm shows they agree. */
static void test_generate_bits(void)
{
    static float x[500 * 2], y[500];
    uint32_t h = 2166136261u;
    for (int kind = 0; kind < NN_DATA_KIND_COUNT; kind++) {
        CHECK(nn_data_generate(kind, 500, 0.25f, 5, 2024, x, y) == 0);
        h = hash_floats(h, x, 1000);
        h = hash_floats(h, y, 500);
    }
    printf("  generator hash %08x\n", (unsigned)h);
    CHECK(h == 0xe90735c2u);
}

static void test_shuffle(void)
{
    enum { M = 50 };
    float x[M * 2], y[M], x2[M * 2], y2[M];
    for (int i = 0; i < M; i++) { x[2 * i] = (float)i; x[2 * i + 1] = i + 0.5f; y[i] = (float)i; }
    memcpy(x2, x, sizeof x);
    memcpy(y2, y, sizeof y);
    CHECK(nn_data_shuffle(x, y, M, 2, 1, 11) == 0);
    int paired = 0, moved = 0, seen[M] = {0};
    for (int i = 0; i < M; i++) {
        paired += x[2 * i] == y[i] && x[2 * i + 1] == y[i] + 0.5f;
        moved += y[i] != (float)i;
        int v = (int)y[i];
        if (v >= 0 && v < M) seen[v]++;
    }
    CHECK(paired == M);
    CHECK(moved > M / 2);
    int once = 0;
    for (int i = 0; i < M; i++) once += seen[i] == 1;
    CHECK(once == M);
    CHECK(nn_data_shuffle(x2, y2, M, 2, 1, 11) == 0);
    CHECK(!differ(x, x2, M * 2) && !differ(y, y2, M));
    CHECK(nn_data_shuffle(x2, NULL, M, 2, 0, 11) == 0); /* y is optional */
    CHECK(nn_data_shuffle(x, y, 0, 2, 1, 1) == 0);
    CHECK(nn_data_shuffle(x, y, 1, 2, 1, 1) == 0);
    CHECK(nn_data_shuffle(x, y, -1, 2, 1, 1) == -1);
    CHECK(nn_data_shuffle(NULL, y, M, 2, 1, 1) == -1);
}

static void test_split(void)
{
    enum { M = 10 };
    float x[M * 3], y[M], xtr[M * 3], ytr[M], xte[M * 3], yte[M], xs[M * 3], ys[M];
    for (int i = 0; i < M; i++) {
        for (int c = 0; c < 3; c++) x[3 * i + c] = i * 10.0f + c;
        y[i] = (float)i;
    }
    int ntr = -1;
    CHECK(nn_data_split(x, y, M, 3, 1, 0.25f, 0, xtr, ytr, xte, yte, &ntr) == 0);
    CHECK(ntr == 7); /* n_test = round(2.5) = 3 */
    CHECK(!differ(xtr, x, 7 * 3) && !differ(xte, x + 7 * 3, 3 * 3)); /* seed 0 keeps the order */
    CHECK(!differ(ytr, y, 7) && !differ(yte, y + 7, 3));

    /* seeded: the rows nn_data_shuffle would give, cut in two */
    memcpy(xs, x, sizeof x);
    memcpy(ys, y, sizeof y);
    nn_data_shuffle(xs, ys, M, 3, 1, 77);
    CHECK(nn_data_split(x, y, M, 3, 1, 0.25f, 77, xtr, ytr, xte, yte, &ntr) == 0);
    CHECK(ntr == 7);
    CHECK(!differ(xtr, xs, 7 * 3) && !differ(xte, xs + 7 * 3, 3 * 3));
    CHECK(!differ(ytr, ys, 7) && !differ(yte, ys + 7, 3));
    CHECK(differ(ytr, y, 7)); /* and it did shuffle */

    CHECK(nn_data_split(x, y, M, 3, 1, 0, 5, xtr, ytr, NULL, NULL, &ntr) == 0 && ntr == M);
    CHECK(nn_data_split(x, y, M, 3, 1, 1, 5, NULL, NULL, xte, yte, &ntr) == 0 && ntr == 0);
    CHECK(nn_data_split(x, NULL, M, 3, 0, 0.5f, 5, xtr, NULL, xte, NULL, NULL) == 0);
    CHECK(nn_data_split(x, y, M, 3, 1, 0.04f, 5, xtr, ytr, xte, yte, &ntr) == 0 && ntr == M);
    CHECK(nn_data_split(x, y, M, 3, 1, 0.05f, 5, xtr, ytr, xte, yte, &ntr) == 0 && ntr == M - 1);
    CHECK(nn_data_split(x, y, M, 3, 1, -0.1f, 5, xtr, ytr, xte, yte, &ntr) == -1);
    CHECK(nn_data_split(x, y, M, 3, 1, 1.5f, 5, xtr, ytr, xte, yte, &ntr) == -1);
    CHECK(nn_data_split(x, y, M, 3, 1, 0.5f, 5, xtr, ytr, NULL, yte, &ntr) == -1);
    CHECK(nn_data_split(x, y, -1, 3, 1, 0.5f, 5, xtr, ytr, xte, yte, &ntr) == -1);
}

static void test_standardize(void)
{
    enum { M = 200 };
    static float x[M * 3];
    float mean[3], sd[3];
    for (int i = 0; i < M; i++) {
        x[3 * i] = 3 + 2 * sinf((float)i);   /* mean ~3 */
        x[3 * i + 1] = 1000 + (float)(i % 7); /* large offset */
        x[3 * i + 2] = 0.1f;                  /* constant */
    }
    CHECK(nn_standardize_fit(x, M, 3, mean, sd) == 0);
    CHECK(sd[2] == 1);
    nn_standardize_apply(x, M, 3, mean, sd);
    for (int c = 0; c < 3; c++) {
        double s = 0, ss = 0;
        for (int i = 0; i < M; i++) { s += x[3 * i + c]; ss += (double)x[3 * i + c] * x[3 * i + c]; }
        CHECK_NEAR(s / M, 0, 1e-4); /* the float mean of column 1 is off by up to 3e-5 */
        CHECK_NEAR(sqrt(ss / M), c == 2 ? 0 : 1, 1e-4);
    }
    x[5] = NAN;
    CHECK(nn_standardize_fit(x, M, 3, mean, sd) == -5);
    CHECK(nn_standardize_fit(x, 0, 3, mean, sd) == -1);
    CHECK(nn_standardize_fit(NULL, M, 3, mean, sd) == -1);
}

static void test_minmax(void)
{
    float x[8] = {1, 5, 3, 5, -1, 5, 2, 5}; /* column 1 constant */
    float mn[2], mx[2];
    CHECK(nn_minmax_fit(x, 4, 2, mn, mx) == 0);
    CHECK(mn[0] == -1 && mx[0] == 3 && mn[1] == 5 && mx[1] == 5);
    nn_minmax_apply(x, 4, 2, mn, mx, -1, 1);
    CHECK_NEAR(x[0], 0, 1e-6);
    CHECK_NEAR(x[2], 1, 1e-6);
    CHECK_NEAR(x[4], -1, 1e-6);
    CHECK_NEAR(x[6], 0.5, 1e-6);
    CHECK(x[1] == -1 && x[3] == -1); /* constant column -> lo */
    float t[2] = {7, 5}; /* beyond the fitted range: not clamped */
    nn_minmax_apply(t, 1, 2, mn, mx, 0, 1);
    CHECK_NEAR(t[0], 2, 1e-6);
    x[3] = INFINITY;
    CHECK(nn_minmax_fit(x, 4, 2, mn, mx) == -5);
    CHECK(nn_minmax_fit(x, 4, 0, mn, mx) == -1);
}

static void test_one_hot(void)
{
    float labels[4] = {2, 0, 1, 2}, out[12];
    CHECK(nn_one_hot(labels, 4, 3, out) == 0);
    float want[12] = {0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    CHECK(!differ(out, want, 12));
    float bad[5][1] = {{3}, {-1}, {1.5f}, {NAN}, {INFINITY}};
    for (int i = 0; i < 5; i++) {
        float o[3] = {7, 7, 7};
        CHECK(nn_one_hot(bad[i], 1, 3, o) == -1);
        CHECK(o[0] == 7 && o[1] == 7 && o[2] == 7); /* untouched */
    }
    CHECK(nn_one_hot(labels, 4, 0, out) == -1);
    CHECK(nn_one_hot(labels, 0, 3, NULL) == 0);
}

static void test_check_finite(void)
{
    float v[5] = {1, 2, 3, 4, 5};
    CHECK(nn_check_finite(v, 5) == -1);
    v[3] = NAN;
    CHECK(nn_check_finite(v, 5) == 3);
    CHECK(nn_check_finite(v, 3) == -1);
    v[0] = -INFINITY;
    CHECK(nn_check_finite(v, 5) == 0);
    CHECK(nn_check_finite(NULL, 5) == -1);
    CHECK(nn_check_finite(v, 0) == -1);
}

/* Parse a NUL-terminated string. */
static int parse(const char *s, int header, nn_csv *c) { return nn_csv_parse(s, strlen(s), header, c); }

static void test_csv_basic(void)
{
    nn_csv c;
    CHECK(parse("a,b,label\n1,2,0\n3.5,-4e1,1\n", -1, &c) == 0);
    CHECK(c.rows == 2 && c.cols == 3 && c.has_header == 1);
    CHECK(strcmp(c.names[0], "a") == 0 && strcmp(c.names[2], "label") == 0);
    CHECK(c.data[3] == 3.5f && c.data[4] == -40 && c.data[5] == 1);
    CHECK(c.error[0] == '\0');
    nn_csv_free(&c);
    CHECK(c.data == NULL && c.names == NULL && c.rows == 0);
    nn_csv_free(&c); /* twice is fine */
    nn_csv_free(NULL);

    /* numeric first row: no header, generated names; last line without a newline */
    CHECK(parse("1,2\n3,4", -1, &c) == 0);
    CHECK(c.rows == 2 && c.cols == 2 && c.has_header == 0);
    CHECK(strcmp(c.names[0], "c0") == 0 && strcmp(c.names[1], "c1") == 0);
    CHECK(c.data[3] == 4);
    nn_csv_free(&c);

    /* forced header on a numeric row */
    CHECK(parse("1,2\n3,4\n", 1, &c) == 0);
    CHECK(c.rows == 1 && c.has_header == 1 && strcmp(c.names[1], "2") == 0);
    nn_csv_free(&c);

    /* numbers in every decimal spelling; one column */
    CHECK(parse("v\n1e3\n-2.5E-1\n+.5\n5.\n-0\n1e-50\n", -1, &c) == 0);
    CHECK(c.rows == 6 && c.cols == 1);
    CHECK(c.data[0] == 1000 && c.data[1] == -0.25f && c.data[2] == 0.5f && c.data[3] == 5);
    CHECK(c.data[4] == 0 && c.data[5] == 0);
    nn_csv_free(&c);

    /* len stops before the end of the string (the buffer need not be NUL-terminated) */
    const char *s = "a,b\n1,2\n3,4\n";
    CHECK(nn_csv_parse(s, 8, -1, &c) == 0 && c.rows == 1);
    nn_csv_free(&c);
}

static void test_csv_dialects(void)
{
    nn_csv c;
    /* quotes: delimiter and "" inside, spaces around, a line break inside a header name */
    CHECK(parse("\"x, y\",\"say \"\"hi\"\"\", \"two\nlines\" \n\"1.5\", 2 ,\" 3 \"\n", -1, &c) == 0);
    CHECK(c.rows == 1 && c.cols == 3);
    CHECK(strcmp(c.names[0], "x, y") == 0);
    CHECK(strcmp(c.names[1], "say \"hi\"") == 0);
    CHECK(strcmp(c.names[2], "two\nlines") == 0);
    CHECK(c.data[0] == 1.5f && c.data[1] == 2 && c.data[2] == 3);
    nn_csv_free(&c);

    /* CRLF and blank lines (also ones holding spaces) */
    CHECK(parse("a,b\r\n1,2\r\n\r\n  \r\n3,4\r\n\r\n", -1, &c) == 0);
    CHECK(c.rows == 2 && c.cols == 2 && strcmp(c.names[1], "b") == 0 && c.data[3] == 4);
    nn_csv_free(&c);

    /* lone CR (old Mac) */
    CHECK(parse("a,b\r1,2\r3,4", -1, &c) == 0);
    CHECK(c.rows == 2 && c.data[2] == 3);
    nn_csv_free(&c);

    /* UTF-8 BOM */
    CHECK(parse("\xEF\xBB\xBF" "a,b\n1,2\n", -1, &c) == 0);
    CHECK(strcmp(c.names[0], "a") == 0 && c.rows == 1);
    nn_csv_free(&c);

    /* semicolons, with a blank line before the header */
    CHECK(parse("\na;b;c\n1;2;3\n4;5;6\n", -1, &c) == 0);
    CHECK(c.cols == 3 && c.rows == 2 && c.data[5] == 6);
    nn_csv_free(&c);

    /* tabs, with an empty header cell */
    CHECK(parse("a\t\n1\t2\n", -1, &c) == 0);
    CHECK(c.cols == 2 && c.rows == 1 && strcmp(c.names[1], "") == 0 && c.data[1] == 2);
    nn_csv_free(&c);

    /* spaces around fields and names */
    CHECK(parse("  a , b \n 1 , 2 \n", -1, &c) == 0);
    CHECK(strcmp(c.names[0], "a") == 0 && strcmp(c.names[1], "b") == 0 && c.data[1] == 2);
    nn_csv_free(&c);

    /* a comma in the first line wins over semicolons */
    CHECK(parse("a;x,b\n1,2\n", -1, &c) == 0);
    CHECK(c.cols == 2 && strcmp(c.names[0], "a;x") == 0);
    nn_csv_free(&c);
}

/* Parse len bytes of s, expecting status and exactly message; out must come back empty. */
static void csv_error_len(const char *s, size_t len, int header, int status, const char *message)
{
    nn_csv c;
    int st = nn_csv_parse(s, len, header, &c);
    CHECK(st == status);
    CHECK(c.data == NULL && c.names == NULL && c.rows == 0 && c.cols == 0);
    if (strcmp(c.error, message) != 0) {
        printf("  got \"%s\", want \"%s\"\n", c.error, message);
        CHECK(0);
    }
    nn_csv_free(&c);
}

static void csv_error(const char *s, int header, int status, const char *message)
{
    csv_error_len(s, strlen(s), header, status, message);
}

static void test_csv_errors(void)
{
    csv_error("a,b,label\n1,2,0\n\n\n\n\n3,4,abc\n", -1, -3, "line 7, column 3 ('label'): 'abc' is not a number");
    csv_error("a,b,c\n1,2,3\n\n4,5\n", -1, -3, "line 4 has 2 fields, expected 3");
    csv_error("a,b,c\n1,2,3\n4,5,6,7\n", -1, -3, "line 3 has 4 fields, expected 3");
    csv_error("a,b\n1\n", -1, -3, "line 2 has 1 field, expected 2");
    csv_error("", -1, -3, "no data rows");
    csv_error(" \n\r\n  \n", -1, -3, "no data rows");
    csv_error("a,b\n", -1, -3, "no data rows");
    csv_error("a,b\n", 0, -3, "line 1, column 1: 'a' is not a number");
    csv_error("1,2\n3,x\n", -1, -3, "line 2, column 2: 'x' is not a number");
    csv_error("a,b\n1,nan\n", -1, -3, "line 2, column 2 ('b'): 'nan' is not a number");
    csv_error("a,b\n1,inf\n", -1, -3, "line 2, column 2 ('b'): 'inf' is not a number");
    csv_error("a,b\n1,0x10\n", -1, -3, "line 2, column 2 ('b'): '0x10' is not a number");
    csv_error("a,b\n1,2 3\n", -1, -3, "line 2, column 2 ('b'): '2 3' is not a number");
    csv_error("a,b\n1,1e\n", -1, -3, "line 2, column 2 ('b'): '1e' is not a number");
    csv_error("a,b\n1,.\n", -1, -3, "line 2, column 2 ('b'): '.' is not a number");
    csv_error("a,b\n1,1e39\n", -1, -3, "line 2, column 2 ('b'): '1e39' is out of float range");
    csv_error("a,b\n,2\n", -1, -3, "line 2, column 1 ('a'): empty field");
    csv_error("a;b\n1,5;2\n", -1, -3, "line 2, column 1 ('a'): '1,5' is not a number");
    csv_error("a,b\n1,\"2\n", -1, -3, "line 2, column 2: unterminated quoted field");
    csv_error("a,b\n1,\"2\"x\n", -1, -3, "line 2, column 2: unexpected 'x' after a closing quote");
    /* a quoted line break moves the line numbers on */
    csv_error("\"multi\nline\",b\n1,2\n3,x\n", -1, -3, "line 4, column 2 ('b'): 'x' is not a number");
    csv_error("a,b\n", 2, -1, "bad argument");
    /* long fields are cut, not overflowing the message */
    csv_error("a\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", -1, -3,
              "line 2, column 1 ('a'): 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is not a number");

    /* a byte after a closing quote that is not printable on its own is shown as hex */
    csv_error("a,b\n1,\"2\"\xC3\xA9\n", -1, -3, "line 2, column 2: unexpected byte 0xC3 after a closing quote");

    nn_csv c;
    CHECK(nn_csv_parse(NULL, 5, -1, &c) == -1);
    CHECK(nn_csv_parse(NULL, 0, -1, &c) == -3);
    CHECK(nn_csv_parse("1", 1, -1, NULL) == -1);
}

/* A NUL byte used to end its field silently ("1\0junk" read as 1): now an error naming the line
 * and column, quoted or not, in the header or the data (found by fuzz/fuzz_csv.c; the input is
 * fuzz/regressions/csv/nul_in_header.csv). */
static void test_csv_nul(void)
{
#define NUL_ERROR(lit, header, message) csv_error_len(lit, sizeof lit - 1, header, -3, message)
    NUL_ERROR("a,b,label\0\0\0\n1,2,0\n3.5,-4e1,1\n", -1, "line 1, column 3: NUL character (byte 0) in a field");
    NUL_ERROR("a,b\n1,2\0\n", -1, "line 2, column 2: NUL character (byte 0) in a field");
    NUL_ERROR("a,b\n1,2\0junk\n", -1, "line 2, column 2: NUL character (byte 0) in a field");
    NUL_ERROR("a,b\n\0" "1,2\n", -1, "line 2, column 1: NUL character (byte 0) in a field");
    NUL_ERROR("1\0,2\n3,4\n", 0, "line 1, column 1: NUL character (byte 0) in a field");
    NUL_ERROR("a,b\n1,2\n\0\n", -1, "line 3, column 1: NUL character (byte 0) in a field");
    NUL_ERROR("a,b\n1,2\n  \0", -1, "line 3, column 1: NUL character (byte 0) in a field");
    /* quoted: inside (on a later line of the field) and right after the closing quote */
    NUL_ERROR("a,b\n1,\"2\n\0\"\n", -1, "line 3, column 2: NUL character (byte 0) in a field");
    NUL_ERROR("a,b\n1,\"2\"\0\n", -1, "line 2, column 2: NUL character (byte 0) in a field");
    NUL_ERROR("a;b\n1;2\n3;\0\n", -1, "line 3, column 2: NUL character (byte 0) in a field");
#undef NUL_ERROR
    /* the NUL past len is not read */
    nn_csv c;
    CHECK(nn_csv_parse("a,b\n1,2\n\0", 8, -1, &c) == 0 && c.rows == 1);
    nn_csv_free(&c);
}

static void test_csv_columns(void)
{
    nn_csv c;
    CHECK(parse("Petal,width,A,a,label\n1,2,3,4,0\n5,6,7,8,1\n9,10,11,12,2\n", -1, &c) == 0);
    CHECK(nn_csv_column(&c, "width") == 1);
    CHECK(nn_csv_column(&c, "petal") == 0); /* case-insensitive */
    CHECK(nn_csv_column(&c, "PETAL") == 0);
    CHECK(nn_csv_column(&c, "a") == 3);     /* exact match first */
    CHECK(nn_csv_column(&c, "A") == 2);
    CHECK(nn_csv_column(&c, "Petals") == -1);
    CHECK(nn_csv_column(&c, "Peta") == -1);
    CHECK(nn_csv_column(&c, "") == -1);
    CHECK(nn_csv_column(&c, NULL) == -1);
    CHECK(nn_csv_column(NULL, "a") == -1);

    int feats[2] = {3, 0};
    float x[6], y[3];
    CHECK(nn_csv_select(&c, feats, 2, nn_csv_column(&c, "label"), x, y) == 0);
    float wx[6] = {4, 1, 8, 5, 12, 9}, wy[3] = {0, 1, 2};
    CHECK(!differ(x, wx, 6) && !differ(y, wy, 3));
    CHECK(nn_csv_select(&c, feats, 2, -1, x, NULL) == 0);
    CHECK(nn_csv_select(&c, NULL, 0, 1, NULL, y) == 0 && y[2] == 10);
    int bad[2] = {0, 5};
    CHECK(nn_csv_select(&c, bad, 2, 4, x, y) == -1);
    bad[1] = -1;
    CHECK(nn_csv_select(&c, bad, 2, 4, x, y) == -1);
    CHECK(nn_csv_select(&c, feats, 2, 5, x, y) == -1);
    CHECK(nn_csv_select(&c, feats, 2, -2, x, y) == -1);
    CHECK(nn_csv_select(&c, feats, 2, 4, x, NULL) == -1);
    CHECK(nn_csv_select(&c, feats, -1, 4, x, y) == -1);
    CHECK(nn_csv_select(NULL, feats, 2, 4, x, y) == -1);
    nn_csv_free(&c);

    CHECK(parse("1,2\n", 0, &c) == 0);
    CHECK(nn_csv_column(&c, "c1") == 1 && nn_csv_column(&c, "C0") == 0);
    nn_csv_free(&c);
}

static void test_idx(void)
{
    /* 2 images of 2x3 pixels, then one extra byte (ignored) */
    uint8_t buf[4 + 12 + 12 + 1] = {0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3};
    for (int i = 0; i < 12; i++) buf[16 + i] = (uint8_t)(i * 20);
    buf[16 + 11] = 255;
    int nd = -1, dims[4] = {-1, -1, -1, -1};
    const uint8_t *data = NULL;
    CHECK(nn_idx_parse(buf, 28, &nd, dims, &data) == 0);
    CHECK(nd == 3 && dims[0] == 2 && dims[1] == 2 && dims[2] == 3 && dims[3] == 0);
    CHECK(data == buf + 16);
    CHECK(nn_idx_parse(buf, sizeof buf, &nd, dims, &data) == 0);
    float px[12];
    CHECK(nn_idx_to_float(data, 12, 1 / 255.0f, px) == 0);
    CHECK(px[0] == 0 && px[11] == 1 && fabsf(px[1] - 20 / 255.0f) < 1e-7f);
    CHECK(nn_idx_to_float(NULL, 0, 1, NULL) == 0);
    CHECK(nn_idx_to_float(NULL, 3, 1, px) == -1);

    /* a label file: one dimension */
    uint8_t labels[8 + 3] = {0, 0, 0x08, 1, 0, 0, 0, 3, 7, 2, 1};
    CHECK(nn_idx_parse(labels, sizeof labels, &nd, dims, &data) == 0);
    CHECK(nd == 1 && dims[0] == 3 && dims[1] == 0 && data[0] == 7);

    /* corrupt: each returns NN_ERR_FORMAT and leaves the outputs alone */
    struct { int at; uint8_t value; } edits[] = {
        {0, 1}, {1, 8}, {2, 0x0D}, {2, 0x09}, {3, 0}, {3, 5},
        {4, 0x80},  /* dimension >= 2^31 */
        {7, 3},     /* 3 images: more data than the buffer holds */
    };
    for (size_t e = 0; e < sizeof edits / sizeof edits[0]; e++) {
        uint8_t b[sizeof buf];
        memcpy(b, buf, sizeof buf);
        b[edits[e].at] = edits[e].value;
        nd = -1;
        data = NULL;
        CHECK(nn_idx_parse(b, 28, &nd, dims, &data) == -3);
        CHECK(nd == -1 && data == NULL);
    }
    CHECK(nn_idx_parse(buf, 27, &nd, dims, &data) == -3); /* data cut short */
    CHECK(nn_idx_parse(buf, 15, &nd, dims, &data) == -3); /* header cut short */
    CHECK(nn_idx_parse(buf, 3, &nd, dims, &data) == -3);
    CHECK(nn_idx_parse(buf, 0, &nd, dims, &data) == -3);
    /* dimensions whose product overflows 32 (and 64) bits */
    uint8_t huge[4 + 16 + 4] = {0, 0, 0x08, 4, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff,
                                0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff};
    CHECK(nn_idx_parse(huge, sizeof huge, &nd, dims, &data) == -3);
    uint8_t wrap[4 + 8 + 4] = {0, 0, 0x08, 2, 0, 1, 0, 0, 0, 1, 0, 0}; /* 65536^2 = 2^32 */
    CHECK(nn_idx_parse(wrap, sizeof wrap, &nd, dims, &data) == -3);
    /* a dimension of 0 (the data check passes whatever the other dims are, and a caller's int
     * product of them overflowed: fuzz/regressions/idx/zero_dim_int_overflow.idx) */
    uint8_t zero[4 + 16 + 4] = {0, 0, 0x08, 4, 0, 0, 0, 0, 0, 3, 0x80, 0, 0, 0, 2, 0, 0, 0, 1, 3};
    nd = -1;
    CHECK(nn_idx_parse(zero, sizeof zero, &nd, dims, &data) == -3 && nd == -1);
    uint8_t zero_last[12 + 3] = {0, 0, 0x08, 2, 0, 0, 0, 3, 0, 0, 0, 0, 1, 2, 3};
    CHECK(nn_idx_parse(zero_last, sizeof zero_last, &nd, dims, &data) == -3 && nd == -1);
    /* more than INT32_MAX values (the parser reads only the header before refusing) */
    if (sizeof(size_t) > 4) {
        uint8_t big[4 + 8] = {0, 0, 0x08, 2, 0, 1, 0, 0, 0, 0, 0x80, 0}; /* 65536 x 32768 = 2^31 */
        CHECK(nn_idx_parse(big, (size_t)-1, &nd, dims, &data) == -3 && nd == -1);
        big[10] = 0x7f, big[11] = 0xff; /* 65536 x 32767: fits */
        CHECK(nn_idx_parse(big, (size_t)-1, &nd, dims, &data) == 0 && dims[0] == 65536 && dims[1] == 32767);
    }
    CHECK(nn_idx_parse(NULL, 28, &nd, dims, &data) == -1);
    CHECK(nn_idx_parse(buf, 28, NULL, dims, &data) == -1);
    CHECK(nn_idx_parse(buf, 28, &nd, NULL, &data) == -1);
    CHECK(nn_idx_parse(buf, 28, &nd, dims, NULL) == -1);
}

int main(void)
{
    RUN(test_header_example);
    RUN(test_kind_names);
    RUN(test_generate_args);
    RUN(test_generate_common);
    RUN(test_generate_shuffled);
    RUN(test_circle_geometry);
    RUN(test_xor_checkerboard_geometry);
    RUN(test_gauss_blobs_geometry);
    RUN(test_spiral_geometry);
    RUN(test_moons_geometry);
    RUN(test_regression_geometry);
    RUN(test_generate_bits);
    RUN(test_shuffle);
    RUN(test_split);
    RUN(test_standardize);
    RUN(test_minmax);
    RUN(test_one_hot);
    RUN(test_check_finite);
    RUN(test_csv_basic);
    RUN(test_csv_dialects);
    RUN(test_csv_errors);
    RUN(test_csv_nul);
    RUN(test_csv_columns);
    RUN(test_idx);
    return nt_summary("data");
}
