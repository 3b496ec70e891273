// worker.js - the playground's training loop. ALL model work happens here, off the main thread:
// the worker trains continuously in ~15 ms chunks of whole epochs and posts a snapshot (metrics,
// heatmap, weights, what every neuron computes) at most ~30 times a second. Messages in: {type:
// 'config'|'play'|'pause'|'step'|'reset'|'speed'|'focus'|'setWeight'|'custom'|'export'|'import'|'exportAs'|'importTfjs'|'csv'|'edit'}.
import * as nn from '../wasm/lean.js';
import { post, postError, postReady, yieldNow, serialQueue, singleRun, postExport, loadTfjsFiles } from './worker-shared.js';

const GRID = 64; // the heatmap: one predict() on GRID x GRID points of the input plane
const NODE_GRID = 24; // each neuron's small heatmap: predictLayers() on NODE_GRID x NODE_GRID points
const VIEW = 6; // the plane drawn is [-VIEW, VIEW]^2, in the data's coordinates
const N_POINTS = 500;
const CHUNK_MS = 15;
const SNAPSHOT_MS = 33;

// Features computed from a 2D point (u, v) in [-6, 6]^2; scaled so a tanh network sees values near [-2, 2].
const FEATURES = {
  x1: (u) => u / 3,
  x2: (u, v) => v / 3,
  x1sq: (u) => (u / 3) ** 2,
  x2sq: (u, v) => (v / 3) ** 2,
  x1x2: (u, v) => (u / 3) * (v / 3),
  sinx1: (u) => Math.sin(u),
  sinx2: (u, v) => Math.sin(v),
};

let config = null;
let model = null;
let set = null; // { xTrain, yTrain, xTest, yTest, numClasses, regression, pTrain, pTest } (p*: raw 2D points)
let grid = null; // features of the heatmap grid
let nodeGrid = null; // features of the neurons' small grid
let hiddenLayers = []; // model layer index of each hidden layer of neurons
let epoch = 0;
let playing = false;
let stepsPerChunk = 1;
let lastSnapshot = 0;
let rate = { epochs: 0, samples: 0, t: 0, e: 0 }; // speed, measured over ~0.5 s windows
let generation = 0; // bumped on every rebuild, so a chunk of a replaced model is ignored
let custom = null; // uploaded / hand-edited points: { x (n x 2, in view coordinates), y, numClasses, regression }
let speed = 0; // epochs per second while playing; 0: as fast as the core goes
let pace = { t: 0, e: 0 }; // when and at which epoch the current speed started
let focus = null; // { layer, unit }: the neuron the page shows large (hidden layer index, or -1 for an input feature)

function setPlaying(on) {
  playing = on;
  post({ type: 'state', playing });
}
/** Stop playing and wait until the training loop has let go of the model. */
async function stopped() {
  setPlaying(false);
  while (loop.running) await yieldNow();
}

function featurize(points, n, features) {
  const fns = features.map((f) => {
    if (!Object.hasOwn(FEATURES, f)) throw new Error(`unknown feature '${f}'`); // not 'constructor' & co.
    return FEATURES[f];
  });
  const out = new Float32Array(n * fns.length);
  for (let i = 0; i < n; i++) {
    const u = points[2 * i];
    const v = points[2 * i + 1];
    for (let j = 0; j < fns.length; j++) out[i * fns.length + j] = fns[j](u, v);
  }
  return out;
}

function buildData(c) {
  if (c.dataset === 'custom' && !custom) throw new Error('no uploaded data: upload a CSV file first');
  // numClasses 0: the core's default for the kind (3 for the multiclass ones)
  const d = c.dataset === 'custom' ? custom : nn.data.generate(c.dataset, { n: N_POINTS, noise: c.noise / 100, seed: c.seed });
  const s = nn.data.split(d.x, d.y, { testFraction: 1 - c.trainRatio / 100, seed: c.seed });
  return { ...s, numClasses: d.numClasses, regression: d.regression, pTrain: s.xTrain, pTest: s.xTest };
}

