// playground.js - the playground's UI (main thread). It only reads controls, sends the config to
// web/worker.js (which does all the training) and draws the worker's latest snapshot once per frame.
const $ = (id) => document.getElementById(id);
const ui = {
  play: $('play'), step: $('step'), reset: $('reset'), epoch: $('epoch'), error: $('error'),
  lr: $('lr'), activation: $('activation'), regularization: $('regularization'), regRate: $('reg-rate'),
  optimizer: $('optimizer'), problem: $('problem'), dataset: $('dataset'), ratio: $('ratio'), noise: $('noise'),
  batch: $('batch'), ratioOut: $('ratio-out'), noiseOut: $('noise-out'), batchOut: $('batch-out'),
  regenerate: $('regenerate'), addLayer: $('add-layer'), removeLayer: $('remove-layer'), layerCount: $('layer-count'),
  layers: $('layers'), network: $('network'), lossChart: $('loss-chart'), heatmap: $('heatmap'),
  showTest: $('show-test'), discretize: $('discretize'), testLoss: $('test-loss'), trainLoss: $('train-loss'),
  testAcc: $('test-accuracy'), trainAcc: $('train-accuracy'), eps: $('eps'), sps: $('sps'),
  simd: $('simd'), version: $('version'),
  csvFile: $('csv-file'), csvColumns: $('csv-columns'), csvX1: $('csv-x1'), csvX2: $('csv-x2'), csvLabel: $('csv-label'),
  exportCsv: $('export-csv'), exportModel: $('export-model'), modelFile: $('model-file'), savePng: $('save-png'),
  ioStatus: $('io-status'), confusionBox: $('confusion-box'), confusion: $('confusion'), regMetrics: $('reg-metrics'),
  testR2: $('test-r2'), testMae: $('test-mae'),
};
const featureBoxes = [...document.querySelectorAll('input[name="feature"]')];
const FEATURE_NAMES = { x1: 'X1', x2: 'X2', x1sq: 'X1²', x2sq: 'X2²', x1x2: 'X1X2', sinx1: 'sin(X1)', sinx2: 'sin(X2)' };
const MAX_LAYERS = 6;
const MAX_NEURONS = 64;
// TensorFlow Playground's orange (class 0 / negative) and blue (class 1 / positive), plus a third class colour.
const COLORS = [[245, 147, 34], [8, 119, 189], [60, 160, 70], [150, 80, 190], [200, 50, 60]];

let hidden = [4, 2];
let seed = 1;
let worker = null;
let workerReady = false;
let latest = null; // the newest snapshot, drawn at the next animation frame
let dirty = false;
let lossHistory = []; // [trainLoss, testLoss] per snapshot
let csv = null; // the uploaded CSV: { name, text, info } (info: the worker's reply: columns, features, label, ...)
let customInfo = null; // { regression, numClasses } of the uploaded or edited points

// ---- config and URL state ----
function readConfig() {
  return {
    dataset: ui.dataset.value, noise: Number(ui.noise.value), trainRatio: Number(ui.ratio.value),
    batchSize: Number(ui.batch.value), features: featureBoxes.filter((b) => b.checked).map((b) => b.value),
    hidden: [...hidden], activation: ui.activation.value, lr: Number(ui.lr.value),
    regularization: ui.regularization.value, regRate: Number(ui.regRate.value), optimizer: ui.optimizer.value, seed,
  };
}

function saveHash(c) {
  const p = new URLSearchParams({ dataset: c.dataset, noise: c.noise, ratio: c.trainRatio, batch: c.batchSize,
    features: c.features.join(','), hidden: c.hidden.join(','), activation: c.activation, lr: c.lr,
    reg: c.regularization, regRate: c.regRate, optimizer: c.optimizer, seed: c.seed,
    showTest: ui.showTest.checked ? 1 : 0, discretize: ui.discretize.checked ? 1 : 0 });
  history.replaceState(null, '', `#${p}`);
}

function setSelect(sel, value) {
  if (value != null && [...sel.options].some((o) => o.value === value)) sel.value = value;
}

function loadHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  if (![...p.keys()].length) return;
  setSelect(ui.dataset, p.get('dataset'));
  for (const [el, key] of [[ui.noise, 'noise'], [ui.ratio, 'ratio'], [ui.batch, 'batch']]) {
    if (p.has(key) && Number.isFinite(Number(p.get(key)))) el.value = p.get(key);
  }
  if (p.has('features')) {
    const f = p.get('features').split(',');
    if (f.some((v) => FEATURE_NAMES[v])) featureBoxes.forEach((b) => { b.checked = f.includes(b.value); });
  }
  if (p.has('hidden')) {
    const h = p.get('hidden') === '' ? [] : p.get('hidden').split(',').map(Number);
    if (h.length <= MAX_LAYERS && h.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_NEURONS)) hidden = h;
  }
  const lr = p.get('lr') != null ? [...ui.lr.options].find((o) => Number(o.value) === Number(p.get('lr'))) : null;
  if (lr) ui.lr.value = lr.value;
  const rr = p.get('regRate') != null ? [...ui.regRate.options].find((o) => Number(o.value) === Number(p.get('regRate'))) : null;
  if (rr) ui.regRate.value = rr.value;
  setSelect(ui.activation, p.get('activation'));
  setSelect(ui.regularization, p.get('reg'));
  setSelect(ui.optimizer, p.get('optimizer'));
  const s = Number(p.get('seed'));
  if (Number.isInteger(s) && s > 0) seed = s;
  ui.showTest.checked = p.get('showTest') === '1';
  ui.discretize.checked = p.get('discretize') === '1';
}

