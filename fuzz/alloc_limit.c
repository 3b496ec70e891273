/* alloc_limit.c - the core's allocator in the fuzz harnesses. With NNPLAY_FUZZ_MAX_ALLOC_MB=N set,
 * a block over N MiB is refused (NULL), as a browser tab's wasm memory refuses one past its limit:
 * the core must then fail with NN_ERR_NOMEM, and the fuzzer stays fast instead of spending seconds
 * filling huge arrays. Unset (the default, and for replaying fuzz/regressions/), nothing is refused
 * and libFuzzer's own -malloc_limit_mb reports a huge block as a crash. */
#include "alloc_limit.h"

#include <stdlib.h>

static size_t limit(void)
{
    static size_t bytes = (size_t)-1;
    static int read;
    if (!read) {
        const char *s = getenv("NNPLAY_FUZZ_MAX_ALLOC_MB");
        long mb = s ? atol(s) : 0;
        if (mb > 0) bytes = (size_t)mb << 20;
        read = 1;
    }
    return bytes;
}

void *nn_fuzz_malloc(size_t n) { return n > limit() ? NULL : malloc(n); }
void *nn_fuzz_calloc(size_t n, size_t size)
{
    return size && n > limit() / size ? NULL : calloc(n, size);
}
void *nn_fuzz_realloc(void *p, size_t n) { return n > limit() ? NULL : realloc(p, n); }
void nn_fuzz_free(void *p) { free(p); }
