// lab.js - the 2D GAN lab's training engine, on the JS API only (runs in a Worker or in Node).
//
//   import * as nn from '../../wasm/nnplay.js';
//   import { GanLab, presetFor } from './lab.js';
//   await nn.ready();
//   const lab = new GanLab(nn, presetFor('grid').settings);   // or any partial settings over DEFAULTS
//   lab.run(100);                        // 100 rounds: dSteps D steps, then one G step each
//   lab.update({ g: { lr: 1e-4 } });     // live: weights and Adam's moments kept
//   lab.score();                         // { modesCovered, modes, highQuality, perMode, reverseKL, kl, js }
//   lab.dispose();
//
// Methods: step({ d, g }) and run(k) -> { dLoss, gLoss, dReal, dFake }; sample(n, { seed }),
// noise(n, seed), generate(noise), real(n, seed) -> points (Float32Array x, y pairs);
// discriminate(points) -> D's output per point; sampleGradients(points) -> -dLoss_G/dpoint per point;
// score({ n, seed }); update(partial); reset(settings?); state() -> { rounds, dSteps, gSteps, lr,
// gParams, dParams, settings }; generator / discriminator (the nnplay models); scale; dispose().
// Everything is synchronous: in a page, run it in a Worker and post the figures back.
//
// Settings (normalizeSettings fills the rest from DEFAULTS; update() takes any part of them):
//   target        'ring' | 'grid' | 'twoGaussians' | 'line' | 'clusters' | 'drawn' (web/gan/targets.js)
//   drawnPoints   [x0, y0, x1, y1, ...] for 'drawn' (each point becomes a small Gaussian)
//   noise         { dim: 1 | 2, dist: 'uniform' ([-1, 1)) | 'gaussian' }
//   g, d          { layers (hidden), units, activation, optimizer: 'sgd' | 'adam', lr, beta1 (Adam's) }
//   dSteps        discriminator steps per generator step
//   loss          'minimax' (D: BCE; G minimizes log(1 - D(G(z))), the saturating loss),
//                 'nonSaturating' (G minimizes -log D(G(z))), 'leastSquares' (LSGAN: D's output
//                 is linear, squared error to the labels 1 real / 0 fake; G pulls D(G(z)) to 1)
//   labelSmoothing  the real label D learns (one-sided smoothing, e.g. 0.9; 1 = off)
//   pack          m (PacGAN): D judges m samples at once, all real or all fake; its input is 2m values
//   batchSize     D inputs per step (packs): each D step sees batchSize * pack real and as many fake
//                 samples, each G step batchSize * pack noise vectors
//   lrDropAfter   every this many rounds both learning rates are multiplied by lrDrop (0: never),
//   lrDrop,       lrDrops times at most (a step schedule: 3000, 0.1, 2 gives x0.1 at 3,000 rounds
//   lrDrops       and x0.01 from 6,000 on). The clock restarts when the target, a learning rate, an
//                 optimizer or a net's shape changes. The drops are what make samples sharp: at a
//                 constant rate the fakes keep jittering around the modes (bench/RESULTS.md, GANs)
//   seed          models' initial weights and every draw of noise and real samples
//
// The GAN is Keras's recipe: D compiled, then frozen, then nn.sequential([G, D]) compiled (their
// weights shared). Minimax's G loss uses trainOnBatch's sampleWeight: -1 x BCE(D(G(z)), 0) is
// log(1 - D(G(z))), so the same step ascends D's log loss on fakes, as the minimax game says.
// With packing G is the same small net applied to each of m noise vectors (a dense layer on an
// [m, noiseDim] input works on the last axis) and flattened to 2m values, so its weights do not
// depend on m. sampleGradients is central finite differences on D's output (cheap in 2D). The nets
// work in units of the target's extent (the grid's +-4 becomes +-1), so one set of rates and
// initial weights suits every target; every method takes and returns the target's own coordinates.
import { TARGETS, drawnTarget, seeded, gaussian } from './targets.js';
import { modeScore, divergences } from './score.js';

