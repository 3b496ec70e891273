// heatmap.js - the big output heatmap with the data points, and adding or removing points on it.
import { ui, clearError } from './dom.js';
import { state, sameFocus } from './state.js';
import { colorAt, pointColor, nodeColor, paintMap, outputCanvas } from './paint.js';
import { send, workerReady } from './worker-link.js';

/** The output (or the focused neuron, when the worker has its values) over the plane, and the points. */
export function drawHeatmap(s) {
  const c = ui.heatmap;
  const ctx = c.getContext('2d');
  const discretize = ui.discretize.checked;
  outputCanvas.width = s.grid;
  outputCanvas.height = s.grid;
  paintMap(outputCanvas.getContext('2d'), s.grid, s.heat, 1, 0, (_, __, i) => colorAt(s, s.heat, i, discretize), 0, 0, s.grid, s.grid, false);
  if (state.focus && s.focused && sameFocus(state.focus, s.focus)) {
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

// ---- editing points: click adds the picked class (shift: the next one), right- or alt-click removes ----
function editAt(e, op) {
  const s = state.latest;
  if (!s || !workerReady()) return;
  const r = ui.heatmap.getBoundingClientRect();
  const u = ((e.clientX - r.left) / r.width) * 2 * s.view - s.view;
  const v = s.view - ((e.clientY - r.top) / r.height) * 2 * s.view;
  const k = Math.max(2, s.numClasses);
  const picked = Number(ui.pointClass.value) || 0;
  const label = s.regression ? (e.shiftKey ? -1 : 1) : e.shiftKey ? (picked + 1) % k : picked;
  clearError();
  send({ type: 'edit', op, u, v, label });
}
ui.heatmap.addEventListener('pointerdown', (e) => {
  if (e.pointerType === 'touch') { e.preventDefault(); editAt(e, 'add'); return; }
  if (e.button === 2 || (e.button === 0 && e.altKey)) editAt(e, 'remove');
  else if (e.button === 0) editAt(e, 'add');
});
ui.heatmap.addEventListener('contextmenu', (e) => e.preventDefault());
