// tfjs-mlp.mjs - the same Fashion-MNIST MLP in TensorFlow.js 4.22 (Layers API), one thread.
// 784-128-10 (relu, softmax), Adam 1e-3 (TF.js's epsilon 1e-7, as nnplay's), batch 32, starting
// from the same Glorot uniform weights as nnplay-mlp.mjs (same seed, moved with getWeights and
// setWeights), so only the implementation and the shuffle order differ. Labels are one-hot with
// categorical cross-entropy, TF.js's usual path (its sparse loss one-hot encodes internally).
// Run: node bench/tfjs-mlp.mjs --backend wasm|cpu [--epochs N] [--limit N]
//      node bench/tfjs-mlp.mjs --backend cpu --batches N [--runs N]   (speed only: the cpu backend
//      is too slow for whole epochs; each run times fit() over the first N batches)
// Prints one JSON line.
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as nn from '../wasm/nnplay.js';
import { options, fail, loadFashionMnist, accuracy, log, emit, mlpResult, rates, stopwatch, nnplayMlp } from './lib.mjs';

const opt = options('tfjs-mlp', { backend: 'wasm', epochs: 5, limit: 0, seed: 1, batches: 0, runs: 3 });
if (!['wasm', 'cpu'].includes(opt.backend)) fail('tfjs-mlp', `--backend must be wasm or cpu, got '${opt.backend}'`);
const system = `tfjs-${opt.backend}`;

if (opt.backend === 'wasm') {
  const require = createRequire(import.meta.url);
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  // One thread: the single-threaded SIMD binary, as a page without cross-origin isolation gets.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
}
if (!(await tf.setBackend(opt.backend))) fail('tfjs-mlp', `TF.js could not start its ${opt.backend} backend`);
await tf.ready();
const simd = opt.backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : false;
if (opt.backend === 'wasm' && !simd) fail('tfjs-mlp', 'the TF.js wasm backend did not load its SIMD binary');

const d = loadFashionMnist({ limit: opt.limit });
const oneHot = (labels) => tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat());
const xTrain = tf.tensor2d(d.xTrain, [d.nTrain, 784]);
const yTrain = oneHot(d.yTrain);
const xTest = tf.tensor2d(d.xTest, [d.nTest, 784]);

await nn.ready();
const twin = nnplayMlp(nn, opt.seed);
const initial = twin.getWeights();
twin.dispose();

const mlp = () => {
  const m = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  const start = initial.map((w) => tf.tensor(w, w.shape));
  m.setWeights(start); // copies into the layers' variables
  tf.dispose(start);
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return m;
};
const fitArgs = { batchSize: 32, verbose: 0, yieldEvery: 'never' };
const slice = (n) => [xTrain.slice([0, 0], [n, 784]), yTrain.slice([0, 0], [n, 10])];

const testAccuracy = async (m) => {
  const p = tf.tidy(() => m.predict(xTest, { batchSize: 1000 }));
  const acc = accuracy(await p.data(), d.yTest, 10);
  p.dispose();
  return acc;
};

// Warm-up: kernels are set up on first use, and V8 optimizes the JS (and wasm) it runs often.
const warm = mlp();
const [wx, wy] = slice(Math.min(d.nTrain, opt.backend === 'cpu' ? 320 : 4096));
await warm.fit(wx, wy, { ...fitArgs, epochs: 1 });
warm.dispose();
tf.dispose([wx, wy]);

const extra = { backend: opt.backend, simd, threads: 1, tfjs: tf.version.tfjs };
const model = mlp();
if (opt.batches > 0) {
  const n = Math.min(d.nTrain, opt.batches * 32);
  const [x, y] = slice(n);
  const runs = [];
  for (let r = 0; r < opt.runs; r++) {
    const lap = stopwatch();
    await model.fit(x, y, { ...fitArgs, epochs: 1 });
    runs.push(lap());
    log(`${system}: run ${r + 1}: ${Math.round(n / runs.at(-1).cpu)} samples/s over ${n} samples`);
  }
  emit({ system, train_samples: n, epochs: 0, ...rates(n, runs), test_accuracy: [], ...extra });
} else {
  const epochs = [];
  let lap = null;
  await model.fit(xTrain, yTrain, { ...fitArgs, epochs: opt.epochs, callbacks: {
    onEpochBegin: async () => { lap = stopwatch(); },
    onEpochEnd: async (epoch) => {
      const t = lap();
      const acc = await testAccuracy(model);
      epochs.push({ ...t, accuracy: acc });
      log(`${system}: epoch ${epoch + 1}: ${Math.round(d.nTrain / t.cpu)} samples/s, test accuracy ${acc.toFixed(4)}`);
    },
  } });
  emit(mlpResult(system, d.nTrain, epochs, extra));
}
