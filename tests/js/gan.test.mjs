// Models inside a model (Keras's Sequential([generator, discriminator])) and the GAN recipe as
// Keras users write it: the discriminator compiled, then frozen, then the GAN compiled.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';

before(async () => { await nn.ready(); });

const mlp = (seed, inDim, out, activation) => nn.sequential({ seed, layers: [
  nn.layers.dense({ inputShape: [inDim], units: 16, activation: 'tanh' }),
  nn.layers.dense({ units: out, activation }),
] });
const flat = (ws) => ws.map((w) => Array.from(w));

function recipe(seed = 1) {
  const generator = mlp(seed, 1, 1, 'linear');
  const discriminator = mlp(seed + 1, 1, 1, 'sigmoid');
  discriminator.compile({ optimizer: nn.train.adam(0.005, 0.5), loss: 'binaryCrossentropy' });
  discriminator.trainable = false;
  const gan = nn.sequential({ layers: [generator, discriminator] });
  gan.compile({ optimizer: nn.train.adam(0.005, 0.5), loss: 'binaryCrossentropy' });
  return { generator, discriminator, gan };
}

test('the Keras GAN recipe, as written, learns a 1D Gaussian (mean 3, std 0.5)', () => {
  const { generator, discriminator, gan } = recipe();
  const B = 64;
  const ones = new Float32Array(B).fill(1);
  const zeros = new Float32Array(B);
  for (let s = 0; s < 600; s++) {
    const real = nn.random.normal([B, 1], { mean: 3, stddev: 0.5, seed: 1000 + s });
    const z = nn.random.normal([B, 1], { seed: 5000 + s });
    discriminator.trainOnBatch(real, ones);
    discriminator.trainOnBatch(generator.predict(z), zeros);
    gan.trainOnBatch(z, ones);
  }
  const out = generator.predict(nn.random.normal([2000, 1], { seed: 99 }));
  const mean = out.reduce((a, b) => a + b, 0) / out.length;
  assert.ok(Math.abs(mean - 3) < 0.5, `generated mean ${mean}`);
  gan.dispose(); generator.dispose(); discriminator.dispose();
});

test('the GAN shares its models\' weights: its steps move the generator only, the discriminator\'s own steps move it', () => {
  const { generator, discriminator, gan } = recipe(3);
  const z = nn.random.normal([16, 1], { seed: 1 });
  const ones = new Float32Array(16).fill(1);
  const g0 = flat(generator.getWeights());
  const d0 = flat(discriminator.getWeights());
  assert.equal(typeof gan.trainOnBatch(z, ones), 'number');
  assert.notDeepEqual(flat(generator.getWeights()), g0);
  assert.deepEqual(flat(discriminator.getWeights()), d0, 'frozen when the GAN was compiled');
  assert.deepEqual(flat(gan.getWeights()), [...flat(generator.getWeights()), ...flat(discriminator.getWeights())], 'the same weights, not copies');
  discriminator.trainOnBatch(z, new Float32Array(16)); // compiled before the freeze: it learns
  assert.notDeepEqual(flat(discriminator.getWeights()), d0);
  // predict runs both; layers and trainable reach the models' layers
  assert.deepEqual(gan.predict(z), discriminator.predict(generator.predict(z)));
  assert.equal(gan.layers.length, 4);
  assert.deepEqual(gan.layers.map((l) => l.trainable), [true, true, false, false]);
  assert.deepEqual([gan.inputShape, gan.outputShape, gan.countParams()], [[1], [1], 98]);
  // with metrics: Keras's [loss, ...metrics]
  gan.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const r = gan.trainOnBatch(z, ones);
  assert.ok(Array.isArray(r) && r.length === 2 && r[1] >= 0 && r[1] <= 1, `${r}`);
  gan.dispose(); generator.dispose(); discriminator.dispose();
});

test('saving the GAN stores each weight once and loads as one plain model', () => {
  const { generator, discriminator, gan } = recipe(5);
  const z = nn.random.normal([8, 1], { seed: 2 });
  const m = nn.loadModel(gan.save());
  assert.equal(m.layers.length, 4);
  assert.equal(m.countParams(), 98);
  assert.deepEqual(m.predict(z), gan.predict(z));
  assert.deepEqual(m.layers.map((l) => l.trainable), [true, true, false, false]);
  m.dispose(); gan.dispose(); generator.dispose(); discriminator.dispose();
});

