// The images page's "Teach it your own classes" panel in headless Chromium: three classes drawn
// with the mouse on its pad (a vertical line, a circle and an X, jittered: tests/js/teach-shapes.mjs),
// trained on the frozen digit CNN; fresh drawings are read right and the bars follow the pen; the
// k-fold figures, the comparison with training from scratch and fine-tuning show; the class list
// edits; the exports load back in nnplay, TF.js and onnxruntime; a phone draws by touch.
// Screenshots: test-artifacts/teach.png, teach-compare.png, teach-375.png.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import * as nn from '../../wasm/nnplay.js';
import { preprocess } from '../../web/images/preprocess.js';
import { withPage, artifactsDir } from './helpers.mjs';
import { drawings, rasterize } from '../js/teach-shapes.mjs';

let tf;
before(async () => {
  tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await nn.ready();
});

const SHAPES = ['line', 'circle', 'cross'];
const NAMES = ['Line', 'Circle', 'X'];

async function open(page, url) {
  await page.goto(new URL('web/images.html#teach', url).href);
  await page.waitForSelector('#teach[data-state="ready"]', { timeout: 30_000 });
  // the panels above it are filled in by then (layout settled: a finger's stroke must not scroll)
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
  await page.locator('#t-pad').scrollIntoViewIfNeeded();
}

/** Draw strokes (lists of [x, y] fractions of the pad) with the mouse, in small steps like a hand. */
async function draw(page, strokes) {
  await page.locator('#t-pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#t-pad').boundingBox();
  const at = ([fx, fy]) => [box.x + fx * box.width, box.y + fy * box.height];
  for (const points of strokes) {
    await page.mouse.move(...at(points[0]));
    await page.mouse.down();
    for (let i = 1; i < points.length; i++) await page.mouse.move(...at(points[i]), { steps: 4 });
    await page.mouse.up();
  }
}

const bars = (page) => page.$$eval('#t-bars li', (lis) => lis.map((li) => ({
  name: li.querySelector('.prob-name').textContent, value: parseFloat(li.querySelector('.prob-value').textContent) || 0,
  width: parseFloat(li.querySelector('.bar-fill').style.width) || 0 })));

/** Clear, draw, and wait for the bars of this drawing: [guess, bars]. */
async function readDrawing(page, strokes) {
  await page.click('#t-clear');
  await page.waitForFunction(() => document.getElementById('t-guess').textContent === '–');
  await draw(page, strokes);
  await page.waitForFunction(() => document.getElementById('t-guess').textContent !== '–', null, { timeout: 10_000 });
  await page.waitForTimeout(250); // the last stroke's reading
  return [await page.textContent('#t-guess'), await bars(page)];
}

const pctOf = async (page, id) => parseFloat(await page.textContent(id));

async function waitForEvaluation(page, id = '#t-acc') {
  await page.waitForFunction((sel) => /^\d+%$/.test(document.querySelector(sel).textContent) &&
    !document.querySelector('.t-results').classList.contains('stale'), id, { timeout: 120_000 });
}

/** Click selector and collect the `count` downloads it starts: [{ name, bytes }]. */
async function downloadsOf(page, selector, count) {
  const got = [];
  const all = new Promise((resolve) => {
    const on = (dl) => { got.push(dl); if (got.length === count) { page.off('download', on); resolve(); } };
    page.on('download', on);
  });
  await page.click(selector);
  await all;
  return Promise.all(got.map(async (dl) => ({ name: dl.suggestedFilename(), bytes: new Uint8Array(await readFile(await dl.path())) })));
}

/** Fresh drawings of every shape preprocessed as the page does, for the downloaded models. */
function freshRows(per, seed) {
  const x = [];
  const y = [];
  SHAPES.forEach((s, k) => drawings(s, per, seed + k).forEach((d) => { x.push(...preprocess(rasterize(d), 280, 280)); y.push(k); }));
  return { x: Float32Array.from(x), y, n: y.length };
}

