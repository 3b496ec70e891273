// The text benches' token files (tools/bench.mjs rawText): what the C programs and PyTorch read is
// the dataset the pages and tests use -- the same ids, labels and split, the poems' characters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { rawText } from '../../tools/bench.mjs';
import { decodeTokens, encodeTokens } from '../../bench/lib.mjs';
import { decodeTextDataset } from '../../web/text-data.js';
import { text } from '../../wasm/text.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataset = (name) => decodeTextDataset(gunzipSync(readFileSync(path.join(ROOT, 'web', 'data', `${name}.nntx.gz`))));

test('the bench token files hold the mail set and the poems as the .nntx.gz files do', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nnplay-tokens-'));
  try {
    const files = rawText(dir);
    const spam = dataset('spam');
    const t = decodeTokens(readFileSync(files.spam));
    assert.deepEqual([t.count, t.steps, t.trainCount, t.vocab], [spam.meta.count, spam.meta.maxlen, spam.meta.trainCount, spam.meta.vocabSize]);
    assert.deepEqual(t.ids, Int32Array.from(spam.ids));
    assert.deepEqual(Array.from(t.labels), Array.from(spam.labels));
    const tang = dataset('tang');
    const c = decodeTokens(readFileSync(files.tang));
    assert.deepEqual([c.count, c.trainCount, c.vocab], [1, 1, tang.meta.vocabSize]);
    assert.equal(text.tokenizerFromJSON(tang.meta.tokenizer).sequencesToTexts([Array.from(c.ids)])[0], tang.text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('token files refuse ids outside the vocabulary and sizes that do not match', () => {
  assert.throws(() => encodeTokens({ count: 1, steps: 2, trainCount: 1, vocab: 3, ids: [1, 3], labels: [0] }), /id 3 at 1 is outside \[0, 3\)/);
  const ok = encodeTokens({ count: 2, steps: 2, trainCount: 1, vocab: 3, ids: [0, 1, 2, 1], labels: [0, 1] });
  assert.deepEqual(Array.from(decodeTokens(ok).ids), [0, 1, 2, 1]);
  assert.throws(() => decodeTokens(ok.subarray(0, ok.length - 1)), /size does not match/);
});
