// TF.js's Layers format both ways, checked against the real @tensorflow/tfjs (cpu backend):
// nnplay -> toTfjs -> tf.loadLayersModel predicts the same; a model trained in TF.js and saved with
// its own model.save -> nn.loadTfjs predicts the same and keeps training; files; refusals.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import * as nn from '../../wasm/nnplay.js';
import { assertStillWorks } from './helpers.mjs';

let tf;
before(async () => {
  await nn.ready();
  tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
});

const TOL = 1e-5;

/** A seeded uniform generator in [0, 1). */
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
}

/** Random weights everywhere (moving variances positive), so nothing passes by being zero or one. */
function randomize(m, seed) {
  const r = rng(seed);
  m.setWeights(m.getWeights().map((w) => w.map(() => (w.name.endsWith('moving_variance') ? 0.5 + r() : r() - 0.5))));
}

function maxDiff(a, b) {
  assert.equal(a.length, b.length, 'same number of outputs');
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

async function tfArtifacts(t, config) {
  let art;
  await t.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), config);
  return art;
}

const tfPredict = (t, x, shape) => tf.tidy(() => t.predict(tf.tensor(x, shape)).dataSync());

const floats = (n, seed, lo = -1, hi = 1) => { const r = rng(seed); return Float32Array.from({ length: n }, () => lo + (hi - lo) * r()); };
const ids = (n, vocab, seed, zeros = 0) => { const r = rng(seed); return Float32Array.from({ length: n }, (_, i) => (i % 6 < zeros ? 0 : 1 + Math.floor(r() * (vocab - 1)))); };
const oneHot = (n, k, seed) => { const r = rng(seed); const y = new Float32Array(n * k); for (let i = 0; i < n; i++) y[i * k + Math.floor(r() * k)] = 1; return y; };

