// worker.js - the GAN lab's training loop. All model work happens here, off the main thread: the
// worker runs GanLab (lab.js) in ~12 ms chunks of many steps and posts a snapshot of what the page
// draws (real and generated points, G's warped noise grid, D's verdict over the plane, gradient
// arrows, losses, quality figures) at most ~25 times a second. Messages in: {type: 'init' |
// 'update' | 'play' | 'pause' | 'speed' | 'views' | 'step' | 'reset' | 'settings'}.
import { GanLab, DEFAULTS, targetOf } from './lab.js';
import { seeded } from './targets.js';
import { boundsOf } from './score.js';
import { lossesOf } from './explain.js';
import { post, postError, postReady, yieldNow, singleRun } from '../worker-shared.js';
import * as nn from '../../wasm/lean.js';

const N_SHOW = 500; // generated points drawn (from fixed noise, so they move smoothly)
const N_REAL = 500; // real points drawn
const HEAT = 40; // D's verdict on a HEAT x HEAT raster of the view
const LATTICE_2D = 20; // G's transformation: a LATTICE x LATTICE grid of cells in 2D noise space
const LATTICE_1D = 240; // ... or segments along 1D noise
const N_ARROWS = 150; // generated points that get gradient arrows
const N_CHECK = 256; // the fixed check batch the explained steps measure D and G on
const SCORE_N = 2500; // samples scored (the PacGAN papers' count)
const CHUNK_MS = 12;
const SNAPSHOT_MS = 40; // at most 25 snapshots a second ...
const SNAPSHOT_SHARE = 0.25; // ... and at most this share of the time spent on them, so big networks still train
const SCORE_MS = 500;
const NOISE_SEED = 777;
const CHECK_SEED = 4242;

let lab = null;
let settings = null;
let view = null; // [x0, x1, y0, y1], square, in data coordinates
let real = null; // N_REAL real points for the plot
let check = null; // { real, noise } for the explained steps
let steps = 0;
let playing = false;
let speed = 0; // steps per second; 0: as fast as the core goes
let pace = { t: 0, s: 0 };
let views = { real: true, fake: true, grid: true, heat: true, arrows: false };
let pending = { d: 0, nd: 0, g: 0, ng: 0 }; // losses since the last snapshot
let lastSnapshot = 0;
let lastScore = 0;
let snapshotCost = 0; // ms the last snapshot took
let scoreCost = 0; // ms the last score took
let rate = { t: 0, s: 0, value: 0 };
let generation = 0; // bumped on reset, so a chunk of a replaced lab is ignored

/** A square view around the target's samples, with room for the generated points around them. */
function viewOf(s) {
  if (s.target === 'drawn') return [-2, 2, -2, 2];
  const [x0, x1, y0, y1] = boundsOf(targetOf(s).sample(2000, seeded(5)));
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, h = Math.max(x1 - x0, y1 - y0, 0.5) * 0.5 * 1.35;
  return [cx - h, cx + h, cy - h, cy + h];
}

function setTarget() {
  const t = targetOf(settings);
  view = viewOf(settings);
  real = t.sample(N_REAL, seeded(settings.seed * 7 + 1));
  check = { real: t.sample(N_CHECK, seeded(settings.seed * 7 + 2)) };
}

const sameTarget = (a, b) => a.target === b.target && String(a.drawnPoints) === String(b.drawnPoints);

// ---- what the page draws ----

/** The noise lattice (points in noise space) and each cell's probability mass. */
function lattice() {
  const { dim, dist } = settings.noise;
  const r = dist === 'uniform' ? 1 : 2.5; // a Gaussian's +-2.5 sd holds 98.8% of it
  const cdf = dist === 'uniform' ? (z) => (z + 1) / 2 : (z) => 0.5 * (1 + erf(z / Math.SQRT2));
  const n = dim === 1 ? LATTICE_1D : LATTICE_2D;
  const zs = Float64Array.from({ length: n + 1 }, (_, i) => -r + (2 * r * i) / n);
  const mass1 = Float64Array.from({ length: n }, (_, i) => cdf(zs[i + 1]) - cdf(zs[i]));
  if (dim === 1) return { n, points: Float32Array.from(zs), mass: Float32Array.from(mass1) };
  const points = new Float32Array((n + 1) * (n + 1) * 2);
  for (let j = 0; j <= n; j++) for (let i = 0; i <= n; i++) { points[2 * (j * (n + 1) + i)] = zs[i]; points[2 * (j * (n + 1) + i) + 1] = zs[j]; }
  const mass = new Float32Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) mass[j * n + i] = mass1[i] * mass1[j];
  return { n, points, mass };
}

