/* spec.c - layer specs by option name, and the key/value encoding that files, the bridge and
 * the JS API share. Every value goes through nn_option_set, so a bad one gets the same message
 * whether it came from C, from JS or from a file. */
#include "nn_internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TAG_NUMBERS = 1, TAG_BOOL = 2, TAG_NAME = 3, TAG_SPEC = 4, TAG_NAMES = 5 };
#define MAX_NUMBERS 8   /* per entry (numbers or names): more is refused, not truncated */
#define MAX_NAME 64     /* longest key or name compared; longer ones are unknown */

static const char *const padding_names[] = {"valid", "same"};
const nn_names nn_padding_names = {"paddings", "padding", 2, padding_names, 0, NULL};
static const char *const data_format_names[] = {"channelsLast"};
static const nn_alias data_format_aliases[] = {{"channels_last", 0}};
const nn_names nn_data_format_names = {"dataFormats", "dataFormat", 1, data_format_names, 1, data_format_aliases};

int nn_names_find(const nn_names *t, const char *name)
{
    if (!t || !name) return -1;
    for (int i = 0; i < t->count; i++)
        if (!strcmp(name, t->names[i])) return i;
    for (int i = 0; i < t->n_aliases; i++)
        if (!strcmp(name, t->aliases[i].name)) return t->aliases[i].id;
    return -1;
}

const char *nn_names_get(const nn_names *t, int id)
{
    return t && id >= 0 && id < t->count ? t->names[id] : "unknown";
}

/* ---- bytes, little-endian; every read is bounds-checked and the first failure sticks ---- */
void nn_put_bytes(nn_wbuf *w, const void *src, size_t n)
{
    if (w->p && w->len + n <= w->cap) memcpy(w->p + w->len, src, n);
    w->len += n;
}
void nn_put_u16(nn_wbuf *w, uint16_t v) { uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)}; nn_put_bytes(w, b, 2); }
void nn_put_u32(nn_wbuf *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    nn_put_bytes(w, b, 4);
}
void nn_put_u64(nn_wbuf *w, uint64_t v) { nn_put_u32(w, (uint32_t)v); nn_put_u32(w, (uint32_t)(v >> 32)); }
void nn_put_f32(nn_wbuf *w, float f) { uint32_t u; memcpy(&u, &f, 4); nn_put_u32(w, u); }
static void put_f64(nn_wbuf *w, double d) { uint64_t u; memcpy(&u, &d, 8); nn_put_u64(w, u); }
static void put_str(nn_wbuf *w, const char *s)
{
    size_t n = strlen(s);
    nn_put_u16(w, (uint16_t)n);
    nn_put_bytes(w, s, n);
}

static const uint8_t *take(nn_rbuf *r, size_t n)
{
    if (r->bad || r->len - r->pos < n) { r->bad = 1; return NULL; }
    const uint8_t *b = r->p + r->pos;
    r->pos += n;
    return b;
}
uint16_t nn_get_u16(nn_rbuf *r) { const uint8_t *b = take(r, 2); return b ? (uint16_t)(b[0] | b[1] << 8) : 0; }
uint32_t nn_get_u32(nn_rbuf *r)
{
    const uint8_t *b = take(r, 4);
    return b ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24 : 0;
}
uint64_t nn_get_u64(nn_rbuf *r) { uint64_t lo = nn_get_u32(r); return lo | (uint64_t)nn_get_u32(r) << 32; }
float nn_get_f32(nn_rbuf *r) { uint32_t u = nn_get_u32(r); float f; memcpy(&f, &u, 4); return f; }
static double get_f64(nn_rbuf *r) { uint64_t u = nn_get_u64(r); double d; memcpy(&d, &u, 8); return d; }
/* A string as a NUL-terminated copy in buf (MAX_NAME + 1 bytes); longer ones are cut and marked. */
static int get_str(nn_rbuf *r, char *buf)
{
    uint16_t n = nn_get_u16(r);
    const uint8_t *b = take(r, n);
    if (!b) return 0;
    size_t k = n < MAX_NAME ? n : MAX_NAME;
    memcpy(buf, b, k);
    buf[k] = 0;
    if (n > MAX_NAME) buf[MAX_NAME - 1] = '~'; /* never equal to a known name */
    for (size_t i = 0; i < k; i++) if (!buf[i]) buf[i] = '?'; /* a NUL inside is not a name */
    return 1;
}

/* ---- option values ---- */
static int32_t *ints_at(const nn_option *o, void *cfg) { return (int32_t *)(void *)((char *)cfg + o->offset); }
static float *float_at(const nn_option *o, void *cfg) { return (float *)(void *)((char *)cfg + o->offset); }

