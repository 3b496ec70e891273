/* xor.c - the smallest useful nnplay program: a 2-8-1 network learns XOR.
 *
 * Shows the whole life of a model: create, add layers, compile (Adam + binary cross-entropy),
 * fit with Keras-style progress lines (verbose = 1), predict, evaluate and save to a file.
 *
 * Run:  build/xor [--epochs N] [--seed N] [--save PATH]
 *       build/predict PATH          (loads the saved model again; see predict.c)
 * The last line is JSON for scripts, e.g.
 *       {"example":"xor","accuracy":1,"loss":0.0123,"samples_per_s":41000}
 */
#include "nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Print what failed and why (the message lives on the model), free it, give exit code 1. */
static int fail(nn_model *m, const char *what)
{
    fprintf(stderr, "xor: %s: %s\n", what, nn_model_error(m));
    nn_model_free(m);
    return 1;
}

/* Whole-string integer in [lo, hi], or exit with a usage message. */
static long long arg_long(const char *opt, const char *s, long long lo, long long hi)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || *end || end == s || v < lo || v > hi) {
        fprintf(stderr, "xor: %s needs an integer in %lld..%lld\n", opt, lo, hi);
        exit(1);
    }
    return v;
}

int main(int argc, char **argv)
{
    int epochs = 100;
    uint32_t seed = 1;
    const char *save_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--epochs")) { epochs = (int)arg_long("--epochs", val, 1, 1000000); i++; }
        else if (!strcmp(argv[i], "--seed")) { seed = (uint32_t)arg_long("--seed", val, 0, 4294967295LL); i++; }
        else if (!strcmp(argv[i], "--save") && val) { save_path = val; i++; }
        else { fprintf(stderr, "usage: xor [--epochs N] [--seed N] [--save PATH]\n"); return 1; }
    }

    /* The four XOR cases: one row of 2 inputs per sample, and one 0/1 label each. */
    float x[4 * 2] = {0, 0, 0, 1, 1, 0, 1, 1};
    float y[4] = {0, 1, 1, 0};

    int in_shape[1] = {2};
    nn_model *m = nn_model_create(1, in_shape, seed); /* the seed fixes the initial weights */
    if (!m) { fprintf(stderr, "xor: cannot create the model (out of memory)\n"); return 1; }
    nn_optimizer adam = nn_adam(0.1f);
    if (nn_model_add(m, nn_dense(8, NN_ACT_TANH)) != NN_OK ||
        nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID)) != NN_OK ||
        nn_model_compile(m, &adam, NN_LOSS_BCE) != NN_OK)
        return fail(m, "building the model");

    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = epochs;
    fo.batch_size = 4; /* the whole data set in every step */
    fo.verbose = 1;
    double t0 = now_s();
    if (nn_model_fit(m, x, y, 4, &fo, NULL, NULL) != NN_OK) return fail(m, "training");
    double secs = now_s() - t0;

    float p[4];
    if (nn_model_predict(m, x, 4, p) != NN_OK) return fail(m, "predicting");
    for (int i = 0; i < 4; i++)
        printf("%g xor %g -> %.4f (want %g)\n", x[2 * i], x[2 * i + 1], p[i], y[i]);

    nn_metrics mt; /* loss and accuracy of the trained model (fit's lines show them mid-epoch) */
    if (nn_model_evaluate(m, x, y, 4, &mt) != NN_OK) return fail(m, "evaluating");
    double acc = mt.accuracy, loss = mt.loss;
    nn_metrics_free(&mt);

    if (save_path) {
        if (nn_model_save_file(m, save_path) != NN_OK) return fail(m, "saving");
        printf("saved the model to %s\n", save_path);
    }
    printf("{\"example\":\"xor\",\"accuracy\":%g,\"loss\":%.4g,\"samples_per_s\":%.0f}\n",
           acc, loss, secs > 0 ? 4.0 * epochs / secs : 0.0);
    nn_model_free(m);
    return 0;
}