// Each case: nnplay layers, the same in TF.js, its input (shape per sample, data) and a loss.
const N = 12;
const CASES = [
  ...['linear', 'relu', 'elu', 'sigmoid', 'tanh', 'softmax', 'hardSigmoid'].map((activation, k) => ({
    name: `dense ${activation}`, shape: [5], x: floats(N * 5, k + 1), loss: 'meanSquaredError', out: 3,
    nn: () => [nn.layers.dense({ inputShape: [5], units: 4, activation, kernelInitializer: 'heNormal' }),
      nn.layers.dense({ units: 3, useBias: false, l1: 0.001, l2: 0.002 })],
    tf: () => [tf.layers.dense({ inputShape: [5], units: 4, activation, kernelInitializer: 'heNormal' }),
      tf.layers.dense({ units: 3, useBias: false, kernelRegularizer: tf.regularizers.l1l2({ l1: 0.001, l2: 0.002 }) })],
  })),
  { name: 'activation layers (leakyRelu as LeakyReLU, elu, softmax), dropout', shape: [6], x: floats(N * 6, 9), loss: 'categoricalCrossentropy', out: 3,
    nn: () => [nn.layers.dense({ inputShape: [6], units: 8 }), nn.layers.activation({ activation: 'leakyRelu', alpha: 0.2 }),
      nn.layers.dropout({ rate: 0.3 }), nn.layers.dense({ units: 5 }), nn.layers.activation({ activation: 'elu' }),
      nn.layers.dense({ units: 3 }), nn.layers.activation({ activation: 'softmax' })],
    tf: () => [tf.layers.dense({ inputShape: [6], units: 8 }), tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.dropout({ rate: 0.3 }), tf.layers.dense({ units: 5 }), tf.layers.activation({ activation: 'elu' }),
      tf.layers.dense({ units: 3 }), tf.layers.activation({ activation: 'softmax' })] },
  { name: 'conv2d valid/same, strides, max/average pools, flatten', shape: [8, 7, 2], x: floats(N * 112, 10), loss: 'categoricalCrossentropy', out: 4,
    nn: () => [nn.layers.conv2d({ inputShape: [8, 7, 2], filters: 4, kernelSize: [3, 2], activation: 'relu' }),
      nn.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }),
      nn.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      nn.layers.averagePooling2d({ poolSize: [2, 1], padding: 'valid' }),
      nn.layers.flatten(), nn.layers.dense({ units: 4, activation: 'softmax' })],
    tf: () => [tf.layers.conv2d({ inputShape: [8, 7, 2], filters: 4, kernelSize: [3, 2], activation: 'relu' }),
      tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      tf.layers.averagePooling2d({ poolSize: [2, 1], padding: 'valid' }),
      tf.layers.flatten(), tf.layers.dense({ units: 4, activation: 'softmax' })] },
  { name: 'conv2d, batchNormalization (moving statistics), global average pool', shape: [6, 6, 3], x: floats(N * 108, 11, 0, 2), loss: 'meanSquaredError', out: 2,
    nn: () => [nn.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }),
      nn.layers.batchNormalization({ momentum: 0.9, epsilon: 0.01 }), nn.layers.maxPooling2d({}),
      nn.layers.globalAveragePooling2d({}), nn.layers.dense({ units: 2 })],
    tf: () => [tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }),
      tf.layers.batchNormalization({ momentum: 0.9, epsilon: 0.01 }), tf.layers.maxPooling2d({}),
      tf.layers.globalAveragePooling2d({}), tf.layers.dense({ units: 2 })] },
  { name: 'conv2dTranspose valid/same, strides, no bias, upSampling2d, a DCGAN-style generator step', shape: [3, 4, 2], x: floats(N * 24, 14), loss: 'categoricalCrossentropy', out: 2,
    nn: () => [nn.layers.conv2dTranspose({ inputShape: [3, 4, 2], filters: 3, kernelSize: [3, 2], strides: [2, 1], activation: 'relu' }),
      nn.layers.upSampling2d({ size: [1, 2] }),
      nn.layers.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'same', useBias: false, l2: 0.001 }),
      nn.layers.flatten(), nn.layers.dense({ units: 2, activation: 'softmax' })],
    tf: () => [tf.layers.conv2dTranspose({ inputShape: [3, 4, 2], filters: 3, kernelSize: [3, 2], strides: [2, 1], activation: 'relu' }),
      tf.layers.upSampling2d({ size: [1, 2] }),
      tf.layers.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'same', useBias: false, kernelRegularizer: tf.regularizers.l2({ l2: 0.001 }) }),
      tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' })] },
  { name: 'reshape, batchNormalization on vectors', shape: [12], x: floats(N * 12, 12), loss: 'meanSquaredError', out: 2,
    nn: () => [nn.layers.reshape({ inputShape: [12], targetShape: [4, 3] }), nn.layers.batchNormalization({}),
      nn.layers.reshape({ targetShape: [-1] }), nn.layers.dense({ units: 2, activation: 'sigmoid' })],
    tf: () => [tf.layers.reshape({ inputShape: [12], targetShape: [4, 3] }), tf.layers.batchNormalization({}),
      tf.layers.reshape({ targetShape: [12] }), tf.layers.dense({ units: 2, activation: 'sigmoid' })] },
  ...[false, true].flatMap((maskZero) => [
    ['simpleRNN', { returnSequences: true, goBackwards: true }], ['lstm', { returnSequences: false, goBackwards: false }],
    ['lstm', { returnSequences: true, goBackwards: true, unitForgetBias: true }], ['gru', { returnSequences: false, goBackwards: true }],
    ['gru', { returnSequences: true, goBackwards: false }],
  ].map(([rnn, o]) => ({
    name: `embedding${maskZero ? ' (maskZero)' : ''}, ${rnn} ${JSON.stringify(o)}`, shape: [6], x: ids(N * 6, 9, 20 + N, maskZero ? 2 : 0),
    loss: 'categoricalCrossentropy', out: 2, tokens: true,
    nn: () => [nn.layers.embedding({ inputDim: 9, outputDim: 3, inputLength: 6, maskZero }),
      nn.layers[rnn]({ units: 4, ...o, ...(rnn === 'simpleRNN' ? {} : { recurrentActivation: 'hardSigmoid' }) }),
      ...(o.returnSequences ? [nn.layers[rnn === 'gru' ? 'lstm' : 'gru']({ units: 3, recurrentActivation: 'sigmoid' })] : []),
      nn.layers.dense({ units: 2, activation: 'softmax' })],
    tf: () => [tf.layers.embedding({ inputDim: 9, outputDim: 3, inputLength: 6, maskZero }),
      tf.layers[rnn]({ units: 4, ...o }),
      ...(o.returnSequences ? [tf.layers[rnn === 'gru' ? 'lstm' : 'gru']({ units: 3, recurrentActivation: 'sigmoid' })] : []),
      tf.layers.dense({ units: 2, activation: 'softmax' })],
  }))),
  ...[
    ['lstm', 'concat', { recurrentActivation: 'sigmoid' }, false], ['gru', 'sum', {}, false], ['gru', 'ave', { returnSequences: true }, false],
    ['simpleRNN', 'mul', { returnSequences: true, activation: 'relu' }, false], ['lstm', 'ave', { returnSequences: true }, true],
    ['gru', 'concat', { goBackwards: true }, true], ['simpleRNN', 'sum', {}, true],
  ].map(([rnn, mergeMode, o, maskZero], k) => ({
    name: `${maskZero ? 'embedding (maskZero), ' : ''}bidirectional ${rnn} ${mergeMode} ${JSON.stringify(o)}`,
    shape: maskZero ? [6] : [5, 3], x: maskZero ? ids(N * 6, 9, 40 + k, 2) : floats(N * 15, 40 + k), tokens: maskZero,
    loss: 'categoricalCrossentropy', out: 2,
    nn: () => [...(maskZero ? [nn.layers.embedding({ inputDim: 9, outputDim: 3, inputLength: 6, maskZero })] : []),
      nn.layers.bidirectional({ ...(maskZero ? {} : { inputShape: [5, 3] }), layer: nn.layers[rnn]({ units: 4, ...o }), mergeMode }),
      ...(o.returnSequences ? [nn.layers.flatten()] : []), nn.layers.dense({ units: 2, activation: 'softmax' })],
    tf: () => [...(maskZero ? [tf.layers.embedding({ inputDim: 9, outputDim: 3, inputLength: 6, maskZero })] : []),
      tf.layers.bidirectional({ ...(maskZero ? {} : { inputShape: [5, 3] }), layer: tf.layers[rnn]({ units: 4, ...o }), mergeMode }),
      ...(o.returnSequences ? [tf.layers.flatten()] : []), tf.layers.dense({ units: 2, activation: 'softmax' })],
  })),
  { name: 'simpleRNN on float sequences, relu, returnSequences + flatten', shape: [5, 3], x: floats(N * 15, 13), loss: 'meanSquaredError', out: 2,
    nn: () => [nn.layers.simpleRNN({ inputShape: [5, 3], units: 4, activation: 'relu', returnSequences: true, dropout: 0.1, recurrentDropout: 0.1 }),
      nn.layers.flatten(), nn.layers.dense({ units: 2 })],
    tf: () => [tf.layers.simpleRNN({ inputShape: [5, 3], units: 4, activation: 'relu', returnSequences: true, dropout: 0.1, recurrentDropout: 0.1 }),
      tf.layers.flatten(), tf.layers.dense({ units: 2 })] },
];

const withShape = (c) => [N, ...c.shape];

