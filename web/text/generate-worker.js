// text/generate-worker.js - the Generate tab's model work, off the main thread: a character corpus
// (web/data/tang.nntx.gz or fortunes.nntx.gz), a per-step character model built or loaded through
// the JS API, training on windows of the corpus in chunks, a sample every few seconds while it
// trains, text generated from a seed, and the next-character distribution after a text.
// In:  init | corpus {name} | shipped | build {arch, seed, lr} | load {bytes} | play | pause |
//      settings {lr, batchSize, temperature, seed, sampleLength} | generate {seed, length, temperature, id} |
//      next {text, id} | save
// Out: ready | corpus | model | progress | sample | generated | next | saved | error | status
import { nn, post, now, loadTextData, fetchModelBytes, loadChecked, RunStats, fitChunk, trainingLoop, listen } from './worker-train.js';
import { postExport } from '../worker-shared.js';
import { postReady, yieldNow } from '../worker-shared.js';
import { CORPORA, CELLS, charModel, compileChar, lastStepTwin, charWindows, epochStarts, contextRow, seeded } from './models.js';

const SAMPLE_MS = 3000; // a new sample this often while training
const TOP = 10;

const corpora = new Map(); // name -> { name, vocab, ids, chars, tok, text }
let corpus = null;
let model = null;
let twin = null; // lastStepTwin(model), its weights synced at twinSteps
let twinSteps = -1;
let origin = 'new';
let generation = 0;
let playing = false;
let settings = { lr: 0.003, batchSize: 32, temperature: 0.6, seed: '', sampleLength: 120 };
let run = null;
let generating = 0; // the id of the generate request that may run; a newer one stops an older one

// ---- data ----

async function corpusData(name) {
  if (!Object.hasOwn(CORPORA, name)) throw new Error(`unknown corpus '${name}'`);
  if (!corpora.has(name)) {
    post({ type: 'status', message: `Loading ${CORPORA[name].title}…` });
    const d = await loadTextData(CORPORA[name].file);
    if (d.meta.kind !== 'corpus') throw new Error(`${CORPORA[name].file} is not a text corpus`);
    const tok = nn.text.tokenizerFromJSON(d.meta.tokenizer);
    const ids = Int32Array.from(tok.textsToSequences([d.text])[0]);
    const chars = JSON.parse(d.meta.tokenizer.config.index_word);
    corpora.set(name, { name, vocab: d.meta.vocabSize, ids, chars, tok, length: ids.length, meta: d.meta });
  }
  return corpora.get(name);
}

async function loadCorpus(name) {
  corpus = await corpusData(name);
  const { meta } = corpus;
  post({ type: 'corpus', name, title: meta.title, source: meta.source, characters: corpus.length, vocab: corpus.vocab,
    entries: meta.entries, window: CORPORA[name].window });
}

// ---- models ----

function checkChar(m) {
  const first = m.layers[0];
  const out = m.outputShape;
  if (first?.type !== 'embedding' || m.inputShape.length !== 1) {
    throw new Error(`a character model reads character ids through an embedding layer; this model takes [${m.inputShape.join(', ')}] (${first?.className ?? 'nothing'} first)`);
  }
  if (first.config.inputDim !== corpus.vocab) {
    const err = new Error(`this model knows ${first.config.inputDim} character ids, ${CORPORA[corpus.name].title} has ${corpus.vocab}`);
    err.vocab = first.config.inputDim;
    throw err;
  }
  if (out.length !== 2 || out[1] !== corpus.vocab || m.layers.at(-1).config.activation !== 'softmax') {
    throw new Error(`a character model gives a softmax over the ${corpus.vocab} characters at every step (output [${m.inputShape[0]}, ${corpus.vocab}]); this one gives [${out.join(', ')}]`);
  }
}

function archOf(m) {
  const rnn = m.layers.find((x) => CELLS[x.type]);
  return { cell: rnn?.type ?? null, embedding: m.layers[0].config.outputDim, units: rnn?.config.units ?? null,
    window: m.inputShape[0], layers: m.layers.map((x) => x.className) };
}

