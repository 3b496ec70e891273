// Measurements for the project's note, written to test-artifacts/playground-metrics.json: training
// speed of the playground (spiral, a 2-8-8-1 tanh network, the default settings and speed) and the
// page's frame rate while it trains, beside TensorFlow Playground's pace. TensorFlow Playground is
// not on the npm registry and cannot be fetched here; it trains one epoch per animation frame, so
// its upper bound in this browser is the measured frame rate. Timings are only reported, never
// asserted (the machine is shared and noisy), apart from sanity checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { withPage, artifactsDir, open } from './helpers.mjs';

const WINDOW_MS = 3000;

/** Over WINDOW_MS: epochs/s from the page's epoch counter, and every requestAnimationFrame interval. */
const measure = (page) => page.evaluate((ms) => new Promise((resolve) => {
  const epoch = () => Number(document.getElementById('epoch').textContent);
  const times = [];
  const e0 = epoch();
  const start = performance.now();
  const tick = (t) => {
    times.push(t);
    if (t - start < ms) { requestAnimationFrame(tick); return; }
    const gaps = times.slice(1).map((v, i) => v - times[i]).sort((a, b) => a - b);
    const seconds = (performance.now() - start) / 1000;
    resolve({ epochsPerSecond: (epoch() - e0) / seconds,
      framesPerSecond: gaps.length / ((times[times.length - 1] - times[0]) / 1000),
      medianFrameMs: gaps[Math.floor(gaps.length / 2)], p95FrameMs: gaps[Math.floor(gaps.length * 0.95)],
      longestFrameMs: gaps[gaps.length - 1] });
  };
  requestAnimationFrame(tick);
}), WINDOW_MS);

const round = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? +v.toFixed(1) : v]));

test('metrics: epochs/s on spiral 2-8-8-1 tanh at the default speed, frame rate while training, ratio to TensorFlow Playground', async () => {
  await withPage(async ({ page, url, errors }) => {
    // TensorFlow Playground's defaults otherwise: SGD, learning rate 0.03, batch 10, 50% training data
    await open(page, url, '#dataset=spiral&features=x1,x2&hidden=8,8&activation=tanh');
    assert.equal(await page.inputValue('#speed'), '0', 'the default speed is the maximum');
    const idle = await measure(page);
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) > 500, null, { timeout: 30_000 });
    const training = await measure(page);
    const shownEps = Number((await page.textContent('#eps')).replace(/,/g, ''));
    // the "1 epoch per frame" pace, as TensorFlow Playground trains
    await page.selectOption('#speed', '60');
    await page.waitForTimeout(500);
    const paced = await measure(page);
    await page.click('#play');
    await page.waitForSelector('body[data-state="paused"]');

    const bound = Math.max(idle.framesPerSecond, training.framesPerSecond);
    const samples = Number(await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('ratio'))) / 100 * 500;
    const metrics = {
      measured: new Date().toISOString(),
      browser: await page.evaluate(() => navigator.userAgent),
      setup: 'spiral, 500 points, 50% training (250 samples/epoch), features x1,x2, 2-8-8-1 tanh + sigmoid, SGD 0.03, batch 10, speed: max (default)',
      defaultSpeed: round({ ...training, epochsPerSecondShown: shownEps, samplesPerSecond: training.epochsPerSecond * samples }),
      idle: round(idle),
      speed60: round(paced),
      tfPlayground: {
        available: false,
        why: 'not on the npm registry (the only reachable package source besides Debian); it trains one epoch per requestAnimationFrame',
        // one epoch per frame, at the better of the two frame rates measured here (idle or training)
        upperBoundEpochsPerSecond: +bound.toFixed(1),
      },
      ratioVsTfPlayground: +(training.epochsPerSecond / bound).toFixed(1),
    };
    writeFileSync(path.join(artifactsDir(), 'playground-metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    console.log(`# playground metrics: ${metrics.defaultSpeed.epochsPerSecond} epochs/s at ${metrics.defaultSpeed.framesPerSecond} frames/s ` +
      `(median frame ${metrics.defaultSpeed.medianFrameMs} ms; idle ${metrics.idle.framesPerSecond} frames/s); ` +
      `${metrics.ratioVsTfPlayground}x TensorFlow Playground's one epoch per frame; at speed 60: ${metrics.speed60.epochsPerSecond} epochs/s`);
    assert.ok(training.epochsPerSecond > 0 && training.framesPerSecond > 0 && paced.epochsPerSecond > 0, JSON.stringify(metrics));
    assert.deepEqual(errors, []);
  });
});
