// The pages load the format converters (wasm/tfjs.js, wasm/onnx.js) at the first export or import
// that needs one, not with the page: a first visit does not fetch them, a click does, once. When
// the load fails (offline, a flaky host), the page's usual error line says so and the next click
// tries again. The downloads themselves are checked in formats.test.mjs and teach.test.mjs.
// Screenshots of the error lines: test-artifacts/lazy-converters-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withPage, artifactsDir, open as openPlayground } from './helpers.mjs';

const CONVERTER = /\/wasm\/(tfjs|onnx)\.js$/;

/** Count the page's (and its workers') requests for the converters: { tfjs: n, onnx: n }. */
function countConverters(page) {
  const seen = { tfjs: 0, onnx: 0 };
  page.context().on('request', (req) => {
    const m = new URL(req.url()).pathname.match(CONVERTER);
    if (m) seen[m[1]]++;
  });
  return seen;
}

/** Make the converter's module fail to load until the returned function is called. */
async function breakConverter(page, name) {
  const pattern = `**/wasm/${name}.js`;
  await page.context().route(pattern, (route) => route.abort('internetdisconnected'));
  return () => page.context().unroute(pattern);
}

async function download(page, selector, count = 1) {
  const got = [];
  const all = new Promise((resolve) => {
    const on = (dl) => { got.push(dl.suggestedFilename()); if (got.length === count) { page.off('download', on); resolve(); } };
    page.on('download', on);
  });
  await page.click(selector);
  await all;
  return got;
}

test('playground: no converter with the page; Export ONNX loads onnx.js only, once; a failed load is an error on the page and the next click retries', async () => {
  await withPage(async ({ page, url }) => {
    const seen = countConverters(page);
    await openPlayground(page, url);
    await page.waitForLoadState('networkidle');
    assert.deepEqual(seen, { tfjs: 0, onnx: 0 }, 'the page and its worker start without them');

    const repair = await breakConverter(page, 'onnx');
    await page.click('#export-onnx');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /^Could not export ONNX: the ONNX converter could not be loaded \(.+\)/);
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready', 'the page goes on');
    await page.screenshot({ path: path.join(artifactsDir(), 'lazy-converters-playground.png'), fullPage: true });
    await repair();
    assert.deepEqual(await download(page, '#export-onnx'), ['nnplay-model.onnx']);
    assert.deepEqual(await download(page, '#export-onnx'), ['nnplay-model.onnx']);
    assert.equal(seen.tfjs, 0);
    const onnxLoads = seen.onnx;
    assert.deepEqual(await download(page, '#export-tfjs', 2), ['nnplay-model.json', 'nnplay-model.weights.bin']);
    assert.deepEqual(await download(page, '#export-tfjs', 2), ['nnplay-model.json', 'nnplay-model.weights.bin']);
    assert.deepEqual(seen, { tfjs: 1, onnx: onnxLoads }, 'each loads once, then comes from the module map');
  });
});

test('images page: importing TF.js files when the converter cannot load says so on the page', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnplay-lazy-'));
  const files = [path.join(dir, 'm.json'), path.join(dir, 'm.weights.bin')];
  writeFileSync(files[0], JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['./m.weights.bin'], weights: [] }] }));
  writeFileSync(files[1], new Uint8Array(4));
  await withPage(async ({ page, url }) => {
    const seen = countConverters(page);
    await page.goto(new URL('web/images.html', url).href);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    assert.deepEqual(seen, { tfjs: 0, onnx: 0 });
    const repair = await breakConverter(page, 'tfjs');
    await page.setInputFiles('#tfjs-files', files);
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /^cannot load this model: the TF\.js converter could not be loaded/);
    await repair();
    // loaded now: the file's own problem is the message
    await page.setInputFiles('#tfjs-files', files);
    await page.waitForFunction(() => !/converter could not be loaded/.test(document.getElementById('error').textContent));
    assert.match(await page.textContent('#error'), /^cannot load this model: /);
  });
});

test('text page: Export ONNX when the converter cannot load says so in the tab\'s error line', async () => {
  await withPage(async ({ page, url }) => {
    const seen = countConverters(page);
    await page.goto(new URL('web/text.html', url).href);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    assert.deepEqual(seen, { tfjs: 0, onnx: 0 });
    const repair = await breakConverter(page, 'onnx');
    await page.click('#c-export-onnx');
    await page.waitForSelector('#c-error:not([hidden])');
    assert.match(await page.textContent('#c-error'), /^cannot export the model: the ONNX converter could not be loaded/);
    await page.screenshot({ path: path.join(artifactsDir(), 'lazy-converters-text.png') });
    await repair();
    await page.click('#c-export-onnx'); // loads now: the converter's own refusal of the masked GRU
    await page.waitForFunction(() => /toONNX: .*maskZero/.test(document.getElementById('c-error').textContent));
  });
});
