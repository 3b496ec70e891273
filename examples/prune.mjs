// prune.mjs - TensorFlow Model Optimization's recipe in nnplay: train a model, prune its kernels
// by magnitude while fine-tuning (nn.pruning.pruneLowMagnitude with a polynomialDecay schedule),
// strip the pruning, and save it smaller; then the same model with int8 weights.
//
// Run:  node examples/prune.mjs [--sparsity X] [--epochs N] [--seed N]   (sparsity in [0, 1))
// The last line is JSON for scripts, e.g.
//       {"example":"prune","sparsity":0.8,"dense_accuracy":0.99,"pruned_accuracy":0.99,...}
import { parseArgs } from 'node:util';
import * as nn from '../wasm/nnplay.js';

const USAGE = 'usage: node examples/prune.mjs [--sparsity X] [--epochs N] [--seed N]';
function bad(msg) {
  console.error(`prune: ${msg}\n${USAGE}`);
  process.exit(1);
}
let args;
try {
  args = parseArgs({ options: { sparsity: { type: 'string' }, epochs: { type: 'string' }, seed: { type: 'string' } } });
} catch (err) {
  bad(err.message);
}
const target = args.values.sparsity === undefined ? 0.8 : Number(args.values.sparsity);
if (!(target >= 0 && target < 1)) bad('--sparsity needs a number in [0, 1)');
const epochs = args.values.epochs === undefined ? 200 : Number(args.values.epochs);
if (!Number.isInteger(epochs) || epochs < 1 || epochs > 10000) bad('--epochs needs an integer in 1..10000');
const seed = args.values.seed === undefined ? 1 : Number(args.values.seed);
if (!Number.isInteger(seed) || seed < 0) bad('--seed needs a non-negative integer');

await nn.ready();
const { x, y } = nn.data.generate('spiral', { n: 600, noise: 0.1, seed });
const { xTrain, yTrain, xTest, yTest } = nn.data.split(x, y, { testFraction: 0.25, seed });
nn.data.standardize(xTest, 2, nn.data.standardize(xTrain, 2));

const model = nn.sequential({ seed, layers: [
  nn.layers.dense({ inputShape: [2], units: 64, activation: 'tanh' }),
  nn.layers.dense({ units: 64, activation: 'tanh' }),
  nn.layers.dense({ units: 1, activation: 'sigmoid' }),
] });
model.compile({ optimizer: nn.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const batchSize = 32;
await model.fit(xTrain, yTrain, { epochs, batchSize });
const accuracy = () => model.evaluate(xTest, yTest).accuracy;
const dense = { accuracy: accuracy(), bytes: model.save({ includeOptimizer: false }).length };

// Fine-tune while pruning: from 0 to the target sparsity over the first two thirds of the
// fine-tuning's batches (steps are training batches), masks updated every 10 of them.
const fineTune = Math.max(1, Math.round(epochs / 2));
const batches = Math.ceil(yTrain.length / batchSize) * fineTune;
const endStep = Math.max(10, Math.floor((batches * 2) / 3 / 10) * 10);
nn.pruning.pruneLowMagnitude(model, { pruningSchedule: nn.pruning.polynomialDecay({
  initialSparsity: 0, finalSparsity: target, beginStep: 0, endStep, frequency: 10 }) });
await model.fit(xTrain, yTrain, { epochs: fineTune, batchSize });
nn.pruning.stripPruning(model);
const pruned = { accuracy: accuracy(), bytes: model.save({ includeOptimizer: false }).length };
const int8Bytes = model.save({ includeOptimizer: false, quantize: 'int8' });
const int8 = { accuracy: nn.loadModel(int8Bytes).evaluate(xTest, yTest).accuracy, bytes: int8Bytes.length };

console.log('layer       weights  zeros  sparsity');
for (const l of nn.pruning.sparsity(model)) {
  console.log(`${l.name.padEnd(10)} ${String(l.weights).padStart(8)} ${String(l.zeros).padStart(6)}  ${(l.sparsity * 100).toFixed(1)}%`);
}
const row = (name, r) => console.log(`${name.padEnd(18)} test accuracy ${(r.accuracy * 100).toFixed(1)}%, file ${r.bytes} bytes`);
row('dense', dense);
row(`pruned ${Math.round(target * 100)}%`, pruned);
row('pruned + int8', int8);
console.log(JSON.stringify({ example: 'prune', sparsity: target, epochs, fine_tune_epochs: fineTune,
  dense_accuracy: dense.accuracy, pruned_accuracy: pruned.accuracy, int8_accuracy: int8.accuracy,
  dense_bytes: dense.bytes, pruned_bytes: pruned.bytes, int8_bytes: int8.bytes,
  layers: nn.pruning.sparsity(model).map(({ name, weights, zeros }) => ({ name, weights, zeros })) }));
