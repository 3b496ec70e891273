/* csv.c - numeric CSV from a memory buffer, with messages that point at the offending line. */
#include "nn_data.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef NN_MALLOC
#define NN_MALLOC malloc
#endif
#ifndef NN_REALLOC
#define NN_REALLOC realloc
#endif
#ifndef NN_FREE
#define NN_FREE free
#endif

/* A record's fields, unquoted and NUL-terminated, packed one after another in buf. */
typedef struct {
    const char *p, *end;
    char delim;
    int line;          /* 1-based line of p */
    int rec_line;      /* line where the current record starts */
    char *buf;
    size_t len, cap;
    size_t *off;       /* start of each field in buf */
    int nf, off_cap;
    char *err;         /* NN_ERR_LEN bytes */
} reader;

static void fail(reader *rd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rd->err, NN_ERR_LEN, fmt, ap);
    va_end(ap);
}

static int push_char(reader *rd, char c)
{
    if (rd->len == rd->cap) {
        size_t cap = rd->cap ? rd->cap * 2 : 256;
        char *b = NN_REALLOC(rd->buf, cap);
        if (!b) return -2;
        rd->buf = b;
        rd->cap = cap;
    }
    rd->buf[rd->len++] = c;
    return 0;
}

/* Close the field that started at start. */
static int end_field(reader *rd, size_t start)
{
    if (push_char(rd, '\0')) return -2;
    if (rd->nf == rd->off_cap) {
        if (rd->off_cap > INT_MAX / 2) return -2;
        int cap = rd->off_cap ? rd->off_cap * 2 : 16;
        size_t *o = NN_REALLOC(rd->off, (size_t)cap * sizeof *o);
        if (!o) return -2;
        rd->off = o;
        rd->off_cap = cap;
    }
    rd->off[rd->nf++] = start;
    return 0;
}

static int is_eol(char c) { return c == '\n' || c == '\r'; }

/* A NUL would silently end the field in buf (fields are NUL-terminated there): refuse it. */
static int nul_in_field(reader *rd)
{
    fail(rd, "line %d, column %d: NUL character (byte 0) in a field", rd->line, rd->nf + 1);
    return -3;
}

/* Spaces around fields; a tab is a field separator in TSV, so only a space there. */
static int is_space(const reader *rd, char c) { return c == ' ' || (c == '\t' && rd->delim != '\t'); }

/* Step over one line break (\n, \r\n or a lone \r). */
static void skip_eol(reader *rd)
{
    if (rd->p < rd->end && *rd->p == '\r') rd->p++;
    if (rd->p < rd->end && *rd->p == '\n') rd->p++;
    rd->line++;
}

/* Read the next non-blank record into buf/off/nf. Returns 1, 0 at the end, or a negative status. */
static int read_record(reader *rd)
{
    for (;;) { /* skip blank lines */
        const char *q = rd->p;
        while (q < rd->end && (*q == ' ' || *q == '\t')) q++;
        if (q == rd->end) { rd->p = q; return 0; }
        if (!is_eol(*q)) break;
        rd->p = q;
        skip_eol(rd);
    }
    rd->rec_line = rd->line;
    rd->len = 0;
    rd->nf = 0;
    for (;;) {
        while (rd->p < rd->end && is_space(rd, *rd->p)) rd->p++;
        size_t start = rd->len;
        if (rd->p < rd->end && *rd->p == '"') {
            int quote_line = rd->line;
            rd->p++;
            for (;;) {
                if (rd->p == rd->end) {
                    fail(rd, "line %d, column %d: unterminated quoted field", quote_line, rd->nf + 1);
                    return -3;
                }
                char c = *rd->p++;
                if (c == '\0') return nul_in_field(rd);
                if (c == '"') {
                    if (rd->p < rd->end && *rd->p == '"') rd->p++; /* "" is one quote */
                    else break;
                } else if (c == '\n' || (c == '\r' && (rd->p == rd->end || *rd->p != '\n'))) {
                    rd->line++; /* a line break inside quotes is part of the field */
                }
                if (push_char(rd, c)) return -2;
            }
            while (rd->p < rd->end && is_space(rd, *rd->p)) rd->p++;
            if (rd->p < rd->end && *rd->p != rd->delim && !is_eol(*rd->p)) {
                unsigned char c = (unsigned char)*rd->p;
                if (c == 0) return nul_in_field(rd);
                if (c >= 0x20 && c < 0x7F)
                    fail(rd, "line %d, column %d: unexpected '%c' after a closing quote", rd->line,
                         rd->nf + 1, c);
                else /* a control byte or part of a UTF-8 sequence: not printable on its own */
                    fail(rd, "line %d, column %d: unexpected byte 0x%02X after a closing quote",
                         rd->line, rd->nf + 1, c);
                return -3;
            }
        } else {
            while (rd->p < rd->end && *rd->p != rd->delim && !is_eol(*rd->p)) {
                if (*rd->p == '\0') return nul_in_field(rd);
                if (push_char(rd, *rd->p++)) return -2;
            }
            while (rd->len > start && is_space(rd, rd->buf[rd->len - 1])) rd->len--;
        }
        if (end_field(rd, start)) return -2;
        if (rd->p < rd->end && *rd->p == rd->delim) { rd->p++; continue; }
        if (rd->p < rd->end) skip_eol(rd);
        return 1;
    }
}

