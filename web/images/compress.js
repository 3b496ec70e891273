// compress.js - the images page's Compress panel: prune the page's model to a target sparsity
// (with a short fine-tune) and quantize it to int8 in the worker (images/compress-worker.js), then
// show test accuracy and file sizes for each setting tried, as a table and as curves against
// sparsity, the weights before and after, and the sparsity per layer. This file only builds the
// panel, sends messages and draws what comes back.
import { el } from '../dom.js';

const SWEEP = [0, 0.5, 0.8, 0.9, 0.95];
const BATCHES = [100, 300, 1000]; // fine-tune lengths offered; the schedule reaches the target at 2/3
const COLORS = { float: '#0877bd', int8: '#f59322' };
const ZERO_RGB = [34, 34, 34]; // pruned weights: dark, unlike any weight's colour

const pct = (v, digits = 1) => (v == null || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(digits)}%`);
const kb = (n) => (n == null ? '–' : n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);

const EXPLAIN = [
  'Pruning sets the smallest weights of every kernel to exactly zero, raising the share of zeros step by step while the network ' +
  'fine-tunes on the training images, so the rest of the weights learn to make up for them. A file stores the surviving weights ' +
  'and a bitmap of where they are, so it shrinks with the sparsity.',
  'Quantization stores each weight as an 8-bit integer plus one float scale per output channel instead of a 32-bit float: about 4x ' +
  'smaller, for a small rounding error. The two combine.',
];
const CURVE_HINT = 'Each point is a setting tried (Prune, or Sweep for several). Accuracy is on the 2,000 test images; sizes are the ' +
  'bytes of model.save() without the optimizer state (solid) and gzipped (dashed). Look for the knee: up to some sparsity the ' +
  'accuracy hardly moves while the file keeps shrinking. Past it, a longer fine-tune wins much of the accuracy back ' +
  '(for the pretrained CNN at 90% sparsity: about 88% after 300 batches, 95% after 1000).';

/**
 * The panel, in `section` (the page's <section id="compress">). page: { send, stopTraining,
 * download(blob, name), datasetName() }. Returns { onMessage(m) } (true when the message was the panel's).
 */
export function initCompress(section, page) {
  const ui = {};
  const id = (name) => `c-${name}`;
  const button = (name, text, cls = '') => (ui[name] = el('button', { id: id(name), type: 'button', class: cls, text }));
  const canvas = (name, label, w, h) => (ui[name] = el('canvas', { id: id(name), width: String(w), height: String(h), role: 'img', 'aria-label': label }));

  ui.sparsity = el('input', { id: id('sparsity'), type: 'range', min: '0', max: '95', step: '5', value: '80' });
  ui.sparsityOut = el('output', { id: id('sparsity-out'), for: id('sparsity'), text: '80%' });
  ui.int8 = el('input', { id: id('int8'), type: 'checkbox' });
  ui.batches = el('select', { id: id('batches') });
  for (const n of BATCHES) ui.batches.append(el('option', { value: String(n), text: `${n} batches` }));
  ui.batches.value = String(BATCHES[1]);
  ui.progress = el('progress', { id: id('progress'), max: '1', value: '0', 'aria-label': 'Pruning progress' });
  ui.status = el('p', { id: id('status'), class: 'hint', role: 'status', 'aria-live': 'polite', text: 'Prune the model on this page (the pretrained one, or one you trained).' });
  ui.sizes = el('table', { id: id('sizes'), class: 'c-table' });
  ui.layers = el('table', { id: id('layers'), class: 'c-table' });

  section.append(
    ...EXPLAIN.map((t) => el('p', { class: 'hint c-explain', text: t })),
    el('div', { class: 'c-controls' },
      el('div', { class: 'c-slider' }, el('label', { for: id('sparsity'), text: 'Target sparsity' }), ui.sparsity, ui.sparsityOut),
      el('div', { class: 'c-slider' }, el('label', { for: id('batches'), text: 'Fine-tune' }), ui.batches),
      el('label', { class: 'check' }, ui.int8, ' int8 weights'),
      el('div', { class: 'run' }, button('prune', 'Prune', 'primary'), button('sweep', 'Sweep 0–95%'),
        button('restore', 'Restore original'), button('download', 'Download compressed model'))),
    el('div', { class: 'c-progress-row' }, ui.progress), ui.status,
    el('div', { class: 'c-grid' },
      el('div', {}, el('h3', { text: 'This setting' }), ui.sizes,
        el('h3', { text: 'Sparsity per layer (share of the kernel at exactly 0)' }), ui.layers),
      el('div', {}, el('h3', { text: 'Test accuracy against sparsity' }), canvas('acc-chart', 'Test accuracy against sparsity, float32 (blue) and int8 (orange)', 480, 220),
        el('h3', { text: 'File size against sparsity' }), canvas('size-chart', 'File size against sparsity, float32 (blue) and int8 (orange); gzipped dashed', 480, 220),
        el('p', { class: 'hint', text: CURVE_HINT }),
        el('details', {}, el('summary', { text: 'The points as a table' }), ui.curve = el('table', { id: id('curve'), class: 'c-table' })))),
    ui.weights = el('div', { class: 'c-weights-box' }, el('h3', { text: 'The weights, before and after' }),
      el('p', { class: 'hint', text: 'Blue positive, orange negative, black: pruned (exactly 0). Same colour scale before and after.' }),
      el('div', { class: 'c-weights' },
      el('figure', {}, el('figcaption', { id: id('conv-title'), text: 'First conv layer filters' }),
        el('div', { class: 'c-pair' }, el('div', {}, el('span', { text: 'before' }), canvas('conv-before', 'First conv layer filters before compressing', 10, 10)),
          el('div', {}, el('span', { id: id('conv-after-label'), text: 'after' }), canvas('conv-after', 'First conv layer filters after compressing', 10, 10)))),
      el('figure', {}, el('figcaption', { id: id('dense-title'), text: 'Dense kernel (a row per unit, a column per input)' }),
        el('div', { class: 'c-stack' }, el('span', { text: 'before' }), canvas('dense-before', 'The largest dense kernel before compressing', 10, 10),
          el('span', { id: id('dense-after-label'), text: 'after' }), canvas('dense-after', 'The largest dense kernel after compressing', 10, 10))))),
  );

  const st = { original: null, result: null, points: new Map(), busy: false, sweep: null, hasModel: false, hasData: false, inUse: null };

  function setBusy(on) {
    st.busy = on;
    const can = st.hasModel && st.hasData;
    ui.prune.disabled = on || !can;
    ui.sweep.disabled = on || !can;
    ui.sweep.textContent = st.sweep ? 'Stop sweep' : 'Sweep 0–95%';
    if (st.sweep) ui.sweep.disabled = false;
    ui.restore.disabled = on || !st.original;
    ui.download.disabled = on || !st.result;
    ui.sparsity.disabled = on;
    ui.batches.disabled = on;
    section.dataset.busy = String(on);
  }
  setBusy(false);

  const target = () => Number(ui.sparsity.value) / 100;
  ui.sparsity.addEventListener('input', () => { ui.sparsityOut.textContent = `${ui.sparsity.value}%`; });

  function prune(sparsity) {
    page.stopTraining();
    setBusy(true);
    ui.progress.value = 0;
    ui.status.textContent = `Pruning to ${pct(sparsity, 0)}…`;
    st.started = performance.now();
    page.send({ type: 'compressPrune', sparsity, quantize: ui.int8.checked, batches: Number(ui.batches.value) });
  }
  ui.prune.addEventListener('click', () => { page.showError(''); prune(target()); });
  ui.sweep.addEventListener('click', () => {
    if (st.sweep) { st.sweep = null; setBusy(st.busy); ui.status.textContent = 'Sweep stopped after this setting.'; return; }
    page.showError('');
    st.sweep = SWEEP.slice(1);
    prune(SWEEP[0]);
  });
  ui.restore.addEventListener('click', () => {
    page.stopTraining();
    setBusy(true);
    page.send({ type: 'compressRestore' });
  });
  ui.download.addEventListener('click', () => page.send({ type: 'compressSave', quantize: ui.int8.checked }));
  ui.int8.addEventListener('change', () => {
    renderSizes();
    renderWeights();
    if (st.result && st.inUse === 'compressed') { setBusy(true); page.send({ type: 'compressUse', quantize: ui.int8.checked }); }
  });

  // ---- results ----

  function renderSizes() {
    const o = st.original;
    const r = st.result;
    const head = el('tr', {}, ...['Model', 'Test accuracy', 'File', 'gzip'].map((t) => el('th', { scope: 'col', text: t })));
    const rows = [];
    // data-* hold the raw numbers (for tests and copy-paste); the text is for people
    const row = (key, name, acc, s, base, cls) => {
      const ratio = base && s ? `${(base / s.bytes).toFixed(1)}× smaller` : '';
      rows.push(el('tr', { class: cls, 'data-row': key }, el('th', { scope: 'row', text: name }),
        el('td', { text: pct(acc), 'data-accuracy': String(acc) }),
        el('td', { 'data-bytes': String(s?.bytes) }, kb(s?.bytes), base && s ? el('span', { class: 'c-ratio', text: ratio }) : ''),
        el('td', { text: kb(s?.gzip), 'data-gzip': String(s?.gzip) })));
    };
    if (o) {
      const base = o.sizes.bytes;
      row('original', 'Original, float32', o.acc, o.sizes, 0, st.inUse !== 'compressed' ? 'in-use' : '');
      row('original-int8', 'Original, int8', o.accInt8, o.sizesInt8, base, '');
      if (r) {
        const name = `Pruned to ${pct(r.sparsity, 1)}`;
        const q = ui.int8.checked;
        row('pruned', `${name}, float32`, r.acc, r.sizes, base, st.inUse === 'compressed' && !q ? 'in-use' : '');
        row('pruned-int8', `${name}, int8`, r.accInt8, r.sizesInt8, base, st.inUse === 'compressed' && q ? 'in-use' : '');
      }
    }
    ui.sizes.replaceChildren(el('caption', { text: 'Bold: the model the page uses now (drawing pad, test set, Save model)' }),
      el('thead', {}, head), el('tbody', {}, ...rows));
  }

  function renderLayers() {
    const o = st.original;
    const r = st.result;
    const head = el('tr', {}, ...['Layer', 'Weights', 'Before', 'After'].map((t) => el('th', { scope: 'col', text: t })));
    const rows = (o?.layers || []).map((l) => {
      const after = r?.layers.find((x) => x.layer === l.layer);
      return el('tr', { 'data-layer': l.name, 'data-before': String(l.sparsity), 'data-after': String(after?.sparsity ?? '') },
        el('th', { scope: 'row', text: l.name }), el('td', { text: l.weights.toLocaleString('en') }),
        el('td', { text: pct(l.sparsity) }), el('td', { text: after ? pct(after.sparsity) : '–' }));
    });
    if (o) {
      const sum = (ls, k) => ls.reduce((a, l) => a + l[k], 0);
      rows.push(el('tr', { class: 'total' }, el('th', { scope: 'row', text: 'all kernels' }), el('td', { text: sum(o.layers, 'weights').toLocaleString('en') }),
        el('td', { text: pct(o.sparsity) }), el('td', { text: r ? pct(r.sparsity) : '–' })));
    }
    ui.layers.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
  }

  /** A line chart drawn at the canvas's displayed size (sharp on phones and high-DPI screens). */
  function chart(c, series, { yMin, yMax, yFmt, empty, legendTop = false }) {
    const dpr = window.devicePixelRatio || 1;
    const W = c.clientWidth || 480;
    const H = Math.round(Math.max(170, Math.min(230, W * 0.48)));
    c.width = Math.round(W * dpr);
    c.height = Math.round(H * dpr);
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const pad = { l: 52, r: 18, t: 10, b: 32 };
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    ctx.strokeStyle = '#ccc';
    ctx.strokeRect(pad.l, pad.t, W - pad.l - pad.r, H - pad.t - pad.b);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#666';
    const X = (x) => pad.l + x * (W - pad.l - pad.r);
    const Y = (y) => pad.t + (1 - (y - yMin) / (yMax - yMin || 1)) * (H - pad.t - pad.b);
    ctx.textAlign = 'center';
    for (const x of [0, 0.25, 0.5, 0.75, 1]) ctx.fillText(`${x * 100}%`, X(x), H - pad.b + 14);
    ctx.fillText('sparsity (share of kernel weights at 0)', X(0.5), H - 4);
    ctx.textAlign = 'right';
    for (let k = 0; k <= 4; k++) {
      const v = yMin + ((yMax - yMin) * k) / 4;
      ctx.fillText(yFmt(v), pad.l - 4, Y(v) + 4);
      ctx.strokeStyle = '#eee';
      ctx.beginPath(); ctx.moveTo(pad.l + 1, Y(v)); ctx.lineTo(W - pad.r - 1, Y(v)); ctx.stroke();
    }
    if (!series.some((s) => s.points.length)) {
      ctx.textAlign = 'left';
      ctx.fillText(empty, pad.l + 10, pad.t + 20);
      return;
    }
    // the legend goes where the curves are not: bottom left under falling accuracy, top right over falling sizes
    let lx = legendTop ? W - pad.r - 8 - series.reduce((a, s) => a + 28 + ctx.measureText(s.label).width, 0) + 8 : pad.l + 8;
    const ly = legendTop ? pad.t + 14 : H - pad.b - 9;
    for (const s of series) {
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = 2;
      ctx.setLineDash(s.dash || []);
      ctx.beginPath();
      s.points.forEach(([x, y], i) => (i ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
      ctx.stroke();
      ctx.setLineDash([]);
      for (const [x, y] of s.points) { ctx.beginPath(); ctx.arc(X(x), Y(y), 3, 0, 2 * Math.PI); ctx.fill(); }
      // legend along the bottom of the plot area
      ctx.textAlign = 'left';
      ctx.setLineDash(s.dash || []);
      ctx.beginPath(); ctx.moveTo(lx, ly); ctx.lineTo(lx + 16, ly); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillText(s.label, lx + 20, ly + 4);
      lx += 28 + ctx.measureText(s.label).width;
    }
    ctx.lineWidth = 1;
  }

  function renderCharts() {
    const pts = [...st.points.values()].sort((a, b) => a.sparsity - b.sparsity);
    const series = (f) => pts.filter((p) => f(p) != null).map((p) => [p.sparsity, f(p)]);
    ui['acc-chart'].dataset.points = ui['size-chart'].dataset.points = String(pts.length);
    const head = el('tr', {}, ...['Sparsity', 'Accuracy', 'int8', 'File', 'int8 file', 'gzip', 'int8 gzip'].map((t) => el('th', { scope: 'col', text: t })));
    ui.curve.replaceChildren(el('thead', {}, head), el('tbody', {}, ...pts.map((p) => el('tr', { 'data-point': JSON.stringify({
      sparsity: p.sparsity, acc: p.acc, accInt8: p.accInt8, bytes: p.sizes.bytes, bytesInt8: p.sizesInt8.bytes }) },
    el('th', { scope: 'row', text: pct(p.sparsity) }), el('td', { text: pct(p.acc) }), el('td', { text: pct(p.accInt8) }),
    ...[p.sizes.bytes, p.sizesInt8.bytes, p.sizes.gzip, p.sizesInt8.gzip].map((b) => el('td', { text: kb(b) }))))));
    const accs = pts.flatMap((p) => [p.acc, p.accInt8]);
    // four grid steps of a round size down from 100%
    const low = accs.length ? Math.min(...accs) - 0.005 : 0.9;
    const step = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25].find((d) => 1 - 4 * d <= low) ?? 0.25;
    const lo = 1 - 4 * step;
    chart(ui['acc-chart'], [
      { label: 'float32', color: COLORS.float, points: series((p) => p.acc) },
      { label: 'int8', color: COLORS.int8, dash: [5, 3], points: series((p) => p.accInt8) },
    ], { yMin: lo, yMax: 1, yFmt: (v) => `${(100 * v).toFixed(step < 0.01 ? 1 : 0)}%`, empty: 'Press Prune or Sweep' });
    const big = Math.max(1024, ...pts.map((p) => p.sizes.bytes)) / 1024 / 4;
    const mag = 10 ** Math.floor(Math.log10(big));
    const kbStep = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 10].map((f) => f * mag).find((d) => d >= big);
    const top = 4 * kbStep * 1024;
    chart(ui['size-chart'], [
      { label: 'float32', color: COLORS.float, points: series((p) => p.sizes.bytes) },
      { label: 'int8', color: COLORS.int8, points: series((p) => p.sizesInt8.bytes) },
      { label: 'gzip', color: '#7aaed6', dash: [4, 3], points: series((p) => p.sizes.gzip) },
      { label: 'int8 gzip', color: '#f5b870', dash: [4, 3], points: series((p) => p.sizesInt8.gzip) },
    ], { yMin: 0, yMax: top, yFmt: (v) => `${+(v / 1024).toFixed(1)} KB`, empty: 'Press Prune or Sweep', legendTop: true });
  }

  /** Tiles of h x w values (diverging colours on white, exact zeros dark), `cols` a row, `scale` px a value. */
  function drawTiles(c, data, n, h, w, { cols, scale, amp }) {
    const rows = Math.ceil(n / cols);
    const tw = w * scale + 2;
    const th = h * scale + 2;
    c.width = Math.max(1, cols * tw - 2);
    c.height = Math.max(1, rows * th - 2);
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    for (let k = 0; k < n; k++) {
      const ox = (k % cols) * tw;
      const oy = Math.floor(k / cols) * th;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          ctx.fillStyle = colour(data[(k * h + y) * w + x], amp);
          ctx.fillRect(ox + x * scale, oy + y * scale, scale, scale);
        }
      }
    }
  }

  /** Blue for positive, orange for negative, fading to white at 0; exactly 0 (pruned) is dark. */
  function rgbOf(v, amp) {
    if (v === 0) return ZERO_RGB;
    const s = Math.min(1, Math.abs(v) / amp);
    return v > 0 ? [255 - s * 247, 255 - s * 136, 255 - s * 66] : [255 - s * 10, 255 - s * 108, 255 - s * 221];
  }
  const colour = (v, amp) => `rgb(${rgbOf(v, amp).map(Math.round).join(',')})`;

  /** A matrix as an image, rows x cols values, each a block of pixels (about 640 wide in all). */
  function drawMatrix(c, m, amp) {
    const sx = Math.max(1, Math.floor(640 / m.cols));
    const sy = Math.max(sx, Math.min(12, Math.floor(120 / m.rows)));
    c.width = m.cols * sx;
    c.height = m.rows * sy;
    const ctx = c.getContext('2d');
    const img = ctx.createImageData(m.cols, m.rows);
    for (let i = 0; i < m.data.length; i++) {
      const rgb = rgbOf(m.data[i], amp);
      img.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
    }
    const tmp = new OffscreenCanvas(m.cols, m.rows);
    tmp.getContext('2d').putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tmp, 0, 0, c.width, c.height);
  }

  const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;

  function renderWeights() {
    const before = st.original?.weights;
    const q = ui.int8.checked && st.result?.weightsInt8; // int8 on: the weights as the int8 file gives them back
    const after = q ? st.result.weightsInt8 : st.result?.weights;
    const label = (r) => `after (${pct(r.sparsity, 0)} sparse${q ? ', int8' : ''})`;
    ui.weights.hidden = !before;
    const conv = before?.conv;
    ui['conv-before'].parentElement.parentElement.parentElement.hidden = !conv;
    if (conv) {
      const amp = maxAbs(conv.data);
      const opts = { cols: Math.min(conv.n, 8), scale: Math.max(3, Math.round(40 / conv.w)), amp };
      $$('conv-title').textContent = `First conv layer (${conv.name.split('/')[0]}): ${conv.n} of ${conv.of} filters, ${conv.h}×${conv.w}, input channel 1`;
      drawTiles(ui['conv-before'], conv.data, conv.n, conv.h, conv.w, opts);
      if (after?.conv) drawTiles(ui['conv-after'], after.conv.data, after.conv.n, after.conv.h, after.conv.w, opts);
      ui['conv-after'].hidden = !after?.conv;
      $$('conv-after-label').textContent = after?.conv ? label(st.result) : 'after: prune first';
    }
    const dense = before?.dense;
    ui['dense-before'].parentElement.parentElement.hidden = !dense;
    if (dense) {
      // the scale of the bulk of the weights (a few large ones would wash the picture out)
      const sorted = Float32Array.from(dense.data, Math.abs).sort();
      const amp = sorted[Math.floor(sorted.length * 0.98)] || maxAbs(dense.data);
      $$('dense-title').textContent = `Dense kernel ${dense.name.split('/')[0]}: ${dense.rows} units (rows) × ${dense.cols} inputs (columns)`;
      drawMatrix(ui['dense-before'], dense, amp);
      if (after?.dense) drawMatrix(ui['dense-after'], after.dense, amp);
      ui['dense-after'].hidden = !after?.dense;
      $$('dense-after-label').textContent = after?.dense ? label(st.result) : 'after: prune first';
    }
  }
  const $$ = (name) => document.getElementById(id(name));

  function render() {
    renderSizes();
    renderLayers();
    renderCharts();
    renderWeights();
  }
  render();
  let resizeTimer = 0;
  window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(renderCharts, 100); });

  function reset() {
    st.original = null;
    st.result = null;
    st.points.clear();
    render();
  }

  function onResult(m) {
    st.result = m;
    st.inUse = 'compressed';
    st.points.set(m.target, m);
    ui.status.textContent = m.target === 0
      ? `No pruning: ${pct(m.acc)} test accuracy, ${kb(m.sizes.bytes)} (int8: ${kb(m.sizesInt8.bytes)}).`
      : `Pruned to ${pct(m.sparsity)} of the kernels at zero with ${m.batches} batches of fine-tuning: ${pct(m.acc)} test accuracy ` +
        `(${pct(m.acc - st.original.acc)} against the original), ${kb(m.sizes.bytes)} (int8: ${kb(m.sizesInt8.bytes)}); ` +
        `${((performance.now() - st.started) / 1000).toFixed(1)} s.`;
    ui.progress.value = 1;
    render();
  }

  return {
    onMessage(m) {
      switch (m.type) {
        case 'compressOriginal':
          st.points.clear();
          st.result = null;
          st.original = m;
          st.points.set(0, { ...m, target: 0 });
          render();
          return true;
        case 'compressProgress':
          if (m.phase === 'restored') {
            st.inUse = 'original';
            setBusy(false);
            ui.status.textContent = 'The original model is back on the page.';
            render();
          } else {
            ui.progress.value = m.total ? m.done / m.total : 0;
            if (m.phase === 'fine-tuning') {
              ui.status.textContent = `Pruning to ${pct(m.target, 0)}: fine-tuning, batch ${m.done} of ${m.total}, ` +
                `${pct(m.sparsity, 0)} of the kernels at zero, loss ${m.loss.toFixed(3)}…`;
            }
          }
          return true;
        case 'compressResult':
          onResult(m);
          return true;
        case 'compressSaved': {
          const name = `${page.datasetName()}-pruned${Math.round(100 * (st.result?.sparsity ?? 0))}${m.quantize ? '-int8' : ''}.nnplay`;
          page.download(new Blob([m.bytes], { type: 'application/octet-stream' }), name);
          return true;
        }
        case 'model':
          st.hasModel = true;
          // the compressed model arriving ends a step of the work; a sweep goes on with the next setting
          if (m.origin === 'compressed' && st.busy) {
            if (st.sweep?.length) {
              const next = st.sweep.shift();
              if (!st.sweep.length) st.sweep = null;
              prune(next);
              ui.sparsity.value = String(Math.round(next * 100));
              ui.sparsityOut.textContent = `${ui.sparsity.value}%`;
            } else {
              st.sweep = null;
              setBusy(false);
            }
          } else if (m.origin !== 'compressed' && !st.busy) {
            st.inUse = null;
            reset(); // a new model: the next Prune starts from it
            ui.status.textContent = 'Prune the model on this page (the pretrained one, or one you trained).';
          }
          setBusy(st.busy);
          return false;
        case 'dataset':
          st.hasData = true;
          setBusy(st.busy);
          return false;
        case 'error':
          if (st.busy) { st.sweep = null; setBusy(false); ui.status.textContent = 'Stopped by an error (above).'; }
          return false;
        default:
          return false;
      }
    },
  };
}
