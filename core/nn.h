/* nn.h - nnplay: a small neural-network library in C11 (float32).
 *
 * One model = an input shape plus a stack of layers. All trainable values live in one
 * contiguous float array (nn_model_params) and all gradients in another (nn_model_grads).
 * Data is row-major: a batch of n samples is n consecutive rows of nn_model_input_size floats.
 * Errors: functions return NN_OK (0) or a negative nn_status, and the message is kept on the
 * model (nn_model_error). Nothing here aborts on a caller's mistake.
 *
 * Example (compiled by tests/c/test_header_example.c, so it cannot go stale):
 *
 *     float x[8] = {0,0, 0,1, 1,0, 1,1}, y[4] = {0,1,1,0};
 *     int in_shape[1] = {2};
 *     nn_model *m = nn_model_create(1, in_shape, 42);
 *     nn_model_add(m, nn_dense(8, NN_ACT_TANH));
 *     nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
 *     nn_optimizer opt = nn_adam(0.05f);
 *     if (nn_model_compile(m, &opt, NN_LOSS_BCE) != NN_OK) { puts(nn_model_error(m)); }
 *     nn_fit_opts fo = nn_fit_defaults(); fo.epochs = 300; fo.batch_size = 4;
 *     nn_model_fit(m, x, y, 4, &fo, NULL, NULL);
 *     float p[4]; nn_model_predict(m, x, 4, p);   (p is close to y)
 *     nn_model_free(m);
 */
#ifndef NN_H
#define NN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NN_VERSION "0.1.0"
#define NN_MAX_RANK 3      /* per-sample shapes: [features] or [h, w, c] (NHWC) */
#define NN_ERR_LEN 256

typedef enum {
    NN_OK = 0,
    NN_ERR_ARG = -1,     /* a bad argument: wrong shape, unknown id, out-of-range value */
    NN_ERR_NOMEM = -2,   /* an allocation failed (in wasm: the memory cannot grow that far) */
    NN_ERR_FORMAT = -3,  /* corrupt, truncated or unsupported model bytes / CSV */
    NN_ERR_IO = -4,      /* a file could not be opened, read or written */
    NN_ERR_NAN = -5,     /* NaN/Inf in the data, or the loss diverged */
    NN_ERR_STATE = -6,   /* called in the wrong state (e.g. fit before compile) */
    NN_STOPPED = 1       /* not an error: a callback asked training to stop */
} nn_status;

/* Activation ids. They are written into model files: append only. */
typedef enum {
    NN_ACT_LINEAR = 0,     /* f(x) = x */
    NN_ACT_RELU = 1,       /* f(x) = max(0, x) */
    NN_ACT_LEAKY_RELU = 2, /* f(x) = x > 0 ? x : alpha*x   (alpha default 0.3, as TF.js) */
    NN_ACT_ELU = 3,        /* f(x) = x > 0 ? x : alpha*(exp(x)-1)   (alpha default 1) */
    NN_ACT_SIGMOID = 4,    /* f(x) = 1/(1+exp(-x)) */
    NN_ACT_TANH = 5,       /* f(x) = tanh(x) */
    NN_ACT_SOFTMAX = 6,    /* f(x)_i = exp(x_i) / sum_j exp(x_j), over the last axis */
    NN_ACT_HARD_SIGMOID = 7, /* f(x) = clamp(0.2 x + 0.5, 0, 1) (TF.js's recurrent default) */
    NN_ACT_COUNT
} nn_act;

/* Layer type ids. Written into model files: append only. */
typedef enum {
    NN_LAYER_DENSE = 1,
    NN_LAYER_ACTIVATION = 2,
    NN_LAYER_DROPOUT = 3,
    NN_LAYER_CONV2D = 4,          /* 2D convolution over [h, w, c] */
    NN_LAYER_MAXPOOL2D = 5,
    NN_LAYER_AVGPOOL2D = 6,
    NN_LAYER_GLOBALAVGPOOL2D = 7, /* [h, w, c] -> [c] */
    NN_LAYER_FLATTEN = 8,         /* any shape -> [size] */
    NN_LAYER_RESHAPE = 9,         /* -> spec.target_shape */
    NN_LAYER_BATCHNORM = 10,      /* over the last axis */
    NN_LAYER_EMBEDDING = 11,      /* token ids [t] -> vectors [t, outputDim] */
    NN_LAYER_SIMPLE_RNN = 12,     /* [t, in] -> [units] (or [t, units]): h = act(x W + h U + b) */
    NN_LAYER_LSTM = 13,           /* [t, in] -> [units] (or [t, units]), gates i, f, c, o */
    NN_LAYER_GRU = 14,            /* [t, in] -> [units] (or [t, units]), gates z, r, h */
    NN_LAYER_BIDIRECTIONAL = 15,  /* a recurrent layer run forward and (a copy) backward, merged */
    NN_LAYER_CONV2D_TRANSPOSE = 16, /* [h, w, c] -> [h*s, w*s, filters] ('same') */
    NN_LAYER_UPSAMPLING2D = 17,   /* [h, w, c] -> [h*sh, w*sw, c], pixels repeated */
    NN_LAYER_COUNT
} nn_layer_type;

/* Initializer ids (written into model files: append only). */
typedef enum {
    NN_INIT_GLOROT_UNIFORM = 0,
    NN_INIT_GLOROT_NORMAL = 1,
    NN_INIT_HE_UNIFORM = 2,
    NN_INIT_HE_NORMAL = 3,
    NN_INIT_ZEROS = 4,
    NN_INIT_ONES = 5,
    NN_INIT_RANDOM_UNIFORM = 6,  /* U(-0.05, 0.05): Keras's 'uniform', the embeddings' default */
    NN_INIT_ORTHOGONAL = 7,      /* orthonormal rows or columns (recurrent kernels' default) */
    NN_INIT_COUNT
} nn_init;

/* Loss ids (written into model files: append only). */
typedef enum {
    NN_LOSS_MSE = 0,   /* mean over outputs of (p - y)^2 */
    NN_LOSS_BCE = 1,   /* -(y log p + (1-y) log(1-p)), mean over outputs */
    NN_LOSS_CCE = 2,   /* -sum_k y_k log p_k; y one-hot (or soft) */
    NN_LOSS_SCCE = 3,  /* -log p_y; y holds class indices (one float per sample) */
    NN_LOSS_MAE = 4,   /* mean over outputs of |p - y| */
    NN_LOSS_COUNT
} nn_loss;

