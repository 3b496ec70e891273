/* Model surgery: layer names as Keras gives them, finding a layer, popping the head, copying layers
 * of a trained model into a new one (weights, state, trainable flags), and names in model files. */
#include "nn.h"
#include "test.h"
#include <string.h>

static nn_model *cnn(uint32_t seed)
{
    int shape[3] = {8, 8, 1};
    nn_model *m = nn_model_create(3, shape, seed);
    nn_model_add(m, nn_conv2d(4, 3, 3, 1, NN_PAD_SAME, NN_ACT_RELU));
    nn_model_add(m, nn_batchnorm());
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_model_add(m, nn_flatten());
    nn_model_add(m, nn_dense(6, NN_ACT_RELU));
    nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX));
    return m;
}

static void test_default_names(void)
{
    nn_model *m = cnn(1);
    const char *want[] = {"conv2d", "batch_normalization", "max_pooling2d", "flatten", "dense", "dense_1"};
    CHECK(nn_model_num_layers(m) == 6);
    for (int i = 0; i < 6; i++) CHECK(!strcmp(nn_model_layer_name(m, i), want[i]));
    CHECK(nn_model_find_layer(m, "dense_1") == 5);
    CHECK(nn_model_find_layer(m, "max_pooling2d") == 2);
    CHECK(nn_model_find_layer(m, "dense_7") == -1);
    CHECK(strstr(nn_model_error(m), "no layer named 'dense_7'") != NULL);
    CHECK(strstr(nn_model_error(m), "layers: conv2d, batch_normalization, max_pooling2d, flatten, dense, dense_1)") != NULL);
    CHECK(!strcmp(nn_model_layer_name(m, 6), "") && !strcmp(nn_model_layer_name(m, -1), ""));
    /* snake case of the other classes */
    int in[2] = {5, 3};
    nn_model *r = nn_model_create(2, in, 1);
    nn_model_add(r, nn_simple_rnn(4, NN_ACT_TANH));
    nn_model_add(r, nn_reshape(2, (int[]){2, 2}));
    nn_model_add(r, nn_lstm(3));
    nn_model_add(r, nn_dense(2, NN_ACT_LINEAR));
    CHECK(!strcmp(nn_model_layer_name(r, 0), "simple_rnn"));
    CHECK(!strcmp(nn_model_layer_name(r, 2), "lstm"));
    nn_model_free(r);
    nn_model_free(m);
}

static void test_given_names(void)
{
    int in[1] = {4};
    nn_model *m = nn_model_create(1, in, 1);
    nn_layer_spec s = nn_dense(3, NN_ACT_RELU);
    CHECK(nn_spec_set_name(&s, "name", "encoder") == NN_OK);
    CHECK(nn_model_add(m, s) == NN_OK);
    CHECK(!strcmp(nn_model_layer_name(m, 0), "encoder"));
    /* a given name that is taken is refused, naming it */
    CHECK(nn_model_add(m, s) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "a layer named 'encoder' is already in the model (layer 0)") != NULL);
    CHECK(nn_model_num_layers(m) == 1);
    /* a default skips names that are taken */
    nn_layer_spec d = nn_dense(2, NN_ACT_LINEAR);
    nn_spec_set_name(&d, "name", "dense");
    int in2[1] = {4};
    nn_model *m2 = nn_model_create(1, in2, 1);
    CHECK(nn_model_add(m2, d) == NN_OK && nn_model_add(m2, nn_dense(2, NN_ACT_LINEAR)) == NN_OK);
    CHECK(!strcmp(nn_model_layer_name(m2, 1), "dense_1"));
    /* bad names */
    const char *bad[] = {"", "_x", "a b", "x\"y", "0123456789012345678901234567890123456789012345678901234567890123"};
    for (int i = 1; i < 5; i++) {
        nn_layer_spec b = nn_dense(1, NN_ACT_LINEAR);
        CHECK(nn_spec_set_name(&b, "name", bad[i]) == NN_ERR_ARG);
        CHECK(strstr(b.err, "dense: name must be a letter or digit") != NULL);
    }
    nn_layer_spec ok = nn_dense(1, NN_ACT_LINEAR);
    CHECK(nn_spec_set_name(&ok, "name", "block1/conv-2.a_b") == NN_OK);
    CHECK(nn_spec_set(&ok, "name", 3) == NN_ERR_ARG);
    nn_model_free(m2);
    nn_model_free(m);
}

