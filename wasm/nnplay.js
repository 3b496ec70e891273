// nnplay.js - the JS API: TensorFlow.js-Layers-style models over the nnplay C core in wasm.
// The same module runs in Node 20 and in browsers. Memory rules (see DESIGN.md): every pointer
// into wasm memory is owned by exactly one object here and freed by it; views of the heap are
// taken fresh after any call that can allocate, because growing memory replaces the buffer.
import createNNCore from '../dist/nnplay_core.js';

export const version = '0.1.0';

let core = null;
let loading = null;

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);

/** Load the wasm module once; every other call needs it. Options: { wasmBinary, locateFile }. */
export function ready(options = {}) {
  if (core) return Promise.resolve();
  if (!loading) {
    loading = (async () => {
      const opts = { ...options };
      if (!opts.wasmBinary && isNode) {
        // emcc 3.1.6's glue would fetch() a file path under Node 20: hand it the bytes instead.
        const { readFile } = await import('node:fs/promises');
        opts.wasmBinary = await readFile(new URL('../dist/nnplay_core.wasm', import.meta.url));
      }
      core = await createNNCore(opts);
    })().catch((err) => {
      loading = null;
      throw new Error(`nnplay: could not load the wasm module: ${err.message}`);
    });
  }
  return loading;
}

function C() {
  if (!core) throw new Error('nnplay: the wasm module is not loaded yet; await nn.ready() first');
  return core;
}

// ---- ids shared with core/nn.h (append-only there) ----
const LAYER = { dense: 1, activation: 2, dropout: 3, conv2d: 4, maxPooling2d: 5, averagePooling2d: 6,
  globalAveragePooling2d: 7, flatten: 8, reshape: 9, batchNormalization: 10 };
const CLASS_OF = { dense: 'Dense', activation: 'Activation', dropout: 'Dropout', conv2d: 'Conv2D',
  maxPooling2d: 'MaxPooling2D', averagePooling2d: 'AveragePooling2D',
  globalAveragePooling2d: 'GlobalAveragePooling2D', flatten: 'Flatten', reshape: 'Reshape',
  batchNormalization: 'BatchNormalization' };
const PADDING = { valid: 0, same: 1 };
const ACT = { linear: 0, relu: 1, leakyRelu: 2, elu: 3, sigmoid: 4, tanh: 5, softmax: 6 };
const ACT_ALIASES = { leaky_relu: 'leakyRelu', leakyrelu: 'leakyRelu', none: 'linear', identity: 'linear' };
const LOSS = { meanSquaredError: 0, binaryCrossentropy: 1, categoricalCrossentropy: 2,
  sparseCategoricalCrossentropy: 3, meanAbsoluteError: 4 };
const LOSS_ALIASES = { mse: 'meanSquaredError', mean_squared_error: 'meanSquaredError',
  binary_crossentropy: 'binaryCrossentropy', categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy', mae: 'meanAbsoluteError',
  mean_absolute_error: 'meanAbsoluteError' };
const OPT = { sgd: 0, adam: 1, rmsprop: 2, adagrad: 3 };
const INIT = { glorotUniform: 0, glorotNormal: 1, heUniform: 2, heNormal: 3, zeros: 4, ones: 5 };
const INIT_ALIASES = { glorot_uniform: 'glorotUniform', glorot_normal: 'glorotNormal',
  he_uniform: 'heUniform', he_normal: 'heNormal' };
const NN_STOPPED = 1;
const METRIC_INDEX = { loss: 0, accuracy: 1, precision: 2, recall: 3, f1: 4, mse: 5, mae: 6, r2: 7 };
const METRIC_ALIASES = { acc: 'accuracy', binaryAccuracy: 'accuracy', categoricalAccuracy: 'accuracy',
  sparseCategoricalAccuracy: 'accuracy', meanSquaredError: 'mse', meanAbsoluteError: 'mae',
  f1Score: 'f1', rSquared: 'r2' };

const keyOf = (table, aliases, name, what) => {
  const k = aliases[name] || name;
  if (typeof name !== 'string' || !(k in table)) {
    throw new Error(`nnplay: unknown ${what} '${name}' (known: ${Object.keys(table).join(', ')})`);
  }
  return k;
};
const actId = (name = 'linear') => ACT[keyOf(ACT, ACT_ALIASES, name, 'activation')];
const initId = (name, dflt) => (name == null ? dflt : INIT[keyOf(INIT, INIT_ALIASES, name, 'initializer')]);
const actName = (id) => Object.keys(ACT).find((k) => ACT[k] === id);
const lossName = (id) => Object.keys(LOSS).find((k) => LOSS[k] === id);
const optName = (id) => Object.keys(OPT).find((k) => OPT[k] === id);

// ---- wasm memory helpers ----
const heapU8 = () => C().HEAPU8;
const heapF32 = () => C().HEAPF32;
const heapI32 = () => C().HEAP32;
const heapF64 = () => C().HEAPF64;

function malloc(bytes, what) {
  const n = Math.max(1, Math.ceil(bytes));
  const p = n > 0x7fffffff ? 0 : C()._malloc(n);
  if (!p) {
    throw new Error(`nnplay: cannot allocate ${(n / 1048576).toFixed(1)} MB for ${what} in wasm memory ` +
      '(it is limited to 2 GB); use less data at once');
  }
  return p;
}
const free = (p) => { if (p) C()._free(p); };

function copyF32In(arr, what) {
  const p = malloc(arr.length * 4, what);
  heapF32().set(arr, p >>> 2);
  return p;
}

function withAlloc(bytes, what, fn) {
  const p = malloc(bytes, what);
  try { return fn(p); } finally { free(p); }
}

const cstr = (p) => C().UTF8ToString(p);

function withCString(s, fn) {
  const c = C();
  const n = c.lengthBytesUTF8(s) + 1;
  return withAlloc(n, 'a string', (p) => { c.stringToUTF8(s, p, n); return fn(p, n - 1); });
}

