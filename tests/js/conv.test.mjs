// Image layers through the JS API: TF.js names and options, output shapes and parameter counts as
// Keras reports them, getWeights/setWeights layouts, batchnorm state, save/load, augmentation,
// errors, and a small CNN that learns Fashion-MNIST.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';
import { close, assertStillWorks, fmnistImages, fmnistLabels } from './helpers.mjs';

before(async () => { await nn.ready(); });

/** The CNN of issue 5 (Keras's MNIST example) on 28x28x1 images. */
const issueCnn = (seed = 1) => nn.sequential({ seed, layers: [
  nn.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
  nn.layers.maxPooling2d({ poolSize: 2 }),
  nn.layers.conv2d({ filters: 64, kernelSize: [3, 3], activation: 'relu' }),
  nn.layers.maxPooling2d({ poolSize: [2, 2] }),
  nn.layers.flatten(),
  nn.layers.dense({ units: 128, activation: 'relu' }),
  nn.layers.dense({ units: 10, activation: 'softmax' }),
] });

/** Direct convolution (valid or same, TF's padding split), for checking layouts. */
function convRef(x, [h, w, c], kernel, bias, [kh, kw], [sh, sw], padding, f) {
  const out = (n, k, s) => (padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);
  const oh = out(h, kh, sh);
  const ow = out(w, kw, sw);
  const pt = padding === 'same' ? Math.floor(Math.max((oh - 1) * sh + kh - h, 0) / 2) : 0;
  const pl = padding === 'same' ? Math.floor(Math.max((ow - 1) * sw + kw - w, 0) / 2) : 0;
  const y = new Float32Array(oh * ow * f);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let o = 0; o < f; o++) {
        let s = bias ? bias[o] : 0;
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const iy = oy * sh + i - pt;
            const ix = ox * sw + j - pl;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let k = 0; k < c; k++) s += x[(iy * w + ix) * c + k] * kernel[((i * kw + j) * c + k) * f + o];
          }
        }
        y[(oy * ow + ox) * f + o] = s;
      }
    }
  }
  return { y, shape: [oh, ow, f] };
}

const rand = (n, seed) => {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
};

