/* test_table.c - the layer table and what it drives: specs by option name, the key/value
 * encoding, the model file (version 3, and the fixtures of versions 1 and 2 in tests/fixtures),
 * and a loader that refuses hostile sizes before it allocates. */
#include "nn.h"
#include "test.h"
#include <string.h>

static unsigned char *read_file(const char *name, size_t *len)
{
    char path[512];
    const char *dir = getenv("NN_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/fixtures/%s", dir ? dir : ".", name);
    FILE *f = fopen(path, "rb");
    if (!f) { printf("  cannot open %s\n", path); return NULL; }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

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
            CHECK(o[i].name && o[i].doc && o[i].kind >= NN_KIND_INT && o[i].kind <= NN_KIND_SHAPE);
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
 * writes version 3, which loads to the same model. */
static void test_old_files(void)
{
    static const char *names[] = {"v1-uncompiled", "v2-uncompiled", "v2-mlp", "v2-cnn", "v2-gap", "v2-digits-cnn"};
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        char fn[128];
        size_t len, elen;
        snprintf(fn, sizeof fn, "%s.nnplay", names[f]);
        unsigned char *b = read_file(fn, &len);
        snprintf(fn, sizeof fn, "%s.expected.f32", f == 0 ? "v2-uncompiled" : names[f]);
        unsigned char *e = read_file(fn, &elen);
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
        /* resave: version 3, same model */
        size_t n = nn_model_save_size(m), w;
        unsigned char *v3 = malloc(n);
        CHECK(nn_model_save(m, v3, n, &w) == NN_OK && v3[8] == 3);
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
    /* every byte flipped in turn: refused or loaded, never a crash (ASan/UBSan builds check) */
    for (size_t i = 8; i + 4 < len; i++) {
        memcpy(h, b, len);
        h[i] ^= 0xA5;
        seal(h, len);
        nn_model *r = nn_model_load(h, len, err);
        if (r) {
            float x[2] = {0.5f, -1}, p[16];
            if (nn_model_output_size(r) <= 16) nn_model_predict(r, x, 1, p);
            nn_model_free(r);
        }
        CHECK(nn_model_load(h, i, err) == NULL); /* and every truncation */
    }
    free(h);
    free(b);
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
    RUN(test_compile_encoded);
    RUN(test_old_files);
    RUN(test_hostile_files);
    RUN(test_many_classes);
    return nt_summary("table");
}
