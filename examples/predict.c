/* predict.c - load a saved nnplay model and run it on the rows of a CSV file.
 *
 * Shows that model files are portable: a model saved natively (xor --save, fmnist --save) or in
 * the browser (the JS API's save) loads here and gives the same predictions. The CSV holds only
 * numbers, one sample per row with nn_model_input_size columns; a header row is detected and
 * skipped. Each prediction is one output line of "%.9g" values, which round-trip float32 exactly.
 *
 * Run:  build/predict MODEL_FILE              prints the model's summary
 *       build/predict MODEL_FILE CSV_FILE     prints one CSV line of outputs per input row
 *       (CSV_FILE "-" reads standard input)
 * e.g.  build/xor --save /tmp/x.nnplay && printf '0,0\n1,1\n' | build/predict /tmp/x.nnplay -
 * Errors go to stderr with exit code 1.
 */
#include "nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole content of a file (or stdin for "-") in a malloc'ed buffer, or NULL. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) return NULL;
    size_t cap = 1 << 16, used = 0;
    char *buf = malloc(cap);
    while (buf) {
        used += fread(buf + used, 1, cap - used, f);
        if (used < cap) break; /* end of file (or a read error, checked below) */
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) { free(buf); buf = NULL; break; }
        buf = bigger;
        cap *= 2;
    }
    int read_error = ferror(f);
    if (f != stdin) fclose(f);
    if (read_error) { free(buf); return NULL; }
    *len = used;
    return buf;
}

static int print_summary(nn_model *m)
{
    size_t need = nn_model_summary(m, NULL, 0) + 1; /* first ask for the length */
    char *text = malloc(need);
    if (!text) { fprintf(stderr, "predict: out of memory\n"); return 1; }
    nn_model_summary(m, text, need);
    fputs(text, stdout);
    free(text);
    int shape[NN_MAX_RANK], rank = nn_model_input_shape(m, shape);
    printf("Input shape: [");
    for (int i = 0; i < rank; i++) printf(i ? ",%d" : "%d", shape[i]);
    printf("] (%d CSV columns), outputs per row: %d\n", nn_model_input_size(m), nn_model_output_size(m));
    return 0;
}

/* Predict every row of the CSV file and print the outputs. */
static int predict_csv(nn_model *m, const char *path)
{
    const char *csv_path = strcmp(path, "-") ? path : "(stdin)"; /* for messages */
    size_t len = 0;
    char *text = read_all(path, &len);
    if (!text) { fprintf(stderr, "predict: cannot read '%s'\n", csv_path); return 1; }
    nn_csv csv;
    int st = nn_csv_parse(text, len, -1, &csv); /* -1: a header row is detected */
    free(text);
    if (st != NN_OK) {
        fprintf(stderr, "predict: %s: %s\n", csv_path, csv.error);
        return 1;
    }
    int in = nn_model_input_size(m), k = nn_model_output_size(m);
    if (csv.cols != in) {
        fprintf(stderr, "predict: %s has %d columns, the model takes %d inputs\n", csv_path, csv.cols, in);
        nn_csv_free(&csv);
        return 1;
    }
    float *out = malloc((size_t)csv.rows * k * sizeof(float));
    if (!out) {
        fprintf(stderr, "predict: out of memory for %d rows\n", csv.rows);
        nn_csv_free(&csv);
        return 1;
    }
    st = nn_model_predict(m, csv.data, csv.rows, out); /* csv.data is rows x cols, row-major */
    if (st == NN_OK) {
        for (int r = 0; r < csv.rows; r++) {
            const float *p = out + (size_t)r * k;
            for (int j = 0; j < k; j++) printf(j ? ",%.9g" : "%.9g", p[j]);
            putchar('\n');
        }
    } else {
        fprintf(stderr, "predict: %s\n", nn_model_error(m));
    }
    free(out);
    nn_csv_free(&csv);
    return st == NN_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: predict MODEL_FILE [CSV_FILE]\n");
        return 1;
    }
    char err[NN_ERR_LEN];
    nn_model *m = nn_model_load_file(argv[1], err); /* weights, layers and optimizer state */
    if (!m) {
        fprintf(stderr, "predict: %s: %s\n", argv[1], err);
        return 1;
    }
    int rc = argc == 3 ? predict_csv(m, argv[2]) : print_summary(m);
    nn_model_free(m);
    if (fflush(stdout) != 0 || ferror(stdout)) { /* e.g. a full disk: don't exit 0 with half the output */
        fprintf(stderr, "predict: cannot write the output\n");
        rc = 1;
    }
    return rc;
}
