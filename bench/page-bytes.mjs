// page-bytes.mjs - what a first visit to each page fetches: every response of a fresh page load
// (the page, its workers, wasm, data), counted until the network has been quiet for 2 s, each URL
// once (a module the page and its worker both import comes from the cache the second time). Bytes as
// served by tools/serve.mjs (no compression) and gzipped as a static host (GitHub Pages) sends them,
// .gz files as they are (tools/site.mjs's page weights count the same way, from a list of files).
//
// Run:  node bench/page-bytes.mjs [--root DIR] [--pages index.html,images.html,...]
// --root: another checkout to serve (to compare before and after a change). Last line: JSON.
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { withPage } from '../tests/browser/helpers.mjs';
import { ROOT } from '../tools/util.mjs';

const { values } = parseArgs({ options: { root: { type: 'string', default: ROOT },
  pages: { type: 'string', default: 'index.html,images.html,text.html,gan.html,gan-digits.html' } } });

async function measure(page, url) {
  const seen = [];
  let last = Date.now();
  page.context().on('response', async (res) => {
    last = Date.now();
    const u = new URL(res.url());
    if (u.protocol === 'data:' || u.protocol === 'blob:') return;
    let body;
    try { body = await res.body(); } catch { return; } // a redirect or an aborted load
    const raw = body.length;
    const gz = u.pathname.endsWith('.gz') ? raw : gzipSync(body, { level: 9 }).length;
    if (!seen.some((r) => r.path === u.pathname)) seen.push({ path: u.pathname, raw, gz });
    last = Date.now();
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  while (Date.now() - last < 2000) await new Promise((r) => setTimeout(r, 200));
  return seen;
}

const out = {};
for (const name of values.pages.split(',')) {
  const files = await withPage(({ page, url }) => measure(page, new URL(`web/${name}`, url).href), { root: values.root });
  const sum = (k, f = () => true) => files.filter(f).reduce((a, r) => a + r[k], 0);
  const js = (r) => /\.js$/.test(r.path);
  out[name] = { requests: files.length, raw: sum('raw'), gz: sum('gz'), jsRaw: sum('raw', js), jsGz: sum('gz', js),
    converters: files.filter((r) => /\/wasm\/(tfjs|onnx)\.js$/.test(r.path)).map((r) => r.path.split('/').pop()) };
  const o = out[name];
  console.log(`${name}: ${o.requests} requests, ${(o.raw / 1024).toFixed(1)} KiB served, ${(o.gz / 1024).toFixed(1)} KiB gzipped ` +
    `(JS ${(o.jsRaw / 1024).toFixed(1)} / ${(o.jsGz / 1024).toFixed(1)} KiB)${o.converters.length ? `; converters: ${o.converters.join(', ')}` : ''}`);
}
console.log(JSON.stringify(out));
