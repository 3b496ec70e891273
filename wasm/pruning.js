// pruning.js - nn.pruning: magnitude pruning shaped like the TensorFlow Model Optimization toolkit
// (tfmot.sparsity.keras: prune_low_magnitude, ConstantSparsity, PolynomialDecay, strip_pruning).
// The core does the work (core/prune.c): masks and schedule live on the model, so fit, trainOnBatch
// and the C training loop all keep pruned weights at exactly 0; this module only names things.
import { C, withAlloc, withErrorBuffer, heapF32, heapF64, heapI32 } from './core.js';
import { checkKeys, show } from './convert.js';

const KIND = { ConstantSparsity: 0, PolynomialDecay: 1 };
const MAX_STEP = 2 ** 53;

function need(cond, msg) { if (!cond) throw new Error(`nnplay: ${msg}`); }

/** A pruning schedule (TF MOT's PruningSchedule): className, config, and call(step). */
export class PruningSchedule {
  constructor(className, config) {
    this.className = className;
    this.config = Object.freeze({ ...config });
    const [st, msg] = withErrorBuffer((pe) => C()._nnw_prune_check(...this._args(), pe));
    if (st !== 0) throw new Error(`nnplay: ${msg}`);
    Object.freeze(this);
  }

  _args() {
    const c = this.config;
    return this.className === 'PolynomialDecay'
      ? [KIND.PolynomialDecay, c.initialSparsity, c.finalSparsity, c.beginStep, c.endStep, c.power, c.frequency]
      : [KIND.ConstantSparsity, 0, c.targetSparsity, c.beginStep, c.endStep, 3, c.frequency];
  }

  /**
   * TF MOT's schedule(step): { shouldPrune, sparsity } -- whether masks are updated at this
   * training step (batch) and the sparsity they are given then.
   */
  call(step) {
    need(Number.isInteger(step) && step >= 0 && step < MAX_STEP, `pruning schedule: step must be a non-negative integer, got ${show(step)}`);
    return withAlloc(4, 'a number', (p) => {
      const r = C()._nnw_prune_at(...this._args(), step, p);
      return { shouldPrune: r === 1, sparsity: heapF32()[p >>> 2] };
    });
  }

  getConfig() { return { ...this.config }; }
}

function number(args, key, dflt, what) {
  const v = args[key] ?? dflt;
  need(typeof v === 'number' && !Number.isNaN(v), `${what}: ${key} must be a number, got ${show(args[key])}`);
  return v;
}

function integer(args, key, dflt, what) {
  const v = args[key] ?? dflt;
  need(Number.isInteger(v) && Math.abs(v) < MAX_STEP, `${what}: ${key} must be an integer, got ${show(args[key])}`);
  return v;
}

function argsOf(args, what, keys) {
  need(args !== null && typeof args === 'object' && !Array.isArray(args), `${what} takes { ${keys.join(', ')} }`);
  checkKeys(args, keys, what);
  return args;
}

/**
 * Keep targetSparsity of each pruned tensor at 0 from beginStep (default 0) on, updating the masks
 * every `frequency` steps (default 100) until endStep (default -1: never stops). Steps are
 * training batches since pruneLowMagnitude.
 */
export function constantSparsity(args) {
  const what = 'constantSparsity';
  argsOf(args, what, ['targetSparsity', 'beginStep', 'endStep', 'frequency']);
  need(args.targetSparsity != null, `${what}: targetSparsity is required (in [0, 1))`);
  return new PruningSchedule('ConstantSparsity', {
    targetSparsity: number(args, 'targetSparsity', 0, what), beginStep: integer(args, 'beginStep', 0, what),
    endStep: integer(args, 'endStep', -1, what), frequency: integer(args, 'frequency', 100, what),
  });
}

/**
 * Sparsity rising from initialSparsity (default 0) at beginStep (default 0) to finalSparsity at
 * endStep: s = (initial - final) (1 - p)^power + final, p = (step - begin) / (end - begin)
 * clamped to [0, 1], power 3 by default; masks are updated every `frequency` steps (default 100).
 */
export function polynomialDecay(args) {
  const what = 'polynomialDecay';
  argsOf(args, what, ['initialSparsity', 'finalSparsity', 'beginStep', 'endStep', 'power', 'frequency']);
  need(args.finalSparsity != null, `${what}: finalSparsity is required (in [0, 1))`);
  need(args.endStep != null, `${what}: endStep is required (the training batch where finalSparsity is reached)`);
  return new PruningSchedule('PolynomialDecay', {
    initialSparsity: number(args, 'initialSparsity', 0, what), finalSparsity: number(args, 'finalSparsity', 0, what),
    beginStep: integer(args, 'beginStep', 0, what), endStep: integer(args, 'endStep', 0, what),
    power: number(args, 'power', 3, what), frequency: integer(args, 'frequency', 100, what),
  });
}

/** The model's name for layer i: its own name when it has one, else `${type}_${i + 1}` (as summary). */
function layerNames(model) {
  return model.layers.map((l, i) => (typeof l.name === 'string' && l.name ? l.name : `${l.type}_${i + 1}`));
}

