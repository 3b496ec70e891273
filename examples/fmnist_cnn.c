/* fmnist_cnn.c - Fashion-MNIST with the CNN of issue 5 (and of the Keras MNIST example):
 *   Conv2D(32, 3x3, relu) -> MaxPool(2) -> Conv2D(64, 3x3, relu) -> MaxPool(2) -> Flatten
 *   -> Dense(128, relu) -> Dense(10, softmax); Adam 1e-3, batch 32, sparse labels.
 * Images are [28, 28, 1] (NHWC). Training prints Keras-style lines; the test set is evaluated
 * after every epoch (not timed: samples/s measures training alone).
 *
 * Run:  build/fmnist_cnn [--data DIR] [--epochs N] [--batch N] [--limit N] [--test-limit N]
 *                        [--seed N] [--shift K] [--flip] [--save PATH]
 *       DIR defaults to /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist);
 *       --limit 5000 trains on the first 5000 of the 60000 images; --shift/--flip turn on the
 *       random image augmentation of nn_model_set_augment.
 * The last line is JSON for scripts, e.g.
 *       {"example":"fmnist_cnn","train_samples":60000,"epochs":1,"test_accuracy":0.88,...}
 */
#define _POSIX_C_SOURCE 200809L /* popen, pclose */
#include "nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FMNIST_PROG "fmnist_cnn"
#include "fmnist_data.h"

int main(int argc, char **argv)
{
    const char *dir = DEFAULT_DIR, *save_path = NULL;
    int epochs = 1, batch = 32, limit = 0, test_limit = 0, shift = 0, flip = 0;
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
        else if (!strcmp(o, "--shift")) shift = (int)arg_long(o, val, 0, 27);
        else if (!strcmp(o, "--flip")) { flip = 1; continue; } /* the one option without a value */
        else {
            fprintf(stderr, "usage: fmnist_cnn [--data DIR] [--epochs N] [--batch N] [--limit N] "
                            "[--test-limit N] [--seed N] [--shift K] [--flip] [--save PATH]\n");
            return 1;
        }
        i++; /* the others take a value */
    }

    int rc = 1;
    nn_model *m = NULL;
    nn_metrics te;
    memset(&te, 0, sizeof te);
    fmnist_data d;
    if (fmnist_load(dir, limit, test_limit, &d) != 0) return 1;
    const float *x_train = d.x_train, *y_train = d.y_train, *x_test = d.x_test, *y_test = d.y_test;
    int n_train = d.n_train, n_test = d.n_test;

    int in_shape[3] = {28, 28, 1};
    m = nn_model_create(3, in_shape, seed);
    nn_optimizer adam = nn_adam(1e-3f);
    nn_model_add(m, nn_conv2d(32, 3, 3, 1, NN_PAD_VALID, NN_ACT_RELU)); /* a NULL m fails at compile */
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_model_add(m, nn_conv2d(64, 3, 3, 1, NN_PAD_VALID, NN_ACT_RELU));
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_model_add(m, nn_flatten());
    nn_model_add(m, nn_dense(128, NN_ACT_RELU));
    nn_model_add(m, nn_dense(10, NN_ACT_SOFTMAX));
    if (nn_model_compile(m, &adam, NN_LOSS_SCCE) != NN_OK ||
        nn_model_set_augment(m, shift, flip) != NN_OK) {
        report(m, "building the model");
        goto done;
    }
    char summary[2048];
    nn_model_summary(m, summary, sizeof summary);
    fputs(summary, stdout);

    nn_fit_opts fo = nn_fit_defaults();
    fo.epochs = 1;
    fo.batch_size = batch;
    fo.verbose = 1;
    double secs = 0;
    for (int e = 0; e < epochs; e++) { /* one fit per epoch, so the test set is scored between */
        printf("(epoch %d of %d) ", e + 1, epochs);
        double t0 = now_s();
        if (nn_model_fit(m, x_train, y_train, n_train, &fo, NULL, NULL) != NN_OK) {
            report(m, "training");
            goto done;
        }
        secs += now_s() - t0;
        nn_metrics_free(&te);
        if (nn_model_evaluate(m, x_test, y_test, n_test, &te) != NN_OK) { report(m, "evaluating"); goto done; }
        printf("  test accuracy after epoch %d: %.4f (%.0f samples/s)\n", e + 1, te.accuracy,
               (double)n_train * (e + 1) / secs);
    }
    if (save_path && nn_model_save_file(m, save_path) != NN_OK) { report(m, "saving"); goto done; }

    printf("test: %d images, loss %.4f, accuracy %.4f; training took %.2f s\n",
           n_test, te.loss, te.accuracy, secs);
    if (save_path) printf("saved the model to %s\n", save_path);
    printf("{\"example\":\"fmnist_cnn\",\"train_samples\":%d,\"epochs\":%d,\"test_accuracy\":%.4f,"
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
