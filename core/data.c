/* data.c - the 2D dataset generators (after TensorFlow Playground's dataset.ts) and preprocessing.
 * See nn_data.h for each kind's geometry and what noise means for it. */
#include "nn.h"
#include "rng.h"

#include <limits.h>
#include <math.h>
#include <string.h>

/* Keep a*b+c as two roundings: -march=native brings FMA, wasm has none, and the generators
 * promise the same bits on both. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define PI 3.14159265358979323846
#define MAX_CLASSES 8
#define FIELD 6.0 /* points live in [-FIELD, FIELD]^2 */

/* ---- kinds and names ---- */

static const char *const kind_names[NN_DATA_KIND_COUNT] = {
    "circle", "xor", "gauss", "spiral", "moons", "checkerboard", "plane", "gaussBumps", "blobs",
    "multiSpiral",
};
static const nn_alias kind_aliases[] = {{"gauss_bumps", NN_DATA_GAUSS_BUMPS}, {"multi_spiral", NN_DATA_MULTI_SPIRAL}};
const nn_names nn_data_kind_names = {"datasets", "dataset", NN_DATA_KIND_COUNT, kind_names, 2, kind_aliases};

int nn_data_kind_from_name(const char *name) { return nn_names_find(&nn_data_kind_names, name); }
const char *nn_data_kind_name(int kind) { return nn_names_get(&nn_data_kind_names, kind); }

int nn_data_kind_is_regression(int kind)
{
    return kind == NN_DATA_PLANE || kind == NN_DATA_GAUSS_BUMPS;
}

static int is_multiclass(int kind) { return kind == NN_DATA_BLOBS || kind == NN_DATA_MULTI_SPIRAL; }

int nn_data_kind_num_classes(int kind, int requested)
{
    if (kind < 0 || kind >= NN_DATA_KIND_COUNT) return -1;
    if (nn_data_kind_is_regression(kind)) return 0;
    if (!is_multiclass(kind)) return 2;
    if (requested <= 0) return 3;
    return requested >= 2 && requested <= MAX_CLASSES ? requested : -1;
}

/* ---- generators: double arithmetic, rounded to float once when stored ---- */

/* uniform in [a, b), the Playground's randUniform */
static double unif(nn_rng *r, double a, double b) { return nn_rng_uniform(r) * (b - a) + a; }

/* normal(mean, sd) redrawn until inside the field, so every point is on the Playground's canvas */
static double normal_in_field(nn_rng *r, double mean, double sd)
{
    for (;;) {
        double v = mean + sd * nn_rng_normal(r);
        if (v >= -FIELD && v <= FIELD) return v;
    }
}

static void put(float *x, float *y, int i, double px, double py, double label)
{
    x[2 * (size_t)i] = (float)px;
    x[2 * (size_t)i + 1] = (float)py;
    y[i] = (float)label;
}

/* Size of group g when n points are dealt to k groups: the first n % k groups get one more. */
static int group_size(int n, int k, int g) { return n / k + (g < n % k); }

static void gen_circle(nn_rng *r, int n, double noise, float *x, float *y)
{
    const double radius = 5;
    int n_in = group_size(n, 2, 0);
    for (int i = 0; i < n; i++) {
        /* first half inside radius 2.5, second half in the ring 3.5..5 (dataset.ts) */
        double rad = i < n_in ? unif(r, 0, radius * 0.5) : unif(r, radius * 0.7, radius);
        double angle = unif(r, 0, 2 * PI);
        double px = rad * sin(angle), py = rad * cos(angle);
        double nx = unif(r, -radius, radius) * noise, ny = unif(r, -radius, radius) * noise;
        double d = sqrt((px + nx) * (px + nx) + (py + ny) * (py + ny));
        put(x, y, i, px, py, d < radius * 0.5 ? 1 : 0);
    }
}

static void gen_xor(nn_rng *r, int n, double noise, float *x, float *y)
{
    const double padding = 0.3; /* keeps points off the axes, where the label is ambiguous */
    for (int i = 0; i < n; i++) {
        double px = unif(r, -5, 5);
        px += px > 0 ? padding : -padding;
        double py = unif(r, -5, 5);
        py += py > 0 ? padding : -padding;
        double nx = unif(r, -5, 5) * noise, ny = unif(r, -5, 5) * noise;
        put(x, y, i, px, py, (px + nx) * (py + ny) >= 0 ? 1 : 0);
    }
}