for (const c of CASES) {
  test(`nnplay -> TF.js: ${c.name}`, async () => {
    const m = nn.sequential({ seed: 3, layers: c.nn() });
    randomize(m, 17);
    const art = m.toTfjs();
    assert.equal(art.format, 'layers-model');
    assert.ok(art.weightData instanceof ArrayBuffer);
    assert.deepEqual(art.weightSpecs.map((s) => s.name), m.getWeights().map((w) => w.name));
    const t = await tf.loadLayersModel(tf.io.fromMemory(art));
    const d = maxDiff(m.predict(c.x), tfPredict(t, c.x, withShape(c)));
    assert.ok(d <= TOL, `max abs difference ${d}`);
    // and back: the same model, config and weights
    const r = await nn.loadTfjs(art);
    // (a targetShape of -1 is written out: TF.js cannot build a Dense after it)
    const same = (cfg) => JSON.stringify(cfg).replace('"targetShape":[-1]', '"targetShape":[12]');
    assert.equal(same(r.getConfig().layers), same(m.getConfig().layers));
    assert.deepEqual(Array.from(r.predict(c.x)), Array.from(m.predict(c.x)));
    // what TF.js writes for the model it read is what we wrote, key for key
    const again = await tfArtifacts(t);
    const ours = art.modelTopology.config.layers;
    const sameKeys = (l, o, i, what) => {
      assert.equal(l.class_name, o.class_name);
      for (const [k, v] of Object.entries(l.config)) {
        if (k === 'unit_forget_bias' && v === null) continue; // TF.js forgets it (its LSTM getConfig)
        if (k === 'dtype' && i === 0 && !('dtype' in o.config)) continue;
        if (k === 'layer') sameKeys(v, o.config.layer, -1, `${what}'s layer`); // Bidirectional's
        else assert.deepEqual(o.config[k], v, `${what} (${l.class_name}) key ${k}`);
      }
    };
    again.modelTopology.config.layers.forEach((l, i) => sameKeys(l, ours[i], i, `layer ${i}`));
    m.dispose(); r.dispose(); t.dispose();
  });

  test(`TF.js -> nnplay: ${c.name}, trained in TF.js, then further in nnplay`, async () => {
    const t = tf.sequential({ layers: c.tf() });
    const y = oneHot(N, c.out, 5);
    t.compile({ optimizer: tf.train.adam(0.01), loss: c.loss });
    await t.fit(tf.tensor(c.x, withShape(c)), tf.tensor(y, [N, c.out]), { epochs: 3, batchSize: 4, verbose: 0 });
    const art = await tfArtifacts(t);
    const m = await nn.loadTfjs(art, { seed: 2 });
    const d = maxDiff(m.predict(c.x), tfPredict(t, c.x, withShape(c)));
    assert.ok(d <= TOL, `max abs difference ${d}`);
    m.compile({ optimizer: nn.train.adam(0.01), loss: c.loss });
    const before = m.evaluate(c.x, y).loss;
    await m.fit(c.x, y, { epochs: 15, batchSize: 4 });
    const after = m.evaluate(c.x, y).loss;
    assert.ok(after < before, `the loss went from ${before} to ${after}`);
    m.dispose(); t.dispose();
  });
}

test('TF.js\'s defaults come back as TF.js reads them (glorotNormal kernels, hardSigmoid gates)', async () => {
  const t = tf.sequential({ layers: [tf.layers.lstm({ inputShape: [3, 2], units: 2 }), tf.layers.dense({ units: 1 })] });
  const m = await nn.loadTfjs(await tfArtifacts(t));
  assert.equal(m.layers[0].config.recurrentActivation, 'hardSigmoid');
  assert.equal(m.layers[0].config.kernelInitializer, 'glorotNormal');
  assert.equal(m.layers[0].config.unitForgetBias, false); // TF.js leaves it undefined: false
  assert.match(m.toTfjs().weightSpecs[0].name, /^lstm_LSTM\d+\/kernel$/, 'layer names are kept');
  m.dispose(); t.dispose();
});

test('gru with resetAfter (Keras 2\'s default): bias [2, 3u] as Keras writes it; TF.js 4.22 itself refuses such a GRU', async () => {
  const m = nn.sequential({ seed: 4, layers: [nn.layers.gru({ inputShape: [4, 3], units: 5, resetAfter: true, goBackwards: true }), nn.layers.dense({ units: 1 })] });
  randomize(m, 3);
  const art = m.toTfjs();
  assert.equal(art.modelTopology.config.layers[0].config.reset_after, true);
  assert.deepEqual(art.weightSpecs[2], { name: 'gru/bias', shape: [2, 15], dtype: 'float32' });
  await assert.rejects(tf.loadLayersModel(tf.io.fromMemory(art)), /reset_after/);
  const r = await nn.loadTfjs(art);
  const x = floats(3 * 12, 2);
  assert.deepEqual(Array.from(r.predict(x)), Array.from(m.predict(x)));
  m.dispose(); r.dispose();
});

