/* pool.c - MaxPooling2D, AveragePooling2D and GlobalAveragePooling2D over NHWC inputs.
 * Windows never read the padding of 'same' (TF's convention): a max ignores it and an average
 * divides by the number of real pixels in its window. The channel loop is innermost and
 * contiguous: the kernels of kernels.h run it as vectors. */
#include "kernels.h"
#include "nn_internal.h"
#include <string.h>

/* The window of output (oy, ox) clipped to the input: rows [y0, y1), columns [x0, x1). */
static void window(const nn_geo *g, int oy, int ox, int *y0, int *y1, int *x0, int *x1)
{
    *y0 = oy * g->sh - g->pt; *y1 = *y0 + g->kh;
    *x0 = ox * g->sw - g->pl; *x1 = *x0 + g->kw;
    if (*y0 < 0) *y0 = 0;
    if (*x0 < 0) *x0 = 0;
    if (*y1 > g->h) *y1 = g->h;
    if (*x1 > g->w) *x1 = g->w;
}

typedef struct { nn_window_cfg w; } pool_cfg;
enum { POOL_SIZE, POOL_STRIDES };
static const nn_option pool_options[] = {
    [POOL_SIZE] = {"poolSize", NN_KIND_INTS, 2, 2, 1, 1 << 16, 0, NULL, offsetof(pool_cfg, w.size), NULL,
                   "window [height, width] (one number: square)"},
    [POOL_STRIDES] = {"strides", NN_KIND_INTS, 2, 2, 1, 1 << 16, 0, NULL, offsetof(pool_cfg, w.strides),
                      NULL, "step [down, across] (default: the pool size)"},
    NN_OPT_PADDING(pool_cfg, w.padding),
    NN_OPT_DATA_FORMAT(pool_cfg, w.data_format),
};
typedef struct { int data_format; } gap_cfg;
static const nn_option gap_options[] = {NN_OPT_DATA_FORMAT(gap_cfg, data_format)};

static nn_layer_spec pool_spec(int type, int ph, int pw, nn_padding pad)
{
    nn_layer_spec s = nn_spec(type);
    int k[2] = {ph, pw};
    nn_spec_set_ints(&s, "poolSize", 2, k);
    nn_spec_set(&s, "padding", pad);
    return s;
}
nn_layer_spec nn_maxpool2d(int ph, int pw, nn_padding pad) { return pool_spec(NN_LAYER_MAXPOOL2D, ph, pw, pad); }
nn_layer_spec nn_avgpool2d(int ph, int pw, nn_padding pad) { return pool_spec(NN_LAYER_AVGPOOL2D, ph, pw, pad); }
nn_layer_spec nn_globalavgpool2d(void) { return nn_spec(NN_LAYER_GLOBALAVGPOOL2D); }

static int pool_setup(nn_layer *L, char *err)
{
    pool_cfg *c = NN_CFG(L, pool_cfg);
    if (!(L->spec.given & (1u << POOL_STRIDES))) { /* Keras: strides default to the pool size */
        c->w.strides[0] = c->w.size[0];
        c->w.strides[1] = c->w.size[1];
    }
    int st = nn_conv_geometry(L, &c->w, L->ops->func, "pool size", err);
    if (st != NN_OK) return st;
    L->out_shape[2] = L->in_shape[2];
    return NN_OK;
}

/* y = max over the window, channels as vectors. No argmax is stored: backward finds it again in
 * x, which the model keeps for it (a stored index cost a compare-and-branch per value). */
static void maxpool_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                            nn_rng *rng)
{
    nn_geo g = nn_geo_of(L);
    int c = g.c;
    for (int b = 0; b < n; b++) {
        const float *xb = x + (size_t)b * L->in_size;
        for (int oy = 0; oy < g.oh; oy++)
            for (int ox = 0; ox < g.ow; ox++) {
                float *yo = L->y + (size_t)b * L->out_size + ((size_t)oy * g.ow + ox) * c;
                int y0, y1, x0, x1;
                window(&g, oy, ox, &y0, &y1, &x0, &x1);
                memcpy(yo, xb + ((size_t)y0 * g.w + x0) * c, (size_t)c * sizeof(float));
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++)
                        nn_vmax(c, xb + ((size_t)iy * g.w + ix) * c, yo);
            }
    }
    L->preact = L->y;
}

