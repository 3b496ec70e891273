/* make_seeds.c - writes the model loader's seed corpus: small models covering every layer type,
 * each optimizer, compiled and not, and one version-1 file. `npm run fuzz -- --seeds` builds and
 * runs it (after a file format change); the bytes are committed in fuzz/corpus/model_load/.
 * Usage: make_seeds DIR */
#include "nn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dir;

static int write_file(const char *name, const void *bytes, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "make_seeds: cannot write %s\n", path);
        return 1;
    }
    printf("%s: %zu bytes\n", path, n);
    return 0;
}

/* Save m (trained one step if compiled, so the optimizer state is not all zeros) and free it. */
static int save(const char *name, nn_model *m, const nn_optimizer *opt, nn_loss loss)
{
    if (!m) return 1;
    if (opt) {
        if (nn_model_compile(m, opt, loss) != NN_OK) {
            fprintf(stderr, "make_seeds: %s: %s\n", name, nn_model_error(m));
            nn_model_free(m);
            return 1;
        }
        int in = nn_model_input_size(m), ly = nn_model_label_size(m);
        float *x = calloc((size_t)in * 2, sizeof(float)), *y = calloc((size_t)ly * 2, sizeof(float));
        for (int i = 0; i < in * 2; i++) x[i] = (float)((i * 37) % 11) / 11.0f;
        float l;
        nn_model_train_batch(m, x, y, 2, &l);
        free(x);
        free(y);
    }
    size_t n = nn_model_save_size(m);
    unsigned char *buf = malloc(n);
    int st = buf && nn_model_save(m, buf, n, &n) == NN_OK ? write_file(name, buf, n) : 1;
    if (st) fprintf(stderr, "make_seeds: %s: %s\n", name, nn_model_error(m));
    free(buf);
    nn_model_free(m);
    return st;
}

