// digits-train.js - the digit GAN of web/gan-digits.html, through the JS API only, the same module in
// the page's Worker, in Node's tests and in the tuning script: a generator (noise -> 784 pixels in
// [-1, 1]) and a discriminator (784 pixels -> P(real)), either MLPs (the default) or a small DCGAN
// (transposed convolutions up from 7x7, strided convolutions down), trained by the Keras recipe
// (the discriminator compiled, frozen, then chained behind the generator), plus the scores of the
// images page's digit classifier and the generator's file checks.
//
//   const gan = createGan(images, { seed: 1 });   // images: decodeDigits(bytes).pixels
//   const losses = gan.train(10);                  // 10 steps: D on real, D on fake, G through D
//   const pics = gan.generate(noise(16, 7));       // Float32Array [16 * 784], ink in [0, 1]
//   const s = scoreDigits(classifier, pics);       // { confident, digits, perDigit, ... }
import * as nn from '../../wasm/lean.js';
import { seeded } from '../seeded.js';

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
/** The classifier's confidence a generated digit needs to count as read (the issue's figure). */
export const CONFIDENT = 0.9;

/**
 * The page's settings, tuned in Node with this module (bench/gan-digits-tune.mjs; the figures are in
 * bench/RESULTS.md, "Digit GAN"): the most digits the classifier reads confidently per step and
 * per second of this machine's wasm.
 *   latent: noise size; gUnits/dUnits: hidden widths; batch: samples per D and G step;
 *   lr, beta1: Adam's for both; smooth: the label for real digits in D's step (one-sided smoothing);
 *   alpha: leaky ReLU's slope; bn: batch normalization in the generator (momentum bnMomentum);
 *   ema: when > 0, samples come from a moving average of the generator's weights, updated every
 *   emaEvery steps as avg = b * avg + (1 - b) * weights (smooths G's step-to-step wobble), where
 *   b = min(ema, (1 + u) / (10 + u)) at the u-th update: a short memory while G changes fast.
 */
export const DEFAULTS = Object.freeze({
  arch: 'mlp', latent: 64, gUnits: [256, 512], dUnits: [512, 256], batch: 64, lr: 1e-3, beta1: 0.5, smooth: 0.9,
  alpha: 0.2, bn: true, bnMomentum: 0.8, ema: 0.97, emaEvery: 4, seed: 1,
  gBase: 32, gFilters: 32, dFilters: [16, 32],
});

/**
 * The DCGAN's settings over DEFAULTS (arch 'dcgan'): G is noise -> dense to a 7x7 x gBase image ->
 * conv2dTranspose(gFilters, 4x4, stride 2) to 14x14 -> conv2dTranspose(1, 4x4, stride 2, tanh) to
 * 28x28 (batch norm and leaky ReLU between); D is conv2d(dFilters[0], 4x4, stride 2) -> conv2d(
 * dFilters[1], 4x4, stride 2) (leaky ReLU) -> dense(1, sigmoid). Kernels of 4 at stride 2 cover
 * every output pixel equally (a 3x3 one leaves a checkerboard). Adam as the MLP's: its 1e-3 did
 * better here than the DCGAN paper's 2e-4 (600 steps, bench/gan-digits-tune.mjs: 32.6% read with
 * p >= 0.9 and 10/10 digits, against 28.9%). D's 16 and 32 filters run about 1.75x the steps per
 * second of 32 and 64 and read better at equal time (45.5% against 38.7%, side by side), though
 * worse per step.
 */
export const DCGAN = Object.freeze({ arch: 'dcgan' });
export const ARCHS = Object.freeze(['mlp', 'dcgan']);

/** The settings for `options` (their arch picks the base: DEFAULTS, or DEFAULTS with DCGAN). */
export function settings(options = {}) {
  const arch = options.arch ?? DEFAULTS.arch;
  if (!ARCHS.includes(arch)) throw new Error(`arch must be one of ${ARCHS.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(arch)}`);
  return { ...DEFAULTS, ...(arch === 'dcgan' ? DCGAN : {}), ...options };
}