describe('layers, shapes and parameter counts', () => {
  test('the issue\'s CNN: output shapes and parameter counts match Keras (225,034)', () => {
    const m = issueCnn();
    const info = m.layers;
    assert.deepEqual(info.map((l) => l.outputShape),
      [[26, 26, 32], [13, 13, 32], [11, 11, 64], [5, 5, 64], [1600], [128], [10]]);
    assert.deepEqual(info.map((l) => l.numParams), [320, 0, 18496, 0, 0, 204928, 1290]);
    assert.deepEqual(info.map((l) => l.className),
      ['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    assert.equal(m.countParams(), 225034);
    const text = m.summary(null);
    assert.match(text, /\[null,26,26,32\]\s+320/);
    assert.match(text, /\[null,5,5,64\]\s+0/);
    assert.match(text, /Total params: 225034/);
    const w = m.getWeights();
    assert.deepEqual(w.map((t) => t.shape), [[3, 3, 1, 32], [32], [3, 3, 32, 64], [64], [1600, 128], [128], [128, 10], [10]]);
    m.dispose();
  });

  test('strides, same padding, pooling defaults, reshape and global pooling shapes', () => {
    const m = nn.sequential({ seed: 2, layers: [
      nn.layers.reshape({ inputShape: [784], targetShape: [28, 28, 1] }),
      nn.layers.conv2d({ filters: 6, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' }),
      nn.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      nn.layers.maxPooling2d({ poolSize: [2, 1] }),
      nn.layers.batchNormalization(),
      nn.layers.conv2d({ filters: 4, kernelSize: [1, 1], useBias: false }),
      nn.layers.reshape({ targetShape: [-1, 4] }),
      nn.layers.reshape({ targetShape: [7, 3, 4] }),
      nn.layers.globalAveragePooling2d({}),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    assert.deepEqual(m.layers.map((l) => l.outputShape),
      [[28, 28, 1], [14, 14, 6], [7, 7, 6], [3, 7, 6], [3, 7, 6], [3, 7, 4], [21, 4], [7, 3, 4], [4], [3]]);
    assert.deepEqual(m.layers[3].strides, [2, 1]);
    assert.equal(m.layers[1].padding, 'same');
    // numParams counts trainable weights; batchnorm's moving statistics are numState
    assert.deepEqual(m.layers.map((l) => l.numParams), [0, 5 * 5 * 6 + 6, 0, 0, 12, 24, 0, 0, 0, 15]);
    assert.equal(m.layers[4].numState, 12);
    assert.equal(m.countParams(), 156 + 24 + 24 + 15);
    m.dispose();
  });

  test('TF.js aliases maxPool2d, avgPool2d and globalAvgPool2d', () => {
    assert.equal(nn.layers.maxPool2d({ poolSize: 2 }).className, 'MaxPooling2D');
    assert.equal(nn.layers.avgPool2d({ poolSize: 2 }).className, 'AveragePooling2D');
    assert.equal(nn.layers.globalAvgPool2d({}).className, 'GlobalAveragePooling2D');
  });
});

describe('weights', () => {
  for (const [padding, strides, kernelSize] of [['valid', 1, 3], ['same', 2, [3, 2]], ['same', [1, 2], 4]]) {
    test(`conv2d kernel layout [kh, kw, inC, filters]: ${padding}, strides ${strides}, kernel ${kernelSize}`, () => {
      const shape = [7, 6, 3];
      const m = nn.sequential({ seed: 3, layers: [nn.layers.conv2d({ inputShape: shape, filters: 4, kernelSize, strides, padding })] });
      const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      const kernel = rand(kh * kw * 3 * 4, 5);
      const bias = rand(4, 6);
      m.setWeights([kernel, bias]);
      const x = rand(7 * 6 * 3, 7);
      const ref = convRef(x, shape, kernel, bias, [kh, kw], [sh, sw], padding, 4);
      assert.deepEqual(m.outputShape, ref.shape);
      close(m.predict(x), ref.y, 1e-5, 'conv output');
      const w = m.getWeights();
      assert.deepEqual(w[0].shape, [kh, kw, 3, 4]);
      assert.deepEqual(Array.from(w[0]), Array.from(kernel));
      m.dispose();
    });
  }

  test('batchNormalization: gamma, beta, movingMean, movingVariance; state moves in fit, is used in predict', async () => {
    const m = nn.sequential({ seed: 4, layers: [
      nn.layers.batchNormalization({ inputShape: [2, 2, 3], momentum: 0.9, epsilon: 0.01 }),
      nn.layers.flatten(),
      nn.layers.dense({ units: 1 }),
    ] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const w = m.getWeights();
    assert.deepEqual(w.slice(0, 4).map((t) => Array.from(t)), [[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
    assert.equal(m.countParams(), 12 + 13);
    assert.equal(m.layers[0].numParams, 6);
    assert.equal(m.layers[0].numState, 6);
    close(m.layers[0].momentum, 0.9, 1e-7);
    const x = rand(8 * 12, 9).map((v, i) => v + (i % 3)); // channel means 0, 1, 2
    await m.fit(x, new Float32Array(8), { epochs: 1, batchSize: 8 });
    const mm = m.getWeights()[2];
    for (let k = 0; k < 3; k++) {
      let s = 0;
      for (let r = 0; r < 32; r++) s += x[r * 3 + k];
      close(mm[k], 0.1 * (s / 32), 1e-5, `moving mean ${k}`); // 0.9 * 0 + 0.1 * batch mean
    }
    // predict uses the moving statistics: set them and check one output by hand
    const ws = m.getWeights();
    ws[0] = [2, 1, 1]; ws[1] = [0.5, 0, 0]; ws[2] = [0.25, 0, 0]; ws[3] = [4, 1, 1];
    ws[4] = Float32Array.from({ length: 12 }, (_, i) => (i === 0 ? 1 : 0)); ws[5] = [0];
    m.setWeights(ws);
    const p = m.predict(x.subarray(0, 12));
    close(p[0], (2 * (x[0] - 0.25)) / Math.sqrt(4 + 0.01) + 0.5, 1e-5, 'batchnorm inference');
    assert.deepEqual(Array.from(m.getWeights()[3]), [4, 1, 1]);
    m.dispose();
  });

  test('save/load of every image layer: identical predictions and weights', async () => {
    const m = nn.sequential({ seed: 5, layers: [
      nn.layers.reshape({ inputShape: [64], targetShape: [8, 8, 1] }),
      nn.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      nn.layers.batchNormalization(),
      nn.layers.maxPooling2d({ poolSize: 2 }),
      nn.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }),
      nn.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      nn.layers.flatten(),
      nn.layers.reshape({ targetShape: [2, 2, 6] }),
      nn.layers.globalAveragePooling2d({}),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    m.compile({ optimizer: nn.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = rand(32 * 64, 11);
    const y = Float32Array.from({ length: 32 }, (_, i) => i % 3);
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
    const r = nn.loadModel(m.save());
    assert.deepEqual(Array.from(r.predict(x)), Array.from(m.predict(x)));
    assert.deepEqual(r.getWeights().map((t) => Array.from(t)), m.getWeights().map((t) => Array.from(t)));
    assert.deepEqual(r.layers.map((l) => l.className), m.layers.map((l) => l.className));
    assert.deepEqual(r.layers.map((l) => l.outputShape), m.layers.map((l) => l.outputShape));
    // every option comes back, defaults included, as Keras's get_config gives them
    assert.deepEqual(r.layers[4].config, { filters: 6, kernelSize: [3, 3], strides: [2, 2], padding: 'same',
      dataFormat: 'channelsLast', activation: 'tanh', useBias: true, kernelInitializer: 'glorotUniform',
      biasInitializer: 'zeros', alpha: 0, l1: 0, l2: 0, trainable: true, name: 'conv2d_1' });
    // and training goes on identically
    await m.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false });
    await r.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false });
    assert.deepEqual(Array.from(r.predict(x)), Array.from(m.predict(x)));
    m.dispose();
    r.dispose();
  });
});

describe('augmentation', () => {
  const model = (seed) => {
    const m = nn.sequential({ seed, layers: [
      nn.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu' }),
      nn.layers.flatten(),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    m.compile({ optimizer: nn.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
    return m;
  };
  const x = rand(40 * 36, 13);
  const y = Float32Array.from({ length: 40 }, (_, i) => i % 2);

  test('augment {shift, flip} is deterministic with the seed and changes training', async () => {
    const [a, b, c] = [model(7), model(7), model(7)];
    await a.fit(x, y, { epochs: 2, batchSize: 8, augment: { shift: 2, flip: true } });
    await b.fit(x, y, { epochs: 2, batchSize: 8, augment: { shift: 2, flip: true } });
    await c.fit(x, y, { epochs: 2, batchSize: 8 });
    assert.deepEqual(a.getWeights().map((t) => Array.from(t)), b.getWeights().map((t) => Array.from(t)));
    assert.notDeepEqual(a.getWeights().map((t) => Array.from(t)), c.getWeights().map((t) => Array.from(t)));
    [a, b, c].forEach((m) => m.dispose());
  });

  test('bad augment options and non-image models are refused with a message', async () => {
    const m = model(8);
    await assert.rejects(m.fit(x, y, { augment: { shift: -1 } }), /augment.shift must be an integer >= 0/);
    await assert.rejects(m.fit(x, y, { augment: { shift: 6 } }), /shift 6 must be smaller than the 6x6 image/);
    await assert.rejects(m.fit(x, y, { augment: { flip: 1 } }), /augment.flip must be true or false/);
    await assert.rejects(m.fit(x, y, { augment: { rotate: 5 } }), /unknown option 'rotate'/);
    m.dispose();
    const flat = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' })] });
    flat.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await assert.rejects(flat.fit(rand(8, 1), [0, 1], { augment: { flip: true } }), /needs image inputs/);
    flat.dispose();
    await assertStillWorks();
  });
});

describe('errors', () => {
  // the layer factories check their options at once, the model checks the shapes
  const fails = (layers, re) => assert.throws(() => nn.sequential({ seed: 1, layers: layers() }), re);
  test('clear messages for impossible image layers; the module keeps working', async () => {
    const img = { inputShape: [5, 5, 2] };
    fails(() => [nn.layers.conv2d({ ...img, filters: 2, kernelSize: 7 })], /kernel 7x7 is larger than its 5x5 input/);
    fails(() => [nn.layers.conv2d({ inputShape: [25], filters: 2, kernelSize: 3 })], /rank 3/);
    fails(() => [nn.layers.conv2d({ ...img, filters: 2, kernelSize: 3, strides: 0 })], /strides must be a positive integer/);
    fails(() => [nn.layers.conv2d({ ...img, filters: 2, kernelSize: 3, padding: 'full' })], /unknown padding 'full' \(known: valid, same\)/);
    fails(() => [nn.layers.conv2d({ ...img, filters: 0, kernelSize: 3 })], /filters must be a positive integer/);
    fails(() => [nn.layers.conv2d({ ...img, filters: 2 })], /kernelSize is missing/);
    fails(() => [nn.layers.conv2d({ ...img, filters: 2, kernelSize: [3, 3, 3] })], /kernelSize must be a positive integer \(at most \d+\) or a list of 2 of them, got \[3, 3, 3\]/);
    fails(() => [nn.layers.conv2d({ ...img, filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' })], /unknown dataFormat 'channelsFirst' \(known: channelsLast\)/);
    assert.throws(() => nn.layers.conv2d({ ...img, filters: 2, kernelSize: 3, dilationRate: 2 }), /unknown option 'dilationRate'/);
    fails(() => [nn.layers.maxPooling2d({ ...img, poolSize: 6 })], /pool size 6x6 is larger/);
    fails(() => [nn.layers.globalAveragePooling2d({ inputShape: [4] })], /rank 3/);
    // dense after a conv acts on the channels of every pixel, as TF.js (no flatten needed)
    const pix = nn.sequential({ seed: 1, layers: [nn.layers.conv2d({ ...img, filters: 2, kernelSize: 3 }), nn.layers.dense({ units: 4 })] });
    assert.deepEqual(pix.outputShape, [3, 3, 4]);
    assert.deepEqual(pix.getWeights()[2].shape, [2, 4]);
    pix.dispose();
    fails(() => [nn.layers.reshape({ inputShape: [25], targetShape: [4, 6] })], /holds 24 values per sample, the input has 25/);
    fails(() => [nn.layers.reshape({ inputShape: [25], targetShape: [2, 2, 2, 2] })], /targetShape must be 1 to 3/);
    fails(() => [nn.layers.batchNormalization({ inputShape: [4], axis: 1 })], /axis must be -1, got 1/);
    fails(() => [nn.layers.batchNormalization({ inputShape: [4], momentum: 2 })], /momentum must be a number in \[0, 1\], got 2/);
    await assertStillWorks();
  });
});

describe('training', () => {
  test('a small CNN learns Fashion-MNIST: 5k images, 2 epochs, >= 75% on 2k test images', async (t) => {
    const tr = fmnistImages('train', 5000);
    const trY = fmnistLabels('train', 5000);
    const te = fmnistImages('t10k', 2000);
    const teY = fmnistLabels('t10k', 2000);
    const m = nn.sequential({ seed: 1, layers: [
      nn.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      nn.layers.maxPooling2d({ poolSize: 2 }),
      nn.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
      nn.layers.maxPooling2d({ poolSize: 2 }),
      nn.layers.flatten(),
      nn.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    m.compile({ optimizer: nn.train.adam(3e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const t0 = performance.now();
    const h = await m.fit(tr.x, trY, { epochs: 2, batchSize: 32 });
    const ms = performance.now() - t0;
    const ev = m.evaluate(te.x, teY);
    t.diagnostic(`small CNN: test accuracy ${(ev.accuracy * 100).toFixed(1)}%, train ${(h.history.accuracy.at(-1) * 100).toFixed(1)}%, ` +
      `${Math.round(10000 / (ms / 1000))} samples/s`);
    // seeds 1..8 measured 78.6% to 81.5%: the threshold leaves a margin below the worst
    assert.ok(ev.accuracy >= 0.75, `test accuracy ${ev.accuracy}`);
    assert.ok(h.history.accuracy[1] > h.history.accuracy[0]);
    m.dispose();
  });
});