// ---- data conversion: typed arrays, nested arrays and TF.js tensors into row-major floats ----
function flatten(data, what) {
  if (data == null) throw new Error(`nnplay: ${what} is missing`);
  if (typeof data.dataSync === 'function' && data.shape) {
    return { values: Float32Array.from(data.dataSync()), shape: data.shape.slice() };
  }
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    return { values: data instanceof Float32Array ? data : Float32Array.from(data), shape: null };
  }
  if (!Array.isArray(data)) {
    throw new Error(`nnplay: ${what} must be a Float32Array, an Int32Array, a (nested) array or a tensor`);
  }
  // nested arrays: find the shape from the first element and check that every row agrees
  const shape = [];
  for (let d = data; Array.isArray(d); d = d[0]) shape.push(d.length);
  const total = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(total);
  let k = 0;
  const walk = (d, depth, path) => {
    if (depth === shape.length) {
      if (typeof d !== 'number' && typeof d !== 'boolean') {
        throw new Error(`nnplay: ${what}${path} is ${d === null ? 'null' : typeof d}, not a number`);
      }
      out[k++] = Number(d);
      return;
    }
    if (!Array.isArray(d) || d.length !== shape[depth]) {
      throw new Error(`nnplay: ${what} is ragged: ${what}${path} has ${Array.isArray(d) ? d.length : 'no'} ` +
        `elements, expected ${shape[depth]}`);
    }
    for (let i = 0; i < d.length; i++) walk(d[i], depth + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
  return { values: out, shape };
}

/** Rows of `rowSize` values; returns { values, n }. */
function toRows(data, rowSize, what, shapeHint) {
  const { values, shape } = flatten(data, what);
  if (values.length === 0) throw new Error(`nnplay: ${what} is empty`);
  if (values.length % rowSize !== 0) {
    throw new Error(`nnplay: ${what} has ${values.length} values, which is not a whole number of ` +
      `samples of ${rowSize} (${shapeHint})` + (shape ? `; its shape is [${shape.join(', ')}]` : ''));
  }
  if (shape && shape.length > 1 && shape.slice(1).reduce((a, b) => a * b, 1) !== rowSize) {
    throw new Error(`nnplay: ${what} has shape [${shape.join(', ')}] but each sample must have ` +
      `${rowSize} values (${shapeHint})`);
  }
  return { values, n: values.length / rowSize };
}

function checkFinite(values, what, rowSize) {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new Error(`nnplay: ${what} contains ${values[i]} at sample ${Math.floor(i / rowSize)}, ` +
        `value ${i % rowSize}`);
    }
  }
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'verbose',
  'initialEpoch', 'yieldEvery', 'callbacks', 'augment'];

/** fit's augment option: {shift: pixels (0), flip: boolean (false)} for image inputs. */
function augmentOptions(a) {
  if (a == null || a === false) return { shift: 0, flip: 0 };
  checkKeys(a, ['shift', 'flip'], 'fit: augment');
  const { shift = 0, flip = false } = a;
  if (!Number.isInteger(shift) || shift < 0) throw new Error(`nnplay: fit: augment.shift must be an integer >= 0, got ${shift}`);
  if (typeof flip !== 'boolean') throw new Error(`nnplay: fit: augment.flip must be true or false, got ${flip}`);
  return { shift, flip: flip ? 1 : 0 };
}

function checkKeys(args, known, what) {
  if (args == null || typeof args !== 'object') throw new Error(`nnplay: ${what} takes an options object`);
  for (const k of Object.keys(args)) {
    if (!known.includes(k)) throw new Error(`nnplay: ${what}: unknown option '${k}' (known: ${known.join(', ')})`);
  }
}

// ---- layers, optimizers, regularizers: plain config objects, as TF.js's factories return ----
function layerConfig(className, config, allowed) {
  const cfg = { ...(config || {}) };
  for (const k of Object.keys(cfg)) {
    if (!allowed.includes(k)) {
      throw new Error(`nnplay: ${className} layer: unknown option '${k}' (known: ${allowed.join(', ')})`);
    }
  }
  return Object.freeze({ className, config: cfg });
}
const COMMON = ['inputShape', 'batchInputShape', 'name', 'inputDim'];

export const layers = {
  /** Fully connected: y = activation(x W + b), W is [inputs, units]. */
  dense: (c) => layerConfig('Dense', c, [...COMMON, 'units', 'activation', 'useBias',
    'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'alpha', 'l1', 'l2']),
  /** y = activation(x). */
  activation: (c) => layerConfig('Activation', c, [...COMMON, 'activation', 'alpha']),
  /** Inverted dropout while training; identity when predicting. */
  dropout: (c) => layerConfig('Dropout', c, [...COMMON, 'rate']),
  /** 2D convolution over [height, width, channels] (channels last); kernel [kh, kw, inC, filters]. */
  conv2d: (c) => layerConfig('Conv2D', c, [...COMMON, 'filters', 'kernelSize', 'strides', 'padding',
    'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'dataFormat',
    'alpha', 'l1', 'l2']),
  /** Max over poolSize windows (strides default to poolSize). */
  maxPooling2d: (c) => layerConfig('MaxPooling2D', c, [...COMMON, 'poolSize', 'strides', 'padding', 'dataFormat']),
  /** Mean over poolSize windows (padding is not counted). */
  averagePooling2d: (c) => layerConfig('AveragePooling2D', c, [...COMMON, 'poolSize', 'strides', 'padding', 'dataFormat']),
  /** [height, width, channels] -> [channels], the mean over all pixels. */
  globalAveragePooling2d: (c) => layerConfig('GlobalAveragePooling2D', c, [...COMMON, 'dataFormat']),
  /** Any shape -> one flat vector per sample. */
  flatten: (c) => layerConfig('Flatten', c, [...COMMON, 'dataFormat']),
  /** The same values under targetShape (one entry may be -1). */
  reshape: (c) => layerConfig('Reshape', c, [...COMMON, 'targetShape']),
  /** Normalize over the last axis: batch statistics when training, moving ones when predicting. */
  batchNormalization: (c) => layerConfig('BatchNormalization', c, [...COMMON, 'axis', 'momentum', 'epsilon']),
};
// TF.js's shorter aliases
layers.maxPool2d = layers.maxPooling2d;
layers.avgPool2d = layers.averagePooling2d;
layers.globalAvgPool2d = layers.globalAveragePooling2d;

/** A size option given as n or [h, w]: returns [h, w] of positive integers. */
function pair(v, what, cls) {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`nnplay: ${cls} layer: ${what} must be a positive integer or [height, width], got ${JSON.stringify(v)}`);
  }
  return p;
}

function paddingId(v, cls) {
  if (v == null) return PADDING.valid;
  if (!(v in PADDING)) throw new Error(`nnplay: ${cls} layer: padding must be 'valid' or 'same', got ${JSON.stringify(v)}`);
  return PADDING[v];
}

function channelsLast(cfg, cls) {
  if (cfg.dataFormat != null && cfg.dataFormat !== 'channelsLast') {
    throw new Error(`nnplay: ${cls} layer: only dataFormat 'channelsLast' (NHWC) is supported, got '${cfg.dataFormat}'`);
  }
}