test('compile settings travel as trainingConfig (never the optimizer state): TF.js gets a compiled model, and back', async () => {
  const m = nn.sequential({ seed: 5, layers: [nn.layers.dense({ inputShape: [4], units: 6, activation: 'relu' }), nn.layers.dense({ units: 3, activation: 'softmax' })] });
  m.compile({ optimizer: nn.train.rmsprop(0.02, 0.8, 0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const art = m.toTfjs();
  assert.deepEqual(art.trainingConfig, { loss: 'categorical_crossentropy', metrics: ['accuracy'],
    optimizer_config: { class_name: 'RMSProp', config: { learningRate: 0.02, decay: 0.8, momentum: 0.1, epsilon: 1e-7, centered: false } } });
  const t = await tf.loadLayersModel(tf.io.fromMemory(art));
  assert.equal(t.loss, 'categoricalCrossentropy');
  assert.equal(t.optimizer.getClassName(), 'RMSProp');
  const x = floats(8 * 4, 1);
  const h = await t.fit(tf.tensor(x, [8, 4]), tf.tensor(oneHot(8, 3, 1), [8, 3]), { epochs: 1, verbose: 0 });
  assert.ok(Number.isFinite(h.history.loss[0]));
  const r = await nn.loadTfjs(art);
  assert.ok(Math.abs(r.learningRate - 0.02) < 1e-7);
  await r.fit(x, oneHot(8, 3, 1), { epochs: 1 }); // compiled already
  assert.equal(m.toTfjs({ trainingConfig: false }).trainingConfig, undefined);
  // TF.js's includeOptimizer: its settings are read, its optimizer weights are left out
  const t2 = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
  t2.compile({ optimizer: tf.train.momentum(0.05, 0.8, true), loss: 'meanSquaredError', metrics: ['mae'] });
  await t2.fit(tf.ones([2, 2]), tf.zeros([2, 1]), { epochs: 1, verbose: 0 });
  const r2 = await nn.loadTfjs(await tfArtifacts(t2, { includeOptimizer: true }));
  assert.ok(Math.abs(r2.learningRate - 0.05) < 1e-7);
  assert.equal(r2.evaluate([[1, 1]], [0]).mae >= 0, true);
  m.dispose(); r.dispose(); r2.dispose(); t.dispose(); t2.dispose();
});

test('compile metrics travel as training_config.metrics, through an nnplay file too, and TF.js reports them', async () => {
  const m = nn.sequential({ seed: 6, layers: [nn.layers.dense({ inputShape: [4], units: 5, activation: 'relu' }), nn.layers.dense({ units: 3, activation: 'softmax' })] });
  m.compile({ optimizer: nn.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['acc', 'precision'] });
  const saved = nn.loadModel(m.save()); // the file keeps them, so the export after a load has them
  const art = saved.toTfjs();
  assert.deepEqual(art.trainingConfig.metrics, ['accuracy', 'precision']);
  const x = floats(6 * 4, 2), y = [0, 1, 2, 0, 1, 2];
  const back = await nn.loadTfjs(art);
  const r = back.trainOnBatch(x, y);
  assert.ok(Array.isArray(r) && r.length === 3, `[loss, accuracy, precision], got ${r}`);
  const again = nn.loadModel(back.save());
  assert.deepEqual(Object.keys(again.evaluate(x, y)).slice(0, 3), ['loss', 'accuracy', 'precision']);
  const t = await tf.loadLayersModel(tf.io.fromMemory(art));
  const ev = t.evaluate(tf.tensor(x, [6, 4]), tf.tensor(y, [6, 1]));
  assert.equal(ev.length, 3, 'TF.js compiled it with both metrics');
  tf.dispose(ev);
  // none listed: none written (the log's default accuracy is not a compile setting)
  const plain = nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 1 })] }).compile({ optimizer: 'sgd', loss: 'mse' });
  const plain2 = nn.loadModel(plain.save());
  assert.deepEqual(plain2.toTfjs().trainingConfig.metrics, []);
  for (const k of [m, saved, back, again, plain, plain2, t]) k.dispose();
});

test('what Keras writes (tensorflowjs_converter\'s model.json: model_config, InputLayer, GlorotUniform, layer/cell/weight names, training_config)', async () => {
  const t = tf.sequential({ layers: [tf.layers.lstm({ inputShape: [4, 3], units: 3, recurrentActivation: 'sigmoid', name: 'lstm' }),
    tf.layers.batchNormalization({ name: 'batch_normalization' }), tf.layers.dense({ units: 2, name: 'dense' })] });
  const art = await tfArtifacts(t);
  const layers = clone(art.modelTopology.config.layers);
  delete layers[0].config.batch_input_shape;
  layers[0].config.kernel_initializer = { class_name: 'GlorotUniform', config: { seed: null } };
  Object.assign(layers[0].config, { time_major: false, implementation: 2, unit_forget_bias: true });
  layers[1].config.axis = [1]; // Keras's axis counts the batch
  const keras = {
    modelTopology: { keras_version: '2.13.1', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 'sequential',
      layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 4, 3], dtype: 'float32', sparse: false, ragged: false, name: 'lstm_input' } }, ...layers] } },
    training_config: { loss: 'mse', metrics: ['mae'], optimizer_config: { class_name: 'Adam', config: { name: 'Adam', learning_rate: 0.01, decay: 0.0, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false } } } },
    format: 'layers-model',
    weightSpecs: art.weightSpecs.map((s) => ({ ...s, name: s.name.replace('lstm/', 'lstm/lstm_cell/') })),
    weightData: art.weightData,
  };
  const m = await nn.loadTfjs(keras);
  const x = floats(5 * 12, 3);
  assert.ok(maxDiff(m.predict(x), tfPredict(t, x, [5, 4, 3])) <= TOL);
  assert.equal(m.layers[0].config.kernelInitializer, 'glorotUniform');
  assert.ok(Math.abs(m.learningRate - 0.01) < 1e-7, 'training_config compiled it');
  m.dispose(); t.dispose();
});

