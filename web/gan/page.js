// page.js - the GAN lab page (web/gan.html): its controls, the training worker (gan/worker.js),
// the views drawn from the worker's snapshots, slow motion with its narration, drawing a
// distribution, and the setup kept in the URL hash.
import { seeded } from './targets.js';
import { targetOf, presetFor } from './lab.js';
import { readHash, MAX_HASH_CHARS } from '../playground/hash.js';
import { toHash, fromHash, isPreset, flatPoints, TARGET_NAMES, DROP_AFTER, DROPS, LAYER_CHOICES, UNIT_CHOICES, LR_CHOICES, DEFAULT_VIEWS } from './config.js';
import { drawPlot, drawThumb, drawLossChart, mapping } from './plot.js';
import { narrate } from './explain.js';

const $ = (id) => document.getElementById(id);
const ui = Object.fromEntries(['play', 'reset', 'step-d', 'step-g', 'step-both', 'step-count', 'speed', 'slow', 'loss', 'd-steps',
  'smoothing', 'pack', 'batch', 'drop', 'drops', 'tuned', 'lr-now', 'error', 'targets', 'draw', 'clear-drawing', 'draw-hint', 'noise-dim', 'noise-dist', 'plot',
  'narration', 'loss-chart', 'd-loss', 'g-loss', 'kl', 'js', 'modes', 'hq', 'verdicts', 'sps', 'simd', 'version', 'embed-link',
  'embed-code', 'draw-overlay', 'draw-done', 'draw-clear2', 'v-real', 'v-fake', 'v-grid', 'v-heat', 'v-arrows',
  ...['g', 'd'].flatMap((k) => ['layers', 'units', 'act', 'opt', 'lr'].map((f) => `${k}-${f}`))]
  .map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), $(id)]));

const SLOW_PAUSE_MS = 4000; // slow motion: time to read one step's narration
const TWEEN_MS = 900; // slow motion and steps by hand: generated points glide to their new places
const HISTORY = 600; // loss chart points kept (older ones are merged in pairs)

const state = {
  defaults: null, settings: null, activations: [], views: { ...DEFAULT_VIEWS },
  engine: null, // the settings the engine reports after each change (lab.settings)
  latest: null, history: [], playing: false, slowTimer: 0, slowNext: 'd', waiting: false,
  tween: null, drawing: null, dirty: true, generation: -1,
};
// For tests and the console: what the engine runs with and what was drawn last.
window.nnGan = { get engineSettings() { return state.engine; }, get snapshot() { return state.latest; },
  get settings() { return state.settings; }, get history() { return state.history; } };

function showError(msg) {
  ui.error.textContent = msg;
  ui.error.hidden = !msg;
}

// ---- worker ----
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (msg) => worker.postMessage(msg);
worker.onerror = (e) => {
  e.preventDefault?.();
  showError(`The training worker failed: ${e.message || 'it could not start'}. Reload the page to start again.`);
  setPlaying(false);
};
worker.onmessage = ({ data: m }) => {
  if (m.type === 'ready') onReady(m);
  else if (m.type === 'snapshot') onSnapshot(m);
  else if (m.type === 'settings') state.engine = m.settings;
  else if (m.type === 'reset') { state.history = []; state.generation = m.generation; }
  else if (m.type === 'error') { showError(m.message); setPlaying(false); }
};

// ---- controls ----
function fillSelect(sel, values, label = String) {
  sel.replaceChildren(...values.map((v) => new Option(label(v), String(v))));
}
const lrLabel = (v) => String(v);
const ACT_LABELS = new Map([['relu', 'ReLU'], ['elu', 'ELU'], ['leakyRelu', 'Leaky ReLU'], ['selu', 'SELU'], ['tanh', 'Tanh'],
  ['sigmoid', 'Sigmoid'], ['linear', 'Linear']]);
const actLabel = (a) => ACT_LABELS.get(a) ?? a.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
const fmtLr = (v) => (v >= 1e-4 ? String(+v.toPrecision(2)) : v.toExponential(1));
const withValue = (list, v) => (list.includes(v) ? list : [...list, v].sort((a, b) => a - b));

