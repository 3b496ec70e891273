// random.js - nn.random: seeded noise (a GAN's generator input) from the core's generator, so a
// seed gives the same numbers in C, in Node and in a browser.
import { C, heapF32, withAlloc } from './core.js';
import { show, seedOf } from './convert.js';

function fill(shape, normal, a, b, seed, what) {
  const dims = Array.isArray(shape) ? shape : [shape];
  if (!dims.length || !dims.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`nnplay: random.${what}: shape must be positive integers, got ${show(shape)}`);
  }
  const n = dims.reduce((p, d) => p * d, 1);
  if (n > 1 << 26) throw new Error(`nnplay: random.${what}: ${n} values is too many (at most ${1 << 26})`);
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`nnplay: random.${what}: its parameters must be finite numbers`);
  const s = seedOf(seed, (Math.random() * 0x100000000) >>> 0, `random.${what}`);
  const out = withAlloc(4 * n, 'random values', (p) => {
    if (C()._nn_random_fill(p, n, normal ? 1 : 0, a, b, s) !== 0) {
      throw new Error(`nnplay: random.${what}: ${normal ? 'stddev must be >= 0' : 'maxval must be >= minval'}`);
    }
    return heapF32().slice(p >> 2, (p >> 2) + n);
  });
  out.shape = dims.slice();
  return out;
}

export const random = {
  /** Normal values of this shape (TF.js's randomNormal): { mean = 0, stddev = 1, seed }. */
  normal: (shape, { mean = 0, stddev = 1, seed } = {}) => fill(shape, true, mean, stddev, seed, 'normal'),
  /** Uniform values in [minval, maxval) (TF.js's randomUniform): { minval = 0, maxval = 1, seed }. */
  uniform: (shape, { minval = 0, maxval = 1, seed } = {}) => fill(shape, false, minval, maxval, seed, 'uniform'),
};
