// Model surgery, as Keras and TF.js do it: layer names, getLayer, pop, a new model from a trained
// one's layers (weights copied, trainable flags kept), a truncated model as a feature extractor,
// transfer (a frozen base and a new head) and fine-tuning (unfreeze some layers, recompile with a
// lower learning rate: only those change).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';
import { seeded } from '../../web/seeded.js';

before(async () => { await nn.ready(); });

/** n samples of 6 features in k Gaussian blobs: { x, y } (class indices). */
function blobs(n, k, seed) {
  const r = seeded(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: 6 }, () => 4 * r() - 2));
  const x = new Float32Array(n * 6), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % k;
    for (let j = 0; j < 6; j++) x[i * 6 + j] = centres[i % k][j] + 0.6 * (r() + r() + r() - 1.5);
  }
  return { x, y };
}

const trained = async () => {
  const m = nn.sequential({ seed: 3, layers: [
    nn.layers.dense({ inputShape: [6], units: 16, activation: 'relu', name: 'hidden' }),
    nn.layers.batchNormalization(),
    nn.layers.dense({ units: 8, activation: 'relu' }),
    nn.layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: nn.train.adam(0.02), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const { x, y } = blobs(200, 4, 1);
  await m.fit(x, y, { epochs: 10, batchSize: 20 });
  return m;
};
const arrays = (ws) => ws.map((w) => Array.from(w));

test('layer names: Keras\'s defaults (snake_case class, numbered), given names, unique in a model, in files and configs', async () => {
  const m = nn.sequential({ layers: [
    nn.layers.reshape({ inputShape: [16], targetShape: [4, 4, 1] }),
    nn.layers.conv2d({ filters: 2, kernelSize: 3 }),
    nn.layers.maxPooling2d({ poolSize: 2 }),
    nn.layers.flatten(),
    nn.layers.dense({ units: 3 }),
    nn.layers.dense({ units: 3, name: 'logits' }),
    nn.layers.dense({ units: 2 }),
  ] });
  assert.deepEqual(m.layers.map((l) => l.name), ['reshape', 'conv2d', 'max_pooling2d', 'flatten', 'dense', 'logits', 'dense_1']);
  assert.deepEqual(m.getWeights().map((w) => w.name).slice(0, 4), ['conv2d/kernel', 'conv2d/bias', 'dense/kernel', 'dense/bias']);
  assert.match(m.summary(null), /max_pooling2d \(MaxPooling2D\)/);
  assert.equal(m.getConfig().layers[5].config.name, 'logits');
  const again = nn.sequential(m.getConfig());
  assert.deepEqual(again.layers.map((l) => l.name), m.layers.map((l) => l.name));
  const r = nn.loadModel(m.save());
  assert.deepEqual(r.layers.map((l) => l.name), m.layers.map((l) => l.name));
  assert.equal(m.toTfjs().modelTopology.config.layers[5].config.name, 'logits');
  // refusals, before anything is built
  assert.throws(() => nn.layers.dense({ units: 1, name: 'a b' }), /dense: name must be a letter or digit, then letters, digits, _ - \. or \/ \(fewer than 64\), got 'a b'/);
  assert.throws(() => nn.layers.dense({ units: 1, name: 3 }), /dense: name must be a name, got 3/);
  assert.throws(() => m.add(nn.layers.dense({ units: 1, name: 'logits' })), /a layer named 'logits' is already in the model \(layer 5\); layer names must be unique/);
  for (const x of [m, again, r]) x.dispose();
});

test('getLayer(name | index) as TF.js and Keras take it; unknown layers are named', async () => {
  const m = await trained();
  assert.equal(m.getLayer('hidden').units, 16);
  assert.equal(m.getLayer('dense_1').units, 4);
  assert.equal(m.getLayer(1).className, 'BatchNormalization');
  assert.equal(m.getLayer(undefined, 2).name, 'dense');
  assert.equal(m.getLayer({ index: 3 }).name, 'dense_1');
  assert.equal(m.getLayer({ name: 'hidden' }).outputShape[0], 16);
  // its trainable flag is the layer's
  m.getLayer('hidden').trainable = false;
  assert.equal(m.layers[0].trainable, false);
  m.getLayer('hidden').trainable = true;
  assert.throws(() => m.getLayer('dense_9'), /getLayer: no layer named 'dense_9' \(layers: hidden, batch_normalization, dense, dense_1\)/);
  assert.throws(() => m.getLayer(4), /getLayer: no layer 4 \(the model has 4: indices 0 to 3\)/);
  assert.throws(() => m.getLayer('hidden', 0), /give a name or an index, not both/);
  assert.throws(() => m.getLayer({ nam: 'x' }), /getLayer/);
  assert.throws(() => m.getLayer(), /getLayer: no layer undefined/);
  m.dispose();
});

test('pop() removes the head (Keras\'s Sequential.pop); the model must be compiled again', async () => {
  const m = await trained();
  const params = m.countParams();
  m.pop();
  assert.equal(m.layers.length, 3);
  assert.deepEqual(m.outputShape, [8]);
  assert.equal(m.countParams(), params - (8 * 4 + 4));
  await assert.rejects(m.fit(new Float32Array(6), [[0, 0, 0, 0, 0, 0, 0, 0]]), /compile the model first/);
  m.add(nn.layers.dense({ units: 2, activation: 'softmax' }));
  assert.equal(m.layers[3].name, 'dense_1');
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await m.fit(new Float32Array(12), [0, 1], { epochs: 1 });
  for (let i = 0; i < 4; i++) m.pop();
  assert.throws(() => m.pop(), /pop: the model has no layers/);
  m.dispose();
});

test('a new model from a trained one\'s layers: weights and trainable flags copied, a new head, a feature extractor', async () => {
  const base = await trained();
  base.getLayer('hidden').trainable = false;
  const { x } = blobs(40, 4, 2);
  // the Keras recipe: every layer but the head, then a new head
  const m = nn.sequential({ seed: 9, layers: [...base.layers.slice(0, -1), nn.layers.dense({ units: 5, activation: 'softmax' })] });
  assert.deepEqual(m.layers.map((l) => l.name), ['hidden', 'batch_normalization', 'dense', 'dense_1']);
  assert.deepEqual(m.inputShape, [6]);
  assert.deepEqual(m.layers.map((l) => l.trainable), [false, true, true, true]);
  assert.deepEqual(arrays(m.getWeights().slice(0, 8)), arrays(base.getWeights().slice(0, 8)), 'weights and moving statistics copied');
  // copied, not shared: changing one leaves the other
  const w = m.getWeights();
  w[0][0] += 1;
  m.setWeights(w);
  assert.notEqual(m.getWeights()[0][0], base.getWeights()[0][0]);
  w[0][0] -= 1;
  m.setWeights(w);
  // a truncated model gives the embeddings predictLayers shows
  const features = nn.sequential({ layers: base.layers.slice(0, 3) });
  assert.deepEqual(Array.from(features.predict(x)), Array.from(base.predictLayers(x)[2]));
  // from getLayer too, starting in the middle (its input shape is the layer's)
  const tail = nn.sequential({ layers: [base.getLayer('dense'), base.getLayer('dense_1')] });
  assert.deepEqual(tail.inputShape, [16]);
  assert.deepEqual(Array.from(tail.predict(base.predictLayers(x)[1])), Array.from(base.predict(x)));
  // a plain config copy (spread) is a fresh layer: no weights come with it
  const fresh = nn.sequential({ seed: 1, layers: [{ ...base.layers[0], config: { ...base.layers[0].config, inputShape: [6] } }] });
  assert.notDeepEqual(arrays(fresh.getWeights()), arrays(base.getWeights().slice(0, 2)));
  // refusals
  assert.throws(() => nn.sequential({ layers: [base.layers[0], base.layers[0]] }), /adding layer 'hidden': .*a layer named 'hidden' is already in the model/);
  assert.throws(() => nn.sequential({ layers: [base.layers[0], base.layers[3]] }), /would hold 68 weights here and holds 36 in its model/);
  assert.throws(() => base.add(base.layers[0]), /this layer is already in this model/);
  const gone = await trained();
  const l0 = gone.layers[0];
  gone.dispose();
  assert.throws(() => nn.sequential({ layers: [l0] }), /comes from a model that was disposed/);
  for (const x2 of [base, m, features, tail, fresh]) x2.dispose();
});

test('transfer then fine-tuning: a frozen base trains only the head; unfreezing one layer and recompiling with a lower lr changes only it and the head', async () => {
  const base = await trained();
  const m = nn.sequential({ seed: 5, layers: [...base.layers.slice(0, -1), nn.layers.dense({ units: 3, activation: 'softmax', name: 'head' })] });
  for (const l of m.layers.slice(0, -1)) l.trainable = false;
  m.compile({ optimizer: nn.train.adam(0.02), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const { x, y } = blobs(150, 3, 7); // a new task on the same inputs
  const w0 = arrays(m.getWeights());
  const h = await m.fit(x, y, { epochs: 15, batchSize: 15 });
  const w1 = arrays(m.getWeights());
  assert.deepEqual(w1.slice(0, 8), w0.slice(0, 8), 'the base (and batchnorm\'s statistics) stays');
  assert.notDeepEqual(w1.slice(8), w0.slice(8), 'the head learns');
  assert.ok(h.history.loss.at(-1) < h.history.loss[0], 'the loss falls');
  // fine-tune: unfreeze the last base layer, compile again with a lower learning rate
  m.getLayer('dense').trainable = true;
  m.compile({ optimizer: nn.train.adam(0.002), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  assert.ok(Math.abs(m.learningRate - 0.002) < 1e-9);
  const h2 = await m.fit(x, y, { epochs: 5, batchSize: 15 });
  const w2 = arrays(m.getWeights());
  assert.deepEqual(w2.slice(0, 6), w1.slice(0, 6), 'hidden and batchnorm stay frozen');
  assert.notDeepEqual(w2.slice(6, 8), w1.slice(6, 8), 'the unfrozen layer changes');
  assert.notDeepEqual(w2.slice(8), w1.slice(8), 'the head changes');
  assert.ok(h2.history.accuracy.at(-1) >= h.history.accuracy.at(-1) - 0.05);
  // the base model was never touched
  assert.deepEqual(arrays(base.getWeights().slice(0, 8)), w0.slice(0, 8));
  base.dispose();
  m.dispose();
});

test('README: the "Reuse a trained model" code runs as written', async () => {
  const readme = (await import('node:fs')).readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const code = /## Reuse a trained model\n[^`]*```js\n([\s\S]*?)```/.exec(readme)[1];
  const base = await trained();
  const { x: newX, y: newY } = blobs(100, 5, 21);
  const { x, y } = blobs(200, 4, 1);
  const student = nn.sequential({ seed: 2, layers: [nn.layers.dense({ inputShape: [6], units: 4, activation: 'relu' }), nn.layers.dense({ units: 4, activation: 'softmax' })] });
  const run = new Function('nn', 'base', 'newX', 'newY', 'student', 'x', 'y',
    `return (async () => { ${code}; return { model, extractor, embeddings }; })();`);
  const { model, extractor, embeddings } = await run(nn, base, newX, newY, student, x, y);
  assert.deepEqual(model.layers.map((l) => l.name), ['hidden', 'batch_normalization', 'dense', 'head']);
  assert.deepEqual(model.layers.map((l) => l.trainable), [false, false, true, true]);
  const acc = model.evaluate(newX, newY).accuracy; // the README's model takes a random seed: 0.79-0.92 seen
  assert.ok(acc > 0.6, `accuracy ${acc} (chance: 0.2)`);
  assert.deepEqual(Array.from(embeddings), Array.from(base.predictLayers(newX).at(-2)));
  assert.ok(student.evaluate(x, y).accuracy > 0.5);
  for (const m of [base, model, extractor, student]) m.dispose();
});
