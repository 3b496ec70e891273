// The static site (tools/site.mjs -> site/) served as plain files: the playground works from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { withPage } from './helpers.mjs';
import { buildSite, SITE } from '../../tools/site.mjs';

test('site/ is self-contained: its index redirects to the playground, which loads and trains', async () => {
  const built = await buildSite({ quiet: true });
  const { weight } = built;
  assert.ok(weight.bytes > 0 && weight.gzip < weight.bytes);
  // each page's weight counts the stylesheets it links (base.css first)
  for (const [key, html] of [['weight', 'index.html'], ['images', 'images.html'], ['text', 'text.html'],
    ['ganDigits', 'gan-digits.html'], ['gan', 'gan.html']]) {
    const files = built[key].files.map((f) => f.file);
    const sheets = [...readFileSync(path.join(SITE, 'web', html), 'utf8').matchAll(/<link\s+rel="stylesheet"\s+href="([^"]+)"/g)];
    assert.ok(sheets.length >= 2, html);
    for (const [, href] of sheets) assert.ok(files.includes(`web/${href}`), `tools/site.mjs: ${html}'s weight misses web/${href}`);
  }
  for (const f of ['index.html', 'web/index.html', 'web/embed.js', 'web/embed-mode.js', 'wasm/nnplay.js',
    'wasm/lean.js', 'wasm/tfjs.js', 'wasm/onnx.js', // the pages import these two at an export or import click
    'dist/nnplay_core.js', 'dist/nnplay_core.wasm', 'examples/tutorial.html', 'web/base.css', 'web/text.html', 'web/text/classify-worker.js',
    'web/images/teach.js', 'web/images/teach-worker.js',
    'web/models/spam-gru.nnplay', 'web/models/tang-lstm.nnplay', 'web/data/spam.nntx.gz',
    'web/gan.html', 'web/gan/lab.js', 'web/gan/worker.js', 'examples/gan-tutorial.html']) {
    assert.ok(existsSync(path.join(SITE, f)), `site/${f} is missing`);
  }
  await withPage(async ({ page, url, errors }) => {
    // The dev server itself redirects `/`; ask for site/index.html to test the site's own redirect.
    await page.goto(new URL('index.html', url).href);
    await page.waitForURL(/\/web\/(#.*)?$/);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    assert.equal(await page.textContent('#simd'), 'wasm-simd128');
    const before = Number(await page.textContent('#epoch'));
    await page.click('#play');
    await page.waitForFunction((b) => Number(document.getElementById('epoch').textContent) > b + 10, before,
      { timeout: 20_000 });
    await page.click('#play'); // pause
    const download = page.waitForEvent('download');
    await page.click('#export-onnx'); // loads wasm/onnx.js from the site
    assert.equal((await download).suggestedFilename(), 'nnplay-model.onnx');
    const tutorial = await page.request.get(new URL('examples/tutorial.html', url).href);
    assert.equal(tutorial.status(), 200);
    assert.match(await tutorial.text(), /<nn-playground/);
    assert.deepEqual(errors, []);
  }, { root: SITE });
});
