// Knowledge distillation in one call, nn.distill({ teacher, student, x, y, temperature, alpha }):
// a student distilled from a teacher beats the same student trained on the labels alone; the
// teacher is left as it was; misuse is refused with a message. (The loss and its gradient are
// checked against finite differences in tests/c/test_distill.c.)
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';

before(async () => { await nn.ready(); });

const mlp = (units, k, seed) => nn.sequential({ seed, layers: [
  nn.layers.dense({ inputShape: [2], units, activation: 'relu' }),
  nn.layers.dense({ units, activation: 'relu' }),
  nn.layers.dense({ units: k, activation: 'softmax' }),
] });
const compiled = (m) => m.compile({ optimizer: nn.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

test('a student distilled from a teacher beats the same student trained on the labels alone (4 noisy blobs, 40 labelled samples, 3 seeds)', async () => {
  const gen = (n, seed) => nn.data.generate('blobs', { n, seed, numClasses: 4, noise: 0.5 });
  const big = gen(3000, 1), small = gen(40, 2), testSet = gen(2000, 3);
  const teacher = compiled(mlp(64, 4, 1));
  await teacher.fit(big.x, big.y, { epochs: 60, batchSize: 32 });
  const teacherAcc = teacher.evaluate(testSet.x, testSet.y).accuracy;
  const before = teacher.getWeights().map((w) => Array.from(w));
  const acc = { labels: [], distilled: [] };
  for (const seed of [11, 12, 13]) {
    const alone = compiled(mlp(16, 4, seed)), student = compiled(mlp(16, 4, seed));
    await alone.fit(small.x, small.y, { epochs: 300, batchSize: 16 });
    const h = await nn.distill({ teacher, student, x: small.x, y: small.y, temperature: 4, alpha: 0.1, epochs: 300, batchSize: 16 });
    assert.equal(h.history.loss.length, 300);
    assert.ok(h.history.loss.at(-1) < h.history.loss[0], 'the distillation loss falls');
    acc.labels.push(alone.evaluate(testSet.x, testSet.y).accuracy);
    acc.distilled.push(student.evaluate(testSet.x, testSet.y).accuracy);
    alone.dispose();
    student.dispose();
  }
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  assert.ok(teacherAcc > 0.78, `teacher ${teacherAcc}`);
  assert.ok(mean(acc.distilled) > mean(acc.labels) + 0.03,
    `distilled ${acc.distilled.map((a) => a.toFixed(3))} vs labels alone ${acc.labels.map((a) => a.toFixed(3))}`);
  assert.deepEqual(teacher.getWeights().map((w) => Array.from(w)), before, 'the teacher is not trained');
  teacher.dispose();
});

test('fit\'s options apply (validationData, callbacks); afterwards the student trains on its labels again', async () => {
  const d = nn.data.generate('blobs', { n: 200, seed: 4, numClasses: 3 });
  const teacher = compiled(mlp(16, 3, 1));
  await teacher.fit(d.x, d.y, { epochs: 5 });
  const student = compiled(mlp(4, 3, 2)), twin = compiled(mlp(4, 3, 2));
  const seen = [];
  const h = await nn.distill({ teacher, student, x: d.x, y: d.y, epochs: 3, validationData: [d.x, d.y],
    callbacks: { onEpochEnd: (e, logs) => { seen.push(e, logs.val_loss); } } });
  assert.equal(seen.length, 6);
  assert.ok(Number.isFinite(h.history.val_accuracy[2]));
  // alpha 1 is the student's own training: the same steps as fit
  const s2 = compiled(mlp(4, 3, 2));
  await nn.distill({ teacher, student: s2, x: d.x, y: d.y, alpha: 1, epochs: 2, shuffle: false });
  await twin.fit(d.x, d.y, { epochs: 2, shuffle: false });
  const w1 = s2.getWeights(), w2 = twin.getWeights();
  w1.forEach((w, i) => w.forEach((v, j) => assert.ok(Math.abs(v - w2[i][j]) < 1e-5)));
  // the teacher is released: trainOnBatch's loss (before its step) is the student's own loss again
  const xb = d.x.slice(0, 8), yb = d.y.slice(0, 4);
  const own = student.evaluate(xb, yb).loss;
  const [l1] = student.trainOnBatch(xb, yb);
  assert.ok(Math.abs(l1 - own) < 1e-5, `${l1} vs ${own}`);
  for (const m of [teacher, student, twin, s2]) m.dispose();
});

test('misuse is refused with a message; a teacher disposed while distilling is freed afterwards', async () => {
  const d = nn.data.generate('blobs', { n: 64, seed: 5, numClasses: 3 });
  const teacher = compiled(mlp(8, 3, 1));
  const student = mlp(4, 3, 2);
  await assert.rejects(nn.distill({ teacher, student, x: d.x, y: d.y }), /distill: compile the student first/);
  compiled(student);
  await assert.rejects(nn.distill({ teacher: {}, student, x: d.x, y: d.y }), /distill: teacher must be a model made by nn.sequential/);
  await assert.rejects(nn.distill({ teacher, student, x: d.x, y: d.y, temperature: -1 }), /distill: temperature must be a number in \(0, 1000\], got -1/);
  await assert.rejects(nn.distill({ teacher, student, x: d.x, y: d.y, alpha: 2 }), /distill: alpha must be a number in \[0, 1\], got 2/);
  await assert.rejects(nn.distill({ teacher, student, x: d.x, y: d.y, alpha: '0.5' }), /distill: alpha must be a number, got/);
  const four = mlp(4, 4, 3);
  await assert.rejects(nn.distill({ teacher: four, student, x: d.x, y: d.y }), /distill: the teacher gives 4 outputs per sample, the student 3/);
  const sig = nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 3, activation: 'sigmoid' })] });
  await assert.rejects(nn.distill({ teacher: sig, student, x: d.x, y: d.y }), /the teacher must end in softmax or a linear layer \(logits\), it ends in sigmoid/);
  const mse = mlp(4, 3, 4);
  mse.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  await assert.rejects(nn.distill({ teacher, student: mse, x: d.x, y: [[1, 0, 0]].concat(Array(63).fill([0, 1, 0])) }),
    /compile the student with categoricalCrossentropy or sparseCategoricalCrossentropy/);
  // the teacher cannot change under the student, and disposing it waits for the end
  const p = nn.distill({ teacher, student, x: d.x, y: d.y, epochs: 2 });
  assert.throws(() => teacher.setWeights(teacher.getWeights()), /while fit\(\) is running/);
  teacher.dispose();
  await p;
  assert.ok(teacher.isDisposed && !teacher._ptr);
  for (const m of [student, four, sig, mse]) m.dispose();
});
