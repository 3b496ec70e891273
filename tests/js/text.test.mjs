// Token sequences: Embedding (TF.js's layer and weight layout) learns from ids, refuses ids outside
// its vocabulary with the core's message, and saves and loads like every layer.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';

before(async () => { await nn.ready(); });

/** n sequences of t ids in [0, v); label 1 when at least two ids are below 5. */
function tokens(n, t, v, seed) {
  const x = new Float32Array(n * t);
  const y = new Float32Array(n);
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    let low = 0;
    for (let j = 0; j < t; j++) { const id = Math.floor(r() * v); x[i * t + j] = id; if (id < 5) low++; }
    y[i] = low >= 2 ? 1 : 0;
  }
  return { x, y };
}

/** n sequences of t ids in 3..9 with one 1 and one 2 at random places; label: the 1 comes first.
 * A question about order, which a bag of words cannot answer. */
function orderTask(n, t, seed) {
  const x = new Float32Array(n * t);
  const y = new Float32Array(n);
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < t; j++) x[i * t + j] = 3 + Math.floor(r() * 7);
    const a = Math.floor(r() * t);
    let b = Math.floor(r() * (t - 1));
    if (b >= a) b++;
    x[i * t + a] = 1;
    x[i * t + b] = 2;
    y[i] = a < b ? 1 : 0;
  }
  return { x, y };
}

