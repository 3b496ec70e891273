/* rng.h - internal: the deterministic RNG every random choice goes through.
 * xoshiro128** (32-bit ops only, so wasm32 and x86 give identical streams), seeded by splitmix32.
 * The state lives in its owner (model, generator call): there is no global RNG. */
#ifndef NN_RNG_H
#define NN_RNG_H

#include <stdint.h>

typedef struct { uint32_t s[4]; int has_spare; float spare; } nn_rng;

void nn_rng_seed(nn_rng *r, uint32_t seed);
uint32_t nn_rng_u32(nn_rng *r);
/* uniform in [0, 1) with 24 random bits */
float nn_rng_uniform(nn_rng *r);
/* uniform integer in [0, n) without modulo bias */
uint32_t nn_rng_below(nn_rng *r, uint32_t n);
/* standard normal (Box-Muller, cached pair) */
float nn_rng_normal(nn_rng *r);

#endif
