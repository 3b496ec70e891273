// text/chart.js - line charts for the text page: a few series over the epoch axis, drawn at the
// screen's pixel density so they stay sharp on phones.

/**
 * Draw series ({ points: [[x, y]], color, label, dots }) in a canvas sized by CSS. y runs from 0
 * to yMax (default: the largest value); format labels the y axis; empty: the text when no data.
 */
export function drawChart(canvas, series, { yMax = null, format = (v) => v.toFixed(2), empty = 'No data yet' } = {}) {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || 320;
  const cssH = canvas.clientHeight || 140;
  if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(cssH * dpr)) {
    canvas.width = Math.round(cssW * dpr);
    canvas.height = Math.round(cssH * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const W = cssW;
  const H = cssH;
  const pad = { l: 40, r: 10, t: 8, b: 20 };
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.strokeStyle = '#ccc';
  ctx.lineWidth = 1;
  ctx.strokeRect(pad.l + 0.5, pad.t + 0.5, W - pad.l - pad.r, H - pad.t - pad.b);
  ctx.fillStyle = '#666';
  ctx.font = '11px system-ui, sans-serif';
  const all = series.flatMap((s) => s.points);
  if (!all.length) {
    ctx.fillText(empty, pad.l + 8, H / 2);
    return;
  }
  const xMax = Math.max(1e-9, ...all.map((p) => p[0]));
  const xMin = Math.min(...all.map((p) => p[0]));
  const top = yMax ?? (Math.max(...all.map((p) => p[1]).filter(Number.isFinite)) || 1);
  const X = (x) => pad.l + ((x - xMin) / (xMax - xMin || 1)) * (W - pad.l - pad.r);
  const Y = (v) => pad.t + (1 - Math.min(1, Math.max(0, v / top))) * (H - pad.t - pad.b);
  ctx.textAlign = 'right';
  ctx.fillText(format(top), pad.l - 4, pad.t + 9);
  ctx.fillText(format(top / 2), pad.l - 4, Y(top / 2) + 4);
  ctx.fillText(format(0), pad.l - 4, H - pad.b);
  ctx.strokeStyle = '#eee';
  ctx.beginPath();
  ctx.moveTo(pad.l + 1, Math.round(Y(top / 2)) + 0.5);
  ctx.lineTo(W - pad.r - 1, Math.round(Y(top / 2)) + 0.5);
  ctx.stroke();
  ctx.textAlign = 'left';
  const fmtX = (x) => (xMax < 10 ? x.toFixed(1) : x.toFixed(0));
  ctx.fillText(`epoch ${fmtX(xMin)}`, pad.l, H - 5);
  ctx.textAlign = 'right';
  ctx.fillText(fmtX(xMax), W - pad.r, H - 5);
  for (const s of series) {
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    if (!pts.length) continue;
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    pts.forEach((p, i) => (i ? ctx.lineTo(X(p[0]), Y(p[1])) : ctx.moveTo(X(p[0]), Y(p[1]))));
    ctx.stroke();
    if (s.dots || pts.length === 1) for (const p of pts) { ctx.beginPath(); ctx.arc(X(p[0]), Y(p[1]), 2.5, 0, 2 * Math.PI); ctx.fill(); }
  }
}

/** Keep a series short: merge neighbours when it passes max points. */
export function thin(points, max = 800) {
  return points.length > max ? points.filter((_, i) => i % 2 === 0) : points;
}
