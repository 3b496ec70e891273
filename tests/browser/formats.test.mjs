// Models in and out of the pages in other formats: "Export for TensorFlow.js / Keras" and "Export
// ONNX" on the playground, the images page and both tabs of the text page, their downloads read by
// the real TF.js (in Node) and onnxruntime-node; "Import TF.js model" on the playground and the
// images page, with a model built in TF.js, and the pairs or models a page cannot use.
// Screenshots: test-artifacts/formats-*.png (desktop and a 390x844 phone).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import * as nn from '../../wasm/nnplay.js';
import { withPage, artifactsDir, open as openPlayground } from './helpers.mjs';

let tf;
before(async () => {
  tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await nn.ready();
});

const PHONE = { width: 390, height: 844 };

/** Click selector and collect the `count` downloads it starts: [{ name, bytes }] in their order. */
async function downloadsOf(page, selector, count) {
  const got = [];
  const all = new Promise((resolve) => {
    const on = async (dl) => {
      got.push(dl);
      if (got.length === count) { page.off('download', on); resolve(); }
    };
    page.on('download', on);
  });
  await page.click(selector);
  await all;
  return Promise.all(got.map(async (dl) => ({ name: dl.suggestedFilename(),
    bytes: new Uint8Array(await (await import('node:fs/promises')).readFile(await dl.path())) })));
}

/** The TF.js pair as tf.loadLayersModel reads it, after checking that model.json names the .bin it came with. */
async function tfModelOf([jsonFile, binFile]) {
  assert.match(jsonFile.name, /\.json$/);
  const json = JSON.parse(new TextDecoder().decode(jsonFile.bytes));
  assert.deepEqual(json.weightsManifest.map((g) => g.paths), [[`./${binFile.name}`]]);
  const bytes = binFile.bytes;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights, weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) }));
}

/** Predictions of a TF.js model and an nnplay model on the same rows agree to 1e-5. */
function assertSamePredictions(tfModel, model, x, shape) {
  const n = x.length / shape.reduce((a, b) => a * b, 1);
  const want = model.predict(x);
  const t = tf.tensor(x, [n, ...shape]);
  const got = tfModel.predict(t).dataSync();
  t.dispose();
  assert.equal(got.length, want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  assert.ok(worst <= 1e-5, `largest difference ${worst}`);
}

/** An ONNX download that onnxruntime loads and runs on n rows of `shape`, giving [n, outputs]. */
async function assertOnnxRuns(file, shape, outputs) {
  assert.match(file.name, /\.onnx$/);
  const session = await ort.InferenceSession.create(file.bytes);
  const n = 3;
  const x = new Float32Array(n * shape.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i) * 0.5);
  const { output } = await session.run({ input: new ort.Tensor('float32', x, [n, ...shape]) });
  assert.deepEqual(output.dims, [n, outputs]);
  assert.ok(output.data.every(Number.isFinite));
}

/** A TF.js model saved as TF.js's files are (model.json naming its weights file), into a temp folder: [jsonPath, binPath]. */
async function tfjsFiles(tfModel, name) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnplay-tfjs-'));
  let art;
  await tfModel.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const bin = `${name}.weights.bin`;
  const json = { modelTopology: art.modelTopology, format: art.format, generatedBy: art.generatedBy, convertedBy: art.convertedBy,
    weightsManifest: [{ paths: [`./${bin}`], weights: art.weightSpecs }] };
  const files = [path.join(dir, `${name}.json`), path.join(dir, bin)];
  writeFileSync(files[0], JSON.stringify(json));
  writeFileSync(files[1], new Uint8Array(art.weightData));
  return files;
}

const rows = (n, k, scale = 1) => new Float32Array(n * k).map((_, i) => scale * Math.sin(1.7 * i + 0.3));