/* Gaussian clusters on centers cx/cy; gauss is the two-cluster case of this. */
static void gen_clusters(nn_rng *r, int n, double noise, int k, const double *cx, const double *cy,
                         const int *labels, float *x, float *y)
{
    /* the Playground maps noise 0..0.5 linearly to variance 0.5..4 */
    double sd = sqrt(0.5 + 7.0 * noise);
    int i = 0;
    for (int c = 0; c < k; c++)
        for (int j = group_size(n, k, c); j > 0; j--, i++) {
            double px = normal_in_field(r, cx[c], sd);
            double py = normal_in_field(r, cy[c], sd);
            put(x, y, i, px, py, labels[c]);
        }
}

static void gen_gauss(nn_rng *r, int n, double noise, float *x, float *y)
{
    static const double cx[2] = {2, -2}, cy[2] = {2, -2};
    static const int labels[2] = {1, 0};
    gen_clusters(r, n, noise, 2, cx, cy, labels, x, y);
}

static void gen_blobs(nn_rng *r, int n, double noise, int k, float *x, float *y)
{
    double cx[MAX_CLASSES], cy[MAX_CLASSES];
    int labels[MAX_CLASSES];
    for (int c = 0; c < k; c++) {
        double a = 2 * PI * c / k;
        cx[c] = 4 * sin(a);
        cy[c] = 4 * cos(a);
        labels[c] = c;
    }
    gen_clusters(r, n, noise, k, cx, cy, labels, x, y);
}

/* k arms with angle offsets 2*pi*c/k; k = 2 with labels {1, 0} is the Playground's spiral. */
static void gen_spirals(nn_rng *r, int n, double noise, int k, const int *labels, float *x, float *y)
{
    int i = 0;
    for (int c = 0; c < k; c++) {
        int m = group_size(n, k, c);
        double delta = 2 * PI * c / k;
        for (int j = 0; j < m; j++, i++) {
            double rad = (double)j / m * 5;
            double t = 1.75 * j / m * 2 * PI + delta;
            double px = rad * sin(t) + unif(r, -1, 1) * noise;
            double py = rad * cos(t) + unif(r, -1, 1) * noise;
            put(x, y, i, px, py, labels[c]);
        }
    }
}

static void gen_moons(nn_rng *r, int n, double noise, float *x, float *y)
{
    /* sklearn's make_moons (unit radius, x in [-1, 2], y in [-0.5, 1]) centered and scaled by 3 */
    const double scale = 3, sd = noise * scale;
    int n_upper = group_size(n, 2, 0);
    for (int i = 0; i < n; i++) {
        double t = unif(r, 0, PI), mx, my;
        if (i < n_upper) { mx = cos(t); my = sin(t); }
        else { mx = 1 - cos(t); my = 0.5 - sin(t); }
        double px = normal_in_field(r, (mx - 0.5) * scale, sd);
        double py = normal_in_field(r, (my - 0.25) * scale, sd);
        put(x, y, i, px, py, i < n_upper ? 0 : 1);
    }
}

static void gen_checkerboard(nn_rng *r, int n, double noise, float *x, float *y)
{
    const double cell = 3;
    for (int i = 0; i < n; i++) {
        double px = unif(r, -FIELD, FIELD), py = unif(r, -FIELD, FIELD);
        double nx = unif(r, -cell, cell) * noise, ny = unif(r, -cell, cell) * noise;
        int cx = (int)floor((px + nx) / cell), cy = (int)floor((py + ny) / cell);
        put(x, y, i, px, py, ((cx + cy) & 1) ? 0 : 1);
    }
}

/* d3.scale.linear().domain([0, 2]).range([1, 0]).clamp(true) */
static double bump(double d) { return d >= 2 ? 0 : 1 - d / 2; }

static double gauss_bumps_label(double px, double py)
{
    static const double g[6][3] = {{-4, 2.5, 1}, {0, 2.5, -1}, {4, 2.5, 1},
                                   {-4, -2.5, -1}, {0, -2.5, 1}, {4, -2.5, -1}};
    double label = 0;
    for (int j = 0; j < 6; j++) { /* the bump largest in absolute value wins */
        double dx = px - g[j][0], dy = py - g[j][1];
        double v = g[j][2] * bump(sqrt(dx * dx + dy * dy));
        if (fabs(v) > fabs(label)) label = v;
    }
    return label;
}

