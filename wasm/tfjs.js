// tfjs.js - TensorFlow.js's Layers format, both ways: the ModelArtifacts object that
// tf.io.fromMemory / tf.io.withSaveHandler use (a Keras Sequential topology in snake_case,
// weightSpecs, one little-endian float32 buffer) and its files (model.json + group1-shard1of1.bin).
// The only module that knows this format. Config keys come from the core's layer table (option
// `kernelSize` is Keras's `kernel_size`); what Keras spells differently is listed below, and what
// one side cannot express is refused with the layer and option named, never dropped.
// Optimizer state is not carried (the format has no place for nnplay's); compile settings are
// (trainingConfig), so a loaded model can go on training with a fresh optimizer.
import { coreTable } from './core.js';
import { show } from './convert.js';
import { layers, layerType, names } from './layers.js';
import { Sequential, converters } from './model.js';
import { train } from './train.js';

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);
const WEIGHTS_FILE = 'group1-shard1of1.bin'; // what tensorflowjs_converter names a single shard

// TF.js's own name conversions (tfjs-layers generic_utils), so keys come out exactly as its own.
export const toSnakeCase = (s) => s.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
const toCamelCase = (s) => (s.length <= 1 || !s.includes('_') ? s : s.replace(/[_]+(\w|$)/g, (_, c) => c.toUpperCase()));

const err = (where, msg) => new Error(`nnplay: ${where}: ${msg}`);
const product = (shape) => shape.reduce((a, b) => a * b, 1);
const clone = (v) => JSON.parse(JSON.stringify(v));
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// ---- the Keras names of the core's names ----

