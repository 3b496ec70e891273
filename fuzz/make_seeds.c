/* make_seeds.c - writes the model loader's seed corpus: small models covering every layer type,
 * each optimizer, compiled and not, the weight encodings (sparse, int8) and a pruning state
 * (tools/fuzz.mjs adds the version-1 to -3 files of tests/fixtures). `npm run fuzz -- --seeds` builds and
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
static int save_flags;   /* nn_model_save_ex flags for the next save (quantized seeds) */
static float prune_to;   /* > 0: pruned to this sparsity after the training step (sparse seeds) */
static int n_metrics;    /* > 0: compiled with the first n_metrics of metric_ids (a list of names) */
static const int metric_ids[] = {NN_METRIC_ACCURACY, NN_METRIC_PRECISION, NN_METRIC_RECALL, NN_METRIC_MAE};

static int save(const char *name, nn_model *m, const nn_optimizer *opt, nn_loss loss)
{
    if (!m) return 1;
    if (opt) {
        if (nn_model_compile(m, opt, loss) != NN_OK) {
            fprintf(stderr, "make_seeds: %s: %s\n", name, nn_model_error(m));
            nn_model_free(m);
            return 1;
        }
        if (n_metrics && nn_model_set_metrics(m, metric_ids, n_metrics) != NN_OK)
            fprintf(stderr, "make_seeds: %s: metrics: %s\n", name, nn_model_error(m));
        n_metrics = 0;
        int in = nn_model_input_size(m), ly = nn_model_label_size(m);
        float *x = calloc((size_t)in * 2, sizeof(float)), *y = calloc((size_t)ly * 2, sizeof(float));
        int ids = nn_model_layer_spec(m, 0)->type == NN_LAYER_EMBEDDING; /* token ids 0..4 */
        for (int i = 0; i < in * 2; i++) x[i] = ids ? (float)((i * 37) % 5) : (float)((i * 37) % 11) / 11.0f;
        float l;
        if (nn_model_train_batch(m, x, y, 2, &l) != NN_OK)
            fprintf(stderr, "make_seeds: %s: training: %s\n", name, nn_model_error(m));
        free(x);
        free(y);
    }
    if (prune_to > 0) { /* masks and schedule saved too; one kept weight at 0 makes a mask a bitmap */
        nn_prune_schedule ps = nn_polynomial_decay(0.0f, prune_to, 0, 100, 3.0f, 10);
        if (nn_model_prune(m, &ps, NULL, 0) != NN_OK || nn_model_prune_update(m, prune_to) != NN_OK)
            fprintf(stderr, "make_seeds: %s: pruning: %s\n", name, nn_model_error(m));
        float *p = nn_model_params(m);
        for (size_t i = 0; i < nn_model_num_params(m); i++) if (p[i] != 0.0f) { p[i] = 0.0f; break; }
    }
    size_t n = nn_model_save_size_ex(m, save_flags);
    unsigned char *buf = malloc(n);
    int st = buf && nn_model_save_ex(m, buf, n, &n, save_flags) == NN_OK ? write_file(name, buf, n) : 1;
    save_flags = 0;
    prune_to = 0;
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

    /* the same, compiled with metrics (the compile settings' list of names) */
    m = model(1, 3, 0, 0);
    nn_model_add(m, nn_dense(4, NN_ACT_RELU));
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    n_metrics = 4;
    bad |= save("dense_adam_metrics.nnplay", m, &adam, NN_LOSS_BCE);

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
    nn_spec_set(&conv, "useBias", 0);
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
    nn_spec_set(&leaky, "alpha", 0.2);
    nn_spec_set(&leaky, "l2", 0.01);
    nn_model_add(m, leaky);
    bad |= save("reshape_batchnorm_adagrad.nnplay", m, &ada, NN_LOSS_MSE);

    /* a small generator: conv2dTranspose ('same' and 'valid', strides) + upSampling2d, Adam, MSE */
    m = model(3, 2, 2, 1);
    nn_layer_spec up = nn_conv2d_transpose(2, 3, 3, 2, NN_PAD_SAME, NN_ACT_RELU);
    nn_spec_set(&up, "l2", 0.01);
    nn_model_add(m, up);
    nn_model_add(m, nn_upsampling2d(1, 2));
    nn_model_add(m, nn_conv2d_transpose(1, 2, 2, 1, NN_PAD_VALID, NN_ACT_TANH));
    bad |= save("conv2d_transpose_upsampling_adam.nnplay", m, &adam, NN_LOSS_MSE);

    /* dense with L1, plain SGD (no optimizer arrays), mean absolute error */
    m = model(1, 2, 0, 0);
    nn_layer_spec l1 = nn_dense(2, NN_ACT_TANH);
    nn_spec_set(&l1, "l1", 0.001);
    nn_spec_set_name(&l1, "kernelInitializer", "heNormal");
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

    /* token ids: embedding + simpleRNN (every step, backwards) + lstm, Adam with clipping */
    m = model(1, 5, 0, 0);
    nn_model_add(m, nn_embedding(7, 3));
    nn_layer_spec rnn = nn_simple_rnn(4, NN_ACT_TANH);
    nn_spec_set(&rnn, "returnSequences", 1);
    nn_spec_set(&rnn, "goBackwards", 1);
    nn_model_add(m, rnn);
    nn_layer_spec lstm = nn_lstm(3);
    nn_spec_set_name(&lstm, "recurrentActivation", "hardSigmoid");
    nn_model_add(m, lstm);
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    nn_optimizer clip = nn_adam(0.01f);
    clip.clip_norm = 1.0f;
    bad |= save("embedding_rnn_lstm_clip.nnplay", m, &clip, NN_LOSS_BCE);
    /* padded token ids: embedding(maskZero) + gru(resetAfter, dropouts, every step) + dense per step */
    m = model(1, 6, 0, 0);
    nn_layer_spec emb = nn_embedding(9, 4);
    nn_spec_set(&emb, "maskZero", 1);
    nn_model_add(m, emb);
    nn_layer_spec gru = nn_gru(5);
    nn_spec_set(&gru, "resetAfter", 1);
    nn_spec_set(&gru, "returnSequences", 1);
    nn_spec_set(&gru, "dropout", 0.1);
    nn_spec_set(&gru, "recurrentDropout", 0.2);
    nn_model_add(m, gru);
    nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX));
    nn_optimizer rmsclip = nn_rmsprop(0.01f);
    rmsclip.clip_value = 0.5f;
    bad |= save("embedding_mask_gru_sequence.nnplay", m, &rmsclip, NN_LOSS_SCCE);
    /* nested specs: embedding(maskZero) + bidirectional(lstm, every step, recurrentDropout, concat)
     * + bidirectional(gru resetAfter, ave) + dense, Adam */
    m = model(1, 6, 0, 0);
    nn_model_add(m, emb);
    nn_layer_spec bl = nn_lstm(3);
    nn_spec_set(&bl, "returnSequences", 1);
    nn_spec_set(&bl, "recurrentDropout", 0.2);
    nn_model_add(m, nn_bidirectional(bl, NN_MERGE_CONCAT));
    nn_layer_spec bg = nn_gru(2);
    nn_spec_set(&bg, "resetAfter", 1);
    nn_model_add(m, nn_bidirectional(bg, NN_MERGE_AVE));
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    bad |= save("embedding_bidirectional_lstm_gru.nnplay", m, &adam, NN_LOSS_BCE);
    /* bidirectional(simpleRNN goBackwards, l2, mul) on a [steps, features] input, not compiled */
    m = model(2, 4, 3, 0);
    nn_layer_spec br = nn_simple_rnn(3, NN_ACT_RELU);
    nn_spec_set(&br, "goBackwards", 1);
    nn_spec_set(&br, "l2", 0.01);
    nn_model_add(m, nn_bidirectional(br, NN_MERGE_MUL));
    bad |= save("bidirectional_simple_rnn_uncompiled.nnplay", m, NULL, 0);
    /* the version-4 weight encodings: sparse f32 with a pruning state (masks, one a bitmap), int8
     * per output channel, and sparse int8 without the optimizer */
    m = model(3, 6, 6, 1);
    nn_model_add(m, nn_conv2d(4, 3, 3, 1, NN_PAD_VALID, NN_ACT_RELU));
    nn_model_add(m, nn_flatten());
    nn_model_add(m, nn_dense(8, NN_ACT_RELU));
    nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX));
    prune_to = 0.7f;
    bad |= save("pruned_sparse_adam.nnplay", m, &adam, NN_LOSS_SCCE);
    m = model(1, 6, 0, 0);
    nn_model_add(m, nn_embedding(9, 4));
    nn_model_add(m, nn_gru(5));
    nn_model_add(m, nn_dense(3, NN_ACT_SOFTMAX));
    save_flags = NN_SAVE_QUANTIZE_INT8;
    bad |= save("int8_embedding_gru.nnplay", m, &rms, NN_LOSS_SCCE);
    m = model(1, 10, 0, 0);
    nn_model_add(m, nn_dense(12, NN_ACT_TANH));
    nn_model_add(m, nn_batchnorm());
    nn_model_add(m, nn_dense(2, NN_ACT_SOFTMAX));
    prune_to = 0.8f;
    save_flags = NN_SAVE_QUANTIZE_INT8 | NN_SAVE_NO_OPTIMIZER;
    bad |= save("pruned_int8_slim.nnplay", m, &adam, NN_LOSS_SCCE);
    /* int8 with the channels an inner axis apart (Conv2DTranspose's filters): dense and sparse */
    for (int k = 0; k < 2; k++) {
        m = model(3, 2, 2, 3);
        nn_model_add(m, nn_conv2d_transpose(4, 3, 3, 2, NN_PAD_SAME, NN_ACT_RELU));
        nn_model_add(m, nn_conv2d_transpose(1, 2, 2, 1, NN_PAD_VALID, NN_ACT_TANH));
        prune_to = k ? 0.6f : 0.0f;
        save_flags = NN_SAVE_QUANTIZE_INT8 | (k ? NN_SAVE_NO_OPTIMIZER : 0);
        bad |= save(k ? "pruned_int8_conv2d_transpose_slim.nnplay" : "int8_conv2d_transpose.nnplay", m, &adam, NN_LOSS_MSE);
    }
    /* files of versions 1 to 3: tools/fuzz.mjs copies the .nnplay files of tests/fixtures in */
    return bad;
}
