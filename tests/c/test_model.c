/* Model behaviour: training reaches its targets, runs are reproducible, files round-trip, and
 * every mistake a caller can make returns an error with a message (never an abort). */
#include "nn.h"
#include "test.h"
#include <math.h>
#include <string.h>

static nn_model *xor_model(uint32_t seed)
{
    int shape[1] = {2};
    nn_model *m = nn_model_create(1, shape, seed);
    nn_model_add(m, nn_dense(8, NN_ACT_TANH));
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    nn_optimizer o = nn_adam(0.05f);
    nn_model_compile(m, &o, NN_LOSS_BCE);
    return m;
}

static const float XOR_X[8] = {0, 0, 0, 1, 1, 0, 1, 1}, XOR_Y[4] = {0, 1, 1, 0};

static void test_xor(void)
{
    nn_model *m = xor_model(1);
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 400;
    fo.batch_size = 4;
    CHECK(nn_model_fit(m, XOR_X, XOR_Y, 4, &fo, NULL, NULL) == NN_OK);
    nn_metrics mt;
    CHECK(nn_model_evaluate(m, XOR_X, XOR_Y, 4, &mt) == NN_OK);
    CHECK(mt.accuracy == 1.0);
    CHECK(mt.loss < 0.1);
    nn_metrics_free(&mt);
    nn_model_free(m);
}

/* Trains the spiral net from init seed `seed`; returns the training accuracy. */
static double spiral_accuracy(const float *x, const float *y, int n, uint32_t seed)
{
    int shape[1] = {2};
    nn_model *m = nn_model_create(1, shape, seed);
    nn_model_add(m, nn_dense(32, NN_ACT_TANH));
    nn_model_add(m, nn_dense(32, NN_ACT_TANH));
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    nn_optimizer o = nn_adam(0.01f);
    nn_model_compile(m, &o, NN_LOSS_BCE);
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 300;
    fo.batch_size = 16;
    CHECK(nn_model_fit(m, x, y, n, &fo, NULL, NULL) == NN_OK);
    nn_metrics mt;
    nn_model_evaluate(m, x, y, n, &mt);
    double acc = mt.accuracy;
    printf("  spiral train accuracy %.4f (init seed %u)\n", acc, (unsigned)seed);
    nn_metrics_free(&mt);
    nn_model_free(m);
    return acc;
}

static void test_spiral(void)
{
    enum { n = 400 };
    float x[n * 2], y[n];
    CHECK(nn_data_generate(NN_DATA_SPIRAL, n, 0.0f, 0, 5, x, y) == 0);
    /* About one init in eight sits on a plateau (~94%) for all 300 epochs, and which one depends
     * on float rounding (libm or polynomial tanh, FMA or not): the better of two must learn it. */
    double a = spiral_accuracy(x, y, n, 3);
    if (a < 0.98) a = spiral_accuracy(x, y, n, 5);
    CHECK(a >= 0.98);
}

static void test_multiclass_and_metrics(void)
{
    enum { n = 300 };
    float x[n * 2], y[n];
    CHECK(nn_data_generate(NN_DATA_BLOBS, n, 0.1f, 3, 9, x, y) == 0);
    int shape[1] = {2};
    nn_model *m = nn_model_create(1, shape, 4);
    nn_model_add(m, nn_dense(16, NN_ACT_RELU));
    nn_model_add(m, nn_dropout(0.1f));
    nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX));
    nn_optimizer o = nn_rmsprop(0.01f);
    nn_model_compile(m, &o, NN_LOSS_SCCE);
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 60;
    fo.validation_split = 0.2f;
    CHECK(nn_model_fit(m, x, y, n, &fo, NULL, NULL) == NN_OK);
    nn_metrics mt;
    nn_model_evaluate(m, x, y, n, &mt);
    CHECK(mt.accuracy > 0.9);
    CHECK(mt.num_classes == 3);
    int64_t total = 0;
    for (int i = 0; i < 9; i++) total += mt.confusion[i];
    CHECK(total == n);
    CHECK(mt.f1 > 0.85 && mt.precision > 0.85 && mt.recall > 0.85);
    nn_metrics_free(&mt);
    /* predictions are probabilities */
    float p[3];
    nn_model_predict(m, x, 1, p);
    CHECK_NEAR(p[0] + p[1] + p[2], 1.0, 1e-5);
    nn_model_free(m);
}

