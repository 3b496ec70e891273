// The images page's Compress panel (web/images/compress.js, compress-worker.js) in headless
// Chromium: the pretrained digits model pruned to 50% and 80% reports that sparsity per layer,
// keeps its accuracy at 50%, its files shrink (int8 to about a quarter), the curves get their
// points, the weights are drawn with their zeros, the downloaded file loads with nnplay, Restore
// brings the original back, and the panel fits a phone. Screenshots: test-artifacts/compress*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as nn from '../../wasm/nnplay.js';
import { withPage, artifactsDir, downloadOf } from './helpers.mjs';

const PRUNE_TIMEOUT = 120_000;

async function open(page, url) {
  await page.goto(new URL('web/images.html', url).href);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
  await page.waitForFunction(() => !document.getElementById('c-prune').disabled, null, { timeout: 10_000 });
}

/** Set the slider, press Prune, wait for the page to have the result as its model. */
async function prune(page, percent) {
  await page.locator('#c-sparsity').fill(String(percent));
  assert.equal(await page.textContent('#c-sparsity-out'), `${percent}%`);
  await page.click('#c-prune');
  await page.waitForFunction((p) => {
    const row = document.querySelector('#c-sizes tr[data-row="pruned"]');
    return row && row.querySelector('th').textContent.includes(`Pruned to ${p}`) &&
      document.getElementById('compress').dataset.busy === 'false';
  }, `${percent}.`, { timeout: PRUNE_TIMEOUT });
}

/** The sizes table: { original, 'original-int8', pruned, 'pruned-int8' } -> { accuracy, bytes, gzip }. */
const sizes = (page) => page.$$eval('#c-sizes tr[data-row]', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.row, {
  accuracy: Number(r.querySelector('[data-accuracy]').dataset.accuracy),
  bytes: Number(r.querySelector('[data-bytes]').dataset.bytes),
  gzip: Number(r.querySelector('[data-gzip]').dataset.gzip),
}])));

const layerSparsity = (page) => page.$$eval('#c-layers tr[data-layer]', (rows) => rows.map((r) => ({
  name: r.dataset.layer, before: Number(r.dataset.before), after: Number(r.dataset.after) })));

/** Pixels of a canvas: how many are the pruned colour (#222), coloured (weights), and its size. */
const pixels = (page, sel) => page.locator(sel).evaluate((c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let zeros = 0;
  let coloured = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] === 34 && d[i + 1] === 34 && d[i + 2] === 34) zeros++;
    else if (!(d[i] === 255 && d[i + 1] === 255 && d[i + 2] === 255)) coloured++;
  }
  return { zeros, coloured, width: c.width, height: c.height };
});

/** The curve's points, from the table under the charts (also reported as test diagnostics). */
const curve = (page) => page.$$eval('#c-curve tr[data-point]', (rows) => rows.map((r) => JSON.parse(r.dataset.point)));
const show = (points) => points.map((p) => `${(100 * p.sparsity).toFixed(1)}%: acc ${(100 * p.acc).toFixed(1)}% (int8 ${(100 * p.accInt8).toFixed(1)}%), ` +
  `${p.bytes} B (int8 ${p.bytesInt8} B)`).join('; ');

