// text/ui.js - small DOM helpers the text page's tabs share. Text from files, corpora or models is
// only ever set with textContent, never as HTML.

import { $, el } from '../dom.js';

export { $, el };

export const pct = (v, digits = 1) => (v == null || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(digits)}%`);
export const int = (v) => Math.round(v).toLocaleString('en');

/** A module Worker for one tab, with its status line and error box (prefix: 'c' or 'g'). */
export function tabWorker(url, prefix, onMessage) {
  const worker = new Worker(url, { type: 'module' });
  const showError = (text) => {
    $(`${prefix}-error`).textContent = text;
    $(`${prefix}-error`).hidden = !text;
  };
  worker.onmessage = ({ data }) => onMessage(data);
  worker.onerror = (e) => showError(`The worker failed: ${e.message || 'unknown error'}`);
  return {
    send: (msg, transfer) => worker.postMessage(msg, transfer || []),
    status: (text) => { $(`${prefix}-status`).textContent = text; },
    showError,
  };
}

/** The footer's build facts, from whichever worker answers first. */
export function showBuild(m) {
  $('simd').textContent = m.simd;
  $('version').textContent = m.version;
}

/** A file input's bytes (or null), then clear it so the same file can be picked again. */
export async function pickedFile(input) {
  const f = input.files[0];
  input.value = '';
  return f ? f.arrayBuffer() : null;
}

/** Pick the option whose value is closest to v (the selects list the sizes a model may have). */
export function selectNearest(select, v) {
  if (v == null) return;
  const opts = [...select.options];
  const exact = opts.find((o) => o.value === String(v));
  if (exact) { select.value = exact.value; return; }
  if (Number.isFinite(Number(v))) {
    select.append(el('option', { value: String(v), text: String(v) }));
    select.value = String(v);
  }
}

/** Tooltips that also work by tap and keyboard: set `detail` to show a sentence for a target. */
export function describeOnHover(container, detail, describe) {
  const show = (target) => { detail.textContent = target ? describe(target) : ''; };
  container.addEventListener('pointerover', (e) => show(e.target.closest('[data-i]')));
  container.addEventListener('click', (e) => show(e.target.closest('[data-i]')));
  container.addEventListener('focusin', (e) => show(e.target.closest('[data-i]')));
}
