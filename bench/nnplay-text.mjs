// nnplay-text.mjs - bench/text.c's text model through nnplay's JS API (wasm, dist/) under Node:
// Embedding(10000, 64, inputLength 100) -> LSTM(128, dropout 0.2, recurrentDropout 0.2) |
// GRU(128) | SimpleRNN(128) (--cell) -> Dense(1, sigmoid); binary cross-entropy, Adam 1e-3, batch
// 32, on the SpamAssassin mail data (a token file tools/bench.mjs writes). --no-dropout 1 drops both
// dropouts. Speed as bench/text.c measures it: after --warmup batches, --runs fit() calls each
// train one epoch over the first --batches batches of the training messages; with --epochs N > 0
// a fresh model trains N epochs over all of them and scores the test messages after each.
// Run: node bench/nnplay-text.mjs --data FILE [--cell lstm|gru|rnn] [--no-dropout 1] [--batches N]
//      [--warmup N] [--runs N] [--epochs N] [--seed N]
// Prints one JSON line.
import * as nn from '../wasm/nnplay.js';
import { options, fail, readMail, log, emit, rates, stopwatch, timedRuns } from './lib.mjs';

const opt = options('nnplay-text', { data: '', cell: 'lstm', 'no-dropout': 0, batches: 30, warmup: 3, runs: 3, epochs: 0, seed: 1 });
if (!opt.data) fail('nnplay-text', '--data FILE is required (the mail token file tools/bench.mjs writes)');
if (!['lstm', 'gru', 'rnn'].includes(opt.cell)) fail('nnplay-text', `--cell must be lstm, gru or rnn, got '${opt.cell}'`);
if (opt.batches < 1) fail('nnplay-text', '--batches must be at least 1');
await nn.ready();
const d = readMail(opt.data);
const dropout = !opt['no-dropout'];

const textModel = () => {
  const rnn = { lstm: 'lstm', gru: 'gru', rnn: 'simpleRNN' }[opt.cell];
  const m = nn.sequential({ seed: opt.seed, layers: [
    nn.layers.embedding({ inputDim: d.vocab, outputDim: 64, inputLength: d.steps }),
    // GRU: Keras 2's resetAfter, as bench/text.c (nn_gru's default) and PyTorch's GRU
    nn.layers[rnn]({ units: 128, ...(opt.cell === 'rnn' ? {} : { recurrentActivation: 'sigmoid' }),
      ...(opt.cell === 'gru' ? { resetAfter: true } : {}), ...(dropout ? { dropout: 0.2, recurrentDropout: 0.2 } : {}) }),
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: nn.train.adam(1e-3), loss: 'binaryCrossentropy' });
  return m;
};
const first = (k) => [d.xTrain.subarray(0, k * d.steps), d.yTrain.subarray(0, k)];

let speed = {};
if (opt.runs > 0) {
  // Warm-up: V8 runs wasm from its baseline compiler first and swaps in optimized code later.
  const model = textModel();
  const nWarm = Math.min(d.nTrain, 32 * opt.warmup);
  if (nWarm > 0) await model.fit(...first(nWarm), { epochs: 1, batchSize: 32 });
  const nRun = Math.min(d.nTrain, 32 * opt.batches);
  speed = { batches: nRun / 32, runs: opt.runs,
    ...(await timedRuns('nnplay-text', nRun, opt.runs, () => model.fit(...first(nRun), { epochs: 1, batchSize: 32 }))) };
  model.dispose();
}

const epochs = [];
if (opt.epochs > 0) {
  const fresh = textModel();
  let lap = null;
  await fresh.fit(d.xTrain, d.yTrain, { epochs: opt.epochs, batchSize: 32, callbacks: {
    onEpochBegin: () => { lap = stopwatch(); },
    onEpochEnd: (epoch) => {
      const t = lap();
      const { accuracy } = fresh.evaluate(d.xTest, d.yTest);
      epochs.push({ ...t, accuracy });
      log(`nnplay-text: epoch ${epoch + 1}: ${Math.round(d.nTrain / t.cpu)} samples/s, test accuracy ${accuracy.toFixed(4)}`);
    },
  } });
  fresh.dispose();
}
const perEpoch = epochs.length ? rates(d.nTrain, epochs) : null;
emit({ system: 'nnplay-wasm', cell: opt.cell, dropout, batch: 32, seed: opt.seed, ...speed,
  epochs: epochs.length, train_samples: d.nTrain, test_samples: d.nTest,
  test_accuracy: epochs.map((e) => Number(e.accuracy.toFixed(4))),
  ...(perEpoch ? { epoch_samples_per_s: perEpoch.run_samples_per_s, epoch_median_samples_per_s: perEpoch.samples_per_s } : {}),
  simd: nn.info().simd });
