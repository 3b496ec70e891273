// teach-data.js - the Teach panel's drawings and how they are judged, without any UI or model:
// the class list (2-10 classes, each with its drawings), light augmentation (shifts), stratified
// k-fold splits and the figures computed from held-out predictions (confusion matrix, accuracy per
// class). Used by the page (teach.js), the worker (teach-worker.js) and tests/js/teach.test.mjs.

import { seeded } from '../seeded.js';

export const PIXELS = 784; // 28x28, as the digit CNN reads
export const MIN_CLASSES = 2;
export const MAX_CLASSES = 10;
export const MAX_SAMPLES = 100; // per class: more adds little to a head and slows the evaluation
export const MAX_NAME = 24;
export const MIN_TO_TRAIN = 2; // drawings per class: one to learn from and one to hold out, at least
export const MAX_FOLDS = 5;

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A new class list: names (default A, B, C), no drawings. */
export function createStore(names = ['A', 'B', 'C']) {
  const store = { classes: [], nextId: 1 };
  for (const n of names) addClass(store, n);
  return store;
}

const findClass = (store, id) => {
  const c = store.classes.find((k) => k.id === id);
  if (!c) throw new Error(`there is no class with id ${id}`);
  return c;
};

function checkName(store, name, exceptId) {
  if (typeof name !== 'string' || !name.trim()) throw new Error('a class needs a name');
  const n = name.trim();
  if (n.length > MAX_NAME) throw new Error(`a class name has at most ${MAX_NAME} characters; '${n.slice(0, MAX_NAME)}…' is longer`);
  if (store.classes.some((c) => c.id !== exceptId && c.name.toLowerCase() === n.toLowerCase())) throw new Error(`there is already a class named '${n}'`);
  return n;
}

/** The first of A, B, C, ... (then Class 27, ...) that no class is named yet. */
export function freeName(store) {
  const taken = new Set(store.classes.map((c) => c.name.toLowerCase()));
  for (const l of LETTERS) if (!taken.has(l.toLowerCase())) return l;
  for (let i = LETTERS.length + 1; ; i++) if (!taken.has(`class ${i}`)) return `Class ${i}`;
}

/** Add a class (a free name if none given); returns it. At most MAX_CLASSES. */
export function addClass(store, name) {
  if (store.classes.length >= MAX_CLASSES) throw new Error(`at most ${MAX_CLASSES} classes`);
  const c = { id: store.nextId++, name: checkName(store, name ?? freeName(store)), samples: [] };
  store.classes.push(c);
  return c;
}

export function renameClass(store, id, name) {
  const c = findClass(store, id);
  c.name = checkName(store, name, id);
  return c;
}

/** Remove a class and its drawings. At least MIN_CLASSES stay. */
export function deleteClass(store, id) {
  findClass(store, id);
  if (store.classes.length <= MIN_CLASSES) throw new Error(`at least ${MIN_CLASSES} classes are needed`);
  store.classes = store.classes.filter((c) => c.id !== id);
}

/** Add a drawing (784 values in [0, 1], e.g. from preprocess()) to a class; returns the sample. */
export function addSample(store, classId, x) {
  const c = findClass(store, classId);
  if (!x || x.length !== PIXELS) throw new Error(`a drawing is ${PIXELS} values (28x28), got ${x?.length ?? 'none'}`);
  if (c.samples.length >= MAX_SAMPLES) throw new Error(`'${c.name}' has ${MAX_SAMPLES} drawings already, the most a class takes`);
  const s = { id: store.nextId++, x: Float32Array.from(x) };
  c.samples.push(s);
  return s;
}

export function deleteSample(store, classId, sampleId) {
  const c = findClass(store, classId);
  const i = c.samples.findIndex((s) => s.id === sampleId);
  if (i < 0) throw new Error(`'${c.name}' has no drawing with id ${sampleId}`);
  c.samples.splice(i, 1);
}

/** Whether the drawings are enough to train and judge a model: { ok, message } (what is missing). */
export function readiness(store) {
  const short = store.classes.filter((c) => c.samples.length < MIN_TO_TRAIN);
  if (!short.length) return { ok: true, message: '' };
  const list = short.map((c) => `'${c.name}' (${c.samples.length})`).join(', ');
  return { ok: false, message: `Draw every class at least ${MIN_TO_TRAIN} times (5 or more is better); still short: ${list}.` };
}

/** The drawings as one data set: x (n x 784), y (class index per drawing), the class names. */
export function toDataset(store) {
  const n = store.classes.reduce((s, c) => s + c.samples.length, 0);
  const x = new Float32Array(n * PIXELS);
  const y = new Float32Array(n);
  let i = 0;
  store.classes.forEach((c, k) => {
    for (const s of c.samples) { x.set(s.x, i * PIXELS); y[i++] = k; }
  });
  return { x, y, n, names: store.classes.map((c) => c.name) };
}

// ---- augmentation ----

/** The 28x28 image moved by (dx, dy) pixels, zeros shifted in. */
export function shift(img, dx, dy, side = 28) {
  const out = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= side) continue;
    for (let x = 0; x < side; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < side) out[y * side + x] = img[sy * side + sx];
    }
  }
  return out;
}

