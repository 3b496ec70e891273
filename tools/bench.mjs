// `npm run bench`: nnplay against TensorFlow.js and PyTorch, side by side, in one run on this
// machine (issues 4 and 5: the MLP, the tiny net, the GEMM and the CNN). Installs what is missing (TF.js 4.22 from npm, Debian's python3-torch and
// Fashion-MNIST), builds, then runs every system in its own child process, one after another, so
// a crash or a missing piece becomes a row with its reason instead of stopping the bench.
// Prints the tables and writes bench/results/latest.json. Options: see USAGE.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ROOT, isMain, main } from './util.mjs';
import { setup, FASHION_MNIST } from './setup.mjs';
import { build } from './build.mjs';
import { median } from '../bench/lib.mjs';

const USAGE = `usage: npm run bench -- [options]
  --quick          a smoke run: 2 epochs on 10,000 images, shorter timing runs
  --epochs N       MLP epochs (default 5): test accuracy after epoch 1 and N, samples/s median over epochs
  --limit N        train the MLPs on the first N of the 60,000 images (default: all)
  --seeds N        train each MLP from N seeds (default 1): accuracies are their means, samples/s
                   the median over all epochs (seed-to-seed spread after 1 epoch is about 1 point)
  --runs N         timing runs for the tiny net, the TF.js cpu backend and the CNN (default 5)
  --cnn-batches N  CNN speed: each timed run trains N batches of 32 (default 100)
  --cnn-epochs N   CNN accuracy: nnplay and PyTorch then train N epochs over all 60,000 images and
                   score the test set (default 1, 0 with --quick; 0 skips it)
  --only IDS       comma-separated systems to run (default: all): ${'%IDS%'}
  --no-setup       do not install or build (also NNPLAY_SKIP_SETUP=1)
  --out FILE       the JSON report (default bench/results/latest.json)
  --report         print the tables of the JSON report again, without running anything
  --markdown       print the tables as Markdown (for bench/RESULTS.md)`;

const node = process.execPath;
const DATA_DIR = path.dirname(FASHION_MNIST);
const TFJS = 'node_modules/@tensorflow/tfjs-backend-wasm/package.json';

