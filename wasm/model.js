// model.js - Sequential (tf.sequential's model) over an nn_model in wasm, and loadModel. Layer
// configs, weights and summaries come from the core's table through generic calls.
import { C, malloc, free, withAlloc, withCString, copyF32In, copyArrayIn, copyBytesIn, cstr, takeJSON, takeBytes, withErrorBuffer,
  heapF32, heapF64, heapI32, heapU8, isLoaded } from './core.js';
import { flatten, toRows, checkFinite, checkKeys, show, seedOf, idType } from './convert.js';
import { encodeOptions, decodeOptions } from './encode.js';
import { specBytes, decodeLayerSpec, layerType, names, idOf, hasOption } from './layers.js';
import { toOptimizer, fit, trainBatch } from './train.js';
import { ModelChain } from './chain.js';

// Finalizers catch models that are garbage-collected without dispose(): their C memory is freed.
const finalizer = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((ptr) => { if (isLoaded()) C()._nn_model_free(ptr); }) : null;

// The format converters register here when their module loads (tfjs.js, onnx.js): nnplay.js loads
// both; the pages (lean.js) load one at the export or import click, so a first visit fetches less.
export const converters = {};
function converter(name, method) {
  const c = converters[name];
  if (!c) {
    throw new Error(`nnplay: ${method} needs wasm/${name}.js, which is not loaded: import 'nnplay' (wasm/nnplay.js), ` +
      `or await import('wasm/${name}.js') first`);
  }
  return c;
}

const product = (shape) => shape.reduce((a, b) => a * b, 1);

// model.layers' entries remember where they live: a new model given one copies it (surgery.c)
const SOURCE = Symbol('nnplay.layerSource');

