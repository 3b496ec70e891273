// `npm run bench`: nnplay against TensorFlow.js and PyTorch, side by side, in one run on this
// machine (issues 4 and 5: the MLP, the tiny net, the GEMM and the CNN; issue 11: the text models).
// Installs what is missing (TF.js 4.22 from npm, Debian's python3-torch and Fashion-MNIST), builds, then runs every system in its own child process, one after another, so
// a crash or a missing piece becomes a row with its reason instead of stopping the bench.
// Prints the tables and writes bench/results/latest.json. Options: see USAGE.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ROOT, isMain, main } from './util.mjs';
import { setup, FASHION_MNIST } from './setup.mjs';
import { build } from './build.mjs';
import { median, encodeTokens } from '../bench/lib.mjs';
import { transferReport } from '../bench/transfer.mjs';
import { decodeTextDataset } from '../web/text-data.js';
import { text as nnText } from '../wasm/text.js';
import { ganSystems, ganReport, writeGanSection } from '../bench/gan.mjs';
import { compressSystems, compressReport } from '../bench/compress.mjs';
import { ganDigitsSystems, ganDigitsReport } from '../bench/gan-digits-group.mjs';

const USAGE = `usage: npm run bench -- [GROUP...] [options]
  GROUP            run only these groups: mlp, tiny, gemm, cnn, text, gan, gan-digits, compress, transfer (default: all of them)
  --quick          a smoke run: 2 epochs on 10,000 images, shorter timing runs
  --epochs N       MLP epochs (default 5): test accuracy after epoch 1 and N, samples/s median over epochs
  --limit N        train the MLPs on the first N of the 60,000 images (default: all)
  --seeds N        train each MLP from N seeds (default 1): accuracies are their means, samples/s
                   the median over all epochs (seed-to-seed spread after 1 epoch is about 1 point)
  --runs N         timing runs for the tiny net, the TF.js cpu backend and the CNN (default 5)
  --cnn-batches N  CNN speed: each timed run trains N batches of 32 (default 100)
  --cnn-epochs N   CNN accuracy: nnplay and PyTorch then train N epochs over all 60,000 images and
                   score the test set (default 1, 0 with --quick; 0 skips it)
  --accuracy       text: also the accuracy runs (the seed model in nnplay and PyTorch for
                   --text-epochs epochs from each of --text-seeds seeds; about 10 min of CPU)
  --text-seeds N   text accuracy: seeds (default 3)
  --text-epochs N  text accuracy: epochs (default 10, the seed's), also the bag-of-words baseline's
  --text-batches N text speed: each timed run trains N batches of 32 messages (default 30)
  --char-steps N   the character model's training steps (batches) on each side (default 300)
  --gan-minutes N  gan-digits: train the digit GAN page for N minutes, scored at each (default 5, 1 with --quick)
  --gan-model M    gan-digits: the page's networks, mlp (its default) or dcgan
  --tfjs-cap S     text: TF.js's cpu backend starts no new batch after S seconds (default 120;
                   one LSTM batch takes about 7 min of CPU there)
  --gan-seeds N    gan: seeds per 2D target (default 10, 2 with --quick)
  --gan-steps N    gan: training rounds per seed (default: the preset's budget, web/gan/lab.js)
  --only IDS       comma-separated systems to run (default: all but the opt-in ones): ${'%IDS%'}
  --no-setup       do not install or build (also NNPLAY_SKIP_SETUP=1)
  --out FILE       the JSON report (default bench/results/latest.json; with groups GROUP[-GROUP].json)
  --report         print the tables of the JSON report again, without running anything
  --markdown       print the tables as Markdown (for bench/RESULTS.md)`;

const node = process.execPath;
const DATA_DIR = path.dirname(FASHION_MNIST);
const TFJS = 'node_modules/@tensorflow/tfjs-backend-wasm/package.json';

