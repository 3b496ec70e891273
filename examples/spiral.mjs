// spiral.mjs - two interleaved spirals (TensorFlow Playground's hardest data set), 2-16-16-1 tanh.
//
// The JS twin of spiral.c: generate the data with nn.data.generate, split it into train and test,
// standardize the inputs with statistics of the training part only, fit with validation data
// (Keras-style lines with val_loss / val_accuracy) and evaluate on the test part.
// One addition over spiral.c: over the last third of the epochs the learning rate falls linearly
// from 0.03 to 0.003 (set in an onEpochBegin callback), so training ends on a settled model
// rather than on one snapshot of Adam oscillating around the boundary.
//
// Run:  node examples/spiral.mjs [--epochs N] [--batch N] [--seed N] [--noise X]   (noise in [0, 1])
// The last line is JSON for scripts, e.g.
//       {"example":"spiral","epochs":300,"train_accuracy":1,"test_accuracy":0.99,...}
import { parseArgs } from 'node:util';
import * as nn from '../wasm/nnplay.js';

const N_POINTS = 500;
const TEST_FRACTION = 0.2;
const USAGE = 'usage: node examples/spiral.mjs [--epochs N] [--batch N] [--seed N] [--noise X]';

function bad(msg) {
  console.error(`spiral: ${msg}\n${USAGE}`);
  process.exit(1);
}

/** A whole-number option in [lo, hi], or exit with a usage message. */
function intOpt(values, name, dflt, lo, hi) {
  if (values[name] === undefined) return dflt;
  const v = Number(values[name]);
  if (!/^\d+$/.test(values[name]) || v < lo || v > hi) bad(`--${name} needs an integer in ${lo}..${hi}`);
  return v;
}

let args;
try {
  args = parseArgs({ options: { epochs: { type: 'string' }, batch: { type: 'string' },
    seed: { type: 'string' }, noise: { type: 'string' } } });
} catch (err) {
  bad(err.message);
}
const epochs = intOpt(args.values, 'epochs', 300, 1, 1e6);
const batchSize = intOpt(args.values, 'batch', 32, 1, N_POINTS);
const seed = intOpt(args.values, 'seed', 1, 0, 4294967295);
const noise = args.values.noise === undefined ? 0 : Number(args.values.noise);
if (args.values.noise !== undefined && (args.values.noise.trim() === '' || !(noise >= 0 && noise <= 1))) {
  bad('--noise needs a number in 0..1');
}

await nn.ready();

// Data: 500 points (x0, x1) with labels 0/1, then 400 for training and 100 for testing.
const { x, y } = nn.data.generate('spiral', { n: N_POINTS, noise, seed });
const { xTrain, yTrain, xTest, yTest } = nn.data.split(x, y, { testFraction: TEST_FRACTION, seed });
// Points span [-6, 6]; scaling to mean 0 / std 1 suits tanh. Test data uses the train stats.
const stats = nn.data.standardize(xTrain, 2);
nn.data.standardize(xTest, 2, stats);
const nTrain = yTrain.length;

const LR = 0.03;
const LR_END = 0.003;
const decayFrom = Math.floor((epochs * 2) / 3);
const lrAt = (epoch) => (epoch < decayFrom ? LR
  : LR + ((LR_END - LR) * (epoch - decayFrom + 1)) / (epochs - decayFrom));

const model = nn.sequential({ seed, layers: [
  nn.layers.dense({ inputShape: [2], units: 16, activation: 'tanh' }),
  nn.layers.dense({ units: 16, activation: 'tanh' }),
  nn.layers.dense({ units: 1, activation: 'sigmoid' }),
] });
model.compile({ optimizer: nn.train.adam(LR), loss: 'binaryCrossentropy', metrics: ['accuracy'] });

const t0 = performance.now();
// validationData is evaluated after every epoch and never trained on
await model.fit(xTrain, yTrain, { epochs, batchSize, validationData: [xTest, yTest], verbose: 1,
  callbacks: { onEpochBegin: (epoch) => { model.learningRate = lrAt(epoch); } } });
const secs = (performance.now() - t0) / 1000;

const tr = model.evaluate(xTrain, yTrain);
const te = model.evaluate(xTest, yTest);
console.log(`test: ${yTest.length} samples, loss ${te.loss.toFixed(4)}, accuracy ${te.accuracy.toFixed(4)}`);
const r4 = (v) => Number(v.toPrecision(4));
console.log(JSON.stringify({ example: 'spiral', epochs, noise, train_samples: nTrain,
  train_accuracy: tr.accuracy, train_loss: r4(tr.loss), test_accuracy: te.accuracy, test_loss: r4(te.loss),
  samples_per_s: secs > 0 ? Math.round((nTrain * epochs) / secs) : 0, simd: nn.info().simd }));
model.dispose();
