/* test_layers.h - rows the test build adds to the layer table (core/layers.c includes this when
 * NN_TEST_LAYERS is defined). They prove a layer type needs only its file and its row: the test
 * build's wasm module exposes them through the unchanged bridge and JS API. */
#ifndef NN_TEST_LAYERS_H
#define NN_TEST_LAYERS_H
extern const nn_layer_ops nn_scale_ops;
#define NN_TEST_LAYER_ROWS &nn_scale_ops, /* 18: scale (test build only) */
#endif