// ---- the text group (issue 11): the mail model's speed and accuracy, the character model's curve ----
const PY = '/usr/bin/python3';
const PY_ENV = { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
// Debian's torch calls the system libblas.so.3; this directory holds the reference one (libblas3),
// which a machine without OpenBLAS falls back to -- how the issue's PyTorch figures were measured
const REF_BLAS = '/usr/lib/x86_64-linux-gnu/blas';
export const TEXT_CELLS = { lstm: 'LSTM', gru: 'GRU', rnn: 'SimpleRNN' };
// The issue's PyTorch samples/s for the seed model (one thread, reference BLAS), its speed baseline
export const ISSUE_TORCH = { lstm: 112, gru: 150, rnn: 420 };
const textSpeed = (o, warmup = 3) => ['--batches', String(o.textBatches), '--warmup', String(warmup), '--runs', String(o.runs)];
const textAcc = (o, seed) => ['--runs', '0', '--epochs', String(o.textEpochs), '--seed', String(seed)];
const initFile = (o, seed) => path.join(o.runDir, `text-init-${seed}.bin`);

function textSystems() {
  const speed = Object.keys(TEXT_CELLS).flatMap((cell) => [
    { id: `text-${cell}-nnplay-native`, label: 'nnplay, native', needs: ['build/bench_text'],
      cmd: (o) => ['build/bench_text', '--data', o.text.spam, '--cell', cell, '--no-dropout', ...textSpeed(o)] },
    { id: `text-${cell}-nnplay-wasm`, label: 'nnplay, wasm, JS API (fit)', needs: ['dist/nnplay_core.wasm'],
      cmd: (o) => [node, 'bench/nnplay-text.mjs', '--data', o.text.spam, '--cell', cell, '--no-dropout', '1', ...textSpeed(o)] },
    ...(cell === 'lstm' ? [
      { id: 'text-lstm-nnplay-native-dropout', label: 'nnplay, native, dropout 0.2 + recurrent 0.2 (the seed model)',
        needs: ['build/bench_text'], cmd: (o) => ['build/bench_text', '--data', o.text.spam, ...textSpeed(o)] },
      { id: 'text-lstm-nnplay-wasm-dropout', label: 'nnplay, wasm, JS API, dropout 0.2 + recurrent 0.2 (the seed model)',
        needs: ['dist/nnplay_core.wasm'], cmd: (o) => [node, 'bench/nnplay-text.mjs', '--data', o.text.spam, ...textSpeed(o)] },
    ] : []),
    { id: `text-${cell}-pytorch`, label: 'PyTorch, 1 thread (OpenBLAS)', needs: [PY], env: PY_ENV,
      cmd: (o) => [PY, 'bench/torch-text.py', '--data', o.text.spam, '--cell', cell, ...textSpeed(o)] },
    { id: `text-${cell}-pytorch-refblas`, label: 'PyTorch, 1 thread (reference BLAS, as the issue measured)',
      needs: [PY, `${REF_BLAS}/libblas.so.3`], env: { ...PY_ENV, LD_LIBRARY_PATH: REF_BLAS },
      cmd: (o) => [PY, 'bench/torch-text.py', '--data', o.text.spam, '--cell', cell, '--batches', String(o.refBatches),
        '--warmup', '1', '--runs', String(o.refRuns)] },
    { id: `text-${cell}-tfjs-wasm`, label: 'TF.js 4.22, wasm (SIMD, 1 thread)', needs: [TFJS],
      cmd: (o) => [node, 'bench/tfjs-text.mjs', '--data', o.text.spam, '--backend', 'wasm', '--cell', cell, '--batches', '1'] },
    // minutes per batch: the LSTM's row runs by default, the others only when named in --only
    { id: `text-${cell}-tfjs-cpu`, label: 'TF.js 4.22, cpu (plain JS)', needs: [TFJS], optIn: cell !== 'lstm',
      timeout: (o) => o.tfjsCap + 1200,
      cmd: (o) => [node, 'bench/tfjs-text.mjs', '--data', o.text.spam, '--backend', 'cpu', '--cell', cell,
        '--batches', String(o.tfjsBatches), '--cap', String(o.tfjsCap)] },
  ].map((x) => ({ ...x, group: 'text', part: 'speed', cell })));
  return [
    ...speed,
    // accuracy (--accuracy): the seed model exactly in nnplay; PyTorch from the same initial weights
    { id: 'text-acc-nnplay-native', part: 'accuracy', optIn: 'accuracy', seeds: (o) => o.textSeeds,
      label: 'nnplay, native: the seed model (dropout 0.2, recurrent dropout 0.2)', needs: ['build/bench_text'],
      cmd: (o, seed) => ['build/bench_text', '--data', o.text.spam, ...textAcc(o, seed), '--init-out', initFile(o, seed)] },
    { id: 'text-acc-pytorch', part: 'accuracy', optIn: 'accuracy', seeds: (o) => o.textSeeds, env: PY_ENV,
      label: 'PyTorch, 1 thread: nn.LSTM from nnplay\'s initial weights, Keras\'s input dropout 0.2, no recurrent dropout',
      needs: [PY], cmd: (o, seed) => [PY, 'bench/torch-text.py', '--data', o.text.spam, ...textAcc(o, seed),
        '--init', initFile(o, seed), '--dropout', '0.2'] },
    { id: 'text-acc-pytorch-own-init', part: 'accuracy', optIn: 'accuracy', seeds: (o) => o.textSeeds, env: PY_ENV,
      label: 'PyTorch, 1 thread: nn.LSTM with PyTorch\'s own initialization (Embedding N(0, 1)), input dropout 0.2',
      needs: [PY], cmd: (o, seed) => [PY, 'bench/torch-text.py', '--data', o.text.spam, ...textAcc(o, seed), '--dropout', '0.2'] },
    { id: 'text-bow-nnplay-native', part: 'accuracy', label: 'bag of words: multi-hot over the vocabulary -> Dense(1, sigmoid), nnplay native',
      needs: ['build/bench_text'], cmd: (o) => ['build/bench_text', '--data', o.text.spam, '--bow', '--epochs', String(o.textEpochs)] },
    // the character model's loss curve, PyTorch from nnplay's initial weights over its batches
    { id: 'text-char-nnplay-native', part: 'char', label: 'nnplay, native', needs: ['build/bench_charlm'],
      cmd: (o) => ['build/bench_charlm', '--data', o.text.tang, '--steps', String(o.charSteps),
        '--init-out', path.join(o.runDir, 'charlm-init.bin'), '--order-out', path.join(o.runDir, 'charlm-order.json')] },
    { id: 'text-char-pytorch', part: 'char', label: 'PyTorch, 1 thread (OpenBLAS)', needs: [PY], env: PY_ENV,
      cmd: (o) => [PY, 'bench/torch-text.py', '--task', 'charlm', '--data', o.text.tang,
        '--init', path.join(o.runDir, 'charlm-init.bin'), '--order', path.join(o.runDir, 'charlm-order.json')] },
  ].map((x) => ({ group: 'text', ...x }));
}

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
  ...textSystems(),
  ...ganSystems(),
  ...compressSystems(),
  ...ganDigitsSystems(node),
  // issue 13: transfer from digits 0-4 to 5-9 and to Fashion-MNIST, distillation (bench/transfer.mjs)
  { id: 'transfer-nnplay-wasm', group: 'transfer', label: 'nnplay, wasm, JS API', needs: ['dist/nnplay_core.wasm', 'web/data/digits.nnds.gz'],
    timeout: () => 5400, cmd: (o) => [node, 'bench/transfer.mjs', ...(o.quick ? ['--seeds', '2', '--base-epochs', '1', '--head-epochs', '10',
      '--fine-epochs', '5', '--distill-epochs', '2'] : [])] },
];