/** The centres of a g x g raster over the view, row by row from the top: n x 2 points. */
function gridPoints(g) {
  const pts = new Float32Array(g * g * 2);
  for (let r = 0; r < g; r++) {
    for (let col = 0; col < g; col++) {
      const i = r * g + col;
      pts[2 * i] = -VIEW + ((col + 0.5) / g) * 2 * VIEW; // x grows to the right
      pts[2 * i + 1] = VIEW - ((r + 0.5) / g) * 2 * VIEW; // y grows upwards
    }
  }
  return pts;
}
const GRID_PTS = gridPoints(GRID);
const NODE_PTS = gridPoints(NODE_GRID);

// The loss for the problem and the user's choice ('crossEntropy', 'mse' or 'mae'); regression has no cross-entropy.
function lossFor(c, s) {
  const choice = s.regression && c.loss === 'crossEntropy' ? 'mse' : c.loss;
  if (choice === 'mse') return 'meanSquaredError';
  if (choice === 'mae') return 'meanAbsoluteError';
  if (choice && choice !== 'crossEntropy') throw new Error(`unknown loss '${choice}'`);
  return s.regression ? 'meanSquaredError' : s.numClasses > 2 ? 'sparseCategoricalCrossentropy' : 'binaryCrossentropy';
}

// Labels as the loss wants them: class indices for cross-entropy, one-hot rows for MSE/MAE on 3+ classes.
function labelsFor(y, s, loss) {
  return s.numClasses > 2 && loss !== 'sparseCategoricalCrossentropy' ? nn.data.oneHot(y, s.numClasses) : y;
}

function buildModel(c, s) {
  const nIn = c.features.length;
  if (nIn < 1) throw new Error('choose at least one input feature');
  const reg = c.regularization === 'none' || !(c.regRate > 0) ? undefined
    : c.regularization === 'L1' ? nn.regularizers.l1({ l1: c.regRate }) : nn.regularizers.l2({ l2: c.regRate });
  const layers = [];
  c.hidden.forEach((units, i) => {
    layers.push(nn.layers.dense({ ...(i === 0 ? { inputShape: [nIn] } : {}), units,
      activation: c.layerActivations?.[i] || c.activation, ...(reg ? { kernelRegularizer: reg } : {}) }));
    const rate = c.dropout?.[i] || 0;
    if (rate > 0) layers.push(nn.layers.dropout({ rate }));
  });
  const multi = s.numClasses > 2;
  layers.push(nn.layers.dense({ ...(layers.length === 0 ? { inputShape: [nIn] } : {}),
    units: multi ? s.numClasses : 1, activation: s.regression ? 'linear' : multi ? 'softmax' : 'sigmoid',
    ...(reg ? { kernelRegularizer: reg } : {}) }));
  const m = nn.sequential({ seed: c.seed, layers });
  const opts = { sgd: () => nn.train.sgd(c.lr), momentum: () => nn.train.momentum(c.lr, 0.9),
    adam: () => nn.train.adam(c.lr), rmsprop: () => nn.train.rmsprop(c.lr) };
  const opt = Object.hasOwn(opts, c.optimizer) ? opts[c.optimizer] : null;
  if (!opt) throw new Error(`unknown optimizer '${c.optimizer}'`);
  m.compile({ optimizer: opt(), loss: lossFor(c, s), metrics: s.regression ? [] : ['accuracy'] });
  return m;
}

function rebuildData() {
  const s = buildData(config);
  const f = config.features;
  const loss = lossFor(config, s);
  set = { ...s, xTrain: featurize(s.pTrain, s.pTrain.length / 2, f), xTest: featurize(s.pTest, s.pTest.length / 2, f),
    fitTrain: labelsFor(s.yTrain, s, loss), fitTest: labelsFor(s.yTest, s, loss) };
  grid = featurize(GRID_PTS, GRID * GRID, f);
  nodeGrid = featurize(NODE_PTS, NODE_GRID * NODE_GRID, f);
}

