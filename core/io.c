/* io.c - the model file: "NNPLAYMD", u32 version, then fixed-width little-endian fields
 * (architecture, compile settings, weights, optimizer state, RNG state), then a CRC-32 of all
 * preceding bytes. Saved to and loaded from memory; the file functions are thin wrappers. */
#include "nn_internal.h"
#include <stdio.h>
#include <string.h>

#define NN_FILE_MAGIC "NNPLAYMD"
#define NN_FILE_VERSION 2u
/* version 2 added the reshape target and batchnorm fields to each layer, and the state array */
#define NN_SPEC_INTS 14
#define NN_SPEC_FLOATS 6
#define NN_SPEC_INTS_V1 11
#define NN_SPEC_FLOATS_V1 4

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

typedef struct { uint8_t *p; size_t len, cap; } wbuf; /* p NULL: just count */

static void put_bytes(wbuf *w, const void *src, size_t n)
{
    if (w->p && w->len + n <= w->cap) memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void put_u32(wbuf *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put_bytes(w, b, 4);
}

static void put_i32(wbuf *w, int32_t v) { put_u32(w, (uint32_t)v); }
static void put_u64(wbuf *w, uint64_t v) { put_u32(w, (uint32_t)v); put_u32(w, (uint32_t)(v >> 32)); }

static void put_f32(wbuf *w, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put_u32(w, u);
}

static void put_floats(wbuf *w, const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) put_f32(w, v[i]);
}

static void spec_fields(const nn_layer_spec *s, int32_t *iv, float *fv)
{
    int32_t i[NN_SPEC_INTS] = {s->units, s->act, s->use_bias, s->kernel_init, s->bias_init,
                               s->kernel[0], s->kernel[1], s->strides[0], s->strides[1],
                               s->padding, s->target_rank, s->target_shape[0],
                               s->target_shape[1], s->target_shape[2]};
    float f[NN_SPEC_FLOATS] = {s->alpha, s->rate, s->l1, s->l2, s->momentum, s->epsilon};
    memcpy(iv, i, sizeof i);
    memcpy(fv, f, sizeof f);
}

static void write_model(const nn_model *m, wbuf *w)
{
    put_bytes(w, NN_FILE_MAGIC, 8);
    put_u32(w, NN_FILE_VERSION);
    put_u32(w, m->seed);
    put_u32(w, (uint32_t)m->in_rank);
    for (int i = 0; i < NN_MAX_RANK; i++) put_i32(w, i < m->in_rank ? m->in_shape[i] : 0);
    put_u32(w, (uint32_t)m->n_layers);
    for (int l = 0; l < m->n_layers; l++) {
        int32_t iv[NN_SPEC_INTS];
        float fv[NN_SPEC_FLOATS];
        spec_fields(&m->layers[l].spec, iv, fv);
        put_u32(w, (uint32_t)m->layers[l].spec.type);
        for (int i = 0; i < NN_SPEC_INTS; i++) put_i32(w, iv[i]);
        for (int i = 0; i < NN_SPEC_FLOATS; i++) put_f32(w, fv[i]);
    }
    put_u64(w, m->n_params);
    put_floats(w, m->params, m->n_params);
    put_u64(w, m->n_state);
    put_floats(w, m->state, m->n_state);
    /* compile settings and optimizer state */
    put_u32(w, (uint32_t)m->compiled);
    put_i32(w, m->loss);
    put_u32(w, (uint32_t)m->from_logits);
    const nn_optimizer *o = &m->opt;
    put_i32(w, o->type);
    put_f32(w, o->lr); put_f32(w, o->momentum); put_u32(w, (uint32_t)o->nesterov);
    put_f32(w, o->beta1); put_f32(w, o->beta2); put_f32(w, o->rho); put_f32(w, o->eps);
    put_f32(w, o->initial_accumulator);
    put_u64(w, m->step);
    uint32_t ns = (m->opt_m ? 1u : 0u) + (m->opt_v ? 1u : 0u);
    put_u32(w, m->compiled ? ns : 0);
    if (m->compiled && m->opt_m) put_floats(w, m->opt_m, m->n_params);
    if (m->compiled && m->opt_v) put_floats(w, m->opt_v, m->n_params);
    for (int i = 0; i < 4; i++) put_u32(w, m->rng.s[i]);
}

size_t nn_model_save_size(const nn_model *m)
{
    if (!m) return 0;
    wbuf w = {NULL, 0, 0};
    write_model(m, &w);
    return w.len + 4;
}

int nn_model_save(const nn_model *m, void *buf, size_t cap, size_t *written)
{
    if (!m || !buf) return NN_ERR_ARG;
    size_t need = nn_model_save_size(m);
    if (cap < need)
        return nn_fail((nn_model *)m, NN_ERR_ARG, "save: buffer of %zu bytes, need %zu", cap, need);
    wbuf w = {(uint8_t *)buf, 0, cap};
    write_model(m, &w);
    put_u32(&w, crc32_update(0, (const uint8_t *)buf, w.len));
    if (written) *written = w.len;
    return NN_OK;
}