static void fmt_numbers(char *buf, size_t cap, const double *v, int n)
{
    size_t len = 0;
    if (n != 1) len += (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < n && len < cap; i++) /* integers in full: 2^32 + 1 must not read as 4.3e9 */
        len += (size_t)snprintf(buf + len, cap - len, v[i] == floor(v[i]) && fabs(v[i]) < 1e17 ? "%s%.0f" : "%s%.9g",
                                i ? ", " : "", v[i]);
    if (n != 1 && len < cap) snprintf(buf + len, cap - len, "]");
}

/* "a positive integer", "an integer in [-1, 3]": what one number of an int option must be. */
static void int_rule(const nn_option *o, char *buf, size_t cap)
{
    if (o->lo == o->hi) snprintf(buf, cap, "%.9g", o->lo);
    else if (o->lo == 1) snprintf(buf, cap, "a positive integer (at most %.9g)", o->hi);
    else if (o->lo == 0) snprintf(buf, cap, "an integer in [0, %.9g]", o->hi);
    else snprintf(buf, cap, "an integer in [%.9g, %.9g]", o->lo, o->hi);
}

static int is_int_in(double v, double lo, double hi) { return isfinite(v) && v == floor(v) && v >= lo && v <= hi; }

/* "simpleRNN, lstm or gru": the layer types a layer option takes, from the table. */
static void recurrent_list(char *buf, size_t cap)
{
    int n = 0, k = 0, len = 0;
    for (int t = 1; t < nn_layer_type_count(); t++) n += nn_layer_ops_for(t) && nn_layer_ops_for(t)->recurrent;
    buf[0] = 0;
    for (int t = 1; t < nn_layer_type_count() && len >= 0 && (size_t)len < cap; t++) {
        const nn_layer_ops *o = nn_layer_ops_for(t);
        if (!o || !o->recurrent) continue;
        k++;
        len += snprintf(buf + len, cap - (size_t)len, "%s%s", k == 1 ? "" : k == n ? " or " : ", ", o->func);
    }
}

/* Does a layer type hold a layer (a wrapper)? */
static int holds_layer(const nn_layer_ops *ops)
{
    for (int i = 0; ops && i < ops->n_options; i++)
        if (ops->options[i].kind == NN_KIND_LAYER) return 1;
    return 0;
}

int nn_option_set_layer(const nn_option *o, void *cfg, const nn_layer_spec *layer, const char *what,
                        char *err, size_t err_len)
{
    char list[96], msg[NN_ERR_LEN];
    const nn_layer_ops *ops = layer ? nn_layer_ops_for(layer->type) : NULL;
    recurrent_list(list, sizeof list);
#define FAIL(...) do { if (err) snprintf(err, err_len, __VA_ARGS__); return NN_ERR_ARG; } while (0)
    if (o->kind != NN_KIND_LAYER)
        FAIL("%s: %s must be %s, got a layer", what, o->name, o->kind == NN_KIND_BOOL ? "true or false" :
             o->kind == NN_KIND_ENUM ? "a name" : "a number");
    if (!ops) FAIL("%s: %s must be a layer (%s), got %s", what, o->name, list, layer ? "an unknown layer type" : "none");
    if (holds_layer(ops)) /* one level: a wrapper's layer is never a wrapper */
        FAIL("%s: %s cannot be a %s: a wrapped layer cannot hold a layer itself", what, o->name, ops->func);
    if (!ops->recurrent) FAIL("%s: %s must be a recurrent layer (%s), got %s", what, o->name, list, ops->func);
    if (ops->cfg_size > NN_SUB_SPEC_BYTES) /* a table error: a recurrent config grew past the room */
        FAIL("%s: %s: a %s config takes %zu bytes, a nested spec holds %d", what, o->name, ops->func,
             ops->cfg_size, NN_SUB_SPEC_BYTES);
    if (nn_spec_validate(layer, msg) != NN_OK) FAIL("%s: %s: %s", what, o->name, msg);
#undef FAIL
    nn_sub_spec *sub = (nn_sub_spec *)(void *)((char *)cfg + o->offset);
    memset(sub, 0, sizeof *sub);
    sub->type = layer->type;
    sub->given = layer->given;
    memcpy(sub->cfg.bytes, layer->cfg.bytes, ops->cfg_size);
    return NN_OK;
}

nn_layer_spec nn_sub_spec_get(const nn_sub_spec *s)
{
    nn_layer_spec r = nn_spec(s->type);
    const nn_layer_ops *ops = nn_layer_ops_for(s->type);
    if (ops && ops->cfg_size <= NN_SUB_SPEC_BYTES) memcpy(r.cfg.bytes, s->cfg.bytes, ops->cfg_size);
    r.given = s->given;
    return r;
}

