/* io.c - the model file. Version 4 (written):
 *   "NNPLAYMD" | u32 version | u32 seed | u32 rank | i32 shape[3] | u32 n_layers
 *   per layer: u32 length | the layer's spec in the key/value encoding (nn.h, nn_spec_encode)
 *   u64 n_params | params as an encoded array | u64 n_state | f32 state[n_state]
 *   u32 length | compile settings in the key/value encoding (length 0: not compiled)
 *   u64 step | u32 n_arrays | optimizer state: n_arrays encoded arrays of n_params | u32 rng[4]
 *   (step 0 and no arrays for a compiled model: saved without its optimizer state)
 *   pruning section (prune.c: u32 n_tensors, 0 when not pruned; schedule, step, masks)
 *   u32 crc32 (of everything before it)
 * An encoded array (storage.c) is one segment per weight tensor, each dense f32, sparse f32
 * (bitmap + nonzeros), int8 with per-output-channel scales, or sparse int8.
 * Version 3 is version 4 with plain f32 arrays (f32 params[n_params], f32 opt[n_arrays][n_params])
 * and no pruning section. Layers and compile settings name their options, so a new option needs
 * no new version (compile's metrics came that way: files without them load with none listed). Versions 1 to 3 are still read (1 and 2: fixed int/float records per layer).
 * The loader checks the whole structure against the file's length and the core's limits before it
 * allocates a model, so a small hostile file is refused in time and memory proportional to its
 * size (an encoded array holds at most 32 floats per byte). */
#include "nn_internal.h"
#include <stdio.h>
#include <string.h>

#define NN_FILE_MAGIC "NNPLAYMD"
#define NN_FILE_VERSION 4u

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void put_floats(nn_wbuf *w, const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) nn_put_f32(w, v[i]);
}

static void write_model(const nn_model *m, nn_wbuf *w, int flags)
{
    int opt = m->compiled && !(flags & NN_SAVE_NO_OPTIMIZER);
    nn_put_bytes(w, NN_FILE_MAGIC, 8);
    nn_put_u32(w, NN_FILE_VERSION);
    nn_put_u32(w, m->seed);
    nn_put_u32(w, (uint32_t)m->in_rank);
    for (int i = 0; i < NN_MAX_RANK; i++) nn_put_u32(w, (uint32_t)(i < m->in_rank ? m->in_shape[i] : 0));
    nn_put_u32(w, (uint32_t)m->n_layers);
    for (int l = 0; l < m->n_layers; l++) {
        size_t n = nn_spec_encode(&m->layers[l].spec, NULL, 0);
        nn_put_u32(w, (uint32_t)n);
        if (w->p && w->len + n <= w->cap) nn_spec_encode(&m->layers[l].spec, w->p + w->len, n);
        w->len += n;
    }
    nn_put_u64(w, m->n_params);
    nn_storage_write(m, w, m->params, (flags & NN_SAVE_QUANTIZE_INT8) != 0);
    nn_put_u64(w, m->n_state);
    put_floats(w, m->state, m->n_state);
    size_t nc = nn_model_compile_encode(m, NULL, 0);
    nn_put_u32(w, (uint32_t)nc);
    if (nc && w->p && w->len + nc <= w->cap) nn_model_compile_encode(m, w->p + w->len, nc);
    w->len += nc;
    nn_put_u64(w, opt ? m->step : 0);
    uint32_t ns = opt ? (m->opt_m ? 1u : 0u) + (m->opt_v ? 1u : 0u) : 0;
    nn_put_u32(w, ns);
    if (ns && m->opt_m) nn_storage_write(m, w, m->opt_m, 0);
    if (ns && m->opt_v) nn_storage_write(m, w, m->opt_v, 0);
    for (int i = 0; i < 4; i++) nn_put_u32(w, m->rng.s[i]);
    nn_prune_write(m, w);
}

size_t nn_model_save_size(const nn_model *m) { return nn_model_save_size_ex(m, 0); }

