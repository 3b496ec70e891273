/* nn_internal.h - what the core's files share and the public API hides: the layer table,
 * the model struct, allocation macros. Not installed; tests may include it. */
#ifndef NN_INTERNAL_H
#define NN_INTERNAL_H

#include "nn.h"
#include "rng.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#ifndef NN_MALLOC
#define NN_MALLOC(n) malloc(n)
#define NN_CALLOC(n, s) calloc(n, s)
#define NN_REALLOC(p, n) realloc(p, n)
#define NN_FREE(p) free(p)
#endif

typedef struct nn_layer nn_layer;

/* One row of the layer table: what a layer type is (name, options, weights) and does (ops).
 * Every function gets the layer; parameters and gradients are passed as pointers into the
 * model's contiguous arrays (at the layer's offset). Adding a layer type = one file defining
 * one of these + one row in core/layers.c; files, bridge and JS follow from it. */
typedef struct {
    const char *name;          /* TF.js class name: "Dense" (files store it) */
    const char *func;          /* TF.js factory name: "dense" (nn.layers.dense, messages) */
    const char *aliases;       /* other factory names, space-separated, or NULL */
    const char *doc;           /* one line for people */
    const nn_option *options;
    int n_options;
    size_t cfg_size;           /* sizeof its config struct (<= NN_SPEC_BYTES) */
    size_t priv_size;          /* sizeof its private state (caches), zeroed at add */
    /* Validate the config against L->in_shape; set out_rank/out_shape, act, alpha, l1/l2. */
    int (*setup)(nn_layer *L, char *err);
    /* Its weight tensors (names, shapes, state/regularized flags; offsets are filled by the
     * model); returns the count. NULL: no weights. */
    int (*tensors)(const nn_layer *L, nn_tensor *t);
    /* Fill the layer's parameters (p points at its first one) and its state (L->state). */
    void (*init_params)(nn_layer *L, float *p, nn_rng *rng);
    /* Make room in the caches for cap samples. */
    int (*reserve)(nn_layer *L, int cap);
    /* x: n input rows -> L->y (n output rows). */
    void (*forward)(nn_layer *L, const float *p, const float *x, int n, int training, nn_rng *rng);
    /* dy: dL/dy (or dL/dz when L->grad_is_preact) -> adds dL/dp into g; dx may be NULL. */
    void (*backward)(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                     float *dx, int n);
    /* Free the caches (the private block itself is the model's). */
    void (*release)(nn_layer *L);
    /* Optional: check n input rows (of nn_dtype dtype) before a pass when the layer is first
     * (token ids in range). */
    int (*check_input)(const nn_layer *L, const void *x, int dtype, int n, char *err);
    int recurrent;             /* its config begins with an nn_seq_cfg: Bidirectional can wrap it */
    int int_input;             /* when first, it reads integer inputs (L->ids) as they are */
} nn_layer_ops;

/* The registry, indexed by type id. */
const nn_layer_ops *nn_layer_ops_for(int type);
/* The layer's config struct, decoded from its options. */
#define NN_CFG(L, T) ((T *)(void *)(L)->spec.cfg.bytes)
#define NN_SPEC_CFG(s, T) ((T *)(void *)(s)->cfg.bytes)

/* Shared option rows: the same key, kind and names wherever a layer has them. */
extern const nn_names nn_act_names, nn_init_names, nn_padding_names, nn_data_format_names,
    nn_loss_names, nn_opt_names, nn_metric_names, nn_merge_names;
#define NN_OPT_ACTIVATION(T, f) {"activation", NN_KIND_ENUM, 1, NN_ACT_LINEAR, 0, 0, 0, \
    &nn_act_names, offsetof(T, f), NULL, "applied to the output"}
#define NN_OPT_ALPHA(T, f) {"alpha", NN_KIND_FLOAT, 1, 0, 0, 1e6, 0, NULL, offsetof(T, f), NULL, \
    "leakyRelu/elu slope (0: the activation's default)"}
#define NN_OPT_USE_BIAS(T, f) {"useBias", NN_KIND_BOOL, 1, 1, 0, 1, 0, NULL, offsetof(T, f), NULL, \
    "add a bias vector"}
