// The images page (web/images.html) in headless Chromium: the pretrained model reads drawn digits,
// training updates every figure, the layer editor rejects bad networks with a clear message, and
// models save and load. Screenshots: test-artifacts/images.png and images-375.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { withPage, artifactsDir } from './helpers.mjs';

async function open(page, url) {
  await page.goto(new URL('web/images.html', url).href);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
}

/** Draw a polyline (fractions of the pad's size) with the mouse, in small steps like a hand. */
async function drawStroke(page, points) {
  const box = await page.locator('#pad').boundingBox();
  const at = ([fx, fy]) => [box.x + fx * box.width, box.y + fy * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (let i = 1; i < points.length; i++) await page.mouse.move(...at(points[i]), { steps: 6 });
  await page.mouse.up();
}

async function guessAfterDrawing(page, points) {
  await page.click('#clear');
  await drawStroke(page, points);
  await page.waitForFunction(() => document.getElementById('guess').textContent !== '–', null, { timeout: 10_000 });
  await page.waitForTimeout(300); // the last stroke's classification
  return page.textContent('#guess');
}

const ONE = [[0.52, 0.15], [0.5, 0.5], [0.48, 0.85]];
const ZERO = Array.from({ length: 25 }, (_, i) => {
  const a = (i / 24) * 2 * Math.PI;
  return [0.5 + 0.25 * Math.sin(a), 0.5 - 0.34 * Math.cos(a)];
});
const SEVEN = [[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]];

const num = async (page, id) => Number((await page.textContent(`#${id}`)).replace(/[,%]/g, ''));

test('images page: the pretrained model reads drawn digits; training updates the figures; no console errors', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    assert.equal(await page.textContent('#simd'), 'wasm-simd128');
    assert.equal(await page.isVisible('#error'), false);
    assert.match(await page.textContent('#model-info'), /pretrained digits model/);
    // the pretrained model's test report is there at once
    assert.ok(await num(page, 'test-acc') > 90, 'pretrained test accuracy above 90%');
    const rows = await page.$$eval('#confusion tbody tr', (trs) => trs.map((tr) =>
      [...tr.querySelectorAll('td')].reduce((s, td) => s + Number(td.textContent), 0)));
    assert.equal(rows.length, 10);
    assert.equal(rows.reduce((a, b) => a + b, 0), 2000);
    assert.equal(await page.locator('#worst .card').count(), 12);
    assert.equal(await page.locator('#samples .card').count(), 12);
    assert.ok((await page.locator('#filters').evaluate((c) => c.width)) > 50, 'first layer weights drawn');

    assert.equal(await guessAfterDrawing(page, ONE), '1');
    assert.equal(await guessAfterDrawing(page, SEVEN), '7');
    assert.equal(await guessAfterDrawing(page, ZERO), '0');
    const probs = await page.$$eval('#probs li .prob-value', (els) => els.map((e) => parseFloat(e.textContent)));
    assert.equal(probs.length, 10);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 100) < 1.5, 'probabilities sum to 100%');
    // the 28x28 preview shows the preprocessed digit centred: ink in the middle, none at the border
    const ink = await page.locator('#pad28').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, 28, 28).data;
      let mid = 0;
      let edge = 0;
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
        const v = 255 - d[4 * (y * 28 + x)];
        if (x < 2 || y < 2 || x > 25 || y > 25) edge += v; else mid += v;
      }
      return { mid, edge };
    });
    assert.ok(ink.mid > 0 && ink.edge === 0, `preview centred (${JSON.stringify(ink)})`);

    await page.screenshot({ path: path.join(artifactsDir(), 'images.png'), fullPage: true });

    // train for a few seconds from the pretrained weights: every live figure moves
    const steps0 = await num(page, 'steps');
    await page.click('#play');
    assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true');
    await page.waitForFunction(() => Number(document.getElementById('steps').textContent.replace(/,/g, '')) > 200 &&
      document.getElementById('rate').textContent !== '–' && document.getElementById('fwd').textContent !== '–' &&
      document.getElementById('bwd').textContent !== '–', null, { timeout: 30_000 });
    await page.waitForTimeout(1500);
    await page.click('#play'); // pause
    assert.equal(await page.textContent('#play'), 'Train');
    assert.ok(await num(page, 'steps') > steps0, 'steps advanced');
    assert.ok(await num(page, 'rate') > 0, 'examples/s shown');
    assert.ok(await num(page, 'fwd') > 0, 'forward ms shown');
    assert.ok(await num(page, 'train-acc') > 80, `train accuracy: ${await page.textContent('#train-acc')}`);
    assert.ok(await num(page, 'val-acc') > 80, `validation accuracy: ${await page.textContent('#val-acc')}`);
    assert.ok(Number(await page.textContent('#epoch')) > 0, 'epoch progress');
    assert.match(await page.textContent('#film'), /step 0/);
    assert.ok(await page.locator('#activations canvas').count() >= 1);
    assert.deepEqual(errors, []);
  });
});

