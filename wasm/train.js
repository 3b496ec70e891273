// train.js - optimizers and regularizers (TF.js's factories and defaults), and fit: the data is
// copied into wasm once, batches run in C in chunks of about `yieldEvery` ms, and the event loop
// runs between them (callbacks, rendering).
import { C, malloc, free, withAlloc, copyF32In, copyArrayIn, heapF32, heapI32, yieldNow, now } from './core.js';
import { checkKeys, isCount, show, sampleWeights } from './convert.js';
import { readMetrics } from './model.js'; // model.js imports this module too: used at call time only

const optimizer = (name, o) => Object.freeze({ optimizer: name, ...o });

/** Optimizers with TF.js's signatures and defaults; compile passes their settings to the core. */
export const train = {
  sgd: (learningRate = 0.01) => optimizer('sgd', { learningRate }),
  momentum: (learningRate = 0.01, momentum = 0.9, useNesterov = false) =>
    optimizer('sgd', { learningRate, momentum, nesterov: !!useNesterov }),
  adam: (learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7) =>
    optimizer('adam', { learningRate, beta1, beta2, epsilon }),
  rmsprop: (learningRate = 0.001, decay = 0.9, momentum = 0, epsilon = 1e-7) =>
    optimizer('rmsprop', { learningRate, rho: decay, momentum, epsilon }),
  adagrad: (learningRate = 0.01, initialAccumulatorValue = 0.1) =>
    optimizer('adagrad', { learningRate, initialAccumulatorValue }),
};

export const regularizers = {
  l1: ({ l1 = 0.01 } = {}) => ({ l1, l2: 0 }),
  l2: ({ l2 = 0.01 } = {}) => ({ l1: 0, l2 }),
  l1l2: ({ l1 = 0.01, l2 = 0.01 } = {}) => ({ l1, l2 }),
};

/** compile's optimizer argument: a name ('adam') or an object made by nn.train.*. */
export function toOptimizer(o) {
  if (typeof o === 'string') {
    if (!Object.hasOwn(train, o)) throw new Error(`nnplay: unknown optimizer '${o}' (known: ${Object.keys(train).join(', ')})`);
    return train[o]();
  }
  if (!o || typeof o !== 'object' || typeof o.optimizer !== 'string') {
    throw new Error('nnplay: compile needs an optimizer: a name like \'adam\' or nn.train.adam(0.01)');
  }
  return o;
}

export const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'verbose',
  'initialEpoch', 'yieldEvery', 'callbacks', 'augment'];

const CALLBACK_HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'];

/** fit's augment option: {shift: pixels (0), flip: boolean (false)} for image inputs. */
function augmentOptions(a) {
  if (a == null || a === false) return { shift: 0, flip: 0 };
  checkKeys(a, ['shift', 'flip'], 'fit: augment');
  const { shift = 0, flip = false } = a;
  if (!isCount(shift, 0)) throw new Error(`nnplay: fit: augment.shift must be an integer >= 0, got ${show(shift)}`);
  if (typeof flip !== 'boolean') throw new Error(`nnplay: fit: augment.flip must be true or false, got ${show(flip)}`);
  return { shift, flip: flip ? 1 : 0 };
}

/**
 * fit's arguments, checked before anything is copied or trained (a bad one would otherwise fail
 * mid-training, with the model half-trained); shared by a model's fit and a chain's. `keys` are
 * the ones the caller takes.
 */
