// The GAN lab (web/gan.html): it trains in its worker and the generated points move onto the real
// ones, every control reaches the engine while it trains, the step buttons and slow motion explain
// what they did, the URL restores the setup, a drawn distribution trains, <nn-gan> embeds it, and
// it works on a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { withPage, artifactsDir } from './helpers.mjs';
import { presetFor } from '../../web/gan/lab.js';

const shot = (page, name, fullPage = true) => page.screenshot({ path: path.join(artifactsDir(), name), fullPage });

async function openGan(page, url, hash = '') {
  await page.goto(new URL(`web/gan.html${hash}`, url).href);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
  await page.waitForFunction(() => window.nnGan.engineSettings, null, { timeout: 10_000 });
}

// Small networks that learn the ring in a few thousand steps (a few seconds); the page's defaults are bigger.
const SMALL = '#noise=2,uniform&g=2,32,relu,adam,0.001&d=2,32,relu,adam,0.001&pack=1';

const stepsOf = (page) => page.evaluate(() => window.nnGan.snapshot.steps);
const engine = (page) => page.evaluate(() => window.nnGan.engineSettings);

/** Mean distance from each shown generated point to its nearest shown real point. */
const fakeToReal = (page) => page.evaluate(() => {
  const { fake, real } = window.nnGan.snapshot;
  let sum = 0;
  for (let i = 0; i < fake.length; i += 2) {
    let best = Infinity;
    for (let j = 0; j < real.length; j += 2) best = Math.min(best, (fake[i] - real[j]) ** 2 + (fake[i + 1] - real[j + 1]) ** 2);
    sum += Math.sqrt(best);
  }
  return sum / (fake.length / 2);
});

test('the GAN lab trains in its worker: the generated points move onto the real ones and the figures follow', async () => {
  await withPage(async ({ page, url, errors }) => {
    await openGan(page, url, SMALL);
    assert.equal(await page.getAttribute('[data-target="ring"]', 'aria-checked'), 'true');
    assert.equal(await page.textContent('#step-count'), '0');
    const js0 = Number(await page.textContent('#js'));
    const d0 = await fakeToReal(page);
    assert.ok(js0 > 0.3, `an untrained generator is far from the ring: JS ${js0}`);
    await page.click('#play');
    await page.waitForFunction(() => window.nnGan.snapshot.steps > 3000, null, { timeout: 60_000 });
    await page.click('#play'); // pause
    await page.waitForTimeout(700); // the last snapshot's score
    const js1 = Number(await page.textContent('#js'));
    const d1 = await fakeToReal(page);
    assert.ok(d1 < d0 / 3, `generated points closer to the real ones: ${d0.toFixed(3)} -> ${d1.toFixed(3)}`);
    assert.ok(js1 < js0, `JS divergence falls: ${js0} -> ${js1}`);
    assert.match(await page.textContent('#modes'), /^\d of 8$/);
    assert.match(await page.textContent('#hq'), /^\d+(\.\d)?%$/);
    assert.match(await page.textContent('#kl'), /^\d+\.\d{3}$/);
    assert.match(await page.textContent('#d-loss'), /^\d+\.\d{3}$/);
    assert.ok((await page.evaluate(() => window.nnGan.history.length)) > 5, 'the loss chart has points');
    assert.ok(Number((await page.textContent('#step-count')).replace(/,/g, '')) > 3000);
    const snap = await page.evaluate(() => ({ lattice: window.nnGan.snapshot.lattice?.dim, heat: window.nnGan.snapshot.heat?.size }));
    assert.deepEqual(snap, { lattice: 2, heat: 40 });
    // A paused lab stays put.
    const s = await stepsOf(page);
    await page.waitForTimeout(300);
    assert.equal(await stepsOf(page), s);
    await page.check('#v-arrows');
    await page.waitForFunction(() => window.nnGan.snapshot.arrows);
    await page.waitForTimeout(100);
    await shot(page, 'gan.png');
    assert.deepEqual(errors, []);
  });
});

