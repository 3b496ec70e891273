// convert.js - data into row-major floats: typed arrays, nested arrays and TF.js tensors, with
// messages that say which sample or element is wrong. Pure JS: nothing here touches wasm.

// ---- checks of argument values, with messages that can show any value ----

/** A value as a message shows it; never throws (Symbols, BigInts and cycles included). */
export const show = (v) => {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'number' || typeof v === 'symbol') return String(v);
  try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
};

/** An integer min..max (by default a count that fits the core's int) -- refused, never wrapped. */
export const isCount = (v, min, max = 0x7fffffff) => Number.isInteger(v) && v >= min && v <= max;

/** A seed: `dflt` when left out, else an integer 0..2^32-1 (the core's uint32_t). */
export function seedOf(v, dflt, what) {
  if (v == null) return dflt;
  if (!isCount(v, 0, 0xffffffff)) throw new Error(`nnplay: ${what}: seed must be an integer 0..4294967295, got ${show(v)}`);
  return v;
}

// ---- data conversion: typed arrays, nested arrays and TF.js tensors into row-major floats ----

/** Integer typed arrays a model can take as they are (token ids), by the core's dtype names. */
const ID_ARRAYS = [[Int32Array, 'int32'], [Uint16Array, 'uint16'], [Uint8Array, 'uint8'], [Uint8ClampedArray, 'uint8']];
/** The core's dtype name of such an array, or null. */
export const idType = (v) => ID_ARRAYS.find(([T]) => v instanceof T)?.[1] ?? null;

/** Values and shape of data as float32 -- or, with keepIds, an integer typed array (or an int32
 * tensor's values) as it is. */
export function flatten(data, what, keepIds = false) {
  if (data == null) throw new Error(`nnplay: ${what} is missing`);
  if (typeof data.dataSync === 'function' && Array.isArray(data.shape)) {
    const v = data.dataSync();
    return { values: keepIds && idType(v) ? v : Float32Array.from(v), shape: data.shape.slice() };
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new Error(`nnplay: ${what} holds BigInts; use a Float32Array or an array of numbers`);
  }
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    return { values: data instanceof Float32Array || (keepIds && idType(data)) ? data : Float32Array.from(data), shape: null };
  }
  if (!Array.isArray(data)) {
    throw new Error(`nnplay: ${what} must be a Float32Array, an Int32Array, a (nested) array or a tensor`);
  }
  // nested arrays: find the shape from the first element and check that every row agrees
  const shape = [];
  for (let d = data; Array.isArray(d); d = d[0]) shape.push(d.length);
  const total = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(total);
  let k = 0;
  const walk = (d, depth, path) => {
    if (depth === shape.length) {
      if (typeof d !== 'number' && typeof d !== 'boolean') {
        throw new Error(`nnplay: ${what}${path} is ${d === null ? 'null' : typeof d}, not a number`);
      }
      out[k++] = Number(d);
      return;
    }
    if (!Array.isArray(d) || d.length !== shape[depth]) {
      throw new Error(`nnplay: ${what} is ragged: ${what}${path} has ${Array.isArray(d) ? d.length : 'no'} ` +
        `elements, expected ${shape[depth]}`);
    }
    for (let i = 0; i < d.length; i++) walk(d[i], depth + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
  return { values: out, shape };
}

/** Rows of `rowSize` values; returns { values, n } (keepIds: as flatten). */
export function toRows(data, rowSize, what, shapeHint, keepIds = false) {
  const { values, shape } = flatten(data, what, keepIds);
  if (values.length === 0) throw new Error(`nnplay: ${what} is empty`);
  if (values.length % rowSize !== 0) {
    throw new Error(`nnplay: ${what} has ${values.length} values, which is not a whole number of ` +
      `samples of ${rowSize} (${shapeHint})` + (shape ? `; its shape is [${shape.join(', ')}]` : ''));
  }
  if (shape && shape.length > 1 && shape.slice(1).reduce((a, b) => a * b, 1) !== rowSize) {
    throw new Error(`nnplay: ${what} has shape [${shape.join(', ')}] but each sample must have ` +
      `${rowSize} values (${shapeHint})`);
  }
  return { values, n: values.length / rowSize };
}

/** Keras's sample_weight for n samples: one finite number each (any sign), as a Float32Array. */
export function sampleWeights(w, n, what = 'sampleWeight') {
  const { values } = toRows(w, 1, what, 'one weight per sample');
  if (values.length !== n) throw new Error(`nnplay: x has ${n} samples but ${what} has ${values.length} weights`);
  checkFinite(values, what, 1);
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

export function checkFinite(values, what, rowSize) {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new Error(`nnplay: ${what} contains ${values[i]} at sample ${Math.floor(i / rowSize)}, ` +
        `value ${i % rowSize}`);
    }
  }
}

export function checkKeys(args, known, what) {
  // not an array either: destructuring one would read Array.prototype (augment.shift!)
  if (args == null || typeof args !== 'object' || Array.isArray(args)) throw new Error(`nnplay: ${what} takes an options object, got ${show(args)}`);
  for (const k of Object.keys(args)) {
    if (!known.includes(k)) throw new Error(`nnplay: ${what}: unknown option '${k}' (known: ${known.join(', ')})`);
  }
}
