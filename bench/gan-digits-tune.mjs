// Tune the digit GAN in Node with the page's own training module (web/gan/digits-train.js): train
// for --seconds with the given settings, scoring 1,000 samples from fixed noise with the shipped
// classifier every --every seconds of training. Prints one JSON line per score, then a summary.
// With --steps, steps instead of seconds (--every then counts steps): comparable on a busy machine.
// usage: node bench/gan-digits-tune.mjs [--seconds 300] [--every 60] [--steps N] [--set '{"batch":32}']
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import * as nn from '../wasm/nnplay.js';
import { createGan, decodeDigits, noise, scoreDigits } from '../web/gan/digits-train.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '300' }, every: { type: 'string', default: '60' },
  set: { type: 'string', default: '{}' }, steps: { type: 'string' }, n: { type: 'string', default: '1000' } } });
await nn.ready();
const digits = decodeDigits(gunzipSync(readFileSync(new URL('../web/data/digits.nnds.gz', import.meta.url))));
const classifier = nn.loadModel(readFileSync(new URL('../web/models/digits-cnn.nnplay', import.meta.url)));
const set = JSON.parse(values.set);
const gan = createGan(digits.pixels, set);
const n = Number(values.n);
const z = noise(n, 424242, gan.options.latent);
const seconds = Number(values.seconds), every = Number(values.every);
let trainMs = 0, next = every, last = null;
const rows = [];
const bySteps = values.steps !== undefined;
const clock = () => (bySteps ? gan.steps : trainMs / 1000);
const end = bySteps ? Number(values.steps) : seconds;
while (clock() < end) {
  const t0 = performance.now();
  last = gan.train(10);
  trainMs += performance.now() - t0;
  if (clock() >= next || clock() >= end) {
    const s = scoreDigits(classifier, gan.generate(z));
    // with ema, also the raw generator's figures (the same run: the average does not change training)
    const raw = gan.options.ema > 0 ? scoreDigits(classifier, gan.generator.predict(z).map((v) => Math.min(1, Math.max(0, (v + 1) / 2)))) : null;
    const row = { t: Math.round(trainMs / 1000), steps: gan.steps, stepsPerS: +(gan.steps / trainMs * 1000).toFixed(1),
      confident: +s.confident.toFixed(3), digits: s.digits, ...(raw ? { rawConfident: +raw.confident.toFixed(3), rawDigits: raw.digits } : {}), perDigit: s.perDigit.join(' '), ...Object.fromEntries(Object.entries(last).map(([k, v]) => [k, +v.toFixed(3)])) };
    rows.push(row);
    console.log(JSON.stringify(row));
    next += every;
  }
}
console.log(JSON.stringify({ set, final: rows[rows.length - 1] }));
