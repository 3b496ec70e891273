// explain.js - the slow-motion narration: what one D or G update just did, in words, from the
// measurements the worker takes on a fixed check batch before and after it. Plain JS, no DOM.

const mean = (a) => a.reduce((s, v) => s + v, 0) / (a.length || 1);

/**
 * D's and G's losses for D's outputs on real points (dr) and generated points (df), as lab.js
 * trains them for settings s: D's loss is the mean over its batch of real and fake points (binary
 * cross-entropy towards the real label s.labelSmoothing and 0, or squared error for least squares);
 * G's is log(1 - D), -log D or (D - 1)^2 averaged over its points.
 */
export function lossesOf(dr, df, s) {
  const eps = 1e-7, label = s.labelSmoothing ?? 1;
  const log = (v) => Math.log(Math.min(1 - eps, Math.max(eps, v)));
  if (s.loss === 'leastSquares') {
    return { d: (mean(dr.map((v) => (v - label) ** 2)) + mean(df.map((v) => v * v))) / 2, g: mean(df.map((v) => (v - 1) ** 2)) };
  }
  const d = (-mean(dr.map((v) => label * log(v) + (1 - label) * log(1 - v))) - mean(df.map((v) => log(1 - v)))) / 2;
  const g = s.loss === 'minimax' ? mean(df.map((v) => log(1 - v))) : -mean(df.map((v) => log(v)));
  return { d, g };
}

export const G_LOSS_TEXT = {
  minimax: 'log(1 &minus; D(G(z)))',
  nonSaturating: '&minus;log D(G(z))',
  leastSquares: '(D(G(z)) &minus; 1)&sup2;',
};

const f = (v, d = 3) => `<span class="num">${Number.isFinite(v) ? v.toFixed(d) : '&ndash;'}</span>`;
const moveWord = (a, b) => (b < a ? 'fell' : b > a ? 'rose' : 'stayed');
const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** The narration of one explained step (the worker's `explain` record) as HTML (numbers and fixed text only). */
export function narrate(e) {
  const out = [];
  const opt = (o) => (o === 'adam' ? 'Adam' : 'SGD');
  if (e.which.d) {
    const after = e.mid || e.after;
    out.push(`<p class="phase">D's turn</p>`);
    out.push(`<p>D saw ${e.batchSize * e.pack} real and ${e.batchSize * e.pack} generated points` + (e.pack > 1 ? ` (${e.pack} at a time: packing)` : '') +
      ` and took ${plural(e.dSteps, `${opt(e.dOptimizer)} step`)} to tell them apart` +
      (e.labelSmoothing < 1 ? `, aiming at ${f(e.labelSmoothing, 1)} for real points (label smoothing)` : '') + '.</p>');
    out.push(`<p>Its loss on a fixed check batch ${moveWord(e.before.d, after.d)} from ${f(e.before.d)} to ${f(after.d)}. ` +
      `Real points now get ${f(after.real, 2)} (were ${f(e.before.real, 2)}), generated ones ${f(after.fake, 2)} (were ${f(e.before.fake, 2)}); 1 means "real".</p>`);
    if (!e.which.g) out.push('<p>The background shows D\'s new verdict. Next, G moves its points along the arrows, towards where D says "real".</p>');
  }
  if (e.which.g) {
    const before = e.mid || e.before;
    out.push(`<p class="phase">G's turn</p>`);
    out.push(`<p>G turned ${e.batchSize * e.pack} fresh noise values into points and took one ${opt(e.gOptimizer)} step to make D call them more real: ` +
      `each point moved along its arrow, on average by ${f(e.moved)} (${f((100 * e.moved) / e.viewSize, 1)}% of the plot's width).</p>`);
    out.push(`<p>G's loss, ${G_LOSS_TEXT[e.loss] || e.loss}, ${moveWord(before.g, e.after.g)} from ${f(before.g)} to ${f(e.after.g)}; ` +
      `D now gives its points ${f(e.after.fake, 2)} (were ${f(before.fake, 2)}).</p>`);
    out.push('<p>Next, D looks again: G\'s points have moved.</p>');
  }
  return out.join('');
}