/* Zero the pixels of one sample's dx that no window reads (the right and bottom edge when the
 * stride does not divide the size, gaps when the stride exceeds the pool). Windows do not overlap
 * here and come in row order. */
static void zero_unread(const nn_geo *g, float *db)
{
    size_t px = (size_t)g->c * sizeof(float);
    int next_y = 0;
    for (int oy = 0; oy <= g->oh; oy++) {
        int y0 = g->h, y1 = g->h, x0, x1;
        if (oy < g->oh) window(g, oy, 0, &y0, &y1, &x0, &x1);
        if (y0 > next_y) memset(db + (size_t)next_y * g->w * g->c, 0, (size_t)(y0 - next_y) * g->w * px);
        for (int iy = y0; iy < y1; iy++) {
            float *row = db + (size_t)iy * g->w * g->c;
            int next_x = 0;
            for (int ox = 0; ox <= g->ow; ox++) {
                int a0 = g->w, a1 = g->w, b0, b1;
                if (ox < g->ow) window(g, oy, ox, &b0, &b1, &a0, &a1);
                if (a0 > next_x) memset(row + (size_t)next_x * g->c, 0, (size_t)(a0 - next_x) * px);
                next_x = a1;
            }
        }
        if (y1 > next_y) next_y = y1;
    }
}

/* dL/dy of each output goes to the first pixel of its window (in row order) that holds the
 * maximum, as with a stored argmax. Windows that overlap add up into a zeroed dx; windows that
 * do not (the usual pool size = stride) store their values, and only unread pixels are zeroed. */
static void maxpool_backward(nn_layer *L, const float *p, float *g, const float *x,
                             const float *dy, float *dx, int n)
{
    if (!dx) return;
    nn_geo ge = nn_geo_of(L);
    int c = ge.c, add = ge.sh < ge.kh || ge.sw < ge.kw;
    if (add) memset(dx, 0, (size_t)n * L->in_size * sizeof(float));
    for (int b = 0; b < n; b++) {
        const float *xb = x + (size_t)b * L->in_size;
        float *db = dx + (size_t)b * L->in_size;
        if (!add) zero_unread(&ge, db);
        for (int oy = 0; oy < ge.oh; oy++)
            for (int ox = 0; ox < ge.ow; ox++) {
                size_t o = (size_t)b * L->out_size + ((size_t)oy * ge.ow + ox) * c;
                int y0, y1, x0, x1;
                window(&ge, oy, ox, &y0, &y1, &x0, &x1);
                size_t at = ((size_t)y0 * ge.w + x0) * c;
                nn_maxpool_window_backward(c, y1 - y0, x1 - x0, ge.w * c, xb + at, L->y + o,
                                           dy + o, db + at, add);
            }
    }
}

/* y = mean over the window's real pixels */
static void avgpool_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                            nn_rng *rng)
{
    nn_geo g = nn_geo_of(L);
    int c = g.c;
    for (int b = 0; b < n; b++) {
        const float *xb = x + (size_t)b * L->in_size;
        for (int oy = 0; oy < g.oh; oy++)
            for (int ox = 0; ox < g.ow; ox++) {
                float *yo = L->y + (size_t)b * L->out_size + ((size_t)oy * g.ow + ox) * c;
                int y0, y1, x0, x1;
                window(&g, oy, ox, &y0, &y1, &x0, &x1);
                memset(yo, 0, (size_t)c * sizeof(float));
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) nn_axpy(c, 1.0f, xb + (iy * g.w + ix) * c, yo);
                float inv = 1.0f / (float)((y1 - y0) * (x1 - x0));
                for (int k = 0; k < c; k++) yo[k] *= inv;
            }
    }
    L->preact = L->y;
}

