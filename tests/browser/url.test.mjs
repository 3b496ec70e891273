// Hostile links to the playground (web/): the URL hash is input anyone can craft. Names that exist
// on Object.prototype must not pass as known settings, and a huge hash is refused unread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, open } from './helpers.mjs';

/** The settings the controls show, to compare with the defaults. */
const controls = (page) => page.evaluate(() => ({
  dataset: document.getElementById('dataset').value,
  activation: document.getElementById('activation').value,
  optimizer: document.getElementById('optimizer').value,
  regularization: document.getElementById('regularization').value,
  loss: document.getElementById('loss').value,
  speed: document.getElementById('speed').value,
  features: [...document.querySelectorAll('input[name="feature"]:checked')].map((b) => b.value),
  layers: document.getElementById('layer-count').textContent,
  acts: [...document.querySelectorAll('#layers select[data-act]')].map((s) => s.value),
}));

/** Warnings from the page (embed-mode.js warns about unknown hide names). */
function collectWarnings(page) {
  const warnings = [];
  page.on('console', (msg) => { if (msg.type() === 'warning') warnings.push(msg.text()); });
  return warnings;
}

test('URL hash: Object.prototype names (constructor, toString, __proto__) are unknown settings, not known ones', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    const defaults = await controls(page);
    const warnings = collectWarnings(page);
    const hostile = ['dataset=__proto__', 'features=constructor,toString', 'acts=constructor,__proto__',
      'activation=toString', 'optimizer=constructor', 'reg=__proto__', 'loss=hasOwnProperty', 'speed=valueOf',
      'hide=constructor,__proto__,toString'].join('&');
    await page.goto('about:blank');
    await open(page, url, `#${hostile}`);
    // nothing was taken: the defaults, no error (an empty feature list would say "Choose at least one")
    assert.deepEqual(await controls(page), defaults);
    assert.equal(await page.isVisible('#error'), false, await page.textContent('#error'));
    // the worker got a config it can build: one step trains
    await page.click('#step');
    await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 1, null, { timeout: 10_000 });
    assert.equal(await page.isVisible('#error'), false, await page.textContent('#error'));
    // the hash written back holds only real settings
    const hash = decodeURIComponent(await page.evaluate(() => location.hash));
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      assert.ok(!new URLSearchParams(hash.slice(1)).get('acts').includes(name), hash);
      assert.ok(!new URLSearchParams(hash.slice(1)).get('features').includes(name), hash);
    }
    // embed-mode.js names each unknown hide name as it was written
    for (const name of ['constructor', '__proto__', 'toString']) {
      assert.ok(warnings.some((w) => w.includes(`unknown hide name "${name}"`)), `${name}: ${warnings.join(' | ')}`);
    }
    assert.deepEqual(errors, []);
  });
});

test('URL hash: a 200 KB hash is refused unread, with a notice and the default settings', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    const defaults = await controls(page);
    const warnings = collectWarnings(page);
    // every part of it would be work if it were read: 21,000 unknown hide names, a huge feature list, ...
    const hash = `#embed=1&dataset=spiral&hidden=8,8&features=${'x1,'.repeat(21000)}&hide=${'nosuch,'.repeat(21000)}`;
    assert.ok(hash.length > 200_000);
    await page.goto('about:blank');
    const t0 = Date.now();
    await open(page, url, hash);
    console.log(`# a ${(hash.length / 1024).toFixed(0)} KB hash: ready after ${Date.now() - t0} ms`);
    assert.match(await page.textContent('#error'), /too long to read.*default settings/);
    assert.deepEqual(await controls(page), defaults);
    assert.equal(await page.isVisible('header.top'), true, 'embed=1 inside a refused hash is not applied');
    assert.deepEqual(warnings, [], 'the hide list was not read');
    // the page writes its own (short) settings back, so a reload or a shared link is sane again
    assert.ok((await page.evaluate(() => location.hash.length)) < 1000);
    // and it works as usual
    await page.click('#step');
    await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 1, null, { timeout: 10_000 });
    assert.deepEqual(errors, []);
  });
});