#define NN_OPT_INIT(key, T, f, dflt) {key, NN_KIND_ENUM, 1, dflt, 0, 0, 0, &nn_init_names, \
    offsetof(T, f), NULL, "initializer"}
#define NN_OPT_L1L2(T, f1, f2) \
    {"l1", NN_KIND_FLOAT, 1, 0, 0, 1e6, 0, NULL, offsetof(T, f1), "kernelRegularizer.l1", \
     "L1 penalty on the kernel"}, \
    {"l2", NN_KIND_FLOAT, 1, 0, 0, 1e6, 0, NULL, offsetof(T, f2), "kernelRegularizer.l2", \
     "L2 penalty on the kernel"}
#define NN_OPT_PADDING(T, f) {"padding", NN_KIND_ENUM, 1, NN_PAD_VALID, 0, 0, 0, &nn_padding_names, \
    offsetof(T, f), NULL, "'valid' or 'same' (zeros around the input)"}
#define NN_OPT_DATA_FORMAT(T, f) {"dataFormat", NN_KIND_ENUM, 1, 0, 0, 0, 0, &nn_data_format_names, \
    offsetof(T, f), NULL, "channelsLast (NHWC) only"}
#define NN_COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the key/value encoding (spec.c) ---- */
typedef struct { uint8_t *p; size_t len, cap; } nn_wbuf; /* p NULL: just count */
typedef struct { const uint8_t *p; size_t len, pos; int bad; } nn_rbuf;
void nn_put_bytes(nn_wbuf *w, const void *src, size_t n);
void nn_put_u16(nn_wbuf *w, uint16_t v);
void nn_put_u32(nn_wbuf *w, uint32_t v);
void nn_put_u64(nn_wbuf *w, uint64_t v);
void nn_put_f32(nn_wbuf *w, float f);
uint32_t nn_get_u32(nn_rbuf *r);
uint16_t nn_get_u16(nn_rbuf *r);
uint64_t nn_get_u64(nn_rbuf *r);
float nn_get_f32(nn_rbuf *r);
/* Options <-> entries (u16 n, n x entry) over any option table and config struct. */
void nn_options_defaults(const nn_option *o, int n, void *cfg);
void nn_options_encode(const nn_option *o, int n, const void *cfg, uint32_t given, nn_wbuf *w);
int nn_options_decode(const nn_option *o, int n, void *cfg, uint32_t *given, const char *what,
                      nn_rbuf *r, char *err);
/* A layer spec inside a file, read through the file's reader (spec.c). */
int nn_spec_read(nn_rbuf *r, nn_layer_spec *out, char *err);
/* Set option o of cfg from numbers (count of them) or a name; messages name `what`. */
int nn_option_set(const nn_option *o, void *cfg, const double *v, int count, const char *name,
                  const char *what, char *err, size_t err_len);
/* Where an NN_KIND_NAMES option keeps its list: ids and the names as written (an alias stays an alias). */
#define NN_LIST_NAME 32
typedef struct {
    int32_t n, given;               /* given 0: never set (an NN_OPTION_OPTIONAL option is not written) */
    int32_t ids[NN_MAX_METRICS];
    char names[NN_MAX_METRICS][NN_LIST_NAME];
} nn_name_list;
/* Set an NN_KIND_NAMES option from n names: each known (an id >= o->lo), each id once, n <= o->count;
 * cfg is left as it was on a failure. */
int nn_option_set_names(const nn_option *o, void *cfg, const char *const *names, int n, const char *what,
                        char *err, size_t err_len);
/* Where an NN_KIND_LAYER option keeps its layer inside a config: the type (0: none yet), the
 * options given and the config of a spec, in room for any recurrent layer's config. */
#define NN_SUB_SPEC_BYTES 72
typedef struct {
    int32_t type;
    uint32_t given;
    union { double align_; unsigned char bytes[NN_SUB_SPEC_BYTES]; } cfg;
} nn_sub_spec;
/* Set an NN_KIND_LAYER option from a spec (checked: complete, recurrent, holding no layer). */
int nn_option_set_layer(const nn_option *o, void *cfg, const nn_layer_spec *layer, const char *what,
                        char *err, size_t err_len);
