// The text page's networks and helpers (web/text/models.js) and the models it ships
// (web/models/*.nnplay, made by tools/train-text.mjs), through the JS API in Node.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as nn from '../../wasm/nnplay.js';
import { decodeTextDataset } from '../../web/text-data.js';
import { MAIL, MAIL_DEFAULT, KERAS_EXAMPLE, CORPORA, mailModel, charModel, lastStepTwin, wordSpans, mailRow, contextRow, charWindows, epochStarts, seeded } from '../../web/text/models.js';
import { ROOT } from '../../tools/util.mjs';

before(async () => { await nn.ready(); });

const dataFile = (name) => path.join(ROOT, 'web', 'data', `${name}.nntx.gz`);
const dataset = (name) => decodeTextDataset(gunzipSync(readFileSync(dataFile(name))));
const haveData = ['spam', 'tang', 'fortunes'].every((n) => existsSync(dataFile(n)));

test('wordSpans: the words Keras\'s tokenizer reads, in place, one id each', () => {
  const text = 'FREE money!!! Click\there,\nnow: $500 (really) — naïve café\r\nend';
  const tok = nn.text.tokenizer({ oovToken: '<OOV>' }).fitOnTexts([text]);
  const spans = wordSpans(text, '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', ' ');
  for (const s of spans) assert.equal(text.slice(s.start, s.end), s.word);
  const perWord = tok.textsToSequences(spans.map((s) => s.word));
  assert.ok(perWord.every((ids) => ids.length === 1));
  assert.deepEqual(perWord.map((ids) => ids[0]), tok.textsToSequences([text])[0]);
  assert.deepEqual(wordSpans('', '!'), []);
  assert.deepEqual(wordSpans('  a  ', '').map((s) => [s.start, s.end]), [[2, 3]]);
});

test('mailRow and contextRow pad in front; the first 100 tokens of a mail, the last T characters of a context', () => {
  assert.deepEqual(Array.from(mailRow([5, 6, 7])).slice(-4), [0, 5, 6, 7]);
  const long = Array.from({ length: 150 }, (_, i) => i + 1);
  const row = mailRow(long);
  assert.equal(row[0], 1);
  assert.equal(row[99], 100);
  assert.deepEqual(Array.from(contextRow([1, 2, 3], 5)), [0, 0, 1, 2, 3]);
  assert.deepEqual(Array.from(contextRow([1, 2, 3, 4, 5, 6], 4)), [3, 4, 5, 6]);
  const ids = Int32Array.from({ length: 20 }, (_, i) => i);
  const w = charWindows(ids, 4, [0, 10]);
  assert.deepEqual(Array.from(w.x), [0, 1, 2, 3, 10, 11, 12, 13]);
  assert.deepEqual(Array.from(w.y), [1, 2, 3, 4, 11, 12, 13, 14]);
  const starts = epochStarts(100, 10, seeded(3));
  assert.ok(starts.length >= 8 && starts.every((s) => s + 11 <= 100));
});

test('the mail networks: the default and the Keras example have the sizes the page states', () => {
  const small = mailModel(nn, MAIL_DEFAULT, 1);
  const keras = mailModel(nn, KERAS_EXAMPLE, 1);
  assert.equal(keras.countParams(), 738945); // text.html quotes it
  assert.deepEqual(keras.inputShape, [MAIL.maxlen]);
  assert.equal(small.layers[1].type, MAIL_DEFAULT.cell);
  small.dispose();
  keras.dispose();
});