/* ---- reading: every read is bounds-checked; the first failure sticks ---- */
typedef struct { const uint8_t *p; size_t len, pos; int bad; } rbuf;

static uint32_t get_u32(rbuf *r)
{
    if (r->bad || r->len - r->pos < 4) { r->bad = 1; return 0; }
    const uint8_t *b = r->p + r->pos;
    r->pos += 4;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static int32_t get_i32(rbuf *r) { return (int32_t)get_u32(r); }
static uint64_t get_u64(rbuf *r) { uint64_t lo = get_u32(r); return lo | (uint64_t)get_u32(r) << 32; }

static float get_f32(rbuf *r)
{
    uint32_t u = get_u32(r);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static int get_floats(rbuf *r, float *v, size_t n)
{
    if (r->bad || (r->len - r->pos) / 4 < n) { r->bad = 1; return 0; }
    for (size_t i = 0; i < n; i++) v[i] = get_f32(r);
    return 1;
}

nn_model *nn_model_load(const void *buf, size_t len, char *err)
{
    const uint8_t *b = buf;
    if (!buf || len < 12) {
        nn_fail_buf(err, NN_ERR_FORMAT, "not an nnplay model: %zu bytes is too short", len);
        return NULL;
    }
    if (memcmp(b, NN_FILE_MAGIC, 8)) {
        nn_fail_buf(err, NN_ERR_FORMAT, "not an nnplay model (bad magic bytes)");
        return NULL;
    }
    rbuf r = {b, len, 8, 0};
    uint32_t version = get_u32(&r);
    if (version < 1 || version > NN_FILE_VERSION) {
        nn_fail_buf(err, NN_ERR_FORMAT, "unsupported model file version %u (this build reads 1 to %u)",
                    version, NN_FILE_VERSION);
        return NULL;
    }
    if (len < 16) { nn_fail_buf(err, NN_ERR_FORMAT, "truncated model bytes"); return NULL; }
    uint32_t crc = (uint32_t)b[len - 4] | (uint32_t)b[len - 3] << 8 | (uint32_t)b[len - 2] << 16 |
                   (uint32_t)b[len - 1] << 24;
    r.len = len - 4;
    uint32_t seed = get_u32(&r);
    int rank = (int)get_u32(&r), shape[NN_MAX_RANK];
    for (int i = 0; i < NN_MAX_RANK; i++) shape[i] = get_i32(&r);
    uint32_t n_layers = get_u32(&r);
    if (r.bad) { nn_fail_buf(err, NN_ERR_FORMAT, "truncated model bytes (header)"); return NULL; }
    if (crc32_update(0, b, len - 4) != crc) {
        nn_fail_buf(err, NN_ERR_FORMAT, "corrupt or truncated model bytes (checksum mismatch)");
        return NULL;
    }
    nn_model *m = nn_model_create(rank, shape, seed);
    if (!m) {
        nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: bad input shape");
        return NULL;
    }
    if (n_layers > 100000) { nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: %u layers", n_layers); goto fail; }
    for (uint32_t l = 0; l < n_layers; l++) {
        nn_layer_spec s;
        memset(&s, 0, sizeof s);
        s.type = (int)get_u32(&r);
        int32_t iv[NN_SPEC_INTS] = {0};
        float fv[NN_SPEC_FLOATS] = {0};
        int ni = version == 1 ? NN_SPEC_INTS_V1 : NN_SPEC_INTS;
        int nf = version == 1 ? NN_SPEC_FLOATS_V1 : NN_SPEC_FLOATS;
        for (int i = 0; i < ni; i++) iv[i] = get_i32(&r);
        for (int i = 0; i < nf; i++) fv[i] = get_f32(&r);
        if (version == 1) iv[10] = 0; /* a reserved slot then */
        if (r.bad) { nn_fail_buf(err, NN_ERR_FORMAT, "truncated model bytes (layer %u)", l); goto fail; }
        s.units = iv[0]; s.act = iv[1]; s.use_bias = iv[2]; s.kernel_init = iv[3];
        s.bias_init = iv[4]; s.kernel[0] = iv[5]; s.kernel[1] = iv[6]; s.strides[0] = iv[7];
        s.strides[1] = iv[8]; s.padding = iv[9]; s.target_rank = iv[10];
        s.target_shape[0] = iv[11]; s.target_shape[1] = iv[12]; s.target_shape[2] = iv[13];
        s.alpha = fv[0]; s.rate = fv[1]; s.l1 = fv[2]; s.l2 = fv[3];
        s.momentum = fv[4]; s.epsilon = fv[5];
        if (nn_model_add(m, s) != NN_OK) {
            nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: layer %u: %s", l, m->err);
            goto fail;
        }
    }
    uint64_t np = get_u64(&r);
    if (r.bad || np != m->n_params) {
        nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: %llu parameters stored, the layers need %zu",
                    (unsigned long long)np, m->n_params);
        goto fail;
    }
    if (!get_floats(&r, m->params, m->n_params)) { nn_fail_buf(err, NN_ERR_FORMAT, "truncated model bytes (weights)"); goto fail; }
    if (version >= 2) {
        uint64_t ns_ = get_u64(&r);
        if (r.bad || ns_ != m->n_state) {
            nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: %llu state values stored, the layers need %zu",
                        (unsigned long long)ns_, m->n_state);
            goto fail;
        }
        if (!get_floats(&r, m->state, m->n_state)) { nn_fail_buf(err, NN_ERR_FORMAT, "truncated model bytes (state)"); goto fail; }
    }
    int compiled = (int)get_u32(&r);
    int loss = get_i32(&r), from_logits = (int)get_u32(&r);
    nn_optimizer o;
    memset(&o, 0, sizeof o);
    o.type = get_i32(&r);
    o.lr = get_f32(&r); o.momentum = get_f32(&r); o.nesterov = (int)get_u32(&r);
    o.beta1 = get_f32(&r); o.beta2 = get_f32(&r); o.rho = get_f32(&r); o.eps = get_f32(&r);
    o.initial_accumulator = get_f32(&r);
    uint64_t step = get_u64(&r);
    uint32_t ns = get_u32(&r);
    if (r.bad) { nn_fail_buf(err, NN_ERR_FORMAT, "truncated model bytes (optimizer)"); goto fail; }
    if (compiled) {
        if (nn_model_compile(m, &o, (nn_loss)loss) != NN_OK || nn_model_set_from_logits(m, from_logits) != NN_OK) {
            nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: %s", m->err);
            goto fail;
        }
        uint32_t want = (m->opt_m ? 1u : 0u) + (m->opt_v ? 1u : 0u);
        if (ns != want) { nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: %u optimizer arrays, expected %u", ns, want); goto fail; }
        if ((m->opt_m && !get_floats(&r, m->opt_m, m->n_params)) ||
            (m->opt_v && !get_floats(&r, m->opt_v, m->n_params))) {
            nn_fail_buf(err, NN_ERR_FORMAT, "truncated model bytes (optimizer state)");
            goto fail;
        }
        m->step = step;
    } else if (ns) { nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model: optimizer state without compile"); goto fail; }
    for (int i = 0; i < 4; i++) m->rng.s[i] = get_u32(&r);
    if (r.bad || r.pos != r.len) {
        nn_fail_buf(err, NN_ERR_FORMAT, "corrupt model bytes (%s)", r.bad ? "truncated" : "trailing data");
        goto fail;
    }
    m->err[0] = 0;
    return m;
fail:
    nn_model_free(m);
    return NULL;
}

int nn_model_save_file(const nn_model *m, const char *path)
{
    if (!m || !path) return NN_ERR_ARG;
    size_t n = nn_model_save_size(m);
    uint8_t *buf = NN_MALLOC(n);
    if (!buf) return nn_fail((nn_model *)m, NN_ERR_NOMEM, "save: out of memory");
    int st = nn_model_save(m, buf, n, &n);
    if (st == NN_OK) {
        FILE *f = fopen(path, "wb");
        if (!f) st = nn_fail((nn_model *)m, NN_ERR_IO, "save: cannot open '%s' for writing", path);
        else {
            if (fwrite(buf, 1, n, f) != n) st = nn_fail((nn_model *)m, NN_ERR_IO, "save: cannot write '%s'", path);
            if (fclose(f) != 0 && st == NN_OK) st = nn_fail((nn_model *)m, NN_ERR_IO, "save: cannot write '%s'", path);
        }
    }
    NN_FREE(buf);
    return st;
}

nn_model *nn_model_load_file(const char *path, char *err)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) { nn_fail_buf(err, NN_ERR_IO, "load: cannot open '%s'", path ? path : "(null)"); return NULL; }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = NN_MALLOC(cap);
    for (;;) {
        if (!buf) { fclose(f); nn_fail_buf(err, NN_ERR_NOMEM, "load: out of memory"); return NULL; }
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        uint8_t *nb = NN_REALLOC(buf, cap * 2);
        if (!nb) NN_FREE(buf);
        buf = nb;
        cap *= 2;
    }
    int rd_err = ferror(f);
    fclose(f);
    nn_model *m = rd_err ? NULL : nn_model_load(buf, len, err);
    if (rd_err) nn_fail_buf(err, NN_ERR_IO, "load: cannot read '%s'", path);
    NN_FREE(buf);
    return m;
}
