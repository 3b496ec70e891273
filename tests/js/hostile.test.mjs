// Hostile input never breaks the module (issue 10). Two seeded property tests:
//  1. model files made by the API, mutated (truncations, bit flips, huge / negative / NaN counts
//     and option values, duplicated and removed layer records) with their trailing CRC-32
//     recomputed so the mutation reaches the parser: loadModel throws an nnplay error or returns
//     a model that predicts and saves; never a wasm trap, never unbounded memory growth;
//  2. every public entry point called with wrong types and out-of-range numbers: an nnplay error,
//     never a TypeError/RangeError from inside the library, never a silently wrapped int32.
// Set NNPLAY_HOSTILE_SEED to explore other mutations; a failure message names the case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';
import { assertStillWorks, XOR_X, XOR_Y } from './helpers.mjs';

const SEED = Number(process.env.NNPLAY_HOSTILE_SEED ?? 20240610) >>> 0;
const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;

/** mulberry32: a small seeded PRNG, so every run mutates the same way. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (arr) => arr[next.int(arr.length)];
  return next;
}

let heap0 = 0;
before(async () => {
  await nn.ready();
  heap0 = nn.info().heapBytes;
});
after(() => {
  const grown = nn.info().heapBytes - heap0;
  assert.ok(grown <= HEAP_GROWTH_LIMIT, `wasm memory grew by ${(grown / 1048576).toFixed(1)} MB over the run`);
});

/** A thrown value must be an Error with an nnplay message, never a trap or a bare JS error. */
function assertNNError(err, what) {
  assert.ok(err instanceof Error, `${what}: threw a non-Error: ${String(err)}`);
  assert.ok(!(err instanceof WebAssembly.RuntimeError), `${what}: wasm trap: ${err.message}`);
  assert.match(err.message, /^nnplay: /, `${what}: threw ${err.name}: ${err.message}`);
  assert.doesNotMatch(err.message, /memory access out of bounds|unreachable|RuntimeError/, what);
}

