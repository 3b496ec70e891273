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
  testR2: $('test-r2'), testMae: $('test-mae'), loss: $('loss'), speed: $('speed'),
  weightForm: $('weight-form'), wLayer: $('w-layer'), wFrom: $('w-from'), wTo: $('w-to'), wValue: $('w-value'),
  wCurrent: $('w-current'), lossReadout: $('loss-readout'), heatmapCaption: $('heatmap-caption'),
  pointClass: $('point-class'), pointClassField: $('point-class-field'), pointHint: $('point-hint'),
};
const featureBoxes = [...document.querySelectorAll('input[name="feature"]')];
const FEATURE_NAMES = { x1: 'X1', x2: 'X2', x1sq: 'X1²', x2sq: 'X2²', x1x2: 'X1X2', sinx1: 'sin(X1)', sinx2: 'sin(X2)' };
const MAX_LAYERS = 6;
const MAX_NEURONS = 64;
const ACTIVATIONS = { relu: 'ReLU', tanh: 'Tanh', sigmoid: 'Sigmoid', linear: 'Linear', leakyRelu: 'Leaky ReLU', elu: 'ELU' };
const DROPOUT_RATES = [0, 0.1, 0.2, 0.3, 0.5];
const CLASS_NAMES = ['orange', 'blue', 'green', 'purple', 'red'];
const POINTS_KEY = 'nnplay.points'; // localStorage: the user's own points, so a `dataset=custom` link works after a reload
// TensorFlow Playground's orange (class 0 / negative) and blue (class 1 / positive), plus a third class colour.
const COLORS = [[245, 147, 34], [8, 119, 189], [60, 160, 70], [150, 80, 190], [200, 50, 60]];

let hidden = [4, 2];
let layerActs = ['', '']; // per hidden layer: an activation name, or '' for the one chosen in the bar
let dropout = [0, 0]; // per hidden layer: the dropout rate after it
let seed = 1;
let worker = null;
let workerReady = false;
let latest = null; // the newest snapshot, drawn at the next animation frame
let dirty = false;
let lossHistory = []; // [trainLoss, testLoss] per snapshot
let csv = null; // the uploaded CSV: { name, text, info } (info: the worker's reply: columns, features, label, ...)
let customInfo = null; // { regression, numClasses } of the uploaded or edited points
let savedPoints = null; // points from localStorage to hand to the worker when the URL asks for dataset=custom
let notice = ''; // a message to show once the first configuration is applied
let focus = null; // { layer, unit } of the neuron shown large (layer -1: an input feature), or null
let pinned = false; // the focus came from a click, a tap or the keyboard: it stays until Escape, blur or a click elsewhere
let chartAt = -1; // index into lossHistory under the pointer (or keyboard cursor) on the loss chart, -1: none
let netGeom = null; // the network diagram's layout from the last drawing, for hit tests
let weightKey = ''; // the network's shape the weight editor's lists were made for

// ---- config and URL state ----
function readConfig() {
  return {
    dataset: ui.dataset.value, noise: Number(ui.noise.value), trainRatio: Number(ui.ratio.value),
    batchSize: Number(ui.batch.value), features: featureBoxes.filter((b) => b.checked).map((b) => b.value),
    hidden: [...hidden], activation: ui.activation.value, lr: Number(ui.lr.value),
    regularization: ui.regularization.value, regRate: Number(ui.regRate.value), optimizer: ui.optimizer.value, seed,
    loss: ui.loss.value, layerActivations: [...layerActs], dropout: [...dropout],
  };
}