/** Add a point at (u, v) or remove the one nearest to it; the data becomes the user's own ('custom'). */
function editPoint({ op, u, v, label }) {
  if (!set) return null;
  if (config.dataset !== 'custom' || !custom) {
    const x = new Float32Array(set.pTrain.length + set.pTest.length);
    x.set(set.pTrain);
    x.set(set.pTest, set.pTrain.length);
    const y = new Float32Array(set.yTrain.length + set.yTest.length);
    y.set(set.yTrain);
    y.set(set.yTest, set.yTrain.length);
    custom = { x, y, n: y.length, numClasses: set.numClasses, regression: set.regression };
  }
  const { x, y, n } = custom;
  if (op === 'remove') {
    let best = -1;
    let bestD = 0.8 ** 2; // only a point within 0.8 units of the click
    for (let i = 0; i < n; i++) {
      const d = (x[2 * i] - u) ** 2 + (x[2 * i + 1] - v) ** 2;
      if (d < bestD) { bestD = d; best = i; }
    }
    if (best < 0) return { n, changed: false };
    if (n <= 4) throw new Error('keep at least 4 points');
    const keep = (_, i) => i !== best;
    custom = { ...custom, x: x.filter((_, j) => (j >> 1) !== best), y: y.filter(keep), n: n - 1 };
  } else {
    const k = custom.regression ? Math.max(-1, Math.min(1, label)) : Math.max(0, Math.min(custom.numClasses - 1, Math.round(label)));
    const nx = new Float32Array(2 * n + 2);
    nx.set(x);
    nx[2 * n] = Math.max(-VIEW, Math.min(VIEW, u));
    nx[2 * n + 1] = Math.max(-VIEW, Math.min(VIEW, v));
    const ny = new Float32Array(n + 1);
    ny.set(y);
    ny[n] = k;
    custom = { ...custom, x: nx, y: ny, n: n + 1 };
  }
  config = { ...config, dataset: 'custom' };
  rebuildData(); // the model keeps training on the edited points
  return { n: custom.n, changed: true, regression: custom.regression, numClasses: custom.numClasses };
}

// Swap in a new model (or none) and start the training counters over.
function replaceModel(next) {
  generation++;
  model?.dispose();
  model = next;
  // the model's layers that are hidden neurons: every dense layer but the last (dropout layers have none)
  hiddenLayers = next ? next.layers.map((l, i) => (l.type === 'dense' ? i : -1)).filter((i) => i >= 0).slice(0, -1) : [];
  epoch = 0;
  pace = { t: performance.now(), e: 0 };
  stepsPerChunk = 1;
  rate = { epochs: 0, samples: 0, t: performance.now(), e: 0 };
}

function rebuild() {
  replaceModel(null);
  rebuildData();
  replaceModel(buildModel(config, set));
}

function snapshot(reset = false) {
  if (!model || !set) return;
  const tr = model.evaluate(set.xTrain, set.fitTrain);
  const te = set.yTest.length ? model.evaluate(set.xTest, set.fitTest) : { loss: NaN, accuracy: NaN };
  const { heat, focused } = outputAndFocus();
  const nodes = neuronMaps();
  const weights = model.getWeights().map((w) => ({ shape: w.shape, data: Float32Array.from(w) }));
  const now = performance.now();
  if (now - rate.t >= 500) {
    const dt = (now - rate.t) / 1000;
    rate.epochs = (epoch - rate.e) / dt;
    rate.samples = rate.epochs * set.yTrain.length;
    rate.t = now;
    rate.e = epoch;
  }
  if (!playing) rate.epochs = rate.samples = 0;
  const msg = {
    type: 'snapshot', reset, epoch, playing,
    confusion: set.regression || !te.confusionMatrix ? null : te.confusionMatrix,
    testR2: set.yTest.length ? te.r2 : NaN, testMae: set.yTest.length ? te.mae : NaN,
    trainLoss: tr.loss, testLoss: te.loss,
    trainAccuracy: set.regression ? null : tr.accuracy, testAccuracy: set.regression ? null : te.accuracy,
    epochsPerSec: rate.epochs, samplesPerSec: rate.samples,
    regression: set.regression, numClasses: set.numClasses, grid: GRID, view: VIEW,
    heat, outputs: model.outputSize, weights, features: config.features, nodes, nodeGrid: NODE_GRID, focus, focused,
    train: { x: set.pTrain.slice(), y: set.yTrain.slice() }, test: { x: set.pTest.slice(), y: set.yTest.slice() },
  };
  lastSnapshot = now;
  post(msg, [heat.buffer, ...weights.map((w) => w.data.buffer), ...nodes.map((n) => n.data.buffer),
    ...(focused ? [focused.buffer] : [])]);
  if (!Number.isFinite(tr.loss)) {
    post({ type: 'error', message: 'Training diverged (the loss is not a number). Try a smaller learning rate, then press Reset.' });
    setPlaying(false);
  }
}

