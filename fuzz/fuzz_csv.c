/* fuzz_csv.c - libFuzzer harness for the CSV reader (nn_csv_parse, core/csv.c). The input is the
 * text as the JS API passes it (not NUL-terminated), parsed with each header mode; a parse either
 * fails leaving out empty with a message, or gives a table that the accessors can walk.
 * Build and run: `npm run fuzz -- csv` (see fuzz/README.md). */
#include "nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void check(const char *text, size_t len, int header)
{
    nn_csv c;
    int st = nn_csv_parse(text, len, header, &c);
    size_t elen = strnlen(c.error, NN_ERR_LEN);
    if (elen == NN_ERR_LEN) __builtin_trap(); /* the message is always terminated */
    if (st != NN_OK) {
        if (st != NN_ERR_FORMAT && st != NN_ERR_NOMEM) __builtin_trap();
        if (c.data || c.names || c.rows || c.cols || elen == 0) __builtin_trap();
        nn_csv_free(&c);
        return;
    }
    /* a NUL byte is never part of a valid CSV text (a UTF-8 BOM is stripped first) */
    if (memchr(text, 0, len)) __builtin_trap();
    if (elen || c.rows <= 0 || c.cols <= 0 || !c.data || !c.names) __builtin_trap();
    if (c.has_header != (header == 1) && header != -1) __builtin_trap();
    for (size_t i = 0; i < (size_t)c.rows * (size_t)c.cols; i++)
        if (!isfinite(c.data[i])) __builtin_trap();
    for (int j = 0; j < c.cols; j++) {
        if (!c.names[j]) __builtin_trap();
        int k = nn_csv_column(&c, c.names[j]); /* the first column of that name */
        if (k < 0 || k > j || strcmp(c.names[k], c.names[j]) != 0) __builtin_trap();
    }
    /* every column but the last as features, the last as label, as parseCSV does */
    int nf = c.cols - 1;
    int *feats = malloc((size_t)(nf ? nf : 1) * sizeof(int));
    float *x = malloc((size_t)c.rows * (size_t)(nf ? nf : 1) * sizeof(float));
    float *y = malloc((size_t)c.rows * sizeof(float));
    if (feats && x && y) {
        for (int j = 0; j < nf; j++) feats[j] = j;
        if (nn_csv_select(&c, feats, nf, c.cols - 1, x, y) != NN_OK) __builtin_trap();
        for (int i = 0; i < c.rows; i++)
            if (memcmp(&y[i], &c.data[(size_t)i * c.cols + c.cols - 1], sizeof(float))) __builtin_trap();
    }
    free(feats);
    free(x);
    free(y);
    nn_csv_free(&c);
    if (c.data || c.names || c.rows || c.cols) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* its own copy of exactly size bytes, so ASan sees any read past the end */
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    memcpy(text, data, size);
    check(text, size, -1);
    check(text, size, 0);
    check(text, size, 1);
    free(text);
    return 0;
}
