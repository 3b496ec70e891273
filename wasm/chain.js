// chain.js - models inside a model: nn.sequential({ layers: [generator, discriminator] }), as
// Keras's Sequential takes models. The core's nn_chain runs the models on their own weights
// (shared, never copied) with the outer model's loss and optimizer state, and updates the layers
// that were trainable when the outer model was compiled (Keras's rule: the GAN recipe's frozen
// discriminator). Plain layers around the models become models of their own inside it.
import { C, malloc, free, withAlloc, copyF32In, copyArrayIn, cstr, heapF32, heapI32, withErrorBuffer, now, yieldNow } from './core.js';
import { checkKeys, show, toRows } from './convert.js';
import { readMetrics, compileInto, metricsOf } from './model.js';
import { fitOptions, printEpoch, FIT_KEYS, trainBatch } from './train.js'; // model.js imports this module too: used at call time only

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

  /** As Sequential's: 'loss', then the metrics compile listed; [] before compile. */
  get metricsNames() { return this._compiled ? ['loss', ...this._compiled.listed.map((m) => m.name)] : []; }

  /** The chain's own learning rate, settable between steps (its optimizer state is kept). */
  get learningRate() {
    if (!this._compiled) throw new Error('nnplay: learningRate: compile the model first');
    return C()._nn_chain_get_lr(this._c('learningRate'));
  }
  set learningRate(lr) {
    const c = this._c('learningRate');
    if (!this._compiled) throw new Error('nnplay: learningRate: compile the model first');
    if (typeof lr !== 'number') throw new Error(`nnplay: learningRate must be a number, got ${typeof lr}`);
    const st = C()._nn_chain_set_lr(c, lr);
    if (st !== 0) throw this._error(st, 'learningRate');
  }

  /** As Sequential.compile: the chain's own optimizer state and loss; layers frozen now stay frozen. */
  compile(args = {}) {
    const c = this._c('compile');
    compileInto(args, (p, len) => C()._nn_chain_compile_encoded(c, p, len), (st) => this._error(st, 'compile'));
    // the core checked them (the chain's save writes an uncompiled plain model: nothing to read back)
    const { listed } = metricsOf(args.metrics ?? [], args.loss);
    this._compiled = { lossName: args.loss, metrics: listed, listed };
    return this;
  }

  _labels(y, n) {
    const last = this._last;
    const rows = this._compiled.lossName.startsWith('sparse') ? last.outputSize / last.outputShape.at(-1) : last.outputSize;
    const r = toRows(y, rows, 'y', `${rows} value(s) per sample`);
    if (r.n !== n) throw new Error(`nnplay: x has ${n} samples but y has ${r.n}`);
    return r.values;
  }

  /** One step on one batch through every model inside: its loss, or [loss, ...metrics] when compiled
   * with metrics. sampleWeight: as Sequential.trainOnBatch (Keras's sample_weight). */
  trainOnBatch(x, y, sampleWeight) {
    const c = this._c('trainOnBatch');
    if (!this._compiled) throw new Error('nnplay: trainOnBatch: compile the model first');
    const batch = this._first._inputs(x);
    const core = C();
    return trainBatch(batch, this._labels(y, batch.n), sampleWeight, this._compiled.listed, {
      newMetrics: () => core._nnw_chain_metrics_new(c, this._last._m()),
      step: (...a) => core._nn_chain_train_batch_weighted(c, ...a),
      onError: (st) => this._error(st, 'trainOnBatch'),
    });
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

  /** Run the core's evaluate-like pass (or, with train, steps) over rows in wasm; logs from mt. */
  _withMetrics(fn) {
    const core = C();
    const mt = core._nnw_chain_metrics_new(this._ptr, this._last._m());
    if (!mt) throw new Error('nnplay: out of memory for metrics');
    try { fn(mt); return readMetrics(mt, this._compiled.metrics); } finally { core._nnw_metrics_free(mt); }
  }

  /** Loss and the compiled metrics on (x, y), through every model (inference). */
  evaluate(x, y) {
    this._c('evaluate');
    if (!this._compiled) throw new Error('nnplay: evaluate: compile the model first');
    return this._evaluate(x, y);
  }

  _evaluate(x, y) {
    const c = this._ptr;
    const { values, n, dtype } = this._first._inputs(x);
    const yv = this._labels(y, n);
    const px = copyArrayIn(values, 'evaluate inputs');
    let py = 0;
    try {
      py = copyF32In(yv, 'evaluate labels');
      return this._withMetrics((mt) => {
        const st = C()._nn_chain_evaluate(c, px, dtype, py, n, mt);
        if (st !== 0) throw this._error(st, 'evaluate');
      });
    } finally { free(px); free(py); }
  }

  /**
   * Keras's fit over the models inside, with a model's fit arguments (no augment): epochs of
   * shuffled batches (a seeded shuffle), validation on validationData or the last validationSplit,
   * every callback hook (onBatchEnd gets the batch's loss), verbose epoch lines, stopTraining.
   * The page keeps running: it yields every yieldEvery ms. Returns { epoch, history, params }.
   */
  async fit(x, y, args = {}) {
    this._c('fit');
    if (!this._compiled) throw new Error('nnplay: fit: compile the model first');
    if (this._busy) throw new Error('nnplay: fit: the model is training (await the running fit first)');
    const { epochs, batchSize, shuffle, validationSplit, validationData, verbose, initialEpoch, yieldEvery, call } =
      fitOptions(args, FIT_KEYS.filter((k) => k !== 'augment'));
    const { values, n: nAll, dtype } = this._first._inputs(x);
    const yAll = this._labels(y, nAll);
    const inSize = this.inputSize, ly = yAll.length / nAll;
    let nTrain = nAll, val = validationData ?? null;
    if (!val && validationSplit > 0) {
      const nVal = Math.floor(nAll * validationSplit);
      nTrain = nAll - nVal;
      if (nVal > 0) val = [values.subarray(nTrain * inSize), yAll.subarray(nTrain * ly)];
    }
    if (nTrain <= 0) throw new Error('nnplay: fit: no training samples left after the validation split');
    const core = C();
    const Rows = values.constructor;
    const bx = new Rows(batchSize * inSize), by = new Float32Array(batchSize * ly);
    const steps = Math.ceil(nTrain / batchSize);
    const history = { epoch: [], history: {}, params: { epochs, batchSize, samples: nTrain } };
    let state = (this.seed ?? 1) >>> 0;
    const rand = () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state / 4294967296; };
    let px = 0, py = 0, pl = 0, mt = 0;
    // the models inside are busy too: their own training waits, and disposing one mid-fit stops
    // this fit and frees it after (as a model disposed during its own fit)
    const parts = [...new Set(this._parts)];
    const gone = () => this._disposed || parts.some((p) => p._disposed);
    this._busy = true;
    for (const p of parts) p._busy = true;
    this.stopTraining = false;
    try {
      px = copyArrayIn(bx, 'a batch');
      py = copyF32In(by, 'a batch\'s labels');
      pl = malloc(4, 'the loss');
      mt = core._nnw_chain_metrics_new(this._ptr, this._last._m());
      if (!mt) throw new Error('nnplay: out of memory for metrics');
      let lastYield = now();
      await call('onTrainBegin', {});
      for (let epoch = initialEpoch; epoch < epochs && !this.stopTraining && !gone(); epoch++) {
        await call('onEpochBegin', epoch, {});
        const order = Array.from({ length: nTrain }, (_, i) => i);
        if (shuffle) for (let i = nTrain - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
        core._nn_metrics_reset(mt);
        const t0 = now();
        for (let at = 0, batch = 0; at < nTrain && !this.stopTraining && !gone(); at += batchSize, batch++) {
          const b = Math.min(batchSize, nTrain - at);
          await call('onBatchBegin', batch, { batch, size: b });
          for (let r = 0; r < b; r++) { // gather the batch's rows into wasm (ids stay integers)
            const s = order[at + r];
            bx.set(values.subarray(s * inSize, (s + 1) * inSize), r * inSize);
            by.set(yAll.subarray(s * ly, (s + 1) * ly), r * ly);
          }
          new Rows(core.HEAPU8.buffer, px, bx.length).set(bx.subarray(0, b * inSize));
          heapF32().set(by.subarray(0, b * ly), py >> 2);
          const st = core._nn_chain_train_batch(this._ptr, px, dtype, py, b, pl, mt);
          if (st !== 0) throw this._error(st, `fit (epoch ${epoch + 1})`);
          await call('onBatchEnd', batch, { batch, size: b, loss: heapF32()[pl >> 2] });
          if (now() - lastYield >= yieldEvery) { await yieldNow(); lastYield = now(); }
        }
        if (gone()) break;
        const logs = readMetrics(mt, this._compiled.metrics);
        if (val) Object.assign(logs, Object.fromEntries(Object.entries(this._evaluate(val[0], val[1])).map(([k, v]) => [`val_${k}`, v])));
        history.epoch.push(epoch);
        for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
        if (verbose) printEpoch(epoch, epochs, steps, now() - t0, logs);
        await call('onEpochEnd', epoch, logs);
      }
      await call('onTrainEnd', {});
    } finally {
      this._busy = false;
      for (const p of parts) {
        p._busy = false;
        if (p._disposed && p._ptr) p._freeNow();
      }
      free(px); free(py); free(pl);
      if (mt) core._nnw_metrics_free(mt);
    }
    return history;
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
    // names are unique within each model, not across them: a repeated one gets a number, as Keras numbers defaults
    const taken = new Set(layers.map((l) => l.config.name));
    const seen = new Set();
    for (const l of layers) {
      const base = l.config.name;
      if (seen.has(base)) {
        let k = 1;
        while (taken.has(`${base}_${k}`)) k++;
        l.config = { ...l.config, name: `${base}_${k}` };
        taken.add(l.config.name);
      }
      seen.add(l.config.name);
    }
    return { name: this.name, layers };
  }

  /**
   * One model file holding every layer once (the weights as they are now); it loads as a plain
   * model. The optimizer state of this chain is not in it: compile the loaded model again.
   */
  /** fn(a plain model of every layer in order, the weights copied), then that model freed. */
  _flat(what, fn) {
    this._c(what);
    const flat = new this._Sequential({ name: this.name, layers: this.getConfig().layers });
    let out;
    try {
      flat.setWeights(this.getWeights());
      out = fn(flat);
    } catch (e) { flat.dispose(); throw e; }
    if (out instanceof Promise) return out.finally(() => flat.dispose());
    flat.dispose();
    return out;
  }

  save() { return this._flat('save', (m) => m.save()); }

  // exported as the one plain model save() writes (TF.js and ONNX have no shared-weight models)
  toTfjs(options) { return this._flat('toTfjs', (m) => m.toTfjs(options)); }
  saveTfjs(target, options) { return this._flat('saveTfjs', (m) => m.saveTfjs(target, options)); }
  toONNX(options) { return this._flat('toONNX', (m) => m.toONNX(options)); }
  saveONNX(target, options) { return this._flat('saveONNX', (m) => m.saveONNX(target, options)); }

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
