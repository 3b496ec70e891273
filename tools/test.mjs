// `npm test`: setup -> build -> C tests native -> the same under sanitizers (gcc ASan+UBSan, clang
// ASan+UBSan that stops at the first error) -> C tests as wasm under Node -> JS + browser tests ->
// a short run of each fuzz harness, then one closing line `N passed, N failed` that CI reads. A stage
// that errors (build failure, crashed runner) counts as one failure there.
// NNPLAY_TEST_ONLY=native,sanitize,clang-ubsan,wasm,js,browser,fuzz picks stages;
// NNPLAY_FUZZ_TIME sets the seconds per fuzz harness (default 45).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, run, which, main } from './util.mjs';
import { setup } from './setup.mjs';
import { build } from './build.mjs';
import { fuzz } from './fuzz.mjs';

const STAGES = ['native', 'sanitize', 'clang-ubsan', 'wasm', 'js', 'browser', 'fuzz'];
const only = (process.env.NNPLAY_TEST_ONLY || STAGES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
const bad = only.filter((s) => !STAGES.includes(s));
if (bad.length) {
  console.error(`test: unknown NNPLAY_TEST_ONLY stage(s): ${bad.join(', ')} (known: ${STAGES.join(', ')})`);
  process.exit(2);
}
const want = (s) => only.includes(s);

const total = { passed: 0, failed: 0, skipped: 0 };
const errors = [];

// A stage that could not run or report counts as one failure, with its reason listed at the end.
async function stage(name, fn) {
  console.log(`\n=== test: ${name} ===`);
  try {
    await fn();
    return true;
  } catch (err) {
    console.error(`test: ${name}: ${err.message}`);
    errors.push(`${name}: ${err.message}`);
    total.failed += 1;
    return false;
  }
}

async function ctest(dir, env = {}) {
  const { code, out } = await run('ctest', ['--test-dir', dir, '--output-on-failure', '--timeout', '900'],
    { capture: true, allowFail: true, env: { NODE_PATH: '/usr/share/nodejs', ...env } });
  const m = out.match(/(\d+)% tests passed, (\d+) tests? failed out of (\d+)/);
  if (m) {
    total.failed += Number(m[2]);
    total.passed += Number(m[3]) - Number(m[2]);
    return;
  }
  if (/No tests were found/.test(out) && code === 0) return console.log(`test: no C tests in ${dir}`);
  throw new Error(`ctest in ${dir} exited ${code} without a summary line`);
}

const testFiles = (dir) => {
  const full = path.join(ROOT, 'tests', dir);
  if (!existsSync(full)) return [];
  return readdirSync(full).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join('tests', dir, f));
};

