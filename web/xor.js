// xor.js - the interim nnplay page (until the full playground lands): pick a 2D data set, press
// Train, and watch a small tanh network learn it through the JS API. Uses only wasm/nnplay.js.
import * as nn from '../wasm/nnplay.js';

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('controls'), dataset: $('dataset'), train: $('train'), stop: $('stop'),
  status: $('status'), error: $('error'), canvas: $('heatmap'), range: $('range'),
  epoch: $('epoch'), loss: $('loss'), accuracy: $('accuracy'), testAccuracy: $('test-accuracy'),
  model: $('model'), caption: $('predictions-caption'), rows: document.querySelector('#predictions tbody'),
  simd: $('simd'), version: $('version'),
};

// TensorFlow Playground's orange (class 0) and blue (class 1); the heatmap fades them to white.
const CLASS_RGB = [[245, 147, 34], [8, 119, 189]];
const GRID = 50; // the heatmap is ONE predict() call on GRID x GRID points
const FRAMES = 100; // heatmap redraws per run: training waits a frame after each, so you can watch

// Inputs are scaled by inputScale before they reach the network (tanh likes values near [-1, 1]);
// `view` is the square [lo, hi]^2 drawn, in the data's own coordinates.
const DATASETS = {
  xor4: { title: 'XOR', view: [-0.25, 1.25], inputScale: 1, hidden: [8], lr: 0.1, epochs: 200, batchSize: 4 },
  xor: { title: 'XOR quadrants', kind: 'xor', view: [-6, 6], inputScale: 1 / 6, hidden: [8], lr: 0.03, epochs: 100, batchSize: 16 },
  circle: { title: 'circle', kind: 'circle', view: [-6, 6], inputScale: 1 / 6, hidden: [8], lr: 0.03, epochs: 100, batchSize: 16 },
  spiral: { title: 'spiral', kind: 'spiral', view: [-6, 6], inputScale: 1 / 2, hidden: [16, 16], lr: 0.02, epochs: 400, batchSize: 32 },
};

let model = null; // the model being trained
let runs = 0; // the seed of run k is k: the first run after loading is reproducible
let core = false; // nn.ready() has resolved

// ---- small helpers ----
const pct = (v) => `${(v * 100).toFixed(v === 1 || v === 0 ? 0 : 1)}%`;
const nextFrame = () => new Promise((resolve) => {
  requestAnimationFrame(() => resolve());
  setTimeout(resolve, 100); // rAF never fires in a hidden tab; keep training there anyway
});

function setState(state) {
  document.body.dataset.state = state;
  const busy = state === 'training';
  ui.train.disabled = busy || state === 'loading';
  ui.dataset.disabled = busy;
  ui.stop.disabled = !busy;
}

function showError(err) {
  const msg = err instanceof Error ? err.message : String(err);
  ui.error.textContent = `Something went wrong: ${msg}`;
  ui.error.hidden = false;
  ui.status.textContent = core ? 'Stopped by an error.' : 'The page could not start.';
  setState(core ? 'error' : 'loading');
  console.error(err);
}

function clearError() {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

// ---- data ----
/** Points in data coordinates (for drawing) and the scaled train/test arrays (for the model). */
function makeData(ds, seed) {
  let points;
  let xTrain;
  let yTrain;
  let xTest = null;
  let yTest = null;
  if (!ds.kind) {
    points = { x: Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1), y: Float32Array.of(0, 1, 1, 0) };
    ({ x: xTrain, y: yTrain } = points);
  } else {
    const g = nn.data.generate(ds.kind, { n: 500, seed });
    ({ xTrain, yTrain, xTest, yTest } = nn.data.split(g.x, g.y, { testFraction: 0.2, seed }));
    points = { x: xTrain, y: yTrain };
  }
  const scale = (a) => (a && ds.inputScale !== 1 ? a.map((v) => v * ds.inputScale) : a);
  return { points, xTrain: scale(xTrain), yTrain, xTest: scale(xTest), yTest };
}