/* The spec a nested one stands for. */
nn_layer_spec nn_sub_spec_get(const nn_sub_spec *s);

struct nn_layer {
    nn_layer_spec spec;
    const nn_layer_ops *ops;
    int in_rank, in_shape[NN_MAX_RANK], in_size;
    int out_rank, out_shape[NN_MAX_RANK], out_size;
    size_t p_off, n_params;     /* where the layer's parameters sit in the model's array */
    size_t s_off, n_state;      /* where its non-trainable state sits in the model's state array */
    float l1, l2;               /* penalties on its regularized tensors (setup copies them from the config) */
    float *state;               /* = model state + s_off, set by the model before each pass */
    void *priv;                 /* the type's private state (caches), priv_size bytes */
    int cap;                    /* samples the caches hold */
    float *y;                   /* output [cap, out_size] (may point into priv's buffers) */
    int training;               /* the mode of the last forward */
    int act;                    /* activation applied last (linear if none) */
    float alpha;                /* its parameter (leakyRelu/elu) */
    const float *preact;        /* after forward: the values act was applied to */
    const float *mask_in;       /* the input's step mask (1 keep, 0 padding) [n * steps], or NULL */
    const void *ids;            /* a first layer given integers: the caller's n rows of them, of
                                 * ids_dtype (forward and backward then get x NULL) */
    int ids_dtype;
    const float *mask;          /* the output's: a layer's own (Embedding's maskZero), the input's
                                 * passed on when the step axis stays, or NULL */
    int grad_is_preact;         /* backward receives dL/dpreact (fused softmax/sigmoid loss) */
    int updates;                /* the compiled optimizer updates its weights: spec.trainable
                                 * taken at compile (Keras's rule), or when added */
};

struct nn_model {
    int in_rank, in_shape[NN_MAX_RANK], in_size;
    nn_layer *layers;
    int n_layers, layers_cap;
    float *params, *grads;
    size_t n_params, params_cap;
    float *state;               /* non-trainable state (batchnorm moving statistics) */
    size_t n_state, state_cap;
    int aug_shift, aug_flip;    /* image augmentation in train_steps (0, 0 = off) */
    float *aug_tmp;             /* one sample of scratch for it */
    uint32_t seed;
    nn_rng rng;
    int compiled, loss, from_logits;
    nn_optimizer opt;
    nn_name_list metrics;       /* compile's metrics (n 0: none listed), cleared by nn_model_compile */
    float *opt_m, *opt_v;       /* optimizer state, n_params each (NULL when unused) */
    uint64_t step;
    int cap;                    /* batch capacity of the layer caches */
    int last_n;                 /* rows of the last forward */
    const void *last_x;         /* its input (the caller's; backward reads it), of last_dtype */
    int last_dtype;
    float *dbuf[2];             /* ping-pong dL/dx buffers for backward */
    size_t dbuf_len;
    float *dy;                  /* loss gradient [cap, out_size] */
    float *xb, *yb;             /* gather buffers for train_steps (xb holds rows of any nn_dtype) */
    float *kept[4];             /* the output rows a step mask keeps: out, preact, labels, dL/d */
    int kept_cap;               /* samples they hold */
    int xb_cap;
    struct nn_prune *prune;     /* magnitude pruning's masks and schedule (prune.c), or NULL */
    int add_failed;             /* a layer could not be added: compile reports it */
    nn_model *teacher;          /* distillation (distill.c): steps learn from its outputs too */
    float distill_t, distill_alpha;
    char err[NN_ERR_LEN];
};

