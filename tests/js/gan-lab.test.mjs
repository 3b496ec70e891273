// web/gan/lab.js: the 2D GAN lab's engine (settings, the three losses, live updates, packing,
// scores, determinism, memory).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';
import { GanLab, DEFAULTS, normalizeSettings } from '../../web/gan/lab.js';
import { seeded } from '../../web/gan/targets.js';

before(async () => { await nn.ready(); });

const small = { g: { layers: 2, units: 32 }, d: { layers: 2, units: 32 }, pack: 1, batchSize: 32 };
const mean = (pts) => {
  let x = 0, y = 0;
  for (let i = 0; i < pts.length; i += 2) { x += pts[i]; y += pts[i + 1]; }
  return [2 * x / pts.length, 2 * y / pts.length];
};

test('settings: defaults filled in, nested ones merged, each bad field named', () => {
  const s = normalizeSettings({ g: { units: 16 }, loss: 'leastSquares' });
  assert.equal(s.g.units, 16);
  assert.equal(s.g.layers, DEFAULTS.g.layers);
  assert.equal(s.d.lr, DEFAULTS.d.lr);
  assert.equal(s.loss, 'leastSquares');
  assert.deepEqual(normalizeSettings(), normalizeSettings(DEFAULTS));
  const bad = [
    [{ target: 'moon' }, /target must be one of 'ring', 'grid', 'twoGaussians', 'line', 'clusters', 'drawn', got 'moon'/],
    [{ target: 'drawn' }, /drawnPoints must be x, y pairs/],
    [{ target: 'drawn', drawnPoints: [1, 2, 3] }, /drawnPoints/],
    [{ noise: { dim: 3 } }, /noise\.dim must be one of '1', '2', got 3/],
    [{ noise: { dist: 'cauchy' } }, /noise\.dist/],
    [{ g: { layers: -1 } }, /g\.layers must be an integer from 0 to 8, got -1/],
    [{ d: { units: 2.5 } }, /d\.units must be an integer/],
    [{ d: { optimizer: 'rmsprop' } }, /d\.optimizer must be one of 'sgd', 'adam'/],
    [{ g: { lr: 0 } }, /g\.lr must be a number > 0/],
    [{ g: { lr: NaN } }, /g\.lr/],
    [{ dSteps: 0 }, /dSteps must be an integer from 1 to 50/],
    [{ loss: 'wasserstein' }, /loss must be one of 'minimax', 'nonSaturating', 'leastSquares'/],
    [{ labelSmoothing: 0.2 }, /labelSmoothing must be a number > 0.5 and <= 1/],
    [{ pack: 0 }, /pack must be an integer from 1 to 16/],
    [{ batchSize: 1e9 }, /batchSize/],
    [{ seed: -1 }, /seed/],
    [{ lrDropAfter: -5 }, /lrDropAfter must be an integer from 0/],
    [{ lrDrop: 0 }, /lrDrop must be a number > 0 and <= 1/],
    [{ lrDrops: 0 }, /lrDrops must be an integer from 1 to 4/],
    [{ lrDrops: 1.5 }, /lrDrops must be an integer from 1 to 4/],
    [{ g: 3 }, /g must be an object/],
    [{ lr: 0.1 }, /unknown setting lr/],
    [{ d: { unit: 3 } }, /unknown setting d\.unit/],
    [null, /settings must be an object/],
  ];
  for (const [s2, re] of bad) assert.throws(() => normalizeSettings(s2), re, JSON.stringify(s2));
  assert.throws(() => normalizeSettings({ g: { activation: 'swish' } }, nn), /g\.activation must be one of linear, relu/);
  assert.throws(() => new GanLab(nn, { pack: 99 }), /pack/);
  assert.throws(() => new GanLab({}, {}), /needs the nnplay module/);
});

