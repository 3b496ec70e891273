// controls.js - the training bar, the data and layer controls: each change becomes a new config
// for the worker (and the URL hash), or a message such as play, step or reset.
import { ui, featureBoxes, showError, clearError, setStatus } from './dom.js';
import { state, readConfig, saveHash, isRegression, classCount, problemText,
  ACTIVATIONS, DROPOUT_RATES, MAX_LAYERS, MAX_NEURONS, CLASS_NAMES } from './state.js';
import { send, startWorker, hasWorker } from './worker-link.js';
import { setFocus } from './network.js';

/** Read the controls, check them, keep them in the URL and send them to the worker. */
export function configChanged() {
  const c = readConfig();
  if (c.features.length === 0) {
    showError('Choose at least one input feature.');
    return;
  }
  clearError();
  if (state.notice) { showError(state.notice); state.notice = ''; }
  const regression = isRegression(c.dataset);
  ui.loss.querySelector('option[value="crossEntropy"]').disabled = regression;
  if (regression && c.loss === 'crossEntropy') { ui.loss.value = 'mse'; c.loss = 'mse'; }
  saveHash(c);
  state.pinned = false;
  setFocus(null); // the shown neuron may be gone with the new network
  renderLayerControls();
  renderClassPicker(c.dataset);
  ui.problem.textContent = problemText(c.dataset);
  ui.csvColumns.hidden = c.dataset !== 'custom' || !state.csv?.info;
  if (c.dataset !== 'custom') setStatus('');
  ui.ratioOut.textContent = `${c.trainRatio}%`;
  ui.noiseOut.textContent = String(c.noise);
  ui.batchOut.textContent = String(c.batchSize);
  send({ type: 'config', config: c });
}

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

// The bar's activation choice: every activation the core offers a hidden layer; tanh first selected.
ui.activation.replaceChildren(...[...ACTIVATIONS].map(([v, l]) => new Option(l, v, v === 'tanh', v === 'tanh')));

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

export function renderLayerControls() {
  const { hidden, layerActs, dropout } = state;
  const active = document.activeElement?.id; // re-rendering must not lose the keyboard focus
  ui.layerCount.textContent = `${hidden.length} hidden layer${hidden.length === 1 ? '' : 's'}`;
  ui.addLayer.disabled = hidden.length >= MAX_LAYERS;
  ui.removeLayer.disabled = hidden.length === 0;
  const actOptions = [['', 'Activation: default'], ...ACTIVATIONS];
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
  const n = state.hidden[i] + Number(b.dataset.delta);
  if (n < 1 || n > MAX_NEURONS) return;
  state.hidden[i] = n;
  configChanged();
});
ui.layers.addEventListener('change', (e) => {
  const sel = e.target;
  if (sel.dataset.act != null) state.layerActs[Number(sel.dataset.act)] = sel.value;
  else if (sel.dataset.dropout != null) state.dropout[Number(sel.dataset.dropout)] = Number(sel.value);
  else return;
  configChanged();
});
ui.addLayer.addEventListener('click', () => {
  const { hidden } = state;
  if (hidden.length >= MAX_LAYERS) return;
  hidden.push(hidden.length ? hidden[hidden.length - 1] : 4);
  state.layerActs.push('');
  state.dropout.push(0);
  configChanged();
});
ui.removeLayer.addEventListener('click', () => {
  if (state.hidden.length === 0) return;
  state.hidden.pop();
  state.layerActs.pop();
  state.dropout.pop();
  configChanged();
});

// ---- the other controls ----
for (const el of [ui.lr, ui.activation, ui.regularization, ui.regRate, ui.optimizer, ui.loss, ui.dataset, ui.ratio, ui.noise, ui.batch, ...featureBoxes]) {
  el.addEventListener('change', configChanged);
}
for (const [el, out, fmt] of [[ui.ratio, ui.ratioOut, (v) => `${v}%`], [ui.noise, ui.noiseOut, String], [ui.batch, ui.batchOut, String]]) {
  el.addEventListener('input', () => { out.textContent = fmt(el.value); });
}
// The speed changes the pace only: the network keeps training where it is.
ui.speed.addEventListener('change', () => { send({ type: 'speed', value: Number(ui.speed.value) }); saveHash(readConfig()); });
ui.regenerate.addEventListener('click', () => { state.seed = (state.seed % 100000) + 1; configChanged(); });
ui.play.addEventListener('click', () => {
  clearError();
  send({ type: ui.play.getAttribute('aria-pressed') === 'true' ? 'pause' : 'play' });
});
ui.step.addEventListener('click', () => { clearError(); send({ type: 'step' }); });
ui.reset.addEventListener('click', () => {
  clearError();
  if (!hasWorker()) { startWorker(); return; }
  send({ type: 'reset' });
});
for (const el of [ui.showTest, ui.discretize]) {
  el.addEventListener('change', () => { saveHash(readConfig()); state.dirty = true; });
}
