// The images page's Teach panel without its UI: the class list and drawings (web/images/teach-data.js)
// and its models (web/images/teach-model.js) in Node, on shapes drawn by tests/js/teach-shapes.mjs
// and preprocessed as the page does: the frozen base is the shipped digit CNN's, a new head learns
// the shapes, fine-tuning moves only the unfrozen layer, k-fold judges every drawing held out.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nn from '../../wasm/nnplay.js';
import { preprocess } from '../../web/images/preprocess.js';
import * as td from '../../web/images/teach-data.js';
import { frozenBase, trainTransfer, trainScratch, crossValidate, plainCopy, Cancelled } from '../../web/images/teach-model.js';
import { drawings, rasterize } from './teach-shapes.mjs';
import { seeded } from '../../web/seeded.js';

let shipped;
before(async () => {
  await nn.ready();
  shipped = nn.loadModel(readFileSync(new URL('../../web/models/digits-cnn.nnplay', import.meta.url)));
});

/** A store of `per` drawings of each shape, seeded. */
function shapesStore(shapes, per, seed) {
  const store = td.createStore(shapes);
  shapes.forEach((s, k) => {
    for (const d of drawings(s, per, seed + 17 * k)) td.addSample(store, store.classes[k].id, preprocess(rasterize(d), 280, 280));
  });
  return store;
}
const accuracy = (probs, y, k) => td.argmaxRows(probs, k).filter((p, i) => p === y[i]).length / y.length;

