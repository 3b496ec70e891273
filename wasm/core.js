// core.js - the wasm module: loading it, calling it, and moving bytes in and out of its memory.
// Memory rules (DESIGN.md): every pointer into wasm memory is owned by exactly one object and
// freed by it; heap views are taken fresh after any call that can allocate, because growing
// memory replaces the buffer.
import createNNCore from '../dist/nnplay_core.js';

let core = null;
let loading = null;
let table = null;

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);

/**
 * Load the wasm module once; every other call needs it. Options: { wasmBinary, locateFile } as
 * Emscripten takes them, and createModule: another build's factory (a test build of the core).
 */
export function ready(options = {}) {
  if (core) return Promise.resolve();
  if (!loading) {
    loading = (async () => {
      const { createModule = createNNCore, ...opts } = options;
      if (!opts.wasmBinary && isNode && createModule === createNNCore) {
        // emcc 3.1.6's glue would fetch() a file path under Node 20: hand it the bytes instead.
        const { readFile } = await import('node:fs/promises');
        opts.wasmBinary = await readFile(new URL('../dist/nnplay_core.wasm', import.meta.url));
      }
      const c = await createModule(opts);
      table = JSON.parse(takeString(c, c._nnw_describe(), 'the layer table'));
      core = c;
    })().catch((err) => {
      loading = null;
      throw new Error(`nnplay: could not load the wasm module: ${err.message}`);
    });
  }
  return loading;
}

export function C() {
  if (!core) throw new Error('nnplay: the wasm module is not loaded yet; await nn.ready() first');
  return core;
}

/** The core's tables: { layers: [...], names: { activations: [...], ... } } (see bridge.c). */
export function coreTable() {
  C();
  return table;
}

export const isLoaded = () => core !== null;

// ---- memory ----
export const heapU8 = () => C().HEAPU8;
export const heapF32 = () => C().HEAPF32;
export const heapI32 = () => C().HEAP32;
export const heapU32 = () => C().HEAPU32;
export const heapF64 = () => C().HEAPF64;

/** Allocate `bytes` in wasm memory (2 GB at most), or throw an nnplay error naming `what`. */
export function malloc(bytes, what) {
  const n = Math.max(1, Math.ceil(bytes));
  const p = Number.isFinite(n) && n <= 0x7fffffff ? C()._malloc(n) : 0;
  if (!p) {
    throw new Error(`nnplay: cannot allocate ${(n / 1048576).toFixed(1)} MB for ${what} in wasm memory ` +
      '(it is limited to 2 GB); use less data at once');
  }
  return p;
}
export const free = (p) => { if (p) C()._free(p); };

export function withAlloc(bytes, what, fn) {
  const p = malloc(bytes, what);
  try { return fn(p); } finally { free(p); }
}

/** Copy a Float32Array (or array of numbers) into fresh wasm memory; the caller frees it. */
export function copyF32In(arr, what) {
  const p = malloc(arr.length * 4, what);
  heapF32().set(arr, p >>> 2);
  return p;
}

/** Copy a typed array's bytes (rows of any of the core's dtypes) into fresh wasm memory; the caller frees it. */
export function copyArrayIn(arr, what) {
  const p = malloc(arr.byteLength, what);
  heapU8().set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), p);
  return p;
}

export function copyBytesIn(u8, what) {
  const p = malloc(u8.length, what);
  heapU8().set(u8, p);
  return p;
}

export const cstr = (p) => C().UTF8ToString(p);

export function withCString(s, fn) {
  const c = C();
  const n = c.lengthBytesUTF8(s) + 1;
  return withAlloc(n, 'a string', (p) => { c.stringToUTF8(s, p, n); return fn(p, n - 1); });
}

/** A NUL-terminated string the core malloc'd: read it, free it. */
function takeString(c, p, what) {
  if (!p) throw new Error(`nnplay: out of memory for ${what}`);
  try { return c.UTF8ToString(p); } finally { c._free(p); }
}
export const takeJSON = (p, what) => JSON.parse(takeString(C(), p, what));

/** Bytes the core malloc'd, with their length written at pLen: copy them out, free them. */
export function takeBytes(p, pLen) {
  if (!p) return null;
  try {
    const len = heapU32()[pLen >>> 2];
    return heapU8().slice(p, p + len);
  } finally { free(p); }
}

/** Call fn(pErr) with a cleared message buffer; returns [result, message]. */
export function withErrorBuffer(fn) {
  return withAlloc(256, 'an error message', (pe) => {
    heapU8()[pe] = 0;
    const r = fn(pe);
    return [r, cstr(pe)];
  });
}

// ---- yielding to the event loop: cheap, not tied to frames ----
export const yieldNow = (() => {
  if (typeof setImmediate === 'function') return () => new Promise((r) => setImmediate(r));
  if (typeof MessageChannel === 'function') {
    // setTimeout(0) is clamped to >= 4 ms after nesting in browsers; a message is not.
    const ch = new MessageChannel();
    const queue = [];
    ch.port1.onmessage = () => queue.shift()();
    return () => new Promise((r) => { queue.push(r); ch.port2.postMessage(0); });
  }
  return () => new Promise((r) => setTimeout(r, 0));
})();
export const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
