// transfer.mjs - issue 13's transfer and distillation figures, through the JS API (wasm) under Node.
// Transfer: a CNN trained on MNIST digits 0-4 (web/data/digits.nnds.gz, its 8k training digits) is
// frozen and gets a new head for digits 5-9 from 10 or 50 examples per class; a CNN trained on all
// ten digits gets a new head for Fashion-MNIST's ten classes the same way (its full idx files, test
// on its 10,000 test images). Against: the same network trained from scratch on those examples,
// and the transfer model fine-tuned (everything unfrozen, lr / 10). Each from --seeds example draws.
// Distillation: a student of about a tenth of the teacher's parameters, on all 8k training digits,
// distilled from the teacher (T, alpha) against the same student trained on the labels alone.
// Run: node bench/transfer.mjs [--seeds N] [--base-epochs N] [--head-epochs N] [--distill-epochs N]
// Prints one JSON line; progress on stderr.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as nn from '../wasm/nnplay.js';
import { options, log, emit, loadFashionMnist } from './lib.mjs';
import { decodeDataset } from '../tools/data.mjs';
import { seeded } from '../web/seeded.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Images of a dataset as float rows in [0, 1] with their labels, picked by a filter. */
function pick(d, from, to, keep) {
  const idx = [];
  for (let i = from; i < to; i++) if (keep(d.labels[i])) idx.push(i);
  const size = d.rows * d.cols;
  const x = new Float32Array(idx.length * size), y = new Float32Array(idx.length);
  idx.forEach((s, r) => {
    for (let j = 0; j < size; j++) x[r * size + j] = d.pixels[s * size + j] / 255;
    y[r] = d.labels[s];
  });
  return { x, y, n: idx.length };
}

/** `per` examples of each class (labels relabelled by map) drawn with a seed from { x, y, n }. */
function fewShot({ x, y, n }, classes, per, seed, size = 784) {
  const rand = seeded(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const chosen = [];
  for (const c of classes) chosen.push(...order.filter((i) => y[i] === c).slice(0, per));
  const ox = new Float32Array(chosen.length * size), oy = new Float32Array(chosen.length);
  chosen.forEach((s, r) => { ox.set(x.subarray(s * size, (s + 1) * size), r * size); oy[r] = classes.indexOf(y[s]); });
  return { x: ox, y: oy, n: chosen.length };
}

const relabel = (d, classes) => ({ ...d, y: d.y.map((v) => classes.indexOf(v)) });

/** The CNN: conv(16) -> pool -> conv(32) -> pool -> flatten -> dense(64) -> dense(k). */
const cnn = (k, seed) => nn.sequential({ seed, layers: [
  nn.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
  nn.layers.maxPooling2d({ poolSize: 2 }),
  nn.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
  nn.layers.maxPooling2d({ poolSize: 2 }),
  nn.layers.flatten(),
  nn.layers.dense({ units: 64, activation: 'relu' }),
  nn.layers.dense({ units: k, activation: 'softmax' }),
] });
const compile = (m, lr) => m.compile({ optimizer: nn.train.adam(lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

const stats = (v) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, sd, min: Math.min(...v), max: Math.max(...v), runs: v };
};

async function transferTask(name, base, shots, test, classes, o) {
  const out = {};
  for (const per of [10, 50]) {
    const acc = { transfer: [], fineTuned: [], scratch: [] };
    for (let s = 1; s <= o.seeds; s++) {
      const few = fewShot(shots, classes, per, 1000 * per + s);
      const bs = Math.min(16, few.n);
      // Keras's transfer recipe (its mnist_transfer_cnn example): the base's convolutional layers
      // copied and frozen, a new classifier (dense 64, dense k) on their features
      base.trainable = false;
      const m = nn.sequential({ seed: s, layers: [...base.layers.slice(0, 5),
        nn.layers.dense({ units: 64, activation: 'relu', name: 'new_features' }),
        nn.layers.dense({ units: classes.length, activation: 'softmax', name: 'head' })] });
      compile(m, 1e-3);
      await m.fit(few.x, few.y, { epochs: o.headEpochs, batchSize: bs });
      acc.transfer.push(m.evaluate(test.x, test.y).accuracy);
      // fine-tuning: everything unfrozen, a tenth of the learning rate
      m.trainable = true;
      compile(m, 1e-4);
      await m.fit(few.x, few.y, { epochs: o.fineEpochs, batchSize: bs });
      acc.fineTuned.push(m.evaluate(test.x, test.y).accuracy);
      m.dispose();
      // the same network from scratch on the same examples, as many head epochs plus fine-tuning ones
      const f = cnn(classes.length, s);
      compile(f, 1e-3);
      await f.fit(few.x, few.y, { epochs: o.headEpochs + o.fineEpochs, batchSize: bs });
      acc.scratch.push(f.evaluate(test.x, test.y).accuracy);
      f.dispose();
      log(`transfer: ${name}, ${per}/class, seed ${s}: transfer ${acc.transfer.at(-1).toFixed(3)}, fine-tuned ${acc.fineTuned.at(-1).toFixed(3)}, scratch ${acc.scratch.at(-1).toFixed(3)}`);
    }
    out[per] = Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, stats(v)]));
  }
  return out;
}