// ---- 1. model files ----

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(u8) {
  let c = 0xffffffff;
  for (let i = 0; i < u8.length; i++) c = crcTable[(c ^ u8[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** body (everything but the CRC) with a fresh CRC-32 appended. */
function withCrc(body) {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32(body), true);
  return out;
}

/**
 * Where the fields of a version-4 file are (core/io.c, core/storage.c): offsets of every count
 * (u8/u16/u32/u64: weight segments' encodings, lengths and int8 channel counts too) and of every
 * f64 option value, and each layer record's [start, end).
 */
function parseLayout(file) {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const counts = [];
  const f64s = [];
  let pos = 8;
  const u32 = (what) => { counts.push({ at: pos, size: 4, what }); const v = dv.getUint32(pos, true); pos += 4; return v; };
  const u64 = (what) => { counts.push({ at: pos, size: 8, what }); const v = Number(dv.getBigUint64(pos, true)); pos += 8; return v; };
  const u16 = (what) => { counts.push({ at: pos, size: 2, what }); const v = dv.getUint16(pos, true); pos += 2; return v; };
  const u8 = (what) => { counts.push({ at: pos, size: 1, what }); return file[pos++]; };
  const str = (what) => { const n = u16(`${what} length`); pos += n; };
  const entries = (what) => {
    const n = u16(`${what}: entry count`);
    for (let i = 0; i < n; i++) {
      str(`${what}: key`);
      const tag = u8(`${what}: tag`);
      if (tag === 2) pos += 1;
      else if (tag === 3) str(`${what}: name`);
      else if (tag === 5) { // a list of names (compile's metrics)
        const k = u8(`${what}: name count`);
        for (let j = 0; j < k; j++) str(`${what}: name ${j}`);
      } else {
        const k = u8(`${what}: number count`);
        for (let j = 0; j < k; j++) { f64s.push({ at: pos, what }); pos += 8; }
      }
    }
  };
  u32('version'); u32('seed'); u32('rank');
  for (let i = 0; i < 3; i++) u32(`shape[${i}]`);
  const nLayers = u32('layer count');
  const layers = [];
  for (let l = 0; l < nLayers; l++) {
    const start = pos;
    const len = u32(`layer ${l} length`);
    const end = pos + len;
    str(`layer ${l} class name`);
    entries(`layer ${l}`);
    assert.equal(pos, end, `layer ${l} record parsed to its end`);
    layers.push([start, end]);
  }
  // an encoded array: u32 segments, each u8 encoding | u64 count | payload (storage.c)
  const array = (what) => {
    const n = u32(`${what}: segment count`);
    for (let i = 0; i < n; i++) {
      const enc = u8(`${what}: segment ${i} encoding`);
      const count = u64(`${what}: segment ${i} length`);
      let stored = count;
      if (enc === 1 || enc === 3) {
        const nb = Math.ceil(count / 8);
        stored = 0;
        for (let b = 0; b < nb; b++) for (let v = file[pos + b]; v; v &= v - 1) stored++;
        pos += nb;
      }
      if (enc >= 2) { const ch = u32(`${what}: segment ${i} channels`); pos += 4 * ch + stored; }
      else pos += 4 * stored;
    }
  };
  u64('parameter count');
  array('parameters');
  const nState = u64('state count');
  pos += 4 * nState;
  const nc = u32('compile settings length');
  const endCompile = pos + nc;
  if (nc) entries('compile settings');
  assert.equal(pos, endCompile, 'compile settings parsed to their end');
  u64('step');
  const nArrays = u32('optimizer array count');
  for (let i = 0; i < nArrays; i++) array(`optimizer array ${i}`);
  pos += 16; // rng
  const nPruned = u32('pruned tensor count');
  if (nPruned) {
    u8('pruning schedule kind');
    pos += 12 + 16 + 4; // sparsities, power, begin/end steps, frequency
    u64('pruning step');
    for (let i = 0; i < nPruned; i++) {
      u32(`pruned tensor ${i} layer`); u32(`pruned tensor ${i} tensor`);
      assert.equal(u8(`pruned tensor ${i} mask mode`), 0, 'masks are the nonzeros in these files');
    }
  }
  assert.equal(pos, file.length - 4, 'the layout accounts for every byte');
  return { counts, f64s, layers, nLayersAt: 32 };
}

const L = () => nn.layers;
/** Models made by the API, every layer type, compiled and not. */
function makeModels() {
  const out = [];
  const tiny = nn.sequential({ seed: 3, layers: [
    L().dense({ inputShape: [2], units: 2, activation: 'relu' }),
    L().dropout({ rate: 0.25 }),
    L().activation({ activation: 'tanh' }),
    L().dense({ units: 1, activation: 'sigmoid' }),
  ] });
  tiny.compile({ optimizer: nn.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['acc', 'mse'] }); // a list of names in the settings
  out.push({ name: 'tiny dense (compiled, adam)', bytes: tiny.save(), small: true });
  tiny.dispose();
  const tinyU = nn.sequential({ seed: 4, layers: [L().dense({ inputShape: [3], units: 2 }), L().dense({ units: 2, activation: 'softmax' })] });
  out.push({ name: 'tiny dense (uncompiled)', bytes: tinyU.save(), small: true });
  tinyU.dispose();
  const cnn = nn.sequential({ seed: 5, layers: [
    L().conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }),
    L().batchNormalization({}),
    L().maxPooling2d({ poolSize: 2 }),
    L().conv2d({ filters: 2, kernelSize: [2, 2], strides: 1 }),
    L().averagePooling2d({ poolSize: 2, strides: 1 }),
    L().globalAveragePooling2d({}),
    L().dense({ units: 3, activation: 'softmax', kernelRegularizer: nn.regularizers.l2({ l2: 0.001 }) }),
  ] });
  cnn.compile({ optimizer: nn.train.momentum(0.05, 0.9, true), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  out.push({ name: 'cnn (compiled, momentum)', bytes: cnn.save() });
  cnn.dispose();
  const rs = nn.sequential({ seed: 6, layers: [
    L().reshape({ inputShape: [16], targetShape: [4, 4, 1] }),
    L().conv2d({ filters: 1, kernelSize: 2 }),
    L().flatten({}),
    L().dense({ units: 2 }),
  ] });
  out.push({ name: 'reshape/flatten (uncompiled)', bytes: rs.save() });
  rs.compile({ optimizer: 'rmsprop', loss: 'meanSquaredError' });
  out.push({ name: 'reshape/flatten (compiled, rmsprop)', bytes: rs.save() });
  rs.dispose();
  // file version 4's encodings: sparse f32 with a pruning state, sparse int8, int8
  const pr = nn.sequential({ seed: 8, layers: [L().dense({ inputShape: [6], units: 12 }), L().dense({ units: 3, activation: 'softmax' })] });
  pr.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  nn.pruning.pruneLowMagnitude(pr, { pruningSchedule: nn.pruning.constantSparsity({ targetSparsity: 0.75, frequency: 1 }) });
  nn.pruning.updateMasks(pr);
  out.push({ name: 'pruned (sparse, pruning state)', bytes: pr.save({ includeOptimizer: false }) });
  out.push({ name: 'pruned, int8 (sparse int8)', bytes: pr.save({ includeOptimizer: false, quantize: 'int8' }) });
  nn.pruning.stripPruning(pr);
  pr.setWeights(pr.getWeights().map((w) => w.map((v, i) => v || 0.01 * (i + 1))));
  out.push({ name: 'int8 (dense int8)', bytes: pr.save({ includeOptimizer: false, quantize: 'int8' }) });
  pr.dispose();
  return out;
}

const stats = { cases: 0, loaded: 0, refused: 0, large: 0 };
const MAX_PREDICT_INPUT = 1 << 16;

/** Load hostile bytes: an nnplay error, or a model that predicts and saves. */
function tryLoad(bytes, what) {
  stats.cases++;
  const hb = nn.info().heapBytes;
  try { tryLoad1(bytes, what); } finally {
    if (process.env.NNPLAY_HOSTILE_DEBUG && nn.info().heapBytes > hb) console.log(`# ${what}: heap ${hb} -> ${nn.info().heapBytes}, used ${nn.info().heapUsed}`);
  }
}
function tryLoad1(bytes, what) {
  let m;
  try {
    m = nn.loadModel(bytes);
  } catch (err) {
    assertNNError(err, what);
    stats.refused++;
    return;
  }
  stats.loaded++;
  try {
    // a mutated shape can ask for a legal but large input (the core allows 2^28 values per
    // sample): predicting it would measure the sample's size, not the loader's
    if (m.inputSize <= MAX_PREDICT_INPUT) {
      const x = new Float32Array(m.inputSize).map((_, i) => (i % 7) / 7 - 0.5);
      const y = m.predict(x);
      assert.equal(y.length, m.outputSize, `${what}: predict gives outputSize values`);
    } else stats.large++;
    const again = m.save();
    assert.ok(again.length > 0, `${what}: save gives bytes`);
    m.summary(() => {});
    m.getWeights();
  } catch (err) {
    assertNNError(err, `${what} (using the loaded model)`);
    assert.fail(`${what}: the loaded model failed: ${err.message}`);
  } finally {
    m.dispose();
  }
}

const HUGE_COUNTS = [0, 1, 2, 3, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const HOSTILE_F64 = [NaN, Infinity, -Infinity, -1, -0, 0, 0.5, 1e-300, 1e300, -1e300, 2 ** 31, 2 ** 31 - 1,
  2 ** 32, 2 ** 32 + 1, 2 ** 53, -(2 ** 31) - 1, 65536, 1e9];

function setCount(body, { at, size }, v) {
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (size === 1) body[at] = v & 0xff;
  else if (size === 2) dv.setUint16(at, v & 0xffff, true);
  else if (size === 4) dv.setUint32(at, v >>> 0, true);
  else dv.setBigUint64(at, v === 'max' ? 0xffffffffffffffffn : BigInt(v), true);
}

test('mutated model files: an nnplay error or a working model, never a trap', async () => {
  const r = rng(SEED);
  const models = makeModels();
  const used0 = nn.info().heapUsed;
  for (const { name, bytes, small } of models) {
    // the file is what we think it is, and loads
    tryLoad(bytes, `${name}: unchanged`);
    const body = bytes.subarray(0, bytes.length - 4);
    const layout = parseLayout(bytes);
    if (small) {
      // truncations at every length, with the old CRC (refused by the checksum) and a fresh one
      for (let n = 0; n < bytes.length; n++) {
        tryLoad(bytes.slice(0, n), `${name}: first ${n} bytes`);
        tryLoad(withCrc(body.slice(0, Math.min(n, body.length))), `${name}: first ${n} bytes + fresh CRC`);
      }
    } else {
      for (let k = 0; k < 60; k++) {
        const n = r.int(body.length);
        tryLoad(withCrc(body.slice(0, n)), `${name}: first ${n} bytes + fresh CRC`);
      }
    }
    // random bit flips (1 to 4 bits; byte 0..7 is the magic, skipped half the time)
    for (let k = 0; k < 1500; k++) {
      const b = body.slice();
      const flips = 1 + r.int(4);
      const at = [];
      for (let f = 0; f < flips; f++) {
        const i = r() < 0.5 ? 8 + r.int(b.length - 8) : r.int(b.length);
        b[i] ^= 1 << r.int(8);
        at.push(i);
      }
      tryLoad(withCrc(b), `${name}: bits flipped at ${at.join(', ')} (seed ${SEED})`);
    }
    // every count field overwritten with huge, small and random values
    for (const c of layout.counts) {
      const values = c.size === 8 ? [...HUGE_COUNTS, 2 ** 53, 'max'] : HUGE_COUNTS;
      for (const v of [...values, r.int(2 ** 32)]) {
        const b = body.slice();
        setCount(b, c, v);
        tryLoad(withCrc(b), `${name}: ${c.what} (at ${c.at}) set to ${v}`);
      }
    }
    // every f64 option value (layer options and compile settings) overwritten
    for (const f of layout.f64s) {
      for (const v of HOSTILE_F64) {
        const b = body.slice();
        new DataView(b.buffer).setFloat64(f.at, v, true);
        tryLoad(withCrc(b), `${name}: ${f.what}: a number (at ${f.at}) set to ${v}`);
      }
    }
    // layer records duplicated, removed and swapped, with the layer count adjusted or not
    const nl = layout.layers.length;
    const rebuild = (records, count) => {
      const head = body.slice(0, layout.layers[0][0]);
      new DataView(head.buffer).setUint32(layout.nLayersAt, count, true);
      const tail = body.slice(layout.layers[nl - 1][1]);
      const parts = [head, ...records.map(([s, e]) => body.subarray(s, e)), tail];
      const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
      let at = 0;
      for (const p of parts) { out.set(p, at); at += p.length; }
      return out;
    };
    for (let l = 0; l < nl; l++) {
      const dup = [...layout.layers.slice(0, l + 1), layout.layers[l], ...layout.layers.slice(l + 1)];
      const del = layout.layers.filter((_, i) => i !== l);
      tryLoad(withCrc(rebuild(dup, nl + 1)), `${name}: layer ${l} duplicated`);
      tryLoad(withCrc(rebuild(dup, nl)), `${name}: layer ${l} duplicated, count unchanged`);
      tryLoad(withCrc(rebuild(del, nl - 1)), `${name}: layer ${l} removed`);
      tryLoad(withCrc(rebuild(del, nl)), `${name}: layer ${l} removed, count unchanged`);
      if (l + 1 < nl) {
        const sw = layout.layers.slice();
        [sw[l], sw[l + 1]] = [sw[l + 1], sw[l]];
        tryLoad(withCrc(rebuild(sw, nl)), `${name}: layers ${l} and ${l + 1} swapped`);
      }
    }
    tryLoad(withCrc(rebuild([], 0)), `${name}: every layer removed`);
    tryLoad(withCrc(rebuild([...layout.layers, ...layout.layers], 2 * nl)), `${name}: every layer twice`);
    await assertStillWorks();
  }
  // the version field: older layouts read from a version-3 body
  for (const v of [0, 1, 2, 4, 0xffffffff]) {
    const b = models[0].bytes.slice(0, -4);
    new DataView(b.buffer).setUint32(8, v, true);
    tryLoad(withCrc(b), `version ${v}`);
  }
  assert.ok(stats.refused > 1000 && stats.loaded > 10, `cases: ${JSON.stringify(stats)}`);
  // refused files and disposed models leave nothing behind
  const leaked = nn.info().heapUsed - used0;
  assert.ok(leaked < 256 * 1024, `wasm heap in use grew by ${leaked} bytes over ${stats.cases} loads`);
  console.log(`# hostile model files: ${stats.cases} cases, ${stats.refused} refused, ${stats.loaded} loaded and used ` +
    `(${stats.large} of them with inputs too large to predict here)`);
  await assertStillWorks();
});

// ---- 2. every public entry point with wrong types and out-of-range numbers ----

const cyclic = { a: 1 };
cyclic.self = cyclic;
/** The hostile values, by name (the names are what `accepts` lists). */
const VALUES = {
  str: 'abc', numStr: '3', obj: {}, arr: [], nan: NaN, inf: Infinity, ninf: -Infinity, neg: -1, zero: 0,
  half: 0.5, i31: 2 ** 31, u32p: 2 ** 32 + 1, i53: 2 ** 53, negBig: -(2 ** 31) - 1, nul: null,
  undef: undefined, big: 10n, sym: Symbol('hostile'), fn: () => 1, tru: true, cyc: cyclic,
};
const NUMBERS_OK = ['neg', 'zero', 'half', 'i31', 'u32p', 'i53', 'negBig', 'tru']; // finite data values
const apiStats = { slots: 0, calls: 0, refused: 0 };

/**
 * Call fn(v) for every hostile value: it must throw an nnplay Error, unless v's name is in
 * `accepts` (then it must succeed). Then the module must still work.
 */
async function probe(slot, fn, accepts = []) {
  apiStats.slots++;
  for (const [name, v] of Object.entries(VALUES)) {
    apiStats.calls++;
    let err = null;
    try {
      await fn(v);
    } catch (e) {
      err = e;
    }
    const what = `${slot} with ${name} (${typeof v === 'symbol' ? 'a Symbol' : typeof v === 'bigint' ? '10n' : String(v)})`;
    if (err) {
      assertNNError(err, what);
      apiStats.refused++;
      assert.ok(!accepts.includes(name), `${what}: refused a valid value: ${err.message}`);
    } else {
      assert.ok(accepts.includes(name), `${what}: accepted silently`);
    }
  }
  await assertStillWorks();
}

const classifier = () => {
  const m = nn.sequential({ seed: 2, layers: [
    nn.layers.dense({ inputShape: [2], units: 4, activation: 'relu' }),
    nn.layers.dense({ units: 2, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return m;
};
/** fn(model) on a fresh classifier, disposed afterwards. */
const withModel = (fn) => async (v) => {
  const m = classifier();
  try { return await fn(m, v); } finally { m.dispose(); }
};
const fitWith = (opts) => withModel((m) => m.fit(XOR_X, XOR_Y, { epochs: 1, ...opts }));

test('sequential, add and compile refuse hostile arguments', async () => {
  await probe('sequential(v)', (v) => nn.sequential(v).dispose(), ['undef', 'obj', 'cyc']);
  await probe('sequential({ seed })', (v) => nn.sequential({ seed: v }).dispose(), ['undef', 'nul', 'zero', 'i31']);
  await probe('sequential({ layers })', (v) => nn.sequential({ layers: v }).dispose(), ['undef', 'nul', 'arr']);
  await probe('sequential({ name })', (v) => nn.sequential({ name: v }).dispose(), ['undef', 'nul', 'str', 'numStr']);
  await probe('add(v)', withModel((m, v) => m.add(v)));
  await probe('dense({ inputShape: v })', (v) => nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: v })] }).dispose());
  await probe('dense({ inputShape: [v, 2] })', (v) => nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [v, 2] })] }).dispose());
  await probe('dense({ inputDim: v })', (v) => nn.sequential({ layers: [nn.layers.dense({ units: 1, inputDim: v })] }).dispose());
  const bare = () => nn.sequential({ layers: [nn.layers.dense({ inputShape: [2], units: 2, activation: 'softmax' })] });
  const compileWith = (args) => { const m = bare(); try { m.compile(args); } finally { m.dispose(); } };
  const base = { optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' };
  await probe('compile(v)', (v) => compileWith(v));
  await probe('compile({ optimizer })', (v) => compileWith({ ...base, optimizer: v }));
  await probe('compile({ optimizer: { optimizer } })', (v) => compileWith({ ...base, optimizer: { optimizer: v } }));
  // names, or the core's ids of them (0: its first loss)
  await probe('compile({ loss })', (v) => compileWith({ ...base, loss: v }), ['zero']);
  await probe('compile({ metrics })', (v) => compileWith({ ...base, metrics: v }), ['undef', 'nul', 'arr']);
  await probe('compile({ metrics: [v] })', (v) => compileWith({ ...base, metrics: [v] }));
  // fromLogits needs a linear last layer: only false-ish values compile on a softmax model
  await probe('compile({ fromLogits })', (v) => compileWith({ ...base, fromLogits: v }), ['undef', 'nul', 'zero']);
  for (const [name, make] of Object.entries(nn.train)) {
    await probe(`compile({ optimizer: nn.train.${name}(v) })`, (v) => compileWith({ ...base, optimizer: make(v) }),
      ['undef', 'nul', 'half']); // null: the default
  }
  await probe('compile({ optimizer: nn.train.momentum(0.1, v) })', (v) => compileWith({ ...base, optimizer: nn.train.momentum(0.1, v) }),
    ['undef', 'nul', 'zero', 'half']);
});

