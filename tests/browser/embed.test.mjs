// examples/tutorial.html: two <nn-playground> embeds (web/embed.js), each an iframe on the
// playground with some controls hidden by web/embed-mode.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../tools/util.mjs';
import { withPage, artifactsDir } from './helpers.mjs';

const visible = (frame, sel) => frame.locator(sel).first().isVisible();

test('the tutorial embeds two configured playgrounds with the chosen controls hidden', async () => {
  assert.match(readFileSync(path.join(ROOT, 'web', 'index.html'), 'utf8'), /<script type="module" src="embed-mode\.js"><\/script>/,
    'web/index.html must load embed-mode.js: <script type="module" src="embed-mode.js"></script>');
  await withPage(async ({ page, url, errors }) => {
    await page.goto(new URL('examples/tutorial.html', url).href);
    assert.equal(await page.locator('nn-playground iframe').count(), 2);
    const frameOf = async (id) => {
      const handle = await page.$(`#${id} iframe`);
      const frame = await handle.contentFrame();
      await frame.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
      return frame;
    };
    const circle = await frameOf('circle');
    const spiral = await frameOf('spiral');
    assert.match(circle.url(), /\/web\/index\.html#.*embed=1/);
    assert.equal(await circle.inputValue('#dataset'), 'circle');
    assert.equal(await spiral.inputValue('#dataset'), 'spiral');
    assert.equal(await spiral.inputValue('#optimizer'), 'adam');
    assert.equal(await spiral.locator('input[name="feature"][value="sinx1"]').isChecked(), true);
    assert.equal(await spiral.textContent('#layer-1-size'), 'L1: 8');

    for (const frame of [circle, spiral]) {
      assert.equal(await visible(frame, 'header.top'), false, 'embed mode hides the header');
      assert.equal(await visible(frame, '#heatmap'), true);
      assert.equal(await visible(frame, '#play'), true);
    }
    // circle: only the learning rate among the settings
    assert.equal(await visible(circle, '#lr'), true);
    assert.equal(await visible(circle, 'label[for="lr"]'), true);
    for (const sel of ['#dataset', 'label[for="dataset"]', '#noise', '#ratio', '#batch', 'fieldset.features',
      '#layers', '#add-layer', '#activation', '#regularization', '#reg-rate', '#optimizer', '#problem', '#csv-file',
      '#loss', '#speed', '#weight-form', '#point-class',
      '.panel.data']) {
      assert.equal(await visible(circle, sel), false, `circle: ${sel} should be hidden`);
    }
    // spiral: features and layers stay, the optimizer etc. go (and with them the whole data panel)
    for (const sel of ['fieldset.features', '#add-layer', '#layers', '#network']) {
      assert.equal(await visible(spiral, sel), true, `spiral: ${sel} should be visible`);
    }
    for (const sel of ['#lr', 'label[for="lr"]', '#activation', '#optimizer', '#regularization', '#dataset', '#noise',
      '.panel.data']) {
      assert.equal(await visible(spiral, sel), false, `spiral: ${sel} should be hidden`);
    }

    // It trains inside the frame, and the playground's own hash updates keep embed/hide.
    await circle.click('#play');
    await circle.waitForFunction(() => Number(document.getElementById('epoch').textContent) > 10, null,
      { timeout: 20_000 });
    await circle.selectOption('#lr', '0.1');
    await circle.waitForFunction(() => /lr=0\.1/.test(location.hash));
    assert.match(circle.url(), /embed=1/);
    assert.match(circle.url(), /hide=/);

    await page.screenshot({ path: path.join(artifactsDir(), 'tutorial.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });
});

test('embed attributes set the loss, speed, per-layer activation and dropout; hide takes the new controls too', async () => {
  await withPage(async ({ page, url, errors }) => {
    await page.goto(new URL('web/index.html', url).href);
    const src = await page.evaluate(async () => {
      const { playgroundUrl } = await import('/web/embed.js');
      return playgroundUrl(new Map(Object.entries({ preset: 'blobs', layers: '6', 'layer-activations': 'relu',
        dropout: '0.2', loss: 'mse', speed: '60', hide: 'loss,speed,weights,points' })));
    });
    const hash = new URLSearchParams(new URL(src).hash.slice(1));
    assert.deepEqual(['dataset', 'hidden', 'acts', 'dropout', 'loss', 'speed', 'embed', 'hide'].map((k) => hash.get(k)),
      ['blobs', '6', 'relu', '0.2', 'mse', '60', '1', 'loss,speed,weights,points']);
    await page.goto('about:blank'); // a new document, not a hash change
    await page.goto(src);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    assert.equal(await page.inputValue('#layer-1-act'), 'relu');
    assert.equal(await page.inputValue('#layer-1-dropout'), '0.2');
    assert.equal(await page.inputValue('#loss'), 'mse');
    assert.equal(await page.inputValue('#speed'), '60');
    for (const sel of ['#loss', 'label[for="loss"]', '#speed', '#weight-form', '#point-class', 'header.top']) {
      assert.equal(await visible(page, sel), false, `${sel} should be hidden`);
    }
    for (const sel of ['#network', '#heatmap', '#layers']) assert.equal(await visible(page, sel), true, `${sel} should be visible`);
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) > 5, null, { timeout: 20_000 });
    assert.deepEqual(errors, []);
  });
});