export const TARGET_NAMES = ['ring', 'grid', 'twoGaussians', 'line', 'clusters', 'drawn'];
export const LOSSES = ['minimax', 'nonSaturating', 'leastSquares'];
const TARGET_KEYS = { ring: 'ring', grid: 'grid', twoGaussians: 'two', line: 'line', clusters: 'clusters' };
const NET_KEYS = ['layers', 'units', 'activation', 'optimizer', 'lr', 'beta1'];
const KEYS = ['target', 'drawnPoints', 'noise', 'g', 'd', 'dSteps', 'loss', 'labelSmoothing', 'pack', 'batchSize', 'lrDropAfter',
  'lrDrop', 'lrDrops', 'seed'];

/** The page's defaults (also the bench's settings for the ring and grid targets). */
export const DEFAULTS = Object.freeze({
  target: 'ring',
  noise: Object.freeze({ dim: 2, dist: 'gaussian' }),
  g: Object.freeze({ layers: 3, units: 128, activation: 'relu', optimizer: 'adam', lr: 1e-3, beta1: 0.5 }),
  d: Object.freeze({ layers: 3, units: 128, activation: 'relu', optimizer: 'adam', lr: 1e-3, beta1: 0.5 }),
  dSteps: 1,
  loss: 'nonSaturating',
  labelSmoothing: 1,
  pack: 4,
  batchSize: 64,
  lrDropAfter: 3000,
  lrDrop: 0.1,
  lrDrops: 1,
  seed: 1,
});

/**
 * What the page applies when a target is picked, and the bench's training budget for it (rounds):
 * the ring and grid are scored as the PacGAN paper does (bench/gan.mjs); the others use DEFAULTS.
 */
export const PRESETS = Object.freeze({
  // bigger batches sharpen the modes (seed 1: ring 93.7% high quality at 128 packs against 92% at
  // 64; grid 25/25 and 52% at 256 packs and 10,000 rounds against 20/25 and 2.5% at 64 and 6,000);
  // so does a second drop (ring seeds 1-3 at 8,000 rounds: 95.8, 91.5, 96.4% against 93.7, 87.4,
  // 95.8% at 4,000 after one). The grid's 25 modes need a D that keeps up: 2 D steps per G step
  // with least squares (seeds 2 and 8: 88.4 and 93.6% against 31 and 39% with 1 step and the log
  // loss, which with 2 steps dropped a row of 5 modes on seed 2). Packs of 2 sharpen the ring
  // further (10 seeds: 97.3% against 95.0% with 4, the same 512 samples a step, every mode kept).
  // On the grid they drop modes with the 3-layer G (seed 5: 18 of 25); the paper's 4-layer G keeps
  // them on most seeds (10 seeds: 96.2% high quality against 88.0% with packs of 4 and 3 layers,
  // 23.5 modes against 24.0: seeds 4, 7 and 8 skip a column of 5 modes). A D at half G's learning
  // rate keeps that column (same 10 seeds: all 25 modes on each, 95.4% high quality, 88.0-97.2%)
  ring: Object.freeze({ settings: Object.freeze({ ...DEFAULTS, target: 'ring', pack: 2, batchSize: 256, lrDrops: 2 }), budget: 8000 }),
  grid: Object.freeze({
    settings: Object.freeze({
      ...DEFAULTS, target: 'grid', pack: 2, batchSize: 512, g: Object.freeze({ ...DEFAULTS.g, layers: 4 }),
      d: Object.freeze({ ...DEFAULTS.d, lr: 5e-4 }),
      lrDropAfter: 5000, dSteps: 2, loss: 'leastSquares',
    }),
    budget: 10000,
  }),
});

/** The preset of a target name: { settings, budget } (DEFAULTS with that target for the others). */
export function presetFor(target) {
  oneOf(target, TARGET_NAMES, 'target');
  return PRESETS[target] ?? { settings: { ...DEFAULTS, target }, budget: PRESETS.ring.budget };
}

