// tiny.mjs - the TF Playground-sized benchmark: a 2-8-8-1 net (tanh hidden layers, sigmoid output,
// binary cross-entropy, Glorot uniform init), plain SGD with learning rate 0.03 (the Playground's
// default), batch 10, on 250 points of the JS API's 'circle' data set.
//   --impl nnplay: nnplay's JS API (fit), then the 100x100 decision-boundary evaluation (predict
//                  of 10,000 grid points over [-6, 6]^2, as the Playground's heatmap), median ms;
//   --impl js:     the per-sample Float64Array implementation in tiny-js.mjs.
// Each run trains --epochs epochs after a warm-up; samples/s is the median over --runs runs.
// Run: node bench/tiny.mjs --impl nnplay|js [--epochs N] [--runs N] [--seed N]; prints one JSON line.
import * as nn from '../wasm/nnplay.js';
import { TinyNet } from './tiny-js.mjs';
import { options, fail, log, emit, median, rates, stopwatch } from './lib.mjs';

const opt = options('tiny', { impl: 'nnplay', epochs: 2000, runs: 5, seed: 1 });
if (!['nnplay', 'js'].includes(opt.impl)) fail('tiny', `--impl must be nnplay or js, got '${opt.impl}'`);
const N = 250;
const BATCH = 10;
const LR = 0.03;
const WARMUP_EPOCHS = 200;

await nn.ready();
const { x, y } = nn.data.generate('circle', { n: N, noise: 0, seed: opt.seed });

/** xorshift32 in [0, 1): the JS net's weights and shuffles, seeded. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function trainer() {
  if (opt.impl === 'nnplay') {
    const model = nn.sequential({ seed: opt.seed, layers: [
      nn.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }),
      nn.layers.dense({ units: 8, activation: 'tanh' }),
      nn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    model.compile({ optimizer: nn.train.sgd(LR), loss: 'binaryCrossentropy' });
    return { model, train: (epochs) => model.fit(x, y, { epochs, batchSize: BATCH }), predict: (p) => model.predict(p) };
  }
  const random = rng(opt.seed);
  const net = new TinyNet([2, 8, 8, 1], random);
  const order = Int32Array.from({ length: N }, (_, i) => i);
  const train = (epochs) => {
    for (let e = 0; e < epochs; e++) {
      for (let i = N - 1; i > 0; i--) { // a fresh shuffle each epoch, as fit's shuffle: true
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      net.trainEpoch(x, y, N, order, BATCH, LR);
    }
  };
  const predict = (p) => Float32Array.from({ length: p.length / 2 }, (_, i) => net.forward(p, 2 * i));
  return { train, predict };
}

const t = trainer();
await t.train(WARMUP_EPOCHS);
const runs = [];
for (let r = 0; r < opt.runs; r++) {
  const lap = stopwatch();
  await t.train(opt.epochs);
  runs.push(lap());
  log(`tiny-${opt.impl}: run ${r + 1}: ${Math.round((N * opt.epochs) / runs.at(-1).cpu)} samples/s`);
}
const p = t.predict(x);
const trainAccuracy = p.reduce((hits, v, i) => hits + ((v >= 0.5) === (y[i] === 1) ? 1 : 0), 0) / N;

const result = { system: `tiny-${opt.impl}`, ...rates(N * opt.epochs, runs), epochs_per_run: opt.epochs,
  train_accuracy: trainAccuracy };
if (opt.impl === 'nnplay') {
  // The decision boundary: the output at the centre of each cell of a 100x100 grid over [-6, 6]^2.
  const grid = new Float32Array(100 * 100 * 2);
  for (let r = 0; r < 100; r++) {
    for (let c = 0; c < 100; c++) {
      grid[2 * (r * 100 + c)] = -6 + (c + 0.5) * 0.12;
      grid[2 * (r * 100 + c) + 1] = 6 - (r + 0.5) * 0.12;
    }
  }
  const times = [];
  for (let i = 0; i < 220; i++) {
    const lap = stopwatch();
    t.predict(grid);
    if (i >= 20) times.push(lap()); // the first 20 are the warm-up
  }
  result.boundary_ms = Number((median(times.map((x) => x.cpu)) * 1000).toFixed(3));
  result.boundary_wall_ms = Number((median(times.map((x) => x.wall)) * 1000).toFixed(3));
  result.simd = nn.info().simd;
  t.model.dispose();
}
log(`tiny-${opt.impl}: ${result.samples_per_s} samples/s, train accuracy ${trainAccuracy.toFixed(3)}` +
  (result.boundary_ms !== undefined ? `, 100x100 boundary ${result.boundary_ms} ms` : ''));
emit(result);
