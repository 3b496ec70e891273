// images-worker.js - the images page's model work, off the main thread: loads a dataset file
// (web/data/*.nnds.gz, see tools/data.mjs), builds or loads a model through the JS API, trains it in
// chunks of ~150 ms (one fit() call each, so pause, classify and every other message is answered
// between chunks), and posts figures and views. Every model call goes through one queue, so no
// two of them ever overlap.
// In:  init | dataset {name} | build {spec, lr, batchSize, seed} | load {bytes, origin} | play |
//      pause | reset | classify {x, id, inspect} | example {index} | save | settings {lr, batchSize} |
//      exportAs {format: 'tfjs'|'onnx', name} | loadTfjs {files}
// Out: ready | dataset | model | progress | views | test | probs | saved | exported | error | status
// The Compress panel's messages (compress*) are handled by images/compress-worker.js.
import * as nn from '../wasm/lean.js';
import { post, postError as postErrorAs, postReady, errorText, yieldNow, serialQueue, singleRun, postExport, loadTfjsFiles, fetchBytes } from './worker-shared.js';
import { compressHandlers } from './images/compress-worker.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CHUNK_MS = 150; // target duration of one fit() call
const VIEWS_MS = 1000; // filters/activations refresh while training
const VALIDATE_MS = 3000; // validation accuracy refresh while training (also at every epoch end)
const VAL_FRACTION = 0.1; // of the training set, held out for validation
const MAX_FILTERS = 32;
const FILM_STEPS = [0, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];

const FLAT_FIRST = new Set(['dense', 'dropout', 'activation']);

let ds = null; // { name, labels, pixels, trainCount, numClasses, train: Int32Array, val: {...}, test: {...} }
let model = null;
let spec = null; // the editor's layer list for the current model
let settings = { lr: 0.001, batchSize: 32, augment: false };
let canAugment = false; // fit's `augment` option (random shifts of image inputs), probed at init
let origin = 'new'; // 'new' | 'shipped' | 'file'
let generation = 0;
let exampleIndex = 0; // test sample whose activation maps are shown
let drawing = null; // the last drawn digit (Float32Array) when the page shows its activations
let film = []; // first-layer filters at FILM_STEPS
let playing = false;
let run = null; // per-model training state, see resetRun()

const now = () => performance.now();
const message = (err) => errorText(err).replace(/^nnplay: /, '');
const postError = (err, context) => postErrorAs(err, context, message);
const enqueue = serialQueue((err) => postError(err));

// ---- data ----

/** Parse tools/data.mjs's .nnds layout. */
function decodeDataset(b) {
  const magic = String.fromCharCode(...b.subarray(0, 8));
  if (b.length < 32 || magic !== 'NNPLAYDS') throw new Error('not an nnplay dataset file');
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const [version, count, rows, cols, trainCount, numClasses] = [0, 1, 2, 3, 4, 5].map((i) => dv.getUint32(8 + 4 * i, true));
  if (version !== 1) throw new Error(`dataset file version ${version} is not supported`);
  if (rows !== SIDE || cols !== SIDE) throw new Error(`images are ${rows}x${cols}, this page expects 28x28`);
  if (b.length !== 32 + count + count * PIXELS) throw new Error('dataset file is truncated');
  return { count, trainCount, numClasses, labels: b.subarray(32, 32 + count), pixels: b.subarray(32 + count) };
}

function gather(idx) {
  const x = new Float32Array(idx.length * PIXELS);
  const y = new Float32Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    const src = ds.pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
    for (let p = 0; p < PIXELS; p++) x[k * PIXELS + p] = src[p] / 255;
    y[k] = ds.labels[i];
  }
  return { x, y, idx, n: idx.length };
}

async function loadDataset(name) {
  if (!/^[a-z]+$/.test(name)) throw new Error(`unknown dataset '${name}'`);
  post({ type: 'status', message: `Loading ${name}…` });
  const d = decodeDataset(await fetchBytes(new URL(`data/${name}.nnds.gz`, import.meta.url), `dataset ${name}`));
  const nVal = Math.round(d.trainCount * VAL_FRACTION);
  const range = (a, b) => Int32Array.from({ length: b - a }, (_, i) => a + i);
  ds = { name, ...d, train: range(0, d.trainCount - nVal) };
  ds.val = gather(range(d.trainCount - nVal, d.trainCount));
  ds.test = gather(range(d.trainCount, d.count));
  exampleIndex = 0;
  post({ type: 'dataset', name, train: ds.train.length, val: ds.val.n, test: ds.test.n, numClasses: d.numClasses });
}

