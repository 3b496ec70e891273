// `npm run fuzz`: build the libFuzzer harnesses in fuzz/ (clang, ASan + UBSan) into build-fuzz/,
// replay the saved crashers in fuzz/regressions/<name>/, then fuzz each harness for a while.
// A crashing input is saved under fuzz/artifacts/<name>/ and its path printed; the exit code is
// non-zero if any harness crashed. See fuzz/README.md.
//
//   npm run fuzz                          every harness, 60 s each
//   npm run fuzz -- --time 600 csv idx    these two, 10 minutes each
//   npm run fuzz -- --seeds               rewrite fuzz/corpus/model_load/ (after a format change)
//
// tools/test.mjs runs the same thing for a short time as its `fuzz` stage.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, run, which, isMain, main } from './util.mjs';
import { setup } from './setup.mjs';

const FUZZ_DIR = path.join(ROOT, 'fuzz');
const OUT = path.join(ROOT, 'build-fuzz');
const JOBS = Number(process.env.NNPLAY_JOBS || 2);

// Per harness: the largest input worth trying (a model file needs room for a few layers and
// their weights; CSV and idx bugs show up in small inputs).
const MAX_LEN = { model_load: 16384, csv: 4096, idx: 4096 };
// While fuzzing (not when replaying fuzz/regressions/), the model loader runs with blocks over
// 64 MiB refused (fuzz/alloc_limit.c): the loader sizes layers before it checks that the file holds
// their weights (fuzz/regressions/model_load/open-*), and without a limit the fuzzer spends its
// time filling gigabyte arrays instead of exploring.
const MAX_ALLOC_MB = { model_load: 64 };
const CFLAGS = ['-g', '-O1', '-fno-omit-frame-pointer', '-fno-sanitize-recover=all', '-I', 'core'];
const SAN = 'address,undefined';

/** Harness names: fuzz/fuzz_<name>.c. */
export function harnesses() {
  return readdirSync(FUZZ_DIR).filter((f) => /^fuzz_\w+\.c$/.test(f)).map((f) => f.slice(5, -2)).sort();
}

const rel = (p) => path.relative(ROOT, p);
const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : 0);
const coreFiles = (ext) => readdirSync(path.join(ROOT, 'core')).filter((f) => f.endsWith(ext)).map((f) => path.join(ROOT, 'core', f));

async function pool(items, fn) {
  const queue = [...items];
  const worker = async () => { while (queue.length) await fn(queue.shift()); };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(JOBS, queue.length)) }, worker));
}

/** Compile core/*.c once with the fuzzer's instrumentation, then link each harness (when stale). */
export async function buildFuzzers(names = harnesses()) {
  if (!which('clang')) throw new Error('clang not found (tools/setup.mjs installs it: apt-get install clang libclang-rt-dev)');
  const objDir = path.join(OUT, 'obj');
  mkdirSync(objDir, { recursive: true });
  const headers = Math.max(...coreFiles('.h').map(mtime), mtime(path.join(FUZZ_DIR, 'alloc_limit.h')), mtime(path.join(ROOT, 'tools', 'fuzz.mjs')));
  const objs = [];
  await pool(coreFiles('.c'), async (src) => {
    const obj = path.join(objDir, path.basename(src, '.c') + '.o');
    objs.push(obj);
    if (mtime(obj) > Math.max(mtime(src), headers)) return;
    await run('nice', ['clang', ...CFLAGS, `-fsanitize=fuzzer-no-link,${SAN}`, '-include', 'fuzz/alloc_limit.h', '-c', rel(src), '-o', rel(obj)]);
  });
  const alloc = path.join(objDir, 'alloc_limit.o'); // the core's allocator (see fuzz/alloc_limit.c)
  if (mtime(alloc) <= Math.max(mtime(path.join(FUZZ_DIR, 'alloc_limit.c')), mtime(path.join(FUZZ_DIR, 'alloc_limit.h')), headers)) {
    await run('nice', ['clang', ...CFLAGS, `-fsanitize=fuzzer-no-link,${SAN}`, '-c', 'fuzz/alloc_limit.c', '-o', rel(alloc)]);
  }
  objs.push(alloc);
  objs.sort();
  const newestObj = Math.max(...objs.map(mtime));
  await pool(names, async (name) => {
    const src = path.join(FUZZ_DIR, `fuzz_${name}.c`);
    const bin = path.join(OUT, `fuzz_${name}`);
    if (!existsSync(src)) throw new Error(`no harness ${rel(src)} (have: ${harnesses().join(', ')})`);
    if (mtime(bin) > Math.max(mtime(src), newestObj, headers)) return;
    await run('nice', ['clang', ...CFLAGS, `-fsanitize=fuzzer,${SAN}`, rel(src), ...objs.map(rel), '-lm', '-o', rel(bin)]);
  });
}