/* ',' if the first non-blank line has a comma outside quotes, else ';' or tab if it has one. */
static char detect_delim(const char *p, const char *end)
{
    int in_quotes = 0, semi = 0, tab = 0, blank = 1;
    for (; p < end; p++) {
        char c = *p;
        if (c == '"') in_quotes = !in_quotes;
        if (in_quotes) continue;
        if (is_eol(c)) {
            if (!blank) break;
            semi = tab = 0;
            continue;
        }
        if (c == ',') return ',';
        if (c == ';') semi = 1;
        if (c == '\t') tab = 1;
        if (c != ' ' && c != '\t') blank = 0;
    }
    return semi ? ';' : tab ? '\t' : ',';
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* 0 ok, 1 not a number, 2 not finite as a float. Only decimal syntax is accepted, so strtof's
 * nan, inf and hex forms are rejected (and a non-C locale shows up as an error, not a wrong value). */
static int parse_number(const char *s, float *out)
{
    while (*s == ' ' || *s == '\t') s++;
    const char *q = s;
    int digits = 0;
    if (*q == '+' || *q == '-') q++;
    for (; is_digit(*q); q++) digits++;
    if (*q == '.')
        for (q++; is_digit(*q); q++) digits++;
    if (!digits) return 1;
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-') q++;
        if (!is_digit(*q)) return 1;
        while (is_digit(*q)) q++;
    }
    const char *num_end = q;
    while (*q == ' ' || *q == '\t') q++;
    if (*q) return 1;
    char *e;
    float v = strtof(s, &e);
    if (e != num_end) return 1;
    if (!isfinite(v)) return 2;
    *out = v;
    return 0;
}

/* names and their strings in one block, so one free releases them. */
static char **make_names(const reader *rd, int has_header, int cols)
{
    size_t ptrs = (size_t)cols * sizeof(char *);
    size_t chars = has_header ? rd->len : (size_t)cols * 16; /* "c" + up to 10 digits + NUL */
    char **names = NN_MALLOC(ptrs + chars);
    if (!names) return NULL;
    char *s = (char *)names + ptrs;
    if (has_header) {
        memcpy(s, rd->buf, rd->len);
        for (int c = 0; c < cols; c++) names[c] = s + rd->off[c];
    } else {
        for (int c = 0; c < cols; c++) {
            names[c] = s + (size_t)c * 16;
            snprintf(names[c], 16, "c%d", c);
        }
    }
    return names;
}

