/* test_table.c - the layer table and what it drives: specs by option name, the key/value
 * encoding, the model file (version 4, and the fixtures of versions 1 to 3 in tests/fixtures),
 * and a loader that refuses hostile sizes before it allocates. */
#include "nn.h"
#include "test.h"
#include <string.h>

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t crc = ~0u;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void seal(unsigned char *b, size_t len) /* rewrite the trailing CRC over b[0..len-4) */
{
    uint32_t c = crc32_of(b, len - 4);
    for (int k = 0; k < 4; k++) b[len - 4 + k] = (unsigned char)(c >> (8 * k));
}

/* Every byte of a model file flipped in turn (checksum resealed): refused or loaded, never a crash
 * (the ASan/UBSan builds check); a model that loads and still takes inputs of in_size values
 * predicts n samples of x. And every truncation is refused. */
static void flip_each_byte(const unsigned char *b, size_t len, unsigned char mask, const float *x, int n, int in_size)
{
    unsigned char *h = malloc(len);
    char err[NN_ERR_LEN];
    float p[64];
    for (size_t i = 8; i + 4 < len; i++) {
        memcpy(h, b, len);
        h[i] ^= mask;
        seal(h, len);
        nn_model *r = nn_model_load(h, len, err);
        if (r) {
            if (nn_model_output_size(r) * n <= 64 && nn_model_input_size(r) == in_size)
                nn_model_predict(r, x, n, p);
            nn_model_free(r);
        }
        CHECK(nn_model_load(b, i, err) == NULL);
    }
    free(h);
}

/* Every option of every type: defaults decode back to themselves through the encoding. */
static void test_every_type_round_trips(void)
{
    CHECK(nn_layer_type_count() > NN_LAYER_BATCHNORM);
    for (int t = 1; t < nn_layer_type_count(); t++) {
        const nn_option *o;
        int n = nn_layer_type_options(t, &o);
        CHECK(nn_layer_type_name(t) && nn_layer_type_func(t) && nn_layer_type_doc(t));
        CHECK(nn_layer_type_from_name(nn_layer_type_name(t)) == t);
        CHECK(nn_layer_type_from_name(nn_layer_type_func(t)) == t);
        nn_layer_spec s = nn_spec(t);
        for (int i = 0; i < n; i++) {
            CHECK(o[i].name && o[i].doc && o[i].kind >= NN_KIND_INT && o[i].kind <= NN_KIND_LAYER);
            if (o[i].kind == NN_KIND_ENUM) CHECK(o[i].names && o[i].names->count > 0);
        }
        unsigned char buf[1024];
        size_t len = nn_spec_encode(&s, buf, sizeof buf);
        CHECK(len > 0 && len <= sizeof buf);
        nn_layer_spec r;
        char err[NN_ERR_LEN] = "";
        CHECK(nn_spec_decode(buf, len, &r, err) == NN_OK);
        if (err[0]) printf("  %s: %s\n", nn_layer_type_name(t), err);
        CHECK(r.type == t && memcmp(r.cfg.bytes, s.cfg.bytes, sizeof s.cfg.bytes) == 0);
        CHECK(nn_spec_decode(buf, len - 1, &r, err) != NN_OK); /* truncated */
    }
    CHECK(nn_layer_type_name(0) == NULL && nn_layer_type_name(nn_layer_type_count()) == NULL);
    CHECK(nn_layer_type_from_name("maxPool2d") == NN_LAYER_MAXPOOL2D);
    CHECK(nn_layer_type_from_name("Dense2") == -1);
}

