// The 2D GAN lab's real distributions and noise, seeded so a run can be repeated (pages, tests and
// the bench share them). Plain JS, no imports.
//
// A target is { name, label, modes: [[x, y], ...] | null, std, sample(n, rand) -> Float32Array [n*2] }.
// Targets with modes are Gaussian mixtures with equal weights; the ring and grid are the PacGAN
// paper's synthetic sets (ring: 8 modes on the unit circle, std 0.01; grid: 25 modes on
// {-4,-2,0,2,4}^2, std 0.05) and are the ones scored by mode coverage.

export { seeded } from '../seeded.js';

/** A standard normal draw (Box-Muller) from a uniform generator. */
export function gaussian(rand) {
  let u = 0;
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const mixture = (name, label, modes, std) => ({
  name, label, modes, std,
  sample(n, rand) {
    const out = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const [mx, my] = modes[Math.floor(rand() * modes.length)];
      out[2 * i] = mx + std * gaussian(rand);
      out[2 * i + 1] = my + std * gaussian(rand);
    }
    return out;
  },
});

const ring = Array.from({ length: 8 }, (_, k) => [Math.cos((2 * Math.PI * k) / 8), Math.sin((2 * Math.PI * k) / 8)]);
const grid = [];
for (const x of [-4, -2, 0, 2, 4]) for (const y of [-4, -2, 0, 2, 4]) grid.push([x, y]);

/** The built-in targets, by name. */
export const TARGETS = {
  ring: mixture('ring', 'Ring of 8', ring, 0.01),
  grid: mixture('grid', 'Grid of 25', grid, 0.05),
  two: mixture('two', 'Two Gaussians', [[-1, -1], [1, 1]], 0.25),
  clusters: mixture('clusters', 'Three clusters', [[-1.2, 0.8], [1.2, 0.8], [0, -1.2]], 0.15),
  line: {
    name: 'line', label: 'Line', modes: null, std: 0.02,
    sample(n, rand) {
      const out = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const t = 2 * rand() - 1;
        out[2 * i] = 1.5 * t + 0.02 * gaussian(rand);
        out[2 * i + 1] = 0.75 * t + 0.02 * gaussian(rand);
      }
      return out;
    },
  },
};

/**
 * A target from points the user drew: each point becomes a small Gaussian (std), so the GAN has a
 * density to learn rather than a finite set to memorize.
 */
export function drawnTarget(points, std = 0.05) {
  if (!Array.isArray(points) || points.length === 0 || !points.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite))) {
    throw new Error('drawnTarget: draw at least one point (an array of [x, y] pairs)');
  }
  return { ...mixture('drawn', 'Drawn', points.map(([x, y]) => [x, y]), std), modes: null };
}

/** Noise for the generator: dims 1 or 2, kind 'uniform' ([-1, 1)) or 'gaussian'. */
export function noise(n, { dims = 2, kind = 'uniform' } = {}, rand) {
  if (dims !== 1 && dims !== 2) throw new Error(`noise: dims must be 1 or 2, got ${dims}`);
  if (kind !== 'uniform' && kind !== 'gaussian') throw new Error(`noise: kind must be 'uniform' or 'gaussian', got ${kind}`);
  const out = new Float32Array(n * dims);
  for (let i = 0; i < out.length; i++) out[i] = kind === 'uniform' ? 2 * rand() - 1 : gaussian(rand);
  return out;
}