test('layer factories: every option of every layer type, checked by the core', async () => {
  const table = nn.describe();
  // every required option at a valid value, from the table too
  // (a layer option takes a recurrent layer: Bidirectional's)
  const valid = (o) => (o.kind === 'layer' ? nn.layers.lstm({ units: 2 }) : o.kind === 'shape' ? [2] : o.kind === 'float' ? o.min : Math.max(2, o.min));
  const base = Object.fromEntries(table.layers.map((t) =>
    [t.name, Object.fromEntries(t.options.filter((o) => o.required).map((o) => [o.name, valid(o)]))]));
  for (const t of table.layers) {
    const make = nn.layers[t.name];
    const none = t.options.every((o) => !o.required);
    await probe(`nn.layers.${t.name}(v)`, (v) => make(v), none ? ['undef', 'obj'] : []);
    for (const o of t.options) {
      // which hostile values are valid for this option, from its row in the core's table
      const accepts = o.required ? [] : ['undef', 'nul'];
      for (const [name, v] of Object.entries(VALUES)) {
        if (typeof v !== 'number' && typeof v !== 'boolean') continue;
        const num = Number(v);
        if (o.kind === 'bool') { if (typeof v === 'boolean' || num === 0) accepts.push(name); continue; }
        if (typeof v === 'boolean') continue;
        const inRange = num >= o.min && num <= o.max;
        if ((o.kind === 'int' || o.kind === 'ints') && Number.isInteger(num) && inRange) accepts.push(name);
        if (o.kind === 'enum' && Number.isInteger(num) && num >= 0 && num < table.names[o.values].length) accepts.push(name); // the core's ids
        if (o.kind === 'float' && inRange) accepts.push(name);
      }
      // a target shape: positive sizes up to the limit, or -1 for one inferred size (TF.js)
      if (o.kind === 'shape') accepts.push(...['neg', 'i31', 'u32p', 'i53'].filter((n) => VALUES[n] === -1 || VALUES[n] <= o.max));
      await probe(`nn.layers.${t.name}({ ${o.name}: v })`, (v) => make({ ...base[t.name], [o.name]: v }), accepts);
      if (o.kind === 'ints' || o.kind === 'shape') {
        await probe(`nn.layers.${t.name}({ ${o.name}: [v, 1] })`, (v) => make({ ...base[t.name], [o.name]: [v, 1] }),
          accepts.filter((n) => !['undef', 'nul', 'tru'].includes(n) && (o.kind === 'ints' || Number.isInteger(VALUES[n]))));
      }
    }
  }
});

