/* alloc_limit.h - force-included (-include) into the core when building the fuzz harnesses: routes
 * NN_MALLOC and friends through alloc_limit.c, which can refuse large blocks (see there). */
#ifndef NN_FUZZ_ALLOC_LIMIT_H
#define NN_FUZZ_ALLOC_LIMIT_H
#include <stddef.h>
void *nn_fuzz_malloc(size_t n);
void *nn_fuzz_calloc(size_t n, size_t size);
void *nn_fuzz_realloc(void *p, size_t n);
void nn_fuzz_free(void *p);
#define NN_MALLOC(n) nn_fuzz_malloc(n)
#define NN_CALLOC(n, s) nn_fuzz_calloc(n, s)
#define NN_REALLOC(p, n) nn_fuzz_realloc(p, n)
#define NN_FREE(p) nn_fuzz_free(p)
#endif