static void gen_regression(nn_rng *r, int kind, int n, double noise, float *x, float *y)
{
    for (int i = 0; i < n; i++) {
        double px = unif(r, -FIELD, FIELD), py = unif(r, -FIELD, FIELD);
        double nx = unif(r, -FIELD, FIELD) * noise, ny = unif(r, -FIELD, FIELD) * noise;
        double label = kind == NN_DATA_PLANE ? (px + nx + py + ny) / 10 /* domain [-10,10] -> [-1,1] */
                                             : gauss_bumps_label(px + nx, py + ny);
        put(x, y, i, px, py, label);
    }
}

int nn_data_generate(int kind, int n, float noise, int num_classes, uint32_t seed, float *x, float *y)
{
    int k = nn_data_kind_num_classes(kind, num_classes);
    if (k < 0 || n < 0 || !(noise >= 0 && noise <= 1)) return -1; /* NN_ERR_ARG */
    if (n == 0) return 0;
    if (!x || !y) return -1;

    nn_rng r;
    nn_rng_seed(&r, seed);
    double nz = noise;
    static const int binary[2] = {1, 0};
    switch (kind) {
    case NN_DATA_CIRCLE: gen_circle(&r, n, nz, x, y); break;
    case NN_DATA_XOR: gen_xor(&r, n, nz, x, y); break;
    case NN_DATA_GAUSS: gen_gauss(&r, n, nz, x, y); break;
    case NN_DATA_SPIRAL: gen_spirals(&r, n, nz, 2, binary, x, y); break;
    case NN_DATA_MOONS: gen_moons(&r, n, nz, x, y); break;
    case NN_DATA_CHECKERBOARD: gen_checkerboard(&r, n, nz, x, y); break;
    case NN_DATA_PLANE:
    case NN_DATA_GAUSS_BUMPS: gen_regression(&r, kind, n, nz, x, y); break;
    case NN_DATA_BLOBS: gen_blobs(&r, n, nz, k, x, y); break;
    case NN_DATA_MULTI_SPIRAL: {
        int labels[MAX_CLASSES];
        for (int c = 0; c < k; c++) labels[c] = c;
        gen_spirals(&r, n, nz, k, labels, x, y);
        break;
    }
    default: return -1;
    }
    /* Generated class by class; shuffle with a stream of its own so that the order does not depend
     * on how many draws noise took (gaussian redraws), as the Playground shuffles its data. */
    return nn_data_shuffle(x, y, n, 2, 1, seed ^ 0x9e3779b9u);
}

/* ---- preprocessing ---- */

static void swap_rows(float *a, size_t i, size_t j, int cols)
{
    float *p = a + i * (size_t)cols, *q = a + j * (size_t)cols;
    for (int c = 0; c < cols; c++) { float t = p[c]; p[c] = q[c]; q[c] = t; }
}

int nn_data_shuffle(float *x, float *y, int n, int xcols, int ycols, uint32_t seed)
{
    if (n < 0 || xcols < 0 || (y && ycols < 0) || (!x && xcols > 0 && n > 0)) return -1;
    if (!y) ycols = 0;
    nn_rng r;
    nn_rng_seed(&r, seed);
    for (int i = n - 1; i > 0; i--) {
        int j = (int)nn_rng_below(&r, (uint32_t)i + 1);
        if (xcols) swap_rows(x, (size_t)i, (size_t)j, xcols);
        if (ycols) swap_rows(y, (size_t)i, (size_t)j, ycols);
    }
    return 0;
}

/* Row i of the virtual array [train rows; test rows]. */
static float *split_row(float *train, float *test, int n_train, int i, int cols)
{
    return i < n_train ? train + (size_t)i * cols : test + (size_t)(i - n_train) * cols;
}

static void split_swap(float *train, float *test, int n_train, int i, int j, int cols)
{
    float *p = split_row(train, test, n_train, i, cols), *q = split_row(train, test, n_train, j, cols);
    for (int c = 0; c < cols; c++) { float t = p[c]; p[c] = q[c]; q[c] = t; }
}

