// onnx.js - ONNX export for serving: model.toONNX() gives the bytes of an ONNX ModelProto holding
// the inference graph (dropout off, batchnorm's moving statistics), default opset 17 (13..21).
// The only module that knows ONNX. A small protobuf writer (field numbers from onnx/onnx.proto)
// and one entry per layer class; what ONNX's operators cannot express exactly is refused with the
// layer and option named, never approximated.
// Layout: the graph's input and output keep nnplay's shapes ([batch, ...inputShape], NHWC images,
// batch dynamic). ONNX's Conv and pools are NCHW, so a Transpose goes in before the first of a run
// of image layers and one comes back out before anything that reads NHWC order (Flatten, Reshape,
// Dense, the output): a conv net costs two Transposes, not two per layer.
// Embedding-first models take the same float32 ids as predict(); a Cast makes them int64 for Gather.
import { coreTable } from './core.js';
import { show, checkKeys } from './convert.js';
import { converters } from './model.js';

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);
const ONNX_OPSET = 17;
const OPSETS = [13, 21]; // 13: Softmax on one axis, Squeeze's axes as an input; the ops used are the same through 21
// The IR version each opset's ONNX release wrote, so older runtimes accept the file.
const irVersion = (opset) => (opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10);

const err = (where, msg) => new Error(`nnplay: ${where}: ${msg}`);
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// ---- a protobuf writer: what ModelProto and its parts need ----
const utf8 = new TextEncoder();
class Pb {
  constructor() { this.b = new Uint8Array(64); this.n = 0; }
  room(k) {
    if (this.n + k <= this.b.length) return;
    const b = new Uint8Array(Math.max(2 * this.b.length, this.n + k));
    b.set(this.b.subarray(0, this.n));
    this.b = b;
  }
  /** An int64 as a varint; negatives take ten bytes (two's complement), as protobuf writes them. */
  varint(v) {
    this.room(10);
    if (v >= 0 && v < 2 ** 31) {
      while (v > 127) { this.b[this.n++] = (v & 127) | 128; v >>>= 7; }
      this.b[this.n++] = v;
      return this;
    }
    let x = BigInt.asUintN(64, BigInt(v));
    while (x > 127n) { this.b[this.n++] = Number(x & 127n) | 128; x >>= 7n; }
    this.b[this.n++] = Number(x);
    return this;
  }
  key(field, wire) { return this.varint(field * 8 + wire); }
  int(field, v) { return this.key(field, 0).varint(v); }
  float(field, v) {
    this.key(field, 5).room(4);
    new DataView(this.b.buffer).setFloat32(this.n, v, true);
    this.n += 4;
    return this;
  }
  bytes(field, u8) {
    this.key(field, 2).varint(u8.length).room(u8.length);
    this.b.set(u8, this.n);
    this.n += u8.length;
    return this;
  }
  string(field, s) { return this.bytes(field, utf8.encode(s)); }
  message(field, fill) { const sub = new Pb(); fill(sub); return this.bytes(field, sub.done()); }
  done() { return this.b.subarray(0, this.n); }
}

const FLOAT = 1, INT64 = 7; // TensorProto.DataType
const A_FLOAT = 1, A_INT = 2, A_STRING = 3, A_FLOATS = 6, A_INTS = 7, A_STRINGS = 8; // AttributeProto.AttributeType
const f = (v) => [A_FLOAT, v], i = (v) => [A_INT, v], s = (v) => [A_STRING, v];
const fs = (v) => [A_FLOATS, v], is = (v) => [A_INTS, v], ss = (v) => [A_STRINGS, v];

function attribute(pb, name, [type, v]) {
  pb.string(1, name).int(20, type);
  if (type === A_FLOAT) pb.float(2, v);
  else if (type === A_INT) pb.int(3, v);
  else if (type === A_STRING) pb.string(4, v);
  else if (type === A_FLOATS) for (const x of v) pb.float(7, x);
  else if (type === A_INTS) for (const x of v) pb.int(8, x);
  else for (const x of v) pb.string(9, x);
}