function buildTargets() {
  for (const name of TARGET_NAMES) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'target';
    b.dataset.target = name;
    b.setAttribute('role', 'radio');
    b.setAttribute('aria-checked', 'false');
    const c = document.createElement('canvas');
    c.width = 64; c.height = 64;
    c.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.textContent = name === 'drawn' ? 'Drawn' : targetOf({ target: name }).label;
    b.append(c, label);
    drawThumb(c, name === 'drawn' ? null : targetOf({ target: name }).sample(300, seeded(3)));
    b.addEventListener('click', () => {
      if (name === 'drawn' && !state.settings.drawnPoints?.length) { startDrawing(); return; }
      const { seed, drawnPoints } = state.settings;
      // untouched settings follow the distribution (each has its own defaults); changed ones stay
      state.settings = isPreset(state.settings)
        ? { ...structuredClone(presetFor(name).settings), seed, ...(drawnPoints ? { drawnPoints } : {}) }
        : { ...state.settings, target: name };
      changed();
    });
    ui.targets.append(b);
  }
  // A radio group: arrow keys move the choice (and the focus) along it.
  ui.targets.addEventListener('keydown', (e) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    if (!step) return;
    e.preventDefault();
    const all = [...ui.targets.children];
    const next = all[(all.indexOf(document.activeElement) + step + all.length) % all.length];
    next.focus();
    next.click();
  });
}

function showSettings(s) {
  for (const b of ui.targets.children) {
    b.setAttribute('aria-checked', String(b.dataset.target === s.target));
    b.tabIndex = b.dataset.target === s.target ? 0 : -1; // one tab stop for the group
  }
  const drawnThumb = ui.targets.querySelector('[data-target="drawn"] canvas');
  drawThumb(drawnThumb, s.target === 'drawn' ? s.drawnPoints : null);
  ui.noiseDim.value = String(s.noise.dim);
  ui.noiseDist.value = s.noise.dist;
  for (const k of ['g', 'd']) {
    ui[`${k}Layers`].value = String(s[k].layers);
    ui[`${k}Units`].value = String(s[k].units);
    ui[`${k}Act`].value = s[k].activation;
    ui[`${k}Opt`].value = s[k].optimizer;
    ui[`${k}Lr`].value = String(s[k].lr);
  }
  ui.loss.value = s.loss;
  ui.dSteps.value = String(s.dSteps);
  ui.smoothing.value = String(s.labelSmoothing);
  ui.pack.value = String(s.pack);
  ui.batch.value = String(s.batchSize);
  ui.drop.value = String(s.lrDropAfter);
  ui.drops.value = String(s.lrDrops);
  ui.drops.disabled = !s.lrDropAfter;
  for (const v of Object.keys(DEFAULT_VIEWS)) ui[`v${v[0].toUpperCase()}${v.slice(1)}`].checked = state.views[v];
  ui.clearDrawing.hidden = !state.drawing;
}

/** The settings as the controls show them. */
function readControls() {
  const s = structuredClone(state.settings);
  s.noise = { dim: Number(ui.noiseDim.value), dist: ui.noiseDist.value };
  for (const k of ['g', 'd']) {
    s[k] = { ...s[k], layers: Number(ui[`${k}Layers`].value), units: Number(ui[`${k}Units`].value), activation: ui[`${k}Act`].value,
      optimizer: ui[`${k}Opt`].value, lr: Number(ui[`${k}Lr`].value) };
  }
  s.loss = ui.loss.value;
  s.dSteps = Number(ui.dSteps.value);
  s.labelSmoothing = Number(ui.smoothing.value);
  s.pack = Number(ui.pack.value);
  s.batchSize = Number(ui.batch.value);
  s.lrDropAfter = Number(ui.drop.value);
  s.lrDrops = Number(ui.drops.value);
  return s;
}

function saveHash() {
  history.replaceState(null, '', `#${toHash(state.settings, { views: state.views, speed: Number(ui.speed.value), slow: ui.slow.checked })}`);
}

/** A setting changed: tell the engine (live, while it trains) and the URL. */
function changed() {
  showSettings(state.settings);
  send({ type: 'update', settings: state.settings });
  saveHash();
  state.dirty = true;
}