// Every system: the command that runs it (given the options) and the files it needs.
const SYSTEMS = [
  { id: 'nnplay-wasm', group: 'mlp', label: 'nnplay, wasm, JS API (fit)', needs: ['dist/nnplay_core.wasm'],
    seeded: true, cmd: (o, seed) => [node, 'bench/nnplay-mlp.mjs', ...mlpArgs(o, seed)] },
  { id: 'nnplay-wasm-c', group: 'mlp', label: 'nnplay, wasm, C API', needs: ['build-wasm/bench_mlp.js'],
    seeded: true, cmd: (o, seed) => [node, 'build-wasm/bench_mlp.js', '--data', o.rawDir, ...mlpArgs(o, seed)] },
  { id: 'nnplay-native', group: 'mlp', label: 'nnplay, native', needs: ['build/bench_mlp'],
    seeded: true, cmd: (o, seed) => ['build/bench_mlp', '--data', o.rawDir, ...mlpArgs(o, seed)] },
  { id: 'tfjs-wasm', group: 'mlp', label: 'TF.js 4.22, wasm (SIMD, 1 thread)', needs: [TFJS],
    seeded: true, cmd: (o, seed) => [node, 'bench/tfjs-mlp.mjs', '--backend', 'wasm', ...mlpArgs(o, seed)] },
  { id: 'tfjs-cpu', group: 'mlp', label: 'TF.js 4.22, cpu (plain JS)', needs: [TFJS],
    cmd: (o) => [node, 'bench/tfjs-mlp.mjs', '--backend', 'cpu', '--batches', String(o.cpuBatches), '--runs', String(o.runs)] },
  { id: 'pytorch', group: 'mlp', label: 'PyTorch, native, 1 thread', needs: ['/usr/bin/python3'],
    env: { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    seeded: true, cmd: (o, seed) => ['/usr/bin/python3', 'bench/torch-mlp.py', ...mlpArgs(o, seed)] },
  { id: 'tiny-nnplay', group: 'tiny', label: 'nnplay, wasm, JS API (fit)', needs: ['dist/nnplay_core.wasm'],
    cmd: (o) => [node, 'bench/tiny.mjs', '--impl', 'nnplay', ...tinyArgs(o)] },
  { id: 'tiny-js', group: 'tiny', label: 'plain JS, per sample (Float64Array)', needs: ['dist/nnplay_core.wasm'],
    cmd: (o) => [node, 'bench/tiny.mjs', '--impl', 'js', ...tinyArgs(o)] },
  { id: 'gemm-native', group: 'gemm', label: 'native', needs: ['build/bench_gemm'], cmd: () => ['build/bench_gemm', '--json'] },
  { id: 'gemm-wasm', group: 'gemm', label: 'wasm', needs: ['build-wasm/bench_gemm.js'],
    cmd: () => [node, 'build-wasm/bench_gemm.js', '--json'] },
  { id: 'cnn-nnplay-wasm', group: 'cnn', label: 'nnplay, wasm, JS API (fit)', needs: ['dist/nnplay_core.wasm'],
    cmd: (o) => [node, 'bench/nnplay-cnn.mjs', ...cnnArgs(o)] },
  { id: 'cnn-nnplay-native', group: 'cnn', label: 'nnplay, native', needs: ['build/bench_cnn'],
    cmd: (o) => ['build/bench_cnn', '--data', o.rawDir, ...cnnArgs(o)] },
  { id: 'cnn-pytorch', group: 'cnn', label: 'PyTorch, native, 1 thread', needs: ['/usr/bin/python3'],
    env: { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }, cmd: (o) => ['/usr/bin/python3', 'bench/torch-cnn.py', ...cnnArgs(o)] },
  { id: 'cnn-tfjs-cpu', group: 'cnn', label: 'TF.js 4.22, cpu (plain JS)', needs: [TFJS],
    cmd: (o) => [node, 'bench/tfjs-cnn.mjs', '--backend', 'cpu', '--batches', String(o.cnnCpuBatches),
      '--warmup', '1', '--runs', String(o.cnnCpuRuns)] },
  { id: 'cnn-tfjs-wasm', group: 'cnn', label: 'TF.js 4.22, wasm (SIMD, 1 thread)', needs: [TFJS],
    cmd: () => [node, 'bench/tfjs-cnn.mjs', '--backend', 'wasm', '--batches', '1', '--warmup', '1', '--runs', '1'] },
  { id: 'lstm-nnplay-native', group: 'lstm', label: 'nnplay, native', needs: ['build/bench_lstm'],
    cmd: (o) => ['build/bench_lstm', '--no-dropout', ...lstmArgs(o)] },
  { id: 'lstm-nnplay-wasm', group: 'lstm', label: 'nnplay, wasm, C API', needs: ['build-wasm/bench_lstm.js'],
    cmd: (o) => [node, 'build-wasm/bench_lstm.js', '--no-dropout', ...lstmArgs(o)] },
  { id: 'lstm-nnplay-native-dropout', group: 'lstm', label: 'nnplay, native, with dropout 0.2 / recurrent 0.2',
    needs: ['build/bench_lstm'], cmd: (o) => ['build/bench_lstm', ...lstmArgs(o)] },
  { id: 'lstm-pytorch', group: 'lstm', label: 'PyTorch, native, 1 thread (OpenBLAS)', needs: ['/usr/bin/python3'],
    env: { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    cmd: (o) => ['/usr/bin/python3', 'bench/torch-lstm.py', ...lstmArgs(o)] },
];
const lstmArgs = (o) => ['--batches', String(o.lstmBatches), '--warmup', '3', '--runs', String(o.runs)];
const mlpArgs = (o, seed) => ['--epochs', String(o.epochs), '--limit', String(o.limit), '--seed', String(seed)];
const cnnArgs = (o) => ['--batches', String(o.cnnBatches), '--warmup', String(CNN_WARMUP), '--runs', String(o.runs),
  '--epochs', String(o.cnnEpochs)];
const CNN_WARMUP = 20; // batches before the CNN's timed runs
const tinyArgs = (o) => ['--epochs', String(o.tinyEpochs), '--runs', String(o.runs)];

function parseOptions(argv) {
  const usage = USAGE.replace('%IDS%', SYSTEMS.map((s) => s.id).join(','));
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { quick: { type: 'boolean' }, epochs: { type: 'string' },
      limit: { type: 'string' }, seeds: { type: 'string' }, runs: { type: 'string' }, 'cnn-batches': { type: 'string' }, 'cnn-epochs': { type: 'string' }, only: { type: 'string' }, 'no-setup': { type: 'boolean' },
      markdown: { type: 'boolean' }, report: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean' } } }));
  } catch (err) {
    throw new Error(`${err.message}\n${usage}`);
  }
  if (values.help) { console.log(usage); process.exit(0); }
  const int = (name, dflt, lo, hi) => {
    if (values[name] === undefined) return dflt;
    const v = Number(values[name]);
    if (!/^\d+$/.test(values[name]) || v < lo || v > hi) throw new Error(`--${name} needs a whole number in ${lo}..${hi}\n${usage}`);
    return v;
  };
  const quick = !!values.quick;
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : SYSTEMS.map((s) => s.id);
  const unknown = only.filter((id) => !SYSTEMS.some((s) => s.id === id));
  if (unknown.length) throw new Error(`--only: unknown system ${unknown.join(', ')}\n${usage}`);
  return {
    quick, only, markdown: !!values.markdown, reportOnly: !!values.report,
    epochs: int('epochs', quick ? 2 : 5, 1, 100),
    limit: int('limit', quick ? 10000 : 0, 0, 60000),
    runs: int('runs', quick ? 3 : 5, 1, 100),
    seeds: int('seeds', 1, 1, 20),
    tinyEpochs: quick ? 400 : 2000,
    cpuBatches: quick ? 30 : 100,
    cnnBatches: int('cnn-batches', quick ? 30 : 100, 1, 1875),
    cnnEpochs: int('cnn-epochs', quick ? 0 : 1, 0, 50),
    cnnCpuBatches: quick ? 1 : 2, // TF.js's cpu backend takes seconds per CNN batch
    cnnCpuRuns: quick ? 1 : 3,
    lstmBatches: quick ? 10 : 30,
    setup: !values['no-setup'] && process.env.NNPLAY_SKIP_SETUP !== '1',
    out: path.resolve(ROOT, values.out || 'bench/results/latest.json'),
  };
}

/** The C programs read the idx files decompressed: write them once into the temp dir. */
function rawFashionMnist() {
  const dir = path.join(os.tmpdir(), 'nnplay-bench-fashion-mnist');
  mkdirSync(dir, { recursive: true });
  for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    const gz = path.join(DATA_DIR, `${name}.gz`);
    const raw = path.join(dir, name);
    if (!existsSync(gz)) throw new Error(`${gz} is missing: apt-get install dataset-fashion-mnist`);
    if (!existsSync(raw) || statSync(raw).mtimeMs < statSync(gz).mtimeMs) writeFileSync(raw, gunzipSync(readFileSync(gz)));
  }
  return dir;
}

/** A bench program's JSON: its whole stdout, from its first line opening with '{', or its last such line. */
function parseResult(stdout) {
  const text = stdout.trim();
  const attempts = [text, text.slice(text.indexOf('\n{') + 1), ...text.split('\n').reverse()];
  for (const text of attempts) {
    if (!text.startsWith('{')) continue;
    try { return JSON.parse(text); } catch {}
  }
  return null;
}

/** Run a system: once, or for a seeded MLP once per seed, merged into one result. */
async function runSystem(sys, o) {
  const missing = sys.needs.find((f) => !existsSync(path.resolve(ROOT, f)));
  if (missing) return { error: `not built: ${missing} is missing`, seconds: 0 };
  if (!sys.seeded) return runChild(sys, o);
  const runs = [];
  for (let seed = 1; seed <= o.seeds; seed++) {
    const r = await runChild(sys, o, seed);
    if (r.error) return o.seeds > 1 ? { ...r, error: `seed ${seed}: ${r.error}` } : r;
    runs.push(r);
  }
  if (runs.length === 1) return runs[0];
  const all = (k) => runs.flatMap((r) => r[k]);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { ...runs[0], seeds: runs.length,
    samples_per_s: Math.round(median(all('run_samples_per_s'))), wall_samples_per_s: Math.round(median(all('run_wall_samples_per_s'))),
    run_samples_per_s: all('run_samples_per_s'), run_wall_samples_per_s: all('run_wall_samples_per_s'),
    test_accuracy: runs[0].test_accuracy.map((_, e) => Number(mean(runs.map((r) => r.test_accuracy[e])).toFixed(4))),
    test_accuracy_by_seed: runs.map((r) => r.test_accuracy), seconds: Math.round(runs.reduce((t, r) => t + r.seconds, 0)) };
}

/** Run one program in a child process: { ...its JSON, seconds } or { error, seconds }. */
function runChild(sys, o, seed) {
  const [cmd, ...args] = sys.cmd(o, seed);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...sys.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let lastErr = '';
    let partial = '';
    const timer = setTimeout(() => { lastErr = `timed out after ${o.timeout} s`; child.kill('SIGKILL'); }, o.timeout * 1000);
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { // show progress lines as they come, keep the last for errors
      const lines = (partial + d).split('\n');
      partial = lines.pop();
      for (const line of lines.filter((l) => l.trim())) { console.log(`  | ${line}`); lastErr = line.trim(); }
    });
    const done = (error) => {
      clearTimeout(timer);
      const seconds = Math.round((performance.now() - t0) / 100) / 10;
      const result = error ? null : parseResult(stdout);
      resolve(result ? { ...result, seconds } : { error: error || 'printed no JSON result', seconds });
    };
    child.on('error', (err) => done(`cannot run ${cmd}: ${err.message}`));
    child.on('close', (code, signal) => {
      if (partial.trim()) lastErr = partial.trim();
      done(code === 0 ? null : lastErr.startsWith('timed out') ? lastErr
        : `${signal ? `killed by ${signal}` : `exit ${code}`}${lastErr ? `: ${lastErr}` : ''}`);
    });
  });
}