const show = (v) => (typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `an array of ${v.length}` : String(v));
const fail = (field, want, v) => { throw new Error(`gan: ${field} must be ${want}, got ${show(v)}`); };
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const intIn = (v, lo, hi, field) => { if (!Number.isInteger(v) || v < lo || v > hi) fail(field, `an integer from ${lo} to ${hi}`, v); };
const numIn = (v, lo, hi, field, open = '') => {
  const ok = typeof v === 'number' && Number.isFinite(v) && (open.includes('lo') ? v > lo : v >= lo) && v <= hi;
  if (!ok) fail(field, `a number ${open.includes('lo') ? '>' : '>='} ${lo} and <= ${hi}`, v);
};
const oneOf = (v, list, field) => { if (!list.includes(v)) fail(field, `one of ${list.map((x) => `'${x}'`).join(', ')}`, v); };
const unknown = (obj, keys, where) => {
  for (const k of Object.keys(obj)) if (!keys.includes(k)) throw new Error(`gan: unknown setting ${where}${k}`);
};

/**
 * Settings checked and completed from DEFAULTS (a new object; nested ones merged key by key).
 * Each error names the field. With nn, activations are checked against the core's table.
 */
export function normalizeSettings(s = {}, nn = null) {
  if (!isObj(s)) throw new Error(`gan: settings must be an object, got ${show(s)}`);
  unknown(s, KEYS, '');
  for (const k of ['noise', 'g', 'd']) if (s[k] != null && !isObj(s[k])) fail(k, 'an object', s[k]);
  const out = {
    ...DEFAULTS, ...s,
    noise: { ...DEFAULTS.noise, ...s.noise },
    g: { ...DEFAULTS.g, ...s.g },
    d: { ...DEFAULTS.d, ...s.d },
  };
  oneOf(out.target, TARGET_NAMES, 'target');
  if (out.target === 'drawn') {
    const p = out.drawnPoints;
    const ok = (Array.isArray(p) || p instanceof Float32Array || p instanceof Float64Array) && p.length >= 2 && p.length % 2 === 0 &&
      Array.prototype.every.call(p, Number.isFinite);
    if (!ok) fail('drawnPoints', 'x, y pairs of finite numbers (at least one point) for the drawn target', p);
    if (p.length > 2 * 10000) fail('drawnPoints', 'at most 10000 points', p);
    out.drawnPoints = Array.from(p);
  } else if (out.drawnPoints != null) out.drawnPoints = Array.from(out.drawnPoints);
  unknown(out.noise, ['dim', 'dist'], 'noise.');
  oneOf(out.noise.dim, [1, 2], 'noise.dim');
  oneOf(out.noise.dist, ['uniform', 'gaussian'], 'noise.dist');
  const acts = nn ? nn.describe().names.activations.map((a) => a.name).filter((a) => a !== 'softmax') : null;
  for (const net of ['g', 'd']) {
    const n = out[net];
    unknown(n, NET_KEYS, `${net}.`);
    intIn(n.layers, 0, 8, `${net}.layers`);
    intIn(n.units, 1, 1024, `${net}.units`);
    if (typeof n.activation !== 'string' || (acts && !acts.includes(n.activation))) {
      fail(`${net}.activation`, acts ? `one of ${acts.join(', ')}` : 'an activation name', n.activation);
    }
    oneOf(n.optimizer, ['sgd', 'adam'], `${net}.optimizer`);
    numIn(n.lr, 0, 10, `${net}.lr`, 'lo');
    numIn(n.beta1, 0, 0.999, `${net}.beta1`);
  }
  intIn(out.dSteps, 1, 50, 'dSteps');
  oneOf(out.loss, LOSSES, 'loss');
  numIn(out.labelSmoothing, 0.5, 1, 'labelSmoothing', 'lo');
  intIn(out.pack, 1, 16, 'pack');
  intIn(out.batchSize, 1, 4096, 'batchSize');
  intIn(out.lrDropAfter, 0, 1e9, 'lrDropAfter');
  numIn(out.lrDrop, 0, 1, 'lrDrop', 'lo');
  intIn(out.lrDrops, 1, 4, 'lrDrops');
  intIn(out.seed, 0, 0xffffffff, 'seed');
  return out;
}