function setModel(m, from) {
  model?.dispose();
  twin?.dispose();
  model = m;
  twin = lastStepTwin(nn, m);
  twinSteps = -1;
  origin = from;
  generation++;
  try { settings.lr = model.learningRate; } catch { /* compiled by the caller */ }
  run = { epoch: 0, pos: 0, order: null, random: seeded(0xc4a7 + generation), stats: new RunStats(settings.batchSize),
    epochSeen: 0, epochCorrect: 0, lastTrainAcc: null, lastSample: now() };
  post({ type: 'model', origin, corpus: corpus.name, arch: archOf(m), params: m.countParams(), summary: m.summary(null),
    lr: settings.lr, bytes: m.countParams() * 4, twin: !!twin });
}

function build({ arch, seed, lr, batchSize }) {
  if (!corpus) throw new Error('no corpus loaded yet');
  if (lr) settings.lr = lr;
  if (batchSize) settings.batchSize = batchSize;
  const m = charModel(nn, { ...CORPORA[corpus.name].arch, ...arch, vocab: corpus.vocab, window: CORPORA[corpus.name].window }, seed);
  try { compileChar(nn, m, settings.lr); } catch (err) { m.dispose(); throw err; }
  setModel(m, 'new');
}

// ---- predicting ----

/** The next-character distribution after a context of ids (a Float32Array over the vocabulary). */
function nextProbs(ids) {
  const T = model.inputShape[0];
  const row = contextRow(ids, T);
  if (twin) {
    if (twinSteps !== model.steps) { twin.setWeights(model.getWeights()); twinSteps = model.steps; }
    return twin.predict(row);
  }
  const V = corpus.vocab;
  return model.predict(row).subarray((T - 1) * V, T * V);
}

const charOf = (id) => corpus.chars[id] ?? '';
const idsOf = (text) => Array.from(corpus.tok.textsToSequences([String(text)])[0]);

/** Characters after `seed`, `length` of them, drawn at `temperature`; onPart(text) every few. */
async function generate(seed, length, temperature, keepGoing = () => true, onPart = null) {
  const ctx = idsOf(seed);
  let out = '';
  for (let i = 0; i < length && keepGoing(); i++) {
    const id = nn.text.sample(nextProbs(ctx), { temperature });
    ctx.push(id);
    out += charOf(id);
    if (onPart && i % 24 === 23) { onPart(out); await yieldNow(); }
  }
  return out;
}

function next({ text, id }) {
  if (!model) return;
  const ids = idsOf(text);
  const p = nextProbs(ids);
  const order = Array.from(p.keys()).filter((k) => k > 0).sort((a, b) => p[b] - p[a]).slice(0, TOP);
  post({ type: 'next', id, candidates: order.map((k) => [charOf(k), p[k]]), known: ids.length,
    skipped: Array.from(String(text)).length - ids.length });
}

// ---- training ----

async function trainChunk() {
  if (!model || !corpus || !playing) return;
  const T = model.inputShape[0];
  if (!run.order) { run.order = epochStarts(corpus.length, T, run.random); run.pos = 0; }
  const n = Math.min(Math.max(1, Math.round(run.stats.chunk)), run.order.length - run.pos);
  const w = charWindows(corpus.ids, T, run.order.slice(run.pos, run.pos + n));
  const r = await fitChunk(model, w.x, w.y, settings.batchSize);
  run.pos += n;
  run.epochSeen += n;
  run.epochCorrect += r.accuracy * n;
  run.stats.record(n, r.ms, run.epoch + run.pos / run.order.length, r.loss, r.accuracy);
  if (run.pos >= run.order.length) {
    run.epoch++;
    run.order = null;
    run.lastTrainAcc = run.epochCorrect / run.epochSeen;
    run.epochSeen = 0;
    run.epochCorrect = 0;
  }
  postProgress();
  if (now() - run.lastSample > SAMPLE_MS) await sample();
}