int nn_option_set(const nn_option *o, void *cfg, const double *v, int count, const char *name,
                  const char *what, char *err, size_t err_len)
{
    char got[96], rule[96];
    if (name) snprintf(got, sizeof got, "'%.60s'", name);
    else fmt_numbers(got, sizeof got, v, count);
#define FAIL(...) do { if (err) { int k_ = snprintf(err, err_len, "%s: %s must be ", what, o->name); \
        if (k_ > 0 && (size_t)k_ < err_len) snprintf(err + k_, err_len - (size_t)k_, __VA_ARGS__); } \
        return NN_ERR_ARG; } while (0)
    if (o->kind == NN_KIND_LAYER) {
        char list[96];
        recurrent_list(list, sizeof list);
        FAIL("a layer (%s), got %s", list, got);
    }
    if (o->kind == NN_KIND_STRING) {
        if (!name) FAIL("a name, got %s", got);
        size_t len = strlen(name);
        int ok = len < (size_t)o->count;
        for (size_t i = 0; ok && i < len; i++) {
            char c = name[i];
            int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            ok = alnum || (i > 0 && (c == '_' || c == '-' || c == '.' || c == '/'));
        }
        if (!ok) FAIL("a letter or digit, then letters, digits, _ - . or / (fewer than %d), got %s", o->count, got);
        char *dst = (char *)cfg + o->offset;
        memcpy(dst, name, len + 1);
        return NN_OK;
    }
    if (o->kind == NN_KIND_NAMES) { /* one name, or ids: a list of canonical names */
        const char *list[MAX_NUMBERS];
        int ok = name ? 1 : count >= 0 && count <= MAX_NUMBERS;
        for (int i = 0; ok && !name && i < count; i++) ok = is_int_in(v[i], o->lo, o->names->count - 1);
        if (!ok) FAIL("a list of %s names or ids %d to %d, got %s", o->names->noun, (int)o->lo,
                      o->names->count - 1, got);
        if (name) list[0] = name;
        for (int i = 0; !name && i < count; i++) list[i] = nn_names_get(o->names, (int)v[i]);
        return nn_option_set_names(o, cfg, list, name ? 1 : count, what, err, err_len);
    }
    if (name && o->kind != NN_KIND_ENUM) {
        if (o->kind == NN_KIND_BOOL) FAIL("true or false, got %s", got);
        FAIL("a number, got %s", got);
    }
    switch (o->kind) {
    case NN_KIND_INT:
        int_rule(o, rule, sizeof rule);
        if (count != 1 || !is_int_in(v[0], o->lo, o->hi)) FAIL("%s, got %s", rule, got);
        *ints_at(o, cfg) = (int32_t)v[0];
        return NN_OK;
    case NN_KIND_FLOAT: {
        int hi_ok = count == 1 && ((o->flags & NN_OPTION_HI_OPEN) ? v[0] < o->hi : v[0] <= o->hi);
        if (count != 1 || !isfinite(v[0]) || !(v[0] >= o->lo) || !hi_ok)
            FAIL("a number in [%.9g, %.9g%s, got %s", o->lo, o->hi,
                 (o->flags & NN_OPTION_HI_OPEN) ? ")" : "]", got);
        *float_at(o, cfg) = (float)v[0];
        return NN_OK;
    }
    case NN_KIND_BOOL:
        if (count != 1 || (v[0] != 0 && v[0] != 1)) FAIL("true or false, got %s", got);
        *ints_at(o, cfg) = (int32_t)v[0];
        return NN_OK;
    case NN_KIND_ENUM: {
        int id = name ? nn_names_find(o->names, name)
                      : (count == 1 && is_int_in(v[0], 0, o->names->count - 1) ? (int)v[0] : -1);
        if (id < 0) {
            char list[160];
            size_t len = 0;
            list[0] = 0;
            for (int i = 0; i < o->names->count && len < sizeof list; i++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", o->names->names[i]);
            int same = !strcmp(o->name, o->names->noun); /* "unknown activation", not "... for activation" */
            if (err) snprintf(err, err_len, "%s: unknown %s%s %s%s%s (known: %s)", what, o->names->noun,
                              name ? "" : " id", got, same ? "" : " for ", same ? "" : o->name, list);
            return NN_ERR_ARG;
        }
        *ints_at(o, cfg) = id;
        return NN_OK;
    }
    case NN_KIND_INTS: {
        int_rule(o, rule, sizeof rule);
        int ok = count == 1 || count == o->count;
        for (int i = 0; ok && i < count; i++) ok = is_int_in(v[i], o->lo, o->hi);
        if (!ok) FAIL("%s or a list of %d of them, got %s", rule, o->count, got);
        for (int i = 0; i < o->count; i++) ints_at(o, cfg)[i] = (int32_t)v[count == 1 ? 0 : i];
        return NN_OK;
    }
    case NN_KIND_SHAPE: {
        int ok = count >= 1 && count <= NN_MAX_RANK;
        for (int i = 0; ok && i < count; i++) ok = v[i] == -1 || is_int_in(v[i], 1, o->hi);
        if (!ok) FAIL("1 to %d integers, each positive or -1, got %s", NN_MAX_RANK, got);
        int32_t *s = ints_at(o, cfg);
        s[0] = count;
        for (int i = 0; i < NN_MAX_RANK; i++) s[1 + i] = i < count ? (int32_t)v[i] : 0;
        return NN_OK;
    }
    default:
        FAIL("a known kind of value (table error: kind %d)", o->kind);
    }
#undef FAIL
}