/* Names live in the spec encoding, so files keep them; every option round-trips. */
static void test_names_in_files(void)
{
    nn_model *m = cnn(2);
    nn_layer_spec s = nn_dense(2, NN_ACT_SOFTMAX);
    nn_spec_set_name(&s, "name", "head");
    nn_model_pop(m);
    CHECK(nn_model_add(m, s) == NN_OK);
    size_t n = nn_model_save_size(m), w;
    void *buf = malloc(n);
    CHECK(nn_model_save(m, buf, n, &w) == NN_OK);
    char err[NN_ERR_LEN];
    nn_model *r = nn_model_load(buf, w, err);
    CHECK(r != NULL);
    for (int i = 0; r && i < 6; i++) CHECK(!strcmp(nn_model_layer_name(r, i), nn_model_layer_name(m, i)));
    CHECK(r && !strcmp(nn_model_layer_name(r, 5), "head"));
    nn_model_free(r);
    /* a spec encoded with a name decodes with it; a number for it is refused */
    unsigned char sb[512];
    size_t len = nn_spec_encode(&s, sb, sizeof sb);
    nn_layer_spec back;
    CHECK(len > 0 && len <= sizeof sb && nn_spec_decode(sb, len, &back, err) == NN_OK);
    CHECK(!strcmp(back.name, "head"));
    free(buf);
    nn_model_free(m);
}

/* A file whose layers repeat a name (hand-made or corrupt) is refused with the name. */
static void test_duplicate_names_in_file(void)
{
    int in[1] = {3};
    nn_model *m = nn_model_create(1, in, 1);
    nn_layer_spec a = nn_dense(2, NN_ACT_LINEAR), b = nn_dense(2, NN_ACT_LINEAR);
    nn_spec_set_name(&a, "name", "aa");
    nn_spec_set_name(&b, "name", "ab");
    nn_model_add(m, a);
    nn_model_add(m, b);
    size_t n = nn_model_save_size(m), w;
    unsigned char *buf = malloc(n);
    nn_model_save(m, buf, n, &w);
    /* rename "ab" to "aa" in the bytes, then fix the checksum (the file's last 4 bytes) */
    for (size_t i = 0; i + 2 < w; i++)
        if (buf[i] == 'a' && buf[i + 1] == 'b' && buf[i - 2] == 2) buf[i + 1] = 'a';
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < w - 4; i++) {
        crc ^= buf[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    crc ^= 0xFFFFFFFFu;
    for (int k = 0; k < 4; k++) buf[w - 4 + k] = (unsigned char)(crc >> (8 * k));
    char err[NN_ERR_LEN];
    nn_model *r = nn_model_load(buf, w, err);
    CHECK(r == NULL);
    CHECK(strstr(err, "a layer named 'aa' is already in the model") != NULL);
    if (!strstr(err, "already")) printf("  got: %s\n", err);
    nn_model_free(r);
    free(buf);
    nn_model_free(m);
}

static void test_pop(void)
{
    nn_model *m = cnn(3);
    size_t before = nn_model_num_params(m), head = nn_model_layer_num_params(m, 5);
    nn_optimizer o = nn_adam(0.01f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_OK);
    CHECK(nn_model_pop(m) == NN_OK);
    CHECK(nn_model_num_layers(m) == 5 && nn_model_num_params(m) == before - head);
    CHECK(nn_model_output_size(m) == 6);
    /* the compile is gone: training needs a new one */
    float x[2 * 64] = {0}, y[2] = {0, 1}, loss;
    CHECK(nn_model_train_batch(m, x, y, 2, &loss) == NN_ERR_STATE);
    nn_model_add(m, nn_dense(2, NN_ACT_SOFTMAX));
    CHECK(!strcmp(nn_model_layer_name(m, 5), "dense_1"));
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_OK);
    CHECK(nn_model_train_batch(m, x, y, 2, &loss) == NN_OK);
    /* pop everything, batchnorm state too; then build again */
    for (int i = 0; i < 6; i++) CHECK(nn_model_pop(m) == NN_OK);
    CHECK(nn_model_num_layers(m) == 0 && nn_model_num_params(m) == 0 && nn_model_num_state(m) == 0);
    CHECK(nn_model_pop(m) == NN_ERR_STATE);
    CHECK(strstr(nn_model_error(m), "pop: the model has no layers") != NULL);
    CHECK(nn_model_add(m, nn_flatten()) == NN_OK && nn_model_output_size(m) == 64);
    CHECK(nn_model_pop(NULL) == NN_ERR_ARG);
    nn_model_free(m);
}

