// nn.pruning (TF Model Optimization's magnitude pruning) and model.save({ quantize: 'int8' }):
// schedules, masks that hold through fit, per-layer sparsity, files that shrink, round trips.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';

before(async () => { await nn.ready(); });

const IN = 48;
const K = 4;
function data(n) {
  const x = new Float32Array(n * IN);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < IN; j++) { x[i * IN + j] = Math.sin(0.37 * (i * IN + j) + 0.1); s += x[i * IN + j] * ((j % 3) - 1); }
    y[i] = Math.floor(Math.abs(s) * 3) % K;
  }
  return { x, y };
}
const { x, y } = data(128);
const rows = (a, n) => Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * IN, (i + 1) * IN)));

function build(seed = 3) {
  const m = nn.sequential({ seed, layers: [
    nn.layers.dense({ inputShape: [IN], units: 64, activation: 'relu' }),
    nn.layers.batchNormalization(),
    nn.layers.dense({ units: 32, activation: 'relu' }),
    nn.layers.dense({ units: K, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: nn.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

test('schedules follow TF MOT\'s formulas and refuse bad settings by name', () => {
  const c = nn.pruning.constantSparsity({ targetSparsity: 0.5, beginStep: 10, frequency: 5 });
  assert.equal(c.className, 'ConstantSparsity');
  assert.deepEqual(c.getConfig(), { targetSparsity: 0.5, beginStep: 10, endStep: -1, frequency: 5 });
  assert.deepEqual(c.call(9), { shouldPrune: false, sparsity: 0.5 });
  assert.deepEqual(c.call(15), { shouldPrune: true, sparsity: 0.5 });
  const p = nn.pruning.polynomialDecay({ initialSparsity: 0.2, finalSparsity: 0.8, beginStep: 100, endStep: 1100 });
  assert.equal(p.config.power, 3);
  assert.equal(p.config.frequency, 100);
  for (let step = 0; step <= 1300; step += 50) {
    const q = Math.min(1, Math.max(0, (step - 100) / 1000));
    const want = (0.2 - 0.8) * (1 - q) ** 3 + 0.8;
    const r = p.call(step);
    assert.ok(Math.abs(r.sparsity - want) < 1e-6, `step ${step}: ${r.sparsity} vs ${want}`);
    assert.equal(r.shouldPrune, step >= 100 && step <= 1100 && step % 100 === 0);
  }
  assert.throws(() => nn.pruning.constantSparsity({ targetSparsity: 1 }), /targetSparsity must be in \[0, 1\)/);
  assert.throws(() => nn.pruning.constantSparsity({}), /targetSparsity is required/);
  assert.throws(() => nn.pruning.constantSparsity({ targetSparsity: 0.5, frequency: 0 }), /frequency must be >= 1/);
  assert.throws(() => nn.pruning.constantSparsity({ targetSparsity: 0.5, beginStep: 1.5 }), /beginStep must be an integer/);
  assert.throws(() => nn.pruning.constantSparsity({ targetSparsity: 0.5, sparsity: 1 }), /sparsity/);
  assert.throws(() => nn.pruning.polynomialDecay({ finalSparsity: 0.5 }), /endStep is required/);
  assert.throws(() => nn.pruning.polynomialDecay({ finalSparsity: 0.5, beginStep: 5, endStep: 5 }), /endStep must be after beginStep/);
  assert.throws(() => nn.pruning.polynomialDecay({ initialSparsity: -0.1, finalSparsity: 0.5, endStep: 5 }), /initialSparsity/);
  assert.throws(() => nn.pruning.polynomialDecay({ finalSparsity: 0.5, endStep: 5, power: 'x' }), /power must be a number/);
  assert.throws(() => p.call(-1), /step must be a non-negative integer/);
});

test('pruneLowMagnitude: masks hold through fit, the schedule counts batches, sparsity per layer is exact', async () => {
  const m = build();
  const before = nn.pruning.sparsity(m);
  assert.deepEqual(before.map((l) => [l.layer, l.name, l.weights, l.zeros, l.pruned]),
    [[0, 'dense', IN * 64, 0, false], [2, 'dense_1', 64 * 32, 0, false], [3, 'dense_2', 32 * K, 0, false]]);
  assert.equal(nn.pruning.status(m), null);
  const schedule = nn.pruning.polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 12, frequency: 4 });
  assert.equal(nn.pruning.pruneLowMagnitude(m, { pruningSchedule: schedule }), m, 'pruned in place, returned');
  await m.fit(x, y, { epochs: 2, batchSize: 16 }); // 8 batches an epoch
  const st = nn.pruning.status(m);
  assert.equal(st.step, 16);
  assert.equal(st.schedule, schedule);
  for (const l of nn.pruning.sparsity(m)) {
    assert.equal(l.pruned, true);
    assert.equal(l.zeros, l.weights - Math.round(l.weights * 0.2), `${l.name}: 80% exactly`);
    assert.ok(Math.abs(l.sparsity - 0.8) < 0.01);
  }
  const zeroAt = m.getWeights().map((w) => Array.from(w, (v) => v === 0));
  await m.fit(x, y, { epochs: 1, batchSize: 32 });
  for (let i = 0; i < 1; i++) m.trainOnBatch(rows(x, 8), Array.from(y.subarray(0, 8)));
  const after = m.getWeights();
  zeroAt.forEach((z, t) => z.forEach((wasZero, j) => {
    if (wasZero && (t === 0 || t === 6 || t === 8)) assert.equal(after[t][j], 0, `kernel ${t}[${j}] stays 0`);
  }));
  assert.equal(nn.pruning.status(m).step, 16 + 4 + 1);
  assert.match(m.summary(() => {}), /Pruning: step 21, 80\.0% of \d+ pruned weights are 0/);
  // strip: the zeros stay, the masks go, and training may regrow weights
  assert.equal(nn.pruning.stripPruning(m), m);
  assert.equal(nn.pruning.status(m), null);
  assert.ok(nn.pruning.sparsity(m).every((l) => !l.pruned && Math.abs(l.sparsity - 0.8) < 0.01));
  await m.fit(x, y, { epochs: 1, batchSize: 32 });
  assert.ok(nn.pruning.sparsity(m)[0].sparsity < 0.5);
  m.dispose();
});

test('pruneLowMagnitude with layers by name or index; bad layers refused by name', () => {
  const m = build();
  const s = nn.pruning.constantSparsity({ targetSparsity: 0.5, frequency: 1 });
  nn.pruning.pruneLowMagnitude(m, { pruningSchedule: s, layers: ['dense', 3] });
  assert.deepEqual(nn.pruning.sparsity(m).map((l) => l.pruned), [true, false, true]);
  nn.pruning.updateMasks(m);
  assert.deepEqual(nn.pruning.sparsity(m).map((l) => l.sparsity), [0.5, 0, 0.5]);
  nn.pruning.updateMasks(m, { sparsity: 0.9 });
  assert.equal(nn.pruning.sparsity(m)[0].zeros, IN * 64 - Math.round(IN * 64 * 0.1));
  assert.throws(() => nn.pruning.pruneLowMagnitude(m, { pruningSchedule: s, layers: [1] }), /layer 1 \(batchNormalization\) has no prunable weights/);
  assert.throws(() => nn.pruning.pruneLowMagnitude(m, { pruningSchedule: s, layers: ['nope'] }), /no layer named "nope" \(the layers: dense, batch_normalization|no layer named/);
  assert.throws(() => nn.pruning.pruneLowMagnitude(m, { pruningSchedule: s, layers: [7] }), /no layer 7/);
  assert.throws(() => nn.pruning.pruneLowMagnitude(m, { pruningSchedule: { targetSparsity: 0.5 } }), /pruningSchedule must come from/);
  assert.throws(() => nn.pruning.pruneLowMagnitude(m, { pruningSchedule: s, frequency: 3 }), /frequency/);
  assert.throws(() => nn.pruning.pruneLowMagnitude({}, { pruningSchedule: s }), /a model made by nn.sequential/);
  assert.throws(() => nn.pruning.updateMasks(m, { sparsity: 1 }), /sparsity must be in \[0, 1\)/);
  // the spelling { schedule } works too
  nn.pruning.pruneLowMagnitude(m, { schedule: s });
  assert.ok(nn.pruning.sparsity(m).every((l) => l.pruned));
  m.dispose();
  assert.throws(() => nn.pruning.sparsity(m), /disposed/);
});

test('a pruned model\'s file shrinks with sparsity and loads with its pruning state, resuming fine-tuning', async () => {
  const m = build();
  const dense = m.save({ includeOptimizer: false }).length;
  nn.pruning.pruneLowMagnitude(m, { pruningSchedule: nn.pruning.constantSparsity({ targetSparsity: 0.5, frequency: 1 }) });
  const sizes = [0.5, 0.8, 0.9].map((s) => { nn.pruning.updateMasks(m, { sparsity: s }); return m.save({ includeOptimizer: false }).length; });
  assert.ok(dense > sizes[0] && sizes[0] > sizes[1] && sizes[1] > sizes[2], `${dense} > ${sizes}`);
  assert.ok(sizes[2] < dense * 0.25, `90% sparse: ${sizes[2]} of ${dense} bytes`);
  await m.fit(x, y, { epochs: 1, batchSize: 32 });
  const r = await nn.loadModel(m.save());
  assert.deepEqual(nn.pruning.status(r).step, 4);
  assert.equal(nn.pruning.status(r).schedule.config.targetSparsity, 0.5);
  assert.deepEqual(nn.pruning.sparsity(r), nn.pruning.sparsity(m));
  await m.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false });
  await r.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false });
  assert.deepEqual(r.getWeights().map((w) => Array.from(w)), m.getWeights().map((w) => Array.from(w)), 'the same run, resumed');
  m.dispose();
  r.dispose();
});

test('save({ quantize: "int8" }): about 4x smaller, float again on load, predictions close, still trains', async () => {
  const m = nn.sequential({ seed: 5, layers: [
    nn.layers.conv2d({ inputShape: [12, 12, 2], filters: 16, kernelSize: 3, activation: 'relu' }),
    nn.layers.flatten(),
    nn.layers.dense({ units: 64, activation: 'relu' }),
    nn.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const xs = Array.from({ length: 16 }, (_, i) => Array.from({ length: 288 }, (_, j) => Math.sin(0.1 * i * j + i)));
  const ys = xs.map((_, i) => i % 3);
  await m.fit(xs, ys, { epochs: 2, batchSize: 8 });
  const f32 = m.save({ includeOptimizer: false });
  const q8 = m.save({ includeOptimizer: false, quantize: 'int8' });
  const ratio = f32.length / q8.length;
  assert.ok(ratio > 3.5 && ratio < 4.1, `int8 file ${ratio.toFixed(2)}x smaller`);
  const r = await nn.loadModel(q8);
  const p1 = m.predict(xs);
  const p2 = r.predict(xs);
  let worst = 0;
  for (let i = 0; i < p1.length; i++) worst = Math.max(worst, Math.abs(p1[i] - p2[i]));
  assert.ok(worst < 0.02, `predictions within ${worst}`);
  assert.ok(worst > 0, 'quantized weights differ from the float ones');
  const w = m.getWeights();
  const wq = r.getWeights();
  assert.deepEqual(Array.from(wq[1]), Array.from(w[1]), 'biases stay float32');
  const k = w[0];
  const kq = wq[0];
  const ch = 16;
  const max = new Float32Array(ch);
  k.forEach((v, j) => { max[j % ch] = Math.max(max[j % ch], Math.abs(v)); });
  k.forEach((v, j) => assert.ok(Math.abs(v - kq[j]) <= max[j % ch] / 127 / 2 + 1e-7, `kernel[${j}] within half a step of its channel`));
  await r.fit(xs, ys, { epochs: 1, batchSize: 8 });
  assert.throws(() => m.save({ quantize: 'int4' }), /quantize must be 'int8'/);
  assert.throws(() => m.save({ quantize: true }), /quantize must be 'int8'/);
  // pruned and quantized: smaller still, the zeros exact
  nn.pruning.pruneLowMagnitude(m, { pruningSchedule: nn.pruning.constantSparsity({ targetSparsity: 0.8 }) });
  nn.pruning.updateMasks(m);
  nn.pruning.stripPruning(m);
  const both = m.save({ includeOptimizer: false, quantize: 'int8' });
  assert.ok(both.length < q8.length / 2, `pruned + int8: ${both.length} bytes, int8 alone ${q8.length}`);
  const rb = await nn.loadModel(both);
  assert.deepEqual(nn.pruning.sparsity(rb).map((l) => l.zeros), nn.pruning.sparsity(m).map((l) => l.zeros));
  for (const x of [m, r, rb]) x.dispose();
});

test('save({ quantize: "int8" }) of a conv2dTranspose kernel [kh, kw, filters, inC]: one scale per filter (output channel)', async () => {
  const F = 6;
  const C = 4;
  const m = nn.sequential({ seed: 7, layers: [
    nn.layers.conv2dTranspose({ inputShape: [3, 3, C], filters: F, kernelSize: 3, strides: 2, padding: 'same' }),
  ] });
  const w = m.getWeights();
  const k = w[0];
  assert.deepEqual(k.shape, [3, 3, F, C]);
  k.forEach((v, j) => { k[j] = v * 10 ** (Math.floor(j / C) % F - 3); }); // filter f: 10^(f-3), so one scale for all would zero the small ones
  m.setWeights(w);
  const r = await nn.loadModel(m.save({ quantize: 'int8' }));
  const kq = r.getWeights()[0];
  const max = new Float32Array(F);
  k.forEach((v, j) => { const f = Math.floor(j / C) % F; max[f] = Math.max(max[f], Math.abs(v)); });
  k.forEach((v, j) => {
    const f = Math.floor(j / C) % F;
    assert.ok(Math.abs(v - kq[j]) <= max[f] / 127 / 2 + 1e-12, `kernel[${j}] (filter ${f}) within half a step of its filter's scale`);
  });
  const x = Array.from({ length: 2 }, (_, i) => Array.from({ length: 9 * C }, (_, j) => Math.sin(i + 0.3 * j)));
  const p1 = m.predict(x);
  const p2 = r.predict(x);
  let worst = 0;
  let top = 0;
  for (let i = 0; i < p1.length; i++) { worst = Math.max(worst, Math.abs(p1[i] - p2[i])); top = Math.max(top, Math.abs(p1[i])); }
  assert.ok(worst < 0.01 * top, `predictions within ${worst} of ${top}`);
  m.dispose();
  r.dispose();
});

test('hostile weight encodings are refused with a message', async () => {
  const m = build();
  nn.pruning.pruneLowMagnitude(m, { pruningSchedule: nn.pruning.constantSparsity({ targetSparsity: 0.9 }) });
  nn.pruning.updateMasks(m);
  const bytes = m.save({ quantize: 'int8' });
  // flip bytes all over the weights (the checksum is fixed up, so the structure checks must catch them)
  const crc = (b) => { let c = ~0; for (const v of b) { c ^= v; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); } return ~c >>> 0; };
  let refused = 0;
  for (let at = 40; at < bytes.length - 4; at += Math.max(1, bytes.length >> 7)) {
    const b = bytes.slice();
    b[at] ^= 0xa5;
    new DataView(b.buffer).setUint32(b.length - 4, crc(b.subarray(0, b.length - 4)), true);
    try { (await nn.loadModel(b)).dispose(); } catch (e) { assert.match(e.message, /nnplay: .*(corrupt|truncated|model|layer)/); refused++; }
  }
  assert.ok(refused > 40, `${refused} corruptions refused`);
  m.dispose();
});
