/* lstm.c - the text model people copy as their first NLP network, through nnplay's C API
 * (build/bench_lstm, and as wasm build-wasm/bench_lstm.js):
 *   Embedding(10000, 64, input_length=100) -> LSTM(128, dropout=0.2, recurrent_dropout=0.2)
 *   -> Dense(1, sigmoid); Adam 1e-3, binary cross-entropy, batch 32.
 * Speed only (synthetic ids and labels from a fixed seed): after --warmup batches, --runs runs each
 * train --batches batches; samples/s is the median over runs in process CPU time and wall time.
 * --no-dropout drops both dropouts (PyTorch's nn.LSTM has no recurrent dropout: compare like with
 * like). Run:  build/bench_lstm [--batches N] [--warmup N] [--runs N] [--no-dropout]
 * Progress goes to stderr; the last line on stdout is one JSON object for tools/bench.mjs. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#define BENCH_PROG "bench_lstm"
#include "bench_util.h"

#define MAX_RUNS BENCH_MAX_EPOCHS
#define BATCH 32
#define VOCAB 10000
#define STEPS 100

static nn_model *text_model(int dropout)
{
    int in_shape[1] = {STEPS};
    nn_model *m = nn_model_create(1, in_shape, 1);
    nn_model_add(m, nn_embedding(VOCAB, 64));
    nn_layer_spec l = nn_lstm(128);
    if (dropout) { nn_spec_set(&l, "dropout", 0.2); nn_spec_set(&l, "recurrentDropout", 0.2); }
    nn_model_add(m, l);
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    nn_optimizer adam = nn_adam(1e-3f);
    if (nn_model_compile(m, &adam, NN_LOSS_BCE) != NN_OK) {
        fprintf(stderr, "bench_lstm: building the model: %s\n", m ? nn_model_error(m) : "out of memory");
        nn_model_free(m);
        return NULL;
    }
    return m;
}

int main(int argc, char **argv)
{
    int batches = 20, warmup = 3, runs = 3, dropout = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--no-dropout")) { dropout = 0; continue; }
        if (i + 1 >= argc) { batches = 0; break; }
        if (!strcmp(argv[i], "--batches")) batches = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--runs")) runs = atoi(argv[++i]);
        else { batches = 0; break; }
    }
    if (batches < 1 || batches > 10000 || warmup < 0 || warmup > 10000 || runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "usage: bench_lstm [--batches 1..10000] [--warmup N] [--runs 1..%d] [--no-dropout]\n", MAX_RUNS);
        return 1;
    }
    int n = (batches > warmup ? batches : warmup) * BATCH;
    float *x = malloc(sizeof(float) * (size_t)n * STEPS), *y = malloc(sizeof(float) * (size_t)n);
    nn_model *m = NULL;
    int rc = 1;
    if (!x || !y) goto done;
    uint32_t s = 12345u;
    for (int i = 0; i < n * STEPS; i++) { s = s * 1664525u + 1013904223u; x[i] = (float)((s >> 8) % VOCAB); }
    for (int i = 0; i < n; i++) y[i] = (float)(i & 1);
    if (!(m = text_model(dropout))) goto done;
    nn_fit_opts fo = nn_fit_defaults();
    fo.batch_size = BATCH;
    if (warmup && nn_model_fit(m, x, y, warmup * BATCH, &fo, NULL, NULL) != NN_OK) {
        fprintf(stderr, "bench_lstm: warm-up: %s\n", nn_model_error(m));
        goto done;
    }
    double cpu[MAX_RUNS], wall[MAX_RUNS];
    int n_run = batches * BATCH;
    if (timed_runs(m, x, y, n_run, &fo, runs, cpu, wall) != NN_OK) goto done;
    printf("{\"system\":\"nnplay-c\",\"batch\":%d,\"batches\":%d,\"runs\":%d,\"dropout\":%s", BATCH, batches, runs,
           dropout ? "true" : "false");
    print_rates("run_samples_per_s", "samples_per_s", n_run, cpu, runs);
    print_rates("run_wall_samples_per_s", "wall_samples_per_s", n_run, wall, runs);
    printf(",\"simd\":\"%s\"}\n", nn_simd_name());
    rc = 0;
done:
    nn_model_free(m);
    free(x); free(y);
    return rc;
}