static void test_metric_values(void)
{
    /* binary: 4 TP, 1 FP, 2 FN, 3 TN */
    float pred[10] = {.9f, .8f, .7f, .6f, .9f, .1f, .2f, .1f, .2f, .3f};
    float y[10] = {1, 1, 1, 1, 0, 1, 1, 0, 0, 0};
    nn_metrics mt;
    nn_metrics_init(&mt, 1, NN_LOSS_BCE, 0);
    nn_metrics_add(&mt, pred, y, 10, 0.0);
    nn_metrics_finalize(&mt);
    CHECK_NEAR(mt.accuracy, 0.7, 1e-12);
    CHECK_NEAR(mt.precision, 0.8, 1e-12);
    CHECK_NEAR(mt.recall, 4.0 / 6.0, 1e-12);
    CHECK_NEAR(mt.f1, 2 * 0.8 * (4.0 / 6.0) / (0.8 + 4.0 / 6.0), 1e-12);
    CHECK(mt.confusion[1 * 2 + 1] == 4 && mt.confusion[0 * 2 + 1] == 1);
    /* reset keeps the shape: the same batch again gives the same figures, not doubled counts */
    nn_metrics_reset(&mt);
    CHECK(mt.count == 0 && mt.confusion[1 * 2 + 1] == 0);
    nn_metrics_add(&mt, pred, y, 10, 0.0);
    nn_metrics_finalize(&mt);
    CHECK(mt.count == 10 && mt.confusion[1 * 2 + 1] == 4);
    CHECK_NEAR(mt.precision, 0.8, 1e-12);
    nn_metrics_free(&mt);
    /* regression: y = 1,2,3,4; p = 1,2,3,5 -> mse .25, mae .25, r2 = 1 - 1/5 */
    float pr[4] = {1, 2, 3, 5}, yr[4] = {1, 2, 3, 4};
    nn_metrics_init(&mt, 1, NN_LOSS_MSE, 0);
    nn_metrics_add(&mt, pr, yr, 4, 1.0);
    nn_metrics_finalize(&mt);
    CHECK_NEAR(mt.mse, 0.25, 1e-12);
    CHECK_NEAR(mt.mae, 0.25, 1e-12);
    CHECK_NEAR(mt.r2, 0.8, 1e-12);
    nn_metrics_free(&mt);
}

static void test_reproducible(void)
{
    nn_model *a = xor_model(77), *b = xor_model(77), *c = xor_model(78);
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 20;
    fo.batch_size = 2;
    nn_model_fit(a, XOR_X, XOR_Y, 4, &fo, NULL, NULL);
    nn_model_fit(b, XOR_X, XOR_Y, 4, &fo, NULL, NULL);
    nn_model_fit(c, XOR_X, XOR_Y, 4, &fo, NULL, NULL);
    size_t n = nn_model_num_params(a);
    CHECK(!memcmp(nn_model_params(a), nn_model_params(b), n * sizeof(float)));
    CHECK(memcmp(nn_model_params(a), nn_model_params(c), n * sizeof(float)));
    nn_model_free(a); nn_model_free(b); nn_model_free(c);
}

