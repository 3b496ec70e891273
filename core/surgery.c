/* surgery.c - model surgery, as Keras does it: layer names (unique in a model, defaults from the
 * class name), get_layer by name, Sequential.pop, and layers of one model copied into another. */
#include "nn_internal.h"
#include <stdio.h>
#include <string.h>

/* Keras's to_snake_case of a class name: Dense -> dense, MaxPooling2D -> max_pooling2d,
 * SimpleRNN -> simple_rnn, LSTM -> lstm. */
static void snake_case(const char *cls, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; cls[i] && k + 2 < cap; i++) {
        char c = cls[i], prev = i ? cls[i - 1] : 0, next = cls[i + 1];
        int up = c >= 'A' && c <= 'Z';
        int lower_prev = prev >= 'a' && prev <= 'z', lower_next = next >= 'a' && next <= 'z';
        /* a word starts at an upper case letter after a lower case one (the R of SimpleRNN) or
         * before one (the P of MaxPooling2D), never at the start */
        if (up && i && (lower_prev || lower_next)) out[k++] = '_';
        out[k++] = up ? (char)(c - 'A' + 'a') : c;
    }
    out[k] = 0;
}

int nn_model_find_layer_quiet(const nn_model *m, const char *name)
{
    for (int i = 0; m && name && i < m->n_layers; i++)
        if (!strcmp(m->layers[i].spec.name, name)) return i;
    return -1;
}

int nn_layer_take_name(nn_model *m, nn_layer_spec *spec)
{
    if (spec->name[0]) {
        int at = nn_model_find_layer_quiet(m, spec->name);
        if (at >= 0)
            return nn_fail(m, NN_ERR_ARG, "%s: a layer named '%s' is already in the model (layer %d); "
                           "layer names must be unique", nn_layer_ops_for(spec->type)->func, spec->name, at);
        return NN_OK;
    }
    /* Keras's default: the class in snake_case, then _1, _2, ... for the next ones */
    char base[NN_LAYER_NAME - 12];
    snake_case(nn_layer_ops_for(spec->type)->name, base, sizeof base);
    snprintf(spec->name, NN_LAYER_NAME, "%s", base);
    for (int k = 1; nn_model_find_layer_quiet(m, spec->name) >= 0; k++)
        snprintf(spec->name, NN_LAYER_NAME, "%s_%d", base, k);
    return NN_OK;
}

const char *nn_model_layer_name(const nn_model *m, int i)
{
    return m && i >= 0 && i < m->n_layers ? m->layers[i].spec.name : "";
}

int nn_model_find_layer(nn_model *m, const char *name)
{
    if (!m) return -1;
    int i = nn_model_find_layer_quiet(m, name);
    if (i >= 0) return i;
    int len = snprintf(m->err, NN_ERR_LEN, "no layer named '%.64s' (layers: ", name ? name : "(null)");
    for (int l = 0; l < m->n_layers && len > 0 && len < NN_ERR_LEN; l++)
        len += snprintf(m->err + len, NN_ERR_LEN - (size_t)len, "%s%s", l ? ", " : "", m->layers[l].spec.name);
    if (m->n_layers == 0 && len > 0 && len < NN_ERR_LEN) len += snprintf(m->err + len, NN_ERR_LEN - (size_t)len, "none");
    if (len > 0 && len < NN_ERR_LEN) snprintf(m->err + len, NN_ERR_LEN - (size_t)len, ")");
    return -1;
}

int nn_model_pop(nn_model *m)
{
    if (!m) return NN_ERR_ARG;
    if (m->n_layers == 0) return nn_fail(m, NN_ERR_STATE, "pop: the model has no layers");
    nn_model_release_buffers(m); /* caches are sized for the old output; they come back on use */
    nn_layer *L = &m->layers[--m->n_layers];
    NN_FREE(L->priv);
    m->n_params = L->p_off;
    m->n_state = L->s_off;
    m->compiled = 0;
    m->err[0] = 0;
    return NN_OK;
}

int nn_model_layer_input_shape(const nn_model *m, int i, int *shape)
{
    if (!m || i < 0 || i >= m->n_layers || !shape) return 0;
    const nn_layer *L = &m->layers[i];
    memcpy(shape, L->in_shape, (size_t)L->in_rank * sizeof(int));
    return L->in_rank;
}

int nn_model_add_from(nn_model *m, const nn_model *src, int i)
{
    if (!m) return NN_ERR_ARG;
    if (!src || i < 0 || i >= src->n_layers)
        return nn_fail(m, NN_ERR_ARG, "add_from: no layer %d in the source model (it has %d)", i, src ? src->n_layers : 0);
    if (src == m) return nn_fail(m, NN_ERR_ARG, "add_from: the source is this model (copy from another one)");
    const nn_layer *S = &src->layers[i];
    int st = nn_model_add(m, S->spec);
    if (st != NN_OK) return st;
    const nn_layer *L = &m->layers[m->n_layers - 1];
    /* same spec, same input shape: the same tensors, so the values copy one to one */
    if (L->n_params != S->n_params || L->n_state != S->n_state) {
        nn_model_pop(m);
        return nn_fail(m, NN_ERR_ARG, "add_from: layer '%s' would hold %zu weights here and holds %zu in its "
                       "model (its input shape differs), so they cannot be copied", S->spec.name,
                       L->n_params + L->n_state, S->n_params + S->n_state);
    }
    if (L->n_params) memcpy(m->params + L->p_off, src->params + S->p_off, L->n_params * sizeof(float));
    if (L->n_state) memcpy(m->state + L->s_off, src->state + S->s_off, L->n_state * sizeof(float));
    return NN_OK;
}