test('bidirectional: what TF.js writes (merge_mode, the nested layer named, forward_<its name>/ weights), two in a model, Keras\'s cell names, refusals', async () => {
  const m = nn.sequential({ seed: 6, layers: [
    nn.layers.bidirectional({ inputShape: [4, 2], layer: nn.layers.lstm({ units: 3, returnSequences: true }), mergeMode: 'sum' }),
    nn.layers.bidirectional({ layer: nn.layers.simpleRNN({ units: 2 }) }), nn.layers.dense({ units: 1 })] });
  randomize(m, 6);
  const art = m.toTfjs();
  const [b1, b2] = art.modelTopology.config.layers;
  assert.deepEqual(Object.keys(b1.config), ['merge_mode', 'layer', 'name', 'trainable', 'batch_input_shape', 'dtype']);
  assert.equal(b1.config.merge_mode, 'sum');
  assert.equal(b2.config.merge_mode, 'concat');
  assert.deepEqual([b1.config.layer.class_name, b1.config.layer.config.name, b2.config.layer.config.name], ['LSTM', 'lstm', 'simple_rnn']);
  assert.deepEqual(art.weightSpecs.slice(0, 4).map((w) => w.name), ['bidirectional/forward_lstm/kernel',
    'bidirectional/forward_lstm/recurrent_kernel', 'bidirectional/forward_lstm/bias', 'bidirectional/backward_lstm/kernel']);
  const t = await tf.loadLayersModel(tf.io.fromMemory(art));
  // (originalName: TF.js suffixes a variable's name when an earlier model used it)
  assert.deepEqual(t.weights.map((w) => w.originalName), art.weightSpecs.map((w) => w.name), 'TF.js names them as we do');
  const x = floats(3 * 8, 6);
  assert.ok(maxDiff(m.predict(x), tfPredict(t, x, [3, 4, 2])) <= TOL);
  // Keras's names: bidirectional/forward_lstm/lstm_cell/kernel
  const keras = clone({ ...art, weightData: null });
  keras.weightData = art.weightData;
  keras.weightSpecs = art.weightSpecs.map((w) => ({ ...w, name: w.name.replace(/^(bidirectional\/\w+_lstm)\//, '$1/lstm_cell/') }));
  assert.equal(keras.weightSpecs[0].name, 'bidirectional/forward_lstm/lstm_cell/kernel');
  const k = await nn.loadTfjs(keras);
  assert.deepEqual(Array.from(k.predict(x)), Array.from(m.predict(x)));
  assert.deepEqual(k.getConfig().layers, m.getConfig().layers);
  k.dispose();

  const cases = [
    [(l) => { l[0].config.merge_mode = null; }, /layer 0 'bidirectional' \('Bidirectional'\): .*mergeMode null gives the two directions' outputs as a list/],
    [(l) => { l[0].config.merge_mode = 'max'; }, /'bidirectional' \('Bidirectional'\): .*unknown mergeMode 'max'/],
    [(l) => { l[0].config.num_constants = 1; }, /'bidirectional' \('Bidirectional'\): num_constants 1 is not supported \(nnplay: null\)/],
    [(l) => { l[0].config.backward_layer = clone(l[0].config.layer); }, /'bidirectional' \('Bidirectional'\): unsupported option 'backward_layer'/],
    [(l) => { l[0].config.layer.config.stateful = true; }, /'bidirectional' \('Bidirectional'\): its layer 'lstm' \(LSTM\): stateful true is not supported/],
    [(l) => { l[0].config.layer.config.batch_input_shape = [null, 4, 2]; }, /its layer 'lstm' \(LSTM\): unsupported option 'batch_input_shape'/],
    [(l) => { l[0].config.layer = { class_name: 'Dense', config: { units: 2 } }; }, /'Bidirectional'\): .*layer must be a recurrent layer \(simpleRNN, lstm or gru\), got dense/],
    [(l) => { l[0].config.layer = { class_name: 'ConvLSTM2D', config: {} }; }, /'Bidirectional'\): its layer's class 'ConvLSTM2D' is not an nnplay layer/],
    [(l) => { l[0].config.layer = 'lstm'; }, /'Bidirectional'\): layer 'lstm' is not a \{class_name, config\} entry/],
    [(l) => { l[0].config.layer.config.name = 'other'; }, /no weight 'bidirectional\/forward_other\/kernel' in weightSpecs/],
  ];
  for (const [f, re] of cases) await assert.rejects(nn.loadTfjs(edit(art, (a, l) => f(l))), re);
  const bad = nn.sequential({ layers: [nn.layers.bidirectional({ inputShape: [4, 2], layer: nn.layers.gru({ units: 2, recurrentActivation: 'leakyRelu' }) })] });
  assert.throws(() => bad.toTfjs(), /toTfjs: layer 0 'bidirectional' \(Bidirectional\): its layer \(GRU\): recurrent_activation 'leakyRelu' has no TF.js\/Keras activation name$/);
  m.dispose(); t.dispose(); bad.dispose();
  await assertStillWorks();
});

const clone = (v) => JSON.parse(JSON.stringify(v));

function tmpdir() { return fs.mkdtempSync(path.join(os.tmpdir(), 'nnplay-tfjs-')); }

test('files in Node: saveTfjs writes model.json + group1-shard1of1.bin that TF.js reads; loadTfjs reads a path, a file:// URL, bytes', async () => {
  const dir = tmpdir();
  const m = nn.sequential({ seed: 8, layers: [nn.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3 }),
    nn.layers.flatten(), nn.layers.dense({ units: 2, activation: 'softmax' })] });
  randomize(m, 8);
  const x = floats(4 * 25, 4);
  const res = await m.saveTfjs(path.join(dir, 'cnn'));
  assert.deepEqual(res.files, [path.join(dir, 'cnn', 'model.json'), path.join(dir, 'cnn', 'group1-shard1of1.bin')]);
  const json = JSON.parse(fs.readFileSync(res.files[0], 'utf8'));
  assert.deepEqual(json.weightsManifest[0].paths, ['group1-shard1of1.bin']);
  assert.equal(fs.statSync(res.files[1]).size, m.countParams() * 4);
  // TF.js's own reader of the two files (tfjs-node's file:// is not installed): tf.io.fromMemory
  const t = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
    weightData: new Uint8Array(fs.readFileSync(res.files[1])).buffer }));
  assert.ok(maxDiff(m.predict(x), tfPredict(t, x, [4, 5, 5, 1])) <= TOL);
  for (const src of [res.files[0], `file://${res.files[0]}`, [fs.readFileSync(res.files[0]), fs.readFileSync(res.files[1])],
    [fs.readFileSync(res.files[0], 'utf8'), new Blob([fs.readFileSync(res.files[1])])]]) {
    const r = await nn.loadTfjs(src);
    assert.deepEqual(Array.from(r.predict(x)), Array.from(m.predict(x)));
    r.dispose();
  }
  m.dispose(); t.dispose();
});

