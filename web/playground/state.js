// state.js - the playground's settings and what it knows between frames: the network's shape, the
// config sent to the worker, the URL hash it is kept in, and the user's own points (localStorage).
import { ui, featureBoxes, setStatus, showError } from './dom.js';
import { readHash, MAX_HASH_CHARS } from './hash.js';

// Maps, not object literals: a name from the URL such as 'constructor' must not pass as a known one.
export const FEATURE_NAMES = new Map([['x1', 'X1'], ['x2', 'X2'], ['x1sq', 'X1²'], ['x2sq', 'X2²'], ['x1x2', 'X1X2'],
  ['sinx1', 'sin(X1)'], ['sinx2', 'sin(X2)']]);
// The core's tables (activations, datasets): the page asks the JS API instead of keeping copies.
const table = await loadTable();
async function loadTable() {
  try {
    const nn = await import('../../wasm/lean.js');
    await nn.ready();
    return nn.describe();
  } catch (err) { // the page still comes up and says why it cannot train
    showError(err.message);
    return { layers: [], names: { activations: [{ name: 'tanh', aliases: [] }], datasets: [] } };
  }
}
// Display names: camelCase split into words, with the acronyms spelled as people write them.
const ACRONYMS = new Map([['relu', 'ReLU'], ['elu', 'ELU']]);
const label = (name) => name.replace(/([a-z])([A-Z])/g, '$1 $2').split(' ')
  .map((w, i) => ACRONYMS.get(w.toLowerCase()) ?? (i ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1))).join(' ');
// The activations a hidden layer can pick (softmax belongs to an output layer), with their labels.
// TensorFlow Playground's four first, in its order, then the others.
const FIRST = ['relu', 'tanh', 'sigmoid', 'linear'];
const rank = (name) => (FIRST.includes(name) ? FIRST.indexOf(name) : FIRST.length);
export const ACTIVATIONS = new Map(table.names.activations.filter((a) => a.name !== 'softmax')
  .sort((a, b) => rank(a.name) - rank(b.name)).map((a) => [a.name, label(a.name)]));
const DATASETS = new Map(table.names.datasets.map((d) => [d.name, d]));
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 64;
export const DROPOUT_RATES = [0, 0.1, 0.2, 0.3, 0.5];
export const CLASS_NAMES = ['orange', 'blue', 'green', 'purple', 'red'];
const POINTS_KEY = 'nnplay.points'; // localStorage: the user's own points, so a `dataset=custom` link works after a reload

export const state = {
  hidden: [4, 2],
  layerActs: ['', ''], // per hidden layer: an activation name, or '' for the one chosen in the bar
  dropout: [0, 0], // per hidden layer: the dropout rate after it
  seed: 1,
  latest: null, // the newest snapshot, drawn at the next animation frame
  dirty: false,
  lossHistory: [], // [epoch, trainLoss, testLoss] per snapshot
  csv: null, // the uploaded CSV: { name, text, info } (info: the worker's reply: columns, features, label, ...)
  customInfo: null, // { regression, numClasses } of the uploaded or edited points
  savedPoints: null, // points from localStorage to hand to the worker when the URL asks for dataset=custom
  notice: '', // a message to show once the first configuration is applied
  focus: null, // { layer, unit } of the neuron shown large (layer -1: an input feature), or null
  pinned: false, // the focus came from a click, a tap or the keyboard: it stays until Escape, blur or a click elsewhere
};

export const sameFocus = (a, b) => !!a && !!b && a.layer === b.layer && a.unit === b.unit;

// ---- config and URL state ----
export function readConfig() {
  return {
    dataset: ui.dataset.value, noise: Number(ui.noise.value), trainRatio: Number(ui.ratio.value),
    batchSize: Number(ui.batch.value), features: featureBoxes.filter((b) => b.checked).map((b) => b.value),
    hidden: [...state.hidden], activation: ui.activation.value, lr: Number(ui.lr.value),
    regularization: ui.regularization.value, regRate: Number(ui.regRate.value), optimizer: ui.optimizer.value,
    seed: state.seed, loss: ui.loss.value, layerActivations: [...state.layerActs], dropout: [...state.dropout],
  };
}

