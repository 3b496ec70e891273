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