/* Optimizer ids (written into model files: append only). */
typedef enum {
    NN_OPT_SGD = 0,      /* w -= lr*g; with momentum: v = mu*v - lr*g, w += v (Nesterov: w += mu*v - lr*g) */
    NN_OPT_ADAM = 1,     /* m,v moments with bias correction: w -= lr*mhat/(sqrt(vhat)+eps) */
    NN_OPT_RMSPROP = 2,  /* s = rho*s + (1-rho)*g^2; w -= lr*g/(sqrt(s)+eps) (momentum optional) */
    NN_OPT_ADAGRAD = 3,  /* s += g^2; w -= lr*g/(sqrt(s)+eps) */
    NN_OPT_COUNT
} nn_opt;

/* How Bidirectional combines its two directions' outputs (TF.js's mergeMode). */
typedef enum {
    NN_MERGE_CONCAT = 0, /* [forward, backward] along the last axis (twice the units) */
    NN_MERGE_SUM = 1,    /* forward + backward */
    NN_MERGE_MUL = 2,    /* forward * backward */
    NN_MERGE_AVE = 3,    /* (forward + backward) / 2 */
    NN_MERGE_NULL = 4    /* TF.js's null: the two outputs as a list -- refused in a Sequential model */
} nn_merge;

/* Padding of conv/pool layers, as TF's 'valid' and 'same'. */
typedef enum {
    NN_PAD_VALID = 0,  /* no padding: out = floor((in - k) / s) + 1 */
    NN_PAD_SAME = 1    /* zero padding: out = ceil(in / s), the extra row/column at the end */
} nn_padding;

/* ---- the layer table: options, names, specs ----
 * Every layer type is one row of a table in the core (core/layers.c). A row names the type (its
 * TF.js class name), its options and its weight tensors; files, the JS API and its validation
 * are all driven by it. An option is named as TF.js names the config key ("units", "kernelSize"). */

/* Kinds of option values. */
typedef enum {
    NN_KIND_INT = 1,   /* an integer within [lo, hi] */
    NN_KIND_FLOAT = 2, /* a finite number within [lo, hi] (hi excluded with NN_OPTION_HI_OPEN) */
    NN_KIND_BOOL = 3,  /* true/false (0/1) */
    NN_KIND_ENUM = 4,  /* a name from a name table (activation, initializer, padding, ...) */
    NN_KIND_INTS = 5,  /* `count` integers; one number stands for all of them (kernelSize: 3) */
    NN_KIND_SHAPE = 6, /* 1 to NN_MAX_RANK integers, each positive or -1 (reshape's targetShape) */
    NN_KIND_LAYER = 7, /* a recurrent layer's spec, nested (Bidirectional's layer); one level deep:
                        * the nested layer cannot hold a layer itself */
    NN_KIND_STRING = 8, /* a name of fewer than `count` bytes: a letter or digit, then letters, digits
                        * and - _ . / (TF.js's rule for names); "" when not given */
    NN_KIND_NAMES = 9  /* 0 to `count` names (or ids >= lo) from a name table, each id once, kept as
                        * written (compile's metrics: 'acc' stays 'acc') */
} nn_kind;

/* A name table: ids 0..count-1 with canonical names, plus aliases accepted on input. */
typedef struct { const char *name; int id; } nn_alias;
typedef struct {
    const char *what;            /* plural noun, "activations": names the table for bindings */
    const char *noun;            /* singular, "activation": names a value in messages */
    int count;
    const char *const *names;    /* canonical names by id (TF.js spelling) */
    int n_aliases;
    const nn_alias *aliases;     /* other accepted spellings (snake_case, short forms) */
} nn_names;

#define NN_OPTION_REQUIRED 1  /* no default: the caller must give it */
#define NN_OPTION_HI_OPEN 2   /* the upper limit is excluded: [lo, hi) */
#define NN_OPTION_OPTIONAL 4  /* no default: written only when given (compile's metrics) */

/* One option of a layer type (or of compile settings). */
typedef struct {
    const char *name;      /* the TF.js config key */
    int kind;              /* nn_kind */
    int count;             /* NN_KIND_INTS: how many integers */
    double def;            /* default (every entry of an INTS option); ignored when REQUIRED */
    double lo, hi;         /* limits of every number */
    int flags;             /* NN_OPTION_* */
    const nn_names *names; /* NN_KIND_ENUM: the accepted names */
    size_t offset;         /* where the decoded value lives in the config struct */
    const char *alias;     /* another accepted key (e.g. "kernelRegularizer.l2"), or NULL */
    const char *doc;       /* one line for people */
} nn_option;

#define NN_LAYER_NAME 64   /* bytes of a layer name, its NUL included */
#define NN_SPEC_BYTES 96   /* room for the largest layer config struct */

/* A layer's configuration: its type and its options decoded into the type's config struct.
 * Make one with nn_spec(type) (every option at its default) or a constructor such as nn_dense,
 * change options by name with nn_spec_set*, and hand it to nn_model_add. A failed set leaves
 * its message in err, and nn_model_add refuses the spec with it. */
typedef struct {
    int type;                       /* nn_layer_type */
    union { double align_; unsigned char bytes[NN_SPEC_BYTES]; } cfg;
    uint32_t given;                 /* bit i: option i was set (not left at its default) */
    int32_t trainable;              /* option "trainable" of every type (1, Keras's default); 0
                                     * freezes the weights for optimizers compiled after */
    char name[NN_LAYER_NAME];       /* option "name" of every type, unique within a model; "" gets
                                     * Keras's default when added: dense, dense_1, conv2d, ... */
    char err[128];                  /* the first failed set, "" if none */
} nn_layer_spec;

/* A weight tensor of a layer in a model (names as Keras/TF.js: kernel, bias, gamma, moving_mean;
 * a Bidirectional's are scoped by direction: forward_lstm/kernel, backward_lstm/kernel). */
