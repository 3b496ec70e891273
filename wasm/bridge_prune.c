/* bridge_prune.c - pruning (nn.h's nn_prune_*) flattened for wasm/pruning.js: schedules cross as
 * scalars, steps as doubles (JS has no 64-bit ints without BigInt; steps stay below 2^53). */
#include "nn.h"

static nn_prune_schedule schedule(int kind, float initial, float final, double begin, double end, float power,
                                  int frequency)
{
    /* out-of-range steps become values the core's check refuses, never undefined casts */
    int64_t b = begin >= -1 && begin < 9e15 ? (int64_t)begin : -2, e = end >= -1 && end < 9e15 ? (int64_t)end : -2;
    return kind == NN_PRUNE_POLYNOMIAL ? nn_polynomial_decay(initial, final, b, e, power, frequency)
                                       : nn_constant_sparsity(final, b, e, frequency);
}

/* NN_OK or the message in err (NN_ERR_LEN bytes). */
int nnw_prune_check(int kind, float initial, float final, double begin, double end, float power, int frequency,
                    char *err)
{
    nn_prune_schedule s = schedule(kind, initial, final, begin, end, power, frequency);
    return nn_prune_schedule_check(&s, err);
}

/* The schedule at step: returns 1 (masks updated), 0, or < 0; *sparsity gets its value. */
int nnw_prune_at(int kind, float initial, float final, double begin, double end, float power, int frequency,
                 double step, float *sparsity)
{
    nn_prune_schedule s = schedule(kind, initial, final, begin, end, power, frequency);
    return nn_prune_schedule_at(&s, (int64_t)step, sparsity);
}

int nnw_prune(nn_model *m, int kind, float initial, float final, double begin, double end, float power,
              int frequency, const int *layers, int n)
{
    nn_prune_schedule s = schedule(kind, initial, final, begin, end, power, frequency);
    return nn_model_prune(m, &s, layers, n);
}

/* The pruning step, or -1 when m is not being pruned; out[0..6] gets the schedule (kind,
 * initial, final, begin, end, power, frequency). */
double nnw_prune_state(const nn_model *m, double *out)
{
    nn_prune_schedule s;
    uint64_t step;
    if (!nn_model_pruning(m, &s, &step)) return -1;
    out[0] = s.kind; out[1] = s.initial_sparsity; out[2] = s.final_sparsity;
    out[3] = (double)s.begin_step; out[4] = (double)s.end_step; out[5] = s.power; out[6] = s.frequency;
    return (double)step;
}

/* Layer i's prunable weights and zeros into out[0..1]; returns nn_model_layer_sparsity's answer. */
int nnw_layer_sparsity(const nn_model *m, int i, double *out)
{
    uint64_t w = 0, z = 0;
    int r = nn_model_layer_sparsity(m, i, &w, &z);
    out[0] = (double)w;
    out[1] = (double)z;
    return r;
}
