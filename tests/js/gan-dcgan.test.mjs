// The digit GAN's DCGAN architecture (web/gan/digits-train.js, arch 'dcgan'): its networks' shapes,
// a few steps with finite losses that teach D and move G, the sampler, the generator's file, and
// a generator of the other architecture refused by name.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as nn from '../../wasm/nnplay.js';
import { createGan, decodeDigits, noise, scoreDigits, buildGenerator, buildDiscriminator, settings, generatorArch, DEFAULTS, DCGAN, PIXELS } from '../../web/gan/digits-train.js';

let digits, classifier;
before(async () => {
  await nn.ready();
  digits = decodeDigits(gunzipSync(readFileSync(new URL('../../web/data/digits.nnds.gz', import.meta.url))));
  classifier = nn.loadModel(readFileSync(new URL('../../web/models/digits-cnn.nnplay', import.meta.url)));
});

const first = (n) => digits.pixels.subarray(0, n * PIXELS);
// fewer filters keep the tests quick; the page's are DEFAULTS with DCGAN
const SMALL = { arch: 'dcgan', gBase: 8, gFilters: 8, dFilters: [8, 16], batch: 16 };

test('settings: MLP by default, DCGAN on request (its settings over the defaults, the caller\'s over both), anything else refused', () => {
  assert.equal(settings().arch, 'mlp');
  assert.deepEqual(settings({ arch: 'dcgan' }), { ...DEFAULTS, ...DCGAN });
  assert.deepEqual(settings({ arch: 'dcgan', lr: 0.01 }), { ...DEFAULTS, ...DCGAN, lr: 0.01 });
  assert.throws(() => settings({ arch: 'gan' }), /arch must be one of 'mlp', 'dcgan', got "gan"/);
  assert.throws(() => createGan(first(10), { arch: 'cnn' }), /arch must be one of/);
});

test('the page\'s DCGAN: G noise -> [7, 7, 32] -> [14, 14, 32] -> [28, 28, 1] in [-1, 1]; D [28, 28, 1] -> [14, 14, 16] -> [7, 7, 32] -> P(real)', () => {
  const o = settings({ arch: 'dcgan' });
  const g = buildGenerator(o), d = buildDiscriminator(o);
  assert.deepEqual([g.inputShape, g.outputShape, d.inputShape, d.outputShape], [[o.latent], [28, 28, 1], [28, 28, 1], [1]]);
  const shapes = (m) => m.layers.map((_, i) => m.layerInfo(i)).filter((l) => l.outputShape.length === 3).map((l) => `${l.type} ${l.outputShape.join('x')}`);
  assert.deepEqual(shapes(g), ['reshape 7x7x32', 'conv2dTranspose 14x14x32', 'batchNormalization 14x14x32', 'activation 14x14x32', 'conv2dTranspose 28x28x1']);
  assert.deepEqual(shapes(d), ['conv2d 14x14x16', 'conv2d 7x7x32']);
  assert.equal(g.layers.at(-1).activation, 'tanh');
  const y = g.predict(noise(3, 1));
  assert.equal(y.length, 3 * PIXELS);
  assert.ok(y.every((v) => v >= -1 && v <= 1));
  g.dispose(); d.dispose();
  assert.throws(() => buildGenerator({ ...o, gBase: 0 }), /gBase must be a whole number 1..512, got 0/);
  assert.throws(() => buildDiscriminator({ ...o, dFilters: [8] }), /dFilters must be two numbers of filters/);
});

test('a few DCGAN steps: finite losses, D learns to tell real from generated, G\'s images move, the sampler draws digits in [0, 1]', () => {
  const gan = createGan(first(500), SMALL);
  const z = noise(8, 3, DEFAULTS.latent);
  const before = gan.generate(z);
  assert.equal(before.length, 8 * PIXELS);
  const j0 = gan.judge(64);
  const losses = [];
  for (let s = 0; s < 25; s++) losses.push(gan.train(1));
  assert.equal(gan.steps, 25);
  for (const l of losses) assert.ok([l.dReal, l.dFake, l.g].every(Number.isFinite), JSON.stringify(l));
  const j1 = gan.judge(64);
  assert.ok(j1.real - j1.fake > j0.real - j0.fake + 0.05, `D's gap real - fake: ${(j0.real - j0.fake).toFixed(3)} -> ${(j1.real - j1.fake).toFixed(3)}`);
  const after = gan.generate(z);
  assert.ok(after.every((v) => v >= 0 && v <= 1), 'ink in [0, 1]');
  let moved = 0;
  for (let i = 0; i < after.length; i++) moved += Math.abs(after[i] - before[i]);
  assert.ok(moved / after.length > 0.01, `G's pixels moved by ${moved / after.length} on average`);
  assert.notEqual(gan.sampler, gan.generator, 'samples come from the moving average');
  assert.deepEqual(gan.sampler.outputShape, [28, 28, 1]);
  const s = scoreDigits(classifier, after); // the classifier reads the [28, 28, 1] samples as they are
  assert.equal(s.n, 8);
  assert.ok(s.p.every((p) => p > 0 && p <= 1));
  gan.dispose();
});

test('the DCGAN generator\'s file: round-trips and trains on; an MLP GAN refuses it by name, and the reverse', () => {
  const gan = createGan(first(200), { ...SMALL, seed: 3 });
  gan.train(3);
  const bytes = gan.saveGenerator();
  assert.equal(generatorArch(bytes), 'dcgan');
  const z = noise(4, 11, DEFAULTS.latent);
  const want = gan.generate(z);
  const other = createGan(first(200), { ...SMALL, seed: 9 });
  other.loadGenerator(bytes);
  assert.deepEqual(other.generate(z), want);
  assert.ok(Number.isFinite(other.train(2).g));
  const mlp = createGan(first(200), { gUnits: [16], dUnits: [16], batch: 8 });
  assert.throws(() => mlp.loadGenerator(bytes), /this is a DCGAN generator; this GAN is an MLP \(pick that architecture first\)/);
  const mlpBytes = mlp.saveGenerator();
  assert.equal(generatorArch(mlpBytes), 'mlp');
  assert.throws(() => other.loadGenerator(mlpBytes), /this is an MLP generator; this GAN is a DCGAN/);
  const odd = nn.sequential({ layers: [nn.layers.dense({ inputShape: [64], units: PIXELS }), nn.layers.reshape({ targetShape: [56, 14, 1] }),
    nn.layers.activation({ activation: 'tanh' })] });
  assert.throws(() => other.loadGenerator(odd.save()), /gives 784 pixels as \[784\] \(MLP\) or \[28, 28, 1\] \(DCGAN\); this model gives \[56, 14, 1\]/);
  odd.dispose();
  assert.ok(Number.isFinite(other.train(1).g), 'the GAN keeps working after a refused file');
  gan.dispose(); other.dispose(); mlp.dispose();
});