for (const loss of ['minimax', 'nonSaturating', 'leastSquares']) {
  test(`${loss}: the fakes move to the real distribution (two Gaussians at (-1,-1) and (1,1))`, () => {
    const lab = new GanLab(nn, { ...small, target: 'twoGaussians', loss, seed: 3,
      g: { ...small.g, lr: 2e-3 }, d: { ...small.d, lr: 2e-3 } });
    // shift G's output far away first, so learning has somewhere to go
    const w = lab.generator.getWeights();
    w[w.length - 1] = Float32Array.of(3 / lab.scale, -3 / lab.scale); // the net works in units of the target's extent
    lab.generator.setWeights(w);
    const [x0, y0] = mean(lab.sample(1000, { seed: 1 }));
    assert.ok(x0 > 1.5 && y0 < -1.5, `starts off target (${x0}, ${y0})`);
    const r = lab.run(600);
    for (const k of ['dLoss', 'gLoss', 'dReal', 'dFake']) assert.ok(Number.isFinite(r[k]), `${k}: ${r[k]}`);
    if (loss === 'minimax') assert.ok(r.gLoss <= 0, `log(1 - D(G(z))) is negative: ${r.gLoss}`);
    const fake = lab.sample(2000, { seed: 1 });
    const [x, y] = mean(fake);
    assert.ok(Math.hypot(x, y) < 1, `fake mean (${x.toFixed(2)}, ${y.toFixed(2)}) moved to the real mean (0, 0) from (${x0.toFixed(2)}, ${y0.toFixed(2)})`);
    // and the fakes are near the real points: most within 0.75 of (-1,-1) or (1,1)
    let near = 0;
    for (let i = 0; i < fake.length; i += 2) {
      if (Math.min(Math.hypot(fake[i] + 1, fake[i + 1] + 1), Math.hypot(fake[i] - 1, fake[i + 1] - 1)) < 0.75) near++;
    }
    assert.ok(near / 1000 > 0.7, `${near / 10}% near a mode`);
    assert.deepEqual(lab.state().rounds, 600);
    lab.dispose();
  });
}

test('minimax\'s generator step is gradient ascent on D\'s log loss for fakes: same direction as non-saturating, different size', () => {
  const mk = (loss) => new GanLab(nn, { ...small, loss, seed: 5, g: { ...small.g, optimizer: 'sgd', lr: 0.1 } });
  const a = mk('minimax'), b = mk('nonSaturating');
  const g0 = a.generator.getWeights().map((t) => Array.from(t));
  assert.deepEqual(g0, b.generator.getWeights().map((t) => Array.from(t)), 'same seed, same start');
  const ra = a.step({ d: false }), rb = b.step({ d: false });
  const da = a.generator.getWeights().flatMap((t, i) => Array.from(t, (v, j) => v - g0[i][j]));
  const db = b.generator.getWeights().flatMap((t, i) => Array.from(t, (v, j) => v - g0[i][j]));
  const dot = da.reduce((s, v, i) => s + v * db[i], 0);
  assert.ok(dot > 0, 'both push D(G(z)) up');
  // with D(G(z)) = p: minimax's gradient is p / (1 - p) times non-saturating's per sample
  assert.ok(ra.gLoss < 0 && rb.gLoss > 0, `${ra.gLoss} ${rb.gLoss}`);
  assert.ok(Number.isNaN(ra.dLoss), 'D did not step');
  a.dispose(); b.dispose();
});

test('live update keeps weights; structure changes rebuild only the net concerned; pack keeps G\'s weights', () => {
  const lab = new GanLab(nn, { ...small, seed: 7 });
  lab.run(20);
  const wg = () => lab.generator.getWeights().map((t) => Array.from(t));
  const wd = () => lab.discriminator.getWeights().map((t) => Array.from(t));
  const g1 = wg(), d1 = wd();
  lab.update({ g: { lr: 5e-4 }, d: { lr: 5e-4, optimizer: 'sgd' }, dSteps: 2, batchSize: 16, labelSmoothing: 0.9, loss: 'minimax' });
  assert.deepEqual([wg(), wd()], [g1, d1], 'optimizer/lr/loss/dSteps changes keep the weights');
  assert.equal(lab.discriminator.learningRate, Math.fround(5e-4));
  lab.update({ loss: 'leastSquares' });
  assert.deepEqual([wg(), wd()], [g1, d1], 'to least squares: D\'s head becomes linear with the same weights');
  assert.equal(lab.discriminator.layers.at(-1).activation, 'linear');
  lab.update({ loss: 'nonSaturating' });
  assert.equal(lab.discriminator.layers.at(-1).activation, 'sigmoid');
  lab.step();
  assert.equal(lab.state().dSteps, 20 + 2);
  const g2 = wg();
  lab.update({ pack: 3 });
  assert.deepEqual(wg(), g2, 'G does not depend on m');
  assert.deepEqual(lab.discriminator.inputShape, [6]);
  lab.step();
  lab.update({ d: { units: 8 } });
  assert.equal(lab.discriminator.layers[0].units, 8);
  assert.equal(wg()[0].length, 2 * 32);
  lab.update({ noise: { dim: 1 } });
  assert.deepEqual(lab.generator.inputShape, [3, 1]);
  assert.equal(wg()[0].length, 32, 'a new G for 1D noise');
  lab.step();
  assert.throws(() => lab.update({ g: { units: 0 } }), /g\.units/);
  assert.equal(lab.settings.g.units, 32, 'a bad update changes nothing');
  lab.dispose();
});

