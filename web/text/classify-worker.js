// text/classify-worker.js - the Classify tab's model work, off the main thread: the mail corpus
// (web/data/spam.nntx.gz: 100 token ids per message, its fixed train/test split and the Keras
// tokenizer), a classifier built or loaded through the JS API, training in chunks, validation on
// the test split, the test report, and the spam probability of a typed message with each word's
// contribution by occlusion.
// In:  init | build {arch, seed, lr, batchSize} | load {bytes, from} | play | pause |
//      settings {lr, batchSize} | classify {text, id} | save
// Out: ready | dataset | model | progress | test | classified | saved | error | status
import { nn, post, now, loadTextData, fetchModelBytes, loadChecked, RunStats, fitChunk, trainingLoop, listen } from './worker-train.js';
import { postExport } from '../worker-shared.js';
import { postReady } from '../worker-shared.js';
import { MAIL, MAIL_DEFAULT, mailModel, compileMail, wordSpans, mailRow, seeded, CELLS } from './models.js';

const VALIDATE_MS = 3000;
const WORST = 8;
const T = MAIL.maxlen;

let ds = null; // { trainX, trainY, testX, testY, nTrain, nTest, tok, filters, split }
let model = null;
let origin = 'new';
let generation = 0;
let playing = false;
let settings = { lr: 0.001, batchSize: 32 };
let run = null;

// ---- data ----

async function loadData() {
  post({ type: 'status', message: 'Loading the mail corpus…' });
  const d = await loadTextData('data/spam.nntx.gz');
  const { meta, ids, labels } = d;
  if (meta.kind !== 'classification' || meta.maxlen !== T) throw new Error('data/spam.nntx.gz is not the mail corpus this page expects');
  const n = meta.count;
  const nTrain = meta.trainCount;
  const f = Float32Array.from(ids);
  const tok = nn.text.tokenizerFromJSON(meta.tokenizer);
  const cfg = meta.tokenizer.config;
  ds = { trainX: f.subarray(0, nTrain * T), trainY: Float32Array.from(labels.subarray(0, nTrain)),
    testX: f.subarray(nTrain * T), testY: Float32Array.from(labels.subarray(nTrain)), nTrain, nTest: n - nTrain,
    testIds: ids.subarray(nTrain * T), tok, filters: cfg.filters, split: cfg.split || ' ', numWords: cfg.num_words ?? MAIL.vocab,
    oov: tok.wordIndex[cfg.oov_token] ?? -1, indexWord: JSON.parse(cfg.index_word) };
  const spamIn = (a) => a.reduce((s, v) => s + v, 0);
  post({ type: 'dataset', train: nTrain, test: n - nTrain, trainSpam: spamIn(ds.trainY), testSpam: spamIn(ds.testY),
    vocab: meta.vocabSize, maxlen: T, source: meta.source });
}

// ---- models ----

/** The page's own checks on a loaded model: 100 ids of the 10,000-word vocabulary in, one probability out. */
function checkMail(m) {
  const first = m.layers[0];
  const last = m.layers[m.layers.length - 1];
  const shape = m.inputShape;
  if (first?.type !== 'embedding' || shape.length !== 1 || shape[0] !== T) {
    throw new Error(`the mail classifier reads ${T} token ids per message through an embedding layer; this model takes [${shape.join(', ')}] (${first?.className ?? 'nothing'} first)`);
  }
  if (first.config.inputDim !== MAIL.vocab) {
    throw new Error(`the mail classifier reads ids of a ${MAIL.vocab.toLocaleString('en')}-word vocabulary; this model's embedding has ${first.config.inputDim} rows (a character model?)`);
  }
  if (m.outputSize !== 1 || last.config.activation !== 'sigmoid') {
    throw new Error('the mail classifier needs one sigmoid output (the spam probability); this model has ' +
      `${m.outputSize} output(s)${last.config.activation ? ` with ${last.config.activation}` : ''}`);
  }
}