int nn_data_split(const float *x, const float *y, int n, int xcols, int ycols, float test_fraction,
                  uint32_t seed, float *x_train, float *y_train, float *x_test, float *y_test,
                  int *n_train)
{
    if (n < 0 || xcols < 0 || !(test_fraction >= 0 && test_fraction <= 1)) return -1;
    if (y && ycols < 0) return -1;
    if (!y) ycols = 0;
    int n_test = (int)floor((double)n * test_fraction + 0.5);
    if (n_test > n) n_test = n;
    int ntr = n - n_test;
    if (xcols && ((ntr && !x_train) || (n_test && !x_test) || (n && !x))) return -1;
    if (ycols && ((ntr && !y_train) || (n_test && !y_test))) return -1;

    /* Copy in order, then Fisher-Yates over the two outputs seen as one array: the same
     * permutation as nn_data_shuffle on a copy, without a scratch buffer. */
    for (int i = 0; i < n; i++) {
        if (xcols) memcpy(split_row(x_train, x_test, ntr, i, xcols), x + (size_t)i * xcols,
                          (size_t)xcols * sizeof(float));
        if (ycols) memcpy(split_row(y_train, y_test, ntr, i, ycols), y + (size_t)i * ycols,
                          (size_t)ycols * sizeof(float));
    }
    if (seed) {
        nn_rng r;
        nn_rng_seed(&r, seed);
        for (int i = n - 1; i > 0; i--) {
            int j = (int)nn_rng_below(&r, (uint32_t)i + 1);
            if (xcols) split_swap(x_train, x_test, ntr, i, j, xcols);
            if (ycols) split_swap(y_train, y_test, ntr, i, j, ycols);
        }
    }
    if (n_train) *n_train = ntr;
    return 0;
}

int nn_standardize_fit(const float *x, int n, int cols, float *mean, float *std)
{
    if (!x || n <= 0 || cols <= 0 || !mean || !std) return -1;
    int status = 0;
    for (int c = 0; c < cols; c++) {
        /* two passes in double: sum of squares minus squared mean cancels badly for large offsets */
        double s = 0, ss = 0;
        for (int i = 0; i < n; i++) s += x[(size_t)i * cols + c];
        double m = s / n;
        for (int i = 0; i < n; i++) {
            double d = x[(size_t)i * cols + c] - m;
            ss += d * d;
        }
        double sd = sqrt(ss / n);
        if (!isfinite(m) || !isfinite(sd)) status = -5; /* NN_ERR_NAN */
        mean[c] = (float)m;
        std[c] = sd > 0 && (float)sd > 0 ? (float)sd : 1.0f; /* constant column: leave it centered */
    }
    return status;
}

void nn_standardize_apply(float *x, int n, int cols, const float *mean, const float *std)
{
    if (!x || !mean || !std || n <= 0 || cols <= 0) return;
    for (int i = 0; i < n; i++)
        for (int c = 0; c < cols; c++) {
            float *v = &x[(size_t)i * cols + c];
            *v = (*v - mean[c]) / std[c];
        }
}

int nn_minmax_fit(const float *x, int n, int cols, float *min, float *max)
{
    if (!x || n <= 0 || cols <= 0 || !min || !max) return -1;
    int status = 0;
    for (int c = 0; c < cols; c++) {
        float lo = x[c], hi = x[c];
        for (int i = 0; i < n; i++) {
            float v = x[(size_t)i * cols + c];
            if (!isfinite(v)) status = -5; /* NN_ERR_NAN */
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        min[c] = lo;
        max[c] = hi;
    }
    return status;
}

void nn_minmax_apply(float *x, int n, int cols, const float *min, const float *max, float lo, float hi)
{
    if (!x || !min || !max || n <= 0 || cols <= 0) return;
    for (int c = 0; c < cols; c++) {
        float range = max[c] - min[c];
        for (int i = 0; i < n; i++) {
            float *v = &x[(size_t)i * cols + c];
            *v = range > 0 ? lo + (*v - min[c]) * (hi - lo) / range : lo;
        }
    }
}

int nn_one_hot(const float *labels, int n, int k, float *out)
{
    if (n < 0 || k <= 0 || (n > 0 && (!labels || !out))) return -1;
    for (int i = 0; i < n; i++) { /* validate all first so out is untouched on error */
        float l = labels[i];
        if (!(l >= 0 && l < (float)k && l == floorf(l))) return -1;
    }
    for (int i = 0; i < n; i++) {
        float *row = out + (size_t)i * k;
        for (int c = 0; c < k; c++) row[c] = 0.0f;
        row[(int)labels[i]] = 1.0f;
    }
    return 0;
}

int nn_check_finite(const float *x, size_t count)
{
    if (!x) return -1;
    for (size_t i = 0; i < count; i++)
        if (!isfinite(x[i])) return i > (size_t)INT_MAX ? INT_MAX : (int)i;
    return -1;
}
