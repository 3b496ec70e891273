// lean.js - the JS API without its format converters (tfjs.js: TF.js's Layers format, onnx.js: ONNX),
// for pages that import one only when the user asks for it (`await import('../wasm/tfjs.js')`):
// about 21 KiB gzipped less on a first visit. model.toTfjs() and friends work once it is loaded and
// say which module to load before. Everything else is nnplay.js's API; users import nnplay.js.
import { C, coreTable, heapU8 } from './core.js';

export { ready } from './core.js';
export { layers } from './layers.js';
export { Sequential, sequential, loadModel } from './model.js';
export { train, regularizers } from './train.js';
export { data } from './data.js';
export { text } from './text.js';
export { random } from './random.js';
export { pruning } from './pruning.js';
export { distill } from './distill.js';

export const version = '0.1.0';

/**
 * The core's tables, for tools and pages: { layers: [{ name, className, aliases, doc, intInput,
 * options: [{ name, kind, count, required, min, max, default, values, doc }] }], names: {
 * activations, losses, optimizers, initializers, paddings, dataFormats, metrics, datasets,
 * mergeModes, dtypes, interpolations } }. A copy.
 */
export function describe() {
  return JSON.parse(JSON.stringify(coreTable()));
}

/** Build facts: kernels compiled in, wasm heap size and bytes in use (for leak checks). */
export function info() {
  const c = C();
  return { version, simd: coreTable().simd, heapBytes: heapU8().length, heapUsed: c._nnw_heap_used() >>> 0 };
}