const mlpArgs = (o, seed) => ['--epochs', String(o.epochs), '--limit', String(o.limit), '--seed', String(seed)];
const cnnArgs = (o) => ['--batches', String(o.cnnBatches), '--warmup', String(CNN_WARMUP), '--runs', String(o.runs),
  '--epochs', String(o.cnnEpochs)];
const CNN_WARMUP = 20; // batches before the CNN's timed runs
const tinyArgs = (o) => ['--epochs', String(o.tinyEpochs), '--runs', String(o.runs)];

function parseOptions(argv) {
  const usage = USAGE.replace('%IDS%', SYSTEMS.map((s) => s.id).join(','));
  let values, positionals;
  const strings = ['epochs', 'limit', 'seeds', 'runs', 'cnn-batches', 'cnn-epochs', 'only', 'out', 'text-seeds', 'text-epochs',
    'text-batches', 'char-steps', 'tfjs-cap', 'gan-seeds', 'gan-steps', 'gan-minutes', 'gan-model'];
  const flags = ['quick', 'no-setup', 'markdown', 'report', 'help', 'accuracy'];
  try {
    ({ values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: Object.fromEntries([
      ...strings.map((k) => [k, { type: 'string' }]), ...flags.map((k) => [k, { type: 'boolean' }])]) }));
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
  const ganModel = values['gan-model'] ?? 'mlp';
  if (!['mlp', 'dcgan'].includes(ganModel)) throw new Error(`--gan-model must be mlp or dcgan, got '${ganModel}'\n${usage}`);
  const groups = [...new Set(SYSTEMS.map((s) => s.group))];
  const badGroup = positionals.filter((g) => !groups.includes(g));
  if (badGroup.length) throw new Error(`unknown group ${badGroup.join(', ')} (groups: ${groups.join(', ')})\n${usage}`);
  // opt-in systems run only when named in --only, or (the accuracy runs) with --accuracy
  const wanted = (s) => (!positionals.length || positionals.includes(s.group)) &&
    (!s.optIn || (s.optIn === 'accuracy' && values.accuracy));
  let only = values.only ? values.only.split(',').map((s) => s.trim()) : SYSTEMS.filter(wanted).map((s) => s.id);
  if (values.only && values.accuracy) only = [...new Set([...only, ...SYSTEMS.filter((s) => s.optIn === 'accuracy').map((s) => s.id)])];
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
    accuracy: !!values.accuracy,
    textSeeds: int('text-seeds', 3, 1, 20),
    textEpochs: int('text-epochs', 10, 1, 100),
    textBatches: int('text-batches', quick ? 10 : 30, 1, 151),
    refBatches: quick ? 5 : 10, // PyTorch on the reference BLAS: 3 runs of these (about 3 s a batch for the LSTM)
    refRuns: 3,
    charSteps: int('char-steps', quick ? 50 : 300, 1, 100000),
    tfjsCap: int('tfjs-cap', 120, 0, 36000),
    tfjsBatches: 2,
    ganSeeds: int('gan-seeds', quick ? 2 : 10, 1, 100),
    ganSteps: int('gan-steps', 0, 0, 1e7),
    ganMinutes: int('gan-minutes', quick ? 1 : 5, 1, 60),
    ganModel,
    setup: !values['no-setup'] && process.env.NNPLAY_SKIP_SETUP !== '1',
    // a run of some groups keeps its own report, so `npm run bench -- text` leaves latest.json alone
    out: path.resolve(ROOT, values.out || `bench/results/${positionals.length ? [...new Set(positionals)].join('-') : 'latest'}` +
      `${ganModel === 'mlp' ? '' : `-${ganModel}`}.json`),
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

/**
 * The text datasets as the token files the text benches read (layout: bench/lib.mjs encodeTokens),
 * decoded from web/data/*.nntx.gz into the temp dir once: { spam, tang } -> their paths.
 */
export function rawText(dir = path.join(os.tmpdir(), 'nnplay-bench-text')) {
  mkdirSync(dir, { recursive: true });
  const files = {};
  for (const name of ['spam', 'tang']) {
    const gz = path.join(ROOT, 'web', 'data', `${name}.nntx.gz`);
    const file = files[name] = path.join(dir, `${name}.tok`);
    if (!existsSync(gz)) throw new Error(`${path.relative(ROOT, gz)} is missing: run npm run build`);
    if (!existsSync(file) || statSync(file).mtimeMs < statSync(gz).mtimeMs) {
      writeFileSync(file, textTokens(decodeTextDataset(gunzipSync(readFileSync(gz)))));
    }
  }
  return { dir, ...files };
}

/** A decoded text dataset as a token file: a classification set's rows, or a corpus's character ids. */
export function textTokens({ meta, ids, labels, text }) {
  if (meta.kind === 'classification') {
    return encodeTokens({ count: meta.count, steps: meta.maxlen, trainCount: meta.trainCount, vocab: meta.vocabSize, ids, labels });
  }
  const chars = nnText.tokenizerFromJSON(meta.tokenizer).textsToSequences([text])[0];
  return encodeTokens({ count: 1, steps: chars.length, trainCount: 1, vocab: meta.vocabSize, ids: chars, labels: [0] });
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

/** Run a system: once, or for a seeded one (an MLP, the text accuracy runs) once per seed, merged into one result. */
async function runSystem(sys, o) {
  const missing = sys.needs.find((f) => !existsSync(path.resolve(ROOT, f)));
  if (missing) return { error: `not built: ${missing} is missing`, seconds: 0 };
  const seeds = sys.seeds ? sys.seeds(o) : sys.seeded ? o.seeds : 0;
  if (!seeds) return runChild(sys, o);
  const runs = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await runChild(sys, o, seed);
    if (r.error) return seeds > 1 ? { ...r, error: `seed ${seed}: ${r.error}` } : r;
    runs.push(r);
  }
  if (runs.length === 1) return runs[0];
  const all = (k) => runs.flatMap((r) => r[k]);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rates = (k, medianKey, wallKey) => (runs[0][k] ? { [k]: all(k), [medianKey]: Math.round(median(all(k))),
    ...(wallKey ? { [`run_${wallKey}`]: all(`run_${wallKey}`), [wallKey]: Math.round(median(all(`run_${wallKey}`))) } : {}) } : {});
  return { ...runs[0], seeds: runs.length,
    ...rates('run_samples_per_s', 'samples_per_s', 'wall_samples_per_s'),
    ...rates('epoch_samples_per_s', 'epoch_median_samples_per_s'),
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
    let timedOut = false;
    const limit = sys.timeout ? sys.timeout(o) : o.timeout;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, limit * 1000);
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
      // a timeout keeps the program's last progress line: how far it got
      done(code === 0 ? null : timedOut ? `timed out after ${limit} s${lastErr ? ` (last: ${lastErr})` : ''}`
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
    text_targets: textTargets(r, o, target),
  };
}

/** The text accuracy runs' per-seed accuracies (a merged run keeps them by seed; one seed is its own). */
const bySeed = (x) => (ok(x) ? x.test_accuracy_by_seed ?? [x.test_accuracy] : null);
const bestEpoch = (accs) => (accs?.length ? accs.reduce((b, v, e) => (v > accs[b] ? e : b), 0) : null);

/** The character model's two loss curves: { a, b, steps, maxDiff, at } or null. */
function charCurves(r) {
  const a = r['text-char-nnplay-native'];
  const b = r['text-char-pytorch'];
  if (!ok(a) || !ok(b) || !a.losses?.length || a.losses.length !== b.losses?.length) return null;
  let maxDiff = 0;
  let at = 0;
  a.losses.forEach((v, i) => { const d = Math.abs(v - b.losses[i]); if (d > maxDiff) { maxDiff = d; at = i; } });
  return { a: a.losses, b: b.losses, steps: a.losses.length, maxDiff, at };
}

/**
 * Issue 11's targets. speed: per cell, nnplay wasm (>= 4x) and native (>= 8x) against PyTorch on one
 * thread -- with OpenBLAS in this run, with the reference BLAS in this run, and the issue's figure.
 * others: accuracy (nnplay within 1 point of PyTorch at every epoch from the third, mean of the
 * seeds; being above PyTorch is within) and the character curves' largest difference.
 */
function textTargets(r, o, target) {
  const speed = Object.keys(TEXT_CELLS).flatMap((cell) => [['wasm', 4], ['native', 8]].map(([side, goal]) => {
    const x = r[`text-${cell}-nnplay-${side}`];
    const issue = ok(x) ? x.samples_per_s / ISSUE_TORCH[cell] : null;
    return { name: `${TEXT_CELLS[cell]}: nnplay ${side} / PyTorch 1 thread, samples/s`, cell, side, goal,
      openblas: ratio(x, r[`text-${cell}-pytorch`]), refblas: ratio(x, r[`text-${cell}-pytorch-refblas`]), issue,
      issue_figure: ISSUE_TORCH[cell] };
  }));
  const nn = bySeed(r['text-acc-nnplay-native']);
  const pt = bySeed(r['text-acc-pytorch']);
  const mean = (runs, e) => runs.reduce((t, a) => t + a[e], 0) / runs.length;
  let worst = null;
  if (nn && pt) {
    for (let e = 2; e < Math.min(nn[0].length, pt[0].length); e++) {
      const gap = (mean(pt, e) - mean(nn, e)) * 100;
      if (worst === null || gap > worst) worst = gap;
    }
  }
  const curves = charCurves(r);
  const others = [
    target(`seed model: PyTorch minus nnplay test accuracy, worst epoch from the 3rd (mean of ${nn?.length ?? o.textSeeds} seeds)`,
      worst, '<= 1', 'points', (v) => v <= 1),
    target(`character model: largest loss difference, nnplay vs PyTorch from the same weights (${curves?.steps ?? o.charSteps} steps)`,
      curves ? curves.maxDiff : null, '<= 0.01', 'nats', (v) => v <= 0.01),
  ];
  return { speed, others };
}

function report({ date, machine: info, systems: r, targets, text_targets: tt }, o) {
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
    // bench/gemm.c's few-rows cases: nn_gemm (its GEMV route) against its blocked path, same run
    const few = new Map();
    for (const t of ['native', 'wasm']) for (const x of (ok(g(t)) && g(t).few_rows) || []) few.set(x.what, { ...few.get(x.what), what: x.what, products: x.products, [t]: x });
    const fewCell = (x) => (x ? `${fmt(x.gflops, 1)} / ${fmt(x.blocked_gflops, 1)} (${fmt(x.speedup, 2)}x)` : '-');
    if (few.size) section('GEMM with few rows of C (batch-1 dense layers): GFLOPS of nn_gemm (or of a GEMV per row where the case says so) / of its blocked path alone, timed interleaved',
      ['case', 'products (m x n x k)', 'native', 'wasm'], [...few.values()].map((x) => [x.what, x.products, fewCell(x.native), fewCell(x.wasm)]));
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

  if (asked('text').length) textReport(r, tt, o, section, out);
  if (asked('gan').length) ganReport(r, o, section, out);
  if (asked('compress').length) compressReport(r, section, TARGET_HEADER, targetRow);
  if (asked('gan-digits').length) ganDigitsReport(r, o, section);
  if (asked('transfer').length) {
    if (ok(r['transfer-nnplay-wasm'])) transferReport(r['transfer-nnplay-wasm'], section);
    else out.push(`Transfer and distillation: ${r['transfer-nnplay-wasm']?.error ?? 'not run'}`, '');
  }

  if (['mlp', 'tiny', 'gemm', 'cnn'].some((g) => asked(g).length)) section('Targets (issues 4 and 5)', TARGET_HEADER, targets.map(targetRow));
  out.push(`wasm binary: dist/nnplay_core.wasm ${fmt(info.wasm_bytes / 1024, 1)} KiB ` +
    `(${fmt(info.wasm_gzip_bytes / 1024, 1)} KiB gzipped)${o.markdown ? '  ' : ''}`);
  out.push(`measured ${date.slice(0, 16).replace('T', ' ')} UTC on ${info.cpu}, ${info.cores} cores ` +
    `(${info.cpu_flags.join(', ') || 'no avx2'}), ${info.os}, Node ${info.node}`);
  return out.join('\n');
}

const TARGET_HEADER = ['target', 'measured', 'goal', 'status'];
const targetRow = (t) => [t.name, t.value === null ? '-' : `${fmt(t.value, t.unit === 'ms' ? 3 : t.unit === 'nats' ? 5 : 2)} ${t.unit}`,
  `${t.goal} ${t.unit}`, t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED'];

/** The text group's tables: speed, accuracy, the character curves, issue 11's targets. */
function textReport(r, tt, o, section, out) {
  const label = (id) => SYSTEMS.find((s) => s.id === id).label;
  const asked = (part) => SYSTEMS.filter((s) => s.group === 'text' && s.part === part && o.only.includes(s.id)).map((s) => s.id);
  const rate = (v) => (v === null || v === undefined ? '-' : fmt(v, v < 10 ? 3 : v < 100 ? 1 : 0));
  const x = (v) => (v === null || v === undefined ? '-' : fmt(v, v < 10 ? 2 : 1));

  const speedRows = asked('speed').map((id) => {
    const sys = SYSTEMS.find((s) => s.id === id);
    const v = r[id];
    const name = TEXT_CELLS[sys.cell];
    if (!ok(v)) return [name, label(id), v ? v.error : 'not run', '', '', '', '', ''];
    const tfjsCpu = id.endsWith('tfjs-cpu') ? ` [${v.batches} batch${v.batches > 1 ? 'es' : ''}: ` +
      `${v.batch_cpu_seconds.map((t) => `${fmt(t, 0)} s`).join(', ')} CPU; forward pass ${fmt(v.forward_cpu_seconds, 1)} s]` : '';
    return [name, label(id) + (typeof v.simd === 'string' ? ` [${v.simd}]` : '') + tfjsCpu, rate(v.samples_per_s),
      rate(v.wall_samples_per_s), x(ratio(v, r[`text-${sys.cell}-pytorch`])), x(ratio(v, r[`text-${sys.cell}-pytorch-refblas`])),
      x(v.samples_per_s / ISSUE_TORCH[sys.cell])];
  });
  section('Text (issue 11): the seed model on the SpamAssassin mail data (4,836 training messages of 100 ids, 10,000-word ' +
    'vocabulary): Embedding(10000, 64) -> LSTM | GRU | SimpleRNN (128 units) -> Dense(1, sigmoid), binary cross-entropy, ' +
    'Adam 1e-3, batch 32, one thread each.\n' +
    `samples/s: median of ${o.runs} runs of ${o.textBatches} batches after 3 warm-up batches (PyTorch on the reference BLAS: ` +
    `${o.refRuns} runs of ${o.refBatches} after 1; TF.js cpu: single batches, none started after ${o.tfjsCap} s), process CPU ` +
    'time, wall-clock beside it. No dropout unless said (PyTorch\'s recurrent layers have no recurrent dropout). GRU: ' +
    'Keras 2\'s resetAfter (nnplay, PyTorch; TF.js has only resetAfter false). x issue\'s PyTorch: against the issue\'s ' +
    `figures ${Object.entries(ISSUE_TORCH).map(([c, v]) => `${TEXT_CELLS[c]} ${v}`).join(', ')} samples/s (one thread, reference BLAS)`,
  ['cell', 'system', 'samples/s', '(wall)', 'x PyTorch', 'x PyTorch ref. BLAS', 'x issue\'s PyTorch'], speedRows);

  const nn = bySeed(r['text-acc-nnplay-native']);
  const pt = bySeed(r['text-acc-pytorch']);
  const bow = ok(r['text-bow-nnplay-native']) ? r['text-bow-nnplay-native'].test_accuracy : null;
  if (asked('accuracy').length) {
    const E = Math.max(nn?.[0].length ?? 0, pt?.[0].length ?? 0, bow?.length ?? 0);
    const mean = (runs, e) => (runs && e < runs[0].length ? runs.reduce((t, a) => t + a[e], 0) / runs.length : null);
    const seeds = (runs, e) => (runs && e < runs[0].length ? runs.map((a) => (a[e] * 100).toFixed(1)).join(' / ') : '-');
    const p = (v) => (v === null ? '-' : pct(v));
    const own = bySeed(r['text-acc-pytorch-own-init']);
    const rows = Array.from({ length: E }, (_, e) => {
      const a = mean(nn, e);
      const b = mean(pt, e);
      return [e + 1, p(a), p(b), a !== null && b !== null ? ((b - a) * 100).toFixed(2) : '-', seeds(nn, e), seeds(pt, e),
        p(mean(own, e)), bow && e < bow.length ? pct(bow[e]) : '-'];
    });
    const why = [nn ? null : `nnplay: ${r['text-acc-nnplay-native']?.error ?? 'not run (add --accuracy)'}`,
      pt ? null : `PyTorch: ${r['text-acc-pytorch']?.error ?? 'not run (add --accuracy)'}`].filter(Boolean);
    section(`Text: test accuracy on the 1,210 test messages after each epoch, mean of ${nn?.length ?? pt?.length ?? o.textSeeds} ` +
      'seed(s), shuffled epochs of 4,836 messages. nnplay (native): the seed model exactly (LSTM dropout 0.2, recurrent ' +
      'dropout 0.2, Keras\'s initializers). PyTorch: nn.LSTM from nnplay\'s initial weights of the same seed (bias_hh ' +
      'frozen at zero), Keras\'s input dropout 0.2 (one mask per sample for every step), no recurrent dropout (nn.LSTM ' +
      'has none). PyTorch, own init: the same but from PyTorch\'s default initialization (as the issue\'s reference ' +
      'figures were presumably measured). Bag of words: multi-hot over the 10,000 words -> Dense(1, sigmoid), nnplay, one seed' +
      (why.length ? `. ${why.join('; ')}` : ''),
    ['epoch', 'nnplay', 'PyTorch', 'PyTorch - nnplay (points)', 'nnplay by seed', 'PyTorch by seed', 'PyTorch, own init',
      'bag of words'], rows);
    const best = (name, accs) => {
      const e = bestEpoch(accs);
      return e === null ? null : `${name} ${pct(accs[e])} (epoch ${e + 1})`;
    };
    const means = (runs) => (runs ? runs[0].map((_, e) => mean(runs, e)) : null);
    const line = [best('nnplay', means(nn)), best('PyTorch', means(pt)), best('PyTorch, own init', means(own)),
      best('bag of words', bow)].filter(Boolean);
    if (line.length) out.push(`Best epoch (mean accuracy): ${line.join('; ')}`, '');
  }

  if (asked('char').length) {
    const c = charCurves(r);
    const a = r['text-char-nnplay-native'];
    const b = r['text-char-pytorch'];
    const title = 'Text: the character model on the Tang poems (29,573 characters, 2,579 ids): Embedding(2579, 64) -> ' +
      'LSTM(128, returnSequences) -> Dense(2579, softmax) on every step, next-character cross-entropy, Adam 1e-3, batch ' +
      `32 windows of ${a?.seq ?? 40} characters, no dropout. PyTorch starts from nnplay's initial weights and trains on ` +
      'the same batches in the same order; each step\'s loss is its batch\'s before the update';
    if (!c) {
      out.push(title, `  nnplay: ${ok(a) ? 'ok' : a?.error ?? 'not run'}; PyTorch: ${ok(b) ? 'ok' : b?.error ?? 'not run'}`, '');
    } else {
      const every = Math.max(1, Math.round(c.steps / 15));
      const steps = [...new Set([0, ...Array.from({ length: Math.floor(c.steps / every) }, (_, i) => (i + 1) * every - 1), c.steps - 1])];
      section(title, ['step', 'nnplay loss', 'PyTorch loss', 'difference'],
        steps.map((i) => [i + 1, c.a[i].toFixed(4), c.b[i].toFixed(4), (c.a[i] - c.b[i]).toFixed(5)]));
      out.push(`Largest |difference| over all ${c.steps} steps: ${c.maxDiff.toFixed(5)} (step ${c.at + 1}); samples/s (CPU): ` +
        `nnplay native ${rate(a.samples_per_s)}, PyTorch ${rate(b.samples_per_s)}`, '');
    }
  }

  if (tt) {
    const cell = (v, goal) => (v === null || v === undefined ? '-' : `${x(v)} x ${v >= goal ? 'met' : 'MISSED'}`);
    section('Targets (issue 11): speed; each cell: nnplay / PyTorch 1 thread, then whether the goal is met',
      ['target', 'goal', 'vs PyTorch (OpenBLAS, this run)', 'vs PyTorch (reference BLAS, this run)', 'vs the issue\'s figure'],
      tt.speed.filter((t) => o.only.includes(`text-${t.cell}-nnplay-${t.side}`)).map((t) => [t.name, `>= ${t.goal} x`,
        cell(t.openblas, t.goal), cell(t.refblas, t.goal), `${cell(t.issue, t.goal)} (${t.issue_figure}/s)`]));
    section('Targets (issue 11): accuracy and the character model', TARGET_HEADER, tt.others.map(targetRow));
  }
}

// What a report's tables depend on; saved in the JSON so --report can print them again.
const SETTINGS = ['quick', 'only', 'epochs', 'limit', 'seeds', 'runs', 'tinyEpochs', 'cpuBatches', 'cnnBatches',
  'cnnEpochs', 'cnnCpuBatches', 'cnnCpuRuns', 'accuracy', 'textSeeds', 'textEpochs', 'textBatches', 'refBatches', 'refRuns',
  'charSteps', 'tfjsCap', 'tfjsBatches', 'ganSeeds', 'ganSteps', 'ganMinutes', 'ganModel'];

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
    await setup({ build: true, data: true, torch: o.only.some((id) => id.includes('pytorch')) });
    await build();
  }
  const chosen = SYSTEMS.filter((s) => o.only.includes(s.id));
  if (chosen.some((s) => !['text', 'gan', 'gan-digits'].includes(s.group))) o.rawDir = rawFashionMnist();
  if (chosen.some((s) => s.group === 'text')) o.text = rawText();
  o.runDir = mkdtempSync(path.join(os.tmpdir(), 'nnplay-bench-run-')); // files one system hands the next
  o.timeout = o.quick ? 600 : 1800;
  const results = {};
  try {
    for (const sys of chosen) {
      console.log(`bench: ${sys.id} (${sys.label})`);
      results[sys.id] = await runSystem(sys, o);
      const x = results[sys.id];
      console.log(x.error ? `bench: ${sys.id}: ${x.error}` : `bench: ${sys.id}: done in ${x.seconds} s`);
    }
  } finally {
    rmSync(o.runDir, { recursive: true, force: true });
  }
  const json = { date: new Date().toISOString(), machine: machine(results),
    settings: Object.fromEntries(SETTINGS.map((k) => [k, o[k]])), ...summarize(results, o), systems: results,
    runtime_s: Math.round((performance.now() - t0) / 1000) };
  console.log(`\n${report(json, o)}`);
  mkdirSync(path.dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(json, null, 2)}\n`);
  if (chosen.some((s) => s.group === 'gan') && !o.quick) { // the GANs section of bench/RESULTS.md, from this run
    const md = [];
    ganReport(json.systems, o, (title, header, rows) => { if (rows.length) md.push(title, '', textTable(header, rows, true), ''); }, md);
    writeGanSection(ROOT, md.join('\n'), json.date);
  }
  const t = json.runtime_s;
  console.log(`bench: ${Math.floor(t / 60)} min ${t % 60} s; wrote ${path.relative(ROOT, o.out)}`);
}

if (isMain(import.meta.url)) main('bench', () => bench(process.argv.slice(2)));