// ---- errors ----
function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}
function clearError() {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

// ---- the worker ----
function startWorker() {
  workerReady = false;
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (e) => onWorkerMessage(e.data);
  worker.onerror = (e) => {
    e.preventDefault?.();
    showError(`The training worker failed: ${e.message || 'it could not start'}. Press Reset to restart it.`);
    worker?.terminate();
    worker = null;
    workerReady = false;
    setPlaying(false);
    ui.reset.disabled = false;
  };
}

function send(msg) {
  if (worker && workerReady) worker.postMessage(msg);
}

function onWorkerMessage(msg) {
  switch (msg.type) {
    case 'ready':
      workerReady = true;
      ui.simd.textContent = msg.simd;
      ui.version.textContent = `nnplay ${msg.version}`;
      for (const b of [ui.play, ui.step, ui.reset]) b.disabled = false;
      document.body.dataset.state = 'ready';
      configChanged();
      break;
    case 'snapshot':
      if (msg.reset) lossHistory = [];
      lossHistory.push([msg.trainLoss, msg.testLoss]);
      if (lossHistory.length > 600) lossHistory = lossHistory.filter((_, i) => i % 2 === 0);
      latest = msg;
      dirty = true;
      break;
    case 'state':
      setPlaying(msg.playing);
      break;
    case 'error':
      showError(msg.message);
      break;
    case 'model':
      download(new Blob([msg.bytes], { type: 'application/octet-stream' }), 'nnplay-model.nnm');
      setStatus(`Exported the model (${msg.bytes.length} bytes).`);
      break;
    case 'imported':
      clearError();
      setStatus(`Imported a model with ${msg.inputs} inputs and ${msg.layers} layers; press play to train it further.`);
      break;
    case 'csv':
      onCsvLoaded(msg);
      break;
    case 'edited':
      customInfo = { regression: msg.regression, numClasses: msg.numClasses };
      if (ui.dataset.value !== 'custom') {
        csv = null;
        useCustomOption('Your points');
        ui.csvColumns.hidden = true;
        ui.problem.textContent = problemText('custom');
        saveHash(readConfig());
      }
      setStatus(`${msg.n} points.`);
      break;
    default:
      break;
  }
}

function setPlaying(playing) {
  ui.play.setAttribute('aria-pressed', String(playing));
  ui.play.setAttribute('aria-label', playing ? 'Pause' : 'Play');
  if (workerReady) document.body.dataset.state = playing ? 'playing' : 'paused';
}

function configChanged() {
  const c = readConfig();
  if (c.features.length === 0) {
    showError('Choose at least one input feature.');
    return;
  }
  clearError();
  saveHash(c);
  renderLayerControls();
  ui.problem.textContent = problemText(c.dataset);
  ui.csvColumns.hidden = c.dataset !== 'custom' || !csv?.info;
  if (c.dataset !== 'custom') setStatus('');
  ui.ratioOut.textContent = `${c.trainRatio}%`;
  ui.noiseOut.textContent = String(c.noise);
  ui.batchOut.textContent = String(c.batchSize);
  send({ type: 'config', config: c });
}

function problemText(dataset) {
  return dataset === 'custom' && customInfo ? (customInfo.regression ? 'Regression'
    : customInfo.numClasses > 2 ? `Classification (${customInfo.numClasses} classes)` : 'Classification')
    : dataset === 'plane' || dataset === 'gaussBumps' ? 'Regression'
    : dataset === 'blobs' || dataset === 'multiSpiral' ? 'Classification (3 classes)' : 'Classification';
}

// ---- layer controls ----
function renderLayerControls() {
  ui.layerCount.textContent = `${hidden.length} hidden layer${hidden.length === 1 ? '' : 's'}`;
  ui.addLayer.disabled = hidden.length >= MAX_LAYERS;
  ui.removeLayer.disabled = hidden.length === 0;
  ui.layers.replaceChildren(...hidden.map((n, i) => {
    const box = document.createElement('div');
    box.className = 'layer-ctl';
    const minus = document.createElement('button');
    minus.type = 'button';
    minus.className = 'small';
    minus.textContent = '\u2212';
    minus.setAttribute('aria-label', `Remove a neuron from layer ${i + 1}`);
    minus.disabled = n <= 1;
    minus.dataset.layer = String(i);
    minus.dataset.delta = '-1';
    const plus = minus.cloneNode();
    plus.textContent = '+';
    plus.setAttribute('aria-label', `Add a neuron to layer ${i + 1}`);
    plus.disabled = n >= MAX_NEURONS;
    plus.dataset.delta = '1';
    const label = document.createElement('span');
    label.textContent = `L${i + 1}: ${n}`;
    label.id = `layer-${i + 1}-size`;
    box.append(minus, label, plus);
    return box;
  }));
}

ui.layers.addEventListener('click', (e) => {
  const b = e.target.closest('button[data-layer]');
  if (!b) return;
  const i = Number(b.dataset.layer);
  const n = hidden[i] + Number(b.dataset.delta);
  if (n < 1 || n > MAX_NEURONS) return;
  hidden[i] = n;
  configChanged();
  document.querySelector(`button[data-layer="${i}"][data-delta="${b.dataset.delta}"]`)?.focus();
});
ui.addLayer.addEventListener('click', () => {
  if (hidden.length < MAX_LAYERS) { hidden.push(hidden.length ? hidden[hidden.length - 1] : 4); configChanged(); }
});
ui.removeLayer.addEventListener('click', () => {
  if (hidden.length > 0) { hidden.pop(); configChanged(); }
});

// ---- other controls ----
for (const el of [ui.lr, ui.activation, ui.regularization, ui.regRate, ui.optimizer, ui.dataset, ui.ratio, ui.noise, ui.batch, ...featureBoxes]) {
  el.addEventListener('change', configChanged);
}
for (const [el, out, fmt] of [[ui.ratio, ui.ratioOut, (v) => `${v}%`], [ui.noise, ui.noiseOut, String], [ui.batch, ui.batchOut, String]]) {
  el.addEventListener('input', () => { out.textContent = fmt(el.value); });
}
ui.regenerate.addEventListener('click', () => { seed = (seed % 100000) + 1; configChanged(); });
ui.play.addEventListener('click', () => {
  clearError();
  send({ type: ui.play.getAttribute('aria-pressed') === 'true' ? 'pause' : 'play' });
});
ui.step.addEventListener('click', () => { clearError(); send({ type: 'step' }); });
ui.reset.addEventListener('click', () => {
  clearError();
  if (!worker) { startWorker(); return; }
  send({ type: 'reset' });
});
for (const el of [ui.showTest, ui.discretize]) {
  el.addEventListener('change', () => { saveHash(readConfig()); dirty = true; });
}

// ---- files: model export / import, CSV upload / download, heatmap PNG ----
function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}
function setStatus(text) { ui.ioStatus.textContent = text; }

ui.exportModel.addEventListener('click', () => {
  if (!workerReady) { showError('The training worker is not ready yet.'); return; }
  send({ type: 'export' });
});
// The file picked in input (cleared, so picking it again fires), or null when there is none to use.
function takeFile(input) {
  const file = input.files[0];
  input.value = '';
  if (!file) return null;
  if (!workerReady) { showError('The training worker is not ready yet.'); return null; }
  return file;
}

