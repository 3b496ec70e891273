// text/models.js - the text page's networks and text helpers, in one place for the page's workers
// and tools/train-text.mjs (which trains the shipped models): how a mail classifier and a
// character model are built from a few sizes, the inference twin that generates one character per
// pass, character windows, and the word spans the occlusion view colours.
// Plain JS over the JS API (`nn` is passed in), no DOM.
export { seeded } from '../seeded.js';

/** The mail corpus as web/data/spam.nntx.gz stores it (tools/data-text.mjs), and the shipped classifier. */
export const MAIL = { maxlen: 100, vocab: 10000, model: 'models/spam-gru.nnplay' };

/** Keras's example for this data, which the page describes and lets you build. */
export const KERAS_EXAMPLE = { cell: 'lstm', embedding: 64, units: 128, dropout: 0.2, maskZero: false };

/**
 * The mail classifier the page ships and trains by default: small enough to train in seconds.
 * maskZero: a short message is read as itself, not after 90 padding steps; without it, models of
 * this size read short typed texts poorly (the corpus's mails are mostly long).
 */
export const MAIL_DEFAULT = { cell: 'gru', embedding: 16, units: 32, dropout: 0, maskZero: true };

/** Character models per corpus: the shipped sizes and the context window (characters read). */
export const CORPORA = {
  tang: { title: 'Tang poems', file: 'data/tang.nntx.gz', model: 'models/tang-lstm.nnplay', window: 40,
    arch: { cell: 'lstm', embedding: 24, units: 64 }, seed: '《', temperature: 0.6 },
  fortunes: { title: 'English fortunes', file: 'data/fortunes.nntx.gz', model: 'models/fortunes-lstm.nnplay', window: 64,
    arch: { cell: 'lstm', embedding: 32, units: 192 }, seed: 'The ', temperature: 0.6 },
};

export const CELLS = { lstm: 'LSTM', gru: 'GRU', simpleRNN: 'SimpleRNN' };

function need(nn, type) {
  if (typeof nn.layers[type] !== 'function') throw new Error(`this build of nnplay has no ${type} layer`);
  return nn.layers[type];
}

/** Embedding(vocab, embedding, inputLength 100) -> cell(units, dropout) -> Dense(1, sigmoid). */
export function mailModel(nn, { cell, embedding, units, dropout = 0, maskZero = false }, seed) {
  return nn.sequential({ seed, layers: [
    need(nn, 'embedding')({ inputDim: MAIL.vocab, outputDim: embedding, inputLength: MAIL.maxlen, maskZero }),
    need(nn, cell)({ units, dropout, recurrentDropout: dropout }),
    need(nn, 'dense')({ units: 1, activation: 'sigmoid' }),
  ] });
}

export function compileMail(nn, model, lr = 0.001) {
  model.compile({ optimizer: nn.train.adam(lr), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
}

/**
 * Embedding(vocab, embedding, maskZero) -> cell(units, returnSequences) -> Dense(vocab, softmax):
 * a next-character distribution at every step. maskZero makes a left-padded short text read exactly
 * like the text alone, so generation can start from a seed of any length.
 */
export function charModel(nn, { vocab, window, cell, embedding, units }, seed) {
  return nn.sequential({ seed, layers: [
    need(nn, 'embedding')({ inputDim: vocab, outputDim: embedding, inputLength: window, maskZero: true }),
    need(nn, cell)({ units, returnSequences: true }),
    need(nn, 'dense')({ units: vocab, activation: 'softmax' }),
  ] });
}

export function compileChar(nn, model, lr = 0.003) {
  // clipNorm: long sequences make the odd exploding gradient
  model.compile({ optimizer: { ...nn.train.adam(lr), clipNorm: 1 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
}

/**
 * A copy of a per-step character model whose recurrent layer returns only its last state, with the
 * same weights: one pass then computes the softmax for the last position alone, which is what
 * generating needs (the full model computes it for every step of the window). Null when the model
 * is not of that shape.
 */
export function lastStepTwin(nn, model) {
  const layers = model.layers;
  const r = layers.findLastIndex((l) => l.config?.returnSequences === true);
  if (r < 0 || !layers.slice(r + 1).every((l) => ['dense', 'dropout', 'activation'].includes(l.type))) return null;
  let twin = null;
  try {
    const cfg = model.getConfig().layers;
    twin = nn.sequential({ seed: 1, layers: layers.map((l, i) => need(nn, l.type)({ ...cfg[i].config, ...(i === r ? { returnSequences: false } : {}) })) });
    twin.setWeights(model.getWeights());
    return twin;
  } catch {
    twin?.dispose();
    return null;
  }
}

/** Training windows: x = ids[s, s+T), y = ids[s+1, s+T+1) for each start s, as Float32Arrays. */
export function charWindows(ids, window, starts) {
  const x = new Float32Array(starts.length * window);
  const y = new Float32Array(starts.length * window);
  starts.forEach((s, k) => {
    x.set(ids.subarray(s, s + window), k * window);
    y.set(ids.subarray(s + 1, s + window + 1), k * window);
  });
  return { x, y, n: starts.length };
}

/** One pass over a corpus: non-overlapping windows from a random offset, in random order. */
export function epochStarts(length, window, random) {
  const off = Math.floor(random() * window);
  const starts = [];
  for (let s = off; s + window + 1 <= length; s += window) starts.push(s);
  for (let i = starts.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [starts[i], starts[j]] = [starts[j], starts[i]];
  }
  return starts;
}

/** The last `window` ids of a context, left-padded with 0 (masked padding). */
export function contextRow(ids, window) {
  const row = new Float32Array(window);
  const kept = ids.length > window ? ids.slice(ids.length - window) : ids;
  row.set(kept, window - kept.length);
  return row;
}


/**
 * The words of a text as Keras's tokenizer splits it (a character of `filters` or the split
 * character ends a word), with their places in the text: [{ start, end, word }]. Tokenizing each
 * word alone gives the same ids as tokenizing the text, so a contribution can be drawn on the text.
 */
export function wordSpans(text, filters, split = ' ') {
  const sep = new Set(filters);
  sep.add(split);
  const spans = [];
  let start = -1;
  let i = 0;
  for (const ch of text) { // by code point, as the tokenizer reads it
    if (sep.has(ch)) {
      if (start >= 0) spans.push({ start, end: i, word: text.slice(start, i) });
      start = -1;
    } else if (start < 0) start = i;
    i += ch.length;
  }
  if (start >= 0) spans.push({ start, end: i, word: text.slice(start) });
  return spans;
}

/** The ids of a mail classifier's input for a list of token ids: the first maxlen, padded in front. */
export function mailRow(ids, out = new Float32Array(MAIL.maxlen), at = 0) {
  const kept = ids.slice(0, MAIL.maxlen);
  out.fill(0, at, at + MAIL.maxlen);
  out.set(kept, at + MAIL.maxlen - kept.length);
  return out;
}
