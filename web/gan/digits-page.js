// digits-page.js - the digit GAN page (gan-digits.html): sends the worker (digits-worker.js) its
// messages and draws what it posts. All model work runs in the worker.
import { download } from '../download.js';
import { drawDigits, drawLosses, drawHistogram } from './digits-draw.js';

const $ = (id) => document.getElementById(id);
const MAX_POINTS = 20000; // loss chart points kept (older ones thinned)

const state = { playing: false, ready: false, points: [], steps: 0 };
const worker = new Worker(new URL('./digits-worker.js', import.meta.url), { type: 'module' });
const send = (msg, transfer) => worker.postMessage(msg, transfer || []);

function showError(text) {
  $('error').textContent = text;
  $('error').hidden = !text;
}
const status = (text) => { $('status').textContent = text; };
const pct = (v) => `${(v * 100).toFixed(1)}%`;
const clock = (ms) => { const s = Math.floor(ms / 1000); return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`; };

function setPlaying(on) {
  state.playing = on;
  $('play').textContent = on ? 'Pause' : 'Train';
  $('play').setAttribute('aria-pressed', String(on));
  document.body.dataset.playing = String(on);
}

worker.onmessage = ({ data: m }) => {
  switch (m.type) {
    case 'status': status(m.message); break;
    case 'ready': {
      state.ready = true;
      $('version').textContent = m.version;
      $('simd').textContent = m.simd === 'none' ? 'scalar wasm' : `SIMD: ${m.simd}`;
      for (const id of ['play', 'reset', 'save', 'reroll-a', 'reroll-b']) $(id).disabled = false;
      const o = m.options;
      $('arch').textContent = `Here: G is ${o.latent} → ${o.gUnits.join(' → ')} → 784 (dense layers${o.bn ? ' with batch normalization' : ''}, leaky ReLU ${o.alpha}, tanh out), ${m.gParams.toLocaleString('en')} weights; ` +
        `D is 784 → ${o.dUnits.join(' → ')} → 1 (leaky ReLU, sigmoid out), ${m.dParams.toLocaleString('en')} weights. Both train with Adam (learning rate ${o.lr}, β1 ${o.beta1}) on batches of ${o.batch}.` +
        (o.ema > 0 ? ` The average: b × itself + (1 − b) × G's weights every ${o.emaEvery} steps, b growing from 0.18 to ${o.ema} (a short memory while G changes fast).` : '');
      document.body.dataset.arch = `G ${o.latent}-${o.gUnits.join('-')}-784${o.bn ? ' (batch norm)' : ''}, D 784-${o.dUnits.join('-')}-1, Adam ${o.lr} (β1 ${o.beta1}), batch ${o.batch}` +
        (o.ema > 0 ? `, samples from the weights' moving average (up to ${o.ema} every ${o.emaEvery} steps)` : '');
      status(`Ready: ${m.count.toLocaleString('en')} real digits. Press Train; recognisable digits take a minute or two.`);
      document.body.dataset.state = 'ready';
      break;
    }
    case 'progress': {
      state.steps = m.steps;
      $('steps').textContent = m.steps.toLocaleString('en');
      $('rate').textContent = m.rate ? m.rate.toFixed(1) : '–';
      $('time').textContent = clock(m.trainMs);
      document.body.dataset.steps = String(m.steps);
      document.body.dataset.trainMs = String(Math.round(m.trainMs));
      document.body.dataset.running = String(m.playing); // the worker's word: false once a pause took effect
      if (m.points.length) {
        state.points.push(...m.points);
        if (state.points.length > MAX_POINTS) state.points = state.points.filter((_, i) => i % 2 === 0);
      }
      if (m.steps === 0) state.points = [];
      drawLosses($('loss-chart'), state.points);
      break;
    }
    case 'samples':
      drawDigits($('grid'), m.grid, { cols: 8, top: m.gridTop, p: m.gridP });
      drawDigits($('strip'), m.strip, { cols: 10, top: m.stripTop, p: m.stripP });
      document.body.dataset.samplesAt = String(m.steps);
      break;
    case 'scores': {
      $('confident').textContent = pct(m.confident);
      $('digits').textContent = `${m.digits}/10`;
      drawHistogram($('histogram'), m.perDigit, m.n);
      $('scores-info').textContent = `At step ${m.steps.toLocaleString('en')} (${clock(m.trainMs)} of training): ${Math.round(m.confident * m.n)} of ${m.n.toLocaleString('en')} read with confidence ≥ 0.9. Bars: how many of those were each digit (dashes: an even share).`;
      $('d-real').textContent = m.dOnReal.toFixed(3);
      $('d-fake').textContent = m.dOnFake.toFixed(3);
      Object.assign(document.body.dataset, { scoredAt: String(m.steps), confident: String(m.confident), digits: String(m.digits),
        perDigit: m.perDigit.join(','), scoredMs: String(Math.round(m.trainMs)) });
      break;
    }
    case 'saved':
      download(new Blob([m.bytes], { type: 'application/octet-stream' }), `digit-generator-${m.steps}-steps.nnplay`);
      status(`Saved the generator after ${m.steps.toLocaleString('en')} steps (${m.bytes.length.toLocaleString('en')} bytes).`);
      break;
    case 'loaded':
      status(`Loaded the generator from ${m.name} (${m.params.toLocaleString('en')} weights). Training goes on from it, against the current discriminator.`);
      break;
    case 'error':
      showError(m.message);
      setPlaying(false);
      break;
  }
};
worker.onerror = (e) => showError(`The training worker failed: ${e.message || 'unknown error'}`);

$('play').addEventListener('click', () => {
  showError('');
  setPlaying(!state.playing);
  send({ type: state.playing ? 'play' : 'pause' });
});
$('reset').addEventListener('click', () => {
  setPlaying(false);
  state.points = [];
  showError('');
  send({ type: 'reset' });
  status('New random weights: both networks start over.');
});
$('reroll-a').addEventListener('click', () => send({ type: 'reroll', end: 0 }));
$('reroll-b').addEventListener('click', () => send({ type: 'reroll', end: 1 }));
$('save').addEventListener('click', () => send({ type: 'save' }));
$('gen-file').addEventListener('change', async () => {
  const f = $('gen-file').files[0];
  $('gen-file').value = '';
  if (!f) return;
  showError('');
  setPlaying(false);
  send({ type: 'pause' });
  const bytes = await f.arrayBuffer();
  send({ type: 'load', bytes, name: f.name }, [bytes]);
});

drawLosses($('loss-chart'), []);
send({ type: 'init' });
