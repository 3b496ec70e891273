// teach-model.js - the Teach panel's models, through the JS API only (the worker runs them; the
// tests run them in Node): the shipped digit CNN without its last layer as a frozen base, a new
// softmax head trained on the base's features, optional fine-tuning of the base's last conv layer,
// the same network trained from scratch for comparison, k-fold evaluation, and one plain model
// for export. `nn` is the imported JS API (wasm/lean.js in the page's worker).
import { augment, take, stratifiedFolds, foldCount, confusionMatrix, scores, argmaxRows, PIXELS } from './teach-data.js';

// Settings picked on drawn shapes (tests/js/teach.test.mjs): a linear head learns in a fraction of
// a second at a high rate; fine-tuning follows Keras's recipe (train the head first, then unfreeze
// the top of the base and go on at a rate ten times lower); from scratch gets a rate for a whole CNN
// (more epochs gained nothing on drawn letters), so the comparison is not won by starving it.
export const SETTINGS = {
  head: { lr: 0.01, epochs: 30, batchSize: 32 },
  fineTune: { lr: 0.001, epochs: 10, batchSize: 32, layers: 1 }, // the last `layers` weighted layers of the base
  scratch: { lr: 0.003, epochs: 20, batchSize: 32 },
};

export class Cancelled extends Error {
  constructor() { super('cancelled'); this.name = 'Cancelled'; }
}

/**
 * The shipped model minus its last layer, with its weights (copied: the shipped model stays as it
 * is) and every layer frozen: Keras's recipe, a new model from a trained one's layers.
 */
export function frozenBase(nn, shipped) {
  const base = nn.sequential({ name: 'base', layers: shipped.layers.slice(0, -1) });
  base.trainable = false;
  return base;
}

const headLayer = (nn, units) => nn.layers.dense({ units, activation: 'softmax', name: 'head' });

