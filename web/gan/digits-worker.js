// digits-worker.js - the digit GAN page's model work, off the main thread: loads the 10,000 MNIST
// digits and the images page's classifier, trains the GAN of digits-train.js in chunks of ~100 ms
// (so pause, reroll, save and load are answered between chunks), and posts losses, samples from
// fixed noise, a latent interpolation strip and the classifier's scores.
// In:  init {arch} | arch {arch} | play | pause | reset | reroll {end: 0|1} | save | load {bytes}
// Out: ready | model | progress | samples | scores | saved | loaded | error | status
// (arch: 'mlp' or 'dcgan', digits-train.js's; a generator file of the other one switches to it)
import * as nn from '../../wasm/lean.js';
import { post, postError as postErrorAs, errorText, yieldNow, serialQueue, singleRun, fetchBytes } from '../worker-shared.js';
import { createGan, decodeDigits, noise, scoreDigits, checkClassifier, generatorArch, settings, PIXELS } from './digits-train.js';

const CHUNK_MS = 100; // target duration of one training chunk
// While training, the grid and strip refresh every SAMPLES_MS and the scores every SCORE_MS, or
// less often when they are slow (a busy CPU), so they take at most ~10% and ~5% of the time.
const SAMPLES_MS = 800;
const SCORE_MS = 5000;
const GRID = 64; // samples in the grid (8 x 8), from fixed noise
const STRIP = 10; // images in the interpolation strip, ends included
const SCORED = 1000; // generated digits the classifier reads for the scores
const GRID_SEED = 7, SCORE_SEED = 424242;

let gan = null;
let arch = 'mlp';
let classifier = null;
let pixels = null;
let playing = false;
let generation = 0;
let ends = [101, 202]; // the strip's end noise seeds
let run = null;

const now = () => performance.now();
const message = (err) => errorText(err).replace(/^nnplay: /, '');
const postError = (err, context) => postErrorAs(err, context, message);
const enqueue = serialQueue((err) => postError(err));

const fetchFile = (path, what) => fetchBytes(new URL(path, import.meta.url), what);

function resetRun() {
  run = { trainMs: 0, chunk: 2, window: { t: 0, steps: 0 }, rate: 0, nextSamples: 0, nextScore: 0, points: [], acc: { n: 0, dReal: 0, dFake: 0, g: 0 } };
}

function fresh() {
  gan?.dispose();
  gan = createGan(pixels, { seed: 1 + (generation % 1000), arch });
  generation++;
  resetRun();
}

// ---- views ----

/** Spherical interpolation between two noise vectors (Gaussian noise lives near a sphere; a
 *  straight line between two points would pass through unlikely, too-short vectors). */
function slerp(a, b, t) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))));
  const out = new Float32Array(a.length);
  if (omega < 1e-4) { for (let i = 0; i < a.length; i++) out[i] = a[i] + t * (b[i] - a[i]); return out; }
  const s = Math.sin(omega), wa = Math.sin((1 - t) * omega) / s, wb = Math.sin(t * omega) / s;
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wb * b[i];
  return out;
}

function stripNoise() {
  const L = gan.options.latent;
  const a = noise(1, ends[0], L), b = noise(1, ends[1], L);
  const z = new Float32Array(STRIP * L);
  for (let k = 0; k < STRIP; k++) z.set(slerp(a, b, k / (STRIP - 1)), k * L);
  return z;
}

const toBytes = (x) => Uint8Array.from(x, (v) => Math.round(v * 255));

function samples() {
  const t0 = now();
  const grid = gan.generate(noise(GRID, GRID_SEED, gan.options.latent));
  const read = scoreDigits(classifier, grid);
  const strip = gan.generate(stripNoise());
  const stripRead = scoreDigits(classifier, strip);
  const g = toBytes(grid), s = toBytes(strip);
  post({ type: 'samples', steps: gan.steps, grid: g, gridTop: read.top, gridP: read.p, strip: s, stripTop: stripRead.top, stripP: stripRead.p, ends },
    [g.buffer, s.buffer]);
  run.nextSamples = now() + Math.max(SAMPLES_MS, 9 * (now() - t0));
}

function scores() {
  const t0 = now();
  const s = scoreDigits(classifier, gan.generate(noise(SCORED, SCORE_SEED, gan.options.latent)));
  const judged = gan.judge(128);
  post({ type: 'scores', steps: gan.steps, trainMs: run.trainMs, n: s.n, confident: s.confident, digits: s.digits, perDigit: s.perDigit,
    dOnReal: judged.real, dOnFake: judged.fake, ms: now() - t0 });
  run.nextScore = now() + Math.max(SCORE_MS, 19 * (now() - t0));
}

