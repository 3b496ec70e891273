// chain.js - models inside a model: nn.sequential({ layers: [generator, discriminator] }), as
// Keras's Sequential takes models. The core's nn_chain runs the models on their own weights
// (shared, never copied) with the outer model's loss and optimizer state, and updates the layers
// that were trainable when the outer model was compiled (Keras's rule: the GAN recipe's frozen
// discriminator). Plain layers around the models become models of their own inside it.
import { C, free, withAlloc, copyF32In, copyArrayIn, copyBytesIn, cstr, heapF32, heapI32, withErrorBuffer } from './core.js';
import { checkKeys, show, toRows } from './convert.js';
import { encodeOptions } from './encode.js';
import { idOf } from './layers.js';
import { toOptimizer } from './train.js';
import { readMetrics } from './model.js'; // model.js imports this module too: used at call time only

const finalizer = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((ptr) => { try { C()._nn_chain_free(ptr); } catch { /* module gone */ } })
  : null;

export class ModelChain {
  /** @param {{layers: object[], seed?: number, name?: string}} args; Sequential is passed in to avoid an import cycle. */
  constructor(args, Sequential) {
    this.name = args.name ?? 'sequential';
    this.seed = args.seed;
    this._Sequential = Sequential;
    this._parts = [];
    this._owned = [];
    this._ptr = 0;
    this._compiled = null;
    this._disposed = false;
    try {
      let pending = [];
      const flush = () => { // plain layers become a model of their own, after the part before
        if (!pending.length) return;
        const before = this._parts.at(-1);
        const [first, ...rest] = pending;
        const head = before ? { className: first.className, config: { ...first.config, inputShape: before.outputShape } } : first;
        const m = new Sequential({ seed: args.seed, layers: [head, ...rest] });
        this._parts.push(m);
        this._owned.push(m);
        pending = [];
      };
      for (const l of args.layers) {
        if (l instanceof Sequential) {
          if (l.isDisposed) throw new Error('nnplay: sequential({ layers }): a model in it was disposed');
          flush();
          this._parts.push(l);
        } else pending.push(l);
      }
      flush();
      this._create();
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  _create() {
    const n = this._parts.length;
    const [ptr, msg] = withAlloc(4 * n, 'the models', (pp) => {
      heapI32().set(this._parts.map((p) => p._m()), pp >> 2);
      return withErrorBuffer((pe) => C()._nn_chain_create(pp, n, pe));
    });
    if (!ptr) throw new Error(`nnplay: sequential({ layers }): ${msg}`);
    this._ptr = ptr;
    if (finalizer) finalizer.register(this, ptr, this);
  }

  /** The chain, checked usable: not disposed, and no model inside it disposed or training. */
  _c(what) {
    if (this._disposed) throw new Error('nnplay: this model was disposed; create a new one');
    this._parts.forEach((p, i) => {
      if (p.isDisposed) throw new Error(`nnplay: ${what}: model ${i + 1} inside this one was disposed`);
      p._notBusy(what);
    });
    return this._ptr;
  }

  _error(status, what) {
    const msg = cstr(C()._nn_chain_error(this._ptr));
    return new Error(`nnplay: ${msg.startsWith(`${what}:`) ? msg : `${what}: ${msg || `error ${status}`}`}`);
  }

  get _first() { return this._parts[0]; }
  get _last() { return this._parts.at(-1); }
  get inputShape() { return this._first.inputShape; }
  get outputShape() { return this._last.outputShape; }
  get inputSize() { return this._first.inputSize; }
  get outputSize() { return this._last.outputSize; }
  /** Every layer of every model inside, in order; trainable reads and sets each layer's flag. */
  get layers() { return this._parts.flatMap((p) => p.layers); }
  /** The models inside, in order (plain layers given around them became models of their own). */
  get models() { return this._parts.slice(); }
  get trainable() { return this._trainable ?? true; }
  set trainable(v) {
    for (const p of this._parts) p.trainable = v;
    this._trainable = v;
  }
  countParams() { return this._parts.reduce((s, p) => s + p.countParams(), 0); }

  /** As Sequential.compile: the chain's own optimizer state and loss; layers frozen now stay frozen. */
  compile(args = {}) {
    const c = this._c('compile');
    checkKeys(args, ['optimizer', 'loss', 'metrics', 'fromLogits'], 'compile');
    const opt = toOptimizer(args.optimizer);
    if (args.loss == null) throw new Error('nnplay: compile needs a loss, e.g. loss: \'binaryCrossentropy\'');
    if (args.metrics != null && !Array.isArray(args.metrics)) throw new Error('nnplay: compile: metrics must be an array of names');
    const metrics = (args.metrics || []).map((name) => ({ name, index: idOf('metrics', name, 'metric', 1) }));
    const settings = encodeOptions({ ...opt, loss: args.loss, fromLogits: args.fromLogits ?? false }, 'compile');
    const p = copyBytesIn(settings, 'compile settings');
    let st;
    try { st = C()._nn_chain_compile_encoded(c, p, settings.length); } finally { free(p); }
    if (st !== 0) throw this._error(st, 'compile');
    this._compiled = { lossName: args.loss, metrics, listed: metrics };
    return this;
  }

  _labels(y, n) {
    const last = this._last;
    const rows = this._compiled.lossName.startsWith('sparse') ? last.outputSize / last.outputShape.at(-1) : last.outputSize;
    const r = toRows(y, rows, 'y', `${rows} value(s) per sample`);
    if (r.n !== n) throw new Error(`nnplay: x has ${n} samples but y has ${r.n}`);
    return r.values;
  }

  /** One step on one batch through every model inside: its loss, or [loss, ...metrics] when compiled with metrics. */
  trainOnBatch(x, y) {
    const c = this._c('trainOnBatch');
    if (!this._compiled) throw new Error('nnplay: trainOnBatch: compile the model first');
    const { values, n, dtype } = this._first._inputs(x);
    const yv = this._labels(y, n);
    const core = C();
    const px = copyArrayIn(values, 'batch inputs');
    let py = 0;
    let mt = 0;
    try {
      py = copyF32In(yv, 'batch labels');
      const metrics = this._compiled.listed;
      if (metrics.length && !(mt = core._nnw_chain_metrics_new(c, this._last._m()))) throw new Error('nnplay: out of memory for metrics');
      const loss = withAlloc(4, 'loss', (pl) => {
        const st = core._nn_chain_train_batch(c, px, dtype, py, n, pl, mt);
        if (st !== 0) throw this._error(st, 'trainOnBatch');
        return heapF32()[pl >> 2];
      });
      if (!mt) return loss;
      const logs = readMetrics(mt, metrics);
      return [loss, ...metrics.map(({ name }) => logs[name])];
    } finally {
      free(px); free(py);
      if (mt) core._nnw_metrics_free(mt);
    }
  }

  /** Outputs of the last model for x run through every model (inference). */
  predict(x) {
    const c = this._c('predict');
    const { values, n, dtype } = this._first._inputs(x);
    const k = this.outputSize;
    const px = copyArrayIn(values, 'predict inputs');
    try {
      return withAlloc(4 * n * k, 'predictions', (po) => {
        const st = C()._nn_chain_predict(c, px, dtype, n, po);
        if (st !== 0) throw this._error(st, 'predict');
        return heapF32().slice(po >> 2, (po >> 2) + n * k);
      });
    } finally { free(px); }
  }

  fit() {
    throw new Error('nnplay: fit is not available yet for a model holding models; train it with trainOnBatch ' +
      '(the GAN recipe), or fit the models inside');
  }

  evaluate() {
    throw new Error('nnplay: evaluate is not available yet for a model holding models; use predict, or evaluate the models inside');
  }

  getWeights() { this._c('getWeights'); return this._parts.flatMap((p) => p.getWeights()); }

  setWeights(weights) {
    this._c('setWeights');
    const counts = this._parts.map((p) => p.getWeights().length);
    const total = counts.reduce((a, b) => a + b, 0);
    if (!Array.isArray(weights) || weights.length !== total) {
      throw new Error(`nnplay: setWeights needs ${total} arrays (as getWeights() returns them), got ${Array.isArray(weights) ? weights.length : show(weights)}`);
    }
    let at = 0;
    this._parts.forEach((p, i) => { p.setWeights(weights.slice(at, at + counts[i])); at += counts[i]; });
  }

  /** Keras-style config of the flattened layers (what sequential() takes back as one model). */
  getConfig() {
    this._c('getConfig');
    const layers = this._parts.flatMap((p) => p.getConfig().layers.map((l, i) => (i === 0 && p !== this._first
      ? { className: l.className, config: Object.fromEntries(Object.entries(l.config).filter(([k]) => k !== 'inputShape')) } : l)));
    return { name: this.name, layers };
  }

  /**
   * One model file holding every layer once (the weights as they are now); it loads as a plain
   * model. The optimizer state of this chain is not in it: compile the loaded model again.
   */
  save() {
    this._c('save');
    const flat = new this._Sequential({ name: this.name, layers: this.getConfig().layers });
    try {
      flat.setWeights(this.getWeights());
      return flat.save();
    } finally { flat.dispose(); }
  }

  summary(printFn = console.log) {
    this._c('summary');
    const text = this._parts.map((p, i) => `Model ${i + 1} of ${this._parts.length}${this._owned.includes(p) ? ' (layers given directly)' : ''}:\n${p.summary(null)}`)
      .join('\n');
    const total = `Total params of the ${this._parts.length} models: ${this.countParams()}\n`;
    if (typeof printFn === 'function') printFn(text + total);
    return text + total;
  }

  /** Free the chain's own memory and the models made from plain layers; the models passed in stay theirs. */
  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    if (this._ptr) {
      if (finalizer) finalizer.unregister(this);
      C()._nn_chain_free(this._ptr);
      this._ptr = 0;
    }
    for (const p of this._owned) p.dispose();
  }

  get isDisposed() { return this._disposed; }
}
