// The text page (web/text.html) in headless Chromium: the shipped mail classifier reads typed text
// and shows each word's contribution, training updates the figures, the shipped Tang model writes
// Chinese and shows the next-character probabilities, models save and load (and a bad file gets a
// message), and a phone-sized screen has no sideways overflow. Screenshots: test-artifacts/text-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { withPage, artifactsDir } from './helpers.mjs';

const SPAMMY = 'FREE money!!! click here to claim your prize now';
const NORMAL = 'Hi Tom, are we still meeting for lunch on Thursday? I can bring the draft of the report so we can go through it together.';
const CJK = /[\u4e00-\u9fff]/;

async function open(page, url, hash = '') {
  await page.goto(new URL(`web/text.html${hash}`, url).href);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
}

const num = async (page, sel) => Number((await page.textContent(sel)).replace(/[,%]/g, ''));

/** Type a message and wait until the probability shown is for it. */
async function classify(page, text) {
  await page.fill('#message', text);
  await page.waitForFunction((t) => {
    const words = document.querySelectorAll('#occlusion .w');
    return words.length > 0 && [...words].map((w) => w.textContent).join(' ') === t.match(/[^\s!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~]+/g).join(' ');
  }, text, { timeout: 10_000 });
  return num(page, '#p-spam');
}

/** Colour pixels drawn in a chart canvas (anything not white or grey). */
const inkOf = (page, sel) => page.locator(sel).evaluate((c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) n++;
  return n;
});

test('text page, Classify: the shipped model reads typed mail with per-word contributions; training updates the figures', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    assert.equal(await page.textContent('#simd'), 'wasm-simd128');
    assert.equal(await page.isVisible('#c-error'), false);
    assert.match(await page.textContent('#c-model-info'), /the shipped model/);
    // the shipped model's test report is there at once
    assert.match(await page.textContent('#c-test-summary'), /1,210 test mails/);
    const acc = Number((await page.textContent('#c-test-summary')).match(/([\d.]+)% classified right/)[1]);
    assert.ok(acc >= 95, `shipped model: ${acc}% on the test mails`);
    const cells = await page.$$eval('#c-confusion tbody td', (tds) => tds.map((td) => Number(td.textContent.replace(/,/g, ''))));
    assert.equal(cells.reduce((a, b) => a + b, 0), 1210);
    assert.equal(await page.locator('#c-worst .mistake').count(), 8);

    const pSpam = await classify(page, SPAMMY);
    assert.ok(pSpam > 80, `spammy text: p(spam) ${pSpam}%`);
    assert.equal(await page.textContent('#verdict-word'), 'spam');
    // one coloured span per word, each with its contribution
    assert.equal(await page.locator('#occlusion .w').count(), 9);
    const titles = await page.$$eval('#occlusion .w', (ws) => ws.map((w) => w.title));
    assert.ok(titles.every((t) => /[+−][\d.]+ points of spam probability \([\d.]+% without it\)/.test(t)), titles.join('\n'));
    assert.ok(await page.locator('#top-spam li:not(.none)').count() >= 1, 'some word pushes towards spam');
    // the numbers are occlusion: p(spam) minus p(spam) without the word
    await page.hover('#occlusion .w >> nth=0');
    assert.match(await page.textContent('#word-detail'), /“FREE”: [+−][\d.]+ points/);
    await page.screenshot({ path: path.join(artifactsDir(), 'text-classify-spam.png'), fullPage: true });

    const pHam = await classify(page, NORMAL);
    assert.ok(pHam < 50, `normal text: p(spam) ${pHam}%`);
    assert.match(await page.textContent('#verdict-word'), /ham/);
    assert.ok(await page.locator('#top-ham li:not(.none)').count() >= 1, 'some word pushes towards ham');
    // the other pages link here, and this page links back
    for (const other of ['web/', 'web/images.html']) {
      assert.match(await (await page.request.get(new URL(other, url).href)).text(), /href="text.html"/, other);
    }
    assert.deepEqual(await page.$$eval('nav.pages a', (as) => as.map((a) => a.getAttribute('href'))), ['./', 'images.html', 'gan.html']);
    await page.click('[data-example="test"]');
    await page.waitForFunction((t) => document.getElementById('message').value !== t, NORMAL);

    // train a few seconds from the shipped weights
    const steps0 = await num(page, '#c-steps');
    await page.click('#c-play');
    assert.equal(await page.getAttribute('#c-play', 'aria-pressed'), 'true');
    await page.waitForFunction(() => Number(document.getElementById('c-steps').textContent.replace(/,/g, '')) > 60 &&
      document.getElementById('c-rate').textContent !== '–' && Number(document.getElementById('c-epoch').textContent) > 0.3,
    null, { timeout: 60_000 });
    await page.waitForTimeout(1000);
    await page.click('#c-play'); // pause
    assert.equal(await page.textContent('#c-play'), 'Train');
    assert.ok(await num(page, '#c-steps') > steps0, 'steps advanced');
    assert.ok(await num(page, '#c-rate') > 50, `examples/s: ${await page.textContent('#c-rate')}`);
    assert.ok(await num(page, '#c-train-acc') > 80, `train accuracy ${await page.textContent('#c-train-acc')}`);
    assert.ok(await num(page, '#c-val-acc') > 80, `validation accuracy ${await page.textContent('#c-val-acc')}`);
    // pausing refreshes the test report for the new weights
    await page.waitForFunction(() => !/after 0 steps/.test(document.getElementById('c-test-summary').textContent));
    assert.ok(await inkOf(page, '#c-loss-chart') > 50, 'loss chart drawn');
    assert.ok(await inkOf(page, '#c-acc-chart') > 50, 'accuracy chart drawn');
    await page.screenshot({ path: path.join(artifactsDir(), 'text-classify.png'), fullPage: true });

    // the Keras example's sizes build the network the page describes
    await page.click('#c-keras');
    await page.waitForFunction(() => /738,945 weights.*new random weights/.test(document.getElementById('c-model-info').textContent), null, { timeout: 30_000 });
    assert.match(await page.textContent('#c-summary'), /LSTM/);
    assert.deepEqual(errors, []);
  });
});

