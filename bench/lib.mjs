// lib.mjs - what the Node bench programs share: options, Fashion-MNIST loading, medians, and the
// one JSON line each program prints last on stdout (tools/bench.mjs reads it). Progress goes to
// stderr so stdout stays machine-readable.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';

export const FMNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Options `--name value`, typed by their defaults (numbers: whole numbers); exits on bad input. */
export function options(name, defaults) {
  const spec = Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' }]));
  let values;
  try {
    ({ values } = parseArgs({ options: spec }));
  } catch (err) {
    fail(name, err.message);
  }
  const out = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    if (typeof defaults[k] === 'number' && !/^\d+$/.test(v)) fail(name, `--${k} needs a whole number, got '${v}'`);
    out[k] = typeof defaults[k] === 'number' ? Number(v) : v;
  }
  return out;
}

export function fail(name, msg) {
  console.error(`${name}: ${msg}`);
  process.exit(1);
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

export const log = (...a) => console.error(...a);

/** Print the program's result: one JSON line, the last line of stdout. */
export const emit = (result) => console.log(JSON.stringify(result));

/** One idx file (gzipped, unsigned bytes): { dims, bytes } with the first `limit` items (0 = all). */
function readIdx(file, limit) {
  let raw;
  try {
    raw = gunzipSync(readFileSync(file));
  } catch (err) {
    throw new Error(`cannot read ${file} (apt-get install dataset-fashion-mnist): ${err.message}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const rank = raw[3];
  if (view.getUint16(0) !== 0 || raw[2] !== 8 || rank < 1 || rank > 4) throw new Error(`${file}: not an idx file of bytes`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const item = dims.slice(1).reduce((a, b) => a * b, 1);
  const n = limit > 0 ? Math.min(limit, dims[0]) : dims[0];
  const start = 4 + 4 * rank;
  if (raw.length < start + dims[0] * item) throw new Error(`${file}: truncated`);
  return { n, item, bytes: raw.subarray(start, start + n * item) };
}

/**
 * Fashion-MNIST as floats: pixels scaled to [0, 1], labels as class indices.
 * { xTrain, yTrain, nTrain, xTest, yTest, nTest } (Float32Array, row-major 784 per image).
 */
export function loadFashionMnist({ limit = 0, dir = FMNIST_DIR } = {}) {
  const part = (images, labels, lim) => {
    const x = readIdx(path.join(dir, images), lim);
    const y = readIdx(path.join(dir, labels), lim);
    if (x.item !== 784 || y.item !== 1 || x.n !== y.n) throw new Error(`${dir}: want 28x28 images with one label each`);
    const xf = new Float32Array(x.bytes.length);
    for (let i = 0; i < xf.length; i++) xf[i] = x.bytes[i] / 255;
    return { x: xf, y: new Float32Array(y.bytes), n: x.n };
  };
  const tr = part('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', limit);
  const te = part('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 0);
  return { xTrain: tr.x, yTrain: tr.y, nTrain: tr.n, xTest: te.x, yTest: te.y, nTest: te.n };
}

/**
 * The benchmark MLP in nnplay (module `nn`, ready): 784-128-10, relu, softmax, Adam 1e-3, Glorot
 * uniform kernels and zero biases. tfjs-mlp.mjs starts from its initial weights too.
 */
export function nnplayMlp(nn, seed) {
  const m = nn.sequential({ seed, layers: [
    nn.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
    nn.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: nn.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  return m;
}

/** Fraction of rows of `probs` (n x k) whose argmax equals the label. */
export function accuracy(probs, labels, k) {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    if (best === labels[i]) hits++;
  }
  return hits / labels.length;
}

/**
 * A stopwatch of both wall time and this process's CPU time (all threads, user + system). On this
 * shared machine other processes steal the core at random; CPU time counts only our own work, so
 * the bench ranks systems by it and reports wall time beside it.
 */
export function stopwatch() {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  return () => {
    const c = process.cpuUsage(cpu0);
    return { cpu: (c.user + c.system) / 1e6, wall: (performance.now() - wall0) / 1000 };
  };
}

/** Median rates of `count` samples over timed runs [{ cpu, wall }] (seconds), plus the runs' rates. */
export function rates(count, runs) {
  const round = (v) => (v < 100 ? Math.round(v * 10) / 10 : Math.round(v)); // TF.js cpu's CNN: a few per s
  const per = (k) => runs.map((r) => round(count / r[k]));
  return { samples_per_s: round(median(per('cpu'))), wall_samples_per_s: round(median(per('wall'))),
    run_samples_per_s: per('cpu'), run_wall_samples_per_s: per('wall') };
}

/**
 * The MLP result every Fashion-MNIST program prints: samples/s is the median over epochs of one
 * epoch's training throughput (the test evaluation between epochs is not timed).
 * epochs: [{ cpu, wall, accuracy }] in order (seconds).
 */
export function mlpResult(system, nTrain, epochs, extra = {}) {
  return { system, train_samples: nTrain, epochs: epochs.length, ...rates(nTrain, epochs),
    test_accuracy: epochs.map((e) => Number(e.accuracy.toFixed(4))), ...extra };
}

/**
 * The CNN benches' speed figure: `runs` timed calls of `trainOnce()` (each trains `count` samples,
 * the same model going on learning), logged as they come; returns rates() of them.
 */
export async function timedRuns(name, count, runs, trainOnce) {
  const times = [];
  for (let r = 0; r < runs; r++) {
    const lap = stopwatch();
    await trainOnce();
    times.push(lap());
    log(`${name}: run ${r + 1}: ${Math.round(count / times.at(-1).cpu)} samples/s over ${count} samples`);
  }
  return rates(count, times);
}

// ---- the text benches' token files ----
// tools/bench.mjs decodes web/data/spam.nntx.gz and tang.nntx.gz once per run and writes them raw
// into a temp dir, so the C programs and PyTorch read the same ids without a gzip or JSON reader
// (bench_util.h load_tokens, bench/torch-text.py read_tokens). Little-endian:
//   "NNBTOKS1" | u32 count | u32 steps | u32 trainCount | u32 vocab | i32 ids[count*steps] | u8 labels[count]
// A classification set is count rows of steps ids (samples [0, trainCount) train, the rest test);
// a corpus is one row of all its character ids (count 1, trainCount 1, label 0).
const TOKENS_MAGIC = 'NNBTOKS1';
const TOKENS_HEADER = 24;

/** Bytes of a token file: ids (any integer array, count*steps), labels (count values). */
export function encodeTokens({ count, steps, trainCount, vocab, ids, labels }) {
  if (ids.length !== count * steps || labels.length !== count) throw new Error('encodeTokens: ids or labels do not match count and steps');
  const out = new Uint8Array(TOKENS_HEADER + 4 * ids.length + count);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = TOKENS_MAGIC.charCodeAt(i);
  [count, steps, trainCount, vocab].forEach((v, i) => dv.setUint32(8 + 4 * i, v, true));
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i] >= 0 && ids[i] < vocab)) throw new Error(`encodeTokens: id ${ids[i]} at ${i} is outside [0, ${vocab})`);
    dv.setInt32(TOKENS_HEADER + 4 * i, ids[i], true);
  }
  out.set(labels, TOKENS_HEADER + 4 * ids.length);
  return out;
}

/** A token file read back: { count, steps, trainCount, vocab, ids: Int32Array, labels: Uint8Array }. */
export function decodeTokens(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (b.length < TOKENS_HEADER || String.fromCharCode(...b.subarray(0, 8)) !== TOKENS_MAGIC) throw new Error('not a bench token file (bad magic)');
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const [count, steps, trainCount, vocab] = [0, 1, 2, 3].map((i) => dv.getUint32(8 + 4 * i, true));
  if (b.length !== TOKENS_HEADER + 4 * count * steps + count || trainCount > count) throw new Error('bench token file: its size does not match its header');
  const ids = new Int32Array(count * steps);
  for (let i = 0; i < ids.length; i++) ids[i] = dv.getInt32(TOKENS_HEADER + 4 * i, true);
  return { count, steps, trainCount, vocab, ids, labels: b.slice(TOKENS_HEADER + 4 * ids.length) };
}

/** The mail set of a token file as the JS API takes it: Float32Array ids and labels, train and test. */
export function readMail(file) {
  const t = decodeTokens(readFileSync(file));
  const n = t.trainCount;
  const x = Float32Array.from(t.ids);
  const y = Float32Array.from(t.labels);
  return { ...t, xTrain: x.subarray(0, n * t.steps), yTrain: y.subarray(0, n), nTrain: n,
    xTest: x.subarray(n * t.steps), yTest: y.subarray(n), nTest: t.count - n };
}
