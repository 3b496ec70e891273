// The format converters (wasm/tfjs.js, wasm/onnx.js) load on demand on the pages: wasm/lean.js is the
// API without them, model.toTfjs() & co. name the module to load until it is, and no page module
// imports them statically (the pages import them at the export or import click: worker-shared.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lean from '../../wasm/lean.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('lean.js: the converters name their module until it is loaded, then work as in nnplay.js', async () => {
  await lean.ready();
  const m = lean.sequential({ seed: 1, layers: [lean.layers.dense({ inputShape: [3], units: 2, activation: 'relu' })] });
  try {
    assert.equal(lean.loadTfjs, undefined);
    assert.throws(() => m.toTfjs(), /nnplay: toTfjs needs wasm\/tfjs\.js, which is not loaded: import 'nnplay'/);
    assert.throws(() => m.toONNX(), /nnplay: toONNX needs wasm\/onnx\.js/);
    // the async ones reject, as they always did on an error
    await assert.rejects(m.saveTfjs('downloads://x'), /saveTfjs needs wasm\/tfjs\.js/);
    await assert.rejects(m.saveONNX('downloads://x'), /saveONNX needs wasm\/onnx\.js/);

    const tfjs = await import('../../wasm/tfjs.js');
    const art = m.toTfjs();
    assert.equal(art.modelTopology.config.layers[0].class_name, 'Dense');
    assert.throws(() => m.toONNX(), /toONNX needs wasm\/onnx\.js/, 'one converter loads, not the other');
    await import('../../wasm/onnx.js');
    const onnx = m.toONNX();
    assert.ok(onnx instanceof Uint8Array && onnx.length > 100);

    // nnplay.js: lean.js's API plus loadTfjs, the same modules (one model class, one core)
    const nn = await import('../../wasm/nnplay.js');
    assert.deepEqual(Object.keys(nn).sort(), [...Object.keys(lean), 'loadTfjs'].sort());
    assert.equal(nn.loadTfjs, tfjs.loadTfjs);
    assert.equal(nn.Sequential, lean.Sequential);
    const back = await nn.loadTfjs(art, { compile: false });
    assert.deepEqual(back.predict([[1, -2, 3]]), m.predict([[1, -2, 3]]));
    back.dispose();
  } finally { m.dispose(); }
});

// Static imports ('import ... from', 'export ... from', 'import "x"'), not import(): what loads with the module.
const STATIC = /^\s*(?:import|export)\s+(?:[^;'"()]*?\sfrom\s*)?['"]([^'"]+)['"]/gm;
function staticImports(file) {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(STATIC)].map((m) => m[1]).filter((s) => s.startsWith('.'))
    .map((s) => path.resolve(path.dirname(file), s));
}
function closure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const f of staticImports(file)) closure(f, seen);
  return seen;
}
const jsUnder = (dir) => readdirSync(dir).flatMap((f) => {
  const p = path.join(dir, f);
  return statSync(p).isDirectory() ? (f === 'data' ? [] : jsUnder(p)) : f.endsWith('.js') ? [p] : [];
});

test('no page module loads the converters with it: they load at the click', () => {
  const converters = ['tfjs.js', 'onnx.js'].map((f) => path.join(ROOT, 'wasm', f));
  const pages = jsUnder(path.join(ROOT, 'web'));
  assert.ok(pages.length > 20, `found ${pages.length} page modules`);
  let reachesCore = 0;
  for (const file of pages) {
    const deps = closure(file);
    if (deps.has(path.join(ROOT, 'wasm', 'core.js'))) reachesCore++;
    for (const c of converters) assert.ok(!deps.has(c), `${path.relative(ROOT, file)} imports ${path.relative(ROOT, c)} statically`);
  }
  assert.ok(reachesCore >= 8, `the walk follows imports into wasm/ (${reachesCore} page modules reach core.js)`);
  // the walk sees what nnplay.js imports, so it would see a page importing it
  assert.ok(closure(path.join(ROOT, 'wasm', 'nnplay.js')).has(converters[0]));
  assert.ok(closure(path.join(ROOT, 'wasm', 'nnplay.js')).has(converters[1]));
});
