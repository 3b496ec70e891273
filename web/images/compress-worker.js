// compress-worker.js - the images page's Compress panel, inside images-worker.js: magnitude pruning
// with a short fine-tune on the training images (nn.pruning: polynomial decay, then strip), int8
// quantization, and what each costs in test accuracy and saves in file size. The page's model is
// kept as bytes when pruning starts (the "original"), so every setting starts from it and Restore
// brings it back.
// In:  compressPrune {sparsity, quantize, batches} | compressUse {quantize} | compressRestore | compressSave {quantize}
// Out: compressOriginal | compressProgress | compressResult | compressSaved (and the page's model/views/test)
import * as nn from '../../wasm/lean.js';
import { post, yieldNow } from '../worker-shared.js';

const MAX_SPARSITY = 0.95;
const DEFAULT_BATCHES = 300; // fine-tune length: the schedule reaches its target at 2/3 of it
const CHUNK_BATCHES = 20; // one fit() call, then progress; also the masks' update frequency
const MAX_FILTERS = 32;
const SAVE = { includeOptimizer: false }; // the file a model is shipped as: no optimizer state

async function gzipSize(bytes) {
  if (typeof CompressionStream === 'undefined') return null;
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function sizes(bytes) { return { bytes: bytes.length, gzip: await gzipSize(bytes) }; }

/** The first conv kernel's filters (input channel 0) and the largest dense kernel, for the pictures. */
function weightViews(m) {
  const ws = m.getWeights();
  const out = { conv: null, dense: null };
  const conv = ws.find((w) => w.shape.length === 4);
  if (conv) {
    const [kh, kw, inC, f] = conv.shape;
    const n = Math.min(MAX_FILTERS, f);
    const data = new Float32Array(n * kh * kw);
    for (let j = 0; j < n; j++) {
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) data[(j * kh + y) * kw + x] = conv[((y * kw + x) * inC) * f + j];
    }
    out.conv = { name: conv.name, h: kh, w: kw, n, of: f, data };
  }
  let dense = null;
  for (const w of ws) if (w.shape.length === 2 && /kernel$/.test(w.name) && (!dense || w.length > dense.length)) dense = w;
  if (dense) {
    // one row per unit (output), one column per input: a wide strip that fits a phone's width
    const [ins, units] = dense.shape;
    const data = new Float32Array(ins * units);
    for (let i = 0; i < ins; i++) for (let j = 0; j < units; j++) data[j * ins + i] = dense[i * units + j];
    out.dense = { name: dense.name, rows: units, cols: ins, data };
  }
  return out;
}

function zerosOf(m) {
  const layers = nn.pruning.sparsity(m);
  const weights = layers.reduce((a, l) => a + l.weights, 0);
  const zeros = layers.reduce((a, l) => a + l.zeros, 0);
  return { layers, overall: weights ? zeros / weights : 0 };
}

/**
 * page: the images worker's side of things -- model(), generation(), dataset(), gather(indices),
 * compile(m), batchSize(), adopt(m, origin) (make m the page's model and refresh its figures).
 */
