// text.js - nn.text: Keras's text preprocessing, for the sequence layers. A tokenizer that maps
// words (or characters) to integer ids by frequency, and padSequences to cut and pad them to one
// length. Pure JS: it prepares input, the core never sees text.
import { show } from './convert.js';

// Keras's default filters: these characters are removed before splitting
const FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

const check = (ok, msg) => { if (!ok) throw new Error(`nnplay: ${msg}`); };
const isTexts = (texts) => Array.isArray(texts) && texts.every((t) => typeof t === 'string');

/**
 * Keras's Tokenizer: ids by descending frequency (ties: first seen first), from 1; 0 is left for
 * padding. Options: numWords (keep ids below it when converting), oovToken (id 1, standing for
 * every word not kept), lower (true), filters (Keras's punctuation), split (' '), charLevel.
 */
export function tokenizer(options = {}) {
  return makeTokenizer(options, null);
}

// `state`: counts and ids from tokenizerFromJSON, or null for a fresh tokenizer
function makeTokenizer({ numWords = null, oovToken = null, lower = true, filters = FILTERS, split = ' ',
  charLevel = false } = {}, state) {
  check(numWords == null || (Number.isInteger(numWords) && numWords >= 1), `tokenizer: numWords must be a positive integer or null, got ${show(numWords)}`);
  check(oovToken == null || typeof oovToken === 'string', `tokenizer: oovToken must be a string or null, got ${show(oovToken)}`);
  check(typeof filters === 'string' && typeof split === 'string' && split.length > 0,
    'tokenizer: filters and split must be strings (split not empty)');
  check(typeof lower === 'boolean' && typeof charLevel === 'boolean', 'tokenizer: lower and charLevel must be booleans');
  const drop = new Set(filters);
  const tokens = (text) => {
    let t = lower ? text.toLowerCase() : text;
    if (charLevel) return Array.from(t).filter((ch) => !drop.has(ch));
    t = Array.from(t, (ch) => (drop.has(ch) ? split : ch)).join('');
    return t.split(split).filter((w) => w.length > 0);
  };
  const counts = new Map();
  const docs = new Map(); // documents each word occurs in (Keras's word_docs)
  let documentCount = 0;
  const wordIndex = new Map();
  const indexWord = new Map();
  // ids by descending count; Map keeps first-seen order and sort is stable, so ties stay in that order
  const reindex = () => {
    const order = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
    if (oovToken != null) order.unshift(oovToken);
    wordIndex.clear();
    indexWord.clear();
    for (const w of order) if (!wordIndex.has(w)) { wordIndex.set(w, wordIndex.size + 1); indexWord.set(wordIndex.size, w); }
  };
  const tok = {
    /** Count the words of these texts (may be called again with more). */
    fitOnTexts(texts) {
      check(isTexts(texts), 'tokenizer.fitOnTexts takes an array of strings');
      for (const text of texts) {
        const seen = new Set();
        for (const w of tokens(text)) { counts.set(w, (counts.get(w) || 0) + 1); seen.add(w); }
        for (const w of seen) docs.set(w, (docs.get(w) || 0) + 1);
        documentCount++;
      }
      reindex();
      return tok;
    },
    /** Each text as an array of ids (words not kept are dropped, or are oovToken's id). */
    textsToSequences(texts) {
      check(isTexts(texts), 'tokenizer.textsToSequences takes an array of strings');
      const oov = oovToken != null ? wordIndex.get(oovToken) : null;
      return texts.map((text) => {
        const out = [];
        for (const w of tokens(text)) {
          const i = wordIndex.get(w);
          if (i != null && (numWords == null || i < numWords)) out.push(i);
          else if (oov != null) out.push(oov);
        }
        return out;
      });
    },
    /** Back from ids to text (ids of padding and unknown ids are skipped). */
    sequencesToTexts(seqs) {
      check(Array.isArray(seqs), 'tokenizer.sequencesToTexts takes an array of id arrays');
      return seqs.map((s) => Array.from(s, (i) => indexWord.get(i)).filter((w) => w != null).join(charLevel ? '' : ' '));
    },
    /**
     * Keras's Tokenizer.to_json: {class_name: 'Tokenizer', config} with the counts and indices as
     * JSON strings, which Keras's tokenizer_from_json and nn.text.tokenizerFromJSON read back.
     * `maxWords` keeps only the words with ids below it (the ones numWords lets through), for a
     * compact file that tokenizes the same.
     */
    toJSON({ maxWords = null } = {}) {
      check(maxWords == null || (Number.isInteger(maxWords) && maxWords >= 1), `tokenizer.toJSON: maxWords must be a positive integer or null, got ${show(maxWords)}`);
      const kept = [...wordIndex].filter(([, i]) => maxWords == null || i < maxWords);
      const words = kept.map(([w]) => w).filter((w) => counts.has(w));
      const obj = (pairs) => JSON.stringify(Object.fromEntries(pairs));
      return JSON.stringify({
        class_name: 'Tokenizer',
        config: {
          num_words: numWords, filters, lower, split, char_level: charLevel, oov_token: oovToken,
          document_count: documentCount,
          word_counts: obj(words.map((w) => [w, counts.get(w)])),
          word_docs: obj(words.map((w) => [w, docs.get(w)])),
          index_docs: obj(words.map((w) => [String(wordIndex.get(w)), docs.get(w)])),
          index_word: obj(kept.map(([w, i]) => [String(i), w])),
          word_index: obj(kept),
        },
      });
    },
    get wordIndex() { return Object.fromEntries(wordIndex); },
    get wordCounts() { return Object.fromEntries(counts); },
    get documentCount() { return documentCount; },
    /** The vocabulary size to give an embedding's inputDim: ids run 0 .. vocabSize-1. */
    get vocabSize() { return Math.min(wordIndex.size + 1, numWords ?? Infinity); },
    get numWords() { return numWords; },
  };
  if (state) {
    for (const [w, c] of Object.entries(state.word_counts)) counts.set(w, c);
    for (const [w, c] of Object.entries(state.word_docs)) docs.set(w, c);
    documentCount = state.document_count;
    for (const [w, i] of Object.entries(state.word_index)) { wordIndex.set(w, i); indexWord.set(i, w); }
  }
  return tok;
}