static void avgpool_backward(nn_layer *L, const float *p, float *g, const float *x,
                             const float *dy, float *dx, int n)
{
    if (!dx) return;
    nn_geo ge = nn_geo_of(L);
    int c = ge.c;
    memset(dx, 0, (size_t)n * L->in_size * sizeof(float));
    for (int b = 0; b < n; b++) {
        float *db = dx + (size_t)b * L->in_size;
        for (int oy = 0; oy < ge.oh; oy++)
            for (int ox = 0; ox < ge.ow; ox++) {
                const float *d = dy + (size_t)b * L->out_size + ((size_t)oy * ge.ow + ox) * c;
                int y0, y1, x0, x1;
                window(&ge, oy, ox, &y0, &y1, &x0, &x1);
                float inv = 1.0f / (float)((y1 - y0) * (x1 - x0));
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) nn_axpy(c, inv, d, db + (iy * ge.w + ix) * c);
            }
    }
}

static int gap_setup(nn_layer *L, char *err)
{
    if (L->in_rank != 3)
        return nn_fail_buf(err, NN_ERR_ARG, "globalAveragePooling2d: input must be [height, width, "
                           "channels] (rank 3), got rank %d", L->in_rank);
    L->out_rank = 1;
    L->out_shape[0] = L->in_shape[2];
    return NN_OK;
}

static void gap_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                        nn_rng *rng)
{
    int c = L->in_shape[2], hw = L->in_shape[0] * L->in_shape[1];
    float inv = 1.0f / (float)hw;
    for (int b = 0; b < n; b++) {
        float *yo = L->y + (size_t)b * c;
        memset(yo, 0, (size_t)c * sizeof(float));
        nn_sum_rows(x + (size_t)b * L->in_size, hw, c, yo);
        for (int k = 0; k < c; k++) yo[k] *= inv;
    }
    L->preact = L->y;
}

static void gap_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                         float *dx, int n)
{
    if (!dx) return;
    int c = L->in_shape[2], hw = L->in_shape[0] * L->in_shape[1];
    float inv = 1.0f / (float)hw;
    for (int b = 0; b < n; b++) {
        float *db = dx + (size_t)b * L->in_size;
        const float *d = dy + (size_t)b * c;
        for (int k = 0; k < c; k++) db[k] = d[k] * inv;
        for (int i = 1; i < hw; i++) memcpy(db + (size_t)i * c, db, (size_t)c * sizeof(float));
    }
}

const nn_layer_ops nn_maxpool2d_ops = {
    .name = "MaxPooling2D",
    .func = "maxPooling2d",
    .aliases = "maxPool2d",
    .doc = "max over poolSize windows (strides default to poolSize)",
    .options = pool_options,
    .n_options = NN_COUNT_OF(pool_options),
    .cfg_size = sizeof(pool_cfg),
    .priv_size = sizeof(float *),
    .setup = pool_setup,
    .reserve = nn_layer_reserve_y,
    .forward = maxpool_forward,
    .backward = maxpool_backward,
    .release = nn_layer_release_y,
};
const nn_layer_ops nn_avgpool2d_ops = {
    .name = "AveragePooling2D",
    .func = "averagePooling2d",
    .aliases = "avgPool2d",
    .doc = "mean over poolSize windows (padding not counted)",
    .options = pool_options,
    .n_options = NN_COUNT_OF(pool_options),
    .cfg_size = sizeof(pool_cfg),
    .priv_size = sizeof(float *),
    .setup = pool_setup,
    .reserve = nn_layer_reserve_y,
    .forward = avgpool_forward,
    .backward = avgpool_backward,
    .release = nn_layer_release_y,
};
const nn_layer_ops nn_globalavgpool2d_ops = {
    .name = "GlobalAveragePooling2D",
    .func = "globalAveragePooling2d",
    .aliases = "globalAvgPool2d",
    .doc = "[height, width, channels] -> [channels], the mean over all pixels",
    .options = gap_options,
    .n_options = NN_COUNT_OF(gap_options),
    .cfg_size = sizeof(gap_cfg),
    .priv_size = sizeof(float *),
    .setup = gap_setup,
    .reserve = nn_layer_reserve_y,
    .forward = gap_forward,
    .backward = gap_backward,
    .release = nn_layer_release_y,
};
