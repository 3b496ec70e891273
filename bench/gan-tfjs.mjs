// gan-tfjs.mjs - the 2D GAN lab's round in TensorFlow.js 4.22 (Layers API), one thread, for speed:
// the same generator and discriminator as web/gan/lab.js's default settings (dense layers on
// [pack, noiseDim] noise, flattened to 2 x pack values; D on 2 x pack values), Adam with the same
// rate and beta1, and the same round through TF.js's own API as Keras's GAN recipe: G.predict on
// noise, D.trainOnBatch on real + fake packs, then the GAN (G -> frozen D) trainOnBatch on noise
// (D.trainable set before each: TF.js reads it per step).
// Real samples and noise come from the same JS code as nnplay's (web/gan/targets.js).
// Run: node bench/gan-tfjs.mjs --backend wasm|cpu [--rounds R --runs N]. Prints one JSON line.
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { presetFor } from '../web/gan/lab.js';
import { TARGETS, seeded, gaussian } from '../web/gan/targets.js';
import { options, fail, log, emit, stopwatch, rates } from './lib.mjs';

const opt = options('gan-tfjs', { backend: 'wasm', rounds: 200, runs: 5 });
if (!['wasm', 'cpu'].includes(opt.backend)) fail('gan-tfjs', `--backend must be wasm or cpu, got '${opt.backend}'`);
if (opt.backend === 'wasm') {
  const require = createRequire(import.meta.url);
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // one thread, as a page without cross-origin isolation
  setThreadsCount(1);
}
if (!(await tf.setBackend(opt.backend))) fail('gan-tfjs', `TF.js could not start its ${opt.backend} backend`);
await tf.ready();
const simd = opt.backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : false;

const s = presetFor('ring').settings;
const { batchSize: B, pack: m } = s;
const dim = s.noise.dim;
const dense = (n, inputShape) => Array.from({ length: n.layers }, (_, i) =>
  tf.layers.dense({ ...(i === 0 ? { inputShape } : {}), units: n.units, activation: n.activation }));
const G = tf.sequential({ layers: [...dense(s.g, [m, dim]), tf.layers.dense({ units: 2 }), tf.layers.flatten()] });
const D = tf.sequential({ layers: [...dense(s.d, [2 * m]), tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
const adam = (n) => tf.train.adam(n.lr, n.beta1, 0.999, 1e-7);
D.compile({ optimizer: adam(s.d), loss: 'binaryCrossentropy' });
D.trainable = false;
const gan = tf.sequential({ layers: [G, D] });
gan.compile({ optimizer: adam(s.g), loss: 'binaryCrossentropy' });

const rand = seeded(1);
const target = TARGETS.ring;
const noise = () => {
  const z = new Float32Array(B * m * dim);
  for (let i = 0; i < z.length; i++) z[i] = s.noise.dist === 'uniform' ? 2 * rand() - 1 : gaussian(rand);
  return tf.tensor3d(z, [B, m, dim]);
};
const yD = tf.tensor2d(new Float32Array(2 * B).fill(s.labelSmoothing, 0, B), [2 * B, 1]);
const yG = tf.ones([B, 1]);

async function round() {
  const [x, z] = tf.tidy(() => {
    const real = tf.tensor2d(target.sample(B * m, rand), [B, 2 * m]);
    return [tf.concat([real, G.predict(noise())]), noise()];
  });
  D.trainable = true; // TF.js takes the flag at each step, not at compile as Keras: set it both ways
  await D.trainOnBatch(x, yD);
  D.trainable = false;
  await gan.trainOnBatch(z, yG);
  tf.dispose([x, z]);
}

for (let i = 0; i < 20; i++) await round(); // warm-up
const runs = [];
for (let r = 0; r < opt.runs; r++) {
  const lap = stopwatch();
  for (let i = 0; i < opt.rounds; i++) await round();
  runs.push(lap());
  log(`gan-tfjs-${opt.backend}: run ${r + 1}: ${Math.round(opt.rounds / runs.at(-1).cpu)} rounds/s`);
}
const r = rates(opt.rounds, runs);
emit({ system: `gan-tfjs-${opt.backend}`, rounds_per_s: r.samples_per_s, wall_rounds_per_s: r.wall_samples_per_s,
  run_rounds_per_s: r.run_samples_per_s, rounds: opt.rounds, runs: opt.runs, backend: opt.backend, simd, threads: 1,
  tfjs: tf.version.tfjs, tensors: tf.memory().numTensors });