// Each drawing and 8 copies moved by up to 2 pixels: preprocessing centres a drawing by its centre
// of mass, which moves with every stroke, so a class must not hinge on the exact position.
export const SHIFTS = [[0, 0], [-2, 0], [2, 0], [0, -2], [0, 2], [-1, -1], [1, 1], [-1, 1], [1, -1]];

/** x (n x 784) and y with every row repeated once per shift in `shifts` (the first is (0, 0)). */
export function augment(x, y, shifts = SHIFTS) {
  const n = y.length;
  const ax = new Float32Array(n * shifts.length * PIXELS);
  const ay = new Float32Array(n * shifts.length);
  let r = 0;
  for (let i = 0; i < n; i++) {
    const img = x.subarray(i * PIXELS, (i + 1) * PIXELS);
    for (const [dx, dy] of shifts) {
      ax.set(dx || dy ? shift(img, dx, dy) : img, r * PIXELS);
      ay[r++] = y[i];
    }
  }
  return { x: ax, y: ay };
}

/** Rows idx of x (n x size) and of y (y may be null). */
export function take(x, y, idx, size = PIXELS) {
  const tx = new Float32Array(idx.length * size);
  const ty = y ? new Float32Array(idx.length) : null;
  idx.forEach((i, r) => { tx.set(x.subarray(i * size, (i + 1) * size), r * size); if (ty) ty[r] = y[i]; });
  return { x: tx, y: ty };
}

// ---- held-out evaluation ----

/** How many folds the drawings allow: as many as the rarest class has drawings, at most MAX_FOLDS. */
export function foldCount(y, numClasses) {
  const counts = new Array(numClasses).fill(0);
  for (const v of y) counts[v]++;
  return Math.min(MAX_FOLDS, ...counts);
}

/**
 * Stratified k-fold: a fold number per drawing, each class's drawings dealt round-robin over the
 * folds in a seeded shuffled order, so every fold holds about 1/k of every class.
 */
export function stratifiedFolds(y, k, seed = 1) {
  if (!Number.isInteger(k) || k < 2) throw new Error(`k-fold needs k >= 2, got ${k}`);
  const rand = seeded(seed);
  const fold = new Int32Array(y.length);
  const byClass = new Map();
  y.forEach((v, i) => { if (!byClass.has(v)) byClass.set(v, []); byClass.get(v).push(i); });
  let offset = 0; // classes start on different folds, so small folds stay balanced in size
  for (const idx of byClass.values()) {
    for (let i = idx.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [idx[i], idx[j]] = [idx[j], idx[i]]; }
    idx.forEach((i, r) => { fold[i] = (r + offset) % k; });
    offset += idx.length;
  }
  return fold;
}

/** Counts [true][predicted] from labels and predicted classes. */
export function confusionMatrix(y, pred, numClasses) {
  const m = Array.from({ length: numClasses }, () => new Array(numClasses).fill(0));
  y.forEach((v, i) => { m[v][pred[i]]++; });
  return m;
}

/** Accuracy overall and per class (recall: the share of a class's drawings read as that class). */
export function scores(confusion) {
  let right = 0;
  let all = 0;
  const perClass = confusion.map((row, k) => {
    const n = row.reduce((a, b) => a + b, 0);
    right += row[k];
    all += n;
    return n ? row[k] / n : null;
  });
  return { accuracy: all ? right / all : null, perClass };
}

/** The class with the highest probability in each row of probs (n x k). */
export function argmaxRows(probs, k) {
  const n = probs.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

// ---- keeping the drawings (the page stores them in localStorage) ----

/** The class list as JSON text: names, and each drawing as 784 bytes (0-255) in base64. */
export function serialize(store) {
  const b64 = (x) => {
    let s = '';
    for (let i = 0; i < x.length; i++) s += String.fromCharCode(Math.round(Math.max(0, Math.min(1, x[i])) * 255));
    return btoa(s);
  };
  return JSON.stringify({ version: 1, classes: store.classes.map((c) => ({ name: c.name, samples: c.samples.map((s) => b64(s.x)) })) });
}

/** A class list from serialize()'s text; anything else (a damaged or foreign value) throws why. */
export function deserialize(text) {
  const data = JSON.parse(text);
  if (data?.version !== 1 || !Array.isArray(data.classes)) throw new Error('not a saved class list (version 1)');
  if (data.classes.length < MIN_CLASSES || data.classes.length > MAX_CLASSES) throw new Error(`a class list has ${MIN_CLASSES} to ${MAX_CLASSES} classes, this one ${data.classes.length}`);
  const store = createStore([]);
  data.classes.forEach((c, i) => {
    if (typeof c?.name !== 'string') throw new Error(`class ${i + 1} has no name`);
    const k = addClass(store, c.name);
    if (!Array.isArray(c.samples)) throw new Error(`class '${k.name}' has no list of drawings`);
    for (const s of c.samples) {
      let bytes = '';
      try { bytes = typeof s === 'string' ? atob(s) : ''; } catch { /* not base64: said below */ }
      if (bytes.length !== PIXELS) throw new Error(`a drawing of '${k.name}' is not ${PIXELS} bytes`);
      addSample(store, k.id, Float32Array.from(bytes, (ch) => ch.charCodeAt(0) / 255));
    }
  });
  return store;
}
