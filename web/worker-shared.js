// worker-shared.js - what both module workers (worker.js, images-worker.js) need: posting replies
// and errors, yielding to the message queue, one queue that keeps model calls from overlapping.
import * as nn from '../wasm/nnplay.js';

export const post = (msg, transfer) => self.postMessage(msg, transfer || []);

export const errorText = (err) => (err instanceof Error ? err.message : String(err));

/** Post { type: 'error' }; `text` may reword the error (the images page drops the 'nnplay: ' prefix). */
export function postError(err, context, text = errorText) {
  post({ type: 'error', message: context ? `${context}: ${text(err)}` : text(err) });
}

/** The first reply of a worker: what the wasm build can do, plus the page's own extras. */
export const postReady = (extra) => post({ type: 'ready', simd: nn.info().simd, version: nn.version, ...extra });

// setTimeout(0) is clamped to 4 ms when nested; a MessageChannel round trip is not.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
export const yieldNow = () => new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });

/** A function that runs async jobs one after another; a job that throws goes to onError, the next one still runs. */
export function serialQueue(onError) {
  let queue = Promise.resolve();
  return (job) => (queue = queue.then(job).catch(onError));
}

/** fn (a training loop) wrapped so that a call while one still runs does nothing; `.running` says
 *  whether one runs, so a message can wait for the loop to let go of the model. */
export function singleRun(fn) {
  const run = async () => {
    if (run.running) return;
    run.running = true;
    try {
      await fn();
    } finally {
      run.running = false;
    }
  };
  run.running = false;
  return run;
}