// Abramowitz-Stegun 7.1.26 (error below 1.5e-7): plenty for shading.
function erf(x) {
  const s = Math.sign(x), a = Math.abs(x), t = 1 / (1 + 0.3275911 * a);
  return s * (1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496735) * t + 0.254829592) * t * Math.exp(-a * a));
}

function heatPoints() {
  const [x0, x1, y0, y1] = view;
  const pts = new Float32Array(HEAT * HEAT * 2);
  for (let r = 0; r < HEAT; r++) {
    for (let c = 0; c < HEAT; c++) {
      pts[2 * (r * HEAT + c)] = x0 + ((c + 0.5) / HEAT) * (x1 - x0);
      pts[2 * (r * HEAT + c) + 1] = y1 - ((r + 0.5) / HEAT) * (y1 - y0); // row 0 at the top
    }
  }
  return pts;
}

const mean = (a) => a.reduce((s, v) => s + v, 0) / (a.length || 1);

/** Everything the page draws, as transferable arrays. */
function snapshot(extra = {}) {
  const msg = { type: 'snapshot', steps, view, generation, ...extra };
  const fixedNoise = lab.noise(N_SHOW, NOISE_SEED);
  msg.fake = lab.generate(fixedNoise);
  if (views.real) msg.real = real;
  if (views.grid) {
    const l = lattice();
    msg.lattice = { dim: settings.noise.dim, n: l.n, mass: l.mass, points: lab.generate(l.points) };
  }
  if (views.heat) msg.heat = { size: HEAT, values: lab.discriminate(heatPoints()) };
  if (views.arrows) {
    const pts = msg.fake.slice(0, 2 * N_ARROWS);
    msg.arrows = { points: pts, grads: lab.sampleGradients(pts) };
  }
  if (pending.nd || pending.ng) {
    msg.losses = { d: pending.nd ? pending.d / pending.nd : null, g: pending.ng ? pending.g / pending.ng : null };
    pending = { d: 0, nd: 0, g: 0, ng: 0 };
  }
  const now = performance.now();
  if (extra.score || now - lastScore >= Math.max(SCORE_MS, scoreCost / SNAPSHOT_SHARE)) {
    msg.score = lab.score({ n: SCORE_N, seed: 99 });
    msg.verdicts = { real: mean(lab.discriminate(check.real)), fake: mean(lab.discriminate(lab.generate(lab.noise(N_CHECK, CHECK_SEED)))) };
    lastScore = performance.now();
    scoreCost = lastScore - now;
  }
  msg.rate = rate.value;
  msg.lr = lab.state().lr; // with the drop applied
  return msg;
}

function postSnapshot(extra) {
  const t0 = performance.now();
  const msg = snapshot(extra);
  lastSnapshot = performance.now();
  snapshotCost = lastSnapshot - t0 - (msg.score ? scoreCost : 0);
  const transfer = [msg.fake.buffer];
  if (msg.lattice) transfer.push(msg.lattice.points.buffer);
  if (msg.heat) transfer.push(msg.heat.values.buffer);
  if (msg.arrows) transfer.push(msg.arrows.grads.buffer);
  post(msg, transfer);
}

// ---- training ----

function doStep(which) {
  const r = lab.step(which);
  steps += which.g ? 1 : 0;
  if (which.d && Number.isFinite(r.dLoss)) { pending.d += r.dLoss; pending.nd++; }
  if (which.g && Number.isFinite(r.gLoss)) { pending.g += r.gLoss; pending.ng++; }
  return r;
}

const loop = singleRun(async () => {
  try {
    await train();
  } catch (err) {
    playing = false;
    postError(err, 'Training stopped');
  }
});

