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

const ARCH_NAMES = { mlp: 'MLP', dcgan: 'DCGAN' };
// the architecture is in the URL (?model=dcgan), so a link opens the page on it
const urlArch = () => { const a = new URLSearchParams(location.search).get('model'); return a in ARCH_NAMES ? a : 'mlp'; };
function setUrlArch(a) {
  const u = new URL(location.href);
  if (a === 'mlp') u.searchParams.delete('model'); else u.searchParams.set('model', a);
  history.replaceState(null, '', u);
}

/** The networks' description under "How it works", and the page's data-arch. */
function showArch(m) {
  const o = m.options;
  $('model').value = o.arch;
  document.body.dataset.model = o.arch;
  const weights = (n) => `${n.toLocaleString('en')} weights`;
  const training = `Both train with Adam (learning rate ${o.lr}, β1 ${o.beta1}) on batches of ${o.batch}.` +
    (o.ema > 0 ? ` The average: b × itself + (1 − b) × G's weights every ${o.emaEvery} steps, b growing from 0.18 to ${o.ema} (a short memory while G changes fast).` : '');
  const ema = o.ema > 0 ? `, samples from the weights' moving average (up to ${o.ema} every ${o.emaEvery} steps)` : '';
  if (o.arch === 'dcgan') {
    const [f1, f2] = o.dFilters;
    $('arch').textContent = `Here (DCGAN): G is ${o.latent} → 7×7×${o.gBase} (dense) → 14×14×${o.gFilters} → 28×28×1 (transposed convolutions 4×4, stride 2${o.bn ? ', batch normalization' : ''}, leaky ReLU ${o.alpha}, tanh out), ${weights(m.gParams)}; ` +
      `D is 28×28×1 → 14×14×${f1} → 7×7×${f2} → 1 (convolutions 4×4, stride 2, leaky ReLU, sigmoid out), ${weights(m.dParams)}. ${training}`;
    document.body.dataset.arch = `DCGAN: G ${o.latent}-7x7x${o.gBase}-14x14x${o.gFilters}-28x28x1, D 28x28x1-14x14x${f1}-7x7x${f2}-1, Adam ${o.lr} (β1 ${o.beta1}), batch ${o.batch}${ema}`;
    return;
  }
  $('arch').textContent = `Here (MLP): G is ${o.latent} → ${o.gUnits.join(' → ')} → 784 (dense layers${o.bn ? ' with batch normalization' : ''}, leaky ReLU ${o.alpha}, tanh out), ${weights(m.gParams)}; ` +
    `D is 784 → ${o.dUnits.join(' → ')} → 1 (leaky ReLU, sigmoid out), ${weights(m.dParams)}. ${training}`;
  document.body.dataset.arch = `G ${o.latent}-${o.gUnits.join('-')}-784${o.bn ? ' (batch norm)' : ''}, D 784-${o.dUnits.join('-')}-1, Adam ${o.lr} (β1 ${o.beta1}), batch ${o.batch}${ema}`;
}

worker.onmessage = ({ data: m }) => {
  switch (m.type) {
    case 'status': status(m.message); break;
    case 'ready': {
      state.ready = true;
      $('version').textContent = m.version;
      $('simd').textContent = m.simd === 'none' ? 'scalar wasm' : `SIMD: ${m.simd}`;
      for (const id of ['play', 'reset', 'save', 'reroll-a', 'reroll-b', 'model']) $(id).disabled = false;
      showArch(m);
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
    case 'model':
      showArch(m);
      setUrlArch(m.options.arch);
      break;
    case 'loaded':
      status(`Loaded the generator from ${m.name} (${m.params.toLocaleString('en')} weights). ` +
        (m.switched ? `It is ${ARCH_NAMES[m.arch]}'s, so the networks switched to ${ARCH_NAMES[m.arch]} with a new discriminator; training goes on from it.`
          : 'Training goes on from it, against the current discriminator.'));
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
$('model').addEventListener('change', () => {
  const a = $('model').value;
  setPlaying(false);
  state.points = [];
  showError('');
  send({ type: 'arch', arch: a });
  status(`${ARCH_NAMES[a]} networks: both start over with new random weights.`);
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
send({ type: 'init', arch: urlArch() });
