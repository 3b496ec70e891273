/* bridge.c - the C half of the JS API: what nn.h passes as structs or tables, flattened for JS.
 * Everything exported is listed in exports.txt; the wasm/ modules are the only callers. Layer specs and
 * compile settings cross as the core's key/value encoding (nn.h); the tables (layer types, their
 * options, the name tables) cross once, as JSON, from nnw_describe. Pointers and sizes are
 * 32-bit here; JS owns what it allocates with malloc and frees it. */
#include "nn.h"
#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing string for JSON ---- */
typedef struct { char *p; size_t len, cap; int oom; } sbuf;

static void emit(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        int k = b->p ? vsnprintf(b->p + b->len, room, fmt, ap) : -1;
        va_end(ap);
        if (k >= 0 && (size_t)k < room) { b->len += (size_t)k; return; }
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (k >= 0 && cap < b->len + (size_t)k + 1) cap *= 2;
        char *p = b->oom ? NULL : realloc(b->p, cap);
        if (!p) { b->oom = 1; return; }
        b->p = p;
        b->cap = cap;
    }
}

static char *finish(sbuf *b)
{
    if (b->oom) { free(b->p); return NULL; }
    return b->p;
}

static void emit_number(sbuf *b, double v)
{
    if (isfinite(v)) emit(b, "%.9g", v);
    else emit(b, "null");
}

static const char *const kind_names[] = {"", "int", "float", "bool", "enum", "ints", "shape", "layer", "string", "names"};

static void emit_options(sbuf *b, const nn_option *o, int n)
{
    for (int i = 0; i < n; i++) {
        emit(b, "%s{\"name\":\"%s\",\"kind\":\"%s\",\"count\":%d,\"required\":%s,\"min\":", i ? "," : "",
             o[i].name, kind_names[o[i].kind], o[i].count, (o[i].flags & NN_OPTION_REQUIRED) ? "true" : "false");
        emit_number(b, o[i].lo);
        emit(b, ",\"max\":");
        emit_number(b, o[i].hi);
        emit(b, ",\"default\":");
        if (o[i].kind == NN_KIND_ENUM) emit(b, "\"%s\"", nn_names_get(o[i].names, (int)o[i].def));
        else if (o[i].kind == NN_KIND_BOOL) emit(b, o[i].def ? "true" : "false");
        else if (o[i].kind == NN_KIND_STRING) emit(b, "\"\"");
        else emit_number(b, o[i].def);
        if (o[i].kind == NN_KIND_ENUM) emit(b, ",\"values\":\"%s\"", o[i].names->what);
        if (o[i].alias) emit(b, ",\"alias\":\"%s\"", o[i].alias);
        emit(b, ",\"doc\":\"%s\"}", o[i].doc);
    }
}

/* The layer table and the name tables, once, at startup: the JS API builds itself from this. */
char *nnw_describe(void)
{
    sbuf b = {0};
    emit(&b, "{\"layers\":[");
    int first = 1;
    for (int t = 1; t < nn_layer_type_count(); t++) {
        const nn_option *o;
        int n = nn_layer_type_options(t, &o);
        if (!nn_layer_type_name(t)) continue;
        emit(&b, "%s{\"id\":%d,\"className\":\"%s\",\"name\":\"%s\",\"aliases\":[", first ? "" : ",",
             t, nn_layer_type_name(t), nn_layer_type_func(t));
        const char *al = nn_layer_type_aliases(t);
        for (int k = 0; al[k];) { /* space-separated words -> JSON strings */
            int e = k;
            while (al[e] && al[e] != ' ') e++;
            emit(&b, "%s\"%.*s\"", k ? "," : "", e - k, al + k);
            k = al[e] ? e + 1 : e;
        }
        emit(&b, "],\"doc\":\"%s\",\"intInput\":%s,\"options\":[", nn_layer_type_doc(t),
             nn_layer_type_int_input(t) ? "true" : "false");
        first = 0;
        emit_options(&b, o, n);
        emit(&b, "]}");
    }
    /* the options every type has (trainable): JS accepts them on every layer */
    const nn_option *co;
    int nc = nn_layer_common_options(&co);
    emit(&b, "],\"commonOptions\":[");
    emit_options(&b, co, nc);
    emit(&b, "],\"names\":{");
    for (int i = 0; nn_name_table(i); i++) {
        const nn_names *t = nn_name_table(i);
        emit(&b, "%s\"%s\":[", i ? "," : "", t->what);
        for (int k = 0; k < t->count; k++) {
            emit(&b, "%s{\"name\":\"%s\",\"aliases\":[", k ? "," : "", t->names[k]);
            int na = 0;
            for (int a = 0; a < t->n_aliases; a++)
                if (t->aliases[a].id == k) emit(&b, "%s\"%s\"", na++ ? "," : "", t->aliases[a].name);
            emit(&b, "]");
            if (!strcmp(t->what, "datasets"))
                emit(&b, ",\"regression\":%s,\"numClasses\":%d", nn_data_kind_is_regression(k) ? "true" : "false",
                     nn_data_kind_num_classes(k, 0));
            emit(&b, "}");
        }
        emit(&b, "]");
    }
    emit(&b, "},\"simd\":\"%s\",\"version\":\"%s\",\"maxRank\":%d}", nn_simd_name(), NN_VERSION, NN_MAX_RANK);
    return finish(&b);
}