export function saveHash(c) {
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

// The option of a numeric select equal to the URL's value (0.030 is 0.03).
function setNumberSelect(sel, value) {
  const o = value != null ? [...sel.options].find((opt) => Number(opt.value) === Number(value)) : null;
  if (o) sel.value = o.value;
}

/** Apply the URL hash's settings to the controls; anything unknown or out of range keeps its default. */
export function loadHash() {
  const p = readHash();
  if (!p) {
    state.notice = `This link's settings are too long to read (over ${MAX_HASH_CHARS / 1024} KB), so the default settings are shown.`;
    return;
  }
  if (![...p.keys()].length) return;
  setSelect(ui.dataset, p.get('dataset'));
  for (const [el, key] of [[ui.noise, 'noise'], [ui.ratio, 'ratio'], [ui.batch, 'batch']]) {
    if (p.has(key) && Number.isFinite(Number(p.get(key)))) el.value = p.get(key);
  }
  if (p.has('features')) {
    const f = p.get('features').split(',');
    if (f.some((v) => FEATURE_NAMES.has(v))) featureBoxes.forEach((b) => { b.checked = f.includes(b.value); });
  }
  if (p.has('hidden')) {
    const h = p.get('hidden') === '' ? [] : p.get('hidden').split(',').map(Number);
    if (h.length <= MAX_LAYERS && h.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_NEURONS)) state.hidden = h;
  }
  const acts = (p.get('acts') || '').split(',');
  const drops = (p.get('dropout') || '').split(',').map(Number);
  state.layerActs = state.hidden.map((_, i) => (ACTIVATIONS.has(acts[i]) ? acts[i] : ''));
  state.dropout = state.hidden.map((_, i) => (DROPOUT_RATES.includes(drops[i]) ? drops[i] : 0));
  setSelect(ui.loss, p.get('loss'));
  setSelect(ui.speed, p.get('speed'));
  if (p.get('dataset') === 'custom') {
    state.savedPoints = loadPoints();
    if (state.savedPoints) useCustomOption(state.savedPoints.name);
    else state.notice = 'This link uses points that were uploaded or drawn in another browser or tab session ' +
      '(they are kept only in the browser that made them), so the Circle data set is shown instead.';
  }
  setNumberSelect(ui.lr, p.get('lr'));
  setNumberSelect(ui.regRate, p.get('regRate'));
  setSelect(ui.activation, p.get('activation'));
  setSelect(ui.regularization, p.get('reg'));
  setSelect(ui.optimizer, p.get('optimizer'));
  const s = Number(p.get('seed'));
  if (Number.isInteger(s) && s > 0 && s <= 0xffffffff) state.seed = s; // the core's seeds are uint32
  ui.showTest.checked = p.get('showTest') === '1';
  ui.discretize.checked = p.get('discretize') === '1';
}

// ---- the user's own points: kept in localStorage, so a reload (or a saved link) of `dataset=custom` finds them ----
export function savePoints(points) {
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

/** Select the data set option for the user's own points, named `text` (made when missing). */
export function useCustomOption(text) {
  let opt = ui.dataset.querySelector('option[value="custom"]');
  if (!opt) {
    opt = document.createElement('option');
    opt.value = 'custom';
    ui.dataset.prepend(opt);
  }
  opt.text = text;
  ui.dataset.value = 'custom';
}

// ---- what kind of problem a data set is: the core's dataset table, or the user's points ----
const kindOf = (dataset) => (dataset === 'custom' && state.customInfo ? state.customInfo
  : DATASETS.get(dataset) ?? { regression: false, numClasses: 2 });
export const isRegression = (dataset) => kindOf(dataset).regression;
export const classCount = (dataset) => (isRegression(dataset) ? 0 : kindOf(dataset).numClasses);

export function problemText(dataset) {
  const k = classCount(dataset);
  return isRegression(dataset) ? 'Regression' : k > 2 ? `Classification (${k} classes)` : 'Classification';
}