/** The spec of a layer added through nnw_model_add_spec: ints and floats as bridge.c lists them. */
function specOf(layer, l1, l2) {
  const cfg = layer.config;
  const cls = layer.className;
  const iv = new Int32Array(15);
  const fv = new Float32Array(6);
  iv[0] = LAYER[Object.keys(CLASS_OF).find((k) => CLASS_OF[k] === cls)];
  iv[3] = cfg.useBias === false ? 0 : 1;
  switch (cls) {
    case 'Conv2D': {
      channelsLast(cfg, cls);
      if (!Number.isInteger(cfg.filters) || cfg.filters <= 0) {
        throw new Error(`nnplay: conv2d layer: filters must be a positive integer, got ${cfg.filters}`);
      }
      if (cfg.kernelSize == null) throw new Error('nnplay: conv2d layer: kernelSize is missing, e.g. kernelSize: 3');
      const k = pair(cfg.kernelSize, 'kernelSize', 'conv2d');
      const st = pair(cfg.strides ?? 1, 'strides', 'conv2d');
      iv.set([cfg.filters, actId(cfg.activation)], 1);
      iv.set([initId(cfg.kernelInitializer, INIT.glorotUniform), initId(cfg.biasInitializer, INIT.zeros),
        k[0], k[1], st[0], st[1], paddingId(cfg.padding, 'conv2d')], 4);
      fv.set([cfg.alpha || 0, 0, l1, l2]);
      break;
    }
    case 'MaxPooling2D': case 'AveragePooling2D': {
      const what = cls === 'MaxPooling2D' ? 'maxPooling2d' : 'averagePooling2d';
      channelsLast(cfg, what);
      const k = pair(cfg.poolSize ?? 2, 'poolSize', what);
      const st = pair(cfg.strides ?? k, 'strides', what);
      iv.set([k[0], k[1], st[0], st[1], paddingId(cfg.padding, what)], 6);
      break;
    }
    case 'GlobalAveragePooling2D': case 'Flatten':
      channelsLast(cfg, cls);
      break;
    case 'Reshape': {
      const t = cfg.targetShape;
      if (!Array.isArray(t) || t.length < 1 || t.length > 3 || !t.every((d) => Number.isInteger(d) && (d > 0 || d === -1))) {
        throw new Error(`nnplay: reshape layer: targetShape must be 1 to 3 positive integers (one may be -1), got ${JSON.stringify(t)}`);
      }
      iv[11] = t.length;
      iv.set(t, 12);
      break;
    }
    case 'BatchNormalization': {
      if (cfg.axis != null && cfg.axis !== -1) {
        throw new Error(`nnplay: batchNormalization layer: only axis -1 (the last, channels) is supported, got ${cfg.axis}`);
      }
      const { momentum = 0.99, epsilon = 1e-3 } = cfg;
      if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) {
        throw new Error(`nnplay: batchNormalization layer: momentum must be in [0, 1], got ${momentum}`);
      }
      if (typeof epsilon !== 'number' || !(epsilon > 0)) {
        throw new Error(`nnplay: batchNormalization layer: epsilon must be a positive number, got ${epsilon}`);
      }
      fv[4] = momentum;
      fv[5] = epsilon;
      break;
    }
    default:
      throw new Error(`nnplay: unknown layer type '${cls}'`);
  }
  return { iv, fv };
}

export const regularizers = {
  l1: ({ l1 = 0.01 } = {}) => ({ l1, l2: 0 }),
  l2: ({ l2 = 0.01 } = {}) => ({ l1: 0, l2 }),
  l1l2: ({ l1 = 0.01, l2 = 0.01 } = {}) => ({ l1, l2 }),
};

const optimizer = (type, o) => Object.freeze({ type, lr: 0.01, momentum: 0, nesterov: 0, beta1: 0.9,
  beta2: 0.999, rho: 0.9, eps: 1e-7, initialAccumulator: 0.1, ...o });

/** Optimizers with TF.js's signatures and defaults. */
export const train = {
  sgd: (learningRate = 0.01) => optimizer('sgd', { lr: learningRate }),
  momentum: (learningRate = 0.01, momentum = 0.9, useNesterov = false) =>
    optimizer('sgd', { lr: learningRate, momentum, nesterov: useNesterov ? 1 : 0 }),
  adam: (learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7) =>
    optimizer('adam', { lr: learningRate, beta1, beta2, eps: epsilon }),
  rmsprop: (learningRate = 0.001, decay = 0.9, momentum = 0, epsilon = 1e-7) =>
    optimizer('rmsprop', { lr: learningRate, rho: decay, momentum, eps: epsilon }),
  adagrad: (learningRate = 0.01, initialAccumulatorValue = 0.1) =>
    optimizer('adagrad', { lr: learningRate, initialAccumulator: initialAccumulatorValue }),
};

function toOptimizer(o) {
  if (typeof o === 'string') {
    const f = train[o];
    if (!f) throw new Error(`nnplay: unknown optimizer '${o}' (known: ${Object.keys(train).join(', ')})`);
    return f();
  }
  if (!o || typeof o !== 'object' || !(o.type in OPT)) {
    throw new Error('nnplay: compile needs an optimizer: a name like \'adam\' or nn.train.adam(0.01)');
  }
  return o;
}

// ---- yielding to the event loop: cheap, not tied to frames ----
const yieldNow = (() => {
  if (typeof setImmediate === 'function') return () => new Promise((r) => setImmediate(r));
  if (typeof MessageChannel === 'function') {
    // setTimeout(0) is clamped to >= 4 ms after nesting in browsers; a message is not.
    const ch = new MessageChannel();
    const queue = [];
    ch.port1.onmessage = () => queue.shift()();
    return () => new Promise((r) => { queue.push(r); ch.port2.postMessage(0); });
  }
  return () => new Promise((r) => setTimeout(r, 0));
})();
const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

// Finalizers catch models that are garbage-collected without dispose(): their C memory is freed.
const finalizer = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((ptr) => { if (core) core._nn_model_free(ptr); }) : null;

/** A stack of layers, as tf.sequential. */
export class Sequential {
  /** @param {{layers?: object[], seed?: number, name?: string}} [args] */
  constructor(args = {}) {
    C();
    this.name = args.name || 'sequential';
    this.seed = args.seed == null ? (Math.random() * 0x100000000) >>> 0 : args.seed >>> 0;
    this._ptr = 0;
    this._layers = [];
    this._compiled = null;
    this._busy = false;
    this._disposed = false;
    this.stopTraining = false;
    try {
      for (const l of args.layers || []) this.add(l);
    } catch (err) {
      this.dispose(); // a half-built model must not hold wasm memory until GC
      throw err;
    }
  }

  _m() {
    if (this._disposed) throw new Error('nnplay: this model was disposed; create a new one');
    if (!this._ptr) throw new Error('nnplay: the model has no layers yet; add one with an inputShape');
    return this._ptr;
  }

  _notBusy(what) {
    if (this._busy) throw new Error(`nnplay: cannot ${what} while fit() is running on this model`);
  }

  _error(status, what) {
    const msg = this._ptr ? cstr(C()._nn_model_error(this._ptr)) : '';
    return new Error(`nnplay: ${what}: ${msg || `error ${status}`}`);
  }

