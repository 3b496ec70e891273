/* test_layer_scale.c - a layer type added through the table alone (tests/layers/scale.c and one
 * row in tests/layers/test_layers.h) works everywhere the table reaches: by name, options,
 * weights, training (a finite-difference gradient check), the file format. */
#include "nn.h"
#include "test.h"
#include <string.h>

static void test_scale_layer(void)
{
    int type = nn_layer_type_from_name("Scale");
    CHECK(type == nn_layer_type_count() - 1 && type > NN_LAYER_BATCHNORM);
    CHECK(nn_layer_type_from_name("scale") == type);
    nn_layer_spec s = nn_spec(type);
    CHECK(nn_spec_set(&s, "initialValue", 0.5) == NN_OK);
    int shape[1] = {3};
    nn_model *m = nn_model_create(1, shape, 5);
    CHECK(nn_model_add(m, s) == NN_OK);
    CHECK(nn_model_add(m, nn_dense(2, NN_ACT_TANH)) == NN_OK);
    nn_tensor t[NN_MAX_TENSORS];
    CHECK(nn_model_layer_tensors(m, 0, t) == 1 && !strcmp(t[0].name, "scale") && t[0].offset == 0);
    CHECK(nn_model_params(m)[0] == 0.5f);
    nn_optimizer o = nn_sgd(0.1f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_MSE) == NN_OK);
    /* dL/da by finite differences against backward */
    float x[6] = {0.3f, -0.7f, 1.1f, 0.9f, 0.2f, -0.4f}, y[4] = {0.2f, -0.5f, 0.4f, 0.1f};
    float *p = nn_model_params(m);
    CHECK(nn_model_forward(m, x, 2, 1) == NN_OK);
    const float *out = nn_model_output(m);
    float dy[4];
    for (int i = 0; i < 4; i++) dy[i] = 2.0f * (out[i] - y[i]) / 4.0f;
    nn_model_zero_grads(m);
    CHECK(nn_model_backward(m, dy, NULL) == NN_OK);
    double g = nn_model_grads(m)[0], h = 1e-3, l[2];
    for (int k = 0; k < 2; k++) {
        float keep = p[0];
        p[0] = keep + (float)(k ? -h : h);
        nn_model_forward(m, x, 2, 1);
        out = nn_model_output(m);
        l[k] = 0;
        for (int i = 0; i < 4; i++) l[k] += (out[i] - y[i]) * (out[i] - y[i]) / 4.0;
        p[0] = keep;
    }
    CHECK(fabs(g) > 1e-4);
    CHECK_NEAR(g, (l[0] - l[1]) / (2 * h), 1e-3 + 1e-2 * fabs(g));
    /* save and load: the file names the type, its option and its weight */
    size_t len = nn_model_save_size(m), w;
    unsigned char *buf = malloc(len);
    CHECK(nn_model_save(m, buf, len, &w) == NN_OK);
    char err[NN_ERR_LEN] = "";
    nn_model *r = nn_model_load(buf, w, err);
    CHECK(r != NULL);
    if (r) {
        double v;
        CHECK(nn_spec_get(nn_model_layer_spec(r, 0), "initialValue", &v, 1) == 1 && v == 0.5);
        float p1[4], p2[4];
        nn_model_predict(m, x, 2, p1);
        nn_model_predict(r, x, 2, p2);
        CHECK(memcmp(p1, p2, sizeof p1) == 0);
        nn_model_free(r);
    }
    free(buf);
    nn_model_free(m);
}

int main(void)
{
    RUN(test_scale_layer);
    return nt_summary("layer_scale");
}
