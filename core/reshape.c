/* reshape.c - Flatten and Reshape: the same row-major values under another per-sample shape.
 * The output is a copy, so the next layer's backward can read it after the caller's input is gone. */
#include "nn_internal.h"
#include <string.h>

/* Layers whose only cache is y keep it as their private block: one float pointer. */
int nn_layer_reserve_y(nn_layer *L, int cap)
{
    float **y = L->priv;
    if (nn_grow(y, (uint64_t)cap * (uint64_t)L->out_size)) return NN_ERR_NOMEM;
    L->y = *y;
    return NN_OK;
}

void nn_layer_release_y(nn_layer *L)
{
    float **y = L->priv;
    NN_FREE(*y);
    *y = NULL;
    L->y = NULL;
}

typedef struct { int data_format; } flatten_cfg;
static const nn_option flatten_options[] = {NN_OPT_DATA_FORMAT(flatten_cfg, data_format)};
typedef struct { int32_t target[1 + NN_MAX_RANK]; } reshape_cfg; /* rank, then the dims */
static const nn_option reshape_options[] = {
    {"targetShape", NN_KIND_SHAPE, 0, 0, 0, 1 << 28, NN_OPTION_REQUIRED, NULL,
     offsetof(reshape_cfg, target), NULL, "per-sample shape; one entry may be -1 (inferred)"},
};

nn_layer_spec nn_flatten(void) { return nn_spec(NN_LAYER_FLATTEN); }

nn_layer_spec nn_reshape(int rank, const int *shape)
{
    nn_layer_spec s = nn_spec(NN_LAYER_RESHAPE);
    nn_spec_set_ints(&s, "targetShape", rank, shape);
    return s;
}

static int flatten_setup(nn_layer *L, char *err)
{
    L->out_rank = 1;
    L->out_shape[0] = L->in_size;
    return NN_OK;
}

static int reshape_setup(nn_layer *L, char *err)
{
    const int32_t *t = NN_CFG(L, reshape_cfg)->target;
    int rank = t[0], infer = -1;
    int64_t known = 1;
    for (int i = 0; i < rank; i++) {
        int d = t[1 + i];
        if (d == -1 && infer < 0) { infer = i; continue; }
        if (d <= 0)
            return nn_fail_buf(err, NN_ERR_ARG, "reshape: targetShape entries must be positive (one "
                               "may be -1), got %d at %d", d, i);
        known *= d;
        if (known > L->in_size) break;
    }
    L->out_rank = rank;
    for (int i = 0; i < NN_MAX_RANK; i++) L->out_shape[i] = i < rank ? t[1 + i] : 0;
    if (infer >= 0) {
        if (known > L->in_size || L->in_size % known)
            return nn_fail_buf(err, NN_ERR_ARG, "reshape: cannot infer the -1 in targetShape: %d "
                               "input values are not a multiple of %lld", L->in_size, (long long)known);
        L->out_shape[infer] = (int)(L->in_size / known);
    } else if (known != L->in_size) {
        return nn_fail_buf(err, NN_ERR_ARG, "reshape: targetShape holds %lld values per sample, the "
                           "input has %d", (long long)known, L->in_size);
    }
    return NN_OK;
}

static void copy_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                         nn_rng *rng)
{
    memcpy(L->y, x, (size_t)n * L->out_size * sizeof(float));
    L->preact = L->y;
}

static void copy_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                          float *dx, int n)
{
    if (dx) memcpy(dx, dy, (size_t)n * L->out_size * sizeof(float));
}

const nn_layer_ops nn_flatten_ops = {
    .name = "Flatten",
    .func = "flatten",
    .doc = "any shape -> one flat vector per sample (row-major order kept)",
    .options = flatten_options,
    .n_options = NN_COUNT_OF(flatten_options),
    .cfg_size = sizeof(flatten_cfg),
    .priv_size = sizeof(float *),
    .setup = flatten_setup,
    .reserve = nn_layer_reserve_y,
    .forward = copy_forward,
    .backward = copy_backward,
    .release = nn_layer_release_y,
};
const nn_layer_ops nn_reshape_ops = {
    .name = "Reshape",
    .func = "reshape",
    .doc = "the same values under targetShape (one entry may be -1)",
    .options = reshape_options,
    .n_options = NN_COUNT_OF(reshape_options),
    .cfg_size = sizeof(reshape_cfg),
    .priv_size = sizeof(float *),
    .setup = reshape_setup,
    .reserve = nn_layer_reserve_y,
    .forward = copy_forward,
    .backward = copy_backward,
    .release = nn_layer_release_y,
};