int nn_csv_parse(const char *text, size_t len, int header, nn_csv *out)
{
    if (!out) return -1;
    memset(out, 0, sizeof *out);
    if ((!text && len) || header < -1 || header > 1) {
        snprintf(out->error, NN_ERR_LEN, "bad argument");
        return -1;
    }
    if (len >= (size_t)INT_MAX) { /* keeps line numbers and counts in int */
        snprintf(out->error, NN_ERR_LEN, "text too large");
        return -1;
    }
    if (!text) text = "";
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { text += 3; len -= 3; }

    reader rd = {0};
    rd.p = text;
    rd.end = text + len;
    rd.delim = detect_delim(rd.p, rd.end);
    rd.line = 1;
    rd.err = out->error;

    float *data = NULL;
    char **names = NULL;
    int rows = 0, cap_rows = 0, cols = 0, has_header = 0, status;

    status = read_record(&rd);
    if (status < 0) goto done;
    if (status == 0) { fail(&rd, "no data rows"); status = -3; goto done; }
    cols = rd.nf;
    has_header = header == 1;
    if (header == -1) {
        float v;
        for (int c = 0; c < cols && !has_header; c++)
            has_header = parse_number(rd.buf + rd.off[c], &v) != 0;
    }
    names = make_names(&rd, has_header, cols);
    if (!names) { status = -2; goto done; }
    if (has_header) status = read_record(&rd);

    for (; status == 1; status = read_record(&rd)) {
        if (rd.nf != cols) {
            fail(&rd, "line %d has %d field%s, expected %d", rd.rec_line, rd.nf,
                 rd.nf == 1 ? "" : "s", cols);
            status = -3;
            goto done;
        }
        if (rows == cap_rows) {
            int cap = cap_rows ? (cap_rows > INT_MAX / 2 ? INT_MAX : cap_rows * 2) : 64;
            if (rows == INT_MAX || (size_t)cap > SIZE_MAX / sizeof(float) / (size_t)cols) {
                status = -2;
                goto done;
            }
            float *d = NN_REALLOC(data, (size_t)cap * (size_t)cols * sizeof(float));
            if (!d) { status = -2; goto done; }
            data = d;
            cap_rows = cap;
        }
        float *row = data + (size_t)rows * (size_t)cols;
        for (int c = 0; c < cols; c++) {
            const char *f = rd.buf + rd.off[c];
            int bad = parse_number(f, &row[c]);
            if (!bad) continue;
            char where[96];
            if (has_header)
                snprintf(where, sizeof where, "line %d, column %d ('%.40s')", rd.rec_line, c + 1, names[c]);
            else
                snprintf(where, sizeof where, "line %d, column %d", rd.rec_line, c + 1);
            if (!*f) fail(&rd, "%s: empty field", where);
            else if (bad == 1) fail(&rd, "%s: '%.40s' is not a number", where, f);
            else fail(&rd, "%s: '%.40s' is out of float range", where, f);
            status = -3;
            goto done;
        }
        rows++;
    }
    if (status == 0 && rows == 0) { fail(&rd, "no data rows"); status = -3; }

done:
    NN_FREE(rd.buf);
    NN_FREE(rd.off);
    if (status < 0) {
        if (status == -2) snprintf(out->error, NN_ERR_LEN, "out of memory");
        NN_FREE(data);
        NN_FREE(names);
        return status;
    }
    out->rows = rows;
    out->cols = cols;
    out->data = data;
    out->names = names;
    out->has_header = has_header;
    out->error[0] = '\0';
    return 0;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

static int equal_nocase(const char *a, const char *b)
{
    for (; *a && lower((unsigned char)*a) == lower((unsigned char)*b); a++, b++) {}
    return !*a && !*b;
}

int nn_csv_column(const nn_csv *csv, const char *name)
{
    if (!csv || !csv->names || !name) return -1;
    for (int c = 0; c < csv->cols; c++)
        if (strcmp(csv->names[c], name) == 0) return c;
    for (int c = 0; c < csv->cols; c++)
        if (equal_nocase(csv->names[c], name)) return c;
    return -1;
}

int nn_csv_select(const nn_csv *csv, const int *feature_cols, int n_features, int label_col,
                  float *x, float *y)
{
    if (!csv || n_features < 0 || (csv->rows > 0 && !csv->data)) return -1;
    if (n_features > 0 && (!feature_cols || !x)) return -1;
    if (label_col < -1 || label_col >= csv->cols || (label_col >= 0 && !y)) return -1;
    for (int j = 0; j < n_features; j++)
        if (feature_cols[j] < 0 || feature_cols[j] >= csv->cols) return -1;
    for (int i = 0; i < csv->rows; i++) {
        const float *row = csv->data + (size_t)i * (size_t)csv->cols;
        for (int j = 0; j < n_features; j++) x[(size_t)i * (size_t)n_features + j] = row[feature_cols[j]];
        if (label_col >= 0) y[i] = row[label_col];
    }
    return 0;
}

void nn_csv_free(nn_csv *csv)
{
    if (!csv) return;
    NN_FREE(csv->data);
    NN_FREE(csv->names);
    csv->data = NULL;
    csv->names = NULL;
    csv->rows = csv->cols = 0;
}
