// teach.js - the images page's "Teach it your own classes" panel: the class list and its drawings
// (teach-data.js), the pad, live confidence bars, the held-out figures and the exports. The models
// live in teach-worker.js; this file sends it messages and draws what comes back. Names typed by
// the user are only ever set with textContent or as input values.
import { createStore, addClass, renameClass, deleteClass, addSample, deleteSample, readiness, toDataset,
  serialize, deserialize, MAX_CLASSES, MIN_CLASSES, SHIFTS } from './teach-data.js';
import { drawingPad } from './pad.js';
import { downloadFiles } from '../download.js';
import { $, el } from '../dom.js';

const pct = (v) => (v == null ? '–' : `${Math.round(100 * v)}%`);
const RETRAIN_MS = 350; // after the last change, once trained
const KEPT = 'nnplay.teach.v1'; // localStorage key of the classes and drawings

/** The classes and drawings kept from a previous visit, if any (a damaged copy is dropped). */
function restore() {
  try {
    const text = localStorage.getItem(KEPT);
    if (text) return deserialize(text);
  } catch { /* storage blocked or a damaged copy: start afresh */ }
  return createStore();
}

function keep() {
  try {
    localStorage.setItem(KEPT, serialize(state.store));
  } catch { /* storage full or blocked: the drawings stay for this visit only */ }
}

const state = {
  store: restore(),
  ready: false,
  wanted: false, // Train was pressed once: later changes retrain by themselves
  id: 0, // the newest training asked for
  trained: null, // { id, names } of the model the bars read with
  sent: null, // { id, sampleIds, names }: what the newest training got
  evals: {}, // { transfer, scratch } of training `id`
  times: {}, // ms to train the model the bars use: { transfer, scratch }
  classifyId: 0,
  timer: 0,
};

const worker = new Worker(new URL('./teach-worker.js', import.meta.url), { type: 'module' });
const send = (msg, transfer) => worker.postMessage(msg, transfer || []);

function showError(text) {
  $('t-error').textContent = text;
  $('t-error').hidden = !text;
}
const status = (text) => { $('t-status').textContent = text; };

// ---- the pad and the bars ----

const pad = drawingPad($('t-pad'), { onChange: () => classify() });

function drawGrey(canvas, x) {
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const g = 255 - Math.round(255 * Math.min(1, x[i]));
    img.data.set([g, g, g, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}

function classify() {
  const x = pad.image();
  const preview = $('t-pad28');
  if (!x) {
    preview.getContext('2d').clearRect(0, 0, 28, 28);
    renderBars(null);
    return;
  }
  drawGrey(preview, x);
  if (!state.trained) return;
  state.classifyId++;
  send({ type: 'classify', x, id: state.classifyId });
}

function renderBars(probs, scratch, modelNames) {
  const names = modelNames ?? state.trained?.names ?? state.store.classes.map((c) => c.name);
  let best = -1;
  if (probs) for (let c = 0; c < probs.length; c++) if (best < 0 || probs[c] > probs[best]) best = c;
  $('t-guess').textContent = best >= 0 ? names[best] : '–';
  const list = $('t-bars');
  list.replaceChildren();
  names.forEach((n, c) => {
    const v = probs ? probs[c] : 0;
    const bar = el('span', { class: 'bar-fill' });
    bar.style.width = `${(100 * v).toFixed(1)}%`;
    list.append(el('li', { class: c === best ? 'best' : '' }, el('span', { class: 'prob-name', text: n, title: n }),
      el('span', { class: 'bar-track' }, bar), el('span', { class: 'prob-value', text: probs ? `${(100 * v).toFixed(1)}%` : '' })));
  });
  list.classList.toggle('idle', !probs);
  $('t-bars-hint').hidden = !!state.trained;
  const s = $('t-scratch-guess');
  if (probs && scratch && $('t-compare').checked) {
    let b = 0;
    for (let c = 1; c < scratch.length; c++) if (scratch[c] > scratch[b]) b = c;
    s.textContent = `The network trained from scratch reads: ${names[b]} (${(100 * scratch[b]).toFixed(0)}%)`;
    s.hidden = false;
  } else s.hidden = true;
}

$('t-clear').addEventListener('click', () => pad.clear());

// Keys, while nothing is being typed: 1-9 and 0 add the drawing to class 1-10, Backspace clears the pad.
document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest?.('input, select, textarea, [contenteditable]')) return;
  if (e.key === 'Backspace' && !pad.blank) {
    e.preventDefault();
    pad.clear();
  } else if (/^[0-9]$/.test(e.key) && !pad.blank) {
    const c = state.store.classes[(Number(e.key) + 9) % 10];
    if (c) { e.preventDefault(); addDrawing(c.id); }
  }
});

