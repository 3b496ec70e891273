// pad.js - a drawing pad on a canvas for mouse, pen and finger (pointer events; touch-action: none
// in the CSS keeps a finger from scrolling the page), read as the digit CNN's 28x28 input.
import { preprocess } from './preprocess.js';

/**
 * Make `canvas` a pad. onChange() runs at most once per frame while drawing and once when a stroke
 * ends. Returns { image(): 784 values in [0, 1] or null when blank, clear(), blank }.
 */
export function drawingPad(canvas, { onChange = () => {} } = {}) {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let down = false;
  let last = null;
  let pending = false;
  let blank = true;
  const changed = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; onChange(); });
  };
  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * canvas.width, ((e.clientY - r.top) / r.height) * canvas.height];
  };
  const stroke = (a, b) => {
    ctx.strokeStyle = '#111';
    ctx.lineWidth = canvas.width / 14; // as the digit pad: strokes as thick as MNIST's
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
    blank = false;
  };
  canvas.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    try { canvas.setPointerCapture(e.pointerId); } catch { /* synthetic events have no capturable pointer */ }
    down = true;
    last = point(e);
    stroke(last, [last[0] + 0.01, last[1]]);
    changed();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!down) return;
    const p = point(e);
    stroke(last, p);
    last = p;
    changed();
  });
  for (const ev of ['pointerup', 'pointercancel', 'lostpointercapture']) {
    canvas.addEventListener(ev, () => { if (down) { down = false; changed(); } });
  }
  return {
    image() {
      if (blank) return null;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const alpha = new Uint8ClampedArray(canvas.width * canvas.height);
      for (let i = 0; i < alpha.length; i++) alpha[i] = data[4 * i + 3];
      return preprocess(alpha, canvas.width, canvas.height);
    },
    clear() {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      blank = true;
      onChange();
    },
    get blank() { return blank; },
  };
}
