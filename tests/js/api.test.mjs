// The JS API end to end, as a TensorFlow.js Layers user would use it.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';
import { close, XOR_X, XOR_Y, binaryMetrics, argmax, sleep } from './helpers.mjs';

before(async () => { await nn.ready(); });

const mlp = (seed, hidden = 8, out = 1, outAct = 'sigmoid', extra = []) => nn.sequential({ seed, layers: [
  nn.layers.dense({ inputShape: [2], units: hidden, activation: 'tanh' }),
  ...extra,
  nn.layers.dense({ units: out, activation: outAct }),
] });

const flat = (ws) => ws.map((w) => Array.from(w));

describe('module', () => {
  test('ready() twice is fine and info() describes the build', async () => {
    await nn.ready();
    const i = nn.info();
    assert.equal(i.simd, 'wasm-simd128');
    assert.equal(i.version, nn.version);
    assert.match(i.version, /^\d+\.\d+\.\d+$/);
    assert.ok(i.heapBytes >= 1 << 20, `heapBytes ${i.heapBytes}`);
    assert.ok(Number.isInteger(i.heapUsed) && i.heapUsed >= 0 && i.heapUsed <= i.heapBytes);
  });
});

describe('building models', () => {
  test('sequential({seed, layers}) and add() build the same model', () => {
    const a = nn.sequential({ seed: 5, layers: [
      nn.layers.dense({ inputShape: [2], units: 8, activation: 'relu' }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    const b = nn.sequential({ seed: 5 });
    assert.equal(b.add(nn.layers.dense({ inputShape: [2], units: 8, activation: 'relu' })), b, 'add() chains');
    b.add(nn.layers.dense({ units: 3, activation: 'softmax' }));
    assert.deepEqual(flat(a.getWeights()), flat(b.getWeights()));
    a.dispose(); b.dispose();
  });

  test('layers, layerInfo, countParams, inputShape, outputShape', () => {
    const m = nn.sequential({ seed: 1, layers: [
      nn.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),
      nn.layers.dropout({ rate: 0.25 }),
      nn.layers.dense({ units: 6, useBias: false, activation: 'leakyRelu', alpha: 0.2 }),
      nn.layers.activation({ activation: 'tanh' }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    assert.deepEqual(m.inputShape, [4]);
    assert.deepEqual(m.outputShape, [3]);
    assert.equal(m.countParams(), 4 * 8 + 8 + 8 * 6 + 6 * 3 + 3);
    const ls = m.layers;
    assert.equal(ls.length, 5);
    assert.deepEqual(ls.map((l) => l.type), ['dense', 'dropout', 'dense', 'activation', 'dense']);
    assert.deepEqual(ls.map((l) => l.className), ['Dense', 'Dropout', 'Dense', 'Activation', 'Dense']);
    assert.deepEqual(ls.map((l) => l.numParams), [40, 0, 48, 0, 21]);
    assert.deepEqual(ls.map((l) => l.outputShape), [[8], [8], [6], [6], [3]]);
    assert.deepEqual(ls.map((l) => l.paramOffset), [0, 40, 40, 88, 88]);
    const l0 = m.layerInfo(0);
    assert.equal(l0.units, 8);
    assert.equal(l0.activation, 'relu');
    assert.equal(l0.useBias, true);
    assert.equal(m.layerInfo(1).rate, 0.25);
    assert.equal(m.layerInfo(2).useBias, false);
    assert.equal(m.layerInfo(2).activation, 'leakyRelu');
    close(m.layerInfo(2).alpha, 0.2, 1e-6);
    assert.equal(m.layerInfo(3).activation, 'tanh');
    assert.equal(m.layerInfo(4).activation, 'softmax');
    assert.throws(() => m.layerInfo(5), /no layer 5/);
    // getWeights: dense layers only, in TF.js layout; no bias for useBias: false
    assert.deepEqual(m.getWeights().map((w) => w.shape), [[4, 8], [8], [8, 6], [6, 3], [3]]);
    m.dispose();
  });

  test('inputDim and batchInputShape work like inputShape; activation aliases', () => {
    const a = nn.sequential({ seed: 2, layers: [nn.layers.dense({ inputDim: 3, units: 2, activation: 'leaky_relu' })] });
    const b = nn.sequential({ seed: 2, layers: [nn.layers.dense({ batchInputShape: [null, 3], units: 2, activation: 'leakyRelu' })] });
    assert.deepEqual(a.inputShape, [3]);
    assert.deepEqual(b.inputShape, [3]);
    assert.equal(a.layerInfo(0).activation, 'leakyRelu');
    assert.deepEqual(flat(a.getWeights()), flat(b.getWeights()));
    a.dispose(); b.dispose();
  });

  test('summary() returns Keras-like text with parameter counts; printFn null is silent', () => {
    const m = mlp(1, 8, 3, 'softmax');
    let printed = null;
    const text = m.summary((s) => { printed = s; });
    assert.equal(printed, text);
    assert.equal(m.summary(null), text);
    assert.match(text, /Layer \(type\)/);
    assert.match(text, /Param #/);
    assert.match(text, /Total params: 51\b/);
    const lines = text.split('\n');
    assert.ok(lines.some((l) => /Dense/.test(l) && /\[null,8\]/.test(l) && /\b24$/.test(l.trim())), text);
    assert.ok(lines.some((l) => /Dense/.test(l) && /\[null,3\]/.test(l) && /\b27$/.test(l.trim())), text);
    m.dispose();
  });
});

describe('compile: optimizers', () => {
  const cases = [
    ['nn.train.sgd(0.5)', () => nn.train.sgd(0.5), 0.5],
    ['nn.train.momentum(0.1, 0.9)', () => nn.train.momentum(0.1, 0.9), 0.1],
    ['nn.train.momentum(0.1, 0.9, true)', () => nn.train.momentum(0.1, 0.9, true), 0.1],
    ['nn.train.adam(0.02)', () => nn.train.adam(0.02), 0.02],
    ['nn.train.rmsprop(0.01)', () => nn.train.rmsprop(0.01), 0.01],
    ['nn.train.rmsprop(0.01, 0.9, 0.5)', () => nn.train.rmsprop(0.01, 0.9, 0.5), 0.01],
    ['nn.train.adagrad(0.2)', () => nn.train.adagrad(0.2), 0.2],
    ["'adam'", () => 'adam', 0.001],
    ["'sgd'", () => 'sgd', 0.01],
    ["'rmsprop'", () => 'rmsprop', 0.001],
    ["'adagrad'", () => 'adagrad', 0.01],
  ];
  for (const [name, opt, lr] of cases) {
    test(`${name} trains (loss goes down) with learning rate ${lr}`, async () => {
      const d = nn.data.generate('gauss', { n: 200, seed: 3 });
      const m = mlp(4);
      assert.equal(m.compile({ optimizer: opt(), loss: 'binaryCrossentropy' }), m, 'compile chains');
      close(m.learningRate, lr, 1e-6, 'learningRate');
      const before = m.evaluate(d.x, d.y).loss;
      // string optimizers use TF.js's small default rates: give them more steps
      const epochs = typeof opt() === 'string' ? 40 : 10;
      await m.fit(d.x, d.y, { epochs, batchSize: 10 });
      const after = m.evaluate(d.x, d.y).loss;
      assert.ok(after < before * 0.9, `loss ${before} -> ${after}`);
      assert.equal(m.steps, epochs * 20);
      m.dispose();
    });
  }
});

describe('compile: losses match hand-computed values', () => {
  // a fixed linear layer 2 -> k, so outputs are known in JS
  const W2 = [[0.5, -1.0, 0.25], [1.5, 0.5, -0.75]];
  const B = [0.1, -0.2, 0.3];
  const X = [[0.2, -0.4], [1, 1], [-0.5, 0.8], [0.3, 0.3], [-1, -0.2]];
  const lin = (k) => X.map(([a, b]) => Array.from({ length: k }, (_, j) => a * W2[0][j] + b * W2[1][j] + B[j]));
  const model = (k, act, loss, extra = {}) => {
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [2], units: k, activation: act })] });
    m.setWeights([W2.map((r) => r.slice(0, k)), B.slice(0, k)]);
    m.compile({ optimizer: 'sgd', loss, ...extra });
    return m;
  };
  const sig = (z) => 1 / (1 + Math.exp(-z));
  const softmax = (z) => { const mx = Math.max(...z); const e = z.map((v) => Math.exp(v - mx)); const s = e.reduce((a, b) => a + b); return e.map((v) => v / s); };
  const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;

  test('meanSquaredError / mse / mean_squared_error and meanAbsoluteError / mae', () => {
    const Y = [[0.1, 0.2], [1, -1], [0, 0.5], [2, 0], [-1, -1]];
    const out = lin(2);
    const mse = mean(out.map((r, i) => mean(r.map((v, j) => (v - Y[i][j]) ** 2))));
    const mae = mean(out.map((r, i) => mean(r.map((v, j) => Math.abs(v - Y[i][j])))));
    for (const name of ['meanSquaredError', 'mse', 'mean_squared_error']) {
      const m = model(2, 'linear', name);
      close(m.evaluate(X, Y).loss, mse, 1e-5, name);
      m.dispose();
    }
    for (const name of ['meanAbsoluteError', 'mae', 'mean_absolute_error']) {
      const m = model(2, 'linear', name);
      close(m.evaluate(X, Y).loss, mae, 1e-5, name);
      m.dispose();
    }
  });

  test('binaryCrossentropy, with a sigmoid output and fromLogits', () => {
    const Y = [1, 0, 1, 1, 0];
    const z = lin(1).map((r) => r[0]);
    const bce = mean(z.map((v, i) => -(Y[i] * Math.log(sig(v)) + (1 - Y[i]) * Math.log(1 - sig(v)))));
    for (const name of ['binaryCrossentropy', 'binary_crossentropy']) {
      const m = model(1, 'sigmoid', name);
      close(m.evaluate(X, Y).loss, bce, 1e-5, name);
      m.dispose();
    }
    const lg = model(1, 'linear', 'binaryCrossentropy', { fromLogits: true });
    close(lg.evaluate(X, Y).loss, bce, 1e-5, 'fromLogits');
    close(Array.from(lg.predict(X)), z, 1e-5, 'logits are predicted as they are');
    lg.dispose();
  });

  test('categoricalCrossentropy (one-hot) equals sparseCategoricalCrossentropy (indices), also fromLogits', () => {
    const labels = [2, 0, 1, 1, 0];
    const cce = mean(lin(3).map((z, i) => -Math.log(softmax(z)[labels[i]])));
    const oneHot = nn.data.oneHot(labels, 3);
    for (const [name, y] of [['categoricalCrossentropy', oneHot], ['categorical_crossentropy', oneHot],
      ['sparseCategoricalCrossentropy', labels], ['sparse_categorical_crossentropy', Int32Array.from(labels)]]) {
      const m = model(3, 'softmax', name);
      close(m.evaluate(X, y).loss, cce, 1e-5, name);
      m.dispose();
      const lg = model(3, 'linear', name, { fromLogits: true });
      close(lg.evaluate(X, y).loss, cce, 1e-5, `${name} fromLogits`);
      lg.dispose();
    }
    const m = model(3, 'softmax', 'sparseCategoricalCrossentropy');
    const p = m.predict(X);
    for (let i = 0; i < X.length; i++) close(Array.from(p.subarray(i * 3, i * 3 + 3)), softmax(lin(3)[i]), 1e-5, `softmax row ${i}`);
    m.dispose();
  });
});

describe('metrics', () => {
  const ALL = ['accuracy', 'precision', 'recall', 'f1', 'mse', 'mae', 'r2'];

  test('log keys follow the names given, val_ prefixed for validation', async () => {
    const d = nn.data.generate('circle', { n: 120, seed: 2 });
    const m = mlp(3);
    m.compile({ optimizer: nn.train.adam(0.02), loss: 'binaryCrossentropy', metrics: ALL });
    const h = await m.fit(d.x, d.y, { epochs: 3, batchSize: 16, validationSplit: 0.25 });
    assert.deepEqual(h.epoch, [0, 1, 2]);
    assert.deepEqual(Object.keys(h.history).sort(),
      ['loss', ...ALL, 'val_loss', ...ALL.map((k) => `val_${k}`)].sort());
    for (const [k, v] of Object.entries(h.history)) {
      assert.equal(v.length, 3, k);
      assert.ok(v.every(Number.isFinite), `${k} finite`);
    }
    for (const k of ['accuracy', 'precision', 'recall', 'f1']) {
      assert.ok(h.history[k].every((v) => v >= 0 && v <= 1), `${k} in [0, 1]`);
    }
    m.dispose();
  });

  test("'acc' alias and TF.js metric names give keys as written", async () => {
    const d = nn.data.generate('gauss', { n: 64, seed: 2 });
    const m = mlp(3);
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['acc', 'meanSquaredError'] });
    const h = await m.fit(d.x, d.y, { epochs: 2, validationData: [d.x, d.y] });
    assert.deepEqual(Object.keys(h.history).sort(), ['acc', 'loss', 'meanSquaredError', 'val_acc', 'val_loss', 'val_meanSquaredError']);
    const ev = m.evaluate(d.x, d.y);
    // the last epoch's validation (after training) is what evaluate says on the same data
    close(h.history.val_loss[1], ev.loss, 1e-6, 'val_loss');
    close(h.history.val_acc[1], ev.acc, 1e-9, 'val_acc');
    close(ev.acc, ev.accuracy, 0, 'acc is accuracy');
    close(ev.meanSquaredError, ev.mse, 0, 'meanSquaredError is mse');
    m.dispose();
  });

  test('binary metrics and confusion matrix equal the ones computed from predict()', async () => {
    const d = nn.data.generate('moons', { n: 300, noise: 0.3, seed: 9 });
    const m = mlp(6, 4);
    m.compile({ optimizer: nn.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ALL });
    await m.fit(d.x, d.y, { epochs: 2, batchSize: 32 });
    const ev = m.evaluate(d.x, d.y);
    const p = m.predict(d.x);
    const hand = binaryMetrics(p, d.y);
    for (const k of ['accuracy', 'precision', 'recall', 'f1']) close(ev[k], hand[k], 1e-9, k);
    assert.deepEqual(ev.confusionMatrix, hand.confusion);
    let sse = 0, sae = 0, sy = 0;
    for (let i = 0; i < d.n; i++) { sse += (p[i] - d.y[i]) ** 2; sae += Math.abs(p[i] - d.y[i]); sy += d.y[i]; }
    let sst = 0;
    for (let i = 0; i < d.n; i++) sst += (d.y[i] - sy / d.n) ** 2;
    close(ev.mse, sse / d.n, 1e-5, 'mse');
    close(ev.mae, sae / d.n, 1e-5, 'mae');
    close(ev.r2, 1 - sse / sst, 1e-5, 'r2');
    m.dispose();
  });

  test('multiclass: accuracy, macro precision/recall and a k x k confusion matrix', async () => {
    const d = nn.data.generate('blobs', { n: 240, numClasses: 4, noise: 0.3, seed: 4 });
    const m = mlp(2, 8, 4, 'softmax');
    m.compile({ optimizer: nn.train.adam(0.02), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'precision', 'recall'] });
    await m.fit(d.x, d.y, { epochs: 3, batchSize: 16 });
    const ev = m.evaluate(d.x, d.y);
    const p = m.predict(d.x);
    assert.ok(p instanceof Float32Array);
    assert.equal(p.length, d.n * 4);
    const cm = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (let i = 0; i < d.n; i++) {
      close(p[i * 4] + p[i * 4 + 1] + p[i * 4 + 2] + p[i * 4 + 3], 1, 1e-5, 'softmax row sum');
      cm[d.y[i]][argmax(p, i * 4, 4)]++;
    }
    assert.deepEqual(ev.confusionMatrix, cm);
    close(ev.accuracy, (cm[0][0] + cm[1][1] + cm[2][2] + cm[3][3]) / d.n, 1e-9, 'accuracy');
    const prec = [0, 1, 2, 3].map((c) => cm[c][c] / (cm[0][c] + cm[1][c] + cm[2][c] + cm[3][c] || 1));
    const rec = [0, 1, 2, 3].map((c) => cm[c][c] / cm[c].reduce((a, b) => a + b));
    close(ev.precision, prec.reduce((a, b) => a + b) / 4, 1e-9, 'macro precision');
    close(ev.recall, rec.reduce((a, b) => a + b) / 4, 1e-9, 'macro recall');
    m.dispose();
  });

  test('fromLogits binary: fit and evaluate both threshold the logit at 0 (probability 0.5)', async () => {
    // logit 0.25 for every sample: probability 0.56, class 1, which is every label
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [1], units: 1 })] });
    m.compile({ optimizer: nn.train.sgd(1e-9), loss: 'binaryCrossentropy', fromLogits: true, metrics: ['accuracy'] });
    m.setWeights([[[0]], [0.25]]);
    const x = [[1], [2], [3], [4]];
    const y = [1, 1, 1, 1];
    assert.equal(m.evaluate(x, y).accuracy, 1, 'evaluate');
    const h = await m.fit(x, y, { epochs: 1, batchSize: 4, validationData: [x, y] });
    assert.equal(h.history.val_accuracy[0], 1, 'validation accuracy in fit');
    assert.equal(h.history.accuracy[0], 1, 'training accuracy in fit (thresholded at 0.5 on logits?)');
    m.dispose();
  });

  test('regression metrics: mse, mae, r2 on a plane', async () => {
    const d = nn.data.generate('plane', { n: 200, seed: 5 });
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: nn.train.adam(0.05), loss: 'mse', metrics: ['mse', 'mae', 'r2'] });
    const h = await m.fit(d.x, d.y, { epochs: 30, batchSize: 20 });
    assert.ok(h.history.r2.at(-1) > 0.9, `r2 ${h.history.r2.at(-1)}`);
    const ev = m.evaluate(d.x, d.y);
    close(ev.mse, ev.loss, 1e-6, 'mse is the loss for an MSE model');
    assert.ok(ev.mae > 0 && ev.mae < 0.1, `mae ${ev.mae}`);
    m.dispose();
  });
});