static nn_model *model(int rank, int a, int b, int c)
{
    int shape[3] = {a, b, c};
    return nn_model_create(rank, shape, 7);
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* A version-1 file of an uncompiled dense model: layer records of 11 ints and 4 floats, no state
 * array. Made by rewriting a version-2 save (14 ints, 6 floats, then a state count). */
static int save_v1(const char *name)
{
    nn_model *m = model(1, 3, 0, 0);
    nn_model_add(m, nn_dense(2, NN_ACT_TANH));
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    size_t n = nn_model_save_size(m), o = 0;
    unsigned char *v2 = malloc(n), *v1 = malloc(n);
    if (!v2 || !v1 || nn_model_save(m, v2, n, &n) != NN_OK) return 1;
    size_t p = 8 + 4 + 4 + 4 + 12; /* magic, version, seed, rank, shape */
    memcpy(v1, v2, p);
    v1[8] = 1; /* version */
    uint32_t layers = v2[p] | v2[p + 1] << 8;
    memcpy(v1 + p, v2 + p, 4);
    o = p + 4, p += 4;
    for (uint32_t l = 0; l < layers; l++) {
        memcpy(v1 + o, v2 + p, 4 + 11 * 4); /* type, the first 11 ints */
        o += 4 + 11 * 4;
        memcpy(v1 + o, v2 + p + 4 + 14 * 4, 4 * 4); /* the first 4 floats */
        o += 4 * 4;
        p += 4 + 14 * 4 + 6 * 4;
    }
    size_t np = nn_model_num_params(m);
    memcpy(v1 + o, v2 + p, 8 + 4 * np); /* parameter count and values */
    o += 8 + 4 * np;
    p += 8 + 4 * np + 8; /* skip the (empty) state array's count */
    size_t rest = n - 4 - p; /* compile settings, optimizer, RNG state */
    memcpy(v1 + o, v2 + p, rest);
    o += rest;
    uint32_t crc = crc32_of(v1, o);
    for (int i = 0; i < 4; i++) v1[o++] = (unsigned char)(crc >> (8 * i));
    int st = write_file(name, v1, o);
    char err[NN_ERR_LEN];
    nn_model *back = nn_model_load(v1, o, err);
    if (!back) { fprintf(stderr, "make_seeds: %s does not load: %s\n", name, err); st = 1; }
    nn_model_free(back);
    nn_model_free(m);
    free(v1);
    free(v2);
    return st;
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: make_seeds DIR\n"); return 2; }
    dir = argv[1];
    int bad = 0;
    nn_optimizer adam = nn_adam(0.01f), sgd = nn_momentum(0.1f, 0.9f, 1), rms = nn_rmsprop(0.01f),
                 ada = nn_adagrad(0.1f), plain = nn_sgd(0.1f);
    nn_model *m;

    /* dense + activation + dropout, Adam (two optimizer arrays), binary cross-entropy */
    m = model(1, 3, 0, 0);
    nn_model_add(m, nn_dense(4, NN_ACT_RELU));
    nn_model_add(m, nn_dropout(0.25f));
    nn_model_add(m, nn_dense(1, NN_ACT_LINEAR));
    nn_model_add(m, nn_activation(NN_ACT_SIGMOID));
    bad |= save("dense_adam.nnplay", m, &adam, NN_LOSS_BCE);

    /* conv2d + maxpool2d + flatten + dense softmax, SGD with Nesterov momentum */
    m = model(3, 5, 5, 1);
    nn_model_add(m, nn_conv2d(2, 3, 3, 1, NN_PAD_SAME, NN_ACT_RELU));
    nn_model_add(m, nn_maxpool2d(2, 2, NN_PAD_VALID));
    nn_model_add(m, nn_flatten());
    nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX));
    bad |= save("conv_maxpool_sgd.nnplay", m, &sgd, NN_LOSS_SCCE);

    /* strided conv2d, avgpool2d (same), globalavgpool2d, RMSprop, categorical cross-entropy */
    m = model(3, 6, 4, 2);
    nn_layer_spec conv = nn_conv2d(3, 2, 2, 2, NN_PAD_VALID, NN_ACT_ELU);
    conv.use_bias = 0;
    nn_model_add(m, conv);
    nn_model_add(m, nn_avgpool2d(2, 1, NN_PAD_SAME));
    nn_model_add(m, nn_globalavgpool2d());
    nn_model_add(m, nn_dense(2, NN_ACT_SOFTMAX));
    bad |= save("conv_avgpool_gap_rmsprop.nnplay", m, &rms, NN_LOSS_CCE);

    /* reshape (with an inferred -1) + batchnorm (state array) + leaky relu, AdaGrad, MSE */
    m = model(1, 8, 0, 0);
    int target[3] = {2, -1, 2};
    nn_model_add(m, nn_reshape(3, target));
    nn_model_add(m, nn_batchnorm());
    nn_model_add(m, nn_flatten());
    nn_layer_spec leaky = nn_dense(2, NN_ACT_LEAKY_RELU);
    leaky.alpha = 0.2f;
    leaky.l2 = 0.01f;
    nn_model_add(m, leaky);
    bad |= save("reshape_batchnorm_adagrad.nnplay", m, &ada, NN_LOSS_MSE);

    /* dense with L1, plain SGD (no optimizer arrays), mean absolute error */
    m = model(1, 2, 0, 0);
    nn_layer_spec l1 = nn_dense(2, NN_ACT_TANH);
    l1.l1 = 0.001f;
    l1.kernel_init = NN_INIT_HE_NORMAL;
    nn_model_add(m, l1);
    nn_model_add(m, nn_dense(1, NN_ACT_LINEAR));
    bad |= save("dense_sgd_mae.nnplay", m, &plain, NN_LOSS_MAE);

    /* not compiled: architecture and weights only; rank-2 input reshaped to rank 1 */
    m = model(2, 2, 3, 0);
    int flat[1] = {6};
    nn_model_add(m, nn_reshape(1, flat));
    nn_model_add(m, nn_dense(2, NN_ACT_SOFTMAX));
    bad |= save("reshape_uncompiled.nnplay", m, NULL, 0);

    /* a model with no layers */
    bad |= save("empty_uncompiled.nnplay", model(1, 4, 0, 0), NULL, 0);

    bad |= save_v1("dense_v1.nnplay");
    return bad;
}