test('every control changes the engine\'s settings while it trains, and the URL with them', async () => {
  await withPage(async ({ page, url, errors }) => {
    await openGan(page, url, SMALL);
    await page.click('#play');
    const changes = [
      ['#loss', 'leastSquares', (s) => s.loss], ['#drop', '1000', (s) => s.lrDropAfter], ['#drops', '2', (s) => s.lrDrops], ['#d-steps', '3', (s) => s.dSteps],
      ['#smoothing', '0.9', (s) => s.labelSmoothing], ['#pack', '2', (s) => s.pack], ['#batch', '128', (s) => s.batchSize],
      ['#noise-dist', 'gaussian', (s) => s.noise.dist], ['#noise-dim', '1', (s) => s.noise.dim],
      ['#g-layers', '3', (s) => s.g.layers], ['#g-units', '16', (s) => s.g.units], ['#g-act', 'tanh', (s) => s.g.activation],
      ['#g-opt', 'sgd', (s) => s.g.optimizer], ['#g-lr', '0.01', (s) => s.g.lr],
      ['#d-layers', '1', (s) => s.d.layers], ['#d-units', '64', (s) => s.d.units], ['#d-act', 'tanh', (s) => s.d.activation],
      ['#d-opt', 'sgd', (s) => s.d.optimizer], ['#d-lr', '0.003', (s) => s.d.lr],
    ];
    for (const [sel, value, read] of changes) {
      const before = await stepsOf(page);
      await page.selectOption(sel, value);
      await page.waitForFunction(([v, f]) => String(new Function('s', `return (${f})(s)`)(window.nnGan.engineSettings)) === v,
        [value, read.toString()], { timeout: 10_000 }).catch((err) => { throw new Error(`${sel} = ${value} did not reach the engine: ${err.message}`); });
      await page.waitForFunction((b) => window.nnGan.snapshot.steps > b, before, { timeout: 20_000 }); // still training
    }
    const hash = new URLSearchParams(new URL(page.url()).hash.slice(1));
    assert.deepEqual(['loss', 'drop', 'dsteps', 'smooth', 'pack', 'batch', 'noise', 'g', 'd'].map((k) => hash.get(k)),
      ['leastSquares', '1000,0.1,2', '3', '0.9', '2', '128', '1,gaussian', '3,16,tanh,sgd,0.01', '1,64,tanh,sgd,0.003']);
    assert.deepEqual(errors, []);
  });
});

test('the targets, from the mouse and the keyboard; views switch on and off; tuned settings', async () => {
  await withPage(async ({ page, url, errors }) => {
    await openGan(page, url, SMALL.replace('noise=2,uniform', 'noise=1,gaussian'));
    await page.click('#play');
    // 1D noise: G's transformation is a warped line
    await page.waitForFunction(() => window.nnGan.snapshot.lattice?.dim === 1);
    // targets
    await page.click('[data-target="grid"]');
    await page.waitForFunction(() => window.nnGan.engineSettings.target === 'grid');
    assert.equal(await page.getAttribute('[data-target="grid"]', 'aria-checked'), 'true');
    await page.waitForFunction(() => window.nnGan.snapshot.view[1] > 4);
    await page.waitForFunction(() => document.body.classList.contains('has-modes') && /of 25$/.test(document.getElementById('modes').textContent));
    await page.focus('[data-target="grid"]');
    await page.keyboard.press('ArrowRight'); // grid -> twoGaussians -> line, from the keyboard
    await page.waitForFunction(() => window.nnGan.engineSettings.target === 'twoGaussians');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => window.nnGan.engineSettings.target === 'line');
    await page.waitForFunction(() => !document.body.classList.contains('has-modes'));
    assert.equal(await page.isVisible('#modes'), false, 'no mode figures for the line');
    await page.waitForTimeout(500);
    await page.click('#play');
    await shot(page, 'gan-controls-1d.png');
    // views switch on and off, and the worker stops sending what is not shown
    await page.uncheck('#v-heat');
    await page.uncheck('#v-grid');
    await page.click('#step-both');
    await page.waitForFunction(() => !window.nnGan.snapshot.heat && !window.nnGan.snapshot.lattice);
    assert.match(page.url(), /show=real%2Cfake(&|$)/);
    // "Default settings" puts back the target's preset (the seed stays)
    await page.click('[data-target="ring"]');
    await page.click('#tuned');
    const preset = presetFor('ring').settings;
    await page.waitForFunction((p) => window.nnGan.engineSettings.pack === p.pack && window.nnGan.engineSettings.g.units === p.g.units, preset);
    const { seed } = await engine(page);
    assert.deepEqual(await engine(page), { ...preset, seed, noise: { ...preset.noise }, g: { ...preset.g }, d: { ...preset.d } });
    // untouched, the settings follow the distribution: the grid brings its own preset
    await page.click('[data-target="grid"]');
    const grid = presetFor('grid').settings;
    await page.waitForFunction((b) => window.nnGan.engineSettings.batchSize === b, grid.batchSize);
    assert.deepEqual(await engine(page), { ...grid, seed, noise: { ...grid.noise }, g: { ...grid.g }, d: { ...grid.d } });
    await page.click('[data-target="ring"]');
    await page.waitForFunction((b) => window.nnGan.engineSettings.batchSize === b, preset.batchSize);
    assert.equal(await page.inputValue('#g-units'), String(presetFor('ring').settings.g.units));
    assert.match(await page.textContent('#lr-now'), /^[\d.e-]+ \/ [\d.e-]+$/);
    assert.deepEqual(errors, []);
  });
});

