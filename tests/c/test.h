/* test.h - the C tests' tiny harness: CHECK macros, a failure count, one summary line.
 * Each tests/c/test_*.c is a program; ctest runs it natively and, built with emcc, under Node. */
#ifndef NN_TEST_H
#define NN_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int nt_checks, nt_failed;
static const char *nt_current = "";

#define CHECK(cond) do { nt_checks++; if (!(cond)) { nt_failed++; \
    printf("FAIL %s:%d [%s] %s\n", __FILE__, __LINE__, nt_current, #cond); } } while (0)

#define CHECK_NEAR(a, b, tol) do { double nt_a = (a), nt_b = (b); nt_checks++; \
    if (!(fabs(nt_a - nt_b) <= (tol)) ) { nt_failed++; \
    printf("FAIL %s:%d [%s] %s = %.9g, %s = %.9g, tol %g\n", __FILE__, __LINE__, nt_current, \
           #a, nt_a, #b, nt_b, (double)(tol)); } } while (0)

#define RUN(fn) do { nt_current = #fn; int nt_before = nt_failed; fn(); \
    printf("%s %s\n", nt_failed == nt_before ? "ok  " : "FAIL", #fn); } while (0)

static int nt_summary(const char *suite)
{
    printf("%s: %d checks, %d failed\n", suite, nt_checks, nt_failed);
    return nt_failed ? 1 : 0;
}

/* A file from tests/fixtures (NN_SOURCE_DIR is the source tree; ctest sets it), malloc'd; NULL if
 * it cannot be read. */
static inline unsigned char *nt_fixture(const char *name, size_t *len)
{
    char path[512];
    const char *dir = getenv("NN_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/fixtures/%s", dir ? dir : ".", name);
    FILE *f = fopen(path, "rb");
    if (!f) { printf("  cannot open %s\n", path); return NULL; }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = n < 0 ? NULL : malloc((size_t)n + 1);
    *len = b ? fread(b, 1, (size_t)n, f) : 0;
    fclose(f);
    return b;
}

#endif
