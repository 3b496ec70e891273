// The digit GAN page (web/gan-digits.html) in headless Chromium: it loads, trains in its worker,
// the sample grid refreshes, the classifier's scores appear, the strip's ends reroll, the generator
// saves and loads back (the same digits), bad files are refused with a visible message, reset
// starts over, and the phone layout fits. Screenshots: test-artifacts/gan-digits*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withPage, artifactsDir } from './helpers.mjs';
import { ROOT } from '../../tools/util.mjs';

async function open(page, url) {
  await page.goto(new URL('web/gan-digits.html', url).href);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
  await page.waitForFunction(() => document.body.dataset.scoredAt === '0', null, { timeout: 30_000 });
}

const data = (page) => page.evaluate(() => ({ ...document.body.dataset }));
const canvasURL = (page, id) => page.evaluate((i) => document.getElementById(i).toDataURL(), id);

test('digit GAN page: trains, refreshes its samples and scores, rerolls, saves and loads the generator', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    assert.match(await page.textContent('#arch'), /G is 64 → 256 → 512 → 784/);
    assert.match(await page.textContent('#confident'), /^\d+\.\d%$/);
    assert.match(await page.textContent('#digits'), /^\d+\/10$/);
    const grid0 = await canvasURL(page, 'grid');

    // train: steps count up, the grid and the scores refresh
    await page.click('#play');
    assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true');
    await page.waitForFunction(() => Number(document.body.dataset.samplesAt) > 0 && Number(document.body.dataset.scoredAt) > 0, null, { timeout: 60_000 });
    assert.notEqual(await canvasURL(page, 'grid'), grid0, 'the grid shows the trained generator');
    assert.ok(Number(await page.textContent('#rate')) > 0, 'steps/s shown');
    assert.match(await page.textContent('#scores-info'), /At step [\d,]+ \(\d+:\d\d of training\): \d+ of 1,000 read with confidence ≥ 0\.9/);
    assert.match(await page.textContent('#d-real'), /^0\.\d{3}$/);
    await page.screenshot({ path: path.join(artifactsDir(), 'gan-digits.png'), fullPage: true });

    // pause: training stops, the figures are brought up to date
    await page.click('#play');
    await page.waitForFunction(() => document.body.dataset.running === 'false' && document.body.dataset.scoredAt === document.body.dataset.steps, null, { timeout: 30_000 });
    const paused = await data(page);
    await page.waitForTimeout(500);
    assert.equal((await data(page)).steps, paused.steps, 'no steps while paused');
    assert.ok(Number(paused.steps) > 0);

    // reroll an end of the strip: it changes
    const strip0 = await canvasURL(page, 'strip');
    await page.click('#reroll-a');
    await page.waitForFunction((s) => document.getElementById('strip').toDataURL() !== s, strip0, { timeout: 10_000 });

    // save, then train on, then load the file: the grid is the saved generator's again
    const gridSaved = await canvasURL(page, 'grid');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    assert.match(download.suggestedFilename(), /^digit-generator-\d+-steps\.nnplay$/);
    const file = path.join(artifactsDir(), 'gan-digits-generator.nnplay');
    await download.saveAs(file);
    assert.equal(readFileSync(file).subarray(0, 8).toString(), 'NNPLAYMD');
    await page.click('#play');
    await page.waitForFunction((s) => Number(document.body.dataset.samplesAt) > s + 5, Number(paused.steps), { timeout: 60_000 });
    await page.click('#play');
    await page.waitForFunction(() => document.body.dataset.running === 'false' && document.body.dataset.scoredAt === document.body.dataset.steps, null, { timeout: 30_000 });
    assert.notEqual(await canvasURL(page, 'grid'), gridSaved);
    await page.setInputFiles('#gen-file', file);
    await page.waitForFunction(() => /Loaded the generator from gan-digits-generator\.nnplay/.test(document.getElementById('status').textContent), null, { timeout: 20_000 });
    await page.waitForFunction((s) => document.getElementById('grid').toDataURL() === s, gridSaved, { timeout: 20_000 });

    // files that are not a generator: a visible error naming what they are; the page keeps its generator
    await page.setInputFiles('#gen-file', path.join(ROOT, 'web/models/digits-cnn.nnplay'));
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /cannot load this generator: this is a digit classifier/);
    const bad = path.join(artifactsDir(), 'gan-digits-bad.nnplay');
    writeFileSync(bad, Buffer.from('NNPLAYMD not really a model'));
    await page.setInputFiles('#gen-file', bad);
    await page.waitForFunction(() => /cannot load this generator: not an nnplay model file/.test(document.getElementById('error').textContent));
    assert.equal(await canvasURL(page, 'grid'), gridSaved);
    // training goes on from the loaded generator; the error clears
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('error').hidden);
    await page.waitForFunction((s) => Number(document.body.dataset.steps) > s + 5, Number(paused.steps), { timeout: 60_000 });

    // reset: back to step 0
    await page.click('#reset');
    await page.waitForFunction(() => document.body.dataset.steps === '0' && document.body.dataset.scoredAt === '0', null, { timeout: 30_000 });
    assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false');
    assert.equal(await page.textContent('#steps'), '0');
    assert.deepEqual(errors, []);
  });
});

test('digit GAN page at 375 px: nothing overflows sideways, and it trains', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    await page.click('#play');
    await page.waitForFunction(() => Number(document.body.dataset.samplesAt) > 0, null, { timeout: 60_000 });
    await page.click('#play');
    await page.waitForFunction(() => document.body.dataset.running === 'false' && document.body.dataset.scoredAt === document.body.dataset.steps, null, { timeout: 30_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    for (const id of ['grid', 'strip', 'histogram', 'loss-chart']) {
      const w = await page.evaluate((i) => document.getElementById(i).getBoundingClientRect().width, id);
      assert.ok(w > 200 && w <= 375, `#${id} is ${w}px wide`);
    }
    await page.screenshot({ path: path.join(artifactsDir(), 'gan-digits-375.png'), fullPage: true });
    assert.deepEqual(errors, []);
  }, { viewport: { width: 375, height: 740 } });
});
