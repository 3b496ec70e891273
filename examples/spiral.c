/* spiral.c - two interleaved spirals (TensorFlow Playground's hardest data set), 2-16-16-1 tanh net.
 *
 * Shows the data helpers of nn_data.h: generate a 2D data set, split it into train and test,
 * standardize the inputs with statistics of the training part only; then fit with validation
 * data (Keras-style lines with val_loss / val_accuracy) and evaluate on the test part.
 *
 * Run:  build/spiral [--epochs N] [--batch N] [--seed N] [--noise X]    (noise in [0, 1])
 * The last line is JSON for scripts, e.g.
 *       {"example":"spiral","epochs":300,"train_accuracy":1,"test_accuracy":0.99,...}
 */
#include "nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_POINTS 500
#define TEST_FRACTION 0.2f

static double now_s(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int fail(nn_model *m, const char *what)
{
    fprintf(stderr, "spiral: %s: %s\n", what, nn_model_error(m));
    nn_model_free(m);
    return 1;
}

/* Whole-string integer in [lo, hi], or exit with a usage message. */
static long long arg_long(const char *opt, const char *s, long long lo, long long hi)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || *end || end == s || v < lo || v > hi) {
        fprintf(stderr, "spiral: %s needs an integer in %lld..%lld\n", opt, lo, hi);
        exit(1);
    }
    return v;
}

/* Whole-string number in [lo, hi], or exit with a usage message. */
static float arg_float(const char *opt, const char *s, float lo, float hi)
{
    char *end;
    float v = s ? strtof(s, &end) : 0;
    if (!s || *end || end == s || !(v >= lo && v <= hi)) {
        fprintf(stderr, "spiral: %s needs a number in %g..%g\n", opt, lo, hi);
        exit(1);
    }
    return v;
}

int main(int argc, char **argv)
{
    int epochs = 300, batch = 32;
    uint32_t seed = 1;
    float noise = 0;
    for (int i = 1; i < argc; i++) {
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--epochs")) epochs = (int)arg_long("--epochs", val, 1, 1000000);
        else if (!strcmp(argv[i], "--batch")) batch = (int)arg_long("--batch", val, 1, N_POINTS);
        else if (!strcmp(argv[i], "--seed")) seed = (uint32_t)arg_long("--seed", val, 0, 4294967295LL);
        else if (!strcmp(argv[i], "--noise")) noise = arg_float("--noise", val, 0, 1);
        else {
            fprintf(stderr, "usage: spiral [--epochs N] [--batch N] [--seed N] [--noise X]\n");
            return 1;
        }
        i++; /* every option takes a value */
    }

    /* Data: 500 points (x0, x1) with labels 0/1, then 400 for training and 100 for testing. */
    static float x[N_POINTS * 2], y[N_POINTS];
    static float xtr[N_POINTS * 2], ytr[N_POINTS], xte[N_POINTS * 2], yte[N_POINTS];
    int ntr;
    if (nn_data_generate(NN_DATA_SPIRAL, N_POINTS, noise, 0, seed, x, y) != NN_OK ||
        nn_data_split(x, y, N_POINTS, 2, 1, TEST_FRACTION, seed, xtr, ytr, xte, yte, &ntr) != NN_OK) {
        fprintf(stderr, "spiral: cannot generate the data\n");
        return 1;
    }
    int nte = N_POINTS - ntr;
    /* Points span [-6, 6]; scaling to mean 0 / std 1 suits tanh. Test data uses the train stats. */
    float mean[2], sd[2];
    if (nn_standardize_fit(xtr, ntr, 2, mean, sd) != NN_OK) {
        fprintf(stderr, "spiral: the data is not finite\n");
        return 1;
    }
    nn_standardize_apply(xtr, ntr, 2, mean, sd);
    nn_standardize_apply(xte, nte, 2, mean, sd);

    int in_shape[1] = {2};
    nn_model *m = nn_model_create(1, in_shape, seed);
    if (!m) { fprintf(stderr, "spiral: cannot create the model (out of memory)\n"); return 1; }
    nn_optimizer adam = nn_adam(0.03f);
    if (nn_model_add(m, nn_dense(16, NN_ACT_TANH)) != NN_OK ||
        nn_model_add(m, nn_dense(16, NN_ACT_TANH)) != NN_OK ||
        nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID)) != NN_OK ||
        nn_model_compile(m, &adam, NN_LOSS_BCE) != NN_OK)
        return fail(m, "building the model");

    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = epochs;
    fo.batch_size = batch;
    fo.val_x = xte; /* evaluated after every epoch; never trained on */
    fo.val_y = yte;
    fo.val_n = nte;
    fo.verbose = 1;
    double t0 = now_s();
    if (nn_model_fit(m, xtr, ytr, ntr, &fo, NULL, NULL) != NN_OK) return fail(m, "training");
    double secs = now_s() - t0;

    nn_metrics tr, te;
    if (nn_model_evaluate(m, xtr, ytr, ntr, &tr) != NN_OK) return fail(m, "evaluating (train)");
    if (nn_model_evaluate(m, xte, yte, nte, &te) != NN_OK) {
        nn_metrics_free(&tr);
        return fail(m, "evaluating (test)");
    }
    printf("test: %lld samples, loss %.4f, accuracy %.4f\n", (long long)te.count, te.loss, te.accuracy);
    printf("{\"example\":\"spiral\",\"epochs\":%d,\"noise\":%g,\"train_samples\":%d,\"train_accuracy\":%g,"
           "\"train_loss\":%.4g,\"test_accuracy\":%g,\"test_loss\":%.4g,\"samples_per_s\":%.0f}\n",
           epochs, noise, ntr, tr.accuracy, tr.loss, te.accuracy, te.loss,
           secs > 0 ? (double)ntr * epochs / secs : 0.0);
    nn_metrics_free(&tr);
    nn_metrics_free(&te);
    nn_model_free(m);
    return 0;
}