/**
 * Keras's tokenizer_from_json: a tokenizer from what toJSON (or Keras's Tokenizer.to_json) wrote,
 * as a string or parsed. The word ids are taken as stored, so sequences match the original's.
 */
export function tokenizerFromJSON(json) {
  let o = json;
  if (typeof json === 'string') {
    try { o = JSON.parse(json); } catch (e) { throw new Error(`nnplay: tokenizerFromJSON: not JSON (${e.message})`); }
  }
  check(o && o.class_name === 'Tokenizer' && o.config && typeof o.config === 'object',
    'tokenizerFromJSON: expected Keras\'s {"class_name": "Tokenizer", "config": {...}}');
  const c = o.config;
  const field = (name, valid) => {
    let v = c[name] ?? '{}';
    if (typeof v === 'string') {
      try { v = JSON.parse(v); } catch { check(false, `tokenizerFromJSON: config.${name} is not valid JSON`); }
    }
    check(v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(valid),
      `tokenizerFromJSON: config.${name} must map words to counts or ids`);
    return v;
  };
  const count = (v) => Number.isInteger(v) && v >= 0;
  const state = {
    word_counts: field('word_counts', count),
    word_docs: field('word_docs', count),
    word_index: field('word_index', (v) => Number.isInteger(v) && v >= 1),
    document_count: count(c.document_count) ? c.document_count : 0,
  };
  const ids = Object.values(state.word_index);
  check(new Set(ids).size === ids.length, 'tokenizerFromJSON: config.word_index gives two words the same id');
  return makeTokenizer({
    numWords: c.num_words ?? null, oovToken: c.oov_token ?? null, lower: c.lower ?? true,
    filters: c.filters ?? FILTERS, split: c.split ?? ' ', charLevel: c.char_level ?? false,
  }, state);
}

/**
 * Keras's pad_sequences: every sequence cut or padded to maxlen (default: the longest), 'pre' (the
 * default, as Keras) or 'post'. Returns an Int32Array of n * maxlen ids with `.shape` [n, maxlen],
 * which fit and predict take as they are.
 */
export function padSequences(seqs, { maxlen = null, padding = 'pre', truncating = 'pre', value = 0 } = {}) {
  check(Array.isArray(seqs) && seqs.every((s) => Array.isArray(s) || ArrayBuffer.isView(s)),
    'padSequences takes an array of id arrays');
  check(padding === 'pre' || padding === 'post', `padSequences: padding must be 'pre' or 'post', got ${show(padding)}`);
  check(truncating === 'pre' || truncating === 'post', `padSequences: truncating must be 'pre' or 'post', got ${show(truncating)}`);
  check(Number.isInteger(value), `padSequences: value must be an integer, got ${show(value)}`);
  const len = maxlen ?? seqs.reduce((m, s) => Math.max(m, s.length), 0);
  check(Number.isInteger(len) && len >= 1 && len <= 1 << 24, `padSequences: maxlen must be a positive integer, got ${show(maxlen)}`);
  check(seqs.length * len <= 1 << 28, `padSequences: ${seqs.length} x ${len} ids is too many`);
  const out = new Int32Array(seqs.length * len).fill(value);
  seqs.forEach((s, i) => {
    const kept = s.length > len ? (truncating === 'pre' ? Array.from(s).slice(s.length - len) : Array.from(s).slice(0, len)) : Array.from(s);
    check(kept.every((v) => Number.isInteger(v)), `padSequences: sequence ${i} holds a value that is not an integer id`);
    out.set(kept, i * len + (padding === 'pre' ? len - kept.length : 0));
  });
  out.shape = [seqs.length, len];
  return out;
}

/**
 * The index to generate next from a row of probabilities (a softmax output), sharpened or flattened
 * by temperature as in Keras's text-generation example: p^(1/T), renormalized, then drawn.
 * temperature 0 takes the most likely index. random: a function giving numbers in [0, 1).
 */
export function sample(probabilities, { temperature = 1, random = Math.random } = {}) {
  const p = Array.from(probabilities ?? []);
  check(p.length > 0 && p.every((v) => Number.isFinite(v) && v >= 0), 'sample takes a row of probabilities (finite, >= 0)');
  check(typeof temperature === 'number' && temperature >= 0 && Number.isFinite(temperature),
    `sample: temperature must be a number >= 0, got ${show(temperature)}`);
  check(typeof random === 'function', 'sample: random must be a function returning numbers in [0, 1)');
  if (temperature === 0) return p.indexOf(Math.max(...p));
  const logs = p.map((v) => (v > 0 ? Math.log(v) / temperature : -Infinity));
  const top = Math.max(...logs);
  const w = logs.map((l) => Math.exp(l - top));
  let u = random() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) if ((u -= w[i]) < 0) return i;
  return w.length - 1 - [...w].reverse().findIndex((v) => v > 0);
}

export const text = { tokenizer, tokenizerFromJSON, padSequences, sample };