async function nodeTests(files) {
  // spec for people on stdout, tap to a file for the counts.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnplay-test-'));
  const tap = path.join(tmp, 'report.tap');
  try {
    // --no-liftoff (passed on to each file's process): the wasm module is compiled optimized up
    // front. With V8's default tiering, a file that finishes while the background tier-up still runs
    // can hang at exit (2 of 30 runs of gan-page.test.mjs on this machine; 0 of 30 with the flag)
    const { code } = await run(process.execPath, ['--no-liftoff', '--test', '--test-timeout=600000',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files], { allowFail: true });
    const report = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
    const count = (key) => Number(report.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? NaN);
    const [pass, fail, cancelled, skipped, todo] = ['pass', 'fail', 'cancelled', 'skipped', 'todo'].map(count);
    if (Number.isNaN(pass) || Number.isNaN(fail)) throw new Error(`node --test exited ${code} without a summary`);
    total.passed += pass;
    total.failed += fail + (cancelled || 0);
    total.skipped += (skipped || 0) + (todo || 0);
    if (code !== 0 && fail + (cancelled || 0) === 0) throw new Error(`node --test exited ${code}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function sanitizeBuild() {
  if (!existsSync(path.join(ROOT, 'build-asan', 'Makefile'))) {
    await run('cmake', ['-S', '.', '-B', 'build-asan', '-DNN_SANITIZE=ON', '-DCMAKE_BUILD_TYPE=Debug']);
  }
  await run('cmake', ['--build', 'build-asan', '-j', process.env.NNPLAY_JOBS || '2']);
}

// The C tests built with clang, every sanitizer error fatal (-fno-sanitize-recover=all): gcc's
// sanitize stage above prints UBSan's reports but lets the test pass. Flags on the cmake command
// line, so CMakeLists.txt needs no clang-specific option. Only the test programs are built.
const CLANG_SAN = '-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1';

async function clangSanBuild() {
  const dir = 'build-clang-san';
  const makefile = path.join(ROOT, dir, 'Makefile');
  const tests = readdirSync(path.join(ROOT, 'tests', 'c')).filter((f) => /^test_\w+\.c$/.test(f)).map((f) => f.slice(0, -2));
  // configured once; again when tests/c has a program the Makefile does not know yet (building only
  // named targets skips the glob check that would otherwise notice it)
  const known = existsSync(makefile) ? readFileSync(makefile, 'utf8') : '';
  if (!known || tests.some((t) => !known.includes(`\n${t}:`))) {
    await run('cmake', ['-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=Debug', '-DCMAKE_C_COMPILER=clang',
      `-DCMAKE_C_FLAGS=${CLANG_SAN}`, '-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined']);
  }
  await run('cmake', ['--build', dir, '-j', process.env.NNPLAY_JOBS || '2', '--target', ...tests]);
}

function clangSanTests() {
  const sym = which('llvm-symbolizer');
  return ctest('build-clang-san', { UBSAN_OPTIONS: 'print_stacktrace=1', ...(sym ? { ASAN_SYMBOLIZER_PATH: sym } : {}) });
}

// Each harness in fuzz/ for NNPLAY_FUZZ_TIME seconds, after replaying fuzz/regressions/: a harness
// is one test (failed if it crashed, the input saved under fuzz/artifacts/), each regression input
// one (a known open one, named open-*, counts as skipped).
async function fuzzStage() {
  const seconds = Number(process.env.NNPLAY_FUZZ_TIME || 45);
  if (!(seconds > 0)) throw new Error(`NNPLAY_FUZZ_TIME must be a positive number of seconds, got '${process.env.NNPLAY_FUZZ_TIME}'`);
  for (const r of await fuzz({ seconds })) {
    const { files, failed, open } = r.regressions;
    total.passed += (r.crash ? 0 : 1) + files - failed.length - open.length;
    total.failed += (r.crash ? 1 : 0) + failed.length;
    total.skipped += open.length; // known open crashes (fuzz/regressions/*/open-*), listed above
    if (r.crash) errors.push(`fuzz: ${r.name} crashed; input saved to ${r.crash}`);
    for (const f of r.regressions.failed) errors.push(`fuzz: ${r.name}: regression input ${f.file} crashes`);
  }
}

main('test', async () => {
  console.log(`test: stages ${only.join(', ')}`);
  const needWasm = want('wasm') || want('js') || want('browser');
  const ready = await stage('setup', () => setup({ build: true, browser: want('browser'), data: true,
    fuzz: want('fuzz') || want('clang-ubsan') }));

  const nativeBuilt = ready && want('native') && await stage('build native', () => build({ native: true, wasm: false }));
  const wasmBuilt = ready && needWasm && await stage('build wasm', () => build({ native: false, wasm: true }));

  if (nativeBuilt) await stage('C tests (native)', () => ctest('build'));
  // The same C tests under AddressSanitizer + UndefinedBehaviorSanitizer (STYLE.md).
  if (ready && want('sanitize') && await stage('build native (ASan+UBSan)', sanitizeBuild)) {
    await stage('C tests (ASan+UBSan)', () => ctest('build-asan'));
  }
  if (ready && want('clang-ubsan') && await stage('build native (clang ASan+UBSan, fatal)', clangSanBuild)) {
    await stage('C tests (clang ASan+UBSan)', clangSanTests);
  }
  if (wasmBuilt && want('wasm')) await stage('C tests (wasm under node)', () => ctest('build-wasm'));

  const files = [...(want('js') ? testFiles('js') : []), ...(want('browser') ? testFiles('browser') : [])];
  if (wasmBuilt && files.length) await stage('JS and browser tests', () => nodeTests(files));
  else if (wasmBuilt && (want('js') || want('browser'))) console.log('\ntest: no JS or browser test files yet');

  if (ready && want('fuzz')) await stage('fuzz', fuzzStage);

  if (errors.length) console.error(`\ntest: stage errors:\n  ${errors.join('\n  ')}`);
  const skipped = total.skipped ? `, ${total.skipped} skipped` : '';
  console.log(`\n${total.passed} passed, ${total.failed} failed${skipped}`);
  process.exitCode = total.failed || errors.length ? 1 : 0;
});