const compile = (nn, m, lr) => m.compile({ optimizer: nn.train.adam(lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

/** fit's callbacks: progress per epoch, and a stop (by throwing Cancelled) once cancelled() says so. */
const watch = (epochs, onEpoch, cancelled) => ({
  onEpochEnd: async (e, logs) => {
    if (cancelled?.()) throw new Cancelled();
    await onEpoch?.((e + 1) / epochs, logs);
  },
});

/**
 * Transfer: the frozen base, a new head trained on the base's features of the augmented drawings
 * (the base never changes, so its features are computed once: the same training as fitting
 * the chain base -> head, without running the base again every epoch), then, if fineTune, the chain [base, head] with
 * the base's last layer unfrozen, at a lower rate. Returns { base, head, model: the chain, dispose }.
 */
export async function trainTransfer(nn, shipped, x, y, numClasses, { fineTune = false, seed = 1, onProgress, cancelled, features } = {}) {
  const aug = augment(x, y);
  const base = frozenBase(nn, shipped);
  let head = null;
  let model = null;
  const dispose = () => { model?.dispose(); head?.dispose(); base.dispose(); };
  try {
    const feats = features ?? base.predict(aug.x);
    const size = base.outputSize;
    head = nn.sequential({ name: 'head', seed, layers: [nn.layers.dense({ units: numClasses, activation: 'softmax', inputShape: [size], name: 'head' })] });
    compile(nn, head, SETTINGS.head.lr);
    const share = fineTune ? 0.3 : 1; // of the progress bar
    const h = SETTINGS.head;
    await head.fit(feats, aug.y, { epochs: h.epochs, batchSize: h.batchSize,
      callbacks: watch(h.epochs, (f, l) => onProgress?.(share * f, l), cancelled) });
    model = nn.sequential({ name: 'teach', layers: [base, head] });
    if (fineTune) {
      const f = SETTINGS.fineTune;
      const weighted = base.layers.filter((l) => l.numParams > 0);
      for (const l of weighted.slice(-f.layers)) l.trainable = true;
      compile(nn, model, f.lr); // taken now: the unfrozen layers learn, the rest stay
      await model.fit(aug.x, aug.y, { epochs: f.epochs, batchSize: f.batchSize,
        callbacks: watch(f.epochs, (p, l) => onProgress?.(share + (1 - share) * p, l), cancelled) });
    }
    return { base, head, model, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

/** The same network (the base's layers and a new head), random weights, every layer trained. */
export async function trainScratch(nn, shipped, x, y, numClasses, { seed = 1, onProgress, cancelled } = {}) {
  const aug = augment(x, y);
  const layers = shipped.getConfig().layers.slice(0, -1).map(({ className, config }) => ({ className, config: { ...config, trainable: true } }));
  const model = nn.sequential({ name: 'scratch', seed, layers: [...layers, headLayer(nn, numClasses)] });
  try {
    compile(nn, model, SETTINGS.scratch.lr);
    const s = SETTINGS.scratch;
    await model.fit(aug.x, aug.y, { epochs: s.epochs, batchSize: s.batchSize, callbacks: watch(s.epochs, onProgress, cancelled) });
    return { model, dispose: () => model.dispose() };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/**
 * k-fold cross-validation (stratified, k = the rarest class's count, at most 5): each fold's
 * drawings are predicted by a model trained on the other folds only (their shifted copies too), so
 * every drawing is judged once, by a model that never saw it. kind: 'transfer' | 'scratch'.
 * Returns { k, pred, confusion, accuracy, perClass }.
 */
export async function crossValidate(nn, shipped, kind, x, y, numClasses, { fineTune = false, seed = 1, onProgress, cancelled } = {}) {
  const k = foldCount(y, numClasses);
  if (k < 2) throw new Error('every class needs at least 2 drawings to hold some out');
  const fold = stratifiedFolds(y, k, seed);
  const pred = new Int32Array(y.length);
  // a frozen base gives every drawing the same features in every fold: compute them once
  let feats = null;
  if (kind === 'transfer' && !fineTune) {
    const base = frozenBase(nn, shipped);
    try { feats = { values: base.predict(augment(x, y).x), size: base.outputSize }; } finally { base.dispose(); }
  }
  const copies = augment(x.subarray(0, PIXELS), y.subarray(0, 1)).y.length;
  for (let f = 0; f < k; f++) {
    if (cancelled?.()) throw new Cancelled();
    const trainIdx = [];
    const testIdx = [];
    fold.forEach((v, i) => (v === f ? testIdx : trainIdx).push(i));
    const tr = take(x, y, trainIdx);
    const te = take(x, y, testIdx);
    const opts = { fineTune, seed: seed + f, cancelled, onProgress: (p) => onProgress?.((f + p) / k) };
    if (feats) opts.features = take(feats.values, null, trainIdx.flatMap((i) => Array.from({ length: copies }, (_, c) => i * copies + c)), feats.size).x;
    const t = kind === 'scratch' ? await trainScratch(nn, shipped, tr.x, tr.y, numClasses, opts)
      : await trainTransfer(nn, shipped, tr.x, tr.y, numClasses, opts);
    try {
      const p = argmaxRows(t.model.predict(te.x), numClasses);
      testIdx.forEach((i, r) => { pred[i] = p[r]; });
    } finally { t.dispose(); }
  }
  const confusion = confusionMatrix(y, pred, numClasses);
  return { k, pred, confusion, ...scores(confusion) };
}

/**
 * One plain model with the trained model's layers and weights (copied): what save(), toTfjs() and
 * toONNX() take. The base's layers keep trainable: false unless fine-tuned.
 */
export function plainCopy(nn, trained) {
  const m = nn.sequential({ name: 'teach', layers: trained.getConfig().layers });
  try {
    m.setWeights(trained.getWeights());
    return m;
  } catch (err) {
    m.dispose();
    throw err;
  }
}

export { PIXELS };
