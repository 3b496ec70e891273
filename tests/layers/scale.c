/* scale.c - a throwaway layer for the table test: y = a * x with one trainable weight a. */
#include "nn_internal.h"
#include <string.h>

typedef struct { float initial; } scale_cfg;
static const nn_option scale_options[] = {
    {"initialValue", NN_KIND_FLOAT, 1, 1.0, -1e6, 1e6, 0, NULL, offsetof(scale_cfg, initial), NULL,
     "the starting value of a"},
};

static int scale_setup(nn_layer *L, char *err)
{
    nn_layer_same_shape(L);
    return NN_OK;
}

static int scale_tensors(const nn_layer *L, nn_tensor *t)
{
    t[0] = (nn_tensor){"scale", 1, {1}, 0, 0, 0, 0};
    return 1;
}

static void scale_init(nn_layer *L, float *p, nn_rng *rng) { p[0] = NN_CFG(L, scale_cfg)->initial; }

static void scale_forward(nn_layer *L, const float *p, const float *x, int n, int training, nn_rng *rng)
{
    size_t k = (size_t)n * L->out_size;
    for (size_t i = 0; i < k; i++) L->y[i] = p[0] * x[i];
    L->preact = L->y;
}

/* da = sum dy * x; dx = a * dy */
static void scale_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                           float *dx, int n)
{
    size_t k = (size_t)n * L->out_size;
    double s = 0;
    for (size_t i = 0; i < k; i++) s += (double)dy[i] * x[i];
    g[0] += (float)s;
    if (dx) for (size_t i = 0; i < k; i++) dx[i] = p[0] * dy[i];
}

const nn_layer_ops nn_scale_ops = {
    .name = "Scale",
    .func = "scale",
    .doc = "y = a * x with one trainable a (a test layer)",
    .options = scale_options,
    .n_options = NN_COUNT_OF(scale_options),
    .cfg_size = sizeof(scale_cfg),
    .priv_size = sizeof(float *),
    .setup = scale_setup,
    .tensors = scale_tensors,
    .init_params = scale_init,
    .reserve = nn_layer_reserve_y,
    .forward = scale_forward,
    .backward = scale_backward,
    .release = nn_layer_release_y,
};