#define NN_TENSOR_NAME 48
typedef struct {
    char name[NN_TENSOR_NAME];
    int rank, shape[4];
    int state;        /* 1: non-trainable state (nn_model_state), 0: trainable (nn_model_params) */
    int regularized;  /* L1/L2 apply to it (the kernel) */
    size_t offset;    /* into nn_model_params or nn_model_state */
    int out_axis;     /* the axis of output channels, one int8 scale each; 0: the last (a
                       * Conv2DTranspose kernel [kh, kw, filters, in_c] says 2) */
} nn_tensor;
#define NN_MAX_TENSORS 8

typedef struct {
    int type;          /* nn_opt */
    float lr;          /* learning rate */
    float momentum;    /* SGD / RMSprop momentum (0 = none) */
    int nesterov;      /* SGD: Nesterov momentum */
    float beta1, beta2;/* Adam */
    float rho;         /* RMSprop decay */
    float eps;         /* Adam / RMSprop / AdaGrad epsilon */
    float initial_accumulator; /* AdaGrad */
    float clip_norm;   /* > 0: each weight tensor's gradient is scaled to at most this L2 norm (Keras clipnorm) */
    float clip_value;  /* > 0: each gradient value is clamped to [-clip_value, clip_value] (Keras clipvalue) */
} nn_optimizer;

typedef struct nn_model nn_model;

/* ---- layer specs with TF.js's defaults (constructors for the built-in types) ---- */
nn_layer_spec nn_dense(int units, nn_act act);
nn_layer_spec nn_activation(nn_act act);
nn_layer_spec nn_dropout(float rate);
/* filters kernels of kh x kw over [h, w, c] inputs; kernel layout [kh, kw, c, filters] (TF.js). */
nn_layer_spec nn_conv2d(int filters, int kh, int kw, int stride, nn_padding pad, nn_act act);
/* Pooling windows of ph x pw, strides = pool size (set "strides" for others). */
nn_layer_spec nn_maxpool2d(int ph, int pw, nn_padding pad);
nn_layer_spec nn_avgpool2d(int ph, int pw, nn_padding pad);
nn_layer_spec nn_globalavgpool2d(void);
/* Transposed convolution (Keras Conv2DTranspose): kernel [kh, kw, filters, c]; output [h*s, w*s]
 * with 'same', [h*s + max(k-s, 0), ...] with 'valid'. */
nn_layer_spec nn_conv2d_transpose(int filters, int kh, int kw, int stride, nn_padding pad, nn_act act);
/* Each pixel repeated sh x sw times (Keras UpSampling2D, nearest). */
nn_layer_spec nn_upsampling2d(int sh, int sw);
nn_layer_spec nn_flatten(void);
/* Reshape each sample to shape[rank]; one entry may be -1 (inferred from the input size). */
nn_layer_spec nn_reshape(int rank, const int *shape);
/* y = gamma * (x - mean) / sqrt(var + epsilon) + beta over the last axis; batch statistics
 * while training, moving ones (non-trainable state) when predicting. momentum 0.99, epsilon 1e-3. */
nn_layer_spec nn_batchnorm(void);
/* Token ids in [0, input_dim) (floats holding integers) -> rows of a learned [input_dim, output_dim]
 * table: an input [t] gives [t, output_dim]. Weights start U(-0.05, 0.05), as Keras's. */
nn_layer_spec nn_embedding(int input_dim, int output_dim);
/* Over [t, features]: h_s = activation(x_s W + h_{s-1} U + b) from h = 0; the last h, or every h
 * with "returnSequences". Weights as TF.js: kernel [in, units], recurrent_kernel [units, units], bias. */
nn_layer_spec nn_simple_rnn(int units, nn_act act);
/* LSTM over [t, features] with Keras's gates i, f, c, o: kernel [in, 4 units], recurrent_kernel
 * [units, 4 units], bias [4 units]; recurrent activation sigmoid (Keras 2), unitForgetBias on. */
nn_layer_spec nn_lstm(int units);
/* GRU over [t, features] with Keras's gates z, r, h: kernel [in, 3 units], recurrent_kernel
 * [units, 3 units], bias [3 units] (resetAfter, Keras 2's default: [2, 3 units], the reset gate
 * applied after the recurrent product; TF.js has only resetAfter false). */
nn_layer_spec nn_gru(int units);
/* TF.js's Bidirectional: `layer` (simpleRNN, lstm or gru) runs forward and, in a copy with
 * goBackwards toggled, backward; the outputs merge (the backward one reversed in time first when
 * returnSequences, which comes from `layer`). Weights: the forward copy's, then the backward's. */
nn_layer_spec nn_bidirectional(nn_layer_spec layer, nn_merge merge_mode);

/* ---- any layer type, options by their TF.js names ----
 *     nn_layer_spec s = nn_conv2d(8, 3, 3, 1, NN_PAD_SAME, NN_ACT_RELU);
 *     nn_spec_set(&s, "useBias", 0);
 *     int st[2] = {2, 1}; nn_spec_set_ints(&s, "strides", 2, st);
 *     nn_spec_set_name(&s, "kernelInitializer", "heNormal");
 *     nn_model_add(m, s);          (refused, with s.err, if a set failed) */
/* Every option at its default; an unknown type leaves a message in err. */
nn_layer_spec nn_spec(int type);
/* A number option: int, float, bool (0/1) or enum id. */
int nn_spec_set(nn_layer_spec *s, const char *option, double value);
int nn_spec_set_ints(nn_layer_spec *s, const char *option, int n, const int *values);
/* An enum option by name (aliases accepted), or a string option: nn_spec_set_name(&s, "name", "head"). */
int nn_spec_set_name(nn_layer_spec *s, const char *option, const char *value);
/* A layer option (NN_KIND_LAYER): a copy of `layer`, checked now (it must be complete, recurrent,
 * and hold no layer itself). */
int nn_spec_set_layer(nn_layer_spec *s, const char *option, const nn_layer_spec *layer);
/* Option values as numbers (enum: id; bool: 0/1; ints: each; layer: its type id); returns how
 * many, 0 if unknown. */
int nn_spec_get(const nn_layer_spec *s, const char *option, double *values, int max);
/* The layer held by a layer option, into *out; NN_ERR_ARG when there is none. */
int nn_spec_get_layer(const nn_layer_spec *s, const char *option, nn_layer_spec *out);

