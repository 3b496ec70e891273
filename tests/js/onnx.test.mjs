// ONNX export, checked in the real onnxruntime (onnxruntime-node, CPU): for every layer type and
// the variants that change the graph (conv padding and strides, pools, batchnorm's moving statistics,
// activations, LSTM/GRU gate orders, resetAfter, returnSequences, goBackwards, Bidirectional's merge
// modes, embeddings), the exported bytes predict what nnplay predicts to 1e-5; refusals name the
// layer and option.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import * as nn from '../../wasm/nnplay.js';
import { assertStillWorks } from './helpers.mjs';

before(() => nn.ready());

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

const floats = (n, seed, lo = -1, hi = 1) => { const r = rng(seed); return Float32Array.from({ length: n }, () => lo + (hi - lo) * r()); };
const ids = (n, vocab, seed) => { const r = rng(seed); return Float32Array.from({ length: n }, () => Math.floor(r() * vocab)); };

function maxDiff(a, b) {
  assert.equal(a.length, b.length, 'same number of outputs');
  let d = 0;
  for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k] - b[k]));
  return d;
}

/** Run ONNX bytes in onnxruntime on n samples x; returns the output tensor. */
async function runOnnx(bytes, x, shape) {
  const session = await ort.InferenceSession.create(bytes);
  const { output } = await session.run({ input: new ort.Tensor('float32', x, shape) });
  return output;
}