async function train() {
  const gen = generation;
  let perChunk = 1;
  pace = { t: performance.now(), s: steps };
  rate = { t: pace.t, s: steps, value: rate.value };
  while (playing && gen === generation) {
    const t0 = performance.now();
    let n = perChunk;
    if (speed > 0) n = Math.max(0, Math.min(perChunk, Math.floor(((t0 - pace.t) / 1000) * speed) - (steps - pace.s)));
    if (n > 0) { // run() measures only its last round: cheaper than n step()s
      const r = lab.run(n);
      steps += n;
      if (Number.isFinite(r.dLoss)) { pending.d += r.dLoss; pending.nd++; }
      if (Number.isFinite(r.gLoss)) { pending.g += r.gLoss; pending.ng++; }
    }
    const dt = performance.now() - t0;
    if (n === perChunk) perChunk = dt < CHUNK_MS / 2 ? perChunk * 2 : dt > CHUNK_MS * 1.5 ? Math.max(1, perChunk >> 1) : perChunk;
    const now = performance.now();
    if (now - rate.t > 500) rate = { t: now, s: steps, value: ((steps - rate.s) * 1000) / (now - rate.t) };
    if (now - lastSnapshot >= Math.max(SNAPSHOT_MS, snapshotCost / SNAPSHOT_SHARE)) postSnapshot();
    await yieldNow();
  }
}

// ---- explained steps: what one D or G update did, measured on a fixed check batch ----

/** D's loss and G's loss on the check batch, from D's outputs on its real and generated points. */
function checkLosses() {
  const dr = lab.discriminate(check.real);
  const fake = lab.generate(lab.noise(N_CHECK, CHECK_SEED));
  const df = lab.discriminate(fake);
  return { ...lossesOf(dr, df, settings), real: mean(dr), fake: mean(df), points: fake };
}

function explainedStep(which) {
  const before = checkLosses();
  const shownBefore = lab.generate(lab.noise(N_SHOW, NOISE_SEED));
  const arrows = which.g ? lab.sampleGradients(shownBefore.slice(0, 2 * N_ARROWS)) : null;
  const r = which.d ? doStep({ d: true, g: false }) : {};
  const mid = which.d && which.g ? checkLosses() : null;
  const rg = which.g ? doStep({ d: false, g: true }) : {};
  const after = checkLosses();
  let moved = 0;
  if (which.g) {
    for (let i = 0; i < N_CHECK; i++) moved += Math.hypot(after.points[2 * i] - before.points[2 * i], after.points[2 * i + 1] - before.points[2 * i + 1]);
    moved /= N_CHECK;
  }
  delete before.points; delete after.points; if (mid) delete mid.points;
  const explain = {
    which, before, mid, after, moved, dLoss: r.dLoss, gLoss: rg.gLoss, dReal: r.dReal, dFake: r.dFake,
    batchSize: settings.batchSize, dSteps: settings.dSteps, dOptimizer: settings.d.optimizer, gOptimizer: settings.g.optimizer, pack: settings.pack, loss: settings.loss,
    labelSmoothing: settings.labelSmoothing, viewSize: view[1] - view[0],
  };
  postSnapshot({ explain, before: shownBefore, beforeArrows: arrows, score: true });
}

// ---- messages ----

function reset() {
  generation++;
  lab?.dispose();
  lab = new GanLab(nn, settings);
  settings = lab.settings;
  steps = 0;
  pending = { d: 0, nd: 0, g: 0, ng: 0 };
  setTarget();
  post({ type: 'reset', generation });
  postSnapshot({ score: true });
}

const handlers = {
  init(m) {
    settings = m.settings;
    views = { ...views, ...m.views };
    speed = m.speed ?? 0;
    reset();
  },
  update(m) {
    const old = settings;
    settings = lab.update(m.settings);
    if (!sameTarget(old, settings)) setTarget();
    post({ type: 'settings', settings });
    if (!playing) postSnapshot({ score: true });
  },
  settings() { post({ type: 'settings', settings: lab.settings }); },
  views(m) { views = { ...views, ...m.views }; if (!playing) postSnapshot(); },
  speed(m) { speed = m.speed; pace = { t: performance.now(), s: steps }; },
  play() { playing = true; post({ type: 'state', playing }); loop(); },
  pause() { playing = false; post({ type: 'state', playing }); },
  step(m) { playing = false; explainedStep({ d: !!m.d, g: !!m.g }); },
  reset() { reset(); },
};

self.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === 'step' || m.type === 'reset' || m.type === 'update') while (loop.running && !playing) await yieldNow();
    handlers[m.type]?.(m);
  } catch (err) {
    playing = false;
    post({ type: 'state', playing });
    postError(err);
  }
};

try {
  await nn.ready();
  postReady({ defaults: DEFAULTS, activations: nn.describe().names.activations.map((a) => a.name).filter((a) => a !== 'softmax') });
} catch (err) {
  postError(err, 'The wasm module could not load');
}
