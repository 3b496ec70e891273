// conv2dTranspose and upSampling2d through the JS API: shapes, parameter counts and weight layouts
// as Keras gives them, the options' errors, and a small decoder that learns (the loss falls) and
// round-trips through save/load.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';
import { assertStillWorks } from './helpers.mjs';

before(() => nn.ready());

test('shapes, parameter counts and weights as Keras\'s Conv2DTranspose and UpSampling2D', () => {
  const m = nn.sequential({ seed: 1, layers: [
    nn.layers.dense({ inputShape: [16], units: 7 * 7 * 8 }),
    nn.layers.reshape({ targetShape: [7, 7, 8] }),
    nn.layers.conv2dTranspose({ filters: 4, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }), // 14x14
    nn.layers.upSampling2d({ size: [1, 2] }), // 14x28
    nn.layers.conv2dTranspose({ filters: 1, kernelSize: [3, 2], strides: [1, 3], useBias: false }), // valid: 16x84
  ] });
  assert.deepEqual(m.layers.map((l) => l.outputShape), [[392], [7, 7, 8], [14, 14, 4], [14, 28, 4], [16, 84, 1]]);
  assert.deepEqual(m.layers.map((l) => l.className), ['Dense', 'Reshape', 'Conv2DTranspose', 'UpSampling2D', 'Conv2DTranspose']);
  // Keras: kernel [kh, kw, filters, in] + bias [filters]
  assert.deepEqual(m.layers.map((l) => l.numParams), [16 * 392 + 392, 0, 4 * 4 * 4 * 8 + 4, 0, 3 * 2 * 1 * 4]);
  assert.deepEqual(m.getWeights().map((w) => [w.name, w.shape]), [
    ['dense/kernel', [16, 392]], ['dense/bias', [392]], ['conv2d_transpose/kernel', [4, 4, 4, 8]], ['conv2d_transpose/bias', [4]],
    ['conv2d_transpose_1/kernel', [3, 2, 1, 4]]]);
  assert.match(m.summary(null), /conv2d_transpose \(Conv2DTranspose\)\s+\[null,14,14,4\]\s+516/);
  assert.match(m.summary(null), /up_sampling2d \(UpSampling2D\)\s+\[null,14,28,4\]\s+0/);
  assert.deepEqual(m.layers[3].config, { size: [1, 2], interpolation: 'nearest', dataFormat: 'channelsLast', trainable: true, name: 'up_sampling2d' });
  m.dispose();
});

test('errors name the option; the module keeps working', async () => {
  const img = { inputShape: [3, 3, 2] };
  const fails = (layers, re) => assert.throws(() => nn.sequential({ seed: 1, layers: layers() }), re);
  fails(() => [nn.layers.conv2dTranspose({ inputShape: [9], filters: 2, kernelSize: 3 })], /conv2dTranspose: input must be \[height, width, channels\] \(rank 3\), got rank 1/);
  fails(() => [nn.layers.conv2dTranspose({ ...img, filters: 2, kernelSize: 3, strides: 0 })], /strides must be a positive integer/);
  fails(() => [nn.layers.conv2dTranspose({ ...img, filters: 2 })], /kernelSize is missing/);
  fails(() => [nn.layers.conv2dTranspose({ ...img, filters: 2, kernelSize: 3, padding: 'full' })], /unknown padding 'full' \(known: valid, same\)/);
  assert.throws(() => nn.layers.conv2dTranspose({ ...img, filters: 2, kernelSize: 3, outputPadding: 1 }), /unknown option 'outputPadding'/);
  fails(() => [nn.layers.conv2dTranspose({ inputShape: [4096, 4096, 1], filters: 4, kernelSize: 1, strides: 65536, padding: 'same' })], /values per sample/);
  fails(() => [nn.layers.upSampling2d({ ...img, interpolation: 'bilinear' })], /upSampling2d: interpolation 'bilinear' is not supported \(TF.js and Keras compute it differently\); use 'nearest'/);
  fails(() => [nn.layers.upSampling2d({ ...img, interpolation: 'bicubic' })], /unknown interpolation 'bicubic' \(known: nearest, bilinear\)/);
  fails(() => [nn.layers.upSampling2d({ ...img, size: [2, 0] })], /size must be a positive integer/);
  fails(() => [nn.layers.upSampling2d({ inputShape: [4, 4] })], /upSampling2d: input must be \[height, width, channels\]/);
  await assertStillWorks();
});

test('a small decoder learns with conv2dTranspose and upSampling2d, and its file predicts the same', async () => {
  // 8 codes -> 8x8 images of a bar whose row is the code's index
  const n = 64, x = new Float32Array(n * 8), y = new Float32Array(n * 64);
  for (let i = 0; i < n; i++) {
    const k = i % 8;
    x[i * 8 + k] = 1;
    for (let c = 0; c < 8; c++) y[i * 64 + k * 8 + c] = 1;
  }
  const m = nn.sequential({ seed: 3, layers: [
    nn.layers.dense({ inputShape: [8], units: 2 * 2 * 8, activation: 'relu' }),
    nn.layers.reshape({ targetShape: [2, 2, 8] }),
    nn.layers.conv2dTranspose({ filters: 8, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }), // 4x4
    nn.layers.upSampling2d({}), // 8x8
    nn.layers.conv2dTranspose({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: nn.train.adam(0.01), loss: 'binaryCrossentropy' });
  const before = m.evaluate(x, y).loss;
  await m.fit(x, y, { epochs: 60, batchSize: 16 });
  const after = m.evaluate(x, y).loss;
  assert.ok(after < 0.25 * before, `loss ${before} -> ${after}`);
  const r = nn.loadModel(m.save());
  assert.deepEqual(Array.from(r.predict(x)), Array.from(m.predict(x)));
  m.dispose(); r.dispose();
});