export function compressHandlers(page) {
  let original = null; // { bytes, gen, steps, origin, acc, accInt8, sizes, sizesInt8 }
  let ours = -1; // the generation of the page's model when this module put it there
  let last = null; // the last result's files: { float, int8 }

  const testAccuracy = (m) => {
    const { test } = page.dataset();
    return m.evaluate(test.x, test.y).accuracy;
  };

  /** Snapshot the page's model as the original unless it is one we made or the snapshot itself. */
  async function ensureOriginal() {
    const m = page.model();
    if (!m) throw new Error('no model to compress yet');
    if (!page.dataset()) throw new Error('no dataset loaded yet');
    const gen = page.generation();
    if (original && (gen === ours || (gen === original.gen && m.steps === original.steps))) return;
    const bytes = m.save(); // with its optimizer state: Restore gives back exactly this model
    const shipped = m.save(SAVE);
    const int8 = m.save({ ...SAVE, quantize: 'int8' });
    const q = nn.loadModel(int8);
    let accInt8;
    try { accInt8 = testAccuracy(q); } finally { q.dispose(); }
    original = { bytes, gen, steps: m.steps, origin: page.origin(), acc: testAccuracy(m), accInt8,
      sizes: await sizes(shipped), sizesInt8: await sizes(int8) };
    last = null;
    const z = zerosOf(m);
    post({ type: 'compressOriginal', acc: original.acc, accInt8, sizes: original.sizes, sizesInt8: original.sizesInt8,
      sparsity: z.overall, layers: z.layers, weights: weightViews(m), params: m.countParams() });
  }

  async function fineTune(m, target, batches) {
    const ds = page.dataset();
    const bs = page.batchSize();
    const end = Math.max(CHUNK_BATCHES, Math.round((batches * 2) / 3 / CHUNK_BATCHES) * CHUNK_BATCHES);
    nn.pruning.pruneLowMagnitude(m, { pruningSchedule: nn.pruning.polynomialDecay({
      initialSparsity: 0, finalSparsity: target, beginStep: 0, endStep: end, frequency: CHUNK_BATCHES }) });
    // a fresh shuffle of the training images, walked in order (wrapping round)
    const order = ds.train.slice();
    let s = 0x2545f491;
    for (let i = order.length - 1; i > 0; i--) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      const j = s % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let pos = 0;
    let loss = null;
    for (let done = 0; done < batches;) {
      const nb = Math.min(CHUNK_BATCHES, batches - done);
      const idx = new Int32Array(nb * bs);
      for (let k = 0; k < idx.length; k++) idx[k] = order[(pos + k) % order.length];
      pos = (pos + idx.length) % order.length;
      const b = page.gather(idx);
      const h = await m.fit(b.x, b.y, { epochs: 1, batchSize: bs, shuffle: false, yieldEvery: 1e9 });
      loss = h.history.loss[0];
      done += nb;
      post({ type: 'compressProgress', phase: 'fine-tuning', done, total: batches, target,
        sparsity: nn.pruning.status(m) ? zerosOf(m).overall : null, loss });
      await yieldNow();
    }
    nn.pruning.stripPruning(m);
  }

  function use(quantize) {
    if (!last) throw new Error('prune first: there is no compressed model yet');
    page.adopt(nn.loadModel(quantize ? last.int8 : last.float), 'compressed');
    ours = page.generation();
  }

  return {
    async compressPrune({ sparsity, quantize, batches }) {
      if (typeof sparsity !== 'number' || !(sparsity >= 0 && sparsity <= MAX_SPARSITY)) {
        throw new Error(`target sparsity must be between 0 and ${MAX_SPARSITY * 100}%, got ${sparsity}`);
      }
      await ensureOriginal();
      const n = Number.isInteger(batches) && batches > 0 ? Math.min(batches, 5000) : DEFAULT_BATCHES;
      post({ type: 'compressProgress', phase: 'starting', done: 0, total: n, target: sparsity });
      const m = nn.loadModel(original.bytes);
      try {
        try { void m.learningRate; } catch { page.compile(m); }
        if (sparsity > 0) await fineTune(m, sparsity, n);
        const float = m.save(SAVE);
        const int8 = m.save({ ...SAVE, quantize: 'int8' });
        const q = nn.loadModel(int8);
        let accInt8, weightsInt8;
        try { accInt8 = testAccuracy(q); weightsInt8 = weightViews(q); } finally { q.dispose(); } // the weights as int8 stores them
        const z = zerosOf(m);
        last = { float, int8 };
        post({ type: 'compressResult', target: sparsity, sparsity: z.overall, layers: z.layers, acc: testAccuracy(m), accInt8,
          sizes: await sizes(float), sizesInt8: await sizes(int8), weights: weightViews(m), weightsInt8, batches: sparsity > 0 ? n : 0 });
      } finally {
        m.dispose();
      }
      use(quantize);
    },
    compressUse({ quantize }) { use(!!quantize); },
    compressRestore() {
      if (!original) throw new Error('nothing to restore: the model has not been compressed');
      page.adopt(nn.loadModel(original.bytes), original.origin);
      original.gen = page.generation();
      original.steps = page.model().steps;
      ours = -1;
      post({ type: 'compressProgress', phase: 'restored', done: 0, total: 0 });
    },
    compressSave({ quantize }) {
      if (!last) throw new Error('prune first: there is no compressed model yet');
      const bytes = (quantize ? last.int8 : last.float).slice();
      post({ type: 'compressSaved', bytes, quantize: !!quantize }, [bytes.buffer]);
    },
  };
}
