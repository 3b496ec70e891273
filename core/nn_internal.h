/* nn_internal.h - what the core's files share and the public API hides: the layer table,
 * the model struct, allocation macros. Not installed; tests may include it. */
#ifndef NN_INTERNAL_H
#define NN_INTERNAL_H

#include "nn.h"
#include "rng.h"
#include <stdarg.h>
#include <stdlib.h>

#ifndef NN_MALLOC
#define NN_MALLOC(n) malloc(n)
#define NN_CALLOC(n, s) calloc(n, s)
#define NN_REALLOC(p, n) realloc(p, n)
#define NN_FREE(p) free(p)
#endif

typedef struct nn_layer nn_layer;

/* One table per layer type. Every function gets the layer; parameters and gradients are
 * passed as pointers into the model's contiguous arrays (at the layer's offset). */
typedef struct {
    const char *name;
    /* Validate the spec against in_shape; set out_shape and param counts. */
    int (*setup)(nn_layer *L, char *err);
    /* Fill the layer's parameters (p points at its first one) and its state (L->state). */
    void (*init_params)(nn_layer *L, float *p, nn_rng *rng);
    /* Make room in the caches for cap samples. */
    int (*reserve)(nn_layer *L, int cap);
    /* x: n input rows -> L->y (n output rows). */
    void (*forward)(nn_layer *L, const float *p, const float *x, int n, int training, nn_rng *rng);
    /* dy: dL/dy (or dL/dz when L->grad_is_preact) -> adds dL/dp into g; dx may be NULL. */
    void (*backward)(nn_layer *L, const float *p, float *g, const float *x, const float *dy,
                     float *dx, int n);
    void (*release)(nn_layer *L);
} nn_layer_ops;

/* The registry, indexed by nn_layer_type: ids are append-only (they are in model files). */
const nn_layer_ops *nn_layer_ops_for(int type);

struct nn_layer {
    nn_layer_spec spec;
    const nn_layer_ops *ops;
    int in_rank, in_shape[NN_MAX_RANK], in_size;
    int out_rank, out_shape[NN_MAX_RANK], out_size;
    size_t p_off, n_params;     /* where the layer's parameters sit in the model's array */
    size_t reg_off, reg_n;      /* the part L1/L2 apply to (a dense kernel), relative to p_off */
    size_t s_off, n_state;      /* where its non-trainable state sits in the model's state array */
    float *state;               /* = model state + s_off, set by the model before each pass */
    int cap;                    /* samples the caches hold */
    float *y;                   /* output [cap, out_size]; may alias z */
    float *z;                   /* pre-activation [cap, out_size] (dense) */
    float *dz;                  /* scratch for dL/dz */
    float *mask;                /* dropout mask */
    float *col;                 /* conv2d: im2col rows [cap * oh * ow, kh * kw * in_c] */
    float *stat;                /* batchnorm: per-channel mean and 1/std of the last forward */
    int training;               /* the mode of the last forward (batchnorm backward needs it) */
    int act;                    /* activation applied last (linear if none) */
    const float *preact;        /* after forward: the values act was applied to */
    int grad_is_preact;         /* backward receives dL/dpreact (fused softmax/sigmoid loss) */
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
    float *opt_m, *opt_v;       /* optimizer state, n_params each (NULL when unused) */
    uint64_t step;
    int cap;                    /* batch capacity of the layer caches */
    int last_n;                 /* rows of the last forward */
    const float *last_x;        /* its input (the caller's; backward reads it) */
    float *dbuf[2];             /* ping-pong dL/dx buffers for backward */
    size_t dbuf_len;
    float *dy;                  /* loss gradient [cap, out_size] */
    float *xb, *yb;             /* gather buffers for train_steps */
    int xb_cap;
    int add_failed;             /* a layer could not be added: compile reports it */
    char err[NN_ERR_LEN];
};

/* Record a formatted message on m and return code (so `return nn_fail(m, NN_ERR_ARG, ...)`). */
int nn_fail(nn_model *m, int code, const char *fmt, ...);
/* Same for a bare buffer of NN_ERR_LEN bytes (may be NULL). */
int nn_fail_buf(char *err, int code, const char *fmt, ...);
/* Ensure every layer cache holds cap samples. */
int nn_model_reserve(nn_model *m, int cap);
/* Product of a shape. */
int nn_shape_size(int rank, const int *shape);

/* Backward where dy may already be w.r.t. the last layer's pre-activation (fused losses). */
int nn_model_backward_fused(nn_model *m, const float *dy, float *dx, int fused);

/* ---- conv/pool geometry (conv2d.c) ---- */
/* An [h, w, c] input seen through kh x kw windows at strides sh, sw: an oh x ow output, with
 * pt rows and pl columns of (virtual) padding before the first window. */
typedef struct { int h, w, c, kh, kw, sh, sw, oh, ow, pt, pl; } nn_geo;
/* Output size and the padding before the first element along one axis, TF's arithmetic. */
int nn_conv_out(int in, int k, int s, int pad, int *pad_before);
/* Check the [h, w, c] input, window and strides of a conv/pool layer; sets out_shape[0..1]. */
int nn_conv_geometry(nn_layer *L, const char *what, const char *window, char *err);
nn_geo nn_geo_of(const nn_layer *L);

/* A reserve for layers whose only cache is their output y (reshape.c). */
int nn_layer_reserve_y(nn_layer *L, int cap);

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

/* ---- optimizers (optim.c) ---- */
int nn_optim_state_arrays(int type, float momentum);
void nn_optim_step(const nn_optimizer *o, uint64_t t, float *w, const float *g, float *s1,
                   float *s2, size_t n);
/* L1/L2 terms of all layers: returns the penalty and, if g != NULL, adds its gradient. */
double nn_regularization(nn_model *m, float *g);

#endif