static void test_save_load(void)
{
    nn_model *m = xor_model(5);
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 10;
    nn_model_fit(m, XOR_X, XOR_Y, 4, &fo, NULL, NULL);
    size_t n = nn_model_save_size(m), w = 0;
    unsigned char *buf = malloc(n);
    CHECK(nn_model_save(m, buf, n, &w) == NN_OK && w == n);
    CHECK(nn_model_save(m, buf, n - 1, &w) == NN_ERR_ARG);
    char err[NN_ERR_LEN];
    nn_model *r = nn_model_load(buf, n, err);
    CHECK(r != NULL);
    if (!r) { free(buf); nn_model_free(m); return; }
    float p1[4], p2[4];
    nn_model_predict(m, XOR_X, 4, p1);
    nn_model_predict(r, XOR_X, 4, p2);
    CHECK(!memcmp(p1, p2, sizeof p1));
    CHECK(nn_model_step_count(r) == nn_model_step_count(m));
    /* optimizer state and RNG travel too: training on continues identically */
    nn_model_fit(m, XOR_X, XOR_Y, 4, &fo, NULL, NULL);
    nn_model_fit(r, XOR_X, XOR_Y, 4, &fo, NULL, NULL);
    CHECK(!memcmp(nn_model_params(m), nn_model_params(r), nn_model_num_params(m) * sizeof(float)));
    nn_model_free(r);
    /* every kind of damage is reported, never crashes */
    CHECK(nn_model_load(buf, 5, err) == NULL && strstr(err, "too short"));
    CHECK(nn_model_load(buf, n - 7, err) == NULL);
    for (size_t cut = 1; cut < n; cut += 13) CHECK(nn_model_load(buf, cut, err) == NULL);
    buf[n / 2] ^= 0x40;
    CHECK(nn_model_load(buf, n, err) == NULL && strstr(err, "checksum"));
    buf[n / 2] ^= 0x40;
    buf[0] = 'X';
    CHECK(nn_model_load(buf, n, err) == NULL && strstr(err, "magic"));
    buf[0] = 'N';
    uint8_t version = buf[8];
    buf[8] = 99;
    CHECK(nn_model_load(buf, n, err) == NULL && strstr(err, "version"));
    buf[8] = version;
    CHECK((r = nn_model_load(buf, n, err)) != NULL);
    nn_model_free(r);
    /* files */
    const char *path = "nn_test_model.tmp";
    CHECK(nn_model_save_file(m, path) == NN_OK);
    r = nn_model_load_file(path, err);
    CHECK(r != NULL);
    nn_model_free(r);
    remove(path);
    CHECK(nn_model_load_file("/nonexistent/dir/model.nnplay", err) == NULL && strstr(err, "cannot open"));
    CHECK(nn_model_save_file(m, "/nonexistent/dir/model.nnplay") == NN_ERR_IO);
    free(buf);
    nn_model_free(m);
}

static int stop_at_3(nn_model *m, int epoch, const nn_metrics *tr, const nn_metrics *va, void *u)
{
    (*(int *)u)++;
    CHECK(tr->count == 4);
    CHECK(va == NULL);
    return epoch == 2;
}

static void test_callback_stops(void)
{
    nn_model *m = xor_model(2);
    int calls = 0;
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 50;
    CHECK(nn_model_fit(m, XOR_X, XOR_Y, 4, &fo, stop_at_3, &calls) == NN_STOPPED);
    CHECK(calls == 3);
    nn_model_free(m);
}

