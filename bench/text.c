/* text.c - the text model people copy as their first NLP network (issue 11's seed model), on the
 * SpamAssassin mail data, through nnplay's C API (build/bench_text, and as wasm
 * build-wasm/bench_text.js):
 *   Embedding(10000, 64, input_length=100) -> LSTM(128, dropout=0.2, recurrent_dropout=0.2)
 *   -> Dense(1, sigmoid); binary cross-entropy, Adam 1e-3, batch 32.
 * --cell gru|rnn puts GRU(128) (Keras 2's resetAfter) or SimpleRNN(128, tanh) in the LSTM's place;
 * --no-dropout drops both dropouts (PyTorch's nn.LSTM has no recurrent dropout: compare like with like).
 *
 * Speed: after --warmup batches, --runs runs each train one nn_model_fit epoch over the first
 * --batches batches of the training messages (the same model goes on learning); samples/s is the
 * median over runs in process CPU time and wall time. --runs 0 skips it.
 * Accuracy (--epochs N > 0): a fresh model from --seed trains N epochs over the 4,836 training
 * messages (shuffled each epoch) and scores the 1,210 test messages after each, untimed.
 * --init-out FILE writes that model's initial weights first (bench_util.h save_params), so
 * bench/torch-text.py can start from the same ones.
 * --bow: instead, the bag-of-words baseline: each message as a multi-hot row over the vocabulary
 * (id 0, the padding, left out) -> Dense(1, sigmoid), logistic regression, the same optimizer.
 *
 * Run:  build/bench_text --data FILE [--cell lstm|gru|rnn] [--no-dropout] [--batches N]
 *       [--warmup N] [--runs N] [--epochs N] [--seed N] [--init-out FILE] [--bow]
 *       FILE: the mail set as a token file (tools/bench.mjs writes it from web/data/spam.nntx.gz).
 * Progress goes to stderr; the last line on stdout is one JSON object for tools/bench.mjs. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#define BENCH_PROG "bench_text"
#include "bench_util.h"

#define MAX_RUNS BENCH_MAX_EPOCHS
#define BATCH 32
#define EMBED 64
#define UNITS 128

enum { CELL_LSTM, CELL_GRU, CELL_RNN, CELL_BOW };
static const char *const CELL_NAMES[] = {"lstm", "gru", "rnn", "bow"};

static nn_model *text_model(int cell, int vocab, int steps, int dropout, uint32_t seed)
{
    int in_shape[1] = {cell == CELL_BOW ? vocab : steps};
    nn_model *m = nn_model_create(1, in_shape, seed);
    if (cell != CELL_BOW) {
        nn_model_add(m, nn_embedding(vocab, EMBED)); /* a NULL m fails at compile */
        nn_layer_spec l = cell == CELL_LSTM ? nn_lstm(UNITS) : cell == CELL_GRU ? nn_gru(UNITS)
                                                             : nn_simple_rnn(UNITS, NN_ACT_TANH);
        if (dropout) { nn_spec_set(&l, "dropout", 0.2); nn_spec_set(&l, "recurrentDropout", 0.2); }
        nn_model_add(m, l);
    }
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    nn_optimizer adam = nn_adam(1e-3f);
    if (nn_model_compile(m, &adam, NN_LOSS_BCE) != NN_OK) {
        fprintf(stderr, "bench_text: building the model: %s\n", m ? nn_model_error(m) : "out of memory");
        nn_model_free(m);
        return NULL;
    }
    return m;
}

/* Rows [first, first+n) of the token file as model inputs: the ids as floats, or multi-hot rows. */
static float *inputs(const tokens *t, int first, int n, int bow)
{
    size_t row = bow ? (size_t)t->vocab : (size_t)t->steps;
    float *x = calloc((size_t)n * row, sizeof *x);
    if (!x) { fprintf(stderr, "bench_text: out of memory\n"); return NULL; }
    for (int i = 0; i < n; i++) {
        const int32_t *ids = t->ids + (size_t)(first + i) * t->steps;
        for (int s = 0; s < t->steps; s++) {
            if (!bow) x[i * row + s] = (float)ids[s];
            else if (ids[s] > 0) x[i * row + ids[s]] = 1.0f;
        }
    }
    return x;
}