int nn_option_set_names(const nn_option *o, void *cfg, const char *const *names, int n, const char *what,
                        char *err, size_t err_len)
{
    nn_name_list l;
    memset(&l, 0, sizeof l);
    if (o->kind != NN_KIND_NAMES || n < 0 || n > NN_MAX_METRICS || n > o->count) {
        if (err) snprintf(err, err_len, "%s: %s must be a list of at most %d %s names, got %d", what, o->name,
                          o->count < NN_MAX_METRICS ? o->count : NN_MAX_METRICS, o->names ? o->names->noun : "", n);
        return NN_ERR_ARG;
    }
    for (int i = 0; i < n; i++) {
        int id = nn_names_find(o->names, names[i]);
        size_t len = strlen(names[i]);
        if (id < (int)o->lo || len >= NN_LIST_NAME) {
            char list[160];
            size_t k = 0;
            list[0] = 0;
            for (int j = (int)o->lo; j < o->names->count && k < sizeof list; j++)
                k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", j > (int)o->lo ? ", " : "", o->names->names[j]);
            if (err) snprintf(err, err_len, "%s: unknown %s '%.40s' (known: %s)", what, o->names->noun, names[i], list);
            return NN_ERR_ARG;
        }
        for (int j = 0; j < i; j++)
            if (l.ids[j] == id) {
                if (err) snprintf(err, err_len, "%s: %s lists %s twice ('%s' and '%s')", what, o->name,
                                  o->names->names[id], l.names[j], names[i]);
                return NN_ERR_ARG;
            }
        l.ids[i] = id;
        memcpy(l.names[i], names[i], len + 1);
    }
    l.n = n;
    l.given = 1;
    memcpy((char *)cfg + o->offset, &l, sizeof l);
    return NN_OK;
}

/* The double nearest the shortest decimal that reads back as f: 0.05f gives 0.05, not
 * 0.0500000007, so configs read as they were written. */
static double shortest(float f)
{
    char buf[32];
    for (int p = 6; p < 9; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, (double)f);
        double d = strtod(buf, NULL);
        if ((float)d == f) return d;
    }
    return (double)f;
}

/* The numbers an option holds; returns their count. */
static int option_get(const nn_option *o, const void *cfg, double *v)
{
    const int32_t *iv = ints_at(o, (void *)cfg);
    switch (o->kind) {
    case NN_KIND_FLOAT: v[0] = shortest(*float_at(o, (void *)cfg)); return 1;
    case NN_KIND_INTS: for (int i = 0; i < o->count; i++) v[i] = iv[i]; return o->count;
    case NN_KIND_SHAPE: for (int i = 0; i < iv[0]; i++) v[i] = iv[1 + i]; return iv[0];
    case NN_KIND_STRING: return 0; /* not a number: read the string where it is */
    default: v[0] = iv[0]; return 1;
    }
}

void nn_options_defaults(const nn_option *o, int n, void *cfg)
{
    for (int i = 0; i < n; i++) {
        switch (o[i].kind) {
        case NN_KIND_FLOAT: *float_at(&o[i], cfg) = (float)o[i].def; break;
        case NN_KIND_INTS: for (int k = 0; k < o[i].count; k++) ints_at(&o[i], cfg)[k] = (int32_t)o[i].def; break;
        case NN_KIND_SHAPE: memset(ints_at(&o[i], cfg), 0, (1 + NN_MAX_RANK) * sizeof(int32_t)); break;
        case NN_KIND_LAYER: memset((char *)cfg + o[i].offset, 0, sizeof(nn_sub_spec)); break;
        case NN_KIND_STRING: memset((char *)cfg + o[i].offset, 0, (size_t)o[i].count); break;
        case NN_KIND_NAMES: memset((char *)cfg + o[i].offset, 0, sizeof(nn_name_list)); break;
        default: *ints_at(&o[i], cfg) = (int32_t)o[i].def;
        }
    }
}