/* A new model from a trained one's layers: the same outputs for the copied part, its own weights
 * afterwards, trainable flags kept, and a new head trained alone. */
static void test_add_from(void)
{
    nn_model *base = cnn(4);
    float x[16 * 64], y[16];
    nn_random_fill(x, 16 * 64, 0, 0.0f, 1.0f, 9);
    for (int i = 0; i < 16; i++) y[i] = (float)(i % 3);
    nn_optimizer o = nn_adam(0.01f);
    nn_model_compile(base, &o, NN_LOSS_SCCE);
    float loss;
    for (int s = 0; s < 5; s++) nn_model_train_batch(base, x, y, 16, &loss); /* moves batchnorm's state too */
    nn_model_set_trainable(base, 0, 0);

    int shape[3];
    CHECK(nn_model_layer_input_shape(base, 0, shape) == 3 && shape[0] == 8 && shape[2] == 1);
    CHECK(nn_model_layer_input_shape(base, 4, shape) == 1 && shape[0] == 64);
    CHECK(nn_model_layer_input_shape(base, 6, shape) == 0);
    int in[3] = {8, 8, 1};
    nn_model *m = nn_model_create(3, in, 5);
    for (int i = 0; i < 5; i++) CHECK(nn_model_add_from(m, base, i) == NN_OK);
    CHECK(nn_model_layer_trainable(m, 0) == 0 && nn_model_layer_trainable(m, 1) == 1);
    CHECK(!strcmp(nn_model_layer_name(m, 4), "dense"));
    CHECK(memcmp(nn_model_state(m), nn_model_state(base), nn_model_num_state(m) * sizeof(float)) == 0);
    float *ob = malloc(sizeof(float) * 16 * 700), *om = malloc(sizeof(float) * 16 * 700);
    CHECK(nn_model_predict_layers(base, x, 16, ob) == NN_OK);
    CHECK(nn_model_predict(m, x, 16, om) == NN_OK);
    /* layer 4's block in predict_layers: after 8*8*4 + 8*8*4 + 4*4*4 + 64 values per sample */
    const float *feat = ob + 16 * (256 + 256 + 64 + 64);
    float d = 0;
    for (int i = 0; i < 16 * 6; i++) d = fmaxf(d, fabsf(feat[i] - om[i]));
    CHECK(d == 0);
    /* a copy: changing the new model leaves the old one alone */
    float first = nn_model_params(base)[0];
    nn_model_params(m)[0] += 1;
    CHECK(nn_model_params(base)[0] == first);
    nn_model_params(m)[0] -= 1;
    /* a new head, the copied layers frozen: only the head changes */
    nn_model_set_trainable(m, -1, 0);
    CHECK(nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX)) == NN_OK);
    CHECK(!strcmp(nn_model_layer_name(m, 5), "dense_1"));
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_OK);
    size_t nb = nn_model_layer_param_offset(m, 5);
    float *keep = malloc(nb * sizeof(float));
    memcpy(keep, nn_model_params(m), nb * sizeof(float));
    float l0 = 0, l1 = 0;
    for (int s = 0; s < 30; s++) { nn_model_train_batch(m, x, y, 16, s ? &l1 : &l0); }
    CHECK(memcmp(keep, nn_model_params(m), nb * sizeof(float)) == 0);
    CHECK(l1 < l0);
    /* misuse */
    CHECK(nn_model_add_from(m, base, 9) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "add_from: no layer 9 in the source model (it has 6)") != NULL);
    CHECK(nn_model_add_from(m, m, 0) == NN_ERR_ARG);
    CHECK(nn_model_add_from(m, base, 4) == NN_ERR_ARG); /* its name, dense, is taken */
    CHECK(strstr(nn_model_error(m), "'dense' is already") != NULL);
    CHECK(nn_model_num_layers(m) == 6);
    /* a layer whose weights do not fit the shape it would read here */
    int in2[1] = {10};
    nn_model *small = nn_model_create(1, in2, 1);
    CHECK(nn_model_add_from(small, base, 5) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(small), "add_from: layer 'dense_1' would hold 33 weights here and holds 21") != NULL);
    CHECK(nn_model_num_layers(small) == 0);
    free(keep); free(ob); free(om);
    nn_model_free(small);
    nn_model_free(m);
    nn_model_free(base);
}

int main(void)
{
    RUN(test_default_names);
    RUN(test_given_names);
    RUN(test_names_in_files);
    RUN(test_duplicate_names_in_file);
    RUN(test_pop);
    RUN(test_add_from);
    return nt_summary("test_surgery");
}
