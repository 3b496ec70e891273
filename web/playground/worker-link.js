// worker-link.js - the training worker (web/worker.js): starting it, sending it messages, and the
// play state it reports.
import { ui, showError } from './dom.js';

let worker = null;
let ready = false; // the worker has loaded the wasm module and answers
let onMessage = null;

export const workerReady = () => ready;
export const hasWorker = () => !!worker;

/** Start (or restart) the worker; its messages go to `handler` (kept for restarts). */
export function startWorker(handler = onMessage) {
  onMessage = handler;
  ready = false;
  worker = new Worker(new URL('../worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (e) => {
    if (e.data.type === 'ready') ready = true;
    onMessage(e.data);
  };
  worker.onerror = (e) => {
    e.preventDefault?.();
    showError(`The training worker failed: ${e.message || 'it could not start'}. Press Reset to restart it.`);
    worker?.terminate();
    worker = null;
    ready = false;
    setPlaying(false);
    ui.reset.disabled = false;
  };
}

/** Post msg once the worker is ready (before that there is nothing to tell it). */
export function send(msg, transfer) {
  if (worker && ready) worker.postMessage(msg, transfer || []);
}

export function setPlaying(playing) {
  ui.play.setAttribute('aria-pressed', String(playing));
  ui.play.setAttribute('aria-label', playing ? 'Pause' : 'Play');
  if (ready) document.body.dataset.state = playing ? 'playing' : 'paused';
}
