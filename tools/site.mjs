// Assemble site/: one self-contained static folder (no server-side rules, no special headers) that
// any static host serves as is, e.g. GitHub Pages (.github/workflows/pages.yml). It keeps the
// repository's relative layout so every relative import works unchanged:
//   site/index.html              redirects to web/
//   site/web/...                 the playground (index.html, playground.js + playground/, worker.js, embed.js, ...)
//   site/wasm/*.js               the JS API (nnplay.js and its modules; web/ imports ../wasm/lean.js, and
//                                tfjs.js or onnx.js when the user exports or imports a model)
//   site/dist/nnplay_core.{js,wasm}
//   site/examples/tutorial.html  a tutorial page embedding the playground (<nn-playground>)
//   site/web/images.html         the images page, with web/data/*.nnds.gz (made by tools/data.mjs)
//                                and the pretrained web/models/digits-cnn.nnplay
//   site/web/gan-digits.html     the digit GAN page (web/gan/digits-*.js), with the digits and the
//                                images page's classifier, which scores the generated digits
//   site/web/text.html           the text page, with web/data/*.nntx.gz (tools/data-text.mjs) and
//                                the models of tools/train-text.mjs in web/models/
//   site/web/gan.html            the 2D GAN lab (web/gan/), and examples/gan-tutorial.html embedding it (<nn-gan>)
// Usage: `node tools/site.mjs` (after `node tools/build.mjs`), or `await buildSite()`.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, isMain, main } from './util.mjs';
import { buildData } from './data.mjs';

export const SITE = path.join(ROOT, 'site');

const REDIRECT = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>nnplay playground</title>
  <meta http-equiv="refresh" content="0; url=web/">
  <link rel="canonical" href="web/">
  <script>location.replace('web/' + location.hash);</script>
