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

typedef struct { int axis; float momentum, epsilon; } bn_cfg;
typedef struct { float *y, *z, *stat; } bn_priv; /* z = xhat; stat: mean, 1/std, two sums (4c) */

static const nn_option bn_options[] = {
    {"axis", NN_KIND_INT, 1, -1, -1, -1, 0, NULL, offsetof(bn_cfg, axis), NULL,
     "normalized axis: -1 (the last, channels) only"},
    {"momentum", NN_KIND_FLOAT, 1, 0.99, 0, 1, 0, NULL, offsetof(bn_cfg, momentum), NULL,
     "moving average momentum"},
    {"epsilon", NN_KIND_FLOAT, 1, 1e-3, 1e-12, 1, 0, NULL, offsetof(bn_cfg, epsilon), NULL,
     "added to the variance"},
};

nn_layer_spec nn_batchnorm(void) { return nn_spec(NN_LAYER_BATCHNORM); }

static int channels(const nn_layer *L) { return L->in_shape[L->in_rank - 1]; }

static int bn_setup(nn_layer *L, char *err)
{
    nn_layer_same_shape(L);
    return NN_OK;
}

static int bn_tensors(const nn_layer *L, nn_tensor *t)
{
    int c = channels(L);
    t[0] = (nn_tensor){"gamma", 1, {c}, 0, 0, 0, 0};
    t[1] = (nn_tensor){"beta", 1, {c}, 0, 0, 0, 0};
    t[2] = (nn_tensor){"moving_mean", 1, {c}, 1, 0, 0, 0};
    t[3] = (nn_tensor){"moving_variance", 1, {c}, 1, 0, 0, 0};
    return 4;
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
    bn_priv *d = L->priv;
    uint64_t n = (uint64_t)cap * (uint64_t)L->out_size;
    if (nn_grow(&d->y, n) || nn_grow(&d->z, n)) return NN_ERR_NOMEM;
    if (!d->stat && nn_grow(&d->stat, 4 * (uint64_t)channels(L))) return NN_ERR_NOMEM;
    L->y = d->y;
    return NN_OK;
}

static void bn_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                       nn_rng *rng)
{
    const bn_cfg *cf = NN_CFG(L, bn_cfg);
    bn_priv *d = L->priv;
    int c = channels(L), rows = (int)((size_t)n * L->in_size / c);
    float *mean = d->stat, *istd = d->stat + c, *mm = L->state, *mv = L->state + c;
    const float *gamma = p, *beta = p + c;
    L->training = training = training && L->spec.trainable; /* frozen: moving statistics (Keras 2) */
    if (training) {
        float mom = cf->momentum, *var = d->stat + 2 * c; /* scratch until backward */
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
            istd[k] = 1.0f / sqrtf(var[k] + cf->epsilon);
            mm[k] = mm[k] * mom + mean[k] * (1.0f - mom);
            mv[k] = mv[k] * mom + var[k] * (1.0f - mom);
        }
    } else {
        for (int k = 0; k < c; k++) { mean[k] = mm[k]; istd[k] = 1.0f / sqrtf(mv[k] + cf->epsilon); }
    }
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * c;
        float *zr = d->z + (size_t)r * c, *yr = L->y + (size_t)r * c;
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
    bn_priv *d = L->priv;
    int c = channels(L), rows = (int)((size_t)n * L->in_size / c);
    float *istd = d->stat + c, *dg = d->stat + 2 * c, *db = d->stat + 3 * c;
    const float *gamma = p;
    memset(dg, 0, 2 * (size_t)c * sizeof(float));
    for (int r = 0; r < rows; r++) {
        const float *dr = dy + (size_t)r * c, *z = d->z + (size_t)r * c;
        for (int k = 0; k < c; k++) { dg[k] += dr[k] * z[k]; db[k] += dr[k]; }
    }
    for (int k = 0; k < c; k++) { g[k] += dg[k]; g[c + k] += db[k]; }
    if (!dx) return;
    float inv_r = 1.0f / (float)rows;
    for (int r = 0; r < rows; r++) {
        const float *dr = dy + (size_t)r * c, *z = d->z + (size_t)r * c;
        float *o = dx + (size_t)r * c;
        if (L->training)
            for (int k = 0; k < c; k++)
                o[k] = gamma[k] * istd[k] * (dr[k] - (db[k] + z[k] * dg[k]) * inv_r);
        else
            for (int k = 0; k < c; k++) o[k] = gamma[k] * istd[k] * dr[k];
    }
}

static void bn_release(nn_layer *L)
{
    bn_priv *d = L->priv;
    NN_FREE(d->y); NN_FREE(d->z); NN_FREE(d->stat);
    memset(d, 0, sizeof *d);
    L->y = NULL;
}

const nn_layer_ops nn_batchnorm_ops = {
    .name = "BatchNormalization",
    .func = "batchNormalization",
    .doc = "normalize over the last axis: batch statistics when training, moving ones when predicting",
    .options = bn_options,
    .n_options = NN_COUNT_OF(bn_options),
    .cfg_size = sizeof(bn_cfg),
    .priv_size = sizeof(bn_priv),
    .setup = bn_setup,
    .tensors = bn_tensors,
    .init_params = bn_init,
    .reserve = bn_reserve,
    .forward = bn_forward,
    .backward = bn_backward,
    .release = bn_release,
};