/* Layer i of m: output shape, counts and weight tensors, as JSON (its config: nnw_layer_spec). */
char *nnw_layer_json(const nn_model *m, int i)
{
    if (i < 0 || i >= nn_model_num_layers(m)) return NULL;
    sbuf b = {0};
    int shape[NN_MAX_RANK];
    int rank = nn_model_layer_output_shape(m, i, shape);
    emit(&b, "{\"outputShape\":[");
    for (int d = 0; d < rank; d++) emit(&b, "%s%d", d ? "," : "", shape[d]);
    emit(&b, "],\"numParams\":%zu,\"numState\":%zu,\"paramOffset\":%zu,\"stateOffset\":%zu,\"weights\":[",
         nn_model_layer_num_params(m, i), nn_model_layer_num_state(m, i), nn_model_layer_param_offset(m, i),
         nn_model_layer_state_offset(m, i));
    nn_tensor t[NN_MAX_TENSORS];
    int n = nn_model_layer_tensors(m, i, t);
    for (int k = 0; k < n; k++) {
        emit(&b, "%s{\"name\":\"%s\",\"shape\":[", k ? "," : "", t[k].name);
        for (int d = 0; d < t[k].rank; d++) emit(&b, "%s%d", d ? "," : "", t[k].shape[d]);
        emit(&b, "],\"offset\":%zu,\"state\":%s}", t[k].offset, t[k].state ? "true" : "false");
    }
    emit(&b, "]}");
    return finish(&b);
}

/* Layer i's spec in the key/value encoding, malloc'd; *len gets its size. */
void *nnw_layer_spec(const nn_model *m, int i, uint32_t *len)
{
    const nn_layer_spec *s = nn_model_layer_spec(m, i);
    size_t n = s ? nn_spec_encode(s, NULL, 0) : 0;
    void *buf = n ? malloc(n) : NULL;
    if (!buf) return NULL;
    nn_spec_encode(s, buf, n);
    *len = (uint32_t)n;
    return buf;
}

/* The compile settings in the key/value encoding, malloc'd; NULL when not compiled. */
void *nnw_compile_settings(const nn_model *m, uint32_t *len)
{
    size_t n = nn_model_compile_encode(m, NULL, 0);
    void *buf = n ? malloc(n) : NULL;
    if (!buf) return NULL;
    nn_model_compile_encode(m, buf, n);
    *len = (uint32_t)n;
    return buf;
}

/* A model for a per-sample input shape given as doubles (JS numbers): checked here, so a value
 * that is not an int32 is refused instead of wrapped. err gets a message on failure. */
nn_model *nnw_model_create(const double *shape, int rank, uint32_t seed, char *err)
{
    int s[NN_MAX_RANK] = {0};
    int ok = rank >= 1 && rank <= NN_MAX_RANK;
    for (int i = 0; ok && i < rank; i++) {
        ok = isfinite(shape[i]) && shape[i] == floor(shape[i]) && shape[i] >= 1 && shape[i] <= (1 << 28);
        s[i] = ok ? (int)shape[i] : 0;
    }
    nn_model *m = ok ? nn_model_create(rank, s, seed) : NULL;
    if (!m) snprintf(err, NN_ERR_LEN, "inputShape must be 1 to %d positive integers (at most %d values "
                     "per sample)", NN_MAX_RANK, 1 << 28);
    return m;
}

int nnw_input_shape(const nn_model *m, int32_t *out)
{
    int shape[NN_MAX_RANK] = {0};
    int rank = nn_model_input_shape(m, shape);
    memcpy(out, shape, sizeof shape);
    return rank;
}

