// nnplay.js - the JS API: TensorFlow.js-Layers-style models over the nnplay C core in wasm.
// The same module runs in Node 20 and in browsers. It gathers the modules of wasm/, each with one
// concern: core.js (loading, memory), encode.js (the core's key/value encoding), layers.js
// (nn.layers from the core's layer table), model.js (Sequential), train.js (optimizers, fit),
// data.js (datasets, CSV), text.js (tokenizer, padSequences), convert.js (arrays and tensors into rows),
// tfjs.js (TF.js's Layers format, both ways), onnx.js (ONNX export: model.toONNX()), random.js
// (seeded noise), pruning.js (nn.pruning, TF Model Optimization's magnitude pruning),
// distill.js (knowledge distillation).
import { C, coreTable, heapU8 } from './core.js';

export { ready } from './core.js';
export { layers } from './layers.js';
export { Sequential, sequential, loadModel } from './model.js';
export { loadTfjs } from './tfjs.js';
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