test('teach panel: three drawn classes, trained on the frozen digit CNN, read fresh drawings; compare, fine-tune, edit, export', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    assert.equal(await page.locator('#t-classes > li').count(), 3);
    assert.equal(await page.isDisabled('#t-export-nnplay'), true);
    // name the classes
    for (let k = 0; k < 3; k++) {
      await page.fill(`#t-classes > li:nth-child(${k + 1}) input`, NAMES[k]);
      await page.dispatchEvent(`#t-classes > li:nth-child(${k + 1}) input`, 'change');
    }
    assert.deepEqual(await page.$$eval('#t-add .t-add-name', (e) => e.map((x) => x.textContent)), NAMES);
    // Train before enough drawings: the panel says what is missing
    await page.click('#t-train');
    assert.match(await page.textContent('#t-ready'), /at least 2 times.*'Line' \(0\), 'Circle' \(0\), 'X' \(0\)/);
    // adding a blank pad is refused with a message
    await page.click('#t-add button:nth-child(1)');
    assert.match(await page.textContent('#t-error'), /Draw something on the pad first/);

    // 5 drawings of each shape, by mouse; the buttons add them, or a key (class 3's last two)
    for (let k = 0; k < 3; k++) {
      for (const [i, d] of drawings(SHAPES[k], 5, 10 + 31 * k).entries()) {
        await draw(page, d);
        if (k === 2 && i >= 3) await page.keyboard.press('3');
        else await page.click(`#t-add button:nth-child(${k + 1})`);
      }
    }
    // Backspace clears the pad; a key with a blank pad adds nothing
    await draw(page, drawings('line', 1, 5)[0]);
    await page.keyboard.press('Backspace');
    await page.keyboard.press('1');
    assert.deepEqual(await page.$$eval('#t-add .t-count', (e) => e.map((x) => x.textContent)), ['5', '5', '5']);
    assert.equal(await page.locator('#t-classes .t-thumb').count(), 15);
    assert.equal(await page.textContent('#t-ready'), '');

    await page.click('#t-train');
    await page.waitForFunction(() => /Trained a new head \(771 weights\) on 15 drawings ×9 shifts in \d\.\d\d s/.test(document.getElementById('t-status').textContent),
      null, { timeout: 30_000 });
    await waitForEvaluation(page);
    const heldOut = await pctOf(page, '#t-acc');
    assert.ok(heldOut >= 90, `held-out accuracy ${heldOut}%`);
    assert.match(await page.textContent('#t-eval-note'), /5-fold cross-validation/);
    const cm = await page.$$eval('#t-confusion table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))));
    assert.deepEqual(cm.map((r) => r.reduce((a, b) => a + b, 0)), [5, 5, 5], 'every drawing judged once');
    assert.equal(await page.locator('#t-per-class tbody tr').count(), 3);

    // the bars move while the pen is still down
    await page.click('#t-clear');
    const box = await page.locator('#t-pad').boundingBox();
    const circle = drawings('circle', 1, 321)[0][0];
    await page.mouse.move(box.x + circle[0][0] * box.width, box.y + circle[0][1] * box.height);
    await page.mouse.down();
    for (const [fx, fy] of circle.slice(1, 16)) await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height, { steps: 3 });
    await page.waitForFunction(() => document.getElementById('t-guess').textContent !== '–' &&
      [...document.querySelectorAll('#t-bars .bar-fill')].some((b) => parseFloat(b.style.width) > 0), null, { timeout: 10_000 });
    await page.mouse.up();

    // fresh drawings, new jitter: read right, and the bars follow the drawing
    let right = 0;
    const seen = new Set();
    for (let k = 0; k < 3; k++) {
      for (const d of drawings(SHAPES[k], 3, 500 + 7 * k)) {
        const [guess, b] = await readDrawing(page, d);
        if (guess === NAMES[k]) right++;
        assert.deepEqual(b.map((x) => x.name), NAMES);
        assert.ok(Math.abs(b.reduce((s, x) => s + x.value, 0) - 100) < 1, 'the bars add up to 100%');
        const top = b.reduce((best, x) => (x.value > best.value ? x : best));
        assert.equal(top.name, guess);
        assert.ok(Math.abs(top.width - top.value) < 0.2, 'the bar is as long as its number');
        seen.add(guess);
      }
    }
    console.log(`teach page: ${right} of 9 fresh drawings read right; held-out ${heldOut}%`);
    assert.ok(right >= 8, `${right} of 9 fresh drawings read right`);
    assert.equal(seen.size, 3, 'every class read at some point');
    await page.locator('#teach').screenshot({ path: path.join(artifactsDir(), 'teach.png') });

    // the same network from scratch, measured the same way
    await page.check('#t-compare');
    await waitForEvaluation(page, '#t-acc-scratch');
    const scratch = await pctOf(page, '#t-acc-scratch');
    assert.match(await page.textContent('#t-time'), /^\d+\.\d+ s$/);
    assert.match(await page.textContent('#t-time-scratch'), /^\d+\.\d+ s$/);
    console.log(`teach page: trained in ${await page.textContent('#t-time')} transfer, ${await page.textContent('#t-time-scratch')} from scratch`);
    console.log(`teach page: held-out accuracy ${heldOut}% transfer, ${scratch}% from scratch`);
    assert.equal(await page.locator('#t-per-class thead th').count(), 4);
    assert.equal(await page.locator('#t-confusion table').count(), 2);
    const [, b2] = await readDrawing(page, drawings('circle', 1, 77)[0]);
    assert.equal(b2.length, 3);
    assert.match(await page.textContent('#t-scratch-guess'), /The network trained from scratch reads: (Line|Circle|X) \(\d+%\)/);
    await page.locator('#teach').screenshot({ path: path.join(artifactsDir(), 'teach-compare.png') });

    // fine-tuning retrains at once and is said so
    await page.uncheck('#t-compare');
    await page.check('#t-finetune');
    await page.waitForFunction(() => /fine-tuned the base's last conv layer/.test(document.getElementById('t-status').textContent), null, { timeout: 60_000 });
    await waitForEvaluation(page);
    assert.ok(await pctOf(page, '#t-acc') >= 90);
    const [fineGuess] = await readDrawing(page, drawings('cross', 1, 78)[0]);
    assert.equal(fineGuess, 'X');

    // exports: the nnplay file, TF.js's pair and ONNX, each with the labels, read back here
    const [file, labels] = await downloadsOf(page, '#t-export-nnplay', 2);
    assert.equal(file.name, 'teach-model.nnplay');
    assert.equal(labels.name, 'teach-model.labels.json');
    assert.deepEqual(JSON.parse(new TextDecoder().decode(labels.bytes)).labels, NAMES);
    const model = nn.loadModel(file.bytes);
    assert.equal(model.outputSize, 3);
    const fresh = freshRows(4, 900);
    const pred = model.predict(fresh.x);
    const ok = fresh.y.filter((k, i) => [0, 1, 2].every((c) => pred[i * 3 + c] <= pred[i * 3 + k])).length;
    assert.ok(ok >= fresh.n - 1, `the downloaded model reads ${ok} of ${fresh.n}`);
    const [json, bin] = await downloadsOf(page, '#t-export-tfjs', 3);
    assert.deepEqual([json.name, bin.name], ['teach-model.json', 'teach-model.weights.bin']);
    const topo = JSON.parse(new TextDecoder().decode(json.bytes));
    const tfModel = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topo.modelTopology, weightSpecs: topo.weightsManifest[0].weights,
      weightData: bin.bytes.buffer.slice(bin.bytes.byteOffset, bin.bytes.byteOffset + bin.bytes.length) }));
    const tfPred = tfModel.predict(tf.tensor(fresh.x, [fresh.n, 28, 28, 1])).dataSync();
    assert.ok(tfPred.every((v, i) => Math.abs(v - pred[i]) < 1e-5), 'TF.js reads it as nnplay does');
    const [onnx] = await downloadsOf(page, '#t-export-onnx', 2);
    assert.equal(onnx.name, 'teach-model.onnx');
    const session = await ort.InferenceSession.create(onnx.bytes);
    const { output } = await session.run({ input: new ort.Tensor('float32', fresh.x, [fresh.n, 28, 28, 1]) });
    assert.ok(output.data.every((v, i) => Math.abs(v - pred[i]) < 1e-5), 'onnxruntime reads it as nnplay does');
    assert.match(await page.textContent('#t-status'), /Exported teach-model\.onnx/);
    model.dispose();

    // edit: delete a drawing, add a class, delete it; the panel retrains by itself
    await page.click('#t-classes > li:nth-child(1) .t-thumb >> nth=0');
    assert.equal(await page.textContent('#t-add button:nth-child(1) .t-count'), '4');
    assert.equal(await page.textContent('#t-undo-what'), 'Deleted a drawing of Line.');
    await page.click('#t-undo');
    assert.equal(await page.textContent('#t-add button:nth-child(1) .t-count'), '5');
    assert.equal(await page.isVisible('#t-undo'), false);
    await page.click('#t-classes > li:nth-child(1) .t-thumb >> nth=0');
    await page.click('#t-add-class');
    assert.equal(await page.inputValue('#t-classes > li:nth-child(4) input'), 'A');
    assert.match(await page.textContent('#t-ready'), /'A' \(0\)/);
    await page.click('button[aria-label="Delete class A"]');
    assert.equal(await page.locator('#t-classes > li').count(), 3);
    await page.waitForFunction(() => /on 14 drawings/.test(document.getElementById('t-status').textContent), null, { timeout: 30_000 });
    await waitForEvaluation(page);
    const cm2 = await page.$$eval('#t-confusion table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))));
    assert.deepEqual(cm2.map((r) => r.reduce((a, b) => a + b, 0)), [4, 5, 5]);
    // renaming to a name in use is refused and the name kept
    await page.fill('#t-classes > li:nth-child(2) input', 'line');
    await page.dispatchEvent('#t-classes > li:nth-child(2) input', 'change');
    assert.match(await page.textContent('#t-error'), /already a class named 'line'/);
    assert.equal(await page.inputValue('#t-classes > li:nth-child(2) input'), 'Circle');

    // the drawings and names stay in this browser across a reload, until Start over
    await open(page, url);
    assert.deepEqual(await page.$$eval('#t-add .t-add-name', (e) => e.map((x) => x.textContent)), NAMES);
    assert.deepEqual(await page.$$eval('#t-add .t-count', (e) => e.map((x) => x.textContent)), ['4', '5', '5']);
    await page.click('#t-train');
    await waitForEvaluation(page);
    await page.click('#t-reset');
    assert.equal(await page.locator('#t-classes .t-thumb').count(), 0);
    assert.equal(await page.isDisabled('#t-export-nnplay'), true);
    assert.equal(await page.textContent('#t-acc'), '–');
    await page.click('#t-undo'); // Start over can be taken back
    assert.equal(await page.locator('#t-classes .t-thumb').count(), 14);
    await page.click('#t-reset');
    await open(page, url);
    assert.deepEqual(await page.$$eval('#t-add .t-add-name', (e) => e.map((x) => x.textContent)), ['A', 'B', 'C']);
    assert.equal(await page.locator('#t-classes .t-thumb').count(), 0);
    assert.deepEqual(errors, []);
  });
});