/** The target of settings: { name, modes, std, sample(n, rand) } (web/gan/targets.js). */
export function targetOf(s) {
  if (s.target === 'drawn') {
    const p = s.drawnPoints;
    return drawnTarget(Array.from({ length: p.length / 2 }, (_, i) => [p[2 * i], p[2 * i + 1]]));
  }
  return TARGETS[TARGET_KEYS[s.target]];
}

const same = (a, b, keys) => keys.every((k) => a[k] === b[k]);
const clamp = (p) => Math.min(Math.max(p, 1e-7), 1 - 1e-7);

/** Per-sample generator loss as a function of D's output d (what the G step minimizes). */
function gLossOf(loss) {
  if (loss === 'minimax') return (d) => Math.log(1 - clamp(d));
  if (loss === 'nonSaturating') return (d) => -Math.log(clamp(d));
  return (d) => (d - 1) ** 2;
}

export class GanLab {
  /** @param nn the nnplay module (ready); @param settings partial settings over DEFAULTS */
  constructor(nn, settings = {}) {
    if (!nn || typeof nn.sequential !== 'function') throw new Error('gan: GanLab needs the nnplay module (import * as nn)');
    this.nn = nn;
    this.settings = normalizeSettings(settings, nn);
    this._G = this._D = this._gan = null;
    this._disposed = false;
    this._build(this.settings);
  }

  /** Fresh networks, counters and random streams (the same run again for the same settings). */
  reset(settings = this.settings) {
    const s = normalizeSettings(settings, this.nn);
    this._free();
    this._build(s);
  }

  _build(s) {
    this.settings = s;
    this._setTarget(s);
    this._rand = seeded(s.seed ^ 0x9e3779b9);
    this._builds = 0;
    this.rounds = 0;
    this.dStepsTaken = 0;
    this.gStepsTaken = 0;
    this._clock = 0;
    this._factor = 1;
    this._G = this._makeG(s);
    this._D = this._makeD(s);
    this._compileD();
    this._makeGan();
  }

  /** The target, and its extent: the largest |coordinate| of 1,000 of its samples (fixed seed). */
  _setTarget(s) {
    this._target = targetOf(s);
    const pts = this._target.sample(1000, seeded(1));
    let m = 0;
    for (const v of pts) m = Math.max(m, Math.abs(v));
    this._scale = Math.max(m, 1e-3);
  }

  _seed() { return (this.settings.seed * 7919 + 101 * ++this._builds) >>> 0; }

  _dense(n, first, inputShape) {
    const L = this.nn.layers;
    const out = [];
    for (let i = 0; i < n.layers; i++) out.push(L.dense({ ...(i === 0 && first ? { inputShape } : {}), units: n.units, activation: n.activation }));
    return out;
  }

  _makeG(s) {
    const L = this.nn.layers;
    const inputShape = [s.pack, s.noise.dim];
    const hidden = this._dense(s.g, true, inputShape);
    const head = L.dense({ ...(hidden.length ? {} : { inputShape }), units: 2, activation: 'linear' });
    return this.nn.sequential({ name: 'generator', seed: this._seed(), layers: [...hidden, head, L.flatten()] });
  }

  _makeD(s) {
    const L = this.nn.layers;
    const inputShape = [2 * s.pack];
    const hidden = this._dense(s.d, true, inputShape);
    const act = s.loss === 'leastSquares' ? 'linear' : 'sigmoid';
    const head = L.dense({ ...(hidden.length ? {} : { inputShape }), units: 1, activation: act });
    return this.nn.sequential({ name: 'discriminator', seed: this._seed(), layers: [...hidden, head] });
  }