function saveHash(c) {
  const p = new URLSearchParams({ dataset: c.dataset, noise: c.noise, ratio: c.trainRatio, batch: c.batchSize,
    features: c.features.join(','), hidden: c.hidden.join(','), activation: c.activation, lr: c.lr,
    reg: c.regularization, regRate: c.regRate, optimizer: c.optimizer, seed: c.seed, loss: c.loss,
    acts: c.layerActivations.join(','), dropout: c.dropout.join(','), speed: ui.speed.value,
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
  const list = (key) => (p.get(key) || '').split(',');
  layerActs = hidden.map((_, i) => (ACTIVATIONS[list('acts')[i]] ? list('acts')[i] : ''));
  dropout = hidden.map((_, i) => (DROPOUT_RATES.includes(Number(list('dropout')[i])) ? Number(list('dropout')[i]) : 0));
  setSelect(ui.loss, p.get('loss'));
  setSelect(ui.speed, p.get('speed'));
  if (p.get('dataset') === 'custom') {
    savedPoints = loadPoints();
    if (savedPoints) useCustomOption(savedPoints.name);
    else notice = 'This link uses points that were uploaded or drawn in another browser or tab session ' +
      '(they are kept only in the browser that made them), so the Circle data set is shown instead.';
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
      send({ type: 'speed', value: Number(ui.speed.value) });
      if (savedPoints && ui.dataset.value === 'custom') {
        const { x, y, numClasses, regression } = savedPoints;
        customInfo = { regression, numClasses };
        send({ type: 'custom', x, y, numClasses, regression });
      }
      configChanged();
      break;
    case 'snapshot':
      if (msg.reset) lossHistory = [];
      lossHistory.push([msg.epoch, msg.trainLoss, msg.testLoss]);
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
      setFocus(null);
      setStatus(`Imported a model with ${msg.inputs} inputs and ${msg.layers} layers; press play to train it further.`);
      break;
    case 'csv':
      onCsvLoaded(msg);
      break;
    case 'edited':
      customInfo = { regression: msg.regression, numClasses: msg.numClasses };
      savePoints({ ...msg.points, name: ui.dataset.value === 'custom' ? ui.dataset.selectedOptions[0].text : 'Your points' });
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
  if (notice) { showError(notice); notice = ''; }
  const regression = isRegression(c.dataset);
  ui.loss.querySelector('option[value="crossEntropy"]').disabled = regression;
  if (regression && c.loss === 'crossEntropy') { ui.loss.value = 'mse'; c.loss = 'mse'; }
  saveHash(c);
  pinned = false;
  setFocus(null); // the shown neuron may be gone with the new network
  renderLayerControls();
  renderClassPicker(c.dataset);
  ui.problem.textContent = problemText(c.dataset);
  ui.csvColumns.hidden = c.dataset !== 'custom' || !csv?.info;
  if (c.dataset !== 'custom') setStatus('');
  ui.ratioOut.textContent = `${c.trainRatio}%`;
  ui.noiseOut.textContent = String(c.noise);
  ui.batchOut.textContent = String(c.batchSize);
  send({ type: 'config', config: c });
}

const isRegression = (dataset) => (dataset === 'custom' && customInfo ? customInfo.regression
  : dataset === 'plane' || dataset === 'gaussBumps');
const classCount = (dataset) => (dataset === 'custom' && customInfo ? customInfo.numClasses
  : dataset === 'blobs' || dataset === 'multiSpiral' ? 3 : isRegression(dataset) ? 0 : 2);

// The class of points added by clicking: a picker for classification (shift-click adds the next class).
function renderClassPicker(dataset) {
  const k = classCount(dataset);
  ui.pointClassField.hidden = k < 2;
  ui.pointHint.textContent = k < 2
    ? 'Click the output to add a point of value +1 (shift-click: \u22121); right-click or alt-click removes the nearest one.'
    : 'Click the output to add a point of the chosen class (shift-click: the next class); right-click or alt-click removes the nearest one.';
  if (k < 2 || ui.pointClass.options.length === k) return;
  const keep = ui.pointClass.value === '' ? 1 : Number(ui.pointClass.value);
  ui.pointClass.replaceChildren(...Array.from({ length: k }, (_, i) => new Option(`Class ${i} (${CLASS_NAMES[i]})`, String(i))));
  ui.pointClass.value = String(keep < k ? keep : 1);
}

function problemText(dataset) {
  return dataset === 'custom' && customInfo ? (customInfo.regression ? 'Regression'
    : customInfo.numClasses > 2 ? `Classification (${customInfo.numClasses} classes)` : 'Classification')
    : dataset === 'plane' || dataset === 'gaussBumps' ? 'Regression'
    : dataset === 'blobs' || dataset === 'multiSpiral' ? 'Classification (3 classes)' : 'Classification';
}

// ---- layer controls: neurons, activation and dropout per hidden layer ----
function layerSelect(id, label, options, value, key, i) {
  const sel = document.createElement('select');
  sel.id = id;
  sel.setAttribute('aria-label', label);
  sel.dataset[key] = String(i);
  for (const [v, text] of options) sel.add(new Option(text, String(v)));
  sel.value = String(value);
  return sel;
}

function renderLayerControls() {
  const active = document.activeElement?.id; // re-rendering must not lose the keyboard focus
  ui.layerCount.textContent = `${hidden.length} hidden layer${hidden.length === 1 ? '' : 's'}`;
  ui.addLayer.disabled = hidden.length >= MAX_LAYERS;
  ui.removeLayer.disabled = hidden.length === 0;
  const actOptions = [['', 'Activation: default'], ...Object.entries(ACTIVATIONS)];
  const dropOptions = DROPOUT_RATES.map((r) => [r, `Dropout ${r * 100}%`]);
  ui.layers.replaceChildren(...hidden.map((n, i) => {
    const box = document.createElement('div');
    box.className = 'layer-ctl';
    const row = document.createElement('div');
    row.className = 'layer-size';
    const minus = document.createElement('button');
    minus.type = 'button';
    minus.className = 'small';
    minus.textContent = '\u2212';
    minus.id = `layer-${i + 1}-minus`;
    minus.setAttribute('aria-label', `Remove a neuron from layer ${i + 1}`);
    minus.disabled = n <= 1;
    minus.dataset.layer = String(i);
    minus.dataset.delta = '-1';
    const plus = minus.cloneNode();
    plus.textContent = '+';
    plus.id = `layer-${i + 1}-plus`;
    plus.setAttribute('aria-label', `Add a neuron to layer ${i + 1}`);
    plus.disabled = n >= MAX_NEURONS;
    plus.dataset.delta = '1';
    const label = document.createElement('span');
    label.textContent = `L${i + 1}: ${n}`;
    label.id = `layer-${i + 1}-size`;
    row.append(minus, label, plus);
    box.append(row,
      layerSelect(`layer-${i + 1}-act`, `Activation of layer ${i + 1}`, actOptions, layerActs[i], 'act', i),
      layerSelect(`layer-${i + 1}-dropout`, `Dropout after layer ${i + 1}`, dropOptions, dropout[i], 'dropout', i));
    return box;
  }));
  if (active && !document.activeElement?.id) document.getElementById(active)?.focus();
}

ui.layers.addEventListener('click', (e) => {
  const b = e.target.closest('button[data-layer]');
  if (!b) return;
  const i = Number(b.dataset.layer);
  const n = hidden[i] + Number(b.dataset.delta);
  if (n < 1 || n > MAX_NEURONS) return;
  hidden[i] = n;
  configChanged();
});
ui.layers.addEventListener('change', (e) => {
  const sel = e.target;
  if (sel.dataset.act != null) layerActs[Number(sel.dataset.act)] = sel.value;
  else if (sel.dataset.dropout != null) dropout[Number(sel.dataset.dropout)] = Number(sel.value);
  else return;
  configChanged();
});
ui.addLayer.addEventListener('click', () => {
  if (hidden.length >= MAX_LAYERS) return;
  hidden.push(hidden.length ? hidden[hidden.length - 1] : 4);
  layerActs.push('');
  dropout.push(0);
  configChanged();
});
ui.removeLayer.addEventListener('click', () => {
  if (hidden.length === 0) return;
  hidden.pop();
  layerActs.pop();
  dropout.pop();
  configChanged();
});

// ---- other controls ----
for (const el of [ui.lr, ui.activation, ui.regularization, ui.regRate, ui.optimizer, ui.loss, ui.dataset, ui.ratio, ui.noise, ui.batch, ...featureBoxes]) {
  el.addEventListener('change', configChanged);
}
for (const [el, out, fmt] of [[ui.ratio, ui.ratioOut, (v) => `${v}%`], [ui.noise, ui.noiseOut, String], [ui.batch, ui.batchOut, String]]) {
  el.addEventListener('input', () => { out.textContent = fmt(el.value); });
}
// The speed changes the pace only: the network keeps training where it is.
ui.speed.addEventListener('change', () => { send({ type: 'speed', value: Number(ui.speed.value) }); saveHash(readConfig()); });
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
  savePoints({ ...info.points, name: `Uploaded: ${csv.name}` });
  const kind = info.regression ? 'regression' : `${info.numClasses} classes`;
  setStatus(`Loaded ${info.n} rows from ${csv.name} (${kind}).`);
  configChanged();
}

// The user's own points live in localStorage, so a reload (or a saved link) of `dataset=custom` finds them.
function savePoints(points) {
  try {
    localStorage.setItem(POINTS_KEY, JSON.stringify(points));
  } catch {
    setStatus('These points are too many to keep in this browser: a reload will not bring them back.');
  }
}
function loadPoints() {
  try {
    const p = JSON.parse(localStorage.getItem(POINTS_KEY));
    return p && Array.isArray(p.x) && Array.isArray(p.y) && p.x.length === 2 * p.y.length ? p : null;
  } catch {
    return null;
  }
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

// ---- editing points on the heatmap: click adds the picked class (shift: the next one), right- or alt-click removes ----
function editAt(e, op) {
  if (!latest || !workerReady) return;
  const r = ui.heatmap.getBoundingClientRect();
  const view = latest.view;
  const u = ((e.clientX - r.left) / r.width) * 2 * view - view;
  const v = view - ((e.clientY - r.top) / r.height) * 2 * view;
  const k = Math.max(2, latest.numClasses);
  const picked = Number(ui.pointClass.value) || 0;
  const label = latest.regression ? (e.shiftKey ? -1 : 1) : e.shiftKey ? (picked + 1) % k : picked;
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

/** Colour of one neuron's (or input feature's) value: -1 orange .. 0 white .. +1 blue, clamped. */
function nodeColor(v) {
  if (!Number.isFinite(v)) return [200, 200, 200];
  const t = Math.max(-1, Math.min(1, v));
  return mix(t < 0 ? COLORS[0] : COLORS[1], Math.abs(t) * 0.8);
}

/** Paint g x g values (values[i * stride + offset]) into ctx's box, through a scratch canvas. */
const scratch = document.createElement('canvas');
const images = {};
function paintMap(ctx, g, values, stride, offset, color, x, y, w, h, smooth) {
  if (scratch.width !== g) { scratch.width = g; scratch.height = g; }
  const sctx = scratch.getContext('2d');
  const img = (images[g] ||= sctx.createImageData(g, g)); // reused: no garbage per neuron and frame
  for (let i = 0; i < g * g; i++) {
    const [r, gr, b] = color(values, i * stride + offset, i);
    img.data[4 * i] = r; img.data[4 * i + 1] = gr; img.data[4 * i + 2] = b; img.data[4 * i + 3] = 255;
  }
  sctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = smooth;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(scratch, x, y, w, h);
}

const sameFocus = (a, b) => !!a && !!b && a.layer === b.layer && a.unit === b.unit;

// The output's colours, painted once per snapshot at grid size; the big heatmap and the diagram's output scale it.
const outputCanvas = document.createElement('canvas');

function drawHeatmap(s) {
  const c = ui.heatmap;
  const ctx = c.getContext('2d');
  const discretize = ui.discretize.checked;
  outputCanvas.width = s.grid;
  outputCanvas.height = s.grid;
  paintMap(outputCanvas.getContext('2d'), s.grid, s.heat, 1, 0, (_, __, i) => colorAt(s, s.heat, i, discretize), 0, 0, s.grid, s.grid, false);
  if (focus && s.focused && sameFocus(focus, s.focus)) {
    paintMap(ctx, s.grid, s.focused, 1, 0, (v, j) => nodeColor(v[j]), 0, 0, c.width, c.height, true);
  } else {
    ctx.imageSmoothingEnabled = !discretize;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(outputCanvas, 0, 0, c.width, c.height);
  }
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

// ---- the loss chart, with a read-out of the values under the pointer (or the keyboard cursor) ----
function drawLossChart() {
  const c = ui.lossChart;
  const ctx = c.getContext('2d');
  ctx.clearRect(0, 0, c.width, c.height);
  const vals = lossHistory.flatMap((p) => [p[1], p[2]]).filter(Number.isFinite);
  if (lossHistory.length < 2 || !vals.length) { ui.lossReadout.textContent = ''; return; }
  const max = Math.max(...vals) || 1;
  const xAt = (i) => (i / (lossHistory.length - 1)) * (c.width - 2) + 1;
  const line = (k, color) => {
    ctx.beginPath();
    lossHistory.forEach((p, i) => {
      const y = c.height - 2 - (Number.isFinite(p[k]) ? p[k] / max : 1) * (c.height - 4);
      if (i === 0) ctx.moveTo(xAt(i), y); else ctx.lineTo(xAt(i), y);
    });
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  };
  line(1, '#555');
  line(2, 'rgb(245,147,34)');
  if (chartAt < 0) { ui.lossReadout.textContent = ''; return; }
  chartAt = Math.min(chartAt, lossHistory.length - 1);
  const [epoch, train, test] = lossHistory[chartAt];
  ctx.beginPath();
  ctx.moveTo(xAt(chartAt), 0);
  ctx.lineTo(xAt(chartAt), c.height);
  ctx.strokeStyle = 'rgba(0,0,0,0.5)';
  ctx.lineWidth = 1;
  ctx.stroke();
  ui.lossReadout.textContent = `Epoch ${epoch.toLocaleString('en-US')}: training loss ${fmtLoss(train)}, test loss ${fmtLoss(test)}`;
}

function setChartAt(i) {
  chartAt = i < 0 || !lossHistory.length ? -1 : Math.min(lossHistory.length - 1, i);
  drawLossChart();
}
ui.lossChart.addEventListener('pointermove', (e) => {
  const r = ui.lossChart.getBoundingClientRect();
  setChartAt(Math.round(((e.clientX - r.left) / r.width) * (lossHistory.length - 1)));
});
ui.lossChart.addEventListener('pointerleave', () => { if (document.activeElement !== ui.lossChart) setChartAt(-1); });
ui.lossChart.addEventListener('focus', () => setChartAt(lossHistory.length - 1));
ui.lossChart.addEventListener('blur', () => setChartAt(-1));
ui.lossChart.addEventListener('keydown', (e) => {
  const step = { ArrowLeft: -1, ArrowRight: 1, PageDown: -10, PageUp: 10 }[e.key];
  if (step) setChartAt(Math.max(0, chartAt + step));
  else if (e.key === 'Home') setChartAt(0);
  else if (e.key === 'End') setChartAt(lossHistory.length - 1);
  else return;
  e.preventDefault();
});

// ---- the network diagram: links, and every neuron's small heatmap ----
function columnName(j, cols) {
  return j === 0 ? 'inputs' : j === cols - 1 ? 'output' : `layer ${j}`;
}
function unitName(s, j, k, cols) {
  if (j === 0) return FEATURE_NAMES[s.features[k]] || s.features[k];
  return j === cols - 1 ? (s.outputs > 1 ? `output ${k}` : 'output') : `L${j} neuron ${k + 1}`;
}

function drawNetwork(s) {
  const c = ui.network;
  const ctx = c.getContext('2d');
  ctx.clearRect(0, 0, c.width, c.height);
  const kernels = s.weights.filter((_, i) => i % 2 === 0);
  const sizes = [s.features.length, ...kernels.map((w) => w.shape[1])];
  const cols = sizes.length;
  const left = 64;
  const right = 30;
  const top = 8;
  const h = c.height - 2 * top;
  const colX = (j) => left + (cols === 1 ? 0 : (j / (cols - 1)) * (c.width - left - right - 16));
  const pos = sizes.map((n, j) => {
    const gap = h / n;
    const box = Math.max(3, Math.min(32, gap * 0.8, ((c.width - left - right) / cols) * 0.45));
    return { box, ys: Array.from({ length: n }, (_, k) => top + gap * (k + 0.5)), x: colX(j) + 8 };
  });
  netGeom = { pos, sizes, cols };
  let maxW = 0;
  for (const w of kernels) for (const v of w.data) maxW = Math.max(maxW, Math.abs(v));
  const scale = maxW > 0 ? 5 / Math.max(1, maxW) : 0;
  const sel = selectedWeight();
  for (let l = 0; l + 1 < cols; l++) {
    const w = kernels[l];
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
        if (sel && sel.l === l && sel.a === a && sel.b === b) { // the link the weight editor points at
          ctx.setLineDash([4, 3]);
          ctx.strokeStyle = '#000';
          ctx.lineWidth = 1.5;
          ctx.stroke();
          ctx.setLineDash([]);
        }
      }
    }
  }
  ctx.font = '12px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  const g = s.nodeGrid;
  pos.forEach((p, j) => {
    const node = s.nodes[j];
    p.ys.forEach((y, k) => {
      const x0 = p.x - p.box / 2;
      const y0 = y - p.box / 2;
      if (j === cols - 1 && s.outputs === 1) {
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(outputCanvas, x0, y0, p.box, p.box);
      } else if (node && node.units === sizes[j] && p.box >= 6) {
        paintMap(ctx, g, node.data, node.units, k, (v, i) => nodeColor(v[i]), x0, y0, p.box, p.box, true);
      } else {
        ctx.fillStyle = j === cols - 1 ? `rgb(${mix(COLORS[k % COLORS.length], 0.5).map((v) => v | 0)})` : '#fff';
        ctx.fillRect(x0, y0, p.box, p.box);
      }
      const focused = focus && focus.layer === j - 1 && focus.unit === k;
      ctx.strokeStyle = focused ? '#000' : '#555';
      ctx.lineWidth = focused ? 3 : 1;
      ctx.strokeRect(x0, y0, p.box, p.box);
      if (j === 0) {
        ctx.fillStyle = '#333';
        ctx.fillText(FEATURE_NAMES[s.features[k]] || s.features[k], x0 - 5, y);
      }
    });
  });
}

/** The canvas point of a pointer event (the canvas is scaled by CSS). */
function canvasPoint(c, e) {
  const r = c.getBoundingClientRect();
  return { x: ((e.clientX - r.left) / r.width) * c.width, y: ((e.clientY - r.top) / r.height) * c.height };
}

/** The neuron under (x, y) as { j: column, k: unit }, or null. */
function neuronAt({ x, y }) {
  if (!netGeom) return null;
  for (let j = 0; j < netGeom.cols; j++) {
    const p = netGeom.pos[j];
    if (Math.abs(x - p.x) > p.box / 2 + 2) continue;
    const k = p.ys.findIndex((yy) => Math.abs(y - yy) <= Math.max(p.box / 2 + 2, 3));
    if (k >= 0) return { j, k };
  }
  return null;
}

/** The link under (x, y) as { l, a, b } (from unit a of column l to unit b of column l + 1), or null. */
function linkAt({ x, y }) {
  if (!netGeom) return null;
  let best = null;
  let bestD = 5; // pixels
  for (let l = 0; l + 1 < netGeom.cols; l++) {
    const p = netGeom.pos[l];
    const q = netGeom.pos[l + 1];
    const x1 = p.x + p.box / 2;
    const x2 = q.x - q.box / 2;
    if (x < x1 || x > x2) continue;
    for (let a = 0; a < p.ys.length; a++) {
      for (let b = 0; b < q.ys.length; b++) {
        const t = (x - x1) / (x2 - x1);
        const d = Math.abs(y - (p.ys[a] + t * (q.ys[b] - p.ys[a]))) * Math.cos(Math.atan2(q.ys[b] - p.ys[a], x2 - x1));
        if (d < bestD) { bestD = d; best = { l, a, b }; }
      }
    }
  }
  return best;
}

function setFocus(f) {
  if (sameFocus(f, focus) || (!f && !focus)) return;
  focus = f;
  send({ type: 'focus', focus: f });
  const s = latest;
  ui.heatmapCaption.textContent = !f || !s ? 'Output'
    : f.layer < 0 ? `Input feature ${unitName(s, 0, f.unit, netGeom?.cols ?? 2)}`
      : `Neuron ${f.unit + 1} of hidden layer ${f.layer + 1}: its output over the input plane`;
  dirty = true;
}

ui.network.addEventListener('pointermove', (e) => {
  if (pinned) return;
  const n = neuronAt(canvasPoint(ui.network, e));
  setFocus(n && n.j < netGeom.cols - 1 ? { layer: n.j - 1, unit: n.k } : null);
});
ui.network.addEventListener('pointerleave', () => { if (!pinned) setFocus(null); });
ui.network.addEventListener('click', (e) => {
  // a click (or a tap, where there is no hover) on a neuron pins it large; anywhere else lets go
  const n = neuronAt(canvasPoint(ui.network, e));
  pinned = !!n && n.j < netGeom.cols - 1;
  setFocus(pinned ? { layer: n.j - 1, unit: n.k } : null);
  const link = linkAt(canvasPoint(ui.network, e));
  if (!link || !latest || ui.weightForm.offsetParent === null) return; // an embed may hide the editor
  selectWeight(link);
  ui.wValue.focus();
  ui.wValue.select();
});
// Keyboard: the arrow keys walk the neurons (each shown large), Escape lets go.
ui.network.addEventListener('keydown', (e) => {
  if (!netGeom) return;
  const last = netGeom.cols - 2; // the output column has no small heatmap of its own
  let j = focus ? focus.layer + 1 : 0;
  let k = focus ? focus.unit : 0;
  if (e.key === 'Escape') { pinned = false; setFocus(null); return; }
  const moves = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
  if (!moves[e.key] || last < 0) return;
  e.preventDefault();
  if (focus) {
    j = Math.max(0, Math.min(last, j + moves[e.key][0]));
    k = Math.max(0, Math.min(netGeom.sizes[j] - 1, k + moves[e.key][1]));
  }
  pinned = true;
  setFocus({ layer: j - 1, unit: Math.min(k, netGeom.sizes[j] - 1) });
});
ui.network.addEventListener('blur', () => { if (pinned) { pinned = false; setFocus(null); } });

// ---- the weight editor: pick a link (or click it in the diagram), type a value ----
function selectedWeight() {
  if (!ui.wLayer.value) return null;
  const l = Number(ui.wLayer.value);
  const a = ui.wFrom.value === 'bias' ? 'bias' : Number(ui.wFrom.value);
  return { l, a, b: Number(ui.wTo.value) };
}

/** getWeights() tensor and index of a link: dense layer l has kernel 2l [in, out] and bias 2l + 1. */
function weightSlot({ l, a, b }, s) {
  if (a === 'bias') return { tensor: 2 * l + 1, index: b };
  const nOut = s.weights[2 * l].shape[1];
  return { tensor: 2 * l, index: a * nOut + b };
}
function weightValue(sel, s) {
  if (!sel || !s.weights[2 * sel.l]) return undefined;
  const { tensor, index } = weightSlot(sel, s);
  return s.weights[tensor]?.data[index];
}

function fillWeightEnds(s, keepFrom, keepTo) {
  const l = Number(ui.wLayer.value);
  const cols = s.weights.length / 2 + 1;
  const nIn = s.weights[2 * l].shape[0];
  const nOut = s.weights[2 * l].shape[1];
  ui.wFrom.replaceChildren(...Array.from({ length: nIn }, (_, a) => new Option(unitName(s, l, a, cols), String(a))),
    new Option('bias', 'bias'));
  ui.wTo.replaceChildren(...Array.from({ length: nOut }, (_, b) => new Option(unitName(s, l + 1, b, cols), String(b))));
  if (keepFrom != null && [...ui.wFrom.options].some((o) => o.value === String(keepFrom))) ui.wFrom.value = String(keepFrom);
  if (keepTo != null && keepTo < nOut) ui.wTo.value = String(keepTo);
}

// The lists follow the network's shape; rebuilt only when it changes.
function updateWeightEditor(s) {
  const key = `${s.features.join()}|${s.weights.map((w) => w.shape.join('x')).join()}`;
  if (key !== weightKey) {
    weightKey = key;
    const cols = s.weights.length / 2 + 1;
    const keep = selectedWeight();
    ui.wLayer.replaceChildren(...Array.from({ length: cols - 1 },
      (_, l) => new Option(`${columnName(l, cols)} and ${columnName(l + 1, cols)}`, String(l))));
    if (keep && keep.l < cols - 1) ui.wLayer.value = String(keep.l);
    fillWeightEnds(s, keep?.a, keep?.b);
    ui.wValue.value = '';
  }
  const v = weightValue(selectedWeight(), s);
  ui.wCurrent.textContent = v == null ? '\u2013' : v.toFixed(3);
}

function selectWeight(sel) {
  ui.wLayer.value = String(sel.l);
  fillWeightEnds(latest, sel.a, sel.b);
  const v = weightValue(sel, latest);
  ui.wValue.value = v == null ? '' : String(+v.toFixed(4));
  dirty = true;
}

ui.wLayer.addEventListener('change', () => { if (latest) selectWeight(selectedWeight()); });
for (const el of [ui.wFrom, ui.wTo]) el.addEventListener('change', () => { if (latest) selectWeight(selectedWeight()); });
ui.weightForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const value = Number(ui.wValue.value);
  if (ui.wValue.value.trim() === '' || !Number.isFinite(value)) {
    showError('Type a number for the weight.');
    return;
  }
  const sel = selectedWeight();
  if (!sel || !latest) return;
  clearError();
  send({ type: 'setWeight', ...weightSlot(sel, latest), value });
});

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
  updateWeightEditor(s);
  drawNetwork(s);
}

loadHash();
renderLayerControls();
requestAnimationFrame(frame);
startWorker();