test('images page: the layer editor validates, presets build or say what this build lacks, models save and load', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    await page.selectOption('#preset', 'mlp');
    await page.waitForFunction(() => /101,770 parameters.*new random weights/.test(document.getElementById('model-info').textContent));
    // an output layer of the wrong size is refused with a sentence naming the rule
    await page.fill('#layer-2-units', '5');
    await page.dispatchEvent('#layer-2-units', 'change');
    assert.equal(await page.inputValue('#preset'), 'custom');
    await page.click('#apply');
    assert.match(await page.textContent('#editor-error'), /last layer must be Dense with 10 units/);
    // add a hidden layer, fix the output, build: a new model with new weights
    await page.fill('#layer-2-units', '10');
    await page.dispatchEvent('#layer-2-units', 'change');
    await page.click('#add-layer');
    assert.equal(await page.locator('#layers li.layer:not(.input-layer)').count(), 3);
    await page.click('#apply');
    await page.waitForFunction(() => /new random weights/.test(document.getElementById('model-info').textContent));
    assert.match(await page.textContent('#summary'), /dense/i);
    assert.equal(await page.isVisible('#editor-error'), false);

    // the small CNN: builds when this build has conv layers, else a clear message (no crash)
    const hasConv = await page.evaluate(() => ![...document.getElementById('preset').options]
      .some((o) => o.value === 'cnnSmall' && /needs/.test(o.textContent)));
    await page.selectOption('#preset', 'cnnSmall');
    if (hasConv) {
      await page.waitForFunction(() => /new random weights/.test(document.getElementById('model-info').textContent) &&
        /conv2d/i.test(document.getElementById('summary').textContent), null, { timeout: 20_000 });
      assert.equal(await page.isDisabled('#augment'), false, 'fit has the augment option');
      await page.check('#augment'); // random shifts while training
      await page.click('#play');
      await page.waitForFunction(() => Number(document.getElementById('steps').textContent.replace(/,/g, '')) > 20, null, { timeout: 60_000 });
      await page.click('#play');
      assert.match(await page.textContent('#filters-title'), /filters \(8 of 5×5/);
      assert.ok(await page.locator('#activations canvas').count() >= 4, 'conv and pooling activation maps');
      // the CNN: 320 + 18,496 + 204,928 + 1,290 parameters
      await page.selectOption('#preset', 'cnn');
      await page.waitForFunction(() => /225,034 parameters/.test(document.getElementById('model-info').textContent), null, { timeout: 20_000 });
    } else {
      assert.match(await page.textContent('#editor-error'), /no conv2d layer/);
      await page.selectOption('#preset', 'mlp');
    }

    // save, then load the file back
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const file = path.join(artifactsDir(), 'images-model.nnplay');
    await download.saveAs(file);
    await page.setInputFiles('#model-file', file);
    await page.waitForFunction(() => /loaded from a file/.test(document.getElementById('model-info').textContent));
    // a corrupt file: a visible error, and the page keeps its model
    const bad = path.join(artifactsDir(), 'images-bad.nnplay');
    writeFileSync(bad, Buffer.from('NNPLAYMD not really a model'));
    await page.setInputFiles('#model-file', bad);
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /cannot load this model/);
    assert.match(await page.textContent('#model-info'), /loaded from a file/);
    assert.notEqual(await guessAfterDrawing(page, ONE), '–');
    // Fashion-MNIST loads on demand and gets a fresh model
    await page.selectOption('#dataset', 'fashion');
    await page.waitForFunction(() => /Fashion-MNIST: \d+ training/.test(document.getElementById('status').textContent), null, { timeout: 30_000 });
    await page.waitForFunction(() => /Ankle boot|Trouser/.test(document.getElementById('confusion').textContent));
    assert.deepEqual(errors, []);
  });
});

/** Draw with a finger: real touch events through the DevTools protocol (pointerType 'touch'). */
async function touchStroke(page, points) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
  await page.locator('#pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#pad').boundingBox();
  const at = ([fx, fy]) => ({ x: box.x + fx * box.width, y: box.y + fy * box.height });
  const scrollY = await page.evaluate(() => window.scrollY);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(points[0])] });
  for (let i = 1; i < points.length; i++) {
    for (let k = 1; k <= 6; k++) {
      const [a, b] = [points[i - 1], points[i]];
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at([a[0] + ((b[0] - a[0]) * k) / 6, a[1] + ((b[1] - a[1]) * k) / 6])] });
    }
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  assert.equal(await page.evaluate(() => window.scrollY), scrollY, 'drawing must not scroll the page');
}

test('images page at 375 px: nothing overflows sideways, drawing by touch works', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await touchStroke(page, ONE);
    await page.waitForFunction(() => document.getElementById('guess').textContent === '1', null, { timeout: 10_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(artifactsDir(), 'images-375.png'), fullPage: true });
    assert.deepEqual(errors, []);
  }, { viewport: { width: 375, height: 740 } });
});