int main(int argc, char **argv)
{
    const char *data = NULL, *init_out = NULL;
    int cell = CELL_LSTM, dropout = 1, batches = 30, warmup = 3, runs = 3, epochs = 0, bad = 0;
    uint32_t seed = 1;
    for (int i = 1; i < argc && !bad; i++) {
        if (!strcmp(argv[i], "--no-dropout")) dropout = 0;
        else if (!strcmp(argv[i], "--bow")) cell = CELL_BOW;
        else if (i + 1 >= argc) bad = 1;
        else if (!strcmp(argv[i], "--data")) data = argv[++i];
        else if (!strcmp(argv[i], "--init-out")) init_out = argv[++i];
        else if (!strcmp(argv[i], "--batches")) batches = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--runs")) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--epochs")) epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed")) seed = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--cell")) {
            const char *c = argv[++i];
            cell = !strcmp(c, "lstm") ? CELL_LSTM : !strcmp(c, "gru") ? CELL_GRU : !strcmp(c, "rnn") ? CELL_RNN : (bad = 1);
        } else bad = 1;
    }
    if (bad || !data || batches < 1 || batches > 10000 || warmup < 0 || warmup > 10000 || runs < 0 ||
        runs > MAX_RUNS || epochs < 0 || epochs > MAX_RUNS || (runs == 0 && epochs == 0)) {
        fprintf(stderr, "usage: bench_text --data FILE [--cell lstm|gru|rnn] [--no-dropout] [--batches 1..10000] "
                        "[--warmup N] [--runs 0..%d] [--epochs 0..%d] [--seed N] [--init-out FILE] [--bow]\n",
                MAX_RUNS, MAX_RUNS);
        return 1;
    }
    if (cell == CELL_BOW) runs = 0, dropout = 0; /* the baseline: accuracy only */
    tokens t;
    if (load_tokens(data, &t)) return 1;
    int rc = 1, n = t.train_count, n_test = t.count - t.train_count;
    nn_model *m = NULL;
    float *x = inputs(&t, 0, n, cell == CELL_BOW), *y = malloc(sizeof(float) * (size_t)t.count);
    float *xt = epochs && x ? inputs(&t, n, n_test, cell == CELL_BOW) : NULL;
    if (!x || !y || (epochs && !xt)) goto done;
    for (int i = 0; i < t.count; i++) y[i] = t.labels[i];

    /* speed: warm-up, then the timed runs on the same model */
    nn_fit_opts fo = nn_fit_defaults();
    fo.batch_size = BATCH;
    double cpu[MAX_RUNS], wall[MAX_RUNS];
    int n_run = batches * BATCH < n ? batches * BATCH : n, n_warm = warmup * BATCH < n ? warmup * BATCH : n;
    if (runs > 0) {
        if (!(m = text_model(cell, t.vocab, t.steps, dropout, seed))) goto done;
        if (n_warm > 0 && nn_model_fit(m, x, y, n_warm, &fo, NULL, NULL) != NN_OK) {
            fprintf(stderr, "bench_text: warm-up: %s\n", nn_model_error(m));
            goto done;
        }
        if (timed_runs(m, x, y, n_run, &fo, runs, cpu, wall) != NN_OK) goto done;
        nn_model_free(m);
        m = NULL;
    }

    /* accuracy: a fresh model, whole epochs, the test set scored after each */
    epoch_log lg = {.x_test = xt, .y_test = y + n, .n_test = n_test, .n_train = n};
    if (epochs > 0) {
        if (!(m = text_model(cell, t.vocab, t.steps, dropout, seed))) goto done;
        if (init_out && save_params(m, init_out)) goto done;
        fo.epochs = epochs;
        lg.mark = now();
        if (nn_model_fit(m, x, y, n, &fo, on_epoch, &lg) != NN_OK || lg.done != epochs) {
            fprintf(stderr, "bench_text: training: %s\n", nn_model_error(m));
            goto done;
        }
    }

    printf("{\"system\":\"nnplay-c\",\"cell\":\"%s\",\"dropout\":%s,\"batch\":%d,\"seed\":%u", CELL_NAMES[cell],
           dropout ? "true" : "false", BATCH, seed);
    if (runs > 0) {
        printf(",\"batches\":%d,\"runs\":%d", n_run / BATCH, runs);
        print_rates("run_samples_per_s", "samples_per_s", n_run, cpu, runs);
        print_rates("run_wall_samples_per_s", "wall_samples_per_s", n_run, wall, runs);
    }
    printf(",\"epochs\":%d,\"train_samples\":%d,\"test_samples\":%d,\"test_accuracy\":[", epochs, n, n_test);
    for (int e = 0; e < epochs; e++) printf("%s%.4f", e ? "," : "", lg.accuracy[e]);
    printf("]");
    if (epochs) print_rates("epoch_samples_per_s", "epoch_median_samples_per_s", n, lg.cpu, epochs);
    printf(",\"simd\":\"%s\"}\n", nn_simd_name());
    rc = 0;
done:
    nn_model_free(m);
    tokens_free(&t);
    free(x); free(y); free(xt);
    return rc;
}