size_t nn_model_save_size_ex(const nn_model *m, int flags)
{
    if (!m) return 0;
    nn_wbuf w = {NULL, 0, 0};
    write_model(m, &w, flags);
    return w.len + 4;
}

int nn_model_save(const nn_model *m, void *buf, size_t cap, size_t *written)
{
    return nn_model_save_ex(m, buf, cap, written, 0);
}

int nn_model_save_ex(const nn_model *m, void *buf, size_t cap, size_t *written, int flags)
{
    if (!m || !buf) return NN_ERR_ARG;
    if (flags & ~(NN_SAVE_NO_OPTIMIZER | NN_SAVE_QUANTIZE_INT8)) return nn_fail((nn_model *)m, NN_ERR_ARG, "save: unknown flags 0x%x", (unsigned)flags);
    size_t need = nn_model_save_size_ex(m, flags);
    if (cap < need)
        return nn_fail((nn_model *)m, NN_ERR_ARG, "save: buffer of %zu bytes, need %zu", cap, need);
    nn_wbuf w = {(uint8_t *)buf, 0, cap};
    write_model(m, &w, flags);
    nn_put_u32(&w, crc32_update(0, (const uint8_t *)buf, w.len));
    if (written) *written = w.len;
    return NN_OK;
}

/* ---- versions 1 and 2: a fixed record per layer, mapped onto the options by name ---- */
#define V2_INTS 14   /* units, act, use_bias, kernel_init, bias_init, kernel[2], strides[2],
                        padding, target_rank, target_shape[3] */
#define V2_FLOATS 6  /* alpha, rate, l1, l2, momentum, epsilon */
#define V1_INTS 11   /* the first ten, then a reserved one */
#define V1_FLOATS 4

static const struct { int type; const char *option; char from; int at, n; } legacy_fields[] = {
    {NN_LAYER_DENSE, "units", 'i', 0, 1}, {NN_LAYER_DENSE, "activation", 'i', 1, 1},
    {NN_LAYER_DENSE, "useBias", 'i', 2, 1}, {NN_LAYER_DENSE, "kernelInitializer", 'i', 3, 1},
    {NN_LAYER_DENSE, "biasInitializer", 'i', 4, 1}, {NN_LAYER_DENSE, "alpha", 'f', 0, 1},
    {NN_LAYER_DENSE, "l1", 'f', 2, 1}, {NN_LAYER_DENSE, "l2", 'f', 3, 1},
    {NN_LAYER_ACTIVATION, "activation", 'i', 1, 1}, {NN_LAYER_ACTIVATION, "alpha", 'f', 0, 1},
    {NN_LAYER_DROPOUT, "rate", 'f', 1, 1},
    {NN_LAYER_CONV2D, "filters", 'i', 0, 1}, {NN_LAYER_CONV2D, "activation", 'i', 1, 1},
    {NN_LAYER_CONV2D, "useBias", 'i', 2, 1}, {NN_LAYER_CONV2D, "kernelInitializer", 'i', 3, 1},
    {NN_LAYER_CONV2D, "biasInitializer", 'i', 4, 1}, {NN_LAYER_CONV2D, "kernelSize", 'i', 5, 2},
    {NN_LAYER_CONV2D, "strides", 'i', 7, 2}, {NN_LAYER_CONV2D, "padding", 'i', 9, 1},
    {NN_LAYER_CONV2D, "alpha", 'f', 0, 1}, {NN_LAYER_CONV2D, "l1", 'f', 2, 1},
    {NN_LAYER_CONV2D, "l2", 'f', 3, 1},
    {NN_LAYER_MAXPOOL2D, "poolSize", 'i', 5, 2}, {NN_LAYER_MAXPOOL2D, "strides", 'i', 7, 2},
    {NN_LAYER_MAXPOOL2D, "padding", 'i', 9, 1},
    {NN_LAYER_AVGPOOL2D, "poolSize", 'i', 5, 2}, {NN_LAYER_AVGPOOL2D, "strides", 'i', 7, 2},
    {NN_LAYER_AVGPOOL2D, "padding", 'i', 9, 1},
    {NN_LAYER_RESHAPE, "targetShape", 's', 10, 0},
    {NN_LAYER_BATCHNORM, "momentum", 'f', 4, 1}, {NN_LAYER_BATCHNORM, "epsilon", 'f', 5, 1},
};

