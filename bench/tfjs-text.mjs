// tfjs-text.mjs - bench/text.c's text model in TensorFlow.js 4.22 (Layers API), one thread, on the
// same mail token file: Embedding(10000, 64, inputLength 100) -> LSTM(128) | GRU(128) |
// SimpleRNN(128) (--cell) -> Dense(1, sigmoid); binary cross-entropy, Adam 1e-3, batch 32, no
// dropout (as the other speed rows), recurrentActivation sigmoid (Keras 2; TF.js defaults to
// hardSigmoid); TF.js's GRU has only resetAfter false. One forward pass of a batch (predict) is
// timed first; then each batch is one trainOnBatch call, timed on its own: --warmup batches, then
// up to --batches batches, no new one started once --cap seconds (wall) have gone by -- the
// plain-JS cpu backend takes minutes per batch. A backend that cannot train the model gives
// {"error": ...}: the message TF.js itself raises.
// Run: node bench/tfjs-text.mjs --data FILE --backend cpu|wasm [--cell lstm|gru|rnn] [--batches N]
//      [--warmup N] [--cap SECONDS]
// Prints one JSON line.
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { options, fail, readMail, log, emit, median, rates, stopwatch } from './lib.mjs';

const opt = options('tfjs-text', { data: '', backend: 'cpu', cell: 'lstm', batches: 2, warmup: 0, cap: 300 });
if (!opt.data) fail('tfjs-text', '--data FILE is required (the mail token file tools/bench.mjs writes)');
if (!['wasm', 'cpu'].includes(opt.backend)) fail('tfjs-text', `--backend must be wasm or cpu, got '${opt.backend}'`);
if (!['lstm', 'gru', 'rnn'].includes(opt.cell)) fail('tfjs-text', `--cell must be lstm, gru or rnn, got '${opt.cell}'`);
if (opt.batches < 1) fail('tfjs-text', '--batches must be at least 1');
const system = `tfjs-${opt.backend}`;

if (opt.backend === 'wasm') {
  const require = createRequire(import.meta.url);
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // one thread, as a page without isolation gets
  setThreadsCount(1);
}
if (!(await tf.setBackend(opt.backend))) fail('tfjs-text', `TF.js could not start its ${opt.backend} backend`);
await tf.ready();
const simd = opt.backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : false;
const extra = { backend: opt.backend, cell: opt.cell, dropout: false, simd, threads: 1, tfjs: tf.version.tfjs };

const d = readMail(opt.data);
const rnn = { lstm: 'lstm', gru: 'gru', rnn: 'simpleRNN' }[opt.cell];
const model = tf.sequential({ layers: [
  tf.layers.embedding({ inputDim: d.vocab, outputDim: 64, inputLength: d.steps }),
  tf.layers[rnn]({ units: 128, ...(opt.cell === 'rnn' ? {} : { recurrentActivation: 'sigmoid' }) }),
  tf.layers.dense({ units: 1, activation: 'sigmoid' }),
] });
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
const batch = (b) => {
  const at = (b * 32) % (d.nTrain - 31);
  return [tf.tensor2d(d.xTrain.subarray(at * d.steps, (at + 32) * d.steps), [32, d.steps]), tf.tensor1d(d.yTrain.subarray(at, at + 32))];
};
const train = async (b) => {
  const [x, y] = batch(b);
  const lap = stopwatch();
  try {
    await model.trainOnBatch(x, y);
  } finally {
    tf.dispose([x, y]);
  }
  const t = lap();
  log(`tfjs-text: ${opt.backend} ${opt.cell} batch ${b + 1}: ${t.wall.toFixed(1)} s wall, ${t.cpu.toFixed(1)} s CPU`);
  return t;
};

const total = stopwatch();
let forward = null;
const times = [];
try {
  // one forward pass of a batch first: how much of a training step's time inference takes
  const [x] = batch(0);
  const lap = stopwatch();
  tf.dispose(model.predict(x));
  forward = lap();
  x.dispose();
  log(`tfjs-text: ${opt.backend} ${opt.cell} forward pass of one batch: ${forward.wall.toFixed(1)} s wall, ${forward.cpu.toFixed(1)} s CPU; training batch 1 now`);
  for (let b = 0; b < opt.warmup; b++) await train(b);
  for (let b = 0; b < opt.batches && (times.length === 0 || total().wall < opt.cap); b++) times.push(await train(opt.warmup + b));
} catch (err) { // the first training step shows whether the backend can train at all
  emit({ system, error: `cannot train: ${err.message.split('\n')[0]}`, ...extra });
  process.exit(0);
}
const precise = (k) => Number((32 / median(times.map((t) => t[k]))).toPrecision(3)); // rates() rounds 0.08 to 0.1
emit({ system, batch: 32, batches: times.length, warmup: opt.warmup, runs: times.length, ...rates(32, times),
  samples_per_s: precise('cpu'), wall_samples_per_s: precise('wall'),
  batch_cpu_seconds: times.map((t) => Number(t.cpu.toFixed(2))), forward_cpu_seconds: Number(forward.cpu.toFixed(2)),
  cap_s: opt.cap, ...extra });
