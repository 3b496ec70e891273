/* upsampling.c - UpSampling2D over NHWC inputs: each pixel repeated size[0] times down and
 * size[1] times across (Keras's 'nearest'). 'bilinear' is a name the table knows so that it gets
 * a clear refusal: TF 2's Keras samples at half-pixel centres and TF.js does not, so no one
 * answer matches both. */
#include "nn_internal.h"
#include <string.h>

enum { INTERP_NEAREST, INTERP_BILINEAR };
static const char *const interp_list[] = {"nearest", "bilinear"};
const nn_names nn_interpolation_names = {"interpolations", "interpolation", NN_COUNT_OF(interp_list),
                                         interp_list, 0, NULL};

typedef struct { int32_t size[2]; int interpolation, data_format; } up_cfg;
static const nn_option up_options[] = {
    {"size", NN_KIND_INTS, 2, 2, 1, 1 << 16, 0, NULL, offsetof(up_cfg, size), NULL,
     "repeats [down, across] (one number: both)"},
    {"interpolation", NN_KIND_ENUM, 1, INTERP_NEAREST, 0, 0, 0, &nn_interpolation_names,
     offsetof(up_cfg, interpolation), NULL, "'nearest' (each pixel repeated; 'bilinear' is refused)"},
    NN_OPT_DATA_FORMAT(up_cfg, data_format),
};

nn_layer_spec nn_upsampling2d(int sh, int sw)
{
    nn_layer_spec s = nn_spec(NN_LAYER_UPSAMPLING2D);
    int k[2] = {sh, sw};
    nn_spec_set_ints(&s, "size", 2, k);
    return s;
}

static int up_setup(nn_layer *L, char *err)
{
    const up_cfg *c = NN_CFG(L, up_cfg);
    if (L->in_rank != 3)
        return nn_fail_buf(err, NN_ERR_ARG, "upSampling2d: input must be [height, width, channels] "
                           "(rank 3), got rank %d; add a reshape layer first", L->in_rank);
    if (c->interpolation != INTERP_NEAREST)
        return nn_fail_buf(err, NN_ERR_ARG, "upSampling2d: interpolation '%s' is not supported (TF.js "
                           "and Keras compute it differently); use 'nearest', or a conv2dTranspose "
                           "to learn the upsampling", nn_names_get(&nn_interpolation_names, c->interpolation));
    int64_t oh = (int64_t)L->in_shape[0] * c->size[0], ow = (int64_t)L->in_shape[1] * c->size[1];
    if ((double)oh * (double)ow * L->in_shape[2] > NN_MAX_VALUES)
        return nn_fail_buf(err, NN_ERR_ARG, "upSampling2d: output [%lld, %lld, %d] is more than %d "
                           "values per sample", (long long)oh, (long long)ow, L->in_shape[2], NN_MAX_VALUES);
    L->out_rank = 3;
    L->out_shape[0] = (int)oh;
    L->out_shape[1] = (int)ow;
    L->out_shape[2] = L->in_shape[2];
    return NN_OK;
}

/* y[oy, ox] = x[oy / sh, ox / sw]: one output row is built, then copied sh - 1 times. */
static void up_forward(nn_layer *L, const float *p, const float *x, int n, int training, nn_rng *rng)
{
    const up_cfg *cf = NN_CFG(L, up_cfg);
    int h = L->in_shape[0], w = L->in_shape[1], c = L->in_shape[2], sh = cf->size[0], sw = cf->size[1];
    size_t px = (size_t)c * sizeof(float), orow = (size_t)w * sw * c;
    for (int b = 0; b < n; b++) {
        const float *xb = x + (size_t)b * L->in_size;
        float *yb = L->y + (size_t)b * L->out_size;
        for (int iy = 0; iy < h; iy++) {
            float *row = yb + (size_t)iy * sh * orow;
            for (int ix = 0; ix < w; ix++)
                for (int j = 0; j < sw; j++) memcpy(row + ((size_t)ix * sw + j) * c, xb + ((size_t)iy * w + ix) * c, px);
            for (int i = 1; i < sh; i++) memcpy(row + (size_t)i * orow, row, orow * sizeof(float));
        }
    }
    L->preact = L->y;
}

/* dx[iy, ix] = the sum of dy over the sh x sw block it was copied to. */
static void up_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                        float *dx, int n)
{
    if (!dx) return;
    const up_cfg *cf = NN_CFG(L, up_cfg);
    int h = L->in_shape[0], w = L->in_shape[1], c = L->in_shape[2], sh = cf->size[0], sw = cf->size[1];
    size_t orow = (size_t)w * sw * c;
    for (int b = 0; b < n; b++) {
        const float *db = dy + (size_t)b * L->out_size;
        float *xb = dx + (size_t)b * L->in_size;
        for (int iy = 0; iy < h; iy++)
            for (int ix = 0; ix < w; ix++) {
                float *o = xb + ((size_t)iy * w + ix) * c;
                memset(o, 0, (size_t)c * sizeof(float));
                for (int i = 0; i < sh; i++) {
                    const float *src = db + ((size_t)iy * sh + i) * orow + (size_t)ix * sw * c;
                    for (int j = 0; j < sw; j++)
                        for (int k = 0; k < c; k++) o[k] += src[(size_t)j * c + k];
                }
            }
    }
}

const nn_layer_ops nn_upsampling2d_ops = {
    .name = "UpSampling2D",
    .func = "upSampling2d",
    .doc = "repeats each pixel size[0] x size[1] times (nearest neighbour)",
    .options = up_options,
    .n_options = NN_COUNT_OF(up_options),
    .cfg_size = sizeof(up_cfg),
    .priv_size = sizeof(float *),
    .setup = up_setup,
    .reserve = nn_layer_reserve_y,
    .forward = up_forward,
    .backward = up_backward,
    .release = nn_layer_release_y,
};
