// Build the native library + tests (build/) and the same sources as SIMD wasm (build-wasm/, and
// the JS API's module dist/nnplay_core.{js,wasm}). Usage: `node tools/build.mjs` or `await build()`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, run, isMain, main } from './util.mjs';
import { setup } from './setup.mjs';
import { buildSite } from './site.mjs';
import { buildData } from './data.mjs';

// Debian's emcc needs Debian's acorn in /usr/share/nodejs, where this node does not look: without
// NODE_PATH, links at -O2 and above fail with "Cannot find module 'acorn'".
const EMCC_ENV = { NODE_PATH: '/usr/share/nodejs' };
const JOBS = process.env.NNPLAY_JOBS || '2';

async function cmake(dir, configure, env) {
  // Configure only a fresh dir (CMake re-runs itself when CMakeLists or globs change), one whose
  // last configure failed (cache but no Makefile), or one with the emulator flag Node 20 rejects.
  const cache = path.join(ROOT, dir, 'CMakeCache.txt');
  if (!existsSync(cache) || !existsSync(path.join(ROOT, dir, 'Makefile')) ||
      readFileSync(cache, 'utf8').includes('--experimental-wasm-threads')) {
    await run(configure[0], [...configure.slice(1), '-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=Release'], { env });
  }
  await run('cmake', ['--build', dir, '-j', JOBS], { env });
}

export async function build({ native = true, wasm = true } = {}) {
  if (native) {
    console.log('build: native (build/)');
    await cmake('build', ['cmake']);
  }
  if (wasm) {
    console.log('build: wasm (build-wasm/, dist/)');
    // emcmake 3.1.6 makes ctest run wasm tests as `node --experimental-wasm-threads`, an option
    // Node 20 no longer knows; naming the emulator ourselves stops emcmake adding it.
    await cmake('build-wasm', ['emcmake', 'cmake', `-DCMAKE_CROSSCOMPILING_EMULATOR=${process.execPath}`], EMCC_ENV);
    // The wasm C tests are CommonJS programs, but our package.json says "type": "module" and
    // would make node load build-wasm/*.js as ES modules (`__dirname is not defined`).
    writeFileSync(path.join(ROOT, 'build-wasm', 'package.json'), '{ "type": "commonjs" }\n');
    await checkWasm(path.join(ROOT, 'dist', 'nnplay_core.wasm'));
    await buildData(); // web/data/: the images page's datasets (see tools/data.mjs)
  }
}

async function checkWasm(file) {
  if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} was not built`);
  const { out } = await run('wasm-dis', [file], { capture: 'quiet', quiet: true });
  const simd = (out.match(/f32x4/g) || []).length;
  if (simd === 0) throw new Error(`${path.relative(ROOT, file)} has no f32x4 SIMD instructions`);
  const bytes = readFileSync(file);
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`build: dist/nnplay_core.wasm ${kb(bytes.length)} (${kb(gzipSync(bytes, { level: 9 }).length)} gzipped), ${simd} f32x4 ops`);
}

if (isMain(import.meta.url)) {
  main('build', async () => {
    await setup({ build: true });
    await build();
    await buildSite(); // site/: the static site (see tools/site.mjs)
    console.log('build: ok');
  });
}