/* Record a formatted message on m and return code (so `return nn_fail(m, NN_ERR_ARG, ...)`). */
int nn_fail(nn_model *m, int code, const char *fmt, ...);
/* Same for a bare buffer of NN_ERR_LEN bytes (may be NULL). */
int nn_fail_buf(char *err, int code, const char *fmt, ...);
/* Limits that keep every size computable in 32 bits (wasm's size_t) once checked. */
#define NN_MAX_VALUES (1 << 28)              /* values per sample of any layer's input or output */
#define NN_MAX_TENSOR ((uint64_t)400000000)  /* values in one weight tensor */
#define NN_MAX_PARAMS ((uint64_t)400000000)  /* parameters (or state values) of a model */
#define NN_MAX_BUFFER ((uint64_t)1 << 31)    /* bytes in one cache buffer (wasm's memory is 2 GB) */
/* Check spec against an input shape and set up L as a model would (setup, output size, weight
 * counts), allocating nothing; L->priv stays NULL. A wrapper plans the layers it holds with it. */
int nn_layer_plan(nn_layer *L, const nn_layer_spec *spec, int in_rank, const int *in_shape, char *err);
/* Plan n layers after m's input as nn_model_add would, allocating nothing: checks every spec
 * against the shapes and sums the parameters and state values they need (the loader runs this
 * before it allocates anything). */
int nn_model_check_layers(const nn_model *m, const nn_layer_spec *specs, int n, uint64_t *n_params,
                          uint64_t *n_state, char *err);
/* The loss of a distillation step (distill.c): after m's forward on x (n rows), the teacher's
 * forward on the same rows, the loss into *loss and dL/d the student's logits into m->dy; *fused
 * says whether that is w.r.t. the softmax's input. */
int nn_distill_step_loss(nn_model *m, const void *x, int dtype, const float *y, int n, double *loss, int *fused);
/* Free every layer cache and the model's batch buffers (they come back at the next pass). */
void nn_model_release_buffers(nn_model *m);
/* Give spec a name unique in m (Keras's default when it has none), or refuse a taken one (surgery.c). */
int nn_layer_take_name(nn_model *m, nn_layer_spec *spec);
/* The index of the layer named name, or -1, with no message. */
int nn_model_find_layer_quiet(const nn_model *m, const char *name);
/* Ensure every layer cache holds cap samples. */
int nn_model_reserve(nn_model *m, int cap);
/* Product of a shape. */
int nn_shape_size(int rank, const int *shape);

/* Bytes per element of an nn_dtype, and element i of an array of one (integers exactly). */
static inline size_t nn_dtype_size(int dtype) { return dtype == NN_DTYPE_UINT16 ? 2 : dtype == NN_DTYPE_UINT8 ? 1 : 4; }
static inline double nn_input_at(const void *x, int dtype, size_t i)
{
    switch (dtype) {
    case NN_DTYPE_INT32: return ((const int32_t *)x)[i];
    case NN_DTYPE_UINT16: return ((const uint16_t *)x)[i];
    case NN_DTYPE_UINT8: return ((const uint8_t *)x)[i];
    default: return ((const float *)x)[i];
    }
}
/* NN_OK when m can take inputs of dtype (integers: its first layer reads them); the message names what. */
int nn_model_check_dtype(nn_model *m, const char *what, int dtype);

/* Backward where dy may already be w.r.t. the last layer's pre-activation (fused losses). */
int nn_model_backward_fused(nn_model *m, const float *dy, float *dx, int fused);

/* ---- conv/pool geometry (conv2d.c) ---- */
/* An [h, w, c] input seen through kh x kw windows at strides sh, sw: an oh x ow output, with
 * pt rows and pl columns of (virtual) padding before the first window. */
typedef struct { int h, w, c, kh, kw, sh, sw, oh, ow, pt, pl; } nn_geo;
/* Output size and the padding before the first element along one axis, TF's arithmetic. */
int nn_conv_out(int in, int k, int s, int pad, int *pad_before);
/* The window options conv and pool configs begin with (nn_geo_of reads them there). */
typedef struct { int32_t size[2], strides[2], padding, data_format; } nn_window_cfg;
/* Check the [h, w, c] input against the window of a conv/pool layer; sets out_shape[0..1]. */
int nn_conv_geometry(nn_layer *L, const nn_window_cfg *c, const char *what, const char *window, char *err);
nn_geo nn_geo_of(const nn_layer *L);
/* col[(b, oy, ox), (i, j, c)] = x[b, oy*sh + i - pt, ox*sw + j - pl, c] (0 in the padding): the
 * n samples' windows as rows of kh*kw*c, [n*oh*ow, kh*kw*c]. */
