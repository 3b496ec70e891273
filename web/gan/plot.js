// plot.js - drawing the GAN lab's views on a canvas: D's verdict as a heatmap, G's transformation
// (the noise space's grid carried through G, shaded by density), real and generated points, and
// gradient arrows; the target thumbnails; the loss chart.

export const REAL = [27, 158, 75];
export const FAKE = [123, 63, 160];
const HEAT_FAKE = [196, 168, 222]; // D(x) = 0
const HEAT_REAL = [160, 220, 180]; // D(x) = 1
const rgba = ([r, g, b], a = 1) => `rgba(${r},${g},${b},${a})`;

const heatCanvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');

/** A transform from data coordinates to the canvas's pixels for view [x0, x1, y0, y1]. */
export function mapping(view, w, h) {
  const [x0, x1, y0, y1] = view;
  return { x: (x) => ((x - x0) / (x1 - x0)) * w, y: (y) => ((y1 - y) / (y1 - y0)) * h,
    ux: (px) => x0 + (px / w) * (x1 - x0), uy: (py) => y1 - (py / h) * (y1 - y0) };
}

function drawHeat(ctx, heat, w, h) {
  const { size, values } = heat;
  heatCanvas.width = size;
  heatCanvas.height = size;
  const hctx = heatCanvas.getContext('2d');
  const img = hctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const v = Math.min(1, Math.max(0, values[i]));
    // white at 0.5, purple towards 0 (fake), green towards 1 (real)
    const t = Math.abs(v - 0.5) * 2, c = v < 0.5 ? HEAT_FAKE : HEAT_REAL;
    img.data[4 * i] = 255 + (c[0] - 255) * t;
    img.data[4 * i + 1] = 255 + (c[1] - 255) * t;
    img.data[4 * i + 2] = 255 + (c[2] - 255) * t;
    img.data[4 * i + 3] = 255;
  }
  hctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(heatCanvas, 0, 0, w, h);
}

/** Shading for densities: proportional, saturating at the 90th percentile. */
function shade(dens) {
  const sorted = Float64Array.from(dens.filter(Number.isFinite)).sort();
  const ref = sorted[Math.floor(sorted.length * 0.9)] || 1;
  return (d) => (Number.isFinite(d) ? Math.min(0.6, (0.6 * d) / ref) : 0);
}

function drawLattice(ctx, lat, m, dpr) {
  const { n, points: p, mass } = lat;
  if (lat.dim === 1) {
    const dens = Array.from({ length: n }, (_, i) => mass[i] / Math.max(1e-9, Math.hypot(p[2 * i + 2] - p[2 * i], p[2 * i + 3] - p[2 * i + 1])));
    const a = shade(dens);
    ctx.lineCap = 'round';
    ctx.lineWidth = 3 * dpr;
    for (let i = 0; i < n; i++) {
      ctx.strokeStyle = rgba(FAKE, 0.12 + a(dens[i]));
      ctx.beginPath();
      ctx.moveTo(m.x(p[2 * i]), m.y(p[2 * i + 1]));
      ctx.lineTo(m.x(p[2 * i + 2]), m.y(p[2 * i + 3]));
      ctx.stroke();
    }
    return;
  }
  const at = (i, j) => 2 * (j * (n + 1) + i);
  const X = (k) => m.x(p[k]), Y = (k) => m.y(p[k + 1]);
  const dens = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const a = at(i, j), b = at(i + 1, j), c = at(i + 1, j + 1), d = at(i, j + 1);
      // the warped cell's area in data units (shoelace), so the shading does not depend on the zoom
      const area = Math.abs((p[a] * p[b + 1] - p[b] * p[a + 1]) + (p[b] * p[c + 1] - p[c] * p[b + 1]) +
        (p[c] * p[d + 1] - p[d] * p[c + 1]) + (p[d] * p[a + 1] - p[a] * p[d + 1])) / 2;
      dens[j * n + i] = mass[j * n + i] / Math.max(area, 1e-9);
    }
  }
  const alpha = shade(dens);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const a = at(i, j), b = at(i + 1, j), c = at(i + 1, j + 1), d = at(i, j + 1);
      ctx.fillStyle = rgba(FAKE, alpha(dens[j * n + i]));
      ctx.beginPath();
      ctx.moveTo(X(a), Y(a)); ctx.lineTo(X(b), Y(b)); ctx.lineTo(X(c), Y(c)); ctx.lineTo(X(d), Y(d));
      ctx.closePath();
      ctx.fill();
    }
  }
  ctx.strokeStyle = rgba(FAKE, 0.3);
  ctx.lineWidth = 0.7 * dpr;
  ctx.beginPath();
  for (let j = 0; j <= n; j++) {
    for (let i = 0; i <= n; i++) { const k = at(i, j); if (i) ctx.lineTo(X(k), Y(k)); else ctx.moveTo(X(k), Y(k)); }
  }
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++) { const k = at(i, j); if (j) ctx.lineTo(X(k), Y(k)); else ctx.moveTo(X(k), Y(k)); }
  }
  ctx.stroke();
}

