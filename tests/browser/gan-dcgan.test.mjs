// The digit GAN page's DCGAN (web/gan-digits.html, the Networks menu) in headless Chromium: the
// menu switches to the convolutional networks (described on the page, kept in the URL), they train
// in the worker with samples and scores refreshing, a saved DCGAN generator loaded while the MLP is
// picked switches the page back to DCGAN, and ?model=dcgan opens on it.
// Screenshot: test-artifacts/gan-digits-dcgan.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { withPage, artifactsDir } from './helpers.mjs';

async function open(page, url, query = '') {
  await page.goto(new URL(`web/gan-digits.html${query}`, url).href);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
  await page.waitForFunction(() => document.body.dataset.scoredAt === '0', null, { timeout: 30_000 });
}
const canvasURL = (page, id) => page.evaluate((i) => document.getElementById(i).toDataURL(), id);
const paused = (page) => page.waitForFunction(() => document.body.dataset.running === 'false' &&
  document.body.dataset.scoredAt === document.body.dataset.steps, null, { timeout: 60_000 });

test('digit GAN page: switch to the DCGAN, train it, save its generator; loading it under the MLP switches back', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    assert.equal(await page.inputValue('#model'), 'mlp', 'the MLP is the default');
    assert.match(await page.textContent('.about'), /DCGAN's generator paints with transposed convolutions/);
    const mlpGrid = await canvasURL(page, 'grid');

    await page.selectOption('#model', 'dcgan');
    await page.waitForFunction(() => document.body.dataset.model === 'dcgan' && document.body.dataset.scoredAt === '0', null, { timeout: 30_000 });
    assert.match(await page.textContent('#arch'), /Here \(DCGAN\): G is 64 → 7×7×32 \(dense\) → 14×14×32 → 28×28×1 \(transposed convolutions 4×4, stride 2/);
    assert.match(await page.textContent('#arch'), /D is 28×28×1 → 14×14×16 → 7×7×32 → 1/);
    assert.match(page.url(), /\?model=dcgan$/);
    await page.waitForFunction((s) => document.getElementById('grid').toDataURL() !== s, mlpGrid, { timeout: 30_000 }); // the new generator's

    await page.click('#play');
    await page.waitForFunction(() => Number(document.body.dataset.samplesAt) > 0 && Number(document.body.dataset.scoredAt) > 0, null, { timeout: 90_000 });
    assert.ok(Number(await page.textContent('#rate')) > 0, 'steps/s shown');
    await page.click('#play');
    await paused(page);
    const steps = Number((await page.evaluate(() => document.body.dataset.steps)));
    assert.ok(steps > 0);
    assert.match(await page.textContent('#d-real'), /^0\.\d{3}$/);
    await page.screenshot({ path: path.join(artifactsDir(), 'gan-digits-dcgan.png'), fullPage: true });

    const gridSaved = await canvasURL(page, 'grid');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const file = path.join(artifactsDir(), 'gan-digits-dcgan-generator.nnplay');
    await download.saveAs(file);

    // back to the MLP: step 0, the URL forgets the choice
    await page.selectOption('#model', 'mlp');
    await page.waitForFunction(() => document.body.dataset.model === 'mlp' && document.body.dataset.steps === '0', null, { timeout: 30_000 });
    assert.doesNotMatch(page.url(), /model=/);
    assert.match(await page.textContent('#arch'), /Here \(MLP\): G is 64 → 256 → 512 → 784/);

    // the DCGAN file while the MLP is picked: the page switches to the DCGAN and draws the saved digits
    await page.setInputFiles('#gen-file', file);
    await page.waitForFunction(() => /Loaded the generator from gan-digits-dcgan-generator\.nnplay.*switched to DCGAN/.test(document.getElementById('status').textContent), null, { timeout: 20_000 });
    assert.equal(await page.inputValue('#model'), 'dcgan');
    await page.waitForFunction((s) => document.getElementById('grid').toDataURL() === s, gridSaved, { timeout: 20_000 });
    // and it trains on from there
    await page.click('#play');
    await page.waitForFunction(() => Number(document.body.dataset.steps) > 3, null, { timeout: 60_000 });
    await page.click('#play');
    await paused(page);
    assert.deepEqual(errors, []);
  });
});

test('digit GAN page: ?model=dcgan opens on the DCGAN', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url, '?model=dcgan');
    assert.equal(await page.inputValue('#model'), 'dcgan');
    assert.match(await page.textContent('#arch'), /Here \(DCGAN\)/);
    assert.match(await page.evaluate(() => document.body.dataset.arch), /^DCGAN: G 64-7x7x32-14x14x32-28x28x1/);
    assert.deepEqual(errors, []);
  });
});