/** GRID x GRID inputs (already scaled), row 0 at the top of the view. */
function gridInputs(ds) {
  const [lo, hi] = ds.view;
  const g = new Float32Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      const i = 2 * (r * GRID + c);
      g[i] = (lo + ((c + 0.5) / GRID) * (hi - lo)) * ds.inputScale;
      g[i + 1] = (hi - ((r + 0.5) / GRID) * (hi - lo)) * ds.inputScale;
    }
  }
  return g;
}

// ---- drawing ----
const cell = document.createElement('canvas');
cell.width = GRID;
cell.height = GRID;

/** p = P(class 1): orange at 0, white at 0.5, blue at 1, kept light so the points stand out. */
function shade(p) {
  const [r, g, b] = CLASS_RGB[p >= 0.5 ? 1 : 0];
  const t = Math.min(1, Math.abs(2 * p - 1)) * 0.6;
  return [255 + (r - 255) * t, 255 + (g - 255) * t, 255 + (b - 255) * t];
}

function draw(ds, points, probs) {
  const ctx = ui.canvas.getContext('2d');
  const { width: w, height: h } = ui.canvas;
  if (probs) {
    const cctx = cell.getContext('2d');
    const img = cctx.createImageData(GRID, GRID);
    for (let i = 0; i < GRID * GRID; i++) {
      const [r, g, b] = shade(probs[i]);
      img.data.set([r, g, b, 255], 4 * i);
    }
    cctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(cell, 0, 0, w, h);
  } else {
    ctx.fillStyle = '#f4f6f8';
    ctx.fillRect(0, 0, w, h);
  }
  const [lo, hi] = ds.view;
  const sx = (v) => ((v - lo) / (hi - lo)) * w;
  const sy = (v) => ((hi - v) / (hi - lo)) * h;
  // axes through 0 for the generated sets, faint
  if (lo < 0) {
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.12)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(sx(0), 0); ctx.lineTo(sx(0), h);
    ctx.moveTo(0, sy(0)); ctx.lineTo(w, sy(0));
    ctx.stroke();
  }
  const n = points.y.length;
  const radius = n <= 8 ? 12 : 4;
  ctx.lineWidth = n <= 8 ? 3 : 1.2;
  ctx.strokeStyle = '#fff';
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = `rgb(${CLASS_RGB[points.y[i] >= 0.5 ? 1 : 0].join(',')})`;
    ctx.beginPath();
    ctx.arc(sx(points.x[2 * i]), sy(points.x[2 * i + 1]), radius, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  ui.range.textContent = `x₁, x₂ in [${lo}, ${hi}]`;
}

// ---- results ----
function showLogs(epoch, epochs, logs) {
  ui.epoch.textContent = `${epoch} / ${epochs}`;
  ui.loss.textContent = logs.loss.toFixed(4);
  ui.accuracy.textContent = pct(logs.accuracy);
}