test('learning rates drop by lrDrop after lrDropAfter rounds; the clock restarts when a rate or the target changes', () => {
  const lab = new GanLab(nn, { ...small, lrDropAfter: 10, lrDrop: 0.2, g: { ...small.g, lr: 1e-3 }, d: { ...small.d, lr: 2e-3 } });
  const near = (a, b) => Math.abs(a - b) <= 1e-12;
  assert.deepEqual(lab.state().lr, { g: 1e-3, d: 2e-3 });
  lab.run(9);
  assert.deepEqual(lab.state().lr, { g: 1e-3, d: 2e-3 });
  lab.run(1);
  assert.ok(near(lab.state().lr.g, 2e-4) && near(lab.state().lr.d, 4e-4), JSON.stringify(lab.state().lr));
  lab.step();
  assert.equal(lab.discriminator.learningRate, Math.fround(4e-4), 'applied before each round');
  lab.update({ batchSize: 8 });
  assert.ok(near(lab.state().lr.g, 2e-4), 'other settings keep the clock');
  lab.update({ target: 'grid' });
  assert.deepEqual(lab.state().lr, { g: 1e-3, d: 2e-3 });
  assert.equal(lab.discriminator.learningRate, Math.fround(2e-3));
  lab.run(10);
  lab.update({ g: { lr: 5e-4 } });
  assert.deepEqual(lab.state().lr, { g: 5e-4, d: 2e-3 }, 'a new rate restarts the clock');
  assert.equal(lab.discriminator.learningRate, Math.fround(2e-3));
  lab.update({ lrDropAfter: 0 });
  lab.run(30);
  assert.deepEqual(lab.state().lr, { g: 5e-4, d: 2e-3 }, '0: never');
  lab.dispose();
});

test('lrDrops: a step schedule, lrDrop again every lrDropAfter rounds, that many times at most', () => {
  const lab = new GanLab(nn, { ...small, lrDropAfter: 5, lrDrop: 0.5, lrDrops: 2, g: { ...small.g, lr: 1e-3 }, d: { ...small.d, lr: 2e-3 } });
  const seen = [];
  for (let r = 0; r < 20; r++) { seen.push(lab.lrFactor); lab.run(1); }
  assert.deepEqual(seen, [...Array(5).fill(1), ...Array(5).fill(0.5), ...Array(10).fill(0.25)]);
  assert.equal(lab.discriminator.learningRate, Math.fround(5e-4), 'the rate the last round trained with');
  lab.update({ lrDrops: 3 }); // more drops: the clock keeps running, the third one is due at 15
  assert.equal(lab.lrFactor, 0.125);
  lab.run(1);
  assert.equal(lab.discriminator.learningRate, Math.fround(2.5e-4));
  lab.dispose();
});

test('packing: D sees 2m values; discriminate repeats the point m times; samples and gradients stay 2D', () => {
  const lab = new GanLab(nn, { ...small, pack: 4, seed: 9 });
  assert.deepEqual(lab.discriminator.inputShape, [8]);
  assert.deepEqual(lab.generator.inputShape, [4, 2]);
  assert.equal(lab.sample(7).length, 14, 'n need not be a multiple of m');
  const pts = Float32Array.of(0.5, -0.25, 1, 1);
  const d = lab.discriminate(pts);
  assert.equal(d.length, 2);
  const c = lab.scale;
  assert.ok(c > 1 && c < 1.1, `the ring's extent ${c}`);
  assert.deepEqual(d, lab.discriminator.predict(Float32Array.from([0.5, -0.25, 0.5, -0.25, 0.5, -0.25, 0.5, -0.25, 1, 1, 1, 1, 1, 1, 1, 1], (v) => v / c)));
  lab.update({ target: 'grid' });
  assert.ok(lab.scale > 4 && lab.scale < 4.3, `the grid's extent ${lab.scale}`);
  const z0 = lab.noise(4, 3);
  const net = lab.generator.predict(z0);
  assert.deepEqual(Array.from(lab.generate(z0)), Array.from(net, (v) => Math.fround(v * lab.scale)), 'G works in units of the extent');
  lab.update({ target: 'ring' });
  const r = lab.step();
  assert.ok(r.dReal >= 0 && r.dReal <= 1 && r.dFake >= 0 && r.dFake <= 1);
  assert.equal(lab.sampleGradients(pts).length, 4);
  // generate: the same noise vector gives the same point wherever it sits in a pack
  const z = lab.noise(4, 1);
  const a = lab.generate(z), b = lab.generate(Float32Array.from([...z.slice(6, 8), ...z.slice(0, 6)]));
  assert.deepEqual(Array.from(a.slice(0, 2)), Array.from(b.slice(2, 4)));
  assert.throws(() => lab.discriminate(Float32Array.of(1, 2, 3)), /x, y pairs/);
  lab.dispose();
});