</head>
<body><p><a href="web/">Open the nnplay playground</a></p></body>
</html>
`;

/** The JS API: wasm/nnplay.js and the modules it imports. */
const apiFiles = () => readdirSync(path.join(ROOT, 'wasm')).filter((f) => f.endsWith('.js')).sort().map((f) => `wasm/${f}`);
// What a page loads of it: lean.js's modules; the converters load at an export or import click.
const CONVERTERS = ['wasm/tfjs.js', 'wasm/onnx.js'];
const pageApiFiles = () => apiFiles().filter((f) => f !== 'wasm/nnplay.js' && !CONVERTERS.includes(f));

/** The files the playground page loads (paths relative to site/). */
function playgroundFiles(dir) {
  const html = readFileSync(path.join(dir, 'web', 'index.html'), 'utf8');
  const files = ['web/index.html', 'web/base.css', 'web/playground.css', 'web/playground.js', 'web/worker.js', 'web/worker-shared.js',
    'web/download.js', ...readdirSync(path.join(dir, 'web', 'playground')).map((f) => `web/playground/${f}`),
    ...pageApiFiles(), 'dist/nnplay_core.js', 'dist/nnplay_core.wasm'];
  if (/src="embed-mode\.js"/.test(html)) files.push('web/embed-mode.js');
  return files;
}

/** What the images page loads at startup: its code, the wasm, the digits and the pretrained CNN.
 *  Fashion-MNIST loads only on demand. */
function imagesFiles(dir) {
  return ['web/images.html', 'web/base.css', 'web/images.css', 'web/images.js', 'web/dom.js', 'web/images-worker.js', 'web/worker-shared.js',
    'web/download.js', ...readdirSync(path.join(dir, 'web', 'images')).map((f) => `web/images/${f}`), ...pageApiFiles(),
    'dist/nnplay_core.js', 'dist/nnplay_core.wasm', 'web/data/digits.nnds.gz', 'web/models/digits-cnn.nnplay'];
}

/** What the digit GAN page loads: its code, the wasm, the digits and the classifier that scores it. */
function ganDigitsFiles() {
  return ['web/gan-digits.html', 'web/base.css', 'web/gan-digits.css', 'web/gan/digits-page.js', 'web/gan/digits-draw.js', 'web/gan/digits-worker.js',
    'web/gan/digits-train.js', 'web/seeded.js', 'web/worker-shared.js', 'web/download.js', ...pageApiFiles(),
    'dist/nnplay_core.js', 'dist/nnplay_core.wasm', 'web/data/digits.nnds.gz', 'web/models/digits-cnn.nnplay'];
}

/** What the text page loads at startup (the Classify tab: the mail corpus and its model). The
 *  Generate tab's worker, corpus and model load when it is first opened. */
function textFiles() {
  return ['web/text.html', 'web/base.css', 'web/text.css', 'web/text.js', 'web/text/classify.js', 'web/text/generate.js', 'web/text/ui.js', 'web/dom.js',
    'web/text/chart.js', 'web/text/models.js', 'web/text/classify-worker.js', 'web/text/worker-train.js', 'web/text-data.js',
    'web/worker-shared.js', 'web/download.js', ...pageApiFiles(), 'dist/nnplay_core.js', 'dist/nnplay_core.wasm',
    'web/data/spam.nntx.gz', 'web/models/spam-gru.nnplay'];
}
/** What the GAN lab loads: its page, its modules and worker, the JS API and the wasm. */
function ganFiles(dir) {
  return ['web/gan.html', 'web/base.css', 'web/gan.css', 'web/embed-mode.js', 'web/playground/hash.js', 'web/seeded.js', 'web/worker-shared.js',
    ...readdirSync(path.join(dir, 'web', 'gan')).map((f) => `web/gan/${f}`), ...pageApiFiles(), 'dist/nnplay_core.js', 'dist/nnplay_core.wasm'];
}

const TEXT_ON_DEMAND = ['web/text/generate-worker.js', 'web/data/tang.nntx.gz', 'web/models/tang-lstm.nnplay',
  'web/data/fortunes.nntx.gz', 'web/models/fortunes-lstm.nnplay'];

/** { files: [{ file, bytes, gzip }], bytes, gzip } for what a page loads from `dir` (the playground by default). */
export function pageWeight(dir = SITE, list = playgroundFiles(dir)) {
  const files = list.map((file) => {
    const data = readFileSync(path.join(dir, file));
    // *.gz files are sent as they are (the page inflates them itself)
    return { file, bytes: data.length, gzip: file.endsWith('.gz') ? data.length : gzipSync(data, { level: 9 }).length };
  });
  return { files, bytes: files.reduce((s, f) => s + f.bytes, 0), gzip: files.reduce((s, f) => s + f.gzip, 0) };
}

export async function buildSite({ out = SITE, quiet = false } = {}) {
  const log = quiet ? () => {} : console.log;
  for (const f of ['dist/nnplay_core.js', 'dist/nnplay_core.wasm']) {
    if (!existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  await buildData({ quiet }); // web/data/ (nothing to do when it is up to date)
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // web/: every file, with its subfolders (playground/, models/, data/).
  cpSync(path.join(ROOT, 'web'), path.join(out, 'web'), { recursive: true });
  for (const f of [...apiFiles(), 'wasm/nnplay.d.ts', 'dist/nnplay_core.js', 'dist/nnplay_core.wasm',
    'examples/tutorial.html', 'examples/gan-tutorial.html']) {
    if (!existsSync(path.join(ROOT, f))) continue;
    mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(out, f));
  }
  writeFileSync(path.join(out, 'index.html'), REDIRECT);
  writeFileSync(path.join(out, '.nojekyll'), ''); // GitHub Pages: serve files as they are
  const count = (d) => readdirSync(d).reduce((n, e) => n + (statSync(path.join(d, e)).isDirectory() ? count(path.join(d, e)) : 1), 0);
  const w = pageWeight(out);
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  log(`site: ${path.relative(ROOT, out) || '.'}/ (${count(out)} files)`);
  log(`site: page weight ${w.bytes} bytes (${kb(w.bytes)}), ${w.gzip} bytes gzipped (${kb(w.gzip)}) over ${w.files.length} files:`);
  for (const f of w.files) log(`site:   ${f.file.padEnd(30)} ${String(f.bytes).padStart(8)} B  ${String(f.gzip).padStart(7)} B gz`);
  const images = pageWeight(out, imagesFiles(out));
  log(`site: images page weight ${images.bytes} bytes (${kb(images.bytes)}), ${images.gzip} bytes over the wire (${kb(images.gzip)}):`);
  for (const f of images.files) log(`site:   ${f.file.padEnd(30)} ${String(f.bytes).padStart(8)} B  ${String(f.gzip).padStart(7)} B gz`);
  const fashion = pageWeight(out, ['web/data/fashion.nnds.gz']).files[0];
  log(`site:   on demand: web/data/fashion.nnds.gz ${fashion.bytes} B (already gzipped)`);
  const gan = pageWeight(out, ganDigitsFiles());
  log(`site: digit GAN page weight ${gan.bytes} bytes (${kb(gan.bytes)}), ${gan.gzip} bytes over the wire (${kb(gan.gzip)})`);
  const text = pageWeight(out, textFiles());
  log(`site: text page weight ${text.bytes} bytes (${kb(text.bytes)}), ${text.gzip} bytes over the wire (${kb(text.gzip)}):`);
  for (const f of text.files) log(`site:   ${f.file.padEnd(30)} ${String(f.bytes).padStart(8)} B  ${String(f.gzip).padStart(7)} B gz`);
  const generate = pageWeight(out, TEXT_ON_DEMAND);
  log(`site:   on demand (Generate tab): ${generate.gzip} bytes over the wire (${kb(generate.gzip)}):`);
  for (const f of generate.files) log(`site:     ${f.file.padEnd(28)} ${String(f.bytes).padStart(8)} B  ${String(f.gzip).padStart(7)} B gz`);
  const lab = pageWeight(out, ganFiles(out));
  log(`site: GAN lab weight ${lab.bytes} bytes (${kb(lab.bytes)}), ${lab.gzip} bytes gzipped (${kb(lab.gzip)}) over ${lab.files.length} files`);
  const converters = pageWeight(out, CONVERTERS);
  log(`site: on demand (an export or import click): ${converters.gzip} bytes over the wire (${kb(converters.gzip)}):`);
  for (const f of converters.files) log(`site:   ${f.file.padEnd(30)} ${String(f.bytes).padStart(8)} B  ${String(f.gzip).padStart(7)} B gz`);
  return { dir: out, weight: w, images, text, ganDigits: gan, gan: lab };
}

if (isMain(import.meta.url)) main('site', () => buildSite());