test('text page, Generate: the shipped Tang model writes Chinese, shows next-character probabilities, and trains', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url, '#generate');
    assert.equal(await page.getAttribute('#tab-generate', 'aria-selected'), 'true');
    assert.match(await page.textContent('#g-model-info'), /the shipped model/);
    // a sample is written as soon as the model is there
    assert.match(await page.textContent('#g-samples'), CJK);
    await page.selectOption('#g-length', '100');
    await page.click('#g-generate');
    await page.waitForSelector('#g-output[data-done="true"]', { timeout: 30_000 });
    const out = await page.textContent('#g-output .generated');
    assert.equal(Array.from(out).length, 100);
    assert.ok((out.match(/[\u4e00-\u9fff]/g) || []).length > 50, `mostly Chinese: ${out}`);
    assert.match(out, /[，。]/, 'punctuated like the poems');
    // the ten most likely characters after the cursor: after a poem's first half line, mostly Chinese
    await page.click('#g-next-text');
    await page.keyboard.press('End');
    await page.keyboard.press('Control+End');
    await page.waitForFunction(() => document.querySelectorAll('#g-next li').length === 10);
    const next = await page.$$eval('#g-next li', (lis) => lis.map((li) => [li.querySelector('.prob-name').textContent, parseFloat(li.querySelector('.prob-value').textContent)]));
    assert.ok(next.every(([, p], i) => i === 0 || p <= next[i - 1][1]), 'sorted by probability');
    assert.ok(next.reduce((s, [, p]) => s + p, 0) <= 100.5);
    assert.ok(next.filter(([c]) => CJK.test(c)).length >= 8, `candidates: ${next.map(([c]) => c).join(' ')}`);
    // moving the cursor asks again for the new position
    // (Control+Home alone asks too, for the empty text before the first character: wait for the last answer)
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => /After “…《”/.test(document.getElementById('g-next-note').textContent), null, { timeout: 30_000 });
    await page.screenshot({ path: path.join(artifactsDir(), 'text-generate.png'), fullPage: true });

    // train: progress, charts and a new sample from the training model
    await page.click('#g-play');
    await page.waitForFunction(() => Number(document.getElementById('g-steps').textContent.replace(/,/g, '')) > 10 &&
      document.getElementById('g-rate').textContent !== '–' &&
      /step [1-9]/.test(document.querySelector('#g-samples li')?.textContent || ''), null, { timeout: 60_000 });
    await page.click('#g-play');
    assert.equal(await page.textContent('#g-play'), 'Train');
    assert.ok(await inkOf(page, '#g-loss-chart') > 20, 'loss chart drawn');
    assert.match(await page.textContent('#g-samples li'), CJK);

    // the English corpus: its own shipped model, English words
    await page.selectOption('#g-corpus', 'fortunes');
    await page.waitForFunction(() => /English fortunes/.test(document.getElementById('g-status').textContent) &&
      /the shipped model/.test(document.getElementById('g-model-info').textContent) && /Embedding → LSTM → Dense: LSTM 192/.test(document.getElementById('g-model-info').textContent), null, { timeout: 30_000 });
    // 400 characters drawn at the corpus's temperature: about 80 words, so "at least 5 common ones"
    // does not hang on one draw (100 characters once gave 4)
    const commonWords = (s) => (s.match(/\b(the|and|of|to|a|is|you|in|it|that)\b/gi) || []).length;
    const generated = async () => {
      await page.click('#g-generate');
      await page.waitForSelector('#g-output[data-done="true"]', { timeout: 60_000 });
      return page.textContent('#g-output .generated');
    };
    await page.selectOption('#g-length', '400');
    const english = await generated();
    assert.equal(Array.from(english).length, 400);
    assert.ok(commonWords(english) >= 5, `English-looking: ${english}`);
    // temperature 0 takes the most likely character each time: the same text twice, still English
    await page.locator('#g-temp').evaluate((r) => { r.value = '0'; r.dispatchEvent(new Event('input', { bubbles: true })); });
    assert.equal(await page.textContent('#g-temp-value'), '0');
    const greedy = await generated();
    assert.equal(await generated(), greedy);
    assert.ok(commonWords(greedy) >= 5, `greedy: ${greedy}`);
    assert.deepEqual(errors, []);
  });
});