test('class list: defaults, 2 to 10 classes, names checked, drawings added and deleted', () => {
  const s = td.createStore();
  assert.deepEqual(s.classes.map((c) => c.name), ['A', 'B', 'C']);
  for (let i = 3; i < td.MAX_CLASSES; i++) td.addClass(s);
  assert.equal(s.classes.length, 10);
  assert.equal(s.classes[9].name, 'J');
  assert.throws(() => td.addClass(s), /at most 10 classes/);
  assert.throws(() => td.renameClass(s, s.classes[0].id, '  '), /a class needs a name/);
  assert.throws(() => td.renameClass(s, s.classes[0].id, 'b'), /already a class named 'b'/);
  assert.throws(() => td.renameClass(s, s.classes[0].id, 'x'.repeat(30)), /at most 24 characters/);
  assert.equal(td.renameClass(s, s.classes[0].id, '  Arrow → ').name, 'Arrow →');
  assert.equal(td.renameClass(s, s.classes[0].id, 'arrow →').name, 'arrow →', 'its own name in another case is fine');
  while (s.classes.length > 2) td.deleteClass(s, s.classes.at(-1).id);
  assert.throws(() => td.deleteClass(s, s.classes[0].id), /at least 2 classes/);
  assert.throws(() => td.deleteClass(s, 999), /no class with id 999/);
  td.addClass(s);
  assert.equal(s.classes[2].name, 'A', 'the first free letter');

  const x = new Float32Array(784).fill(0.5);
  const a = td.addSample(s, s.classes[0].id, x);
  x[0] = 1;
  assert.equal(a.x[0], 0.5, 'the drawing is copied');
  assert.throws(() => td.addSample(s, s.classes[0].id, new Float32Array(10)), /784 values \(28x28\), got 10/);
  td.addSample(s, s.classes[1].id, x);
  td.addSample(s, s.classes[1].id, x);
  assert.deepEqual(td.readiness(s), { ok: false, message: 'Draw every class at least 2 times (5 or more is better); still short: \'arrow →\' (1), \'A\' (0).' });
  td.deleteSample(s, s.classes[0].id, a.id);
  assert.equal(s.classes[0].samples.length, 0);
  assert.throws(() => td.deleteSample(s, s.classes[0].id, a.id), /has no drawing with id/);
  for (const c of s.classes) while (c.samples.length < 2) td.addSample(s, c.id, x);
  assert.deepEqual(td.readiness(s), { ok: true, message: '' });
  const ds = td.toDataset(s);
  assert.equal(ds.n, 6);
  assert.deepEqual(Array.from(ds.y), [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(ds.names, ['arrow →', 'B', 'A']);
  const full = td.createStore(['a', 'b']);
  for (let i = 0; i < td.MAX_SAMPLES; i++) td.addSample(full, full.classes[0].id, x);
  assert.throws(() => td.addSample(full, full.classes[0].id, x), /'a' has 100 drawings already/);
});

test('kept drawings: serialize / deserialize round-trip at 8 bits; damaged copies are refused with a reason', () => {
  const s = td.createStore(['up', 'down']);
  const x = Float32Array.from({ length: 784 }, (_, i) => (i % 7) / 6);
  td.addSample(s, s.classes[0].id, x);
  td.addSample(s, s.classes[1].id, x.map((v) => 1 - v));
  const back = td.deserialize(td.serialize(s));
  assert.deepEqual(back.classes.map((c) => [c.name, c.samples.length]), [['up', 1], ['down', 1]]);
  assert.ok(back.classes[0].samples[0].x.every((v, i) => Math.abs(v - x[i]) <= 0.5 / 255 + 1e-7));
  assert.throws(() => td.deserialize('{'), SyntaxError);
  assert.throws(() => td.deserialize('{"version":2,"classes":[]}'), /not a saved class list/);
  assert.throws(() => td.deserialize('{"version":1,"classes":[{"name":"a","samples":[]}]}'), /2 to 10 classes, this one 1/);
  assert.throws(() => td.deserialize('{"version":1,"classes":[{"name":"a","samples":[]},{"name":"A","samples":[]}]}'), /already a class named 'A'/);
  assert.throws(() => td.deserialize('{"version":1,"classes":[{"name":"a","samples":["AAAA"]},{"name":"b","samples":[]}]}'), /a drawing of 'a' is not 784 bytes/);
  assert.throws(() => td.deserialize('{"version":1,"classes":[{"name":"a","samples":[]},{"name":"b"}]}'), /class 'b' has no list of drawings/);
  assert.throws(() => td.deserialize('{"version":1,"classes":[{"name":"a","samples":["%%%"]},{"name":"b","samples":[]}]}'), /a drawing of 'a' is not 784 bytes/);
  // damaged copies of every shape: refused with one of the messages above, never a TypeError from deep inside
  const r = seeded(11);
  const junk = () => [null, 3, 'x', [], {}, { name: 5 }, { name: 'q', samples: 'no' }, { name: 'q', samples: [null] }, true][Math.floor(r() * 9)];
  const good = JSON.parse(td.serialize(s));
  for (let i = 0; i < 300; i++) {
    const d = structuredClone(good);
    const at = Math.floor(r() * 4);
    if (at === 0) d.classes[Math.floor(r() * 2)] = junk();
    else if (at === 1) d.classes[Math.floor(r() * 2)].samples[0] = junk();
    else if (at === 2) d.classes[Math.floor(r() * 2)].name = junk();
    else d.classes.push(junk());
    try {
      const back = td.deserialize(JSON.stringify(d));
      assert.ok(back.classes.length >= 2 && back.classes.every((c) => c.samples.every((x) => x.x.length === 784)));
    } catch (err) {
      assert.ok(!(err instanceof TypeError), `${JSON.stringify(d).slice(0, 200)}: ${err.message}`);
      assert.match(err.message, /class|drawing|name/);
    }
  }
});

test('augmentation: shifts move the image, 9 copies per drawing, the original first', () => {
  const img = new Float32Array(784);
  img[10 * 28 + 12] = 1;
  const s = td.shift(img, 2, -1);
  assert.equal(s[9 * 28 + 14], 1);
  assert.equal(s.reduce((a, b) => a + b, 0), 1);
  assert.equal(td.shift(img, 20, 0).reduce((a, b) => a + b, 0), 0, 'moved out of the frame');
  const x = new Float32Array(2 * 784);
  x.set(img);
  x.set(s, 784);
  const a = td.augment(x, Float32Array.of(0, 1));
  assert.equal(a.y.length, 18);
  assert.deepEqual(Array.from(a.y), [...new Array(9).fill(0), ...new Array(9).fill(1)]);
  assert.deepEqual(a.x.subarray(0, 784), img);
  assert.deepEqual(a.x.subarray(9 * 784, 10 * 784), s);
  assert.deepEqual(a.x.subarray(784, 2 * 784), td.shift(img, -2, 0));
});

test('stratified k-fold: every class spread over the folds, seeded; the figures from held-out predictions', () => {
  const y = Float32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2]);
  assert.equal(td.foldCount(y, 3), 3);
  assert.equal(td.foldCount(Float32Array.from(new Array(40).fill(0).map((_, i) => i % 2)), 2), 5);
  const f = td.stratifiedFolds(y, 3, 7);
  assert.deepEqual(f, td.stratifiedFolds(y, 3, 7));
  assert.notDeepEqual(f, td.stratifiedFolds(y, 3, 8));
  for (let c = 0; c < 3; c++) {
    const per = [0, 0, 0];
    y.forEach((v, i) => { if (v === c) per[f[i]]++; });
    assert.ok(Math.max(...per) - Math.min(...per) <= 1, `class ${c} over the folds: ${per}`);
  }
  const sizes = [0, 0, 0];
  for (const v of f) sizes[v]++;
  assert.deepEqual(sizes, [5, 5, 5]);
  assert.throws(() => td.stratifiedFolds(y, 1), /k >= 2/);
  const m = td.confusionMatrix([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], 3);
  assert.deepEqual(m, [[1, 1, 0], [0, 2, 0], [1, 0, 0]]);
  assert.deepEqual(td.scores(m), { accuracy: 3 / 5, perClass: [0.5, 1, 0] });
  assert.deepEqual(td.scores([[0, 0], [1, 1]]).perClass, [null, 0.5], 'a class with no drawings has no accuracy');
  assert.deepEqual(Array.from(td.argmaxRows(Float32Array.of(0.1, 0.9, 0.7, 0.3), 2)), [1, 0]);
});

