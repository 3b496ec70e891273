/* reshape.c - Flatten and Reshape: the same row-major values under another per-sample shape.
 * The output is a copy, so the next layer's backward can read it after the caller's input is gone. */
#include "nn_internal.h"
#include <string.h>

int nn_layer_reserve_y(nn_layer *L, int cap)
{
    float *y = NN_REALLOC(L->y, (size_t)cap * L->out_size * sizeof(float));
    if (!y) return NN_ERR_NOMEM;
    L->y = y;
    return NN_OK;
}

static int flatten_setup(nn_layer *L, char *err)
{
    L->out_rank = 1;
    L->out_shape[0] = L->in_size;
    return NN_OK;
}

static int reshape_setup(nn_layer *L, char *err)
{
    const nn_layer_spec *s = &L->spec;
    int rank = s->target_rank, infer = -1;
    long known = 1;
    if (rank < 1 || rank > NN_MAX_RANK)
        return nn_fail_buf(err, NN_ERR_ARG, "reshape: targetShape must have 1 to %d dimensions, got %d",
                           NN_MAX_RANK, rank);
    for (int i = 0; i < rank; i++) {
        int d = s->target_shape[i];
        if (d == -1 && infer < 0) { infer = i; continue; }
        if (d <= 0)
            return nn_fail_buf(err, NN_ERR_ARG, "reshape: targetShape entries must be positive (one "
                               "may be -1), got %d at %d", d, i);
        known *= d;
        if (known > L->in_size) break;
    }
    L->out_rank = rank;
    memcpy(L->out_shape, s->target_shape, sizeof L->out_shape);
    if (infer >= 0) {
        if (known > L->in_size || L->in_size % known)
            return nn_fail_buf(err, NN_ERR_ARG, "reshape: cannot infer the -1 in targetShape: %d "
                               "input values are not a multiple of %ld", L->in_size, known);
        L->out_shape[infer] = (int)(L->in_size / known);
    } else if (known != L->in_size) {
        return nn_fail_buf(err, NN_ERR_ARG, "reshape: targetShape holds %ld values per sample, the "
                           "input has %d", known, L->in_size);
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

static void copy_release(nn_layer *L)
{
    NN_FREE(L->y);
    L->y = NULL;
}

const nn_layer_ops nn_flatten_ops = {"Flatten", flatten_setup, NULL, nn_layer_reserve_y,
                                     copy_forward, copy_backward, copy_release};
const nn_layer_ops nn_reshape_ops = {"Reshape", reshape_setup, NULL, nn_layer_reserve_y,
                                     copy_forward, copy_backward, copy_release};
