// digits-draw.js - the digit GAN page's canvases: a grid or strip of 28x28 digits with the
// classifier's reading in a corner, the loss chart, the per-digit histogram. Plain DOM, no imports.

const SIDE = 28;
const GREEN = '#2a9d3a', MUTED = '#888';

/**
 * Draw n digits (u8 [n * 784], 255 = ink) into canvas as `cols` columns of cells, ink dark on white,
 * each labelled with the classifier's digit (green when p >= 0.9).
 */
export function drawDigits(canvas, pixels, { cols, top, p }) {
  const n = pixels.length / (SIDE * SIDE);
  const rows = Math.ceil(n / cols);
  const cell = Math.floor(Math.min(canvas.width / cols, canvas.height / rows));
  const ctx = canvas.getContext('2d');
  const img = new ImageData(SIDE * cols, SIDE * rows);
  img.data.fill(255);
  for (let k = 0; k < n; k++) {
    const ox = (k % cols) * SIDE, oy = Math.floor(k / cols) * SIDE;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const v = 255 - pixels[k * SIDE * SIDE + y * SIDE + x];
        const o = ((oy + y) * SIDE * cols + ox + x) * 4;
        img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
      }
    }
  }
  // scale up without smoothing through an offscreen canvas
  const off = new OffscreenCanvas(img.width, img.height);
  off.getContext('2d').putImageData(img, 0, 0);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, cols * cell, rows * cell);
  ctx.strokeStyle = '#e4e4e4';
  ctx.lineWidth = 1;
  for (let c = 1; c < cols; c++) { ctx.beginPath(); ctx.moveTo(c * cell + 0.5, 0); ctx.lineTo(c * cell + 0.5, rows * cell); ctx.stroke(); }
  for (let r = 1; r < rows; r++) { ctx.beginPath(); ctx.moveTo(0, r * cell + 0.5); ctx.lineTo(cols * cell, r * cell + 0.5); ctx.stroke(); }
  if (!top) return;
  ctx.font = `600 ${Math.max(9, Math.round(cell / 4.5))}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (let k = 0; k < n; k++) {
    ctx.fillStyle = p[k] >= 0.9 ? GREEN : MUTED;
    ctx.fillText(String(top[k]), (k % cols) * cell + 3, Math.floor(k / cols) * cell + 2);
  }
}

/** Loss chart over steps: points [[step, dReal, dFake, g], ...]; keeps its y range from 0. */
export function drawLosses(canvas, points) {
  const ctx = canvas.getContext('2d');
  const W = canvas.width, H = canvas.height, pad = { l: 34, r: 8, t: 8, b: 20 };
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = MUTED;
  if (!points.length) { ctx.fillText('Press Train to start', pad.l + 8, H / 2); return; }
  const x1 = Math.max(points[points.length - 1][0], 1);
  let ymax = 0;
  for (const q of points) ymax = Math.max(ymax, q[1], q[2], q[3]);
  ymax = Math.min(Math.max(ymax, 1), 8);
  const X = (s) => pad.l + (s / x1) * (W - pad.l - pad.r);
  const Y = (v) => pad.t + (1 - Math.min(v, ymax) / ymax) * (H - pad.t - pad.b);
  ctx.strokeStyle = '#eee';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let v = 0; v <= ymax + 1e-9; v += ymax > 4 ? 2 : 1) {
    ctx.beginPath(); ctx.moveTo(pad.l, Y(v)); ctx.lineTo(W - pad.r, Y(v)); ctx.stroke();
    ctx.fillText(v.toFixed(0), pad.l - 4, Y(v));
  }
  ctx.strokeStyle = '#bbb';
  ctx.setLineDash([4, 3]);
  ctx.beginPath(); ctx.moveTo(pad.l, Y(Math.LN2)); ctx.lineTo(W - pad.r, Y(Math.LN2)); ctx.stroke();
  ctx.setLineDash([]);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(`${Math.round(x1).toLocaleString('en')} steps`, W - pad.r - 70, H - 5);
  ctx.fillText('0', pad.l, H - 5);
  // at most ~2 points per pixel: average runs of points
  const per = Math.max(1, Math.ceil(points.length / ((W - pad.l - pad.r) * 2)));
  const series = [[1, '#0877bd'], [2, '#f59322'], [3, '#2a9d3a']];
  for (const [i, color] of series) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let k = 0; k < points.length; k += per) {
      let s = 0, v = 0, m = 0;
      for (let j = k; j < Math.min(k + per, points.length); j++) { s += points[j][0]; v += points[j][i]; m++; }
      const px = X(s / m), py = Y(v / m);
      if (k === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    }
    ctx.stroke();
  }
}

/** Bars per digit: counts (confident reads) out of n; a digit with none is marked missing. */
export function drawHistogram(canvas, counts, n) {
  const ctx = canvas.getContext('2d');
  const W = canvas.width, H = canvas.height, base = H - 18, top = 14;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const max = Math.max(1, ...counts, Math.ceil(n / 10));
  const bw = W / counts.length;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  // the height one digit would have if all n samples were read confidently, evenly
  const even = base - ((n / 10) / max) * (base - top);
  ctx.strokeStyle = '#bbb';
  ctx.setLineDash([4, 3]);
  ctx.beginPath(); ctx.moveTo(0, even); ctx.lineTo(W, even); ctx.stroke();
  ctx.setLineDash([]);
  counts.forEach((c, d) => {
    const h = (c / max) * (base - top);
    ctx.fillStyle = c ? '#0877bd' : '#f59322';
    ctx.fillRect(d * bw + 4, base - h, bw - 8, h);
    ctx.fillStyle = '#222';
    ctx.fillText(String(d), d * bw + bw / 2, H - 4);
    ctx.fillStyle = c ? MUTED : '#c0392b';
    ctx.fillText(c ? String(c) : 'none', d * bw + bw / 2, Math.max(top - 2, base - h - 3));
  });
}