test('files from TF.js: a model.json with two weight shards (as the converter splits them), read by path and over http', async () => {
  const t = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 5, activation: 'tanh' }), tf.layers.dense({ units: 2 })] });
  const art = await tfArtifacts(t);
  const dir = tmpdir();
  const all = new Uint8Array(art.weightData);
  fs.writeFileSync(path.join(dir, 'group1-shard1of2.bin'), all.subarray(0, 30));
  fs.writeFileSync(path.join(dir, 'group1-shard2of2.bin'), all.subarray(30));
  const { weightData, weightSpecs, ...rest } = art;
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ ...rest,
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: weightSpecs }] }));
  const x = floats(6 * 3, 7);
  const want = tfPredict(t, x, [6, 3]);
  const m = await nn.loadTfjs(path.join(dir, 'model.json'));
  assert.ok(maxDiff(m.predict(x), want) <= TOL);
  const server = http.createServer((req, res) => {
    const f = path.join(dir, path.basename(req.url));
    if (!fs.existsSync(f)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200); res.end(fs.readFileSync(f));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const base = `http://127.0.0.1:${server.address().port}`;
    const h = await nn.loadTfjs(`${base}/model.json`);
    assert.ok(maxDiff(h.predict(x), want) <= TOL);
    h.dispose();
    await assert.rejects(nn.loadTfjs(`${base}/missing.json`), /missing\.json answered 404/);
  } finally { server.close(); }
  await assert.rejects(nn.loadTfjs(path.join(dir, 'nope.json')), /cannot read .*nope\.json: ENOENT/);
  fs.rmSync(path.join(dir, 'group1-shard2of2.bin'));
  await assert.rejects(nn.loadTfjs(path.join(dir, 'model.json')), /cannot read .*group1-shard2of2\.bin/);
  m.dispose(); t.dispose();
});

test('downloads:// in a browser: two files, name.json and name.weights.bin, as TF.js\'s own downloads', async () => {
  const clicked = [];
  const urls = new Map();
  const saved = { document: globalThis.document, create: URL.createObjectURL, revoke: URL.revokeObjectURL };
  globalThis.document = { createElement: () => ({ click() { clicked.push([this.download, urls.get(this.href)]); } }) };
  URL.createObjectURL = (blob) => { const u = `blob:${urls.size}`; urls.set(u, blob); return u; };
  URL.revokeObjectURL = () => {};
  const m = nn.sequential({ seed: 2, layers: [nn.layers.dense({ inputShape: [2], units: 2 })] });
  try {
    const res = await m.saveTfjs('downloads://xor');
    assert.deepEqual(res.files, ['xor.json', 'xor.weights.bin']);
  } finally {
    if (saved.document === undefined) delete globalThis.document; else globalThis.document = saved.document;
    URL.createObjectURL = saved.create; URL.revokeObjectURL = saved.revoke;
  }
  assert.deepEqual(clicked.map(([n]) => n), ['xor.json', 'xor.weights.bin']);
  const json = JSON.parse(await clicked[0][1].text());
  assert.deepEqual(json.weightsManifest[0].paths, ['./xor.weights.bin']);
  const files = clicked.map(([name, blob]) => new File([blob], name));
  const r = await nn.loadTfjs([files[0], files[1]]);
  assert.deepEqual(Array.from(r.predict([[1, 2]])), Array.from(m.predict([[1, 2]])));
  await assert.rejects(m.saveTfjs('downloads://x'), /'downloads:\/\/' needs a browser page/);
  m.dispose(); r.dispose();
});

test('frozen layers travel both ways: TF.js\'s trainable false is nnplay\'s, and back', async () => {
  const t = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4, name: 'base' }), tf.layers.dense({ units: 2, name: 'head' })] });
  t.layers[0].trainable = false;
  const m = await nn.loadTfjs(await tfArtifacts(t));
  assert.deepEqual(m.layers.map((l) => l.trainable), [false, true]);
  const art = m.toTfjs();
  assert.deepEqual(art.modelTopology.config.layers.map((l) => l.config.trainable), [false, true]);
  const back = await tf.loadLayersModel(tf.io.fromMemory(art));
  assert.deepEqual(back.layers.map((l) => l.trainable), [false, true]);
  t.dispose(); back.dispose(); m.dispose();
});

// ---- refusals: each names the problem, and the module keeps working ----

async function denseArtifacts() {
  const t = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4, name: 'd1' }), tf.layers.dense({ units: 2, name: 'd2' })] });
  const art = await tfArtifacts(t);
  t.dispose();
  return art;
}
const edit = (art, f) => { const a = clone({ ...art, weightData: null }); a.weightData = art.weightData; f(a, a.modelTopology.config.layers); return a; };