/* A metrics accumulator shaped for m's output and loss (call again after recompiling). */
/* Metrics for a chain's steps: its loss at its last model's outputs. */
nn_metrics *nnw_chain_metrics_new(const nn_chain *c, const nn_model *last)
{
    nn_metrics *mt = calloc(1, sizeof *mt);
    if (!mt) return NULL;
    if (nn_metrics_init(mt, nn_model_output_row_size(last), nn_chain_loss(c), nn_chain_from_logits(c)) != NN_OK) {
        free(mt);
        return NULL;
    }
    return mt;
}

nn_metrics *nnw_metrics_new(const nn_model *m)
{
    nn_metrics *mt = calloc(1, sizeof *mt);
    if (!mt) return NULL;
    if (nn_metrics_init(mt, nn_model_output_row_size(m), nn_model_loss(m), nn_model_from_logits(m)) != NN_OK) {
        free(mt);
        return NULL;
    }
    return mt;
}

/* Finalized values by metric id (the "metrics" name table), then count, the confusion matrix's
 * size (0: none kept), sum_loss.
 * Returns how many doubles it wrote. */
int nnw_metrics_read(nn_metrics *mt, double *out)
{
    nn_metrics_finalize(mt);
    const nn_names *t = NULL;
    for (int i = 0; nn_name_table(i); i++)
        if (!strcmp(nn_name_table(i)->what, "metrics")) t = nn_name_table(i);
    int k = t ? t->count : 0;
    for (int i = 0; i < k; i++) out[i] = nn_metrics_value(mt, i);
    out[k] = (double)mt->count;
    out[k + 1] = mt->confusion ? (double)mt->num_classes : 0; /* the confusion matrix's size */
    out[k + 2] = mt->sum_loss;
    return k + 3;
}

/* Confusion matrix as int32 (num_classes^2, row = true class). */
void nnw_metrics_confusion(const nn_metrics *mt, int32_t *out)
{
    int n = mt->confusion ? mt->num_classes * mt->num_classes : 0;
    for (int i = 0; i < n; i++) out[i] = (int32_t)mt->confusion[i];
}

void nnw_metrics_free(nn_metrics *mt)
{
    nn_metrics_free(mt);
    free(mt);
}

/* Evaluate into an existing accumulator (its old contents are replaced); x of any nn_dtype. */
int nnw_evaluate(nn_model *m, const void *x, int dtype, const float *y, int n, nn_metrics *mt)
{
    nn_metrics_free(mt);
    return nn_model_evaluate_typed(m, x, (nn_dtype)dtype, y, n, mt);
}

/* Save into a fresh malloc'd buffer; *size gets its length. NULL on failure (message on m). */
void *nnw_save(nn_model *m, uint32_t *size, int flags)
{
    size_t n = nn_model_save_size_ex(m, flags), w = 0;
    void *buf = malloc(n);
    if (!buf) return NULL;
    if (nn_model_save_ex(m, buf, n, &w, flags) != NN_OK) { free(buf); return NULL; }
    *size = (uint32_t)w;
    return buf;
}

/* Bytes malloc currently hands out: the leak tests compare it before and after. */
uint32_t nnw_heap_used(void)
{
    struct mallinfo mi = mallinfo();
    return (uint32_t)mi.uordblks;
}

/* Optimizer steps taken so far (a double: JS has no 64-bit ints without BigInt). */
double nnw_step_count(const nn_model *m) { return (double)nn_model_step_count(m); }

/* CSV: parse into a malloc'd nn_csv that JS reads through the accessors, then frees. */
nn_csv *nnw_csv_parse(const char *text, uint32_t len, int header)
{
    nn_csv *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    nn_csv_parse(text, len, header, c);
    return c;
}
int nnw_csv_rows(const nn_csv *c) { return c->data ? c->rows : 0; }
int nnw_csv_cols(const nn_csv *c) { return c->data ? c->cols : 0; }
const float *nnw_csv_data(const nn_csv *c) { return c->data; }
const char *nnw_csv_name(const nn_csv *c, int i) { return c->names && i >= 0 && i < c->cols ? c->names[i] : ""; }
const char *nnw_csv_error(const nn_csv *c) { return c->error; }
void nnw_csv_free(nn_csv *c)
{
    if (!c) return;
    nn_csv_free(c);
    free(c);
}

/* Check a layer spec in the key/value encoding without a model (the JS factories check eagerly,
 * as TF.js's constructors do); err gets the message. */
int nnw_spec_check(const void *buf, uint32_t len, char *err)
{
    nn_layer_spec s;
    int st = nn_spec_decode(buf, len, &s, err);
    return st == NN_OK ? nn_spec_validate(&s, err) : st;
}
