/* storage.c - how the model file (version 4) stores an array of n_params floats: as segments, one
 * per weight tensor, each in the encoding that suits it (io.c writes the rest of the file).
 *   array   = u32 n_segments | n_segments x segment      (the counts add up to the array's length)
 *   segment = u8 encoding | u64 count | payload
 *     0 dense f32:   f32 v[count]
 *     1 sparse f32:  bitmap[ceil(count/8)] (bit j of byte j/8: value j is nonzero; spare bits 0)
 *                    | f32 v[popcount]                     (the nonzero values, in order)
 *     2 int8:        u32 channels | f32 scale[channels] | i8 q[count]     value j = q[j] scale[j % channels]
 *     3 sparse int8: bitmap | u32 channels | f32 scale[channels] | i8 q[popcount]   (nonzeros only)
 *     4, 5: int8 and sparse int8 with u32 stride after channels: value j's channel is
 *           (j / stride) % channels (output channels on an inner axis: Conv2DTranspose's kernel)
 * int8 is symmetric with one scale per output channel (the tensor's out_axis, the last for most
 * kernels [.., out], so channel = j % channels), s = max|w| / 127, q in [-127, 127]: post-training
 * weight quantization. Encodings 4 and 5 are written only where the stride is not 1, so files of
 * every other model read in builds from before them.
 * A lossless segment is sparse whenever that is smaller (any array with more than ~3% zeros).
 * Every segment takes at least count/8 bytes, so an array is at most 32 floats per byte of file:
 * the loader checks the whole structure against the bytes left before it allocates. */
#include "nn_internal.h"
#include <math.h>
#include <string.h>

enum { ENC_F32 = 0, ENC_SPARSE_F32 = 1, ENC_INT8 = 2, ENC_SPARSE_INT8 = 3, ENC_INT8_STRIDED = 4,
       ENC_SPARSE_INT8_STRIDED = 5 };

static int enc_sparse(int enc) { return enc == ENC_SPARSE_F32 || enc == ENC_SPARSE_INT8 || enc == ENC_SPARSE_INT8_STRIDED; }

static void put_u8(nn_wbuf *w, uint8_t v) { nn_put_bytes(w, &v, 1); }

static void put_bitmap(nn_wbuf *w, const float *v, size_t n)
{
    for (size_t j = 0; j < n; j += 8) {
        uint8_t b = 0;
        for (size_t e = j; e < j + 8 && e < n; e++) b |= (uint8_t)(v[e] != 0.0f ? 1u << (e - j) : 0u);
        put_u8(w, b);
    }
}

/* The int8 scales of n values in `ch` channels (channel = (j / stride) % ch); 0 when they are not
 * all finite. */
static int int8_scales(const float *v, size_t n, int ch, size_t stride, float *scale)
{
    for (int c = 0; c < ch; c++) scale[c] = 0.0f;
    for (size_t j = 0; j < n; j++) {
        if (!isfinite(v[j])) return 0;
        float a = fabsf(v[j]);
        size_t c = (j / stride) % (size_t)ch;
        if (a > scale[c]) scale[c] = a;
    }
    for (int c = 0; c < ch; c++) scale[c] /= 127.0f;
    return 1;
}

static int8_t quantize(float v, float s)
{
    if (s == 0.0f) return 0;
    float q = nearbyintf(v / s);
    return (int8_t)(q > 127.0f ? 127 : q < -127.0f ? -127 : q);
}