test('compress panel: prune the pretrained digits model to 50% and 80%, int8, curves, weights, download, restore', async (t) => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    assert.match(await page.textContent('#model-info'), /pretrained digits model/);
    const acc0 = Number((await page.textContent('#test-acc')).replace('%', '')) / 100;

    await prune(page, 50);
    let s = await sizes(page);
    assert.ok(Math.abs(s.original.accuracy - acc0) < 0.001, `original accuracy as the page's test set (${s.original.accuracy} vs ${acc0})`);
    for (const l of await layerSparsity(page)) {
      assert.equal(l.before, 0, `${l.name} has no zeros before`);
      assert.ok(Math.abs(l.after - 0.5) < 0.02, `${l.name} at ${l.after} after pruning to 50%`);
    }
    assert.ok(s.pruned.accuracy > s.original.accuracy - 0.03, `50% sparse: ${s.pruned.accuracy} vs ${s.original.accuracy}`);
    assert.ok(s['pruned-int8'].accuracy > s.original.accuracy - 0.04, `50% sparse int8: ${s['pruned-int8'].accuracy}`);
    assert.ok(s.pruned.bytes < s.original.bytes, `sparse file smaller (${s.pruned.bytes} < ${s.original.bytes})`);
    const q = s.original.bytes / s['original-int8'].bytes;
    assert.ok(q > 3 && q < 4.2, `int8 file about a quarter (${s['original-int8'].bytes} of ${s.original.bytes}: ${q.toFixed(2)}x)`);
    assert.ok(s['pruned-int8'].bytes < s['original-int8'].bytes, 'pruned int8 smaller than int8');
    assert.ok(s.original.gzip > 0 && s.original.gzip < s.original.bytes, 'gzip sizes shown');
    const at50 = s;
    // the page uses the pruned model now: its test report agrees with the panel
    assert.match(await page.textContent('#model-info'), /compressed/);
    await page.waitForFunction((a) => document.getElementById('test-acc').textContent === `${(100 * a).toFixed(1)}%`, s.pruned.accuracy);

    await prune(page, 80);
    s = await sizes(page);
    for (const l of await layerSparsity(page)) assert.ok(Math.abs(l.after - 0.8) < 0.02, `${l.name} at ${l.after} after pruning to 80%`);
    assert.ok(s.pruned.accuracy > 0.85, `80% sparse still reads digits (${s.pruned.accuracy})`);
    assert.ok(s.pruned.bytes < at50.pruned.bytes && s['pruned-int8'].bytes < at50['pruned-int8'].bytes, 'files shrink as sparsity rises');
    assert.ok(s['pruned-int8'].bytes < s.original.bytes / 5, `80% + int8 well under a fifth (${s['pruned-int8'].bytes} of ${s.original.bytes})`);
    assert.equal(await page.getAttribute('#c-acc-chart', 'data-points'), '3', 'curve: the original, 50% and 80%');
    assert.equal(await page.getAttribute('#c-size-chart', 'data-points'), '3');
    const pts = await curve(page);
    t.diagnostic(`curve: ${show(pts)}`);
    assert.deepEqual(pts.map((p) => Math.round(p.sparsity * 100)), [0, 50, 80]);
    assert.ok(pts[0].bytes > pts[1].bytes && pts[1].bytes > pts[2].bytes, 'the size curve falls');

    // the weights: before has no zeros, after shows them, both with coloured weights
    const before = await pixels(page, '#c-conv-before');
    const after = await pixels(page, '#c-conv-after');
    assert.ok(before.width > 50 && before.coloured > 100 && before.zeros === 0, `conv before ${JSON.stringify(before)}`);
    assert.ok(after.coloured > 20 && after.zeros > after.coloured, `conv after, mostly pruned ${JSON.stringify(after)}`);
    const dense = await pixels(page, '#c-dense-after');
    assert.ok(dense.width >= 256 && dense.zeros > 2 * dense.coloured && dense.coloured > 0, `dense after ${JSON.stringify(dense)}`);

    await page.locator('#compress').screenshot({ path: path.join(artifactsDir(), 'compress.png') });

    // int8: the page switches to the quantized model; the download loads with nnplay
    await page.check('#c-int8');
    await page.waitForFunction(() => document.querySelector('#c-sizes tr[data-row="pruned-int8"]').classList.contains('in-use') &&
      document.getElementById('compress').dataset.busy === 'false', null, { timeout: 20_000 });
    // the "after" pictures are the int8 file's weights now, and say so
    assert.match(await page.textContent('#c-conv-after-label'), /^after \(80% sparse, int8\)$/);
    assert.match(await page.textContent('#c-dense-after-label'), /int8\)$/);
    const afterInt8 = await pixels(page, '#c-conv-after');
    assert.ok(afterInt8.coloured > 20 && afterInt8.zeros > afterInt8.coloured, `conv after, int8 ${JSON.stringify(afterInt8)}`);
    const dl = await downloadOf(page, '#c-download');
    assert.match(dl.name, /^digits-pruned80-int8\.nnplay$/);
    assert.equal(dl.bytes.length, s['pruned-int8'].bytes);
    await nn.ready();
    const m = nn.loadModel(new Uint8Array(dl.bytes));
    try {
      assert.equal(m.countParams(), 5994);
      for (const l of nn.pruning.sparsity(m)) assert.ok(Math.abs(l.sparsity - 0.8) < 0.02, `downloaded ${l.name} at ${l.sparsity}`);
      assert.equal(m.predict(new Float32Array(784)).length, 10);
    } finally {
      m.dispose();
    }

    // restore: the pretrained model again, with its accuracy
    await page.click('#c-restore');
    await page.waitForFunction(() => /pretrained digits model/.test(document.getElementById('model-info').textContent), null, { timeout: 20_000 });
    await page.waitForFunction((a) => document.getElementById('test-acc').textContent === `${(100 * a).toFixed(1)}%`, s.original.accuracy);
    await page.waitForFunction(() => document.querySelector('#c-sizes tr[data-row="original"]').classList.contains('in-use') &&
      document.getElementById('compress').dataset.busy === 'false', null, { timeout: 10_000 });
    assert.deepEqual(errors, []);
  });
});