test('step D, step G and step both: one update each, explained beside the plot; slow motion plays them in turn', async () => {
  await withPage(async ({ page, url, errors }) => {
    await openGan(page, url);
    const narration = () => page.textContent('#narration');
    await page.click('#step-d');
    await page.waitForFunction(() => /D's turn/.test(document.getElementById('narration').textContent));
    let text = await narration();
    const ring = presetFor('ring').settings; // a link without settings starts from the ring's preset
    const seen = ring.batchSize * ring.pack;
    assert.match(text, new RegExp(`D saw ${seen} real and ${seen} generated points \\(${ring.pack} at a time: packing\\) and took 1 Adam step`));
    assert.match(text, /Its loss on a fixed check batch (fell|rose|stayed) from \d+\.\d{3} to \d+\.\d{3}/);
    assert.doesNotMatch(text, /G's turn/);
    assert.equal(await stepsOf(page), 0, 'a D step alone is not a training step');
    await page.click('#step-g');
    await page.waitForFunction(() => /G's turn/.test(document.getElementById('narration').textContent));
    text = await narration();
    assert.match(text, new RegExp(`G turned ${seen} fresh noise values into points and took one Adam step`));
    assert.match(text, /moved along its arrow, on average by \d+\.\d{3}/);
    assert.doesNotMatch(text, /D's turn/);
    assert.equal(await stepsOf(page), 1);
    await page.selectOption('#pack', '2');
    await page.selectOption('#smoothing', '0.8');
    await page.click('#step-both');
    await page.waitForFunction(() => window.nnGan.snapshot.steps === 2);
    text = await narration();
    assert.match(text, /D's turn.*G's turn/s);
    assert.match(text, /2 at a time: packing/);
    assert.match(text, /aiming at 0\.8 for real points/);
    assert.equal(await page.textContent('#step-count'), '2');
    await page.waitForTimeout(300); // mid-glide
    await shot(page, 'gan-step.png');
    // slow motion: D, then G, then D ... with a pause to read each
    await page.check('#slow');
    assert.match(page.url(), /slow=1/);
    await page.click('#play');
    await page.waitForFunction(() => window.nnGan.snapshot.steps >= 3 && /G's turn/.test(document.getElementById('narration').textContent),
      null, { timeout: 15_000 });
    await page.waitForFunction(() => /D's turn/.test(document.getElementById('narration').textContent), null, { timeout: 15_000 });
    await page.click('#play');
    const s = await stepsOf(page);
    assert.ok(s >= 3 && s < 8, `slow motion is slow: ${s} steps`);
    await page.click('#reset');
    await page.waitForFunction(() => window.nnGan.snapshot.steps === 0 && window.nnGan.history.length === 0);
    assert.deepEqual(errors, []);
  });
});

test('the URL restores the whole setup, and a changed setup makes a link that restores it', async () => {
  await withPage(async ({ page, url, errors }) => {
    const hash = '#target=clusters&noise=1,gaussian&g=3,64,tanh,sgd,0.01&d=1,8,elu,adam,0.0003&loss=minimax&drop=2000,0.5,3&dsteps=2&smooth=0.7' +
      '&pack=3&batch=32&seed=7&speed=300&show=fake,heat,arrows&slow=1';
    await openGan(page, url, hash);
    const want = { target: 'clusters', noise: { dim: 1, dist: 'gaussian' }, g: { layers: 3, units: 64, activation: 'tanh', optimizer: 'sgd', lr: 0.01 },
      d: { layers: 1, units: 8, activation: 'elu', optimizer: 'adam', lr: 0.0003 }, loss: 'minimax', lrDropAfter: 2000, lrDrop: 0.5, lrDrops: 3, dSteps: 2, labelSmoothing: 0.7, pack: 3,
      batchSize: 32, seed: 7 };
    const s = await engine(page);
    for (const [k, v] of Object.entries(want)) {
      assert.deepEqual(typeof v === 'object' ? Object.fromEntries(Object.keys(v).map((f) => [f, s[k][f]])) : s[k], v, k);
    }
    assert.equal(await page.inputValue('#g-act'), 'tanh');
    assert.equal(await page.inputValue('#d-lr'), '0.0003');
    assert.equal(await page.inputValue('#speed'), '300');
    assert.equal(await page.isChecked('#slow'), true);
    assert.deepEqual(await Promise.all(['#v-real', '#v-fake', '#v-grid', '#v-heat', '#v-arrows'].map((c) => page.isChecked(c))),
      [false, true, false, true, true]);
    // change, then open the new link in a fresh page
    await page.selectOption('#loss', 'leastSquares');
    await page.click('[data-target="twoGaussians"]');
    await page.waitForFunction(() => /target=twoGaussians/.test(location.hash) && /loss=leastSquares/.test(location.hash));
    const link = page.url();
    await page.goto('about:blank');
    await page.goto(link);
    await page.waitForSelector('body[data-state="ready"]');
    await page.waitForFunction(() => window.nnGan.engineSettings);
    const t = await engine(page);
    assert.deepEqual([t.target, t.loss, t.pack, t.seed, t.g.units], ['twoGaussians', 'leastSquares', 3, 7, 64]);
    // nonsense in a link keeps the start (the ring's preset), and says nothing alarming
    await page.goto('about:blank');
    await openGan(page, url, '#target=constructor&g=99,abc,__proto__,x,-1&loss=<b>&pack=1e9&seed=-4&pts=zz');
    const d = await engine(page);
    const ring = presetFor('ring').settings;
    assert.deepEqual([d.target, d.loss, d.pack, d.seed, d.g], [ring.target, ring.loss, ring.pack, ring.seed, ring.g]);
    assert.deepEqual(errors, []);
  });
});

test('a distribution drawn with the mouse trains, and its link brings the drawing back', async () => {
  await withPage(async ({ page, url, errors }) => {
    await openGan(page, url, SMALL);
    await page.click('#draw');
    assert.equal(await page.getAttribute('#draw', 'aria-pressed'), 'true');
    const box = await page.locator('#plot').boundingBox();
    // an L: down the left side, then along the bottom
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.2);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * (0.2 + 0.03 * i));
    for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + box.width * (0.25 + 0.025 * i), box.y + box.height * 0.8);
    await page.mouse.up();
    await shot(page, 'gan-drawing.png', false);
    await page.click('#draw'); // Done
    await page.waitForFunction(() => window.nnGan.engineSettings.target === 'drawn');
    const pts = (await engine(page)).drawnPoints;
    assert.ok(pts.length > 40, `${pts.length / 2} points drawn`);
    for (let i = 0; i < pts.length; i += 2) {
      const [x, y] = [pts[i], pts[i + 1]]; // the L: x = -1 from y = 1.2 down to y = -1.2, then y = -1.2 to x = 1
      assert.ok((Math.abs(x + 1) < 0.05 && y > -1.25 && y < 1.25) || (Math.abs(y + 1.2) < 0.05 && x > -1.05 && x < 1.05), `${x}, ${y} is on the L`);
    }
    assert.match(page.url(), /target=drawn/);
    assert.match(page.url(), /pts=/);
    const d0 = await fakeToReal(page);
    await page.click('#play');
    await page.waitForFunction(() => window.nnGan.snapshot.steps > 2000, null, { timeout: 60_000 });
    await page.click('#play');
    const d1 = await fakeToReal(page);
    assert.ok(d1 < d0, `generated points closer to the drawing: ${d0.toFixed(3)} -> ${d1.toFixed(3)}`);
    await shot(page, 'gan-drawn.png');
    const link = page.url();
    await page.goto('about:blank');
    await page.goto(link);
    await page.waitForFunction(() => window.nnGan?.engineSettings);
    assert.deepEqual((await engine(page)).drawnPoints, pts);
    assert.deepEqual(errors, []);
  });
});

test('<nn-gan> embeds a configured lab with parts hidden', async () => {
  await withPage(async ({ page, url, errors }) => {
    await page.goto(new URL('examples/gan-tutorial.html', url).href);
    const handle = await page.waitForSelector('#collapse iframe');
    const frame = await handle.contentFrame();
    await frame.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    await frame.waitForFunction(() => window.nnGan.engineSettings);
    assert.match(frame.url(), /\/web\/gan\.html#.*embed=1/);
    const s = await frame.evaluate(() => window.nnGan.engineSettings);
    assert.equal(s.target, 'ring');
    for (const sel of ['header.top', '.intro', '#g-set', '.panel.data', '#pack']) {
      assert.equal(await frame.locator(sel).first().isVisible(), false, `${sel} hidden`);
    }
    for (const sel of ['#plot', '#play', '#loss', '#d-set']) assert.equal(await frame.locator(sel).first().isVisible(), true, `${sel} shown`);
    await frame.click('#play');
    await frame.waitForFunction(() => window.nnGan.snapshot.steps > 20, null, { timeout: 30_000 });
    await frame.selectOption('#loss', 'leastSquares');
    await frame.waitForFunction(() => /loss=leastSquares/.test(location.hash) && /embed=1/.test(location.hash) && /hide=/.test(location.hash));
    const src = await page.evaluate(async () => {
      const { ganUrl } = await import('/web/embed.js');
      return ganUrl(new Map(Object.entries({ preset: 'grid', pack: '3', 'd-steps': '2', slow: '', hide: 'models' })));
    });
    const hash = new URLSearchParams(new URL(src).hash.slice(1));
    assert.deepEqual(['target', 'pack', 'dsteps', 'slow', 'embed', 'hide'].map((k) => hash.get(k)), ['grid', '3', '2', '1', '1', 'models']);
    await page.waitForTimeout(1500);
    await shot(page, 'gan-embed.png');
    // "Embed this setup" writes an element that opens the lab as it is on screen
    await openGan(page, url, '#target=grid&loss=minimax&pack=2&g=2,64,tanh,adam,0.003&show=fake,heat&slow=1');
    await page.click('#embed-link');
    const code = await page.textContent('#embed-code');
    assert.match(code, /^<script type="module" src="http:[^"]+\/web\/embed\.js"><\/script>\n<nn-gan /);
    const attrs = new Map([...code.split('\n')[1].matchAll(/ ([a-z-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    assert.equal(attrs.get('height'), '720');
    const back = await page.evaluate(async (a) => (await import('/web/embed.js')).ganUrl(new Map(a)), [...attrs]);
    const p = new URLSearchParams(new URL(back).hash.slice(1));
    p.delete('embed');
    assert.deepEqual([...p].sort(), [...new URLSearchParams(new URL(page.url()).hash.slice(1))].sort());
    assert.deepEqual(errors, []);
  });
});

test('on a phone the plot comes first, nothing overflows sideways, it trains, and a finger draws', async () => {
  await withPage(async ({ browser, url }) => {
    // a phone: touch, a small viewport, a high-density screen
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const errors = [];
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    page.on('pageerror', (err) => errors.push(err.message));
    await openGan(page, url);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling: ${width}px`);
    const plot = await page.locator('#plot').boundingBox();
    const data = await page.locator('.panel.data').boundingBox();
    assert.ok(plot.y < data.y, 'the plot above the data panel');
    assert.ok(plot.width > 300, `the plot fills the width: ${plot.width}px`);
    await page.tap('#play');
    await page.waitForFunction(() => window.nnGan.snapshot.steps > 20, null, { timeout: 30_000 });
    await page.tap('#play');
    await shot(page, 'gan-phone.png');
    // drawing with a finger
    await page.tap('#draw');
    const box = await page.locator('#plot').boundingBox(); // the page brought the plot into view
    const cdp = await context.newCDPSession(page);
    const touch = (type, pts) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: pts.map(([x, y]) => ({ x, y })) });
    await touch('touchStart', [[box.x + box.width * 0.3, box.y + box.height * 0.3]]);
    for (let i = 1; i <= 15; i++) await touch('touchMove', [[box.x + box.width * (0.3 + 0.03 * i), box.y + box.height * (0.3 + 0.03 * i)]]);
    await touch('touchEnd', []);
    await shot(page, 'gan-phone-drawing.png', false);
    // the Done button on the plot itself (clicked: Chromium drops a synthetic tap that follows CDP touches)
    await page.click('#draw-done');
    await page.waitForFunction(() => window.nnGan.engineSettings.target === 'drawn');
    assert.ok((await engine(page)).drawnPoints.length >= 16);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
