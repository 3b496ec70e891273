/* init.c - weight initializers (Glorot/He as in Keras: uniform limit sqrt(k/fan), normal std). */
#include "nn_internal.h"
#include <math.h>
#include <string.h>

/* A rows x cols matrix with orthonormal columns (rows >= cols) or rows (rows < cols), as Keras's
 * Orthogonal: normal values, then modified Gram-Schmidt in double along the longer side. */
static void orthogonal(float *w, int rows, int cols, size_t n, nn_rng *rng)
{
    int tall = rows >= cols, len = tall ? rows : cols, k = tall ? cols : rows; /* k vectors of len */
    double *v = (size_t)rows * cols == n ? NN_MALLOC((size_t)len * k * sizeof(double)) : NULL;
    if (!v) { /* not a matrix this size, or no memory: a scaled normal fill keeps training possible */
        for (size_t i = 0; i < n; i++) w[i] = nn_rng_normal(rng) / sqrtf((float)(rows > 0 ? rows : 1));
        return;
    }
    for (size_t i = 0; i < (size_t)len * k; i++) v[i] = nn_rng_normal(rng);
    for (int j = 0; j < k; j++) {
        double *a = v + (size_t)j * len;
        for (int p = 0; p < j; p++) {
            const double *b = v + (size_t)p * len;
            double d = 0;
            for (int i = 0; i < len; i++) d += a[i] * b[i];
            for (int i = 0; i < len; i++) a[i] -= d * b[i];
        }
        double norm = 0;
        for (int i = 0; i < len; i++) norm += a[i] * a[i];
        norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
        for (int i = 0; i < len; i++) a[i] *= norm;
    }
    for (int r = 0; r < rows; r++) /* w[r][c] = vector c's entry r (tall) or vector r's entry c */
        for (int c = 0; c < cols; c++) w[(size_t)r * cols + c] = (float)(tall ? v[(size_t)c * len + r] : v[(size_t)r * len + c]);
    NN_FREE(v);
}

void nn_init_fill(int init, float *w, size_t n, int fan_in, int fan_out, nn_rng *rng)
{
    float fin = (float)(fan_in > 0 ? fan_in : 1), fout = (float)(fan_out > 0 ? fan_out : 1);
    float scale = 0.0f;
    int normal = 0;
    switch (init) {
    case NN_INIT_GLOROT_UNIFORM: scale = sqrtf(6.0f / (fin + fout)); break;     /* U(-s, s) */
    case NN_INIT_GLOROT_NORMAL: scale = sqrtf(2.0f / (fin + fout)); normal = 1; break; /* N(0, s) */
    case NN_INIT_HE_UNIFORM: scale = sqrtf(6.0f / fin); break;
    case NN_INIT_HE_NORMAL: scale = sqrtf(2.0f / fin); normal = 1; break;
    case NN_INIT_ONES: for (size_t i = 0; i < n; i++) w[i] = 1.0f; return;
    case NN_INIT_RANDOM_UNIFORM: scale = 0.05f; break;
    case NN_INIT_ORTHOGONAL: orthogonal(w, fan_in, fan_out, n, rng); return;
    default: memset(w, 0, n * sizeof(float)); return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!normal) { w[i] = (2.0f * nn_rng_uniform(rng) - 1.0f) * scale; continue; }
        float v; /* truncated at 2 std devs, as Keras's normal initializers */
        do v = nn_rng_normal(rng); while (v < -2.0f || v > 2.0f);
        w[i] = v * scale / 0.87962566f; /* std of N(0,1) truncated at +-2 */
    }
}

static const char *const init_list[NN_INIT_COUNT] = {"glorotUniform", "glorotNormal", "heUniform",
                                                     "heNormal", "zeros", "ones", "randomUniform",
                                                     "orthogonal"};
static const nn_alias init_aliases[] = {
    {"glorot_uniform", NN_INIT_GLOROT_UNIFORM}, {"glorot_normal", NN_INIT_GLOROT_NORMAL},
    {"he_uniform", NN_INIT_HE_UNIFORM}, {"he_normal", NN_INIT_HE_NORMAL},
    {"uniform", NN_INIT_RANDOM_UNIFORM}, {"random_uniform", NN_INIT_RANDOM_UNIFORM},
};
const nn_names nn_init_names = {"initializers", "initializer", NN_INIT_COUNT, init_list, NN_COUNT_OF(init_aliases), init_aliases};

int nn_init_from_name(const char *name) { return nn_names_find(&nn_init_names, name); }
