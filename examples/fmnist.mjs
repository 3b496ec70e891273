// fmnist.mjs - Fashion-MNIST with a 784-128-10 MLP (relu, softmax), Adam 1e-3, sparse labels.
//
// The JS twin of fmnist.c: the idx .gz files are decompressed with zlib.gunzipSync and parsed by
// a small idx reader here; pixels are scaled to [0, 1]; labels stay class indices (one float per
// image), which is what sparseCategoricalCrossentropy expects. Training prints Keras-style lines
// (fit's verbose: 1); the test set is evaluated once at the end, so samples/s measures training.
//
// Run:  node examples/fmnist.mjs [--data DIR] [--epochs N] [--batch N] [--limit N] [--test-limit N]
//                                [--seed N] [--save PATH]
//       DIR defaults to /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist);
//       --limit 10000 trains on the first 10000 of the 60000 images for a quick run.
// The last line is JSON for scripts, e.g.
//       {"example":"fmnist","train_samples":60000,"epochs":1,"test_accuracy":0.84,...,"simd":"wasm-simd128"}
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import * as nn from '../wasm/nnplay.js';

const DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';
const USAGE = 'usage: node examples/fmnist.mjs [--data DIR] [--epochs N] [--batch N] [--limit N] ' +
  '[--test-limit N] [--seed N] [--save PATH]';

function fail(msg) {
  console.error(`fmnist: ${msg}`);
  process.exit(1);
}

/** A whole-number option in [lo, hi], or exit with a usage message. */
function intOpt(values, name, dflt, lo, hi) {
  if (values[name] === undefined) return dflt;
  const v = Number(values[name]);
  if (!/^\d+$/.test(values[name]) || v < lo || v > hi) fail(`--${name} needs an integer in ${lo}..${hi}\n${USAGE}`);
  return v;
}

/**
 * Parse an idx file (big-endian: 0, 0, type 0x08 = unsigned bytes, rank, then rank u32 sizes,
 * then the data). Returns { dims, data: Uint8Array }.
 */
function parseIdx(buf, file) {
  const bad = (why) => fail(`${file} is not a valid idx file: ${why}`);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) bad('no idx magic number');
  if (buf[2] !== 0x08) bad(`element type 0x${buf[2].toString(16)}, want 0x08 (unsigned bytes)`);
  const rank = buf[3];
  if (rank < 1 || rank > 4 || buf.length < 4 + 4 * rank) bad(`rank ${rank}`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (buf.length - start !== size) bad(`${buf.length - start} data bytes for dimensions ${dims.join('x')}`);
  return { dims, data: buf.subarray(start) };
}

/** DIR/NAME (idx, gzipped) as floats: the first `limit` items (all if 0), each scaled by `scale`. */
function loadIdx(dir, name, limit, scale) {
  const file = path.join(dir, name);
  let gz;
  try {
    gz = readFileSync(file);
  } catch (err) {
    fail(`Fashion-MNIST not found in ${dir}: apt-get install dataset-fashion-mnist\n        (${err.message})`);
  }
  let raw;
  try {
    raw = gunzipSync(gz);
  } catch (err) {
    fail(`cannot decompress ${file}: ${err.message}`);
  }
  const { dims, data } = parseIdx(raw, file);
  const itemSize = dims.slice(1).reduce((a, b) => a * b, 1); // 28*28 for images, 1 for labels
  const n = limit > 0 && limit < dims[0] ? limit : dims[0];
  const out = new Float32Array(n * itemSize);
  for (let i = 0; i < out.length; i++) out[i] = data[i] * scale;
  return { x: out, n, itemSize };
}

let args;
try {
  args = parseArgs({ options: { data: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' },
    limit: { type: 'string' }, 'test-limit': { type: 'string' }, seed: { type: 'string' }, save: { type: 'string' } } });
} catch (err) {
  fail(`${err.message}\n${USAGE}`);
}
const dir = args.values.data || DEFAULT_DIR;
const epochs = intOpt(args.values, 'epochs', 1, 1, 1e6);
const batchSize = intOpt(args.values, 'batch', 32, 1, 1e6);
const limit = intOpt(args.values, 'limit', 0, 1, 1e9);
const testLimit = intOpt(args.values, 'test-limit', 0, 1, 1e9);
const seed = intOpt(args.values, 'seed', 1, 0, 4294967295);

const train = loadIdx(dir, 'train-images-idx3-ubyte.gz', limit, 1 / 255);
const trainLabels = loadIdx(dir, 'train-labels-idx1-ubyte.gz', limit, 1);
const test = loadIdx(dir, 't10k-images-idx3-ubyte.gz', testLimit, 1 / 255);
const testLabels = loadIdx(dir, 't10k-labels-idx1-ubyte.gz', testLimit, 1);
if (train.itemSize !== 28 * 28 || test.itemSize !== 28 * 28 || trainLabels.itemSize !== 1 ||
    testLabels.itemSize !== 1 || trainLabels.n !== train.n || testLabels.n !== test.n) {
  fail(`unexpected files in ${dir}: want 28x28 images with one label each`);
}

await nn.ready();
const { simd } = nn.info();
console.log(`Fashion-MNIST: ${train.n} training and ${test.n} test images from ${dir} (kernels: ${simd})`);

const model = nn.sequential({ seed, layers: [
  nn.layers.dense({ inputShape: [28 * 28], units: 128, activation: 'relu' }),
  nn.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: nn.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

const t0 = performance.now();
await model.fit(train.x, trainLabels.x, { epochs, batchSize, verbose: 1 });
const secs = (performance.now() - t0) / 1000;
const te = model.evaluate(test.x, testLabels.x);
if (args.values.save) writeFileSync(args.values.save, model.save());

console.log(`test: ${test.n} images, loss ${te.loss.toFixed(4)}, accuracy ${te.accuracy.toFixed(4)}; ` +
  `training took ${secs.toFixed(2)} s`);
if (args.values.save) console.log(`saved the model to ${args.values.save}`);
console.log(JSON.stringify({ example: 'fmnist', train_samples: train.n, epochs,
  test_accuracy: Number(te.accuracy.toFixed(4)), test_loss: Number(te.loss.toFixed(4)),
  samples_per_s: secs > 0 ? Math.round((train.n * epochs) / secs) : 0, simd }));
model.dispose();
