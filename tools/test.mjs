// `npm test`: setup -> build -> C tests native -> C tests as wasm under Node -> JS + browser tests,
// then one closing line `N passed, N failed` that CI reads. A stage that errors (build failure,
// crashed runner) counts as one failure there. NNPLAY_TEST_ONLY=native,wasm,js,browser picks stages.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, run, main } from './util.mjs';
import { setup } from './setup.mjs';
import { build } from './build.mjs';

const STAGES = ['native', 'sanitize', 'wasm', 'js', 'browser'];
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

async function ctest(dir) {
  const { code, out } = await run('ctest', ['--test-dir', dir, '--output-on-failure', '--timeout', '900'],
    { capture: true, allowFail: true, env: { NODE_PATH: '/usr/share/nodejs' } });
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
    const { code } = await run(process.execPath, ['--test', '--test-timeout=600000',
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

main('test', async () => {
  console.log(`test: stages ${only.join(', ')}`);
  const needWasm = want('wasm') || want('js') || want('browser');
  const ready = await stage('setup', () => setup({ build: true, browser: want('browser'), data: true }));

  const nativeBuilt = ready && want('native') && await stage('build native', () => build({ native: true, wasm: false }));
  const wasmBuilt = ready && needWasm && await stage('build wasm', () => build({ native: false, wasm: true }));

  if (nativeBuilt) await stage('C tests (native)', () => ctest('build'));
  // The same C tests under AddressSanitizer + UndefinedBehaviorSanitizer (STYLE.md).
  if (ready && want('sanitize') && await stage('build native (ASan+UBSan)', sanitizeBuild)) {
    await stage('C tests (ASan+UBSan)', () => ctest('build-asan'));
  }
  if (wasmBuilt && want('wasm')) await stage('C tests (wasm under node)', () => ctest('build-wasm'));

  const files = [...(want('js') ? testFiles('js') : []), ...(want('browser') ? testFiles('browser') : [])];
  if (wasmBuilt && files.length) await stage('JS and browser tests', () => nodeTests(files));
  else if (wasmBuilt && (want('js') || want('browser'))) console.log('\ntest: no JS or browser test files yet');

  if (errors.length) console.error(`\ntest: stage errors:\n  ${errors.join('\n  ')}`);
  const skipped = total.skipped ? `, ${total.skipped} skipped` : '';
  console.log(`\n${total.passed} passed, ${total.failed} failed${skipped}`);
  process.exitCode = total.failed || errors.length ? 1 : 0;
});
