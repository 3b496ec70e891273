// How good a 2D generator is, as the GAN literature scores the synthetic sets (VEEGAN, PacGAN):
// a sample is high quality when it lies within 3 standard deviations of its nearest mode; a mode
// is covered when at least one high-quality sample is nearest to it. Plus KL and JS divergence
// between histograms of real and fake samples on a grid, for any target. Plain JS, no imports.

/**
 * Mode metrics of fake samples (Float32Array [n*2]) for a target with modes and std:
 * { covered, modes, highQuality (share in [0, 1]), perMode (high-quality counts), reverseKL }.
 * reverseKL: KL(fake's mode shares || uniform), over high-quality samples (PacGAN's third figure).
 */
export function modeScore(fake, { modes, std }) {
  if (!modes) throw new Error('modeScore: this target has no modes to score');
  const n = fake.length / 2;
  const perMode = new Array(modes.length).fill(0);
  let good = 0;
  const limit2 = (3 * std) ** 2;
  for (let i = 0; i < n; i++) {
    const x = fake[2 * i], y = fake[2 * i + 1];
    let best = -1, bestD = Infinity;
    modes.forEach(([mx, my], k) => {
      const d = (x - mx) ** 2 + (y - my) ** 2;
      if (d < bestD) { bestD = d; best = k; }
    });
    if (bestD <= limit2) { good++; perMode[best]++; }
  }
  const covered = perMode.filter((c) => c > 0).length;
  let reverseKL = 0;
  if (good > 0) for (const c of perMode) if (c > 0) reverseKL += (c / good) * Math.log((c / good) * modes.length);
  return { covered, modes: modes.length, highQuality: n ? good / n : 0, perMode, reverseKL };
}

/** Bounds [x0, x1, y0, y1] that hold both sample sets, with a margin. */
export function boundsOf(...sets) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const s of sets) {
    for (let i = 0; i + 1 < s.length; i += 2) {
      if (!Number.isFinite(s[i]) || !Number.isFinite(s[i + 1])) continue;
      x0 = Math.min(x0, s[i]); x1 = Math.max(x1, s[i]);
      y0 = Math.min(y0, s[i + 1]); y1 = Math.max(y1, s[i + 1]);
    }
  }
  if (!(x1 >= x0)) return [-1, 1, -1, 1];
  const m = 0.05 * Math.max(x1 - x0, y1 - y0, 1e-3);
  return [x0 - m, x1 + m, y0 - m, y1 + m];
}

/** Normalized histogram of samples on a cells x cells grid over bounds; out-of-bounds samples are left out. */
export function histogram(s, bounds, cells) {
  const [x0, x1, y0, y1] = bounds;
  const h = new Float64Array(cells * cells);
  let total = 0;
  for (let i = 0; i + 1 < s.length; i += 2) {
    const cx = Math.floor(((s[i] - x0) / (x1 - x0)) * cells), cy = Math.floor(((s[i + 1] - y0) / (y1 - y0)) * cells);
    if (cx >= 0 && cx < cells && cy >= 0 && cy < cells) { h[cy * cells + cx]++; total++; }
  }
  if (total) for (let i = 0; i < h.length; i++) h[i] /= total;
  return h;
}

/**
 * KL(real || fake) and JS divergence (natural log; JS is at most ln 2) between the two sample sets'
 * histograms on a grid. KL adds eps to every fake cell so that a missed region gives a large,
 * finite number rather than infinity.
 */
export function divergences(real, fake, { cells = 40, bounds = boundsOf(real), eps = 1e-6 } = {}) {
  const p = histogram(real, bounds, cells), q = histogram(fake, bounds, cells);
  let kl = 0, js = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] > 0) kl += p[i] * Math.log(p[i] / (q[i] + eps));
    const m = (p[i] + q[i]) / 2;
    if (p[i] > 0) js += 0.5 * p[i] * Math.log(p[i] / m);
    if (q[i] > 0) js += 0.5 * q[i] * Math.log(q[i] / m);
  }
  return { kl, js };
}
