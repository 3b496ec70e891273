// The digit GAN's training module (web/gan/digits-train.js), as the page's worker uses it: shapes,
// a few steps teach D to tell real from generated and move the generator, the generator's file
// round-trips and bad files are refused by name, and the shipped classifier's scores.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as nn from '../../wasm/nnplay.js';
import { createGan, decodeDigits, noise, scoreDigits, loadGenerator, checkClassifier, buildGenerator, buildDiscriminator, DEFAULTS, PIXELS } from '../../web/gan/digits-train.js';

let digits, classifier;
before(async () => {
  await nn.ready();
  digits = decodeDigits(gunzipSync(readFileSync(new URL('../../web/data/digits.nnds.gz', import.meta.url))));
  classifier = nn.loadModel(readFileSync(new URL('../../web/models/digits-cnn.nnplay', import.meta.url)));
});

// small networks keep the tests quick; the page's are DEFAULTS
const SMALL = { gUnits: [32], dUnits: [32], batch: 16, lr: 1e-3 };
const first = (n) => digits.pixels.subarray(0, n * PIXELS);

test('decodeDigits reads the 10,000 digits and refuses other bytes by name', () => {
  assert.equal(digits.count, 10000);
  assert.equal(digits.pixels.length, 10000 * PIXELS);
  assert.throws(() => decodeDigits(new Uint8Array(40)), /not an nnplay dataset file/);
  const raw = gunzipSync(readFileSync(new URL('../../web/data/digits.nnds.gz', import.meta.url)));
  assert.throws(() => decodeDigits(raw.subarray(0, 5000)), /dataset file is truncated/);
  const other = raw.slice(0, 32 + 10000 + 10000 * PIXELS);
  new DataView(other.buffer).setUint32(16, 32, true); // 32 rows
  assert.throws(() => decodeDigits(other), /images are 32x28; the digit GAN needs 28x28/);
});

test('the page\'s networks: G maps noise to 784 pixels in [-1, 1], D maps pixels to P(real)', () => {
  const g = buildGenerator(DEFAULTS), d = buildDiscriminator(DEFAULTS);
  assert.deepEqual([g.inputShape, g.outputShape, d.inputShape, d.outputShape], [[DEFAULTS.latent], [PIXELS], [PIXELS], [1]]);
  assert.equal(g.layers[g.layers.length - 1].activation, 'tanh');
  assert.ok(g.layers.some((l) => l.type === 'batchNormalization'));
  const y = g.predict(noise(3, 1));
  assert.equal(y.length, 3 * PIXELS);
  assert.ok(y.every((v) => v >= -1 && v <= 1));
  g.dispose(); d.dispose();
  assert.throws(() => buildGenerator({ ...DEFAULTS, gUnits: [] }), /gUnits must be a list of hidden layer widths/);
  assert.throws(() => createGan(new Uint8Array(100)), /pixels must be a Uint8Array of 28x28 images/);
  assert.throws(() => createGan(first(10), { batch: 0 }), /batch must be a whole number 1..1024, got 0/);
});

test('a few steps: D learns to tell real digits from generated ones, and G\'s images move', () => {
  const gan = createGan(first(500), SMALL);
  const z = noise(8, 3, DEFAULTS.latent);
  const before = gan.generate(z);
  assert.equal(before.length, 8 * PIXELS);
  assert.ok(before.every((v) => v >= 0 && v <= 1), 'ink in [0, 1]');
  const j0 = gan.judge(64);
  const losses = [];
  for (let s = 0; s < 30; s++) losses.push(gan.train(1));
  assert.equal(gan.steps, 30);
  for (const l of losses) assert.ok([l.dReal, l.dFake, l.g].every(Number.isFinite), JSON.stringify(l));
  const j1 = gan.judge(64);
  assert.ok(j1.real - j1.fake > j0.real - j0.fake + 0.05, `D's gap real - fake: ${(j0.real - j0.fake).toFixed(3)} -> ${(j1.real - j1.fake).toFixed(3)}`);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean(losses.slice(-5).map((l) => l.dFake)) < mean(losses.slice(0, 5).map((l) => l.dFake)), 'D\'s loss on fakes falls');
  const after = gan.generate(z);
  let moved = 0;
  for (let i = 0; i < after.length; i++) moved += Math.abs(after[i] - before[i]);
  assert.ok(moved / after.length > 0.01, `G's pixels moved by ${moved / after.length} on average`);
  gan.dispose();
});

test('the same seed trains the same GAN', () => {
  const run = () => {
    const gan = createGan(first(200), { ...SMALL, seed: 4 });
    gan.train(5);
    const y = gan.generate(noise(2, 9, DEFAULTS.latent));
    gan.dispose();
    return y;
  };
  assert.deepEqual(run(), run());
});