describe('fit', () => {
  test('returns {epoch, history} with one entry per epoch', async () => {
    const m = mlp(1);
    m.compile({ optimizer: nn.train.adam(0.1), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const h = await m.fit(XOR_X, XOR_Y, { epochs: 5, batchSize: 4 });
    assert.deepEqual(h.epoch, [0, 1, 2, 3, 4]);
    assert.deepEqual(Object.keys(h.history).sort(), ['accuracy', 'loss']);
    assert.equal(h.history.loss.length, 5);
    assert.ok(h.history.loss[4] < h.history.loss[0]);
    const h0 = await m.fit(XOR_X, XOR_Y, { epochs: 0 });
    assert.deepEqual(h0.epoch, []);
    m.dispose();
  });

  test('callbacks run in order with ceil(n / batchSize) batches per epoch', async () => {
    const d = nn.data.generate('gauss', { n: 50, seed: 1 });
    const m = mlp(1);
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const events = [];
    const epochLogs = [];
    const h = await m.fit(d.x, d.y, { epochs: 3, batchSize: 16, callbacks: {
      onTrainBegin: (logs) => { events.push('trainBegin'); assert.equal(typeof logs, 'object'); },
      onEpochBegin: (e) => events.push(`epochBegin ${e}`),
      onBatchBegin: (b, logs) => events.push(`batchBegin ${b} ${logs.size}`),
      onBatchEnd: (b, logs) => {
        events.push(`batchEnd ${b} ${logs.size}`);
        assert.ok(Number.isFinite(logs.loss) && logs.loss > 0, `batch loss ${logs.loss}`);
      },
      onEpochEnd: (e, logs) => { events.push(`epochEnd ${e}`); epochLogs.push(logs); },
      onTrainEnd: () => events.push('trainEnd'),
    } });
    const want = ['trainBegin'];
    for (let e = 0; e < 3; e++) {
      want.push(`epochBegin ${e}`);
      [16, 16, 16, 2].forEach((s, b) => want.push(`batchBegin ${b} ${s}`, `batchEnd ${b} ${s}`));
      want.push(`epochEnd ${e}`);
    }
    want.push('trainEnd');
    assert.deepEqual(events, want);
    assert.deepEqual(epochLogs.map((l) => l.loss), h.history.loss);
    assert.deepEqual(epochLogs.map((l) => l.accuracy), h.history.accuracy);
    m.dispose();
  });

  test('the epoch loss is the sample-weighted mean of the batch losses', async () => {
    const d = nn.data.generate('gauss', { n: 50, seed: 1 });
    const m = mlp(1);
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    let sum = 0, count = 0;
    const h = await m.fit(d.x, d.y, { epochs: 1, batchSize: 16, callbacks: [
      { onBatchEnd: (b, logs) => { sum += logs.loss * logs.size; count += logs.size; } },
    ] });
    assert.equal(count, 50);
    close(h.history.loss[0], sum / count, 1e-6, 'epoch loss');
    m.dispose();
  });

  test('a list of callback objects, each called', async () => {
    const m = mlp(1);
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const a = [], b = [];
    await m.fit(XOR_X, XOR_Y, { epochs: 2, callbacks: [{ onEpochEnd: (e) => a.push(e) }, { onEpochEnd: (e) => b.push(e) }] });
    assert.deepEqual(a, [0, 1]);
    assert.deepEqual(b, [0, 1]);
    m.dispose();
  });

  test('model.stopTraining = true in onEpochEnd stops after that epoch', async () => {
    const m = mlp(1);
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    let ended = false;
    const h = await m.fit(XOR_X, XOR_Y, { epochs: 10, callbacks: {
      onEpochEnd: (e) => { if (e === 1) m.stopTraining = true; },
      onTrainEnd: () => { ended = true; },
    } });
    assert.deepEqual(h.epoch, [0, 1]);
    assert.ok(ended, 'onTrainEnd still runs');
    // the next fit starts afresh
    const h2 = await m.fit(XOR_X, XOR_Y, { epochs: 3 });
    assert.deepEqual(h2.epoch, [0, 1, 2]);
    m.dispose();
  });

  test('async callbacks are awaited before training goes on', async () => {
    const m = mlp(1);
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const log = [];
    let pending = false;
    const slow = (name) => async (i) => {
      assert.equal(pending, false, `${name} ${i} started while another callback was pending`);
      pending = true;
      await sleep(3);
      pending = false;
      log.push(`${name} ${i}`);
    };
    await m.fit(XOR_X, XOR_Y, { epochs: 2, batchSize: 2, callbacks: {
      onTrainBegin: slow('trainBegin'), onEpochBegin: slow('epochBegin'), onBatchBegin: slow('batchBegin'),
      onBatchEnd: slow('batchEnd'), onEpochEnd: slow('epochEnd'), onTrainEnd: slow('trainEnd') } });
    assert.equal(log.length, 1 + 2 * (1 + 2 * 2 + 1) + 1);
    assert.equal(log.at(-1), 'trainEnd [object Object]');
    assert.equal(m.steps, 4);
    m.dispose();
  });

  test('validationSplit takes the last fraction, like validationData on the same rows', async () => {
    const d = nn.data.generate('spiral', { n: 100, noise: 0.1, seed: 8 });
    const a = mlp(11);
    a.compile({ optimizer: nn.train.adam(0.02), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const ha = await a.fit(d.x, d.y, { epochs: 4, batchSize: 10, validationSplit: 0.25 });
    const b = mlp(11);
    b.compile({ optimizer: nn.train.adam(0.02), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const hb = await b.fit(d.x.subarray(0, 150), d.y.subarray(0, 75), { epochs: 4, batchSize: 10,
      validationData: [d.x.subarray(150), d.y.subarray(75)] });
    assert.deepEqual(Object.keys(ha.history).sort(), ['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    assert.deepEqual(ha.history, hb.history);
    assert.equal(ha.params.samples, 75);
    assert.deepEqual(flat(a.getWeights()), flat(b.getWeights()));
    const ev = a.evaluate(d.x.subarray(150), d.y.subarray(75));
    close(ha.history.val_loss[3], ev.loss, 1e-9, 'val_loss of the last epoch');
    a.dispose(); b.dispose();
  });

  test('shuffle: false trains on the batches in order (same as trainOnBatch on slices)', async () => {
    const d = nn.data.generate('xor', { n: 16, seed: 2 });
    const a = mlp(3);
    a.compile({ optimizer: nn.train.sgd(0.3), loss: 'binaryCrossentropy' });
    await a.fit(d.x, d.y, { epochs: 2, batchSize: 4, shuffle: false });
    const b = mlp(3);
    b.compile({ optimizer: nn.train.sgd(0.3), loss: 'binaryCrossentropy' });
    for (let e = 0; e < 2; e++) {
      for (let i = 0; i < 16; i += 4) b.trainOnBatch(d.x.subarray(i * 2, i * 2 + 8), d.y.subarray(i, i + 4));
    }
    assert.deepEqual(flat(a.getWeights()), flat(b.getWeights()));
    const c = mlp(3);
    c.compile({ optimizer: nn.train.sgd(0.3), loss: 'binaryCrossentropy' });
    await c.fit(d.x, d.y, { epochs: 2, batchSize: 4 }); // shuffled
    assert.notDeepEqual(flat(c.getWeights()), flat(b.getWeights()));
    a.dispose(); b.dispose(); c.dispose();
  });

  test('learningRate can be read and changed between epochs', async () => {
    const d = nn.data.generate('gauss', { n: 64, seed: 1 });
    const m = mlp(2);
    m.compile({ optimizer: nn.train.sgd(0.5), loss: 'binaryCrossentropy' });
    assert.equal(m.learningRate, 0.5);
    const snaps = [];
    const lrs = [];
    await m.fit(d.x, d.y, { epochs: 3, batchSize: 8, callbacks: {
      onEpochBegin: () => lrs.push(m.learningRate),
      onEpochEnd: (e) => { snaps.push(flat(m.getWeights()).flat()); if (e === 0) m.learningRate = 1e-20; },
    } });
    assert.deepEqual(lrs, [0.5, Math.fround(1e-20), Math.fround(1e-20)]);
    // epoch 0 moved the weights; with a learning rate of 1e-20 the later epochs hardly do
    const diff = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    assert.ok(diff(snaps[1], snaps[2]) < 1e-6, `change at lr 1e-20: ${diff(snaps[1], snaps[2])}`);
    m.learningRate = 0.25;
    assert.equal(m.learningRate, 0.25);
    const w = flat(m.getWeights()).flat();
    await m.fit(d.x, d.y, { epochs: 1, batchSize: 8 });
    assert.ok(diff(w, flat(m.getWeights()).flat()) > 1e-4, 'training again at 0.25 moves the weights');
    m.dispose();
  });
});

describe('predict, evaluate, trainOnBatch', () => {
  test('predict returns a Float32Array of n * outputs, deterministic', () => {
    const m = mlp(1, 8, 3, 'softmax');
    const x = new Float32Array(1000 * 2).map((_, i) => Math.sin(i));
    const p = m.predict(x);
    assert.ok(p instanceof Float32Array);
    assert.equal(p.length, 3000);
    assert.deepEqual(m.predict(x), p);
    // rows do not depend on the batch they come in
    assert.deepEqual(m.predict(x.subarray(600, 602)), p.subarray(900, 903));
    m.dispose();
  });

  test('predictLayers gives every layer\'s output: hidden units by hand, the last equals predict', () => {
    const m = nn.sequential({ seed: 4, layers: [
      nn.layers.dense({ inputShape: [2], units: 3, activation: 'tanh' }),
      nn.layers.dropout({ rate: 0.5 }),
      nn.layers.dense({ units: 2, activation: 'relu' }),
      nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
    // 600 rows: more than one of the bridge's 256-row chunks
    const x = nn.data.generate('spiral', { n: 600, seed: 2 }).x;
    const outs = m.predictLayers(x);
    assert.deepEqual(outs.map((o) => o.shape), [[600, 3], [600, 3], [600, 2], [600, 1]]);
    assert.ok(outs.every((o, i) => o instanceof Float32Array && o.length === o.shape[0] * o.shape[1]), 'sizes');
    const [W1, b1, W2, b2] = m.getWeights();
    const h1 = [];
    const h2 = [];
    for (let r = 0; r < 600; r++) {
      for (let j = 0; j < 3; j++) h1.push(Math.tanh(x[2 * r] * W1[j] + x[2 * r + 1] * W1[3 + j] + b1[j]));
      for (let j = 0; j < 2; j++) {
        let z = b2[j];
        for (let k = 0; k < 3; k++) z += h1[r * 3 + k] * W2[k * 2 + j];
        h2.push(Math.max(0, z));
      }
    }
    close(Array.from(outs[0]), h1, 1e-5, 'tanh(x W1 + b1)');
    assert.deepEqual(Array.from(outs[1]), Array.from(outs[0]), 'dropout is the identity when predicting');
    close(Array.from(outs[2]), h2, 1e-5, 'relu(h1 W2 + b2)');
    assert.deepEqual(Array.from(outs[3]), Array.from(m.predict(x)), 'the last layer is the prediction');
    assert.deepEqual(m.predictLayers(x.subarray(1000, 1002)).map((o) => o.shape), [[1, 3], [1, 3], [1, 2], [1, 1]]);
    assert.throws(() => m.predictLayers([[1, 2, 3]]), /not a whole number of samples of 2/);
    assert.throws(() => m.predictLayers([[0, NaN]]), /NaN/);
    m.dispose();
    assert.throws(() => m.predictLayers(x), /disposed/);
  });

  test('evaluate returns loss, every metric and the confusion matrix', async () => {
    const m = mlp(1);
    m.compile({ optimizer: nn.train.adam(0.1), loss: 'binaryCrossentropy' });
    await m.fit(XOR_X, XOR_Y, { epochs: 200, batchSize: 4 });
    const ev = m.evaluate(XOR_X, XOR_Y);
    for (const k of ['loss', 'accuracy', 'precision', 'recall', 'f1', 'mse', 'mae', 'r2']) {
      assert.equal(typeof ev[k], 'number', k);
      assert.ok(Number.isFinite(ev[k]), k);
    }
    assert.equal(ev.accuracy, 1);
    assert.deepEqual(ev.confusionMatrix, [[2, 0], [0, 2]]);
    assert.ok(ev.loss < 0.1, `loss ${ev.loss}`);
    m.dispose();
  });

  test('trainOnBatch returns a loss that decreases over repeated calls', () => {
    const m = mlp(5);
    m.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy' });
    const losses = [];
    for (let i = 0; i < 100; i++) losses.push(m.trainOnBatch(XOR_X, XOR_Y));
    assert.ok(losses.every(Number.isFinite));
    assert.ok(losses[99] < losses[0] * 0.5, `${losses[0]} -> ${losses[99]}`);
    assert.ok(losses[99] < losses[50]);
    assert.equal(m.steps, 100);
    m.dispose();
  });

  test('inputs: Float32Array, Float64Array, nested arrays, flat arrays, fake tensors, Int32Array labels', () => {
    const m = mlp(1, 8, 3, 'softmax');
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const rows = [[0.5, -1], [2, 0.25], [-1.5, 1], [0, 0]];
    const labels = [2, 0, 1, 1];
    const f32 = Float32Array.from(rows.flat());
    const ref = m.predict(f32);
    const tensor = (values, shape) => ({ shape, dataSync: () => Float32Array.from(values) });
    for (const [what, x] of [['nested', rows], ['flat array', rows.flat()], ['Float64Array', Float64Array.from(rows.flat())],
      ['tensor', tensor(rows.flat(), [4, 2])]]) {
      assert.deepEqual(m.predict(x), ref, what);
    }
    const lossRef = m.evaluate(f32, Float32Array.from(labels)).loss;
    for (const [what, y] of [['Int32Array', Int32Array.from(labels)], ['array', labels], ['tensor', tensor(labels, [4])],
      ['nested [n, 1]', labels.map((v) => [v])], ['Uint8Array', Uint8Array.from(labels)]]) {
      assert.equal(m.evaluate(rows, y).loss, lossRef, what);
    }
    // trainOnBatch takes the same formats
    const [loss, acc] = m.trainOnBatch(tensor(rows.flat(), [4, 2]), Int32Array.from(labels)); // compiled with metrics: Keras's list
    assert.ok(loss > 0 && acc >= 0 && acc <= 1);
    m.dispose();
  });
});

describe('weights', () => {
  test('getWeights has TF.js shapes, setWeights round-trips and predict is x.W + b', () => {
    const m = nn.sequential({ seed: 3, layers: [nn.layers.dense({ inputShape: [3], units: 2 })] });
    const ws = m.getWeights();
    assert.deepEqual(ws.map((w) => w.shape), [[3, 2], [2]]);
    assert.ok(ws.every((w) => w instanceof Float32Array));
    assert.ok(Array.from(ws[1]).every((v) => v === 0), 'bias starts at zero (TF.js default)');
    const W = [[0.5, -1], [2, 0.25], [-0.75, 1.5]];
    const b = [0.125, -3];
    m.setWeights([W, Float32Array.from(b)]);
    const got = m.getWeights();
    assert.deepEqual(Array.from(got[0]), W.flat());
    assert.deepEqual(Array.from(got[1]), b);
    const x = [[1, 2, 3], [-1, 0.5, 0], [0.1, 0.2, -0.3]];
    const want = x.map((r) => [0, 1].map((j) => r[0] * W[0][j] + r[1] * W[1][j] + r[2] * W[2][j] + b[j])).flat();
    close(Array.from(m.predict(x)), want, 1e-6, 'x.W + b');
    // a tensor-like weight works too
    m.setWeights([{ shape: [3, 2], dataSync: () => Float32Array.from(W.flat()) }, b]);
    close(Array.from(m.predict(x)), want, 1e-6, 'after setWeights with a tensor');
    m.dispose();
  });

  test('setWeights(getWeights()) of another model copies it exactly; weights survive save/load', async () => {
    const a = mlp(1, 8, 3, 'softmax');
    const b = mlp(2, 8, 3, 'softmax');
    const x = nn.data.generate('blobs', { n: 20, seed: 1 }).x;
    assert.notDeepEqual(a.predict(x), b.predict(x));
    b.setWeights(a.getWeights());
    assert.deepEqual(b.predict(x), a.predict(x));
    const c = nn.loadModel(a.save());
    assert.deepEqual(flat(c.getWeights()), flat(a.getWeights()));
    assert.deepEqual(c.getWeights().map((w) => w.shape), a.getWeights().map((w) => w.shape));
    assert.deepEqual(c.predict(x), a.predict(x));
    assert.equal(c.countParams(), a.countParams());
    assert.deepEqual(c.layers.map((l) => [l.type, l.units, l.activation]), a.layers.map((l) => [l.type, l.units, l.activation]));
    a.dispose(); b.dispose(); c.dispose();
  });

  test('a loaded model keeps its compile settings and optimizer state', async () => {
    const d = nn.data.generate('moons', { n: 64, seed: 3 });
    const a = mlp(4);
    a.compile({ optimizer: nn.train.adam(0.03), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    await a.fit(d.x, d.y, { epochs: 2, batchSize: 16 });
    const b = nn.loadModel(a.save());
    close(b.learningRate, 0.03, 1e-6, 'learningRate');
    assert.equal(b.steps, a.steps);
    // continuing training gives the same weights as continuing the original
    for (let i = 0; i < 5; i++) {
      const la = a.trainOnBatch(d.x, d.y); // [loss, accuracy]: a was compiled with metrics
      const lb = b.trainOnBatch(d.x, d.y); // and the file keeps them (Keras's training_config)
      assert.deepEqual(lb, la);
      assert.equal(lb.length, 2);
    }
    assert.deepEqual(flat(b.getWeights()), flat(a.getWeights()));
    // evaluate works without compiling again
    assert.equal(b.evaluate(d.x, d.y).loss, a.evaluate(d.x, d.y).loss);
    a.dispose(); b.dispose();
  });

  test('same seed gives identical weights after fit; a different seed differs', async () => {
    const d = nn.data.generate('spiral', { n: 100, noise: 0.2, seed: 4 });
    const run = async (seed) => {
      const m = mlp(seed, 16, 1, 'sigmoid', [nn.layers.dropout({ rate: 0.2 })]);
      m.compile({ optimizer: nn.train.adam(0.01), loss: 'binaryCrossentropy' });
      await m.fit(d.x, d.y, { epochs: 3, batchSize: 8 });
      const w = flat(m.getWeights());
      m.dispose();
      return w;
    };
    const a = await run(123);
    const b = await run(123);
    const c = await run(124);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    // without a seed, models differ
    const u = nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 4 })] });
    const v = nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 4 })] });
    assert.notDeepEqual(flat(u.getWeights()), flat(v.getWeights()));
    u.dispose(); v.dispose();
  });
});

describe('regularizers and dropout', () => {
  test('L1/L2 penalties are added to the loss: exactly l1*sum|W| + l2*sum W^2 of the kernels', () => {
    const d = nn.data.generate('gauss', { n: 50, seed: 7 });
    const make = (cfg) => {
      const m = nn.sequential({ seed: 9, layers: [
        nn.layers.dense({ inputShape: [2], units: 6, activation: 'tanh', ...cfg }),
        nn.layers.dense({ units: 1, activation: 'sigmoid' }),
      ] });
      m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
      return m;
    };
    const base = make({});
    const baseLoss = base.evaluate(d.x, d.y).loss;
    const W = base.getWeights()[0];
    const sumSq = W.reduce((s, v) => s + v * v, 0);
    const sumAbs = W.reduce((s, v) => s + Math.abs(v), 0);
    for (const [what, cfg, penalty] of [
      ['kernelRegularizer: l2({l2: 0.1})', { kernelRegularizer: nn.regularizers.l2({ l2: 0.1 }) }, 0.1 * sumSq],
      ['kernelRegularizer: l1({l1: 0.05})', { kernelRegularizer: nn.regularizers.l1({ l1: 0.05 }) }, 0.05 * sumAbs],
      ['kernelRegularizer: l1l2()', { kernelRegularizer: nn.regularizers.l1l2() }, 0.01 * sumAbs + 0.01 * sumSq],
      ['l2: 0.2', { l2: 0.2 }, 0.2 * sumSq],
      ['l1: 0.3', { l1: 0.3 }, 0.3 * sumAbs],
    ]) {
      const m = make(cfg);
      assert.deepEqual(flat(m.getWeights()), flat(base.getWeights()), `${what}: same initial weights`);
      const loss = m.evaluate(d.x, d.y).loss;
      assert.ok(loss > baseLoss, `${what}: ${loss} > ${baseLoss}`);
      close(loss, baseLoss + penalty, 1e-5, what);
      m.dispose();
    }
    const r = make({ kernelRegularizer: nn.regularizers.l1l2({ l1: 0.25, l2: 0.5 }) });
    assert.equal(r.layerInfo(0).l1, 0.25);
    assert.equal(r.layerInfo(0).l2, 0.5);
    base.dispose(); r.dispose();
  });

  test('L2 shrinks the trained weights', async () => {
    const d = nn.data.generate('circle', { n: 100, seed: 7 });
    const norm = async (reg) => {
      const m = nn.sequential({ seed: 9, layers: [
        nn.layers.dense({ inputShape: [2], units: 8, activation: 'tanh', ...reg }),
        nn.layers.dense({ units: 1, activation: 'sigmoid' }),
      ] });
      m.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy' });
      await m.fit(d.x, d.y, { epochs: 20, batchSize: 10 });
      const s = m.getWeights()[0].reduce((a, v) => a + v * v, 0);
      m.dispose();
      return s;
    };
    const plain = await norm({});
    const l2 = await norm({ kernelRegularizer: nn.regularizers.l2({ l2: 0.05 }) });
    assert.ok(l2 < plain * 0.7, `sum W^2: ${plain} without, ${l2} with L2`);
  });

  test('dropout changes training but not predict (predict is deterministic)', () => {
    const x = nn.data.generate('circle', { n: 40, seed: 1 });
    const withDrop = mlp(5, 16, 1, 'sigmoid', [nn.layers.dropout({ rate: 0.5 })]);
    const without = mlp(5, 16, 1, 'sigmoid');
    without.setWeights(withDrop.getWeights());
    const p = withDrop.predict(x.x);
    assert.deepEqual(withDrop.predict(x.x), p, 'predict is deterministic');
    assert.deepEqual(without.predict(x.x), p, 'dropout is the identity when predicting');
    // training: the same step from the same weights differs
    withDrop.compile({ optimizer: nn.train.sgd(0.5), loss: 'binaryCrossentropy' });
    without.compile({ optimizer: nn.train.sgd(0.5), loss: 'binaryCrossentropy' });
    const l1 = withDrop.trainOnBatch(x.x, x.y);
    const l2 = without.trainOnBatch(x.x, x.y);
    assert.notEqual(l1, l2, 'the training loss differs with dropout');
    assert.notDeepEqual(flat(withDrop.getWeights()), flat(without.getWeights()));
    // evaluate does not drop either
    without.setWeights(withDrop.getWeights());
    assert.equal(withDrop.evaluate(x.x, x.y).loss, without.evaluate(x.x, x.y).loss);
    withDrop.dispose(); without.dispose();
  });
});

describe('nn.data', () => {
  test('generate every kind: sizes, ranges, labels, numClasses, regression flag', () => {
    assert.deepEqual(nn.data.kinds.sort(), ['blobs', 'checkerboard', 'circle', 'gauss', 'gaussBumps', 'moons',
      'multiSpiral', 'plane', 'spiral', 'xor']);
    for (const kind of nn.data.kinds) {
      const n = 301;
      const d = nn.data.generate(kind, { n, noise: 0.1, seed: 3 });
      assert.ok(d.x instanceof Float32Array && d.y instanceof Float32Array, kind);
      assert.equal(d.x.length, 2 * n, kind);
      assert.equal(d.y.length, n, kind);
      assert.equal(d.n, n, kind);
      assert.ok(d.x.every((v) => Number.isFinite(v) && Math.abs(v) <= 6.5), `${kind}: x in [-6, 6]`);
      const regression = kind === 'plane' || kind === 'gaussBumps';
      assert.equal(d.regression, regression, kind);
      if (regression) {
        assert.equal(d.numClasses, 0, kind);
        assert.ok(d.y.every((v) => Number.isFinite(v) && Math.abs(v) <= 1.3), `${kind}: targets in [-1.3, 1.3]`);
        assert.ok(new Set(d.y).size > 50, `${kind}: real-valued targets`);
      } else {
        const k = kind === 'blobs' || kind === 'multiSpiral' ? 3 : 2;
        assert.equal(d.numClasses, k, kind);
        const counts = new Array(k).fill(0);
        for (const v of d.y) {
          assert.ok(Number.isInteger(v) && v >= 0 && v < k, `${kind}: label ${v}`);
          counts[v]++;
        }
        assert.ok(counts.every((c) => c > n / k / 3), `${kind}: every class occurs (${counts})`);
      }
      // the same seed gives the same data, another seed other data
      assert.deepEqual(nn.data.generate(kind, { n, noise: 0.1, seed: 3 }), d);
      assert.notDeepEqual(nn.data.generate(kind, { n, noise: 0.1, seed: 4 }).x, d.x);
    }
  });

  test('balanced classes at noise 0, numClasses for blobs and multiSpiral, aliases', () => {
    for (const kind of ['circle', 'gauss', 'spiral', 'moons']) {
      const d = nn.data.generate(kind, { n: 101, seed: 1 });
      const ones = d.y.reduce((a, b) => a + b, 0);
      assert.ok(ones === 50 || ones === 51, `${kind}: ${ones} of 101 in class 1`);
    }
    for (const kind of ['blobs', 'multiSpiral', 'multi_spiral']) {
      for (const k of [2, 5, 8]) {
        const d = nn.data.generate(kind, { n: 203, numClasses: k, seed: 2 });
        assert.equal(d.numClasses, k, `${kind} k=${k}`);
        const counts = new Array(k).fill(0);
        d.y.forEach((v) => counts[v]++);
        const lo = Math.floor(203 / k);
        assert.ok(counts.every((c) => c === lo || c === lo + 1), `${kind} k=${k}: ${counts}`);
      }
    }
    assert.deepEqual(nn.data.generate('gauss_bumps', { n: 10 }), nn.data.generate('gaussBumps', { n: 10 }));
    // plane: y = (x0 + x1) / 10 without noise
    const p = nn.data.generate('plane', { n: 50, seed: 1 });
    for (let i = 0; i < 50; i++) close(p.y[i], (p.x[2 * i] + p.x[2 * i + 1]) / 10, 1e-5, 'plane');
    assert.throws(() => nn.data.generate('nope'), /unknown dataset 'nope'.*spiral/);
    assert.throws(() => nn.data.generate('spiral', { n: 0 }), /n must be a positive integer/);
    assert.throws(() => nn.data.generate('spiral', { noise: 2 }), /noise must be in \[0, 1\]/);
    assert.throws(() => nn.data.generate('blobs', { numClasses: 9 }), /numClasses must be 2..8/);
  });

  test('split: sizes, pairing, a permutation, deterministic per seed', () => {
    const n = 100;
    const x = new Float32Array(n * 2).map((_, i) => (i % 2 ? -1 : 1) * Math.floor(i / 2));
    const y = new Float32Array(n).map((_, i) => i);
    const s = nn.data.split(x, y, { testFraction: 0.2, seed: 5 });
    assert.equal(s.xTrain.length, 160);
    assert.equal(s.yTrain.length, 80);
    assert.equal(s.xTest.length, 40);
    assert.equal(s.yTest.length, 20);
    const seen = [];
    for (const [xs, ys] of [[s.xTrain, s.yTrain], [s.xTest, s.yTest]]) {
      for (let i = 0; i < ys.length; i++) {
        assert.equal(xs[2 * i], ys[i], 'x row goes with its label');
        assert.equal(xs[2 * i + 1], -ys[i]);
        seen.push(ys[i]);
      }
    }
    assert.deepEqual(seen.sort((a, b) => a - b), Array.from(y));
    assert.notDeepEqual(Array.from(s.yTest), Array.from(y.subarray(80)), 'shuffled');
    assert.deepEqual(nn.data.split(x, y, { testFraction: 0.2, seed: 5 }), s);
    assert.notDeepEqual(nn.data.split(x, y, { testFraction: 0.2, seed: 6 }).yTest, s.yTest);
    // several label columns
    const s3 = nn.data.split(x, nn.data.oneHot(new Float32Array(n).map((_, i) => i % 3), 3), { yCols: 3, testFraction: 0.5 });
    assert.equal(s3.yTrain.length, 150);
    assert.throws(() => nn.data.split(x, y.subarray(1)), /data\.split: .*(rows|match)/);
  });

  test('oneHot and its error', () => {
    assert.deepEqual(Array.from(nn.data.oneHot([0, 2, 1], 3)), [1, 0, 0, 0, 0, 1, 0, 1, 0]);
    assert.deepEqual(nn.data.oneHot(Int32Array.from([1, 0]), 2), Float32Array.from([0, 1, 1, 0]));
    assert.throws(() => nn.data.oneHot([0, 3, 1], 3), /oneHot: label 3 at 1 is not in 0..2/);
    assert.throws(() => nn.data.oneHot([0.5], 3), /label 0.5 at 0 is not in 0..2/);
    assert.throws(() => nn.data.oneHot([-1], 3), /label -1 at 0/);
  });

  test('standardize: zero mean, unit std per column, stats reusable', () => {
    const x = new Float32Array(200 * 3).map((_, i) => (i % 3 === 0 ? 100 + Math.sin(i) * 5 : i % 3 === 1 ? Math.cos(i) : 7));
    const orig = Float32Array.from(x);
    const stats = nn.data.standardize(x, 3);
    for (let c = 0; c < 3; c++) {
      let s = 0, s2 = 0;
      for (let i = 0; i < 200; i++) { s += x[i * 3 + c]; s2 += x[i * 3 + c] ** 2; }
      close(s / 200, 0, 1e-4, `mean of column ${c}`);
      if (c < 2) close(Math.sqrt(s2 / 200), 1, 1e-4, `std of column ${c}`);
    }
    assert.equal(stats.std[2], 1, 'a constant column gets std 1');
    const other = orig.slice(0, 6);
    nn.data.standardize(other, 3, stats);
    close(Array.from(other), Array.from(x.subarray(0, 6)), 1e-6, 'stats applied to other data');
  });

  test('parseCSV: header auto, labelColumn by name or index, featureColumns', () => {
    const text = 'a,b,label\n1,2,0\n3.5,-4,1\n5e-1,6,2\n';
    const r = nn.data.parseCSV(text, { labelColumn: 'label' });
    assert.deepEqual(r.columns, ['a', 'b', 'label']);
    assert.equal(r.n, 3);
    assert.deepEqual(Array.from(r.x), [1, 2, 3.5, -4, 0.5, 6]);
    assert.deepEqual(Array.from(r.y), [0, 1, 2]);
    assert.deepEqual(r.featureNames, ['a', 'b']);
    assert.equal(r.labelName, 'label');
    assert.deepEqual(nn.data.parseCSV(text, { labelColumn: 'LABEL' }), r, 'case-insensitive names');
    assert.deepEqual(nn.data.parseCSV(text, { labelColumn: 2 }), r, 'by index');
    const f = nn.data.parseCSV(text, { labelColumn: 0, featureColumns: ['label', 1] });
    assert.deepEqual(Array.from(f.x), [0, 2, 1, -4, 2, 6]);
    assert.deepEqual(Array.from(f.y), [1, 3.5, 0.5]);
    assert.deepEqual(f.featureNames, ['label', 'b']);
    // no header: numeric first row, columns named c0, c1, ...
    const nh = nn.data.parseCSV('1,2\n3,4\n');
    assert.deepEqual(nh.columns, ['c0', 'c1']);
    assert.equal(nh.y, null);
    assert.equal(nh.labelName, null);
    assert.deepEqual(Array.from(nh.x), [1, 2, 3, 4]);
    // header: true forces the first row to be names; other delimiters, CRLF, quotes, BOM
    assert.deepEqual(nn.data.parseCSV('1,2\n3,4\n', { header: true }).columns, ['1', '2']);
    const semi = nn.data.parseCSV('\uFEFF"x 1";y\r\n1;2\r\n\r\n3;4\r\n', { labelColumn: 'y' });
    assert.deepEqual(semi.columns, ['x 1', 'y']);
    assert.deepEqual(Array.from(semi.x), [1, 3]);
    assert.deepEqual(Array.from(semi.y), [2, 4]);
    const tab = nn.data.parseCSV('p\tq\n1\t2\n');
    assert.deepEqual(tab.columns, ['p', 'q']);
    // a parsed CSV trains a model
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [2], units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    assert.ok(m.trainOnBatch(r.x, r.y) > 0);
    m.dispose();
  });

  test('parseCSV errors name the line and the problem', () => {
    assert.throws(() => nn.data.parseCSV('a,b\n1,2\n3,abc\n'), /line 3, column 2 \('b'\): 'abc' is not a number/);
    assert.throws(() => nn.data.parseCSV('1,2\n3,x\n'), /line 2, column 2: 'x' is not a number/);
    assert.throws(() => nn.data.parseCSV('a,b,c\n1,2,3\n4,5\n'), /line 3 has 2 fields, expected 3/);
    assert.throws(() => nn.data.parseCSV('a,b\n1,\n'), /line 2, column 2 \('b'\): empty field/);
    assert.throws(() => nn.data.parseCSV(''), /CSV: .*no data rows/);
    assert.throws(() => nn.data.parseCSV('a,b\n'), /no data rows/);
    assert.throws(() => nn.data.parseCSV('a,b\n1,nan\n'), /line 2, column 2 \('b'\): 'nan' is not a number/);
    assert.throws(() => nn.data.parseCSV('a,b\n1,1e99\n'), /out of float range/);
    assert.throws(() => nn.data.parseCSV('a,b\n1,2\n', { header: false }), /line 1, column 1: 'a' is not a number/);
    assert.throws(() => nn.data.parseCSV('a,b\n1,2\n', { labelColumn: 'c' }), /no column named 'c' \(columns: a, b\)/);
    assert.throws(() => nn.data.parseCSV('a,b\n1,2\n', { labelColumn: 5 }), /labelColumn 5 is not a column index 0..1/);
    assert.throws(() => nn.data.parseCSV('a\n1\n', { labelColumn: 'a' }), /no feature columns left/);
    assert.throws(() => nn.data.parseCSV(42), /parseCSV takes the CSV text as a string/);
    // still fine afterwards
    assert.equal(nn.data.parseCSV('a\n1\n').n, 1);
  });
});
