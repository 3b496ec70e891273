// gan-nnplay.mjs - the 2D GAN lab's engine (web/gan/lab.js) on nnplay's wasm JS API.
//   --task quality --target ring|grid --seeds N --steps S: the page's settings for the target
//     (PRESETS), S rounds from each of seeds 1..N, each scored on 2,500 samples (the PacGAN metrics);
//     the seeds run in --jobs worker threads (default 2, this machine's cores)
//   --task speed [--rounds R --runs N]: rounds per second (one D step on batchSize real + fake
//     packs, one G step through the frozen D) for the default settings, process CPU time
// Prints one JSON line.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as nn from '../wasm/nnplay.js';
import { GanLab, presetFor } from '../web/gan/lab.js';
import { options, fail, log, emit, stopwatch, rates } from './lib.mjs';

if (!isMainThread) { // a worker of the quality task: its seeds, one after another
  await nn.ready();
  const { target, steps, seeds } = workerData;
  const out = [];
  for (const seed of seeds) {
    const lap = stopwatch();
    const lab = new GanLab(nn, { ...presetFor(target).settings, seed });
    lab.run(steps);
    const s = lab.score({ n: 2500, seed: 1000 + seed });
    lab.dispose();
    const t = lap();
    out.push({ seed, modes_covered: s.modesCovered, high_quality: s.highQuality, reverse_kl: s.reverseKL, kl: s.kl, js: s.js,
      wall_s: Math.round(t.wall) });
    // through the main thread: a worker's own console output waits for its event loop, busy until the last seed
    parentPort.postMessage({ log: `gan-nnplay: ${target} seed ${seed}: ${s.modesCovered}/${s.modes} modes, ` +
      `${(100 * s.highQuality).toFixed(1)}% high quality (${t.wall.toFixed(0)} s)` });
  }
  parentPort.postMessage({ out });
  process.exit(0);
}

const opt = options('gan-nnplay', { task: 'quality', target: 'ring', seeds: 10, steps: 0, rounds: 200, runs: 5, jobs: 2 });
await nn.ready();
const simd = nn.info().simd;

if (opt.task === 'speed') {
  const lab = new GanLab(nn, presetFor('ring').settings);
  lab.run(20); // warm-up: caches sized, V8 and the wasm tiers warm
  const runs = [];
  for (let r = 0; r < opt.runs; r++) {
    const lap = stopwatch();
    lab.run(opt.rounds);
    runs.push(lap());
    log(`gan-nnplay: run ${r + 1}: ${Math.round(opt.rounds / runs.at(-1).cpu)} rounds/s`);
  }
  const { settings } = lab.state();
  lab.dispose();
  const r = rates(opt.rounds, runs);
  emit({ system: 'gan-nnplay-wasm', rounds_per_s: r.samples_per_s, wall_rounds_per_s: r.wall_samples_per_s,
    run_rounds_per_s: r.run_samples_per_s, rounds: opt.rounds, runs: opt.runs, settings, simd });
} else if (opt.task === 'quality') {
  if (!['ring', 'grid'].includes(opt.target)) fail('gan-nnplay', `--target must be ring or grid, got '${opt.target}'`);
  const preset = presetFor(opt.target);
  const steps = opt.steps || preset.budget;
  // seeds split over --jobs worker threads (each its own wasm instance); results in seed order
  const all = Array.from({ length: opt.seeds }, (_, i) => i + 1);
  const jobs = Math.max(1, Math.min(opt.jobs, all.length));
  const parts = await Promise.all(Array.from({ length: jobs }, (_, j) => new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { target: opt.target, steps, seeds: all.filter((_, i) => i % jobs === j) } });
    w.on('message', (m) => (m.log ? log(m.log) : resolve(m.out)));
    w.on('error', reject);
  })));
  const seeds = parts.flat().sort((a, b) => a.seed - b.seed);
  const mean = (k) => seeds.reduce((a, x) => a + x[k], 0) / seeds.length;
  emit({ system: 'gan-nnplay-wasm', target: opt.target, steps, samples: 2500, modes: opt.target === 'ring' ? 8 : 25,
    modes_covered: mean('modes_covered'), high_quality: mean('high_quality'), reverse_kl: mean('reverse_kl'),
    kl: mean('kl'), js: mean('js'), jobs, seeds, settings: preset.settings, simd });
} else fail('gan-nnplay', `--task must be quality or speed, got '${opt.task}'`);