/* Options by name: values checked once, messages in the JS names, first failure kept. */
static void test_spec_by_name(void)
{
    nn_layer_spec s = nn_conv2d(8, 3, 3, 1, NN_PAD_SAME, NN_ACT_RELU);
    CHECK(s.err[0] == 0);
    double v[4];
    CHECK(nn_spec_get(&s, "kernelSize", v, 4) == 2 && v[0] == 3 && v[1] == 3);
    CHECK(nn_spec_get(&s, "activation", v, 4) == 1 && v[0] == NN_ACT_RELU);
    CHECK(nn_spec_set_name(&s, "activation", "leaky_relu") == NN_OK); /* an alias */
    CHECK(nn_spec_get(&s, "activation", v, 4) == 1 && v[0] == NN_ACT_LEAKY_RELU);
    CHECK(nn_spec_set(&s, "filters", 2.5) == NN_ERR_ARG);
    CHECK(strstr(s.err, "conv2d: filters must be a positive integer") != NULL);
    CHECK(nn_spec_set(&s, "filters", 4294967297.0) == NN_ERR_ARG); /* 2^32 + 1 never wraps */
    CHECK(nn_spec_set_name(&s, "activation", "swish") == NN_ERR_ARG);
    CHECK(strstr(s.err, "filters") != NULL); /* the first failure stays */
    int shape[3] = {6, 6, 2};
    nn_model *m = nn_model_create(3, shape, 1);
    CHECK(nn_model_add(m, s) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "filters must be a positive integer") != NULL);
    nn_layer_spec d = nn_dense(3, NN_ACT_RELU);
    CHECK(nn_spec_set_name(&d, "activation", "swish") == NN_ERR_ARG);
    CHECK(strstr(d.err, "dense: unknown activation 'swish' (known: linear, relu") != NULL);
    d = nn_dense(3, NN_ACT_RELU);
    CHECK(nn_spec_set(&d, "rate", 0.5) == NN_ERR_ARG);
    CHECK(strstr(d.err, "dense: unknown option 'rate' (options: units, activation") != NULL);
    d = nn_dropout(0.5f);
    CHECK(nn_spec_set(&d, "rate", 1.0) == NN_ERR_ARG && strstr(d.err, "rate must be a number in [0, 1), got 1"));
    CHECK(nn_spec_set(&d, "rate", NAN) == NN_ERR_ARG);
    nn_model_free(m);
}

/* returnState is TF.js's option, but a layer with several outputs is refused in a Sequential model
 * (as TF.js refuses it), for every recurrent type, with a message naming it and the layer. */
static void test_return_state(void)
{
    int shape[2] = {3, 2};
    nn_layer_spec specs[3] = {nn_simple_rnn(4, NN_ACT_TANH), nn_lstm(4), nn_gru(4)};
    const char *names[3] = {"simpleRNN", "lstm", "gru"};
    for (int i = 0; i < 3; i++) {
        nn_model *m = nn_model_create(2, shape, 1);
        double v;
        CHECK(nn_spec_get(&specs[i], "returnState", &v, 1) == 1 && v == 0);
        CHECK(nn_spec_set(&specs[i], "returnState", 1) == NN_OK); /* a valid value ... */
        CHECK(nn_model_add(m, specs[i]) == NN_ERR_ARG);            /* ... that a Sequential model refuses */
        char want[64];
        snprintf(want, sizeof want, "%s: returnState gives the layer several outputs", names[i]);
        CHECK(strstr(nn_model_error(m), want) && strstr(nn_model_error(m), "single output tensor"));
        nn_spec_set(&specs[i], "returnState", 0);
        CHECK(nn_model_add(m, specs[i]) == NN_OK);
        nn_model_free(m);
    }
}

/* A layer option holds a nested spec (tag 4), checked as strictly as a spec of its own: complete,
 * recurrent, one level deep; every truncation of the bytes is refused. */
