/* rng.c - xoshiro128** seeded with splitmix32; see rng.h. */
#include "rng.h"
#include "nn.h"
#include <math.h>

static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static uint32_t splitmix32(uint32_t *x)
{
    uint32_t z = (*x += 0x9e3779b9u);
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    return z ^ (z >> 16);
}

void nn_rng_seed(nn_rng *r, uint32_t seed)
{
    uint32_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix32(&x);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1; /* all-zero state is a fixed point */
    r->has_spare = 0;
    r->spare = 0.0f;
}

uint32_t nn_rng_u32(nn_rng *r)
{
    uint32_t *s = r->s;
    uint32_t result = rotl(s[1] * 5u, 7) * 9u;
    uint32_t t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
}

float nn_rng_uniform(nn_rng *r) { return (float)(nn_rng_u32(r) >> 8) * (1.0f / 16777216.0f); }

uint32_t nn_rng_below(nn_rng *r, uint32_t n)
{
    if (n <= 1) return 0;
    uint32_t limit = (uint32_t)(-n) % n; /* reject the first 2^32 mod n values */
    for (;;) {
        uint32_t v = nn_rng_u32(r);
        if (v >= limit) return v % n;
    }
}

float nn_rng_normal(nn_rng *r)
{
    if (r->has_spare) { r->has_spare = 0; return r->spare; }
    /* Box-Muller in double: float log/cos could differ between libms more than we like */
    double u1 = ((double)nn_rng_u32(r) + 1.0) * (1.0 / 4294967296.0); /* (0, 1] */
    double u2 = (double)nn_rng_u32(r) * (1.0 / 4294967296.0);
    double rad = sqrt(-2.0 * log(u1));
    double th = 6.283185307179586 * u2;
    r->spare = (float)(rad * sin(th));
    r->has_spare = 1;
    return (float)(rad * cos(th));
}

int nn_random_fill(float *out, size_t n, int normal, float a, float b, uint32_t seed)
{
    if (!out && n) return NN_ERR_ARG;
    if (!isfinite(a) || !isfinite(b) || (normal ? b < 0.0f : b < a)) return NN_ERR_ARG;
    nn_rng r;
    nn_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) out[i] = normal ? a + b * nn_rng_normal(&r) : a + (b - a) * nn_rng_uniform(&r);
    return NN_OK;
}