static void test_errors(void)
{
    int shape[1] = {2}, bad[2] = {0, 3};
    CHECK(nn_model_create(1, bad, 1) == NULL);
    CHECK(nn_model_create(0, shape, 1) == NULL);
    CHECK(nn_model_create(4, shape, 1) == NULL);
    CHECK(nn_model_add(NULL, nn_dense(3, NN_ACT_RELU)) == NN_ERR_ARG);
    nn_model *m = nn_model_create(1, shape, 1);
    nn_optimizer o = nn_adam(0.01f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_MSE) == NN_ERR_STATE);
    CHECK(strstr(nn_model_error(m), "no layers"));
    CHECK(nn_model_add(m, nn_dense(0, NN_ACT_RELU)) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "units"));
    CHECK(nn_model_add(m, nn_dense(3, (nn_act)42)) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "activation"));
    CHECK(nn_model_add(m, nn_dropout(1.5f)) == NN_ERR_ARG);
    nn_layer_spec s = nn_dense(3, NN_ACT_RELU);
    s.type = 99;
    CHECK(nn_model_add(m, s) == NN_ERR_ARG);
    CHECK(nn_model_num_layers(m) == 0);
    CHECK(nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX)) == NN_OK);
    /* the failed adds above are remembered: compile refuses the incomplete model */
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_ERR_STATE);
    CHECK(strstr(nn_model_error(m), "incomplete"));
    nn_model_free(m);
    m = nn_model_create(1, shape, 1);
    CHECK(nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX)) == NN_OK);
    float x[4] = {1, 2, 3, 4}, y[2] = {0, 2}, p[6], l;
    CHECK(nn_model_train_batch(m, x, y, 2, &l) == NN_ERR_STATE);
    CHECK(strstr(nn_model_error(m), "compile"));
    CHECK(nn_model_compile(m, &o, (nn_loss)17) == NN_ERR_ARG);
    o.lr = -1;
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "learning rate"));
    o = nn_adam(0.01f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_OK);
    CHECK(nn_model_train_batch(m, x, y, 2, &l) == NN_OK);
    y[1] = 3;
    CHECK(nn_model_train_batch(m, x, y, 2, &l) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "out of range"));
    y[1] = 1.5f;
    CHECK(nn_model_train_batch(m, x, y, 2, &l) == NN_ERR_ARG);
    y[1] = 1;
    x[3] = NAN;
    CHECK(nn_model_train_batch(m, x, y, 2, &l) == NN_ERR_NAN);
    CHECK(strstr(nn_model_error(m), "NaN"));
    CHECK(nn_model_predict(m, x, 2, p) == NN_ERR_NAN);
    x[3] = 4;
    CHECK(nn_model_predict(m, x, 0, p) == NN_ERR_ARG);
    CHECK(nn_model_predict(m, x, 2, NULL) == NN_ERR_ARG);
    nn_fit_opts fo = nn_fit_defaults();
    fo.batch_size = 0;
    CHECK(nn_model_fit(m, x, y, 2, &fo, NULL, NULL) == NN_ERR_ARG);
    fo = nn_fit_defaults();
    fo.val_n = 3;
    CHECK(nn_model_fit(m, x, y, 2, &fo, NULL, NULL) == NN_ERR_ARG);
    fo = nn_fit_defaults();
    fo.validation_split = 1.0f;
    CHECK(nn_model_fit(m, x, y, 2, &fo, NULL, NULL) == NN_ERR_ARG);
    CHECK(nn_model_backward(m, NULL, NULL) != NN_OK);
    /* still works after all of that */
    CHECK(nn_model_train_batch(m, x, y, 2, &l) == NN_OK);
    CHECK(nn_model_predict(m, x, 2, p) == NN_OK);
    nn_model_free(m);
    /* CCE with one unit makes no sense */
    m = nn_model_create(1, shape, 1);
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    CHECK(nn_model_compile(m, &o, NN_LOSS_CCE) == NN_ERR_ARG);
    CHECK(nn_model_set_from_logits(m, 1) == NN_ERR_ARG);
    nn_model_free(m);
    nn_model_free(NULL);
}

static void test_divergence(void)
{
    int shape[1] = {1};
    nn_model *m = nn_model_create(1, shape, 1);
    nn_model_add(m, nn_dense(4, NN_ACT_LINEAR));
    nn_model_add(m, nn_dense(1, NN_ACT_LINEAR));
    nn_optimizer o = nn_sgd(1e4f);
    nn_model_compile(m, &o, NN_LOSS_MSE);
    float x[4] = {1, 2, 3, 4}, y[4] = {100, 200, 300, 400};
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 100;
    CHECK(nn_model_fit(m, x, y, 4, &fo, NULL, NULL) == NN_ERR_NAN);
    CHECK(strstr(nn_model_error(m), "diverged"));
    /* the loss is checked before each step, so the weights stay the last finite ones */
    const float *w = nn_model_params(m);
    int finite = 1;
    for (size_t i = 0; i < nn_model_num_params(m); i++) finite &= isfinite(w[i]) != 0;
    CHECK(finite);
    float p[4];
    CHECK(nn_model_predict(m, x, 4, p) == NN_OK);
    nn_model_free(m);
}

static void test_input_gradient(void)
{ /* GAN-style: gradient w.r.t. the input through a frozen model */
    int shape[1] = {3};
    nn_model *m = nn_model_create(1, shape, 9);
    nn_model_add(m, nn_dense(1, NN_ACT_LINEAR));
    float x[3] = {1, 2, 3}, dy[1] = {1}, dx[3];
    CHECK(nn_model_forward(m, x, 1, 0) == NN_OK);
    CHECK(nn_model_backward(m, dy, dx) == NN_OK);
    const float *w = nn_model_params(m);
    for (int i = 0; i < 3; i++) CHECK_NEAR(dx[i], w[i], 1e-6); /* d(xW+b)/dx = W */
    nn_model_free(m);
}

