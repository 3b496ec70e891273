// xor.mjs - the smallest useful nnplay program with the JS API: a 2-8-1 network learns XOR.
//
// The JS twin of xor.c: create a model, compile it (Adam + binary cross-entropy), fit with
// Keras-style progress lines (verbose: 1), predict, evaluate and (optionally) save to a file that
// build/predict and nn.loadModel read.
//
// Run:  node examples/xor.mjs [--epochs N] [--seed N] [--save PATH]
// The last line is JSON for scripts, e.g.
//       {"example":"xor","accuracy":1,"loss":0.0005,"samples_per_s":52000,"simd":"wasm-simd128"}
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as nn from '../wasm/nnplay.js';

const USAGE = 'usage: node examples/xor.mjs [--epochs N] [--seed N] [--save PATH]';

/** A whole-number option in [lo, hi], or exit with a usage message. */
function intOpt(values, name, dflt, lo, hi) {
  if (values[name] === undefined) return dflt;
  const v = Number(values[name]);
  if (!/^\d+$/.test(values[name]) || v < lo || v > hi) {
    console.error(`xor: --${name} needs an integer in ${lo}..${hi}\n${USAGE}`);
    process.exit(1);
  }
  return v;
}

let args;
try {
  args = parseArgs({ options: { epochs: { type: 'string' }, seed: { type: 'string' }, save: { type: 'string' } } });
} catch (err) {
  console.error(`xor: ${err.message}\n${USAGE}`);
  process.exit(1);
}
const epochs = intOpt(args.values, 'epochs', 100, 1, 1e6);
const seed = intOpt(args.values, 'seed', 1, 0, 4294967295);

await nn.ready();

// The four XOR cases: one row of 2 inputs per sample, and one 0/1 label each.
const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [0, 1, 1, 0];

const model = nn.sequential({ seed, layers: [ // the seed fixes the initial weights
  nn.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }),
  nn.layers.dense({ units: 1, activation: 'sigmoid' }),
] });
model.compile({ optimizer: nn.train.adam(0.1), loss: 'binaryCrossentropy', metrics: ['accuracy'] });

const t0 = performance.now();
await model.fit(x, y, { epochs, batchSize: 4, verbose: 1 }); // the whole data set in every step
const secs = (performance.now() - t0) / 1000;

const p = model.predict(x);
x.forEach(([a, b], i) => console.log(`${a} xor ${b} -> ${p[i].toFixed(4)} (want ${y[i]})`));

const { accuracy, loss } = model.evaluate(x, y); // of the trained model (fit's lines are mid-epoch)
if (args.values.save) {
  writeFileSync(args.values.save, model.save());
  console.log(`saved the model to ${args.values.save}`);
}
console.log(JSON.stringify({ example: 'xor', accuracy, loss: Number(loss.toPrecision(4)),
  samples_per_s: secs > 0 ? Math.round((4 * epochs) / secs) : 0, simd: nn.info().simd }));
model.dispose();