ui.modelFile.addEventListener('change', async () => {
  const file = takeFile(ui.modelFile);
  if (!file) return;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    clearError();
    setStatus('');
    worker.postMessage({ type: 'import', bytes }, [bytes.buffer]);
  } catch (err) {
    showError(`Could not read ${file.name}: ${err.message}`);
  }
});

function fillSelect(sel, columns, value) {
  sel.replaceChildren(...columns.map((name, i) => {
    const o = document.createElement('option');
    o.value = String(i);
    o.text = name; // never HTML
    return o;
  }));
  sel.value = String(value);
}

function onCsvLoaded(info) {
  if (!csv) return;
  csv.info = info;
  fillSelect(ui.csvX1, info.columns, info.features[0]);
  fillSelect(ui.csvX2, info.columns, info.features[1]);
  fillSelect(ui.csvLabel, info.columns, info.label);
  customInfo = { regression: info.regression, numClasses: info.numClasses };
  useCustomOption(`Uploaded: ${csv.name}`);
  const kind = info.regression ? 'regression' : `${info.numClasses} classes`;
  setStatus(`Loaded ${info.n} rows from ${csv.name} (${kind}).`);
  configChanged();
}

function useCustomOption(text) {
  let opt = ui.dataset.querySelector('option[value="custom"]');
  if (!opt) {
    opt = document.createElement('option');
    opt.value = 'custom';
    ui.dataset.prepend(opt);
  }
  opt.text = text;
  ui.dataset.value = 'custom';
}

// ---- editing points on the heatmap: click adds class 1 (shift: class 0), right- or alt-click removes ----
function editAt(e, op) {
  if (!latest || !workerReady) return;
  const r = ui.heatmap.getBoundingClientRect();
  const view = latest.view;
  const u = ((e.clientX - r.left) / r.width) * 2 * view - view;
  const v = view - ((e.clientY - r.top) / r.height) * 2 * view;
  const label = latest.regression ? (e.shiftKey ? -1 : 1) : e.shiftKey ? 0 : 1;
  clearError();
  send({ type: 'edit', op, u, v, label });
}
ui.heatmap.addEventListener('pointerdown', (e) => {
  if (e.pointerType === 'touch') { e.preventDefault(); editAt(e, 'add'); return; }
  if (e.button === 2 || (e.button === 0 && e.altKey)) editAt(e, 'remove');
  else if (e.button === 0) editAt(e, 'add');
});
ui.heatmap.addEventListener('contextmenu', (e) => e.preventDefault());

function sendCsv(want) {
  if (!workerReady || !csv) return;
  clearError();
  worker.postMessage({ type: 'csv', text: csv.text, name: csv.name, want });
}

ui.csvFile.addEventListener('change', async () => {
  const file = takeFile(ui.csvFile);
  if (!file) return;
  try {
    const text = await file.text();
    csv = { name: file.name, text, info: csv?.info ?? null };
    sendCsv(null);
  } catch (err) {
    showError(`Could not read ${file.name}: ${err.message}`);
  }
});
for (const sel of [ui.csvX1, ui.csvX2, ui.csvLabel]) {
  sel.addEventListener('change', () => {
    const want = { features: [Number(ui.csvX1.value), Number(ui.csvX2.value)], label: Number(ui.csvLabel.value) };
    if (new Set([...want.features, want.label]).size < 3) {
      showError('Choose two different feature columns and a different label column.');
      return;
    }
    sendCsv(want);
  });
}

ui.exportCsv.addEventListener('click', () => {
  if (!latest) return;
  const rows = ['x1,x2,label'];
  for (const part of [latest.train, latest.test]) {
    for (let i = 0; i < part.y.length; i++) {
      rows.push(`${+part.x[2 * i].toFixed(4)},${+part.x[2 * i + 1].toFixed(4)},${+part.y[i].toFixed(4)}`);
    }
  }
  download(new Blob([`${rows.join('\n')}\n`], { type: 'text/csv' }), 'nnplay-points.csv');
});

ui.savePng.addEventListener('click', () => {
  ui.heatmap.toBlob((blob) => {
    if (blob) download(blob, 'nnplay-heatmap.png');
    else showError('Could not make a PNG of the heatmap.');
  }, 'image/png');
});