function wireControls() {
  for (const el of [ui.noiseDim, ui.noiseDist, ui.loss, ui.drop, ui.drops, ui.dSteps, ui.smoothing, ui.pack, ui.batch,
    ...['g', 'd'].flatMap((k) => ['Layers', 'Units', 'Act', 'Opt', 'Lr'].map((f) => ui[`${k}${f}`]))]) {
    el.addEventListener('change', () => { state.settings = readControls(); changed(); });
  }
  for (const v of Object.keys(DEFAULT_VIEWS)) {
    const box = ui[`v${v[0].toUpperCase()}${v.slice(1)}`];
    box.addEventListener('change', () => {
      state.views[v] = box.checked;
      send({ type: 'views', views: workerViews() });
      saveHash();
      state.dirty = true;
    });
  }
  ui.speed.addEventListener('change', () => { send({ type: 'speed', speed: Number(ui.speed.value) }); saveHash(); });
  ui.slow.addEventListener('change', () => {
    const was = state.playing;
    if (was) setPlaying(false);
    send({ type: 'views', views: workerViews() });
    if (was) setPlaying(true);
    saveHash();
  });
  ui.play.addEventListener('click', () => setPlaying(!state.playing));
  ui.reset.addEventListener('click', () => {
    setPlaying(false);
    showError('');
    state.tween = null;
    ui.narration.innerHTML = '<p>New weights for both networks. Press play or step.</p>';
    send({ type: 'reset' });
  });
  ui.stepD.addEventListener('click', () => stepByHand({ d: true }));
  ui.stepG.addEventListener('click', () => stepByHand({ g: true }));
  ui.stepBoth.addEventListener('click', () => stepByHand({ d: true, g: true }));
  ui.tuned.addEventListener('click', () => {
    const { target, drawnPoints, seed } = state.settings;
    state.settings = { ...structuredClone(presetFor(target).settings), target, seed, ...(drawnPoints ? { drawnPoints } : {}) };
    changed();
  });
  ui.draw.addEventListener('click', () => (state.drawing ? finishDrawing() : startDrawing()));
  ui.drawDone.addEventListener('click', finishDrawing);
  for (const b of [ui.clearDrawing, ui.drawClear2]) {
    b.addEventListener('click', () => {
      state.drawing = [];
      state.dirty = true;
    });
  }
  ui.embedLink.addEventListener('click', (e) => {
    e.preventDefault();
    ui.embedCode.hidden = !ui.embedCode.hidden;
    ui.embedCode.textContent = embedCode();
  });
}

/** The worker computes the arrows also when slow motion is on (they show before each G step). */
const workerViews = () => ({ ...state.views, arrows: state.views.arrows || ui.slow.checked });

// ---- playing, slow motion and steps by hand ----
function setPlaying(on) {
  state.playing = on;
  clearTimeout(state.slowTimer);
  ui.play.setAttribute('aria-pressed', String(on));
  ui.play.setAttribute('aria-label', on ? 'Pause' : 'Play');
  document.body.dataset.playing = String(on);
  if (on && ui.slow.checked) {
    send({ type: 'pause' });
    slowTick();
  } else send({ type: on ? 'play' : 'pause' });
}

function slowTick() {
  if (!state.playing || !ui.slow.checked) return;
  state.waiting = true;
  send({ type: 'step', d: state.slowNext === 'd', g: state.slowNext === 'g' });
  state.slowNext = state.slowNext === 'd' ? 'g' : 'd';
}

function stepByHand(which) {
  if (state.playing) setPlaying(false);
  send({ type: 'step', ...which });
}