test('the generator\'s file round-trips: the loaded generator draws the same digits and trains on', () => {
  const a = createGan(first(300), SMALL);
  a.train(5);
  const z = noise(4, 11, DEFAULTS.latent);
  const bytes = a.saveGenerator();
  assert.ok(bytes instanceof Uint8Array && bytes.length > 1000);
  const b = createGan(first(300), { ...SMALL, seed: 9 });
  assert.notDeepEqual(b.generate(z), a.generate(z));
  b.loadGenerator(bytes);
  assert.deepEqual(b.generate(z), a.generate(z));
  const g0 = b.generate(z);
  b.train(4); // through the new chain: the loaded generator learns (and the average follows)
  assert.notDeepEqual(b.generate(z), g0);
  const m = loadGenerator(bytes);
  assert.deepEqual(m.predict(z).map((v) => Math.min(1, Math.max(0, (v + 1) / 2))), a.generate(z));
  m.dispose(); a.dispose(); b.dispose();
});

test('with ema, samples and the saved file come from the moving average of G\'s weights', () => {
  const gan = createGan(first(300), { ...SMALL, ema: 0.5, emaEvery: 1 });
  const z = noise(4, 5, DEFAULTS.latent);
  const ink = (y) => y.map((v) => Math.min(1, Math.max(0, (v + 1) / 2)));
  assert.deepEqual(gan.generate(z), ink(gan.generator.predict(z)), 'the average starts as G');
  const w0 = gan.generator.getWeights();
  gan.train(1);
  const w1 = gan.generator.getWeights();
  // the first update keeps b = min(0.5, 2/11) of the old weights (gamma, beta and the moving statistics too)
  const b = 2 / 11;
  gan.sampler.getWeights().forEach((a, t) => a.forEach((v, i) => assert.ok(Math.abs(v - (b * w0[t][i] + (1 - b) * w1[t][i])) < 1e-5)));
  gan.train(1);
  const w2 = gan.generator.getWeights();
  const c = 3 / 12; // the second: min(0.5, 3/12)
  gan.sampler.getWeights().forEach((a, t) => a.forEach((v, i) => {
    const want = c * (b * w0[t][i] + (1 - b) * w1[t][i]) + (1 - c) * w2[t][i];
    assert.ok(Math.abs(v - want) < 1e-5, `${v} vs ${want}`);
  }));
  assert.notDeepEqual(gan.generate(z), ink(gan.generator.predict(z)));
  const m = loadGenerator(gan.saveGenerator());
  assert.deepEqual(ink(m.predict(z)), gan.generate(z), 'the file holds the average');
  gan.loadGenerator(gan.generator.save());
  assert.deepEqual(gan.generate(z), ink(gan.generator.predict(z)), 'a loaded generator restarts the average');
  m.dispose(); gan.dispose();
});

test('a file that is not a generator of the right shape is refused with what it is, and nothing leaks', () => {
  const gan = createGan(first(100), SMALL);
  const z = noise(2, 1, DEFAULTS.latent);
  const y0 = gan.generate(z);
  const refuse = (bytes, re) => {
    const used = nn.info().heapUsed;
    assert.throws(() => gan.loadGenerator(bytes), re);
    assert.equal(nn.info().heapUsed, used, 'the refused model is freed');
  };
  refuse(new Uint8Array([1, 2, 3, 4]), /not an nnplay model file/);
  const good = gan.saveGenerator();
  refuse(good.slice(0, good.length - 100), /not an nnplay model file/);
  refuse(gan.discriminator.save(), /this is a discriminator \(784 pixels in, 1 out\), not a generator/);
  refuse(readFileSync(new URL('../../web/models/digits-cnn.nnplay', import.meta.url)), /this is a digit classifier/);
  const other = buildGenerator({ ...DEFAULTS, latent: 16, gUnits: [8] });
  refuse(other.save(), /a generator here takes 64 noise values; this model takes \[16\]/);
  other.dispose();
  const wide = nn.sequential({ layers: [nn.layers.dense({ inputShape: [64], units: 100, activation: 'tanh' })] });
  refuse(wide.save(), /a generator here gives 784 pixels \(28x28\); this model gives \[100\]/);
  wide.dispose();
  const linear = nn.sequential({ layers: [nn.layers.dense({ inputShape: [64], units: PIXELS })] });
  refuse(linear.save(), /a generator here ends in tanh \(pixels in \[-1, 1\]\); this model ends in linear/);
  linear.dispose();
  assert.deepEqual(gan.generate(z), y0, 'the GAN keeps its generator');
  gan.dispose();
});

test('the shipped classifier reads real digits confidently, all ten of them; blank images are not digits it is sure of', () => {
  checkClassifier(classifier);
  const n = 500;
  const x = Float32Array.from(first(n), (v) => v / 255);
  const s = scoreDigits(classifier, x);
  assert.equal(s.n, n);
  assert.ok(s.confident > 0.9, `real digits read with p >= 0.9: ${s.confident}`);
  assert.equal(s.digits, 10);
  assert.equal(s.perDigit.reduce((a, b) => a + b, 0), Math.round(s.confident * n));
  for (let i = 0; i < 50; i++) if (s.p[i] >= 0.9) assert.equal(s.top[i], digits.labels[i]);
  const blank = scoreDigits(classifier, new Float32Array(10 * PIXELS));
  assert.ok(blank.digits <= 1);
  assert.throws(() => checkClassifier(buildDiscriminator(DEFAULTS)), /must take 28x28 images and give 10 probabilities/);
});
