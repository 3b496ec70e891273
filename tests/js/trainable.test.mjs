// Freezing, as Keras: layer.trainable / model.trainable, taken when the model is compiled (the GAN
// recipe and transfer learning rely on that rule).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';
import { XOR_X, XOR_Y } from './helpers.mjs';

before(async () => { await nn.ready(); });

const build = () => {
  const m = nn.sequential({ seed: 4, layers: [
    nn.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }),
    nn.layers.batchNormalization(),
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy' });
  return m;
};
const weights = (m) => m.getWeights().map((w) => Array.from(w));

test('a layer frozen after compile still learns until the model is compiled again', async () => {
  const m = build();
  m.layers[0].trainable = false;
  assert.equal(m.layers[0].trainable, false);
  let w0 = weights(m);
  await m.fit(XOR_X, XOR_Y, { epochs: 3, batchSize: 4 });
  assert.notDeepEqual(weights(m)[0], w0[0], 'the optimizer compiled before still updates it (Keras\'s rule)');
  m.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy' });
  w0 = weights(m);
  await m.fit(XOR_X, XOR_Y, { epochs: 3, batchSize: 4 });
  const w1 = weights(m);
  assert.deepEqual(w1.slice(0, 2), w0.slice(0, 2), 'kernel and bias of the frozen dense stay');
  assert.notDeepEqual(w1.slice(2), w0.slice(2), 'the other layers learn');
  m.dispose();
});

test('model.trainable = false freezes every layer (batchnorm keeps its moving statistics); true unfreezes them', async () => {
  const m = build();
  m.trainable = false;
  assert.equal(m.trainable, false);
  assert.deepEqual(m.layers.map((l) => l.trainable), [false, false, false]);
  m.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy' });
  const w0 = weights(m);
  const h = await m.fit(XOR_X, XOR_Y, { epochs: 2, batchSize: 4 });
  assert.ok(Number.isFinite(h.history.loss[1]));
  assert.deepEqual(weights(m), w0, 'nothing moves, the moving mean and variance included');
  assert.match(m.summary(), /Trainable params: 0\b/);
  m.trainable = true;
  assert.deepEqual(m.layers.map((l) => l.trainable), [true, true, true]);
  m.dispose();
});

test('trainable is a layer option too: in configs, in files, and checked', () => {
  const m = nn.sequential({ layers: [
    nn.layers.dense({ inputShape: [3], units: 4, trainable: false }),
    nn.layers.dense({ units: 1 }),
  ] });
  assert.equal(m.getConfig().layers[0].config.trainable, false);
  assert.equal(m.getConfig().layers[1].config.trainable, true);
  assert.match(m.summary(), /Trainable params: 5\b[\s\S]*Non-trainable params: 16\b/);
  const r = nn.loadModel(m.save());
  assert.deepEqual(r.layers.map((l) => l.trainable), [false, true]);
  assert.throws(() => { m.layers[0].trainable = 'yes'; }, /nnplay: trainable must be true or false, got 'yes'/);
  assert.throws(() => nn.layers.dense({ units: 2, trainable: 3 }), /trainable must be true or false/);
  m.dispose(); r.dispose();
});

// The GAN recipe's other pieces: trainOnBatch's [loss, ...metrics] and seeded noise.
test('trainOnBatch returns the loss, or Keras\'s [loss, ...metrics] when compiled with metrics', () => {
  const m = build();
  assert.equal(typeof m.trainOnBatch(XOR_X, XOR_Y), 'number');
  m.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy', 'mse'] });
  const before = m.evaluate(XOR_X, XOR_Y);
  const r = m.trainOnBatch(XOR_X, XOR_Y);
  assert.ok(Array.isArray(r) && r.length === 3, `${r}`);
  // batchnorm uses batch statistics in training: the step's forward is not evaluate's, but the
  // metrics are of that forward (before the step): accuracy is a multiple of 1/4
  assert.ok(Number.isFinite(r[0]) && r[0] > 0);
  assert.ok([0, 0.25, 0.5, 0.75, 1].includes(r[1]), `accuracy ${r[1]}`);
  assert.ok(r[2] > 0 && r[2] < 1);
  assert.ok(Number.isFinite(before.loss));
  m.dispose();
});

test('nn.random.normal / uniform: seeded, shaped, the core\'s numbers', () => {
  const a = nn.random.normal([2, 3], { seed: 42 });
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(a, nn.random.normal([2, 3], { seed: 42 }));
  // tests/c/test_model.c checks the same first values natively and in wasm
  assert.ok(Math.abs(a[0] - 0.63623023) < 1e-6 && Math.abs(a[1] - 0.651442289) < 1e-6);
  const u = nn.random.uniform(4000, { minval: -1, maxval: 1, seed: 42 });
  assert.ok(Math.abs(u[0] - 0.321231365) < 1e-6);
  assert.ok(u.every((v) => v >= -1 && v < 1));
  const g = nn.random.normal(4000, { mean: 5, stddev: 0.5, seed: 1 });
  const mean = g.reduce((s, v) => s + v, 0) / g.length;
  assert.ok(Math.abs(mean - 5) < 0.05, `${mean}`);
  assert.notDeepEqual(nn.random.normal(8), nn.random.normal(8), 'no seed: a fresh one each call');
  assert.throws(() => nn.random.normal([2, 0]), /random.normal: shape must be positive integers, got \[2,0\]/);
  assert.throws(() => nn.random.normal(3, { stddev: -1 }), /random.normal: stddev must be >= 0/);
  assert.throws(() => nn.random.uniform(3, { minval: 2, maxval: 1 }), /random.uniform: maxval must be >= minval/);
  assert.throws(() => nn.random.uniform(3, { seed: -5 }), /seed/);
});

test('save({ includeOptimizer: false }): no optimizer state, a smaller file that loads compiled and trains on', async () => {
  const m = build();
  await m.fit(XOR_X, XOR_Y, { epochs: 5, batchSize: 4 });
  const full = m.save();
  const slim = m.save({ includeOptimizer: false });
  const nParams = m.getWeights().filter((w) => !/moving/.test(w.name)).reduce((s, w) => s + w.length, 0);
  const segments = m.getWeights().filter((w) => !/moving/.test(w.name)).length; // one per tensor (file version 4)
  assert.equal(full.length - slim.length, 2 * (4 + 9 * segments + 4 * nParams), 'Adam\'s two arrays left out');
  const r = nn.loadModel(slim);
  assert.deepEqual(r.predict(XOR_X), m.predict(XOR_X));
  assert.equal(r.steps, 0, 'a fresh optimizer');
  const h = await r.fit(XOR_X, XOR_Y, { epochs: 3, batchSize: 4 });
  assert.ok(Number.isFinite(h.history.loss[2]));
  assert.throws(() => m.save({ includeOptimizer: 'no' }), /includeOptimizer must be true or false/);
  assert.throws(() => m.save({ quantize: 'int4' }), /quantize must be 'int8'/);
  m.dispose(); r.dispose();
});
