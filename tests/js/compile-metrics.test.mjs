// compile's metrics travel with the model, as Keras's training_config keeps them: a model saved
// compiled with metrics loads reporting the same ones (names as written) from trainOnBatch,
// evaluate and fit; the core checks the list; files from before load as they did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nn from '../../wasm/nnplay.js';

await nn.ready();

const X = Array.from({ length: 12 }, (_, i) => [0, 1, 2, 3].map((j) => Math.sin(0.37 * (4 * i + j) + 0.1)));
const Y = Array.from({ length: 12 }, (_, i) => i % 3);
const mlp = (seed = 4) => nn.sequential({ seed, layers: [
  nn.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),
  nn.layers.dense({ units: 3, activation: 'softmax' }),
] });

test('a model compiled with metrics saves and loads them: trainOnBatch, evaluate and fit report the same', async () => {
  const m = mlp();
  m.compile({ optimizer: nn.train.adam(0.02), loss: 'sparseCategoricalCrossentropy', metrics: ['acc', 'precision', 'recall'] });
  m.trainOnBatch(X, Y);
  const r = nn.loadModel(m.save());
  assert.deepEqual(r.metricsNames, ['loss', 'acc', 'precision', 'recall']);
  assert.deepEqual(r.metricsNames, m.metricsNames);
  const a = m.trainOnBatch(X, Y), b = r.trainOnBatch(X, Y);
  assert.ok(Array.isArray(b) && b.length === 4, `loaded trainOnBatch gives [loss, acc, precision, recall], got ${b}`);
  assert.deepEqual(b, a); // same weights, same optimizer state: the same numbers
  const ea = m.evaluate(X, Y), eb = r.evaluate(X, Y);
  assert.deepEqual(eb, ea);
  const ha = await m.fit(X, Y, { epochs: 2, batchSize: 4, shuffle: false, validationSplit: 0.25 });
  const hb = await r.fit(X, Y, { epochs: 2, batchSize: 4, shuffle: false, validationSplit: 0.25 });
  const keys = ['acc', 'loss', 'precision', 'recall', 'val_acc', 'val_loss', 'val_precision', 'val_recall'];
  assert.deepEqual(Object.keys(hb.history).sort(), keys);
  assert.deepEqual(hb.history, ha.history);
  // and a second trip keeps them (the loaded model writes them again)
  const r2 = nn.loadModel(r.save());
  assert.deepEqual(r2.trainOnBatch(X, Y), r.trainOnBatch(X, Y));
  m.dispose(); r.dispose(); r2.dispose();
});

test('compile without metrics: a bare loss and the default log metric, after a load too; metrics: [] reports only the loss', async () => {
  const m = mlp();
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const r = nn.loadModel(m.save());
  assert.deepEqual(r.metricsNames, ['loss']);
  const u = mlp();
  assert.deepEqual(u.metricsNames, []);
  u.dispose();
  assert.equal(typeof r.trainOnBatch(X, Y), 'number');
  const h = await r.fit(X, Y, { epochs: 1 });
  assert.deepEqual(Object.keys(h.history).sort(), ['accuracy', 'loss']);
  const e = mlp();
  e.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: [] });
  const re = nn.loadModel(e.save());
  const he = await re.fit(X, Y.map((v) => [v, v, v]), { epochs: 1 });
  assert.deepEqual(Object.keys(he.history), ['loss']);
  assert.equal(typeof re.trainOnBatch(X, Y.map((v) => [v, v, v])), 'number');
  // a recompile lists its own: the old metrics are gone, in the file too
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['f1Score'] });
  const r3 = nn.loadModel(m.save());
  const t = r3.trainOnBatch(X, Y);
  assert.ok(Array.isArray(t) && t.length === 2);
  assert.deepEqual(Object.keys(r3.evaluate(X, Y)).filter((k) => k === 'f1Score'), ['f1Score']);
  for (const x of [m, r, e, re, r3]) x.dispose();
});

test('the core checks the list: unknown names, the loss, duplicates, too many', () => {
  const m = mlp();
  const bad = (metrics, re) => assert.throws(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics }), re);
  bad(['auc'], /^Error: nnplay: compile: unknown metric 'auc' \(known: accuracy, precision, recall, f1, mse, mae, r2\)/);
  bad(['loss'], /unknown metric 'loss'/);
  bad(['acc', 'mae', 'accuracy'], /compile: metrics lists accuracy twice \('acc' and 'accuracy'\)/);
  bad(Array(9).fill('mse'), /compile: metrics has 9 names, at most 8 are read/);
  bad([1, 'x'], /metrics must be a number, true\/false, a name, a list of numbers or names, or a layer/);
  bad([0], /metrics must be a list of metric names or ids 1 to 7, got 0/);
  // ids are the core's: they read back as their names
  m.compile({ optimizer: 'sgd', loss: 'mse', metrics: [6] });
  const r = nn.loadModel(m.save());
  assert.deepEqual(Object.keys(r.evaluate(X, X.map((row) => row.slice(0, 3)))).slice(0, 2), ['loss', 'mae']);
  m.dispose(); r.dispose();
});

test('a version-4 file from before metrics were kept loads as before (tests/fixtures/v4-mlp.nnplay)', async () => {
  const bytes = readFileSync(new URL('../fixtures/v4-mlp.nnplay', import.meta.url));
  const m = nn.loadModel(bytes);
  assert.ok(Math.abs(m.learningRate - 0.02) < 1e-7);
  assert.equal(typeof m.trainOnBatch(X.slice(0, 6), Y.slice(0, 6)), 'number'); // it never knew its metrics
  const h = await m.fit(X, Y, { epochs: 1 });
  assert.deepEqual(Object.keys(h.history).sort(), ['accuracy', 'loss']);
  // compiled again with metrics, it keeps them from then on
  m.compile({ optimizer: nn.train.adam(0.02), loss: 'sparseCategoricalCrossentropy', metrics: ['acc'] });
  const r = nn.loadModel(m.save());
  assert.equal(r.trainOnBatch(X, Y).length, 2);
  m.dispose(); r.dispose();
});

test('a chain (nn.sequential of models) takes the same checked list', async () => {
  const g = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [2], units: 4, activation: 'tanh' })] });
  const d = nn.sequential({ seed: 2, layers: [nn.layers.dense({ inputShape: [4], units: 1, activation: 'sigmoid' })] });
  const c = nn.sequential({ layers: [g, d] });
  assert.throws(() => c.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['acc', 'accuracy'] }), /metrics lists accuracy twice/);
  c.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['acc'] });
  assert.deepEqual(c.metricsNames, ['loss', 'acc']);
  const out = c.trainOnBatch([[0, 1], [1, 0]], [1, 0]);
  assert.ok(Array.isArray(out) && out.length === 2);
  c.dispose(); g.dispose(); d.dispose();
});