test('embedding -> flatten -> dense learns a rule over token ids; weights in TF.js\'s layout; save/load', async () => {
  const { x, y } = tokens(400, 6, 20, 1);
  const m = nn.sequential({ seed: 2, layers: [
    nn.layers.embedding({ inputDim: 20, outputDim: 8, inputLength: 6 }), // inputLength sets the input shape
    nn.layers.flatten(),
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  assert.deepEqual(m.inputShape, [6]);
  assert.deepEqual(m.layers[0].outputShape, [6, 8]);
  assert.deepEqual(m.getWeights().map((w) => [w.name, w.shape]),
    [['embedding/embeddings', [20, 8]], ['dense/kernel', [48, 1]], ['dense/bias', [1]]]);
  assert.ok(m.getWeights()[0].every((w) => Math.abs(w) <= 0.05), 'Keras\'s uniform(-0.05, 0.05) start');
  m.compile({ optimizer: nn.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const h = await m.fit(x, y, { epochs: 30, batchSize: 32, validationSplit: 0.2 });
  assert.ok(h.history.val_accuracy.at(-1) >= 0.9, `validation accuracy ${h.history.val_accuracy.at(-1)}`);
  // a row of the table is what the layer outputs for its id
  const out = m.predictLayers([[3, 3, 3, 3, 3, 3]])[0];
  assert.deepEqual(Array.from(out.subarray(0, 8)), Array.from(m.getWeights()[0].subarray(3 * 8, 4 * 8)));
  assert.throws(() => m.predict([[0, 1, 2, 3, 4, 20]]), /embedding: input 20 at sample 0, position 5 is not a token id in \[0, 20\)/);
  assert.throws(() => m.predict([[0, 1, 2, 3, 4, 1.5]]), /input 1.5 .* is not a token id/);
  const r = nn.loadModel(m.save());
  assert.deepEqual(r.layers[0].config, { inputDim: 20, outputDim: 8, embeddingsInitializer: 'randomUniform', maskZero: false, trainable: true, name: 'embedding' });
  assert.deepEqual(Array.from(r.predict(x.subarray(0, 60))), Array.from(m.predict(x.subarray(0, 60))));
  m.dispose();
  r.dispose();
});

test('embedding options are checked by the core', () => {
  assert.throws(() => nn.layers.embedding({ outputDim: 4 }), /embedding: inputDim is missing/);
  assert.throws(() => nn.layers.embedding({ inputDim: 0, outputDim: 4 }), /inputDim must be a positive integer/);
  assert.throws(() => nn.layers.embedding({ inputDim: 10, outputDim: 4, embeddingsInitializer: 'lecunNormal' }),
    /unknown initializer 'lecunNormal' for embeddingsInitializer/);
  assert.throws(() => nn.sequential({ layers: [nn.layers.embedding({ inputShape: [2, 3, 4], inputDim: 10, outputDim: 4 })] }),
    /embedding: input must be token ids of rank 1 or 2/);
});

test('simpleRNN, lstm and gru: TF.js\'s weight layout and gate order -- the same weights give TF.js\'s predictions (its cpu backend)', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const cases = [['simpleRNN', { returnSequences: false, goBackwards: false }],
    ['simpleRNN', { returnSequences: true, goBackwards: true }],
    ['lstm', { returnSequences: false, goBackwards: false, recurrentActivation: 'sigmoid' }],
    ['lstm', { returnSequences: true, goBackwards: true, recurrentActivation: 'hardSigmoid' }],
    ['gru', { returnSequences: false, goBackwards: false, recurrentActivation: 'sigmoid' }],
    ['gru', { returnSequences: true, goBackwards: true, recurrentActivation: 'hardSigmoid' }]];
  for (const [rnn, { returnSequences, goBackwards, ...more }] of cases) {
    const opts = { units: 5, activation: 'tanh', returnSequences, goBackwards, ...more };
    const m = nn.sequential({ seed: 4, layers: [
      nn.layers.embedding({ inputDim: 12, outputDim: 3, inputLength: 7, embeddingsInitializer: 'glorotUniform' }),
      nn.layers[rnn](opts),
      ...(returnSequences ? [nn.layers.flatten()] : []),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    const t = tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 12, outputDim: 3, inputLength: 7 }),
      tf.layers[rnn](opts),
      ...(returnSequences ? [tf.layers.flatten()] : []),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    t.setWeights(m.getWeights().map((w) => tf.tensor(w, w.shape)));
    const ids = Float32Array.from({ length: 4 * 7 }, (_, i) => (i * 5 + 3) % 12);
    const want = t.predict(tf.tensor(ids, [4, 7])).dataSync();
    const got = m.predict(ids);
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `${i}: ${got[i]} vs ${want[i]}`);
    m.dispose();
    t.dispose();
  }
});

test('simpleRNN learns which of two tokens came first in a sequence', async () => {
  const T = 8;
  const { x, y } = orderTask(600, T, 9);
  const m = nn.sequential({ seed: 5, layers: [
    nn.layers.embedding({ inputDim: 10, outputDim: 8, inputLength: T }),
    nn.layers.simpleRNN({ units: 16 }),
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: { ...nn.train.adam(0.01), clipNorm: 1 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const h = await m.fit(x, y, { epochs: 40, batchSize: 32, validationSplit: 0.2 });
  assert.ok(h.history.val_accuracy.at(-1) >= 0.9, `validation accuracy ${h.history.val_accuracy.at(-1)}`);
  m.dispose();
});

test('lstm learns the order task too, and saves and loads with its optimizer state', async () => {
  const T = 8;
  const { x, y } = orderTask(400, T, 11);
  const m = nn.sequential({ seed: 6, layers: [
    nn.layers.embedding({ inputDim: 10, outputDim: 8, inputLength: T }),
    nn.layers.lstm({ units: 16 }),
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  assert.deepEqual(m.getWeights().slice(1, 4).map((w) => [w.name, w.shape]),
    [['lstm/kernel', [8, 64]], ['lstm/recurrent_kernel', [16, 64]], ['lstm/bias', [64]]]);
  m.compile({ optimizer: { ...nn.train.adam(0.01), clipNorm: 1 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const h = await m.fit(x, y, { epochs: 25, batchSize: 32, validationSplit: 0.2 });
  assert.ok(h.history.val_accuracy.at(-1) >= 0.9, `validation accuracy ${h.history.val_accuracy.at(-1)}`);
  const r2 = nn.loadModel(m.save());
  assert.deepEqual(Array.from(r2.predict(x.subarray(0, 80))), Array.from(m.predict(x.subarray(0, 80))));
  await m.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false });
  await r2.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false });
  assert.deepEqual(Array.from(r2.predict(x.subarray(0, 80))), Array.from(m.predict(x.subarray(0, 80))));
  m.dispose();
  r2.dispose();
});

test('gru with Keras 2\'s resetAfter (two bias rows) learns the order task; both variants save and load', async () => {
  const T = 8;
  const { x, y } = orderTask(400, T, 13);
  for (const resetAfter of [true, false]) {
    const m = nn.sequential({ seed: 7, layers: [
      nn.layers.embedding({ inputDim: 10, outputDim: 8, inputLength: T }),
      nn.layers.gru({ units: 16, resetAfter }),
      nn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    assert.deepEqual(m.getWeights()[3].shape, resetAfter ? [2, 48] : [48]);
    m.compile({ optimizer: nn.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const h = await m.fit(x, y, { epochs: 25, batchSize: 32, validationSplit: 0.2 });
    assert.ok(h.history.val_accuracy.at(-1) >= 0.9, `resetAfter ${resetAfter}: validation accuracy ${h.history.val_accuracy.at(-1)}`);
    const r2 = nn.loadModel(m.save());
    assert.equal(r2.layers[1].config.resetAfter, resetAfter);
    assert.deepEqual(Array.from(r2.predict(x.subarray(0, 80))), Array.from(m.predict(x.subarray(0, 80))));
    m.dispose();
    r2.dispose();
  }
});

test('tokenizer and padSequences behave as Keras\'s (frequency order, oov, numWords, filters, pre/post)', () => {
  const texts = ['The cat sat on the mat.', 'The dog ate my homework!', 'My cat, my rules'];
  const tok = nn.text.tokenizer({ oovToken: '<OOV>' }).fitOnTexts(texts);
  // counts: the 3, my 3, cat 2, then the rest once, in the order first seen; <OOV> takes id 1
  assert.deepEqual(Object.entries(tok.wordIndex).slice(0, 5), [['<OOV>', 1], ['the', 2], ['my', 3], ['cat', 4], ['sat', 5]]);
  assert.deepEqual(tok.textsToSequences(['the cat ate a fish']), [[2, 4, 9, 1, 1]]);
  assert.equal(tok.vocabSize, 12);
  const few = nn.text.tokenizer({ numWords: 4 }).fitOnTexts(texts);
  assert.deepEqual(few.textsToSequences(['the cat ate my fish']), [[1, 3, 2]]); // ids 1..3 kept, others dropped
  assert.deepEqual(few.sequencesToTexts([[1, 3, 2]]), ['the cat my']);
  const chars = nn.text.tokenizer({ charLevel: true }).fitOnTexts(['静夜思 床前明月光', '明月']);
  assert.deepEqual(chars.textsToSequences(['明月']), [[1, 2]]); // 明 and 月 appear twice
  const p = nn.text.padSequences([[1, 2, 3], [4], [5, 6, 7, 8, 9]], { maxlen: 4 });
  assert.deepEqual(p.shape, [3, 4]);
  assert.deepEqual(Array.from(p), [0, 1, 2, 3, 0, 0, 0, 4, 6, 7, 8, 9]);
  const q = nn.text.padSequences([[1, 2, 3], [5, 6, 7, 8, 9]], { maxlen: 4, padding: 'post', truncating: 'post' });
  assert.deepEqual(Array.from(q), [1, 2, 3, 0, 5, 6, 7, 8]);
  assert.throws(() => nn.text.padSequences([[1]], { padding: 'middle' }), /nnplay: padSequences: padding must be 'pre' or 'post'/);
  assert.throws(() => nn.text.tokenizer({ numWords: 0 }), /nnplay: tokenizer: numWords must be a positive integer/);
  assert.throws(() => tok.fitOnTexts('just one string'), /nnplay: tokenizer.fitOnTexts takes an array of strings/);
});

test('tokenizer.toJSON is Keras\'s to_json layout and tokenizerFromJSON restores the same ids', () => {
  const texts = ['The cat sat on the mat.', 'The dog ate my homework!', 'My cat, my rules'];
  const tok = nn.text.tokenizer({ oovToken: '<OOV>', numWords: 6 }).fitOnTexts(texts);
  const o = JSON.parse(tok.toJSON());
  assert.equal(o.class_name, 'Tokenizer');
  assert.equal(o.config.num_words, 6);
  assert.equal(o.config.oov_token, '<OOV>');
  assert.equal(o.config.document_count, 3);
  // Keras keeps the dictionaries as JSON strings inside the config
  assert.deepEqual(JSON.parse(o.config.word_docs).cat, 2);
  assert.deepEqual(JSON.parse(o.config.index_word)['2'], 'the');
  const back = nn.text.tokenizerFromJSON(tok.toJSON());
  const probe = ['the cat ate a fish', 'my rules on my mat'];
  assert.deepEqual(back.textsToSequences(probe), tok.textsToSequences(probe));
  assert.deepEqual(back.wordIndex, tok.wordIndex);
  assert.equal(back.vocabSize, tok.vocabSize);
  // maxWords leaves out the words numWords never lets through, and tokenizes the same
  const small = nn.text.tokenizerFromJSON(JSON.parse(tok.toJSON({ maxWords: 6 })));
  assert.deepEqual(Object.keys(small.wordIndex), ['<OOV>', 'the', 'my', 'cat', 'sat']);
  assert.deepEqual(small.textsToSequences(probe), tok.textsToSequences(probe));
  const chars = nn.text.tokenizer({ charLevel: true, lower: false, filters: '' }).fitOnTexts(['床前明月光\n疑是地上霜']);
  assert.deepEqual(nn.text.tokenizerFromJSON(chars.toJSON()).textsToSequences(['明月\n']), chars.textsToSequences(['明月\n']));
  assert.throws(() => nn.text.tokenizerFromJSON('{'), /nnplay: tokenizerFromJSON: not JSON/);
  assert.throws(() => nn.text.tokenizerFromJSON({ class_name: 'Dense', config: {} }), /nnplay: tokenizerFromJSON: expected Keras/);
  assert.throws(() => nn.text.tokenizerFromJSON({ class_name: 'Tokenizer', config: { word_index: '{"a": 1, "b": 1}' } }), /two words the same id/);
  assert.throws(() => nn.text.tokenizerFromJSON({ class_name: 'Tokenizer', config: { word_index: '{"a": -1}' } }), /config.word_index must map/);
});

test('the Keras text recipe end to end: tokenizer, padSequences, embedding -> lstm(dropout, recurrentDropout) -> dense, fit with validationSplit', async () => {
  // short "reviews": a few words that carry the label among filler words, in random order
  const good = ['great', 'loved', 'wonderful', 'excellent'];
  const bad = ['awful', 'boring', 'terrible', 'waste'];
  const filler = ['the', 'movie', 'was', 'a', 'plot', 'acting', 'and', 'it', 'this', 'film', 'story', 'really'];
  let s = 21;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (a) => a[Math.floor(r() * a.length)];
  const texts = [];
  const labels = [];
  for (let i = 0; i < 500; i++) {
    const y = i % 2;
    const words = Array.from({ length: 4 + Math.floor(r() * 8) }, () => pick(filler));
    words.splice(Math.floor(r() * words.length), 0, pick(y ? good : bad));
    texts.push(`${words.join(' ')}.`);
    labels.push(y);
  }
  const tok = nn.text.tokenizer({ numWords: 1000, oovToken: '<OOV>' }).fitOnTexts(texts);
  const x = nn.text.padSequences(tok.textsToSequences(texts), { maxlen: 16 });
  const m = nn.sequential({ seed: 8, layers: [
    nn.layers.embedding({ inputDim: tok.vocabSize, outputDim: 16, inputLength: 16 }),
    nn.layers.lstm({ units: 16, dropout: 0.2, recurrentDropout: 0.2 }), // the Keras example's LSTM
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const h = await m.fit(x, labels, { epochs: 10, batchSize: 32, validationSplit: 0.2 });
  assert.ok(h.history.val_accuracy.at(-1) >= 0.95, `validation accuracy ${h.history.val_accuracy.at(-1)}`);
  const p = m.predict(nn.text.padSequences(tok.textsToSequences(['a wonderful film', 'what a waste']), { maxlen: 16 }));
  assert.ok(p[0] > 0.5 && p[1] < 0.5, `predictions ${Array.from(p)}`);
  m.dispose();
});

test('a character model: embedding -> lstm(returnSequences) -> dense(softmax) on every step, as TF.js computes it, learns next characters', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  // TF.js applies dense to the last axis of a sequence too: the same weights, the same predictions
  const m = nn.sequential({ seed: 9, layers: [
    nn.layers.embedding({ inputDim: 6, outputDim: 4, inputLength: 5, embeddingsInitializer: 'glorotUniform' }),
    nn.layers.lstm({ units: 8, returnSequences: true }),
    nn.layers.dense({ units: 6, activation: 'softmax' }),
  ] });
  assert.deepEqual(m.outputShape, [5, 6]);
  const t = tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: 6, outputDim: 4, inputLength: 5 }),
    tf.layers.lstm({ units: 8, returnSequences: true, recurrentActivation: 'sigmoid' }),
    tf.layers.dense({ units: 6, activation: 'softmax' }),
  ] });
  t.setWeights(m.getWeights().map((w) => tf.tensor(w, w.shape)));
  const probe = Float32Array.from({ length: 3 * 5 }, (_, i) => (i * 7 + 1) % 6);
  const want = t.predict(tf.tensor(probe, [3, 5])).dataSync();
  const got = m.predict(probe);
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `${i}: ${got[i]} vs ${want[i]}`);
  t.dispose();
  // next character of a repeating text: labels are one class index per step
  const text = 'abcdeabcdeabcdeabcdeabcdeabcdeabcdeabcde'.repeat(5);
  const tok = nn.text.tokenizer({ charLevel: true }).fitOnTexts([text]);
  const ids = tok.textsToSequences([text])[0];
  const n = ids.length - 6;
  const x = new Float32Array(n * 5);
  const y = new Float32Array(n * 5);
  for (let i = 0; i < n; i++) for (let j = 0; j < 5; j++) { x[i * 5 + j] = ids[i + j]; y[i * 5 + j] = ids[i + j + 1]; }
  m.compile({ optimizer: nn.train.adam(0.02), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const h = await m.fit(x, y, { epochs: 20, batchSize: 16 });
  assert.ok(h.history.accuracy.at(-1) > 0.95, `per-step accuracy ${h.history.accuracy.at(-1)}`);
  const ev = m.evaluate(x, y);
  assert.equal(ev.confusionMatrix.length, 6);
  await assert.rejects(m.fit(x, y.subarray(0, n * 4), { epochs: 1 }), /y has \d+ values, .* \(5 class indices per sample, one per step\)/);
  m.dispose();
});

test('maskZero: padded steps keep the state, as TF.js\'s masking does (the same weights give its predictions), and leave the loss', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  // pre- and post-padding and a zero in the middle
  const ids = Float32Array.from([0, 0, 3, 1, 2, 5, 0, 0, 4, 0, 2, 1, 1, 2, 3, 4, 5, 1]);
  for (const [rnn, returnSequences] of [['lstm', false], ['gru', true], ['simpleRNN', true]]) {
    const opts = { units: 4, returnSequences, ...(rnn === 'simpleRNN' ? {} : { recurrentActivation: 'sigmoid' }) };
    const m = nn.sequential({ seed: 10, layers: [
      nn.layers.embedding({ inputDim: 6, outputDim: 3, inputLength: 6, maskZero: true, embeddingsInitializer: 'glorotUniform' }),
      nn.layers[rnn](opts),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    const t = tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 6, outputDim: 3, inputLength: 6, maskZero: true }),
      tf.layers[rnn](opts),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    t.setWeights(m.getWeights().map((w) => tf.tensor(w, w.shape)));
    const want = t.predict(tf.tensor(ids, [3, 6])).dataSync();
    const got = m.predict(ids);
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `${rnn} ${i}: ${got[i]} vs ${want[i]}`);
    t.dispose();
    if (returnSequences) { // per-step labels: the 5 padded steps are not counted
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const labels = Float32Array.from({ length: 18 }, (_, i) => i % 2);
      const h = await m.fit(ids, labels, { epochs: 1, batchSize: 3, callbacks: { onBatchEnd: (b, logs) => assert.equal(logs.size, 13) } });
      assert.ok(Number.isFinite(h.history.loss[0]));
    }
    m.dispose();
  }
});

test('sample: temperature sharpens or flattens the draw, 0 takes the most likely, bad input is refused', () => {
  const p = [0.1, 0.6, 0.3];
  let s = 5;
  const random = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const counts = (temperature) => {
    const c = [0, 0, 0];
    for (let i = 0; i < 3000; i++) c[nn.text.sample(p, { temperature, random })]++;
    return c.map((v) => v / 3000);
  };
  const one = counts(1);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(one[i] - p[i]) < 0.04, `temperature 1: ${one}`);
  assert.ok(counts(0.3)[1] > 0.85, 'a low temperature picks the likely one');
  assert.ok(counts(5)[0] > 0.25, 'a high temperature flattens');
  assert.equal(nn.text.sample(p, { temperature: 0 }), 1);
  assert.equal(nn.text.sample([0, 0, 1], { random: () => 0.999999 }), 2);
  assert.throws(() => nn.text.sample([0.5, NaN]), /nnplay: sample takes a row of probabilities/);
  assert.throws(() => nn.text.sample(p, { temperature: -1 }), /temperature must be a number >= 0/);
});

test('returnState: TF.js\'s option, refused in a Sequential model (a layer there has a single output), naming it and the layer', () => {
  for (const rnn of ['simpleRNN', 'lstm', 'gru']) {
    const layer = nn.layers[rnn]({ units: 4, returnState: true }); // a valid option, as in TF.js ...
    assert.throws(() => nn.sequential({ layers: [nn.layers.embedding({ inputDim: 5, outputDim: 2, inputLength: 3 }), layer] }),
      new RegExp(`nnplay: adding a \\w+ layer: ${rnn}: returnState gives the layer several outputs .* single output tensor`));
  }
  const m = nn.sequential({ layers: [nn.layers.lstm({ inputShape: [3, 2], units: 4, returnState: false })] });
  assert.equal(m.layers[0].config.returnState, false);
  m.dispose();
});

test('bidirectional over lstm and gru (concat, sum; masked and not): TF.js\'s own bidirectional gives the same predictions from nnplay\'s weights', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const ids = Float32Array.from([0, 0, 3, 1, 2, 5, 0, 0, 4, 0, 2, 1, 1, 2, 3, 4, 5, 1]); // padding pre, post and inside
  const cases = [['lstm', 'concat', false, false], ['lstm', 'sum', true, true], ['gru', 'concat', true, true],
    ['gru', 'sum', false, true], ['lstm', 'concat', true, false], ['gru', 'sum', true, false]];
  for (const [rnn, mergeMode, returnSequences, maskZero] of cases) {
    const opts = { units: 4, returnSequences, recurrentActivation: 'sigmoid' };
    const m = nn.sequential({ seed: 3, layers: [
      nn.layers.embedding({ inputDim: 6, outputDim: 3, inputLength: 6, maskZero, embeddingsInitializer: 'glorotUniform' }),
      nn.layers.bidirectional({ layer: nn.layers[rnn]({ ...opts, biasInitializer: 'glorotUniform' }), mergeMode }),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    const t = tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 6, outputDim: 3, inputLength: 6, maskZero }),
      tf.layers.bidirectional({ layer: tf.layers[rnn](opts), mergeMode }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    // the same tensors in the same order, named as Keras scopes them (TF.js adds its own suffixes)
    const names = m.getWeights().map((w) => w.name);
    assert.deepEqual(names.slice(1, 7), ['forward', 'backward'].flatMap((d) =>
      ['kernel', 'recurrent_kernel', 'bias'].map((k) => `bidirectional/${d}_${rnn}/${k}`)));
    assert.deepEqual(t.getWeights().map((w) => w.shape), m.getWeights().map((w) => w.shape));
    t.setWeights(m.getWeights().map((w) => tf.tensor(w, w.shape)));
    const want = t.predict(tf.tensor(ids, [3, 6])).dataSync();
    const got = m.predict(ids);
    assert.equal(got.length, want.length);
    for (let i = 0; i < got.length; i++) {
      assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `${rnn} ${mergeMode} ${returnSequences} ${maskZero} ${i}: ${got[i]} vs ${want[i]}`);
    }
    // and back: TF.js's weights into nnplay
    const t2 = tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 6, outputDim: 3, inputLength: 6, maskZero }),
      tf.layers.bidirectional({ layer: tf.layers[rnn]({ ...opts, biasInitializer: 'glorotUniform' }), mergeMode }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    m.setWeights(t2.getWeights().map((w) => w.dataSync()));
    const want2 = t2.predict(tf.tensor(ids, [3, 6])).dataSync();
    const got2 = m.predict(ids);
    for (let i = 0; i < got2.length; i++) assert.ok(Math.abs(got2[i] - want2[i]) < 1e-5, `from TF.js ${i}: ${got2[i]} vs ${want2[i]}`);
    m.dispose();
    t.dispose();
    t2.dispose();
  }
});

test('bidirectional: the nested layer config in layerInfo/getConfig, summary, save/load, a model rebuilt from getConfig', () => {
  const m = nn.sequential({ seed: 11, layers: [
    nn.layers.bidirectional({ inputShape: [5, 3], layer: nn.layers.simpleRNN({ units: 2, returnSequences: true, dropout: 0.1 }), mergeMode: 'ave' }),
    nn.layers.flatten(),
    nn.layers.dense({ units: 1 }),
  ] });
  const info = m.layerInfo(0);
  assert.equal(info.type, 'bidirectional');
  assert.deepEqual(info.outputShape, [5, 2]);
  assert.equal(info.mergeMode, 'ave');
  assert.equal(info.layer.className, 'SimpleRNN');
  assert.deepEqual([info.layer.config.units, info.layer.config.returnSequences, info.layer.config.dropout, info.layer.config.goBackwards],
    [2, true, 0.1, false]);
  assert.deepEqual(m.getWeights().slice(0, 6).map((w) => [w.name, w.shape]), [
    ['bidirectional/forward_simple_rnn/kernel', [3, 2]], ['bidirectional/forward_simple_rnn/recurrent_kernel', [2, 2]],
    ['bidirectional/forward_simple_rnn/bias', [2]], ['bidirectional/backward_simple_rnn/kernel', [3, 2]],
    ['bidirectional/backward_simple_rnn/recurrent_kernel', [2, 2]], ['bidirectional/backward_simple_rnn/bias', [2]]]);
  assert.equal(m.countParams(), 2 * (6 + 4 + 2) + 10 + 1);
  assert.match(m.summary(null), /bidirectional \(Bidirectional\)\s+\[null,5,2\]\s+24/);
  const cfg = m.getConfig();
  assert.deepEqual(cfg.layers[0].config.layer, { className: 'SimpleRNN', config: info.layer.config });
  const again = nn.sequential({ ...cfg, seed: 11 }); // getConfig's output builds the same model
  assert.deepEqual(again.getConfig(), cfg);
  again.setWeights(m.getWeights());
  const x = Float32Array.from({ length: 4 * 15 }, (_, i) => Math.sin(i));
  assert.deepEqual(Array.from(again.predict(x)), Array.from(m.predict(x)));
  const r = nn.loadModel(m.save());
  assert.deepEqual(r.getConfig().layers, cfg.layers);
  assert.deepEqual(Array.from(r.predict(x)), Array.from(m.predict(x)));
  for (const model of [m, again, r]) model.dispose();
});

test('bidirectional refuses what it cannot wrap, with the core\'s messages', () => {
  const lstm = nn.layers.lstm({ units: 2 });
  assert.throws(() => nn.layers.bidirectional({ layer: nn.layers.dense({ units: 3 }) }),
    /nnplay: bidirectional: layer must be a recurrent layer \(simpleRNN, lstm or gru\), got dense/);
  assert.throws(() => nn.layers.bidirectional({ layer: nn.layers.bidirectional({ layer: lstm }) }),
    /bidirectional: layer: bidirectional: layer holds a layer inside a nested layer: layers nest one level deep/);
  assert.throws(() => nn.layers.bidirectional({ layer: { className: 'LSTM', config: {} } }), /bidirectional: layer: lstm: units is missing/);
  assert.throws(() => nn.layers.bidirectional({ layer: { className: 'LSTM', config: { units: 2, unitz: 3 } } }),
    /bidirectional: layer: lstm: unknown option 'unitz'/);
  assert.throws(() => nn.layers.bidirectional({ layer: 'lstm' }), /bidirectional: layer must be a layer \(simpleRNN, lstm or gru\), got 'lstm'/);
  assert.throws(() => nn.layers.bidirectional({ mergeMode: 'sum' }), /bidirectional: layer is missing/);
  assert.throws(() => nn.layers.bidirectional({ layer: lstm, mergeMode: 'max' }), /bidirectional: unknown mergeMode 'max' \(known: concat, sum, mul, ave, null\)/);
  assert.throws(() => nn.layers.dense({ units: lstm }), /dense: units must be a number, got a layer/);
  const cyclic = { className: 'LSTM', config: { units: 2 } };
  cyclic.config.layer = cyclic;
  assert.throws(() => nn.layers.bidirectional({ layer: cyclic }), /nnplay: .*(nested too deeply|nest one level deep)/);
  // TF.js's mergeMode null (a list of both outputs) and an inner returnState: no single output
  const listOut = nn.layers.bidirectional({ layer: lstm, mergeMode: null, inputShape: [3, 2] });
  assert.throws(() => nn.sequential({ layers: [listOut] }),
    /nnplay: adding a Bidirectional layer: bidirectional: mergeMode null gives the two directions' outputs as a list, but all layers in a Sequential model should have a single output tensor/);
  assert.throws(() => nn.sequential({ layers: [nn.layers.bidirectional({ layer: nn.layers.gru({ units: 2, returnState: true }), inputShape: [3, 2] })] }),
    /bidirectional: gru: returnState gives the layer several outputs/);
  assert.throws(() => nn.sequential({ layers: [nn.layers.bidirectional({ layer: lstm, inputShape: [6] })] }),
    /bidirectional: lstm: input must be a sequence \[steps, features\] \(rank 2\), got rank 1/);
  assertWorks();
});

function assertWorks() {
  const m = nn.sequential({ layers: [nn.layers.bidirectional({ inputShape: [2, 1], layer: nn.layers.gru({ units: 1 }) })] });
  assert.equal(m.predict([[[1], [2]]]).length, 2);
  m.dispose();
}

test('bidirectional lstm (masked, with dropout and recurrentDropout) learns the order task', async () => {
  const T = 8;
  const { x, y } = orderTask(400, T, 17);
  for (let i = 0; i < 400; i += 3) x[i * T] = 0; // some padding at the start
  const m = nn.sequential({ seed: 12, layers: [
    nn.layers.embedding({ inputDim: 10, outputDim: 8, inputLength: T, maskZero: true }),
    nn.layers.bidirectional({ layer: nn.layers.lstm({ units: 8, dropout: 0.1, recurrentDropout: 0.1 }) }),
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  assert.deepEqual(m.layers[1].outputShape, [16]);
  m.compile({ optimizer: nn.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const h = await m.fit(x, y, { epochs: 20, batchSize: 32, validationSplit: 0.2 });
  assert.ok(h.history.val_accuracy.at(-1) >= 0.9, `validation accuracy ${h.history.val_accuracy.at(-1)}`);
  assert.deepEqual(Array.from(m.predict(x.subarray(0, 40))), Array.from(m.predict(x.subarray(0, 40))), 'no dropout when predicting');
  m.dispose();
});

test('token ids as Int32Array, Uint16Array or Uint8Array go to the core as they are, and give exactly what float ids give', async () => {
  const T = 6;
  const { x, y } = orderTask(300, T, 23);
  for (let i = 0; i < 300; i += 4) x[i * T] = 0; // padding for maskZero
  const make = () => {
    const m = nn.sequential({ seed: 13, layers: [
      nn.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: T, maskZero: true }),
      nn.layers.gru({ units: 6, dropout: 0.1 }), // the dropout draws from the RNG: runs must agree on it
      nn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    m.compile({ optimizer: nn.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  const ref = make();
  const want = { p: ref.predict(x), layers: ref.predictLayers(x.subarray(0, 60)), ev: ref.evaluate(x, y), batch: ref.trainOnBatch(x.subarray(0, 32 * T), y.subarray(0, 32)) };
  want.h = await ref.fit(x, y, { epochs: 2, batchSize: 16, validationSplit: 0.2 });
  want.h2 = await ref.fit(x, y, { epochs: 1, batchSize: 16, validationData: [x.subarray(0, 50 * T), y.subarray(0, 50)] });
  want.w = ref.getWeights();
  for (const Type of [Int32Array, Uint16Array, Uint8Array]) {
    const ids = Type.from(x);
    const m = make();
    assert.deepEqual(Array.from(m.predict(ids)), Array.from(want.p), `${Type.name} predict`);
    assert.deepEqual(m.predictLayers(ids.subarray(0, 60)).map((o) => Array.from(o)), want.layers.map((o) => Array.from(o)));
    assert.deepEqual(m.evaluate(ids, y), want.ev);
    assert.deepEqual(m.trainOnBatch(ids.subarray(0, 32 * T), y.subarray(0, 32)), want.batch);
    assert.deepEqual((await m.fit(ids, y, { epochs: 2, batchSize: 16, validationSplit: 0.2 })).history, want.h.history);
    // float validation data beside integer training data
    assert.deepEqual((await m.fit(ids, y, { epochs: 1, batchSize: 16, validationData: [x.subarray(0, 50 * T), y.subarray(0, 50)] })).history,
      want.h2.history);
    assert.deepEqual(m.getWeights().map((w) => Array.from(w)), want.w.map((w) => Array.from(w)), `${Type.name}: the same weights after fit`);
    m.dispose();
  }
  // an int32 tensor's values go as they are too
  const tf = await import('@tensorflow/tfjs');
  const t = tf.tensor(Int32Array.from(x.subarray(0, 10 * T)), [10, T], 'int32');
  assert.deepEqual(Array.from(ref.predict(t)), Array.from(ref.predict(x.subarray(0, 10 * T))));
  t.dispose();
  ref.dispose();
});

test('integer ids: wasm holds them at their own size (no float32 copy), and bad ids get the embedding\'s message before any training', async () => {
  const T = 10;
  const n = 20000;
  const ids = Uint8Array.from({ length: n * T }, (_, i) => (i * 7) % 50);
  const y = Float32Array.from({ length: n }, (_, i) => i % 2);
  const m = nn.sequential({ seed: 14, layers: [
    nn.layers.embedding({ inputDim: 50, outputDim: 2, inputLength: T }),
    nn.layers.flatten(),
    nn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  const heldDuringFit = async (x) => {
    const before = nn.info().heapUsed;
    let during = 0;
    await m.fit(x, y, { epochs: 1, batchSize: 1000, callbacks: { onTrainBegin: () => { during = nn.info().heapUsed; } } });
    return during - before;
  };
  await heldDuringFit(ids); // caches sized once
  const u8 = await heldDuringFit(ids);
  const f32 = await heldDuringFit(Float32Array.from(ids));
  assert.ok(f32 - u8 >= 3 * n * T - 4096, `float32 inputs take 3 more bytes an id in wasm: ${f32} vs ${u8} bytes held`);
  // ids outside the vocabulary: the same message whatever the array type, and nothing trained
  const w0 = m.getWeights().map((w) => Array.from(w));
  const bad = Int32Array.from(ids.subarray(0, 20 * T));
  bad[3 * T + 4] = 50;
  await assert.rejects(m.fit(bad, y.subarray(0, 20), { epochs: 1 }), /nnplay: x: embedding: input 50 at sample 3, position 4 is not a token id in \[0, 50\)/);
  assert.deepEqual(m.getWeights().map((w) => Array.from(w)), w0, 'no step was taken');
  await assert.rejects(m.fit(ids.subarray(0, 20 * T), y.subarray(0, 20), { epochs: 1, validationData: [bad, y.subarray(0, 20)] }),
    /nnplay: validationData x: embedding: input 50 at sample 3, position 4/);
  assert.throws(() => m.predict(bad), /nnplay: predict: embedding: input 50 at sample 3, position 4/);
  assert.throws(() => m.evaluate(bad, y.subarray(0, 20)), /embedding: input 50 at sample 3/);
  assert.throws(() => m.trainOnBatch(bad, y.subarray(0, 20)), /embedding: input 50 at sample 3/);
  bad[3 * T + 4] = -2;
  assert.throws(() => m.predict(bad), /embedding: input -2 at sample 3, position 4 is not a token id/);
  assert.throws(() => m.predict(Uint16Array.from([1, 2, 3, 65535, 4, 5, 6, 7, 8, 9])), /embedding: input 65535 at sample 0, position 3/);
  assert.throws(() => m.predict(Int32Array.from([1, 2, 3])), /x has 3 values, which is not a whole number of samples of 10/);
  m.dispose();
  // a model that does not start with an embedding takes integer arrays as float32 values (as before)
  const d = nn.sequential({ seed: 1, layers: [nn.layers.dense({ inputShape: [2], units: 1 })] });
  assert.deepEqual(Array.from(d.predict(Int32Array.from([1, -2, 3, 4]))), Array.from(d.predict(Float32Array.from([1, -2, 3, 4]))));
  assert.deepEqual(Array.from(d.predict(Uint8Array.from([1, 2, 3, 4]))), Array.from(d.predict([[1, 2], [3, 4]])));
  d.dispose();
});