function checkModel(model, what) {
  need(model && typeof model._m === 'function', `${what}: the first argument must be a model made by nn.sequential(...)`);
  const m = model._m();
  model._notBusy(what);
  return m;
}

/**
 * Prune the model's kernels by magnitude as it trains (TF MOT's prune_low_magnitude): for every
 * layer with prunable weights (kernels of dense, conv2d and conv2dTranspose layers, the kernels and
 * recurrent kernels of recurrent layers, embeddings; never biases or batchNormalization), or only `layers`
 * (indices or names), a mask is kept and re-applied after every optimizer step, so pruned weights
 * stay exactly 0 through fine-tuning. The schedule runs over the pruning's own step counter (TF
 * MOT's pruning_step): training batches since this call, counted by the core in fit and
 * trainOnBatch. Unlike TF MOT, which returns a wrapped copy, the model is pruned in place and
 * returned (no recompile needed; the optimizer goes on). Pruning an already pruned model starts
 * afresh with the new schedule. The state is saved with model.save() and comes back with
 * loadModel, so fine-tuning resumes; stripPruning before exporting.
 */
export function pruneLowMagnitude(model, args) {
  const what = 'pruneLowMagnitude';
  const m = checkModel(model, what);
  argsOf(args, what, ['pruningSchedule', 'schedule', 'layers']);
  const schedule = args.pruningSchedule ?? args.schedule;
  need(schedule instanceof PruningSchedule,
    `${what}: pruningSchedule must come from nn.pruning.constantSparsity(...) or nn.pruning.polynomialDecay(...), got ${show(schedule)}`);
  let ids = [];
  if (args.layers != null) {
    need(Array.isArray(args.layers) && args.layers.length > 0, `${what}: layers must be a non-empty array of layer indices or names, got ${show(args.layers)}`);
    const names = layerNames(model);
    ids = args.layers.map((l) => {
      if (typeof l === 'string') {
        const i = names.indexOf(l);
        need(i >= 0, `${what}: no layer named ${show(l)} (the layers: ${names.join(', ')})`);
        return i;
      }
      need(Number.isInteger(l) && l >= 0 && l < names.length, `${what}: no layer ${show(l)} (the model has ${names.length})`);
      return l;
    });
  }
  const st = withAlloc(4 * Math.max(1, ids.length), 'the layer list', (pl) => {
    heapI32().set(ids, pl >>> 2);
    return C()._nnw_prune(m, ...schedule._args(), pl, ids.length);
  });
  if (st !== 0) throw model._error(st, 'pruning');
  model._pruningSchedule = schedule;
  return model;
}

/** Drop the masks and the schedule (TF MOT's strip_pruning); the zeros stay. In place; returns the model. */
export function stripPruning(model) {
  C()._nn_model_strip_pruning(checkModel(model, 'stripPruning'));
  model._pruningSchedule = null;
  return model;
}

/**
 * Update the masks now and zero the pruned weights: one-shot pruning without training, at
 * `sparsity` (in [0, 1)) or, left out, the schedule's value at the current pruning step.
 */
export function updateMasks(model, { sparsity } = {}) {
  const m = checkModel(model, 'updateMasks');
  need(sparsity == null || typeof sparsity === 'number', `updateMasks: sparsity must be a number in [0, 1), got ${show(sparsity)}`);
  const st = C()._nn_model_prune_update(m, sparsity ?? -1);
  if (st !== 0) throw model._error(st, 'pruning');
  return model;
}

/** null when the model is not being pruned, else { step, schedule } (step: batches trained since pruning began). */
export function status(model) {
  const m = checkModel(model, 'status');
  return withAlloc(8 * 7, 'the schedule', (p) => {
    const step = C()._nnw_prune_state(m, p);
    if (step < 0) return null;
    const [kind, initial, final, begin, end, power, frequency] = heapF64().subarray(p >>> 3, (p >>> 3) + 7);
    const f32 = (v) => Math.fround(v);
    const schedule = kind === KIND.PolynomialDecay
      ? new PruningSchedule('PolynomialDecay', { initialSparsity: f32(initial), finalSparsity: f32(final), beginStep: begin, endStep: end, power: f32(power), frequency })
      : new PruningSchedule('ConstantSparsity', { targetSparsity: f32(final), beginStep: begin, endStep: end, frequency });
    return { step, schedule: model._pruningSchedule ?? schedule };
  });
}

/**
 * Per layer with prunable weights: { layer (index), name, weights (prunable count), zeros,
 * sparsity (zeros / weights), pruned (masks kept) }.
 */
export function sparsity(model) {
  const m = checkModel(model, 'sparsity');
  const names = layerNames(model);
  const out = [];
  withAlloc(16, 'counts', (p) => {
    for (let i = 0; i < names.length; i++) {
      const r = C()._nnw_layer_sparsity(m, i, p);
      if (r < 0) continue;
      const [weights, zeros] = heapF64().subarray(p >>> 3, (p >>> 3) + 2);
      out.push({ layer: i, name: names[i], weights, zeros, sparsity: weights ? zeros / weights : 0, pruned: r === 1 });
    }
  });
  return out;
}

export const pruning = Object.freeze({
  pruneLowMagnitude, constantSparsity, polynomialDecay, stripPruning, updateMasks, status, sparsity, PruningSchedule,
});
