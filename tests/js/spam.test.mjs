// The text recipe on real data: the SpamAssassin mail corpus as tools/data-text.mjs prepares it
// (first 100 body tokens, 10,000-word vocabulary, the fixed 4,836 / 1,210 split).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as nn from '../../wasm/nnplay.js';
import { decodeTextDataset } from '../../web/text-data.js';

const FILE = path.join(import.meta.dirname, '..', '..', 'web', 'data', 'spam.nntx.gz');
let d;
before(async () => {
  await nn.ready();
  d = decodeTextDataset(gunzipSync(readFileSync(FILE)));
});

test('embedding(maskZero) -> gru(32) -> dense(sigmoid) learns the mail corpus: >= 95% test accuracy after 2 epochs', async () => {
  const { trainCount, maxlen } = d.meta;
  const split = trainCount * maxlen;
  const x = d.ids;
  const y = Float32Array.from(d.labels);
  const m = nn.sequential({ seed: 1, layers: [
    nn.layers.embedding({ inputDim: d.meta.vocabSize, outputDim: 16, inputLength: maxlen, maskZero: true }),
    nn.layers.gru({ units: 32 }),
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: nn.train.adam(0.005), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const h = await m.fit(x.subarray(0, split), y.subarray(0, trainCount), {
    epochs: 2, batchSize: 32, validationData: [x.subarray(split), y.subarray(trainCount)],
  });
  const acc = h.history.val_accuracy;
  assert.equal(acc.length, 2);
  assert.ok(acc[1] >= 0.95, `test accuracy after 2 epochs: ${acc}`);
  // the spam share is 31%: a model that answers "ham" always would score 0.69
  const ev = m.evaluate(x.subarray(split), y.subarray(trainCount));
  assert.ok(Math.abs(ev.accuracy - acc[1]) < 1e-6);
  assert.ok(ev.recall > 0.85 && ev.precision > 0.85, `spam found and not over-called: ${ev.recall} ${ev.precision}`);
  m.dispose();
});