// ---- models ----

function layerOf(l, first) {
  const make = nn.layers[l.type];
  if (typeof make !== 'function') {
    throw new Error(`this build of nnplay has no ${l.type} layer (nn.layers.${l.type} is missing); pick another network`);
  }
  const { type, inputShape, ...opts } = l; // every option the layer list sets; the input shape is ours
  for (const k of Object.keys(opts)) if (opts[k] === undefined || opts[k] === '') delete opts[k];
  if (first) opts.inputShape = FLAT_FIRST.has(type) ? [PIXELS] : [SIDE, SIDE, 1];
  return make(opts);
}

function compile(m) {
  m.compile({ optimizer: nn.train.adam(settings.lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
}

function checkShape(m) {
  if (m.inputSize !== PIXELS) throw new Error(`the model takes ${m.inputSize} inputs per sample; images have ${PIXELS} (28x28)`);
  if (m.outputSize !== 10) throw new Error(`the model has ${m.outputSize} outputs; it needs 10, one probability per class`);
}

/** The editor's layer list for a model (e.g. one loaded from a file): each layer's type and every
 *  option its config sets, as the JS API reports them (the page shows the ones it edits). */
function specOf(m) {
  return m.layers.map((l) => {
    const s = { type: l.type };
    for (const [k, v] of Object.entries(l.config || {})) if (v != null) s[k] = v;
    return s;
  });
}

function describe() {
  const layers = model.layers.map((l) => ({ type: l.type, outputShape: l.outputShape, params: l.numParams }));
  post({ type: 'model', spec, layers, params: model.countParams(), origin, summary: model.summary(null), settings });
}

function setModel(m, newSpec, from) {
  model?.dispose();
  model = m;
  spec = newSpec;
  origin = from;
  generation++;
  film = [];
  resetRun();
  describe();
}

function resetRun() {
  run = { epoch: 0, pos: 0, order: null, chunk: 4 * settings.batchSize, seen: 0, epochSeen: 0, epochCorrect: 0,
    lastTrainAcc: null, window: { t: now(), n: 0 }, rate: 0, fwdMs: 0, stepMs: 0, lastFwd: 0, lastViews: 0, lastVal: 0, val: null, points: [] };
}

function build({ spec: s, seed }) {
  if (!Array.isArray(s) || s.length === 0) throw new Error('the network has no layers');
  const m = nn.sequential({ seed: seed ?? undefined });
  try {
    s.forEach((l, i) => {
      try {
        m.add(layerOf(l, i === 0));
      } catch (err) {
        throw new Error(`layer ${i + 1} (${l.type}): ${message(err)}`);
      }
    });
    checkShape(m);
    compile(m);
  } catch (err) {
    m.dispose();
    throw err;
  }
  setModel(m, s.map((l) => ({ ...l })), 'new');
}

// TF.js's image models take [28, 28, 1] or flat [784]; a shape like [1, 784] would only agree in size.
const IMAGE_SHAPES = [[SIDE, SIDE, 1], [PIXELS]];

/** What a model from TF.js must be besides checkShape's sizes: an image or flat input, softmax out. */
function checkTfjs(m) {
  const shape = m.inputShape;
  if (!IMAGE_SHAPES.some((s) => s.length === shape.length && s.every((d, i) => d === shape[i]))) {
    throw new Error(`the model's input is [${shape.join(', ')}]; this page feeds images as [${SIDE}, ${SIDE}, 1] or [${PIXELS}]`);
  }
  const layers = m.layers.filter((l) => l.type !== 'dropout');
  const act = layers[layers.length - 1].activation ?? 'linear';
  if (act !== 'softmax') throw new Error(`the model's output ends in ${act}; it needs softmax, one probability per class`);
}

function load({ bytes, from }) {
  adopt(nn.loadModel(new Uint8Array(bytes)), from);
}

/** Take a loaded model if it fits the page (else dispose of it and throw why), compiled for training. */
function adopt(m, from, check = () => {}) {
  try {
    checkShape(m);
    check(m);
    let compiled = true;
    try { void m.learningRate; } catch { compiled = false; }
    if (compiled) settings.lr = m.learningRate;
    else compile(m);
  } catch (err) {
    m.dispose();
    throw err;
  }
  setModel(m, specOf(m), from);
}

// ---- training ----

function shuffle(a, seed) {
  let s = seed >>> 0 || 1;
  for (let i = a.length - 1; i > 0; i--) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

async function trainChunk() {
  if (!model || !ds || !playing) return;
  const bs = settings.batchSize;
  if (!run.order) { run.order = shuffle(ds.train.slice(), 0x9e3779b9 ^ (run.epoch + 1) * 7919); run.pos = 0; }
  const n = Math.min(run.chunk, run.order.length - run.pos);
  const batch = gather(run.order.subarray(run.pos, run.pos + n));
  const t0 = now();
  const augment = settings.augment && canAugment && model.inputShape.length === 3 ? { augment: { shift: 2 } } : {};
  const h = await model.fit(batch.x, batch.y, { epochs: 1, batchSize: bs, shuffle: false, yieldEvery: 1e9, ...augment });
  const dt = now() - t0;
  const loss = h.history.loss[0];
  const acc = h.history.accuracy[0];
  run.pos += n;
  run.seen += n;
  run.epochSeen += n;
  run.epochCorrect += acc * n;
  run.window.n += n;
  const batches = Math.ceil(n / bs);
  run.stepMs = run.stepMs ? 0.7 * run.stepMs + 0.3 * (dt / batches) : dt / batches;
  run.chunk = Math.max(bs, Math.min(16384, Math.round((run.chunk * CHUNK_MS) / Math.max(dt, 1) / bs) * bs));
  // forward time of one batch, measured with predict() now and then (fit does not report it)
  if (now() - run.lastFwd > 1500) {
    // best of three: the first pass after a fit() call runs with cold caches
    const xb = batch.x.subarray(0, Math.min(bs, n) * PIXELS);
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const tf = now();
      model.predict(xb);
      best = Math.min(best, now() - tf);
    }
    const f = best * (bs / Math.min(bs, n));
    run.fwdMs = run.fwdMs ? 0.5 * run.fwdMs + 0.5 * f : f;
    run.lastFwd = now();
  }
  const fraction = run.pos / run.order.length;
  run.points.push([run.epoch + fraction, loss, acc]);
  const tw = now() - run.window.t;
  if (tw > 500) { run.rate = (run.window.n * 1000) / tw; run.window = { t: now(), n: 0 }; }
  let epochDone = false;
  if (run.pos >= run.order.length) {
    epochDone = true;
    run.epoch++;
    run.order = null;
  }
  if (epochDone || now() - run.lastVal > VALIDATE_MS) validate();
  postProgress(epochDone);
  if (epochDone) { run.lastTrainAcc = run.epochCorrect / run.epochSeen; run.epochSeen = 0; run.epochCorrect = 0; }
  if (now() - run.lastViews > VIEWS_MS) views();
  if (epochDone) testReport();
}

function validate() {
  const t = now();
  const e = model.evaluate(ds.val.x, ds.val.y);
  run.val = { loss: e.loss, accuracy: e.accuracy, at: run.epoch + (run.order ? run.pos / run.order.length : 0), steps: model.steps };
  // keep validation under ~15% of the time: wait longer when it is slow
  run.lastVal = now() + Math.max(0, (now() - t) * 6 - VALIDATE_MS);
}

// train accuracy: this epoch's so far (pre-update predictions, as Keras reports), else the last epoch's
function postProgress(epochDone = false) {
  post({ type: 'progress', epoch: run.epoch, fraction: run.order ? run.pos / run.order.length : 0, seen: run.seen,
    steps: model.steps, rate: run.rate, fwdMs: run.fwdMs, stepMs: run.stepMs,
    bwdMs: run.stepMs && run.fwdMs ? Math.max(0, run.stepMs - run.fwdMs) : 0,
    trainAcc: run.epochSeen ? run.epochCorrect / run.epochSeen : run.lastTrainAcc, val: run.val, points: run.points.splice(0),
    playing, epochDone });
}

const loop = singleRun(async () => {
  while (playing) {
    const g = generation;
    await enqueue(trainChunk);
    if (g !== generation) continue;
    await yieldNow(); // let pause / classify / edits in
  }
});

// ---- views ----

function firstWeights() {
  const w = model.getWeights()[0];
  if (!w) return null;
  if (w.shape.length === 2 && w.shape[0] === PIXELS) { // dense [784, units]: unit j's weights as an image
    const n = Math.min(MAX_FILTERS, w.shape[1]);
    const units = w.shape[1];
    const data = new Float32Array(n * PIXELS);
    for (let j = 0; j < n; j++) for (let i = 0; i < PIXELS; i++) data[j * PIXELS + i] = w[i * units + j];
    return { kind: 'dense', h: SIDE, w: SIDE, n, data };
  }
  if (w.shape.length === 4) { // conv [kh, kw, inC, filters] (TF.js layout), input channel 0
    const [kh, kw, inC, f] = w.shape;
    const n = Math.min(MAX_FILTERS, f);
    const data = new Float32Array(n * kh * kw);
    for (let j = 0; j < n; j++) {
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) data[(j * kh + y) * kw + x] = w[((y * kw + x) * inC) * f + j];
    }
    return { kind: 'conv', h: kh, w: kw, n, data };
  }
  return null;
}

/** Every layer's output for one example, in one forward pass (model.predictLayers). */
function activations(x) {
  let outs;
  try {
    outs = model.predictLayers(x);
  } catch (err) {
    return [{ index: 0, type: 'model', shape: [], error: message(err) }];
  }
  const out = [];
  model.layers.forEach((l, i) => {
    if (l.type === 'dropout') return; // identity when predicting
    const shape = l.outputShape;
    const size = shape.reduce((a, b) => a * b, 1);
    if (size > 64 * 64 * 8 && shape.length === 3 && shape[2] > 64) return;
    out.push({ index: i, type: l.type, shape, data: outs[i] });
  });
  return out;
}

function views() {
  if (!model) return;
  run.lastViews = now();
  const filters = firstWeights();
  const steps = model.steps;
  if (filters) {
    const due = FILM_STEPS.filter((s) => s <= steps).length;
    if (due > film.length || film.length === 0) {
      film.push({ steps, filters: { ...filters, n: Math.min(8, filters.n), data: filters.data.slice(0, Math.min(8, filters.n) * filters.h * filters.w) } });
      while (film.length > 8) film.splice(1, 1);
    }
  }
  let ex = null;
  if (drawing) ex = { source: 'drawing', x: drawing };
  else if (ds) {
    const i = Math.min(exampleIndex, ds.test.n - 1);
    ex = { source: 'test', index: i, label: ds.test.y[i], x: ds.test.x.subarray(i * PIXELS, (i + 1) * PIXELS) };
  }
  const acts = ex ? activations(ex.x) : [];
  post({ type: 'views', steps, filters, film, example: ex && { source: ex.source, index: ex.index, label: ex.label, pixels: ex.x.slice() }, activations: acts });
}

function top(p, k) {
  return Array.from(p.keys()).sort((a, b) => p[b] - p[a]).slice(0, k).map((c) => [c, p[c]]);
}

function testReport() {
  if (!model || !ds) return;
  const { x, y, n } = ds.test;
  const probs = model.predict(x);
  const k = 10;
  const confusion = Array.from({ length: k }, () => new Array(k).fill(0));
  const wrong = [];
  let correct = 0;
  const pred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = probs.subarray(i * k, (i + 1) * k);
    let best = 0;
    for (let c = 1; c < k; c++) if (p[c] > p[best]) best = c;
    pred[i] = best;
    confusion[y[i]][best]++;
    if (best === y[i]) correct++;
    else wrong.push([i, p[best]]);
  }
  wrong.sort((a, b) => b[1] - a[1]);
  const item = (i) => ({ index: i, label: y[i], top: top(probs.subarray(i * k, (i + 1) * k), 3), pixels: ds.pixels.slice(ds.test.idx[i] * PIXELS, (ds.test.idx[i] + 1) * PIXELS) });
  post({ type: 'test', n, accuracy: correct / n, confusion, samples: Array.from({ length: Math.min(12, n) }, (_, i) => item(i)),
    worst: wrong.slice(0, 12).map(([i]) => item(i)), steps: model.steps });
}

function refreshAll() {
  if (!model) return;
  views();
  if (ds) {
    testReport();
    validate();
    postProgress();
  }
}

// ---- messages ----

const handlers = {
  async init() {
    await nn.ready();
    const probe = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 1, inputShape: [1] })] });
    try {
      probe.compile({ optimizer: 'sgd', loss: 'mse' });
      await probe.fit([[0]], [[0]], { epochs: 0, augment: { shift: 0 } });
      canAugment = true;
    } catch { /* this build's fit has no augment option */ } finally { probe.dispose(); }
    postReady({ layerTypes: Object.keys(nn.layers), canAugment });
  },
  async dataset({ name }) {
    await loadDataset(name);
    if (model) refreshAll();
  },
  build(msg) {
    if (msg.lr) settings.lr = msg.lr;
    if (msg.batchSize) settings.batchSize = msg.batchSize;
    build(msg);
    refreshAll();
  },
  load(msg) {
    load(msg);
    refreshAll();
  },
  async loadTfjs({ files }) {
    // compile: false - trained here with the page's loss (class indices) and settings, whatever the file's were
    adopt(await loadTfjsFiles(files, { compile: false }), 'tfjs', checkTfjs);
    refreshAll();
  },
  exportAs({ format, name }) {
    if (!model) throw new Error('no model to export');
    return postExport(model, format, name);
  },
  settings({ lr, batchSize, augment }) {
    if (augment !== undefined) settings.augment = !!augment;
    if (batchSize) { settings.batchSize = batchSize; if (run) run.chunk = 4 * batchSize; }
    if (lr && model) { settings.lr = lr; model.learningRate = lr; }
  },
  play() {
    if (!model) throw new Error('no model yet');
    if (!ds) throw new Error('no dataset loaded yet');
    playing = true;
    run.window = { t: now(), n: 0 };
    loop();
  },
  pause() {
    playing = false;
    if (model && run) { refreshAll(); }
  },
  reset({ seed }) {
    playing = false;
    build({ spec, seed });
    refreshAll();
  },
  classify({ x, id, inspect }) {
    if (!model) return;
    const v = new Float32Array(x);
    drawing = inspect ? v : null;
    post({ type: 'probs', id, probs: model.predict(v) });
    if (inspect) views();
  },
  example({ index }) {
    drawing = null;
    if (ds) exampleIndex = Math.max(0, Math.min(ds.test.n - 1, index));
    views();
  },
  save() {
    if (!model) throw new Error('no model to save');
    const bytes = model.save();
    post({ type: 'saved', bytes }, [bytes.buffer]);
  },
};

Object.assign(handlers, compressHandlers({
  model: () => model, generation: () => generation, origin: () => origin, dataset: () => ds, gather, compile,
  batchSize: () => settings.batchSize,
  adopt(m, from) { playing = false; adopt(m, from); refreshAll(); },
}));

self.onmessage = (e) => {
  const msg = e.data;
  const fn = Object.hasOwn(handlers, msg?.type) ? handlers[msg.type] : null; // not 'constructor' & co.
  if (!fn) return postError(`unknown message '${msg?.type}'`);
  // pause takes effect at once (between chunks), the rest waits its turn in the queue
  if (msg.type === 'pause') playing = false;
  enqueue(async () => {
    try {
      await fn(msg);
    } catch (err) {
      postError(err, msg.type === 'build' || msg.type === 'reset' ? 'cannot build this network'
        : msg.type === 'load' || msg.type === 'loadTfjs' ? 'cannot load this model'
        : msg.type === 'exportAs' ? (msg.format === 'onnx' ? 'cannot export ONNX' : 'cannot export for TensorFlow.js') : msg.type === 'dataset' ? 'cannot load the dataset' : msg.type.startsWith('compress') ? 'cannot compress' : '');
      if (msg.type === 'play') playing = false;
    }
  });
};