static void test_nested_spec(void)
{
    nn_layer_spec inner = nn_gru(5);
    nn_spec_set(&inner, "resetAfter", 1);
    nn_spec_set(&inner, "returnSequences", 1);
    nn_spec_set(&inner, "dropout", 0.25);
    nn_layer_spec s = nn_bidirectional(inner, NN_MERGE_AVE);
    CHECK(s.err[0] == 0);
    unsigned char buf[2048];
    size_t len = nn_spec_encode(&s, buf, sizeof buf);
    CHECK(len > 0 && len <= sizeof buf);
    nn_layer_spec r, back;
    char err[NN_ERR_LEN] = "";
    CHECK(nn_spec_decode(buf, len, &r, err) == NN_OK);
    /* every option is written, so every one comes back as given */
    CHECK(r.type == NN_LAYER_BIDIRECTIONAL && nn_spec_get_layer(&r, "layer", &back) == NN_OK && back.type == NN_LAYER_GRU);
    CHECK(memcmp(back.cfg.bytes, inner.cfg.bytes, sizeof inner.cfg.bytes) == 0);
    unsigned char again[2048];
    CHECK(nn_spec_encode(&r, again, sizeof again) == len && memcmp(again, buf, len) == 0);
    double v[2];
    CHECK(nn_spec_get(&r, "layer", v, 2) == 1 && v[0] == NN_LAYER_GRU);
    CHECK(nn_spec_get(&r, "mergeMode", v, 2) == 1 && v[0] == NN_MERGE_AVE);
    CHECK(nn_spec_get_layer(&r, "mergeMode", &back) == NN_ERR_ARG);
    for (size_t k = 0; k < len; k++) CHECK(nn_spec_decode(buf, k, &r, err) != NN_OK); /* every truncation */

    /* what a layer option refuses, each with a message naming it */
    struct { nn_layer_spec layer; const char *msg; } bad[5];
    bad[0].layer = nn_dense(3, NN_ACT_RELU);
    bad[0].msg = "bidirectional: layer must be a recurrent layer (simpleRNN, lstm or gru), got dense";
    bad[1].layer = nn_bidirectional(nn_lstm(2), NN_MERGE_CONCAT);
    bad[1].msg = "bidirectional: layer cannot be a bidirectional: a wrapped layer cannot hold a layer itself";
    bad[2].layer = nn_spec(NN_LAYER_LSTM);
    bad[2].msg = "bidirectional: layer: lstm: units is missing";
    bad[3].layer = nn_lstm(0);
    bad[3].msg = "bidirectional: layer: lstm: units must be a positive integer";
    bad[4].layer = nn_lstm(2);
    bad[4].layer.type = 99;
    bad[4].msg = "bidirectional: layer must be a layer (simpleRNN, lstm or gru), got an unknown layer type";
    for (int i = 0; i < 5; i++) {
        nn_layer_spec b = nn_bidirectional(bad[i].layer, NN_MERGE_SUM);
        CHECK(strstr(b.err, bad[i].msg) != NULL);
        if (!strstr(b.err, bad[i].msg)) printf("  %d: %s\n", i, b.err);
        CHECK(nn_spec_validate(&b, err) == NN_ERR_ARG);
    }
    nn_layer_spec b = nn_spec(NN_LAYER_BIDIRECTIONAL);
    CHECK(nn_spec_validate(&b, err) == NN_ERR_ARG && strstr(err, "bidirectional: layer is missing"));
    CHECK(nn_spec_set(&b, "layer", 3) == NN_ERR_ARG);
    CHECK(strstr(b.err, "bidirectional: layer must be a layer (simpleRNN, lstm or gru), got 3"));
    nn_layer_spec d = nn_dense(2, NN_ACT_RELU), l2 = nn_lstm(2);
    CHECK(nn_spec_set_layer(&d, "units", &l2) == NN_ERR_ARG && strstr(d.err, "dense: units must be a number, got a layer"));

    /* bytes: a layer inside a nested layer, and a layer where a number goes */
    unsigned char deep[4096];
    size_t n = 0;
    static const char hdr[] = "\x0d\x00" "Bidirectional" "\x01\x00" "\x05\x00" "layer" "\x04";
    memcpy(deep, hdr, sizeof hdr - 1);
    n = sizeof hdr - 1;
    n += nn_spec_encode(&s, deep + n, sizeof deep - n); /* s holds a layer itself */
    CHECK(nn_spec_decode(deep, n, &r, err) == NN_ERR_ARG);
    CHECK(strstr(err, "bidirectional: layer: bidirectional: layer holds a layer inside a nested layer: layers nest one level deep"));
    if (!strstr(err, "nest one level")) printf("  %s\n", err);
    unsigned char num[512];
    static const char dh[] = "\x05\x00" "Dense" "\x01\x00" "\x05\x00" "units" "\x04";
    memcpy(num, dh, sizeof dh - 1);
    n = sizeof dh - 1 + nn_spec_encode(&l2, num + sizeof dh - 1, sizeof num - sizeof dh);
    CHECK(nn_spec_decode(num, n, &r, err) == NN_ERR_ARG && strstr(err, "dense: units must be a number, got a layer"));

    /* mergeMode null is TF.js's list output: refused when added to a (Sequential) model */
    int shape[2] = {4, 3};
    nn_model *m = nn_model_create(2, shape, 1);
    CHECK(nn_model_add(m, nn_bidirectional(nn_lstm(2), NN_MERGE_NULL)) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "bidirectional: mergeMode null gives the two directions' outputs as a list") &&
          strstr(nn_model_error(m), "single output tensor"));
    /* shapes: concat doubles the units; the wrapped layer's own checks, named */
    CHECK(nn_model_add(m, nn_bidirectional(inner, NN_MERGE_CONCAT)) == NN_OK);
    int out[3];
    CHECK(nn_model_layer_output_shape(m, 0, out) == 2 && out[0] == 4 && out[1] == 10);
    CHECK(nn_model_add(m, nn_bidirectional(nn_lstm(3), NN_MERGE_MUL)) == NN_OK);
    CHECK(nn_model_layer_output_shape(m, 1, out) == 1 && out[0] == 3);
    CHECK(nn_model_add(m, nn_bidirectional(nn_lstm(3), NN_MERGE_SUM)) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "bidirectional: lstm: input must be a sequence [steps, features]"));
    nn_tensor t[NN_MAX_TENSORS];
    CHECK(nn_model_layer_tensors(m, 0, t) == 6);
    CHECK(!strcmp(t[0].name, "forward_gru/kernel") && !strcmp(t[2].name, "forward_gru/bias"));
    CHECK(!strcmp(t[4].name, "backward_gru/recurrent_kernel") && t[5].rank == 2 && t[5].shape[0] == 2);
    CHECK(t[3].offset == nn_model_layer_num_params(m, 0) / 2 && t[3].regularized && t[0].regularized);
    nn_model_free(m);
    m = nn_model_create(2, shape, 1); /* Keras's layer names: simple_rnn */
    CHECK(nn_model_add(m, nn_bidirectional(nn_simple_rnn(2, NN_ACT_TANH), NN_MERGE_CONCAT)) == NN_OK);
    CHECK(nn_model_layer_tensors(m, 0, t) == 6 && !strcmp(t[4].name, "backward_simple_rnn/recurrent_kernel"));
    nn_model_free(m);
}

