/* layers.c - the layer registry and spec constructors. Ids are in model files: append only. */
#include "nn_internal.h"

extern const nn_layer_ops nn_dense_ops, nn_activation_ops, nn_dropout_ops;

static const nn_layer_ops *const layer_list[NN_LAYER_COUNT] = {
    NULL,               /* 0: none (never written) */
    &nn_dense_ops,      /* 1: dense */
    &nn_activation_ops, /* 2: activation */
    &nn_dropout_ops,    /* 3: dropout */
};

const nn_layer_ops *nn_layer_ops_for(int type)
{
    return type > 0 && type < NN_LAYER_COUNT ? layer_list[type] : NULL;
}

const char *nn_layer_type_name(int type)
{
    const nn_layer_ops *o = nn_layer_ops_for(type);
    return o ? o->name : "unknown";
}

static nn_layer_spec spec_base(int type)
{
    nn_layer_spec s = {0};
    s.type = type;
    s.use_bias = 1;
    s.kernel_init = NN_INIT_GLOROT_UNIFORM;
    s.bias_init = NN_INIT_ZEROS;
    return s;
}

nn_layer_spec nn_dense(int units, nn_act act)
{
    nn_layer_spec s = spec_base(NN_LAYER_DENSE);
    s.units = units;
    s.act = act;
    return s;
}

nn_layer_spec nn_activation(nn_act act)
{
    nn_layer_spec s = spec_base(NN_LAYER_ACTIVATION);
    s.act = act;
    return s;
}

nn_layer_spec nn_dropout(float rate)
{
    nn_layer_spec s = spec_base(NN_LAYER_DROPOUT);
    s.rate = rate;
    return s;
}