static void test_summary(void)
{
    nn_model *m = xor_model(1);
    char buf[1024];
    size_t n = nn_model_summary(m, buf, sizeof buf);
    CHECK(n > 0 && n < sizeof buf);
    CHECK(strstr(buf, "dense (Dense)") && strstr(buf, "Total params: 33"));
    char small[16];
    nn_model_summary(m, small, sizeof small);
    CHECK(strlen(small) == 15);
    nn_model_free(m);
}

/* predict_layers: hidden outputs by hand, the last block equals predict, across chunks */
static void test_predict_layers(void)
{
    int in = 2;
    nn_model *m = nn_model_create(1, &in, 5);
    nn_model_add(m, nn_dense(3, NN_ACT_RELU));
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    enum { N = 300 }; /* more than one inference chunk */
    static float x[N * 2], out[N * (3 + 1)], p[N];
    for (int i = 0; i < N * 2; i++) x[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
    CHECK(nn_model_predict_layers(m, x, N, out) == NN_OK);
    CHECK(nn_model_predict(m, x, N, p) == NN_OK);
    const float *w = nn_model_params(m); /* kernel [2,3] then bias [3] */
    int bad = 0;
    for (int i = 0; i < N; i++) {
        for (int u = 0; u < 3; u++) {
            float z = x[i * 2] * w[u] + x[i * 2 + 1] * w[3 + u] + w[6 + u];
            if (fabsf((z > 0 ? z : 0) - out[i * 3 + u]) > 1e-5f) bad++;
        }
        if (out[N * 3 + i] != p[i]) bad++;
    }
    CHECK(bad == 0);
    CHECK(nn_model_predict_layers(m, x, N, NULL) == NN_ERR_ARG);
    nn_model_free(m);
}

/* An Embedding(maskZero) -> lstm -> dense model over 5 ids in [0, 7), compiled, from one seed. */
static nn_model *ids_model(uint32_t seed)
{
    int shape[1] = {5};
    nn_model *m = nn_model_create(1, shape, seed);
    nn_layer_spec e = nn_embedding(7, 3), r = nn_lstm(4);
    nn_spec_set(&e, "maskZero", 1);
    nn_spec_set(&r, "dropout", 0.2); /* the RNG is drawn from too: runs must agree on it */
    nn_model_add(m, e);
    nn_model_add(m, r);
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    nn_optimizer o = nn_adam(0.02f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_BCE) == NN_OK);
    return m;
}

/* Token ids as int32, uint16 and uint8 give exactly what the same ids as floats give: predictions,
 * every layer's output, metrics, a batch step, and a whole fit (same seed: same weights after). */
