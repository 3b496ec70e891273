// teach-worker.js - the Teach panel's model work, off the main thread (teach-model.js does the
// training). A train message replaces any training still running (it stops at its next epoch);
// the model trained last keeps answering classify messages meanwhile, so the bars never wait.
// In:  init | train {id, names, x, y, fineTune, compare, seed} | compare {id} | classify {x, id} |
//      export {format: 'nnplay'|'tfjs'|'onnx', name} | reset
// Out: ready | progress {id, phase, fraction} | trained {id, ...} | evaluated {id, kind, ...} |
//      probs {id, probs, names, scratch} | exported {format, files, note} | error {message, id}
import * as nn from '../../wasm/lean.js';
import { post, postReady, errorText, serialQueue, exportFiles, loadConverter } from '../worker-shared.js';
import { trainTransfer, trainScratch, crossValidate, plainCopy, Cancelled } from './teach-model.js';
import { argmaxRows } from './teach-data.js';

const SHIPPED = new URL('../models/digits-cnn.nnplay', import.meta.url);

let shipped = null; // the digit CNN, as loaded
let current = null; // { id, names, transfer: {model, dispose}, scratch, data: {x, y} }: the last finished training
let latest = 0; // id of the newest train message: older jobs stop
const enqueue = serialQueue((err) => postError(err));

const message = (err) => errorText(err).replace(/^nnplay: /, '');
function postError(err, id) {
  if (err instanceof Cancelled) return;
  post({ type: 'error', id, message: message(err) });
}

function dropCurrent() {
  current?.transfer.dispose();
  current?.scratch?.dispose();
  current = null;
}

/** Train the model the bars use, then judge it by k-fold (and from scratch, if asked). */
async function train({ id, names, x, y, fineTune, compare, seed = 1 }) {
  if (id !== latest) return; // a newer message is queued
  const cancelled = () => id !== latest;
  const k = names.length;
  const progress = (phase) => (fraction) => post({ type: 'progress', id, phase, fraction });
  const t0 = performance.now();
  const t = await trainTransfer(nn, shipped, x, y, k, { fineTune, seed, cancelled, onProgress: progress('train') });
  const ms = performance.now() - t0;
  const prior = current;
  current = { id, names, transfer: t, scratch: null, data: { x, y, fineTune, seed } };
  if (prior) { prior.transfer.dispose(); prior.scratch?.dispose(); }
  const fit = argmaxRows(t.model.predict(x), k).filter((p, i) => p === y[i]).length / y.length;
  post({ type: 'trained', id, ms, trainAccuracy: fit, n: y.length, fineTune, params: t.head.countParams() });
  const cv = await crossValidate(nn, shipped, 'transfer', x, y, k, { fineTune, seed, cancelled, onProgress: progress('evaluate') });
  post({ type: 'evaluated', id, kind: 'transfer', ...cv, pred: Array.from(cv.pred) });
  if (compare) await scratch(id);
}

/** The same network from scratch on the same drawings: a model for the bars and its k-fold figures. */
async function scratch(id) {
  if (!current || current.id !== id || id !== latest) return;
  const cancelled = () => id !== latest;
  const { x, y, seed } = current.data;
  const k = current.names.length;
  const progress = (phase) => (fraction) => post({ type: 'progress', id, phase, fraction });
  const t0 = performance.now();
  const s = await trainScratch(nn, shipped, x, y, k, { seed, cancelled, onProgress: progress('scratch') });
  if (!current || current.id !== id) { s.dispose(); return; }
  current.scratch?.dispose();
  current.scratch = s;
  post({ type: 'scratchTrained', id, ms: performance.now() - t0 });
  const cv = await crossValidate(nn, shipped, 'scratch', x, y, k, { seed, cancelled, onProgress: progress('scratch-evaluate') });
  post({ type: 'evaluated', id, kind: 'scratch', ...cv, pred: Array.from(cv.pred) });
}

const handlers = {
  async init() {
    await nn.ready();
    const res = await fetch(SHIPPED);
    if (!res.ok) throw new Error(`the digit CNN (${SHIPPED.pathname}) could not be fetched: HTTP ${res.status}`);
    shipped = nn.loadModel(new Uint8Array(await res.arrayBuffer()));
    postReady({ features: shipped.layers.at(-2).outputShape.reduce((a, b) => a * b, 1) }); // the base's output
  },
  train(msg) {
    if (!shipped) throw new Error('the digit CNN is not loaded yet');
    return train({ ...msg, x: new Float32Array(msg.x), y: new Float32Array(msg.y) });
  },
  compare({ id }) { return scratch(id); }, // id: the training whose drawings to compare on
  async export({ format, name }) {
    await loadConverter(format); // 'nnplay': nothing to load
    if (!current) throw new Error('train a model first');
    const m = plainCopy(nn, current.transfer.model);
    try {
      const { files, note } = format === 'nnplay' ? { files: [{ name: `${name}.nnplay`, bytes: m.save() }], note: '' } : exportFiles(m, format, name);
      // the class names, in the order of the model's outputs (Teachable Machine's metadata.json)
      const meta = { labels: current.names, inputShape: [28, 28, 1], preprocessing: 'MNIST-style: bounding box scaled to 20x20, centred by centre of mass in 28x28, ink = 1' };
      files.push({ name: `${name}.labels.json`, bytes: new TextEncoder().encode(JSON.stringify(meta, null, 1)) });
      post({ type: 'exported', format, files, note }, files.map((f) => f.bytes.buffer));
    } finally { m.dispose(); }
  },
  reset() { dropCurrent(); },
};

self.onmessage = ({ data: msg }) => {
  if (msg?.type === 'classify') { // at once, between epochs of any training: `current` is never the model being fit
    if (!current) return;
    const probs = current.transfer.model.predict(new Float32Array(msg.x));
    // with the names of the model that read it: a newer training may have finished since the page asked
    post({ type: 'probs', id: msg.id, probs, names: current.names, scratch: current.scratch ? current.scratch.model.predict(new Float32Array(msg.x)) : null });
    return;
  }
  const fn = Object.hasOwn(handlers, msg?.type) ? handlers[msg.type] : null;
  if (!fn) return postError(new Error(`unknown message '${msg?.type}'`));
  if (msg.type === 'train' || msg.type === 'reset') latest = msg.id; // stops the running one
  enqueue(async () => {
    try {
      await fn(msg);
    } catch (err) {
      postError(err, msg.id);
    }
  });
};