/** The buttons stay inside the page's width (no horizontal scrolling) and inside their toolbar. */
async function assertFits(page, toolbar, ids) {
  const width = await page.evaluate(() => document.documentElement.clientWidth);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), 'no horizontal overflow');
  const bar = await page.locator(toolbar).boundingBox();
  for (const id of ids) {
    const b = await page.locator(id).boundingBox();
    assert.ok(b && b.x >= 0 && b.x + b.width <= width + 0.5, `${id} within the page`);
    assert.ok(b.x >= bar.x - 0.5 && b.x + b.width <= bar.x + bar.width + 0.5, `${id} within its toolbar`);
  }
}

// ---- the playground ----

test('playground: TF.js and ONNX exports load in TF.js and onnxruntime with the page\'s predictions; a layer TF.js cannot express is refused', async () => {
  await withPage(async ({ page, url, errors }) => {
    await openPlayground(page, url);
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) > 20, null, { timeout: 20_000 });
    await page.click('#play');
    await page.waitForSelector('body[data-state="paused"]');

    const [own] = await downloadsOf(page, '#export-model', 1);
    const model = nn.loadModel(own.bytes);
    const pair = await downloadsOf(page, '#export-tfjs', 2);
    assert.deepEqual(pair.map((f) => f.name), ['nnplay-model.json', 'nnplay-model.weights.bin']);
    assert.match(await page.textContent('#io-status'), /Exported nnplay-model\.json \(.* bytes\) and nnplay-model\.weights\.bin/);
    const tfModel = await tfModelOf(pair);
    assert.deepEqual(tfModel.inputs[0].shape, [null, 2]);
    assert.deepEqual(tfModel.outputs[0].shape, [null, 1]);
    assertSamePredictions(tfModel, model, rows(16, 2, 5), [2]);

    const [onnx] = await downloadsOf(page, '#export-onnx', 1);
    assert.equal(onnx.name, 'nnplay-model.onnx');
    await assertOnnxRuns(onnx, [2], 1);
    model.dispose();

    // leakyRelu inside Dense has no TF.js form: the converter's message, and the page goes on
    await page.selectOption('#activation', 'leakyRelu');
    await page.click('#export-tfjs');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /^Could not export for TensorFlow\.js: nnplay: toTfjs: .*leakyRelu/);
    const [onnx2] = await downloadsOf(page, '#export-onnx', 1); // ONNX has LeakyRelu
    await assertOnnxRuns(onnx2, [2], 1);
    assert.deepEqual(errors, []);
  });
});

test('playground: a TF.js model.json + .bin is imported and used; a lone .json or a model that does not fit is refused and the page keeps its model', async () => {
  const tfModel = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [2], units: 6, activation: 'tanh' }),
    tf.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  const files = await tfjsFiles(tfModel, 'circle');
  const threeClasses = await tfjsFiles(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3, activation: 'softmax' })] }), 'three');
  const linearOut = await tfjsFiles(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] }), 'linear');

  await withPage(async ({ page, url, errors }) => {
    await openPlayground(page, url);
    await page.setInputFiles('#tfjs-files', files);
    await page.waitForFunction(() => /Imported a TF\.js model/.test(document.getElementById('io-status').textContent), null, { timeout: 10_000 });
    assert.match(await page.textContent('#io-status'), /Imported a TF\.js model with 2 inputs and 2 layers/);
    assert.equal(await page.isVisible('#error'), false);
    assert.equal(await page.textContent('#epoch'), '0');
    // the page's model is TF.js's: same predictions
    const [own] = await downloadsOf(page, '#export-model', 1);
    const model = nn.loadModel(own.bytes);
    assertSamePredictions(tfModel, model, rows(16, 2, 5), [2]);
    model.dispose();
    await page.screenshot({ path: path.join(artifactsDir(), 'formats-playground.png'), fullPage: true });

    // the .json alone
    await page.setInputFiles('#tfjs-files', files[0]);
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /^Could not read the TF\.js model: circle\.json needs its weights file circle\.weights\.bin: pick both files at once/);
    // the .bin alone
    await page.setInputFiles('#tfjs-files', files[1]);
    await page.waitForFunction(() => /no \.json file/.test(document.getElementById('error').textContent));
    // not JSON at all
    const notJson = path.join(path.dirname(files[0]), 'model.json');
    writeFileSync(notJson, '<html>');
    await page.setInputFiles('#tfjs-files', [notJson, files[1]]);
    await page.waitForFunction(() => /model\.json is not valid JSON/.test(document.getElementById('error').textContent));
    // three softmax outputs for two classes, a linear output for classes
    await page.setInputFiles('#tfjs-files', threeClasses);
    await page.waitForFunction(() => /Could not import the TF\.js model: the model has 3 outputs, but this data set needs 1/.test(document.getElementById('error').textContent));
    await page.setInputFiles('#tfjs-files', linearOut);
    await page.waitForFunction(() => /Could not import the TF\.js model: the model's output ends in linear/.test(document.getElementById('error').textContent));

    // the imported model is still the page's, and it trains
    const [still] = await downloadsOf(page, '#export-model', 1);
    const kept = nn.loadModel(still.bytes);
    assertSamePredictions(tfModel, kept, rows(4, 2), [2]);
    kept.dispose();
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) > 10, null, { timeout: 10_000 });
    await page.click('#play');
    assert.deepEqual(errors, []);
  });
});