/* The compile settings travel in the same encoding. */
static void test_compile_encoded(void)
{
    int shape[1] = {4};
    nn_model *m = nn_model_create(1, shape, 3);
    nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX));
    nn_optimizer o = nn_rmsprop(0.02f);
    o.momentum = 0.5f;
    CHECK(nn_model_compile(m, &o, NN_LOSS_CCE) == NN_OK);
    unsigned char buf[512];
    size_t n = nn_model_compile_encode(m, buf, sizeof buf);
    CHECK(n > 0 && n < sizeof buf);
    nn_model *r = nn_model_create(1, shape, 3);
    nn_model_add(r, nn_dense(3, NN_ACT_SOFTMAX));
    CHECK(nn_model_compile_encoded(r, buf, n) == NN_OK);
    CHECK(memcmp(nn_model_optimizer(r), nn_model_optimizer(m), sizeof(nn_optimizer)) == 0);
    CHECK(nn_model_loss(r) == NN_LOSS_CCE);
    /* a bad value: u16 one entry, "momentum" = 2 */
    unsigned char bad[] = {1, 0, 8, 0, 'm', 'o', 'm', 'e', 'n', 't', 'u', 'm', 1, 1, 0, 0, 0, 0, 0, 0, 0, 0x40};
    CHECK(nn_model_compile_encoded(r, bad, sizeof bad) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(r), "compile: momentum must be a number in [0, 1), got 2") != NULL);
    unsigned char none[] = {0, 0};
    CHECK(nn_model_compile_encoded(r, none, sizeof none) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(r), "loss is missing") != NULL);
    nn_model_free(m);
    nn_model_free(r);
}