// Initializers as TF.js 4.22 writes them (Glorot/He as VarianceScaling); Keras's own class names
// for the same are read too.
const VS = (scale, mode, distribution) => ({ class_name: 'VarianceScaling', config: { scale, mode, distribution, seed: null } });
const INITIALIZERS = {
  glorotUniform: VS(1, 'fan_avg', 'uniform'), glorotNormal: VS(1, 'fan_avg', 'normal'),
  heUniform: VS(2, 'fan_in', 'uniform'), heNormal: VS(2, 'fan_in', 'normal'),
  zeros: { class_name: 'Zeros', config: {} }, ones: { class_name: 'Ones', config: {} },
  randomUniform: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
  orthogonal: { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
};
const INIT_CLASSES = { GlorotUniform: 'glorotUniform', GlorotNormal: 'glorotNormal', HeUniform: 'heUniform', HeNormal: 'heNormal' };

// Activations TF.js has under the same name (Keras writes them snake_case: hard_sigmoid).
// nnplay's leakyRelu is no activation name there: as a layer of its own it is Keras's LeakyReLU.
const ACTIVATIONS = ['linear', 'relu', 'elu', 'sigmoid', 'tanh', 'softmax', 'hardSigmoid'];

// What TF.js reads for a key that is left out or null, where it differs from nnplay's default.
const TFJS_DEFAULTS = { kernelInitializer: 'glorotNormal', recurrentActivation: 'hardSigmoid', unitForgetBias: false };

// ---- per-class keys: written as they are, and checked when read ----
const NO_REG = (...keys) => Object.fromEntries(keys.map((k) => [k, null]));
const RECURRENT_FIXED = { ...NO_REG('recurrent_regularizer', 'bias_regularizer', 'activity_regularizer',
  'kernel_constraint', 'recurrent_constraint', 'bias_constraint'), stateful: false, unroll: false }; // return_state: the table's returnState
/** Every class with a mapping, and the keys nnplay always has at one value: written on export;
 * on import null or this value, or refused. The other keys are the table's options, snake_case. */
const FIXED = {
  Activation: {}, MaxPooling2D: {}, AveragePooling2D: {}, GlobalAveragePooling2D: {}, Flatten: {}, Reshape: {},
  Dense: NO_REG('bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint'),
  Conv2D: { dilation_rate: [1, 1], ...NO_REG('bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint') },
  Conv2DTranspose: { dilation_rate: [1, 1], ...NO_REG('bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint') },
  UpSampling2D: {},
  Dropout: { noise_shape: null, seed: null },
  BatchNormalization: { center: true, scale: true, beta_initializer: INITIALIZERS.zeros, gamma_initializer: INITIALIZERS.ones,
    moving_mean_initializer: INITIALIZERS.zeros, moving_variance_initializer: INITIALIZERS.ones,
    ...NO_REG('beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint') },
  Embedding: NO_REG('embeddings_regularizer', 'activity_regularizer', 'embeddings_constraint'),
  SimpleRNN: RECURRENT_FIXED, LSTM: { ...RECURRENT_FIXED, implementation: null }, GRU: { ...RECURRENT_FIXED, implementation: null },
  Bidirectional: {}, // its keys are its CLASSES entry's
};
/** Keys Keras writes that TF.js does not, read like FIXED. */
const KERAS_FIXED = { groups: 1, keepdims: false, time_major: false, sparse: false, ragged: false, output_padding: null };
/** Keys that change no result, read whatever their value (speed choices; seeds: nnplay draws from
 * the model's own seed). */
const ANY_VALUE = new Set(['unroll', 'implementation', 'seed']);

// ---- layers that need more than the generic mapping: one entry per class ----
// toKeras(cfg, generic, info, where): the Keras {class_name, config} from nnplay's config cfg
// (generic() gives the generic snake_case config; info is layerInfo's; where prefixes errors).
// fromKeras(kc, ctx): nnplay's {className, config} from a Keras config (ctx.generic(className, kc)
// runs the generic mapping).
// weightName(tensor, kc): the weight's name under the layer's in a file, when not nnplay's tensor
// name. A wrapper (Bidirectional) is one entry using all three, recursing through layerToKeras.
const ACT_LAYER = (activation, allowed) => ({ fromKeras: (kc, ctx) => {
  onlyKeys(kc, ctx, allowed);
  return { className: 'Activation', config: { activation } };
} });
const onlyKeys = (kc, ctx, allowed) => {
  for (const [k, v] of Object.entries(kc)) {
    const want = k in allowed ? allowed[k] : KERAS_FIXED[k];
    if (want !== undefined && (v == null || sameValue(v, want))) continue;
    if (want !== undefined) throw err(ctx.where, `${k} ${show(v)} is not supported (nnplay: ${show(want)})`);
    if (!ANY_VALUE.has(k) && !ctx.common(k, v)) throw err(ctx.where, `unsupported option '${k}'`);
  }
};
const CLASSES = {
  // TF.js cannot build a Dense after a Reshape with -1 (its output size stays unknown): write it out
  Reshape: { toKeras: (cfg, generic, info) => ({ class_name: 'Reshape', config: { ...generic(), target_shape: info.outputShape.slice() } }) },
  Activation: {
    toKeras(cfg, generic) {
      // TF.js's and Keras's LeakyReLU layer (default alpha 0.3, as nnplay's)
      if (cfg.activation === 'leakyRelu') return { class_name: 'LeakyReLU', config: { alpha: cfg.alpha || 0.3 } };
      return { class_name: 'Activation', config: generic() };
    },
  },
  LeakyReLU: { fromKeras(kc, ctx) {
    const alpha = kc.alpha ?? kc.negative_slope ?? 0.3; // Keras 3 calls it negative_slope
    onlyKeys(kc, ctx, { alpha, negative_slope: alpha });
    return { className: 'Activation', config: { activation: 'leakyRelu', alpha } };
  } },
  // TF.js writes { merge_mode, layer: { class_name, config (with its name) } } and names the weights
  // <bidirectional>/forward_<inner name>/kernel, where nnplay's are forward_<snake_case class>/kernel
  Bidirectional: {
    toKeras(cfg, generic, info, where) {
      const { className, config } = cfg.layer;
      const inner = layerToKeras(className, config, `${where}: its layer (${className})`, {});
      // the inner name is what TF.js puts after forward_: nnplay's own weight names hold it
      const name = /^forward_([^/]+)\//.exec(info.weights?.[0]?.name ?? '')?.[1] ?? toSnakeCase(className);
      inner.config = { name, trainable: true, ...inner.config };
      return { class_name: 'Bidirectional', config: { merge_mode: cfg.mergeMode, layer: inner } };
    },
    fromKeras(kc, ctx) {
      const { layer, merge_mode: mergeMode, ...rest } = kc;
      onlyKeys(rest, ctx, { num_constants: null });
      const cls = layer?.class_name;
      if (!isObj(layer) || typeof cls !== 'string' || !isObj(layer.config ?? {})) {
        throw err(ctx.where, `layer ${show(layer)} is not a {class_name, config} entry`);
      }
      const t = layerType(cls);
      // (a known class that is not recurrent goes on: the core refuses it with what it wraps)
      if (!t || t.className !== cls || !FIXED[cls]) throw err(ctx.where, `its layer's class '${cls}' is not an nnplay layer`);
      const inner = { ...ctx, where: `${ctx.where}: its layer${typeof layer.config?.name === 'string' ? ` '${layer.config.name}'` : ''} (${cls})`,
        common: (k, v) => ['name', 'trainable', 'dtype'].includes(k) && ctx.common(k, v) };
      // TF.js reads a missing merge_mode as 'concat' and null as a list (which the core refuses)
      return { className: 'Bidirectional', config: { layer: genericFromKeras(cls, { ...layer.config }, inner),
        mergeMode: mergeMode === undefined ? 'concat' : mergeMode } };
    },
    weightName: (tensor, kc) => (typeof kc.layer?.config?.name !== 'string' ? tensor
      : tensor.replace(/^(forward|backward)_[^/]*/, `$1_${kc.layer.config.name}`)),
  },
  ELU: ACT_LAYER('elu', { alpha: 1 }),
  ReLU: ACT_LAYER('relu', { max_value: null, negative_slope: 0, threshold: 0 }),
  Softmax: ACT_LAYER('softmax', { axis: -1 }),
};

function sameValue(a, b) {
  if (isObj(a) && isObj(b)) {
    // initializer objects: the seed changes no result; Keras 3 adds module/registered_name
    const skip = new Set(['seed', 'module', 'registered_name']);
    const ka = Object.keys(a).filter((k) => !skip.has(k));
    const kb = Object.keys(b).filter((k) => !skip.has(k));
    return ka.length === kb.length && ka.every((k) => k in b && sameValue(a[k], b[k]));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return a === b;
}

// ---- export ----

function activationToKeras(name, alpha, key, where) {
  if (name === 'leakyRelu') {
    throw err(where, `${key} 'leakyRelu' has no TF.js/Keras activation name` + (key !== 'activation' ? '' :
      "; use activation 'linear' followed by nn.layers.activation({ activation: 'leakyRelu' }), which becomes Keras's LeakyReLU layer"));
  }
  if (name === 'elu' && alpha !== 0 && alpha !== 1) throw err(where, `elu with alpha ${alpha}: TF.js's elu has alpha 1 only`);
  if (!ACTIVATIONS.includes(name)) throw err(where, `${key} '${name}' has no TF.js activation`);
  return toSnakeCase(name);
}

function valueToKeras(o, v, cfg, where) {
  if (o.kind === 'enum') {
    if (o.values === 'activations') return activationToKeras(v, cfg.alpha ?? 0, toSnakeCase(o.name), where);
    if (o.values === 'initializers') {
      if (!INITIALIZERS[v]) throw err(where, `${toSnakeCase(o.name)} '${v}' has no Keras initializer here`);
      return clone(INITIALIZERS[v]);
    }
    return toSnakeCase(v); // 'same', 'channels_last'
  }
  if (o.kind === 'ints' || o.kind === 'shape') return Array.isArray(v) ? v.slice() : [v];
  return v;
}

/** nnplay's layer (className, its full config) as Keras's { class_name, config } without name/shape. */
export function layerToKeras(className, cfg, where, info) {
  const t = layerType(className);
  // a type this module was not taught: Keras's keys beyond the table's are unknown
  if (!t || !FIXED[className]) throw err(where, `${className} has no TF.js Layers mapping yet (wasm/tfjs.js)`);
  const generic = () => genericToKeras(t, cfg, where);
  return CLASSES[className]?.toKeras ? CLASSES[className].toKeras(cfg, generic, info, where) : { class_name: className, config: generic() };
}

function genericToKeras(t, cfg, where) {
  const kc = {};
  const groups = {};
  for (const o of t.options) {
    const v = cfg[o.name];
    if (o.name === 'alpha') continue; // the activation's parameter, checked with it
    if (o.alias && o.alias.includes('.')) { // l1/l2 -> kernel_regularizer: L1L2
      const [obj, k] = o.alias.split('.');
      (groups[obj] ??= {})[k] = v ?? 0;
      continue;
    }
    kc[toSnakeCase(o.name)] = valueToKeras(o, v, cfg, where);
  }
  for (const [obj, r] of Object.entries(groups)) {
    kc[toSnakeCase(obj)] = r.l1 || r.l2 ? { class_name: 'L1L2', config: { l1: r.l1 ?? 0, l2: r.l2 ?? 0 } } : null;
  }
  return Object.assign(kc, clone(FIXED[t.className]));
}

const layerName = (model, i, type) => {
  const n = model.layerInfo(i).config.name; // the core's, unique in the model
  return typeof n === 'string' && n ? n : `${type}_${i + 1}`;
};

function compileToKeras(c, where) {
  const o = c.optimizer;
  if (c.fromLogits) throw err(where, 'fromLogits has no TF.js string loss');
  if (o.clipNorm || o.clipValue) throw err(where, 'clipNorm/clipValue have no TF.js optimizer setting');
  let optimizer;
  if (o.optimizer === 'adam') optimizer = { class_name: 'Adam', config: { learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon } };
  else if (o.optimizer === 'rmsprop') optimizer = { class_name: 'RMSProp', config: { learningRate: o.learningRate, decay: o.rho, momentum: o.momentum, epsilon: o.epsilon, centered: false } };
  else if (o.optimizer === 'adagrad') optimizer = { class_name: 'Adagrad', config: { learningRate: o.learningRate, initialAccumulatorValue: o.initialAccumulatorValue } };
  else if (o.optimizer === 'sgd' && o.momentum) optimizer = { class_name: 'Momentum', config: { learningRate: o.learningRate, momentum: o.momentum, useNesterov: !!o.nesterov } };
  else if (o.optimizer === 'sgd') optimizer = { class_name: 'SGD', config: { learningRate: o.learningRate } };
  else throw err(where, `optimizer '${o.optimizer}' has no TF.js class here`);
  const known = { accuracy: 'accuracy', precision: 'precision', recall: 'recall', mse: 'mse', mae: 'mae' };
  const metrics = c.listed.map(({ name }) => { // what compile listed (Keras's training_config), never a default
    const canon = names('metrics').find((e) => e.name === name || e.aliases.includes(name))?.name;
    if (!known[canon]) throw err(where, `metric '${name}' has no TF.js metric name`);
    return known[canon];
  });
  return { loss: toSnakeCase(c.lossName), metrics, optimizer_config: optimizer };
}

/**
 * The model as TF.js's ModelArtifacts: { modelTopology, format: 'layers-model', generatedBy,
 * convertedBy, weightSpecs, weightData, trainingConfig? } -- what tf.io.fromMemory takes.
 * trainingConfig (loss, metrics, optimizer settings; never its state) is there when the model is
 * compiled, unless options.trainingConfig is false.
 */
export function toTfjs(model, options = {}) {
  model._m();
  const where = 'toTfjs';
  if (!isObj(options)) throw err(where, `options must be an object, got ${show(options)}`);
  const specs = [];
  const values = model.getWeights();
  const kerasLayers = model._layers.map((_, i) => {
    const info = model.layerInfo(i);
    const name = layerName(model, i, info.type);
    const lw = `layer ${i} '${name}' (${info.className})`;
    const k = layerToKeras(info.className, info.config, `${where}: ${lw}`, info);
    k.config = { ...k.config, name, trainable: info.config.trainable !== false };
    if (i === 0) {
      const shape = model.inputShape;
      k.config.batch_input_shape = [null, ...shape];
      k.config.dtype = 'float32';
      if (info.className === 'Embedding') k.config.input_length = shape.length === 1 ? shape[0] : shape;
    }
    for (const w of info.weights) specs.push({ name: `${name}/${w.name}`, shape: w.shape.slice(), dtype: 'float32' });
    return k;
  });
  const seen = new Set();
  for (const { config: { name } } of kerasLayers) {
    if (seen.has(name)) throw err(where, `two layers are named '${name}'; TF.js needs unique layer names`);
    seen.add(name);
  }
  const total = values.reduce((a, w) => a + w.length, 0);
  const bytes = new ArrayBuffer(total * 4);
  const dv = new DataView(bytes);
  let at = 0;
  for (const w of values) for (let j = 0; j < w.length; j++, at += 4) dv.setFloat32(at, w[j], true);
  const art = {
    modelTopology: { class_name: 'Sequential', config: { name: model.name, layers: kerasLayers },
      keras_version: `nnplay ${coreTable().version}`, backend: 'tensor_flow.js' },
    format: 'layers-model', generatedBy: `nnplay ${coreTable().version}`, convertedBy: null,
    weightSpecs: specs, weightData: bytes,
  };
  if (model._compiled && options.trainingConfig !== false) {
    art.trainingConfig = compileToKeras(model._compiled, `${where}: the compile settings (pass { trainingConfig: false } to leave them out)`);
  }
  return art;
}

// ---- import ----

function initializerFromKeras(v, key, where) {
  const refuse = () => err(where, `${key} ${show(v)} has no nnplay initializer (nnplay: ${Object.values(INITIALIZERS)
    .map((x) => x.class_name).filter((x, i, a) => a.indexOf(x) === i).join(', ')} as TF.js writes them)`);
  if (typeof v === 'string') return toCamelCase(v); // 'glorot_uniform': the core knows the name or says so
  if (!isObj(v) || typeof v.class_name !== 'string') throw refuse();
  const cfg = v.config ?? {};
  if (INIT_CLASSES[v.class_name]) {
    if (!sameValue(cfg, {})) throw refuse();
    return INIT_CLASSES[v.class_name];
  }
  if (v.class_name === 'VarianceScaling') {
    // TF.js writes 'normal' for a truncated normal; Keras writes 'truncated_normal'
    const norm = { ...cfg, distribution: cfg.distribution === 'truncated_normal' ? 'normal' : cfg.distribution };
    const hit = Object.entries(INITIALIZERS).find(([, x]) => x.class_name === 'VarianceScaling' && sameValue(norm, x.config));
    if (hit) return hit[0];
    throw refuse();
  }
  const hit = Object.entries(INITIALIZERS).find(([, x]) => x.class_name === v.class_name);
  if (hit && sameValue({ ...hit[1].config, ...cfg }, hit[1].config)) return hit[0];
  throw refuse();
}

function activationFromKeras(v, key, where) {
  const name = typeof v === 'string' ? toCamelCase(v) : null;
  if (!ACTIVATIONS.includes(name)) {
    throw err(where, `${key} ${show(v)} is not supported (nnplay reads ${ACTIVATIONS.map(toSnakeCase).join(', ')}; LeakyReLU as a layer)`);
  }
  return name;
}

function regularizerFromKeras(v, key, where) {
  if (v == null) return { l1: 0, l2: 0 };
  const c = isObj(v) ? v.config ?? {} : null;
  const ok = c && ['L1L2', 'L1', 'L2'].includes(v.class_name) &&
    Object.keys(c).every((k) => (k === 'l1' || k === 'l2') && typeof c[k] === 'number');
  if (!ok) throw err(where, `${key} ${show(v)} is not supported (nnplay: L1L2 on the kernel only)`);
  return { l1: c.l1 ?? 0, l2: c.l2 ?? 0 };
}

/** A Keras layer config (generic part) as nnplay's options; common keys go to ctx.common. */
function genericFromKeras(className, kc, ctx) {
  const t = layerType(className);
  const byKey = new Map(t.options.map((o) => [toSnakeCase(o.name), o]));
  const groups = new Map(); // kernel_regularizer -> its l1/l2 options
  for (const o of t.options) if (o.alias?.includes('.')) groups.set(toSnakeCase(o.alias.split('.')[0]), o);
  const fixed = FIXED[className] || {};
  const out = {};
  for (const [k, v] of Object.entries(kc)) {
    const o = byKey.get(k);
    if (o && o.name !== 'alpha' && !o.alias) {
      if (v == null) continue; // TF.js's default (below) or nnplay's
      if (o.kind === 'enum' && o.values === 'activations') out[o.name] = activationFromKeras(v, k, ctx.where);
      else if (o.kind === 'enum' && o.values === 'initializers') out[o.name] = initializerFromKeras(v, k, ctx.where);
      else if (o.kind === 'enum') out[o.name] = typeof v === 'string' ? toCamelCase(v) : v; // the core checks it
      else out[o.name] = v;
    } else if (groups.has(k)) {
      Object.assign(out, regularizerFromKeras(v, k, ctx.where));
    } else if (ANY_VALUE.has(k)) {
      continue;
    } else if (k in fixed || k in KERAS_FIXED) {
      const want = k in fixed ? fixed[k] : KERAS_FIXED[k];
      if (v != null && !sameValue(v, want)) throw err(ctx.where, `${k} ${show(v)} is not supported (nnplay: ${show(want)})`);
    } else if (!ctx.common(k, v)) {
      throw err(ctx.where, `unsupported option '${k}'`);
    }
  }
  for (const [name, v] of Object.entries(TFJS_DEFAULTS)) {
    if (byKey.has(toSnakeCase(name)) && out[name] === undefined) out[name] = v;
  }
  return { className, config: out };
}

const bytesOfBlob = async (b) => new Uint8Array(await b.arrayBuffer());
function toU8(x, what) {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw new Error(`nnplay: loadTfjs: ${what} must be bytes (Uint8Array, ArrayBuffer), got ${show(x)}`);
}
function concatBytes(parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** A trainingConfig's optimizer_config as nn.train's settings (its state is never in the format). */
function optimizerFromKeras(oc, where) {
  if (!isObj(oc) || typeof oc.class_name !== 'string') throw err(where, `optimizer_config ${show(oc)} is not an optimizer`);
  const raw = oc.config ?? {};
  const c = {};
  // TF.js writes camelCase, Keras snake_case (beta_1, learning_rate) or lr
  for (const [k, v] of Object.entries(raw)) c[k === 'lr' ? 'learningRate' : toCamelCase(k)] = v;
  const take = (allowed, harmless = {}) => {
    for (const [k, v] of Object.entries(c)) {
      if (allowed.includes(k) || v == null || v === false || (k in harmless && sameValue(v, harmless[k]))) continue;
      if (['name', 'jitCompile', 'isLegacyOptimizer'].includes(k)) continue;
      throw err(where, `optimizer ${oc.class_name}'s ${k} ${show(v)} is not supported`);
    }
  };
  const lr = c.learningRate;
  switch (oc.class_name) {
    case 'Adam':
      take(['learningRate', 'beta1', 'beta2', 'epsilon'], { decay: 0, amsgrad: false });
      return train.adam(lr, c.beta1, c.beta2, c.epsilon);
    case 'SGD':
      take(['learningRate', 'momentum', 'nesterov'], { decay: 0 });
      return c.momentum ? train.momentum(lr, c.momentum, !!c.nesterov) : train.sgd(lr);
    case 'Momentum':
      take(['learningRate', 'momentum', 'useNesterov']);
      return train.momentum(lr, c.momentum, !!c.useNesterov);
    case 'RMSProp': case 'RMSprop':
      take(['learningRate', 'decay', 'rho', 'momentum', 'epsilon'], { centered: false });
      return train.rmsprop(lr, c.rho ?? c.decay, c.momentum, c.epsilon);
    case 'Adagrad':
      take(['learningRate', 'initialAccumulatorValue', 'epsilon'], { decay: 0 });
      return train.adagrad(lr, c.initialAccumulatorValue);
    default:
      throw err(where, `optimizer '${oc.class_name}' is not supported (nnplay: Adam, SGD, Momentum, RMSProp, Adagrad)`);
  }
}

function compileFromKeras(model, tc, where) {
  const name = (v, what) => {
    if (typeof v === 'string') return toCamelCase(v);
    if (isObj(v) && typeof v.class_name === 'string' && sameValue(v.config ?? {}, {})) return v.class_name[0].toLowerCase() + v.class_name.slice(1);
    throw err(where, `${what} ${show(v)} is not supported (one loss, named)`);
  };
  const optimizer = optimizerFromKeras(tc.optimizer_config, where);
  const loss = name(tc.loss, 'loss');
  const metrics = (tc.metrics ?? []).map((m) => name(m, 'metric'));
  for (const k of ['weighted_metrics', 'loss_weights', 'sample_weight_mode']) {
    if (tc[k] != null) throw err(where, `${k} is not supported`);
  }
  try {
    model.compile({ optimizer, loss, metrics });
  } catch (e) {
    throw err(where, e.message.replace(/^nnplay: /, ''));
  }
}

/** A model from TF.js's ModelArtifacts (weightData: one buffer, or several in order). */
export function fromArtifacts(art, options = {}) {
  const where = 'loadTfjs';
  if (!isObj(art)) throw err(where, `expected TF.js ModelArtifacts, got ${show(art)}`);
  if (art.format != null && art.format !== 'layers-model') {
    throw err(where, `format '${art.format}' is not a Layers model (a graph model has no layers to rebuild)`);
  }
  let topo = art.modelTopology;
  if (!isObj(topo)) throw err(where, 'modelTopology is missing (not a TF.js Layers model)');
  const trainingConfig = art.trainingConfig ?? topo.training_config ?? null;
  if (isObj(topo.model_config)) topo = topo.model_config; // what tensorflowjs_converter writes for Keras files
  if (topo.class_name !== 'Sequential') {
    throw err(where, `only Sequential models can be read, this one is a ${show(topo.class_name)}`);
  }
  const cfg = Array.isArray(topo.config) ? { layers: topo.config } : topo.config; // Keras 2.0 wrote a bare list
  if (!isObj(cfg) || !Array.isArray(cfg.layers) || cfg.layers.length === 0) throw err(where, 'the Sequential model has no layers');
  if (!Array.isArray(art.weightSpecs)) throw err(where, 'weightSpecs is missing');
  const data = art.weightData == null ? new Uint8Array(0)
    : concatBytes((Array.isArray(art.weightData) ? art.weightData : [art.weightData]).map((b) => toU8(b, 'weightData')));

  // where each weight sits in the buffer; the optimizer's (includeOptimizer) are not carried
  const specs = new Map();
  let at = 0;
  for (const [j, s] of art.weightSpecs.entries()) {
    if (!isObj(s) || typeof s.name !== 'string' || !Array.isArray(s.shape) ||
        !s.shape.every((d) => Number.isInteger(d) && d >= 0)) throw err(where, `weightSpecs[${j}] ${show(s)} is not a weight spec`);
    const n = product(s.shape);
    const dtype = s.dtype ?? 'float32';
    const size = n * ({ float32: 4, int32: 4, bool: 1 }[dtype] ?? 4);
    if (s.quantization) throw err(where, `weight '${s.name}' is quantized (${show(s.quantization.dtype)}); nnplay reads float32 weights only`);
    if (s.group !== 'optimizer') {
      if (dtype !== 'float32') throw err(where, `weight '${s.name}' is ${dtype}; nnplay reads float32 weights only`);
      specs.set(s.name, { spec: s, offset: at, n });
    }
    at += size;
  }
  if (at !== data.length) {
    throw err(where, `the weight data has ${data.length} bytes, but weightSpecs describe ${at}` +
      (data.length < at ? ' (truncated, or a weights file is missing)' : ''));
  }

  const model = new Sequential({ name: typeof cfg.name === 'string' ? cfg.name : 'sequential', seed: options.seed });
  try {
    let shape = null; // the current output shape (the input shape until a layer is added)
    const layerNames = [];
    const kerasOf = []; // each nnplay layer's Keras class and config, for weightName
    cfg.layers.forEach((entry, i) => {
      const cls = entry?.class_name;
      const kc = { ...entry?.config }; // a copy: axis may be rewritten below
      const lname = typeof kc.name === 'string' ? kc.name : null;
      const lw = `${where}: layer ${i}${lname ? ` '${lname}'` : ''} (${show(cls)})`;
      if (typeof cls !== 'string' || !isObj(entry.config ?? {})) throw err(where, `layer ${i} is not a {class_name, config} entry`);
      const fixShape = (k, v) => {
        if (!Array.isArray(v) || v.length < 2 || !v.slice(1).every((d) => Number.isInteger(d) && d > 0)) {
          throw err(lw, `${k} ${show(v)}: nnplay needs a fixed input shape (every dimension but the batch)`);
        }
        const s = v.slice(1);
        if (shape && !sameValue(s, shape)) throw err(lw, `${k} ${show(v)} does not match the shape before it, [${shape.join(', ')}]`);
        shape = s;
      };
      const ctx = {
        where: lw,
        common(k, v) { // keys every Keras layer may have
          if (k === 'name') return typeof v === 'string';
          if (k === 'trainable') {
            if (v !== true && v !== false && v != null) throw err(lw, `trainable must be true or false, got ${show(v)}`);
            return true; // taken from the layer's own config below (a frozen layer stays frozen)
          }
          if (k === 'dtype') {
            if (v != null && v !== 'float32' && !(v === 'int32' && cls === 'Embedding')) throw err(lw, `dtype ${show(v)} is not supported (float32)`);
            return true;
          }
          if (k === 'batch_input_shape' || k === 'batch_shape') { if (v != null) fixShape(k, v); return true; }
          if (k === 'input_length' && cls === 'Embedding') {
            if (v != null) fixShape(k, [null, ...[].concat(v)]);
            return true;
          }
          return false;
        },
        generic: (className, c) => genericFromKeras(className, c, ctx),
      };
      if (cls === 'InputLayer') {
        if (i !== 0) throw err(lw, 'an InputLayer must come first');
        onlyKeys(kc, ctx, {});
        if (!shape) throw err(lw, 'the InputLayer has no batch_input_shape');
        return;
      }
      const special = CLASSES[cls]?.fromKeras;
      const t = layerType(cls);
      if (!special && (!t || t.className !== cls)) {
        const known = new Set([...coreTable().layers.map((l) => l.className), ...Object.keys(CLASSES).filter((c) => CLASSES[c].fromKeras)]);
        throw err(lw, `unknown layer class '${cls}' (nnplay reads ${[...known].join(', ')})`);
      }
      if (cls === 'BatchNormalization' && kc.axis != null) {
        // Keras writes the channel axis counted with the batch (3 for [h, w, c]), or as a list
        const a = Array.isArray(kc.axis) && kc.axis.length === 1 ? kc.axis[0] : kc.axis;
        kc.axis = shape && a === shape.length ? -1 : a;
      }
      const { className, config } = special ? special({ ...kc }, ctx) : genericFromKeras(cls, kc, ctx);
      if (!shape) throw err(lw, 'the first layer has no batch_input_shape (the model\'s input shape)');
      const type = layerType(className).name;
      let layer;
      try {
        layer = layers[type]({ ...config, ...(model._layers.length === 0 ? { inputShape: shape } : {}), ...(lname ? { name: lname } : {}),
          ...(kc.trainable === false ? { trainable: false } : {}) });
        model.add(layer);
      } catch (e) {
        throw err(lw, e.message.replace(/^nnplay: /, ''));
      }
      layerNames.push(lname ?? `${type}_${model._layers.length}`);
      kerasOf.push({ cls, kc });
      shape = model.outputShape;
    });
    if (model._layers.length === 0) throw err(where, 'the model has no layers nnplay can build');

    // weights by name; TF.js's rule for Keras's layer/cell/weight names: drop the cell
    const byShortName = new Map();
    for (const name of specs.keys()) {
      const parts = name.replace(/:0$/, '').split('/');
      const short = [...parts.slice(0, -2), parts.at(-1)].join('/');
      if (!specs.has(short) && !byShortName.has(short)) byShortName.set(short, name);
    }
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const used = new Set();
    const values = [];
    model._layers.forEach((_, i) => {
      for (const w of model.layerInfo(i).weights) {
        const { cls, kc } = kerasOf[i];
        const want = `${layerNames[i]}/${CLASSES[cls]?.weightName?.(w.name, kc) ?? w.name}`;
        const name = specs.has(want) ? want : specs.has(`${want}:0`) ? `${want}:0` : byShortName.get(want);
        if (!name) throw err(where, `no weight '${want}' in weightSpecs (it has ${[...specs.keys()].join(', ') || 'none'})`);
        const { spec, offset, n } = specs.get(name);
        if (!sameValue(spec.shape, w.shape)) {
          throw err(where, `weight '${name}' has shape [${spec.shape.join(', ')}], layer ${i} '${layerNames[i]}' needs [${w.shape.join(', ')}]`);
        }
        const v = new Float32Array(n);
        for (let j = 0; j < n; j++) v[j] = dv.getFloat32(offset + 4 * j, true);
        values.push(v);
        used.add(name);
      }
    });
    const extra = [...specs.keys()].filter((n) => !used.has(n));
    if (extra.length) throw err(where, `weightSpecs has weights no layer takes: ${extra.join(', ')}`);
    try { model.setWeights(values); } catch (e) { throw err(where, e.message.replace(/^nnplay: /, '')); }
    if (trainingConfig && options.compile !== false) {
      compileFromKeras(model, trainingConfig, `${where}: trainingConfig (pass { compile: false } to leave it out)`);
    }
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

// ---- files: model.json + one weights file ----

/** model.json's text and the weights' bytes for artifacts, the weights file named `weightsPath`. */
export function tfjsFiles(art, weightsPath = WEIGHTS_FILE) {
  const { weightData, weightSpecs, ...rest } = art;
  const json = JSON.stringify({ ...rest, weightsManifest: [{ paths: [weightsPath], weights: weightSpecs }] });
  return { modelJson: json, weights: new Uint8Array(weightData) };
}

function parseModelJson(x) {
  if (isObj(x) && !ArrayBuffer.isView(x) && !(x instanceof ArrayBuffer)) return x;
  const text = typeof x === 'string' ? x : new TextDecoder().decode(toU8(x, 'model.json'));
  try {
    const j = JSON.parse(text);
    if (!isObj(j)) throw new Error(`it holds ${show(j).slice(0, 40)}`);
    return j;
  } catch (e) {
    throw new Error(`nnplay: loadTfjs: model.json is not valid JSON (${e.message})`);
  }
}

/** model.json's parsed content + its weight files' bytes, in the manifest's order, as artifacts. */
function artifactsOf(json, weightParts) {
  if (json.weightsManifest != null && !Array.isArray(json.weightsManifest)) throw new Error('nnplay: loadTfjs: weightsManifest is not a list');
  const manifest = json.weightsManifest ?? [];
  const { weightsManifest, ...rest } = json;
  return { ...rest, weightSpecs: manifest.flatMap((g) => g.weights ?? []), weightData: concatBytes(weightParts) };
}

const manifestPaths = (json) => (Array.isArray(json.weightsManifest) ? json.weightsManifest.flatMap((g) => g?.paths ?? []) : []);

/**
 * nn.loadTfjs(source, { compile, seed }): a Sequential from TF.js's Layers format. source: the
 * ModelArtifacts object (tf.io.withSaveHandler's); a model.json path (Node) or URL, its weight files
 * next to it; or [modelJson, ...weightFiles] as bytes, Blobs/Files or (model.json) text.
 */
export async function loadTfjs(source, options = {}) {
  if (!isObj(options)) throw new Error(`nnplay: loadTfjs: options must be an object, got ${show(options)}`);
  if (typeof source === 'string') {
    const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !source.startsWith('file://');
    if (isUrl || !isNode) {
      const url = new URL(source, typeof location !== 'undefined' ? location.href : undefined);
      const get = async (u) => {
        const r = await fetch(u);
        if (!r.ok) throw new Error(`nnplay: loadTfjs: ${u} answered ${r.status} ${r.statusText}`);
        return new Uint8Array(await r.arrayBuffer());
      };
      const json = parseModelJson(await get(url));
      const parts = await Promise.all(manifestPaths(json).map((p) => get(new URL(p, url))));
      return fromArtifacts(artifactsOf(json, parts), options);
    }
    const { readFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const file = source.startsWith('file://') ? fileURLToPath(source) : source;
    const read = (f) => readFile(f).catch((e) => { throw new Error(`nnplay: loadTfjs: cannot read ${f}: ${e.code || e.message}`); });
    const json = parseModelJson(await read(file));
    const parts = await Promise.all(manifestPaths(json).map((p) => read(path.resolve(path.dirname(file), p))));
    return fromArtifacts(artifactsOf(json, parts), options);
  }
  if (Array.isArray(source)) {
    if (source.length < 1) throw new Error('nnplay: loadTfjs: pass [modelJson, ...weightFiles]');
    const load = (x) => (typeof Blob !== 'undefined' && x instanceof Blob ? bytesOfBlob(x) : x);
    const json = parseModelJson(await load(source[0]));
    let files = source.slice(1);
    // Files from an <input>: put them in the manifest's order by name, as tf.io.browserFiles does
    const paths = manifestPaths(json).map((p) => p.split('/').pop());
    if (files.length > 1 && files.every((f) => typeof f?.name === 'string') && paths.length === files.length) {
      files = paths.map((p) => {
        const f = files.find((x) => x.name === p);
        if (!f) throw new Error(`nnplay: loadTfjs: model.json names weight file '${p}', which was not given`);
        return f;
      });
    }
    const parts = await Promise.all(files.map(async (f, j) => toU8(await load(f), `weight file ${j + 1}`)));
    return fromArtifacts(artifactsOf(json, parts), options);
  }
  if (isObj(source) && source.modelTopology != null) {
    if (source.weightsManifest && source.weightData == null) {
      throw new Error('nnplay: loadTfjs: this is model.json without its weights; pass [modelJson, weightsBin] or the file\'s path');
    }
    return fromArtifacts(source, options);
  }
  throw new Error(`nnplay: loadTfjs takes TF.js ModelArtifacts, a model.json path or URL, or [modelJson, ...weightFiles]; got ${show(source)}`);
}

/**
 * model.saveTfjs(target): in Node, a folder (or 'file://folder', or a path ending in .json) gets
 * model.json and group1-shard1of1.bin; in a browser, 'downloads://name' downloads name.json and
 * name.weights.bin as TF.js's own downloads:// does. Resolves to { modelArtifactsInfo, files }.
 */
export async function saveTfjs(model, target, options = {}) {
  const where = 'saveTfjs';
  if (typeof target !== 'string' || !target) throw err(where, `target must be a folder path or 'downloads://name', got ${show(target)}`);
  const art = toTfjs(model, options);
  const info = () => ({ dateSaved: new Date(), modelTopologyType: 'JSON',
    modelTopologyBytes: JSON.stringify(art.modelTopology).length, weightSpecsBytes: JSON.stringify(art.weightSpecs).length,
    weightDataBytes: art.weightData.byteLength });
  if (target.startsWith('downloads://')) {
    if (typeof document === 'undefined') throw err(where, "'downloads://' needs a browser page; in Node, pass a folder");
    const name = target.slice('downloads://'.length) || 'model';
    const { modelJson, weights } = tfjsFiles(art, `./${name}.weights.bin`);
    const files = [[`${name}.json`, new Blob([modelJson], { type: 'application/json' })],
      [`${name}.weights.bin`, new Blob([weights], { type: 'application/octet-stream' })]];
    for (const [file, blob] of files) {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = file;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000); // the download has taken its copy by then
    }
    return { modelArtifactsInfo: info(), files: files.map(([f]) => f) };
  }
  if (!isNode) throw err(where, "in a browser, save with 'downloads://name'");
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const dest = target.startsWith('file://') ? fileURLToPath(target) : target;
  const jsonPath = dest.endsWith('.json') ? dest : path.join(dest, 'model.json');
  const binPath = path.join(path.dirname(jsonPath), WEIGHTS_FILE);
  const { modelJson, weights } = tfjsFiles(art);
  await fs.mkdir(path.dirname(jsonPath), { recursive: true });
  await fs.writeFile(binPath, weights);
  await fs.writeFile(jsonPath, modelJson);
  return { modelArtifactsInfo: info(), files: [jsonPath, binPath] };
}

converters.tfjs = { toTfjs, saveTfjs }; // model.toTfjs() and saveTfjs() call these (model.js)