function tensor(pb, { name, dims, type, values }) {
  for (const d of dims) pb.int(1, d);
  pb.int(2, type).string(8, name);
  const size = type === INT64 ? 8 : 4;
  const raw = new Uint8Array(values.length * size);
  const dv = new DataView(raw.buffer);
  for (let k = 0; k < values.length; k++) {
    if (type === INT64) dv.setBigInt64(8 * k, BigInt(values[k]), true);
    else dv.setFloat32(4 * k, values[k], true);
  }
  pb.bytes(9, raw); // little-endian, as raw_data is defined
}

/** ValueInfoProto of a float tensor; string dims are symbolic (the batch). */
function valueInfo(pb, name, dims) {
  pb.string(1, name).message(2, (tp) => tp.message(1, (tt) => {
    tt.int(1, FLOAT).message(2, (sh) => {
      for (const d of dims) sh.message(1, (dim) => (typeof d === 'string' ? dim.string(2, d) : dim.int(1, d)));
    });
  }));
}

// ---- the graph being built ----
class Graph {
  constructor() { this.nodes = []; this.inits = []; this.values = new Set(['input']); this.nodeNames = new Set(); }
  unique(set, base) {
    let n = base;
    for (let k = 2; set.has(n); k++) n = `${base}_${k}`;
    set.add(n);
    return n;
  }
  init(name, dims, values, type = FLOAT) {
    const n = this.unique(this.values, name);
    this.inits.push({ name: n, dims, values, type });
    return n;
  }
  ints(name, values) { return this.init(name, [values.length], values, INT64); }
  /** A node; outs: how many outputs, or a list of booleans (false: an output left unnamed). */
  node(op, inputs, attrs = {}, base = op, outs = 1) {
    const want = typeof outs === 'number' ? Array(outs).fill(true) : outs;
    const name = this.unique(this.nodeNames, base);
    const outputs = want.map((w, k) => (w ? this.unique(this.values, want.length > 1 ? `${name}:${k}` : name) : ''));
    this.nodes.push({ op, name, inputs, outputs, attrs });
    return want.length > 1 ? outputs : outputs[0];
  }
}

/** A layer's view of the graph: node and weight names under its own name. */
class Scope {
  constructor(g, name, where) { Object.assign(this, { g, name, where }); }
  node(op, inputs, attrs, outs) { return this.g.node(op, inputs, attrs, `${this.name}/${op}`, outs); }
  init(what, dims, values) { return this.g.init(`${this.name}/${what}`, dims, values); }
  ints(what, values) { return this.g.ints(`${this.name}/${what}`, values); }
}

// A value flowing through the graph: its name, nnplay's per-sample shape (NHWC), and whether it is
// held as NCHW (image layers' runs).
const toNCHW = (c, x) => (x.shape.length !== 3 || x.nchw ? x
  : { ...x, name: c.node('Transpose', [x.name], { perm: is([0, 3, 1, 2]) }), nchw: true });
const toNHWC = (c, x) => (!x.nchw ? x
  : { ...x, name: c.node('Transpose', [x.name], { perm: is([0, 2, 3, 1]) }), nchw: false });
const same = (x, name) => ({ ...x, name });

/** An nnplay activation (act with its alpha) after the value x. */
function activation(c, x, act, alpha, key = 'activation') {
  switch (act) {
    case 'linear': return x;
    case 'relu': return same(x, c.node('Relu', [x.name]));
    case 'sigmoid': return same(x, c.node('Sigmoid', [x.name]));
    case 'tanh': return same(x, c.node('Tanh', [x.name]));
    case 'softmax': return same(x, c.node('Softmax', [x.name], { axis: i(x.nchw ? 1 : -1) })); // nnplay: the channels
    case 'elu': return same(x, c.node('Elu', [x.name], { alpha: f(alpha || 1) }));
    case 'leakyRelu': return same(x, c.node('LeakyRelu', [x.name], { alpha: f(alpha || 0.3) }));
    case 'hardSigmoid': return same(x, c.node('HardSigmoid', [x.name], { alpha: f(0.2), beta: f(0.5) })); // Keras 2's
    default: throw err(c.where, `${key} ${show(act)} has no ONNX operator here`);
  }
}