// ---- classes and drawings ----

function edited() {
  showUndo(null); // an Undo offers the last deletion only while nothing else changed
  keep();
  renderClasses();
  if (!state.wanted) return;
  clearTimeout(state.timer);
  state.timer = setTimeout(train, RETRAIN_MS);
}

function guard(fn) {
  try {
    showError('');
    fn();
    return true;
  } catch (err) {
    showError(err.message);
    return false;
  }
}

function addDrawing(classId) {
  const x = pad.image();
  if (!x) { showError('Draw something on the pad first, then add it to a class.'); return; }
  if (guard(() => addSample(state.store, classId, x))) {
    pad.clear();
    edited();
  }
}

/** Held-out reading of each drawing (sample id -> predicted class index), from the k-fold run. */
function heldOut() {
  const ev = state.evals.transfer;
  if (!ev || !state.sent || ev.id !== state.sent.id) return new Map();
  return new Map(state.sent.sampleIds.map((sid, i) => [sid, ev.pred[i]]));
}

function renderClasses() {
  const { classes } = state.store;
  const adds = $('t-add');
  adds.replaceChildren();
  for (const c of classes) {
    const b = el('button', { type: 'button', class: 't-add-button', 'aria-label': `Add the drawing to ${c.name}` },
      el('span', { class: 't-add-name', text: c.name }), el('span', { class: 't-count', text: String(c.samples.length) }));
    b.addEventListener('click', () => addDrawing(c.id));
    adds.append(b);
  }
  const judged = heldOut();
  const names = state.sent?.names;
  const list = $('t-classes');
  list.replaceChildren();
  classes.forEach((c, k) => {
    const name = el('input', { type: 'text', value: c.name, maxlength: '24', 'aria-label': `Name of class ${k + 1}`, enterkeyhint: 'done' });
    name.addEventListener('change', () => {
      if (!guard(() => renameClass(state.store, c.id, name.value))) name.value = c.name;
      else edited();
    });
    const del = el('button', { type: 'button', class: 'small', 'aria-label': `Delete class ${c.name}`, title: 'Delete this class and its drawings', text: '×' });
    del.disabled = classes.length <= MIN_CLASSES;
    del.addEventListener('click', () => undoable(`Deleted class ${c.name}.`, () => deleteClass(state.store, c.id)));
    const thumbs = el('div', { class: 't-thumbs' });
    c.samples.forEach((s, i) => {
      const canvas = el('canvas', { width: '28', height: '28' });
      drawGrey(canvas, s.x);
      const p = judged.get(s.id);
      const wrong = p != null && p !== k;
      const b = el('button', { type: 'button', class: `t-thumb${wrong ? ' wrong' : ''}`, 'aria-label': `Delete drawing ${i + 1} of ${c.name}`,
        title: wrong ? `Held out, it was read as ${names?.[p] ?? '?'}. Click to delete this drawing.` : 'Click to delete this drawing' }, canvas);
      b.addEventListener('click', () => undoable(`Deleted a drawing of ${c.name}.`, () => deleteSample(state.store, c.id, s.id)));
      thumbs.append(b);
    });
    if (!c.samples.length) thumbs.append(el('span', { class: 'hint', text: 'No drawings yet: draw one and press its button under the pad.' }));
    list.append(el('li', { class: 't-class' }, el('div', { class: 't-class-head' }, name,
      el('span', { class: 't-class-count', text: `${c.samples.length} drawing${c.samples.length === 1 ? '' : 's'}` }), del), thumbs));
  });
  $('t-add-class').disabled = classes.length >= MAX_CLASSES;
  const r = readiness(state.store);
  $('t-train').disabled = !state.ready;
  $('t-ready').textContent = r.ok ? '' : r.message;
  if (!state.trained) renderBars(null);
}

/** Offer Undo for a deletion (before: the class list as it was, serialized), or (null) stop offering it. */
function showUndo(what, before) {
  state.undo = what ? before : null;
  $('t-undo-what').textContent = what || '';
  $('t-undo-row').hidden = !what;
}

