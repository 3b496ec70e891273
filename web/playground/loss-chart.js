// loss-chart.js - training (grey) and test (orange) loss over time, with a read-out of the values
// under the pointer or the keyboard cursor.
import { ui } from './dom.js';
import { state } from './state.js';
import { fmtLoss } from './paint.js';

let chartAt = -1; // index into state.lossHistory under the pointer (or keyboard cursor), -1: none

export function drawLossChart() {
  const history = state.lossHistory;
  const c = ui.lossChart;
  const ctx = c.getContext('2d');
  ctx.clearRect(0, 0, c.width, c.height);
  const vals = history.flatMap((p) => [p[1], p[2]]).filter(Number.isFinite);
  if (history.length < 2 || !vals.length) { ui.lossReadout.textContent = ''; return; }
  const max = Math.max(...vals) || 1;
  const xAt = (i) => (i / (history.length - 1)) * (c.width - 2) + 1;
  const line = (k, color) => {
    ctx.beginPath();
    history.forEach((p, i) => {
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
  chartAt = Math.min(chartAt, history.length - 1);
  const [epoch, train, test] = history[chartAt];
  ctx.beginPath();
  ctx.moveTo(xAt(chartAt), 0);
  ctx.lineTo(xAt(chartAt), c.height);
  ctx.strokeStyle = 'rgba(0,0,0,0.5)';
  ctx.lineWidth = 1;
  ctx.stroke();
  ui.lossReadout.textContent = `Epoch ${epoch.toLocaleString('en-US')}: training loss ${fmtLoss(train)}, test loss ${fmtLoss(test)}`;
}

function setChartAt(i) {
  const n = state.lossHistory.length;
  chartAt = i < 0 || !n ? -1 : Math.min(n - 1, i);
  drawLossChart();
}
ui.lossChart.addEventListener('pointermove', (e) => {
  const r = ui.lossChart.getBoundingClientRect();
  setChartAt(Math.round(((e.clientX - r.left) / r.width) * (state.lossHistory.length - 1)));
});
ui.lossChart.addEventListener('pointerleave', () => { if (document.activeElement !== ui.lossChart) setChartAt(-1); });
ui.lossChart.addEventListener('focus', () => setChartAt(state.lossHistory.length - 1));
ui.lossChart.addEventListener('blur', () => setChartAt(-1));
ui.lossChart.addEventListener('keydown', (e) => {
  const step = { ArrowLeft: -1, ArrowRight: 1, PageDown: -10, PageUp: 10 }[e.key];
  if (step) setChartAt(Math.max(0, chartAt + step));
  else if (e.key === 'Home') setChartAt(0);
  else if (e.key === 'End') setChartAt(state.lossHistory.length - 1);
  else return;
  e.preventDefault();
});
