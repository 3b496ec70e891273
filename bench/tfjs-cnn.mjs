// tfjs-cnn.mjs - the Fashion-MNIST CNN of issue 5 in TensorFlow.js 4.22 (Layers API), one thread:
// Conv2D(32, 3x3, relu) -> MaxPool(2) -> Conv2D(64, 3x3, relu) -> MaxPool(2) -> Flatten
// -> Dense(128, relu) -> Dense(10, softmax); Adam 1e-3, batch 32, TF.js's default Glorot uniform
// kernels and zero biases, one-hot labels with categorical cross-entropy. Speed only, as
// bench/cnn.c measures it: after --warmup batches, --runs fit() calls each train one epoch over the
// first --batches batches (the plain-JS cpu backend takes seconds per batch: keep them few).
// The wasm backend has no conv backward kernels: its row is the error TF.js itself raises, printed
// as {"error": ...} so the bench shows the reason.
// Run: node bench/tfjs-cnn.mjs --backend cpu|wasm [--batches N] [--warmup N] [--runs N]
// Prints one JSON line.
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { options, fail, loadFashionMnist, emit, timedRuns } from './lib.mjs';

const opt = options('tfjs-cnn', { backend: 'cpu', batches: 5, warmup: 1, runs: 3 });
if (!['wasm', 'cpu'].includes(opt.backend)) fail('tfjs-cnn', `--backend must be wasm or cpu, got '${opt.backend}'`);
if (opt.batches < 1 || opt.runs < 1) fail('tfjs-cnn', '--batches and --runs must be at least 1');
const system = `tfjs-${opt.backend}`;

if (opt.backend === 'wasm') {
  const require = createRequire(import.meta.url);
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // one thread, as a page without isolation gets
  setThreadsCount(1);
}
if (!(await tf.setBackend(opt.backend))) fail('tfjs-cnn', `TF.js could not start its ${opt.backend} backend`);
await tf.ready();
const simd = opt.backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : false;
const extra = { backend: opt.backend, simd, threads: 1, tfjs: tf.version.tfjs };

const d = loadFashionMnist({ limit: 32 * Math.max(opt.batches, opt.warmup) });
const model = tf.sequential({ layers: [
  tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
  tf.layers.maxPooling2d({ poolSize: 2 }),
  tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
  tf.layers.maxPooling2d({ poolSize: 2 }),
  tf.layers.flatten(),
  tf.layers.dense({ units: 128, activation: 'relu' }),
  tf.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
const fitArgs = { batchSize: 32, epochs: 1, verbose: 0, yieldEvery: 'never' };
const x = tf.tensor4d(d.xTrain, [d.nTrain, 28, 28, 1]);
const y = tf.tidy(() => tf.oneHot(tf.tensor1d(d.yTrain, 'int32'), 10).toFloat());
const first = (k) => [x.slice([0, 0, 0, 0], [k, 28, 28, 1]), y.slice([0, 0], [k, 10])];

try {
  // Warm-up (kernels are set up on first use); it also shows whether the backend can train at all.
  const [wx, wy] = first(Math.max(1, Math.min(d.nTrain, 32 * opt.warmup)));
  await model.fit(wx, wy, fitArgs);
} catch (err) {
  emit({ system, error: `cannot train: ${err.message.split('\n')[0]}`, ...extra });
  process.exit(0);
}
const n = Math.min(d.nTrain, 32 * opt.batches);
const [rx, ry] = first(n);
const speed = await timedRuns(system, n, opt.runs, () => model.fit(rx, ry, fitArgs));
emit({ system, batch: 32, batches: n / 32, runs: opt.runs, ...speed, epochs: 0, test_accuracy: [], ...extra });
