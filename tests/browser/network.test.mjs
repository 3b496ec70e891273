// The playground's network tools in headless Chromium: every neuron's heatmap (shown large on hover
// or with the arrow keys), editing a weight, per-layer activation and dropout, the loss choice, the
// loss chart's read-out, the speed control, the class picker, and the user's points across reloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as nn from '../../wasm/nnplay.js';
import { withPage, artifactsDir, open, epochOf, downloadOf, waitForTestAccuracy, TRAIN_TIMEOUT } from './helpers.mjs';

const PAUSED = 'body[data-state="paused"]';

/** A short fingerprint of a canvas's pixels. */
const pixels = (page, id) => page.evaluate((i) => {
  const c = document.getElementById(i);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let k = 0; k < d.length; k += 7) h = (h * 31 + d[k]) | 0;
  return h;
}, id);

/** Wait (up to 10 s) until the canvas's fingerprint differs from `before`. */
async function pixelsChange(page, id, before) {
  for (let i = 0; i < 100; i++) {
    if (await pixels(page, id) !== before) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`#${id} did not change`);
}

/**
 * Send synthetic `type` events over a grid of points of the network diagram until done() (a
 * function body run in the page) is true; returns that point in page coordinates, or null.
 */
const findPoint = (page, type, done) => page.evaluate(([t, body]) => {
  const c = document.getElementById('network');
  const r = c.getBoundingClientRect();
  const ok = new Function(body);
  for (let y = 2; y < r.height; y += 3) {
    for (let x = 2; x < r.width; x += 3) {
      const init = { clientX: r.left + x, clientY: r.top + y, bubbles: true };
      c.dispatchEvent(t === 'click' ? new MouseEvent('click', init) : new PointerEvent(t, init));
      if (ok()) {
        if (t === 'pointermove') c.dispatchEvent(new PointerEvent('pointerleave'));
        return { x: r.left + x, y: r.top + y };
      }
    }
  }
  return null;
}, [type, done]);

test('every neuron has a heatmap: hover or the arrow keys show one large; a clicked link takes a typed weight', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url); // circle, 2-4-2-1, paused
    await page.waitForFunction(() => document.getElementById('w-current').textContent !== '\u2013');
    const output = await pixels(page, 'heatmap');
    assert.equal(await page.textContent('#heatmap-caption'), 'Output');

    // hovering a hidden neuron: the big heatmap shows what it computes
    const at = await findPoint(page, 'pointermove', "return /^Neuron/.test(document.getElementById('heatmap-caption').textContent)");
    assert.ok(at, 'no neuron found under the pointer');
    await page.mouse.move(0, 0);
    await page.waitForFunction(() => document.getElementById('heatmap-caption').textContent === 'Output');
    await page.mouse.move(at.x, at.y);
    await page.waitForFunction(() => /^Neuron \d of hidden layer \d/.test(document.getElementById('heatmap-caption').textContent));
    await pixelsChange(page, 'heatmap', output);
    await page.screenshot({ path: path.join(artifactsDir(), 'playground-neuron.png') });
    await page.mouse.move(0, 0);
    await page.waitForFunction(() => document.getElementById('heatmap-caption').textContent === 'Output');
    // a click (a tap on a phone, which has no hover) pins the neuron until a click elsewhere
    await page.mouse.click(at.x, at.y);
    await page.mouse.move(0, 0);
    assert.match(await page.textContent('#heatmap-caption'), /^Neuron/);
    await page.click('h2#net-h');
    assert.equal(await page.textContent('#heatmap-caption'), 'Output');

    // the keyboard: focus the diagram, the arrows walk inputs and neurons, Escape lets go
    await page.focus('#network');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.textContent('#heatmap-caption'), 'Input feature X1');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.textContent('#heatmap-caption'), 'Input feature X2');
    await page.keyboard.press('ArrowRight');
    assert.match(await page.textContent('#heatmap-caption'), /^Neuron 2 of hidden layer 1/);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight'); // the last hidden layer is as far as it goes
    assert.match(await page.textContent('#heatmap-caption'), /^Neuron 2 of hidden layer 2/);
    await page.keyboard.press('Escape');
    assert.equal(await page.textContent('#heatmap-caption'), 'Output');

    // clicking a link selects its weight in the editor and puts the cursor in the value field
    const link = await findPoint(page, 'click', "return document.activeElement === document.getElementById('w-value')");
    assert.ok(link, 'no link found to click');
    await page.focus('#play');
    await page.mouse.click(link.x, link.y);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'w-value');
    const chosen = await page.evaluate(() => ['w-layer', 'w-from', 'w-to'].map((id) => document.getElementById(id).value));
    const before = await pixels(page, 'heatmap');
    await page.keyboard.type('4.5');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('w-current').textContent === '4.500');
    await pixelsChange(page, 'heatmap', before);

    // the editor by keyboard alone: a bias of the output, then a bad value
    await page.focus('#w-layer');
    await page.selectOption('#w-layer', '2');
    await page.selectOption('#w-from', 'bias');
    await page.fill('#w-value', '-2.25');
    await page.press('#w-value', 'Enter');
    await page.waitForFunction(() => document.getElementById('w-current').textContent === '-2.250');
    // the exported model has both weights
    const bytes = (await downloadOf(page, '#export-model')).bytes;
    await nn.ready();
    const m = nn.loadModel(bytes);
    const ws = m.getWeights();
    const [l, a, b] = [Number(chosen[0]), chosen[1], Number(chosen[2])];
    const w = a === 'bias' ? ws[2 * l + 1][b] : ws[2 * l][Number(a) * ws[2 * l].shape[1] + b];
    assert.equal(w, 4.5);
    assert.equal(ws[5][0], -2.25);
    m.dispose();
    await page.fill('#w-value', '');
    await page.press('#w-value', 'Enter');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /Type a number for the weight/);
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) > 10, null, { timeout: 10_000 });
    assert.deepEqual(errors, []);
  });
});

