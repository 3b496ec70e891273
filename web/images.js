// images.js - the images page (images.html): controls, the layer editor, the drawing pad and every
// figure. All model work runs in images-worker.js; this file only sends it messages and draws what
// comes back. Text from files or models is only ever set with textContent, never as HTML.
import { $, el } from './dom.js';
import { download, downloadFiles } from './download.js';
import { drawingPad } from './images/pad.js';
import { initCompress } from './images/compress.js';

const CLASSES = {
  digits: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  fashion: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
};

const PRESETS = {
  mlp: [{ type: 'dense', units: 128, activation: 'relu' }, { type: 'dense', units: 10, activation: 'softmax' }],
  cnnSmall: [
    { type: 'conv2d', filters: 8, kernelSize: 5, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'conv2d', filters: 16, kernelSize: 5, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
  cnn: [
    { type: 'conv2d', filters: 32, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'conv2d', filters: 64, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 128, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

// The shipped model (tools/train-digits.mjs cnn): the small CNN, 97.5% on the 2,000 test digits.
const SHIPPED = { file: 'models/digits-cnn.nnplay', needs: ['conv2d', 'maxPooling2d', 'flatten', 'dense'] };

// The layer editor: which options it offers per layer type, with short labels and the ranges a
// slider-sized field allows (narrower than the core's limits). Everything else -- the class names,
// kinds and the names an option accepts -- comes from the core's layer table.
const EDITOR = {
  conv2d: [['filters', 'filters', 1, 256], ['kernelSize', 'kernel', 1, 11], ['strides', 'stride', 1, 4], ['padding', 'padding'],
    ['activation', 'activation']],
  maxPooling2d: [['poolSize', 'pool', 1, 8]],
  averagePooling2d: [['poolSize', 'pool', 1, 8]],
  globalAveragePooling2d: [], batchNormalization: [], flatten: [],
  dense: [['units', 'units', 1, 1024], ['activation', 'activation']],
  dropout: [['rate', 'rate', 0, 0.9]],
};
const table = await (async () => {
  try {
    const nn = await import('../wasm/lean.js');
    await nn.ready();
    return nn.describe();
  } catch { // the worker reports the failure on the page; the editor just offers nothing
    return { layers: [], names: {} };
  }
})();
// The editor's layer types and their fields: [name, label, kind, min, max]; kind 'int', 'float' or the accepted names
const TYPES = Object.fromEntries(Object.entries(EDITOR).flatMap(([type, fields]) => {
  const t = table.layers.find((l) => l.name === type);
  if (!t) return [];
  return [[type, { label: t.className, fields: fields.map(([name, lbl, min, max]) => {
    const o = t.options.find((x) => x.name === name);
    const kind = o.kind === 'enum' ? table.names[o.values].map((v) => v.name) : o.kind === 'float' ? 'float' : 'int';
    return [name, lbl, kind, min, max];
  }) }]];
}));
const DEFAULTS = { conv2d: { filters: 16, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
  maxPooling2d: { poolSize: 2 }, averagePooling2d: { poolSize: 2 }, dense: { units: 64, activation: 'relu' }, dropout: { rate: 0.25 } };
const SPATIAL = new Set(['conv2d', 'maxPooling2d', 'averagePooling2d', 'globalAveragePooling2d', 'batchNormalization']);


const state = {
  dataset: 'digits', spec: PRESETS.mlp.map((l) => ({ ...l })), layerTypes: [], playing: false,
  points: [], vals: [], ready: { worker: false, dataset: false, model: false, test: false }, classifyId: 0,
};
const worker = new Worker(new URL('./images-worker.js', import.meta.url), { type: 'module' });
const send = (msg, transfer) => worker.postMessage(msg, transfer || []);
const classes = () => CLASSES[state.dataset];
const pct = (v) => (v == null || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(1)}%`);

function showError(text) {
  $('error').textContent = text;
  $('error').hidden = !text;
}
function status(text) { $('status').textContent = text; }

function checkReady() {
  const r = state.ready;
  if (r.worker && r.dataset && r.model && r.test && document.body.dataset.state !== 'ready') {
    document.body.dataset.state = 'ready';
    status('Ready. Draw a digit, or press Train.');
  }
  for (const id of ['play', 'reset', 'save', 'export-tfjs', 'export-onnx']) $(id).disabled = !(r.model && r.dataset);
  $('pretrained').disabled = !r.worker;
}

// ---- worker messages ----

const compress = initCompress($('compress'), { send, showError, download, datasetName: () => state.dataset,
  stopTraining() { setPlaying(false); send({ type: 'pause' }); } });

worker.onmessage = ({ data: m }) => {
  if (compress.onMessage(m)) return;
  switch (m.type) {
    case 'ready':
      state.layerTypes = m.layerTypes;
      $('augment').disabled = !m.canAugment;
      if (!m.canAugment) $('augment').parentElement.title = 'This build of nnplay has no fit() augment option';
      $('simd').textContent = m.simd;
      $('version').textContent = m.version;
      state.ready.worker = true;
      markUnavailable();
      loadPretrained();
      checkReady();
      break;
    case 'status': status(m.message); break;
    case 'dataset':
      state.ready.dataset = true;
      status(`${m.name === 'digits' ? 'Digits' : 'Fashion-MNIST'}: ${m.train} training, ${m.val} validation, ${m.test} test images.`);
      checkReady();
      break;
    case 'model': onModel(m); break;
    case 'progress': onProgress(m); break;
    case 'views': onViews(m); break;
    case 'test': onTest(m); break;
    case 'probs': if (m.id === state.classifyId) showProbs(m.probs); break;
    case 'exported': status(downloadFiles(m.files, m.note)); break;
    case 'saved': download(new Blob([m.bytes], { type: 'application/octet-stream' }), `${state.dataset}-model.nnplay`); break;
    case 'error':
      showError(m.message);
      if (state.playing) setPlaying(false);
      break;
    default: break;
  }
};
worker.onerror = (e) => showError(`The training worker failed: ${e.message || 'unknown error'}`);

// A loaded model's config may give a square size as [n, n]; the editor's number fields take n.
const forEditor = (l) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k,
  Array.isArray(v) && v.every((d) => d === v[0]) && TYPES[l.type]?.fields.some(([f, , kind]) => f === k && kind === 'int') ? v[0] : v]));

function onModel(m) {
  state.spec = m.spec.map(forEditor);
  state.ready.model = true;
  state.points = [];
  state.vals = [];
  drawChart();
  renderEditor();
  const presetKey = Object.keys(PRESETS).find((k) => sameSpec(PRESETS[k], state.spec));
  $('preset').value = presetKey || 'custom';
  $('lr').value = String([...$('lr').options].map((o) => o.value).find((v) => Math.abs(v - m.settings.lr) < 1e-9) ?? $('lr').value);
  $('model-info').textContent = `${m.params.toLocaleString('en')} parameters, ${m.layers.length} layers` +
    (m.origin === 'shipped' ? ' (the pretrained digits model)' : m.origin === 'file' ? ' (loaded from a file)' : m.origin === 'tfjs' ? ' (imported from TF.js files)' :
    m.origin === 'compressed' ? ' (compressed: pruned and/or int8)' : ' (new random weights)');
  $('summary').textContent = m.summary;
  $('editor-error').hidden = true;
  updateStats({ epoch: 0, fraction: 0, rate: 0, steps: 0, fwdMs: 0, bwdMs: 0, trainAcc: null, val: null });
  showError('');
  if (m.origin === 'tfjs') status('Imported the TF.js model; press Train to train it further.');
  checkReady();
  classifyDrawing();
}

function updateStats(m) {
  $('epoch').textContent = (m.epoch + m.fraction).toFixed(2);
  $('epoch-progress').value = m.fraction;
  $('rate').textContent = m.rate ? Math.round(m.rate).toLocaleString('en') : '–';
  $('steps').textContent = m.steps.toLocaleString('en');
  $('fwd').textContent = m.fwdMs ? m.fwdMs.toFixed(2) : '–';
  $('bwd').textContent = m.bwdMs ? m.bwdMs.toFixed(2) : '–';
  $('train-acc').textContent = pct(m.trainAcc);
  $('val-acc').textContent = pct(m.val?.accuracy);
}

function onProgress(m) {
  updateStats(m);
  for (const p of m.points) state.points.push(p);
  if (m.points.length) $('loss').textContent = m.points[m.points.length - 1][1].toFixed(4);
  const lastVal = state.vals[state.vals.length - 1];
  if (m.val && m.val.steps > 0 && (!lastVal || m.val.steps !== lastVal[2])) state.vals.push([m.val.at, m.val.accuracy, m.val.steps]);
  // keep the chart's data small: merge neighbours when it grows
  if (state.points.length > 1200) state.points = state.points.filter((_, i) => i % 2 === 0);
  if (state.vals.length > 600) state.vals = state.vals.filter((_, i) => i % 2 === 0);
  drawChart();
}

// ---- controls ----

function setPlaying(on) {
  state.playing = on;
  $('play').setAttribute('aria-pressed', String(on));
  $('play').textContent = on ? 'Pause' : 'Train';
}

$('play').addEventListener('click', () => {
  showError('');
  setPlaying(!state.playing);
  send({ type: state.playing ? 'play' : 'pause' });
});
$('reset').addEventListener('click', () => {
  setPlaying(false);
  send({ type: 'reset', seed: (Math.random() * 2 ** 32) >>> 0 });
});
$('dataset').addEventListener('change', () => {
  setPlaying(false);
  state.dataset = $('dataset').value;
  state.ready.dataset = false;
  checkReady();
  $('h-draw').textContent = state.dataset === 'digits' ? 'Draw a digit' : 'Draw something (it answers in clothes)';
  send({ type: 'pause' });
  send({ type: 'dataset', name: state.dataset });
  // a model trained on one dataset means nothing on the other: start again with the same network
  send({ type: 'reset', seed: (Math.random() * 2 ** 32) >>> 0 });
});
$('preset').addEventListener('change', () => {
  const p = PRESETS[$('preset').value];
  if (!p) return;
  state.spec = p.map((l) => ({ ...l }));
  renderEditor();
  buildFromEditor();
});
$('lr').addEventListener('change', () => send({ type: 'settings', lr: Number($('lr').value) }));
$('batch').addEventListener('change', () => send({ type: 'settings', batchSize: Number($('batch').value) }));
$('augment').addEventListener('change', () => send({ type: 'settings', augment: $('augment').checked }));
$('save').addEventListener('click', () => send({ type: 'save' }));
$('model-file').addEventListener('change', async () => {
  const f = $('model-file').files[0];
  $('model-file').value = '';
  if (!f) return;
  setPlaying(false);
  send({ type: 'pause' });
  const bytes = await f.arrayBuffer();
  send({ type: 'load', bytes, from: 'file' }, [bytes]);
});
for (const [id, format] of [['export-tfjs', 'tfjs'], ['export-onnx', 'onnx']]) {
  $(id).addEventListener('click', () => {
    showError('');
    send({ type: 'exportAs', format, name: `${state.dataset}-model` });
  });
}
// TF.js's model.json and its weights .bin, picked together; the worker checks the pair and the model.
$('tfjs-files').addEventListener('change', () => {
  const files = [...$('tfjs-files').files];
  $('tfjs-files').value = '';
  if (!files.length) return;
  setPlaying(false);
  send({ type: 'pause' });
  send({ type: 'loadTfjs', files });
});
$('pretrained').addEventListener('click', () => {
  setPlaying(false);
  send({ type: 'pause' });
  if (state.dataset !== 'digits') {
    $('dataset').value = 'digits';
    state.dataset = 'digits';
    $('h-draw').textContent = 'Draw a digit';
    send({ type: 'dataset', name: 'digits' });
  }
  loadPretrained();
});

async function loadPretrained() {
  const missing = SHIPPED.needs.filter((t) => !state.layerTypes.includes(t));
  try {
    if (missing.length) throw new Error(`this build of nnplay has no ${missing.join(', ')} layer`);
    const res = await fetch(new URL(SHIPPED.file, import.meta.url));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const bytes = await res.arrayBuffer();
    send({ type: 'load', bytes, from: 'shipped' }, [bytes]);
  } catch (err) {
    showError(`The pretrained model could not be loaded (${err.message}); build a network and train it.`);
    buildFromEditor();
  }
}


// ---- layer editor ----

const normalized = (l) => JSON.stringify([l.type, ...(TYPES[l.type]?.fields || []).map(([k]) => String(l[k] ?? DEFAULTS[l.type]?.[k] ?? ''))]);
const sameSpec = (a, b) => a.length === b.length && a.every((l, i) => normalized(l) === normalized(b[i]));

function markUnavailable() {
  renderEditor();
  for (const o of $('preset').options) {
    const p = PRESETS[o.value];
    const missing = p ? [...new Set(p.map((l) => l.type).filter((t) => !state.layerTypes.includes(t)))] : [];
    if (missing.length) o.textContent = `${o.textContent.replace(/ \(needs .*\)$/, '')} (needs ${missing.join(', ')})`;
  }
}

function renderEditor() {
  const list = $('layers');
  list.replaceChildren();
  list.append(el('li', { class: 'layer input-layer', text: 'Input 28×28 image (784 values)' }));
  state.spec.forEach((layer, i) => {
    const n = i + 1;
    const type = el('select', { 'aria-label': `Layer ${n} type` });
    for (const [t, info] of Object.entries(TYPES)) {
      const have = !state.layerTypes.length || state.layerTypes.includes(t);
      type.append(el('option', { value: t, text: have ? info.label : `${info.label} (not in this build)` }));
    }
    if (!TYPES[layer.type]) type.append(el('option', { value: layer.type, text: layer.type }));
    type.value = layer.type;
    type.addEventListener('change', () => {
      state.spec[i] = { type: type.value, ...(DEFAULTS[type.value] || {}) };
      edited();
    });
    const row = el('li', { class: 'layer' }, el('span', { class: 'layer-n', text: `${n}` }), type);
    for (const [key, label, kind, min, max] of TYPES[layer.type]?.fields || []) {
      const id = `layer-${n}-${key}`;
      let input;
      if (Array.isArray(kind)) {
        input = el('select', { id });
        for (const v of kind) input.append(el('option', { value: v, text: v }));
        input.value = layer[key] ?? kind[0];
      } else {
        input = el('input', { id, type: 'number', min: String(min), max: String(max), step: kind === 'int' ? '1' : '0.05',
          value: String(layer[key] ?? DEFAULTS[layer.type]?.[key] ?? min), inputmode: kind === 'int' ? 'numeric' : 'decimal' });
      }
      input.addEventListener('change', () => {
        state.spec[i][key] = Array.isArray(kind) ? input.value : Number(input.value);
        edited(false);
      });
      row.append(el('span', { class: 'layer-field' }, el('label', { for: id, text: label }), input));
    }
    const btn = (text, label, fn, disabled) => {
      const b = el('button', { class: 'small', 'aria-label': label, text, type: 'button' });
      b.disabled = !!disabled;
      b.addEventListener('click', fn);
      return b;
    };
    row.append(el('span', { class: 'layer-buttons' },
      btn('↑', `Move layer ${n} up`, () => { [state.spec[i - 1], state.spec[i]] = [state.spec[i], state.spec[i - 1]]; edited(); }, i === 0),
      btn('↓', `Move layer ${n} down`, () => { [state.spec[i + 1], state.spec[i]] = [state.spec[i], state.spec[i + 1]]; edited(); }, i === state.spec.length - 1),
      btn('✕', `Remove layer ${n}`, () => { state.spec.splice(i, 1); edited(); }, state.spec.length === 1)));
    list.append(row);
  });
}

function edited(rerender = true) {
  $('preset').value = Object.keys(PRESETS).find((k) => sameSpec(PRESETS[k], state.spec)) || 'custom';
  if (rerender) renderEditor();
}

$('add-layer').addEventListener('click', () => {
  // before the output layer, which must stay last
  state.spec.splice(Math.max(0, state.spec.length - 1), 0, { type: 'dense', ...DEFAULTS.dense });
  edited();
  $('layers').querySelectorAll('select')[Math.max(0, state.spec.length - 2)]?.focus();
});
$('apply').addEventListener('click', buildFromEditor);

/** Problems with the layer list, as sentences naming the layer (empty when it can be built). */
function validateSpec(spec, available) {
  const errors = [];
  if (!spec.length) return ['The network has no layers.'];
  let flat = false;
  spec.forEach((l, i) => {
    const at = `Layer ${i + 1} (${TYPES[l.type]?.label || l.type})`;
    if (!TYPES[l.type]) { errors.push(`${at}: unknown layer type.`); return; }
    if (available.length && !available.includes(l.type)) {
      errors.push(`${at}: this build of nnplay has no ${l.type} layer (nn.layers.${l.type} is not in the loaded module).`);
    }
    for (const [key, label, kind, min, max] of TYPES[l.type].fields) {
      const v = l[key];
      if (Array.isArray(kind)) {
        if (!kind.includes(v)) errors.push(`${at}: ${label} must be one of ${kind.join(', ')}.`);
      } else if (typeof v !== 'number' || Number.isNaN(v) || v < min || v > max || (kind === 'int' && !Number.isInteger(v))) {
        errors.push(`${at}: ${label} must be ${kind === 'int' ? 'a whole number' : 'a number'} from ${min} to ${max}.`);
      }
    }
    if (SPATIAL.has(l.type) && flat) errors.push(`${at}: needs an image-shaped input, but an earlier layer made it flat; put it before Flatten and Dense.`);
    if (l.type === 'flatten' || l.type === 'dense' || l.type === 'globalAveragePooling2d') flat = true;
  });
  const last = spec[spec.length - 1];
  if (last.type !== 'dense' || last.units !== 10 || last.activation !== 'softmax') {
    errors.push('The last layer must be Dense with 10 units and softmax activation: one probability per class.');
  }
  spec.slice(0, -1).forEach((l, i) => {
    if (l.activation === 'softmax') errors.push(`Layer ${i + 1}: softmax belongs in the last layer only.`);
  });
  return errors;
}

function buildFromEditor() {
  const errors = validateSpec(state.spec, state.layerTypes);
  if (errors.length) {
    $('editor-error').textContent = errors.join(' ');
    $('editor-error').hidden = false;
    return;
  }
  $('editor-error').hidden = true;
  setPlaying(false);
  send({ type: 'pause' });
  send({ type: 'build', spec: state.spec, lr: Number($('lr').value), batchSize: Number($('batch').value),
    seed: (Math.random() * 2 ** 32) >>> 0 });
}

// ---- drawing pad ----

// pad.js: pointer drawing (mouse, pen, finger), classified at most once per frame while drawing
const pad = drawingPad($('pad'), { onChange: () => classifyDrawing() });

$('clear').addEventListener('click', () => {
  pad.clear();
  $('pad28').getContext('2d').clearRect(0, 0, 28, 28);
  $('guess').textContent = '–';
  $('probs').replaceChildren();
  state.drawn = null;
  if ($('inspect-drawing').checked) send({ type: 'example', index: state.exampleIndex || 0 });
});
$('inspect-drawing').addEventListener('change', () => {
  if ($('inspect-drawing').checked) classifyDrawing();
  else send({ type: 'example', index: state.exampleIndex || 0 });
});

function classifyDrawing() {
  if (!state.ready.model) return;
  const x = pad.image();
  state.drawn = x;
  if (!x) return;
  drawGrey($('pad28'), x, 28, 28);
  state.classifyId++;
  send({ type: 'classify', x, id: state.classifyId, inspect: $('inspect-drawing').checked });
}

function showProbs(p) {
  const names = classes();
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
  $('guess').textContent = names[best];
  $('guess').dataset.class = String(best);
  const list = $('probs');
  list.replaceChildren();
  p.forEach((v, c) => {
    const bar = el('span', { class: 'bar-fill' });
    bar.style.width = `${(100 * v).toFixed(1)}%`;
    list.append(el('li', { class: c === best ? 'best' : '' }, el('span', { class: 'prob-name', text: names[c] }),
      el('span', { class: 'bar-track' }, bar), el('span', { class: 'prob-value', text: `${(100 * v).toFixed(1)}%` })));
  });
}

// ---- figures ----

function drawGrey(canvas, values, w, h, { min = 0, max = 1 } = {}) {
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const span = max - min || 1;
  for (let i = 0; i < w * h; i++) {
    const g = 255 - Math.max(0, Math.min(255, ((values[i] - min) / span) * 255));
    img.data.set([g, g, g, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}

/** Tiles of h x w values in one canvas, `cols` per row, each scaled by `scale` with a 1-pixel gap. */
function drawTiles(canvas, tiles, h, w, { cols, scale, diverging }) {
  const rows = Math.ceil(tiles.length / cols);
  const tw = w * scale + 1;
  const th = h * scale + 1;
  canvas.width = Math.max(1, cols * tw - 1);
  canvas.height = Math.max(1, rows * th - 1);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const img = ctx.createImageData(w, h);
  const tmp = new OffscreenCanvas(w, h);
  const tctx = tmp.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  tiles.forEach((t, k) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of t) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const a = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    for (let i = 0; i < w * h; i++) {
      const v = t[i];
      let rgb;
      if (diverging) {
        const s = Math.min(1, Math.abs(v) / a);
        rgb = v >= 0 ? [255 - s * 247, 255 - s * 136, 255 - s * 66] : [255 - s * 10, 255 - s * 108, 255 - s * 221];
      } else {
        const g = 255 - ((v - lo) / (hi - lo || 1)) * 255;
        rgb = [g, g, g];
      }
      img.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
    }
    tctx.putImageData(img, 0, 0);
    ctx.drawImage(tmp, (k % cols) * tw, Math.floor(k / cols) * th, w * scale, h * scale);
  });
}

const tilesOf = (f) => Array.from({ length: f.n }, (_, j) => f.data.subarray(j * f.h * f.w, (j + 1) * f.h * f.w));

function onViews(m) {
  if (m.filters) {
    const f = m.filters;
    $('filters-title').textContent = f.kind === 'conv'
      ? `First layer filters (${f.n} of ${f.h}×${f.w}, input channel 1)`
      : `First layer weights (${f.n} units, each as a 28×28 image)`;
    drawTiles($('filters'), tilesOf(f), f.h, f.w, { cols: 8, scale: f.kind === 'conv' ? Math.max(2, Math.round(56 / f.w)) : 2, diverging: true });
  }
  const film = $('film');
  film.replaceChildren();
  for (const s of m.film) {
    const c = el('canvas', { role: 'img', 'aria-label': `First layer after ${s.steps} steps` });
    const f = s.filters;
    drawTiles(c, tilesOf(f), f.h, f.w, { cols: 8, scale: f.kind === 'conv' ? Math.max(2, Math.round(24 / f.w)) : 1, diverging: true });
    film.append(el('div', { class: 'film-row' }, el('span', { class: 'film-step', text: `step ${s.steps.toLocaleString('en')}` }), c));
  }
  if (m.example) {
    drawGrey($('example'), m.example.pixels, 28, 28);
    $('example-label').textContent = m.example.source === 'drawing' ? 'your drawing'
      : `test image ${m.example.index + 1}: ${classes()[m.example.label]}`;
    if (m.example.source === 'test') state.exampleIndex = m.example.index;
  }
  const box = $('activations');
  box.replaceChildren();
  for (const a of m.activations) {
    const shape = a.shape.join('×');
    const title = el('h4', { text: `${a.index + 1}. ${TYPES[a.type]?.label || a.type} → ${shape}` });
    if (a.error) { box.append(el('div', { class: 'act' }, title, el('p', { class: 'hint', text: a.error }))); continue; }
    const c = el('canvas', { role: 'img', 'aria-label': `Outputs of layer ${a.index + 1}` });
    if (a.shape.length === 3) {
      const [h, w, ch] = a.shape;
      const n = Math.min(ch, 16);
      const tiles = Array.from({ length: n }, (_, k) => {
        const t = new Float32Array(h * w);
        for (let i = 0; i < h * w; i++) t[i] = a.data[i * ch + k];
        return t;
      });
      drawTiles(c, tiles, h, w, { cols: 8, scale: Math.max(1, Math.round(48 / w)), diverging: false });
      box.append(el('div', { class: 'act' }, title, c, ch > n ? el('p', { class: 'hint', text: `first ${n} of ${ch} channels` }) : ''));
    } else if (a.index === m.activations[m.activations.length - 1].index && a.data.length === 10) {
      const names = classes();
      const list = el('ol', { class: 'probs compact' });
      a.data.forEach((v, k) => {
        const bar = el('span', { class: 'bar-fill' });
        bar.style.width = `${(100 * v).toFixed(1)}%`;
        list.append(el('li', {}, el('span', { class: 'prob-name', text: names[k] }), el('span', { class: 'bar-track' }, bar),
          el('span', { class: 'prob-value', text: `${(100 * v).toFixed(0)}%` })));
      });
      box.append(el('div', { class: 'act' }, title, list));
    } else {
      const n = a.data.length;
      const cols = Math.min(32, n);
      const rows = Math.ceil(n / cols);
      const t = new Float32Array(rows * cols);
      t.set(a.data);
      drawTiles(c, [t], rows, cols, { cols: 1, scale: 8, diverging: false });
      box.append(el('div', { class: 'act' }, title, c));
    }
  }
}

function drawChart() {
  const c = $('loss-chart');
  const ctx = c.getContext('2d');
  const W = c.width;
  const H = c.height;
  const pad = { l: 36, r: 36, t: 8, b: 22 };
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.strokeStyle = '#ccc';
  ctx.strokeRect(pad.l, pad.t, W - pad.l - pad.r, H - pad.t - pad.b);
  ctx.fillStyle = '#666';
  ctx.font = '11px system-ui, sans-serif';
  const pts = state.points;
  if (!pts.length) {
    ctx.fillText('Press Train to see the loss here', pad.l + 8, H / 2);
    return;
  }
  const xMax = Math.max(1, pts[pts.length - 1][0]);
  const lMax = Math.max(...pts.map((p) => p[1])) || 1;
  const X = (x) => pad.l + (x / xMax) * (W - pad.l - pad.r);
  const YL = (v) => pad.t + (1 - v / lMax) * (H - pad.t - pad.b);
  const YA = (v) => pad.t + (1 - v) * (H - pad.t - pad.b);
  ctx.textAlign = 'right';
  ctx.fillText(lMax.toFixed(2), pad.l - 4, pad.t + 10);
  ctx.fillText('0', pad.l - 4, H - pad.b);
  ctx.textAlign = 'left';
  ctx.fillText('100%', W - pad.r + 4, pad.t + 10);
  ctx.fillText('0%', W - pad.r + 4, H - pad.b);
  ctx.textAlign = 'center';
  ctx.fillText(`epoch ${xMax.toFixed(xMax < 10 ? 1 : 0)}`, W - pad.r - 30, H - 6);
  ctx.fillText('0', pad.l, H - 6);
  ctx.strokeStyle = '#0877bd';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  pts.forEach((p, i) => (i ? ctx.lineTo(X(p[0]), YL(p[1])) : ctx.moveTo(X(p[0]), YL(p[1]))));
  ctx.stroke();
  ctx.strokeStyle = '#2a9d3a';
  ctx.fillStyle = '#2a9d3a';
  ctx.beginPath();
  state.vals.forEach((p, i) => (i ? ctx.lineTo(X(p[0]), YA(p[1])) : ctx.moveTo(X(p[0]), YA(p[1]))));
  ctx.stroke();
}

function onTest(m) {
  const names = classes();
  $('test-acc').textContent = pct(m.accuracy);
  $('test-summary').textContent = `${m.n.toLocaleString('en')} test images, ${pct(m.accuracy)} correct after ${m.steps.toLocaleString('en')} steps.`;
  const short = (s) => (s.length > 7 ? s.slice(0, 6) + '.' : s);
  const table = $('confusion');
  const head = el('tr', {}, el('th', { scope: 'col', text: 'true \\ pred' }));
  names.forEach((n) => head.append(el('th', { scope: 'col', title: n, text: short(n) })));
  table.tHead.replaceChildren(head);
  const body = table.tBodies[0];
  body.replaceChildren();
  m.confusion.forEach((row, r) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    const tr = el('tr', {}, el('th', { scope: 'row', title: names[r], text: short(names[r]) }));
    row.forEach((v, c) => {
      const td = el('td', { text: String(v) });
      const f = v / total;
      if (v) td.style.background = r === c ? `rgba(42, 157, 58, ${0.15 + 0.6 * f})` : `rgba(245, 147, 34, ${0.15 + 0.85 * f})`;
      tr.append(td);
    });
    body.append(tr);
  });
  renderCards($('samples'), m.samples);
  renderCards($('worst'), m.worst);
  state.ready.test = true;
  checkReady();
}

function renderCards(box, items) {
  const names = classes();
  box.replaceChildren();
  for (const it of items) {
    const c = el('canvas', { width: '28', height: '28', role: 'img', 'aria-label': `Test image of ${names[it.label]}` });
    drawGrey(c, Float32Array.from(it.pixels, (v) => v / 255), 28, 28);
    const ok = it.top[0][0] === it.label;
    const list = el('ol', { class: 'top3' });
    for (const [k, p] of it.top) list.append(el('li', { class: k === it.label ? 'right' : '', text: `${names[k]} ${(100 * p).toFixed(p > 0.995 ? 0 : 1)}%` }));
    const button = el('button', { type: 'button', class: `card ${ok ? 'ok' : 'wrong'}`, title: 'Show its activations',
      'aria-label': `Test image ${it.index + 1}, a ${names[it.label]}, read as ${names[it.top[0][0]]}: show its activations` },
    c, el('span', { class: 'truth', text: `true: ${names[it.label]}` }), list);
    button.addEventListener('click', () => { $('inspect-drawing').checked = false; send({ type: 'example', index: it.index }); });
    box.append(button);
  }
}

$('prev-example').addEventListener('click', () => { $('inspect-drawing').checked = false; send({ type: 'example', index: Math.max(0, (state.exampleIndex || 0) - 1) }); });
$('next-example').addEventListener('click', () => { $('inspect-drawing').checked = false; send({ type: 'example', index: (state.exampleIndex || 0) + 1 }); });

renderEditor();
drawChart();
send({ type: 'init' });
send({ type: 'dataset', name: 'digits' });
