// web/gan/: the 2D GAN lab's targets and scores (the PacGAN paper's mode metrics, KL/JS on a grid).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TARGETS, drawnTarget, noise, seeded } from '../../web/gan/targets.js';
import { boundsOf, divergences, histogram, modeScore } from '../../web/gan/score.js';

test('real samples of the ring and the grid cover every mode with ~99% high quality (2D: 1 - e^-4.5)', () => {
  for (const [name, modes] of [['ring', 8], ['grid', 25]]) {
    const t = TARGETS[name];
    const s = modeScore(t.sample(2500, seeded(1)), t);
    assert.equal(s.modes, modes);
    assert.equal(s.covered, modes, name);
    assert.ok(Math.abs(s.highQuality - (1 - Math.exp(-4.5))) < 0.006, `${name}: ${s.highQuality}`);
    assert.ok(s.reverseKL < 0.02, `${name}: samples spread evenly over the modes (${s.reverseKL})`);
  }
});

test('mode collapse and noise are scored as such', () => {
  const ring = TARGETS.ring;
  const collapsed = new Float32Array(2000);
  for (let i = 0; i < 1000; i++) { collapsed[2 * i] = 1 + 0.005 * ((i % 7) - 3); collapsed[2 * i + 1] = 0; }
  const c = modeScore(collapsed, ring);
  assert.deepEqual([c.covered, c.highQuality], [1, 1]);
  assert.ok(Math.abs(c.reverseKL - Math.log(8)) < 1e-9, 'one mode: KL to uniform is ln 8');
  const u = modeScore(noise(2500, { dims: 2 }, seeded(2)), ring);
  assert.ok(u.highQuality < 0.02, `uniform noise is rarely within 0.03 of a mode: ${u.highQuality}`);
  // a sample exactly 3 std away is still high quality, one a bit further is not
  assert.equal(modeScore(Float32Array.of(1.03, 0), ring).highQuality, 1);
  assert.equal(modeScore(Float32Array.of(1.031, 0), ring).highQuality, 0);
  assert.throws(() => modeScore(new Float32Array(2), TARGETS.line), /no modes/);
});

test('KL and JS on a grid: near zero for two draws of one target, near ln 2 for disjoint ones', () => {
  const t = TARGETS.two;
  const a = t.sample(20000, seeded(3)), b = t.sample(20000, seeded(4));
  const same = divergences(a, b, { cells: 20 });
  assert.ok(same.js < 0.01 && same.kl < 0.05, JSON.stringify(same));
  const far = Float32Array.from(a, (v, i) => (i % 2 ? v : v + 100));
  const apart = divergences(a, far, { cells: 20, bounds: boundsOf(a, far) });
  assert.ok(Math.abs(apart.js - Math.log(2)) < 1e-9, `disjoint: JS = ln 2 (${apart.js})`);
  assert.ok(apart.kl > 5, 'KL grows large (eps keeps it finite)');
  assert.ok(Number.isFinite(apart.kl));
  // cells in row order from (x0, y0); the sample outside the bounds is left out
  const h = histogram(Float32Array.of(-0.5, -0.5, 0.9, 0.9, 5, 5), [-1, 1, -1, 1], 2);
  assert.deepEqual(Array.from(h), [0.5, 0, 0, 0.5]);
});

test('targets and noise are seeded and checked', () => {
  assert.deepEqual(TARGETS.grid.sample(5, seeded(9)), TARGETS.grid.sample(5, seeded(9)));
  const g = noise(4000, { dims: 1, kind: 'gaussian' }, seeded(5));
  const mean = g.reduce((a, b) => a + b, 0) / g.length;
  const sd = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length);
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(sd - 1) < 0.05, `${mean} ${sd}`);
  const d = drawnTarget([[0, 0], [1, 1]], 0.01);
  assert.equal(d.sample(10, seeded(1)).length, 20);
  assert.throws(() => drawnTarget([]), /draw at least one point/);
  assert.throws(() => noise(3, { dims: 3 }, seeded(1)), /dims must be 1 or 2/);
  assert.throws(() => noise(3, { kind: 'cauchy' }, seeded(1)), /kind must be/);
});