const N = 7;
const ACTS = ['linear', 'relu', 'elu', 'sigmoid', 'tanh', 'softmax', 'hardSigmoid', 'leakyRelu'];
// Each case: nnplay layers, the input's per-sample shape and its data for N samples.
const CASES = [
  ...ACTS.map((activation, k) => ({
    name: `dense ${activation} (Gemm)`, shape: [5], x: floats(N * 5, k + 1, -3, 3),
    layers: () => [nn.layers.dense({ inputShape: [5], units: 4, activation }), nn.layers.dense({ units: 3, useBias: false })],
  })),
  { name: 'activation layers with alpha (leakyRelu, elu), hardSigmoid, softmax, dropout', shape: [6], x: floats(N * 6, 9, -3, 3),
    layers: () => [nn.layers.dense({ inputShape: [6], units: 8, activation: 'leakyRelu', alpha: 0.1 }),
      nn.layers.activation({ activation: 'leakyRelu', alpha: 0.2 }), nn.layers.dropout({ rate: 0.3 }),
      nn.layers.dense({ units: 6, activation: 'elu', alpha: 0.5 }), nn.layers.activation({ activation: 'elu' }),
      nn.layers.activation({ activation: 'hardSigmoid' }), nn.layers.dense({ units: 3 }), nn.layers.activation({ activation: 'softmax' })] },
  { name: 'conv2d valid/same with strides and odd kernels, softmax over channels, max/average pools same/valid, flatten',
    shape: [9, 7, 2], x: floats(N * 126, 10),
    layers: () => [nn.layers.conv2d({ inputShape: [9, 7, 2], filters: 4, kernelSize: [3, 2], activation: 'relu' }),
      nn.layers.conv2d({ filters: 3, kernelSize: 4, strides: 2, padding: 'same' }), // asymmetric 'same' padding
      nn.layers.conv2d({ filters: 5, kernelSize: [1, 3], strides: [1, 2], padding: 'same', activation: 'softmax' }),
      nn.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      nn.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      nn.layers.flatten(), nn.layers.dense({ units: 4, activation: 'softmax' })] },
  { name: 'conv2dTranspose valid/same, unequal strides, kernels above and below the stride (ConvTranspose pads, output_padding), upSampling2d on NCHW (Resize)',
    shape: [3, 4, 2], x: floats(N * 24, 17),
    layers: () => [nn.layers.conv2dTranspose({ inputShape: [3, 4, 2], filters: 3, kernelSize: [3, 2], strides: [2, 1], activation: 'relu' }),
      nn.layers.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' }), // a row each side
      nn.layers.upSampling2d({ size: [1, 2] }),
      nn.layers.conv2dTranspose({ filters: 2, kernelSize: [2, 1], strides: 3, padding: 'same', useBias: false }), // kernel < stride
      nn.layers.conv2dTranspose({ filters: 1, kernelSize: [1, 3], strides: [2, 1], activation: 'leakyRelu', alpha: 0.2 })] },
  { name: 'upSampling2d on the NHWC input, conv2dTranspose 5x5 same stride 2 (odd padding), flatten, dense', shape: [2, 3, 2], x: floats(N * 12, 18),
    layers: () => [nn.layers.upSampling2d({ inputShape: [2, 3, 2], size: 2 }),
      nn.layers.conv2dTranspose({ filters: 2, kernelSize: 5, strides: 2, padding: 'same', activation: 'sigmoid' }),
      nn.layers.flatten(), nn.layers.dense({ units: 3 })] },
  { name: 'pools valid with default strides, average pool same (padding excluded), conv without bias',
    shape: [11, 10, 3], x: floats(N * 330, 14, 0, 2),
    layers: () => [nn.layers.averagePooling2d({ inputShape: [11, 10, 3], poolSize: 3 }),
      nn.layers.conv2d({ filters: 2, kernelSize: 2, useBias: false, activation: 'elu' }),
      nn.layers.averagePooling2d({ poolSize: [2, 3], strides: [1, 1], padding: 'same' }),
      nn.layers.maxPooling2d({ poolSize: [2, 1], padding: 'valid' }), nn.layers.flatten()] },
  { name: 'conv2d, batchNormalization (moving statistics), global average pool', shape: [6, 6, 3], x: floats(N * 108, 11, 0, 2),
    layers: () => [nn.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }),
      nn.layers.batchNormalization({ momentum: 0.9, epsilon: 0.01 }), nn.layers.maxPooling2d({}),
      nn.layers.globalAveragePooling2d({}), nn.layers.dense({ units: 2, activation: 'sigmoid' })] },
  { name: 'image layers ending in NHWC: batchNormalization on the input, dense on the channels, output [h, w, c]',
    shape: [4, 5, 3], x: floats(N * 60, 15),
    layers: () => [nn.layers.batchNormalization({ inputShape: [4, 5, 3] }),
      nn.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }), nn.layers.dense({ units: 2, activation: 'softmax' })] },
  { name: 'reshape, batchNormalization on vectors and on sequences, dense on sequences (MatMul + Add)', shape: [12], x: floats(N * 12, 12),
    layers: () => [nn.layers.batchNormalization({ inputShape: [12] }), nn.layers.reshape({ targetShape: [4, 3] }),
      nn.layers.batchNormalization({ epsilon: 0.1 }), nn.layers.dense({ units: 5, activation: 'softmax' }),
      nn.layers.reshape({ targetShape: [-1] }), nn.layers.reshape({ targetShape: [2, 2, 5] }),
      nn.layers.conv2d({ filters: 2, kernelSize: 2 }), nn.layers.reshape({ targetShape: [2] })] },
  { name: 'simpleRNN on float sequences, relu, returnSequences + flatten', shape: [5, 3], x: floats(N * 15, 13),
    layers: () => [nn.layers.simpleRNN({ inputShape: [5, 3], units: 4, activation: 'relu', returnSequences: true, dropout: 0.1, recurrentDropout: 0.1 }),
      nn.layers.flatten(), nn.layers.dense({ units: 2 })] },
  ...[
    ['simpleRNN', { returnSequences: true, goBackwards: true }],
    ['simpleRNN', { activation: 'leakyRelu', alpha: 0.2, useBias: false }],
    ['lstm', {}],
    ['lstm', { returnSequences: true, goBackwards: true, recurrentActivation: 'hardSigmoid' }],
    ['lstm', { goBackwards: true, activation: 'leakyRelu', recurrentActivation: 'hardSigmoid' }],
    ['lstm', { returnSequences: true, activation: 'relu', useBias: false }],
    ['gru', {}],
    ['gru', { resetAfter: true }],
    ['gru', { returnSequences: true, goBackwards: true, resetAfter: true, recurrentActivation: 'hardSigmoid' }],
    ['gru', { returnSequences: true, goBackwards: true, resetAfter: false, activation: 'linear', recurrentActivation: 'hardSigmoid' }],
    ['gru', { goBackwards: true, activation: 'elu', useBias: false }],
  ].map(([rnn, o], k) => ({
    name: `embedding, ${rnn} ${JSON.stringify(o)}`, shape: [6], x: ids(N * 6, 9, 20 + k),
    layers: () => [nn.layers.embedding({ inputDim: 9, outputDim: 3, inputLength: 6 }), nn.layers[rnn]({ units: 4, ...o }),
      ...(o.returnSequences ? [rnn === 'gru' ? nn.layers.lstm({ units: 3 }) : nn.layers.gru({ units: 3, resetAfter: true })] : []),
      nn.layers.dense({ units: 2, activation: 'softmax' })],
  })),
  // Bidirectional: one node, direction 'bidirectional'; every merge mode over every wrapped type
  ...[
    ['lstm', 'concat', {}], ['lstm', 'sum', { returnSequences: true }], ['lstm', 'mul', { goBackwards: true, recurrentActivation: 'hardSigmoid' }],
    ['lstm', 'ave', { returnSequences: true, goBackwards: true, useBias: false }],
    ['gru', 'concat', { returnSequences: true, resetAfter: true }], ['gru', 'sum', { resetAfter: false }],
    ['gru', 'ave', { returnSequences: true, resetAfter: false, activation: 'relu' }], ['gru', 'mul', { resetAfter: true, goBackwards: true }],
    ['gru', 'concat', { returnSequences: true, goBackwards: true, resetAfter: false }],
    ['simpleRNN', 'mul', { returnSequences: true }], ['simpleRNN', 'ave', {}], ['simpleRNN', 'sum', { returnSequences: true, goBackwards: true, activation: 'leakyRelu', alpha: 0.2 }],
    ['simpleRNN', 'concat', { useBias: false, activation: 'elu' }],
  ].map(([rnn, mergeMode, o], k) => ({
    name: `bidirectional ${rnn} ${mergeMode} ${JSON.stringify(o)}`, shape: [5, 3], x: floats(N * 15, 30 + k, -2, 2),
    layers: () => [nn.layers.bidirectional({ inputShape: [5, 3], layer: nn.layers[rnn]({ units: 4, ...o }), mergeMode }),
      ...(o.returnSequences && k % 2 ? [nn.layers.dense({ units: 2 })] : [])], // else the output is the merged states
  })),
  { name: 'embedding, bidirectional lstm concat returnSequences, bidirectional gru ave', shape: [6], x: ids(N * 6, 9, 45),
    layers: () => [nn.layers.embedding({ inputDim: 9, outputDim: 3, inputLength: 6 }),
      nn.layers.bidirectional({ layer: nn.layers.lstm({ units: 5, returnSequences: true }) }),
      nn.layers.bidirectional({ layer: nn.layers.gru({ units: 3, resetAfter: true }), mergeMode: 'ave' }),
      nn.layers.dense({ units: 2, activation: 'softmax' })] },
  { name: 'embedding after another layer (ids clamped into the table), maskZero without a recurrent layer', shape: [6],
    x: Float32Array.from({ length: N * 6 }, (_, k) => [-2, 0, 1.7, 4, 8.5, 30][k % 6] + (k % 5)),
    layers: () => [nn.layers.reshape({ inputShape: [6], targetShape: [6] }),
      nn.layers.embedding({ inputDim: 9, outputDim: 2, maskZero: true }), nn.layers.dense({ units: 3 }), nn.layers.flatten()] },
  { name: 'a text model\'s size: embedding(50, 16) over 40 steps, lstm(32) returnSequences, gru(16) resetAfter', shape: [40],
    x: ids(N * 40, 50, 17),
    layers: () => [nn.layers.embedding({ inputDim: 50, outputDim: 16, inputLength: 40 }), nn.layers.lstm({ units: 32, returnSequences: true }),
      nn.layers.gru({ units: 16, resetAfter: true }), nn.layers.dense({ units: 4, activation: 'softmax' })] },
  { name: 'conv2d as the last layer (Transpose back to NHWC as the output)', shape: [5, 4, 2], x: floats(N * 40, 18),
    layers: () => [nn.layers.conv2d({ inputShape: [5, 4, 2], filters: 3, kernelSize: 2, strides: [2, 1], padding: 'same' })] },
  { name: 'dropout alone (an Identity graph)', shape: [3], x: floats(N * 3, 19),
    layers: () => [nn.layers.dropout({ inputShape: [3], rate: 0.5 })] },
  { name: 'stacked LSTMs on float sequences, returnSequences to the output', shape: [8, 2], x: floats(N * 16, 16, -2, 2),
    layers: () => [nn.layers.lstm({ inputShape: [8, 2], units: 5, returnSequences: true }),
      nn.layers.lstm({ units: 3, returnSequences: true, goBackwards: true })] },
];