/** Column `unit` of a row-major n x units array. */
function column(data, units, unit) {
  const n = data.length / units;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = data[i * units + unit];
  return out;
}

/** The output over the big grid, and the focused neuron's (or input feature's) values over it, if any. */
function outputAndFocus() {
  const nf = config.features.length;
  if (focus && focus.layer === -1 && focus.unit < nf) return { heat: model.predict(grid), focused: column(grid, nf, focus.unit) };
  const li = focus ? hiddenLayers[focus.layer] : undefined;
  if (li === undefined) return { heat: model.predict(grid), focused: null };
  const outs = model.predictLayers(grid); // one forward pass gives the output and the neuron
  const units = outs[li].shape[1];
  return { heat: outs[outs.length - 1], focused: focus.unit < units ? column(outs[li], units, focus.unit) : null };
}

/** What every input feature and hidden neuron computes over the small grid: per column of the diagram,
 *  { units, data } with data[point * units + unit]. */
function neuronMaps() {
  const nodes = [{ units: config.features.length, data: nodeGrid.slice() }];
  if (!hiddenLayers.length) return nodes;
  const outs = model.predictLayers(nodeGrid);
  for (const li of hiddenLayers) nodes.push({ units: outs[li].shape[1], data: outs[li] });
  return nodes;
}

/** Set one weight: tensor j of getWeights() (dense layer d: kernel 2d, bias 2d + 1), value index k. */
function setWeight({ tensor, index, value }) {
  if (!model) throw new Error('there is no model yet');
  const ws = model.getWeights();
  if (!Number.isInteger(tensor) || tensor < 0 || tensor >= ws.length || !Number.isInteger(index) || index < 0 || index >= ws[tensor].length) {
    throw new Error(`there is no weight ${index} in tensor ${tensor}`);
  }
  if (!Number.isFinite(value)) throw new Error(`a weight must be a finite number, not ${value}`);
  ws[tensor][index] = value;
  model.setWeights(ws);
}

async function trainEpochs(k) {
  const gen = generation;
  const m = model;
  await m.fit(set.xTrain, set.fitTrain, { epochs: k, batchSize: Math.min(config.batchSize, set.yTrain.length),
    shuffle: true, yieldEvery: 1e9 });
  if (gen === generation) epoch += k;
}

const loop = singleRun(async () => {
  try {
    while (playing && model) {
      let k = stepsPerChunk;
      if (speed > 0) { // a set pace: train what is due by now, else wait (at most one frame's time)
        const due = Math.floor(((performance.now() - pace.t) / 1000) * speed) - (epoch - pace.e);
        if (due <= 0) {
          if (performance.now() - lastSnapshot >= SNAPSHOT_MS) snapshot();
          await new Promise((r) => setTimeout(r, Math.min(16, Math.max(1, 1000 / speed))));
          continue;
        }
        k = Math.min(k, due);
        // more than a second behind (a slow machine, a hidden tab): go on from now, without a burst
        if (due > speed) pace = { t: performance.now(), e: epoch + k };
      }
      const t0 = performance.now();
      await trainEpochs(k);
      const dt = performance.now() - t0;
      if (k === stepsPerChunk) stepsPerChunk = Math.max(1, Math.min(10000, Math.round(k * Math.min(2, Math.max(0.5, CHUNK_MS / Math.max(dt, 0.01))))));
      if (performance.now() - lastSnapshot >= SNAPSHOT_MS) snapshot();
      await yieldNow(); // let config/pause messages in
    }
  } catch (err) {
    postError(err, 'Training stopped');
    setPlaying(false);
  }
});

