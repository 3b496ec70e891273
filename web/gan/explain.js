// explain.js - the slow-motion narration: what one D or G update just did, in words, from the
// measurements the worker takes on a fixed check batch before and after it. Plain JS, no DOM.

const mean = (a) => a.reduce((s, v) => s + v, 0) / (a.length || 1);

/**
 * D's and G's losses for D's outputs on real points (dr) and generated points (df), as the lab
 * defines them for settings s: log loss (the real label lowered by label smoothing) or least squares.
 */
export function lossesOf(dr, df, s) {
  const eps = 1e-7, realLabel = 1 - (s.labelSmoothing || 0);
  const log = (v) => Math.log(Math.min(1 - eps, Math.max(eps, v)));
  if (s.loss === 'leastSquares') {
    return { d: mean(dr.map((v) => (v - realLabel) ** 2)) + mean(df.map((v) => v * v)), g: mean(df.map((v) => (v - 1) ** 2)) };
  }
  const d = -mean(dr.map((v) => realLabel * log(v) + (1 - realLabel) * log(1 - v))) - mean(df.map((v) => log(1 - v)));
  const g = s.loss === 'minimax' ? mean(df.map((v) => log(1 - v))) : -mean(df.map((v) => log(v)));
  return { d, g };
}

export const G_LOSS_TEXT = {
  minimax: 'log(1 &minus; D(G(z))), the original minimax loss',
  nonSaturating: '&minus;log D(G(z)), the non-saturating loss',
  leastSquares: '(D(G(z)) &minus; 1)&sup2;, the least-squares loss',
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
    out.push(`<p>D saw ${e.batchSize} real and ${e.batchSize} generated points` +
      (e.pack > 1 ? `, ${e.pack} at a time (packing: a generator that piles its points up is easy to spot in a pack)` : '') +
      ` and took ${plural(e.dSteps, `${opt(e.dOptimizer)} step`)} to tell them apart` +
      (e.labelSmoothing > 0 ? `, aiming at ${f(1 - e.labelSmoothing, 1)} for real points rather than 1 (label smoothing)` : '') + '.</p>');
    out.push(`<p>On a fixed check batch its loss ${moveWord(e.before.d, after.d)} from ${f(e.before.d)} to ${f(after.d)}. ` +
      `It now gives real points ${f(after.real, 2)} (was ${f(e.before.real, 2)}) and generated ones ${f(after.fake, 2)} (was ${f(e.before.fake, 2)}); 1 means "real".</p>`);
    if (!e.which.g) out.push('<p>The background shows D\'s new verdict. Next, G moves its points along the arrows, towards where D says "real".</p>');
  }
  if (e.which.g) {
    const before = e.mid || e.before;
    out.push(`<p class="phase">G's turn</p>`);
    out.push(`<p>G turned ${e.batchSize} fresh noise values into points, asked D about them and changed its weights (one ${opt(e.gOptimizer)} step) ` +
      `so that D calls them more real. Each generated point moved along its arrow, on average by ${f(e.moved)} ` +
      `(${f((100 * e.moved) / e.viewSize, 1)}% of the plot's width).</p>`);
    out.push(`<p>G's loss, ${G_LOSS_TEXT[e.loss] || e.loss}, ${moveWord(before.g, e.after.g)} from ${f(before.g)} to ${f(e.after.g)} on the check batch; ` +
      `D now gives the generated points ${f(e.after.fake, 2)} (was ${f(before.fake, 2)}).</p>`);
    out.push('<p>Next, D gets to look again: G\'s points have moved, so D\'s verdict is out of date.</p>');
  }
  return out.join('');
}