for (const c of CASES) {
  test(`onnxruntime predicts as nnplay: ${c.name}`, async () => {
    const m = nn.sequential({ seed: 3, layers: c.layers() });
    try {
      randomize(m, 5);
      const want = m.predict(c.x);
      const out = await runOnnx(m.toONNX(), c.x, [N, ...c.shape]);
      assert.deepEqual(out.dims, [N, ...m.outputShape], 'the output keeps nnplay\'s shape');
      const d = maxDiff(out.data, want);
      assert.ok(d <= TOL, `max abs difference ${d} > ${TOL}`);
    } finally {
      m.dispose();
    }
  });
}

test('every layer type of the core has an ONNX case here', () => {
  const covered = new Set();
  for (const c of CASES) {
    const m = nn.sequential({ layers: c.layers() });
    for (const l of m.layers) covered.add(l.className);
    m.dispose();
  }
  const missing = nn.describe().layers.map((l) => l.className).filter((cls) => !covered.has(cls));
  assert.deepEqual(missing, [], 'layer types without an ONNX test case (and maybe without a mapping in wasm/onnx.js)');
});

/** The IR version and opset a ModelProto states, read back from its bytes (ModelProto's fields 1
 * and 8: ir_version, opset_import { domain = 1, version = 2 }; the rest is skipped by length). */