/* The key/value encoding of a spec that files, the JS API and tools share (little-endian):
 *   spec  = str class_name, u16 n, n x entry
 *   entry = str key, u8 tag, value:  tag 1: u8 count, count x f64 (numbers)
 *                                    tag 2: u8 (bool)       tag 3: str (a name)
 *                                    tag 4: spec (a nested layer; one level deep)
 *   str   = u16 length, UTF-8 bytes
 * Keys and names are TF.js's. Decoding checks every value against the option table, so a bad
 * value gets the same message whichever way it came in; options left out keep their defaults. */
int nn_spec_decode(const void *buf, size_t len, nn_layer_spec *out, char *err);
/* NN_OK when the spec can go into a model: no set failed and every required option is given
 * (what the input shape allows is checked when it is added). */
int nn_spec_validate(const nn_layer_spec *s, char *err);
/* Encode every option; returns the bytes needed (buf may be NULL to ask). */
size_t nn_spec_encode(const nn_layer_spec *s, void *buf, size_t cap);

/* ---- the tables, for tools and bindings ---- */
/* Layer type ids run 1 .. nn_layer_type_count() - 1. */
int nn_layer_type_count(void);
/* TF.js class name ("Dense") and factory name ("dense") of a type; NULL for an unknown id. */
const char *nn_layer_type_name(int type);
const char *nn_layer_type_func(int type);
/* Other accepted factory names, space-separated ("" if none). */
const char *nn_layer_type_aliases(int type);
/* Its one-line description, and its options (returns their count). */
const char *nn_layer_type_doc(int type);
/* 1 when the type, as the first layer, reads integer inputs (nn_dtype token ids) as they are. */
int nn_layer_type_int_input(int type);
int nn_layer_type_options(int type, const nn_option **options);
/* The options every layer type has besides its own ("trainable"); returns their count. */
int nn_layer_common_options(const nn_option **options);
/* By class name or factory name (or an alias of it); -1 when unknown. */
int nn_layer_type_from_name(const char *name);
/* The name tables (activations, losses, optimizers, initializers, paddings, metrics, datasets,
 * ...) by index from 0; NULL past the last. */
const nn_names *nn_name_table(int i);
/* Id of a canonical name or alias; -1 when unknown. */
int nn_names_find(const nn_names *t, const char *name);
/* Canonical name of an id; "unknown" when out of range. */
const char *nn_names_get(const nn_names *t, int id);

/* ---- optimizers with TF.js's defaults ---- */
nn_optimizer nn_sgd(float lr);
nn_optimizer nn_momentum(float lr, float momentum, int nesterov);
nn_optimizer nn_adam(float lr);
nn_optimizer nn_rmsprop(float lr);
nn_optimizer nn_adagrad(float lr);

/* ---- names (TF.js spellings and snake_case both accepted); -1 when unknown ---- */
int nn_act_from_name(const char *name);
int nn_loss_from_name(const char *name);
int nn_opt_from_name(const char *name);
int nn_init_from_name(const char *name);
const char *nn_act_name(int act);
const char *nn_loss_name(int loss);
const char *nn_opt_name(int opt);
const char *nn_status_name(int status);

/* ---- building ---- */
/* New empty model with a per-sample input shape; NULL if out of memory or the shape is bad. */
nn_model *nn_model_create(int rank, const int *shape, uint32_t seed);
/* Append a layer; its parameters are initialized from the model's RNG at once. NULL m is a no-op error. */
int nn_model_add(nn_model *m, nn_layer_spec spec);
/* Append a layer given in the key/value encoding (as the JS API and files pass them). */
int nn_model_add_encoded(nn_model *m, const void *buf, size_t len);
/* Choose optimizer and loss; resets optimizer state. from_logits: the output is pre-activation. */
int nn_model_compile(nn_model *m, const nn_optimizer *opt, nn_loss loss);
int nn_model_set_from_logits(nn_model *m, int from_logits);
/* Freeze (0) or unfreeze (1) layer i's weights, or every layer's (i = -1), as Keras's
 * layer.trainable / model.trainable. Taken when the model is next compiled: an optimizer
 * compiled before keeps updating what it updated. A frozen batchnorm normalizes with its moving
 * statistics in training too (Keras 2's rule). */
int nn_model_set_trainable(nn_model *m, int i, int trainable);
/* 1 when layer i is trainable (its current flag), 0 when frozen or out of range. */
int nn_model_layer_trainable(const nn_model *m, int i);
/* ---- model surgery (Keras's get_layer, Sequential.pop, layers reused in a new model) ----
 *     nn_model *base = trained model: conv2d, max_pooling2d, flatten, dense, dense_1 (the head)
 *     nn_model_pop(base);                                   (the head is gone; compile again)
 *     nn_model *m = nn_model_create(rank, shape, seed);
 *     for (int i = 0; i < nn_model_num_layers(base); i++) nn_model_add_from(m, base, i);
 *     nn_model_set_trainable(m, -1, 0);                     (freeze the copied layers)
 *     nn_model_add(m, nn_dense(5, NN_ACT_SOFTMAX));         (named dense_1: "dense" is taken)
 *     nn_model_compile(m, &adam, NN_LOSS_SCCE);             (trains the new head only) */
/* Layer i's name ("" for a bad index). Points into m; valid until the layers change. */
const char *nn_model_layer_name(const nn_model *m, int i);
/* The index of the layer named name, or -1 (with a message on m naming the known layers). */
int nn_model_find_layer(nn_model *m, const char *name);
/* Remove the last layer, its weights and state (Keras's Sequential.pop). The model drops its
 * compile (the optimizer state no longer matches): compile it again before training. */
int nn_model_pop(nn_model *m);
/* Append a copy of src's layer i: its spec (name and trainable flag included), weights and
 * non-trainable state, copied (the models share nothing afterwards; a chain of models shares).
 * The layer must fit the model's current output shape; a name already in m gets refused. */
int nn_model_add_from(nn_model *m, const nn_model *src, int i);
/* The per-sample shape src's layer i reads (the model's input shape for i = 0): the input shape
 * of a new model that starts with that layer. Returns the rank, 0 for a bad index. */
int nn_model_layer_input_shape(const nn_model *m, int i, int *shape);
/* Compile from settings in the key/value encoding (u16 n, n x entry; keys: optimizer,
 * learningRate, momentum, nesterov, beta1, beta2, rho, epsilon, initialAccumulatorValue, loss,
 * fromLogits, metrics), as the JS API's compile passes them. Unset keys take TF.js's defaults. */