static void encode_spec(const nn_layer_spec *s, nn_wbuf *w);

/* Every option, defaults included (a file keeps its meaning if a default changes), except a
 * required one never set: how many, then the entries. */
static int entries_count(const nn_option *o, int n, uint32_t given)
{
    int count = 0;
    for (int i = 0; i < n; i++)
        count += !(o[i].flags & (NN_OPTION_REQUIRED | NN_OPTION_OPTIONAL)) || (given & (1u << i));
    return count;
}

static void entries_write(const nn_option *o, int n, const void *cfg, uint32_t given, nn_wbuf *w);

void nn_options_encode(const nn_option *o, int n, const void *cfg, uint32_t given, nn_wbuf *w)
{
    nn_put_u16(w, (uint16_t)entries_count(o, n, given));
    entries_write(o, n, cfg, given, w);
}

static void entries_write(const nn_option *o, int n, const void *cfg, uint32_t given, nn_wbuf *w)
{
    for (int i = 0; i < n; i++) {
        if ((o[i].flags & (NN_OPTION_REQUIRED | NN_OPTION_OPTIONAL)) && !(given & (1u << i))) continue;
        if (o[i].kind == NN_KIND_NAMES) { /* u8 n, n names as written */
            const nn_name_list *l = (const nn_name_list *)(const void *)((const char *)cfg + o[i].offset);
            uint8_t b[2] = {TAG_NAMES, (uint8_t)l->n};
            put_str(w, o[i].name);
            nn_put_bytes(w, b, 2);
            for (int j = 0; j < l->n; j++) put_str(w, l->names[j]);
            continue;
        }
        if (o[i].kind == NN_KIND_STRING) {
            uint8_t t = TAG_NAME;
            put_str(w, o[i].name);
            nn_put_bytes(w, &t, 1);
            put_str(w, (const char *)cfg + o[i].offset);
            continue;
        }
        double v[MAX_NUMBERS];
        int k = option_get(&o[i], cfg, v);
        put_str(w, o[i].name);
        if (o[i].kind == NN_KIND_LAYER) {
            uint8_t t = TAG_SPEC;
            nn_put_bytes(w, &t, 1);
            nn_layer_spec sub = nn_sub_spec_get((const nn_sub_spec *)(const void *)((const char *)cfg + o[i].offset));
            encode_spec(&sub, w);
        } else if (o[i].kind == NN_KIND_BOOL) {
            uint8_t b[2] = {TAG_BOOL, v[0] != 0};
            nn_put_bytes(w, b, 2);
        } else if (o[i].kind == NN_KIND_ENUM) {
            uint8_t t = TAG_NAME;
            nn_put_bytes(w, &t, 1);
            put_str(w, nn_names_get(o[i].names, (int)v[0]));
        } else {
            uint8_t b[2] = {TAG_NUMBERS, (uint8_t)k};
            nn_put_bytes(w, b, 2);
            for (int j = 0; j < k; j++) put_f64(w, v[j]);
        }
    }
}

static int find_option(const nn_option *o, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(key, o[i].name) || (o[i].alias && !strcmp(key, o[i].alias))) return i;
    return -1;
}

/* Options every layer type has, kept in the spec itself rather than the type's config (offsets
 * are from the nn_layer_spec). */
static const nn_option common_options[] = {
    {"trainable", NN_KIND_BOOL, 0, 1, 0, 1, 0, NULL, offsetof(nn_layer_spec, trainable), NULL,
     "update the weights when training (false: frozen for optimizers compiled after)"},
    {"name", NN_KIND_STRING, NN_LAYER_NAME, 0, 0, 0, 0, NULL, offsetof(nn_layer_spec, name), NULL,
     "the layer's name, unique in its model (default: its class in snake_case, numbered: dense, dense_1)"},
};
#define N_COMMON ((int)NN_COUNT_OF(common_options))

int nn_layer_common_options(const nn_option **out)
{
    if (out) *out = common_options;
    return N_COMMON;
}

static void unknown_option(const nn_option *o, int n, const char *what, const char *key, char *err,
                           size_t err_len)
{
    if (!err) return;
    int len = snprintf(err, err_len, "%s: unknown option '%s' (options: ", what, key);
    for (int i = 0; i < n && len > 0 && (size_t)len < err_len; i++)
        len += snprintf(err + len, err_len - (size_t)len, "%s%s", i ? ", " : "", o[i].name);
    if (n == 0 && len > 0 && (size_t)len < err_len) len += snprintf(err + len, err_len - (size_t)len, "none");
    if (len > 0 && (size_t)len < err_len) snprintf(err + len, err_len - (size_t)len, ")");
}