static int legacy_spec(nn_rbuf *r, uint32_t version, nn_layer_spec *s, char *err)
{
    int32_t iv[V2_INTS] = {0};
    float fv[V2_FLOATS] = {0};
    int type = (int)nn_get_u32(r);
    int ni = version == 1 ? V1_INTS : V2_INTS, nf = version == 1 ? V1_FLOATS : V2_FLOATS;
    for (int i = 0; i < ni; i++) iv[i] = (int32_t)nn_get_u32(r);
    for (int i = 0; i < nf; i++) fv[i] = nn_get_f32(r);
    if (r->bad) return nn_fail_buf(err, NN_ERR_FORMAT, "truncated");
    if (version == 1) iv[10] = 0; /* reserved then */
    if (type < NN_LAYER_DENSE || type > NN_LAYER_BATCHNORM)
        return nn_fail_buf(err, NN_ERR_FORMAT, "unknown layer type id %d", type);
    *s = nn_spec(type);
    for (int k = 0; k < NN_COUNT_OF(legacy_fields); k++) {
        if (legacy_fields[k].type != type) continue;
        int at = legacy_fields[k].at, n = legacy_fields[k].n;
        if (legacy_fields[k].from == 'f') nn_spec_set(s, legacy_fields[k].option, fv[at]);
        else if (legacy_fields[k].from == 'i') nn_spec_set_ints(s, legacy_fields[k].option, n, iv + at);
        else nn_spec_set_ints(s, legacy_fields[k].option, iv[at] >= 1 && iv[at] <= NN_MAX_RANK ? iv[at] : 0,
                              iv + at + 1);
    }
    return s->err[0] ? nn_fail_buf(err, NN_ERR_FORMAT, "%s", s->err) : NN_OK;
}

/* ---- reading ---- */
#define FAIL(code, ...) do { nn_fail_buf(err, code, __VA_ARGS__); goto fail; } while (0)

/* Floats left in the file: a count stored in it must not exceed them (checked before allocating). */
static uint64_t floats_left(const nn_rbuf *r) { return r->bad ? 0 : (uint64_t)(r->len - r->pos) / 4; }

static int get_floats(nn_rbuf *r, float *v, size_t n)
{
    if (r->bad || (uint64_t)n > floats_left(r)) { r->bad = 1; return 0; }
    for (size_t i = 0; i < n; i++) v[i] = nn_get_f32(r);
    return 1;
}