  _optimizer(n) {
    return n.optimizer === 'adam' ? this.nn.train.adam(n.lr, n.beta1) : this.nn.train.sgd(n.lr);
  }

  _lossName() { return this.settings.loss === 'leastSquares' ? 'meanSquaredError' : 'binaryCrossentropy'; }

  // D learns through its own compile; frozen before the GAN is compiled (Keras's rule)
  _compileD() {
    this._D.trainable = true;
    this._D.compile({ optimizer: this._optimizer(this.settings.d), loss: this._lossName() });
    this._D.trainable = false;
  }

  _makeGan() {
    if (this._gan) this._gan.dispose();
    this._gan = this.nn.sequential({ name: 'gan', layers: [this._G, this._D] });
    this._compileGan();
  }

  _compileGan() { this._gan.compile({ optimizer: this._optimizer(this.settings.g), loss: this._lossName() }); }

  _alive() { if (this._disposed) throw new Error('gan: this lab was disposed'); }

  /**
   * Live changes (any part of the settings). Weights are kept unless the net's shape changes:
   * G is rebuilt for its layers, units, activation or noise dim, D for its layers, units or
   * activation and for pack (G keeps its weights then: they do not depend on m). The optimizers
   * are recompiled when theirs or the loss family changes (their moments restart; a new rate alone
   * keeps them). seed takes
   * effect at reset().
   */
  update(partial = {}) {
    this._alive();
    if (!isObj(partial)) throw new Error(`gan: update() takes settings, got ${show(partial)}`);
    const old = this.settings;
    const s = normalizeSettings({
      ...old, ...partial,
      noise: { ...old.noise, ...partial.noise }, g: { ...old.g, ...partial.g }, d: { ...old.d, ...partial.d },
    }, this.nn);
    this.settings = s;
    if (s.target !== old.target || String(s.drawnPoints) !== String(old.drawnPoints)) this._setTarget(s);
    const gShape = !same(s.g, old.g, ['layers', 'units', 'activation']) || s.noise.dim !== old.noise.dim;
    const dShape = !same(s.d, old.d, ['layers', 'units', 'activation']) || s.pack !== old.pack;
    const lsChange = (s.loss === 'leastSquares') !== (old.loss === 'leastSquares');
    let chain = false;
    if (gShape || s.pack !== old.pack) {
      const G = this._makeG(s);
      if (!gShape) G.setWeights(this._G.getWeights());
      this._gan?.dispose(); this._gan = null;
      this._G.dispose();
      this._G = G;
      chain = true;
    }
    if (dShape || lsChange) {
      const D = this._makeD(s);
      if (!dShape) D.setWeights(this._D.getWeights()); // same shapes: only the head's activation changed
      this._gan?.dispose(); this._gan = null;
      this._D.dispose();
      this._D = D;
      this._compileD();
      chain = true;
    } else if (!same(s.d, old.d, ['optimizer', 'beta1'])) this._compileD();
    if (chain) this._makeGan();
    else if (!same(s.g, old.g, ['optimizer', 'beta1'])) this._compileGan();
    const restart = chain || s.target !== old.target || !same(s.g, old.g, ['optimizer', 'lr']) || !same(s.d, old.d, ['optimizer', 'lr']);
    if (restart) this._clock = 0;
    this._applyLr(true); // a new rate alone keeps Adam's moments; compiles took the settings' rates
    return this.settings;
  }

  /** n noise vectors (Float32Array n * noise.dim) from the settings' distribution; seeded when seed is given. */
  noise(n, seed) {
    this._alive();
    const rand = seed == null ? this._rand : seeded(seed);
    const out = new Float32Array(n * this.settings.noise.dim);
    if (this.settings.noise.dist === 'uniform') for (let i = 0; i < out.length; i++) out[i] = 2 * rand() - 1;
    else for (let i = 0; i < out.length; i++) out[i] = gaussian(rand);
    return out;
  }

