/* nn_data.h - data for nnplay: TensorFlow Playground's 2D datasets (plus moons, checkerboard,
 * blobs, multi-spiral), preprocessing, and readers for CSV text and idx (MNIST) bytes.
 *
 * Everything reads from and writes into caller-owned row-major float arrays, except nn_csv,
 * which owns its data until nn_csv_free. Readers take memory buffers (the browser has no files).
 * Functions returning int give NN_OK (0) or a negative nn_status (see nn.h) unless noted.
 * Randomness comes from a uint32 seed only: the same seed gives the same bits natively and in wasm.
 *
 * Example (compiled by tests/c/test_data.c, so it cannot go stale):
 *
 *     float x[200 * 2], y[200], xtr[160 * 2], ytr[160], xte[40 * 2], yte[40], mean[2], sd[2];
 *     int ntr;
 *     nn_data_generate(NN_DATA_SPIRAL, 200, 0.1f, 0, 42, x, y);
 *     nn_data_split(x, y, 200, 2, 1, 0.2f, 7, xtr, ytr, xte, yte, &ntr);   (ntr == 160)
 *     nn_standardize_fit(xtr, ntr, 2, mean, sd);
 *     nn_standardize_apply(xtr, ntr, 2, mean, sd);
 *     nn_standardize_apply(xte, 200 - ntr, 2, mean, sd);
 *
 *     const char *text = "a,b,label\n1,2,0\n3,4,1\n";
 *     nn_csv csv;
 *     if (nn_csv_parse(text, strlen(text), -1, &csv) != 0) puts(csv.error);
 *     int feats[2] = {0, 1};
 *     float cx[2 * 2], cy[2];
 *     nn_csv_select(&csv, feats, 2, nn_csv_column(&csv, "label"), cx, cy);
 *     nn_csv_free(&csv);
 */
#ifndef NN_DATA_H
#define NN_DATA_H

#include <stddef.h>
#include <stdint.h>