static void test_int_inputs(void)
{
    enum { N = 300, T = 5 }; /* more than one inference chunk */
    static float xf[N * T], y[N], pf[N], pi[N], lf[N * 40], li[N * 40];
    static int32_t x32[N * T];
    static uint16_t x16[N * T];
    static uint8_t x8[N * T];
    for (int i = 0; i < N * T; i++) {
        int id = (i * 7 + i / 11) % 7;
        xf[i] = (float)id; x32[i] = id; x16[i] = (uint16_t)id; x8[i] = (uint8_t)id;
    }
    for (int i = 0; i < N; i++) y[i] = (float)(x32[i * T + 2] > 3);
    const void *xs[3] = {x32, x16, x8};
    for (int k = 0; k < 3; k++) {
        nn_dtype dt = (nn_dtype)(NN_DTYPE_INT32 + k);
        nn_model *a = ids_model(21), *b = ids_model(21);
        CHECK(nn_model_predict(a, xf, N, pf) == NN_OK && nn_model_predict_typed(b, xs[k], dt, N, pi) == NN_OK);
        CHECK(memcmp(pf, pi, sizeof pf) == 0);
        size_t all = (size_t)N * (T * 3 + T * 4 + 4 + 1);
        CHECK(all <= sizeof lf / sizeof lf[0]);
        CHECK(nn_model_predict_layers(a, xf, N, lf) == NN_OK && nn_model_predict_layers_typed(b, xs[k], dt, N, li) == NN_OK);
        CHECK(memcmp(lf, li, all * sizeof(float)) == 0);
        float la, lb;
        CHECK(nn_model_train_batch(a, xf, y, 32, &la) == NN_OK && nn_model_train_batch_typed(b, xs[k], dt, y, 32, &lb) == NN_OK);
        CHECK(la == lb);
        nn_fit_opts fo = nn_fit_defaults();
        fo.epochs = 2;
        fo.batch_size = 16;
        fo.validation_split = 0.2f;
        CHECK(nn_model_fit(a, xf, y, N, &fo, NULL, NULL) == NN_OK && nn_model_fit_typed(b, xs[k], dt, y, N, &fo, NULL, NULL) == NN_OK);
        CHECK(memcmp(nn_model_params(a), nn_model_params(b), nn_model_num_params(a) * sizeof(float)) == 0);
        int32_t perm[N];
        nn_model_permutation(a, perm, N);
        nn_model_permutation(b, perm, N);
        CHECK(nn_model_train_steps(a, xf, y, N, perm, 0, 3, 32, NULL) == 96);
        CHECK(nn_model_train_steps_typed(b, xs[k], dt, y, N, perm, 0, 3, 32, NULL) == 96);
        CHECK(memcmp(nn_model_params(a), nn_model_params(b), nn_model_num_params(a) * sizeof(float)) == 0);
        nn_metrics ma, mb;
        CHECK(nn_model_evaluate(a, xf, y, N, &ma) == NN_OK && nn_model_evaluate_typed(b, xs[k], dt, y, N, &mb) == NN_OK);
        CHECK(ma.loss == mb.loss && ma.accuracy == mb.accuracy && ma.count == mb.count);
        nn_metrics_free(&ma);
        nn_metrics_free(&mb);
        /* explicit validation data stays float32 beside integer training data */
        fo.validation_split = 0;
        fo.val_x = xf;
        fo.val_y = y;
        fo.val_n = 50;
        CHECK(nn_model_fit_typed(b, xs[k], dt, y, N, &fo, NULL, NULL) == NN_OK);
        nn_model_free(a);
        nn_model_free(b);
    }
    /* ids out of range: the embedding's message, whatever the type; unknown types; a model that
     * does not start with an embedding refuses integers (give it floats) */
    nn_model *m = ids_model(3);
    int32_t bad32[T * 2] = {1, 2, 3, 4, 5, 1, 2, 7, 0, 0};
    uint16_t bad16[T] = {1, 2, 65535, 4, 5};
    float p[4];
    CHECK(nn_model_predict_typed(m, bad32, NN_DTYPE_INT32, 2, p) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "embedding: input 7 at sample 1, position 2 is not a token id in [0, 7)"));
    bad32[7] = -1;
    CHECK(nn_model_check_inputs(m, bad32, NN_DTYPE_INT32, 2) == NN_ERR_ARG && strstr(nn_model_error(m), "input -1 at sample 1"));
    CHECK(nn_model_train_batch_typed(m, bad16, NN_DTYPE_UINT16, y, 1, p) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "embedding: input 65535 at sample 0, position 2"));
    nn_fit_opts fo = nn_fit_defaults();
    CHECK(nn_model_fit_typed(m, bad16, NN_DTYPE_UINT16, y, 1, &fo, NULL, NULL) == NN_ERR_ARG);
    CHECK(nn_model_predict_typed(m, x32, (nn_dtype)9, 2, p) == NN_ERR_ARG && strstr(nn_model_error(m), "predict: unknown input type id 9"));
    CHECK(nn_model_check_inputs(m, x32, NN_DTYPE_INT32, 2) == NN_OK);
    nn_model_free(m);
    m = xor_model(1);
    int32_t xi[8] = {0, 0, 0, 1, 1, 0, 1, 1};
    CHECK(nn_model_predict_typed(m, xi, NN_DTYPE_INT32, 4, p) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "predict: int32 inputs are token ids for a first layer that reads them (an embedding); "
                 "this model starts with dense, give it float32 inputs"));
    CHECK(nn_model_train_steps_typed(m, xi, NN_DTYPE_UINT8, XOR_Y, 4, NULL, 0, 1, 4, NULL) == NN_ERR_ARG);
    CHECK(nn_model_forward_typed(m, xi, NN_DTYPE_INT32, 4, 0) == NN_ERR_ARG);
    CHECK(nn_model_predict_typed(m, XOR_X, NN_DTYPE_FLOAT32, 4, p) == NN_OK);
    nn_model_free(m);
}

