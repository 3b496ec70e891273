/* fuzz_idx.c - libFuzzer harness for the idx reader (nn_idx_parse, core/idx.c), used the way
 * examples/fmnist_data.h and the data pipeline use it: items = dims[0], floats per item = the
 * product of the other dims in int, then nn_idx_to_float, one-hot labels, min-max statistics.
 * Build and run: `npm run fuzz -- idx` (see fuzz/README.md). */
#include "nn.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    int ndim = -1, dims[4] = {-1, -1, -1, -1};
    const uint8_t *data = NULL;
    int st = nn_idx_parse(buf, len, &ndim, dims, &data);
    if (st != NN_OK) {
        /* a refusal leaves the outputs alone */
        if (st != NN_ERR_FORMAT || ndim != -1 || data != NULL) __builtin_trap();
        return 0;
    }
    if (ndim < 1 || ndim > 4 || !data) __builtin_trap();
    size_t header = 4 + 4 * (size_t)ndim;
    if (data != buf + header) __builtin_trap();
    for (int d = ndim; d < 4; d++)
        if (dims[d] != 0) __builtin_trap();

    /* what a caller does with the header (examples/fmnist_data.h): int arithmetic */
    int n = dims[0], size = 1;
    for (int d = 1; d < ndim; d++) size *= dims[d];
    if (n < 0 || size < 0) __builtin_trap();
    size_t count = (size_t)n * (size_t)size;
    if (count > len - header) __builtin_trap(); /* the data must be in the buffer */

    float *x = malloc((count ? count : 1) * sizeof(float));
    if (!x) return 0;
    if (ndim == 1) { /* a label file: class indices, 10 classes as in (Fashion-)MNIST */
        if (nn_idx_to_float(data, count, 1.0f, x) != NN_OK) __builtin_trap();
        float *oh = malloc((count ? count : 1) * 10 * sizeof(float));
        if (oh) {
            int all_small = 1;
            for (size_t i = 0; i < count; i++) all_small &= data[i] < 10;
            if ((nn_one_hot(x, n, 10, oh) == NN_OK) != all_small) __builtin_trap();
            free(oh);
        }
    } else { /* images: pixels to [0, 1], then per-pixel statistics */
        if (nn_idx_to_float(data, count, 1 / 255.0f, x) != NN_OK) __builtin_trap();
        for (size_t i = 0; i < count; i++)
            if (!(x[i] >= 0 && x[i] <= 1)) __builtin_trap();
        float *lo = malloc((size ? size : 1) * sizeof(float)), *hi = malloc((size ? size : 1) * sizeof(float));
        if (lo && hi && n > 0 && size > 0 && nn_minmax_fit(x, n, size, lo, hi) != NN_OK) __builtin_trap();
        free(lo);
        free(hi);
    }
    free(x);
    return 0;
}