test('lastStepTwin predicts what the per-step model predicts at its last step, and a short context reads as itself', async () => {
  const spec = { vocab: 30, window: 8, cell: 'lstm', embedding: 6, units: 10 };
  for (const cell of ['lstm', 'gru', 'simpleRNN']) {
    const m = charModel(nn, { ...spec, cell }, 4);
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const ids = Int32Array.from({ length: 200 }, (_, i) => 1 + ((i * 7) % 29));
    const w = charWindows(ids, 8, epochStarts(ids.length, 8, seeded(1)));
    await m.fit(w.x, w.y, { epochs: 2, batchSize: 8 });
    const twin = lastStepTwin(nn, m);
    assert.ok(twin, `${cell}: a twin`);
    const x = contextRow([3, 4, 5], 8);
    const full = m.predict(x).subarray(7 * 30, 8 * 30);
    const last = twin.predict(x);
    for (let k = 0; k < 30; k++) assert.ok(Math.abs(full[k] - last[k]) < 1e-5, `${cell}: class ${k}`);
    // masking: the padded context gives what the model gives at step 3 of the unpadded text
    const unpadded = m.predict(Float32Array.from([3, 4, 5, 1, 1, 1, 1, 1])).subarray(2 * 30, 3 * 30);
    for (let k = 0; k < 30; k++) assert.ok(Math.abs(unpadded[k] - last[k]) < 1e-5, `${cell}: masked class ${k}`);
    twin.dispose();
    m.dispose();
  }
  // not a per-step model: no twin
  const clf = mailModel(nn, MAIL_DEFAULT, 1);
  assert.equal(lastStepTwin(nn, clf), null);
  clf.dispose();
});

test('the shipped mail classifier: 95% or more on the 1,210 test mails, and short typed texts read sensibly', { skip: !haveData && 'web/data not built' }, () => {
  const file = path.join(ROOT, 'web', MAIL.model);
  assert.ok(statSync(file).size < 1.05e6, 'about 1 MB at most');
  const m = nn.loadModel(readFileSync(file));
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const d = dataset('spam');
  const n = d.meta.trainCount;
  const e = m.evaluate(Float32Array.from(d.ids.subarray(n * 100)), Float32Array.from(d.labels.subarray(n)));
  assert.ok(e.accuracy >= 0.95, `test accuracy ${e.accuracy}`);
  const tok = nn.text.tokenizerFromJSON(d.meta.tokenizer);
  const p = (t) => m.predict(mailRow(tok.textsToSequences([t])[0]))[0];
  assert.ok(p('FREE money!!! click here to claim your prize now') > 0.8);
  assert.ok(p('Hi Tom, are we still meeting for lunch on Thursday? I can bring the draft of the report.') < 0.5);
  m.dispose();
});

test('the shipped character models fit their corpora and write in their style', { skip: !haveData && 'web/data not built' }, () => {
  for (const [name, c] of Object.entries(CORPORA)) {
    const file = path.join(ROOT, 'web', c.model);
    assert.ok(statSync(file).size < 1.05e6, `${name}: about 1 MB at most`);
    const m = nn.loadModel(readFileSync(file));
    const d = dataset(name);
    assert.deepEqual(m.inputShape, [c.window]);
    assert.deepEqual(m.outputShape, [c.window, d.meta.vocabSize]);
    const tok = nn.text.tokenizerFromJSON(d.meta.tokenizer);
    const twin = lastStepTwin(nn, m);
    const ctx = tok.textsToSequences([c.seed])[0];
    const draw = seeded(7);
    for (let i = 0; i < 200; i++) ctx.push(nn.text.sample(twin.predict(contextRow(ctx, c.window)), { temperature: 0.5, random: draw }));
    const out = tok.sequencesToTexts([ctx])[0];
    if (name === 'tang') {
      assert.ok((out.match(/[\u4e00-\u9fff]/g) || []).length > 100, out);
      assert.match(out, /作者：/, out);
      // lines of five or seven characters, ended by ， or 。
      const lines = out.split('\n').filter((l) => /^[\u4e00-\u9fff]+[，。]/.test(l));
      const halves = lines.flatMap((l) => l.split(/[，。？！]/).filter(Boolean));
      assert.ok(halves.length >= 4 && halves.filter((h) => h.length === 5 || h.length === 7).length >= 0.7 * halves.length, out);
    } else {
      const words = out.toLowerCase().match(/[a-z]+/g) || [];
      const common = words.filter((w) => ['the', 'a', 'and', 'of', 'to', 'is', 'you', 'in', 'it', 'that', 'i', 'be', 'not'].includes(w));
      assert.ok(words.length > 20 && common.length >= 5, out);
    }
    twin.dispose();
    m.dispose();
  }
});