  /** Append a layer made by nn.layers.*. */
  add(layer) {
    if (this._disposed) throw new Error('nnplay: this model was disposed; create a new one');
    this._notBusy('add layers');
    if (!layer || !layer.className || !layer.config) {
      throw new Error('nnplay: add() takes a layer made by nn.layers.dense(...), nn.layers.dropout(...), ...');
    }
    const c = C();
    const cfg = layer.config;
    if (!this._ptr) {
      let shape = cfg.inputShape || (cfg.batchInputShape && cfg.batchInputShape.slice(1)) ||
        (cfg.inputDim && [cfg.inputDim]);
      if (!shape) throw new Error('nnplay: the first layer needs an inputShape, e.g. inputShape: [2]');
      if (!Array.isArray(shape) || shape.length < 1 || shape.length > 3 ||
          !shape.every((d) => Number.isInteger(d) && d > 0)) {
        throw new Error(`nnplay: inputShape must be 1 to 3 positive integers, got ${JSON.stringify(shape)}`);
      }
      const s = [...shape, 0, 0];
      this._ptr = c._nnw_model_create(shape.length, s[0], s[1], s[2], this.seed);
      if (!this._ptr) throw new Error('nnplay: out of memory creating the model');
      if (finalizer) finalizer.register(this, this._ptr, this);
    }
    let st;
    const reg = cfg.kernelRegularizer || {};
    const l1 = cfg.l1 ?? reg.l1 ?? 0;
    const l2 = cfg.l2 ?? reg.l2 ?? 0;
    switch (layer.className) {
      case 'Dense': {
        if (!Number.isInteger(cfg.units) || cfg.units <= 0) {
          throw new Error(`nnplay: dense layer: units must be a positive integer, got ${cfg.units}`);
        }
        st = c._nnw_model_add(this._ptr, LAYER.dense, cfg.units, actId(cfg.activation),
          cfg.useBias === false ? 0 : 1, initId(cfg.kernelInitializer, INIT.glorotUniform),
          initId(cfg.biasInitializer, INIT.zeros), cfg.alpha || 0, 0, l1, l2);
        break;
      }
      case 'Activation':
        st = c._nnw_model_add(this._ptr, LAYER.activation, 0, actId(cfg.activation), 0, 0, 0,
          cfg.alpha || 0, 0, 0, 0);
        break;
      case 'Dropout': {
        const rate = cfg.rate;
        if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
          throw new Error(`nnplay: dropout layer: rate must be a number in [0, 1), got ${rate}`);
        }
        st = c._nnw_model_add(this._ptr, LAYER.dropout, 0, 0, 0, 0, 0, 0, rate, 0, 0);
        break;
      }
      default: {
        const { iv, fv } = specOf(layer, l1, l2);
        st = withAlloc(84, 'layer spec', (p) => {
          heapI32().set(iv, p >> 2);
          heapF32().set(fv, (p >> 2) + 15);
          return c._nnw_model_add_spec(this._ptr, p, p + 60);
        });
      }
    }
    if (st !== 0) throw this._error(st, `adding a ${layer.className} layer`);
    this._layers.push(layer);
    this._compiled = null; // the C side dropped its optimizer state: compile again
    return this;
  }

  /** @param {{optimizer: string|object, loss: string, metrics?: string[], fromLogits?: boolean}} args */
  compile(args = {}) {
    const m = this._m();
    this._notBusy('compile');
    checkKeys(args, ['optimizer', 'loss', 'metrics', 'fromLogits'], 'compile');
    const opt = toOptimizer(args.optimizer);
    if (args.loss == null) throw new Error('nnplay: compile needs a loss, e.g. loss: \'meanSquaredError\'');
    const loss = LOSS[keyOf(LOSS, LOSS_ALIASES, args.loss, 'loss')];
    const metrics = (args.metrics || []).map((name) => {
      const k = METRIC_ALIASES[name] || name;
      if (!(k in METRIC_INDEX) || k === 'loss') {
        throw new Error(`nnplay: unknown metric '${name}' (known: accuracy, precision, recall, f1, mse, mae, r2)`);
      }
      return { name, index: METRIC_INDEX[k] };
    });
    const st = C()._nnw_model_compile(m, OPT[opt.type], opt.lr, opt.momentum, opt.nesterov, opt.beta1,
      opt.beta2, opt.rho, opt.eps, opt.initialAccumulator, loss, args.fromLogits ? 1 : 0);
    if (st !== 0) throw this._error(st, 'compile');
    this._compiled = { loss, lossName: lossName(loss), metrics, optimizer: opt, fromLogits: !!args.fromLogits };
    return this;
  }

  _needCompiled(what) {
    this._m();
    if (!this._compiled) throw new Error(`nnplay: ${what}: compile the model first (model.compile({...}))`);
  }

  get inputSize() { return C()._nn_model_input_size(this._m()); }
  get outputSize() { return C()._nn_model_output_size(this._m()); }
  get inputShape() {
    const m = this._m();
    return withAlloc(12, 'shape', (p) => {
      const rank = C()._nnw_input_shape(m, p);
      return Array.from(heapI32().subarray(p >> 2, (p >> 2) + rank));
    });
  }
  get outputShape() { return this.layerInfo(this._layers.length - 1).outputShape; }
  get layers() { return this._layers.map((l, i) => ({ ...l, ...this.layerInfo(i) })); }

  /** Type, units, activation, output shape and parameter count of layer i. */
  layerInfo(i) {
    const m = this._m();
    return withAlloc(68, 'layer info', (p) => {
      if (C()._nnw_layer_info(m, i, p) !== 0) throw new Error(`nnplay: no layer ${i}`);
      const v = heapI32().slice(p >> 2, (p >> 2) + 17);
      const type = Object.keys(LAYER).find((k) => LAYER[k] === v[0]);
      C()._nnw_layer_floats(m, i, p);
      const f = heapF32().slice(p >> 2, (p >> 2) + 6);
      const info = { type, className: CLASS_OF[type], units: v[1], activation: actName(v[2]), useBias: !!v[3],
        outputShape: Array.from(v.subarray(5, 5 + v[4])), numParams: v[8], paramOffset: v[9],
        numState: v[15], stateOffset: v[16], alpha: f[0], rate: f[1], l1: f[2], l2: f[3] };
      if (type === 'conv2d' || type === 'maxPooling2d' || type === 'averagePooling2d') {
        Object.assign(info, { kernelSize: [v[10], v[11]], strides: [v[12], v[13]], padding: v[14] ? 'same' : 'valid' });
      }
      if (type === 'conv2d') info.filters = v[1];
      if (type === 'batchNormalization') Object.assign(info, { momentum: f[4], epsilon: f[5] });
      return info;
    });
  }

  /** All weights, as TF.js counts them: trainable ones plus batchnorm's moving statistics. */
  countParams() { return C()._nn_model_num_params(this._m()) + C()._nn_model_num_state(this._ptr); }

  /** The learning rate, settable between epochs or batches. */
  get learningRate() { this._needCompiled('learningRate'); return C()._nn_model_get_lr(this._ptr); }
  set learningRate(lr) {
    this._needCompiled('learningRate');
    const st = C()._nn_model_set_lr(this._ptr, lr);
    if (st !== 0) throw this._error(st, 'learningRate');
  }

  /** Optimizer steps taken so far. */
  get steps() { return C()._nnw_step_count(this._m()); }

  _labelSize() { return C()._nn_model_label_size(this._ptr); }

  _labels(y, n, what) {
    const ly = this._labelSize();
    const hint = ly === 1 && this._compiled.loss === LOSS.sparseCategoricalCrossentropy
      ? 'one class index per sample' : `${ly} value(s) per sample, the model's output size`;
    const rows = toRows(y, ly, what, hint);
    if (rows.n !== n) throw new Error(`nnplay: x has ${n} samples but ${what} has ${rows.n}`);
    return rows.values; // values are checked by the core (evaluate, trainOnBatch) or _checkLabels (fit)
  }

  _checkLabels(py, n, what) {
    const st = C()._nn_model_check_labels(this._ptr, py, n);
    if (st !== 0) throw this._error(st, what);
  }

  _inputs(x, what = 'x') {
    const inSize = this.inputSize;
    const rows = toRows(x, inSize, what, `inputShape [${this.inputShape.join(', ')}]`);
    checkFinite(rows.values, what, inSize);
    return rows;
  }

  /** Outputs for x, as one Float32Array of n * outputSize values (row-major). */
  predict(x) {
    const m = this._m();
    const { values, n } = this._inputs(x);
    const k = this.outputSize;
    const px = copyF32In(values, 'predict inputs');
    try {
      return withAlloc(n * k * 4, 'predictions', (py) => {
        const st = C()._nn_model_predict(m, px, n, py);
        if (st !== 0) throw this._error(st, 'predict');
        return heapF32().slice(py >> 2, (py >> 2) + n * k);
      });
    } finally { free(px); }
  }

  _readMetrics(mt, prefix = '', withConfusion = false) {
    return withAlloc(88, 'metrics', (p) => {
      C()._nnw_metrics_read(mt, p);
      const v = heapF64().slice(p >> 3, (p >> 3) + 11);
      const logs = { [`${prefix}loss`]: v[0] };
      for (const { name, index } of this._compiled.metrics) logs[prefix + name] = v[index];
      if (withConfusion) {
        const k = v[9];
        logs.confusionMatrix = withAlloc(k * k * 4, 'confusion matrix', (q) => {
          C()._nnw_metrics_confusion(mt, q);
          const flat = heapI32().slice(q >> 2, (q >> 2) + k * k);
          return Array.from({ length: k }, (_, r) => Array.from(flat.subarray(r * k, r * k + k)));
        });
        Object.assign(logs, { accuracy: logs.accuracy ?? v[1], precision: v[2], recall: v[3], f1: v[4],
          mse: v[5], mae: v[6], r2: v[7] });
      }
      return logs;
    });
  }

  _evaluatePtr(px, py, n, mt, prefix) {
    const st = C()._nnw_evaluate(this._ptr, px, py, n, mt);
    if (st !== 0) throw this._error(st, 'evaluate');
    return this._readMetrics(mt, prefix);
  }

  /** Loss and every metric on (x, y): { loss, accuracy, precision, recall, f1, mse, mae, r2, confusionMatrix }. */
  evaluate(x, y) {
    this._needCompiled('evaluate');
    const { values, n } = this._inputs(x);
    const yv = this._labels(y, n, 'y');
    const c = C();
    const px = copyF32In(values, 'evaluate inputs');
    let py = 0;
    let mt = 0;
    try {
      py = copyF32In(yv, 'evaluate labels');
      mt = c._nnw_metrics_new(this._ptr);
      if (!mt) throw new Error('nnplay: out of memory for metrics');
      const st = c._nnw_evaluate(this._ptr, px, py, n, mt);
      if (st !== 0) throw this._error(st, 'evaluate');
      return this._readMetrics(mt, '', true);
    } finally {
      free(px); free(py);
      if (mt) c._nnw_metrics_free(mt);
    }
  }

  /** One optimizer step on one batch; returns its loss. */
  trainOnBatch(x, y) {
    this._needCompiled('trainOnBatch');
    const { values, n } = this._inputs(x);
    const yv = this._labels(y, n, 'y');
    const px = copyF32In(values, 'batch inputs');
    let py = 0;
    try {
      py = copyF32In(yv, 'batch labels');
      return withAlloc(4, 'loss', (pl) => {
        const st = C()._nnw_train_batch(this._ptr, px, py, n, pl);
        if (st !== 0) throw this._error(st, 'trainOnBatch');
        return heapF32()[pl >> 2];
      });
    } finally { free(px); free(py); }
  }

  /**
   * Train. The data is copied into wasm memory once; batches run in C in chunks of about
   * `yieldEvery` ms, between which the event loop runs (callbacks, rendering).
   * @returns {Promise<{epoch: number[], history: Object<string, number[]>}>}
   */
  async fit(x, y, args = {}) {
    this._needCompiled('fit');
    this._notBusy('fit');
    checkKeys(args, FIT_KEYS, 'fit');
    const { epochs = 1, batchSize = 32, shuffle = true, validationSplit = 0, validationData,
      verbose = 0, initialEpoch = 0, yieldEvery = 16 } = args;
    if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`nnplay: fit: epochs must be an integer >= 0, got ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`nnplay: fit: batchSize must be a positive integer, got ${batchSize}`);
    if (!(validationSplit >= 0 && validationSplit < 1)) throw new Error(`nnplay: fit: validationSplit must be in [0, 1), got ${validationSplit}`);
    const aug = augmentOptions(args.augment);
    const cbs = [].concat(args.callbacks || []);
    const { values: xv, n: nAll } = this._inputs(x);
    const yAll = this._labels(y, nAll, 'y');
    const inSize = this.inputSize;
    const ly = this._labelSize();
    // Keras's validationSplit: the last fraction, taken before shuffling
    let nTrain = nAll;
    let val = null;
    if (validationData) {
      if (!Array.isArray(validationData) || validationData.length !== 2) {
        throw new Error('nnplay: fit: validationData must be [x, y]');
      }
      const [vx, vy] = validationData;
      const r = this._inputs(vx, 'validationData x');
      val = { x: r.values, y: this._labels(vy, r.n, 'validationData y'), n: r.n };
    } else if (validationSplit > 0) {
      const nVal = Math.floor(nAll * validationSplit);
      nTrain = nAll - nVal;
      if (nVal > 0) val = { x: xv.subarray(nTrain * inSize), y: yAll.subarray(nTrain * ly), n: nVal };
    }
    if (nTrain <= 0) throw new Error('nnplay: fit: no training samples left after the validation split');

    const c = C();
    const m = this._ptr;
    if (c._nn_model_set_augment(m, aug.shift, aug.flip) !== 0) throw this._error(-1, 'fit');
    const ptrs = [];
    const alloc = (bytes, what) => { const p = malloc(bytes, what); ptrs.push(p); return p; };
    const put = (arr, what) => { const p = alloc(arr.length * 4, what); heapF32().set(arr, p >> 2); return p; };
    let mt = 0;
    let vmt = 0;
    this._busy = true;
    this.stopTraining = false;
    const history = { epoch: [], history: {}, params: { epochs, batchSize, samples: nTrain } };
    const perBatch = cbs.some((cb) => cb.onBatchBegin || cb.onBatchEnd);
    const call = async (name, ...a) => { for (const cb of cbs) if (cb[name]) await cb[name](...a); };
    try {
      const px = put(xv.subarray(0, nTrain * inSize), 'training inputs');
      const py = put(yAll.subarray(0, nTrain * ly), 'training labels');
      const vx = val ? put(val.x, 'validation inputs') : 0;
      const vy = val ? put(val.y, 'validation labels') : 0;
      // every label before the first step, so a bad one cannot half-train the model
      this._checkLabels(py, nTrain, 'y');
      if (val) this._checkLabels(vy, val.n, 'validationData y');
      const perm = alloc(nTrain * 4, 'the shuffle order');
      mt = c._nnw_metrics_new(m);
      vmt = val ? c._nnw_metrics_new(m) : 0;
      if (!mt || (val && !vmt)) throw new Error('nnplay: out of memory for metrics');
      const steps = Math.ceil(nTrain / batchSize);
      let chunk = 1; // batches per call into wasm, tuned to take about yieldEvery ms
      let lastYield = now();
      await call('onTrainBegin', {});
      for (let epoch = initialEpoch; epoch < epochs && !this.stopTraining && !this._disposed; epoch++) {
        await call('onEpochBegin', epoch, {});
        if (shuffle) c._nn_model_permutation(m, perm, nTrain);
        else { const v = heapI32(); for (let i = 0; i < nTrain; i++) v[(perm >> 2) + i] = i; }
        c._nn_metrics_reset(mt);
        const t0 = now();
        let pos = 0;
        let batch = 0;
        while (pos < nTrain && !this.stopTraining && !this._disposed) {
          const nb = perBatch ? 1 : chunk;
          if (perBatch) await call('onBatchBegin', batch, { batch, size: Math.min(batchSize, nTrain - pos) });
          const before = perBatch ? this._sumLoss(mt) : null;
          const tc = now();
          const got = c._nn_model_train_steps(m, px, py, nTrain, perm, pos, nb, batchSize, mt);
          if (got < 0) throw this._error(got, `fit (epoch ${epoch + 1})`);
          const dt = now() - tc;
          if (!perBatch) chunk = Math.max(1, Math.min(1 << 16, Math.round(chunk * (dt > 0 ? Math.min(4, (yieldEvery / 2) / dt) : 4)) || 1));
          pos += got;
          if (perBatch) {
            const after = this._sumLoss(mt);
            await call('onBatchEnd', batch, { batch, size: after.count - before.count,
              loss: (after.sum - before.sum) / (after.count - before.count) });
          }
          batch += nb;
          if (now() - lastYield >= yieldEvery) { await yieldNow(); lastYield = now(); }
        }
        if (this._disposed) break;
        const logs = this._readMetrics(mt);
        if (val) Object.assign(logs, this._evaluatePtr(vx, vy, val.n, vmt, 'val_'));
        history.epoch.push(epoch);
        for (const [k, v] of Object.entries(logs)) (history.history[k] ||= []).push(v);
        if (verbose) this._printEpoch(epoch, epochs, steps, now() - t0, logs);
        await call('onEpochEnd', epoch, logs);
      }
      await call('onTrainEnd', {});
      return history;
    } finally {
      this._busy = false;
      if (!this._disposed) c._nn_model_set_augment(m, 0, 0); // augmentation lasts one fit call
      for (const p of ptrs) free(p);
      if (mt) c._nnw_metrics_free(mt);
      if (vmt) c._nnw_metrics_free(vmt);
      if (this._disposed && this._ptr) this._freeNow();
    }
  }

  _sumLoss(mt) {
    return withAlloc(88, 'metrics', (p) => {
      C()._nnw_metrics_read(mt, p);
      const v = heapF64();
      return { sum: v[(p >> 3) + 10], count: v[(p >> 3) + 8] };
    });
  }

  _printEpoch(epoch, epochs, steps, ms, logs) {
    const parts = Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`);
    console.log(`Epoch ${epoch + 1}/${epochs}\n${steps}/${steps} [==============================] - ` +
      `${(ms / 1000).toFixed(1)}s ${Math.round((ms * 1000) / steps)}us/step - ${parts.join(' - ')}`);
  }

  /**
   * Weights in TF.js's order and layouts: dense kernel [inputs, units], bias [units]; conv2d kernel
   * [kh, kw, inChannels, filters], bias [filters]; batchNormalization gamma, beta, movingMean,
   * movingVariance [channels] (the last two are non-trainable state).
   */
  getWeights() {
    const m = this._m();
    const out = [];
    for (let i = 0; i < this._layers.length; i++) {
      const info = this.layerInfo(i);
      for (const { shape, offset, state } of this._tensorsOf(i, info)) {
        const size = shape.reduce((a, b) => a * b, 1);
        const base = ((state ? C()._nn_model_state(m) : C()._nn_model_params(m)) >> 2) + offset;
        const w = heapF32().slice(base, base + size);
        w.shape = shape;
        out.push(w);
      }
    }
    return out;
  }

  _tensorsOf(i, info) {
    const inShape = i === 0 ? this.inputShape : this.layerInfo(i - 1).outputShape;
    const inSize = inShape.reduce((a, b) => a * b, 1);
    const o = info.paramOffset;
    switch (info.type) {
      case 'dense': {
        const t = [{ shape: [inSize, info.units], offset: o }];
        if (info.useBias) t.push({ shape: [info.units], offset: o + inSize * info.units });
        return t;
      }
      case 'conv2d': {
        const [kh, kw] = info.kernelSize;
        const k = kh * kw * inShape[2] * info.units;
        const t = [{ shape: [kh, kw, inShape[2], info.units], offset: o }];
        if (info.useBias) t.push({ shape: [info.units], offset: o + k });
        return t;
      }
      case 'batchNormalization': {
        const ch = inShape[inShape.length - 1];
        const s = info.stateOffset;
        return [{ shape: [ch], offset: o }, { shape: [ch], offset: o + ch },
          { shape: [ch], offset: s, state: true }, { shape: [ch], offset: s + ch, state: true }];
      }
      default:
        return [];
    }
  }

  /** Set weights from getWeights()'s layout: typed arrays, nested arrays or TF.js tensors. */
  setWeights(weights) {
    const m = this._m();
    const slots = [];
    for (let i = 0; i < this._layers.length; i++) slots.push(...this._tensorsOf(i, this.layerInfo(i)));
    if (!Array.isArray(weights) || weights.length !== slots.length) {
      throw new Error(`nnplay: setWeights needs ${slots.length} arrays (as getWeights() returns them), ` +
        `got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    const vals = weights.map((w, j) => {
      const { values } = flatten(w, `weights[${j}]`);
      const size = slots[j].shape.reduce((a, b) => a * b, 1);
      if (values.length !== size) {
        throw new Error(`nnplay: weights[${j}] has ${values.length} values, expected ${size} ` +
          `(shape [${slots[j].shape.join(', ')}])`);
      }
      checkFinite(values, `weights[${j}]`, size);
      return values;
    });
    const base = C()._nn_model_params(m) >> 2;
    const sbase = C()._nn_model_state(m) >> 2;
    vals.forEach((v, j) => heapF32().set(v, (slots[j].state ? sbase : base) + slots[j].offset));
  }

  /** Keras-style summary; printed with printFn (console.log by default) and returned. */
  summary(printFn = console.log) {
    const m = this._m();
    const n = C()._nn_model_summary(m, 0, 0) + 1;
    const text = withAlloc(n, 'summary', (p) => { C()._nn_model_summary(m, p, n); return cstr(p); });
    if (printFn) printFn(text);
    return text;
  }

  /** The model file (architecture, weights, optimizer state) as bytes. */
  save() {
    const m = this._m();
    return withAlloc(4, 'size', (ps) => {
      const p = C()._nnw_save(m, ps);
      if (!p) throw new Error(`nnplay: save: out of memory (${cstr(C()._nn_model_error(m)) || 'no message'})`);
      try {
        const size = heapU8().subarray(ps, ps + 4);
        const len = size[0] | (size[1] << 8) | (size[2] << 16) | (size[3] << 24);
        return heapU8().slice(p, p + len);
      } finally { free(p); }
    });
  }

  _freeNow() {
    if (finalizer) finalizer.unregister(this);
    C()._nn_model_free(this._ptr);
    this._ptr = 0;
  }

  /** Free the model's wasm memory. Safe to call twice; during fit, training stops first. */
  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    if (!this._busy && this._ptr) this._freeNow();
  }

  get isDisposed() { return this._disposed; }
}

/** tf.sequential: a model from a list of layers. */
export const sequential = (args) => new Sequential(args);

/** Rebuild a model from bytes made by save() (here, natively, or in another browser). */
export function loadModel(bytes) {
  const c = C();
  let u8;
  if (bytes instanceof Uint8Array) u8 = bytes;
  else if (bytes instanceof ArrayBuffer) u8 = new Uint8Array(bytes);
  else if (ArrayBuffer.isView(bytes)) u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  else throw new Error('nnplay: loadModel takes the bytes from model.save() (Uint8Array or ArrayBuffer)');
  const pb = malloc(u8.length, 'model bytes');
  let pe = 0;
  try {
    heapU8().set(u8, pb);
    pe = malloc(256, 'an error message');
    heapU8()[pe] = 0;
    const ptr = c._nn_model_load(pb, u8.length, pe);
    if (!ptr) throw new Error(`nnplay: loadModel: ${cstr(pe) || 'cannot load the model'}`);
    const model = Object.create(Sequential.prototype);
    Object.assign(model, { name: 'sequential', seed: 0, _ptr: ptr, _layers: [], _compiled: null,
      _busy: false, _disposed: false, stopTraining: false });
    if (finalizer) finalizer.register(model, ptr, model);
    for (let i = 0; i < c._nn_model_num_layers(ptr); i++) {
      const info = model.layerInfo(i);
      model._layers.push(Object.freeze({ className: info.className, config: configOf(info) }));
    }
    model._restoreCompile();
    return model;
  } finally { free(pb); free(pe); }
}

/** A loaded layer's config in TF.js's names (what nn.layers.* would have been given). */
function configOf(info) {
  switch (info.type) {
    case 'dense': return { units: info.units, activation: info.activation, useBias: info.useBias };
    case 'activation': return { activation: info.activation };
    case 'dropout': return { rate: info.rate };
    case 'conv2d': return { filters: info.units, kernelSize: info.kernelSize, strides: info.strides,
      padding: info.padding, activation: info.activation, useBias: info.useBias };
    case 'maxPooling2d': case 'averagePooling2d':
      return { poolSize: info.kernelSize, strides: info.strides, padding: info.padding };
    case 'reshape': return { targetShape: info.outputShape };
    case 'batchNormalization': return { momentum: info.momentum, epsilon: info.epsilon };
    default: return {};
  }
}

Sequential.prototype._restoreCompile = function restoreCompile() {
  const v = withAlloc(44, 'compile info', (p) => {
    if (C()._nnw_compile_info(this._ptr, p) !== 0) return null;
    return heapF32().slice(p >> 2, (p >> 2) + 11);
  });
  if (!v) return;
  const opt = optimizer(optName(v[2]), { lr: v[3], momentum: v[4], nesterov: v[5], beta1: v[6], beta2: v[7],
    rho: v[8], eps: v[9], initialAccumulator: v[10] });
  const metrics = v[0] === LOSS.meanSquaredError || v[0] === LOSS.meanAbsoluteError
    ? [{ name: 'mae', index: METRIC_INDEX.mae }] : [{ name: 'accuracy', index: METRIC_INDEX.accuracy }];
  this._compiled = { loss: v[0], lossName: lossName(v[0]), metrics, optimizer: opt, fromLogits: !!v[1] };
};

// ---- data: generators, preprocessing, CSV (all computed by the C core) ----
const DATA_KIND = { circle: 0, xor: 1, gauss: 2, spiral: 3, moons: 4, checkerboard: 5, plane: 6,
  gaussBumps: 7, blobs: 8, multiSpiral: 9 };
const DATA_ALIASES = { gauss_bumps: 'gaussBumps', multi_spiral: 'multiSpiral' };

export const data = {
  kinds: Object.keys(DATA_KIND),
  /** A 2D dataset: { x: Float32Array (n x 2), y: Float32Array (n), numClasses, regression }. */
  generate(kind, { n = 500, noise = 0, seed = 1, numClasses = 0 } = {}) {
    const k = DATA_KIND[keyOf(DATA_KIND, DATA_ALIASES, kind, 'dataset')];
    if (!Number.isInteger(n) || n <= 0 || n > 1e7) throw new Error(`nnplay: data.generate: n must be a positive integer, got ${n}`);
    if (!(noise >= 0 && noise <= 1)) throw new Error(`nnplay: data.generate: noise must be in [0, 1], got ${noise}`);
    const c = C();
    const px = malloc(n * 8, 'dataset');
    try {
      return withAlloc(n * 4, 'dataset labels', (py) => {
        const st = c._nn_data_generate(k, n, noise, numClasses, seed >>> 0, px, py);
        if (st !== 0) throw new Error(`nnplay: data.generate('${kind}') failed (status ${st}); numClasses must be 2..8`);
        const y = heapF32().slice(py >> 2, (py >> 2) + n);
        const regression = k === DATA_KIND.plane || k === DATA_KIND.gaussBumps;
        const numCls = regression ? 0 : k === DATA_KIND.blobs || k === DATA_KIND.multiSpiral ? (numClasses > 0 ? numClasses : 3) : 2;
        return { x: heapF32().slice(px >> 2, (px >> 2) + 2 * n), y, n, numClasses: numCls, regression };
      });
    } finally { free(px); }
  },

  /** Shuffled split (the core's nn_data_split; seed 0 keeps the order): { xTrain, yTrain, xTest, yTest }. */
  split(x, y, { testFraction = 0.2, seed = 1, xCols = 2, yCols = 1 } = {}) {
    const xv = flatten(x, 'x').values;
    const yv = flatten(y, 'y').values;
    const n = xv.length / xCols;
    if (!Number.isInteger(n) || yv.length !== n * yCols) {
      throw new Error(`nnplay: data.split: x has ${xv.length / xCols} rows of ${xCols}, y has ${yv.length / yCols} rows of ${yCols}`);
    }
    if (!(testFraction >= 0 && testFraction <= 1)) throw new Error(`nnplay: data.split: testFraction must be in [0, 1], got ${testFraction}`);
    const c = C();
    const ptrs = [];
    try {
      const px = copyF32In(xv, 'split inputs'); ptrs.push(px);
      const py = copyF32In(yv, 'split labels'); ptrs.push(py);
      const out = malloc((xv.length + yv.length) * 4 + 4, 'split output'); ptrs.push(out);
      const pxTr = out;
      const pyTr = pxTr + xv.length * 4;
      const pNt = pyTr + yv.length * 4;
      const nTest = Math.round(n * testFraction);
      const nTr = n - nTest;
      const st = c._nn_data_split(px, py, n, xCols, yCols, testFraction, seed >>> 0, pxTr, pyTr,
        pxTr + nTr * xCols * 4, pyTr + nTr * yCols * 4, pNt);
      if (st !== 0) throw new Error(`nnplay: data.split failed (status ${st})`);
      const f = heapF32();
      const at = (p, len) => f.slice(p >> 2, (p >> 2) + len);
      return { xTrain: at(pxTr, nTr * xCols), yTrain: at(pyTr, nTr * yCols),
        xTest: at(pxTr + nTr * xCols * 4, nTest * xCols), yTest: at(pyTr + nTr * yCols * 4, nTest * yCols) };
    } finally { ptrs.forEach(free); }
  },

  /** One-hot rows for integer labels 0..k-1. */
  oneHot(labels, k) {
    const { values } = flatten(labels, 'labels');
    const out = new Float32Array(values.length * k);
    values.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= k) throw new Error(`nnplay: oneHot: label ${v} at ${i} is not in 0..${k - 1}`);
      out[i * k + v] = 1;
    });
    return out;
  },

  /** Standardize columns of x (a Float32Array, changed in place); returns { mean, std } to apply to other data. */
  standardize(x, cols, stats) {
    if (!(x instanceof Float32Array) || !Number.isInteger(cols) || cols <= 0 || x.length % cols) {
      throw new Error('nnplay: data.standardize takes a Float32Array and its column count');
    }
    const c = C();
    const ptrs = [];
    try {
      const px = copyF32In(x, 'standardize input'); ptrs.push(px);
      const ps = malloc(cols * 8, 'column stats'); ptrs.push(ps);
      const n = x.length / cols;
      if (stats) heapF32().set([...stats.mean, ...stats.std], ps >> 2);
      else if (c._nn_standardize_fit(px, n, cols, ps, ps + cols * 4) !== 0) throw new Error('nnplay: data.standardize failed');
      c._nn_standardize_apply(px, n, cols, ps, ps + cols * 4);
      const f = heapF32();
      x.set(f.subarray(px >> 2, (px >> 2) + x.length));
      return { mean: f.slice(ps >> 2, (ps >> 2) + cols), std: f.slice((ps >> 2) + cols, (ps >> 2) + 2 * cols) };
    } finally { ptrs.forEach(free); }
  },

  /**
   * Parse CSV text with the core's reader. Options: header (true/false/'auto'), labelColumn
   * (name or index), featureColumns (names or indices; default all others).
   * Returns { x, y, n, columns, featureNames, labelName }.
   */
  parseCSV(text, { header = 'auto', labelColumn = null, featureColumns = null } = {}) {
    if (typeof text !== 'string') throw new Error('nnplay: parseCSV takes the CSV text as a string');
    const c = C();
    return withCString(text, (pt, len) => {
      const csv = c._nnw_csv_parse(pt, len, header === 'auto' ? -1 : header ? 1 : 0);
      if (!csv) throw new Error('nnplay: parseCSV: out of memory');
      try {
        const err = cstr(c._nnw_csv_error(csv));
        if (err) throw new Error(`nnplay: CSV: ${err}`);
        const rows = c._nnw_csv_rows(csv);
        const cols = c._nnw_csv_cols(csv);
        const columns = Array.from({ length: cols }, (_, i) => cstr(c._nnw_csv_name(csv, i)));
        const colIndex = (ref, what) => {
          if (typeof ref === 'number') {
            if (!Number.isInteger(ref) || ref < 0 || ref >= cols) throw new Error(`nnplay: CSV: ${what} ${ref} is not a column index 0..${cols - 1}`);
            return ref;
          }
          let i = columns.indexOf(ref);
          if (i < 0) i = columns.findIndex((n) => n.toLowerCase() === String(ref).toLowerCase());
          if (i < 0) throw new Error(`nnplay: CSV: no column named '${ref}' (columns: ${columns.join(', ')})`);
          return i;
        };
        const label = labelColumn == null ? -1 : colIndex(labelColumn, 'labelColumn');
        const feats = featureColumns ? featureColumns.map((f) => colIndex(f, 'feature column'))
          : columns.map((_, i) => i).filter((i) => i !== label);
        if (!feats.length) throw new Error('nnplay: CSV: no feature columns left');
        const all = heapF32().subarray(c._nnw_csv_data(csv) >> 2, (c._nnw_csv_data(csv) >> 2) + rows * cols);
        const x = new Float32Array(rows * feats.length);
        const y = label >= 0 ? new Float32Array(rows) : null;
        for (let r = 0; r < rows; r++) {
          feats.forEach((f, j) => { x[r * feats.length + j] = all[r * cols + f]; });
          if (y) y[r] = all[r * cols + label];
        }
        return { x, y, n: rows, columns, featureNames: feats.map((i) => columns[i]),
          labelName: label >= 0 ? columns[label] : null };
      } finally { c._nnw_csv_free(csv); }
    });
  },
};

/** Build facts: kernels compiled in, wasm heap size and bytes in use (for leak checks). */
export function info() {
  const c = C();
  return { version, simd: cstr(c._nn_simd_name()), heapBytes: c.HEAPU8.length, heapUsed: c._nnw_heap_used() >>> 0 };
}