void nn_im2col(const nn_geo *g, const float *x, int n, float *col);
/* Its adjoint: x (zeroed first) = the sum over the windows that read each pixel of their rows. */
void nn_col2im(const nn_geo *g, const float *col, int n, float *x);

/* A reserve and release for layers whose only cache is their output y (reshape.c). */
int nn_layer_reserve_y(nn_layer *L, int cap);
void nn_layer_release_y(nn_layer *L);
/* Output shape = input shape (element-wise layers). */
void nn_layer_same_shape(nn_layer *L);
/* Grow *buf to hold n floats (n computed in 64 bits); NN_ERR_NOMEM when it can't. */
int nn_grow(float **buf, uint64_t n);

/* ---- recurrent layers (recurrent.c): the config SimpleRNN, LSTM and GRU begin with ---- */
typedef struct {
    int units, act, ract, use_bias, kernel_init, recurrent_init, bias_init, return_sequences, go_backwards,
        return_state;
    float alpha, l1, l2, dropout, recurrent_dropout;
} nn_seq_cfg;
/* Keras's dropout and recurrentDropout while training: one mask per sample, the same at every
 * step, on the input (dropout) and on the state fed to the recurrent products (recurrentDropout). */
typedef struct {
    float *mx, *mh;  /* masks [n, features], [n, units]: 0 or 1/(1-rate) */
    float *xm;       /* the masked input [n*T, features] */
    float *hm;       /* the masked states by step [n*T, units] */
    float *tmp;      /* dL/d(a masked state) for one step [n, units] */
    int on_x, on_h;  /* masks in use in the last forward */
} nn_seq_drop;
/* Their shared option rows (T's first member is an nn_seq_cfg named q). */
#define NN_OPT_SEQ(T, act_doc) \
    {"units", NN_KIND_INT, 1, 0, 1, 1 << 16, NN_OPTION_REQUIRED, NULL, offsetof(T, q.units), NULL, \
     "size of the state"}, \
    {"activation", NN_KIND_ENUM, 1, NN_ACT_TANH, 0, 0, 0, &nn_act_names, offsetof(T, q.act), NULL, act_doc}, \
    NN_OPT_USE_BIAS(T, q.use_bias), \
    NN_OPT_INIT("kernelInitializer", T, q.kernel_init, NN_INIT_GLOROT_UNIFORM), \
    NN_OPT_INIT("recurrentInitializer", T, q.recurrent_init, NN_INIT_ORTHOGONAL), \
    NN_OPT_INIT("biasInitializer", T, q.bias_init, NN_INIT_ZEROS), \
    {"returnSequences", NN_KIND_BOOL, 1, 0, 0, 1, 0, NULL, offsetof(T, q.return_sequences), NULL, \
     "output every step's state [t, units], not only the last"}, \
    {"returnState", NN_KIND_BOOL, 1, 0, 0, 1, 0, NULL, offsetof(T, q.return_state), NULL, \
     "false only: the final states as more outputs are refused, as TF.js refuses a multi-output layer " \
     "in a Sequential model (without returnSequences the output is the last state h)"}, \
    {"goBackwards", NN_KIND_BOOL, 1, 0, 0, 1, 0, NULL, offsetof(T, q.go_backwards), NULL, \
     "read the sequence from its end (outputs in the order read)"}, \
    NN_OPT_L1L2(T, q.l1, q.l2), \
    {"dropout", NN_KIND_FLOAT, 1, 0, 0, 1, NN_OPTION_HI_OPEN, NULL, offsetof(T, q.dropout), NULL, \
     "fraction of the input dropped while training (one mask per sample, every step)"}, \
    {"recurrentDropout", NN_KIND_FLOAT, 1, 0, 0, 1, NN_OPTION_HI_OPEN, NULL, offsetof(T, q.recurrent_dropout), \
     NULL, "fraction of the state dropped in the recurrent products while training"}
