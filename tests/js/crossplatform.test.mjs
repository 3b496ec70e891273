// Model files are portable: saved natively (build/xor) they load in wasm and predict the same,
// and saved in wasm they load natively (build/predict) and predict the same, within 1e-5.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nn from '../../wasm/nnplay.js';
import { close } from './helpers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const XOR_BIN = path.join(ROOT, 'build', 'xor');
const PREDICT_BIN = path.join(ROOT, 'build', 'predict');
let tmp;

before(async () => {
  await nn.ready();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nnplay-xplat-'));
});
after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

function need(bin) {
  if (!fs.existsSync(bin)) {
    throw new Error(`${path.relative(ROOT, bin)} is missing: build the native examples with ` +
      '`NNPLAY_SKIP_SETUP=1 node tools/build.mjs`');
  }
}

const run = (bin, args) => execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });

/** build/predict MODEL CSV -> rows of numbers. */
function nativePredict(modelFile, rows) {
  need(PREDICT_BIN);
  const csv = path.join(tmp, `in-${Math.random().toString(36).slice(2)}.csv`);
  // %.9g in JS terms: enough digits to give the float32 exactly
  fs.writeFileSync(csv, rows.map((r) => r.map((v) => Math.fround(v).toPrecision(9)).join(',')).join('\n') + '\n');
  const out = run(PREDICT_BIN, [modelFile, csv]);
  const lines = out.trim().split('\n');
  assert.equal(lines.length, rows.length, `build/predict printed ${lines.length} lines for ${rows.length} rows:\n${out}`);
  return lines.map((l) => l.split(',').map(Number));
}

function grid(n, lo, hi, seed = 1) {
  let s = seed;
  const rnd = () => { s = (s * 1664525 + 1013904223) >>> 0; return lo + ((s >>> 8) / 2 ** 24) * (hi - lo); };
  return Array.from({ length: n }, () => [rnd(), rnd()]);
}

describe('native -> wasm', () => {
  test('build/xor --save: the model loads in wasm and predicts what build/predict prints', () => {
    need(XOR_BIN);
    const file = path.join(tmp, 'xor.nnplay');
    const out = run(XOR_BIN, ['--save', file, '--seed', '3', '--epochs', '200']);
    assert.match(out, /saved the model to/);
    const stats = JSON.parse(out.trim().split('\n').at(-1));
    assert.equal(stats.example, 'xor');
    const bytes = fs.readFileSync(file);
    const m = nn.loadModel(bytes);
    try {
      assert.deepEqual(m.inputShape, [2]);
      assert.deepEqual(m.outputShape, [1]);
      const rows = [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.25], [-1, 2], [0.3, 0.7], ...grid(25, -2, 2)];
      const wasm = m.predict(rows);
      const native = nativePredict(file, rows);
      rows.forEach((r, i) => close(wasm[i], native[i][0], 1e-5, `xor(${r})`));
      // it learned XOR natively, and says so in wasm too
      const ev = m.evaluate([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]);
      assert.equal(ev.accuracy, stats.accuracy);
      // the summary is the same text (the same C code made it)
      need(PREDICT_BIN);
      assert.ok(run(PREDICT_BIN, [file]).startsWith(m.summary(null)), 'build/predict MODEL prints the same summary');
      // and wasm writes back the identical bytes
      assert.deepEqual(Buffer.from(m.save()), bytes);
    } finally {
      m.dispose();
    }
  });
});

describe('wasm -> native', () => {
  test('a 2-16-16-3 softmax classifier trained in wasm predicts the same in build/predict', async () => {
    const d = nn.data.generate('blobs', { n: 300, numClasses: 3, noise: 0.2, seed: 5 });
    const m = nn.sequential({ seed: 8, layers: [
      nn.layers.dense({ inputShape: [2], units: 16, activation: 'relu' }),
      nn.layers.dropout({ rate: 0.1 }),
      nn.layers.dense({ units: 16, activation: 'tanh' }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    m.compile({ optimizer: nn.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await m.fit(d.x, d.y, { epochs: 20, batchSize: 16 });
    const file = path.join(tmp, 'blobs.nnplay');
    fs.writeFileSync(file, m.save());
    const rows = grid(60, -6, 6, 9);
    const wasm = m.predict(rows);
    const native = nativePredict(file, rows);
    rows.forEach((r, i) => {
      assert.equal(native[i].length, 3);
      close(native[i], Array.from(wasm.subarray(i * 3, i * 3 + 3)), 1e-5, `row ${i} (${r})`);
    });
    m.dispose();
  });

  test('a regression model with leakyRelu, elu and sigmoid layers, no bias, predicts the same', async () => {
    const d = nn.data.generate('gaussBumps', { n: 400, seed: 2 });
    const m = nn.sequential({ seed: 4, layers: [
      nn.layers.dense({ inputShape: [2], units: 12, activation: 'leakyRelu', alpha: 0.1 }),
      nn.layers.dense({ units: 12, activation: 'elu', useBias: false }),
      nn.layers.activation({ activation: 'sigmoid' }),
      nn.layers.dense({ units: 2, kernelInitializer: 'heNormal', biasInitializer: 'ones' }),
    ] });
    m.compile({ optimizer: nn.train.rmsprop(0.01), loss: 'meanSquaredError' });
    const y2 = new Float32Array(d.n * 2).map((_, i) => (i % 2 ? -d.y[i >> 1] : d.y[i >> 1]));
    await m.fit(d.x, y2, { epochs: 5, batchSize: 32 });
    const file = path.join(tmp, 'bumps.nnplay');
    fs.writeFileSync(file, m.save());
    const rows = grid(40, -6, 6, 3);
    const wasm = m.predict(rows);
    const native = nativePredict(file, rows);
    rows.forEach((r, i) => close(native[i], Array.from(wasm.subarray(i * 2, i * 2 + 2)), 1e-5, `row ${i}`));
    m.dispose();
  });

  test('build/predict refuses a corrupted wasm model file with a message', () => {
    need(PREDICT_BIN);
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [2], units: 1 })] });
    const bytes = m.save();
    m.dispose();
    bytes[bytes.length >> 1] ^= 1;
    const file = path.join(tmp, 'bad.nnplay');
    fs.writeFileSync(file, bytes);
    assert.throws(() => run(PREDICT_BIN, [file]), (e) => {
      assert.equal(e.status, 1);
      assert.match(String(e.stderr), /checksum mismatch|corrupt/);
      return true;
    });
  });
});
