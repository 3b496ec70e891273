/* kernels.c - the element-wise and row kernels, written once over the macros of simd.h.
 * Leftovers past the last full vector run the scalar loop. Without a target every kernel is its
 * _ref. The GEMM lives in gemm.c. */
#include "kernels.h"
#include "nn.h"
#include "simd.h"
#include <string.h>

const char *nn_simd_name(void) { return NN_SIMD_NAME; }

#ifndef VW /* ---- scalar build: the reference is the implementation ---- */

float nn_dot(const float *a, const float *b, int n) { return nn_dot_ref(a, b, n); }
void nn_axpy(int n, float a, const float *x, float *y) { nn_axpy_ref(n, a, x, y); }
void nn_add_rows(float *y, const float *b, int r, int c) { nn_add_rows_ref(y, b, r, c); }
void nn_sum_rows(const float *x, int r, int c, float *o) { nn_sum_rows_ref(x, r, c, o); }
void nn_relu(const float *x, float *y, int n) { nn_relu_ref(x, y, n); }
void nn_relu_backward(const float *y, const float *dy, float *dx, int n)
{
    nn_relu_backward_ref(y, dy, dx, n);
}
void nn_vmul(const float *x, const float *y, float *z, int n) { nn_vmul_ref(x, y, z, n); }

#else /* ---- SIMD build: written once over the mapping above ---- */