static int spec_decode(nn_rbuf *r, nn_layer_spec *out, int depth, char *err);

/* Decode u16 n entries into cfg; *given gets a bit per option set. err holds NN_ERR_LEN bytes.
 * depth: 0 for a spec's own entries, 1 inside a nested spec (which may not nest again). */
static int decode_entries(const nn_option *o, int n, void *cfg, uint32_t *given, nn_layer_spec *spec,
                          const char *what, nn_rbuf *r, int depth, char *err)
{
    uint16_t count = nn_get_u16(r);
    for (uint16_t e = 0; e < count && !r->bad; e++) {
        char key[MAX_NAME + 1], name[MAX_NAME + 1];
        if (!get_str(r, key)) break;
        const uint8_t *tag = take(r, 1);
        if (!tag) break;
        double v[MAX_NUMBERS];
        int k = 0, is_list = 0;
        const char *nm = NULL;
        char list[MAX_NUMBERS][MAX_NAME + 1];
        const char *listp[MAX_NUMBERS];
        nn_layer_spec sub;
        if (*tag == TAG_SPEC) { /* checked for depth before it is read: the recursion stops here */
            char msg[NN_ERR_LEN];
            if (depth > 0)
                return nn_fail_buf(err, NN_ERR_ARG, "%s: %s holds a layer inside a nested layer: layers nest "
                                   "one level deep", what, key);
            int st = spec_decode(r, &sub, depth + 1, msg);
            if (st != NN_OK) return nn_fail_buf(err, st, "%s: %s: %s", what, key, msg);
        } else if (*tag == TAG_NUMBERS) {
            const uint8_t *c = take(r, 1);
            if (!c) break;
            if (*c == 0 || *c > MAX_NUMBERS)
                return nn_fail_buf(err, NN_ERR_ARG, "%s: %s has %u values, at most %d are read",
                                   what, key, *c, MAX_NUMBERS);
            for (k = 0; k < *c; k++) v[k] = get_f64(r);
        } else if (*tag == TAG_BOOL) {
            const uint8_t *b = take(r, 1);
            if (!b) break;
            v[0] = *b != 0;
            k = 1;
        } else if (*tag == TAG_NAME) {
            if (!get_str(r, name)) break;
            nm = name;
        } else if (*tag == TAG_NAMES) { /* counted before it is read */
            const uint8_t *c = take(r, 1);
            if (!c) break;
            if (*c > MAX_NUMBERS)
                return nn_fail_buf(err, NN_ERR_ARG, "%s: %s has %u names, at most %d are read", what, key, *c, MAX_NUMBERS);
            for (k = 0; k < *c && get_str(r, list[k]); k++) listp[k] = list[k];
            if (k < *c) break;
            is_list = 1;
        } else {
            return nn_fail_buf(err, NN_ERR_FORMAT, "%s: %s has an unknown value tag %u", what, key, *tag);
        }
        if (r->bad) break;
        int i = find_option(o, n, key);
        const nn_option *opts = o;
        void *dst = cfg;
        if (i < 0 && spec && (i = find_option(common_options, N_COMMON, key)) >= 0) {
            opts = common_options;
            dst = spec;
        }
        if (i < 0) {
            unknown_option(o, n, what, key, err, NN_ERR_LEN);
            return NN_ERR_ARG;
        }
        if (is_list) {
            if (opts[i].kind != NN_KIND_NAMES && k == 0) /* [] : the option's own rule, "got []" */
                return nn_option_set(&opts[i], dst, v, 0, NULL, what, err, NN_ERR_LEN);
            if (opts[i].kind != NN_KIND_NAMES)
                return nn_fail_buf(err, NN_ERR_ARG, "%s: %s must be a %s, got a list of names", what, opts[i].name,
                                   opts[i].kind == NN_KIND_STRING || opts[i].kind == NN_KIND_ENUM ? "name" : "value");
            int st = nn_option_set_names(&opts[i], dst, listp, k, what, err, NN_ERR_LEN);
            if (st != NN_OK) return st;
            if (given && opts == o && i < 32) *given |= 1u << i;
            continue;
        }
        if (*tag == TAG_BOOL && opts[i].kind == NN_KIND_NAMES)
            return nn_fail_buf(err, NN_ERR_ARG, "%s: %s must be a list of names, got %s", what, opts[i].name, v[0] ? "true" : "false");
        if (*tag == TAG_BOOL && opts[i].kind == NN_KIND_STRING)
            return nn_fail_buf(err, NN_ERR_ARG, "%s: %s must be a name, got %s", what, opts[i].name, v[0] ? "true" : "false");
        if (*tag == TAG_BOOL && opts[i].kind != NN_KIND_BOOL && opts[i].kind != NN_KIND_LAYER)
            return nn_fail_buf(err, NN_ERR_ARG, "%s: %s must be a number%s, got %s", what, opts[i].name,
                               opts[i].kind == NN_KIND_ENUM ? " or a name" : "", v[0] ? "true" : "false");
        int st = *tag == TAG_SPEC ? nn_option_set_layer(&opts[i], dst, &sub, what, err, NN_ERR_LEN)
                                  : nn_option_set(&opts[i], dst, v, k, nm, what, err, NN_ERR_LEN);
        if (st != NN_OK) return st;
        if (given && opts == o && i < 32) *given |= 1u << i;
    }
    if (r->bad) return nn_fail_buf(err, NN_ERR_FORMAT, "%s: truncated options", what);
    return NN_OK;
}

