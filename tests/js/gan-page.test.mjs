// The GAN lab page's plain modules: its URL hash (web/gan/config.js) and its slow-motion numbers
// (web/gan/explain.js), checked against the engine (web/gan/lab.js) they describe.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';
import { GanLab, DEFAULTS, normalizeSettings, presetFor } from '../../web/gan/lab.js';
import { toHash, fromHash, isPreset, flatPoints, MAX_DRAWN } from '../../web/gan/config.js';
import { lossesOf, narrate } from '../../web/gan/explain.js';

before(async () => { await nn.ready(); });
const acts = () => nn.describe().names.activations.map((a) => a.name);

test('the hash holds every engine setting: a round trip gives the same settings, views, speed and slow motion', () => {
  const s = normalizeSettings({ target: 'drawn', drawnPoints: [0.5, -1, 1.25, 0.75], noise: { dim: 1, dist: 'uniform' },
    g: { layers: 1, units: 16, activation: 'tanh', optimizer: 'sgd', lr: 0.01 }, d: { layers: 4, units: 8, activation: 'elu', lr: 0.0003 },
    dSteps: 5, loss: 'leastSquares', labelSmoothing: 0.8, pack: 3, batchSize: 256, lrDropAfter: 5000, lrDrop: 0.5, lrDrops: 3, seed: 42 });
  const extras = { views: { real: false, fake: true, grid: false, heat: true, arrows: true }, speed: 30, slow: true };
  const back = fromHash(new URLSearchParams(toHash(s, extras)), DEFAULTS, acts());
  assert.deepEqual(back, { settings: s, ...extras });
  assert.deepEqual(normalizeSettings(back.settings, nn), s, 'the engine takes it as it is');
  // defaults in, defaults out
  assert.deepEqual(fromHash(new URLSearchParams(toHash(DEFAULTS)), DEFAULTS, acts()).settings, normalizeSettings(DEFAULTS));
});

test('a page without settings in its link starts from the target\'s preset, the one the bench scores', () => {
  const clone = (p) => ({ ...p, noise: { ...p.noise }, g: { ...p.g }, d: { ...p.d } });
  assert.deepEqual(fromHash(null, DEFAULTS, acts()).settings, clone(presetFor(DEFAULTS.target).settings));
  const grid = fromHash(new URLSearchParams('target=grid&seed=7'), DEFAULTS, acts()).settings;
  assert.deepEqual(grid, { ...clone(presetFor('grid').settings), seed: 7 });
  assert.notEqual(grid.batchSize, DEFAULTS.batchSize, 'the grid has a preset of its own');
  // a value given in the link wins over the preset's
  assert.equal(fromHash(new URLSearchParams('target=grid&batch=32'), DEFAULTS, acts()).settings.batchSize, 32);
  // isPreset: seed and drawn points aside, key order aside; any changed value makes it the user's own
  assert.ok(isPreset(grid));
  assert.ok(isPreset(JSON.parse(JSON.stringify({ d: grid.d, ...grid }))));
  assert.ok(isPreset({ ...presetFor('line').settings, seed: 99 }));
  assert.ok(!isPreset({ ...grid, pack: grid.pack + 1 }));
  assert.ok(!isPreset({ ...grid, g: { ...grid.g, lr: 0.01 } }));
  assert.ok(!isPreset({ ...presetFor('ring').settings, target: 'grid' }), 'the ring\'s settings are not the grid\'s preset');
});

test('a hostile or broken hash keeps the defaults, value by value', () => {
  const p = new URLSearchParams('target=constructor&noise=3,cauchy&g=99,abc,__proto__,rmsprop,-1&d=2,7,relu,adam,0.5&loss=toString' +
    '&dsteps=1e9&smooth=0&pack=-2&batch=65&seed=-4&speed=7&drop=abc,2&pts=1,1');
  const { settings, views, speed, slow } = fromHash(p, DEFAULTS, acts());
  const base = presetFor(DEFAULTS.target).settings; // no valid target: the default target's preset
  assert.deepEqual(settings, { ...base, noise: { ...base.noise }, g: { ...base.g }, d: { ...base.d, layers: 2 } });
  assert.deepEqual([speed, slow, views.arrows], [0, false, false]);
  // drawn points: only with target=drawn, only inside the drawing's square, at most MAX_DRAWN
  const far = fromHash(new URLSearchParams('target=drawn&pts=9,9;1,nope'), DEFAULTS, acts()).settings;
  assert.equal(far.target, DEFAULTS.target);
  const many = Array.from({ length: 3 * MAX_DRAWN }, (_, i) => `${(i % 100) / 100},0.5`).join(';');
  assert.equal(fromHash(new URLSearchParams(`target=drawn&pts=${many}`), DEFAULTS, acts()).settings.drawnPoints.length, 2 * MAX_DRAWN);
  assert.equal(flatPoints(Array.from({ length: 1000 }, (_, i) => [i / 1000, 0.123456])).length, 2 * MAX_DRAWN);
  assert.deepEqual(flatPoints([[0.123456, -1.98765]]), [0.12, -1.99]);
});

test('the narration\'s D loss is the loss the engine trains D on (log loss with a smoothed label, least squares)', () => {
  for (const loss of ['nonSaturating', 'leastSquares']) {
    const lab = new GanLab(nn, { loss, labelSmoothing: 0.9, pack: 1, g: { layers: 1, units: 8 }, d: { layers: 1, units: 8 }, seed: 3 });
    lab.run(20);
    const real = lab.real(64, 5), fake = lab.sample(64, { seed: 6 });
    const ours = lossesOf(lab.discriminate(real), lab.discriminate(fake), lab.settings).d;
    // D's own loss on the same points, as the nets see them (the target's coordinates divided by its extent)
    const x = new Float32Array(256);
    for (let i = 0; i < 128; i++) x[i] = real[i] / lab.scale;
    for (let i = 0; i < 128; i++) x[128 + i] = fake[i] / lab.scale;
    const y = new Float32Array(128).fill(0.9, 0, 64);
    const theirs = lab.discriminator.evaluate(x, y).loss;
    assert.ok(Math.abs(ours - theirs) < 1e-4, `${loss}: ${ours} vs ${theirs}`);
    lab.dispose();
  }
});

test('the narration says what a step did, with the numbers it was given', () => {
  const e = { which: { d: true, g: true }, before: { d: 1.4, g: 0.7, real: 0.5, fake: 0.5 }, mid: { d: 1.3, g: 0.75, real: 0.55, fake: 0.45 },
    after: { d: 1.3, g: 0.72, real: 0.55, fake: 0.47 }, moved: 0.0123, batchSize: 64, dSteps: 2, pack: 4, loss: 'minimax',
    labelSmoothing: 0.9, dOptimizer: 'adam', gOptimizer: 'sgd', viewSize: 3 };
  const text = narrate(e).replace(/<\/p>/g, ' ').replace(/<[^>]+>/g, '').replace(/&minus;/g, '−');
  assert.match(text, /D saw 256 real and 256 generated points \(4 at a time: packing\) and took 2 Adam steps/);
  assert.match(text, /aiming at 0\.9 for real points/);
  assert.match(text, /loss on a fixed check batch fell from 1\.400 to 1\.300/);
  assert.match(text, /took one SGD step/);
  assert.match(text, /on average by 0\.012 \(0\.4% of the plot's width\)/);
  assert.match(text, /G's loss, log\(1 − D\(G\(z\)\)\), fell from 0\.750 to 0\.720/);
  assert.doesNotMatch(narrate({ ...e, which: { d: true, g: false } }), /G's turn/);
});