test('per-layer activation and dropout and the loss reach the model, come back from the URL, and train', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    await page.selectOption('#layer-1-act', 'relu');
    await page.selectOption('#layer-1-dropout', '0.1');
    await page.selectOption('#loss', 'mse');
    assert.match(page.url(), /acts=relu%2C&/);
    assert.match(page.url(), /dropout=0\.1%2C0&/);
    assert.match(page.url(), /loss=mse/);
    // the keyboard keeps its place when the layer controls are redrawn
    await page.focus('#layer-2-act');
    await page.keyboard.press('ArrowDown'); // Chromium changes a focused select with the arrow keys
    await page.waitForFunction(() => /acts=relu%2Crelu/.test(location.hash));
    assert.equal(await page.evaluate(() => document.activeElement.id), 'layer-2-act');
    await page.selectOption('#layer-2-act', '');

    await page.waitForFunction(() => document.getElementById('epoch').textContent === '0');
    const bytes = (await downloadOf(page, '#export-model')).bytes;
    await nn.ready();
    const m = nn.loadModel(bytes);
    assert.deepEqual(m.layers.map((x) => [x.type, x.units, x.type === 'dropout' ? x.rate : x.activation]),
      [['dense', 4, 'relu'], ['dropout', undefined, 0.1], ['dense', 2, 'tanh'], ['dense', 1, 'sigmoid']]);
    m.dispose();

    await page.click('#play');
    await waitForTestAccuracy(page, 90);
    await page.click('#play');
    await page.waitForSelector(PAUSED);

    await page.reload();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    assert.equal(await page.inputValue('#layer-1-act'), 'relu');
    assert.equal(await page.inputValue('#layer-2-act'), '');
    assert.equal(await page.inputValue('#layer-1-dropout'), '0.1');
    assert.equal(await page.inputValue('#loss'), 'mse');

    // regression has no cross-entropy: the choice falls back to squared error; absolute error trains too
    await page.selectOption('#loss', 'crossEntropy');
    await page.selectOption('#dataset', 'plane');
    assert.equal(await page.inputValue('#loss'), 'mse');
    assert.equal(await page.isDisabled('#loss option[value="crossEntropy"]'), true);
    await page.selectOption('#loss', 'mae');
    await page.waitForFunction(() => document.getElementById('test-loss').textContent !== '\u2013');
    await page.waitForTimeout(200);
    const start = parseFloat(await page.textContent('#test-loss'));
    await page.click('#play');
    await page.waitForFunction((s) => parseFloat(document.getElementById('test-loss').textContent) < s / 3, start, { timeout: TRAIN_TIMEOUT });
    await page.click('#play');
    // three classes with squared error (one-hot labels inside the worker)
    await page.selectOption('#dataset', 'blobs');
    await page.selectOption('#loss', 'mse');
    await page.click('#play');
    await waitForTestAccuracy(page, 85);
    await page.click('#play');
    assert.deepEqual(errors, []);
  });
});