/* Keras's freezing rule: layer.trainable is taken when the model is compiled. */
static void test_trainable(void)
{
    int shape[1] = {2};
    nn_model *m = nn_model_create(1, shape, 3);
    nn_model_add(m, nn_dense(8, NN_ACT_TANH));
    nn_model_add(m, nn_batchnorm());
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    nn_optimizer o = nn_adam(0.05f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_BCE) == NN_OK);
    size_t np = nn_model_num_params(m), n0 = nn_model_layer_num_params(m, 0);
    size_t off2 = nn_model_layer_param_offset(m, 2), n2 = nn_model_layer_num_params(m, 2);
    float *before = malloc(np * sizeof(float)), *mm = malloc(nn_model_num_state(m) * sizeof(float));
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 5;
    fo.batch_size = 4;
    /* frozen after compile: the optimizer compiled before still updates it */
    CHECK(nn_model_set_trainable(m, 0, 0) == NN_OK && !nn_model_layer_trainable(m, 0));
    memcpy(before, nn_model_params(m), np * sizeof(float));
    nn_model_fit(m, XOR_X, XOR_Y, 4, &fo, NULL, NULL);
    CHECK(memcmp(before, nn_model_params(m), n0 * sizeof(float)) != 0);
    /* recompiled: the first dense and the batchnorm stay, the last dense learns */
    CHECK(nn_model_set_trainable(m, 1, 0) == NN_OK);
    CHECK(nn_model_compile(m, &o, NN_LOSS_BCE) == NN_OK);
    memcpy(before, nn_model_params(m), np * sizeof(float));
    memcpy(mm, nn_model_state(m), nn_model_num_state(m) * sizeof(float));
    nn_model_fit(m, XOR_X, XOR_Y, 4, &fo, NULL, NULL);
    CHECK(!memcmp(before, nn_model_params(m), off2 * sizeof(float)));
    CHECK(memcmp(before + off2, nn_model_params(m) + off2, n2 * sizeof(float)) != 0);
    CHECK(!memcmp(mm, nn_model_state(m), nn_model_num_state(m) * sizeof(float))); /* moving stats kept */
    char sum[1024];
    nn_model_summary(m, sum, sizeof sum);
    char want[64];
    snprintf(want, sizeof want, "Non-trainable params: %zu", nn_model_num_state(m) + n0 + nn_model_layer_num_params(m, 1));
    CHECK(strstr(sum, want) != NULL);
    /* the flags travel in the file and in the spec's encoding */
    size_t n = nn_model_save_size(m), w = 0;
    unsigned char *buf = malloc(n);
    CHECK(nn_model_save(m, buf, n, &w) == NN_OK);
    char err[NN_ERR_LEN];
    nn_model *r = nn_model_load(buf, w, err);
    CHECK(r && !nn_model_layer_trainable(r, 0) && !nn_model_layer_trainable(r, 1) && nn_model_layer_trainable(r, 2));
    if (r) {
        memcpy(before, nn_model_params(r), np * sizeof(float));
        nn_model_fit(r, XOR_X, XOR_Y, 4, &fo, NULL, NULL);
        CHECK(!memcmp(before, nn_model_params(r), off2 * sizeof(float)));
    }
    nn_layer_spec d = nn_dense(3, NN_ACT_RELU);
    CHECK(nn_spec_set(&d, "trainable", 0) == NN_OK && d.trainable == 0);
    double v = 1;
    CHECK(nn_spec_get(&d, "trainable", &v, 1) == 1 && v == 0);
    unsigned char enc[512];
    size_t k = nn_spec_encode(&d, enc, sizeof enc);
    nn_layer_spec back;
    CHECK(k > 0 && k <= sizeof enc && nn_spec_decode(enc, k, &back, err) == NN_OK && back.trainable == 0);
    CHECK(nn_spec_set(&d, "trainable", 2) == NN_ERR_ARG && strstr(d.err, "trainable must be true or false"));
    /* every layer at once, and a bad index */
    CHECK(nn_model_set_trainable(m, -1, 1) == NN_OK && nn_model_layer_trainable(m, 0) && nn_model_layer_trainable(m, 1));
    CHECK(nn_model_set_trainable(m, 3, 0) == NN_ERR_ARG && strstr(nn_model_error(m), "no layer 3"));
    nn_model_free(r);
    nn_model_free(m);
    free(buf); free(before); free(mm);
}