#define NN_OPT_RECURRENT_ACTIVATION(T) \
    {"recurrentActivation", NN_KIND_ENUM, 1, NN_ACT_SIGMOID, 0, 0, 0, &nn_act_names, offsetof(T, q.ract), \
     NULL, "for the gates (Keras 2: sigmoid; TF.js's default is hardSigmoid)"}
static inline int nn_seq_steps(const nn_layer *L) { return L->in_shape[0]; }
/* Does sample r's input position t count (no mask, or not padding)? */
static inline int nn_seq_kept(const nn_layer *L, int r, int t)
{
    return !L->mask_in || L->mask_in[(size_t)r * L->in_shape[0] + t] != 0.0f;
}
/* A padded step keeps the state: h_s = h_{s-1} (0 at the first step). */
void nn_seq_hold(const nn_layer *L, float *h, int r, int s);
/* ... and backward, its dL/dh_s goes to h_{s-1} unchanged. */
void nn_seq_hold_back(const nn_layer *L, float *dh, int r, int s);
static inline int nn_seq_features(const nn_layer *L) { return L->in_shape[1]; }
/* Check the [steps, features] input and the activations; set the output shape (the last state or
 * every state) and the layer's act/penalties. gates: weight blocks per unit (1, 4, 3). */
int nn_seq_setup(nn_layer *L, int gates, char *err);
/* kernel [in, gates*units], recurrent_kernel [units, gates*units], bias [bias_rows, gates*units]. */
int nn_seq_tensors(const nn_layer *L, int gates, int bias_rows, nn_tensor *t);
void nn_seq_init(nn_layer *L, float *p, int gates, int bias_rows, nn_rng *rng);
/* After forward: the output is every state h (by step) or the last one, copied to `last`. */
void nn_seq_output(nn_layer *L, float *h, float *last, int n);
/* Before backward: dL/dh by step from dL/dy (zero but for the last step without returnSequences). */
void nn_seq_seed_dh(const nn_layer *L, float *dh, const float *dy, int n);
int nn_seq_drop_reserve(nn_seq_drop *d, const nn_layer *L, int cap);
void nn_seq_drop_release(nn_seq_drop *d);
/* Forward's start: draws the masks when training; returns x or its masked copy (stride features). */
const float *nn_seq_drop_input(nn_seq_drop *d, const nn_layer *L, const float *x, int n, int training, nn_rng *rng);
/* The rows of state s that feed the next recurrent product (stride T*units): h's or masked ones. */
const float *nn_seq_drop_state(nn_seq_drop *d, const nn_layer *L, const float *h, int s, int n);
/* Backward: where dL/d(the fed rows of state s) goes -- dh's rows (stride T*units, *ld set) or
 * a scratch (stride units) that nn_seq_drop_state_grad then masks into dh. beta: 1 or 0 for GEMMs. */
float *nn_seq_drop_dstate(nn_seq_drop *d, const nn_layer *L, float *dh, int s, int *ld, float *beta);
void nn_seq_drop_state_grad(nn_seq_drop *d, const nn_layer *L, float *dh, int s, int n);
/* Backward's end: dL/dx through the input mask. */
void nn_seq_drop_dx(const nn_seq_drop *d, const nn_layer *L, float *dx, int n);

/* ---- image augmentation (augment.c) ---- */
/* Shift and flip n gathered [h, w, c] rows in place as m->aug_shift/aug_flip ask. */
void nn_augment_rows(nn_model *m, float *x, int n);

/* ---- activations (activation.c) ---- */
/* y = f(x) over n rows of `cols` values (softmax works per row); x may equal y. */
void nn_act_forward(int act, float alpha, const float *x, float *y, int rows, int cols);
/* dx = dy * f'(x) given y = f(x); dx may equal dy. */
void nn_act_backward(int act, float alpha, const float *x, const float *y, const float *dy,
                     float *dx, int rows, int cols);

/* ---- initializers (init.c) ---- */
void nn_init_fill(int init, float *w, size_t n, int fan_in, int fan_out, nn_rng *rng);

/* ---- losses (loss.c) ---- */
/* Mean loss over n rows of k outputs. out = model output, preact = values the last activation
 * `act` was applied to. Writes dL/dout (or dL/dpreact when *fused is set) into dy if non-NULL. */