float nn_dot(const float *a, const float *b, int n)
{
    vf s0 = VZERO(), s1 = VZERO();
    int i = 0;
    for (; i + 2 * VW <= n; i += 2 * VW) {
        s0 = VFMA(VLOAD(a + i), VLOAD(b + i), s0);
        s1 = VFMA(VLOAD(a + i + VW), VLOAD(b + i + VW), s1);
    }
    for (; i + VW <= n; i += VW) s0 = VFMA(VLOAD(a + i), VLOAD(b + i), s0);
    float s = VSUM(VADD(s0, s1));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

void nn_axpy(int n, float a, const float *x, float *y)
{
    vf va = VSPLAT(a);
    int i = 0;
    for (; i + VW <= n; i += VW) VSTORE(y + i, VFMA(va, VLOAD(x + i), VLOAD(y + i)));
    for (; i < n; i++) y[i] += a * x[i];
}

void nn_add_rows(float *y, const float *b, int rows, int cols)
{
    for (int r = 0; r < rows; r++) {
        float *yr = y + (long)r * cols;
        int c = 0;
        for (; c + VW <= cols; c += VW) VSTORE(yr + c, VADD(VLOAD(yr + c), VLOAD(b + c)));
        for (; c < cols; c++) yr[c] += b[c];
    }
}

void nn_sum_rows(const float *x, int rows, int cols, float *out)
{
    int c = 0;
    for (; c + VW <= cols; c += VW) {
        vf s = VLOAD(out + c);
        for (int r = 0; r < rows; r++) s = VADD(s, VLOAD(x + (long)r * cols + c));
        VSTORE(out + c, s);
    }
    for (; c < cols; c++) {
        float s = out[c];
        for (int r = 0; r < rows; r++) s += x[(long)r * cols + c];
        out[c] = s;
    }
}

void nn_relu(const float *x, float *y, int n)
{
    vf z = VZERO();
    int i = 0;
    for (; i + VW <= n; i += VW) VSTORE(y + i, VMAX(VLOAD(x + i), z));
    for (; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void nn_relu_backward(const float *y, const float *dy, float *dx, int n)
{
    int i = 0;
    for (; i + VW <= n; i += VW) VSTORE(dx + i, VGT0MASK(VLOAD(y + i), VLOAD(dy + i)));
    for (; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void nn_vmul(const float *x, const float *y, float *z, int n)
{
    int i = 0;
    for (; i + VW <= n; i += VW) VSTORE(z + i, VMUL(VLOAD(x + i), VLOAD(y + i)));
    for (; i < n; i++) z[i] = x[i] * y[i];
}

#endif

/* ---- optimizer updates: one pass over the whole parameter array; sqrt and the division are
 * what the scalar loop spends its time on (the Adam step cost twice the GEMMs of a 784-128-10
 * MLP's training step before this). */
#ifndef VW
void nn_adam_update(size_t n, float lr, float b1, float b2, float c1, float c2, float eps,
                    float *w, const float *g, float *m, float *v)
{
    nn_adam_update_ref(n, lr, b1, b2, c1, c2, eps, w, g, m, v);
}
#else
void nn_adam_update(size_t n, float lr, float b1, float b2, float c1, float c2, float eps,
                    float *w, const float *g, float *m, float *v)
{
    vf vb1 = VSPLAT(b1), vb2 = VSPLAT(b2), va1 = VSPLAT(1.0f - b1), va2 = VSPLAT(1.0f - b2);
    vf vlr = VSPLAT(lr), vc1 = VSPLAT(c1), vc2 = VSPLAT(c2), veps = VSPLAT(eps);
    size_t i = 0;
    for (; i + VW <= n; i += VW) {
        vf gi = VLOAD(g + i);
        vf mi = VADD(VMUL(vb1, VLOAD(m + i)), VMUL(va1, gi));
        vf vi = VADD(VMUL(vb2, VLOAD(v + i)), VMUL(VMUL(va2, gi), gi));
        VSTORE(m + i, mi);
        VSTORE(v + i, vi);
        vf step = VDIV(VMUL(vlr, VMUL(mi, vc1)), VADD(VSQRT(VMUL(vi, vc2)), veps));
        VSTORE(w + i, VSUB(VLOAD(w + i), step));
    }
    if (i < n) nn_adam_update_ref(n - i, lr, b1, b2, c1, c2, eps, w + i, g + i, m + i, v + i);
}
#endif

/* ---- the transcendental maps (the algorithm is described in kernels.h) ---- */
#ifndef VW
void nn_exp(const float *x, float *y, int n) { nn_exp_ref(x, y, n); }
void nn_tanh(const float *x, float *y, int n) { nn_tanh_ref(x, y, n); }
void nn_sigmoid(const float *x, float *y, int n) { nn_sigmoid_ref(x, y, n); }
void nn_elu(const float *x, float *y, int n, float a) { nn_elu_ref(x, y, n, a); }
#else
/* x = n ln2 + r for x already clamped; returns n (integers held as floats) */
static inline vf v_exp_reduce(vf x, vf *r)
{
    vf n = VSUB(VFMA(x, VSPLAT(NN_LOG2E), VSPLAT(NN_ROUND_MAGIC)), VSPLAT(NN_ROUND_MAGIC));
    *r = VSUB(VSUB(x, VMUL(n, VSPLAT(NN_LN2_HI))), VMUL(n, VSPLAT(NN_LN2_LO)));
    return n;
}

/* r + r^2 P(r) = expm1(r) for |r| <= ln2/2 */
static inline vf v_expm1_poly(vf r)
{
    vf p = VFMA(VSPLAT(NN_EXP_P4), r, VSPLAT(NN_EXP_P3));
    p = VFMA(p, r, VSPLAT(NN_EXP_P2));
    p = VFMA(p, r, VSPLAT(NN_EXP_P1));
    p = VFMA(p, r, VSPLAT(NN_EXP_P0));
    return VFMA(VMUL(r, r), p, r);
}

static inline vf v_exp(vf x)
{
    vf r, n = v_exp_reduce(VCLAMP(x, VSPLAT(NN_EXP_LO), VSPLAT(NN_EXP_HI)), &r);
    /* 2^n in two normal steps, 2^h 2^(n-h); a NaN lane stays NaN through the polynomial */
    vf h = VSUB(VADD(VMUL(n, VSPLAT(0.5f)), VSPLAT(NN_ROUND_MAGIC)), VSPLAT(NN_ROUND_MAGIC));
    vf e = VADD(VSPLAT(1.0f), v_expm1_poly(r));
    return VMUL(VMUL(e, VPOW2I(h)), VPOW2I(VSUB(n, h)));
}

/* expm1(x) = 2^n (1 + expm1(r)) - 1 = 2^n expm1(r) + (2^n - 1), exact in form for n = 0 (no
 * cancellation near 0), for x clamped to [lo, hi] within [-30, 30] (2^n stays normal) */
static inline vf v_expm1(vf x, float lo, float hi)
{
    vf r, k = v_exp_reduce(VCLAMP(x, VSPLAT(lo), VSPLAT(hi)), &r), s = VPOW2I(k);
    return VFMA(s, v_expm1_poly(r), VSUB(s, VSPLAT(1.0f)));
}

static inline vf v_tanh(vf x)
{
    vf z = VZERO(), a = VMAX(x, VSUB(z, x)), x2 = VMUL(x, x);
    vf q = VFMA(VSPLAT(NN_TANH_Q4), x2, VSPLAT(NN_TANH_Q3));
    q = VFMA(q, x2, VSPLAT(NN_TANH_Q2));
    q = VFMA(q, x2, VSPLAT(NN_TANH_Q1));
    q = VFMA(q, x2, VSPLAT(NN_TANH_Q0));
    vf small = VFMA(VMUL(x, x2), q, x);
    vf t = VSUB(VSPLAT(1.0f), VDIV(VSPLAT(2.0f), VADD(v_exp(VADD(a, a)), VSPLAT(1.0f))));
    t = VSEL(VLT(x, z), VSUB(z, t), t);
    return VSEL(VLT(a, VSPLAT(NN_TANH_SMALL)), small, t);
}

static inline vf v_sigmoid(vf x)
{
    vf z = VZERO(), e = v_exp(VSUB(z, VMAX(x, VSUB(z, x)))); /* exp(-|x|) */
    vf s = VDIV(VSPLAT(1.0f), VADD(VSPLAT(1.0f), e));
    return VSEL(VLT(x, z), VMUL(e, s), s);
}

static inline vf v_elu(vf x, vf a)
{
    return VSEL(VLT(VZERO(), x), x, VMUL(a, v_expm1(x, -30.0f, 0.0f)));
}

/* y[i] = F(x[i]) over full vectors, then the tail through one zero-padded vector */
#define MAP(F, x, y, n)                                                                        \
    do {                                                                                       \
        int i_ = 0;                                                                            \
        for (; i_ + VW <= (n); i_ += VW) VSTORE((y) + i_, F(VLOAD((x) + i_)));                 \
        if (i_ < (n)) {                                                                        \
            float t_[VW] = {0};                                                                \
            memcpy(t_, (x) + i_, (size_t)((n) - i_) * sizeof(float));                          \
            VSTORE(t_, F(VLOAD(t_)));                                                          \
            memcpy((y) + i_, t_, (size_t)((n) - i_) * sizeof(float));                          \
        }                                                                                      \
    } while (0)

void nn_exp(const float *x, float *y, int n) { MAP(v_exp, x, y, n); }
void nn_tanh(const float *x, float *y, int n) { MAP(v_tanh, x, y, n); }
void nn_sigmoid(const float *x, float *y, int n) { MAP(v_sigmoid, x, y, n); }
void nn_elu(const float *x, float *y, int n, float a)
{
    vf va = VSPLAT(a);
#define ELU_A(v) v_elu(v, va)
    MAP(ELU_A, x, y, n);
#undef ELU_A
}
#endif

/* ---- a small dense layer's products: vectors along the units, scalar leftovers ---- */
#ifndef VW
void nn_small_xw(int n, int in, int u, const float *x, const float *W, const float *b, float *z)
{
    nn_small_xw_ref(n, in, u, x, W, b, z);
}
void nn_small_xtd(int n, int in, int u, const float *x, const float *d, float *gW)
{
    nn_small_xtd_ref(n, in, u, x, d, gW);
}
void nn_small_dwt(int n, int in, int u, const float *d, const float *W, float *dx)
{
    nn_small_dwt_ref(n, in, u, d, W, dx);
}
#else
void nn_small_xw(int n, int in, int u, const float *x, const float *W, const float *b, float *z)
{
    for (int r = 0; r < n; r++, x += in, z += u) {
        int j = 0;
        for (; j + VW <= u; j += VW) {
            vf s = b ? VLOAD(b + j) : VZERO();
            for (int i = 0; i < in; i++) s = VFMA(VSPLATP(x + i), VLOAD(W + (long)i * u + j), s);
            VSTORE(z + j, s);
        }
        for (; j < u; j++) {
            float s = b ? b[j] : 0.0f;
            for (int i = 0; i < in; i++) s += x[i] * W[(long)i * u + j];
            z[j] = s;
        }
    }
}

void nn_small_xtd(int n, int in, int u, const float *x, const float *d, float *gW)
{
    for (int i = 0; i < in; i++, gW += u) {
        int j = 0;
        for (; j + VW <= u; j += VW) {
            vf s = VLOAD(gW + j);
            for (int r = 0; r < n; r++) s = VFMA(VSPLATP(x + (long)r * in + i), VLOAD(d + (long)r * u + j), s);
            VSTORE(gW + j, s);
        }
        for (; j < u; j++) {
            float s = gW[j];
            for (int r = 0; r < n; r++) s += x[(long)r * in + i] * d[(long)r * u + j];
            gW[j] = s;
        }
    }
}

void nn_small_dwt(int n, int in, int u, const float *d, const float *W, float *dx)
{
    float wt[256]; /* W^T, so that dx = d W^T runs as nn_small_xw: vectors along dx's rows */
    if ((long)in * u > 256) {
        for (int r = 0; r < n; r++, d += u, dx += in)
            for (int i = 0; i < in; i++) dx[i] = nn_dot(d, W + (long)i * u, u);
        return;
    }
    for (int i = 0; i < in; i++)
        for (int j = 0; j < u; j++) wt[j * in + i] = W[i * u + j];
    nn_small_xw(n, u, in, d, wt, NULL, dx);
}
#endif

/* ---- convolution and pooling kernels: the passes around the convolution's GEMMs (the scalar
 * max pooling with its stored argmax cost a fifth of a CNN's training step) ---- */
#ifndef VW
void nn_bias_relu(float *z, const float *b, float *y, int r, int c) { nn_bias_relu_ref(z, b, y, r, c); }
void nn_vmax(int n, const float *x, float *y) { nn_vmax_ref(n, x, y); }
void nn_maxpool_window_backward(int c, int rows, int cols, int row_stride, const float *x,
                                const float *y, const float *dy, float *dx, int add)
{
    nn_maxpool_window_backward_ref(c, rows, cols, row_stride, x, y, dy, dx, add);
}
#else
void nn_bias_relu(float *z, const float *b, float *y, int rows, int cols)
{
    vf zero = VZERO();
    for (int r = 0; r < rows; r++) {
        float *zr = z + (long)r * cols, *yr = y + (long)r * cols;
        int c = 0;
        for (; c + VW <= cols; c += VW) {
            vf v = VADD(VLOAD(zr + c), VLOAD(b + c));
            VSTORE(zr + c, v);
            VSTORE(yr + c, VMAX(v, zero));
        }
        if (c < cols) nn_bias_relu_ref(zr + c, b + c, yr + c, 1, cols - c);
    }
}

void nn_vmax(int n, const float *x, float *y)
{
    int i = 0;
    for (; i + VW <= n; i += VW) VSTORE(y + i, VMAX(VLOAD(x + i), VLOAD(y + i)));
    for (; i < n; i++) y[i] = x[i] > y[i] ? x[i] : y[i];
}

/* dy stays in a register while it walks the window */
void nn_maxpool_window_backward(int c, int rows, int cols, int row_stride, const float *x,
                                const float *y, const float *dy, float *dx, int add)
{
    int k = 0;
    for (; k + VW <= c; k += VW) {
        vf rem = VLOAD(dy + k), ym = VLOAD(y + k);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) {
                long at = (long)i * row_stride + (long)j * c + k;
                vf keep = VGT0MASK(VSUB(ym, VLOAD(x + at)), rem), got = VSUB(rem, keep);
                VSTORE(dx + at, add ? VADD(VLOAD(dx + at), got) : got);
                rem = keep;
            }
    }
    for (; k < c; k++) { /* the last channels one at a time (pixels stay c apart) */
        float rem = dy[k];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) {
                long at = (long)i * row_stride + (long)j * c + k;
                float keep = y[k] - x[at] > 0.0f ? rem : 0.0f;
                dx[at] = add ? dx[at] + (rem - keep) : rem - keep;
                rem = keep;
            }
    }
}
#endif

/* ---- recurrent gate kernels: per step and sample, between the recurrent GEMMs ---- */
#ifndef VW
void nn_lstm_cell(int u, const float *a, const float *cp, float *c) { nn_lstm_cell_ref(u, a, cp, c); }
void nn_lstm_cell_backward(int u, const float *a, const float *cp, const float *tc, const float *dh,
                           const float *dtc, float *dc, float *dz)
{
    nn_lstm_cell_backward_ref(u, a, cp, tc, dh, dtc, dc, dz);
}
void nn_gru_blend(int u, const float *z, const float *hh, const float *hp, float *h) { nn_gru_blend_ref(u, z, hh, hp, h); }
void nn_gru_blend_backward(int u, const float *z, const float *hh, const float *hp, const float *dh,
                           float *dz, float *dhh, float *dhp)
{
    nn_gru_blend_backward_ref(u, z, hh, hp, dh, dz, dhh, dhp);
}
#else
void nn_lstm_cell(int u, const float *a, const float *cp, float *c)
{
    const float *i_ = a, *f = a + u, *g = a + 2 * u;
    int k = 0;
    if (cp)
        for (; k + VW <= u; k += VW) VSTORE(c + k, VFMA(VLOAD(f + k), VLOAD(cp + k), VMUL(VLOAD(i_ + k), VLOAD(g + k))));
    else
        for (; k + VW <= u; k += VW) VSTORE(c + k, VMUL(VLOAD(i_ + k), VLOAD(g + k)));
    for (; k < u; k++) c[k] = (cp ? f[k] * cp[k] : 0.0f) + i_[k] * g[k];
}

void nn_lstm_cell_backward(int u, const float *a, const float *cp, const float *tc, const float *dh,
                           const float *dtc, float *dc, float *dz)
{
    const float *i_ = a, *f = a + u, *g = a + 2 * u;
    int k = 0;
    for (; k + VW <= u; k += VW) {
        vf d = VADD(VLOAD(dc + k), VLOAD(dtc + k));
        VSTORE(dz + k, VMUL(d, VLOAD(g + k)));
        VSTORE(dz + u + k, cp ? VMUL(d, VLOAD(cp + k)) : VZERO());
        VSTORE(dz + 2 * u + k, VMUL(d, VLOAD(i_ + k)));
        VSTORE(dz + 3 * u + k, VMUL(VLOAD(dh + k), VLOAD(tc + k)));
        VSTORE(dc + k, VMUL(d, VLOAD(f + k)));
    }
    for (; k < u; k++) {
        float d = dc[k] + dtc[k];
        dz[k] = d * g[k];
        dz[u + k] = cp ? d * cp[k] : 0.0f;
        dz[2 * u + k] = d * i_[k];
        dz[3 * u + k] = dh[k] * tc[k];
        dc[k] = d * f[k];
    }
}

void nn_gru_blend(int u, const float *z, const float *hh, const float *hp, float *h)
{
    vf one = VSPLAT(1.0f);
    int k = 0;
    for (; k + VW <= u; k += VW) {
        vf zk = VLOAD(z + k), v = VMUL(VSUB(one, zk), VLOAD(hh + k));
        VSTORE(h + k, hp ? VFMA(zk, VLOAD(hp + k), v) : v);
    }
    for (; k < u; k++) h[k] = z[k] * (hp ? hp[k] : 0.0f) + (1.0f - z[k]) * hh[k];
}

void nn_gru_blend_backward(int u, const float *z, const float *hh, const float *hp, const float *dh,
                           float *dz, float *dhh, float *dhp)
{
    vf one = VSPLAT(1.0f);
    int k = 0;
    for (; k + VW <= u; k += VW) {
        vf d = VLOAD(dh + k), zk = VLOAD(z + k), hhk = VLOAD(hh + k);
        VSTORE(dz + k, VMUL(d, hp ? VSUB(VLOAD(hp + k), hhk) : VSUB(VZERO(), hhk)));
        VSTORE(dhh + k, VMUL(d, VSUB(one, zk)));
        if (dhp) VSTORE(dhp + k, VFMA(d, zk, VLOAD(dhp + k)));
    }
    for (; k < u; k++) {
        dz[k] = dh[k] * ((hp ? hp[k] : 0.0f) - hh[k]);
        dhh[k] = dh[k] * (1.0f - z[k]);
        if (dhp) dhp[k] += dh[k] * z[k];
    }
}
#endif
