// Shared helpers for tests/js/*.test.mjs (not a test file itself: tools/test.mjs runs *.test.mjs).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import * as nn from '../../wasm/nnplay.js';

/** Assert |a - b| <= tol * max(1, |b|) for numbers or array-likes of numbers. */
export function close(actual, expected, tol = 1e-5, what = 'value') {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${what}: expected a number, got ${typeof actual}`);
    const ok = Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));
    assert.ok(ok, `${what}: ${actual} is not within ${tol} of ${expected}`);
    return;
  }
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const b = expected[i];
    const ok = Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
    assert.ok(ok, `${what}[${i}]: ${a} is not within ${tol} of ${b}`);
  }
}

export const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
export const XOR_Y = [0, 1, 1, 0];

/** A small binary classifier, compiled. */
export function smallModel(seed = 1, hidden = 8) {
  const m = nn.sequential({ seed, layers: [
    nn.layers.dense({ inputShape: [2], units: hidden, activation: 'tanh' }),
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** Prove the module still works: build, train, predict, save/load and dispose a small model. */
export async function assertStillWorks() {
  const m = smallModel(7);
  try {
    const h = await m.fit(XOR_X, XOR_Y, { epochs: 3, batchSize: 4 });
    assert.equal(h.history.loss.length, 3);
    assert.ok(h.history.loss.every(Number.isFinite), 'the loss is finite');
    const p = m.predict(XOR_X);
    assert.equal(p.length, 4);
    assert.ok(p.every((v) => v > 0 && v < 1), 'sigmoid outputs are in (0, 1)');
    const l = nn.loadModel(m.save());
    assert.deepEqual(Array.from(l.predict(XOR_X)), Array.from(p));
    l.dispose();
  } finally {
    m.dispose();
  }
}

/** Metrics by hand from predictions (binary, k == 1, threshold 0.5). */
export function binaryMetrics(pred, y) {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < y.length; i++) {
    const q = pred[i] >= 0.5 ? 1 : 0;
    const t = y[i] >= 0.5 ? 1 : 0;
    if (q && t) tp++; else if (q && !t) fp++; else if (!q && t) fn++; else tn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return { accuracy: (tp + tn) / y.length, precision, recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, confusion: [[tn, fp], [fn, tp]] };
}

export const argmax = (v, off, k) => {
  let b = 0;
  for (let i = 1; i < k; i++) if (v[off + i] > v[off + b]) b = i;
  return b;
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- Fashion-MNIST (idx files, gzipped) ----
export const FMNIST_DIR = '/usr/share/datasets/fashion-mnist';

function readIdx(name) {
  const file = `${FMNIST_DIR}/${name}`;
  if (!fs.existsSync(file)) {
    throw new Error(`Fashion-MNIST file ${file} is missing: install it with ` +
      '`apt-get install dataset-fashion-mnist`');
  }
  return zlib.gunzipSync(fs.readFileSync(file));
}

/** Images as Float32Array (n x 784, pixels / 255); idx header parsed here (big-endian). */
export function fmnistImages(split, limit = Infinity) {
  const b = readIdx(`${split}-images-idx3-ubyte.gz`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  assert.equal(dv.getUint32(0), 0x00000803, 'idx3 magic (ubyte, 3 dims)');
  const total = dv.getUint32(4);
  const rows = dv.getUint32(8);
  const cols = dv.getUint32(12);
  const n = Math.min(total, limit);
  assert.ok(b.length >= 16 + total * rows * cols, 'the image file holds all its pixels');
  const px = b.subarray(16, 16 + n * rows * cols);
  const x = new Float32Array(px.length);
  for (let i = 0; i < px.length; i++) x[i] = px[i] / 255;
  return { x, n, rows, cols };
}

/** Labels as Int32Array. */
export function fmnistLabels(split, limit = Infinity) {
  const b = readIdx(`${split}-labels-idx1-ubyte.gz`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  assert.equal(dv.getUint32(0), 0x00000801, 'idx1 magic (ubyte, 1 dim)');
  const total = dv.getUint32(4);
  const n = Math.min(total, limit);
  assert.ok(b.length >= 8 + total, 'the label file holds all its labels');
  return Int32Array.from(b.subarray(8, 8 + n));
}