#ifndef NN_ERR_LEN
#define NN_ERR_LEN 256
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- 2D datasets: points in [-6, 6]^2, as TensorFlow Playground (dataset.ts) draws them ----
 * noise is in [0, 1] (the Playground's slider / 100; its slider stops at 0.5):
 *   circle, xor, checkerboard, plane, gauss_bumps: points stay put; the label is taken at the point
 *     moved by uniform noise of +-noise*5 (circle, xor), +-noise*3 (checkerboard's 3x3 cells),
 *     +-noise*6 (plane, gauss_bumps), so noise flips labels near the boundaries;
 *   gauss, blobs: cluster variance 0.5 + 7*noise (the Playground's 0.5..4 over 0..0.5);
 *   spiral, multi_spiral: points move by uniform noise of +-noise;
 *   moons: points move by gaussian noise of std noise*3 (sklearn's make_moons noise, moon radius 3).
 * Gaussian draws that would leave [-6, 6] are redrawn. Rows come shuffled (as the Playground
 * shuffles), so any prefix is a fair sample; with the same seed, changing noise keeps the order.
 * Multiclass kinds take k = num_classes in [2, 8] (<= 0 means 3); other kinds ignore it.
 * Classes get n/k points each (+1 for the first n % k), except xor and checkerboard, whose points
 * are uniform; noise can then flip some labels. */
enum nn_data_kind {
    NN_DATA_CIRCLE = 0,       /* 1 inside radius 2.5, 0 in the ring 3.5..5 */
    NN_DATA_XOR = 1,          /* 1 where x*y >= 0 */
    NN_DATA_GAUSS = 2,        /* 1 around (2, 2), 0 around (-2, -2) */
    NN_DATA_SPIRAL = 3,       /* two arms of radius 5, 1.75 turns */
    NN_DATA_MOONS = 4,        /* 0 upper moon, 1 lower moon */
    NN_DATA_CHECKERBOARD = 5, /* 4x4 cells of size 3; 1 where the cell indices sum to even */
    NN_DATA_PLANE = 6,        /* regression: y = (x0 + x1) / 10, in about [-1.2, 1.2] */
    NN_DATA_GAUSS_BUMPS = 7,  /* regression: six +-1 bumps (Playground's regressGaussian), [-1, 1] */
    NN_DATA_BLOBS = 8,        /* k gaussian clusters around a circle of radius 4 */
    NN_DATA_MULTI_SPIRAL = 9, /* k spiral arms */
    NN_DATA_KIND_COUNT
};

/* x: n rows of 2; y: n labels 0/1, or 0..k-1 with k = num_classes (see above), or real targets. */
int nn_data_generate(int kind, int n, float noise, int num_classes, uint32_t seed, float *x, float *y);
/* Kind from its name (also "gaussBumps", "multiSpiral"); -1 if unknown. */
int nn_data_kind_from_name(const char *name);
/* Snake_case name of a kind, "unknown" for a bad id. Static string. */
const char *nn_data_kind_name(int kind);
/* 1 for plane and gauss_bumps, 0 otherwise (also for a bad id). */
int nn_data_kind_is_regression(int kind);
/* Classes kind produces: 2 binary, 0 regression, requested (3 if <= 0) multiclass; -1 if invalid. */
int nn_data_kind_num_classes(int kind, int requested);

/* ---- preprocessing (x: n rows of xcols; y: n rows of ycols, or NULL for none) ----
 * nn_data_split: n_test = round(n * test_fraction), the rest train. Rows are shuffled as
 * nn_data_shuffle(seed) would shuffle them; seed 0 keeps the order (test = the last rows).
 * Outputs must not overlap inputs; y_train/y_test are unused when y is NULL; n_train may be NULL.
 * nn_check_finite is not a status: it returns the index of the first NaN/Inf in x[0..count), or -1
 * if all are finite (also for NULL or count 0); an index above INT_MAX is reported as INT_MAX. */

/* Shuffle rows of x and y together in place (Fisher-Yates with nn_rng_below). */
int nn_data_shuffle(float *x, float *y, int n, int xcols, int ycols, uint32_t seed);
/* Copy rows into a train and a test part, shuffled unless seed is 0. */
int nn_data_split(const float *x, const float *y, int n, int xcols, int ycols, float test_fraction,
                  uint32_t seed, float *x_train, float *y_train, float *x_test, float *y_test,
                  int *n_train);
/* Per-column mean and population std (a constant column gets std 1); NN_ERR_NAN if not finite. */
int nn_standardize_fit(const float *x, int n, int cols, float *mean, float *std);
/* x = (x - mean) / std, per column. */
void nn_standardize_apply(float *x, int n, int cols, const float *mean, const float *std);
/* Per-column min and max; NN_ERR_NAN on NaN/Inf. */
int nn_minmax_fit(const float *x, int n, int cols, float *min, float *max);
/* x = lo + (x - min) * (hi - lo) / (max - min); constant columns map to lo. Not clamped. */
void nn_minmax_apply(float *x, int n, int cols, const float *min, const float *max, float lo, float hi);
/* out: n rows of k, one-hot; NN_ERR_ARG (out untouched) unless every label is an integer in [0, k). */
int nn_one_hot(const float *labels, int n, int k, float *out);
/* Index of the first NaN/Inf, or -1 if all finite (not a status; see above). */
int nn_check_finite(const float *x, size_t count);

/* ---- CSV from memory ----
 * header: 1 the first row is names, 0 none, -1 auto (a header if the first row has a non-numeric
 * field). Delimiter ',' or, if the first line has no comma, ';' or tab. Handles a UTF-8 BOM, CRLF,
 * quoted fields with "" escapes, blank lines, spaces around fields. Data fields must be finite
 * decimal numbers (C locale; no nan/inf/hex); a NUL byte anywhere in a field is an error. out is
 * overwritten, not freed. On an error
 * (NN_ERR_FORMAT, NN_ERR_NOMEM, NN_ERR_ARG) out is left empty (data and names NULL) with a
 * message in out->error naming the 1-based line and column. */
typedef struct {
    int rows, cols;
    float *data;        /* rows*cols, row-major; owned, freed by nn_csv_free */
    char **names;       /* cols strings: the header's fields, or "c0", "c1".. if none; owned */
    int has_header;
    char error[NN_ERR_LEN]; /* "" or e.g. "line 7, column 3 ('label'): 'abc' is not a number" */
} nn_csv;

/* Parse len bytes of CSV text (need not be NUL-terminated) into out. */
int nn_csv_parse(const char *text, size_t len, int header, nn_csv *out);
/* Index of the column called name (exact match first, then ASCII case-insensitive), or -1. */
int nn_csv_column(const nn_csv *csv, const char *name);
/* x: rows x n_features from feature_cols; y: rows from label_col (-1: no y). Bad index: NN_ERR_ARG. */
int nn_csv_select(const nn_csv *csv, const int *feature_cols, int n_features, int label_col,
                  float *x, float *y);
/* Free data and names and zero the counts; NULL and repeated calls are fine. */
void nn_csv_free(nn_csv *csv);

/* ---- idx (MNIST / Fashion-MNIST files, decompressed) from memory ----
 * nn_idx_parse checks the header (0, 0, type 0x08 = ubyte, ndim 1..4, big-endian uint32 dims,
 * each at least 1, their product at most INT32_MAX, so products of dims fit in an int) and that
 * len holds all the data (extra bytes are ignored); NN_ERR_FORMAT otherwise, with the outputs
 * untouched. On success *data points into buf (do not free it) and dims[ndim..3] are 0. */

/* Read the header of an idx buffer; *data gets the first pixel/label byte. */
int nn_idx_parse(const void *buf, size_t len, int *ndim, int dims[4], const uint8_t **data);
/* out[i] = data[i] * scale (1/255.0f maps pixels to [0, 1]). */
int nn_idx_to_float(const uint8_t *data, size_t count, float scale, float *out);

#ifdef __cplusplus
}
#endif

#endif