/* Seeded noise: the same numbers natively and in wasm (this test runs in both), checked bounds. */
static void test_random_fill(void)
{
    float v[6], w[4000];
    CHECK(nn_random_fill(v, 3, 1, 0.0f, 1.0f, 42) == NN_OK && nn_random_fill(v + 3, 3, 0, -1.0f, 1.0f, 42) == NN_OK);
    const float want[6] = {0.63623023f, 0.651442289f, 0.830801904f, 0.321231365f, -0.746239901f, -0.776596189f};
    for (int i = 0; i < 6; i++) CHECK(fabsf(v[i] - want[i]) < 1e-6f);
    CHECK(nn_random_fill(w, 4000, 1, 3.0f, 2.0f, 7) == NN_OK);
    double mean = 0, var = 0;
    for (int i = 0; i < 4000; i++) mean += w[i] / 4000.0;
    for (int i = 0; i < 4000; i++) var += (w[i] - mean) * (w[i] - mean) / 4000.0;
    CHECK(fabs(mean - 3.0) < 0.1 && fabs(sqrt(var) - 2.0) < 0.1);
    CHECK(nn_random_fill(w, 4000, 0, 2.0f, 5.0f, 7) == NN_OK);
    int inside = 1;
    for (int i = 0; i < 4000; i++) inside &= w[i] >= 2.0f && w[i] < 5.0f;
    CHECK(inside);
    CHECK(nn_random_fill(w, 4, 1, 0.0f, -1.0f, 1) == NN_ERR_ARG);   /* negative stddev */
    CHECK(nn_random_fill(w, 4, 0, 1.0f, 0.0f, 1) == NN_ERR_ARG);    /* maxval < minval */
    CHECK(nn_random_fill(w, 4, 0, NAN, 1.0f, 1) == NN_ERR_ARG);
    CHECK(nn_random_fill(NULL, 4, 0, 0.0f, 1.0f, 1) == NN_ERR_ARG);
}

/* Keras's include_optimizer=False: the file without the optimizer state loads compiled, afresh. */
static void test_save_without_optimizer(void)
{
    nn_model *m = xor_model(9);
    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 5;
    nn_model_fit(m, XOR_X, XOR_Y, 4, &fo, NULL, NULL);
    size_t full = nn_model_save_size(m), slim = nn_model_save_size_ex(m, NN_SAVE_NO_OPTIMIZER), w = 0;
    /* Adam's m and v: an array of 4 dense segments (the 4 tensors) each */
    CHECK(full - slim == 2 * (4 + 4 * 9 + 4 * nn_model_num_params(m)));
    unsigned char *buf = malloc(slim);
    CHECK(nn_model_save_ex(m, buf, slim, &w, NN_SAVE_NO_OPTIMIZER) == NN_OK && w == slim);
    CHECK(nn_model_save_ex(m, buf, slim, &w, 4) == NN_ERR_ARG && strstr(nn_model_error(m), "unknown flags"));
    char err[NN_ERR_LEN];
    nn_model *r = nn_model_load(buf, slim, err);
    CHECK(r && nn_model_step_count(r) == 0 && nn_model_optimizer(r) != NULL);
    if (r) {
        float p1[4], p2[4];
        nn_model_predict(m, XOR_X, 4, p1);
        nn_model_predict(r, XOR_X, 4, p2);
        CHECK(!memcmp(p1, p2, sizeof p1));
        CHECK(nn_model_fit(r, XOR_X, XOR_Y, 4, &fo, NULL, NULL) == NN_OK);
    }
    nn_model_free(r);
    free(buf);
    nn_model_free(m);
}

int main(void)
{
    RUN(test_xor);
    RUN(test_spiral);
    RUN(test_multiclass_and_metrics);
    RUN(test_metric_values);
    RUN(test_reproducible);
    RUN(test_save_load);
    RUN(test_callback_stops);
    RUN(test_errors);
    RUN(test_divergence);
    RUN(test_input_gradient);
    RUN(test_summary);
    RUN(test_predict_layers);
    RUN(test_int_inputs);
    RUN(test_trainable);
    RUN(test_random_fill);
    RUN(test_save_without_optimizer);
    return nt_summary("model");
}