function showPredictions(ds, data, outputs) {
  const xor4 = !ds.kind;
  const x = xor4 ? data.xTrain : data.xTest;
  const y = xor4 ? data.yTrain : data.yTest;
  const rows = Math.min(y.length, xor4 ? 4 : 6);
  ui.caption.textContent = xor4 ? 'The model\'s output for the four XOR inputs (P(class 1)).'
    : `The model's output for ${rows} of the ${y.length} held-out test points (P(class 1)).`;
  const fmt = (v) => (xor4 ? String(v) : (v / ds.inputScale).toFixed(2));
  const trs = [];
  for (let i = 0; i < rows; i++) {
    const correct = (outputs[i] >= 0.5) === (y[i] >= 0.5);
    const tr = document.createElement('tr');
    tr.dataset.correct = String(correct);
    for (const text of [fmt(x[2 * i]), fmt(x[2 * i + 1]), String(y[i]), `${outputs[i].toFixed(3)} ${correct ? '✓' : '✗'}`]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    trs.push(tr);
  }
  ui.rows.replaceChildren(...trs);
}

/** The network in one line; with a model, also its parameter count and seed. */
function describe(ds, m = null) {
  const sizes = ['2', ...ds.hidden.map((u) => `${u} tanh`), '1 sigmoid'].join(' → ');
  const text = `${sizes} · Adam ${ds.lr} · binary cross-entropy · ${ds.epochs} epochs`;
  return m ? `${text} · ${m.countParams()} parameters · seed ${m.seed}` : text;
}

function reset(ds) {
  for (const el of [ui.epoch, ui.loss, ui.accuracy, ui.testAccuracy]) el.textContent = '–';
  ui.model.textContent = describe(ds);
  ui.rows.replaceChildren();
  ui.caption.textContent = 'Train the model to see its outputs.';
  draw(ds, makeData(ds, runs + 1).points, null); // the next run's data
}

// ---- training ----
function buildModel(ds, seed) {
  return nn.sequential({ seed, layers: [
    ...ds.hidden.map((units, i) => nn.layers.dense({ units, activation: 'tanh', ...(i ? {} : { inputShape: [2] }) })),
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
}

async function run() {
  clearError();
  const ds = DATASETS[ui.dataset.value];
  const seed = ++runs;
  const data = makeData(ds, seed);
  const grid = gridInputs(ds);
  model?.dispose();
  model = buildModel(ds, seed);
  model.compile({ optimizer: nn.train.adam(ds.lr), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  ui.model.textContent = describe(ds, model);
  ui.testAccuracy.textContent = '–';
  ui.rows.replaceChildren();
  ui.caption.textContent = 'Training…';
  setState('training');
  ui.status.textContent = `Training on ${ds.title}…`;
  const drawEvery = Math.max(1, Math.round(ds.epochs / FRAMES));
  const t0 = performance.now();
  let last = 0;
  await model.fit(data.xTrain, data.yTrain, { epochs: ds.epochs, batchSize: ds.batchSize, callbacks: {
    onEpochEnd: async (epoch, logs) => {
      last = epoch + 1;
      showLogs(last, ds.epochs, logs);
      if (last % drawEvery === 0 && last < ds.epochs) {
        draw(ds, data.points, model.predict(grid)); // predict is allowed inside fit's callbacks
        await nextFrame();
      }
    },
  } });
  const secs = (performance.now() - t0) / 1000;

  draw(ds, data.points, model.predict(grid));
  const train = model.evaluate(data.xTrain, data.yTrain);
  ui.accuracy.textContent = pct(train.accuracy);
  ui.loss.textContent = train.loss.toFixed(4);
  let summary = `accuracy ${pct(train.accuracy)}`;
  if (data.xTest) {
    const test = model.evaluate(data.xTest, data.yTest);
    ui.testAccuracy.textContent = pct(test.accuracy);
    summary += `, test accuracy ${pct(test.accuracy)}`;
  }
  showPredictions(ds, data, model.predict(ds.kind ? data.xTest : data.xTrain));
  const stopped = last < ds.epochs ? `Stopped after ${last} epochs` : `Done: ${last} epochs`;
  ui.status.textContent = `${stopped} in ${secs.toFixed(1)} s, ${summary}.`;
  setState('done');
}

// ---- wiring ----
window.addEventListener('error', (e) => showError(e.error || e.message));
window.addEventListener('unhandledrejection', (e) => showError(e.reason));

ui.form.addEventListener('submit', (e) => {
  e.preventDefault();
  run().catch(showError);
});
ui.stop.addEventListener('click', () => { if (model) model.stopTraining = true; });
ui.dataset.addEventListener('change', () => {
  if (core) reset(DATASETS[ui.dataset.value]);
});

try {
  await nn.ready();
  core = true;
  const info = nn.info();
  ui.simd.textContent = info.simd;
  ui.version.textContent = info.version;
  reset(DATASETS[ui.dataset.value]);
  ui.status.textContent = 'Ready: press Train.';
  setState('ready');
} catch (err) {
  showError(err);
}