test('fit, predict, evaluate, trainOnBatch, setWeights, learningRate and loadModel refuse hostile arguments', async () => {
  await probe('fit(x, y, v)', withModel((m, v) => m.fit(XOR_X, XOR_Y, v)), ['undef', 'obj']);
  await probe('fit({ epochs })', (v) => fitWith({ epochs: v })(), ['undef', 'zero']);
  await probe('fit({ batchSize })', (v) => fitWith({ batchSize: v })(), ['undef']);
  await probe('fit({ initialEpoch })', (v) => fitWith({ initialEpoch: v })(), ['undef', 'zero']);
  await probe('fit({ validationSplit })', (v) => fitWith({ validationSplit: v })(), ['undef', 'zero', 'half']);
  await probe('fit({ yieldEvery })', (v) => fitWith({ yieldEvery: v })(), ['undef', 'half', 'inf', 'i31', 'u32p', 'i53']);
  await probe('fit({ callbacks })', (v) => fitWith({ callbacks: v })(), ['undef', 'nul', 'obj', 'arr', 'cyc']);
  await probe('fit({ callbacks: { onEpochEnd } })', (v) => fitWith({ callbacks: { onEpochEnd: v } })(), ['undef', 'nul', 'fn']);
  await probe('fit({ callbacks: [v] })', (v) => fitWith({ callbacks: [v] })(), ['obj', 'arr', 'cyc']);
  await probe('fit({ augment })', (v) => fitWith({ augment: v })(), ['undef', 'nul', 'obj']);
  await probe('fit({ augment: { shift } })', (v) => fitWith({ augment: { shift: v } })(), ['undef', 'zero']);
  await probe('fit({ augment: { flip } })', (v) => fitWith({ augment: { flip: v } })(), ['undef']);
  await probe('fit({ validationData })', (v) => fitWith({ validationData: v })(), ['undef', 'nul']);
  await probe('fit(v, y)', withModel((m, v) => m.fit(v, XOR_Y)));
  await probe('fit(x, v)', withModel((m, v) => m.fit(XOR_X, v)));
  await probe('fit(x, [v, ...])', withModel((m, v) => m.fit(XOR_X, [v, 1, 1, 0])), ['zero', 'tru']);
  await probe('predict(v)', withModel((m, v) => m.predict(v)));
  await probe('predict([[v, 0]])', withModel((m, v) => m.predict([[v, 0]])), NUMBERS_OK);
  await probe('predictLayers(v)', withModel((m, v) => m.predictLayers(v)));
  await probe('predictLayers([[0, v]])', withModel((m, v) => m.predictLayers([[0, v]])), NUMBERS_OK);
  await probe('evaluate(v, y)', withModel((m, v) => m.evaluate(v, XOR_Y)));
  await probe('evaluate(x, v)', withModel((m, v) => m.evaluate(XOR_X, v)));
  await probe('evaluate(x, [v, ...])', withModel((m, v) => m.evaluate(XOR_X, [v, 1, 1, 0])), ['zero', 'tru']);
  await probe('trainOnBatch(v, y)', withModel((m, v) => m.trainOnBatch(v, XOR_Y)));
  await probe('trainOnBatch(x, v)', withModel((m, v) => m.trainOnBatch(XOR_X, v)));
  await probe('trainOnBatch(x, [v, ...])', withModel((m, v) => m.trainOnBatch(XOR_X, [v, 1, 1, 0])), ['zero', 'tru']);
  await probe('setWeights(v)', withModel((m, v) => m.setWeights(v)));
  await probe('setWeights([v, ...])', withModel((m, v) => { const w = m.getWeights(); w[0] = v; m.setWeights(w); }));
  await probe('setWeights([[v, ...], ...])', withModel((m, v) => {
    const w = m.getWeights().map((a) => Array.from(a));
    w[1][0] = v;
    m.setWeights(w);
  }), NUMBERS_OK);
  await probe('learningRate = v', withModel((m, v) => { m.learningRate = v; }), ['half']);
  await probe('layerInfo(v)', withModel((m, v) => m.layerInfo(v)), ['zero']);
  // printFn: anything but a function is not called (undefined would print)
  await probe('summary(v)', withModel((m, v) => v !== undefined && m.summary(v)), Object.keys(VALUES));
  await probe('loadModel(v)', (v) => nn.loadModel(v).dispose());
  await probe('loadModel(Uint8Array.of(v))', (v) => nn.loadModel(Uint8Array.of(typeof v === 'number' ? v : 0)).dispose());
});

