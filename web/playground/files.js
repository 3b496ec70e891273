// files.js - model export / import (nnplay's file, TF.js's Layers format, ONNX), CSV upload (with its column pickers) and download, heatmap PNG.
import { ui, showError, clearError, setStatus } from './dom.js';
import { state, savePoints, useCustomOption } from './state.js';
import { send, workerReady } from './worker-link.js';
import { configChanged } from './controls.js';
import { download } from '../download.js';

ui.exportModel.addEventListener('click', () => {
  if (!workerReady()) { showError('The training worker is not ready yet.'); return; }
  send({ type: 'export' });
});

for (const [button, format] of [[ui.exportTfjs, 'tfjs'], [ui.exportOnnx, 'onnx']]) {
  button.addEventListener('click', () => {
    if (!workerReady()) { showError('The training worker is not ready yet.'); return; }
    clearError();
    send({ type: 'exportAs', format, name: 'nnplay-model' });
  });
}

// The file picked in input (cleared, so picking it again fires), or null when there is none to use.
function takeFile(input) {
  const file = input.files[0];
  input.value = '';
  if (!file) return null;
  if (!workerReady()) { showError('The training worker is not ready yet.'); return null; }
  return file;
}

ui.modelFile.addEventListener('change', async () => {
  const file = takeFile(ui.modelFile);
  if (!file) return;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    clearError();
    setStatus('');
    send({ type: 'import', bytes }, [bytes.buffer]);
  } catch (err) {
    showError(`Could not read ${file.name}: ${err.message}`);
  }
});

// TF.js's model.json and its weights .bin, picked together; the worker checks the pair and the model.
ui.tfjsFiles.addEventListener('change', () => {
  const files = [...ui.tfjsFiles.files];
  ui.tfjsFiles.value = '';
  if (!files.length) return;
  if (!workerReady()) { showError('The training worker is not ready yet.'); return; }
  clearError();
  setStatus('');
  send({ type: 'importTfjs', files });
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

/** The worker read the uploaded CSV: info names its columns, the ones used, and the points. */
export function onCsvLoaded(info) {
  const { csv } = state;
  if (!csv) return;
  csv.info = info;
  fillSelect(ui.csvX1, info.columns, info.features[0]);
  fillSelect(ui.csvX2, info.columns, info.features[1]);
  fillSelect(ui.csvLabel, info.columns, info.label);
  state.customInfo = { regression: info.regression, numClasses: info.numClasses };
  useCustomOption(`Uploaded: ${csv.name}`);
  savePoints({ ...info.points, name: `Uploaded: ${csv.name}` });
  const kind = info.regression ? 'regression' : `${info.numClasses} classes`;
  setStatus(`Loaded ${info.n} rows from ${csv.name} (${kind}).`);
  configChanged();
}

function sendCsv(want) {
  if (!workerReady() || !state.csv) return;
  clearError();
  send({ type: 'csv', text: state.csv.text, name: state.csv.name, want });
}

ui.csvFile.addEventListener('change', async () => {
  const file = takeFile(ui.csvFile);
  if (!file) return;
  try {
    const text = await file.text();
    state.csv = { name: file.name, text, info: state.csv?.info ?? null };
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
  const s = state.latest;
  if (!s) return;
  const rows = ['x1,x2,label'];
  for (const part of [s.train, s.test]) {
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
