// nnplay-mlp.mjs - the Fashion-MNIST MLP through nnplay's JS API (wasm) under Node.
// 784-128-10 (relu, softmax), Adam 1e-3, batch 32, Glorot uniform kernels and zero biases
// (nnplay's defaults, as TF.js's). One fit() call over all epochs, as an application would train;
// each epoch is timed from onEpochBegin to onEpochEnd and the test set is evaluated after it.
// Run: node bench/nnplay-mlp.mjs [--epochs N] [--limit N] [--seed N]; prints one JSON line.
import * as nn from '../wasm/nnplay.js';
import { options, loadFashionMnist, log, emit, mlpResult, stopwatch, nnplayMlp } from './lib.mjs';

const opt = options('nnplay-mlp', { epochs: 5, limit: 0, seed: 1 });
await nn.ready();
const d = loadFashionMnist({ limit: opt.limit });

const mlp = () => nnplayMlp(nn, opt.seed);

// Warm-up: V8 runs wasm from its baseline compiler first and swaps in optimized code later.
const warm = mlp();
const nWarm = Math.min(d.nTrain, 4096);
await warm.fit(d.xTrain.subarray(0, nWarm * 784), d.yTrain.subarray(0, nWarm), { epochs: 1, batchSize: 32 });
warm.dispose();

const model = mlp();
const epochs = [];
let lap = null;
await model.fit(d.xTrain, d.yTrain, { epochs: opt.epochs, batchSize: 32, callbacks: {
  onEpochBegin: () => { lap = stopwatch(); },
  onEpochEnd: (epoch) => {
    const t = lap();
    const { accuracy } = model.evaluate(d.xTest, d.yTest);
    epochs.push({ ...t, accuracy });
    log(`nnplay-wasm: epoch ${epoch + 1}: ${Math.round(d.nTrain / t.cpu)} samples/s, test accuracy ${accuracy.toFixed(4)}`);
  },
} });
model.dispose();
emit(mlpResult('nnplay-wasm', d.nTrain, epochs, { simd: nn.info().simd }));