/** Parse a .nnds file (tools/data.mjs, not gzipped) of 28x28 images: { count, labels, pixels (u8, 0 = background) }. */
export function decodeDigits(b) {
  const bytes = b instanceof Uint8Array ? b : new Uint8Array(b);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (bytes.length < 32 || magic !== 'NNPLAYDS') throw new Error('not an nnplay dataset file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const [version, count, rows, cols] = [0, 1, 2, 3].map((i) => dv.getUint32(8 + 4 * i, true));
  if (version !== 1) throw new Error(`dataset file version ${version} is not supported`);
  if (rows !== SIDE || cols !== SIDE) throw new Error(`images are ${rows}x${cols}; the digit GAN needs 28x28`);
  if (bytes.length !== 32 + count + count * PIXELS) throw new Error('dataset file is truncated');
  return { count, labels: bytes.subarray(32, 32 + count), pixels: bytes.subarray(32 + count) };
}

/** `n` noise vectors of the given size from a seed (Float32Array [n * latent], N(0, 1)). */
export function noise(n, seed, latent = DEFAULTS.latent) {
  return nn.random.normal([n, latent], { seed });
}

const checkUnits = (units, what) => {
  if (!Array.isArray(units) || !units.length || !units.every((u) => Number.isInteger(u) && u >= 1 && u <= 4096)) {
    throw new Error(`${what} must be a list of hidden layer widths (whole numbers 1..4096), got ${JSON.stringify(units)}`);
  }
};

const checkFilters = (n, what) => {
  if (!Number.isInteger(n) || n < 1 || n > 512) throw new Error(`${what} must be a whole number 1..512, got ${JSON.stringify(n)}`);
};

/** The DCGAN's generator: noise [latent] -> [7, 7, gBase] -> [14, 14, gFilters] -> [28, 28, 1] in [-1, 1]. */
function buildConvGenerator(o) {
  checkFilters(o.gBase, 'gBase');
  checkFilters(o.gFilters, 'gFilters');
  const norm = () => (o.bn ? [nn.layers.batchNormalization({ momentum: o.bnMomentum })] : []);
  const leaky = () => nn.layers.activation({ activation: 'leakyRelu', alpha: o.alpha });
  return nn.sequential({ seed: o.seed, layers: [
    nn.layers.dense({ inputShape: [o.latent], units: 7 * 7 * o.gBase, useBias: !o.bn }), ...norm(), leaky(),
    nn.layers.reshape({ targetShape: [7, 7, o.gBase] }),
    nn.layers.conv2dTranspose({ filters: o.gFilters, kernelSize: 4, strides: 2, padding: 'same', useBias: !o.bn }), ...norm(), leaky(),
    nn.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' }),
  ] });
}

/** The DCGAN's discriminator: [28, 28, 1] -> [14, 14, dFilters[0]] -> [7, 7, dFilters[1]] -> P(real). */
function buildConvDiscriminator(o) {
  if (!Array.isArray(o.dFilters) || o.dFilters.length !== 2) throw new Error(`dFilters must be two numbers of filters, got ${JSON.stringify(o.dFilters)}`);
  o.dFilters.forEach((f, i) => checkFilters(f, `dFilters[${i}]`));
  return nn.sequential({ seed: o.seed + 1, layers: [
    nn.layers.conv2d({ inputShape: [SIDE, SIDE, 1], filters: o.dFilters[0], kernelSize: 4, strides: 2, padding: 'same', activation: 'leakyRelu', alpha: o.alpha }),
    nn.layers.conv2d({ filters: o.dFilters[1], kernelSize: 4, strides: 2, padding: 'same', activation: 'leakyRelu', alpha: o.alpha }),
    nn.layers.flatten(),
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
}

/** The generator: noise [latent] -> dense layers (batch norm, leaky ReLU) -> 784 pixels in [-1, 1]
 *  (tanh); with arch 'dcgan' the convolutional one (output [28, 28, 1]). */
export function buildGenerator(o = DEFAULTS) {
  if (o.arch === 'dcgan') return buildConvGenerator(o);
  checkUnits(o.gUnits, 'gUnits');
  const layers = [];
  o.gUnits.forEach((units, i) => {
    const first = i === 0 ? { inputShape: [o.latent] } : {};
    if (o.bn) {
      layers.push(nn.layers.dense({ ...first, units, useBias: false }));
      layers.push(nn.layers.batchNormalization({ momentum: o.bnMomentum }));
      layers.push(nn.layers.activation({ activation: 'leakyRelu', alpha: o.alpha }));
    } else {
      layers.push(nn.layers.dense({ ...first, units, activation: 'leakyRelu', alpha: o.alpha }));
    }
  });
  layers.push(nn.layers.dense({ units: PIXELS, activation: 'tanh' }));
  return nn.sequential({ seed: o.seed, layers });
}

/** The discriminator: 784 pixels -> dense layers (leaky ReLU) -> P(real) (sigmoid); with arch
 *  'dcgan' the convolutional one (input [28, 28, 1]). */
export function buildDiscriminator(o = DEFAULTS) {
  if (o.arch === 'dcgan') return buildConvDiscriminator(o);
  checkUnits(o.dUnits, 'dUnits');
  const layers = o.dUnits.map((units, i) => nn.layers.dense({ ...(i === 0 ? { inputShape: [PIXELS] } : {}), units, activation: 'leakyRelu', alpha: o.alpha }));
  layers.push(nn.layers.dense({ units: 1, activation: 'sigmoid' }));
  return nn.sequential({ seed: o.seed + 1, layers });
}

/**
 * A digit GAN over `pixels` (u8 [count * 784], 0 = background, as decodeDigits gives them), with
 * DEFAULTS overridden by `options`. Returns an object whose methods train and sample; dispose() frees it.
 */
export function createGan(pixels, options = {}) {
  const o = settings(options);
  if (!(pixels instanceof Uint8Array) || pixels.length === 0 || pixels.length % PIXELS) {
    throw new Error(`createGan: pixels must be a Uint8Array of 28x28 images (a multiple of ${PIXELS} bytes)`);
  }
  if (!Number.isInteger(o.latent) || o.latent < 1 || o.latent > 1024) throw new Error(`latent must be a whole number 1..1024, got ${o.latent}`);
  if (!Number.isInteger(o.batch) || o.batch < 1 || o.batch > 1024) throw new Error(`batch must be a whole number 1..1024, got ${o.batch}`);
  const count = pixels.length / PIXELS;
  // the real digits in the generator's range, [-1, 1], once
  const real = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) real[i] = pixels[i] / 127.5 - 1;

  let generator = buildGenerator(o);
  const discriminator = buildDiscriminator(o);
  const adam = () => nn.train.adam(o.lr, o.beta1);
  discriminator.compile({ optimizer: adam(), loss: 'binaryCrossentropy' });
  discriminator.trainable = false;
  let gan = null;
  let average = null; // the moving average of G's weights, a model of G's shape (ema > 0)
  let updates = 0; // of the average, since it started
  const startAverage = () => {
    updates = 0;
    average?.dispose();
    average = null;
    if (!(o.ema > 0)) return;
    average = nn.loadModel(generator.save({ includeOptimizer: false })); // a copy, whatever G's layers
  };
  const chain = () => {
    gan?.dispose();
    gan = nn.sequential({ layers: [generator, discriminator] });
    gan.compile({ optimizer: adam(), loss: 'binaryCrossentropy' });
  };
  chain();
  startAverage();

  const B = o.batch;
  const pick = seeded(o.seed * 7919 + 13);
  const batchReal = new Float32Array(B * PIXELS);
  const realLabels = new Float32Array(B).fill(o.smooth);
  const fakeLabels = new Float32Array(B);
  const ones = new Float32Array(B).fill(1);
  let steps = 0;
  let noiseSeed = (o.seed * 1000003) >>> 0;

  const self = {
    options: o,
    get generator() { return generator; },
    discriminator,
    get steps() { return steps; },
    /**
     * `k` GAN steps: D on a batch of real digits (label `smooth`), D on a batch of fakes (label 0),
     * then G through the frozen D (label 1, the non-saturating loss). Returns the last step's
     * { dReal, dFake, g } losses.
     */
    train(k = 1) {
      let dReal = 0, dFake = 0, g = 0;
      for (let s = 0; s < k; s++) {
        for (let r = 0; r < B; r++) {
          const i = Math.floor(pick() * count);
          batchReal.set(real.subarray(i * PIXELS, (i + 1) * PIXELS), r * PIXELS);
        }
        dReal = discriminator.trainOnBatch(batchReal, realLabels);
        const z = nn.random.normal([B, o.latent], { seed: noiseSeed = (noiseSeed + 1) >>> 0 });
        dFake = discriminator.trainOnBatch(generator.predict(z), fakeLabels);
        g = gan.trainOnBatch(nn.random.normal([B, o.latent], { seed: noiseSeed = (noiseSeed + 1) >>> 0 }), ones);
        steps++;
        if (average && steps % o.emaEvery === 0) {
          const w = generator.getWeights(), a = average.getWeights();
          const u = ++updates;
          const keep = Math.min(o.ema, (1 + u) / (10 + u));
          for (let t = 0; t < a.length; t++) {
            const at = a[t], wt = w[t];
            for (let i = 0; i < at.length; i++) at[i] = keep * at[i] + (1 - keep) * wt[i];
          }
          average.setWeights(a);
        }
      }
      return { dReal, dFake, g };
    },
    /** The generator samples come from: the weights' moving average (ema > 0), else G itself. */
    get sampler() { return average ?? generator; },
    /** Generated digits for noise z (Float32Array [n * latent]): Float32Array [n * 784], ink in [0, 1]. */
    generate(z) {
      const y = (average ?? generator).predict(z);
      for (let i = 0; i < y.length; i++) y[i] = Math.min(1, Math.max(0, (y[i] + 1) / 2));
      return y;
    },
    /** D's mean output on n real digits and n generated ones: { real, fake } in [0, 1]. */
    judge(n = 256, seed = 5) {
      const r = seeded(seed);
      const x = new Float32Array(n * PIXELS);
      for (let k = 0; k < n; k++) {
        const i = Math.floor(r() * count);
        x.set(real.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
      }
      const mean = (p) => p.reduce((a, b) => a + b, 0) / p.length;
      return { real: mean(discriminator.predict(x)), fake: mean(discriminator.predict(generator.predict(noise(n, seed, o.latent)))) };
    },
    /** The file of the generator samples come from (model.save() bytes, without optimizer state:
     *  the GAN trains it through D). */
    saveGenerator() {
      return (average ?? generator).save({ includeOptimizer: false });
    },
    /** Replace the generator (and its average) by one from a file (checked by checkGenerator, and
     *  of this GAN's arch: see generatorArch); D keeps its weights. */
    loadGenerator(bytes) {
      const m = loadGenerator(bytes, o.latent);
      const arch = archOf(m);
      if (arch !== o.arch) {
        m.dispose();
        throw new Error(`this is ${arch === 'dcgan' ? 'a DCGAN' : 'an MLP'} generator; this GAN is ${o.arch === 'dcgan' ? 'a DCGAN' : 'an MLP'} (pick that architecture first)`);
      }
      generator.dispose();
      generator = m;
      chain();
      startAverage();
    },
    dispose() {
      average?.dispose();
      gan?.dispose();
      generator.dispose();
      discriminator.dispose();
      gan = null;
    },
  };
  return self;
}

/**
 * A generator from file bytes, checked: a model taking `latent` noise values and giving 784 values
 * in [-1, 1] (a tanh output), else an error saying what the file holds instead. Returns the model.
 */
export function loadGenerator(bytes, latent = DEFAULTS.latent) {
  let m;
  try {
    m = nn.loadModel(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  } catch (err) {
    throw new Error(`not an nnplay model file (${String(err.message || err).replace(/^nnplay: /, '')})`);
  }
  try {
    checkGenerator(m, latent);
  } catch (err) {
    m.dispose();
    throw err;
  }
  return m;
}

/** The architecture of generator m: 'dcgan' when it gives images [28, 28, 1], else 'mlp' (784 values). */
const archOf = (m) => (m.outputShape.length === 3 ? 'dcgan' : 'mlp');

/** The architecture ('mlp' or 'dcgan') of the generator in file bytes, checked as loadGenerator does. */
export function generatorArch(bytes, latent = DEFAULTS.latent) {
  const m = loadGenerator(bytes, latent);
  try {
    return archOf(m);
  } finally {
    m.dispose();
  }
}

/** Throw unless model m is a digit generator for `latent` noise values (see loadGenerator). */
export function checkGenerator(m, latent = DEFAULTS.latent) {
  const shape = (s) => `[${s.join(', ')}]`;
  if (m.outputSize === 1 && m.inputSize === PIXELS) throw new Error('this is a discriminator (784 pixels in, 1 out), not a generator');
  if (m.inputSize === PIXELS && m.outputSize === 10) throw new Error('this is a digit classifier (784 pixels in, 10 classes out), not a generator');
  if (m.inputShape.length !== 1 || m.inputSize !== latent) {
    throw new Error(`a generator here takes ${latent} noise values; this model takes ${shape(m.inputShape)}`);
  }
  const o = m.outputShape;
  if (m.outputSize !== PIXELS) throw new Error(`a generator here gives 784 pixels (28x28); this model gives ${shape(o)}`);
  if (!(o.length === 1 || (o.length === 3 && o[0] === SIDE && o[1] === SIDE))) {
    throw new Error(`a generator here gives 784 pixels as [784] (MLP) or [28, 28, 1] (DCGAN); this model gives ${shape(o)}`);
  }
  const last = m.layers[m.layers.length - 1];
  if ((last.activation ?? 'linear') !== 'tanh') throw new Error(`a generator here ends in tanh (pixels in [-1, 1]); this model ends in ${last.activation ?? last.type}`);
}

/**
 * The classifier's reading of generated digits (Float32Array [n * 784], ink in [0, 1]):
 * { n, confident (share read with p >= 0.9), digits (how many of 0..9 appear among those),
 *   perDigit (counts of confident reads per digit), top (the digit read for each), p (its probability) }.
 */
export function scoreDigits(classifier, images) {
  const n = images.length / PIXELS;
  const probs = classifier.predict(images);
  const k = probs.length / n;
  const perDigit = new Array(k).fill(0);
  const top = new Uint8Array(n);
  const p = new Float32Array(n);
  let confident = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    top[i] = best;
    p[i] = probs[i * k + best];
    if (p[i] >= CONFIDENT) { confident++; perDigit[best]++; }
  }
  return { n, confident: n ? confident / n : 0, digits: perDigit.filter((c) => c > 0).length, perDigit, top, p };
}

/** Check that m is a digit classifier (28x28 in, 10 probabilities out). */
export function checkClassifier(m) {
  if (m.inputSize !== PIXELS || m.outputSize !== 10) throw new Error(`the classifier must take 28x28 images and give 10 probabilities; this one is ${m.inputSize} -> ${m.outputSize}`);
}