int nn_model_compile_encoded(nn_model *m, const void *buf, size_t len);
/* The model's compile settings in that encoding; returns the bytes needed, 0 if not compiled. */
size_t nn_model_compile_encode(const nn_model *m, void *buf, size_t cap);
/* ---- compiled metrics (Keras's compile(metrics=[...]), kept in the file with the compile) ----
 * Ids from the "metrics" name table (NN_METRIC_*: what nn_metrics_value reads); loss is always
 * reported and is not listed. They only say what to report: nn_metrics computes every metric.
 *     int ids[NN_MAX_METRICS], k = nn_model_metrics(m, ids, NN_MAX_METRICS);
 *     for (int i = 0; i < k; i++) printf("%s %g\n", nn_model_metric_name(m, i), nn_metrics_value(&mt, ids[i])); */
#define NN_MAX_METRICS 8
enum { NN_METRIC_LOSS, NN_METRIC_ACCURACY, NN_METRIC_PRECISION, NN_METRIC_RECALL, NN_METRIC_F1,
       NN_METRIC_MSE, NN_METRIC_MAE, NN_METRIC_R2 };
/* List n metrics (n <= NN_MAX_METRICS, each id once, none NN_METRIC_LOSS) on a compiled model; a
 * compile replaces them (nn_model_compile with none). Checked before anything changes. */
int nn_model_set_metrics(nn_model *m, const int *ids, int n);
/* How many metrics compile listed (0: none); the first min(that, cap) ids go to ids. */
int nn_model_metrics(const nn_model *m, int *ids, int cap);
/* Metric i's name as compile was given it ('acc' stays 'acc'); "" for a bad index. Points into m. */
const char *nn_model_metric_name(const nn_model *m, int i);
void nn_model_free(nn_model *m);
/* n seeded random values: uniform in [a, b) (normal 0) or normal with mean a, stddev b (normal 1),
 * from the core's generator, so native and wasm give the same numbers for a seed (GAN noise). */
int nn_random_fill(float *out, size_t n, int normal, float a, float b, uint32_t seed);
/* The last error message ("" if none). Points into m; valid until the next call on m. */
const char *nn_model_error(const nn_model *m);

/* ---- inspection ---- */
int nn_model_input_size(const nn_model *m);
int nn_model_output_size(const nn_model *m);
/* Values per output row: the output's last axis. A sequence output [t, k] is t rows of k per
 * sample: softmax, the cross-entropies and accuracy work per row, as in Keras. */
int nn_model_output_row_size(const nn_model *m);
/* Floats per label row: one class index per output row for sparseCategoricalCrossentropy (1 for a
 * flat output), else the output size. */
int nn_model_label_size(const nn_model *m);
int nn_model_input_shape(const nn_model *m, int *shape); /* returns rank */
int nn_model_num_layers(const nn_model *m);
const nn_layer_spec *nn_model_layer_spec(const nn_model *m, int i);
int nn_model_layer_output_shape(const nn_model *m, int i, int *shape); /* returns rank */
/* Parameter count of layer i, and where its tensors start in nn_model_params. */
size_t nn_model_layer_num_params(const nn_model *m, int i);
size_t nn_model_layer_param_offset(const nn_model *m, int i);
/* Layer i's weight tensors in TF.js order, with shapes and offsets; out holds NN_MAX_TENSORS.
 * Returns the count (0 for a layer without weights or a bad index). */
int nn_model_layer_tensors(const nn_model *m, int i, nn_tensor *out);
size_t nn_model_num_params(const nn_model *m);
/* All weights, layer by layer in TF.js order (dense: kernel [in, units] row-major, then bias;
 * conv2d: kernel [kh, kw, in_c, filters], then bias; batchnorm: gamma, beta). */
float *nn_model_params(nn_model *m);
float *nn_model_grads(nn_model *m);
/* Non-trainable state (batchnorm: moving mean, then moving variance, per layer), one contiguous
 * array apart from the parameters: optimizers and L1/L2 never touch it; files save it. */
float *nn_model_state(nn_model *m);
size_t nn_model_num_state(const nn_model *m);
size_t nn_model_layer_num_state(const nn_model *m, int i);
size_t nn_model_layer_state_offset(const nn_model *m, int i);
/* Image augmentation in nn_model_train_steps (and so in fit and the JS fit) for [h, w, c] inputs: each training
 * sample is shifted by up to `shift` pixels in x and y (zero fill) and, with flip, mirrored
 * left-right half of the time. Uses the model's RNG; 0, 0 turns it off (the default). */
int nn_model_set_augment(nn_model *m, int shift, int flip);
int nn_model_loss(const nn_model *m);
/* 1 when the loss takes the output as logits (set with nn_model_set_from_logits). */
int nn_model_from_logits(const nn_model *m);
const nn_optimizer *nn_model_optimizer(const nn_model *m);
/* Learning rate, settable between epochs (or batches). */
int nn_model_set_lr(nn_model *m, float lr);
float nn_model_get_lr(const nn_model *m);
uint64_t nn_model_step_count(const nn_model *m);
/* Keras-like summary into buf (always NUL-terminated); returns the length it needed. */
size_t nn_model_summary(const nn_model *m, char *buf, size_t cap);

/* Element types of input arrays. Token ids for a model whose first layer reads them (Embedding)
 * can stay integers: the _typed functions below read them where they are, with no float copy,
 * and check them as the float path does (ids in [0, inputDim)). A model whose first layer does not
 * read ids refuses integer inputs. Written as names in the "dtypes" name table. */
typedef enum {
    NN_DTYPE_FLOAT32 = 0,
    NN_DTYPE_INT32 = 1,
    NN_DTYPE_UINT16 = 2,
    NN_DTYPE_UINT8 = 3,
    NN_DTYPE_COUNT
} nn_dtype;

/* ---- low-level passes (for GANs and custom loops) ---- */
/* Forward n samples; the output stays valid until the next forward. training enables dropout. */
int nn_model_forward(nn_model *m, const float *x, int n, int training);
/* The same with x of any nn_dtype (n rows of nn_model_input_size elements). */
int nn_model_forward_typed(nn_model *m, const void *x, nn_dtype dtype, int n, int training);
const float *nn_model_output(const nn_model *m);
/* Backward from dL/doutput (n rows, n of the last forward), adding into nn_model_grads.
 * The x given to that forward must still be valid (it is read, not copied).
 * dx, when not NULL, receives dL/dinput (n rows of input_size). */