/* One segment of n values; quantize with ch channels `stride` values apart when ch > 0. */
static void put_segment(nn_wbuf *w, const float *v, size_t n, int ch, size_t stride)
{
    size_t nnz = 0;
    for (size_t j = 0; j < n; j++) nnz += v[j] != 0.0f;
    uint64_t bitmap = ((uint64_t)n + 7) / 8;
    float *scale = NULL;
    if (ch > 0 && (scale = NN_MALLOC((size_t)ch * sizeof(float))) && !int8_scales(v, n, ch, stride, scale)) {
        NN_FREE(scale); /* NaN or Inf cannot be quantized: stored as it is */
        scale = NULL;
    }
    int enc;
    if (scale && bitmap + nnz < (uint64_t)n) enc = stride > 1 ? ENC_SPARSE_INT8_STRIDED : ENC_SPARSE_INT8;
    else if (scale) enc = stride > 1 ? ENC_INT8_STRIDED : ENC_INT8;
    else enc = bitmap + 4 * (uint64_t)nnz < 4 * (uint64_t)n ? ENC_SPARSE_F32 : ENC_F32;
    put_u8(w, (uint8_t)enc);
    nn_put_u64(w, n);
    int sparse = enc_sparse(enc);
    if (sparse) put_bitmap(w, v, n);
    if (scale) {
        nn_put_u32(w, (uint32_t)ch);
        if (stride > 1) nn_put_u32(w, (uint32_t)stride);
        for (int c = 0; c < ch; c++) nn_put_f32(w, scale[c]);
        for (size_t j = 0; j < n; j++) {
            if (sparse && v[j] == 0.0f) continue;
            int8_t q = quantize(v[j], scale[(j / stride) % (size_t)ch]);
            nn_put_bytes(w, &q, 1);
        }
        NN_FREE(scale);
    } else {
        for (size_t j = 0; j < n; j++)
            if (enc == ENC_F32 || v[j] != 0.0f) nn_put_f32(w, v[j]);
    }
}

void nn_storage_write(const nn_model *m, nn_wbuf *w, const float *a, int quantize_int8)
{
    /* segments: each trainable tensor in order, anything between them dense */
    uint32_t segs = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t at = 0;
        if (pass) nn_put_u32(w, segs);
        for (int l = 0; l < m->n_layers; l++) {
            nn_tensor t[NN_MAX_TENSORS];
            int k = nn_model_layer_tensors(m, l, t);
            for (int j = 0; j < k; j++) {
                if (t[j].state) continue;
                size_t size = 1;
                for (int d = 0; d < t[j].rank; d++) size *= (size_t)t[j].shape[d];
                if (t[j].offset < at || t[j].offset + size > m->n_params) continue; /* never: the layout is contiguous */
                if (t[j].offset > at) { if (pass) put_segment(w, a + at, t[j].offset - at, 0, 1); else segs++; }
                int axis = t[j].out_axis > 0 && t[j].out_axis < t[j].rank ? t[j].out_axis : t[j].rank - 1;
                size_t stride = 1;
                for (int d = axis + 1; d < t[j].rank; d++) stride *= (size_t)t[j].shape[d];
                int ch = quantize_int8 && nn_tensor_prunable(&t[j]) ? t[j].shape[axis] : 0;
                if (pass) put_segment(w, a + t[j].offset, size, ch, stride); else segs++;
                at = t[j].offset + size;
            }
        }
        if (at < m->n_params) { if (pass) put_segment(w, a + at, m->n_params - at, 0, 1); else segs++; }
    }
}

static uint8_t get_u8(nn_rbuf *r)
{
    if (r->bad || r->pos + 1 > r->len) { r->bad = 1; return 0; }
    return r->p[r->pos++];
}

static size_t left(const nn_rbuf *r) { return r->bad ? 0 : r->len - r->pos; }

#define BAD(...) do { nn_fail_buf(err, NN_ERR_FORMAT, __VA_ARGS__); r->bad = 1; return NN_ERR_FORMAT; } while (0)