/** The sizes the page's controls show, read back from a model. */
function archOf(m) {
  const l = m.layers;
  const rnn = l.find((x) => CELLS[x.type]);
  return { cell: rnn?.type ?? null, embedding: l[0].config.outputDim, units: rnn?.config.units ?? null,
    dropout: rnn?.config.dropout ?? 0, maskZero: !!l[0].config.maskZero, layers: l.map((x) => x.className) };
}

function setModel(m, from) {
  model?.dispose();
  model = m;
  origin = from;
  generation++;
  try { settings.lr = model.learningRate; } catch { /* compiled below by the caller */ }
  resetRun();
  post({ type: 'model', origin, arch: archOf(m), params: m.countParams(), summary: m.summary(null), lr: settings.lr,
    bytes: m.countParams() * 4 });
}

function resetRun() {
  run = { epoch: 0, pos: 0, order: null, random: seeded(0x51a1 + generation), stats: new RunStats(settings.batchSize),
    epochSeen: 0, epochCorrect: 0, lastTrainAcc: null, lastVal: 0, val: null };
}

function build({ arch = MAIL_DEFAULT, seed, lr, batchSize }) {
  if (lr) settings.lr = lr;
  if (batchSize) settings.batchSize = batchSize;
  const m = mailModel(nn, arch, seed);
  try { compileMail(nn, m, settings.lr); } catch (err) { m.dispose(); throw err; }
  setModel(m, 'new');
}

// ---- training ----

function shuffled(n, random) {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

async function trainChunk() {
  if (!model || !ds || !playing) return;
  if (!run.order) { run.order = shuffled(ds.nTrain, run.random); run.pos = 0; }
  const n = Math.min(run.stats.chunk, run.order.length - run.pos);
  const x = new Float32Array(n * T);
  const y = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const i = run.order[run.pos + k];
    x.set(ds.trainX.subarray(i * T, (i + 1) * T), k * T);
    y[k] = ds.trainY[i];
  }
  const r = await fitChunk(model, x, y, settings.batchSize);
  run.pos += n;
  run.epochSeen += n;
  run.epochCorrect += r.accuracy * n;
  run.stats.record(n, r.ms, run.epoch + run.pos / run.order.length, r.loss, r.accuracy);
  let epochDone = false;
  if (run.pos >= run.order.length) { epochDone = true; run.epoch++; run.order = null; }
  if (epochDone || now() - run.lastVal > VALIDATE_MS) validate();
  postProgress();
  if (epochDone) {
    run.lastTrainAcc = run.epochCorrect / run.epochSeen;
    run.epochSeen = 0;
    run.epochCorrect = 0;
    testReport();
  }
}

/** Validation is on the test split, as Keras's example does (validation_data=(x_test, y_test)). */
function validate() {
  const t = now();
  const e = model.evaluate(ds.testX, ds.testY);
  run.val = { loss: e.loss, accuracy: e.accuracy, at: run.epoch + (run.order ? run.pos / run.order.length : 0), steps: model.steps };
  // keep validation under ~15% of the time: wait longer when it is slow
  run.lastVal = now() + Math.max(0, (now() - t) * 6 - VALIDATE_MS);
}

function postProgress() {
  post({ type: 'progress', epoch: run.epoch, fraction: run.order ? run.pos / run.order.length : 0, steps: model.steps,
    rate: run.stats.rate, seen: run.stats.seen, trainAcc: run.epochSeen ? run.epochCorrect / run.epochSeen : run.lastTrainAcc,
    val: run.val, points: run.stats.points.splice(0), playing });
}

const loop = trainingLoop(() => playing, () => generation, trainChunk);

// ---- test report ----

function decode(i) {
  const row = ds.testIds.subarray(i * T, (i + 1) * T);
  const words = [];
  for (const id of row) if (id > 0) words.push(id === ds.oov ? '▢' : ds.indexWord[id] ?? '?');
  return words.join(' ');
}

