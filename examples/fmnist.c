/* fmnist.c - Fashion-MNIST with a 784-128-10 MLP (relu, softmax), Adam 1e-3, sparse labels.
 *
 * Shows a real data set: the idx .gz files are decompressed by `gzip -dc` into memory, parsed
 * with nn_idx_parse and scaled to [0, 1] with nn_idx_to_float; labels stay class indices
 * (one float per image), which is what sparseCategoricalCrossentropy (NN_LOSS_SCCE) expects.
 * Training prints Keras-style lines; the test set is evaluated once at the end (not after every
 * epoch, so samples/s measures training alone).
 *
 * Run:  build/fmnist [--data DIR] [--epochs N] [--batch N] [--limit N] [--test-limit N]
 *                    [--seed N] [--save PATH]
 *       DIR defaults to /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist);
 *       --limit 10000 trains on the first 10000 of the 60000 images for a quick run.
 * The last line is JSON for scripts, e.g.
 *       {"example":"fmnist","train_samples":60000,"epochs":1,"test_accuracy":0.84,...,"simd":"x86-avx2-fma"}
 */
#define _POSIX_C_SOURCE 200809L /* popen, pclose */
#include "nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FMNIST_PROG "fmnist"
#include "fmnist_data.h"

int main(int argc, char **argv)
{
    const char *dir = DEFAULT_DIR, *save_path = NULL;
    int epochs = 1, batch = 32, limit = 0, test_limit = 0;
    uint32_t seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--data") && val) dir = val;
        else if (!strcmp(o, "--save") && val) save_path = val;
        else if (!strcmp(o, "--epochs")) epochs = (int)arg_long(o, val, 1, 1000000);
        else if (!strcmp(o, "--batch")) batch = (int)arg_long(o, val, 1, 1000000);
        else if (!strcmp(o, "--limit")) limit = (int)arg_long(o, val, 1, 1000000000);
        else if (!strcmp(o, "--test-limit")) test_limit = (int)arg_long(o, val, 1, 1000000000);
        else if (!strcmp(o, "--seed")) seed = (uint32_t)arg_long(o, val, 0, 4294967295LL);
        else {
            fprintf(stderr, "usage: fmnist [--data DIR] [--epochs N] [--batch N] [--limit N] "
                            "[--test-limit N] [--seed N] [--save PATH]\n");
            return 1;
        }
        i++; /* every option takes a value */
    }

    int rc = 1;
    nn_model *m = NULL;
    nn_metrics te;
    memset(&te, 0, sizeof te);
    fmnist_data d;
    if (fmnist_load(dir, limit, test_limit, &d) != 0) return 1;
    const float *x_train = d.x_train, *y_train = d.y_train, *x_test = d.x_test, *y_test = d.y_test;
    int n_train = d.n_train, n_test = d.n_test;

    int in_shape[1] = {28 * 28};
    m = nn_model_create(1, in_shape, seed);
    nn_optimizer adam = nn_adam(1e-3f);
    if (nn_model_add(m, nn_dense(128, NN_ACT_RELU)) != NN_OK || /* a NULL m fails here too */
        nn_model_add(m, nn_dense(10, NN_ACT_SOFTMAX)) != NN_OK ||
        nn_model_compile(m, &adam, NN_LOSS_SCCE) != NN_OK) {
        report(m, "building the model");
        goto done;
    }

    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = epochs;
    fo.batch_size = batch;
    fo.verbose = 1;
    double t0 = now_s();
    if (nn_model_fit(m, x_train, y_train, n_train, &fo, NULL, NULL) != NN_OK) {
        report(m, "training");
        goto done;
    }
    double secs = now_s() - t0;
    if (nn_model_evaluate(m, x_test, y_test, n_test, &te) != NN_OK) { report(m, "evaluating"); goto done; }
    if (save_path && nn_model_save_file(m, save_path) != NN_OK) { report(m, "saving"); goto done; }

    printf("test: %d images, loss %.4f, accuracy %.4f; training took %.2f s\n",
           n_test, te.loss, te.accuracy, secs);
    if (save_path) printf("saved the model to %s\n", save_path);
    printf("{\"example\":\"fmnist\",\"train_samples\":%d,\"epochs\":%d,\"test_accuracy\":%.4f,"
           "\"test_loss\":%.4f,\"samples_per_s\":%.0f,\"simd\":\"%s\"}\n",
           n_train, epochs, te.accuracy, te.loss,
           secs > 0 ? (double)n_train * epochs / secs : 0.0, nn_simd_name());
    rc = 0;
done:
    nn_metrics_free(&te);
    nn_model_free(m);
    fmnist_free(&d);
    return rc;
}