// ---- drawing ----
const fmtLoss = (v) => (v == null || !Number.isFinite(v) ? '\u2013' : v.toFixed(3));
const fmtAcc = (v) => (v == null || !Number.isFinite(v) ? '\u2013' : `${(v * 100).toFixed(1)}%`);
const fmtRate = (v) => (v >= 1000 ? `${Math.round(v).toLocaleString('en-US')}` : v.toFixed(v >= 10 ? 0 : 1));

function mix(rgb, a) {
  return [255 + (rgb[0] - 255) * a, 255 + (rgb[1] - 255) * a, 255 + (rgb[2] - 255) * a];
}

/** Colour of the output at one point: t in [-1, 1] (orange..white..blue) or class probabilities. */
function colorAt(s, heat, i, discretize) {
  if (s.outputs > 1) {
    let best = 0;
    for (let k = 1; k < s.outputs; k++) if (heat[i * s.outputs + k] > heat[i * s.outputs + best]) best = k;
    const p = heat[i * s.outputs + best];
    const a = discretize ? 0.75 : Math.max(0, Math.min(1, (p - 1 / s.outputs) / (1 - 1 / s.outputs))) * 0.65;
    return mix(COLORS[best % COLORS.length], a);
  }
  let t = s.regression ? heat[i] : 2 * heat[i] - 1;
  if (!Number.isFinite(t)) return [200, 200, 200];
  if (discretize) t = t < 0 ? -1 : 1;
  t = Math.max(-1, Math.min(1, t));
  return mix(t < 0 ? COLORS[0] : COLORS[1], Math.abs(t) * 0.65);
}

function pointColor(s, y) {
  if (s.regression) {
    const t = Math.max(-1, Math.min(1, y));
    return mix(t < 0 ? COLORS[0] : COLORS[1], 0.35 + 0.65 * Math.abs(t));
  }
  return COLORS[Math.round(y) % COLORS.length];
}

