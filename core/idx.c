/* idx.c - the idx format of MNIST-style files (http://yann.lecun.com/exdb/mnist/), from memory.
 * Header: 0x00 0x00, a type byte, a dimension count, then each dimension as a big-endian uint32. */
#include "nn_data.h"

#include <stdint.h>

#define IDX_UBYTE 0x08

static uint32_t read_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int nn_idx_parse(const void *buf, size_t len, int *ndim, int dims[4], const uint8_t **data)
{
    if (!buf || !ndim || !dims || !data) return -1;
    const uint8_t *b = buf;
    if (len < 4 || b[0] != 0 || b[1] != 0) return -3;
    if (b[2] != IDX_UBYTE) return -3; /* MNIST and Fashion-MNIST are all ubyte */
    int nd = b[3];
    if (nd < 1 || nd > 4) return -3;
    uint64_t header = 4 + 4 * (uint64_t)nd;
    if (len < header) return -3;
    /* uint64 product: a corrupt header must not wrap around a 32-bit size_t in wasm. Every
     * dimension is at least 1 (a 0 would let the others be anything, and a caller's product of
     * them overflow) and the product fits in an int, so any product of dims a caller forms does. */
    uint64_t count = 1;
    int d[4] = {0, 0, 0, 0};
    for (int i = 0; i < nd; i++) {
        uint32_t v = read_be32(b + 4 + 4 * i);
        if (v == 0 || v > INT32_MAX) return -3;
        d[i] = (int)v;
        count *= v;
        if (count > (uint64_t)len || count > INT32_MAX) return -3; /* also stops the product overflowing */
    }
    if (count > (uint64_t)len - header) return -3;
    *ndim = nd;
    for (int i = 0; i < 4; i++) dims[i] = d[i];
    *data = b + header;
    return 0;
}

int nn_idx_to_float(const uint8_t *data, size_t count, float scale, float *out)
{
    if (count && (!data || !out)) return -1;
    for (size_t i = 0; i < count; i++) out[i] = (float)data[i] * scale;
    return 0;
}
