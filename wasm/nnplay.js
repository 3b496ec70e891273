// nnplay.js - the JS API: TensorFlow.js-Layers-style models over the nnplay C core in wasm.
// The same module runs in Node 20 and in browsers. It gathers the modules of wasm/, each with one
// concern: core.js (loading, memory), encode.js (the core's key/value encoding), layers.js
// (nn.layers from the core's layer table), model.js (Sequential), train.js (optimizers, fit),
// data.js (datasets, CSV), text.js (tokenizer, padSequences), convert.js (arrays and tensors into rows),
// tfjs.js (TF.js's Layers format, both ways), onnx.js (ONNX export: model.toONNX()), random.js
// (seeded noise), pruning.js (nn.pruning, TF Model Optimization's magnitude pruning),
// distill.js (knowledge distillation). lean.js is all of it but the converters (for the pages).
import './onnx.js'; // registers model.toONNX() (model.js)

export * from './lean.js';
export { loadTfjs } from './tfjs.js';