double nn_loss_compute(int loss, int from_logits, int act, const float *out, const float *preact,
                       const float *y, int n, int k, float *dy, int *fused);
/* Check labels fit the loss: class indices in [0,k) for SCCE, finite values otherwise. */
int nn_loss_check_labels(nn_model *m, const float *y, int n);
/* The same for another loss than m's own (a chain's, at its last model). */
int nn_loss_check_labels_as(nn_model *m, int loss, const float *y, int n);
/* The loss of m's last forward (n samples) under loss/from_logits, dL/doutput into m->dy (padded
 * rows left out); *fused: dy is with respect to the last activation's input. */
int nn_train_loss(nn_model *m, int loss, int from_logits, const float *y, int n, double *l, int *fused);
/* The same with Keras's sample weights (w: one per sample, NULL for none): the mean of w * loss. */
int nn_train_loss_weighted(nn_model *m, int loss, int from_logits, const float *y, const float *w, int n, double *l,
                           int *fused);
/* NN_OK when the n weights are finite (or w is NULL); else the message in err. */
int nn_check_sample_weights(const float *w, int n, char *err);
/* Add that forward's outputs (the rows that count) and loss l to mt. */
int nn_train_metrics(nn_model *m, int loss, const float *y, int n, double l, nn_metrics *mt);
/* One optimizer step over the layers updated (updates[l], or each layer's own flag when NULL)
 * with optimizer o, step t and state om, ov (indexed as m's parameters; NULL when unused). */
void nn_step_layers(nn_model *m, const nn_optimizer *o, uint64_t t, float *om, float *ov, const unsigned char *updates);
/* Compile settings in the key/value encoding, decoded (TF.js's default learning rates filled in). */
int nn_compile_decode(const void *buf, size_t len, nn_optimizer *opt, int *loss, int *from_logits,
                      nn_name_list *metrics, char *err);
/* Metrics checked by the compile settings' own option (the same messages as an encoded list). */
int nn_metrics_list_set(nn_name_list *list, const int *ids, int n, char *err);
/* Optimizer checks with messages into err (NN_ERR_LEN bytes). */
int nn_optimizer_usable(const nn_optimizer *o, char *err);

/* ---- pruning (prune.c) ---- */
/* Is tensor t of a layer pruned and quantized? Kernels, recurrent kernels, embeddings. */
int nn_tensor_prunable(const nn_tensor *t);
/* After each optimizer step: advance the pruning step, update masks when the schedule says so,
 * zero the pruned weights. */
void nn_prune_after_step(nn_model *m);
void nn_prune_free(nn_model *m);
/* The file's pruning section (io.c): written after the optimizer state, read into a built model. */
void nn_prune_write(const nn_model *m, nn_wbuf *w);
int nn_prune_read(nn_model *m, nn_rbuf *r, char *err);

/* ---- weight storage in the model file (storage.c) ---- */
/* Array a (n_params floats, m's layout) as segments per tensor: sparse when smaller, the prunable
 * tensors as per-channel int8 when quantize_int8. */
void nn_storage_write(const nn_model *m, nn_wbuf *w, const float *a, int quantize_int8);
/* Read such an array of n values into out; out NULL only checks it (before anything is allocated). */
int nn_storage_read(nn_rbuf *r, float *out, uint64_t n, char *err);

/* ---- optimizers (optim.c) ---- */
int nn_optim_state_arrays(int type, float momentum);
void nn_optim_step(const nn_optimizer *o, uint64_t t, float *w, const float *g, float *s1,
                   float *s2, size_t n);
/* NN_OK when every optimizer setting is within the compile option table's limits. */
int nn_optimizer_check(const nn_optimizer *o, char *err);
/* Gradient clipping as the optimizer asks (clip_norm per weight tensor, then clip_value). */
void nn_clip_grads(nn_model *m, const nn_optimizer *o);
/* L1/L2 terms of all layers: returns the penalty and, if g != NULL, adds its gradient. */
double nn_regularization(nn_model *m, float *g);

#endif