int nn_storage_read(nn_rbuf *r, float *out, uint64_t n, char *err)
{
    uint32_t segs = nn_get_u32(r);
    if (r->bad) BAD("truncated model bytes (weights)");
    if (segs > left(r) / 9) BAD("corrupt model: %u weight segments in %zu bytes", segs, left(r));
    uint64_t at = 0;
    for (uint32_t s = 0; s < segs; s++) {
        int enc = get_u8(r);
        uint64_t count = nn_get_u64(r);
        if (r->bad) BAD("truncated model bytes (weight segment %u)", s);
        if (count == 0) BAD("corrupt model: weight segment %u is empty", s);
        if (enc > ENC_SPARSE_INT8_STRIDED) BAD("corrupt model: weight segment %u has unknown encoding %d", s, enc);
        if (count > n - at) BAD("corrupt model: weight segments hold more than the %llu values the layers need",
                                (unsigned long long)n);
        int sparse = enc_sparse(enc), int8 = enc >= ENC_INT8, strided = enc >= ENC_INT8_STRIDED;
        uint64_t stored = count;
        const uint8_t *bits = NULL;
        if (sparse) {
            uint64_t nb = (count + 7) / 8;
            if (nb > left(r)) BAD("truncated model bytes (weight segment %u's bitmap)", s);
            bits = r->p + r->pos;
            stored = 0;
            for (uint64_t b = 0; b < nb; b++) {
                uint8_t v = bits[b];
                if (b == nb - 1 && (count & 7) && (v >> (count & 7)))
                    BAD("corrupt model: weight segment %u's bitmap has bits past its %llu values", s, (unsigned long long)count);
                for (; v; v &= (uint8_t)(v - 1)) stored++;
            }
            r->pos += (size_t)nb;
        }
        uint32_t ch = 0, stride = 1;
        const uint8_t *scales = NULL;
        if (int8) {
            ch = nn_get_u32(r);
            if (strided) stride = nn_get_u32(r);
            if (r->bad) BAD("truncated model bytes (weight segment %u)", s);
            if (strided && stride < 2) BAD("corrupt model: weight segment %u: channel stride %u", s, stride);
            if (ch == 0 || count % ((uint64_t)ch * stride))
                BAD("corrupt model: weight segment %u: %u channels %u apart for %llu values", s, ch, stride, (unsigned long long)count);
            if ((uint64_t)ch * 4 > left(r)) BAD("truncated model bytes (weight segment %u's scales)", s);
            scales = r->p + r->pos;
            for (uint32_t c = 0; c < ch; c++) {
                float sc = nn_get_f32(r);
                if (!(sc >= 0.0f) || !isfinite(sc)) BAD("corrupt model: weight segment %u: channel %u's scale is %g", s, c, (double)sc);
            }
        }
        if (stored * (int8 ? 1 : 4) > left(r)) BAD("truncated model bytes (weight segment %u's values)", s);
        if (int8)
            for (uint64_t j = 0; j < stored; j++)
                if (r->p[r->pos + j] == 0x80) BAD("corrupt model: weight segment %u holds -128 (int8 weights are in [-127, 127])", s);
        if (out) {
            float *o = out + at;
            size_t v = 0; /* the next stored value */
            for (uint64_t j = 0; j < count; j++) {
                if (bits && !((bits[j / 8] >> (j % 8)) & 1u)) { o[j] = 0.0f; continue; }
                if (int8) {
                    float sc;
                    uint32_t c = (uint32_t)(j / stride % ch);
                    nn_rbuf sr = {scales + 4 * (size_t)c, 4, 0, 0};
                    sc = nn_get_f32(&sr);
                    o[j] = (float)(int8_t)r->p[r->pos + v++] * sc;
                } else {
                    nn_rbuf vr = {r->p + r->pos + 4 * v++, 4, 0, 0};
                    o[j] = nn_get_f32(&vr);
                }
            }
        }
        r->pos += (size_t)(stored * (int8 ? 1 : 4));
        at += count;
    }
    if (at != n) BAD("corrupt model: weight segments hold %llu values, the layers need %llu", (unsigned long long)at,
                     (unsigned long long)n);
    return NN_OK;
}
#undef BAD