test('text page: models save and load; a bad or mismatched file gets a message and the page keeps working', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    const dir = artifactsDir();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#c-save')]);
    assert.match(dl.suggestedFilename(), /\.nnplay$/);
    const file = path.join(dir, 'text-spam-model.nnplay');
    await dl.saveAs(file);
    await page.setInputFiles('#c-file', file);
    await page.waitForFunction(() => /loaded from a file/.test(document.getElementById('c-model-info').textContent));
    assert.ok(await classify(page, SPAMMY) > 80, 'the loaded copy classifies like the original');
    // a corrupt file: a visible error, the loaded model stays
    const bad = path.join(dir, 'text-bad.nnplay');
    writeFileSync(bad, Buffer.from('NNPLAYMD not really a model'));
    await page.setInputFiles('#c-file', bad);
    await page.waitForSelector('#c-error:not([hidden])');
    assert.match(await page.textContent('#c-error'), /cannot load this model/);
    assert.match(await page.textContent('#c-model-info'), /loaded from a file/);
    assert.ok(await classify(page, NORMAL) < 50, 'still classifies');

    // Generate: save and load the Tang model; a mail model there is refused with a reason
    await page.click('#tab-generate');
    await page.waitForSelector('body[data-generate="ready"]', { timeout: 60_000 });
    const [gdl] = await Promise.all([page.waitForEvent('download'), page.click('#g-save')]);
    const gfile = path.join(dir, 'text-tang-model.nnplay');
    await gdl.saveAs(gfile);
    await page.setInputFiles('#g-file', gfile);
    await page.waitForFunction(() => /loaded from a file/.test(document.getElementById('g-model-info').textContent));
    await page.click('#g-generate');
    await page.waitForSelector('#g-output[data-done="true"]', { timeout: 30_000 });
    assert.match(await page.textContent('#g-output .generated'), CJK);
    await page.setInputFiles('#g-file', file);
    await page.waitForSelector('#g-error:not([hidden])');
    assert.match(await page.textContent('#g-error'), /cannot load this model: .*character/);
    // and the Tang model in the Classify tab
    await page.click('#tab-classify');
    await page.setInputFiles('#c-file', gfile);
    await page.waitForFunction(() => /cannot load this model: the mail classifier reads 100 token ids .*this model takes \[40\]/.test(document.getElementById('c-error').textContent));
    assert.match(await page.textContent('#c-model-info'), /loaded from a file/);
    assert.deepEqual(errors, []);
  });
});

test('text page on a phone (390x844): no sideways overflow on either tab', async () => {
  await withPage(async ({ page, url, errors }) => {
    await open(page, url);
    await classify(page, SPAMMY);
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(await overflow() <= 0, `Classify is ${await overflow()}px wider than the screen`);
    await page.screenshot({ path: path.join(artifactsDir(), 'text-390-classify.png'), fullPage: true });
    await page.click('#tab-generate');
    await page.waitForSelector('body[data-generate="ready"]', { timeout: 60_000 });
    await page.click('#g-generate');
    await page.waitForSelector('#g-output[data-done="true"]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('#g-next li').length === 10);
    assert.ok(await overflow() <= 0, `Generate is ${await overflow()}px wider than the screen`);
    await page.screenshot({ path: path.join(artifactsDir(), 'text-390-generate.png'), fullPage: true });
    assert.deepEqual(errors, []);
  }, { viewport: { width: 390, height: 844 } });
});