test('the frozen base: the shipped CNN without its head, the same features, every layer frozen', () => {
  const base = frozenBase(nn, shipped);
  assert.deepEqual(base.layers.map((l) => l.type), shipped.layers.slice(0, -1).map((l) => l.type));
  assert.ok(base.layers.every((l) => l.trainable === false));
  assert.equal(base.outputSize, 256);
  const x = td.toDataset(shapesStore(['circle'], 2, 1)).x;
  const want = shipped.predictLayers(x.subarray(0, 784))[shipped.layers.length - 2];
  const got = base.predict(x.subarray(0, 784));
  assert.ok(got.every((v, i) => Math.abs(v - want[i]) < 1e-5), 'features as the whole model computes them');
  base.dispose();
});

test('transfer: a new head on the frozen base reads fresh drawings of 3 shapes; the base does not move; exports load back', async () => {
  const shapes = ['line', 'circle', 'cross'];
  const train = td.toDataset(shapesStore(shapes, 5, 100));
  const fresh = td.toDataset(shapesStore(shapes, 20, 900));
  const before = shipped.getWeights().map((w) => Array.from(w));
  let progress = 0;
  const t = await trainTransfer(nn, shipped, train.x, train.y, 3, { seed: 2, onProgress: (f) => { progress = f; } });
  assert.equal(progress, 1);
  const acc = accuracy(t.model.predict(fresh.x), fresh.y, 3);
  console.log(`teach: transfer on 5 drawings per shape reads ${(100 * acc).toFixed(1)}% of 60 fresh ones`);
  assert.ok(acc >= 0.95, `fresh accuracy ${acc}`);
  const baseW = t.base.getWeights();
  baseW.forEach((w, i) => assert.deepEqual(Array.from(w), before[i], 'frozen base weights unchanged'));
  assert.deepEqual(shipped.getWeights().map((w) => Array.from(w)), before, 'the shipped model untouched');

  const flat = plainCopy(nn, t.model);
  const probs = t.model.predict(fresh.x);
  assert.deepEqual(flat.predict(fresh.x), probs);
  const back = nn.loadModel(flat.save());
  assert.deepEqual(back.predict(fresh.x), probs);
  assert.equal(back.outputSize, 3);
  const art = flat.toTfjs();
  const fromTfjs = await nn.loadTfjs(art);
  const p2 = fromTfjs.predict(fresh.x);
  assert.ok(p2.every((v, i) => Math.abs(v - probs[i]) < 1e-5));
  assert.ok(flat.toONNX().length > 4 * flat.countParams(), 'an ONNX file with the weights');
  for (const m of [flat, back, fromTfjs]) m.dispose();
  t.dispose();
});

test('fine-tuning: after the head, the base\'s last conv layer learns at a lower rate and the first stays', async () => {
  const shapes = ['right', 'left', 'line'];
  const train = td.toDataset(shapesStore(shapes, 4, 300));
  const base0 = frozenBase(nn, shipped);
  const w0 = base0.getWeights().map((w) => Array.from(w));
  base0.dispose();
  const t = await trainTransfer(nn, shipped, train.x, train.y, 3, { fineTune: true, seed: 3 });
  const w1 = t.base.getWeights().map((w) => Array.from(w));
  assert.deepEqual(w1.slice(0, 2), w0.slice(0, 2), 'first conv frozen');
  assert.notDeepEqual(w1[2], w0[2], 'last conv kernel fine-tuned');
  assert.deepEqual(t.model.layers.map((l) => l.trainable), [false, false, true, false, false, true]);
  const fresh = td.toDataset(shapesStore(shapes, 10, 700));
  const acc = accuracy(t.model.predict(fresh.x), fresh.y, 3);
  console.log(`teach: fine-tuned on 4 arrows/lines per class reads ${(100 * acc).toFixed(1)}% of 30 fresh ones`);
  assert.ok(acc >= 0.9, `fresh accuracy ${acc}`);
  const saved = nn.loadModel(plainCopy(nn, t.model).save());
  assert.deepEqual(saved.predict(fresh.x), t.model.predict(fresh.x));
  saved.dispose();
  t.dispose();
});

