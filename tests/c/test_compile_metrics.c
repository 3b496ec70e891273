/* test_compile_metrics.c - compile's metrics (Keras's training_config metrics) kept on the model
 * and the chain, written with the compile settings and read back; bad lists refused with a
 * message before anything changes; files without them (v4 before they were kept) load as before. */
#include "nn.h"
#include "test.h"
#include <string.h>

/* Compile settings in the key/value encoding, built by hand as JS's encodeOptions writes them. */
typedef struct { unsigned char b[1024]; size_t n; } enc;
static void put(enc *e, const void *p, size_t n) { memcpy(e->b + e->n, p, n); e->n += n; }
static void put_u8(enc *e, unsigned v) { unsigned char c = (unsigned char)v; put(e, &c, 1); }
static void put_str(enc *e, const char *s) { size_t n = strlen(s); put_u8(e, n & 255); put_u8(e, n >> 8); put(e, s, n); }
static void put_name(enc *e, const char *key, const char *v) { put_str(e, key); put_u8(e, 3); put_str(e, v); }
/* loss and optimizer, then a metrics entry of n names (n < 0: none) */
static enc settings(const char *loss, int n, const char *const *names)
{
    enc e = {{0}, 0};
    put_u8(&e, n < 0 ? 2 : 3); put_u8(&e, 0);
    put_name(&e, "optimizer", "adam");
    put_name(&e, "loss", loss);
    if (n >= 0) {
        put_str(&e, "metrics"); put_u8(&e, 5); put_u8(&e, (unsigned)n);
        for (int i = 0; i < n; i++) put_str(&e, names[i]);
    }
    return e;
}

static nn_model *mlp(void)
{
    int shape[1] = {4};
    nn_model *m = nn_model_create(1, shape, 3);
    nn_model_add(m, nn_dense(8, NN_ACT_RELU));
    nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX));
    return m;
}

static nn_model *save_load(const nn_model *m)
{
    size_t n = nn_model_save_size(m), w = 0;
    unsigned char *b = malloc(n);
    char err[NN_ERR_LEN] = "";
    nn_model *r = b && nn_model_save(m, b, n, &w) == NN_OK ? nn_model_load(b, w, err) : NULL;
    if (!r) printf("  save/load: %s\n", err);
    free(b);
    return r;
}

static int has_key(const nn_model *m, const char *key)
{
    unsigned char buf[1024];
    size_t n = nn_model_compile_encode(m, buf, sizeof buf), k = strlen(key);
    for (size_t i = 0; i + k <= n && n <= sizeof buf; i++) if (!memcmp(buf + i, key, k)) return 1;
    return 0;
}