function opsetOf(bytes) {
  let at = 0;
  const varint = () => {
    let v = 0;
    for (let k = 0; ; k++) {
      const b = bytes[at++];
      v += (b & 127) * 2 ** (7 * k);
      if (!(b & 128)) return v;
    }
  };
  const found = {};
  while (at < bytes.length) {
    const key = varint();
    const v = varint(); // a value (wire type 0) or a length (2): ModelProto has nothing else
    if ((key & 7) === 0) { if (key >> 3 === 1) found.ir = v; continue; }
    if (key >> 3 !== 8) { at += v; continue; }
    for (const end = at + v; at < end;) {
      const k2 = varint();
      const v2 = varint();
      if ((k2 & 7) === 2) at += v2;
      else if (k2 >> 3 === 2) found.opset = v2;
    }
  }
  return found;
}

test('the opset is stated: 17 by default, 13..21 on request, each run by onnxruntime', async () => {
  const m = nn.sequential({ seed: 2, layers: [nn.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, padding: 'same' }),
    nn.layers.batchNormalization({}), nn.layers.reshape({ targetShape: [5, 10] }), nn.layers.gru({ units: 3, returnSequences: true }),
    nn.layers.lstm({ units: 2 }), nn.layers.dense({ units: 2, activation: 'softmax' })] });
  try {
    randomize(m, 8);
    const x = floats(3 * 25, 4);
    const want = m.predict(x);
    assert.deepEqual(opsetOf(m.toONNX()), { ir: 8, opset: 17 });
    for (const [opset, ir] of [[13, 7], [15, 8], [19, 9], [21, 10]]) {
      const bytes = m.toONNX({ opset });
      assert.deepEqual(opsetOf(bytes), { ir, opset });
      const d = maxDiff((await runOnnx(bytes, x, [3, 5, 5, 1])).data, want);
      assert.ok(d <= TOL, `opset ${opset}: max abs difference ${d}`);
    }
  } finally {
    m.dispose();
  }
});

test('the graph: named input/output with a dynamic batch, weights under the layers\' names, few Transposes', async () => {
  const m = nn.sequential({ layers: [nn.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, name: 'c1' }),
    nn.layers.maxPooling2d({}), nn.layers.conv2d({ filters: 2, kernelSize: 2 }), nn.layers.flatten(), nn.layers.dense({ units: 2 })] });
  try {
    const bytes = m.toONNX();
    const session = await ort.InferenceSession.create(bytes);
    assert.deepEqual(session.inputNames, ['input']);
    assert.deepEqual(session.outputNames, ['output']);
    const text = new TextDecoder('latin1').decode(bytes);
    assert.ok(text.includes('c1/kernel') && text.includes('dense/kernel') && text.includes('conv2d/kernel'), 'initializers are named <layer>/<weight>');
    const ops = (op) => text.split(`\x22${String.fromCharCode(op.length)}${op}`).length - 1; // NodeProto.op_type
    assert.deepEqual([ops('Conv'), ops('MaxPool'), ops('Flatten'), ops('Gemm')], [2, 1, 1, 1]);
    assert.equal(ops('Transpose'), 2, 'one Transpose into NCHW, one back before Flatten');
    for (const n of [1, 4]) { // any batch size
      const x = floats(n * 72, n);
      const { output } = await session.run({ input: new ort.Tensor('float32', x, [n, 6, 6, 2]) });
      assert.ok(maxDiff(output.data, m.predict(x)) <= TOL);
    }
  } finally {
    m.dispose();
  }
});

