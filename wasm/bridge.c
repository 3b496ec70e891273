/* bridge.c - the C half of the JS API: flat wrappers for what nn.h passes as structs.
 * Everything exported is listed in exports.txt; wasm/nnplay.js is the only caller.
 * Pointers and sizes are 32-bit here; JS owns what it allocates with malloc and frees it. */
#include "nn.h"
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

nn_model *nnw_model_create(int rank, int d0, int d1, int d2, uint32_t seed)
{
    int shape[3] = {d0, d1, d2};
    return nn_model_create(rank, shape, seed);
}

int nnw_model_add(nn_model *m, int type, int units, int act, int use_bias, int kernel_init,
                  int bias_init, float alpha, float rate, float l1, float l2)
{
    nn_layer_spec s;
    memset(&s, 0, sizeof s);
    s.type = type; s.units = units; s.act = act; s.use_bias = use_bias;
    s.kernel_init = kernel_init; s.bias_init = bias_init;
    s.alpha = alpha; s.rate = rate; s.l1 = l1; s.l2 = l2;
    return nn_model_add(m, s);
}

/* Any layer: iv = type, units, act, use_bias, kernel_init, bias_init, kernel[2], strides[2],
 * padding, target_rank, target_shape[3]; fv = alpha, rate, l1, l2, momentum, epsilon. */
int nnw_model_add_spec(nn_model *m, const int32_t *iv, const float *fv)
{
    nn_layer_spec s;
    memset(&s, 0, sizeof s);
    s.type = iv[0]; s.units = iv[1]; s.act = iv[2]; s.use_bias = iv[3];
    s.kernel_init = iv[4]; s.bias_init = iv[5];
    s.kernel[0] = iv[6]; s.kernel[1] = iv[7]; s.strides[0] = iv[8]; s.strides[1] = iv[9];
    s.padding = iv[10]; s.target_rank = iv[11];
    s.target_shape[0] = iv[12]; s.target_shape[1] = iv[13]; s.target_shape[2] = iv[14];
    s.alpha = fv[0]; s.rate = fv[1]; s.l1 = fv[2]; s.l2 = fv[3]; s.momentum = fv[4]; s.epsilon = fv[5];
    return nn_model_add(m, s);
}

int nnw_model_compile(nn_model *m, int type, float lr, float momentum, int nesterov, float beta1,
                      float beta2, float rho, float eps, float initial_accumulator, int loss,
                      int from_logits)
{
    nn_optimizer o = {type, lr, momentum, nesterov, beta1, beta2, rho, eps, initial_accumulator};
    int st = nn_model_compile(m, &o, (nn_loss)loss);
    return st == NN_OK ? nn_model_set_from_logits(m, from_logits) : st;
}

/* Layer i as 17 ints: type, units, act, use_bias, out_rank, out_shape[3], n_params, param_offset,
 * kernel[2], strides[2], padding, n_state, state_offset. */
int nnw_layer_info(const nn_model *m, int i, int32_t *out)
{
    const nn_layer_spec *s = nn_model_layer_spec(m, i);
    if (!s) return NN_ERR_ARG;
    int shape[NN_MAX_RANK] = {0};
    int rank = nn_model_layer_output_shape(m, i, shape);
    int32_t v[17] = {s->type, s->units, s->act, s->use_bias, rank, shape[0], shape[1], shape[2],
                     (int32_t)nn_model_layer_num_params(m, i), (int32_t)nn_model_layer_param_offset(m, i),
                     s->kernel[0], s->kernel[1], s->strides[0], s->strides[1], s->padding,
                     (int32_t)nn_model_layer_num_state(m, i), (int32_t)nn_model_layer_state_offset(m, i)};
    memcpy(out, v, sizeof v);
    return NN_OK;
}

/* Layer i's floats: alpha, rate, l1, l2, momentum, epsilon. */
int nnw_layer_floats(const nn_model *m, int i, float *out)
{
    const nn_layer_spec *s = nn_model_layer_spec(m, i);
    if (!s) return NN_ERR_ARG;
    out[0] = s->alpha; out[1] = s->rate; out[2] = s->l1; out[3] = s->l2;
    out[4] = s->momentum; out[5] = s->epsilon;
    return NN_OK;
}