test('disposing in any order is safe; a disposed model inside is named, and nothing leaks', () => {
  const used = nn.info().heapUsed;
  for (let order = 0; order < 3; order++) {
    const { generator, discriminator, gan } = recipe(7);
    const z = nn.random.normal([4, 1], { seed: 3 });
    const ones = new Float32Array(4).fill(1);
    gan.trainOnBatch(z, ones);
    if (order === 0) {
      discriminator.dispose();
      assert.throws(() => gan.trainOnBatch(z, ones), /nnplay: trainOnBatch: model 2 inside this one was disposed/);
      assert.throws(() => gan.predict(z), /model 2 inside this one was disposed/);
      gan.dispose(); generator.dispose();
    } else if (order === 1) {
      gan.dispose();
      assert.throws(() => gan.trainOnBatch(z, ones), /this model was disposed/);
      assert.equal(generator.predict(z).length, 4, 'the models stay usable');
      generator.dispose(); discriminator.dispose();
    } else {
      generator.dispose(); discriminator.dispose(); gan.dispose(); gan.dispose();
    }
  }
  assert.equal(nn.info().heapUsed, used);
});

test('plain layers around a model become models inside; misuse gets a clear message', () => {
  const base = mlp(9, 2, 3, 'relu');
  const m = nn.sequential({ layers: [base, nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
  assert.equal(m.models.length, 2);
  assert.deepEqual(m.outputShape, [1]);
  m.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy' });
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const losses = [];
  for (let i = 0; i < 50; i++) losses.push(m.trainOnBatch(x, [0, 1, 1, 0]));
  assert.ok(losses[49] < losses[0], 'both the base and the head learn');
  const used = nn.info().heapUsed;
  m.dispose(); // frees the head it made, not base
  assert.ok(nn.info().heapUsed < used);
  assert.equal(base.predict(x).length, 12);
  assert.throws(() => nn.sequential({ layers: [base, mlp(1, 5, 1, 'sigmoid')] }), /model 1 of the chain gives \[3\] but model 2 takes \[5\]/);
  assert.throws(() => nn.sequential({ layers: [base, base] }), /model 2 of the chain is model 1 again/);
  assert.throws(() => base.add(mlp(2, 3, 1, 'sigmoid')), /to use models as layers, give them in sequential\(\{ layers/);
  const g = nn.sequential({ layers: [base] });
  assert.throws(() => g.trainOnBatch([[0, 0]], [[0, 0, 0]]), /compile the model first/);
  g.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  assert.throws(() => g.trainOnBatch([[0, 0]], [[2, 0, 0]]), /model 1 of the chain: label 2 at sample 0 is out of range/);
  g.dispose(); base.dispose();
});

test('fit and evaluate over models inside: a frozen base and a new head (transfer learning\'s shape)', async () => {
  const base = mlp(11, 2, 8, 'tanh');
  base.trainable = false;
  const head = nn.sequential({ seed: 12, layers: [nn.layers.dense({ inputShape: [8], units: 1, activation: 'sigmoid' })] });
  const m = nn.sequential({ layers: [base, head] });
  m.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const d = nn.data.generate('circle', { n: 200, seed: 4 });
  const b0 = flat(base.getWeights());
  const before = m.evaluate(d.x, d.y);
  const h = await m.fit(d.x, d.y, { epochs: 20, batchSize: 16, validationSplit: 0.25 });
  assert.deepEqual(Object.keys(h.history), ['loss', 'accuracy', 'val_loss', 'val_accuracy']);
  assert.equal(h.history.loss.length, 20);
  assert.ok(h.history.loss[19] < h.history.loss[0], `loss ${h.history.loss[0]} -> ${h.history.loss[19]}`);
  const after = m.evaluate(d.x, d.y);
  assert.ok(after.loss < before.loss && after.accuracy >= before.accuracy);
  assert.deepEqual(flat(base.getWeights()), b0, 'the frozen base is unchanged');
  // evaluate's loss is the mean loss of the predictions
  const p = m.predict(d.x);
  let bce = 0;
  p.forEach((q, i) => { const t = d.y[i]; const c = Math.min(Math.max(q, 1e-7), 1 - 1e-7); bce -= t * Math.log(c) + (1 - t) * Math.log(1 - c); });
  assert.ok(Math.abs(after.loss - bce / p.length) < 1e-3, `${after.loss} vs ${bce / p.length}`);
  await assert.rejects(m.fit(d.x, d.y, { epochs: -1 }), /epochs must be an integer >= 0/);
  await assert.rejects(m.fit(d.x, d.y, { augment: { shift: 1 } }), /fit: unknown option 'augment'/);
  await assert.rejects(m.fit(d.x, d.y, { callbacks: { onBatchEnd: 3 } }), /callbacks must be objects/);
  m.dispose(); head.dispose(); base.dispose();
});

test('a model of models\' fit: every callback hook, the batch loss, verbose lines, stopTraining, initialEpoch', async () => {
  const base = mlp(13, 2, 8, 'tanh');
  base.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const head = nn.sequential({ seed: 14, layers: [nn.layers.dense({ inputShape: [8], units: 1, activation: 'sigmoid' })] });
  const m = nn.sequential({ layers: [base, head] });
  m.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy' });
  const d = nn.data.generate('circle', { n: 50, seed: 5 });
  const seen = [];
  const batchLosses = [];
  const logged = [];
  const log = console.log;
  console.log = (s) => logged.push(s);
  let h;
  try {
    h = await m.fit(d.x, d.y, { epochs: 4, initialEpoch: 1, batchSize: 16, verbose: 1, callbacks: {
      onTrainBegin: () => seen.push('train'), onEpochBegin: (e) => seen.push(`e${e}`),
      onBatchBegin: (b, l) => seen.push(`b${b}:${l.size}`),
      onBatchEnd: (b, l) => { batchLosses.push(l.loss); assert.throws(() => base.trainOnBatch(d.x, new Float32Array(50 * 8)), /while fit\(\) is running/); },
      onEpochEnd: (e, logs) => { seen.push(`E${e}:${Object.keys(logs)}`); if (e === 2) m.stopTraining = true; },
      onTrainEnd: () => seen.push('end'),
    } });
  } finally { console.log = log; }
  assert.deepEqual(seen, ['train', 'e1', 'b0:16', 'b1:16', 'b2:16', 'b3:2', 'E1:loss', 'e2', 'b0:16', 'b1:16', 'b2:16', 'b3:2', 'E2:loss', 'end']);
  assert.deepEqual(h.epoch, [1, 2]);
  assert.equal(batchLosses.length, 8);
  assert.ok(batchLosses.every((l) => Number.isFinite(l) && l > 0));
  assert.equal(logged.length, 2);
  assert.match(logged[0], /^Epoch 2\/4\n4\/4 \[=+\] - .*loss: \d/);
  // the models inside are free again, and disposing one mid-fit stops the fit (freed after it)
  base.trainOnBatch(d.x, new Float32Array(50 * 8));
  const h2 = await m.fit(d.x, d.y, { epochs: 3, batchSize: 8, callbacks: { onBatchEnd: (b) => { if (b === 1) head.dispose(); } } });
  assert.deepEqual(h2.epoch, []);
  assert.equal(head.isDisposed, true);
  assert.throws(() => m.predict(d.x), /model 2 inside this one was disposed/);
  m.dispose(); base.dispose();
});

test('trainOnBatch\'s sampleWeight (Keras\'s sample_weight): the mean of weight x loss; -1 on label 0 is the minimax generator\'s log(1 - D(G(z)))', () => {
  const x = nn.random.normal([8, 1], { seed: 4 });
  const y = new Float32Array(8).map((_, i) => i % 2);
  const [a, b] = [recipe(13), recipe(13)];
  const la = a.discriminator.trainOnBatch(x, y);
  const lb = b.discriminator.trainOnBatch(x, y, new Float32Array(8).fill(1));
  assert.equal(lb, la);
  assert.deepEqual(flat(b.discriminator.getWeights()), flat(a.discriminator.getWeights()));
  assert.ok(Math.abs(a.discriminator.trainOnBatch(x, y, Array(8).fill(2)) - 2 * b.discriminator.trainOnBatch(x, y)) < 1e-5);
  const p = a.gan.predict(x);
  const want = p.reduce((s, q) => s + Math.log(1 - q), 0) / 8;
  const got = a.gan.trainOnBatch(x, new Float32Array(8), new Float32Array(8).fill(-1));
  assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
  assert.throws(() => a.gan.trainOnBatch(x, new Float32Array(8), [1, 2]), /x has 8 samples but sampleWeight has 2 weights/);
  assert.throws(() => a.discriminator.trainOnBatch(x, y, Array(8).fill(NaN)), /sampleWeight contains NaN at sample 0/);
  assert.throws(() => a.discriminator.trainOnBatch(x, y, 'heavy'), /sampleWeight/);
  for (const r of [a, b]) { r.gan.dispose(); r.generator.dispose(); r.discriminator.dispose(); }
});

test('a model of models has its own learningRate, settable between steps', () => {
  const { generator, discriminator, gan } = recipe(15);
  assert.equal(gan.learningRate, Math.fround(0.005));
  gan.learningRate = 1e-4;
  assert.equal(gan.learningRate, Math.fround(1e-4));
  assert.equal(discriminator.learningRate, Math.fround(0.005), 'the models keep theirs');
  assert.throws(() => { gan.learningRate = -1; }, /learning rate must be positive/);
  assert.throws(() => { gan.learningRate = '1'; }, /learningRate must be a number/);
  const z = nn.random.normal([8, 1], { seed: 5 });
  assert.ok(Number.isFinite(gan.trainOnBatch(z, new Float32Array(8).fill(1))));
  const fresh = nn.sequential({ layers: [generator, discriminator] });
  assert.throws(() => fresh.learningRate, /compile the model first/);
  fresh.dispose(); gan.dispose(); generator.dispose(); discriminator.dispose();
});
