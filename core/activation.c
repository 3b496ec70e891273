/* activation.c - activation functions, their derivatives, and the Activation layer. */
#include "kernels.h"
#include "nn_internal.h"
#include <math.h>
#include <string.h>

static float act_alpha(int act, float alpha)
{
    if (alpha != 0.0f) return alpha;
    return act == NN_ACT_LEAKY_RELU ? 0.3f : 1.0f; /* TF.js defaults */
}

void nn_act_forward(int act, float alpha, const float *x, float *y, int rows, int cols)
{
    long n = (long)rows * cols;
    float a = act_alpha(act, alpha);
    switch (act) {
    case NN_ACT_RELU: nn_relu(x, y, (int)n); break;
    case NN_ACT_LEAKY_RELU: /* f(x) = x > 0 ? x : a*x */
        for (long i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : a * x[i];
        break;
    case NN_ACT_ELU: nn_elu(x, y, (int)n, a); break;         /* f(x) = x > 0 ? x : a*(exp(x)-1) */
    case NN_ACT_SIGMOID: nn_sigmoid(x, y, (int)n); break;    /* f(x) = 1/(1+exp(-x)) */
    case NN_ACT_TANH: nn_tanh(x, y, (int)n); break;          /* f(x) = tanh(x) */
    case NN_ACT_SOFTMAX: /* per row: exp(x - max) / sum */
        for (int r = 0; r < rows; r++) {
            const float *xr = x + (long)r * cols;
            float *yr = y + (long)r * cols;
            float mx = xr[0];
            for (int c = 1; c < cols; c++) mx = xr[c] > mx ? xr[c] : mx;
            for (int c = 0; c < cols; c++) yr[c] = xr[c] - mx;
            nn_exp(yr, yr, cols);
            float s = 0.0f;
            for (int c = 0; c < cols; c++) s += yr[c];
            float inv = 1.0f / s;
            for (int c = 0; c < cols; c++) yr[c] *= inv;
        }
        break;
    case NN_ACT_HARD_SIGMOID: /* f(x) = clamp(0.2 x + 0.5, 0, 1) */
        for (long i = 0; i < n; i++) { float v = 0.2f * x[i] + 0.5f; y[i] = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v; }
        break;
    default: /* linear */
        if (y != x) memcpy(y, x, (size_t)n * sizeof(float));
    }
}

void nn_act_backward(int act, float alpha, const float *x, const float *y, const float *dy,
                     float *dx, int rows, int cols)
{
    long n = (long)rows * cols;
    float a = act_alpha(act, alpha);
    switch (act) {
    case NN_ACT_RELU: nn_relu_backward(y, dy, dx, (int)n); break;
    case NN_ACT_LEAKY_RELU:
        for (long i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : a * dy[i];
        break;
    case NN_ACT_ELU: /* f' = 1 or f(x) + a */
        for (long i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : dy[i] * (y[i] + a);
        break;
    case NN_ACT_SIGMOID: /* f' = y(1-y) */
        for (long i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
        break;
    case NN_ACT_TANH: /* f' = 1 - y^2 */
        for (long i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case NN_ACT_SOFTMAX: /* dx_i = y_i (dy_i - sum_j dy_j y_j) */
        for (int r = 0; r < rows; r++) {
            const float *yr = y + (long)r * cols, *dyr = dy + (long)r * cols;
            float *dxr = dx + (long)r * cols;
            float s = 0.0f;
            for (int c = 0; c < cols; c++) s += dyr[c] * yr[c];
            for (int c = 0; c < cols; c++) dxr[c] = yr[c] * (dyr[c] - s);
        }
        break;
    case NN_ACT_HARD_SIGMOID: /* f' = 0.2 where the line is not clamped */
        for (long i = 0; i < n; i++) dx[i] = x[i] > -2.5f && x[i] < 2.5f ? 0.2f * dy[i] : 0.0f;
        break;
    default:
        if (dx != dy) memcpy(dx, dy, (size_t)n * sizeof(float));
    }
}

static const char *const act_list[NN_ACT_COUNT] = {"linear", "relu", "leakyRelu", "elu", "sigmoid",
                                                   "tanh", "softmax", "hardSigmoid"};
static const nn_alias act_aliases[] = {{"leaky_relu", NN_ACT_LEAKY_RELU}, {"leakyrelu", NN_ACT_LEAKY_RELU},
                                       {"none", NN_ACT_LINEAR}, {"identity", NN_ACT_LINEAR},
                                       {"hard_sigmoid", NN_ACT_HARD_SIGMOID}};
const nn_names nn_act_names = {"activations", "activation", NN_ACT_COUNT, act_list, NN_COUNT_OF(act_aliases), act_aliases};

int nn_act_from_name(const char *name) { return nn_names_find(&nn_act_names, name); }
const char *nn_act_name(int act) { return nn_names_get(&nn_act_names, act); }

/* ---- the Activation layer: y = f(x) over the last axis ---- */

typedef struct { int act; float alpha; } act_cfg;
static const nn_option act_options[] = {
    NN_OPT_ACTIVATION(act_cfg, act),
    NN_OPT_ALPHA(act_cfg, alpha),
};

nn_layer_spec nn_activation(nn_act act)
{
    nn_layer_spec s = nn_spec(NN_LAYER_ACTIVATION);
    nn_spec_set(&s, "activation", act);
    return s;
}

static int act_setup(nn_layer *L, char *err)
{
    nn_layer_same_shape(L);
    L->act = NN_CFG(L, act_cfg)->act;
    L->alpha = NN_CFG(L, act_cfg)->alpha;
    return NN_OK;
}

static int last_dim(const nn_layer *L) { return L->out_shape[L->out_rank - 1]; }

static void act_forward(nn_layer *L, const float *p, const float *x, int n, int training,
                        nn_rng *rng)
{
    int cols = last_dim(L);
    nn_act_forward(L->act, L->alpha, x, L->y, n * (L->out_size / cols), cols);
    L->preact = x;
}

static void act_backward(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                         float *dx, int n)
{
    if (!dx) return;
    int cols = last_dim(L);
    if (L->grad_is_preact) memcpy(dx, dy, (size_t)n * L->out_size * sizeof(float));
    else nn_act_backward(L->act, L->alpha, x, L->y, dy, dx, n * (L->out_size / cols), cols);
}

const nn_layer_ops nn_activation_ops = {
    .name = "Activation",
    .func = "activation",
    .doc = "y = activation(x)",
    .options = act_options,
    .n_options = NN_COUNT_OF(act_options),
    .cfg_size = sizeof(act_cfg),
    .priv_size = sizeof(float *),
    .setup = act_setup,
    .reserve = nn_layer_reserve_y,
    .forward = act_forward,
    .backward = act_backward,
    .release = nn_layer_release_y,
};
