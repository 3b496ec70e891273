/* embedding.c - Embedding: token ids -> rows of a learned table E [inputDim, outputDim] (TF.js's
 * `embeddings`). y[r, :] = E[id_r, :]; dE[id_r, :] += dy[r, :]; ids carry no gradient. As the
 * first layer it reads integer ids where the caller keeps them (L->ids, any nn_dtype), else floats. */
#include "kernels.h"
#include "nn_internal.h"
#include <math.h>
#include <string.h>

typedef struct { int input_dim, output_dim, init, mask_zero; } emb_cfg;
typedef struct { float *y, *mask; } emb_priv; /* y first: nn_layer_reserve_y keeps it */

static const nn_option emb_options[] = {
    {"inputDim", NN_KIND_INT, 1, 0, 1, 1 << 24, NN_OPTION_REQUIRED, NULL, offsetof(emb_cfg, input_dim),
     NULL, "vocabulary size: ids run 0 .. inputDim-1"},
    {"outputDim", NN_KIND_INT, 1, 0, 1, 1 << 16, NN_OPTION_REQUIRED, NULL, offsetof(emb_cfg, output_dim),
     NULL, "values per token"},
    NN_OPT_INIT("embeddingsInitializer", emb_cfg, init, NN_INIT_RANDOM_UNIFORM),
    {"maskZero", NN_KIND_BOOL, 1, 0, 0, 1, 0, NULL, offsetof(emb_cfg, mask_zero), NULL,
     "id 0 is padding: recurrent layers skip it and the loss leaves it out"},
};

nn_layer_spec nn_embedding(int input_dim, int output_dim)
{
    nn_layer_spec s = nn_spec(NN_LAYER_EMBEDDING);
    nn_spec_set(&s, "inputDim", input_dim);
    nn_spec_set(&s, "outputDim", output_dim);
    return s;
}

static int emb_setup(nn_layer *L, char *err)
{
    const emb_cfg *c = NN_CFG(L, emb_cfg);
    if (L->in_rank >= NN_MAX_RANK)
        return nn_fail_buf(err, NN_ERR_ARG, "embedding: input must be token ids of rank 1 or 2 (the output "
                           "adds an axis), got rank %d", L->in_rank);
    if ((double)c->input_dim * c->output_dim > 4.0e8)
        return nn_fail_buf(err, NN_ERR_ARG, "embedding: %d x %d weights is too large", c->input_dim, c->output_dim);
    nn_layer_same_shape(L);
    L->out_rank = L->in_rank + 1;
    L->out_shape[L->in_rank] = c->output_dim;
    return NN_OK;
}

static int emb_tensors(const nn_layer *L, nn_tensor *t)
{
    const emb_cfg *c = NN_CFG(L, emb_cfg);
    t[0] = (nn_tensor){"embeddings", 2, {c->input_dim, c->output_dim}, 0, 0, 0, 0};
    return 1;
}

static void emb_init(nn_layer *L, float *p, nn_rng *rng)
{
    const emb_cfg *c = NN_CFG(L, emb_cfg);
    nn_init_fill(c->init, p, (size_t)c->input_dim * c->output_dim, c->input_dim, c->output_dim, rng);
}

static int emb_check_input(const nn_layer *L, const void *x, int dtype, int n, char *err)
{
    int v = NN_CFG(L, emb_cfg)->input_dim;
    size_t k = (size_t)n * L->in_size;
    for (size_t i = 0; i < k; i++) {
        double id = nn_input_at(x, dtype, i);
        if (!(id >= 0 && id < v && id == floor(id)))
            return nn_fail_buf(err, NN_ERR_ARG, "embedding: input %g at sample %zu, position %zu is not a "
                               "token id in [0, %d)", id, i / (size_t)L->in_size, i % (size_t)L->in_size, v);
    }
    return NN_OK;
}

/* Input r: the caller's integer id (when first and given integers), or a float. */
static double input_at(const nn_layer *L, const float *x, size_t r)
{
    return L->ids ? nn_input_at(L->ids, L->ids_dtype, r) : x[r];
}

/* An id as a row index; values that are not ids (only possible when another layer feeds this one,
 * or in an unchecked forward) are clamped so no row outside the table is ever read. */
static size_t row_of(double v, int n) { return !(v >= 0) ? 0 : v >= n ? (size_t)n - 1 : (size_t)v; }

static int emb_reserve(nn_layer *L, int cap)
{
    emb_priv *d = L->priv;
    if (nn_layer_reserve_y(L, cap)) return NN_ERR_NOMEM;
    return NN_CFG(L, emb_cfg)->mask_zero ? nn_grow(&d->mask, (uint64_t)cap * L->in_size) : NN_OK;
}

static void emb_forward(nn_layer *L, const float *p, const float *x, int n, int training, nn_rng *rng)
{
    const emb_cfg *c = NN_CFG(L, emb_cfg);
    emb_priv *d = L->priv;
    size_t k = (size_t)n * L->in_size, dd = (size_t)c->output_dim;
    for (size_t r = 0; r < k; r++) memcpy(L->y + r * dd, p + row_of(input_at(L, x, r), c->input_dim) * dd, dd * sizeof(float));
    if (c->mask_zero) { /* the mask of every position: its id is not 0 */
        for (size_t r = 0; r < k; r++) d->mask[r] = input_at(L, x, r) != 0.0;
        L->mask = d->mask;
    }
    L->preact = L->y;
}

static void emb_release(nn_layer *L)
{
    emb_priv *d = L->priv;
    NN_FREE(d->mask);
    d->mask = NULL;
    nn_layer_release_y(L);
}

static void emb_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                         float *dx, int n)
{
    const emb_cfg *c = NN_CFG(L, emb_cfg);
    size_t k = (size_t)n * L->in_size, d = (size_t)c->output_dim;
    for (size_t r = 0; r < k; r++) nn_axpy((int)d, 1.0f, dy + r * d, g + row_of(input_at(L, x, r), c->input_dim) * d);
    if (dx) memset(dx, 0, k * sizeof(float)); /* integer ids: no gradient */
}

const nn_layer_ops nn_embedding_ops = {
    .name = "Embedding",
    .func = "embedding",
    .doc = "token ids [t] -> learned vectors [t, outputDim] (ids in 0 .. inputDim-1)",
    .options = emb_options,
    .n_options = NN_COUNT_OF(emb_options),
    .cfg_size = sizeof(emb_cfg),
    .priv_size = sizeof(emb_priv),
    .setup = emb_setup,
    .tensors = emb_tensors,
    .init_params = emb_init,
    .reserve = emb_reserve,
    .forward = emb_forward,
    .backward = emb_backward,
    .release = emb_release,
    .check_input = emb_check_input,
    .int_input = 1,
};
