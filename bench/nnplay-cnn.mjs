// nnplay-cnn.mjs - the Fashion-MNIST CNN of issue 5 through nnplay's JS API (wasm) under Node:
// Conv2D(32, 3x3, relu) -> MaxPool(2) -> Conv2D(64, 3x3, relu) -> MaxPool(2) -> Flatten
// -> Dense(128, relu) -> Dense(10, softmax); Adam 1e-3, batch 32, Glorot uniform kernels and zero
// biases (nnplay's defaults, as TF.js's). Measured as bench/cnn.c measures the native build: after
// --warmup batches, --runs fit() calls each train one epoch over the first --batches batches;
// with --epochs N > 0 a fresh model trains N epochs over all 60,000 images, scored after each.
// Run: node bench/nnplay-cnn.mjs [--batches N] [--warmup N] [--runs N] [--epochs N] [--seed N]
// Prints one JSON line.
import * as nn from '../wasm/nnplay.js';
import { options, fail, loadFashionMnist, log, emit, rates, stopwatch, timedRuns } from './lib.mjs';

const opt = options('nnplay-cnn', { batches: 100, warmup: 20, runs: 3, epochs: 0, seed: 1 });
if (opt.batches < 1 || opt.runs < 1) fail('nnplay-cnn', '--batches and --runs must be at least 1');
await nn.ready();
const d = loadFashionMnist({ limit: opt.epochs ? 0 : 32 * Math.max(opt.batches, opt.warmup) });

const cnn = () => {
  const m = nn.sequential({ seed: opt.seed, layers: [
    nn.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
    nn.layers.maxPooling2d({ poolSize: 2 }),
    nn.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
    nn.layers.maxPooling2d({ poolSize: 2 }),
    nn.layers.flatten(),
    nn.layers.dense({ units: 128, activation: 'relu' }),
    nn.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: nn.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  return m;
};
const first = (k) => [d.xTrain.subarray(0, k * 784), d.yTrain.subarray(0, k)];

// Warm-up: V8 runs wasm from its baseline compiler first and swaps in optimized code later.
const model = cnn();
const nWarm = Math.min(d.nTrain, 32 * opt.warmup);
if (nWarm > 0) await model.fit(...first(nWarm), { epochs: 1, batchSize: 32 });
const nRun = Math.min(d.nTrain, 32 * opt.batches);
const speed = await timedRuns('nnplay-cnn', nRun, opt.runs, () => model.fit(...first(nRun), { epochs: 1, batchSize: 32 }));
model.dispose();

const epochs = [];
if (opt.epochs > 0) {
  const fresh = cnn();
  let lap = null;
  await fresh.fit(d.xTrain, d.yTrain, { epochs: opt.epochs, batchSize: 32, callbacks: {
    onEpochBegin: () => { lap = stopwatch(); },
    onEpochEnd: (epoch) => {
      const t = lap();
      const { accuracy } = fresh.evaluate(d.xTest, d.yTest);
      epochs.push({ ...t, accuracy });
      log(`nnplay-cnn: epoch ${epoch + 1}: ${Math.round(d.nTrain / t.cpu)} samples/s, test accuracy ${accuracy.toFixed(4)}`);
    },
  } });
  fresh.dispose();
}
const perEpoch = epochs.length ? rates(d.nTrain, epochs) : null;
emit({ system: 'nnplay-wasm', batch: 32, batches: nRun / 32, runs: opt.runs, ...speed,
  epochs: epochs.length, train_samples: epochs.length ? d.nTrain : 0,
  test_accuracy: epochs.map((e) => Number(e.accuracy.toFixed(4))),
  ...(perEpoch ? { epoch_samples_per_s: perEpoch.run_samples_per_s, epoch_median_samples_per_s: perEpoch.samples_per_s } : {}),
  simd: nn.info().simd });
