// Train the model the images page ships (web/models/digits-cnn.nnplay; `mlp` makes
// digits-mlp.nnplay for comparison, not shipped), with the JS API in Node,
// on the same 10k MNIST digits and the same split as the page (tools/data.mjs: 8k train, of which
// the last 10% validate, and 2k test). Fixed seeds: the same build reproduces the same file.
// Usage: node tools/train-digits.mjs [cnn|mlp] [--epochs N]
// The file holds weights only (no optimizer state): the page compiles it with Adam when loaded.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, isMain, main } from './util.mjs';
import { digitsDataset } from './data.mjs';

// Same names as web/images.js's presets.
export const ARCHS = {
  mlp: {
    inputShape: [784],
    layers: [['dense', { units: 128, activation: 'relu' }], ['dense', { units: 10, activation: 'softmax' }]],
    epochs: 12,
  },
  cnn: { // the page's "small CNN"
    inputShape: [28, 28, 1],
    layers: [
      ['conv2d', { filters: 8, kernelSize: 5, activation: 'relu' }], ['maxPooling2d', { poolSize: 2 }],
      ['conv2d', { filters: 16, kernelSize: 5, activation: 'relu' }], ['maxPooling2d', { poolSize: 2 }],
      ['flatten', {}], ['dense', { units: 10, activation: 'softmax' }],
    ],
    epochs: 20,
    augment: { shift: 2 }, // random shifts: drawn digits are never centred quite like MNIST's
  },
};

function makeModel(nn, arch, seed) {
  const a = ARCHS[arch];
  return nn.sequential({
    seed,
    layers: a.layers.map(([type, opts], i) => {
      if (typeof nn.layers[type] !== 'function') throw new Error(`nn.layers.${type} is missing: ${arch} needs it`);
      return nn.layers[type](i === 0 ? { ...opts, inputShape: a.inputShape } : opts);
    }),
  });
}

function toFloat(ds, from, to) {
  const n = to - from;
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) x[i] = ds.pixels[from * 784 + i] / 255;
  return { x, y: Float32Array.from(ds.labels.subarray(from, to)), n };
}

export async function trainDigits({ arch = 'cnn', epochs, seed = 5, out = path.join(ROOT, 'web', 'models'), log = console.log } = {}) {
  if (!ARCHS[arch]) throw new Error(`unknown architecture '${arch}' (known: ${Object.keys(ARCHS).join(', ')})`);
  const nn = await import('../wasm/nnplay.js');
  await nn.ready();
  const ds = digitsDataset();
  const nVal = Math.round(ds.trainCount * 0.1);
  const train = toFloat(ds, 0, ds.trainCount - nVal);
  const val = toFloat(ds, ds.trainCount - nVal, ds.trainCount);
  const test = toFloat(ds, ds.trainCount, ds.labels.length);
  const model = makeModel(nn, arch, seed);
  model.compile({ optimizer: nn.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const t0 = performance.now();
  await model.fit(train.x, train.y, {
    epochs: epochs ?? ARCHS[arch].epochs, batchSize: 32, validationData: [val.x, val.y],
    ...(ARCHS[arch].augment ? { augment: ARCHS[arch].augment } : {}),
    callbacks: { onEpochEnd: (e, l) => log(`train-digits: ${arch} epoch ${e + 1}: loss ${l.loss.toFixed(4)} acc ${l.accuracy.toFixed(4)} val_acc ${l.val_accuracy.toFixed(4)}`) },
  });
  const seconds = (performance.now() - t0) / 1000;
  const result = { arch, train: model.evaluate(train.x, train.y).accuracy, val: model.evaluate(val.x, val.y).accuracy,
    test: model.evaluate(test.x, test.y).accuracy, seconds };
  // Weights only: an uncompiled copy saves no optimizer state (a third of an Adam-trained file).
  const copy = makeModel(nn, arch, seed);
  copy.setWeights(model.getWeights());
  const check = copy.predict(test.x.subarray(0, 784 * 10));
  const ref = model.predict(test.x.subarray(0, 784 * 10));
  if (check.some((v, i) => Math.abs(v - ref[i]) > 1e-6)) throw new Error('the weights-only copy predicts differently');
  const bytes = copy.save();
  mkdirSync(out, { recursive: true });
  const file = path.join(out, `digits-${arch}.nnplay`);
  writeFileSync(file, bytes);
  model.dispose();
  copy.dispose();
  log(`train-digits: ${path.relative(ROOT, file)} (${bytes.length} bytes): train ${(100 * result.train).toFixed(2)}%, ` +
    `validation ${(100 * result.val).toFixed(2)}%, test ${(100 * result.test).toFixed(2)}% (2000 digits), ${seconds.toFixed(1)} s`);
  return { ...result, file, bytes: bytes.length };
}

if (isMain(import.meta.url)) {
  main('train-digits', async () => {
    const args = process.argv.slice(2);
    const e = args.indexOf('--epochs');
    await trainDigits({ arch: args.find((a) => ARCHS[a]) || 'cnn', epochs: e >= 0 ? Number(args[e + 1]) : undefined });
  });
}
