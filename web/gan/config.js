// config.js - the GAN lab's setup in the URL hash: every engine setting (lab.js's settings), the
// views shown, the speed and slow motion, and a drawn distribution's points, so a link restores it.
// A link is untrusted: each value is checked against what the page offers and anything else keeps
// its default. Plain JS, no DOM (web/embed.js builds the same hash from an element's attributes).

import { TARGET_NAMES, LOSSES, presetFor } from './lab.js';

export { TARGET_NAMES, LOSSES };
export const LAYER_CHOICES = [0, 1, 2, 3, 4];
export const UNIT_CHOICES = [4, 8, 16, 32, 64, 128];
export const LR_CHOICES = [0.00001, 0.0001, 0.0003, 0.0005, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
export const OPTIMIZERS = ['sgd', 'adam'];
export const D_STEPS = [1, 2, 3, 5];
export const SMOOTHING = [1, 0.9, 0.8, 0.7]; // the real label D learns (1: no smoothing)
export const PACKS = [1, 2, 3, 4];
export const BATCHES = [16, 32, 64, 128, 256, 512];
export const SPEEDS = [0, 3000, 300, 30, 3];
export const DROP_AFTER = [0, 1000, 2000, 3000, 5000, 10000]; // the learning-rate drop: every this many steps (0: never)
export const DROPS = [1, 2, 3, 4]; // how many times it drops (lab.js lrDrops)
export const VIEW_NAMES = ['real', 'fake', 'grid', 'heat', 'arrows'];
export const DEFAULT_VIEWS = { real: true, fake: true, grid: true, heat: true, arrows: false };
export const MAX_DRAWN = 200; // drawn points kept (and put in links): enough for any shape, well under the hash limit
const DRAWN_RANGE = 2; // drawn points live in [-2, 2]^2

const num = (v) => (v == null || v.trim() === '' ? NaN : Number(v));
const oneOf = (list, v) => list.find((x) => (typeof x === 'number' ? x === num(v) : x === v));

/** The hash (without '#') for engine settings s and the page's extras { views, speed, slow }. */
export function toHash(s, { views = DEFAULT_VIEWS, speed = 0, slow = false } = {}) {
  const net = (n) => [n.layers, n.units, n.activation, n.optimizer, n.lr].join(',');
  const p = new URLSearchParams({ target: s.target, noise: `${s.noise.dim},${s.noise.dist}`, g: net(s.g), d: net(s.d),
    loss: s.loss, drop: `${s.lrDropAfter},${s.lrDrop},${s.lrDrops}`, dsteps: s.dSteps, smooth: s.labelSmoothing, pack: s.pack, batch: s.batchSize, seed: s.seed,
    speed, show: VIEW_NAMES.filter((v) => views[v]).join(',') });
  if (slow) p.set('slow', '1');
  if (s.target === 'drawn' && s.drawnPoints?.length) {
    const d = s.drawnPoints, pairs = [];
    for (let i = 0; i + 1 < d.length; i += 2) pairs.push(`${+d[i].toFixed(2)},${+d[i + 1].toFixed(2)}`);
    p.set('pts', pairs.join(';'));
  }
  return p.toString();
}

// key order aside: settings come from the worker, the hash and the controls
const canonical = (v) => (v && typeof v === 'object' && !Array.isArray(v)
  ? `{${Object.keys(v).sort().map((k) => `${k}:${canonical(v[k])}`).join(',')}}` : JSON.stringify(v ?? null));
const presetKeys = (s) => canonical({ ...s, target: null, drawnPoints: null, seed: null });

/** Whether settings are still their target's preset (seed and drawn points aside): then picking
 *  another distribution brings that one's preset along, else only the target changes. */
export function isPreset(s) {
  return presetKeys(s) === presetKeys({ ...presetFor(s.target).settings, drawnPoints: s.drawnPoints });
}

/**
 * Read hash parameters: { settings, views, speed, slow }. Settings start from the target's preset
 * (lab.js presetFor: the page's defaults for that distribution; defaults.target's without a valid
 * target), and each valid value in the hash replaces one. `activations` lists the names the core
 * accepts; unknown or out-of-range values keep the preset's.
 */
export function fromHash(params, defaults, activations) {
  const get = (k) => params?.get(k) ?? null;
  const drawn = parsePoints(get('pts'));
  const target = TARGET_NAMES.includes(get('target')) && (get('target') !== 'drawn' || drawn) ? get('target') : defaults.target;
  const s = structuredClone({ ...defaults, ...presetFor(target).settings, seed: defaults.seed });
  if (drawn && target === 'drawn') s.drawnPoints = drawn;
  const views = { ...DEFAULT_VIEWS };
  let speed = 0, slow = false;
  if (!params) return { settings: s, views, speed, slow };
  const [dim, dist] = (get('noise') || '').split(',');
  if (oneOf([1, 2], dim)) s.noise.dim = Number(dim);
  if (oneOf(['uniform', 'gaussian'], dist)) s.noise.dist = dist;
  for (const k of ['g', 'd']) {
    const [layers, units, act, opt, lr] = (get(k) || '').split(',');
    if (oneOf(LAYER_CHOICES, layers)) s[k].layers = Number(layers);
    if (oneOf(UNIT_CHOICES, units)) s[k].units = Number(units);
    if (activations.includes(act)) s[k].activation = act;
    if (OPTIMIZERS.includes(opt)) s[k].optimizer = opt;
    if (oneOf(LR_CHOICES, lr) !== undefined) s[k].lr = oneOf(LR_CHOICES, lr);
  }
  if (LOSSES.includes(get('loss'))) s.loss = get('loss');
  const [after, factor, times] = (get('drop') || '').split(',');
  if (oneOf(DROP_AFTER, after) !== undefined) s.lrDropAfter = Number(after);
  if (num(factor) > 0 && num(factor) <= 1) s.lrDrop = num(factor);
  if (oneOf(DROPS, times) !== undefined) s.lrDrops = Number(times);
  for (const [key, field, list] of [['dsteps', 'dSteps', D_STEPS], ['smooth', 'labelSmoothing', SMOOTHING], ['pack', 'pack', PACKS],
    ['batch', 'batchSize', BATCHES]]) {
    if (oneOf(list, get(key)) !== undefined) s[field] = oneOf(list, get(key));
  }
  const seed = num(get('seed'));
  if (Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff) s.seed = seed; // the core's seeds are uint32
  if (oneOf(SPEEDS, get('speed')) !== undefined) speed = oneOf(SPEEDS, get('speed'));
  slow = get('slow') === '1';
  if (params.has('show')) {
    const show = get('show').split(',');
    for (const v of VIEW_NAMES) views[v] = show.includes(v);
  }
  return { settings: s, views, speed, slow };
}

/** "x,y;x,y;..." -> [x0, y0, x1, y1, ...] (lab.js's drawnPoints) within the drawing range, or null. */
export function parsePoints(text) {
  if (!text) return null;
  const pts = [];
  for (const pair of text.split(';').slice(0, MAX_DRAWN)) {
    const [x, y] = pair.split(',').map(num);
    if (Number.isFinite(x) && Number.isFinite(y) && Math.abs(x) <= DRAWN_RANGE && Math.abs(y) <= DRAWN_RANGE) pts.push(x, y);
  }
  return pts.length ? pts : null;
}

/** Drawn [[x, y], ...] as lab.js's flat drawnPoints: at most MAX_DRAWN points, evenly thinned so
 *  the drawing fits a link, rounded as the link keeps them. */
export function flatPoints(points) {
  const n = Math.min(points.length, MAX_DRAWN);
  return Array.from({ length: n }, (_, i) => points[Math.floor((i * points.length) / n)])
    .flatMap(([x, y]) => [+x.toFixed(2), +y.toFixed(2)]);
}