test('nn.data refuses hostile arguments', async () => {
  const gen = (opts) => nn.data.generate('circle', { n: 10, ...opts });
  await probe('data.generate(v)', (v) => nn.data.generate(v, { n: 10 }));
  await probe('data.generate(kind, v)', (v) => nn.data.generate('circle', v), ['undef', 'obj']);
  await probe('data.generate({ n })', (v) => gen({ n: v }), ['undef']);
  await probe('data.generate({ noise })', (v) => gen({ noise: v }), ['undef', 'zero', 'half']);
  await probe('data.generate({ seed })', (v) => gen({ seed: v }), ['undef', 'nul', 'zero', 'i31']);
  await probe('data.generate(blobs, { numClasses })', (v) => nn.data.generate('blobs', { n: 10, numClasses: v }), ['undef', 'zero']);
  const X = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]);
  const Y = new Float32Array([0, 1, 0, 1]);
  await probe('data.split(v, y)', (v) => nn.data.split(v, Y));
  await probe('data.split(x, v)', (v) => nn.data.split(X, v));
  await probe('data.split(x, y, v)', (v) => nn.data.split(X, Y, v), ['undef', 'obj']);
  await probe('data.split({ testFraction })', (v) => nn.data.split(X, Y, { testFraction: v }), ['undef', 'zero', 'half']);
  await probe('data.split({ seed })', (v) => nn.data.split(X, Y, { seed: v }), ['undef', 'nul', 'zero', 'i31']);
  await probe('data.split({ xCols })', (v) => nn.data.split(X, Y, { xCols: v }), ['undef']);
  await probe('data.split({ yCols })', (v) => nn.data.split(X, Y, { yCols: v }), ['undef']);
  await probe('data.split({ xCols: v, yCols: v })', (v) => nn.data.split(X, Y, { xCols: v, yCols: v }), ['undef']);
  await probe('data.oneHot(v, 3)', (v) => nn.data.oneHot(v, 3), ['arr']);
  await probe('data.oneHot([v], 3)', (v) => nn.data.oneHot([v], 3), ['zero', 'tru', 'arr']); // [[]]: no labels
  await probe('data.oneHot(labels, v)', (v) => nn.data.oneHot([0, 1], v));
  const x = () => Float32Array.from(X);
  await probe('data.standardize(v, 2)', (v) => nn.data.standardize(v, 2));
  await probe('data.standardize(x, v)', (v) => nn.data.standardize(x(), v));
  await probe('data.standardize(x, 2, v)', (v) => nn.data.standardize(x(), 2, v), ['undef', 'nul']);
  await probe('data.standardize(x, 2, { mean: v })', (v) => nn.data.standardize(x(), 2, { mean: v, std: [1, 1] }));
  await probe('data.standardize(x, 2, { std: [v, v, v] })', (v) => nn.data.standardize(x(), 2, { mean: [0, 0], std: [v, v, v] }));
  await probe('data.standardize(empty, v)', (v) => nn.data.standardize(new Float32Array(0), v));
  const csv = 'a,b,c\n1,2,0\n3,4,1\n';
  await probe('parseCSV(v)', (v) => nn.data.parseCSV(v), ['numStr']); // '3' is a CSV file
  await probe('parseCSV(text, v)', (v) => nn.data.parseCSV(csv, v), ['undef', 'obj']);
  await probe('parseCSV({ header })', (v) => nn.data.parseCSV(csv, { header: v }), ['undef', 'tru']);
  await probe('parseCSV({ labelColumn })', (v) => nn.data.parseCSV(csv, { labelColumn: v }), ['undef', 'nul', 'zero']);
  await probe('parseCSV({ featureColumns })', (v) => nn.data.parseCSV(csv, { featureColumns: v }), ['undef', 'nul']);
  await probe('parseCSV({ featureColumns: [v] })', (v) => nn.data.parseCSV(csv, { featureColumns: [v] }), ['zero']);
  console.log(`# hostile arguments: ${apiStats.slots} entry points x ${Object.keys(VALUES).length} values = ` +
    `${apiStats.calls} calls, ${apiStats.refused} refused with an nnplay error`);
});
