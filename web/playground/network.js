// network.js - the network diagram (links by weight, each neuron's small heatmap), its hit tests
// (hover or click a neuron to show it large, click a link to edit it) and the weight editor.
import { ui, showError, clearError } from './dom.js';
import { state, sameFocus, FEATURE_NAMES } from './state.js';
import { COLORS, mix, nodeColor, paintMap, outputCanvas } from './paint.js';
import { send } from './worker-link.js';

let netGeom = null; // the diagram's layout from the last drawing, for hit tests
let weightKey = ''; // the network's shape the weight editor's lists were made for

function columnName(j, cols) {
  return j === 0 ? 'inputs' : j === cols - 1 ? 'output' : `layer ${j}`;
}
const featureName = (f) => FEATURE_NAMES.get(f) || f;
function unitName(s, j, k, cols) {
  if (j === 0) return featureName(s.features[k]);
  return j === cols - 1 ? (s.outputs > 1 ? `output ${k}` : 'output') : `L${j} neuron ${k + 1}`;
}

export function drawNetwork(s) {
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
  const focus = state.focus;
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
        ctx.fillText(featureName(s.features[k]), x0 - 5, y);
      }
    });
  });
}

// ---- hit tests ----
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

/** Show neuron f ({ layer, unit }, layer -1: an input feature) large on the heatmap, or the output (null). */
export function setFocus(f) {
  if (sameFocus(f, state.focus) || (!f && !state.focus)) return;
  state.focus = f;
  send({ type: 'focus', focus: f });
  const s = state.latest;
  ui.heatmapCaption.textContent = !f || !s ? 'Output'
    : f.layer < 0 ? `Input feature ${unitName(s, 0, f.unit, netGeom?.cols ?? 2)}`
      : `Neuron ${f.unit + 1} of hidden layer ${f.layer + 1}: its output over the input plane`;
  state.dirty = true;
}

ui.network.addEventListener('pointermove', (e) => {
  if (state.pinned) return;
  const n = neuronAt(canvasPoint(ui.network, e));
  setFocus(n && n.j < netGeom.cols - 1 ? { layer: n.j - 1, unit: n.k } : null);
});
ui.network.addEventListener('pointerleave', () => { if (!state.pinned) setFocus(null); });
ui.network.addEventListener('click', (e) => {
  // a click (or a tap, where there is no hover) on a neuron pins it large; anywhere else lets go
  const n = neuronAt(canvasPoint(ui.network, e));
  state.pinned = !!n && n.j < netGeom.cols - 1;
  setFocus(state.pinned ? { layer: n.j - 1, unit: n.k } : null);
  const link = linkAt(canvasPoint(ui.network, e));
  if (!link || !state.latest || ui.weightForm.offsetParent === null) return; // an embed may hide the editor
  selectWeight(link);
  ui.wValue.focus();
  ui.wValue.select();
});
// Keyboard: the arrow keys walk the neurons (each shown large), Escape lets go.
ui.network.addEventListener('keydown', (e) => {
  if (!netGeom) return;
  const focus = state.focus;
  const last = netGeom.cols - 2; // the output column has no small heatmap of its own
  let j = focus ? focus.layer + 1 : 0;
  let k = focus ? focus.unit : 0;
  if (e.key === 'Escape') { state.pinned = false; setFocus(null); return; }
  const moves = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
  if (!Object.hasOwn(moves, e.key) || last < 0) return;
  e.preventDefault();
  if (focus) {
    j = Math.max(0, Math.min(last, j + moves[e.key][0]));
    k = Math.max(0, Math.min(netGeom.sizes[j] - 1, k + moves[e.key][1]));
  }
  state.pinned = true;
  setFocus({ layer: j - 1, unit: Math.min(k, netGeom.sizes[j] - 1) });
});
ui.network.addEventListener('blur', () => { if (state.pinned) { state.pinned = false; setFocus(null); } });

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
export function updateWeightEditor(s) {
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
  fillWeightEnds(state.latest, sel.a, sel.b);
  const v = weightValue(sel, state.latest);
  ui.wValue.value = v == null ? '' : String(+v.toFixed(4));
  state.dirty = true;
}

for (const el of [ui.wLayer, ui.wFrom, ui.wTo]) {
  el.addEventListener('change', () => { if (state.latest) selectWeight(selectedWeight()); });
}
ui.weightForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const value = Number(ui.wValue.value);
  if (ui.wValue.value.trim() === '' || !Number.isFinite(value)) {
    showError('Type a number for the weight.');
    return;
  }
  const sel = selectedWeight();
  if (!sel || !state.latest) return;
  clearError();
  send({ type: 'setWeight', ...weightSlot(sel, state.latest), value });
});