test('import refusals name the layer and the option', async () => {
  const art = await denseArtifacts();
  const used = nn.info().heapUsed;
  const cases = [
    [(a, l) => { l[1].class_name = 'Conv1D'; }, /layer 1 'd2' \('Conv1D'\): unknown layer class 'Conv1D' \(nnplay reads Dense, .*LSTM, GRU, Bidirectional, Conv2DTranspose, UpSampling2D, LeakyReLU, ELU, ReLU, Softmax\)/],
    [(a, l) => { l[0].config.kernel_constraint = { class_name: 'MaxNorm', config: { max_value: 2 } }; }, /layer 0 'd1' \('Dense'\): kernel_constraint .*MaxNorm.* is not supported/],
    [(a, l) => { l[0].config.bias_regularizer = { class_name: 'L1L2', config: { l1: 0, l2: 0.1 } }; }, /'d1' .*bias_regularizer .* is not supported/],
    [(a, l) => { l[0].config.kernel_regularizer = { class_name: 'Orthogonality', config: {} }; }, /kernel_regularizer .* is not supported \(nnplay: L1L2 on the kernel only\)/],
    [(a, l) => { l[0].config.activation = 'selu'; }, /'d1' .*activation 'selu' is not supported \(nnplay reads linear, relu, elu, sigmoid, tanh, softmax, hard_sigmoid/],
    [(a, l) => { l[0].config.kernel_initializer = { class_name: 'LeCunNormal', config: { seed: null } }; }, /kernel_initializer .*LeCunNormal.* has no nnplay initializer/],
    [(a, l) => { l[0].config.kernel_initializer = { class_name: 'RandomUniform', config: { minval: -1, maxval: 1 } }; }, /kernel_initializer .*RandomUniform.* has no nnplay initializer/],
    [(a, l) => { l[1].config.trainable = 'no'; }, /'d2' .*trainable must be true or false, got 'no'/],
    [(a, l) => { l[1].config.fancy = 1; }, /'d2' \('Dense'\): unsupported option 'fancy'/],
    [(a, l) => { l[0].config.units = 0; }, /'d1' \('Dense'\): .*units/],
    [(a, l) => { l[0].config.batch_input_shape = [null, null]; }, /batch_input_shape \[null,null\]: nnplay needs a fixed input shape/],
    [(a, l) => { delete l[0].config.batch_input_shape; }, /the first layer has no batch_input_shape/],
    [(a, l) => { l[0].config.dtype = 'int32'; }, /dtype 'int32' is not supported/],
    [(a) => { a.modelTopology.class_name = 'Model'; }, /only Sequential models can be read, this one is a 'Model'/],
    [(a) => { a.format = 'graph-model'; }, /format 'graph-model' is not a Layers model/],
    [(a) => { a.weightData = a.weightData.slice(0, 40); }, /the weight data has 40 bytes, but weightSpecs describe 104 \(truncated/],
    [(a) => { a.weightSpecs[0].shape = [4, 3]; }, /weight 'd1\/kernel' has shape \[4, 3\], layer 0 'd1' needs \[3, 4\]/],
    [(a) => { a.weightSpecs[0].name = 'd1/kernelx'; }, /no weight 'd1\/kernel' in weightSpecs/],
    [(a) => { a.weightSpecs[3].dtype = 'int32'; }, /weight 'd2\/bias' is int32; nnplay reads float32 weights only/],
    [(a) => { a.weightSpecs[3].quantization = { dtype: 'uint8', scale: 1, min: 0 }; }, /weight 'd2\/bias' is quantized/],
    [(a) => { a.trainingConfig = { loss: 'mean_squared_error', optimizer_config: { class_name: 'Adamax', config: {} } }; }, /trainingConfig .*optimizer 'Adamax' is not supported/],
    [(a) => { a.trainingConfig = { loss: 'huber', optimizer_config: { class_name: 'SGD', config: { learningRate: 0.1 } } }; }, /trainingConfig .*unknown loss 'huber'/],
  ];
  for (const [f, re] of cases) await assert.rejects(nn.loadTfjs(edit(art, f)), re);
  // a stateful RNN, a BatchNormalization without center, a dilated conv, a causal padding
  const rnn = tf.sequential({ layers: [tf.layers.simpleRNN({ inputShape: [3, 2], units: 2 })] });
  const ra = await tfArtifacts(rnn);
  await assert.rejects(nn.loadTfjs(edit(ra, (a, l) => { l[0].config.stateful = true; })), /simple_rnn_SimpleRNN\d+' \('SimpleRNN'\): stateful true is not supported \(nnplay: false\)/);
  await assert.rejects(nn.loadTfjs(edit(ra, (a, l) => { l[0].config.return_state = true; })),
    /simple_rnn_SimpleRNN\d+' \('SimpleRNN'\): adding a SimpleRNN layer: simpleRNN: returnState gives the layer several outputs/);
  const cnn = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 1, kernelSize: 2 }), tf.layers.batchNormalization({})] });
  const ca = await tfArtifacts(cnn);
  await assert.rejects(nn.loadTfjs(edit(ca, (a, l) => { l[1].config.center = false; })), /'BatchNormalization'\): center false is not supported \(nnplay: true\)/);
  await assert.rejects(nn.loadTfjs(edit(ca, (a, l) => { l[0].config.dilation_rate = [2, 2]; })), /dilation_rate \[2,2\] is not supported/);
  await assert.rejects(nn.loadTfjs(edit(ca, (a, l) => { l[0].config.padding = 'causal'; })), /'Conv2D'\): .*causal/);
  await assert.rejects(nn.loadTfjs(edit(ca, (a, l) => { l[0].config.data_format = 'channels_first'; })), /'Conv2D'\): .*channelsFirst/);
  // Keras's output_padding, a bilinear upsampling, a dilated transposed conv
  const up = tf.sequential({ layers: [tf.layers.conv2dTranspose({ inputShape: [3, 3, 1], filters: 1, kernelSize: 3, strides: 2 }), tf.layers.upSampling2d({})] });
  const ua = await tfArtifacts(up);
  await assert.rejects(nn.loadTfjs(edit(ua, (a, l) => { l[0].config.output_padding = [1, 1]; })), /'Conv2DTranspose'\): output_padding \[1,1\] is not supported \(nnplay: null\)/);
  await assert.rejects(nn.loadTfjs(edit(ua, (a, l) => { l[0].config.dilation_rate = [2, 2]; })), /'Conv2DTranspose'\): dilation_rate \[2,2\] is not supported/);
  await assert.rejects(nn.loadTfjs(edit(ua, (a, l) => { l[1].config.interpolation = 'bilinear'; })), /'UpSampling2D'\): .*interpolation 'bilinear' is not supported \(TF.js and Keras compute it differently\); use 'nearest'/);
  const fine = await nn.loadTfjs(edit(ua, (a, l) => { l[0].config.output_padding = null; }));
  assert.deepEqual(fine.outputShape, [14, 14, 1]);
  fine.dispose(); up.dispose();
  // bad JSON and bad sources
  await assert.rejects(nn.loadTfjs([new TextEncoder().encode('{"modelTopology": '), new Uint8Array(8)]), /model.json is not valid JSON/);
  await assert.rejects(nn.loadTfjs(['[1, 2]', new Uint8Array(0)]), /model.json is not valid JSON \(it holds \[1,2\]\)/);
  await assert.rejects(nn.loadTfjs({ modelTopology: art.modelTopology, weightsManifest: [] }), /model.json without its weights/);
  await assert.rejects(nn.loadTfjs(42), /loadTfjs takes TF.js ModelArtifacts/);
  await assert.rejects(nn.loadTfjs({ modelTopology: 'x' }), /modelTopology is missing/);
  assert.equal(nn.info().heapUsed, used, 'refused loads free what they built');
  // the untouched artifacts still load
  const ok = await nn.loadTfjs(art);
  ok.dispose(); rnn.dispose(); cnn.dispose();
  await assertStillWorks();
});

