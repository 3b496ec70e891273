/* layers.c - the layer registry and spec constructors. Ids are in model files: append only. */
#include "nn_internal.h"

extern const nn_layer_ops nn_dense_ops, nn_activation_ops, nn_dropout_ops, nn_conv2d_ops,
    nn_maxpool2d_ops, nn_avgpool2d_ops, nn_globalavgpool2d_ops, nn_flatten_ops, nn_reshape_ops,
    nn_batchnorm_ops;

static const nn_layer_ops *const layer_list[NN_LAYER_COUNT] = {
    NULL,               /* 0: none (never written) */
    &nn_dense_ops,      /* 1: dense */
    &nn_activation_ops, /* 2: activation */
    &nn_dropout_ops,    /* 3: dropout */
    &nn_conv2d_ops,     /* 4: conv2d */
    &nn_maxpool2d_ops,  /* 5: max pooling 2d */
    &nn_avgpool2d_ops,  /* 6: average pooling 2d */
    &nn_globalavgpool2d_ops, /* 7: global average pooling 2d */
    &nn_flatten_ops,    /* 8: flatten */
    &nn_reshape_ops,    /* 9: reshape */
    &nn_batchnorm_ops,  /* 10: batch normalization */
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

nn_layer_spec nn_conv2d(int filters, int kh, int kw, int stride, nn_padding pad, nn_act act)
{
    nn_layer_spec s = spec_base(NN_LAYER_CONV2D);
    s.units = filters;
    s.kernel[0] = kh; s.kernel[1] = kw;
    s.strides[0] = s.strides[1] = stride;
    s.padding = pad;
    s.act = act;
    return s;
}

static nn_layer_spec pool_spec(int type, int ph, int pw, nn_padding pad)
{
    nn_layer_spec s = spec_base(type);
    s.kernel[0] = ph; s.kernel[1] = pw;
    s.strides[0] = ph; s.strides[1] = pw;
    s.padding = pad;
    return s;
}

nn_layer_spec nn_maxpool2d(int ph, int pw, nn_padding pad) { return pool_spec(NN_LAYER_MAXPOOL2D, ph, pw, pad); }
nn_layer_spec nn_avgpool2d(int ph, int pw, nn_padding pad) { return pool_spec(NN_LAYER_AVGPOOL2D, ph, pw, pad); }
nn_layer_spec nn_globalavgpool2d(void) { return spec_base(NN_LAYER_GLOBALAVGPOOL2D); }
nn_layer_spec nn_flatten(void) { return spec_base(NN_LAYER_FLATTEN); }

nn_layer_spec nn_reshape(int rank, const int *shape)
{
    nn_layer_spec s = spec_base(NN_LAYER_RESHAPE);
    s.target_rank = rank;
    for (int i = 0; i < rank && i < NN_MAX_RANK && shape; i++) s.target_shape[i] = shape[i];
    return s;
}

nn_layer_spec nn_batchnorm(void)
{
    nn_layer_spec s = spec_base(NN_LAYER_BATCHNORM);
    s.momentum = 0.99f;
    s.epsilon = 1e-3f;
    return s;
}