test('k-fold: every drawing judged once by a model that never saw it, for transfer and from scratch', async () => {
  const shapes = ['line', 'circle', 'cross'];
  const d = td.toDataset(shapesStore(shapes, 3, 40));
  const t = await crossValidate(nn, shipped, 'transfer', d.x, d.y, 3, { seed: 5 });
  assert.equal(t.k, 3);
  assert.equal(t.pred.length, 9);
  assert.equal(t.confusion.flat().reduce((a, b) => a + b, 0), 9);
  assert.deepEqual(t.confusion.map((r) => r.reduce((a, b) => a + b, 0)), [3, 3, 3]);
  assert.ok(t.accuracy >= 8 / 9, `transfer held-out accuracy ${t.accuracy}`);
  let last = 0;
  const s = await crossValidate(nn, shipped, 'scratch', d.x, d.y, 3, { seed: 5, onProgress: (f) => { assert.ok(f >= last); last = f; } });
  assert.ok(last > 0.99);
  assert.equal(s.k, 3);
  assert.equal(s.confusion.flat().reduce((a, b) => a + b, 0), 9);
  console.log(`teach: 3 drawings per shape, 3-fold: transfer ${(100 * t.accuracy).toFixed(0)}%, from scratch ${(100 * s.accuracy).toFixed(0)}%`);
  await assert.rejects(crossValidate(nn, shipped, 'transfer', d.x.subarray(0, 4 * 784), Float32Array.of(0, 0, 1, 2), 3), /at least 2 drawings/);
});

test('k-fold with the frozen base\'s features computed once reads every drawing as separate trainings do', async () => {
  const shapes = ['right', 'left', 'circle'];
  const d = td.toDataset(shapesStore(shapes, 3, 200));
  const cv = await crossValidate(nn, shipped, 'transfer', d.x, d.y, 3, { seed: 9 });
  const fold = td.stratifiedFolds(d.y, cv.k, 9);
  const pred = new Int32Array(d.n);
  for (let f = 0; f < cv.k; f++) {
    const trainIdx = [...d.y.keys()].filter((i) => fold[i] !== f);
    const testIdx = [...d.y.keys()].filter((i) => fold[i] === f);
    const tr = td.take(d.x, d.y, trainIdx);
    const t = await trainTransfer(nn, shipped, tr.x, tr.y, 3, { seed: 9 + f });
    const p = td.argmaxRows(t.model.predict(td.take(d.x, null, testIdx).x), 3);
    testIdx.forEach((i, r) => { pred[i] = p[r]; });
    t.dispose();
  }
  assert.deepEqual(Array.from(cv.pred), Array.from(pred));
});

test('from scratch: the same layers with random weights, all trained; a training stops when cancelled', async () => {
  const d = td.toDataset(shapesStore(['line', 'cross'], 2, 60));
  const s = await trainScratch(nn, shipped, d.x, d.y, 2, { seed: 1 });
  assert.deepEqual(s.model.layers.map((l) => l.type), shipped.layers.map((l) => l.type));
  assert.ok(s.model.layers.every((l) => l.trainable));
  assert.notDeepEqual(Array.from(s.model.getWeights()[0]), Array.from(shipped.getWeights()[0]), 'not the digit CNN\'s weights');
  s.dispose();
  let epochs = 0;
  await assert.rejects(trainScratch(nn, shipped, d.x, d.y, 2, { onProgress: () => { epochs++; }, cancelled: () => epochs >= 2 }), Cancelled);
  assert.equal(epochs, 2);
  await assert.rejects(trainTransfer(nn, shipped, d.x, d.y, 2, { fineTune: true, cancelled: () => true }), Cancelled);
});

test('no wasm memory left behind: trainings, k-fold, cancelled runs and exports give back every byte', async () => {
  const d = td.toDataset(shapesStore(['line', 'cross'], 2, 80));
  const used = () => nn.info().heapUsed;
  const run = async () => {
    const t = await trainTransfer(nn, shipped, d.x, d.y, 2, { fineTune: true });
    plainCopy(nn, t.model).dispose();
    t.dispose();
    await crossValidate(nn, shipped, 'transfer', d.x, d.y, 2);
    await assert.rejects(trainScratch(nn, shipped, d.x, d.y, 2, { cancelled: () => true }), Cancelled);
    await assert.rejects(trainTransfer(nn, shipped, d.x, d.y, 2, { fineTune: true, cancelled: () => true }), Cancelled);
  };
  await run(); // warm: whatever the first run keeps for good
  const before = used();
  await run();
  assert.equal(used(), before);
});
