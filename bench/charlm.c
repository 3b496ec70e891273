/* charlm.c - the character model of issue 11 on the Tang poems, through nnplay's C API
 * (build/bench_charlm): the loss curve that bench/torch-text.py --task charlm retraces in PyTorch
 * from the same initial weights over the same batches.
 *   Embedding(vocab, 64) -> LSTM(128, returnSequences) -> Dense(vocab, softmax) on every step;
 *   sparse categorical cross-entropy per step (the next character), Adam 1e-3, batch 32, no dropout.
 * The corpus's character ids are cut into windows of --seq + 1 characters that do not overlap
 * (x: the first --seq, y: the next character of each); each pass over them is shuffled with the
 * model's RNG and cut into whole batches. --steps batches are trained with nn_model_train_batch,
 * each one's loss (before its update, as Keras reports) recorded.
 * --init-out FILE writes the initial weights (bench_util.h save_params); --order-out FILE writes
 * the batches as JSON: {"seq":S,"batch":B,"starts":[first character of each window, in order]}.
 *
 * Run:  build/bench_charlm --data FILE [--steps N] [--seq N] [--seed N] [--init-out FILE] [--order-out FILE]
 *       FILE: the poems as a token file (tools/bench.mjs writes it from web/data/tang.nntx.gz).
 * Progress goes to stderr; the last line on stdout is one JSON object for tools/bench.mjs. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#define BENCH_PROG "bench_charlm"
#include "bench_util.h"

#define BATCH 32
#define EMBED 64
#define UNITS 128

static nn_model *char_model(int vocab, int seq, uint32_t seed)
{
    int in_shape[1] = {seq};
    nn_model *m = nn_model_create(1, in_shape, seed);
    nn_model_add(m, nn_embedding(vocab, EMBED)); /* a NULL m fails at compile */
    nn_layer_spec l = nn_lstm(UNITS);
    nn_spec_set(&l, "returnSequences", 1);
    nn_model_add(m, l);
    nn_model_add(m, nn_dense(vocab, NN_ACT_SOFTMAX));
    nn_optimizer adam = nn_adam(1e-3f);
    if (nn_model_compile(m, &adam, NN_LOSS_SCCE) != NN_OK) {
        fprintf(stderr, "bench_charlm: building the model: %s\n", m ? nn_model_error(m) : "out of memory");
        nn_model_free(m);
        return NULL;
    }
    return m;
}

int main(int argc, char **argv)
{
    const char *data = NULL, *init_out = NULL, *order_out = NULL;
    int steps = 300, seq = 40, bad = 0;
    uint32_t seed = 1;
    for (int i = 1; i < argc && !bad; i++) {
        if (i + 1 >= argc) bad = 1;
        else if (!strcmp(argv[i], "--data")) data = argv[++i];
        else if (!strcmp(argv[i], "--init-out")) init_out = argv[++i];
        else if (!strcmp(argv[i], "--order-out")) order_out = argv[++i];
        else if (!strcmp(argv[i], "--steps")) steps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seq")) seq = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed")) seed = (uint32_t)strtoul(argv[++i], NULL, 10);
        else bad = 1;
    }
    if (bad || !data || steps < 1 || steps > 100000 || seq < 1 || seq > 1000) {
        fprintf(stderr, "usage: bench_charlm --data FILE [--steps 1..100000] [--seq 1..1000] [--seed N] "
                        "[--init-out FILE] [--order-out FILE]\n");
        return 1;
    }
    tokens t;
    if (load_tokens(data, &t)) return 1;
    int rc = 1, len = t.count * t.steps, n_win = (len - 1) / seq, per_pass = n_win / BATCH;
    nn_model *m = NULL;
    float *x = malloc(sizeof(float) * BATCH * seq), *y = malloc(sizeof(float) * BATCH * seq);
    float *losses = malloc(sizeof(float) * (size_t)steps);
    int32_t *perm = malloc(sizeof(int32_t) * (size_t)(n_win > 0 ? n_win : 1));
    int32_t *starts = malloc(sizeof(int32_t) * (size_t)steps * BATCH);
    if (!x || !y || !losses || !perm || !starts) { fprintf(stderr, "bench_charlm: out of memory\n"); goto done; }
    if (per_pass < 1) { fprintf(stderr, "bench_charlm: %d characters make less than one batch\n", len); goto done; }
    if (!(m = char_model(t.vocab, seq, seed))) goto done;
    if (init_out && save_params(m, init_out)) goto done;

    stamp t0 = now();
    for (int s = 0; s < steps; s++) {
        if (s % per_pass == 0) nn_model_permutation(m, perm, n_win);
        for (int b = 0; b < BATCH; b++) {
            int start = perm[(s % per_pass) * BATCH + b] * seq;
            starts[(size_t)s * BATCH + b] = start;
            for (int j = 0; j < seq; j++) {
                x[b * seq + j] = (float)t.ids[start + j];
                y[b * seq + j] = (float)t.ids[start + j + 1];
            }
        }
        if (nn_model_train_batch(m, x, y, BATCH, &losses[s]) != NN_OK) {
            fprintf(stderr, "bench_charlm: step %d: %s\n", s + 1, nn_model_error(m));
            goto done;
        }
        if ((s + 1) % 50 == 0 || s == 0) fprintf(stderr, "bench_charlm: step %d: loss %.4f\n", s + 1, losses[s]);
    }
    stamp t1 = now();
    if (order_out) {
        FILE *f = fopen(order_out, "w");
        int ok = f && fprintf(f, "{\"seq\":%d,\"batch\":%d,\"starts\":[", seq, BATCH) > 0;
        for (size_t i = 0; ok && i < (size_t)steps * BATCH; i++) ok = fprintf(f, "%s%d", i ? "," : "", starts[i]) > 0;
        ok = ok && fprintf(f, "]}\n") > 0;
        if (f && fclose(f) != 0) ok = 0;
        if (!ok) { fprintf(stderr, "bench_charlm: cannot write %s\n", order_out); goto done; }
    }
    printf("{\"system\":\"nnplay-c\",\"vocab\":%d,\"characters\":%d,\"windows\":%d,\"seq\":%d,\"batch\":%d,\"steps\":%d,"
           "\"seed\":%u,\"samples_per_s\":%.1f,\"wall_samples_per_s\":%.1f,\"losses\":[",
           t.vocab, len, n_win, seq, BATCH, steps, seed, steps * BATCH / (t1.cpu - t0.cpu), steps * BATCH / (t1.wall - t0.wall));
    for (int s = 0; s < steps; s++) printf("%s%.6g", s ? "," : "", losses[s]);
    printf("],\"simd\":\"%s\"}\n", nn_simd_name());
    rc = 0;
done:
    nn_model_free(m);
    tokens_free(&t);
    free(x); free(y); free(losses); free(perm); free(starts);
    return rc;
}