nn_model *nn_model_load(const void *buf, size_t len, char *err)
{
    const uint8_t *b = buf;
    nn_layer_spec *specs = NULL;
    nn_model *m = NULL;
    char msg[NN_ERR_LEN];
    if (!buf || len < 16) {
        nn_fail_buf(err, NN_ERR_FORMAT, "not an nnplay model: %zu bytes is too short", buf ? len : 0);
        return NULL;
    }
    if (memcmp(b, NN_FILE_MAGIC, 8)) {
        nn_fail_buf(err, NN_ERR_FORMAT, "not an nnplay model (bad magic bytes)");
        return NULL;
    }
    nn_rbuf r = {b, len - 4, 8, 0};
    uint32_t version = nn_get_u32(&r);
    if (version < 1 || version > NN_FILE_VERSION) {
        nn_fail_buf(err, NN_ERR_FORMAT, "unsupported model file version %u (this build reads 1 to %u)",
                    version, NN_FILE_VERSION);
        return NULL;
    }
    uint32_t crc = (uint32_t)b[len - 4] | (uint32_t)b[len - 3] << 8 | (uint32_t)b[len - 2] << 16 |
                   (uint32_t)b[len - 1] << 24;
    if (crc32_update(0, b, len - 4) != crc) {
        nn_fail_buf(err, NN_ERR_FORMAT, "corrupt or truncated model bytes (checksum mismatch)");
        return NULL;
    }
    uint32_t seed = nn_get_u32(&r), rank = nn_get_u32(&r);
    int shape[NN_MAX_RANK];
    for (int i = 0; i < NN_MAX_RANK; i++) shape[i] = (int)nn_get_u32(&r);
    uint32_t n_layers = nn_get_u32(&r);
    if (r.bad) FAIL(NN_ERR_FORMAT, "truncated model bytes (header)");
    if (rank < 1 || rank > NN_MAX_RANK || nn_shape_size((int)rank, shape) <= 0)
        FAIL(NN_ERR_FORMAT, "corrupt model: bad input shape (rank %u)", rank);
    /* every layer record takes at least 8 bytes: a count past that is a lie, refused before
     * the spec array is allocated */
    if (n_layers > (r.len - r.pos) / 8) FAIL(NN_ERR_FORMAT, "corrupt model: %u layers in %zu bytes", n_layers, len);

    /* 1. every layer spec, checked against its option table */
    specs = NN_MALLOC((n_layers ? n_layers : 1) * sizeof *specs);
    if (!specs) FAIL(NN_ERR_NOMEM, "load: out of memory");
    for (uint32_t l = 0; l < n_layers; l++) {
        int st;
        if (version >= 3) {
            uint32_t n = nn_get_u32(&r);
            if (r.bad || n > r.len - r.pos) FAIL(NN_ERR_FORMAT, "truncated model bytes (layer %u)", l);
            nn_rbuf sr = {r.p + r.pos, n, 0, 0};
            st = nn_spec_read(&sr, &specs[l], msg);
            if (st == NN_OK && sr.pos != n) st = nn_fail_buf(msg, NN_ERR_FORMAT, "%u bytes after its spec", n - (uint32_t)sr.pos);
            r.pos += n;
        } else {
            st = legacy_spec(&r, version, &specs[l], msg);
        }
        if (st != NN_OK) FAIL(NN_ERR_FORMAT, "corrupt model: layer %u: %s", l, msg);
    }
    /* 2. the shapes and sizes they imply, against what the file holds -- still no model */
    nn_model probe;
    memset(&probe, 0, sizeof probe);
    probe.in_rank = (int)rank;
    memcpy(probe.in_shape, shape, sizeof probe.in_shape);
    probe.in_size = nn_shape_size((int)rank, shape);
    uint64_t need_p, need_s;
    if (nn_model_check_layers(&probe, specs, (int)n_layers, &need_p, &need_s, msg) != NN_OK)
        FAIL(NN_ERR_FORMAT, "corrupt model: %s", msg);
    uint64_t np = nn_get_u64(&r);
    if (r.bad || np != need_p)
        FAIL(NN_ERR_FORMAT, "corrupt model: %llu parameters stored, the layers need %llu",
             (unsigned long long)np, (unsigned long long)need_p);
    if (version < 4 && np > floats_left(&r)) FAIL(NN_ERR_FORMAT, "truncated model bytes (weights)");
    size_t params_at = r.pos;
    if (version >= 4) { /* every segment checked against the bytes it needs, nothing decoded yet */
        if (nn_storage_read(&r, NULL, np, msg) != NN_OK) FAIL(NN_ERR_FORMAT, "%s", msg);
        r.pos = params_at;
    }
    /* 3. build it: every size is now known to fit in the file */
    m = nn_model_create((int)rank, shape, seed);
    if (!m) FAIL(NN_ERR_NOMEM, "load: out of memory");
    for (uint32_t l = 0; l < n_layers; l++)
        if (nn_model_add(m, specs[l]) != NN_OK) FAIL(NN_ERR_FORMAT, "corrupt model: layer %u: %s", l, m->err);
    NN_FREE(specs);
    specs = NULL;
    if (version >= 4 ? nn_storage_read(&r, m->params, m->n_params, msg) != NN_OK : !get_floats(&r, m->params, m->n_params))
        FAIL(NN_ERR_FORMAT, "%s", version >= 4 ? msg : "truncated model bytes (weights)");
    if (version >= 2) {
        uint64_t ns = nn_get_u64(&r);
        if (r.bad || ns != m->n_state)
            FAIL(NN_ERR_FORMAT, "corrupt model: %llu state values stored, the layers need %zu",
                 (unsigned long long)ns, m->n_state);
        if (!get_floats(&r, m->state, m->n_state)) FAIL(NN_ERR_FORMAT, "truncated model bytes (state)");
    }
    uint64_t step;
    uint32_t n_arrays;
    int compiled;
    if (version >= 3) {
        uint32_t nc = nn_get_u32(&r);
        if (r.bad || nc > r.len - r.pos) FAIL(NN_ERR_FORMAT, "truncated model bytes (compile settings)");
        compiled = nc > 0;
        if (compiled && nn_model_compile_encoded(m, r.p + r.pos, nc) != NN_OK)
            FAIL(NN_ERR_FORMAT, "corrupt model: %s", m->err);
        r.pos += nc;
        step = nn_get_u64(&r);
        n_arrays = nn_get_u32(&r);
    } else {
        compiled = (int)nn_get_u32(&r);
        int loss = (int)nn_get_u32(&r), from_logits = (int)nn_get_u32(&r);
        nn_optimizer o;
        memset(&o, 0, sizeof o);
        o.type = (int)nn_get_u32(&r);
        o.lr = nn_get_f32(&r); o.momentum = nn_get_f32(&r); o.nesterov = (int)nn_get_u32(&r);
        o.beta1 = nn_get_f32(&r); o.beta2 = nn_get_f32(&r); o.rho = nn_get_f32(&r); o.eps = nn_get_f32(&r);
        o.initial_accumulator = nn_get_f32(&r);
        step = nn_get_u64(&r);
        n_arrays = nn_get_u32(&r);
        if (r.bad) FAIL(NN_ERR_FORMAT, "truncated model bytes (optimizer)");
        if (compiled && (nn_model_compile(m, &o, (nn_loss)loss) != NN_OK ||
                         nn_model_set_from_logits(m, from_logits) != NN_OK))
            FAIL(NN_ERR_FORMAT, "corrupt model: %s", m->err);
    }
    if (r.bad) FAIL(NN_ERR_FORMAT, "truncated model bytes (optimizer)");
    uint32_t want = compiled ? (m->opt_m ? 1u : 0u) + (m->opt_v ? 1u : 0u) : 0;
    /* none: saved without the optimizer (Keras's include_optimizer=False): it starts afresh */
    if (n_arrays != want && !(n_arrays == 0 && step == 0))
        FAIL(NN_ERR_FORMAT, "corrupt model: %u optimizer arrays, expected %u", n_arrays, want);
    if (n_arrays && version >= 4) {
        if ((m->opt_m && nn_storage_read(&r, m->opt_m, m->n_params, msg) != NN_OK) ||
            (m->opt_v && nn_storage_read(&r, m->opt_v, m->n_params, msg) != NN_OK))
            FAIL(NN_ERR_FORMAT, "%s (optimizer state)", msg);
    } else if (n_arrays && ((m->opt_m && !get_floats(&r, m->opt_m, m->n_params)) ||
                            (m->opt_v && !get_floats(&r, m->opt_v, m->n_params))))
        FAIL(NN_ERR_FORMAT, "truncated model bytes (optimizer state)");
    m->step = compiled ? step : 0;
    for (int i = 0; i < 4; i++) m->rng.s[i] = nn_get_u32(&r);
    if (version >= 4 && nn_prune_read(m, &r, msg) != NN_OK) FAIL(NN_ERR_FORMAT, "%s", msg);
    if (r.bad || r.pos != r.len) FAIL(NN_ERR_FORMAT, "corrupt model bytes (%s)", r.bad ? "truncated" : "trailing data");
    m->err[0] = 0;
    return m;
fail:
    NN_FREE(specs);
    nn_model_free(m);
    return NULL;
}
#undef FAIL

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