test('export refusals: what TF.js cannot express is named, never dropped', async () => {
  const m1 = nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 2, activation: 'leakyRelu' })] });
  assert.throws(() => m1.toTfjs(), /toTfjs: layer 0 'dense' \(Dense\): activation 'leakyRelu' has no TF.js\/Keras activation name; use activation 'linear' followed by nn.layers.activation/);
  const m2 = nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 2 }), nn.layers.activation({ activation: 'elu', alpha: 0.5 })] });
  assert.throws(() => m2.toTfjs(), /layer 1 'activation' \(Activation\): elu with alpha 0.5: TF.js's elu has alpha 1 only/);
  const m3 = nn.sequential({ layers: [nn.layers.lstm({ inputShape: [3, 2], units: 2, recurrentActivation: 'leakyRelu' })] });
  assert.throws(() => m3.toTfjs(), /\(LSTM\): recurrent_activation 'leakyRelu' has no TF.js\/Keras activation name$/);
  // two layers of one name: refused when the model is built (the core keeps names unique)
  assert.throws(() => nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 2, name: 'a' }), nn.layers.dense({ units: 2, name: 'a' })] }),
    /a layer named 'a' is already in the model \(layer 0\); layer names must be unique/);
  const m6 = nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 2 })] });
  m6.compile({ optimizer: { ...nn.train.adam(), clipNorm: 1 }, loss: 'mse' });
  assert.throws(() => m6.toTfjs(), /the compile settings \(pass \{ trainingConfig: false \} to leave them out\): clipNorm/);
  const m5 = nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 2 })] }).compile({ optimizer: 'sgd', loss: 'mse', metrics: ['r2'] });
  assert.throws(() => m5.toTfjs(), /metric 'r2' has no TF.js metric name/);
  assert.equal(m5.toTfjs({ trainingConfig: false }).trainingConfig, undefined);
  await assert.rejects(m5.saveTfjs(42), /saveTfjs: target must be a folder path/);
  for (const m of [m1, m2, m3, m5, m6]) m.dispose();
  await assertStillWorks();
});

test('a model of models (a GAN chain) exports as the one plain model save() writes: TF.js predicts the same', async () => {
  const G = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [3], units: 8, activation: 'relu' }),
    nn.layers.batchNormalization({}), nn.layers.dense({ units: 4, activation: 'tanh' })] });
  const D = nn.sequential({ seed: 2, layers: [nn.layers.dense({ inputShape: [4], units: 6 }),
    nn.layers.activation({ activation: 'leakyRelu', alpha: 0.2 }), nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
  randomize(G, 5); randomize(D, 6);
  const gan = nn.sequential({ name: 'gan', layers: [G, D] });
  const art = gan.toTfjs({ trainingConfig: false });
  // both models' first layers are 'dense': the names are made unique, as in save()'s file
  const specs = art.weightSpecs.map((s) => s.name);
  assert.equal(new Set(specs).size, specs.length, specs.join(' '));
  const flat = nn.loadModel(gan.save());
  assert.deepEqual(specs, flat.getWeights().map((w) => w.name));
  flat.dispose();
  const x = floats(5 * 3, 7);
  const t = await tf.loadLayersModel(tf.io.fromMemory(art));
  const d = maxDiff(gan.predict(x), tfPredict(t, x, [5, 3]));
  assert.ok(d <= TOL, `max abs difference ${d}`);
  t.dispose();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnplay-chain-tfjs-'));
  const { files } = await gan.saveTfjs(dir);
  assert.deepEqual(files.map((f) => path.basename(f)).sort(), ['group1-shard1of1.bin', 'model.json']);
  assert.deepEqual(Array.from((await nn.loadTfjs(path.join(dir, 'model.json'))).predict(x)), Array.from(gan.predict(x)));
  gan.dispose();
  assert.throws(() => gan.toTfjs(), /disposed/);
  assert.equal(G.predict(floats(3, 1)).length, 4, 'the models given stay usable');
  G.dispose(); D.dispose();
  await assertStillWorks();
});