function drawPoints(ctx, pts, m, color, r, stroke, alpha = 0.85) {
  ctx.fillStyle = rgba(color, alpha);
  ctx.strokeStyle = stroke;
  ctx.lineWidth = r * 0.45;
  for (let i = 0; i + 1 < pts.length; i += 2) {
    ctx.beginPath();
    ctx.arc(m.x(pts[i]), m.y(pts[i + 1]), r, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}

function drawArrows(ctx, { points, grads }, m, w, dpr) {
  const mags = [];
  for (let i = 0; i < grads.length; i += 2) mags.push(Math.hypot(grads[i], grads[i + 1]));
  mags.sort((a, b) => a - b);
  const ref = mags[Math.floor(mags.length * 0.9)];
  if (!(ref > 0)) return;
  // the 90th percentile push is drawn 7% of the plot's width long; the few strongest are capped at twice that
  const len = (0.07 * w) / ref, cap = 0.14 * w;
  ctx.strokeStyle = 'rgba(40,20,60,0.75)';
  ctx.fillStyle = 'rgba(40,20,60,0.75)';
  ctx.lineWidth = 1.1 * dpr;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = m.x(points[i]), y = m.y(points[i + 1]);
    let dx = grads[i] * len, dy = -grads[i + 1] * len; // canvas y runs down
    let l = Math.hypot(dx, dy);
    if (l > cap) { dx *= cap / l; dy *= cap / l; l = cap; }
    if (l < 1.5 * dpr) continue;
    const ux = dx / l, uy = dy / l, hd = Math.min(5 * dpr, l / 2);
    ctx.beginPath();
    ctx.moveTo(x, y); ctx.lineTo(x + dx, y + dy);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(x + dx, y + dy);
    ctx.lineTo(x + dx - hd * ux - hd * 0.5 * uy, y + dy - hd * uy + hd * 0.5 * ux);
    ctx.lineTo(x + dx - hd * ux + hd * 0.5 * uy, y + dy - hd * uy - hd * 0.5 * ux);
    ctx.closePath();
    ctx.fill();
  }
}

/**
 * The main plot. s: the latest snapshot (view, real, fake, lattice, heat, arrows); views: which
 * layers to draw; tween: { from, t } to draw the generated points part way from `from` to s.fake;
 * drawing: points being drawn by the user (shown instead of the real samples).
 */
export function drawPlot(canvas, s, views, { tween = null, drawing = null, dpr = 1 } = {}) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  if (!s) return;
  const m = mapping(s.view, w, h);
  if (views.heat && s.heat) drawHeat(ctx, s.heat, w, h);
  drawAxes(ctx, s.view, m, w, h, dpr);
  if (views.grid && s.lattice && !drawing) drawLattice(ctx, s.lattice, m, dpr);
  const r = Math.max(1.6, Math.min(3.2, w / 170));
  if (drawing) {
    drawPoints(ctx, drawing.flat(), m, REAL, r * 1.2, 'rgba(255,255,255,0.9)');
    return;
  }
  let fake = s.fake;
  if (tween && tween.from && tween.from.length === fake.length && tween.t < 1) {
    const t = tween.t * tween.t * (3 - 2 * tween.t);
    fake = fake.map((v, i) => tween.from[i] + (v - tween.from[i]) * t);
  }
  if (views.fake && fake) drawPoints(ctx, fake, m, FAKE, r, 'rgba(255,255,255,0.7)');
  // real points on top: they often sit in tight clusters that the generated ones would cover
  // (see-through, so generated points that reached them still show)
  if (views.real && s.real) drawPoints(ctx, s.real, m, REAL, r * 1.1, 'rgba(255,255,255,0.5)', 0.6);
  const arrows = tween && tween.arrows && tween.t < 1 ? tween.arrows : views.arrows ? s.arrows : null;
  if (arrows) drawArrows(ctx, arrows, m, w, dpr);
}