// ---- CSV upload: two feature columns and a label column, rescaled into the view ----
const LABEL_NAMES = ['label', 'class', 'y', 'target'];
function loadCSV(text, want) {
  const head = nn.data.parseCSV(text); // validates the whole file (ragged rows, non-numbers) and names the columns
  const cols = head.columns;
  if (cols.length < 3) throw new Error(`the CSV file needs at least 3 columns (two features and a label); it has ${cols.length}`);
  if (head.n < 2) throw new Error('the CSV file needs at least 2 data rows');
  const valid = (i) => Number.isInteger(i) && i >= 0 && i < cols.length;
  let label = valid(want?.label) ? want.label : cols.findIndex((n) => LABEL_NAMES.includes(n.trim().toLowerCase()));
  if (label < 0) label = cols.length - 1;
  let feats = want?.features?.length === 2 && want.features.every(valid) ? want.features
    : cols.map((_, i) => i).filter((i) => i !== label).slice(0, 2);
  if (feats[0] === feats[1] || feats.includes(label)) throw new Error('choose two different feature columns and a different label column');
  const d = nn.data.parseCSV(text, { labelColumn: label, featureColumns: feats });
  const n = d.n;
  const x = new Float32Array(2 * n);
  for (let j = 0; j < 2; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) { lo = Math.min(lo, d.x[2 * i + j]); hi = Math.max(hi, d.x[2 * i + j]); }
    const mid = (lo + hi) / 2;
    const half = (hi - lo) / 2 || 1;
    for (let i = 0; i < n; i++) x[2 * i + j] = ((d.x[2 * i + j] - mid) / half) * (VIEW - 0.5);
  }
  let y = d.y;
  let max = 0;
  const isClass = y.every((v) => Number.isInteger(v) && v >= 0 && v <= 4);
  if (isClass) for (const v of y) max = Math.max(max, v);
  const classification = isClass && max >= 1;
  if (!classification) { // regression: labels rescaled to [-1, 1]
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of y) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const mid = (lo + hi) / 2;
    const half = (hi - lo) / 2 || 1;
    y = y.map((v) => (v - mid) / half);
  }
  custom = { x, y, n, numClasses: classification ? max + 1 : 0, regression: !classification };
  return { columns: cols, features: feats, label, n, regression: custom.regression, numClasses: custom.numClasses };
}

/** A copy of the user's own points, for the page to keep (localStorage). */
const customPoints = () => ({ x: Array.from(custom.x, (v) => +v.toFixed(4)), y: Array.from(custom.y, (v) => +v.toFixed(4)),
  numClasses: custom.numClasses, regression: custom.regression });

// The activation the model's output ends with: the last layer's own, or a trailing activation layer's.
function outputActivation(m) {
  const layers = m.layers.filter((l) => l.type !== 'dropout');
  return layers.length ? layers[layers.length - 1].activation ?? 'linear' : 'linear';
}

/** Take an imported model (nnplay's file or TF.js's) if it fits the features and the data set, else dispose of it and throw why. */
function adopt(m) {
  try {
    const nIn = config.features.length;
    if (m.inputSize !== nIn) {
      throw new Error(`the model has ${m.inputSize} input${m.inputSize === 1 ? '' : 's'}, but ${nIn} input feature${nIn === 1 ? ' is' : 's are'} selected; select ${m.inputSize} features and import it again`);
    }
    const nOut = set.numClasses > 2 ? set.numClasses : 1;
    if (m.outputSize !== nOut) {
      throw new Error(`the model has ${m.outputSize} output${m.outputSize === 1 ? '' : 's'}, but this data set needs ${nOut}`);
    }
    if (!m.layers.length) throw new Error('the model has no layers');
    const want = set.regression ? null : nOut === 1 ? 'sigmoid' : 'softmax';
    const act = outputActivation(m);
    if (want && act !== want) {
      throw new Error(`the model's output ends in ${act}, but this data set's classes need ${want === 'sigmoid' ? '1 sigmoid unit' : `${nOut} softmax units`}`);
    }
    try {
      // saved compiled, with labels like ours: keep its optimizer state
      m.evaluate(set.xTrain.subarray(0, nIn), set.fitTrain.subarray(0, set.fitTrain.length / set.yTrain.length));
    } catch { // saved uncompiled (or for other labels): train it with the current loss and Adam
      m.compile({ optimizer: nn.train.adam(config.lr), loss: lossFor(config, set), metrics: set.regression ? [] : ['accuracy'] });
    }
  } catch (err) {
    m.dispose();
    throw err;
  }
  replaceModel(m);
  return { inputs: m.inputSize, layers: m.layers.length };
}