/* Files of versions 1 and 2 load and predict as they did when written; saving them again
 * writes the current version, which loads to the same model. */
static void test_old_files(void)
{
    static const char *names[] = {"v1-uncompiled", "v2-uncompiled", "v2-mlp", "v2-cnn", "v2-gap", "v2-digits-cnn"};
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        char fn[128];
        size_t len, elen;
        snprintf(fn, sizeof fn, "%s.nnplay", names[f]);
        unsigned char *b = nt_fixture(fn, &len);
        snprintf(fn, sizeof fn, "%s.expected.f32", f == 0 ? "v2-uncompiled" : names[f]);
        unsigned char *e = nt_fixture(fn, &elen);
        CHECK(b && e);
        if (!b || !e) { free(b); free(e); continue; }
        char err[NN_ERR_LEN] = "";
        nn_model *m = nn_model_load(b, len, err);
        CHECK(m != NULL);
        if (!m) { printf("  %s: %s\n", names[f], err); free(b); free(e); continue; }
        int in = nn_model_input_size(m), out = nn_model_output_size(m);
        CHECK(elen == sizeof(float) * 3 * (size_t)out);
        float *x = malloc(sizeof(float) * 3 * in), *p = malloc(sizeof(float) * 3 * out);
        float *want = (float *)(void *)e;
        for (int i = 0; i < 3 * in; i++)
            x[i] = f == 5 ? 0.5f + 0.5f * sinf(0.37f * i + 0.1f) : sinf(0.37f * i + 0.1f);
        CHECK(nn_model_predict(m, x, 3, p) == NN_OK);
        for (int i = 0; i < 3 * out; i++) CHECK_NEAR(p[i], want[i], 1e-5 + 1e-5 * fabs(want[i]));
        /* resave: the current version, same model */
        size_t n = nn_model_save_size(m), w;
        unsigned char *v3 = malloc(n);
        CHECK(nn_model_save(m, v3, n, &w) == NN_OK && v3[8] == 4);
        nn_model *r = nn_model_load(v3, w, err);
        CHECK(r != NULL);
        if (r) {
            float *q = malloc(sizeof(float) * 3 * out);
            CHECK(nn_model_predict(r, x, 3, q) == NN_OK);
            CHECK(memcmp(p, q, sizeof(float) * 3 * out) == 0);
            CHECK(nn_model_step_count(r) == nn_model_step_count(m));
            CHECK(nn_model_num_params(r) == nn_model_num_params(m));
            CHECK((nn_model_optimizer(r) != NULL) == (nn_model_optimizer(m) != NULL));
            if (nn_model_optimizer(m))
                CHECK(memcmp(nn_model_optimizer(r), nn_model_optimizer(m), sizeof(nn_optimizer)) == 0);
            free(q);
            nn_model_free(r);
        }
        free(v3);
        free(x); free(p); free(b); free(e);
        nn_model_free(m);
    }
}

/* Files of version 3 (tests/fixtures/make_v3.c: embedding, LSTM, GRU, a frozen dense, a
 * bidirectional simpleRNN; one saved without its optimizer) load, predict as when written, and
 * resave as version 4 to the same model and optimizer state. */