function postProgress() {
  const T = model.inputShape[0];
  post({ type: 'progress', epoch: run.epoch, fraction: run.order ? run.pos / run.order.length : 0, steps: model.steps,
    rate: run.stats.rate * T, seen: run.stats.seen * T, trainAcc: run.epochSeen ? run.epochCorrect / run.epochSeen : run.lastTrainAcc,
    points: run.stats.points.splice(0), playing });
}

async function sample() {
  if (!model) return;
  const seed = settings.seed || CORPORA[corpus.name].seed;
  const text = await generate(seed, settings.sampleLength, settings.temperature);
  run.lastSample = now();
  post({ type: 'sample', seed, text, steps: model.steps, epoch: run.epoch + (run.order ? run.pos / run.order.length : 0),
    temperature: settings.temperature });
}

const loop = trainingLoop(() => playing, () => generation, trainChunk);

// ---- messages ----

const handlers = {
  async init() {
    await nn.ready();
    postReady({ layerTypes: Object.keys(nn.layers) });
  },
  async corpus({ name }) {
    playing = false;
    await loadCorpus(name);
  },
  async shipped() {
    if (!corpus) throw new Error('no corpus loaded yet');
    const bytes = await fetchModelBytes(CORPORA[corpus.name].model);
    setModel(loadChecked(bytes, checkChar, (m) => compileChar(nn, m, settings.lr)), 'shipped');
    await sample();
  },
  async build(msg) {
    build(msg);
    await sample();
  },
  async load({ bytes }) {
    if (!corpus) throw new Error('no corpus loaded yet');
    try {
      setModel(loadChecked(bytes, checkChar, (m) => compileChar(nn, m, settings.lr)), 'file');
    } catch (err) {
      if (!err.vocab) throw err;
      // a model for the other corpus: say which one
      for (const name of Object.keys(CORPORA)) {
        if (name !== corpus.name && (await corpusData(name)).vocab === err.vocab) {
          throw new Error(`${err.message}: it is a model for ${CORPORA[name].title}, pick that corpus first`);
        }
      }
      throw new Error(`${err.message} (a model for another text?)`);
    }
    await sample();
  },
  settings({ lr, batchSize, temperature, seed, sampleLength }) {
    if (batchSize) { settings.batchSize = batchSize; if (run) run.stats = new RunStats(batchSize); }
    if (lr && model) { settings.lr = lr; model.learningRate = lr; }
    if (temperature != null) settings.temperature = temperature;
    if (seed != null) settings.seed = String(seed);
    if (sampleLength) settings.sampleLength = sampleLength;
  },
  play() {
    if (!model) throw new Error('no model yet');
    playing = true;
    run.stats.restart();
    run.lastSample = now();
    loop();
  },
  pause() {
    playing = false;
    if (model) postProgress();
  },
  async generate({ seed, length, temperature, id }) {
    if (!model || id !== generating) return;
    const n = Math.max(1, Math.min(2000, Math.round(length)));
    const text = await generate(seed, n, temperature, () => id === generating,
      (part) => post({ type: 'generated', id, text: part, done: false }));
    if (id === generating) post({ type: 'generated', id, text, done: true, steps: model.steps });
  },
  next,
  exportAs({ format }) {
    if (!model) throw new Error('no model to export');
    return postExport(model, format, `${corpus.name}-model`);
  },
  save() {
    if (!model) throw new Error('no model to save');
    const bytes = model.save();
    post({ type: 'saved', bytes, corpus: corpus.name }, [bytes.buffer]);
  },
};

listen(handlers, { build: 'cannot build this network', load: 'cannot load this model', exportAs: 'cannot export the model', shipped: 'cannot load the shipped model',
  corpus: 'cannot load the corpus', generate: 'cannot generate', next: 'cannot predict the next character' },
// a newer generate request stops the one running, before the queue reaches it
{ pause: () => { playing = false; }, generate: (msg) => { generating = msg.id; } });
