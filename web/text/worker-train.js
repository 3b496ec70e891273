// text/worker-train.js - what the text page's two workers share: fetching and inflating a dataset
// file, loading model bytes with the page's own checks, and the training loop that runs fit() in
// chunks of ~150 ms so that every other message (pause, classify, generate) is answered between them.
import * as nn from '../../wasm/lean.js';
import { fetchTextDataset } from '../text-data.js';
import { post, errorText, yieldNow, serialQueue, singleRun, postError as postErrorAs } from '../worker-shared.js';

export const CHUNK_MS = 150; // target duration of one fit() call
export const now = () => performance.now();
export const message = (err) => errorText(err).replace(/^nnplay: /, '');
export const postError = (err, context) => postErrorAs(err, context, message);
export const enqueue = serialQueue((err) => postError(err));

export async function loadTextData(file) {
  if (typeof DecompressionStream === 'undefined') {
    throw new Error('this browser cannot inflate gzip files (no DecompressionStream); use a current Chrome, Edge, Firefox or Safari');
  }
  return fetchTextDataset(new URL(`../${file}`, import.meta.url));
}

export async function fetchModelBytes(file) {
  const res = await fetch(new URL(`../${file}`, import.meta.url));
  if (!res.ok) throw new Error(`${file}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** nn.loadModel, then `check(model)` (throws a sentence for the page); compiled with `compile` if the file was not. */
export function loadChecked(bytes, check, compile) {
  const m = nn.loadModel(new Uint8Array(bytes));
  try {
    check(m);
    let compiled = true;
    try { void m.learningRate; } catch { compiled = false; }
    if (!compiled) compile(m);
  } catch (err) {
    m.dispose();
    throw err;
  }
  return m;
}

/**
 * The live statistics of a training run: examples per second over the last half second, the
 * next chunk's size (tuned so one fit() call takes about CHUNK_MS), loss points for the charts.
 */
export class RunStats {
  constructor(batchSize) {
    this.batchSize = batchSize;
    this.chunk = 4 * batchSize;
    this.rate = 0;
    this.window = { t: now(), n: 0 };
    this.seen = 0;
    this.points = []; // [epoch position, loss, accuracy] per chunk, handed to the page and emptied
  }

  /** After a fit() call of n samples that took ms. */
  record(n, ms, at, loss, accuracy) {
    const bs = this.batchSize;
    this.seen += n;
    this.window.n += n;
    this.chunk = Math.max(bs, Math.min(16384, Math.round((this.chunk * CHUNK_MS) / Math.max(ms, 1) / bs) * bs));
    const tw = now() - this.window.t;
    if (tw > 500) { this.rate = (this.window.n * 1000) / tw; this.window = { t: now(), n: 0 }; }
    this.points.push([at, loss, accuracy]);
  }

  restart() { this.window = { t: now(), n: 0 }; }
}

/** One fit() call over a chunk, with fit's own per-chunk loop disabled (we yield between chunks). */
export async function fitChunk(model, x, y, batchSize) {
  const t0 = now();
  const h = await model.fit(x, y, { epochs: 1, batchSize, shuffle: false, yieldEvery: 1e9 });
  return { ms: now() - t0, loss: h.history.loss[0], accuracy: h.history.accuracy?.[0] ?? NaN };
}

/** A loop that runs `chunk` while `isPlaying()`, yielding between chunks; `generation()` changes
 *  when the model is replaced, so a chunk for an old model is not followed by another. */
export function trainingLoop(isPlaying, generation, chunk) {
  return singleRun(async () => {
    while (isPlaying()) {
      const g = generation();
      await enqueue(chunk);
      if (g !== generation()) continue;
      await yieldNow();
    }
  });
}

/**
 * Route worker messages to handlers through the queue. `early[type](msg)` runs at once, before
 * the queue gets to the message (pause stops the loop between chunks; a new request can cancel
 * one that is running). `contexts[type]` prefixes a handler's error message.
 */
export function listen(handlers, contexts, early) {
  self.onmessage = (e) => {
    const msg = e.data;
    const fn = Object.hasOwn(handlers, msg?.type) ? handlers[msg.type] : null;
    if (!fn) return postError(`unknown message '${msg?.type}'`);
    if (Object.hasOwn(early, msg.type)) early[msg.type](msg);
    enqueue(async () => {
      try {
        await fn(msg);
      } catch (err) {
        postError(err, contexts[msg.type] || '');
        if (msg.type === 'play') early.pause();
      }
    });
  };
}

export { nn, post };