// ---- the worker's snapshots ----
function onSnapshot(m) {
  if (m.generation !== state.generation && state.generation >= 0) return; // from before a reset
  const prev = state.latest;
  state.latest = { ...m, real: m.real ?? prev?.real, score: m.score ?? prev?.score, verdicts: m.verdicts ?? prev?.verdicts };
  if (m.losses) {
    state.history.push([m.steps, m.losses.d, m.losses.g]);
    if (state.history.length > HISTORY) {
      const h = state.history;
      state.history = Array.from({ length: h.length >> 1 }, (_, i) => {
        const a = h[2 * i], b = h[2 * i + 1];
        const avg = (k) => (Number.isFinite(a[k]) && Number.isFinite(b[k]) ? (a[k] + b[k]) / 2 : Number.isFinite(a[k]) ? a[k] : b[k]);
        return [b[0], avg(1), avg(2)];
      }).concat(h.length % 2 ? [h[h.length - 1]] : []);
    }
    if (Number.isFinite(m.losses.d)) ui.dLoss.textContent = m.losses.d.toFixed(3);
    if (Number.isFinite(m.losses.g)) ui.gLoss.textContent = m.losses.g.toFixed(3);
  }
  ui.stepCount.textContent = m.steps.toLocaleString('en-US');
  if (m.score) {
    const sc = m.score;
    ui.kl.textContent = sc.kl.toFixed(3);
    ui.js.textContent = sc.js.toFixed(3);
    const modes = Number.isFinite(sc.modes) && sc.modes > 0;
    document.body.classList.toggle('has-modes', modes);
    ui.modes.textContent = modes ? `${sc.modesCovered} of ${sc.modes}` : '–';
    ui.hq.textContent = modes ? `${(100 * sc.highQuality).toFixed(1)}%` : '–';
  }
  if (m.lr) ui.lrNow.textContent = `${fmtLr(m.lr.g)} / ${fmtLr(m.lr.d)}`;
  if (m.verdicts) ui.verdicts.textContent = `${m.verdicts.real.toFixed(2)} / ${m.verdicts.fake.toFixed(2)}`;
  ui.sps.textContent = state.playing && !ui.slow.checked ? Math.round(m.rate).toLocaleString('en-US') : '0';
  if (m.explain) {
    ui.narration.innerHTML = narrate(m.explain);
    state.tween = m.explain.which.g ? { from: m.before, arrows: m.beforeArrows ? { points: m.before.slice(0, m.beforeArrows.length), grads: m.beforeArrows } : null, t0: performance.now(), t: 0 } : null;
    if (state.waiting) {
      state.waiting = false;
      if (state.playing && ui.slow.checked) state.slowTimer = setTimeout(slowTick, SLOW_PAUSE_MS);
    }
  }
  if (document.body.dataset.state !== 'ready') document.body.dataset.state = 'ready';
  state.dirty = true;
}

// ---- drawing ----
function resizeCanvas(c, maxW = 1400) {
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const w = Math.max(100, Math.min(maxW, Math.round(c.clientWidth * dpr)));
  const h = Math.round((w * c.clientHeight) / Math.max(1, c.clientWidth));
  if (c.width !== w || c.height !== h) { c.width = w; c.height = h; state.dirty = true; }
  return dpr;
}

function frame(now) {
  const dpr = resizeCanvas(ui.plot);
  resizeCanvas(ui.lossChart);
  if (state.tween) {
    state.tween.t = Math.min(1, (now - state.tween.t0) / TWEEN_MS);
    state.dirty = true;
    if (state.tween.t >= 1) state.tween.done = true;
  }
  if (state.dirty) {
    const shown = state.drawing ? { view: [-2, 2, -2, 2], fake: new Float32Array(0) } : state.latest;
    drawPlot(ui.plot, shown, state.views, { tween: state.tween, drawing: state.drawing, dpr });
    drawLossChart(ui.lossChart, state.history, dpr);
    state.dirty = false;
    if (state.tween?.done) state.tween = null;
  }
  requestAnimationFrame(frame);
}

// ---- drawing a distribution ----
function startDrawing(points = state.settings.target === 'drawn' ? pairsOf(state.settings.drawnPoints) : []) {
  setPlaying(false);
  state.drawing = points;
  document.body.classList.add('drawing');
  ui.draw.textContent = 'Done';
  ui.draw.setAttribute('aria-pressed', 'true');
  ui.drawHint.hidden = false;
  ui.drawOverlay.hidden = false;
  ui.clearDrawing.hidden = false;
  state.dirty = true;
  // On a phone the button is far below the plot: bring the plot to the finger.
  const r = ui.plot.getBoundingClientRect();
  if (r.top < 0 || r.bottom > innerHeight) ui.plot.scrollIntoView({ block: 'center' });
}

const pairsOf = (flat) => Array.from({ length: flat.length >> 1 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]);