function env(extra = {}) {
  // symbolized stack traces when llvm-symbolizer is there
  const sym = which('llvm-symbolizer');
  return { UBSAN_OPTIONS: 'print_stacktrace=1', ...(sym ? { ASAN_SYMBOLIZER_PATH: sym } : {}), ...extra };
}

/** The path libFuzzer saved a crashing input to, from its output. */
const artifactOf = (out) => out.match(/(?:Test unit written to|artifact_prefix='[^']*'; Test unit written to) (\S+)/)?.[1] ?? null;

/**
 * Run the harness once on each file in fuzz/regressions/<name>/ (inputs that crashed once).
 * A file named open-* is a known, not yet fixed crash: it is replayed and reported, but counted
 * as open rather than failed (rename it when its fix lands; a fixed open-* input says so).
 * Resolves to { files, failed: [{ file, report }], open: [file], fixed: [file] }.
 */
export async function replayRegressions(name) {
  const dir = path.join(FUZZ_DIR, 'regressions', name);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.') && !f.endsWith('.md')).sort() : [];
  const failed = [], open = [], fixed = [];
  for (const f of files) {
    const file = path.join(dir, f);
    const { code, out } = await run('nice', [rel(path.join(OUT, `fuzz_${name}`)), '-timeout=30', '-rss_limit_mb=2048', rel(file)],
      { capture: 'quiet', allowFail: true, quiet: true, env: env({ NNPLAY_FUZZ_MAX_ALLOC_MB: '' }) });
    if (f.startsWith('open-')) (code !== 0 ? open : fixed).push(rel(file));
    else if (code !== 0) failed.push({ file: rel(file), report: crashReport(out) });
  }
  return { files: files.length, failed, open, fixed };
}

/** The lines of libFuzzer's output that say what went wrong. */
function crashReport(out) {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => /^==\d+==ERROR|runtime error:|^==\d+== ERROR|ALARM: working on the last Unit|out-of-memory|deadly signal/.test(l));
  // drop libFuzzer's own frames and the mutation log: the frames in core/ and fuzz/ are what matter
  const noise = /^MS: |^base64: |fuzzer::|__sanitizer_print_stack_trace|libc_start|in _start |\(\/lib\/x86_64-linux-gnu\/libc\.so/i;
  return lines.slice(start < 0 ? Math.max(0, lines.length - 30) : start).filter((l) => !noise.test(l)).slice(0, 40).join('\n');
}

/**
 * Fuzz one harness for `seconds`. The seeds in fuzz/corpus/<name>/ are read, never written; new
 * inputs go to build-fuzz/corpus/<name>/. Resolves to { name, execs, seconds, crash, report }.
 */
export async function runFuzzer(name, seconds) {
  const work = path.join(OUT, 'corpus', name);
  const artifacts = path.join(FUZZ_DIR, 'artifacts', name);
  mkdirSync(work, { recursive: true });
  mkdirSync(artifacts, { recursive: true });
  const dict = path.join(FUZZ_DIR, `${name}.dict`);
  const args = [rel(path.join(OUT, `fuzz_${name}`)), rel(work), rel(path.join(FUZZ_DIR, 'corpus', name)),
    `-max_total_time=${seconds}`, `-max_len=${MAX_LEN[name] ?? 4096}`, '-timeout=10', '-rss_limit_mb=2048',
    `-artifact_prefix=${rel(artifacts)}/`, '-print_final_stats=1', ...(existsSync(dict) ? [`-dict=${rel(dict)}`] : [])];
  console.log(`fuzz: ${name} for ${seconds} s`);
  const t0 = Date.now();
  const limit = MAX_ALLOC_MB[name] ? { NNPLAY_FUZZ_MAX_ALLOC_MB: String(MAX_ALLOC_MB[name]) } : {};
  const { code, out } = await run('nice', args, { capture: 'quiet', allowFail: true, env: env(limit) });
  const execs = Number(out.match(/stat::number_of_executed_units:\s*(\d+)/)?.[1] ?? NaN);
  const took = (Date.now() - t0) / 1000;
  const crash = code !== 0 ? (artifactOf(out) ?? `(no input saved; exit ${code})`) : null;
  return { name, execs, seconds: took, crash, report: crash ? crashReport(out) : '' };
}

/** Build, replay the regressions, fuzz each harness; returns the results (one per harness). */
export async function fuzz({ names = harnesses(), seconds = 60 } = {}) {
  await buildFuzzers(names);
  const results = [];
  for (const name of names) {
    const reg = await replayRegressions(name);
    for (const f of reg.failed) console.log(`fuzz: ${name}: regression input ${f.file} still crashes:\n${f.report}\n`);
    for (const f of reg.open) console.log(`fuzz: ${name}: known open crash ${f} (see fuzz/README.md)`);
    for (const f of reg.fixed) console.log(`fuzz: ${name}: ${f} no longer crashes: drop the open- from its name`);
    const r = await runFuzzer(name, seconds);
    r.regressions = reg;
    const rate = Number.isFinite(r.execs) ? `${r.execs} executions in ${r.seconds.toFixed(0)} s (${Math.round(r.execs / r.seconds)}/s)` : `executions unknown, ${r.seconds.toFixed(0)} s`;
    console.log(`fuzz: ${name}: ${rate}, ${reg.files - reg.failed.length - reg.open.length}/${reg.files} regression inputs pass` +
      (reg.open.length ? ` (${reg.open.length} known open)` : '') +
      (r.crash ? `\nfuzz: ${name}: CRASH, input saved to ${r.crash}\n${r.report}\n` : ', no crash'));
    results.push(r);
  }
  return results;
}

/** Rebuild fuzz/make_seeds.c natively and rewrite the model loader's seed corpus. */
async function makeSeeds() {
  const dir = path.join(FUZZ_DIR, 'corpus', 'model_load');
  mkdirSync(OUT, { recursive: true });
  await run('clang', ['-g', '-O1', '-I', 'core', 'fuzz/make_seeds.c', ...coreFiles('.c').map(rel), '-lm', '-o', rel(path.join(OUT, 'make_seeds'))]);
  for (const f of existsSync(dir) ? readdirSync(dir) : []) rmSync(path.join(dir, f));
  mkdirSync(dir, { recursive: true });
  await run(path.join(OUT, 'make_seeds'), [rel(dir)]);
  // files of the older versions the loader still reads
  const fixtures = path.join(ROOT, 'tests', 'fixtures');
  for (const f of readdirSync(fixtures).filter((f) => f.endsWith('.nnplay'))) cpSync(path.join(fixtures, f), path.join(dir, f));
}

if (isMain(import.meta.url)) {
  main('fuzz', async () => {
    const args = process.argv.slice(2);
    let seconds = 60;
    const names = [];
    let seeds = false;
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--time') seconds = Number(args[++i]);
      else if (args[i].startsWith('--time=')) seconds = Number(args[i].slice(7));
      else if (args[i] === '--seeds') seeds = true;
      else if (args[i] === '--help' || args[i] === '-h') {
        console.log('usage: npm run fuzz -- [--time SECONDS] [--seeds] [names...]\nharnesses: ' + harnesses().join(', '));
        return;
      } else names.push(args[i]);
    }
    if (!(seconds > 0)) throw new Error('--time takes a number of seconds');
    const unknown = names.filter((n) => !harnesses().includes(n));
    if (unknown.length) throw new Error(`unknown harness(es) ${unknown.join(', ')} (have: ${harnesses().join(', ')})`);
    await setup({ build: false, fuzz: true });
    if (seeds) {
      await makeSeeds();
      if (!names.length) return;
    }
    const results = await fuzz({ names: names.length ? names : harnesses(), seconds });
    console.log('\nfuzz: summary');
    for (const r of results) {
      const bad = r.regressions.failed.length;
      console.log(`  ${r.name.padEnd(12)} ${String(r.execs).padStart(10)} executions  ${r.seconds.toFixed(0).padStart(5)} s  ` +
        (r.crash ? `CRASH ${r.crash}` : 'ok') + (bad ? `, ${bad} regression input(s) crash` : '') +
        (r.regressions.open.length ? `, ${r.regressions.open.length} known open crash(es)` : ''));
    }
    if (results.some((r) => r.crash || r.regressions.failed.length)) process.exitCode = 1;
  });
}