function machine(results) {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const wasm = path.join(ROOT, 'dist/nnplay_core.wasm');
  const bytes = existsSync(wasm) ? readFileSync(wasm) : null;
  return {
    cpu: (cpuinfo.match(/^model name\s*:\s*(.+)$/m) || [])[1] || os.cpus()[0]?.model || 'unknown',
    cores: os.cpus().length,
    cpu_flags: ['avx2', 'fma', 'avx512f'].filter((f) => new RegExp(`^flags\\s*:.*\\b${f}\\b`, 'm').test(cpuinfo)),
    os: `${os.type()} ${os.release()}${existsSync('/etc/debian_version') ? `, Debian ${readFileSync('/etc/debian_version', 'utf8').trim()}` : ''}`,
    node: process.version,
    nn_simd_native: results['nnplay-native']?.simd ?? results['cnn-nnplay-native']?.simd ?? null,
    nn_simd_wasm: results['nnplay-wasm']?.simd ?? results['tiny-nnplay']?.simd ?? null,
    tfjs: results['tfjs-wasm']?.tfjs ?? results['tfjs-cpu']?.tfjs ?? results['cnn-tfjs-cpu']?.tfjs ?? null,
    torch: results.pytorch?.torch ?? results['cnn-pytorch']?.torch ?? null,
    wasm_bytes: bytes?.length ?? null,
    wasm_gzip_bytes: bytes ? gzipSync(bytes, { level: 9 }).length : null,
  };
}