/** Light axes through 0 and tick labels at the view's whole numbers. */
function drawAxes(ctx, view, m, w, h, dpr) {
  const [x0, x1] = view;
  const span = x1 - x0, step = span > 6 ? 2 : span > 2.5 ? 1 : 0.5;
  ctx.strokeStyle = 'rgba(0,0,0,0.07)';
  ctx.lineWidth = dpr;
  ctx.fillStyle = 'rgba(0,0,0,0.35)';
  ctx.font = `${10 * dpr}px system-ui, sans-serif`;
  ctx.beginPath();
  for (let v = Math.ceil(x0 / step) * step; v <= x1; v += step) {
    ctx.moveTo(m.x(v), 0); ctx.lineTo(m.x(v), h);
    ctx.moveTo(0, m.y(v)); ctx.lineTo(w, m.y(v));
  }
  ctx.stroke();
  for (let v = Math.ceil(x0 / step) * step; v <= x1; v += step) {
    if (Math.abs(v) < 1e-9) continue;
    ctx.fillText(String(+v.toFixed(1)), m.x(v) + 2 * dpr, h - 3 * dpr);
  }
}

/** A target's thumbnail: its samples on a small canvas. */
export function drawThumb(canvas, pts) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (!pts || !pts.length) {
    ctx.strokeStyle = rgba(REAL, 0.8);
    ctx.lineWidth = 2;
    ctx.beginPath(); // a squiggle: "draw it yourself"
    for (let i = 0; i <= 30; i++) {
      const t = i / 30, x = w * (0.15 + 0.7 * t), y = h * (0.5 + 0.22 * Math.sin(t * 2 * Math.PI * 1.5));
      if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    }
    ctx.stroke();
    return;
  }
  let lim = 0;
  for (const v of pts) lim = Math.max(lim, Math.abs(v));
  const m = mapping([-lim * 1.2, lim * 1.2, -lim * 1.2, lim * 1.2], w, h);
  ctx.fillStyle = rgba(REAL, 0.7);
  for (let i = 0; i + 1 < pts.length; i += 2) ctx.fillRect(m.x(pts[i]) - 1.5, m.y(pts[i + 1]) - 1.5, 3, 3);
}

/** Losses over steps: D's in dark grey, G's in purple. history: [[step, dLoss, gLoss], ...]. */
export function drawLossChart(canvas, history, dpr = 1) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const vals = history.flatMap((p) => [p[1], p[2]]).filter(Number.isFinite);
  if (history.length < 2 || !vals.length) {
    ctx.fillStyle = '#999';
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.fillText('Losses appear here as it trains', 8 * dpr, h / 2);
    return;
  }
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (hi - lo < 1e-6) { hi += 0.5; lo -= 0.5; }
  const pad = 14 * dpr;
  const x = (i) => pad * 2.2 + (i / (history.length - 1)) * (w - pad * 2.4);
  const y = (v) => pad * 0.6 + (1 - (v - lo) / (hi - lo)) * (h - pad * 1.8);
  ctx.strokeStyle = 'rgba(0,0,0,0.1)';
  ctx.lineWidth = dpr;
  ctx.beginPath(); ctx.moveTo(x(0), y(lo)); ctx.lineTo(w, y(lo)); ctx.moveTo(x(0), y(hi)); ctx.lineTo(w, y(hi)); ctx.stroke();
  ctx.fillStyle = '#888';
  ctx.font = `${10 * dpr}px system-ui, sans-serif`;
  ctx.fillText(hi.toFixed(2), 2, y(hi) + 3 * dpr);
  ctx.fillText(lo.toFixed(2), 2, y(lo) + 3 * dpr);
  ctx.fillText(`step ${history[history.length - 1][0].toLocaleString('en-US')}`, w - 70 * dpr, h - 2 * dpr);
  for (const [k, color] of [[1, '#444'], [2, rgba(FAKE)]]) {
    ctx.beginPath();
    let started = false;
    history.forEach((p, i) => {
      if (!Number.isFinite(p[k])) return;
      if (started) ctx.lineTo(x(i), y(p[k])); else { ctx.moveTo(x(i), y(p[k])); started = true; }
    });
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5 * dpr;
    ctx.stroke();
  }
}