export function fitOptions(args, keys = FIT_KEYS) {
  checkKeys(args, keys, 'fit');
  const { epochs = 1, batchSize = 32, shuffle = true, validationSplit = 0, validationData,
    verbose = 0, initialEpoch = 0, yieldEvery = 16 } = args;
  if (!isCount(epochs, 0)) throw new Error(`nnplay: fit: epochs must be an integer >= 0, got ${show(epochs)}`);
  if (!isCount(batchSize, 1)) throw new Error(`nnplay: fit: batchSize must be a positive integer, got ${show(batchSize)}`);
  if (!isCount(initialEpoch, 0)) throw new Error(`nnplay: fit: initialEpoch must be an integer >= 0, got ${show(initialEpoch)}`);
  if (typeof validationSplit !== 'number' || !(validationSplit >= 0 && validationSplit < 1)) {
    throw new Error(`nnplay: fit: validationSplit must be in [0, 1), got ${show(validationSplit)}`);
  }
  if (validationData != null && (!Array.isArray(validationData) || validationData.length !== 2)) {
    throw new Error('nnplay: fit: validationData must be [x, y]');
  }
  if (typeof yieldEvery !== 'number' || !(yieldEvery > 0)) throw new Error(`nnplay: fit: yieldEvery must be a positive number of ms, got ${show(yieldEvery)}`);
  const cbs = args.callbacks == null ? [] : [].concat(args.callbacks);
  if (!cbs.every((cb) => cb && typeof cb === 'object' && CALLBACK_HOOKS.every((h) => cb[h] == null || typeof cb[h] === 'function'))) {
    throw new Error(`nnplay: fit: callbacks must be objects whose ${CALLBACK_HOOKS.join(', ')} are functions`);
  }
  const call = async (name, ...a) => { for (const cb of cbs) if (cb[name]) await cb[name](...a); };
  const perBatch = cbs.some((cb) => cb.onBatchBegin || cb.onBatchEnd);
  return { epochs, batchSize, shuffle, validationSplit, validationData, verbose, initialEpoch, yieldEvery,
    call, perBatch, aug: augmentOptions(args.augment) };
}

/**
 * trainOnBatch's step for a model and a chain alike: copies the batch's inputs (as `inputs()` gave
 * them), labels and sample weights (Keras's sample_weight, one number per sample) into wasm, makes
 * the metrics accumulator when compile listed metrics, runs `step(px, dtype, py, pw, n, pLoss, mt)`
 * (a status; `onError(status)` makes its error) and frees it all. Returns the loss, or Keras's
 * [loss, ...metrics] in compile order (from the batch's forward pass, before the step).
 */
export function trainBatch({ values, n, dtype }, yv, sampleWeight, metrics, { newMetrics, step, onError }) {
  const wv = sampleWeight == null ? null : sampleWeights(sampleWeight, n);
  const core = C();
  const px = copyArrayIn(values, 'batch inputs');
  let py = 0;
  let pw = 0;
  let mt = 0;
  try {
    py = copyF32In(yv, 'batch labels');
    if (wv) pw = copyF32In(wv, 'sample weights');
    if (metrics.length && !(mt = newMetrics())) throw new Error('nnplay: out of memory for metrics');
    const loss = withAlloc(4, 'loss', (pl) => {
      const st = step(px, dtype, py, pw, n, pl, mt);
      if (st !== 0) throw onError(st);
      return heapF32()[pl >> 2];
    });
    if (!mt) return loss;
    const logs = readMetrics(mt, metrics);
    return [loss, ...metrics.map(({ name }) => logs[name])];
  } finally {
    free(px); free(py); if (pw) free(pw);
    if (mt) core._nnw_metrics_free(mt);
  }
}

