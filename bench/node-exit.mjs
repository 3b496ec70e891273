// node-exit.mjs - does an ordinary Node script using nnplay always exit? Runs three user-style
// scripts (predict and exit; a few seconds of fit; ~2 s of the GAN lab engine) N times each, one at
// a time under a timeout, and counts the runs that finished their work but did not exit (V8's
// background wasm tier-up at exit, cf. nodejs/node#36616; DESIGN.md "Node exit").
//
// Run:  node bench/node-exit.mjs [--runs N] [--timeout S] [--only predict,fit,gan,gan-page-test] [-- node flags...]
// The last line is JSON: {"predict":{"runs":40,"hangs":0,"failed":0,"median_ms":...},...}
// --only startup: instead, what the node flags cost a fresh process (e.g. -- --no-liftoff): import
// to ready(), the first predict and the first fit epoch, ms, medians of --runs.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const SCRIPTS = {
  // build a model, predict once, print, let the process end
  predict: `
    import * as nn from 'nnplay';
    await nn.ready();
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [4], units: 16, activation: 'relu' }),
      nn.layers.dense({ units: 3, activation: 'softmax' })] });
    console.log(JSON.stringify(Array.from(m.predict([[0.1, 0.2, 0.3, 0.4]]))));`,
  // a few seconds of fit on a small classification problem
  fit: `
    import * as nn from 'nnplay';
    await nn.ready();
    const n = 2048, x = [], y = [];
    for (let i = 0; i < n; i++) { const a = Math.sin(i * 12.9898) * 2, b = Math.cos(i * 78.233) * 2; x.push([a, b]); y.push(a * b > 0 ? 1 : 0); }
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [2], units: 64, activation: 'relu' }),
      nn.layers.dense({ units: 64, activation: 'relu' }), nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: nn.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const t0 = performance.now();
    let h;
    while (performance.now() - t0 < 3000) h = await m.fit(x, y, { epochs: 5, batchSize: 32 });
    console.log('accuracy', h.history.acc?.at(-1) ?? h.history.accuracy?.at(-1));`,
  // the GAN lab page's engine for about 2 s, as tests/js/gan-page.test.mjs drives it
  gan: `
    import * as nn from 'nnplay';
    import { GanLab } from './web/gan/lab.js';
    await nn.ready();
    const lab = new GanLab(nn, { target: 'ring', seed: 3 });
    const t0 = performance.now();
    while (performance.now() - t0 < 2000) lab.run(10);
    console.log('rounds', lab.rounds, JSON.stringify(lab.score({ n: 500 })));
    lab.dispose();`,
  // start-up: the first calls of a fresh process, timed inside it
  startup: `
    const t0 = performance.now();
    const nn = await import('nnplay');
    await nn.ready();
    const t1 = performance.now();
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
      nn.layers.dense({ units: 10, activation: 'softmax' })] });
    const x = new Float32Array(784 * 256).map((_, i) => Math.sin(i)), y = new Float32Array(256).map((_, i) => i % 10);
    m.predict(x);
    const t2 = performance.now();
    m.compile({ optimizer: nn.train.adam(0.001), loss: 'sparseCategoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, batchSize: 32 });
    console.log(JSON.stringify({ ready: t1 - t0, predict: t2 - t1, fit: performance.now() - t2 }));`,
  // the control: the test file that hung under node --test (2 of 30 runs, before tools/test.mjs's --no-liftoff)
  'gan-page-test': ['--test', 'tests/js/gan-page.test.mjs'],
};

const { values, positionals } = parseArgs({ allowPositionals: true, options: {
  runs: { type: 'string', default: '40' }, timeout: { type: 'string', default: '60' }, only: { type: 'string' } } });
const runs = Number(values.runs);
const names = values.only ? values.only.split(',') : ['predict', 'fit', 'gan'];
const flags = positionals; // e.g. -- --no-liftoff
const root = new URL('..', import.meta.url).pathname;
const out = {};
for (const name of names) {
  if (!SCRIPTS[name]) throw new Error(`node-exit: unknown script '${name}' (known: ${Object.keys(SCRIPTS).join(', ')})`);
  const r = { runs, hangs: 0, failed: 0, ms: [], inside: [] };
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    // a script is fed on stdin from the repository root, so 'nnplay' resolves to this package
    const script = typeof SCRIPTS[name] === 'string';
    const p = spawnSync('timeout', [values.timeout, process.execPath, ...flags, ...(script ? ['--input-type=module', '-'] : SCRIPTS[name])],
      { cwd: root, input: script ? SCRIPTS[name] : '', encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (p.status === 124) {
      r.hangs++;
      console.log(`${name} run ${i + 1}: no exit after ${values.timeout} s; its output: ${JSON.stringify(p.stdout.trim())}`);
    } else if (p.status !== 0 || !p.stdout.trim()) {
      r.failed++;
      console.log(`${name} run ${i + 1}: exit ${p.status}: ${p.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    } else {
      r.ms.push(ms);
      if (name === 'startup') r.inside.push(JSON.parse(p.stdout.trim().split('\n').at(-1)));
    }
  }
  const median = (a) => Math.round([...a].sort((p, q) => p - q)[a.length >> 1] ?? NaN);
  out[name] = { runs, hangs: r.hangs, failed: r.failed, median_ms: median(r.ms) };
  if (name === 'startup') {
    for (const k of ['ready', 'predict', 'fit']) out[name][`${k}_ms`] = median(r.inside.map((t) => t[k]));
    console.log(`startup${flags.length ? ` (${flags.join(' ')})` : ''}: import to ready() ${out[name].ready_ms} ms, ` +
      `first predict ${out[name].predict_ms} ms, first fit epoch ${out[name].fit_ms} ms (medians)`);
  }
  console.log(`${name}: ${r.hangs} hangs, ${r.failed} failed of ${runs} runs (median ${out[name].median_ms} ms)`);
}
console.log(JSON.stringify(out));