/** Touch events through the DevTools protocol, as a phone's finger sends them (for the pad; buttons are
 *  clicked: Chromium's synthetic taps right after a drawn stroke make no click, a real finger's do). */
async function touchScreen(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
  return cdp;
}

/** Draw with a finger. */
async function touchDraw(page, cdp, strokes) {
  await page.locator('#t-pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#t-pad').boundingBox();
  const at = ([fx, fy]) => ({ x: box.x + fx * box.width, y: box.y + fy * box.height });
  const scrollY = await page.evaluate(() => window.scrollY);
  for (const points of strokes) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(points[0])] });
    for (let i = 1; i < points.length; i++) {
      for (let k = 1; k <= 4; k++) {
        const [a, b] = [points[i - 1], points[i]];
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at([a[0] + ((b[0] - a[0]) * k) / 4, a[1] + ((b[1] - a[1]) * k) / 4])] });
      }
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await page.waitForTimeout(150); // the finger lifts between strokes
  }
  assert.equal(await page.evaluate(() => window.scrollY), scrollY, 'drawing must not scroll the page');
}

test('teach panel at 375 px: nothing overflows sideways, a finger draws, adds and reads', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    const cdp = await touchScreen(page);
    for (let k = 0; k < 2; k++) {
      for (const d of drawings(SHAPES[k + 1], 3, 40 + k)) {
        await touchDraw(page, cdp, d);
        await page.click(`#t-add button:nth-child(${k + 1})`);
      }
    }
    assert.deepEqual(await page.$$eval('#t-add .t-count', (e) => e.map((x) => x.textContent)), ['3', '3', '0']);
    await page.click('button[aria-label="Delete class C"]');
    await page.click('#t-train');
    await waitForEvaluation(page);
    await touchDraw(page, cdp, drawings('cross', 1, 9)[0]);
    await page.waitForFunction(() => document.getElementById('t-guess').textContent === 'B', null, { timeout: 10_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    const pad = await page.locator('#t-pad').boundingBox();
    assert.ok(pad.width >= 250, `the pad is ${pad.width}px wide`);
    for (const id of ['#t-train', '#t-export-onnx', '#t-reset', '#t-add']) {
      const b = await page.locator(id).boundingBox();
      assert.ok(b.x >= 0 && b.x + b.width <= 375, `${id} on screen`);
    }
    await page.locator('#teach').screenshot({ path: path.join(artifactsDir(), 'teach-375.png') });
    assert.deepEqual(errors, []);
  }, { viewport: { width: 375, height: 740 } });
});
