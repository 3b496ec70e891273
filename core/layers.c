/* layers.c - the layer table: one row per type, by id. Ids are what nn.h's enum and C callers
 * use; files store the class name, so a row may move without breaking them. A test build adds
 * rows of its own (NN_TEST_LAYERS, see tests/layers/). */
#include "nn_internal.h"
#include <string.h>
#ifdef NN_TEST_LAYERS
#include "test_layers.h"
#endif

extern const nn_layer_ops nn_dense_ops, nn_activation_ops, nn_dropout_ops, nn_conv2d_ops,
    nn_maxpool2d_ops, nn_avgpool2d_ops, nn_globalavgpool2d_ops, nn_flatten_ops, nn_reshape_ops,
    nn_batchnorm_ops, nn_embedding_ops, nn_simple_rnn_ops, nn_lstm_ops, nn_gru_ops, nn_bidirectional_ops,
    nn_conv2d_transpose_ops, nn_upsampling2d_ops;

static const nn_layer_ops *const layer_list[] = {
    NULL,                    /* 0: none */
    &nn_dense_ops,           /* 1: dense */
    &nn_activation_ops,      /* 2: activation */
    &nn_dropout_ops,         /* 3: dropout */
    &nn_conv2d_ops,          /* 4: conv2d */
    &nn_maxpool2d_ops,       /* 5: max pooling 2d */
    &nn_avgpool2d_ops,       /* 6: average pooling 2d */
    &nn_globalavgpool2d_ops, /* 7: global average pooling 2d */
    &nn_flatten_ops,         /* 8: flatten */
    &nn_reshape_ops,         /* 9: reshape */
    &nn_batchnorm_ops,       /* 10: batch normalization */
    &nn_embedding_ops,       /* 11: embedding */
    &nn_simple_rnn_ops,      /* 12: simple RNN */
    &nn_lstm_ops,            /* 13: LSTM */
    &nn_gru_ops,             /* 14: GRU */
    &nn_bidirectional_ops,   /* 15: Bidirectional (wraps 12-14) */
    &nn_conv2d_transpose_ops, /* 16: transposed 2D convolution */
    &nn_upsampling2d_ops,    /* 17: upsampling 2d */
#ifdef NN_TEST_LAYERS
    NN_TEST_LAYER_ROWS
#endif
};

int nn_layer_type_count(void) { return NN_COUNT_OF(layer_list); }

const nn_layer_ops *nn_layer_ops_for(int type)
{
    return type > 0 && type < NN_COUNT_OF(layer_list) ? layer_list[type] : NULL;
}

const char *nn_layer_type_name(int type) { const nn_layer_ops *o = nn_layer_ops_for(type); return o ? o->name : NULL; }
const char *nn_layer_type_func(int type) { const nn_layer_ops *o = nn_layer_ops_for(type); return o ? o->func : NULL; }
const char *nn_layer_type_aliases(int type)
{
    const nn_layer_ops *o = nn_layer_ops_for(type);
    return o && o->aliases ? o->aliases : "";
}
const char *nn_layer_type_doc(int type) { const nn_layer_ops *o = nn_layer_ops_for(type); return o ? o->doc : NULL; }
int nn_layer_type_int_input(int type) { const nn_layer_ops *o = nn_layer_ops_for(type); return o && o->int_input; }

int nn_layer_type_options(int type, const nn_option **options)
{
    const nn_layer_ops *o = nn_layer_ops_for(type);
    if (options) *options = o ? o->options : NULL;
    return o ? o->n_options : 0;
}

/* Is name one of the space-separated words in list? */
static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ' ');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == n && !memcmp(p, name, n)) return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

int nn_layer_type_from_name(const char *name)
{
    if (!name) return -1;
    for (int t = 1; t < NN_COUNT_OF(layer_list); t++) {
        const nn_layer_ops *o = layer_list[t];
        if (o && (!strcmp(name, o->name) || !strcmp(name, o->func) || in_list(o->aliases, name))) return t;
    }
    return -1;
}

/* ---- the name tables, in the order bindings list them ---- */
extern const nn_names nn_data_kind_names, nn_dtype_names, nn_interpolation_names;
static const nn_names *const name_tables[] = {
    &nn_act_names, &nn_loss_names, &nn_opt_names, &nn_init_names, &nn_padding_names,
    &nn_data_format_names, &nn_metric_names, &nn_data_kind_names, &nn_merge_names, &nn_dtype_names,
    &nn_interpolation_names,
};

const nn_names *nn_name_table(int i) { return i >= 0 && i < NN_COUNT_OF(name_tables) ? name_tables[i] : NULL; }

/* ---- helpers the simple layers share ---- */
void nn_layer_same_shape(nn_layer *L)
{
    L->out_rank = L->in_rank;
    memcpy(L->out_shape, L->in_shape, sizeof L->out_shape);
}

int nn_grow(float **buf, uint64_t n)
{
    if (n == 0) n = 1;
    if (n > SIZE_MAX / sizeof(float) || n > NN_MAX_BUFFER / sizeof(float)) return NN_ERR_NOMEM;
    float *p = NN_REALLOC(*buf, (size_t)n * sizeof(float));
    if (!p) return NN_ERR_NOMEM;
    *buf = p;
    return NN_OK;
}
