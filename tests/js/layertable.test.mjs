// A layer type added to the core's table alone (tests/layers/scale.c, in the test build of the
// core) works from JS with no change to the bridge or the JS API: construct, fit, getWeights,
// setWeights, summary, save, load. The test build's module is build-wasm/test-core/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nn from '../../wasm/nnplay.js';

const dir = new URL('../../build-wasm/test-core/', import.meta.url);
const { default: createModule } = await import(new URL('nnplay_core.mjs', dir));
await nn.ready({ createModule, wasmBinary: readFileSync(new URL('nnplay_core.wasm', dir)) });

test('the test build lists the extra layer in the table, with its option', () => {
  const t = nn.describe().layers.find((l) => l.name === 'scale');
  assert.ok(t, 'scale is in the table');
  assert.equal(t.className, 'Scale');
  assert.deepEqual(t.options.map((o) => [o.name, o.kind, o.default]), [['initialValue', 'float', 1]]);
  assert.equal(typeof nn.layers.scale, 'function');
  assert.throws(() => nn.layers.scale({ initialValue: 'big' }), /scale: initialValue must be a number, got 'big'/);
  assert.throws(() => nn.layers.scale({ initialValu: 2 }), /scale: unknown option 'initialValu' \(options: initialValue\)/);
});

test('construct, fit, getWeights/setWeights, summary, save and load a model with it', async () => {
  // y = 3x: one weight to learn
  const x = Float32Array.from({ length: 64 }, (_, i) => (i - 32) / 16);
  const y = x.map((v) => 3 * v);
  const m = nn.sequential({ seed: 1, layers: [nn.layers.scale({ inputShape: [1], initialValue: 0.5 })] });
  assert.equal(m.countParams(), 1);
  assert.deepEqual(m.getWeights().map((w) => [w.name, w.shape, w[0]]), [['scale/scale', [1], 0.5]]);
  assert.deepEqual(m.layers[0].config, { initialValue: 0.5, trainable: true, name: 'scale' });
  m.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
  const h = await m.fit(x, y, { epochs: 30, batchSize: 16 });
  assert.ok(h.history.loss.at(-1) < 1e-4, `loss ${h.history.loss.at(-1)}`);
  assert.ok(Math.abs(m.getWeights()[0][0] - 3) < 1e-2);
  assert.match(m.summary(null), /scale \(Scale\)\s+\[null,1\]\s+1/);
  const r = nn.loadModel(m.save());
  assert.equal(r.layers[0].className, 'Scale');
  assert.deepEqual(Array.from(r.predict([2])), Array.from(m.predict([2])));
  r.setWeights([[-1]]);
  assert.deepEqual(Array.from(r.predict([2])), [-2]);
  await r.fit(x, y, { epochs: 5, batchSize: 16 }); // the optimizer state came along
  assert.ok(r.getWeights()[0][0] > -1);
  m.dispose();
  r.dispose();
});

test('a layer type that wasm/onnx.js was not taught is refused by toONNX, by name', () => {
  const m = nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 2 }), nn.layers.scale({})] });
  assert.throws(() => m.toONNX(), /^Error: nnplay: toONNX: layer 1 'scale' \(Scale\): Scale has no ONNX mapping yet \(wasm\/onnx\.js\)$/);
  m.dispose();
});