/** Run a deletion that Undo can take back. */
function undoable(what, fn) {
  const before = serialize(state.store);
  if (!guard(fn)) return;
  edited();
  showUndo(what, before);
}

$('t-undo').addEventListener('click', () => {
  if (!state.undo) return;
  state.store = deserialize(state.undo);
  edited();
});

$('t-add-class').addEventListener('click', () => { if (guard(() => addClass(state.store))) edited(); });

// ---- training and its figures ----

function train() {
  clearTimeout(state.timer);
  const r = readiness(state.store);
  if (!r.ok) {
    $('t-ready').textContent = r.message;
    status(state.trained ? `${r.message} The bars use the model trained last.` : r.message);
    return;
  }
  showError('');
  const { x, y, n, names } = toDataset(state.store);
  const id = ++state.id;
  state.sent = { id, names, n, sampleIds: state.store.classes.flatMap((c) => c.samples.map((s) => s.id)) };
  state.evals = {};
  for (const e of document.querySelectorAll('.t-results')) e.classList.add('stale');
  $('t-progress').value = 0;
  status(`Training on ${n} drawings…`);
  if ($('t-compare').checked) state.compared = id;
  send({ type: 'train', id, names, x, y, fineTune: $('t-finetune').checked, compare: $('t-compare').checked, seed: 1 }, [x.buffer, y.buffer]);
}

$('t-train').addEventListener('click', () => {
  state.wanted = true;
  train();
});
$('t-finetune').addEventListener('change', () => { if (state.wanted) train(); });
$('t-compare').addEventListener('change', () => {
  renderResults();
  if ($('t-compare').checked && state.trained && state.trained.id === state.id && !state.evals.scratch && state.compared !== state.id) {
    state.compared = state.id; // once per training, however often the box is ticked
    status('Training the same network from scratch…');
    send({ type: 'compare', id: state.id });
  }
});

const PHASES = {
  train: 'Training the new head',
  evaluate: 'Measuring: k-fold over your drawings',
  scratch: 'From scratch: training the whole network',
  'scratch-evaluate': 'From scratch: k-fold over your drawings',
};