// ---- the report ----
const ok = (r) => r && !r.error;
const ratio = (a, b) => (ok(a) && ok(b) && b.samples_per_s > 0 ? a.samples_per_s / b.samples_per_s : null);
const fmt = (v, digits = 0) => (v === null || v === undefined ? '-' : Number(v).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const pct = (v) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(2)}%`);

function textTable(header, rows, markdown) {
  if (markdown) return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** GEMM rows merged over targets: { key: { shape, m, n, k, native: {gflops, ratio}, wasm: ... } }. */
function gemmRows(results) {
  const rows = new Map();
  for (const target of ['native', 'wasm']) {
    const g = results[`gemm-${target}`];
    if (!ok(g) || !Array.isArray(g.results)) continue;
    for (const r of g.results) {
      const key = `${r.shape} ${r.m}x${r.n}x${r.k}`;
      if (!rows.has(key)) rows.set(key, { shape: r.shape, m: r.m, n: r.n, k: r.k });
      rows.get(key)[target] = { gflops: r.gflops, ratio: r.ratio ?? (g.ceiling_gflops ? r.gflops / g.ceiling_gflops : null) };
    }
  }
  return [...rows.values()];
}

/** A CNN result's test accuracy after epoch e, in percent, or null. */
const cnnAcc = (x, e) => (ok(x) && typeof x.test_accuracy?.[e - 1] === 'number' ? x.test_accuracy[e - 1] * 100 : null);

function summarize(results, o) {
  const r = results;
  const E = o.epochs;
  const acc = (id, e) => (ok(r[id]) ? r[id].test_accuracy?.[e - 1] ?? null : null);
  const gap = (e) => (acc('nnplay-wasm', e) !== null && acc('tfjs-wasm', e) !== null
    ? Math.abs(acc('nnplay-wasm', e) - acc('tfjs-wasm', e)) * 100 : null);
  const worstGemm = (target) => {
    const g = r[`gemm-${target}`];
    const inRange = (x) => [x.m, x.n, x.k].every((d) => d >= 32 && d <= 1024); // the issue's sizes
    const rs = gemmRows(r).filter(inRange).map((row) => row[target]?.ratio).filter((v) => typeof v === 'number');
    return ok(g) && rs.length ? Math.min(...rs) * 100 : null;
  };
  const target = (name, value, goal, unit, pass) => ({ name, value, goal, unit, met: value === null ? null : pass(value) });
  return {
    ratios: {
      wasm_vs_tfjs_wasm: ratio(r['nnplay-wasm'], r['tfjs-wasm']),
      wasm_vs_tfjs_cpu: ratio(r['nnplay-wasm'], r['tfjs-cpu']),
      native_vs_pytorch: ratio(r['nnplay-native'], r.pytorch),
      wasm_vs_pytorch: ratio(r['nnplay-wasm'], r.pytorch),
      tiny_wasm_vs_js: ratio(r['tiny-nnplay'], r['tiny-js']),
      cnn_wasm_vs_pytorch: ratio(r['cnn-nnplay-wasm'], r['cnn-pytorch']),
      cnn_native_vs_pytorch: ratio(r['cnn-nnplay-native'], r['cnn-pytorch']),
      cnn_wasm_vs_tfjs_cpu: ratio(r['cnn-nnplay-wasm'], r['cnn-tfjs-cpu']),
    },
    targets: [
      target('nnplay wasm / TF.js wasm, samples/s', ratio(r['nnplay-wasm'], r['tfjs-wasm']), '>= 7', 'x', (v) => v >= 7),
      target('test accuracy gap to TF.js wasm after epoch 1', gap(1), '<= 0.5', 'points', (v) => v <= 0.5),
      ...(E > 1 ? [target(`test accuracy gap to TF.js wasm after epoch ${E}`, gap(E), '<= 0.5', 'points', (v) => v <= 0.5)] : []),
      target('nnplay native / PyTorch 1 thread, samples/s', ratio(r['nnplay-native'], r.pytorch), '>= 7', 'x', (v) => v >= 7),
      target('tiny net: nnplay wasm / plain JS, samples/s', ratio(r['tiny-nnplay'], r['tiny-js']), '>= 10', 'x', (v) => v >= 10),
      target('100x100 decision boundary in wasm', ok(r['tiny-nnplay']) ? r['tiny-nnplay'].boundary_ms : null, '< 1', 'ms', (v) => v < 1),
      target('GEMM native, lowest % of ceiling (sizes 32..1024)', worstGemm('native'), '>= 75', '%', (v) => v >= 75),
      target('GEMM wasm, lowest % of ceiling (sizes 32..1024)', worstGemm('wasm'), '>= 75', '%', (v) => v >= 75),
      target('CNN: nnplay wasm / PyTorch 1 thread, samples/s', ratio(r['cnn-nnplay-wasm'], r['cnn-pytorch']), '>= 0.7', 'x', (v) => v >= 0.7),
      target('CNN: nnplay native / PyTorch 1 thread, samples/s', ratio(r['cnn-nnplay-native'], r['cnn-pytorch']), '>= 1.5', 'x', (v) => v >= 1.5),
      ...(o.cnnEpochs >= 1 ? ['wasm', 'native'].map((t) => target(`CNN: nnplay ${t} test accuracy after 1 epoch`,
        cnnAcc(r[`cnn-nnplay-${t}`], 1), '>= 85', '%', (v) => v >= 85)) : []),
      ...(o.cnnEpochs >= 5 ? ['wasm', 'native'].map((t) => target(`CNN: nnplay ${t} test accuracy after 5 epochs`,
        cnnAcc(r[`cnn-nnplay-${t}`], 5), '>= 90', '%', (v) => v >= 90)) : []),
    ],
  };
}

function report({ date, machine: info, systems: r, targets }, o) {
  const E = o.epochs;
  const out = [];
  // A titled table, left out when no system of it was asked for.
  const section = (title, header, rows) => {
    if (!rows.length) return;
    out.push(title, ...(o.markdown ? [''] : []), textTable(header, rows, o.markdown), '');
  };
  const label = (id) => SYSTEMS.find((s) => s.id === id).label;
  const asked = (group) => SYSTEMS.filter((s) => s.group === group && o.only.includes(s.id)).map((s) => s.id);
  const failed = (id, width) => [label(id), r[id] ? r[id].error : 'not run', ...Array(width - 2).fill('')];
  const n = ok(r['nnplay-wasm']) ? r['nnplay-wasm'].train_samples : o.limit || 60000;

  section(`MLP 784-128-10 (relu, softmax), Adam 1e-3, batch 32, Fashion-MNIST: ${fmt(n)} training and 10,000 test ` +
    `images, ${E} epoch${E > 1 ? 's' : ''}${o.seeds > 1 ? `; test accuracy: mean over seeds 1..${o.seeds}` : ''}.\n` +
    `samples/s: median over epochs (TF.js cpu: over ${o.runs} runs of ${o.cpuBatches} batches), timed in process CPU ` +
    'time; wall-clock beside it (other processes share this machine)',
  ['system', 'samples/s', '(wall)', 'acc. epoch 1', `acc. epoch ${E}`, 'x TF.js wasm', 'x PyTorch'],
  asked('mlp').map((id) => (!ok(r[id]) ? failed(id, 7) : [
    label(id) + (typeof r[id].simd === 'string' ? ` [${r[id].simd}]` : ''), fmt(r[id].samples_per_s),
    fmt(r[id].wall_samples_per_s), pct(r[id].test_accuracy?.[0]), pct(r[id].test_accuracy?.[E - 1]),
    fmt(ratio(r[id], r['tfjs-wasm']), 2), fmt(ratio(r[id], r.pytorch), 2)])));

  section('Tiny net 2-8-8-1 (tanh, sigmoid output, binary cross-entropy), SGD 0.03, batch 10, 250 circle points; ' +
    `median of ${o.runs} runs of ${o.tinyEpochs} epochs`,
  ['system', 'samples/s', '(wall)', 'train acc.', 'x plain JS'],
  asked('tiny').map((id) => (!ok(r[id]) ? failed(id, 5) : [label(id), fmt(r[id].samples_per_s),
    fmt(r[id].wall_samples_per_s), pct(r[id].train_accuracy), fmt(ratio(r[id], r['tiny-js']), 2)])));

  if (asked('gemm').length) {
    const g = (t) => r[`gemm-${t}`];
    const title = 'GEMM GFLOPS (% of the measured micro-kernel ceiling)' + ['native', 'wasm'].map((t) =>
      `; ${t}: ${ok(g(t)) ? `${g(t).target ?? ''} ceiling ${fmt(g(t).ceiling_gflops, 1)}` : g(t) ? g(t).error : 'not run'}`).join('');
    const cell = (v) => (v ? `${fmt(v.gflops, 1)} (${v.ratio === null ? '-' : Math.round(v.ratio * 100)}%)` : '-');
    const rows = gemmRows(r).map((x) => [x.shape, x.m, x.n, x.k, cell(x.native), cell(x.wasm)]);
    if (rows.length) section(title, ['shape', 'm', 'n', 'k', 'native', 'wasm'], rows);
    else out.push(title, '');
  }

  if (asked('cnn').length) {
    const E = o.cnnEpochs;
    const rate = (v) => fmt(v, v < 100 ? 1 : 0); // TF.js cpu trains a few samples per second
    section('CNN Conv2D(32, 3x3, relu) -> MaxPool(2) -> Conv2D(64, 3x3, relu) -> MaxPool(2) -> Flatten -> Dense(128, relu) -> ' +
      'Dense(10, softmax), Adam 1e-3, batch 32, Fashion-MNIST 28x28x1.\n' +
      `samples/s: median of ${o.runs} runs of ${o.cnnBatches} batches after ${CNN_WARMUP} warm-up batches (TF.js cpu: ` +
      `${o.cnnCpuRuns} run${o.cnnCpuRuns > 1 ? 's' : ''} of ${o.cnnCpuBatches} after 1), process CPU time, wall-clock beside it` +
      (E ? `; test accuracy after ${E} epoch${E > 1 ? 's' : ''} over all 60,000 images, with that epoch's own samples/s` : ''),
    ['system', 'samples/s', '(wall)', ...(E ? [`acc. epoch ${E}`, 'epoch samples/s'] : []), 'x PyTorch', 'x TF.js cpu'],
    asked('cnn').map((id) => (!ok(r[id]) ? failed(id, E ? 7 : 5) : [
      label(id) + (typeof r[id].simd === 'string' ? ` [${r[id].simd}]` : ''), rate(r[id].samples_per_s),
      rate(r[id].wall_samples_per_s),
      ...(E ? [cnnAcc(r[id], E) === null ? '-' : `${cnnAcc(r[id], E).toFixed(2)}%`, fmt(r[id].epoch_median_samples_per_s)] : []),
      fmt(ratio(r[id], r['cnn-pytorch']), 2), fmt(ratio(r[id], r['cnn-tfjs-cpu']), 0)])));
  }

  section('Text model Embedding(10000, 64) -> LSTM(128) -> Dense(1, sigmoid), Adam 1e-3, batch 32, sequences of 100 ' +
    `ids (synthetic). samples/s: median of ${o.runs} runs of ${o.lstmBatches} batches after 3 warm-up batches, process ` +
    'CPU time; no dropout unless said (PyTorch\'s LSTM has no recurrent dropout)',
  ['system', 'samples/s', '(wall)', 'x PyTorch'],
  asked('lstm').map((id) => (!ok(r[id]) ? failed(id, 4) : [
    label(id) + (typeof r[id].simd === 'string' ? ` [${r[id].simd}]` : ''), fmt(r[id].samples_per_s),
    fmt(r[id].wall_samples_per_s), fmt(ratio(r[id], r['lstm-pytorch']), 2)])));

  section('Targets (issues 4 and 5)', ['target', 'measured', 'goal', 'status'], targets.map((t) => [t.name,
    t.value === null ? '-' : `${fmt(t.value, t.unit === 'ms' ? 3 : 2)} ${t.unit}`, `${t.goal} ${t.unit}`,
    t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED']));
  out.push(`wasm binary: dist/nnplay_core.wasm ${fmt(info.wasm_bytes / 1024, 1)} KiB ` +
    `(${fmt(info.wasm_gzip_bytes / 1024, 1)} KiB gzipped)${o.markdown ? '  ' : ''}`);
  out.push(`measured ${date.slice(0, 16).replace('T', ' ')} UTC on ${info.cpu}, ${info.cores} cores ` +
    `(${info.cpu_flags.join(', ') || 'no avx2'}), ${info.os}, Node ${info.node}`);
  return out.join('\n');
}

// What a report's tables depend on; saved in the JSON so --report can print them again.
const SETTINGS = ['quick', 'only', 'epochs', 'limit', 'seeds', 'runs', 'tinyEpochs', 'cpuBatches', 'cnnBatches',
  'cnnEpochs', 'cnnCpuBatches', 'cnnCpuRuns', 'lstmBatches'];

export async function bench(argv) {
  const o = parseOptions(argv);
  if (o.reportOnly) {
    if (!existsSync(o.out)) throw new Error(`${path.relative(ROOT, o.out)} does not exist yet: run npm run bench first`);
    const json = JSON.parse(readFileSync(o.out, 'utf8'));
    console.log(report(json, { ...o, ...json.settings }));
    return;
  }
  const t0 = performance.now();
  if (o.setup) {
    await setup({ build: true, data: true, torch: o.only.some((id) => id.endsWith('pytorch')) });
    await build();
  }
  o.rawDir = rawFashionMnist();
  o.timeout = o.quick ? 600 : 1800;
  const results = {};
  for (const sys of SYSTEMS.filter((s) => o.only.includes(s.id))) {
    console.log(`bench: ${sys.id} (${sys.label})`);
    results[sys.id] = await runSystem(sys, o);
    const x = results[sys.id];
    console.log(x.error ? `bench: ${sys.id}: ${x.error}` : `bench: ${sys.id}: done in ${x.seconds} s`);
  }
  const json = { date: new Date().toISOString(), machine: machine(results),
    settings: Object.fromEntries(SETTINGS.map((k) => [k, o[k]])), ...summarize(results, o), systems: results,
    runtime_s: Math.round((performance.now() - t0) / 1000) };
  console.log(`\n${report(json, o)}`);
  mkdirSync(path.dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(json, null, 2)}\n`);
  const t = json.runtime_s;
  console.log(`bench: ${Math.floor(t / 60)} min ${t % 60} s; wrote ${path.relative(ROOT, o.out)}`);
}

if (isMain(import.meta.url)) main('bench', () => bench(process.argv.slice(2)));