test('compress panel on a phone: a sweep fills the curves, nothing overflows, no console errors', async (t) => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    await page.click('#c-sweep');
    assert.equal(await page.textContent('#c-sweep'), 'Stop sweep');
    await page.waitForFunction(() => document.getElementById('c-acc-chart').dataset.points === '5' &&
      document.getElementById('compress').dataset.busy === 'false', null, { timeout: 4 * PRUNE_TIMEOUT });
    const s = await sizes(page);
    const pts = await curve(page);
    t.diagnostic(`sweep: ${show(pts)}`);
    assert.deepEqual(pts.map((p) => Math.round(p.sparsity * 100)), [0, 50, 80, 90, 95]);
    assert.match(await page.textContent('#c-sizes tr[data-row="pruned"] th'), /Pruned to 9[45]\./);
    assert.ok(s['pruned-int8'].bytes < s.original.bytes / 8, `95% + int8: ${s['pruned-int8'].bytes} of ${s.original.bytes}`);
    assert.equal(await page.textContent('#c-sparsity-out'), '95%');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);
    for (const sel of ['#c-acc-chart', '#c-size-chart', '#c-dense-after', '#c-conv-after']) {
      const box = await page.locator(sel).boundingBox();
      assert.ok(box.width > 100 && box.x >= 0 && box.x + box.width <= 390, `${sel} fits (${JSON.stringify(box)})`);
    }
    await page.locator('#compress').screenshot({ path: path.join(artifactsDir(), 'compress-390.png') });
    assert.deepEqual(errors, []);
  }, { viewport: { width: 390, height: 844 } });
});

test('compress panel: an MLP trained on the page prunes too (no conv filters to show, its dense kernel is)', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    await page.selectOption('#preset', 'mlp');
    await page.waitForFunction(() => /new random weights/.test(document.getElementById('model-info').textContent));
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('steps').textContent.replace(/,/g, '')) > 100, null, { timeout: 30_000 });
    await page.click('#play');
    await prune(page, 70);
    const s = await sizes(page);
    assert.ok(s.original.accuracy > 0.8, `trained a little: ${s.original.accuracy}`);
    for (const l of await layerSparsity(page)) assert.ok(Math.abs(l.after - 0.7) < 0.02, `${l.name} at ${l.after}`);
    assert.ok(s.pruned.accuracy > s.original.accuracy - 0.05, `70% sparse MLP: ${s.pruned.accuracy} vs ${s.original.accuracy}`);
    assert.ok(s.pruned.bytes < 0.6 * s.original.bytes, `${s.pruned.bytes} of ${s.original.bytes}`);
    assert.equal(await page.isVisible('#c-conv-before'), false, 'an MLP has no conv filters');
    const dense = await pixels(page, '#c-dense-after');
    assert.equal(dense.width, 784, 'the 784-input kernel, a column per input');
    assert.ok(dense.zeros > dense.coloured && dense.coloured > 0, JSON.stringify(dense));
    // building another network starts the panel afresh
    await page.selectOption('#preset', 'cnnSmall');
    await page.waitForFunction(() => !document.querySelector('#c-sizes tr[data-row]'));
    assert.equal(await page.isDisabled('#c-restore'), true);
    assert.deepEqual(errors, []);
  });
});