/** Model.fit (see model.js): returns { epoch, history, params } as TF.js's History. */
export async function fit(model, x, y, args = {}) {
  model._needCompiled('fit');
  model._notBusy('fit');
  const { epochs, batchSize, shuffle, validationSplit, validationData, verbose, initialEpoch, yieldEvery,
    call, perBatch, aug } = fitOptions(args);
  const { values: xv, n: nAll, dtype } = model._inputs(x);
  const yAll = model._labels(y, nAll, 'y');
  const inSize = model.inputSize;
  const ly = model._labelSize();
  // Keras's validationSplit: the last fraction, taken before shuffling
  let nTrain = nAll;
  let val = null;
  if (validationData != null) {
    const [vx, vy] = validationData;
    const r = model._inputs(vx, 'validationData x');
    val = { x: r.values, dtype: r.dtype, y: model._labels(vy, r.n, 'validationData y'), n: r.n };
  } else if (validationSplit > 0) {
    const nVal = Math.floor(nAll * validationSplit);
    nTrain = nAll - nVal;
    if (nVal > 0) val = { x: xv.subarray(nTrain * inSize), dtype, y: yAll.subarray(nTrain * ly), n: nVal };
  }
  if (nTrain <= 0) throw new Error('nnplay: fit: no training samples left after the validation split');

  const c = C();
  const m = model._ptr;
  if (c._nn_model_set_augment(m, aug.shift, aug.flip) !== 0) throw model._error(-1, 'fit');
  const ptrs = [];
  const alloc = (bytes, what) => { const p = malloc(bytes, what); ptrs.push(p); return p; };
  const put = (arr, what) => { const p = copyArrayIn(arr, what); ptrs.push(p); return p; }; // ids stay integers
  let mt = 0;
  let vmt = 0;
  model._busy = true;
  model.stopTraining = false;
  const history = { epoch: [], history: {}, params: { epochs, batchSize, samples: nTrain } };
  try {
    const px = put(xv.subarray(0, nTrain * inSize), 'training inputs');
    const py = put(yAll.subarray(0, nTrain * ly), 'training labels');
    const vx = val ? put(val.x, 'validation inputs') : 0;
    const vy = val ? put(val.y, 'validation labels') : 0;
    // every input and label before the first step, so a bad one cannot half-train the model
    model._checkInputs(px, dtype, nTrain, 'x');
    model._checkLabels(py, nTrain, 'y');
    if (val) model._checkInputs(vx, val.dtype, val.n, 'validationData x');
    if (val) model._checkLabels(vy, val.n, 'validationData y');
    const perm = alloc(nTrain * 4, 'the shuffle order');
    mt = c._nnw_metrics_new(m);
    vmt = val ? c._nnw_metrics_new(m) : 0;
    if (!mt || (val && !vmt)) throw new Error('nnplay: out of memory for metrics');
    const steps = Math.ceil(nTrain / batchSize);
    let chunk = 1; // batches per call into wasm, tuned to take about yieldEvery ms
    let lastYield = now();
    await call('onTrainBegin', {});
    for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining && !model._disposed; epoch++) {
      await call('onEpochBegin', epoch, {});
      if (shuffle) c._nn_model_permutation(m, perm, nTrain);
      else { const v = heapI32(); for (let i = 0; i < nTrain; i++) v[(perm >>> 2) + i] = i; }
      c._nn_metrics_reset(mt);
      const t0 = now();
      let pos = 0;
      let batch = 0;
      while (pos < nTrain && !model.stopTraining && !model._disposed) {
        const nb = perBatch ? 1 : chunk;
        if (perBatch) await call('onBatchBegin', batch, { batch, size: Math.min(batchSize, nTrain - pos) });
        const before = perBatch ? model._sumLoss(mt) : null;
        const tc = now();
        const got = c._nn_model_train_steps_typed(m, px, dtype, py, nTrain, perm, pos, nb, batchSize, mt);
        if (got < 0) throw model._error(got, `fit (epoch ${epoch + 1})`);
        const dt = now() - tc;
        if (!perBatch) chunk = Math.max(1, Math.min(1 << 16, Math.round(chunk * (dt > 0 ? Math.min(4, (yieldEvery / 2) / dt) : 4)) || 1));
        pos += got;
        if (perBatch) {
          const after = model._sumLoss(mt);
          await call('onBatchEnd', batch, { batch, size: after.count - before.count,
            loss: (after.sum - before.sum) / (after.count - before.count) });
        }
        batch += nb;
        if (now() - lastYield >= yieldEvery) { await yieldNow(); lastYield = now(); }
      }
      if (model._disposed) break;
      const logs = model._readMetrics(mt);
      if (val) Object.assign(logs, model._evaluatePtr(vx, val.dtype, vy, val.n, vmt, 'val_'));
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ||= []).push(v);
      if (verbose) printEpoch(epoch, epochs, steps, now() - t0, logs);
      await call('onEpochEnd', epoch, logs);
    }
    await call('onTrainEnd', {});
    return history;
  } finally {
    model._busy = false;
    if (!model._disposed) c._nn_model_set_augment(m, 0, 0); // augmentation lasts one fit call
    for (const p of ptrs) free(p);
    if (mt) c._nnw_metrics_free(mt);
    if (vmt) c._nnw_metrics_free(vmt);
    if (model._disposed && model._ptr) model._freeNow();
  }
}

export function printEpoch(epoch, epochs, steps, ms, logs) {
  const parts = Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`);
  console.log(`Epoch ${epoch + 1}/${epochs}\n${steps}/${steps} [==============================] - ` +
    `${(ms / 1000).toFixed(1)}s ${Math.round((ms * 1000) / steps)}us/step - ${parts.join(' - ')}`);
}