static void test_v3_files(void)
{
    static const char *names[] = {"v3-rnn", "v3-cnn-slim"};
    for (int f = 0; f < 2; f++) {
        char fn[128], err[NN_ERR_LEN] = "";
        size_t len, elen;
        snprintf(fn, sizeof fn, "%s.nnplay", names[f]);
        unsigned char *b = nt_fixture(fn, &len);
        snprintf(fn, sizeof fn, "%s.expected.f32", names[f]);
        unsigned char *e = nt_fixture(fn, &elen);
        CHECK(b && e && b[8] == 3);
        nn_model *m = b ? nn_model_load(b, len, err) : NULL;
        CHECK(m != NULL);
        if (!m) { printf("  %s: %s\n", names[f], err); free(b); free(e); continue; }
        int in = nn_model_input_size(m), out = nn_model_output_size(m);
        CHECK(elen == sizeof(float) * 3 * (size_t)out);
        float *x = malloc(sizeof(float) * 3 * in), *p = malloc(sizeof(float) * 3 * out), *q = malloc(sizeof(float) * 3 * out);
        for (int i = 0; i < 3 * in; i++) x[i] = f == 0 ? (float)((i * 7 + 3) % 20) : sinf(0.37f * i + 0.1f);
        CHECK(nn_model_predict(m, x, 3, p) == NN_OK);
        for (int i = 0; i < 3 * out; i++) CHECK_NEAR(p[i], ((float *)(void *)e)[i], 1e-5);
        CHECK(nn_model_step_count(m) == (f == 0 ? 3 : 0));
        CHECK(nn_model_layer_trainable(m, 3) == (f == 0));
        size_t n = nn_model_save_size(m), w;
        unsigned char *v4 = malloc(n);
        CHECK(nn_model_save(m, v4, n, &w) == NN_OK && v4[8] == 4);
        nn_model *r = nn_model_load(v4, w, err);
        CHECK(r != NULL);
        if (r) {
            CHECK(nn_model_predict(r, x, 3, q) == NN_OK && !memcmp(p, q, sizeof(float) * 3 * out));
            CHECK(nn_model_step_count(r) == nn_model_step_count(m));
            float y[3] = {0, 1, 1};
            CHECK(nn_model_train_batch(m, x, y, 3, NULL) == NN_OK && nn_model_train_batch(r, x, y, 3, NULL) == NN_OK);
            CHECK(!memcmp(nn_model_params(m), nn_model_params(r), nn_model_num_params(m) * sizeof(float)));
            nn_model_free(r);
        }
        free(v4); free(x); free(p); free(q); free(b); free(e);
        nn_model_free(m);
    }
}

/* A valid checksum over lies: huge layers, no weights; many layers; huge counts. Each is refused
 * from the structure alone (the loader allocates only the spec list, bounded by the file). */
static void test_hostile_files(void)
{
    int shape[1] = {2};
    nn_model *m = nn_model_create(1, shape, 1);
    nn_model_add(m, nn_dense(3, NN_ACT_RELU));
    size_t len = nn_model_save_size(m), w;
    unsigned char *b = malloc(len);
    nn_model_save(m, b, len, &w);
    char err[NN_ERR_LEN];
    /* units 3 -> 16,000,000 (the f64 in the encoding): 48M weights declared, 9 stored */
    unsigned char *h = malloc(len);
    memcpy(h, b, len);
    int found = 0;
    for (size_t i = 0; i + 13 < len; i++)
        if (!memcmp(h + i, "units", 5) && h[i + 5] == 1 && h[i + 6] == 1) {
            double v = 1.6e7;
            memcpy(h + i + 7, &v, 8); /* little-endian hosts: the f64 as stored */
            found = 1;
            break;
        }
    CHECK(found);
    seal(h, len);
    CHECK(nn_model_load(h, len, err) == NULL);
    CHECK(strstr(err, "need 48000000") != NULL); /* the layers need 48M, 9 are stored */
    if (!strstr(err, "need 48000000")) printf("  %s\n", err);
    /* 2^31 layers in a few hundred bytes */
    memcpy(h, b, len);
    h[32] = 0; h[33] = 0; h[34] = 0; h[35] = 0x80;
    seal(h, len);
    CHECK(nn_model_load(h, len, err) == NULL && strstr(err, "layers in"));
    float x[2] = {0.5f, -1};
    flip_each_byte(b, len, 0xA5, x, 1, 2);
    free(h);
    free(b);
    nn_model_free(m);
}

/* A Bidirectional model saves its nested spec in the version-3 file and loads to the same model
 * (same predictions, same bytes saved again); every flipped byte and every truncation of the file
 * is refused or loads, never a crash (the ASan/UBSan builds check). */