test('README: write a .onnx file and run it in onnxruntime', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnplay-onnx-'));
  const file = path.join(dir, 'model.onnx');
  const model = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }),
    nn.layers.dense({ units: 3, activation: 'softmax' })] });
  try {
    const n = 2;
    const x = floats(n * 4, 3);
    // the README's lines
    const bytes = model.toONNX();
    await model.saveONNX(file);
    const session = await ort.InferenceSession.create(file);
    const { output } = await session.run({ input: new ort.Tensor('float32', x, [n, ...model.inputShape]) });
    assert.ok(maxDiff(output.data, model.predict(x)) <= TOL);
    assert.deepEqual(fs.readFileSync(file), Buffer.from(bytes));
    const r = await model.saveONNX(path.join(dir, 'sub', 'm'), { opset: 13 }); // '.onnx' added, folders made
    assert.deepEqual(r, { files: [path.join(dir, 'sub', 'm.onnx')], bytes: model.toONNX({ opset: 13 }).length });
  } finally {
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('refused: what ONNX cannot express names the layer and option; the module keeps working', async () => {
  const refuse = (layers, re) => {
    const m = nn.sequential({ layers });
    try { assert.throws(() => m.toONNX(), re); } finally { m.dispose(); }
  };
  refuse([nn.layers.embedding({ inputDim: 9, outputDim: 3, inputLength: 5, maskZero: true }), nn.layers.lstm({ units: 2 })],
    /^Error: nnplay: toONNX: layer 1 'lstm' \(LSTM\): its input carries an Embedding maskZero mask.*maskZero: false/);
  // the mask goes on through layers that keep the steps
  refuse([nn.layers.embedding({ inputDim: 9, outputDim: 3, inputLength: 5, maskZero: true }), nn.layers.dense({ units: 4 }),
    nn.layers.gru({ units: 2, name: 'g' })], /layer 2 'g' \(GRU\): its input carries an Embedding maskZero mask/);
  refuse([nn.layers.embedding({ inputDim: 9, outputDim: 3, inputLength: 5, maskZero: true }),
    nn.layers.bidirectional({ layer: nn.layers.simpleRNN({ units: 2 }), mergeMode: 'sum' })],
  /^Error: nnplay: toONNX: layer 1 'bidirectional' \(Bidirectional\): its input carries an Embedding maskZero mask.*maskZero: false/);
  // (a layer class without a mapping: tests/js/layertable.test.mjs, with the test build's Scale layer)

  const m = nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 1 })] });
  assert.throws(() => m.toONNX({ opset: 12 }), /^Error: nnplay: toONNX: opset must be an integer 13\.\.21, got 12$/);
  assert.throws(() => m.toONNX({ opset: '17' }), /opset must be an integer 13\.\.21, got '17'/);
  assert.throws(() => m.toONNX({ opsett: 17 }), /toONNX: unknown option 'opsett' \(known: opset\)/);
  assert.throws(() => m.toONNX(7), /toONNX takes an options object, got 7/);
  await assert.rejects(m.saveONNX(''), /saveONNX: target must be a file path or 'downloads:\/\/name', got ''/);
  await assert.rejects(m.saveONNX('downloads://m'), /'downloads:\/\/' needs a browser page/);
  m.dispose();
  assert.throws(() => m.toONNX(), /this model was disposed/);
  assert.throws(() => nn.sequential().toONNX(), /the model has no layers yet/);
  await assertStillWorks();
});

test('a model of models (a GAN chain) exports as one plain model: onnxruntime predicts the same', async () => {
  const G = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [3], units: 8, activation: 'relu' }),
    nn.layers.batchNormalization({}), nn.layers.dense({ units: 4, activation: 'tanh' })] });
  const D = nn.sequential({ seed: 2, layers: [nn.layers.dense({ inputShape: [4], units: 6, activation: 'leakyRelu' }),
    nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
  randomize(G, 5); randomize(D, 6);
  const gan = nn.sequential({ layers: [G, D] });
  const x = floats(5 * 3, 7);
  const out = await runOnnx(gan.toONNX(), x, [5, 3]);
  assert.deepEqual(out.dims, [5, 1]);
  assert.ok(maxDiff(out.data, gan.predict(x)) <= TOL);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nnplay-chain-onnx-')), 'gan');
  const { files } = await gan.saveONNX(file);
  assert.ok(maxDiff((await runOnnx(fs.readFileSync(files[0]), x, [5, 3])).data, gan.predict(x)) <= TOL);
  gan.dispose();
  assert.throws(() => gan.toONNX(), /disposed/);
  G.dispose(); D.dispose();
  await assertStillWorks();
});
