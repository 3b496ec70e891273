/* augment.c - random image augmentation applied to each gathered training batch: shifts by up
 * to k pixels (zero fill) and left-right flips. Draws from the model's RNG, so a seed
 * reproduces a run. Prediction and evaluation never see it. */
#include "nn_internal.h"
#include <string.h>

int nn_model_set_augment(nn_model *m, int shift, int flip)
{
    if (!m) return NN_ERR_ARG;
    if (shift < 0 || flip < 0 || flip > 1)
        return nn_fail(m, NN_ERR_ARG, "augment: shift must be >= 0 and flip 0 or 1, got %d and %d",
                       shift, flip);
    if ((shift || flip) && m->in_rank != 3)
        return nn_fail(m, NN_ERR_ARG, "augment: needs image inputs [height, width, channels], the "
                       "model's input has rank %d", m->in_rank);
    if (shift && (shift >= m->in_shape[0] || shift >= m->in_shape[1]))
        return nn_fail(m, NN_ERR_ARG, "augment: shift %d must be smaller than the %dx%d image",
                       shift, m->in_shape[0], m->in_shape[1]);
    if ((shift || flip) && !m->aug_tmp) {
        if (!(m->aug_tmp = NN_MALLOC((size_t)m->in_size * sizeof(float))))
            return nn_fail(m, NN_ERR_NOMEM, "augment: out of memory");
    }
    m->aug_shift = shift;
    m->aug_flip = flip;
    return NN_OK;
}

/* out(y, x) = in(y - dy, fx(x - dx)), fx mirrors when flipping; 0 outside the image. */
static void shift_flip(const float *in, float *out, int h, int w, int c, int dy, int dx, int flip)
{
    for (int y = 0; y < h; y++) {
        int sy = y - dy;
        float *row = out + (size_t)y * w * c;
        if (sy < 0 || sy >= h) { memset(row, 0, (size_t)w * c * sizeof(float)); continue; }
        for (int x = 0; x < w; x++) {
            int sx = x - dx;
            if (flip) sx = w - 1 - sx;
            if (sx < 0 || sx >= w) memset(row + (size_t)x * c, 0, (size_t)c * sizeof(float));
            else memcpy(row + (size_t)x * c, in + ((size_t)sy * w + sx) * c, (size_t)c * sizeof(float));
        }
    }
}

void nn_augment_rows(nn_model *m, float *x, int n)
{
    if (!m->aug_shift && !m->aug_flip) return;
    int h = m->in_shape[0], w = m->in_shape[1], c = m->in_shape[2], k = m->aug_shift;
    for (int i = 0; i < n; i++) {
        int dy = k ? (int)nn_rng_below(&m->rng, 2u * k + 1) - k : 0;
        int dx = k ? (int)nn_rng_below(&m->rng, 2u * k + 1) - k : 0;
        int flip = m->aug_flip ? (int)nn_rng_below(&m->rng, 2) : 0;
        if (!dy && !dx && !flip) continue;
        float *s = x + (size_t)i * m->in_size;
        memcpy(m->aug_tmp, s, (size_t)m->in_size * sizeof(float));
        shift_flip(m->aug_tmp, s, h, w, c, dy, dx, flip);
    }
}
