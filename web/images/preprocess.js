// preprocess.js - a drawing as the digit CNN expects it: MNIST's own preprocessing, used by the
// drawing pads (pad.js: the digit pad and the Teach panel's) and in Node by the tests.

/**
 * MNIST's preprocessing of a drawing (alpha = ink): crop to the ink's bounding box, scale it to
 * fit 20x20 keeping its aspect ratio (area averaging, so edges get grey levels), then place it in
 * 28x28 so its centre of mass is at the centre. Returns 784 values in [0, 1], or null if blank.
 */
export function preprocess(alpha, width, height) {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (alpha[y * width + x] > 16) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const sw = Math.max(1, Math.round(bw * scale));
  const sh = Math.max(1, Math.round(bh * scale));
  // area-average the box into sw x sh
  const small = new Float32Array(sw * sh);
  const fx = bw / sw;
  const fy = bh / sh;
  for (let ty = 0; ty < sh; ty++) {
    const ya = y0 + ty * fy;
    const yb = ya + fy;
    for (let tx = 0; tx < sw; tx++) {
      const xa = x0 + tx * fx;
      const xb = xa + fx;
      let sum = 0;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const wy = Math.min(yb, y + 1) - Math.max(ya, y);
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const wx = Math.min(xb, x + 1) - Math.max(xa, x);
          sum += wx * wy * (alpha[y * width + x] || 0);
        }
      }
      small[ty * sw + tx] = sum / (fx * fy * 255);
    }
  }
  let m = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) { const v = small[y * sw + x]; m += v; cx += v * (x + 0.5); cy += v * (y + 0.5); }
  const ox = Math.round(14 - cx / m);
  const oy = Math.round(14 - cy / m);
  const out = new Float32Array(784);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const X = x + ox;
      const Y = y + oy;
      if (X >= 0 && X < 28 && Y >= 0 && Y < 28) out[Y * 28 + X] = Math.min(1, small[y * sw + x]);
    }
  }
  return out;
}