test('playground: the export and import buttons fit the toolbar on a phone', async () => {
  await withPage(async ({ page, url }) => {
    await openPlayground(page, url);
    const ids = ['#export-model', '#export-tfjs', '#export-onnx', 'label[for="tfjs-files"]', '#save-png'];
    await assertFits(page, '.io-buttons', ids);
    await page.locator('.io-buttons').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(artifactsDir(), 'formats-playground-390.png') });
  }, { viewport: PHONE });
});

// ---- the images page ----

async function openImages(page, url) {
  await page.goto(new URL('web/images.html', url).href);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
}

test('images page: the pretrained CNN exports for TF.js (same predictions) and ONNX; a TF.js model is imported; bad pairs and shapes are refused', async () => {
  const tfModel = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 16, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  const files = await tfjsFiles(tfModel, 'mlp');
  const sigmoidOut = await tfjsFiles(tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'sigmoid' })] }), 'sig');
  const wrongShape = await tfjsFiles(tf.sequential({ layers: [tf.layers.flatten({ inputShape: [1, 784] }),
    tf.layers.dense({ units: 10, activation: 'softmax' })] }), 'row');

  await withPage(async ({ page, url, errors }) => {
    await openImages(page, url);
    const [own] = await downloadsOf(page, '#save', 1);
    const model = nn.loadModel(own.bytes);
    const pair = await downloadsOf(page, '#export-tfjs', 2);
    assert.deepEqual(pair.map((f) => f.name), ['digits-model.json', 'digits-model.weights.bin']);
    const cnn = await tfModelOf(pair);
    assert.deepEqual(cnn.inputs[0].shape, [null, 28, 28, 1]);
    assert.deepEqual(cnn.outputs[0].shape, [null, 10]);
    assertSamePredictions(cnn, model, rows(3, 784).map(Math.abs), [28, 28, 1]);
    model.dispose();
    const [onnx] = await downloadsOf(page, '#export-onnx', 1);
    assert.equal(onnx.name, 'digits-model.onnx');
    await assertOnnxRuns(onnx, [28, 28, 1], 10);
    assert.match(await page.textContent('#status'), /Exported digits-model\.onnx/);

    await page.setInputFiles('#tfjs-files', files);
    await page.waitForFunction(() => /imported from TF\.js files/.test(document.getElementById('model-info').textContent), null, { timeout: 10_000 });
    assert.match(await page.textContent('#model-info'), /12,730 parameters, 2 layers/);
    assert.equal(await page.isVisible('#error'), false);
    const [mine] = await downloadsOf(page, '#save', 1);
    const imported = nn.loadModel(mine.bytes);
    assertSamePredictions(tfModel, imported, rows(3, 784).map(Math.abs), [784]);
    imported.dispose();

    await page.setInputFiles('#tfjs-files', files[0]);
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /^cannot load this model: mlp\.json needs its weights file mlp\.weights\.bin: pick both files at once/);
    await page.setInputFiles('#tfjs-files', sigmoidOut);
    await page.waitForFunction(() => /output ends in sigmoid; it needs softmax/.test(document.getElementById('error').textContent));
    await page.setInputFiles('#tfjs-files', wrongShape);
    await page.waitForFunction(() => /input is \[1, 784\]; this page feeds images as \[28, 28, 1\] or \[784\]/.test(document.getElementById('error').textContent));
    assert.match(await page.textContent('#model-info'), /imported from TF\.js files/); // still the page's model

    // and it trains
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('steps').textContent.replace(/,/g, '')) > 20, null, { timeout: 20_000 });
    await page.click('#play');
    await page.screenshot({ path: path.join(artifactsDir(), 'formats-images.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });
});

test('images page: the buttons fit the toolbar on a phone', async () => {
  await withPage(async ({ page, url }) => {
    await openImages(page, url);
    await assertFits(page, '.run.io', ['#save', '#export-tfjs', '#export-onnx', 'label[for="tfjs-files"]', '#pretrained']);
    await page.screenshot({ path: path.join(artifactsDir(), 'formats-images-390.png') });
  }, { viewport: PHONE });
});

// ---- the text page ----

test('text page: both tabs export for TF.js; ONNX refuses the masked recurrent layers with the converter\'s message', async () => {
  await withPage(async ({ page, url, errors }) => {
    await page.goto(new URL('web/text.html', url).href);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    const pair = await downloadsOf(page, '#c-export-tfjs', 2);
    assert.deepEqual(pair.map((f) => f.name), ['spam-model.json', 'spam-model.weights.bin']);
    const json = JSON.parse(new TextDecoder().decode(pair[0].bytes));
    assert.deepEqual(json.modelTopology.config.layers.map((l) => l.class_name), ['Embedding', 'GRU', 'Dense']);
    assert.ok(nn.loadTfjs && (await nn.loadTfjs(pair.map((f) => f.bytes))).countParams() > 0, 'nnplay reads it back');
    await page.click('#c-export-onnx');
    await page.waitForSelector('#c-error:not([hidden])');
    assert.match(await page.textContent('#c-error'), /^cannot export the model: toONNX: .*maskZero/);

    await page.click('#tab-generate');
    await page.waitForSelector('body[data-generate="ready"]', { timeout: 60_000 });
    const chars = await downloadsOf(page, '#g-export-tfjs', 2);
    assert.deepEqual(chars.map((f) => f.name), ['tang-model.json', 'tang-model.weights.bin']);
    // clipNorm has no place in TF.js's training config: left out, and said so
    assert.match(await page.textContent('#g-status'), /Exported tang-model\.json .*; the training settings were left out \(.*clipNorm/);
    await page.click('#g-export-onnx');
    await page.waitForSelector('#g-error:not([hidden])');
    assert.match(await page.textContent('#g-error'), /^cannot export the model: toONNX: .*maskZero/);
    assert.deepEqual(errors, []);
  });
});

test('text page: the buttons fit both toolbars on a phone', async () => {
  await withPage(async ({ page, url }) => {
    await page.goto(new URL('web/text.html', url).href);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    await assertFits(page, '#panel-classify .run.io', ['#c-save', '#c-export-tfjs', '#c-export-onnx', 'label[for="c-file"]', '#c-shipped']);
    await page.screenshot({ path: path.join(artifactsDir(), 'formats-text-390.png') });
    await page.click('#tab-generate');
    await page.waitForSelector('body[data-generate="ready"]', { timeout: 60_000 });
    await assertFits(page, '#panel-generate .run.io', ['#g-save', '#g-export-tfjs', '#g-export-onnx', 'label[for="g-file"]', '#g-shipped']);
  }, { viewport: PHONE });
});
