/* fuzz_model_load.c - libFuzzer harness for the model loader (nn_model_load, core/io.c).
 * A model file ends in a CRC-32 of all bytes before it, which a mutated input would almost never
 * match; so the harness loads the input as it is (to reach the checksum check) and then with its
 * last 4 bytes replaced by the right CRC (to reach everything after it). A model that loads must
 * predict one sample of zeros and save; its saved bytes must load again and save identically.
 * Build and run: `npm run fuzz -- model_load` (see fuzz/README.md). */
#include "nn.h"

#include <stdlib.h>
#include <string.h>

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32 and io.c compute it) */
static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* Work and memory of one forward pass of one sample: multiply-adds (dense and conv weights times
 * their output positions, pooling windows times outputs, one per output value elsewhere) and
 * floats held (every layer's output, a conv layer's im2col rows). Loading must be cheap for any
 * bytes; predicting a legitimately big or slow model is the caller's choice, so the harness
 * predicts only models below a budget. */
static void forward_cost(const nn_model *m, double *ops, double *floats)
{
    int in[NN_MAX_RANK], out[NN_MAX_RANK];
    int in_rank = nn_model_input_shape(m, in);
    *floats = nn_model_input_size(m);
    *ops = 0;
    for (int i = 0; i < nn_model_num_layers(m); i++) {
        int rank = nn_model_layer_output_shape(m, i, out);
        double size = 1;
        for (int d = 0; d < rank; d++) size *= out[d];
        *floats += size;
        const nn_layer_spec *s = nn_model_layer_spec(m, i);
        double window = 0, k[2]; /* inputs read per output value (conv: per output position) */
        if (in_rank == 3 && rank == 3 &&
            (nn_spec_get(s, "kernelSize", k, 2) == 2 || nn_spec_get(s, "poolSize", k, 2) == 2)) {
            double kh = k[0] < in[0] ? k[0] : in[0]; /* windows are clipped to the input */
            double kw = k[1] < in[1] ? k[1] : in[1];
            window = kh * kw;
            if (s->type == NN_LAYER_CONV2D) {
                *floats += (double)out[0] * out[1] * k[0] * k[1] * in[2]; /* im2col */
                window *= in[2];
            }
        }
        /* a recurrent layer uses its weights once per step of its [steps, features] input */
        double uses = in_rank == 2 ? in[0] : 1;
        *ops += size * (window > 1 ? window : 1) + (double)nn_model_layer_num_params(m, i) * uses;
        if (in_rank == 2) *floats += 12.0 * in[0] * (double)nn_model_layer_num_params(m, i) / (in[1] + 1); /* states */
        in_rank = rank;
        for (int d = 0; d < rank; d++) in[d] = out[d];
    }
}

static void exercise(nn_model *m)
{
    char err[NN_ERR_LEN];
    int in = nn_model_input_size(m), out = nn_model_output_size(m);
    if (in <= 0 || out <= 0) __builtin_trap();
    double ops, floats;
    forward_cost(m, &ops, &floats);
    if (ops < (1 << 26) && floats < (1 << 22)) {
        float *x = calloc((size_t)in, sizeof(float)), *y = malloc((size_t)out * sizeof(float));
        if (x && y) nn_model_predict(m, x, 1, y); /* may fail (NOMEM), must not crash */
        free(x);
        free(y);
    }
    size_t n = nn_model_save_size(m), written = 0;
    uint8_t *a = malloc(n);
    if (!a) return;
    if (nn_model_save(m, a, n, &written) != NN_OK || written != n) __builtin_trap();
    /* what was saved loads again, and saves to the same bytes */
    nn_model *m2 = nn_model_load(a, n, err);
    if (!m2) __builtin_trap();
    size_t n2 = nn_model_save_size(m2);
    uint8_t *b = malloc(n2);
    if (b) {
        if (n2 != n || nn_model_save(m2, b, n2, &written) != NN_OK || memcmp(a, b, n)) __builtin_trap();
        free(b);
    }
    nn_model_free(m2);
    free(a);
}

static void load(const uint8_t *buf, size_t len)
{
    char err[NN_ERR_LEN];
    err[0] = 0;
    nn_model *m = nn_model_load(buf, len, err);
    if (!m) {
        if (!memchr(err, 0, NN_ERR_LEN) || !err[0]) __builtin_trap(); /* a terminated message */
        return;
    }
    exercise(m);
    nn_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* exact-size copies, so ASan sees any read past the end */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    load(buf, size);
    if (size >= 4) {
        uint32_t crc = crc32_of(buf, size - 4);
        uint8_t c[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24)};
        if (memcmp(buf + size - 4, c, 4)) {
            memcpy(buf + size - 4, c, 4);
            load(buf, size);
        }
    }
    free(buf);
    return 0;
}