const importModel = (bytes) => adopt(nn.loadModel(bytes));

async function handle(msg) {
  switch (msg.type) {
    case 'export': {
      if (!model) throw new Error('there is no model to export yet');
      const bytes = model.save();
      post({ type: 'model', bytes }, [bytes.buffer]);
      break;
    }
    case 'import':
      await stopped();
      try {
        const info = importModel(msg.bytes);
        post({ type: 'imported', ...info });
      } catch (err) {
        postError(err, 'Could not import the model');
        break;
      }
      snapshot(true);
      break;
    case 'exportAs':
      if (!model) throw new Error('there is no model to export yet');
      try {
        await postExport(model, msg.format, msg.name);
      } catch (err) {
        postError(err, msg.format === 'onnx' ? 'Could not export ONNX' : 'Could not export for TensorFlow.js');
      }
      break;
    case 'importTfjs': {
      await stopped();
      let m;
      try {
        // compile: false - trained with the page's loss and Adam, as an uncompiled nnplay file is
        m = await loadTfjsFiles(msg.files, { compile: false });
      } catch (err) {
        postError(err, 'Could not read the TF.js model');
        break;
      }
      try {
        post({ type: 'imported', from: 'TF.js', ...adopt(m) });
      } catch (err) {
        postError(err, 'Could not import the TF.js model');
        break;
      }
      snapshot(true);
      break;
    }
    case 'edit': {
      const wasPlaying = playing;
      playing = false;
      while (loop.running) await yieldNow();
      const info = editPoint(msg);
      if (info?.changed) {
        post({ type: 'edited', ...info, points: customPoints() });
        snapshot();
      }
      if (wasPlaying) { playing = true; loop(); }
      break;
    }
    case 'csv': {
      await stopped();
      let info;
      try {
        info = loadCSV(msg.text, msg.want);
      } catch (err) {
        postError(err, `Could not use ${msg.name || 'the CSV file'}`);
        break;
      }
      post({ type: 'csv', ...info, points: customPoints() });
      break;
    }
    case 'config':
      config = msg.config;
      rebuild();
      snapshot(true);
      break;
    case 'reset':
      setPlaying(false);
      rebuild();
      snapshot(true);
      break;
    case 'speed':
      speed = Math.max(0, Number(msg.value) || 0);
      pace = { t: performance.now(), e: epoch };
      break;
    case 'focus':
      focus = msg.focus && Number.isInteger(msg.focus.layer) && Number.isInteger(msg.focus.unit) ? msg.focus : null;
      if (!playing) snapshot();
      break;
    case 'setWeight':
      setWeight(msg);
      snapshot();
      break;
    case 'custom': { // points kept by the page (localStorage) from an earlier visit
      const x = Float32Array.from(msg.x || []);
      const y = Float32Array.from(msg.y || []);
      const k = msg.numClasses;
      if (y.length < 4 || x.length !== 2 * y.length || ![...x, ...y].every(Number.isFinite) ||
          (!msg.regression && !(Number.isInteger(k) && k >= 2 && k <= 5 && y.every((v) => Number.isInteger(v) && v >= 0 && v < k)))) {
        throw new Error('the saved points are damaged; upload or add them again');
      }
      custom = { x, y, n: y.length, numClasses: msg.regression ? 0 : k, regression: !!msg.regression };
      break;
    }
    case 'play':
      pace = { t: performance.now(), e: epoch };
      rate = { epochs: 0, samples: 0, t: performance.now(), e: epoch };
      setPlaying(true);
      loop();
      break;
    case 'pause':
      setPlaying(false);
      snapshot();
      break;
    case 'step':
      await stopped();
      await trainEpochs(1);
      snapshot();
      break;
    default:
      throw new Error(`unknown message '${msg.type}'`);
  }
}

let loaded = false;
const enqueue = serialQueue((err) => {
  postError(err);
  setPlaying(false);
});
self.onmessage = (e) => enqueue(() => loaded && handle(e.data));

enqueue(async () => {
  try {
    await nn.ready();
  } catch (err) {
    postError(err);
    return;
  }
  loaded = true;
  postReady();
});
