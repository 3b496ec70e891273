// playground.js - the playground's UI (main thread), loaded by index.html. It only reads controls,
// sends the config to web/worker.js (which does all the training) and draws the worker's latest
// snapshot once per frame. The parts live in playground/: state.js (settings, URL hash), controls.js,
// network.js (diagram, weight editor), heatmap.js, loss-chart.js, files.js, worker-link.js.
import { ui, clearError, showError, setStatus } from './playground/dom.js';
import { state, readConfig, saveHash, loadHash, savePoints, useCustomOption, problemText } from './playground/state.js';
import { startWorker, send, setPlaying } from './playground/worker-link.js';
import { configChanged, renderLayerControls } from './playground/controls.js';
import { drawNetwork, updateWeightEditor, setFocus } from './playground/network.js';
import { drawHeatmap } from './playground/heatmap.js';
import { drawLossChart } from './playground/loss-chart.js';
import { onCsvLoaded } from './playground/files.js';
import { fmtLoss, fmtAcc, fmtRate } from './playground/paint.js';
import { download, downloadFiles } from './download.js';

function onWorkerMessage(msg) {
  switch (msg.type) {
    case 'ready':
      ui.simd.textContent = msg.simd;
      ui.version.textContent = `nnplay ${msg.version}`;
      for (const b of [ui.play, ui.step, ui.reset]) b.disabled = false;
      document.body.dataset.state = 'ready';
      send({ type: 'speed', value: Number(ui.speed.value) });
      if (state.savedPoints && ui.dataset.value === 'custom') {
        const { x, y, numClasses, regression } = state.savedPoints;
        state.customInfo = { regression, numClasses };
        send({ type: 'custom', x, y, numClasses, regression });
      }
      configChanged();
      break;
    case 'snapshot':
      if (msg.reset) state.lossHistory = [];
      state.lossHistory.push([msg.epoch, msg.trainLoss, msg.testLoss]);
      if (state.lossHistory.length > 600) state.lossHistory = state.lossHistory.filter((_, i) => i % 2 === 0);
      state.latest = msg;
      state.dirty = true;
      break;
    case 'state':
      setPlaying(msg.playing);
      break;
    case 'error':
      showError(msg.message);
      break;
    case 'model':
      download(new Blob([msg.bytes], { type: 'application/octet-stream' }), 'nnplay-model.nnplay');
      setStatus(`Exported the model (${msg.bytes.length} bytes).`);
      break;
    case 'exported':
      setStatus(downloadFiles(msg.files, msg.note));
      break;
    case 'imported':
      clearError();
      setFocus(null);
      setStatus(`Imported a ${msg.from ? `${msg.from} ` : ''}model with ${msg.inputs} inputs and ${msg.layers} layers; press play to train it further.`);
      break;
    case 'csv':
      onCsvLoaded(msg);
      break;
    case 'edited':
      state.customInfo = { regression: msg.regression, numClasses: msg.numClasses };
      savePoints({ ...msg.points, name: ui.dataset.value === 'custom' ? ui.dataset.selectedOptions[0].text : 'Your points' });
      if (ui.dataset.value !== 'custom') {
        state.csv = null;
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

// Regression metrics, or the confusion matrix (rebuilt only when it changes).
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
  if (!state.dirty || !state.latest) return;
  state.dirty = false;
  const s = state.latest;
  ui.epoch.textContent = String(s.epoch);
  ui.testLoss.textContent = fmtLoss(s.testLoss);
  ui.trainLoss.textContent = fmtLoss(s.trainLoss);
  ui.testAcc.textContent = fmtAcc(s.testAccuracy);
  ui.trainAcc.textContent = fmtAcc(s.trainAccuracy);
  ui.eps.textContent = fmtRate(s.epochsPerSec);
  ui.sps.textContent = fmtRate(s.samplesPerSec);
  drawHeatmap(s); // before the diagram: it paints the output canvas the diagram's output node shows
  drawExtraMetrics(s);
  drawLossChart();
  updateWeightEditor(s);
  drawNetwork(s);
}

loadHash();
renderLayerControls();
requestAnimationFrame(frame);
startWorker(onWorkerMessage);
