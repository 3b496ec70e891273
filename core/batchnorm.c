/* batchnorm.c - BatchNormalization over the last axis (channels of NHWC, or features):
 *   y = gamma * (x - mean) / sqrt(var + eps) + beta.
 * Training uses the batch's mean and (biased) variance and moves the state towards them:
 *   moving = moving * momentum + batch * (1 - momentum)   (TF.js's update);
 * predicting uses the moving statistics. Parameters: gamma [c], beta [c] (trainable);
 * state: moving mean [c], moving variance [c] (non-trainable, in the model's state array). */
#include "kernels.h"
#include "nn_internal.h"
#include <math.h>
#include <string.h>

static int channels(const nn_layer *L) { return L->in_shape[L->in_rank - 1]; }

static int bn_setup(nn_layer *L, char *err)
{
    const nn_layer_spec *s = &L->spec;
    if (!(s->momentum >= 0.0f && s->momentum <= 1.0f))
        return nn_fail_buf(err, NN_ERR_ARG, "batchNormalization: momentum must be in [0, 1], got %g",
                           (double)s->momentum);
    if (!(s->epsilon > 0.0f))
        return nn_fail_buf(err, NN_ERR_ARG, "batchNormalization: epsilon must be positive, got %g",
                           (double)s->epsilon);
    L->out_rank = L->in_rank;
    memcpy(L->out_shape, L->in_shape, sizeof L->out_shape);
    L->n_params = 2 * (size_t)channels(L);
    L->n_state = 2 * (size_t)channels(L);
    return NN_OK;
}

static void bn_init(nn_layer *L, float *p, nn_rng *rng)
{
    int c = channels(L);
    nn_init_fill(NN_INIT_ONES, p, (size_t)c, c, c, rng);      /* gamma */
    nn_init_fill(NN_INIT_ZEROS, p + c, (size_t)c, c, c, rng); /* beta */
    for (int k = 0; k < c; k++) { L->state[k] = 0.0f; L->state[c + k] = 1.0f; }
}

static int bn_reserve(nn_layer *L, int cap)
{
    size_t n = (size_t)cap * L->out_size * sizeof(float);
    float *y = NN_REALLOC(L->y, n), *z, *stat;
    if (!y) return NN_ERR_NOMEM;
    L->y = y;
    if (!(z = NN_REALLOC(L->z, n))) return NN_ERR_NOMEM; /* xhat */
    L->z = z;
    if (!L->stat) { /* mean, 1/std, and two sums for backward: fixed size */
        if (!(stat = NN_MALLOC(4 * (size_t)channels(L) * sizeof(float)))) return NN_ERR_NOMEM;
        L->stat = stat;
    }
    return NN_OK;
}

static void bn_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                       nn_rng *rng)
{
    int c = channels(L), rows = (int)((size_t)n * L->in_size / c);
    float *mean = L->stat, *istd = L->stat + c, *mm = L->state, *mv = L->state + c;
    const float *gamma = p, *beta = p + c;
    L->training = training;
    if (training) {
        float mom = L->spec.momentum, *var = L->stat + 2 * c; /* scratch until backward */
        memset(mean, 0, (size_t)c * sizeof(float));
        nn_sum_rows(x, rows, c, mean);
        for (int k = 0; k < c; k++) mean[k] /= (float)rows;
        memset(var, 0, (size_t)c * sizeof(float));
        for (int r = 0; r < rows; r++) { /* two passes: no cancellation in var */
            const float *xr = x + (size_t)r * c;
            for (int k = 0; k < c; k++) { float d = xr[k] - mean[k]; var[k] += d * d; }
        }
        for (int k = 0; k < c; k++) {
            var[k] /= (float)rows;
            istd[k] = 1.0f / sqrtf(var[k] + L->spec.epsilon);
            mm[k] = mm[k] * mom + mean[k] * (1.0f - mom);
            mv[k] = mv[k] * mom + var[k] * (1.0f - mom);
        }
    } else {
        for (int k = 0; k < c; k++) { mean[k] = mm[k]; istd[k] = 1.0f / sqrtf(mv[k] + L->spec.epsilon); }
    }
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * c;
        float *zr = L->z + (size_t)r * c, *yr = L->y + (size_t)r * c;
        for (int k = 0; k < c; k++) {
            zr[k] = (xr[k] - mean[k]) * istd[k];
            yr[k] = zr[k] * gamma[k] + beta[k];
        }
    }
    L->preact = L->y;
}

/* dbeta = sum dy, dgamma = sum dy*xhat; in training mode the statistics depend on x too:
 * dx = gamma*istd/R * (R*dy - dbeta - xhat*dgamma); with moving statistics dx = gamma*istd*dy. */
static void bn_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                        float *dx, int n)
{
    int c = channels(L), rows = (int)((size_t)n * L->in_size / c);
    float *istd = L->stat + c, *dg = L->stat + 2 * c, *db = L->stat + 3 * c;
    const float *gamma = p;
    memset(dg, 0, 2 * (size_t)c * sizeof(float));
    for (int r = 0; r < rows; r++) {
        const float *d = dy + (size_t)r * c, *z = L->z + (size_t)r * c;
        for (int k = 0; k < c; k++) { dg[k] += d[k] * z[k]; db[k] += d[k]; }
    }
    for (int k = 0; k < c; k++) { g[k] += dg[k]; g[c + k] += db[k]; }
    if (!dx) return;
    float inv_r = 1.0f / (float)rows;
    for (int r = 0; r < rows; r++) {
        const float *d = dy + (size_t)r * c, *z = L->z + (size_t)r * c;
        float *o = dx + (size_t)r * c;
        if (L->training)
            for (int k = 0; k < c; k++)
                o[k] = gamma[k] * istd[k] * (d[k] - (db[k] + z[k] * dg[k]) * inv_r);
        else
            for (int k = 0; k < c; k++) o[k] = gamma[k] * istd[k] * d[k];
    }
}

static void bn_release(nn_layer *L)
{
    NN_FREE(L->y);
    NN_FREE(L->z);
    NN_FREE(L->stat);
    L->y = L->z = L->stat = NULL;
}

const nn_layer_ops nn_batchnorm_ops = {"BatchNormalization", bn_setup, bn_init, bn_reserve,
                                       bn_forward, bn_backward, bn_release};