int nn_model_backward(nn_model *m, const float *dy, float *dx);
void nn_model_zero_grads(nn_model *m);
/* One optimizer step with the current gradients (adds L1/L2 terms first). */
int nn_model_apply_grads(nn_model *m);

/* ---- training ---- */
/* Label encodings follow the loss: SCCE takes one class index per sample (as float). */
/* Check n label rows against the loss (class indices in range, values in [0,1] for
 * cross-entropies, all finite) before training; the message names the first bad sample. */
int nn_model_check_labels(nn_model *m, const float *y, int n);
/* Check n input rows of dtype as the passes do (a type the model takes, finite floats, token ids
 * in range); the message names the first bad sample. A loop over nn_model_train_steps, which
 * does not check them, checks its data once with this (fit does). */
int nn_model_check_inputs(nn_model *m, const void *x, nn_dtype dtype, int n);
/* Loss of n samples (mean, plus regularization). */
int nn_model_train_batch(nn_model *m, const float *x, const float *y, int n, float *loss);
/* Predict n samples into out (n rows of output_size); works in chunks, any n. */
int nn_model_predict(nn_model *m, const float *x, int n, float *out);
/* Every layer's output for n samples (inference), to show what hidden units compute: out holds
 * layer 0's n rows of its output size, then layer 1's, ...; the last block equals predict's. */
int nn_model_predict_layers(nn_model *m, const float *x, int n, float *out);
/* The same three with x of any nn_dtype (integer token ids for an Embedding model). */
int nn_model_train_batch_typed(nn_model *m, const void *x, nn_dtype dtype, const float *y, int n, float *loss);
int nn_model_predict_typed(nn_model *m, const void *x, nn_dtype dtype, int n, float *out);
int nn_model_predict_layers_typed(nn_model *m, const void *x, nn_dtype dtype, int n, float *out);

/* Streaming metrics over predictions: fed batch by batch, then finalized. */
typedef struct {
    double loss;          /* mean loss (incl. regularization when training) */
    double accuracy;      /* argmax (k > 1) or threshold 0.5 (k == 1) */
    double precision, recall, f1; /* binary: of class 1; multiclass: macro average */
    double mse, mae, r2;  /* over all outputs */
    int64_t count;        /* samples seen */
    int num_classes;      /* size of the confusion matrix */
    int64_t *confusion;   /* num_classes x num_classes, row = true, col = predicted; owned;
                           * NULL past NN_MAX_CONFUSION classes (precision, recall, f1 are NaN) */
    /* running sums (internal) */
    double sum_loss, sse, sae, sum_y, sum_y2;
    int64_t n_values, correct;
    int threshold_logits; /* k == 1 and outputs are logits: threshold at 0 */
    int sparse, k;        /* labels are class indices; outputs per sample */
} nn_metrics;

/* ---- models inside a model (Keras's Sequential([generator, discriminator])) ----
 * A chain runs its models one after another, on their own weights (shared, never copied), and
 * trains them with its own loss and optimizer state. Which layers it updates is taken when it is
 * compiled, from their trainable flags (Keras's rule): a discriminator frozen before the GAN is
 * compiled stays frozen inside it, and still learns through its own compile. The models stay the
 * caller's: free the chain before them, and do not add layers to them while it exists.
 *     nn_model *parts[2] = {generator, discriminator};
 *     nn_chain *gan = nn_chain_create(parts, 2, err);
 *     nn_model_set_trainable(discriminator, -1, 0);           (after compiling the discriminator)
 *     nn_chain_compile(gan, &adam, NN_LOSS_BCE);
 *     nn_chain_train_batch(gan, noise, NN_DTYPE_FLOAT32, ones, n, &loss, NULL);   (trains G only) */
typedef struct nn_chain nn_chain;
nn_chain *nn_chain_create(nn_model *const *models, int n, char *err);
int nn_chain_compile(nn_chain *c, const nn_optimizer *opt, nn_loss loss);
/* Compile from settings in the key/value encoding (as nn_model_compile_encoded). */
int nn_chain_compile_encoded(nn_chain *c, const void *buf, size_t len);
/* One step on n samples; *loss gets the batch loss; mt, when not NULL, the batch's metrics. */
int nn_chain_train_batch(nn_chain *c, const void *x, nn_dtype dtype, const float *y, int n, float *loss,
                         nn_metrics *mt);
/* The same with per-sample weights (nn_model_train_batch_weighted). */
int nn_chain_train_batch_weighted(nn_chain *c, const void *x, nn_dtype dtype, const float *y, const float *w, int n,
                                  float *loss, nn_metrics *mt);
/* Loss and metrics of n samples (inference) added to mt (nn_metrics_init with the chain's loss). */
int nn_chain_evaluate(nn_chain *c, const void *x, nn_dtype dtype, const float *y, int n, nn_metrics *mt);
/* n rows of the last model's output size. */
int nn_chain_predict(nn_chain *c, const void *x, nn_dtype dtype, int n, float *out);
uint64_t nn_chain_step_count(const nn_chain *c);
/* Its learning rate, changed between steps (optimizer state kept), as nn_model_set_lr. */
int nn_chain_set_lr(nn_chain *c, float lr);
float nn_chain_get_lr(const nn_chain *c);
/* Its compiled loss (-1 before compile) and fromLogits. */
int nn_chain_loss(const nn_chain *c);
int nn_chain_from_logits(const nn_chain *c);
/* Its compiled metrics, as nn_model_metrics (nn_chain_compile_encoded's metrics key). */
int nn_chain_metrics(const nn_chain *c, int *ids, int cap);
const char *nn_chain_error(const nn_chain *c);
void nn_chain_free(nn_chain *c);

/* nn_model_train_batch_typed, also adding the batch's outputs (from its forward pass, before the
 * step) to mt when not NULL: Keras's train_on_batch metrics. */
int nn_model_train_batch_metrics(nn_model *m, const void *x, nn_dtype dtype, const float *y, int n, float *loss,
                                 nn_metrics *mt);