function testReport() {
  if (!model || !ds) return;
  const p = model.predict(ds.testX);
  const confusion = [[0, 0], [0, 0]];
  const wrong = [];
  for (let i = 0; i < ds.nTest; i++) {
    const truth = ds.testY[i];
    const guess = p[i] >= 0.5 ? 1 : 0;
    confusion[truth][guess]++;
    if (guess !== truth) wrong.push([i, Math.abs(p[i] - truth)]);
  }
  wrong.sort((a, b) => b[1] - a[1]);
  const correct = confusion[0][0] + confusion[1][1];
  post({ type: 'test', n: ds.nTest, accuracy: correct / ds.nTest, confusion, steps: model.steps,
    worst: wrong.slice(0, WORST).map(([i]) => ({ index: i, label: ds.testY[i], p: p[i], text: decode(i) })) });
}

function refreshAll() {
  if (!model || !ds) return;
  validate();
  postProgress();
  testReport();
}

// ---- a typed message ----

/**
 * p(spam) of the text and, for each of the words the model reads (the first 100), the drop in
 * p(spam) when that word alone is removed (occlusion): > 0 means the word pushes towards spam.
 * One predict() call over the text and every text with one word left out.
 */
function classify({ text, id }) {
  if (!model || !ds) return;
  const t0 = now();
  const spans = wordSpans(String(text).slice(0, 50_000), ds.filters, ds.split);
  const ids = ds.tok.textsToSequences(spans.map((s) => s.word)).map((s) => s[0] ?? -1);
  const kept = [];
  spans.forEach((s, i) => { if (ids[i] >= 0) kept.push(i); });
  const seq = kept.map((i) => ids[i]);
  const read = Math.min(seq.length, T);
  const rows = new Float32Array((read + 1) * T);
  mailRow(seq, rows, 0);
  for (let k = 0; k < read; k++) mailRow(seq.slice(0, k).concat(seq.slice(k + 1)), rows, (k + 1) * T);
  const p = model.predict(rows);
  const words = kept.map((i, k) => ({ start: spans[i].start, end: spans[i].end, read: k < T,
    unknown: seq[k] === ds.oov, delta: k < read ? p[0] - p[k + 1] : null }));
  post({ type: 'classified', id, p: p[0], words, count: seq.length, ms: now() - t0 });
}

// ---- messages ----

const handlers = {
  async init() {
    await nn.ready();
    postReady({ layerTypes: Object.keys(nn.layers) });
    await loadData();
  },
  async shipped() {
    const bytes = await fetchModelBytes(MAIL.model);
    setModel(loadChecked(bytes, checkMail, (m) => compileMail(nn, m, settings.lr)), 'shipped');
    refreshAll();
  },
  build(msg) {
    build(msg);
    refreshAll();
  },
  load({ bytes }) {
    setModel(loadChecked(bytes, checkMail, (m) => compileMail(nn, m, settings.lr)), 'file');
    refreshAll();
  },
  settings({ lr, batchSize }) {
    if (batchSize) { settings.batchSize = batchSize; if (run) run.stats = new RunStats(batchSize); }
    if (lr && model) { settings.lr = lr; model.learningRate = lr; }
  },
  play() {
    if (!model) throw new Error('no model yet');
    if (!ds) throw new Error('the mail corpus is not loaded');
    playing = true;
    run.stats.restart();
    loop();
  },
  pause() {
    playing = false;
    refreshAll();
  },
  classify,
  example() {
    if (!ds) return;
    const i = Math.floor(Math.random() * ds.nTest);
    post({ type: 'example', text: decode(i), label: ds.testY[i], index: i });
  },
  exportAs({ format, name }) {
    if (!model) throw new Error('no model to export');
    return postExport(model, format, name);
  },
  save() {
    if (!model) throw new Error('no model to save');
    const bytes = model.save();
    post({ type: 'saved', bytes }, [bytes.buffer]);
  },
};

listen(handlers, { build: 'cannot build this network', load: 'cannot load this model', exportAs: 'cannot export the model', shipped: 'cannot load the shipped model',
  init: 'cannot load the mail corpus', classify: 'cannot classify this text' }, { pause: () => { playing = false; } });