  /** n real samples (Float32Array n * 2); seeded when seed is given. */
  real(n, seed) {
    this._alive();
    return this._target.sample(n, seed == null ? this._rand : seeded(seed));
  }

  /** G's points for noise (Float32Array n * noise.dim) -> Float32Array n * 2. */
  generate(noise) {
    this._alive();
    const { pack: m, noise: { dim } } = this.settings;
    const n = Math.floor(noise.length / dim);
    if (!(noise.length > 0) || noise.length !== n * dim) throw new Error(`gan: generate: noise must be n x ${dim} values, got ${noise.length}`);
    const rows = Math.ceil(n / m);
    let z = noise instanceof Float32Array ? noise : Float32Array.from(noise);
    if (rows * m !== n) { z = new Float32Array(rows * m * dim); z.set(noise); } // G reads m vectors per row
    const out = this._G.predict(z);
    for (let i = 0; i < 2 * n; i++) out[i] *= this._scale;
    return out.length === 2 * n ? out : out.slice(0, 2 * n);
  }

  /** n generator samples (Float32Array n * 2); with a seed, from fixed noise. */
  sample(n = 500, { seed } = {}) { return this.generate(this.noise(n, seed)); }

  /** D's output for 2D points (Float32Array n * 2): with packing each point fills all m slots. A
   * probability for the log losses, a score (real near 1, fake near 0) for least squares. */
  discriminate(points) {
    this._alive();
    const m = this.settings.pack;
    const n = points.length >> 1;
    if (!(n > 0) || points.length !== 2 * n) throw new Error(`gan: discriminate: points must be x, y pairs, got ${points.length} values`);
    const x = new Float32Array(n * 2 * m);
    const c = 1 / this._scale;
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) { x[(i * m + k) * 2] = points[2 * i] * c; x[(i * m + k) * 2 + 1] = points[2 * i + 1] * c; }
    return this._D.predict(x);
  }

  /**
   * For each point (Float32Array n * 2), -dLoss_G/dpoint: where the generator's loss pushes a fake
   * sample there (Float32Array n * 2). Central differences (h = 1e-3 of the target's scale) on D's
   * output for the point filling every pack slot.
   */
  sampleGradients(points, { h = 1e-3 } = {}) {
    this._alive();
    const n = points.length >> 1;
    if (!(n > 0) || points.length !== 2 * n) throw new Error(`gan: sampleGradients: points must be x, y pairs, got ${points.length} values`);
    const probe = new Float32Array(8 * n);
    for (let i = 0; i < n; i++) {
      const x = points[2 * i], y = points[2 * i + 1];
      probe.set([x + h, y, x - h, y, x, y + h, x, y - h], 8 * i);
    }
    const d = this.discriminate(probe);
    const L = gLossOf(this.settings.loss);
    const out = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      out[2 * i] = -(L(d[4 * i]) - L(d[4 * i + 1])) / (2 * h);
      out[2 * i + 1] = -(L(d[4 * i + 2]) - L(d[4 * i + 3])) / (2 * h);
    }
    return out;
  }

  /**
   * One round: dSteps discriminator steps (real and fake in one batch) and one generator step
   * through the frozen D; either can be left out. Returns { dLoss, gLoss, dReal, dFake } (D's mean
   * output on the last D step's real and fake samples, before that step; NaN when not run).
   */
  step({ d = true, g = true } = {}) { return this._round(d, g, true); }

  /** k rounds; returns the last one's figures. */
  run(k = 1, { d = true, g = true } = {}) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`gan: run: k must be a positive integer, got ${show(k)}`);
    for (let i = 1; i < k; i++) this._round(d, g, false);
    return this._round(d, g, true);
  }

  /** The schedule's multiplier now: lrDrop to the number of drops due (one per lrDropAfter rounds
   *  since the clock's restart, lrDrops at most). */
  get lrFactor() {
    const { lrDropAfter: after, lrDrop, lrDrops } = this.settings;
    return after > 0 ? lrDrop ** Math.min(Math.floor(this._clock / after), lrDrops) : 1;
  }

  _applyLr(force = false) {
    const f = this.lrFactor;
    if (f === this._factor && !force) return;
    this._D.learningRate = this.settings.d.lr * f;
    this._gan.learningRate = this.settings.g.lr * f;
    this._factor = f;
  }

  _round(doD, doG, stats) {
    this._alive();
    const s = this.settings;
    this._applyLr();
    const B = s.batchSize, m = s.pack;
    const out = { dLoss: NaN, gLoss: NaN, dReal: NaN, dFake: NaN };
    if (doD) {
      const y = new Float32Array(2 * B);
      y.fill(s.labelSmoothing, 0, B);
      for (let k = 0; k < s.dSteps; k++) {
        const x = new Float32Array(4 * B * m);
        const real = this._target.sample(B * m, this._rand);
        for (let i = 0; i < real.length; i++) x[i] = real[i] / this._scale;
        x.set(this._G.predict(this.noise(B * m)), 2 * B * m);
        if (stats && k === s.dSteps - 1) {
          const p = this._D.predict(x);
          let r = 0, f = 0;
          for (let i = 0; i < B; i++) { r += p[i]; f += p[B + i]; }
          out.dReal = r / B; out.dFake = f / B;
        }
        out.dLoss = this._D.trainOnBatch(x, y);
        this.dStepsTaken++;
      }
    }
    if (doG) {
      const z = this.noise(B * m);
      if (s.loss === 'minimax') out.gLoss = this._gan.trainOnBatch(z, new Float32Array(B), new Float32Array(B).fill(-1));
      else out.gLoss = this._gan.trainOnBatch(z, new Float32Array(B).fill(1));
      this.gStepsTaken++;
    }
    if (doD && doG) this.rounds++;
    if (doD || doG) this._clock++;
    return out;
  }

  /**
   * Quality of n samples from fixed noise: mode metrics for targets with modes (ring, grid, two
   * Gaussians, clusters; null otherwise) and KL/JS divergence against n real samples on a grid.
   */
  score({ n = 2500, seed = 12345 } = {}) {
    this._alive();
    const fake = this.sample(n, { seed });
    const real = this._target.sample(n, seeded(seed ^ 0x5bd1e995));
    const { kl, js } = divergences(real, fake);
    if (!this._target.modes) return { modesCovered: null, modes: null, highQuality: null, perMode: null, kl, js };
    const ms = modeScore(fake, this._target);
    return { modesCovered: ms.covered, modes: ms.modes, highQuality: ms.highQuality, perMode: ms.perMode, reverseKL: ms.reverseKL, kl, js };
  }

  /** Counters and sizes: { rounds, dSteps, gSteps, lr: { g, d } (now, decay applied), gParams, dParams, settings }. */
  state() {
    this._alive();
    const f = this.lrFactor;
    return { rounds: this.rounds, dSteps: this.dStepsTaken, gSteps: this.gStepsTaken,
      lr: { g: this.settings.g.lr * f, d: this.settings.d.lr * f },
      gParams: this._G.countParams(), dParams: this._D.countParams(), settings: this.settings };
  }

  /** The target's extent: the nets see coordinates divided by it. */
  get scale() { return this._scale; }

  /** The generator and discriminator themselves (e.g. to save the generator). */
  get generator() { this._alive(); return this._G; }
  get discriminator() { this._alive(); return this._D; }

  _free() {
    this._gan?.dispose(); this._G?.dispose(); this._D?.dispose();
    this._gan = this._G = this._D = null;
  }

  /** Frees the models' wasm memory; the lab is unusable after. */
  dispose() {
    if (this._disposed) return;
    this._free();
    this._disposed = true;
  }
}