static void test_bidirectional_file(void)
{
    int shape[1] = {5};
    nn_model *m = nn_model_create(1, shape, 3);
    nn_layer_spec e = nn_embedding(6, 3), r = nn_lstm(2);
    nn_spec_set(&e, "maskZero", 1);
    nn_spec_set(&r, "returnSequences", 1);
    nn_spec_set(&r, "recurrentDropout", 0.2);
    nn_spec_set(&r, "l1", 0.01);
    CHECK(nn_model_add(m, e) == NN_OK);
    CHECK(nn_model_add(m, nn_bidirectional(r, NN_MERGE_MUL)) == NN_OK);
    CHECK(nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX)) == NN_OK);
    nn_optimizer o = nn_adam(0.01f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_OK);
    float x[10] = {0, 1, 2, 3, 4, 0, 0, 5, 1, 2}, y[10] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, l, p[30], q[30];
    CHECK(nn_model_train_batch(m, x, y, 2, &l) == NN_OK);
    size_t len = nn_model_save_size(m), w;
    unsigned char *b = malloc(len), *b2 = malloc(len);
    CHECK(nn_model_save(m, b, len, &w) == NN_OK);
    char err[NN_ERR_LEN];
    nn_model *r2 = nn_model_load(b, len, err);
    CHECK(r2 != NULL);
    if (!r2) { printf("  %s\n", err); free(b); free(b2); nn_model_free(m); return; }
    nn_layer_spec in;
    CHECK(nn_model_layer_spec(r2, 1)->type == NN_LAYER_BIDIRECTIONAL);
    CHECK(nn_spec_get_layer(nn_model_layer_spec(r2, 1), "layer", &in) == NN_OK && in.type == NN_LAYER_LSTM);
    CHECK(nn_model_predict(m, x, 2, p) == NN_OK && nn_model_predict(r2, x, 2, q) == NN_OK);
    CHECK(memcmp(p, q, sizeof p) == 0);
    CHECK(nn_model_save_size(r2) == len && nn_model_save(r2, b2, len, &w) == NN_OK && memcmp(b, b2, len) == 0);
    CHECK(nn_model_train_batch(r2, x, y, 2, &l) == NN_OK && nn_model_train_batch(m, x, y, 2, &l) == NN_OK);
    CHECK(nn_model_predict(m, x, 2, p) == NN_OK && nn_model_predict(r2, x, 2, q) == NN_OK);
    CHECK(memcmp(p, q, sizeof p) == 0); /* the optimizer state and the RNG came along */
    nn_model_free(r2);
    flip_each_byte(b, len, 0x5A, x, 2, 5);
    free(b); free(b2);
    nn_model_free(m);
}

/* A vocabulary-sized output (more classes than a confusion matrix is kept for) still trains and
 * reports loss and accuracy; precision, recall and f1 are NaN. No k^2 allocation. */
static void test_many_classes(void)
{
    int shape[1] = {3}, k = 5000;
    nn_model *m = nn_model_create(1, shape, 2);
    nn_model_add(m, nn_dense(k, NN_ACT_SOFTMAX));
    nn_optimizer o = nn_adam(0.01f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_OK);
    float x[6] = {1, 2, 3, -1, 0, 1}, y[2] = {7, 4999};
    nn_metrics mt;
    CHECK(nn_model_evaluate(m, x, y, 2, &mt) == NN_OK);
    CHECK(mt.confusion == NULL && mt.count == 2 && mt.accuracy >= 0 && mt.accuracy <= 1);
    CHECK(isnan(mt.precision) && isnan(mt.f1));
    nn_metrics_free(&mt);
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 2;
    CHECK(nn_model_fit(m, x, y, 2, &fo, NULL, NULL) == NN_OK);
    nn_model_free(m);
}

int main(void)
{
    RUN(test_every_type_round_trips);
    RUN(test_spec_by_name);
    RUN(test_return_state);
    RUN(test_nested_spec);
    RUN(test_compile_encoded);
    RUN(test_old_files);
    RUN(test_v3_files);
    RUN(test_hostile_files);
    RUN(test_bidirectional_file);
    RUN(test_many_classes);
    return nt_summary("table");
}