/* Keras's train_on_batch(x, y, sample_weight): the loss is the mean over samples of w[i] times
 * sample i's loss (w: n finite floats, NULL for all 1). A weight of 0 leaves a sample out; a negative
 * one ascends its loss, e.g. the minimax GAN's generator, log(1 - D(G(z))) = -1 x BCE(D(G(z)), 0).
 * Not with masked (padded) outputs. */
int nn_model_train_batch_weighted(nn_model *m, const void *x, nn_dtype dtype, const float *y, const float *w, int n,
                                  float *loss, nn_metrics *mt);

#define NN_MAX_CONFUSION 1024 /* classes a confusion matrix is kept for (k^2 counters) */
/* Prepare for an output of k values and the given loss (which says how labels are encoded). */
int nn_metrics_init(nn_metrics *mt, int k, int loss, int from_logits);
/* Add n predictions (n x k) with their labels (n x k, or n class indices for SCCE). */
int nn_metrics_add(nn_metrics *mt, const float *pred, const float *y, int n, double loss_sum);
void nn_metrics_finalize(nn_metrics *mt);
/* Zero the counts (e.g. at each epoch), keeping the shape and label encoding; no allocation. */
void nn_metrics_reset(nn_metrics *mt);
void nn_metrics_free(nn_metrics *mt);
/* A finalized value by metric id (the "metrics" name table: loss, accuracy, precision, recall,
 * f1, mse, mae, r2); 0 for an unknown id. */
double nn_metrics_value(const nn_metrics *mt, int id);

/* Loss and metrics of n samples (batched internally). out must be freed with nn_metrics_free. */
int nn_model_evaluate(nn_model *m, const float *x, const float *y, int n, nn_metrics *out);
int nn_model_evaluate_typed(nn_model *m, const void *x, nn_dtype dtype, const float *y, int n, nn_metrics *out);

/* Run up to n_batches batches of one epoch: samples perm[start ...] (perm NULL = in order),
 * each batch batch_size rows gathered from x/y. Feeds mt (may be NULL) with pre-update predictions.
 * Returns the number of samples consumed (>= 0) or a negative nn_status.
 * This is what fit and the JS API's fit loop call: no allocation once the batch size is known. */
int nn_model_train_steps(nn_model *m, const float *x, const float *y, int n,
                         const int32_t *perm, int start, int n_batches, int batch_size,
                         nn_metrics *mt);
/* The same with x of any nn_dtype: a batch's rows are gathered as they are (ids stay integers). */
int nn_model_train_steps_typed(nn_model *m, const void *x, nn_dtype dtype, const float *y, int n,
                               const int32_t *perm, int start, int n_batches, int batch_size,
                               nn_metrics *mt);

typedef struct {
    int epochs;              /* default 1 */
    int batch_size;          /* default 32 */
    int shuffle;             /* default 1 */
    float validation_split;  /* last fraction of the data held out (before shuffling), as Keras */
    const float *val_x, *val_y; int val_n; /* or explicit validation data */
    int verbose;             /* 1: Keras-style progress lines on stdout */
} nn_fit_opts;

nn_fit_opts nn_fit_defaults(void);

/* Called at the end of each epoch; return nonzero to stop training. val is NULL without validation. */
typedef int (*nn_epoch_cb)(nn_model *m, int epoch, const nn_metrics *train,
                           const nn_metrics *val, void *user);

/* Train; returns NN_OK, NN_STOPPED if the callback stopped it, or an error (NN_ERR_NAN on divergence). */
int nn_model_fit(nn_model *m, const float *x, const float *y, int n, const nn_fit_opts *opts,
                 nn_epoch_cb cb, void *user);
/* The same with x of any nn_dtype; validation_split takes its rows from x, while opts->val_x
 * (explicit validation data) stays float32 (ids as floats serve an Embedding model too). */
int nn_model_fit_typed(nn_model *m, const void *x, nn_dtype dtype, const float *y, int n,
                       const nn_fit_opts *opts, nn_epoch_cb cb, void *user);

/* Fisher-Yates shuffle of perm[0..n) with the model's RNG (perm is filled with 0..n-1 first). */
void nn_model_permutation(nn_model *m, int32_t *perm, int n);

/* ---- knowledge distillation (Hinton et al. 2015; Keras's Distiller example) ----
 * A student learns from labels and from a trained teacher's softened outputs. Per sample, with s
 * and t the student's and the teacher's logits (a softmax's input, or a linear output):
 *   L = alpha * CE(y, softmax(s)) + (1 - alpha) * T^2 * KL(softmax(t/T) || softmax(s/T))
 * T^2 keeps the soft term's gradient on the hard one's scale as the temperature T grows.
 *     nn_model_compile(student, &adam, NN_LOSS_SCCE);             (the labels' encoding, its optimizer)
 *     nn_model_set_distill(student, teacher, 4.0f, 0.1f);
 *     nn_model_fit(student, x, y, n, &fo, NULL, NULL);             (every step distills)
 *     nn_model_set_distill(student, NULL, 0, 0);                  (back to labels only) */
/* The loss above for n rows of k logits, mean over rows; grad, when not NULL, gets dL/ds (n rows,
 * divided by n): alpha (softmax(s) - y) + (1 - alpha) T (softmax(s/T) - softmax(t/T)).
 * y: rows of k class probabilities (one-hot), or n class indices when sparse. */
double nn_distill_loss(const float *s, const float *t, const float *y, int sparse, int n, int k,
                       float temperature, float alpha, float *grad);
/* Make every training step of student (train_batch, train_steps, fit) a distillation step from
 * teacher: the teacher predicts the batch (inference; augmented rows as the student sees them) and
 * the student steps on L. The student is compiled with (sparse) categorical cross-entropy, which
 * says how labels are encoded; both end in softmax or a linear layer (logits), with one row of
 * the same size per sample. The teacher stays the caller's and must outlive the setting; teacher
 * NULL turns it off. Evaluation keeps the student's own loss. */
int nn_model_set_distill(nn_model *student, nn_model *teacher, float temperature, float alpha);

/* ---- model files: versioned, little-endian; architecture, weights, optimizer state ---- */
/* Bytes nn_model_save needs. */
size_t nn_model_save_size(const nn_model *m);
/* Write into buf (cap bytes); *written gets the size. */
int nn_model_save(const nn_model *m, void *buf, size_t cap, size_t *written);
/* The same with flags: NN_SAVE_NO_OPTIMIZER leaves the optimizer state out (Keras's
 * include_optimizer=False): the smallest file to deploy; it loads compiled, with a fresh optimizer. */