function finishDrawing() {
  const pts = flatPoints(state.drawing || []);
  state.drawing = null;
  document.body.classList.remove('drawing');
  ui.draw.textContent = 'Draw your own';
  ui.draw.setAttribute('aria-pressed', 'false');
  ui.drawHint.hidden = true;
  ui.drawOverlay.hidden = true;
  ui.clearDrawing.hidden = true;
  if (pts.length) {
    state.settings.target = 'drawn';
    state.settings.drawnPoints = pts;
  } else if (state.settings.target === 'drawn') {
    state.settings.target = state.defaults.target;
    delete state.settings.drawnPoints;
  }
  changed();
}

function wireDrawing() {
  let down = false;
  const add = (e) => {
    const r = ui.plot.getBoundingClientRect();
    const m = mapping([-2, 2, -2, 2], r.width, r.height);
    const x = m.ux(e.clientX - r.left), y = m.uy(e.clientY - r.top);
    if (Math.abs(x) > 2 || Math.abs(y) > 2) return;
    const last = state.drawing[state.drawing.length - 1];
    if (last && Math.hypot(last[0] - x, last[1] - y) < 0.05) return; // a stroke, not a pile of points
    state.drawing.push([x, y]);
    state.dirty = true;
  };
  ui.plot.addEventListener('pointerdown', (e) => {
    if (!state.drawing) return;
    e.preventDefault();
    down = true;
    ui.plot.setPointerCapture(e.pointerId);
    add(e);
  });
  ui.plot.addEventListener('pointermove', (e) => { if (down && state.drawing) add(e); });
  for (const t of ['pointerup', 'pointercancel']) ui.plot.addEventListener(t, () => { down = false; });
}

// ---- embed code for the current setup ----
function embedCode() {
  const src = new URL('../embed.js', import.meta.url).href;
  const p = new URLSearchParams(toHash(state.settings, { views: state.views, speed: Number(ui.speed.value), slow: ui.slow.checked }));
  const attrs = [...p].map(([k, v]) => `${k}="${v.replace(/"/g, '&quot;')}"`).join(' ');
  return `<script type="module" src="${src}"></script>\n<nn-gan ${attrs} height="720"></nn-gan>`;
}

// ---- start ----
function onReady(m) {
  ui.simd.textContent = m.simd;
  ui.version.textContent = `nnplay ${m.version}`;
  state.defaults = m.defaults;
  state.activations = m.activations;
  for (const k of ['g', 'd']) {
    fillSelect(ui[`${k}Layers`], withValue(LAYER_CHOICES, m.defaults[k].layers), (v) => (v ? String(v) : 'None (linear)'));
    fillSelect(ui[`${k}Units`], withValue(UNIT_CHOICES, m.defaults[k].units));
    fillSelect(ui[`${k}Act`], m.activations, actLabel);
    fillSelect(ui[`${k}Lr`], withValue(LR_CHOICES, m.defaults[k].lr), lrLabel);
  }
  fillSelect(ui.drop, withValue(DROP_AFTER, m.defaults.lrDropAfter), (v) => (v ? `×${m.defaults.lrDrop} every ${v.toLocaleString('en-US')} steps` : 'Never'));
  fillSelect(ui.drops, DROPS, (v) => ['once', 'twice', '3 times', '4 times'][v - 1]);
  const params = readHash();
  if (!params) showError(`This link's settings are too long to read (over ${MAX_HASH_CHARS / 1024} KB), so the default settings are shown.`);
  const h = fromHash(params, m.defaults, m.activations);
  state.settings = h.settings;
  state.views = h.views;
  ui.speed.value = String(h.speed);
  ui.slow.checked = h.slow;
  showSettings(state.settings);
  send({ type: 'init', settings: state.settings, views: workerViews(), speed: h.speed });
  send({ type: 'settings' });
  for (const b of [ui.play, ui.reset, ui.stepD, ui.stepG, ui.stepBoth]) b.disabled = false;
  saveHash();
}

buildTargets();
wireControls();
wireDrawing();
requestAnimationFrame(frame);
// On a phone the plot matters more than the intro: it starts folded (one tap opens it).
if (matchMedia('(max-width: 700px)').matches) document.querySelector('.intro').open = false;