int nn_options_decode(const nn_option *o, int n, void *cfg, uint32_t *given, const char *what,
                      nn_rbuf *r, char *err)
{
    return decode_entries(o, n, cfg, given, NULL, what, r, 0, err);
}

/* ---- specs ---- */
nn_layer_spec nn_spec(int type)
{
    nn_layer_spec s;
    memset(&s, 0, sizeof s);
    s.type = type;
    const nn_layer_ops *ops = nn_layer_ops_for(type);
    if (!ops) snprintf(s.err, sizeof s.err, "unknown layer type %d", type);
    else if (ops->cfg_size > NN_SPEC_BYTES) /* a table error: the config does not fit a spec */
        snprintf(s.err, sizeof s.err, "%s: its config takes %zu bytes, a spec holds %d", ops->func,
                 ops->cfg_size, NN_SPEC_BYTES);
    else nn_options_defaults(ops->options, ops->n_options, s.cfg.bytes);
    nn_options_defaults(common_options, N_COMMON, &s);
    return s;
}

/* The option named `option` of s's type, or a common one (then *common is set: its values live
 * in the spec, not in cfg). */
static const nn_option *spec_option(nn_layer_spec *s, const char *option, int *index, int *common)
{
    const nn_layer_ops *ops = s ? nn_layer_ops_for(s->type) : NULL;
    if (!ops) return NULL;
    int i = option ? find_option(ops->options, ops->n_options, option) : -1;
    *common = 0;
    if (i < 0 && option && (i = find_option(common_options, N_COMMON, option)) >= 0) {
        *common = 1;
        *index = i;
        return &common_options[i];
    }
    if (i < 0) {
        if (!s->err[0]) unknown_option(ops->options, ops->n_options, ops->func, option ? option : "(null)",
                                       s->err, sizeof s->err);
        return NULL;
    }
    *index = i;
    return &ops->options[i];
}

static int spec_set(nn_layer_spec *s, const char *option, const double *v, int n, const char *name)
{
    int i, common;
    if (!s) return NN_ERR_ARG;
    const nn_option *o = spec_option(s, option, &i, &common);
    if (!o) return NN_ERR_ARG;
    char msg[sizeof s->err];
    int st = nn_option_set(o, common ? (void *)s : s->cfg.bytes, v, n, name, nn_layer_ops_for(s->type)->func,
                           msg, sizeof msg);
    if (st != NN_OK) { if (!s->err[0]) memcpy(s->err, msg, sizeof msg); return st; }
    if (!common && i < 32) s->given |= 1u << i;
    return NN_OK;
}

int nn_spec_set(nn_layer_spec *s, const char *option, double value) { return spec_set(s, option, &value, 1, NULL); }

int nn_spec_set_layer(nn_layer_spec *s, const char *option, const nn_layer_spec *layer)
{
    int i, common;
    if (!s) return NN_ERR_ARG;
    const nn_option *o = spec_option(s, option, &i, &common);
    if (!o) return NN_ERR_ARG;
    char msg[sizeof s->err];
    int st = nn_option_set_layer(o, s->cfg.bytes, layer, nn_layer_ops_for(s->type)->func, msg, sizeof msg);
    if (st != NN_OK) { if (!s->err[0]) memcpy(s->err, msg, sizeof msg); return st; }
    if (i < 32) s->given |= 1u << i;
    return NN_OK;
}