/* Compile state: loss, from_logits, optimizer type, lr, momentum, nesterov, beta1, beta2, rho, eps, init_acc. */
int nnw_compile_info(const nn_model *m, float *out)
{
    const nn_optimizer *o = nn_model_optimizer(m);
    if (!o) return NN_ERR_STATE;
    float v[11] = {(float)nn_model_loss(m), (float)nn_model_from_logits(m), (float)o->type, o->lr, o->momentum, (float)o->nesterov,
                   o->beta1, o->beta2, o->rho, o->eps, o->initial_accumulator};
    memcpy(out, v, sizeof v);
    return NN_OK;
}

int nnw_input_shape(const nn_model *m, int32_t *out)
{
    int shape[NN_MAX_RANK] = {0};
    int rank = nn_model_input_shape(m, shape);
    memcpy(out, shape, sizeof shape);
    return rank;
}

/* A metrics accumulator shaped for m's output and loss (call again after recompiling). */
nn_metrics *nnw_metrics_new(const nn_model *m)
{
    nn_metrics *mt = calloc(1, sizeof *mt);
    if (!mt) return NULL;
    if (nn_metrics_init(mt, nn_model_output_size(m), nn_model_loss(m), nn_model_from_logits(m)) != NN_OK) {
        free(mt);
        return NULL;
    }
    return mt;
}

/* loss, accuracy, precision, recall, f1, mse, mae, r2, count, num_classes, sum_loss (finalized). */
void nnw_metrics_read(nn_metrics *mt, double *out)
{
    nn_metrics_finalize(mt);
    double v[11] = {mt->loss, mt->accuracy, mt->precision, mt->recall, mt->f1, mt->mse, mt->mae,
                    mt->r2, (double)mt->count, (double)mt->num_classes, mt->sum_loss};
    memcpy(out, v, sizeof v);
}

/* Confusion matrix as int32 (num_classes^2, row = true class). */
void nnw_metrics_confusion(const nn_metrics *mt, int32_t *out)
{
    int n = mt->num_classes * mt->num_classes;
    for (int i = 0; i < n; i++) out[i] = (int32_t)mt->confusion[i];
}

void nnw_metrics_free(nn_metrics *mt)
{
    nn_metrics_free(mt);
    free(mt);
}

/* Evaluate into an existing accumulator (its old contents are replaced). */
int nnw_evaluate(nn_model *m, const float *x, const float *y, int n, nn_metrics *mt)
{
    nn_metrics_free(mt);
    return nn_model_evaluate(m, x, y, n, mt);
}

int nnw_train_batch(nn_model *m, const float *x, const float *y, int n, float *loss)
{
    return nn_model_train_batch(m, x, y, n, loss);
}

/* Save into a fresh malloc'd buffer; *size gets its length. NULL on failure (message on m). */
void *nnw_save(nn_model *m, uint32_t *size)
{
    size_t n = nn_model_save_size(m), w = 0;
    void *buf = malloc(n);
    if (!buf) return NULL;
    if (nn_model_save(m, buf, n, &w) != NN_OK) { free(buf); return NULL; }
    *size = (uint32_t)w;
    return buf;
}

/* Bytes malloc currently hands out: the leak tests compare it before and after. */
uint32_t nnw_heap_used(void)
{
    struct mallinfo mi = mallinfo();
    return (uint32_t)mi.uordblks;
}

/* Optimizer steps taken so far (a double: JS has no 64-bit ints without BigInt). */
double nnw_step_count(const nn_model *m) { return (double)nn_model_step_count(m); }

/* CSV: parse into a malloc'd nn_csv that JS reads through the accessors, then frees. */
nn_csv *nnw_csv_parse(const char *text, uint32_t len, int header)
{
    nn_csv *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    nn_csv_parse(text, len, header, c);
    return c;
}
int nnw_csv_rows(const nn_csv *c) { return c->data ? c->rows : 0; }
int nnw_csv_cols(const nn_csv *c) { return c->data ? c->cols : 0; }
const float *nnw_csv_data(const nn_csv *c) { return c->data; }
const char *nnw_csv_name(const nn_csv *c, int i) { return c->names && i >= 0 && i < c->cols ? c->names[i] : ""; }
const char *nnw_csv_error(const nn_csv *c) { return c->error; }
int nnw_csv_has_header(const nn_csv *c) { return c->has_header; }
void nnw_csv_free(nn_csv *c)
{
    if (!c) return;
    nn_csv_free(c);
    free(c);
}