test('the loss chart reads out epoch and losses under the pointer and by keyboard; the speed control sets the pace', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url, '#speed=10');
    assert.equal(await page.inputValue('#speed'), '10');
    await page.click('#play');
    await page.waitForTimeout(1500);
    await page.click('#play');
    await page.waitForSelector(PAUSED);
    const slow = await epochOf(page);
    // 10 epochs/s for 1.5 s: a machine under load only makes it fewer
    assert.ok(slow > 0 && slow <= 30, `${slow} epochs at 10 epochs/s in about 1.5 s`);
    // a new network while playing starts again at the same pace (no catching up with the old count)
    await page.click('#play');
    await page.click('#add-layer');
    await page.waitForTimeout(1000);
    assert.ok(await epochOf(page) <= 20, `${await epochOf(page)} epochs at 10 epochs/s in about 1 s after a change`);
    await page.click('#remove-layer');
    await page.waitForTimeout(300);
    await page.click('#play');
    await page.waitForSelector(PAUSED);
    await page.click('#reset');
    await page.waitForFunction(() => document.getElementById('epoch').textContent === '0');
    await page.click('#step');
    await page.waitForFunction(() => document.getElementById('epoch').textContent === '1');

    await page.selectOption('#speed', '0');
    assert.match(page.url(), /speed=0/);
    assert.equal(await epochOf(page), 1, 'changing the speed keeps the network');
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) > 200, null, { timeout: 20_000 });
    await page.click('#play');
    await page.waitForSelector(PAUSED);

    const box = await page.locator('#loss-chart').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const readout = /^Epoch [\d,]+: training loss \d+\.\d{3}, test loss \d+\.\d{3}$/;
    assert.match(await page.textContent('#loss-readout'), readout);
    await page.mouse.move(0, 0);
    assert.equal(await page.textContent('#loss-readout'), '');
    await page.focus('#loss-chart');
    const last = Number(await page.textContent('#epoch'));
    await page.waitForFunction((e) => document.getElementById('loss-readout').textContent.startsWith(`Epoch ${e.toLocaleString('en-US')}:`), last);
    await page.keyboard.press('Home');
    assert.match(await page.textContent('#loss-readout'), /^Epoch 0: training loss/);
    await page.keyboard.press('ArrowRight');
    assert.match(await page.textContent('#loss-readout'), readout);
    await page.keyboard.press('End');
    assert.match(await page.textContent('#loss-readout'), new RegExp(`^Epoch ${last.toLocaleString('en-US')}: `));
    assert.deepEqual(errors, []);
  });
});

test('points: the class picker and shift-click cycle through 3 classes; own points survive a reload, and a link elsewhere says why not', async () => {
  await withPage(async ({ page, browser, url, errors }) => {
    await open(page, url, '#dataset=blobs');
    assert.deepEqual(await page.$$eval('#point-class option', (os) => os.map((o) => o.value)), ['0', '1', '2']);
    assert.equal(await page.inputValue('#point-class'), '1');
    const lines = async () => (await downloadOf(page, '#export-csv')).bytes.toString().trim().split('\n').slice(1);
    const before = await lines();
    await page.selectOption('#point-class', '2');
    const box = await page.locator('#heatmap').boundingBox();
    await page.mouse.click(box.x + box.width * 0.1, box.y + box.height * 0.1);
    await page.waitForFunction(() => document.getElementById('io-status').textContent === '501 points.');
    await page.keyboard.down('Shift');
    await page.mouse.click(box.x + box.width * 0.9, box.y + box.height * 0.1);
    await page.mouse.click(box.x + box.width * 0.9, box.y + box.height * 0.9);
    await page.keyboard.up('Shift');
    await page.waitForFunction(() => document.getElementById('io-status').textContent === '503 points.');
    const added = await lines();
    for (const l of before) added.splice(added.indexOf(l), 1);
    assert.deepEqual(added.map((l) => l.split(',')[2]).sort(), ['0', '0', '2'], `new points: ${added.join(' | ')}`);

    // a reload keeps the points (localStorage), and the data set stays the user's own
    assert.match(page.url(), /dataset=custom/);
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    assert.equal(await page.inputValue('#dataset'), 'custom');
    assert.equal(await page.isVisible('#error'), false);
    await page.waitForFunction(() => document.getElementById('test-loss').textContent !== '\u2013');
    assert.equal((await lines()).length, 503);
    assert.equal(await page.textContent('#problem'), 'Classification (3 classes)');
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) > 10, null, { timeout: 10_000 });
    await page.click('#play');

    // the same link in a browser that has never seen those points: a clear message, circle instead
    const other = await browser.newContext();
    const page2 = await other.newPage();
    await page2.goto(page.url());
    await page2.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    await page2.waitForSelector('#error:not([hidden])');
    assert.match(await page2.textContent('#error'), /uploaded or drawn in another browser.*Circle data set is shown instead/);
    assert.equal(await page2.inputValue('#dataset'), 'circle');
    await page2.click('#play');
    await page2.waitForFunction(() => Number(document.getElementById('epoch').textContent) > 10, null, { timeout: 10_000 });
    await other.close();
    assert.deepEqual(errors, []);
  });
});