int nn_spec_get_layer(const nn_layer_spec *s, const char *option, nn_layer_spec *out)
{
    const nn_layer_ops *ops = s ? nn_layer_ops_for(s->type) : NULL;
    int i = ops && option ? find_option(ops->options, ops->n_options, option) : -1;
    if (i < 0 || ops->options[i].kind != NN_KIND_LAYER || !out) return NN_ERR_ARG;
    const nn_sub_spec *sub = (const nn_sub_spec *)(const void *)(s->cfg.bytes + ops->options[i].offset);
    if (!nn_layer_ops_for(sub->type)) return NN_ERR_ARG;
    *out = nn_sub_spec_get(sub);
    return NN_OK;
}

int nn_spec_set_ints(nn_layer_spec *s, const char *option, int n, const int *values)
{
    double v[MAX_NUMBERS];
    if (!values || n < 1 || n > MAX_NUMBERS) n = 0;
    for (int i = 0; i < n; i++) v[i] = values[i];
    return spec_set(s, option, v, n, NULL);
}

int nn_spec_set_name(nn_layer_spec *s, const char *option, const char *value)
{
    return spec_set(s, option, NULL, 0, value ? value : "(null)");
}

int nn_spec_get(const nn_layer_spec *s, const char *option, double *values, int max)
{
    const nn_layer_ops *ops = s ? nn_layer_ops_for(s->type) : NULL;
    int i = ops && option ? find_option(ops->options, ops->n_options, option) : -1;
    double v[MAX_NUMBERS];
    int k;
    if (i >= 0) k = option_get(&ops->options[i], s->cfg.bytes, v);
    else if (ops && option && (i = find_option(common_options, N_COMMON, option)) >= 0) k = option_get(&common_options[i], s, v);
    else return 0;
    for (int j = 0; j < k && j < max; j++) values[j] = v[j];
    return k;
}

static void encode_spec(const nn_layer_spec *s, nn_wbuf *w)
{
    const nn_layer_ops *ops = nn_layer_ops_for(s->type);
    put_str(w, ops->name);
    nn_put_u16(w, (uint16_t)(entries_count(ops->options, ops->n_options, s->given) + N_COMMON));
    entries_write(ops->options, ops->n_options, s->cfg.bytes, s->given, w);
    entries_write(common_options, N_COMMON, s, ~0u, w);
}

size_t nn_spec_encode(const nn_layer_spec *s, void *buf, size_t cap)
{
    if (!s || !nn_layer_ops_for(s->type)) return 0;
    nn_wbuf w = {buf, 0, buf ? cap : 0};
    encode_spec(s, &w);
    return w.len;
}

static int spec_decode(nn_rbuf *r, nn_layer_spec *out, int depth, char *err)
{
    char cls[MAX_NAME + 1];
    if (!get_str(r, cls)) return nn_fail_buf(err, NN_ERR_FORMAT, "truncated layer spec");
    int type = nn_layer_type_from_name(cls);
    if (type < 0) return nn_fail_buf(err, NN_ERR_ARG, "unknown layer type '%s'", cls);
    *out = nn_spec(type);
    const nn_layer_ops *ops = nn_layer_ops_for(type);
    return decode_entries(ops->options, ops->n_options, out->cfg.bytes, &out->given, out, ops->func, r, depth, err);
}

int nn_spec_decode(const void *buf, size_t len, nn_layer_spec *out, char *err)
{
    if (!buf || !out) return nn_fail_buf(err, NN_ERR_ARG, "no spec bytes");
    nn_rbuf r = {buf, len, 0, 0};
    int st = spec_decode(&r, out, 0, err);
    if (st == NN_OK && r.pos != r.len)
        return nn_fail_buf(err, NN_ERR_FORMAT, "%zu bytes after the layer spec", r.len - r.pos);
    return st;
}

int nn_spec_validate(const nn_layer_spec *s, char *err)
{
    const nn_layer_ops *ops = s ? nn_layer_ops_for(s->type) : NULL;
    if (!ops) return nn_fail_buf(err, NN_ERR_ARG, "unknown layer type %d", s ? s->type : -1);
    if (s->err[0]) return nn_fail_buf(err, NN_ERR_ARG, "%s", s->err);
    for (int i = 0; i < ops->n_options; i++)
        if ((ops->options[i].flags & NN_OPTION_REQUIRED) && !(s->given & (1u << i)))
            return nn_fail_buf(err, NN_ERR_ARG, "%s: %s is missing: %s", ops->func,
                               ops->options[i].name, ops->options[i].doc);
    return NN_OK;
}

/* Used by io.c: a spec inside a file, read through the file's reader. */
int nn_spec_read(nn_rbuf *r, nn_layer_spec *out, char *err) { return spec_decode(r, out, 0, err); }
