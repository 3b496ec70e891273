// worker-shared.js - what both module workers (worker.js, images-worker.js) need: posting replies
// and errors, yielding to the message queue, one queue that keeps model calls from overlapping.
import * as nn from '../wasm/lean.js';

export const post = (msg, transfer) => self.postMessage(msg, transfer || []);

export const errorText = (err) => (err instanceof Error ? err.message : String(err));

/** Post { type: 'error' }; `text` may reword the error (the images page drops the 'nnplay: ' prefix). */
export function postError(err, context, text = errorText) {
  post({ type: 'error', message: context ? `${context}: ${text(err)}` : text(err) });
}

/** The first reply of a worker: what the wasm build can do, plus the page's own extras. */
export const postReady = (extra) => post({ type: 'ready', simd: nn.info().simd, version: nn.version, ...extra });

// setTimeout(0) is clamped to 4 ms when nested; a MessageChannel round trip is not.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
export const yieldNow = () => new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });

/** A function that runs async jobs one after another; a job that throws goes to onError, the next one still runs. */
export function serialQueue(onError) {
  let queue = Promise.resolve();
  return (job) => (queue = queue.then(job).catch(onError));
}

/** fn (a training loop) wrapped so that a call while one still runs does nothing; `.running` says
 *  whether one runs, so a message can wait for the loop to let go of the model. */
export function singleRun(fn) {
  const run = async () => {
    if (run.running) return;
    run.running = true;
    try {
      await fn();
    } finally {
      run.running = false;
    }
  };
  run.running = false;
  return run;
}

// ---- models in and out of other formats (TF.js's Layers format, ONNX) ----

// The converters load at the first export or import that needs one (most visits never do): 20.8 KiB
// gzipped off every page's first load (bench/RESULTS.md). A failed load is retried at the next click.
const CONVERTERS = { tfjs: () => import('../wasm/tfjs.js'), onnx: () => import('../wasm/onnx.js') };
const converters = new Map();
/** Load the converter for `format` ('tfjs' | 'onnx'; others: nothing to load, exportFiles names them). */
export function loadConverter(format) {
  if (!Object.hasOwn(CONVERTERS, format)) return Promise.resolve(null);
  if (!converters.has(format)) {
    converters.set(format, CONVERTERS[format]().catch((err) => {
      converters.delete(format);
      throw new Error(`the ${format === 'onnx' ? 'ONNX' : 'TF.js'} converter could not be loaded (${errorText(err)})`);
    }));
  }
  return converters.get(format);
}

/**
 * The model as files to download, [{ name, bytes }], and a note on what was left out (after
 * `await loadConverter(format)`). 'tfjs':
 * name.json + name.weights.bin, named and linked as TF.js's own downloads:// save names them, so
 * tf.loadLayersModel and tensorflowjs_converter read the pair; 'onnx': name.onnx.
 */
export function exportFiles(model, format, name) {
  if (format === 'onnx') return { files: [{ name: `${name}.onnx`, bytes: model.toONNX() }], note: '' };
  if (format !== 'tfjs') throw new Error(`unknown export format '${format}'`);
  let art;
  let note = '';
  try {
    art = model.toTfjs();
  } catch (err) {
    // A compile setting the format has no place for (clipNorm, ...) need not block the layers and
    // weights; a layer TF.js cannot express still fails, with the converter's message.
    art = model.toTfjs({ trainingConfig: false });
    note = `the training settings were left out (${errorText(err).replace(/^nnplay: /, '')})`;
  }
  const { weightData, weightSpecs, ...rest } = art;
  const bin = `${name}.weights.bin`;
  const json = JSON.stringify({ ...rest, weightsManifest: [{ paths: [`./${bin}`], weights: weightSpecs }] });
  return { files: [{ name: `${name}.json`, bytes: new TextEncoder().encode(json) }, { name: bin, bytes: new Uint8Array(weightData) }], note };
}

/** Post exportFiles' result ({ type: 'exported', format, files, note }), the bytes transferred. */
export async function postExport(model, format, name) {
  await loadConverter(format);
  const { files, note } = exportFiles(model, format, name);
  post({ type: 'exported', format, files, note }, files.map((f) => f.bytes.buffer));
}

/**
 * A model from the files picked for a TF.js model (File objects): one model.json and its weight
 * file(s). A missing part gets a message saying what to pick, before TF.js's format is read.
 */
export async function loadTfjsFiles(files, options) {
  const isJson = (f) => /\.json$/i.test(f.name);
  const jsons = files.filter(isJson);
  const bins = files.filter((f) => !isJson(f));
  if (jsons.length !== 1) {
    throw new Error(jsons.length ? `pick one model .json file, not ${jsons.length}`
      : 'there is no .json file among the files picked: pick the model\'s .json and its weights .bin together');
  }
  let wanted = [];
  try {
    const j = JSON.parse(await jsons[0].text());
    wanted = (Array.isArray(j?.weightsManifest) ? j.weightsManifest : []).flatMap((g) => g?.paths ?? []).map((p) => String(p).split('/').pop());
  } catch { /* loadTfjs says what is wrong with it */ }
  if (wanted.length && bins.length === 0) {
    throw new Error(`${jsons[0].name} needs its weights file ${wanted.join(', ')}: pick both files at once`);
  }
  const { loadTfjs } = await loadConverter('tfjs');
  return loadTfjs([jsons[0], ...bins], options);
}

/** The bytes at url, inflated when gzipped (unless the host already did it: Content-Encoding). */
export async function fetchBytes(url, what) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} for ${url.pathname || url}`);
  let bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    if (typeof DecompressionStream === 'undefined') throw new Error('this browser cannot inflate gzip files (no DecompressionStream); use a current Chrome, Edge, Firefox or Safari');
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  return bytes;
}
