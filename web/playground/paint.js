// paint.js - colours and number formats the heatmap, the network diagram and the read-outs share.

// TensorFlow Playground's orange (class 0 / negative) and blue (class 1 / positive), plus colours for classes 2-4.
export const COLORS = [[245, 147, 34], [8, 119, 189], [60, 160, 70], [150, 80, 190], [200, 50, 60]];

export const fmtLoss = (v) => (v == null || !Number.isFinite(v) ? '\u2013' : v.toFixed(3));
export const fmtAcc = (v) => (v == null || !Number.isFinite(v) ? '\u2013' : `${(v * 100).toFixed(1)}%`);
export const fmtRate = (v) => (v >= 1000 ? `${Math.round(v).toLocaleString('en-US')}` : v.toFixed(v >= 10 ? 0 : 1));

/** rgb faded towards white: a = 0 white, 1 the full colour. */
export function mix(rgb, a) {
  return [255 + (rgb[0] - 255) * a, 255 + (rgb[1] - 255) * a, 255 + (rgb[2] - 255) * a];
}

/** Colour of the output at one point: t in [-1, 1] (orange..white..blue) or class probabilities. */
export function colorAt(s, heat, i, discretize) {
  if (s.outputs > 1) {
    let best = 0;
    for (let k = 1; k < s.outputs; k++) if (heat[i * s.outputs + k] > heat[i * s.outputs + best]) best = k;
    const p = heat[i * s.outputs + best];
    const a = discretize ? 0.75 : Math.max(0, Math.min(1, (p - 1 / s.outputs) / (1 - 1 / s.outputs))) * 0.65;
    return mix(COLORS[best % COLORS.length], a);
  }
  let t = s.regression ? heat[i] : 2 * heat[i] - 1;
  if (!Number.isFinite(t)) return [200, 200, 200];
  if (discretize) t = t < 0 ? -1 : 1;
  t = Math.max(-1, Math.min(1, t));
  return mix(t < 0 ? COLORS[0] : COLORS[1], Math.abs(t) * 0.65);
}

export function pointColor(s, y) {
  if (s.regression) {
    const t = Math.max(-1, Math.min(1, y));
    return mix(t < 0 ? COLORS[0] : COLORS[1], 0.35 + 0.65 * Math.abs(t));
  }
  return COLORS[Math.round(y) % COLORS.length];
}

/** Colour of one neuron's (or input feature's) value: -1 orange .. 0 white .. +1 blue, clamped. */
export function nodeColor(v) {
  if (!Number.isFinite(v)) return [200, 200, 200];
  const t = Math.max(-1, Math.min(1, v));
  return mix(t < 0 ? COLORS[0] : COLORS[1], Math.abs(t) * 0.8);
}

/** Paint g x g values (values[i * stride + offset]) into ctx's box, through a scratch canvas. */
const scratch = document.createElement('canvas');
const images = {};
export function paintMap(ctx, g, values, stride, offset, color, x, y, w, h, smooth) {
  if (scratch.width !== g) { scratch.width = g; scratch.height = g; }
  const sctx = scratch.getContext('2d');
  const img = (images[g] ||= sctx.createImageData(g, g)); // reused: no garbage per neuron and frame
  for (let i = 0; i < g * g; i++) {
    const [r, gr, b] = color(values, i * stride + offset, i);
    img.data[4 * i] = r; img.data[4 * i + 1] = gr; img.data[4 * i + 2] = b; img.data[4 * i + 3] = 255;
  }
  sctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = smooth;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(scratch, x, y, w, h);
}

// The output's colours, painted once per snapshot at grid size; the big heatmap and the diagram's output scale it.
export const outputCanvas = document.createElement('canvas');