function progress() {
  const a = run.acc;
  if (a.n) run.points.push([gan.steps, a.dReal / a.n, a.dFake / a.n, a.g / a.n]);
  run.acc = { n: 0, dReal: 0, dFake: 0, g: 0 };
  post({ type: 'progress', steps: gan.steps, trainMs: run.trainMs, rate: run.rate, points: run.points.splice(0), playing });
}

function refreshAll() {
  samples();
  scores();
  progress();
}

// ---- training ----

function trainChunk() {
  if (!playing) return;
  const t0 = now();
  const k = run.chunk;
  let sum = { dReal: 0, dFake: 0, g: 0 };
  for (let i = 0; i < k; i++) {
    const l = gan.train(1);
    sum.dReal += l.dReal; sum.dFake += l.dFake; sum.g += l.g;
  }
  const dt = now() - t0;
  run.trainMs += dt;
  run.acc.n += k; run.acc.dReal += sum.dReal; run.acc.dFake += sum.dFake; run.acc.g += sum.g;
  run.chunk = Math.max(1, Math.min(200, Math.round((k * CHUNK_MS) / Math.max(dt, 1))));
  // steps/s over the last second of training time (the refreshes and pauses left out, as in the bench)
  run.window.steps += k;
  const tw = run.trainMs - run.window.t;
  if (tw > 1000) { run.rate = (run.window.steps * 1000) / tw; run.window = { t: run.trainMs, steps: 0 }; }
  progress();
  if (now() > run.nextSamples) samples();
  if (now() > run.nextScore) scores();
}

const loop = singleRun(async () => {
  while (playing) {
    const g = generation;
    await enqueue(trainChunk);
    if (g !== generation) continue;
    await yieldNow(); // let pause, reroll, save and load in
  }
});

/** What the page shows of the networks. */
const modelInfo = () => ({ options: gan.options, gParams: gan.generator.countParams(), dParams: gan.discriminator.countParams() });

function setArch(a) {
  settings({ arch: a }); // refuses an unknown one by name
  arch = a;
}

// ---- messages ----

const handlers = {
  async init(msg) {
    setArch(msg.arch ?? 'mlp');
    await nn.ready();
    post({ type: 'status', message: 'Loading the digits and the classifier…' });
    const [data, model] = await Promise.all([fetchFile('../data/digits.nnds.gz', 'the digits'), fetchFile('../models/digits-cnn.nnplay', 'the classifier')]);
    pixels = decodeDigits(data).pixels;
    classifier = nn.loadModel(model);
    checkClassifier(classifier);
    fresh();
    post({ type: 'ready', simd: nn.info().simd, version: nn.version, count: pixels.length / PIXELS, ...modelInfo(), scored: SCORED });
    refreshAll();
  },
  arch(msg) {
    if (!gan) throw new Error('not ready yet');
    playing = false;
    setArch(msg.arch);
    fresh();
    post({ type: 'model', ...modelInfo() });
    refreshAll();
  },
  play() {
    if (!gan) throw new Error('not ready yet');
    playing = true;
    loop();
  },
  pause() {
    playing = false;
    if (gan) refreshAll();
  },
  reset() {
    playing = false;
    fresh();
    refreshAll();
  },
  reroll({ end }) {
    if (end !== 0 && end !== 1) throw new Error(`reroll: end must be 0 or 1, got ${end}`);
    ends = ends.slice();
    ends[end] = (Math.random() * 0x7fffffff) >>> 0;
    if (gan) samples();
  },
  save() {
    if (!gan) throw new Error('no generator yet');
    const bytes = gan.saveGenerator();
    post({ type: 'saved', bytes, steps: gan.steps }, [bytes.buffer]);
  },
  load({ bytes, name }) {
    if (!gan) throw new Error('not ready yet');
    const b = new Uint8Array(bytes);
    const kind = generatorArch(b, gan.options.latent);
    const switched = kind !== arch;
    if (switched) { // a generator of the other architecture: start a GAN of its kind, then load it
      setArch(kind);
      fresh();
      post({ type: 'model', ...modelInfo() });
    }
    gan.loadGenerator(b);
    post({ type: 'loaded', name, params: gan.generator.countParams(), switched, arch });
    refreshAll();
  },
};

self.onmessage = (e) => {
  const msg = e.data;
  const fn = Object.hasOwn(handlers, msg?.type) ? handlers[msg.type] : null; // not 'constructor' & co.
  if (!fn) return postError(`unknown message '${msg?.type}'`);
  if (msg.type === 'pause' || msg.type === 'reset' || msg.type === 'arch') playing = false; // at once, between chunks
  enqueue(async () => {
    try {
      await fn(msg);
    } catch (err) {
      postError(err, msg.type === 'load' ? 'cannot load this generator' : msg.type === 'init' ? 'cannot start' : msg.type === 'save' ? 'cannot save' : '');
      if (msg.type === 'play') playing = false;
    }
  });
};