test('sampleGradients point where the generator\'s loss falls: up D\'s slope', () => {
  const lab = new GanLab(nn, { ...small, seed: 11 });
  lab.run(100);
  const rand = seeded(4);
  const pts = Float32Array.from({ length: 40 }, () => 4 * rand() - 2);
  const grad = lab.sampleGradients(pts);
  const step = 1e-2;
  const moved = pts.map((v, i) => v + step * grad[i] / Math.max(1e-9, Math.hypot(grad[i & ~1], grad[i | 1])));
  const before = lab.discriminate(pts), after = lab.discriminate(moved);
  let up = 0;
  for (let i = 0; i < before.length; i++) if (after[i] >= before[i] || Math.hypot(grad[2 * i], grad[2 * i + 1]) < 1e-6) up++;
  assert.ok(up >= 18, `${up}/20 points move up D's output`);
  lab.dispose();
});

test('the same seed gives the same run; sample with a seed is fixed noise', () => {
  const a = new GanLab(nn, { ...small, seed: 13 }), b = new GanLab(nn, { ...small, seed: 13 });
  assert.deepEqual(a.run(30), b.run(30));
  assert.deepEqual(a.sample(100, { seed: 2 }), b.sample(100, { seed: 2 }));
  assert.deepEqual(a.sample(100, { seed: 2 }), a.sample(100, { seed: 2 }));
  assert.notDeepEqual(a.sample(100), a.sample(100));
  a.reset();
  b.reset();
  assert.deepEqual(a.run(5), b.run(5));
  const c = new GanLab(nn, { ...small, seed: 14 });
  assert.notDeepEqual(c.run(30), b.run(30));
  a.dispose(); b.dispose(); c.dispose();
});

test('score: a trained ring covers its modes with sensible figures; untrained it does not', () => {
  const lab = new GanLab(nn, { target: 'ring', seed: 1, g: { units: 64 }, d: { units: 64 }, lrDropAfter: 1200 });
  const s0 = lab.score({ n: 1000, seed: 1 });
  assert.equal(s0.modes, 8);
  assert.ok(s0.highQuality < 0.2, `untrained: ${s0.highQuality}`);
  lab.run(1500);
  const s = lab.score({ n: 2500, seed: 1 });
  assert.ok(s.modesCovered >= 6, `${s.modesCovered} of 8 modes`);
  assert.ok(s.highQuality > 0.02 && s.highQuality > 2 * s0.highQuality && s.highQuality <= 1, `high quality ${s0.highQuality} -> ${s.highQuality}`);
  assert.ok(s.js >= 0 && s.js <= Math.log(2) && s.js < s0.js, `JS ${s0.js} -> ${s.js}`);
  assert.ok(s.kl < s0.kl, `KL ${s0.kl} -> ${s.kl}`);
  assert.deepEqual(lab.score({ n: 2500, seed: 1 }), s, 'fixed noise: the same score');
  lab.update({ target: 'line' });
  const l = lab.score({ n: 500 });
  assert.equal(l.modesCovered, null);
  assert.ok(Number.isFinite(l.kl) && Number.isFinite(l.js));
  lab.update({ target: 'drawn', drawnPoints: [0, 0, 0.5, 0.5] });
  assert.ok(Number.isFinite(lab.score({ n: 500 }).js));
  lab.dispose();
});

test('dispose frees every byte, after updates that rebuilt nets too; a disposed lab says so', () => {
  const used = nn.info().heapUsed;
  for (let i = 0; i < 5; i++) {
    const lab = new GanLab(nn, { ...small, seed: i, loss: ['minimax', 'leastSquares'][i % 2] });
    lab.run(3);
    lab.update({ pack: 2, d: { units: 8 }, g: { layers: 1 }, loss: 'nonSaturating' });
    lab.run(2);
    lab.score({ n: 200 });
    lab.sampleGradients(Float32Array.of(0, 0));
    lab.reset();
    lab.dispose();
    lab.dispose();
    assert.throws(() => lab.step(), /this lab was disposed/);
  }
  assert.equal(nn.info().heapUsed, used);
});
