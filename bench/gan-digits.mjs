// The digit GAN's target (issue 12), measured on the page itself: web/gan-digits.html in headless
// Chromium (Debian's, through playwright-core, as the browser tests), Train pressed, and at every
// minute of training (the worker's own clock: time spent in training steps) the page paused so its
// worker scores its 1,000 fixed-noise samples with the shipped classifier, then resumed.
// Prints one JSON object: model, marks [{ minute, train_s, wall_s, steps, steps_per_s, confident, digits,
// per_digit }] and the last one's figures; progress lines go to stderr; a screenshot of the page at
// the end goes to test-artifacts/gan-digits[-dcgan]-bench-<minutes>min.png.
// usage: node bench/gan-digits.mjs [--minutes 5] [--model mlp|dcgan]
import { parseArgs } from 'node:util';
import path from 'node:path';
import { launchBrowser, artifactsDir } from '../tests/browser/helpers.mjs';
import { startServer } from '../tools/serve.mjs';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '5' }, model: { type: 'string', default: 'mlp' } } });
const minutes = Number(values.minutes);
if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) throw new Error('--minutes needs a whole number 1..60');
const model = values.model;
if (!['mlp', 'dcgan'].includes(model)) throw new Error(`--model must be mlp or dcgan, got '${model}'`);

const server = await startServer({ port: 0 });
let browser;
try {
  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  await page.goto(new URL(`web/gan-digits.html${model === 'mlp' ? '' : `?model=${model}`}`, server.url).href);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 120_000 });
  const info = await page.evaluate(() => ({ arch: document.body.dataset.arch, simd: document.getElementById('simd').textContent }));
  const data = () => page.evaluate(() => ({ ...document.body.dataset }));
  const marks = [];
  const wall0 = Date.now();
  await page.click('#play');
  for (let m = 1; m <= minutes; m++) {
    await page.waitForFunction((ms) => Number(document.body.dataset.trainMs) >= ms, m * 60_000, { timeout: 0, polling: 200 });
    await page.click('#play'); // pause: the worker scores at the step it stopped on
    await page.waitForFunction(() => document.body.dataset.running === 'false' && document.body.dataset.scoredAt === document.body.dataset.steps,
      null, { timeout: 120_000 });
    const d = await data();
    const mark = { minute: m, train_s: Number(d.trainMs) / 1000, wall_s: (Date.now() - wall0) / 1000, steps: Number(d.steps),
      steps_per_s: Number(d.steps) / (Number(d.trainMs) / 1000), confident: Number(d.confident), digits: Number(d.digits),
      per_digit: d.perDigit.split(',').map(Number) };
    marks.push(mark);
    console.error(`gan-digits: ${m} min of training (${mark.wall_s.toFixed(0)} s wall): ${mark.steps} steps, ${mark.steps_per_s.toFixed(1)} steps/s, ` +
      `${(mark.confident * 100).toFixed(1)}% read with p >= 0.9, ${mark.digits}/10 digits (${mark.per_digit.join(' ')})`);
    if (m < minutes) await page.click('#play');
  }
  // the page as it stands after the last minute, for a look (test-artifacts/, like the browser tests)
  await page.screenshot({ path: path.join(artifactsDir(), `gan-digits-${model === 'mlp' ? '' : `${model}-`}bench-${minutes}min.png`), fullPage: true });
  if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
  const last = marks[marks.length - 1];
  console.log(JSON.stringify({ minutes, model, scored: 1000, arch: info.arch, simd: info.simd, marks, steps: last.steps, steps_per_s: last.steps_per_s,
    confident: last.confident, digits: last.digits }));
} finally {
  await browser?.close();
  await server.close();
}