#define NN_SAVE_NO_OPTIMIZER 1
size_t nn_model_save_size_ex(const nn_model *m, int flags);
int nn_model_save_ex(const nn_model *m, void *buf, size_t cap, size_t *written, int flags);
/* NN_SAVE_QUANTIZE_INT8: post-training weight quantization. The prunable tensors (below: kernels,
 * recurrent kernels, embeddings) are stored as int8 with one f32 scale per output channel (the
 * tensor's out_axis), symmetric: q = round(w / s), s = max|w| / 127 over the channel; biases,
 * batchnorm and optimizer state stay f32. About 4x smaller; nn_model_load dequantizes (w = q s), so the loaded
 * model is float and keeps working and training. Lossless sparse storage is automatic: any array
 * whose bitmap of nonzeros plus nonzero values is smaller than its floats is stored that way. */
#define NN_SAVE_QUANTIZE_INT8 2
/* Rebuild a model from bytes; NULL with a message in err (NN_ERR_LEN bytes, may be NULL). */
nn_model *nn_model_load(const void *buf, size_t len, char *err);
int nn_model_save_file(const nn_model *m, const char *path);
nn_model *nn_model_load_file(const char *path, char *err);

/* ---- pruning (TF Model Optimization's prune_low_magnitude) ----
 * Magnitude pruning of the prunable tensors (kernels of Dense, Conv2D and Conv2DTranspose, the
 * kernels and recurrent kernels of the recurrent layers, embeddings; never biases or batchnorm, as TF MOT):
 * each pruned tensor keeps a mask, and after every optimizer step (nn_model_apply_grads, so in
 * train_batch, train_steps and fit) the pruning's own step counter (TF MOT's pruning_step, batches
 * trained since nn_model_prune) is checked against the schedule: on a pruning step the mask keeps
 * the round(size * (1 - sparsity)) largest |w| of the tensor (at least 1; ties at the threshold are
 * kept, as TF MOT's top_k threshold), then every pruned weight is set to exactly 0 again, so pruned
 * weights stay zero through fine-tuning. TF MOT updates a mask before the batch's forward, nnplay
 * right after its step: the same masks, one batch apart. The state (schedule, step, masks) is
 * saved in the model file and restored by nn_model_load, so fine-tuning resumes; strip it before
 * exporting (the zeros stay). Adding layers to a pruned model drops its pruning.
 *     nn_prune_schedule s = nn_polynomial_decay(0.0f, 0.8f, 0, 1000, 3.0f, 100);
 *     nn_model_prune(m, &s, NULL, 0);            (every prunable layer)
 *     nn_model_fit(m, x, y, n, &fo, NULL, NULL);  (80% of each kernel is 0 from step 1000)
 *     nn_model_strip_pruning(m);                  (then save: zeros are stored sparse) */
typedef enum {
    NN_PRUNE_CONSTANT = 0,   /* ConstantSparsity: final_sparsity from begin_step on */
    NN_PRUNE_POLYNOMIAL = 1  /* PolynomialDecay: s = (s_i - s_f) (1 - p)^power + s_f,
                              * p = clamp((step - begin) / (end - begin), 0, 1) */
} nn_prune_kind;
typedef struct {
    int kind;                 /* nn_prune_kind */
    float initial_sparsity;   /* PolynomialDecay's start, in [0, 1) (unused by constant) */
    float final_sparsity;     /* the target, in [0, 1) */
    int64_t begin_step;       /* first pruning step (>= 0) */
    int64_t end_step;         /* last one; -1: never ends (constant only) */
    float power;              /* PolynomialDecay's exponent (TF MOT's default 3) */
    int32_t frequency;        /* masks are updated every frequency steps from begin_step (>= 1) */
} nn_prune_schedule;
/* TF MOT's defaults: constant (begin 0, end -1, frequency 100), polynomial (power 3, frequency 100). */
nn_prune_schedule nn_constant_sparsity(float target, int64_t begin_step, int64_t end_step, int frequency);
nn_prune_schedule nn_polynomial_decay(float initial_sparsity, float final_sparsity, int64_t begin_step,
                                      int64_t end_step, float power, int frequency);
/* NN_OK when s is usable; the message names the bad field (err: NN_ERR_LEN bytes, may be NULL). */
int nn_prune_schedule_check(const nn_prune_schedule *s, char *err);
/* The sparsity of s at step into *sparsity; returns 1 when masks are updated at that step
 * (begin <= step <= end, or no end, and (step - begin) % frequency == 0), 0 otherwise, or
 * NN_ERR_ARG for a bad schedule. */
int nn_prune_schedule_at(const nn_prune_schedule *s, int64_t step, float *sparsity);
/* Prune layers[0..n) (indices; NULL or n 0: every layer with a prunable tensor), starting the
 * pruning step at 0; a model already pruned is pruned afresh (old masks dropped, zeros kept). A
 * layer given without prunable tensors is refused by name. Nothing changes until training. */
int nn_model_prune(nn_model *m, const nn_prune_schedule *s, const int *layers, int n);
/* Update the masks now at `sparsity` (in [0, 1); < 0: the schedule's value at the current step) and
 * zero the pruned weights: one-shot pruning without training. */
int nn_model_prune_update(nn_model *m, float sparsity);
/* Drop the masks and schedule (TF MOT's strip_pruning); the weights keep their zeros. */
int nn_model_strip_pruning(nn_model *m);
/* 1 when m is being pruned, with its schedule and pruning step if asked (either may be NULL). */
int nn_model_pruning(const nn_model *m, nn_prune_schedule *s, uint64_t *step);
/* Layer i's prunable weights and how many are 0 into *weights and *zeros; returns 1 when the layer
 * is pruned (has masks), 0 when not, -1 when it has no prunable tensor or i is out of range. */
int nn_model_layer_sparsity(const nn_model *m, int i, uint64_t *weights, uint64_t *zeros);

/* ---- build info ---- */
/* "wasm-simd128", "x86-avx2-fma", "x86-sse2" or "scalar": the kernels compiled in. */
const char *nn_simd_name(void);

#ifdef __cplusplus
}
#endif

#include "nn_data.h"

#endif