/** A stack of layers, as tf.sequential. */
export class Sequential {
  /** @param {{layers?: object[], seed?: number, name?: string}} [args] */
  constructor(args = {}) {
    C();
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new Error('nnplay: sequential() takes { layers, seed, name }');
    if (args.name != null && typeof args.name !== 'string') throw new Error(`nnplay: sequential({ name }) must be a string, got ${show(args.name)}`);
    this.name = args.name ?? 'sequential';
    this.seed = seedOf(args.seed, (Math.random() * 0x100000000) >>> 0, 'sequential');
    // models among the layers (Keras's Sequential([generator, discriminator])): a chain of models
    if (Array.isArray(args.layers) && args.layers.some((l) => l instanceof Sequential || l instanceof ModelChain)) {
      if (args.layers.some((l) => l instanceof ModelChain)) throw new Error('nnplay: sequential({ layers }): a model holding models cannot go inside another one yet');
      return new ModelChain({ ...args, seed: this.seed }, Sequential);
    }
    this._ptr = 0;
    this._layers = [];
    this._compiled = null;
    this._busy = false;
    this._disposed = false;
    this.stopTraining = false;
    try {
      if (args.layers != null && !Array.isArray(args.layers)) throw new Error('nnplay: sequential({ layers }) takes an array of layers');
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
    if (msg.startsWith(`${what}:`)) return new Error(`nnplay: ${msg}`); // the core named it already
    return new Error(`nnplay: ${what}: ${msg || `error ${status}`}`);
  }

  /** The model itself, from the first layer's inputShape (or batchInputShape, inputLength as
   * Embedding takes it, or inputDim where that is not one of the layer's own options). */
  _create(layer) {
    const cfg = layer.config;
    const shape = cfg.inputShape ?? (Array.isArray(cfg.batchInputShape) ? cfg.batchInputShape.slice(1) : null) ??
      (cfg.inputLength != null && !hasOption(layer.className, 'inputLength') ? [cfg.inputLength] : null) ??
      (cfg.inputDim != null && !hasOption(layer.className, 'inputDim') ? [cfg.inputDim] : null);
    if (shape == null) throw new Error('nnplay: the first layer needs an inputShape, e.g. inputShape: [2]');
    this._createShaped(shape);
  }

  _createShaped(shape) {
    const dims = Array.isArray(shape) ? shape : [];
    const bad = () => new Error(`nnplay: inputShape must be 1 to 3 positive integers, got ${show(shape)}`);
    if (dims.length < 1 || dims.length > 3 || !dims.every((d) => typeof d === 'number')) throw bad();
    const [ptr, msg] = withAlloc(8 * dims.length, 'the input shape', (ps) => {
      heapF64().set(dims, ps >>> 3);
      return withErrorBuffer((pe) => C()._nnw_model_create(ps, dims.length, this.seed, pe));
    });
    if (!ptr) throw new Error(`nnplay: ${msg}, got ${show(shape)}`);
    this._ptr = ptr;
    if (finalizer) finalizer.register(this, ptr, this);
  }

  /** Append a layer made by nn.layers.*. */
  add(layer) {
    if (this._disposed) throw new Error('nnplay: this model was disposed; create a new one');
    this._notBusy('add layers');
    if (layer instanceof Sequential || layer instanceof ModelChain) {
      throw new Error('nnplay: add() takes layers; to use models as layers, give them in sequential({ layers: [generator, discriminator] })');
    }
    if (!layer || typeof layer.className !== 'string' || !layer.config || typeof layer.config !== 'object') {
      throw new Error('nnplay: add() takes a layer made by nn.layers.dense(...), nn.layers.dropout(...), ...');
    }
    if (layer[SOURCE]) return this._addFrom(layer[SOURCE]);
    const bytes = specBytes(layer); // the core's checks, before a model exists
    if (!this._ptr) this._create(layer);
    const p = copyBytesIn(bytes, 'a layer spec');
    let st;
    try { st = C()._nn_model_add_encoded(this._ptr, p, bytes.length); } finally { free(p); }
    if (st !== 0) throw this._error(st, `adding a ${layer.className} layer`);
    this._layers.push(layer);
    this._compiled = null; // the C side dropped its optimizer state: compile again
    return this;
  }

  /**
   * A layer of a trained model (an entry of its .layers or getLayer()), copied: its config and
   * name, its trainable flag and its weights (and batchnorm's moving statistics) as they are now.
   * The new model owns its copy; to share weights, put whole models in a chain instead.
   */
  _addFrom({ model, index }) {
    if (model.isDisposed) throw new Error(`nnplay: add(): layer ${index} comes from a model that was disposed; its weights are gone`);
    if (model === this) throw new Error('nnplay: add(): this layer is already in this model');
    const src = model._m();
    if (!this._ptr) {
      const shape = withAlloc(12, 'shape', (p) => {
        const rank = C()._nn_model_layer_input_shape(src, index, p);
        return Array.from(heapI32().subarray(p >> 2, (p >> 2) + rank));
      });
      this._createShaped(shape);
    }
    const st = C()._nn_model_add_from(this._ptr, src, index);
    if (st !== 0) throw this._error(st, `adding layer '${cstr(C()._nn_model_layer_name(src, index))}'`);
    this._layers.push(null); // layerInfo checks the index against this list
    const { className, config } = this.layerInfo(this._layers.length - 1);
    this._layers[this._layers.length - 1] = Object.freeze({ className, config: Object.freeze(config) });
    this._compiled = null;
    return this;
  }

  /**
   * Keras's Sequential.pop: removes the last layer (its weights too). The compile goes with it:
   * compile again before training. Popping the head off a trained model leaves a feature extractor.
   */
  pop() {
    this._m();
    this._notBusy('pop');
    const st = C()._nn_model_pop(this._ptr);
    if (st !== 0) throw this._error(st, 'pop');
    this._layers.pop();
    this._compiled = null;
  }

  /**
   * A layer by name or index, as TF.js's getLayer(name?, index?) and Keras's get_layer(name=,
   * index=): getLayer('dense_1'), getLayer(2), getLayer(undefined, 2) or getLayer({ index: 2 }).
   * The result is what model.layers holds: its config, name, weights' layout, a trainable flag
   * that reads and sets the layer's, and a new model given it copies it with its weights.
   */
  getLayer(name, index) {
    const m = this._m();
    if (name !== null && typeof name === 'object') {
      checkKeys(name, ['name', 'index'], 'getLayer');
      ({ name, index } = name);
    }
    if (typeof name === 'number' && index === undefined) [name, index] = [undefined, name];
    if (name != null && index != null) throw new Error('nnplay: getLayer: give a name or an index, not both');
    if (name != null) {
      if (typeof name !== 'string') throw new Error(`nnplay: getLayer: a name must be a string, got ${show(name)}`);
      const i = withCString(name, (p) => C()._nn_model_find_layer(m, p));
      if (i < 0) throw new Error(`nnplay: getLayer: ${cstr(C()._nn_model_error(m))}`);
      return this.layers[i];
    }
    if (!Number.isInteger(index) || index < 0 || index >= this._layers.length) {
      throw new Error(`nnplay: getLayer: no layer ${show(index)} (the model has ${this._layers.length}: indices 0 to ${this._layers.length - 1})`);
    }
    return this.layers[index];
  }

  /** @param {{optimizer: string|object, loss: string, metrics?: string[], fromLogits?: boolean}} args */
  compile(args = {}) {
    const m = this._m();
    this._notBusy('compile');
    compileInto(args, (p, len) => C()._nn_model_compile_encoded(m, p, len), (st) => this._error(st, 'compile'));
    this._restoreCompile();
    return this;
  }

  /** The compile state from the core (after compile, or from a file): its metrics too, as written. */
  _restoreCompile() {
    const bytes = withAlloc(4, 'a length', (pl) => takeBytes(C()._nnw_compile_settings(this._ptr, pl), pl));
    if (!bytes) { this._compiled = null; return; }
    const s = decodeOptions(bytes);
    const { loss, fromLogits, metrics: listed, ...optimizer } = s;
    this._compiled = { lossName: loss, ...metricsOf(listed, loss), optimizer: Object.freeze(optimizer), fromLogits };
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
  /** The layers, as layerInfo describes them; `trainable` on each reads and sets the core's flag. */
  get layers() {
    return this._layers.map((l, i) => {
      const info = { ...l, ...this.layerInfo(i) };
      delete info.trainable;
      Object.defineProperty(info, SOURCE, { value: { model: this, index: i } });
      return Object.defineProperty(info, 'trainable', {
        enumerable: true,
        get: () => C()._nn_model_layer_trainable(this._m(), i) === 1,
        set: (v) => this._setTrainable(i, v),
      });
    });
  }

  /**
   * Keras's freezing: false keeps the weights of every layer as they are when training (a layer's
   * own flag: model.layers[i].trainable). Taken when the model is compiled: compile again after
   * changing it, or the optimizer compiled before keeps updating what it updated.
   */
  get trainable() { return this._trainable ?? true; }
  set trainable(v) {
    this._setTrainable(-1, v);
    this._trainable = v;
  }

  _setTrainable(i, v) {
    if (typeof v !== 'boolean') throw new Error(`nnplay: trainable must be true or false, got ${show(v)}`);
    this._notBusy('change trainable');
    const st = C()._nn_model_set_trainable(this._m(), i, v ? 1 : 0);
    if (st !== 0) throw this._error(st, 'trainable');
  }

  /**
   * Layer i as the core describes it: type (the nn.layers name), className, config (every option),
   * outputShape, numParams, numState, paramOffset, stateOffset and weights (name, shape, offset,
   * state); the config's entries are also spread onto the result (info.units, info.activation).
   */
  layerInfo(i) {
    const m = this._m();
    if (!Number.isInteger(i) || i < 0 || i >= this._layers.length) throw new Error(`nnplay: no layer ${show(i)}`);
    const c = C();
    const info = takeJSON(c._nnw_layer_json(m, i), 'layer info');
    const spec = decodeLayerSpec(withAlloc(4, 'a length', (pl) => takeBytes(c._nnw_layer_spec(m, i, pl), pl)));
    const t = layerType(spec.className);
    return { ...spec.config, type: t.name, className: spec.className, config: spec.config, ...info };
  }

  /** Keras-style config: { name, layers: [{ className, config }] } (what sequential() takes back). */
  getConfig() {
    return { name: this.name, layers: this._layers.map((_, i) => {
      const { className, config } = this.layerInfo(i);
      return { className, config: i === 0 ? { inputShape: this.inputShape, ...config } : config };
    }) };
  }

  /** All weights, as TF.js counts them: trainable ones plus batchnorm's moving statistics. */
  countParams() { return C()._nn_model_num_params(this._m()) + C()._nn_model_num_state(this._ptr); }

  /** The learning rate, settable between epochs or batches. */
  get learningRate() { this._needCompiled('learningRate'); return C()._nn_model_get_lr(this._ptr); }
  set learningRate(lr) {
    this._needCompiled('learningRate');
    const st = typeof lr === 'number' ? C()._nn_model_set_lr(this._ptr, lr) : -1;
    if (st !== 0) {
      if (typeof lr !== 'number') throw new Error(`nnplay: learningRate must be a number, got ${typeof lr}`);
      throw this._error(st, 'learningRate');
    }
  }

  /** Optimizer steps taken so far. */
  get steps() { return C()._nnw_step_count(this._m()); }

  /** TF.js's metricsNames: 'loss', then the metrics compile listed as written (trainOnBatch's order); [] before compile. */
  get metricsNames() { this._m(); return this._compiled ? ['loss', ...this._compiled.listed.map((m) => m.name)] : []; }

  _labelSize() { return C()._nn_model_label_size(this._ptr); }

  _labels(y, n, what) {
    const ly = this._labelSize();
    const hint = ly < this.outputSize ? (ly === 1 ? 'one class index per sample' : `${ly} class indices per sample, one per step`)
      : `${ly} value(s) per sample, the model's output size`;
    const rows = toRows(y, ly, what, hint);
    if (rows.n !== n) throw new Error(`nnplay: x has ${n} samples but ${what} has ${rows.n}`);
    return rows.values; // values are checked by the core (evaluate, trainOnBatch) or _checkLabels (fit)
  }

  _checkLabels(py, n, what) {
    const st = C()._nn_model_check_labels(this._ptr, py, n);
    if (st !== 0) throw this._error(st, what);
  }

  /** x as rows: { values, n, dtype }. When the first layer reads token ids (an embedding), an
   * Int32Array, Uint16Array or Uint8Array stays as it is (dtype: the core's id of its type) and the
   * core reads the ids there; anything else becomes float32 values (dtype 0). */
  _inputs(x, what = 'x') {
    const inSize = this.inputSize;
    const ids = !!layerType(this._layers[0]?.className)?.intInput;
    const rows = toRows(x, inSize, what, `inputShape [${this.inputShape.join(', ')}]`, ids);
    const type = idType(rows.values) ?? 'float32';
    if (type === 'float32') checkFinite(rows.values, what, inSize);
    return { ...rows, dtype: idOf('dtypes', type, 'dtype') };
  }

  /** Inputs already in wasm, checked as a pass would check them (ids in range), before training. */
  _checkInputs(px, dtype, n, what) {
    const st = C()._nn_model_check_inputs(this._ptr, px, dtype, n);
    if (st !== 0) throw this._error(st, what);
  }

  /** Outputs for x, as one Float32Array of n * outputSize values (row-major). */
  predict(x) {
    const m = this._m();
    const { values, n, dtype } = this._inputs(x);
    const k = this.outputSize;
    const px = copyArrayIn(values, 'predict inputs');
    try {
      return withAlloc(n * k * 4, 'predictions', (py) => {
        const st = C()._nn_model_predict_typed(m, px, dtype, n, py);
        if (st !== 0) throw this._error(st, 'predict');
        return heapF32().slice(py >> 2, (py >> 2) + n * k);
      });
    } finally { free(px); }
  }

  /**
   * Every layer's output for x (inference: dropout off), e.g. to show what hidden neurons compute:
   * one Float32Array per layer, n * units values (row-major), with `shape` [n, ...outputShape].
   * The last one equals predict(x).
   */
  predictLayers(x) {
    const m = this._m();
    const { values, n, dtype } = this._inputs(x);
    const shapes = this._layers.map((_, i) => this.layerInfo(i).outputShape);
    const sizes = shapes.map((s) => n * product(s));
    const total = sizes.reduce((a, b) => a + b, 0);
    const px = copyArrayIn(values, 'predictLayers inputs');
    try {
      return withAlloc(total * 4, 'layer outputs', (py) => {
        const st = C()._nn_model_predict_layers_typed(m, px, dtype, n, py);
        if (st !== 0) throw this._error(st, 'predictLayers');
        let at = py >> 2;
        return sizes.map((size, i) => {
          const out = heapF32().slice(at, at + size);
          at += size;
          out.shape = [n, ...shapes[i]];
          return out;
        });
      });
    } finally { free(px); }
  }

  _metricValues(mt) { return metricValues(mt); }

  _readMetrics(mt, prefix = '', withConfusion = false) { return readMetrics(mt, this._compiled.metrics, prefix, withConfusion); }

  _sumLoss(mt) {
    const { count, sumLoss } = this._metricValues(mt);
    return { sum: sumLoss, count };
  }

  _evaluatePtr(px, dtype, py, n, mt, prefix) {
    const st = C()._nnw_evaluate(this._ptr, px, dtype, py, n, mt);
    if (st !== 0) throw this._error(st, 'evaluate');
    return this._readMetrics(mt, prefix);
  }

  /** Loss and every metric on (x, y): { loss, accuracy, precision, recall, f1, mse, mae, r2, confusionMatrix }. */
  evaluate(x, y) {
    this._needCompiled('evaluate');
    const { values, n, dtype } = this._inputs(x);
    const yv = this._labels(y, n, 'y');
    const c = C();
    const px = copyArrayIn(values, 'evaluate inputs');
    let py = 0;
    let mt = 0;
    try {
      py = copyF32In(yv, 'evaluate labels');
      mt = c._nnw_metrics_new(this._ptr);
      if (!mt) throw new Error('nnplay: out of memory for metrics');
      const st = c._nnw_evaluate(this._ptr, px, dtype, py, n, mt);
      if (st !== 0) throw this._error(st, 'evaluate');
      return this._readMetrics(mt, '', true);
    } finally {
      free(px); free(py);
      if (mt) c._nnw_metrics_free(mt);
    }
  }

  /**
   * One optimizer step on one batch. Returns its loss, or, when compiled with metrics, Keras's
   * [loss, ...metrics] in compile order (from the batch's forward pass, before the step).
   * sampleWeight (Keras's sample_weight): one number per sample; the loss is the mean of weight x
   * sample loss, so 0 leaves a sample out and a negative weight ascends its loss.
   */
  trainOnBatch(x, y, sampleWeight) {
    this._needCompiled('trainOnBatch');
    this._notBusy('trainOnBatch');
    const batch = this._inputs(x);
    const c = C();
    return trainBatch(batch, this._labels(y, batch.n, 'y'), sampleWeight, this._compiled.listed, {
      newMetrics: () => c._nnw_metrics_new(this._ptr),
      step: (...a) => c._nn_model_train_batch_weighted(this._ptr, ...a),
      onError: (st) => this._error(st, 'trainOnBatch'),
    });
  }

  /** Train (see train.js): @returns {Promise<{epoch: number[], history: Object<string, number[]>}>} */
  fit(x, y, args) { return fit(this, x, y, args); }

  _slots() {
    const out = [];
    this._layers.forEach((_, i) => {
      const info = this.layerInfo(i);
      for (const w of info.weights) out.push({ ...w, name: `${info.config.name}/${w.name}` });
    });
    return out;
  }

  /**
   * Weights in TF.js's order and layouts (the core's table names them): dense kernel [inputs, units],
   * bias [units]; conv2d kernel [kh, kw, inChannels, filters], bias (conv2dTranspose: [kh, kw,
   * filters, inChannels]); batchNormalization gamma, beta, moving_mean, moving_variance (the last
   * two non-trainable state). Each has .shape and .name.
   */
  getWeights() {
    const m = this._m();
    return this._slots().map(({ shape, offset, state, name }) => {
      const base = ((state ? C()._nn_model_state(m) : C()._nn_model_params(m)) >>> 2) + offset;
      const w = heapF32().slice(base, base + product(shape));
      w.shape = shape;
      w.name = name;
      return w;
    });
  }

  /** Set weights from getWeights()'s layout: typed arrays, nested arrays or TF.js tensors. */
  setWeights(weights) {
    const m = this._m();
    this._notBusy('setWeights');
    const slots = this._slots();
    if (!Array.isArray(weights) || weights.length !== slots.length) {
      throw new Error(`nnplay: setWeights needs ${slots.length} arrays (as getWeights() returns them), ` +
        `got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    const vals = weights.map((w, j) => {
      const { values } = flatten(w, `weights[${j}]`);
      const size = product(slots[j].shape);
      if (values.length !== size) {
        throw new Error(`nnplay: weights[${j}] (${slots[j].name}) has ${values.length} values, expected ${size} ` +
          `(shape [${slots[j].shape.join(', ')}])`);
      }
      checkFinite(values, `weights[${j}]`, size);
      return values;
    });
    const base = C()._nn_model_params(m) >>> 2;
    const sbase = C()._nn_model_state(m) >>> 2;
    vals.forEach((v, j) => heapF32().set(v, (slots[j].state ? sbase : base) + slots[j].offset));
  }

  /** Keras-style summary; printed with printFn (console.log by default) and returned. */
  summary(printFn = console.log) {
    const m = this._m();
    const n = C()._nn_model_summary(m, 0, 0) + 1;
    const text = withAlloc(n, 'summary', (p) => { C()._nn_model_summary(m, p, n); return cstr(p); });
    if (typeof printFn === 'function') printFn(text);
    return text;
  }

  /**
   * The model file (architecture, weights, optimizer state) as bytes. { includeOptimizer: false }
   * leaves the optimizer state out, as Keras's include_optimizer=False: the smallest file to
   * deploy; it loads compiled, with a fresh optimizer. { quantize: 'int8' } stores the kernels as
   * int8 with one scale per output channel (about 4x smaller; dequantized to float on load).
   * Weights that are mostly zeros (pruned) are stored sparse in any case.
   */
  save(options = {}) {
    const m = this._m();
    checkKeys(options ?? {}, ['includeOptimizer', 'quantize'], 'save');
    const { includeOptimizer = true, quantize = null } = options ?? {};
    if (typeof includeOptimizer !== 'boolean') throw new Error(`nnplay: save: includeOptimizer must be true or false, got ${show(includeOptimizer)}`);
    if (quantize != null && quantize !== 'int8') throw new Error(`nnplay: save: quantize must be 'int8' (or left out for float32), got ${show(quantize)}`);
    const flags = (includeOptimizer ? 0 : 1) | (quantize === 'int8' ? 2 : 0); // NN_SAVE_NO_OPTIMIZER, NN_SAVE_QUANTIZE_INT8
    const bytes = withAlloc(4, 'a length', (pl) => takeBytes(C()._nnw_save(m, pl, flags), pl));
    if (!bytes) throw new Error(`nnplay: save: out of memory (${cstr(C()._nn_model_error(m)) || 'no message'})`);
    return bytes;
  }

  /** TF.js's ModelArtifacts (tf.io.fromMemory takes it); see tfjs.js. */
  toTfjs(options) { return converter('tfjs', 'toTfjs').toTfjs(this, options); }

  /** model.json + group1-shard1of1.bin into a folder (Node), or 'downloads://name' (browser). */
  async saveTfjs(target, options) { return converter('tfjs', 'saveTfjs').saveTfjs(this, target, options); }

  /** The ONNX model's bytes (inference graph, opset 17 unless options.opset); see onnx.js. */
  toONNX(options) { return converter('onnx', 'toONNX').toONNX(this, options); }

  /** The ONNX model as a file (Node: a path) or a download ('downloads://name', browser). */
  async saveONNX(target, options) { return converter('onnx', 'saveONNX').saveONNX(this, target, options); }

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

/**
 * What the logs report for the metrics compile listed (names as written, undefined when compile
 * listed none): metrics ({ name, index }) for fit/evaluate, with a default when none were listed,
 * and listed, what trainOnBatch returns after the loss (Keras's rule).
 */
export function metricsOf(listed, lossName) {
  // the core took ids too: they read as their names
  const own = (listed ?? []).map((m) => typeof m === 'number' ? { name: names('metrics')[m].name, index: m }
    : { name: m, index: idOf('metrics', m, 'metric', 1) });
  if (listed) return { metrics: own, listed: own };
  const regression = lossName === 'meanSquaredError' || lossName === 'meanAbsoluteError';
  const dflt = regression ? 'mae' : 'accuracy';
  return { metrics: [{ name: dflt, index: idOf('metrics', dflt, 'metric') }], listed: [] };
}

/**
 * compile's arguments checked and encoded, handed to compileFn(bytes, length) (the core's compile
 * of a model or a chain, which checks the metrics and keeps them); a failure throws onError(status).
 */
export function compileInto(args, compileFn, onError) {
  checkKeys(args, ['optimizer', 'loss', 'metrics', 'fromLogits'], 'compile');
  const opt = toOptimizer(args.optimizer);
  if (args.loss == null) throw new Error('nnplay: compile needs a loss, e.g. loss: \'meanSquaredError\'');
  if (args.metrics != null && !Array.isArray(args.metrics)) throw new Error('nnplay: compile: metrics must be an array of names');
  const settings = encodeOptions({ ...opt, loss: args.loss, fromLogits: args.fromLogits ?? false, metrics: args.metrics }, 'compile');
  const p = copyBytesIn(settings, 'compile settings');
  let st;
  try { st = compileFn(p, settings.length); } finally { free(p); }
  if (st !== 0) throw onError(st);
}

/** The core's metric values of mt: { v (by metric id), count, numClasses, sumLoss }. */
function metricValues(mt) {
  const k = names('metrics').length;
  return withAlloc(8 * (k + 3), 'metrics', (p) => {
    C()._nnw_metrics_read(mt, p);
    const v = heapF64().slice(p >> 3, (p >> 3) + k + 3);
    return { v, count: v[k], numClasses: v[k + 1], sumLoss: v[k + 2] };
  });
}

/** Keras-style logs from mt: loss and the compiled metrics ({ name, index }), with prefix (val_);
 * withConfusion adds the confusion matrix and every other metric. */
export function readMetrics(mt, metrics, prefix = '', withConfusion = false) {
  const { v, numClasses: k } = metricValues(mt);
  const logs = { [`${prefix}loss`]: v[0] };
  for (const { name, index } of metrics) logs[prefix + name] = v[index];
  if (withConfusion) {
    // k is 0 when the core keeps no matrix (a vocabulary-sized output)
    logs.confusionMatrix = k === 0 ? null : withAlloc(k * k * 4, 'confusion matrix', (q) => {
      C()._nnw_metrics_confusion(mt, q);
      const flat = heapI32().slice(q >> 2, (q >> 2) + k * k);
      return Array.from({ length: k }, (_, r) => Array.from(flat.subarray(r * k, r * k + k)));
    });
    names('metrics').forEach(({ name }, i) => { if (i > 0 && !(name in logs)) logs[name] = v[i]; });
  }
  return logs;
}

/** tf.sequential: a model from a list of layers. */
export const sequential = (args) => new Sequential(args);

/** Rebuild a model from bytes made by save() (here, natively, or in another browser): compiled as saved, its metrics too. */
export function loadModel(bytes) {
  let u8;
  if (bytes instanceof Uint8Array) u8 = bytes;
  else if (bytes instanceof ArrayBuffer) u8 = new Uint8Array(bytes);
  else if (ArrayBuffer.isView(bytes)) u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  else throw new Error('nnplay: loadModel takes the bytes from model.save() (Uint8Array or ArrayBuffer)');
  const c = C();
  const pb = malloc(u8.length, 'model bytes');
  try {
    heapU8().set(u8, pb);
    const [ptr, msg] = withErrorBuffer((pe) => c._nn_model_load(pb, u8.length, pe));
    if (!ptr) throw new Error(`nnplay: loadModel: ${msg || 'cannot load the model'}`);
    const model = Object.create(Sequential.prototype);
    Object.assign(model, { name: 'sequential', seed: 0, _ptr: ptr, _layers: [], _compiled: null,
      _busy: false, _disposed: false, stopTraining: false });
    if (finalizer) finalizer.register(model, ptr, model);
    for (let i = 0; i < c._nn_model_num_layers(ptr); i++) {
      model._layers.push(null); // layerInfo checks the index against this list
      const { className, config } = model.layerInfo(i);
      model._layers[i] = Object.freeze({ className, config });
    }
    model._restoreCompile();
    return model;
  } finally { free(pb); }
}