const gridCanvas = document.createElement('canvas');
function drawHeatmap(s) {
  const g = s.grid;
  gridCanvas.width = g;
  gridCanvas.height = g;
  const gctx = gridCanvas.getContext('2d');
  const img = gctx.createImageData(g, g);
  const discretize = ui.discretize.checked;
  for (let i = 0; i < g * g; i++) {
    const [r, gr, b] = colorAt(s, s.heat, i, discretize);
    img.data[4 * i] = r; img.data[4 * i + 1] = gr; img.data[4 * i + 2] = b; img.data[4 * i + 3] = 255;
  }
  gctx.putImageData(img, 0, 0);
  const c = ui.heatmap;
  const ctx = c.getContext('2d');
  ctx.imageSmoothingEnabled = !discretize;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(gridCanvas, 0, 0, c.width, c.height);
  const toPx = (v) => ((v + s.view) / (2 * s.view)) * c.width;
  const toPy = (v) => ((s.view - v) / (2 * s.view)) * c.height;
  const drawPoints = (set, test) => {
    for (let i = 0; i < set.y.length; i++) {
      const [r, gr, b] = pointColor(s, set.y[i]);
      ctx.beginPath();
      ctx.arc(toPx(set.x[2 * i]), toPy(set.x[2 * i + 1]), 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${r | 0},${gr | 0},${b | 0})`;
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = test ? '#000' : '#fff';
      ctx.stroke();
    }
  };
  drawPoints(s.train, false);
  if (ui.showTest.checked) drawPoints(s.test, true);
}

function drawLossChart() {
  const c = ui.lossChart;
  const ctx = c.getContext('2d');
  ctx.clearRect(0, 0, c.width, c.height);
  const vals = lossHistory.flat().filter(Number.isFinite);
  if (lossHistory.length < 2 || !vals.length) return;
  const max = Math.max(...vals) || 1;
  const line = (k, color) => {
    ctx.beginPath();
    lossHistory.forEach((p, i) => {
      const x = (i / (lossHistory.length - 1)) * (c.width - 2) + 1;
      const y = c.height - 2 - (Number.isFinite(p[k]) ? p[k] / max : 1) * (c.height - 4);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  };
  line(0, '#555');
  line(1, 'rgb(245,147,34)');
}

function drawNetwork(s) {
  const c = ui.network;
  const ctx = c.getContext('2d');
  ctx.clearRect(0, 0, c.width, c.height);
  const sizes = [s.features.length, ...s.weights.filter((_, i) => i % 2 === 0).map((w) => w.shape[1])];
  const cols = sizes.length;
  const left = 70;
  const right = 30;
  const top = 10;
  const h = c.height - 2 * top;
  const colX = (j) => left + (cols === 1 ? 0 : (j / (cols - 1)) * (c.width - left - right));
  const pos = sizes.map((n, j) => {
    const box = Math.max(3, Math.min(22, (h / n) * 0.7));
    const gap = h / n;
    return { box, ys: Array.from({ length: n }, (_, k) => top + gap * (k + 0.5)), x: colX(j) };
  });
  let maxW = 0;
  for (let l = 0; l < s.weights.length; l += 2) for (const w of s.weights[l].data) maxW = Math.max(maxW, Math.abs(w));
  const scale = maxW > 0 ? 5 / Math.max(1, maxW) : 0;
  for (let l = 0; l + 1 < cols; l++) {
    const w = s.weights[2 * l];
    const [nIn, nOut] = w.shape;
    for (let a = 0; a < nIn; a++) {
      for (let b = 0; b < nOut; b++) {
        const v = w.data[a * nOut + b];
        ctx.beginPath();
        ctx.moveTo(pos[l].x + pos[l].box / 2, pos[l].ys[a]);
        ctx.lineTo(pos[l + 1].x - pos[l + 1].box / 2, pos[l + 1].ys[b]);
        ctx.strokeStyle = v < 0 ? 'rgba(245,147,34,0.8)' : 'rgba(8,119,189,0.8)';
        ctx.lineWidth = Math.max(0.3, Math.min(6, Math.abs(v) * scale));
        ctx.stroke();
      }
    }
  }
  ctx.font = '12px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  pos.forEach((p, j) => {
    p.ys.forEach((y, k) => {
      ctx.fillStyle = j === 0 ? '#eef4f8' : '#fff';
      ctx.strokeStyle = '#555';
      ctx.lineWidth = 1;
      ctx.fillRect(p.x - p.box / 2, y - p.box / 2, p.box, p.box);
      ctx.strokeRect(p.x - p.box / 2, y - p.box / 2, p.box, p.box);
      if (j === 0) {
        ctx.fillStyle = '#333';
        ctx.fillText(FEATURE_NAMES[s.features[k]] || s.features[k], p.x - p.box / 2 - 5, y);
      }
    });
  });
}

let confusionKey = '';
function drawExtraMetrics(s) {
  ui.regMetrics.hidden = !s.regression;
  if (s.regression) {
    ui.testR2.textContent = fmtLoss(s.testR2);
    ui.testMae.textContent = fmtLoss(s.testMae);
  }
  const m = s.confusion;
  ui.confusionBox.hidden = !m;
  if (!m) return;
  const key = JSON.stringify(m);
  if (key === confusionKey) return;
  confusionKey = key;
  const cell = (tag, text, cls) => {
    const el = document.createElement(tag);
    el.textContent = text;
    if (cls) el.className = cls;
    return el;
  };
  const caption = ui.confusion.caption;
  const head = document.createElement('tr');
  head.append(cell('th', 'true \\ pred'), ...m.map((_, j) => cell('th', String(j))));
  const rows = m.map((row, i) => {
    const tr = document.createElement('tr');
    tr.append(cell('th', String(i)), ...row.map((v, j) => cell('td', String(v), i === j ? 'diag' : '')));
    return tr;
  });
  ui.confusion.replaceChildren(caption, head, ...rows);
}

function frame() {
  requestAnimationFrame(frame);
  if (!dirty || !latest) return;
  dirty = false;
  const s = latest;
  ui.epoch.textContent = String(s.epoch);
  ui.testLoss.textContent = fmtLoss(s.testLoss);
  ui.trainLoss.textContent = fmtLoss(s.trainLoss);
  ui.testAcc.textContent = fmtAcc(s.testAccuracy);
  ui.trainAcc.textContent = fmtAcc(s.trainAccuracy);
  ui.eps.textContent = fmtRate(s.epochsPerSec);
  ui.sps.textContent = fmtRate(s.samplesPerSec);
  drawHeatmap(s);
  drawExtraMetrics(s);
  drawLossChart();
  drawNetwork(s);
}

loadHash();
renderLayerControls();
requestAnimationFrame(frame);
startWorker();
