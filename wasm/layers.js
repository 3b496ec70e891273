// layers.js - nn.layers.<name>() for every row of the core's layer table, and the names the core
// knows (activations, losses, ...). Nothing here lists a layer or an option: the table does.
import { C, coreTable, isLoaded, withAlloc, copyBytesIn, free, heapU8, cstr } from './core.js';
import { encodeSpec, decodeSpec, isLayerValue } from './encode.js';
import { show } from './convert.js';

/** Config keys that belong to the model (its input shape), not to the layer's spec -- unless the
 * layer has an option of that name (Embedding's inputDim is its vocabulary size). A layer's name
 * is one of the options every type has (the core keeps it unique within a model). */
export const MODEL_KEYS = ['inputShape', 'batchInputShape', 'inputDim', 'inputLength'];

/** Does the table give this layer class an option of this name? */
export const hasOption = (className, key) => !!layerType(className)?.options.some((o) => o.name === key);

/** Does this enum option give JS's null a meaning (its names include 'null': mergeMode)? Elsewhere
 * null means "left out", as in TF.js's configs. */
const takesNull = (className, key) => {
  const o = layerType(className)?.options.find((x) => x.name === key);
  return o?.kind === 'enum' && !!coreTable().names[o.values]?.some((e) => e.name === 'null');
};

/** The options a spec encodes: model keys left out, in a nested layer's config too (one level: the
 * core refuses deeper ones). */
const specConfig = (className, config, depth = 0) => {
  const out = {};
  for (const [k, v] of Object.entries(config)) {
    if (MODEL_KEYS.includes(k) && !hasOption(className, k)) continue;
    if (v === null && takesNull(className, k)) out[k] = 'null';
    else out[k] = isLayerValue(v) && depth === 0 ? { className: v.className, config: specConfig(v.className, v.config, 1) } : v;
  }
  return out;
};

/** The table row of a class name ('Dense') or factory name ('dense'). */
export function layerType(name) {
  return coreTable().layers.find((t) => t.className === name || t.name === name || t.aliases.includes(name)) || null;
}

/** The encoded spec of a layer object; throws the core's message when it is not valid. */
export function specBytes(layer) {
  const u8 = encodeSpec(layer.className, specConfig(layer.className, layer.config), `${funcName(layer.className)} layer`);
  const p = copyBytesIn(u8, 'a layer spec');
  try {
    withAlloc(256, 'an error message', (pe) => {
      heapU8()[pe] = 0;
      if (C()._nnw_spec_check(p, u8.length, pe) !== 0) throw new Error(`nnplay: ${cstr(pe)}`);
    });
  } finally { free(p); }
  return u8;
}

const funcName = (className) => layerType(className)?.name ?? className;

/** Options that always come back as lists (kernelSize: [3, 3], targetShape: [8]). */
const listKeys = (className) =>
  new Set((layerType(className)?.options || []).filter((o) => o.kind === 'ints' || o.kind === 'shape').map((o) => o.name));

export const decodeLayerSpec = (u8) => decodeSpec(u8, listKeys);

function makeFactory(t) {
  return (config = {}) => {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new Error(`nnplay: nn.layers.${t.name}() takes a config object, e.g. ${t.name}({ ... })`);
    }
    const layer = Object.freeze({ className: t.className, config: Object.freeze({ ...config }) });
    specBytes(layer); // the core checks every option now, as TF.js's constructors do
    return layer;
  };
}

let built = null;
function factories() {
  if (!built) {
    built = {};
    for (const t of coreTable().layers) {
      built[t.name] = makeFactory(t);
      for (const a of t.aliases) built[a] = built[t.name];
    }
  }
  return built;
}

/** nn.layers: one factory per layer type of the core, available once nn.ready() resolved. */
export const layers = new Proxy({}, {
  get(_, name) {
    if (typeof name !== 'string' || name === 'then') return undefined;
    if (!isLoaded()) throw new Error(`nnplay: nn.layers.${name} needs the wasm module; await nn.ready() first`);
    const f = Object.hasOwn(factories(), name) ? factories()[name] : undefined;
    if (!f) {
      throw new Error(`nnplay: unknown layer type '${name}' (known: ${Object.keys(factories()).join(', ')})`);
    }
    return f;
  },
  has: (_, name) => isLoaded() && Object.hasOwn(factories(), name),
  ownKeys: () => (isLoaded() ? Object.keys(factories()) : []),
  getOwnPropertyDescriptor: (_, name) => (isLoaded() && Object.hasOwn(factories(), name)
    ? { value: factories()[name], enumerable: true, configurable: true } : undefined),
});

/** A name table of the core ('activations', 'losses', 'metrics', 'datasets', ...). */
export function names(what) {
  const t = coreTable().names[what];
  if (!t) throw new Error(`nnplay: no name table '${what}'`);
  return t;
}

/** Id of a name or alias in a name table (from id `first` on), or throw an nnplay error naming `noun`. */
export function idOf(what, name, noun, first = 0) {
  const t = names(what);
  const i = typeof name === 'string' ? t.findIndex((e) => e.name === name || e.aliases.includes(name)) : -1;
  if (i < first) throw new Error(`nnplay: unknown ${noun} ${show(name)} (known: ${t.slice(first).map((e) => e.name).join(', ')})`);
  return i;
}