static void test_round_trip(void)
{
    static const char *const names[] = {"acc", "precision", "r2"};
    nn_model *m = mlp();
    enc e = settings("sparseCategoricalCrossentropy", 3, names);
    CHECK(nn_model_compile_encoded(m, e.b, e.n) == NN_OK);
    int ids[NN_MAX_METRICS] = {0};
    CHECK(nn_model_metrics(m, ids, NN_MAX_METRICS) == 3);
    CHECK(ids[0] == NN_METRIC_ACCURACY && ids[1] == NN_METRIC_PRECISION && ids[2] == NN_METRIC_R2);
    CHECK(!strcmp(nn_model_metric_name(m, 0), "acc") && !strcmp(nn_model_metric_name(m, 2), "r2"));
    CHECK(!strcmp(nn_model_metric_name(m, 3), "") && !strcmp(nn_model_metric_name(m, -1), ""));
    CHECK(nn_model_metrics(m, ids, 1) == 3); /* the count, whatever the room */
    float x[12], y[3] = {0, 1, 2};
    for (int i = 0; i < 12; i++) x[i] = sinf(0.37f * i + 0.1f);
    CHECK(nn_model_train_batch(m, x, y, 3, NULL) == NN_OK);
    nn_model *r = save_load(m);
    CHECK(r != NULL);
    if (r) {
        memset(ids, 0, sizeof ids);
        CHECK(nn_model_metrics(r, ids, NN_MAX_METRICS) == 3);
        CHECK(ids[0] == NN_METRIC_ACCURACY && ids[1] == NN_METRIC_PRECISION && ids[2] == NN_METRIC_R2);
        CHECK(!strcmp(nn_model_metric_name(r, 0), "acc") && !strcmp(nn_model_metric_name(r, 1), "precision"));
        unsigned char a[1024], b[1024];
        size_t na = nn_model_compile_encode(m, a, sizeof a), nb = nn_model_compile_encode(r, b, sizeof b);
        CHECK(na == nb && na <= sizeof a && !memcmp(a, b, na));
        /* the same step on both: training is untouched by what is reported */
        float l1 = 0, l2 = 0;
        CHECK(nn_model_train_batch(m, x, y, 3, &l1) == NN_OK && nn_model_train_batch(r, x, y, 3, &l2) == NN_OK);
        CHECK(l1 == l2);
        nn_model_free(r);
    }
    /* a compile without metrics drops them (Keras: each compile lists its own) and writes no key,
     * so such a file is what builds before this wrote */
    nn_optimizer o = nn_sgd(0.1f);
    CHECK(nn_model_compile(m, &o, NN_LOSS_SCCE) == NN_OK);
    CHECK(nn_model_metrics(m, ids, NN_MAX_METRICS) == 0 && !has_key(m, "metrics"));
    int two[2] = {NN_METRIC_MAE, NN_METRIC_F1};
    CHECK(nn_model_set_metrics(m, two, 2) == NN_OK && has_key(m, "metrics"));
    r = save_load(m);
    CHECK(r && nn_model_metrics(r, ids, 2) == 2 && ids[0] == NN_METRIC_MAE && ids[1] == NN_METRIC_F1);
    CHECK(r && !strcmp(nn_model_metric_name(r, 0), "mae") && !strcmp(nn_model_metric_name(r, 1), "f1"));
    nn_model_free(r);
    /* an empty list is a list: written, so JS knows compile was given metrics: [] */
    CHECK(nn_model_set_metrics(m, NULL, 0) == NN_OK && has_key(m, "metrics"));
    r = save_load(m);
    CHECK(r && nn_model_metrics(r, ids, 2) == 0 && has_key(r, "metrics"));
    nn_model_free(r);
    nn_model_free(m);
}

/* Each bad list is refused with a message naming the problem, and the model keeps the compile
 * (and metrics) it had. */