const seconds = (ms) => `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;

function onTrained(m) {
  state.trained = { id: m.id, names: state.sent.names };
  state.times = { transfer: m.ms };
  const extra = m.fineTune ? ' and fine-tuned the base\'s last conv layer' : '';
  state.note = `Trained a new head (${m.params.toLocaleString('en')} weights) on ${m.n} drawings ×${SHIFTS.length} shifts${extra} in ${seconds(m.ms)}; ` +
    `${pct(m.trainAccuracy)} of the drawings it learned from are read right.`;
  status(`${state.note} Measuring on held-out drawings…`);
  renderResults();
  for (const id of ['t-export-nnplay', 't-export-tfjs', 't-export-onnx']) $(id).disabled = false;
  classify();
}

function onEvaluated(m) {
  state.evals[m.kind] = m;
  if (m.kind === 'transfer') renderClasses();
  renderResults();
  const waiting = $('t-compare').checked && !state.evals.scratch;
  status(`${state.note ?? ''} Held-out figures below.${waiting ? ' Training from scratch to compare…' : ''} Draw on the pad to test it.`);
  if (!waiting) $('t-progress').value = 1;
}

function confusionTable(m, names, caption) {
  const table = el('table');
  const short = (s) => (s.length > 6 ? `${s.slice(0, 5)}.` : s);
  const head = el('tr', {}, el('th', { scope: 'col', text: 'true \\ read' }));
  names.forEach((n) => head.append(el('th', { scope: 'col', title: n, text: short(n) })));
  const body = el('tbody');
  m.confusion.forEach((row, r) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    const tr = el('tr', {}, el('th', { scope: 'row', title: names[r], text: short(names[r]) }));
    row.forEach((v, c) => {
      const td = el('td', { text: String(v) });
      if (v) td.style.background = r === c ? `rgba(42, 157, 58, ${0.15 + 0.6 * (v / total)})` : `rgba(245, 147, 34, ${0.15 + 0.85 * (v / total)})`;
      tr.append(td);
    });
    body.append(tr);
  });
  table.append(el('thead', {}, head), body);
  return el('div', { class: 't-cm' }, el('p', { class: 't-cm-title', text: caption }), table);
}

function renderResults() {
  const t = state.evals.transfer;
  const s = $('t-compare').checked ? state.evals.scratch : null;
  const names = state.sent?.names ?? [];
  for (const e of document.querySelectorAll('.t-results')) e.classList.toggle('stale', !t);
  const times = state.trained?.id === state.id ? state.times : {};
  $('t-acc').textContent = t ? `${pct(t.accuracy)}` : '–';
  $('t-acc-scratch').textContent = s ? `${pct(s.accuracy)}` : $('t-compare').checked && t ? '…' : '–';
  $('t-time').textContent = times.transfer != null ? seconds(times.transfer) : '–';
  $('t-time-scratch').textContent = times.scratch != null && $('t-compare').checked ? seconds(times.scratch) : '–';
  $('t-acc-scratch-row').hidden = !$('t-compare').checked;
  const table = $('t-per-class');
  table.tHead.replaceChildren(el('tr', {}, el('th', { scope: 'col', text: 'Class' }), el('th', { scope: 'col', text: 'Drawings' }),
    el('th', { scope: 'col', text: 'Digit CNN + head' }), ...($('t-compare').checked ? [el('th', { scope: 'col', text: 'From scratch' })] : [])));
  const body = table.tBodies[0];
  body.replaceChildren();
  if (t) {
    const counts = t.confusion.map((row) => row.reduce((a, b) => a + b, 0));
    names.forEach((n, k) => body.append(el('tr', {}, el('th', { scope: 'row', text: n }), el('td', { text: String(counts[k]) }),
      el('td', { text: pct(t.perClass[k]) }), ...($('t-compare').checked ? [el('td', { text: s ? pct(s.perClass[k]) : '…' })] : []))));
  }
  const box = $('t-confusion');
  box.replaceChildren();
  if (t) box.append(confusionTable(t, names, 'Confusion matrix, frozen digit CNN + new head'));
  if (s) box.append(confusionTable(s, names, 'Confusion matrix, same network from scratch'));
  $('t-eval-note').textContent = t ? `${t.k}-fold cross-validation: the drawings were split into ${t.k} groups, each class spread over all of them; ` +
    `each group was read by a model trained on the other ${t.k - 1} only. Matrix rows: the class drawn; columns: the class read. Thumbnails with an orange border were read wrong when held out.` : '';
}

for (const [id, format] of [['t-export-nnplay', 'nnplay'], ['t-export-tfjs', 'tfjs'], ['t-export-onnx', 'onnx']]) {
  $(id).addEventListener('click', () => {
    showError('');
    send({ type: 'export', format, name: 'teach-model' });
  });
}

$('t-reset').addEventListener('click', () => {
  const before = serialize(state.store);
  clearTimeout(state.timer);
  state.store = createStore();
  state.wanted = false;
  state.trained = null;
  state.sent = null;
  state.evals = {};
  state.times = {};
  send({ type: 'reset', id: ++state.id });
  for (const id of ['t-export-nnplay', 't-export-tfjs', 't-export-onnx']) $(id).disabled = true;
  $('t-progress').value = 0;
  pad.clear();
  showError('');
  status('Started over: three empty classes.');
  edited();
  showUndo('Deleted every class and drawing.', before);
  renderResults();
});

worker.onmessage = ({ data: m }) => {
  switch (m.type) {
    case 'ready':
      state.ready = true;
      $('t-features').textContent = String(m.features);
      document.getElementById('teach').dataset.state = 'ready';
      renderClasses();
      break;
    case 'progress':
      if (m.id !== state.id) break;
      $('t-progress').value = m.fraction;
      if (m.phase !== 'evaluate' || !state.trained || state.trained.id !== m.id) status(`${PHASES[m.phase]}… ${Math.round(100 * m.fraction)}%`);
      break;
    case 'trained': if (m.id === state.id) onTrained(m); break;
    case 'scratchTrained':
      if (m.id !== state.id) break;
      state.times.scratch = m.ms;
      renderResults();
      classify();
      break;
    case 'evaluated': if (m.id === state.id) onEvaluated({ ...m, id: m.id }); break;
    case 'probs': if (m.id === state.classifyId) renderBars(m.probs, m.scratch, m.names); break;
    case 'exported': status(downloadFiles(m.files, m.note)); break;
    case 'error': if (m.id == null || m.id === state.id) showError(m.message); break;
    default: break;
  }
};
worker.onerror = (e) => showError(`The teaching worker failed: ${e.message || 'unknown error'}`);

renderClasses();
renderResults();
send({ type: 'init' });
