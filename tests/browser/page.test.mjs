// The interim page (web/) and the JS API in headless Chromium, served by tools/serve.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { withPage, artifactsDir } from './helpers.mjs';

const TRAIN_TIMEOUT = 60_000;

/** Counts of heatmap pixels that are clearly orange (class 0) and clearly blue (class 1). */
function classPixels(page) {
  return page.evaluate(() => {
    const canvas = document.getElementById('heatmap');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let orange = 0;
    let blue = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, b] = [data[i], data[i + 2]];
      if (r - b > 60) orange++;
      else if (b - r > 60) blue++;
    }
    return { orange, blue, total: data.length / 4 };
  });
}

/** Click Train and wait until the page says it is done (or shows an error). */
async function train(page) {
  await page.click('#train');
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: TRAIN_TIMEOUT });
  const error = await page.textContent('#error');
  assert.equal(await page.getAttribute('body', 'data-state'), 'done', `the page reported: ${error}`);
}

test('the page trains XOR to 100% and draws the decision boundary', async () => {
  await withPage(async ({ page, url, errors }) => {
    await page.goto(url); // `/` redirects to /web/
    assert.match(page.url(), /\/web\/$/);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    assert.equal(await page.textContent('#simd'), 'wasm-simd128');
    assert.equal(await page.isVisible('#error'), false);

    // live numbers appear while training
    await page.click('#train');
    await page.waitForFunction(() => /^\d+ \/ \d+$/.test(document.getElementById('epoch').textContent),
      null, { timeout: TRAIN_TIMEOUT });
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: TRAIN_TIMEOUT });
    assert.equal(await page.getAttribute('body', 'data-state'), 'done', await page.textContent('#error'));

    assert.equal(await page.textContent('#accuracy'), '100%');
    assert.equal(await page.textContent('#epoch'), '200 / 200');
    assert.match(await page.textContent('#status'), /Done: 200 epochs .*accuracy 100%/);
    const rows = await page.$$eval('#predictions tbody tr', (trs) => trs.map((tr) => ({
      cells: [...tr.cells].map((td) => td.textContent), correct: tr.dataset.correct })));
    assert.equal(rows.length, 4);
    const want = { '0,0': 0, '0,1': 1, '1,0': 1, '1,1': 0 };
    for (const { cells, correct } of rows) {
      const [a, b, label, out] = cells;
      assert.equal(Number(label), want[`${a},${b}`], `label of ${a} xor ${b}`);
      assert.equal(correct, 'true', `prediction for ${a} xor ${b}: ${out}`);
      assert.equal(parseFloat(out) >= 0.5, Number(label) === 1, `output for ${a} xor ${b}: ${out}`);
    }

    const px = await classPixels(page);
    assert.ok(px.orange > px.total * 0.05, `orange (class 0) pixels: ${px.orange} of ${px.total}`);
    assert.ok(px.blue > px.total * 0.05, `blue (class 1) pixels: ${px.blue} of ${px.total}`);

    await page.screenshot({ path: path.join(artifactsDir(), 'xor-page.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });
});

test('the page works 375px wide and learns the spiral', async () => {
  await withPage(async ({ page, url, errors }) => {
    await page.goto(new URL('web/', url).href);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    assert.equal(await page.getAttribute('#heatmap', 'role'), 'img');
    assert.ok(await page.getAttribute('#heatmap', 'aria-label'));
    assert.equal(await page.getAttribute('#error', 'role'), 'alert');
    assert.equal(await page.textContent('label[for="dataset"]'), 'Data set');

    await page.selectOption('#dataset', 'spiral');
    await train(page);
    const testAcc = parseFloat(await page.textContent('#test-accuracy'));
    assert.ok(testAcc >= 90, `spiral test accuracy ${testAcc}%`);
    assert.equal(await page.$$eval('#predictions tbody tr', (trs) => trs.length), 6);
    const px = await classPixels(page);
    assert.ok(px.orange > 0 && px.blue > 0, JSON.stringify(px));
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));

    await page.screenshot({ path: path.join(artifactsDir(), 'spiral-page-375.png'), fullPage: true });
    assert.deepEqual(errors, []);
  }, { viewport: { width: 375, height: 812 } });
});

test('the page can stop training and train again', async () => {
  await withPage(async ({ page, url, errors }) => {
    await page.goto(new URL('web/', url).href);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    await page.selectOption('#dataset', 'spiral');
    await page.click('#train');
    await page.waitForSelector('body[data-state="training"]');
    assert.equal(await page.isDisabled('#dataset'), true);
    await page.click('#stop');
    await page.waitForSelector('body[data-state="done"]', { timeout: TRAIN_TIMEOUT });
    assert.match(await page.textContent('#status'), /^Stopped after \d+ epochs/);
    await page.selectOption('#dataset', 'xor4');
    await train(page);
    assert.equal(await page.textContent('#accuracy'), '100%');
    assert.deepEqual(errors, []);
  });
});

test('the JS API trains, evaluates and survives bad input in the browser', async () => {
  await withPage(async ({ page, url, errors }) => {
    // any same-origin document will do; this one runs no scripts of its own
    await page.goto(new URL('package.json', url).href);
    const r = await page.evaluate(async () => {
      const nn = await import('/wasm/nnplay.js');
      await nn.ready();
      const make = () => {
        const m = nn.sequential({ seed: 3, layers: [
          nn.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }),
          nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
        m.compile({ optimizer: nn.train.adam(0.1), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
        return m;
      };
      const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
      const y = [0, 1, 1, 0];
      const model = make();
      let epochsSeen = 0;
      const history = await model.fit(x, y, { epochs: 150, batchSize: 4,
        callbacks: { onEpochEnd: () => { epochsSeen++; } } });
      const ev = model.evaluate(x, y);
      const caught = (fn) => {
        try { fn(); return null; } catch (e) { return { isError: e instanceof Error, message: e.message }; }
      };
      const bad = {
        shape: caught(() => model.predict([[1, 2, 3]])),
        nan: caught(() => model.predict([[0, NaN]])),
        layer: caught(() => nn.layers.dense({ units: 4, activaton: 'relu' })),
        loss: caught(() => make().compile({ optimizer: 'adam', loss: 'crossEntropy' })),
        labels: caught(() => model.evaluate(x, [0, 1, 1])),
      };
      let fitRejected = null;
      try { await model.fit(x, [0, 1, 1], { epochs: 1 }); } catch (e) { fitRejected = { isError: e instanceof Error, message: e.message }; }
      // still working afterwards: predict, train more, a fresh model
      const after = Array.from(model.predict(x));
      await model.fit(x, y, { epochs: 5, batchSize: 4 });
      const again = make();
      await again.fit(x, y, { epochs: 150, batchSize: 4 });
      const ev2 = again.evaluate(x, y);
      model.dispose();
      again.dispose();
      return { simd: nn.info().simd, accuracy: ev.accuracy, loss: ev.loss, epochsSeen,
        historyLen: history.history.loss.length, bad, fitRejected, after, accuracy2: ev2.accuracy };
    });
    assert.equal(r.simd, 'wasm-simd128');
    assert.equal(r.accuracy, 1);
    assert.ok(r.loss < 0.1, `loss ${r.loss}`);
    assert.equal(r.epochsSeen, 150);
    assert.equal(r.historyLen, 150);
    for (const [what, e] of Object.entries({ ...r.bad, fitRejected: r.fitRejected })) {
      assert.ok(e, `${what}: no error was thrown`);
      assert.equal(e.isError, true, `${what}: not an Error`);
      assert.match(e.message, /^nnplay: .{10,}/, `${what}: ${e.message}`);
    }
    assert.match(r.bad.shape.message, /not a whole number of samples of 2/);
    assert.match(r.bad.nan.message, /NaN/);
    assert.match(r.bad.layer.message, /unknown option 'activaton'/);
    assert.match(r.bad.loss.message, /unknown loss 'crossEntropy'/);
    assert.match(r.fitRejected.message, /4 samples but y has 3/);
    assert.deepEqual(r.after.map((p) => p >= 0.5), [false, true, true, false]);
    assert.equal(r.accuracy2, 1);
    assert.deepEqual(errors, []);
  });
});

test('the page shows an error when the wasm module cannot load', async () => {
  await withPage(async ({ page, url }) => {
    await page.route('**/nnplay_core.wasm', (route) => route.abort());
    await page.goto(new URL('web/', url).href);
    await page.waitForSelector('#error:not([hidden])', { timeout: 20_000 });
    assert.match(await page.textContent('#error'), /could not load the wasm module/);
    assert.equal(await page.isDisabled('#train'), true);
  });
});