static void test_bad_lists(void)
{
    static const char *const good[] = {"mse"};
    nn_model *m = mlp();
    enc e = settings("meanSquaredError", 1, good);
    CHECK(nn_model_compile_encoded(m, e.b, e.n) == NN_OK);
    static const char *const unknown[] = {"accuracy", "auc"}, *const loss[] = {"loss"},
        *const dup[] = {"acc", "mae", "accuracy"}, *const nine[] = {"accuracy", "precision", "recall", "f1",
        "mse", "mae", "r2", "acc", "mse"}, *const longname[] = {"aVeryLongMetricNameThatIsNoMetricAtAll"};
    struct { int n; const char *const *names; const char *msg; } cases[] = {
        {2, unknown, "compile: unknown metric 'auc' (known: accuracy, precision, recall, f1, mse, mae, r2)"},
        {1, loss, "compile: unknown metric 'loss' (known: accuracy,"},
        {3, dup, "compile: metrics lists accuracy twice ('acc' and 'accuracy')"},
        {9, nine, "compile: metrics has 9 names, at most 8 are read"},
        {1, longname, "compile: unknown metric 'aVeryLongMetricNameThatIsNoMetricAtAll' (known"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        e = settings("meanSquaredError", cases[i].n, cases[i].names);
        CHECK(nn_model_compile_encoded(m, e.b, e.n) == NN_ERR_ARG);
        if (!strstr(nn_model_error(m), cases[i].msg)) printf("  case %zu: %s\n", i, nn_model_error(m));
        CHECK(strstr(nn_model_error(m), cases[i].msg) != NULL);
        int ids[NN_MAX_METRICS];
        CHECK(nn_model_loss(m) == NN_LOSS_MSE && nn_model_metrics(m, ids, NN_MAX_METRICS) == 1 && ids[0] == NN_METRIC_MSE);
    }
    /* a count past the bound is refused before the names are read; a list cut short is truncated */
    e = settings("meanSquaredError", 0, NULL);
    e.b[e.n - 1] = 200;
    CHECK(nn_model_compile_encoded(m, e.b, e.n) == NN_ERR_ARG && strstr(nn_model_error(m), "has 200 names, at most 8"));
    e = settings("meanSquaredError", 2, dup);
    CHECK(nn_model_compile_encoded(m, e.b, e.n - 2) == NN_ERR_FORMAT && strstr(nn_model_error(m), "truncated"));
    /* a list where one value belongs, and the other way round */
    enc f = {{0}, 0};
    put_u8(&f, 2); put_u8(&f, 0);
    put_str(&f, "loss"); put_u8(&f, 5); put_u8(&f, 1); put_str(&f, "mse");
    put_name(&f, "metrics", "nope");
    CHECK(nn_model_compile_encoded(m, f.b, f.n) == NN_ERR_ARG && strstr(nn_model_error(m), "compile: loss must be a name, got a list of names"));
    f.n = 0;
    put_u8(&f, 2); put_u8(&f, 0);
    put_name(&f, "loss", "mse");
    put_str(&f, "metrics"); put_u8(&f, 2); put_u8(&f, 1);
    CHECK(nn_model_compile_encoded(m, f.b, f.n) == NN_ERR_ARG && strstr(nn_model_error(m), "compile: metrics must be a list of names, got true"));
    /* a layer option given a list: [] gets the option's own rule */
    nn_model *lm = mlp();
    f.n = 0;
    put_str(&f, "Dense"); put_u8(&f, 2); put_u8(&f, 0);
    put_str(&f, "units"); put_u8(&f, 5); put_u8(&f, 0);
    put_str(&f, "activation"); put_u8(&f, 5); put_u8(&f, 1); put_str(&f, "relu");
    CHECK(nn_model_add_encoded(lm, f.b, f.n) != NN_OK && strstr(nn_model_error(lm), "units must be a positive integer") &&
          strstr(nn_model_error(lm), "got []"));
    f.n = 0;
    put_str(&f, "Dense"); put_u8(&f, 1); put_u8(&f, 0);
    put_str(&f, "activation"); put_u8(&f, 5); put_u8(&f, 1); put_str(&f, "relu");
    CHECK(nn_model_add_encoded(lm, f.b, f.n) != NN_OK && strstr(nn_model_error(lm), "activation must be a name, got a list of names"));
    nn_model_free(lm);
    /* one name stands for a list of one; ids (numbers) for their names */
    f.n = 0;
    put_u8(&f, 2); put_u8(&f, 0);
    put_name(&f, "loss", "mse");
    put_name(&f, "metrics", "meanAbsoluteError");
    CHECK(nn_model_compile_encoded(m, f.b, f.n) == NN_OK && !strcmp(nn_model_metric_name(m, 0), "meanAbsoluteError"));
    f.n = 0;
    put_u8(&f, 2); put_u8(&f, 0);
    put_name(&f, "loss", "mse");
    double v[2] = {7, 0};
    put_str(&f, "metrics"); put_u8(&f, 1); put_u8(&f, 2); put(&f, v, 16);
    CHECK(nn_model_compile_encoded(m, f.b, f.n) == NN_ERR_ARG);
    CHECK(strstr(nn_model_error(m), "compile: metrics must be a list of metric names or ids 1 to 7, got [7, 0]") != NULL);
    f.n -= 16;
    v[1] = 6;
    put(&f, v, 16);
    int ids[NN_MAX_METRICS];
    CHECK(nn_model_compile_encoded(m, f.b, f.n) == NN_OK && nn_model_metrics(m, ids, 2) == 2 && ids[0] == NN_METRIC_R2);
    CHECK(!strcmp(nn_model_metric_name(m, 1), "mae"));
    /* from C: ids checked the same way, the model unchanged on a failure */
    int bad_id[1] = {NN_METRIC_LOSS}, big[1] = {8}, twice[2] = {NN_METRIC_F1, NN_METRIC_F1}, many[9] = {1, 2, 3, 4, 5, 6, 7, 1, 2};
    CHECK(nn_model_set_metrics(m, bad_id, 1) == NN_ERR_ARG && strstr(nn_model_error(m), "unknown metric id 0 (ids 1 to 7: accuracy to r2)"));
    CHECK(nn_model_set_metrics(m, big, 1) == NN_ERR_ARG && strstr(nn_model_error(m), "unknown metric id 8"));
    CHECK(nn_model_set_metrics(m, twice, 2) == NN_ERR_ARG && strstr(nn_model_error(m), "metrics lists f1 twice ('f1' and 'f1')"));
    CHECK(nn_model_set_metrics(m, many, 9) == NN_ERR_ARG && strstr(nn_model_error(m), "at most 8 metric ids, got 9"));
    CHECK(nn_model_set_metrics(m, NULL, 1) == NN_ERR_ARG);
    CHECK(nn_model_metrics(m, ids, 2) == 2 && ids[0] == NN_METRIC_R2 && ids[1] == NN_METRIC_MAE);
    nn_model *u = mlp();
    CHECK(nn_model_set_metrics(u, twice, 1) == NN_ERR_STATE && strstr(nn_model_error(u), "compile the model first"));
    CHECK(nn_model_metrics(u, ids, 2) == 0 && nn_model_metrics(NULL, ids, 2) == 0 && !strcmp(nn_model_metric_name(NULL, 0), ""));
    nn_model_free(u);
    nn_model_free(m);
}

/* tests/fixtures/v4-mlp.nnplay: compiled with metrics by a build that did not keep them. */
static void test_old_file(void)
{
    size_t len = 0;
    unsigned char *b = nt_fixture("v4-mlp.nnplay", &len);
    char err[NN_ERR_LEN] = "";
    nn_model *m = b ? nn_model_load(b, len, err) : NULL;
    CHECK(b && b[8] == 4 && m != NULL);
    if (!m) { printf("  %s\n", err); free(b); return; }
    int ids[NN_MAX_METRICS];
    CHECK(nn_model_loss(m) == NN_LOSS_SCCE && nn_model_step_count(m) == 3);
    CHECK(nn_model_metrics(m, ids, NN_MAX_METRICS) == 0 && !has_key(m, "metrics"));
    /* saved again, it is the same file */
    size_t n = nn_model_save_size(m), w = 0;
    unsigned char *c = malloc(n);
    CHECK(nn_model_save(m, c, n, &w) == NN_OK && w == len && !memcmp(b, c, len));
    float x[12], y[3] = {0, 1, 2};
    for (int i = 0; i < 12; i++) x[i] = sinf(0.37f * i + 0.1f);
    CHECK(nn_model_train_batch(m, x, y, 3, NULL) == NN_OK);
    free(c);
    free(b);
    nn_model_free(m);
}

/* A chain compiles with metrics too (JS's nn.sequential of models). */
static void test_chain(void)
{
    int s2[1] = {2}, s3[1] = {3};
    nn_model *g = nn_model_create(1, s2, 1), *d = nn_model_create(1, s3, 2);
    nn_model_add(g, nn_dense(3, NN_ACT_TANH));
    nn_model_add(d, nn_dense(1, NN_ACT_SIGMOID));
    nn_model *parts[2] = {g, d};
    char err[NN_ERR_LEN] = "";
    nn_chain *c = nn_chain_create(parts, 2, err);
    CHECK(c != NULL);
    if (!c) { nn_model_free(g); nn_model_free(d); return; }
    static const char *const names[] = {"accuracy", "recall"}, *const dup[] = {"recall", "recall"};
    enc e = settings("binaryCrossentropy", 2, names);
    int ids[NN_MAX_METRICS];
    CHECK(nn_chain_metrics(c, ids, 2) == 0);
    CHECK(nn_chain_compile_encoded(c, e.b, e.n) == NN_OK);
    CHECK(nn_chain_metrics(c, ids, 2) == 2 && ids[0] == NN_METRIC_ACCURACY && ids[1] == NN_METRIC_RECALL);
    e = settings("binaryCrossentropy", 2, dup);
    CHECK(nn_chain_compile_encoded(c, e.b, e.n) == NN_ERR_ARG && strstr(nn_chain_error(c), "metrics lists recall twice"));
    CHECK(nn_chain_metrics(c, ids, 2) == 2);
    nn_optimizer o = nn_sgd(0.1f);
    CHECK(nn_chain_compile(c, &o, NN_LOSS_BCE) == NN_OK && nn_chain_metrics(c, ids, 2) == 0);
    nn_chain_free(c);
    nn_model_free(g);
    nn_model_free(d);
}

int main(void)
{
    RUN(test_round_trip);
    RUN(test_bad_lists);
    RUN(test_old_file);
    RUN(test_chain);
    return nt_summary("compile_metrics");
}
