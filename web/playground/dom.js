// dom.js - the playground page's elements (web/index.html), and its two message lines.
const $ = (id) => document.getElementById(id);
export const ui = {
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
  exportCsv: $('export-csv'), exportModel: $('export-model'), modelFile: $('model-file'),
  exportTfjs: $('export-tfjs'), exportOnnx: $('export-onnx'), tfjsFiles: $('tfjs-files'), savePng: $('save-png'),
  ioStatus: $('io-status'), confusionBox: $('confusion-box'), confusion: $('confusion'), regMetrics: $('reg-metrics'),
  testR2: $('test-r2'), testMae: $('test-mae'), loss: $('loss'), speed: $('speed'),
  weightForm: $('weight-form'), wLayer: $('w-layer'), wFrom: $('w-from'), wTo: $('w-to'), wValue: $('w-value'),
  wCurrent: $('w-current'), lossReadout: $('loss-readout'), heatmapCaption: $('heatmap-caption'),
  pointClass: $('point-class'), pointClassField: $('point-class-field'), pointHint: $('point-hint'),
};
export const featureBoxes = [...document.querySelectorAll('input[name="feature"]')];

export function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}
export function clearError() {
  ui.error.hidden = true;
  ui.error.textContent = '';
}
/** The line under the file buttons: what an upload or export did. */
export function setStatus(text) { ui.ioStatus.textContent = text; }