/** TF's padding: 'same' pads (out-1)*s + k - in zeros, the odd one after; ONNX takes them explicitly. */
function pads(padding, inHW, k, st) {
  const before = [], after = [];
  for (let d = 0; d < 2; d++) {
    const out = Math.ceil(inHW[d] / st[d]);
    const total = padding === 'same' ? Math.max((out - 1) * st[d] + k[d] - inHW[d], 0) : 0;
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [...before, ...after];
}

// ---- recurrent layers: one ONNX RNN/LSTM/GRU node ----
// ONNX's gate blocks in Keras's numbering: LSTM is i, o, f, c (Keras i, f, c, o); GRU z, r, h is
// Keras's; SimpleRNN has one.
const RECURRENT = { SimpleRNN: { op: 'RNN', order: [0] }, LSTM: { op: 'LSTM', order: [0, 3, 1, 2] }, GRU: { op: 'GRU', order: [0, 1, 2] } };
// ONNX's names for activations inside RNN/LSTM/GRU, with the parameters onnxruntime reads in order
// for the functions that take them (activation_alpha / activation_beta).
function rnnActivation(c, act, alpha, key) {
  switch (act) {
    case 'sigmoid': return ['Sigmoid'];
    case 'tanh': return ['Tanh'];
    case 'relu': return ['Relu'];
    case 'linear': return ['Affine', 1, 0];
    case 'hardSigmoid': return ['HardSigmoid', 0.2, 0.5];
    case 'elu': return ['Elu', alpha || 1];
    case 'leakyRelu': return ['LeakyRelu', alpha || 0.3];
    default: throw err(c.where, `${key} ${show(act)} has no ONNX recurrent activation`);
  }
}

/** Keras's [rows, k*u] (kernel or recurrent kernel) as ONNX's [k*u, rows] in ONNX's gate order. */
function gateMatrix(m, rows, u, order) {
  const k = order.length;
  const out = new Float32Array(k * u * rows);
  order.forEach((kg, og) => {
    for (let j = 0; j < u; j++) for (let r = 0; r < rows; r++) out[(og * u + j) * rows + r] = m[r * k * u + kg * u + j];
  });
  return out;
}
const gateVector = (v, u, order) => Float32Array.from({ length: order.length * u }, (_, q) => v[order[Math.floor(q / u)] * u + (q % u)]);

/**
 * The W, R, B of one direction of a recurrent layer from its Keras weights (kernel,
 * recurrent_kernel, bias) -- Bidirectional concatenates two of these along ONNX's direction axis.
 */
function recurrentWeights(className, cfg, w, inSize) {
  const u = cfg.units;
  const { order } = RECURRENT[className];
  const W = gateMatrix(w.kernel, inSize, u, order);
  const R = gateMatrix(w.recurrent_kernel, u, u, order);
  let B = null;
  if (cfg.useBias) {
    const k = order.length;
    B = new Float32Array(2 * k * u); // [Wb, Rb]: Keras has one bias, except GRU's resetAfter (two rows)
    B.set(gateVector(w.bias, u, order), 0);
    if (className === 'GRU' && cfg.resetAfter) B.set(gateVector(w.bias.subarray(k * u), u, order), k * u);
  }
  return { W, R, B };
}

/** The ONNX node's attributes for a Keras recurrent layer's config, repeated per direction. */
function recurrentAttrs(c, className, cfg, directions) {
  const acts = className === 'SimpleRNN' ? [rnnActivation(c, cfg.activation, cfg.alpha, 'activation')]
    : [rnnActivation(c, cfg.recurrentActivation, 0, 'recurrentActivation'), rnnActivation(c, cfg.activation, 0, 'activation')];
  if (className === 'LSTM') acts.push(acts[1]); // h(): Keras applies `activation` to the cell too
  const all = Array(directions).fill(acts).flat();
  const attrs = { hidden_size: i(cfg.units), activations: ss(all.map((a) => a[0])) };
  const alphas = all.filter((a) => a.length > 1).map((a) => a[1]);
  const betas = all.filter((a) => a.length > 2).map((a) => a[2]);
  if (alphas.length) attrs.activation_alpha = fs(alphas);
  if (betas.length) attrs.activation_beta = fs(betas);
  if (className === 'GRU') attrs.linear_before_reset = i(cfg.resetAfter ? 1 : 0); // Keras's resetAfter
  return attrs;
}

const refuseMask = (c) => err(c.where, 'its input carries an Embedding maskZero mask: nnplay holds the state over padded ' +
  'steps anywhere in a sequence, which ONNX\'s RNN/LSTM/GRU (sequence_lens: trailing padding only) cannot express; ' +
  'export a model built with maskZero: false');

function recurrent(x, c) {
  const { cfg, className } = c;
  if (c.masked) throw refuseMask(c);
  const [T, F] = x.shape;
  const { W, R, B } = recurrentWeights(className, cfg, c.w, F);
  const k = W.length / (cfg.units * F);
  const u = cfg.units;
  // onnxruntime runs only ONNX's default layout 0: X is [T, N, F]
  const xt = c.node('Transpose', [x.name], { perm: is([1, 0, 2]) });
  const inputs = [xt, c.init('W', [1, k * u, F], W), c.init('R', [1, k * u, u], R)];
  if (B) inputs.push(c.init('B', [1, 2 * k * u], B));
  const attrs = recurrentAttrs(c, className, cfg, 1);
  // goBackwards reads the steps last to first, as direction 'reverse' does
  if (cfg.goBackwards) attrs.direction = s('reverse');
  if (!cfg.returnSequences) {
    const [, yh] = c.node(RECURRENT[className].op, inputs, attrs, [false, true]); // Y_h [1, N, u]: the last step's state
    return { name: c.node('Squeeze', [yh, c.ints('axes', [0])]), shape: [u], nchw: false };
  }
  let y = c.node(RECURRENT[className].op, inputs, attrs); // Y [T, 1, N, u], indexed by input position
  y = c.node('Squeeze', [y, c.ints('axes', [1])]);
  if (cfg.goBackwards) { // Keras returns states in the order read: position T-1 first
    y = c.node('Slice', [y, c.ints('starts', [-1]), c.ints('ends', [-(2n ** 63n)]), c.ints('axes', [0]), c.ints('steps', [-1])]);
  }
  return { name: c.node('Transpose', [y], { perm: is([1, 0, 2]) }), shape: [T, u], nchw: false };
}

/** nnplay's merge of two [..., u] values a (the forward copy's) and b, as bidirectional.c does. */
function merge(c, mode, a, b) {
  switch (mode) {
    case 'concat': return c.node('Concat', [a, b], { axis: i(-1) });
    case 'sum': return c.node('Add', [a, b]);
    case 'mul': return c.node('Mul', [a, b]);
    case 'ave': return c.node('Mul', [c.node('Add', [a, b]), c.init('half', [], [0.5])]);
    default: throw err(c.where, `mergeMode ${show(mode)} has no ONNX mapping`);
  }
}

// Bidirectional: one node with direction 'bidirectional'. ONNX indexes both directions' Y by input
// position, and nnplay's (TF.js's) output row t pairs the forward copy's step t with the backward
// copy's step T-1-t, which is that same position: no time flip. With the wrapped layer's goBackwards
// the copies trade places (the forward copy reads last to first: ONNX's reverse direction) and
// rows come in reading order, so Y is flipped in time.
function bidirectional(x, c) {
  if (c.masked) throw refuseMask(c);
  const { className, config: cfg } = c.cfg.layer;
  if (!RECURRENT[className]) throw err(c.where, `its layer is a ${className}; only SimpleRNN, LSTM and GRU have ONNX operators`);
  const F = x.shape[1];
  const u = cfg.units;
  const copies = { forward: {}, backward: {} }; // forward_lstm/kernel -> copies.forward.kernel
  for (const [name, v] of Object.entries(c.w)) {
    const m = /^(forward|backward)_[^/]+\/(.+)$/.exec(name);
    if (!m) throw err(c.where, `weight '${name}' is neither forward_* nor backward_*`);
    copies[m[1]][m[2]] = v;
  }
  const [d0, d1] = (cfg.goBackwards ? ['backward', 'forward'] : ['forward', 'backward'])
    .map((d) => recurrentWeights(className, cfg, copies[d], F));
  const k = d0.W.length / (u * F);
  const stack = (a, b) => { const out = new Float32Array(a.length + b.length); out.set(a); out.set(b, a.length); return out; };
  const xt = c.node('Transpose', [x.name], { perm: is([1, 0, 2]) }); // layout 0: [T, N, F]
  const inputs = [xt, c.init('W', [2, k * u, F], stack(d0.W, d1.W)), c.init('R', [2, k * u, u], stack(d0.R, d1.R))];
  if (d0.B) inputs.push(c.init('B', [2, 2 * k * u], stack(d0.B, d1.B)));
  const attrs = { ...recurrentAttrs(c, className, cfg, 2), direction: s('bidirectional') };
  const op = RECURRENT[className].op;
  const mode = c.cfg.mergeMode;
  const dir = (v, axis, at) => c.node('Gather', [v, c.g.init(`${c.name}/direction${at}`, [], [at], INT64)], { axis: i(axis) });
  // the forward copy's value first: ONNX's direction 0, or 1 when the copies traded places
  const pair = (v, axis) => (cfg.goBackwards ? [dir(v, axis, 1), dir(v, axis, 0)] : [dir(v, axis, 0), dir(v, axis, 1)]);
  const outShape = c.info.outputShape.slice();
  if (!cfg.returnSequences) {
    const [, yh] = c.node(op, inputs, attrs, [false, true]); // Y_h [2, N, u]: each direction's last state
    return { name: merge(c, mode, ...pair(yh, 0)), shape: outShape, nchw: false };
  }
  let y = c.node(op, inputs, attrs); // Y [T, 2, N, u]
  if (cfg.goBackwards) y = c.node('Slice', [y, c.ints('starts', [-1]), c.ints('ends', [-(2n ** 63n)]), c.ints('axes', [0]), c.ints('steps', [-1])]);
  y = c.node('Transpose', [y], { perm: is([2, 0, 1, 3]) }); // [N, T, 2, u]
  if (mode === 'concat' && !cfg.goBackwards) return { name: c.node('Reshape', [y, c.ints('shape', [0, 0, -1])]), shape: outShape, nchw: false };
  return { name: merge(c, mode, ...pair(y, 2)), shape: outShape, nchw: false };
}

// ---- one entry per layer class: (x, c) -> the output value ----
// c: the layer's Scope plus cfg (its full config), w (weights by Keras name), info (layerInfo),
// first (is it the first layer), masked (does a maskZero mask reach it).
const LAYERS = {
  Dense(x, c) {
    x = toNHWC(c, x);
    const { units, useBias } = c.cfg;
    const n = x.shape.at(-1);
    const K = c.init('kernel', [n, units], c.w.kernel);
    const b = useBias ? [c.init('bias', [units], c.w.bias)] : [];
    let y;
    if (x.shape.length === 1) y = c.node('Gemm', [x.name, K, ...b]);
    else { // on sequences and images: the last axis, as TF.js's Dense
      y = c.node('MatMul', [x.name, K]);
      if (useBias) y = c.node('Add', [y, b[0]]);
    }
    return activation(c, same(x, y), c.cfg.activation, c.cfg.alpha);
  },
  Activation: (x, c) => activation(c, x, c.cfg.activation, c.cfg.alpha),
  Dropout: (x) => x, // inference
  Conv2D(x, c) {
    x = toNCHW(c, x);
    const { filters: m, kernelSize: k, strides: st, padding, useBias } = c.cfg;
    const [h, wd, ch] = x.shape;
    const K = c.w.kernel; // [kh, kw, in, filters] -> ONNX's [filters, in, kh, kw]
    const W = new Float32Array(K.length);
    for (let y = 0; y < k[0]; y++) for (let xx = 0; xx < k[1]; xx++) for (let ci = 0; ci < ch; ci++) {
      for (let o = 0; o < m; o++) W[((o * ch + ci) * k[0] + y) * k[1] + xx] = K[((y * k[1] + xx) * ch + ci) * m + o];
    }
    const inputs = [x.name, c.init('kernel', [m, ch, k[0], k[1]], W), ...(useBias ? [c.init('bias', [m], c.w.bias)] : [])];
    const y = c.node('Conv', inputs, { kernel_shape: is(k), strides: is(st), pads: is(pads(padding, [h, wd], k, st)) });
    return activation(c, same(x, y), c.cfg.activation, c.cfg.alpha);
  },
  Conv2DTranspose(x, c) {
    x = toNCHW(c, x);
    const { filters: m, kernelSize: k, strides: st, padding, useBias } = c.cfg;
    const [h, wd, ch] = x.shape;
    const K = c.w.kernel; // [kh, kw, filters, in] -> ONNX's [in, filters, kh, kw]
    const W = new Float32Array(K.length);
    for (let y = 0; y < k[0]; y++) for (let xx = 0; xx < k[1]; xx++) for (let o = 0; o < m; o++) {
      for (let ci = 0; ci < ch; ci++) W[((ci * m + o) * k[0] + y) * k[1] + xx] = K[((y * k[1] + xx) * m + o) * ch + ci];
    }
    // ONNX's full output is s*(in-1) + k; TF's crops the convolution's 'same' padding off it (the odd
    // one at the end), or with a kernel smaller than the stride ends in s - k rows of bias only
    const pads = [0, 0, 0, 0], outPad = [0, 0];
    [h, wd].forEach((n, a) => {
      const full = st[a] * (n - 1) + k[a], out = c.info.outputShape[a];
      const before = padding === 'same' ? Math.floor(Math.max(k[a] - st[a], 0) / 2) : 0;
      const after = full - before - out;
      pads[a] = before;
      if (after >= 0) pads[a + 2] = after; else outPad[a] = -after;
    });
    const inputs = [x.name, c.init('kernel', [ch, m, k[0], k[1]], W), ...(useBias ? [c.init('bias', [m], c.w.bias)] : [])];
    const y = c.node('ConvTranspose', inputs, { kernel_shape: is(k), strides: is(st), pads: is(pads), output_padding: is(outPad) });
    return activation(c, same(x, y), c.cfg.activation, c.cfg.alpha);
  },
  UpSampling2D(x, c) { // nearest: output pixel (y, x) reads input (floor(y / sh), floor(x / sw)), in either layout
    const [sh, sw] = c.cfg.size;
    const scales = c.init('scales', [4], x.nchw ? [1, 1, sh, sw] : [1, sh, sw, 1]);
    return same(x, c.node('Resize', [x.name, '', scales], { mode: s('nearest'), coordinate_transformation_mode: s('asymmetric'), nearest_mode: s('floor') }));
  },
  MaxPooling2D: (x, c) => pool(x, c, 'MaxPool', {}),
  // TF's average pooling divides by the real pixels in the window
  AveragePooling2D: (x, c) => pool(x, c, 'AveragePool', { count_include_pad: i(0) }),
  GlobalAveragePooling2D(x, c) {
    x = toNCHW(c, x);
    const y = c.node('GlobalAveragePool', [x.name]); // [N, C, 1, 1]
    return { name: c.node('Flatten', [y], { axis: i(1) }), nchw: false };
  },
  Flatten(x, c) {
    x = toNHWC(c, x); // NHWC order, as nnplay's (and TF.js's) flatten
    return { name: c.node('Flatten', [x.name], { axis: i(1) }), nchw: false };
  },
  Reshape(x, c) {
    x = toNHWC(c, x);
    return { name: c.node('Reshape', [x.name, c.ints('shape', [0, ...c.info.outputShape])]), nchw: false }; // 0: the batch
  },
  BatchNormalization(x, c) {
    const w = c.w;
    const n = w.gamma.length;
    const params = [c.init('gamma', [n], w.gamma), c.init('beta', [n], w.beta),
      c.init('moving_mean', [n], w.moving_mean), c.init('moving_variance', [n], w.moving_variance)];
    const attrs = { epsilon: f(c.cfg.epsilon) };
    if (x.shape.length !== 2) { // ONNX normalizes axis 1: [N, C] as it is, images as NCHW
      x = toNCHW(c, x);
      return same(x, c.node('BatchNormalization', [x.name, ...params], attrs));
    }
    const t = c.node('Transpose', [x.name], { perm: is([0, 2, 1]) }); // [N, T, F] -> [N, F, T]
    const y = c.node('BatchNormalization', [t, ...params], attrs);
    return same(x, c.node('Transpose', [y], { perm: is([0, 2, 1]) }));
  },
  Embedding(x, c) {
    const { inputDim } = c.cfg;
    let ids = x.name;
    // After another layer nnplay clamps values into the table (its first layer checks them instead)
    if (!c.first) ids = c.node('Clip', [ids, c.init('min', [], [0]), c.init('max', [], [inputDim - 1])]);
    ids = c.node('Cast', [ids], { to: i(INT64) }); // float ids truncate, as nnplay's row index
    const E = c.init('embeddings', [inputDim, c.cfg.outputDim], c.w.embeddings);
    return { name: c.node('Gather', [E, ids], { axis: i(0) }), nchw: false };
  },
  SimpleRNN: recurrent,
  LSTM: recurrent,
  GRU: recurrent,
  Bidirectional: bidirectional,
};

function pool(x, c, op, extra) {
  x = toNCHW(c, x);
  const { poolSize: k, strides: st, padding } = c.cfg;
  const y = c.node(op, [x.name], { kernel_shape: is(k), strides: is(st), pads: is(pads(padding, x.shape, k, st)), ...extra });
  return same(x, y);
}

/** Does layer i's output carry a step mask? As the core passes it on (model.c). */
function maskOut(className, cfg, inShape, outShape, masked) {
  if (className === 'Embedding' && cfg.maskZero) return true;
  return masked && inShape.length === 2 && outShape.length === 2 && outShape[0] === inShape[0];
}

const layerName = (model, i, type) => {
  const n = model.layerInfo(i).config.name; // the core's, unique in the model
  return typeof n === 'string' && n ? n : `${type}_${i + 1}`;
};

/**
 * The model as the bytes of an ONNX model (ModelProto): the inference graph, input 'input'
 * [batch, ...inputShape] float32, output 'output' [batch, ...outputShape]. options.opset: 13..21
 * (default 17).
 */
export function toONNX(model, options = {}) {
  model._m();
  const where = 'toONNX';
  checkKeys(options, ['opset'], where);
  const opset = options.opset ?? ONNX_OPSET;
  if (!Number.isInteger(opset) || opset < OPSETS[0] || opset > OPSETS[1]) {
    throw err(where, `opset must be an integer ${OPSETS[0]}..${OPSETS[1]}, got ${show(opset)}`);
  }
  const g = new Graph();
  const inShape = model.inputShape;
  const weights = model.getWeights();
  const bytes = 4 * weights.reduce((a, w) => a + w.length, 0);
  if (bytes > 2 ** 31 - 2 ** 24) { // protobuf's limit, with room for the graph; external data is not written
    throw err(where, `the weights take ${bytes} bytes; an ONNX file without external data holds less than 2 GB`);
  }
  let at = 0;
  let x = { name: 'input', shape: inShape.slice(), nchw: false };
  let masked = false;
  model._layers.forEach((_, k) => {
    const info = model.layerInfo(k);
    const name = layerName(model, k, info.type);
    const c = new Scope(g, name, `${where}: layer ${k} '${name}' (${info.className})`);
    Object.assign(c, { className: info.className, cfg: info.config, info, first: k === 0, masked, w: {} });
    for (const t of info.weights) c.w[t.name] = weights[at++];
    const convert = Object.hasOwn(LAYERS, info.className) ? LAYERS[info.className] : null;
    if (!convert) throw err(c.where, `${info.className} has no ONNX mapping yet (wasm/onnx.js)`);
    const inLayerShape = x.shape;
    x = { ...convert(x, c), shape: info.outputShape.slice() };
    masked = maskOut(info.className, info.config, inLayerShape, x.shape, masked);
  });
  x = toNHWC(new Scope(g, 'output', where), x);
  const last = g.nodes.at(-1);
  if (last && last.outputs.includes(x.name)) { // name the last node's output 'output'
    g.values.delete(x.name);
    last.outputs[last.outputs.indexOf(x.name)] = 'output';
  } else {
    g.node('Identity', [x.name], {}, 'output/Identity');
    g.nodes.at(-1).outputs = ['output'];
  }

  const pb = new Pb();
  pb.int(1, irVersion(opset)).string(2, 'nnplay').string(3, coreTable().version);
  pb.string(6, `${model.name}: nnplay Sequential, inference graph; input [batch, ${inShape.join(', ')}]` +
    (inShape.length === 3 ? ' channels-last (NHWC)' : ''));
  pb.message(7, (gp) => {
    for (const n of g.nodes) {
      gp.message(1, (np) => {
        for (const v of n.inputs) np.string(1, v);
        for (const v of n.outputs) np.string(2, v);
        np.string(3, n.name).string(4, n.op);
        for (const [k, v] of Object.entries(n.attrs)) np.message(5, (ap) => attribute(ap, k, v));
      });
    }
    gp.string(2, model.name);
    for (const t of g.inits) gp.message(5, (tp) => tensor(tp, t));
    gp.message(11, (vp) => valueInfo(vp, 'input', ['batch', ...inShape]));
    gp.message(12, (vp) => valueInfo(vp, 'output', ['batch', ...x.shape]));
  });
  pb.message(8, (op) => op.string(1, '').int(2, opset));
  return pb.done().slice();
}

/**
 * model.saveONNX(target, options): Node writes the file at `target` (a path; '.onnx' is added when
 * it has no extension); a browser page downloads 'downloads://name' as name.onnx.
 * Resolves to { files, bytes }.
 */
export async function saveONNX(model, target, options) {
  const where = 'saveONNX';
  if (typeof target !== 'string' || !target) throw err(where, `target must be a file path or 'downloads://name', got ${show(target)}`);
  const bytes = toONNX(model, options);
  if (target.startsWith('downloads://')) {
    if (typeof document === 'undefined') throw err(where, "'downloads://' needs a browser page; in Node, pass a file path");
    const file = `${target.slice('downloads://'.length) || 'model'}.onnx`;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    a.download = file;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000); // the download has taken its copy by then
    return { files: [file], bytes: bytes.length };
  }
  if (!isNode) throw err(where, "in a browser, save with 'downloads://name'");
  const fsp = await import('node:fs/promises');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  let file = target.startsWith('file://') ? fileURLToPath(target) : target;
  if (!path.extname(file)) file += '.onnx';
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, bytes);
  return { files: [file], bytes: bytes.length };
}

converters.onnx = { toONNX, saveONNX }; // model.toONNX() and saveONNX() call these (model.js)
