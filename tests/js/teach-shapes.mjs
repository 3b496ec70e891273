// Hand-drawn-like shapes for the Teach panel's tests: a vertical line, a circle and an X (also a
// right and a left arrow, which the digit CNN's features tell apart less easily), each jittered
// by a seeded random source, as strokes of points in fractions of the pad. The browser test draws
// them with the mouse; rasterize() inks them as the page's pad does (round pen, 1/14 of the pad).
import { seeded } from '../../web/seeded.js';

const circle = (cx, cy, rx, ry, a0, n = 24) => Array.from({ length: n + 1 }, (_, i) => {
  const a = a0 + (i / n) * 2 * Math.PI;
  return [cx + rx * Math.sin(a), cy - ry * Math.cos(a)];
});

export const SHAPES = {
  line: (r) => [[[0.5 + j(r, 0.12), 0.15 + j(r, 0.06)], [0.5 + j(r, 0.05), 0.5], [0.5 + j(r, 0.12), 0.85 + j(r, 0.06)]]],
  circle: (r) => [circle(0.5 + j(r, 0.05), 0.5 + j(r, 0.05), 0.27 + j(r, 0.06), 0.27 + j(r, 0.06), j(r, 0.5))],
  cross: (r) => [[[0.22 + j(r, 0.06), 0.2 + j(r, 0.06)], [0.78 + j(r, 0.06), 0.8 + j(r, 0.06)]],
    [[0.78 + j(r, 0.06), 0.2 + j(r, 0.06)], [0.22 + j(r, 0.06), 0.8 + j(r, 0.06)]]],
  right: (r) => arrow(r, 1),
  left: (r) => arrow(r, -1),
};

function arrow(r, dir) {
  const y = 0.5 + j(r, 0.06);
  const tip = 0.5 + dir * (0.32 + j(r, 0.04));
  const back = 0.5 - dir * (0.32 + j(r, 0.04));
  const head = 0.17 + j(r, 0.04);
  return [[[back, y + j(r, 0.03)], [tip, y]], [[tip - dir * head, y - head + j(r, 0.04)], [tip, y], [tip - dir * head, y + head + j(r, 0.04)]]];
}

function j(r, amount) { return (2 * r() - 1) * amount; }

/** n jittered drawings of a shape (strokes of [x, y] fractions), seeded. */
export function drawings(shape, n, seed) {
  const r = seeded(seed);
  return Array.from({ length: n }, () => SHAPES[shape](r));
}

/** The strokes inked into a size x size alpha map (0..255) with a round pen of the given width. */
export function rasterize(strokes, size = 280, width = size / 14) {
  const alpha = new Uint8ClampedArray(size * size);
  const rad = width / 2;
  for (const s of strokes) {
    const pts = s.map(([x, y]) => [x * size, y * size]);
    for (let i = 0; i < pts.length - 1 || (i === 0 && pts.length === 1); i++) {
      const [ax, ay] = pts[i];
      const [bx, by] = pts[Math.min(i + 1, pts.length - 1)];
      const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - rad - 1));
      const x1 = Math.min(size - 1, Math.ceil(Math.max(ax, bx) + rad + 1));
      const y0 = Math.max(0, Math.floor(Math.min(ay, by) - rad - 1));
      const y1 = Math.min(size - 1, Math.ceil(Math.max(ay, by) + rad + 1));
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy || 1;
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const px = x + 0.5;
          const py = y + 0.5;
          const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
          const d = Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
          const v = Math.max(0, Math.min(1, rad + 0.5 - d)) * 255; // one pixel of antialiasing
          if (v > alpha[y * size + x]) alpha[y * size + x] = v;
        }
      }
    }
  }
  return alpha;
}
