// encode.js - the core's key/value encoding (core/nn.h): how layer configs and compile settings
// cross into wasm, and how they come back. JS only checks that a value can be encoded (a number,
// a boolean, a name, a list of numbers or names, or a layer); what it must be is the core's business, so a
// bad value gets the core's message whichever way it came in.
import { show } from './convert.js';

const TAG_NUMBERS = 1;
const TAG_BOOL = 2;
const TAG_NAME = 3;
const TAG_SPEC = 4;
const TAG_NAMES = 5; // u8 n, n strings: compile's metrics
const MAX_NESTING = 8; // the core takes one level; this only stops a cycle before the stack does
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

class Writer {
  constructor() { this.buf = new Uint8Array(256); this.len = 0; }
  room(n) {
    if (this.len + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(2 * this.buf.length, this.len + n));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  u8(v) { this.room(1); this.buf[this.len++] = v; }
  u16(v) { this.room(2); this.buf[this.len++] = v & 255; this.buf[this.len++] = v >>> 8; }
  f64(v) { this.room(8); new DataView(this.buf.buffer).setFloat64(this.len, v, true); this.len += 8; }
  str(s, what) {
    const b = utf8.encode(s);
    if (b.length > 0xffff) throw new Error(`nnplay: ${what} is too long (${b.length} bytes)`);
    this.u16(b.length);
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  bytes() { return this.buf.slice(0, this.len); }
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) &&
  !ArrayBuffer.isView(v) && Object.getPrototypeOf(v) === Object.prototype;

/** A layer as an option value (Bidirectional's): what nn.layers.* make, or its config, { className, config }. */
export const isLayerValue = (v) => isPlainObject(v) && typeof v.className === 'string' && isPlainObject(v.config);

/** Flatten {a: 1, b: {c: 2}} into [['a', 1], ['b.c', 2]], leaving out null and undefined. */
function entriesOf(obj, what, prefix = '') {
  // no option nests deeper than kernelRegularizer.l2: this stops a cycle before the stack does
  if (prefix.split('.').length > 4) throw new Error(`nnplay: ${what}: options nested too deeply at ${prefix.slice(0, 60)}...`);
  const out = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v == null) continue;
    const sub = isPlainObject(v) && !isLayerValue(v) ? entriesOf(v, what, `${prefix}${k}.`) : null;
    if (sub && !sub.length) throw new Error(`nnplay: ${what}: ${prefix}${k} must be a number, true/false, a name or a list of numbers, got ${show(v)}`);
    if (sub) out.push(...sub);
    else out.push([prefix + k, v]);
  }
  return out;
}

function putEntries(w, obj, what, depth) {
  const entries = entriesOf(obj, what);
  if (entries.length > 0xffff) throw new Error(`nnplay: ${what}: too many options`);
  w.u16(entries.length);
  for (const [key, v] of entries) {
    w.str(key, `${what}: an option name`);
    if (typeof v === 'number') { w.u8(TAG_NUMBERS); w.u8(1); w.f64(v); continue; }
    if (typeof v === 'boolean') { w.u8(TAG_BOOL); w.u8(v ? 1 : 0); continue; }
    if (typeof v === 'string') { w.u8(TAG_NAME); w.str(v, `${what}: ${key}`); continue; }
    if (isLayerValue(v)) {
      if (depth >= MAX_NESTING) throw new Error(`nnplay: ${what}: layers nested too deeply at ${key}`);
      w.u8(TAG_SPEC);
      putSpec(w, v.className, v.config, `${what}: ${key}`, depth + 1);
      continue;
    }
    const list = Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v) : null;
    if (list && list.length >= 1 && list.length <= 255 && list.every((x) => typeof x === 'number')) {
      w.u8(TAG_NUMBERS); w.u8(list.length);
      for (const x of list) w.f64(x);
      continue;
    }
    if (Array.isArray(v) && v.length <= 255 && v.every((x) => typeof x === 'string')) {
      w.u8(TAG_NAMES); w.u8(v.length);
      for (const x of v) w.str(x, `${what}: ${key}`);
      continue;
    }
    throw new Error(`nnplay: ${what}: ${key} must be a number, true/false, a name, a list of numbers or names, or a layer, got ${show(v)}`);
  }
}

function putSpec(w, className, config, what, depth) {
  w.str(className, `${what}: the class name`);
  putEntries(w, config, what, depth);
}

/** A layer's spec: its class name, then its config's entries (a layer among them nested). */
export function encodeSpec(className, config, what) {
  const w = new Writer();
  putSpec(w, className, config, what, 0);
  return w.bytes();
}

/** Compile settings (or any options object) as entries alone. */
export function encodeOptions(obj, what) {
  const w = new Writer();
  putEntries(w, obj, what, 0);
  return w.bytes();
}

class Reader {
  constructor(u8) { this.u8 = u8; this.dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength); this.pos = 0; }
  u8v() { return this.u8[this.pos++]; }
  u16() { const v = this.dv.getUint16(this.pos, true); this.pos += 2; return v; }
  f64() { const v = this.dv.getFloat64(this.pos, true); this.pos += 8; return v; }
  str() { const n = this.u16(); const s = fromUtf8.decode(this.u8.subarray(this.pos, this.pos + n)); this.pos += n; return s; }
}

function readEntries(r, listKeys, listKeysOf) {
  const out = {};
  const n = r.u16();
  for (let i = 0; i < n; i++) {
    const key = r.str();
    const tag = r.u8v();
    if (tag === TAG_BOOL) out[key] = r.u8v() !== 0;
    else if (tag === TAG_NAME) out[key] = r.str();
    else if (tag === TAG_SPEC) out[key] = readSpec(r, listKeysOf);
    else if (tag === TAG_NAMES) out[key] = Array.from({ length: r.u8v() }, () => r.str());
    else {
      const count = r.u8v();
      const v = Array.from({ length: count }, () => r.f64());
      out[key] = count === 1 && !listKeys.has(key) ? v[0] : v;
    }
  }
  return out;
}

function readSpec(r, listKeysOf) {
  const className = r.str();
  return { className, config: readEntries(r, listKeysOf(className), listKeysOf) };
}

/** Bytes from the core back into { className, config } (a nested layer alike); listKeysOf(className):
 * the options that are always lists. */
export const decodeSpec = (u8, listKeysOf) => readSpec(new Reader(u8), listKeysOf);

export const decodeOptions = (u8) => readEntries(new Reader(u8), new Set(), () => new Set());