async function trainBase(train, test, k, o, what) {
  const base = cnn(k, 1);
  compile(base, 1e-3);
  await base.fit(train.x, train.y, { epochs: o.baseEpochs, batchSize: 32 });
  const acc = base.evaluate(test.x, test.y).accuracy;
  log(`transfer: base on ${what}: ${train.n} images, test accuracy ${acc.toFixed(4)}`);
  return { base, acc };
}

async function distillation(train, test, o) {
  // the teacher is trained longer, on shifted copies too: a teacher no better than the student has
  // nothing to teach
  const teacher = cnn(10, 1);
  compile(teacher, 1e-3);
  await teacher.fit(train.x, train.y, { epochs: o.teacherEpochs, batchSize: 32, augment: { shift: 2 } });
  const tAcc = teacher.evaluate(test.x, test.y).accuracy;
  // the student: a tenth of the teacher's parameters (4 and 8 filters, 32 hidden units)
  const student = (seed) => nn.sequential({ seed, layers: [
    nn.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
    nn.layers.maxPooling2d({ poolSize: 2 }),
    nn.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
    nn.layers.maxPooling2d({ poolSize: 2 }),
    nn.layers.flatten(),
    nn.layers.dense({ units: 24, activation: 'relu' }),
    nn.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  const acc = { labels: [], distilled: [] };
  let sParams = 0;
  for (let s = 1; s <= o.seeds; s++) {
    const a = student(100 + s), b = student(100 + s);
    sParams = a.countParams();
    compile(a, 1e-3);
    compile(b, 1e-3);
    await a.fit(train.x, train.y, { epochs: o.distillEpochs, batchSize: 32 });
    await nn.distill({ teacher, student: b, x: train.x, y: train.y, temperature: o.temperature, alpha: o.alpha, epochs: o.distillEpochs, batchSize: 32 });
    acc.labels.push(a.evaluate(test.x, test.y).accuracy);
    acc.distilled.push(b.evaluate(test.x, test.y).accuracy);
    log(`distill: seed ${s}: labels alone ${acc.labels.at(-1).toFixed(4)}, distilled ${acc.distilled.at(-1).toFixed(4)}`);
    a.dispose(); b.dispose();
  }
  const r = { teacher_params: teacher.countParams(), student_params: sParams, teacher_accuracy: tAcc,
    labels: stats(acc.labels), distilled: stats(acc.distilled), temperature: o.temperature, alpha: o.alpha, epochs: o.distillEpochs,
    teacher_epochs: o.teacherEpochs };
  teacher.dispose();
  return r;
}

async function run() {
  const o = options('transfer', { seeds: 5, 'base-epochs': 5, 'head-epochs': 40, 'fine-epochs': 20, 'distill-epochs': 20, 'teacher-epochs': 15,
    temperature: '4', alpha: '0.1', only: 'all' });
  o.temperature = Number(o.temperature); o.alpha = Number(o.alpha);
  if (!(o.temperature > 0) || !(o.alpha >= 0 && o.alpha <= 1)) throw new Error('transfer: --temperature must be > 0 and --alpha in [0, 1]');
  o.baseEpochs = o['base-epochs']; o.headEpochs = o['head-epochs']; o.fineEpochs = o['fine-epochs']; o.distillEpochs = o['distill-epochs']; o.teacherEpochs = o['teacher-epochs'];
  await nn.ready();
  const t0 = performance.now();
  const d = decodeDataset(readFileSync(path.join(ROOT, 'web/data/digits.nnds.gz')));
  const all = () => true;
  const result = { system: 'nnplay, wasm, JS API', simd: nn.info().simd, settings: { seeds: o.seeds, base_epochs: o.baseEpochs,
    head_epochs: o.headEpochs, fine_epochs: o.fineEpochs } };
  const want = (x) => o.only === 'all' || o.only.split(',').includes(x);
  if (want('digits')) {
    const low = (c) => c < 5, high = (c) => c >= 5;
    const { base, acc } = await trainBase(pick(d, 0, d.trainCount, low), pick(d, d.trainCount, d.count, low), 5, o, 'digits 0-4');
    const hi = [5, 6, 7, 8, 9];
    result.digits = { base_accuracy: acc, ...await transferTask('digits 5-9', base, pick(d, 0, d.trainCount, high),
      relabel(pick(d, d.trainCount, d.count, high), hi), hi, o) };
    base.dispose();
  }
  if (want('fashion')) {
    const { base, acc } = await trainBase(pick(d, 0, d.trainCount, all), pick(d, d.trainCount, d.count, all), 10, o, 'digits 0-9');
    const f = loadFashionMnist();
    const classes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    result.fashion = { base_accuracy: acc, ...await transferTask('Fashion-MNIST', base, { x: f.xTrain, y: f.yTrain, n: f.nTrain },
      { x: f.xTest, y: f.yTest, n: f.nTest }, classes, o) };
    base.dispose();
  }
  if (want('distill')) result.distill = await distillation(pick(d, 0, d.trainCount, all), pick(d, d.trainCount, d.count, all), o);
  result.seconds = Math.round((performance.now() - t0) / 1000);
  emit(result);
}

/** bench.mjs's tables for a result of this program. */
export function transferReport(x, section) {
  const p = (v) => `${(v * 100).toFixed(1)}%`;
  const ms = (s) => `${p(s.mean)} ± ${(s.sd * 100).toFixed(1)} (${p(s.min)}-${p(s.max)})`;
  const rows = [];
  for (const [key, label] of [['digits', 'digits 0-4 -> 5-9'], ['fashion', 'digits 0-9 -> Fashion-MNIST']]) {
    if (!x[key]) continue;
    for (const per of ['10', '50']) {
      const r = x[key][per];
      rows.push([label, per, ms(r.transfer), ms(r.fineTuned), ms(r.scratch), `${((r.transfer.mean - r.scratch.mean) * 100).toFixed(1)} points`]);
    }
  }
  const s = x.settings;
  section(`Transfer (issue 13): conv(16, 3x3) -> pool -> conv(32, 3x3) -> pool -> flatten -> dense(64) -> dense(classes), Adam, batch 16. ` +
    `The base trained ${s.base_epochs} epochs on the 8k training digits (0-4: test accuracy ${x.digits ? p(x.digits.base_accuracy) : '-'}; ` +
    `0-9: ${x.fashion ? p(x.fashion.base_accuracy) : '-'}); its convolutional layers frozen under a new dense(64) -> dense(classes) ` +
    `(Keras's mnist_transfer_cnn recipe) trained ${s.head_epochs} epochs (lr 1e-3) on k examples ` +
    `per class, then fine-tuned ${s.fine_epochs} epochs with everything unfrozen (lr 1e-4); scratch: the same network on the same ` +
    `examples for ${s.head_epochs + s.fine_epochs} epochs. Test accuracy, mean ± sd (min-max) over ${s.seeds} draws of the examples; ` +
    'test sets: the 2k test digits 5-9, the 10,000 Fashion-MNIST test images',
  ['task', 'examples/class', 'frozen base + new head', 'then fine-tuned', 'from scratch', 'transfer - scratch'], rows);
  if (x.distill) {
    const r = x.distill;
    section(`Distillation (issue 13): teacher: the CNN above (${r.teacher_params.toLocaleString('en-US')} parameters; ${r.teacher_epochs ? `${r.teacher_epochs} epochs with ` +
      'shifts of up to 2 pixels' : 'trained as the base'}; test accuracy ${p(r.teacher_accuracy)}) ` +
      `-> student conv(4) -> pool -> conv(8) -> pool -> dense(24) (${r.student_params.toLocaleString('en-US')} parameters, ` +
      `${(r.student_params / r.teacher_params).toFixed(3)} of the teacher's), 8k training digits, ${r.epochs} epochs, Adam 1e-3, batch 32; ` +
      `nn.distill with temperature ${r.temperature}, alpha ${r.alpha}. Test accuracy on the 2k test digits, mean ± sd (min-max) over ${r.labels.runs.length} seeds`,
    ['student', 'test accuracy'], [['trained alone on the labels', ms(r.labels)], ['distilled from the teacher', ms(r.distilled)],
      ['difference', `${((r.distilled.mean - r.labels.mean) * 100).toFixed(2)} points`]]);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
