// text/generate.js - the Generate tab: corpus and network controls, generating from a seed, the
// next-character bars at the cursor, samples while training and the training figures. The model
// work is in generate-worker.js; this file sends it messages and draws what comes back.
import { download, downloadFiles } from '../download.js';
import { $, el, pct, int, tabWorker, showBuild, pickedFile, selectNearest } from './ui.js';
import { drawChart, thin } from './chart.js';
import { CORPORA, CELLS } from './models.js';

const MAX_SAMPLES = 12;
const NEXT_TEXT = { tang: '《静夜思》\n作者：李白\n床前明月光，', fortunes: 'A man who has nothing to do is' };
const LANG = { tang: 'zh-Hans', fortunes: 'en' };

/** How a character shows in the next-character list (spaces and line breaks made visible). */
const visible = (ch) => (ch === '\n' ? '↵' : ch === ' ' ? '␣' : ch === '\t' ? '⇥' : ch);

export function startGenerate({ onReady }) {
  const state = { corpus: $('g-corpus').value, model: false, sampled: false, playing: false, points: [], genId: 0,
    nextId: 0, nextInFlight: false, nextPending: false, ready: false, outputSeed: '' };
  const { send, status, showError } = tabWorker(new URL('./generate-worker.js', import.meta.url), 'g', onMessage);

  function enable() {
    for (const id of ['g-play', 'g-scratch', 'g-save', 'g-export-tfjs', 'g-export-onnx', 'g-shipped', 'g-generate']) $(id).disabled = !state.model;
  }

  function onMessage(m) {
    switch (m.type) {
      case 'ready': showBuild(m); break;
      case 'status': status(m.message); break;
      case 'corpus':
        status(`${m.title}: ${int(m.characters)} characters, ${int(m.vocab - 1)} different ones, ${int(m.entries)} ${m.name === 'tang' ? 'poems' : 'fortunes'}.`);
        break;
      case 'model': onModel(m); break;
      case 'progress': onProgress(m); break;
      case 'sample': onSample(m); break;
      case 'generated': onGenerated(m); break;
      case 'next': onNext(m); break;
      case 'saved': download(new Blob([m.bytes], { type: 'application/octet-stream' }), `${m.corpus}-model.nnplay`); break;
      case 'exported': status(downloadFiles(m.files, m.note)); break;
      case 'error':
        showError(m.message);
        if (state.playing) setPlaying(false);
        state.nextInFlight = false;
        break;
      default: break;
    }
  }

  // ---- corpus, model, training ----

  function setCorpus(name, { fresh = true } = {}) {
    state.corpus = name;
    for (const id of ['g-output', 'g-samples', 'g-next', 'g-next-text']) $(id).lang = LANG[name];
    $('g-seed').lang = LANG[name];
    if (fresh) {
      $('g-seed').value = CORPORA[name].seed;
      $('g-next-text').value = NEXT_TEXT[name];
      $('g-temp').value = String(CORPORA[name].temperature);
      $('g-temp-value').textContent = $('g-temp').value;
      $('g-output').replaceChildren();
      delete $('g-output').dataset.done;
      const a = CORPORA[name].arch;
      $('g-cell').value = a.cell;
      selectNearest($('g-embedding'), a.embedding);
      selectNearest($('g-units'), a.units);
    }
    setPlaying(false);
    send({ type: 'pause' });
    sendSettings();
    send({ type: 'corpus', name });
    send({ type: 'shipped' });
  }

  function onModel(m) {
    state.model = true;
    state.points = [];
    const a = m.arch;
    if (a.cell) $('g-cell').value = a.cell;
    selectNearest($('g-embedding'), a.embedding);
    selectNearest($('g-units'), a.units);
    selectNearest($('g-lr'), Number(m.lr.toPrecision(6)));
    const what = m.origin === 'shipped' ? 'the shipped model' : m.origin === 'file' ? 'loaded from a file' : 'new random weights';
    $('g-model-info').textContent = `${a.layers.join(' → ')}: ${CELLS[a.cell] ?? '?'} ${a.units ?? ''}, embedding ${a.embedding}, ` +
      `reads ${a.window} characters; ${int(m.params)} weights (${(m.bytes / 1024).toFixed(0)} KB), ${what}.`;
    $('g-summary').textContent = m.summary;
    $('g-samples').replaceChildren();
    // (the shipped model follows a corpus switch, whose status line says what was loaded)
    if (state.sampled && m.origin !== 'shipped') status(m.origin === 'new' ? 'A new network with random weights: press Train.' : `Model ready (${what}).`);
    showError('');
    setStats({ epoch: 0, fraction: 0, rate: 0, steps: 0, trainAcc: null });
    $('g-loss').textContent = '–';
    drawCharts();
    enable();
    nextNow();
  }

  function setStats(m) {
    $('g-epoch').textContent = (m.epoch + m.fraction).toFixed(2);
    $('g-epoch-progress').value = m.fraction;
    $('g-rate').textContent = m.rate ? int(m.rate) : '–';
    $('g-steps').textContent = int(m.steps);
    $('g-train-acc').textContent = pct(m.trainAcc);
  }

  function onProgress(m) {
    setStats(m);
    for (const p of m.points) state.points.push(p);
    if (m.points.length) $('g-loss').textContent = m.points.at(-1)[1].toFixed(3);
    state.points = thin(state.points);
    drawCharts();
  }

  function drawCharts() {
    const empty = 'Press Train to see the curves';
    drawChart($('g-loss-chart'), [{ points: state.points.map((p) => [p[0], p[1]]), color: '#0877bd' }], { empty });
    drawChart($('g-acc-chart'), [{ points: state.points.map((p) => [p[0], p[2]]), color: '#0877bd' }],
      { yMax: 1, format: (v) => `${Math.round(100 * v)}%`, empty });
  }

  function onSample(m) {
    const li = el('li', { class: 'sample' },
      el('p', { class: 'sample-head', text: `${m.steps ? `step ${int(m.steps)}, epoch ${m.epoch.toFixed(2)}` : 'as loaded'}, temperature ${m.temperature}` }),
      el('p', { class: 'sample-text', lang: LANG[state.corpus] }, el('span', { class: 'seed', text: m.seed }), m.text));
    $('g-samples').prepend(li);
    nextNow(); // the bars follow the training too
    while ($('g-samples').children.length > MAX_SAMPLES) $('g-samples').lastElementChild.remove();
    if (!state.sampled) {
      state.sampled = true;
      status('Ready: generate from a seed, or press Train and watch the samples improve.');
      onReady();
    }
  }

  function setPlaying(on) {
    state.playing = on;
    $('g-play').setAttribute('aria-pressed', String(on));
    $('g-play').textContent = on ? 'Pause' : 'Train';
  }

  const temperature = () => Number($('g-temp').value);
  const sendSettings = () => send({ type: 'settings', temperature: temperature(), seed: $('g-seed').value,
    lr: Number($('g-lr').value), sampleLength: state.corpus === 'tang' ? 80 : 160 });

  $('g-play').addEventListener('click', () => {
    showError('');
    setPlaying(!state.playing);
    if (state.playing) sendSettings();
    send({ type: state.playing ? 'play' : 'pause' });
    status(state.playing ? 'Training… press Pause to stop.' : 'Paused.');
    if (!state.playing) nextNow();
  });
  $('g-scratch').addEventListener('click', () => {
    setPlaying(false);
    send({ type: 'pause' });
    send({ type: 'build', arch: { cell: $('g-cell').value, embedding: Number($('g-embedding').value), units: Number($('g-units').value) },
      seed: (Math.random() * 2 ** 32) >>> 0, lr: Number($('g-lr').value) });
  });
  for (const id of ['g-cell', 'g-embedding', 'g-units']) {
    $(id).addEventListener('change', () => status('Press “Train from scratch” to build a network of these sizes.'));
  }
  $('g-corpus').addEventListener('change', () => setCorpus($('g-corpus').value));
  $('g-lr').addEventListener('change', () => send({ type: 'settings', lr: Number($('g-lr').value) }));
  $('g-temp').addEventListener('input', () => { $('g-temp-value').textContent = $('g-temp').value; sendSettings(); });
  $('g-seed').addEventListener('change', sendSettings);
  $('g-save').addEventListener('click', () => send({ type: 'save' }));
  for (const [id, format] of [['g-export-tfjs', 'tfjs'], ['g-export-onnx', 'onnx']]) {
    $(id).addEventListener('click', () => { showError(''); send({ type: 'exportAs', format }); });
  }
  $('g-shipped').addEventListener('click', () => { setPlaying(false); send({ type: 'pause' }); send({ type: 'shipped' }); });
  $('g-file').addEventListener('change', async () => {
    const bytes = await pickedFile($('g-file'));
    if (!bytes) return;
    setPlaying(false);
    send({ type: 'pause' });
    send({ type: 'load', bytes }, [bytes]);
  });

  // ---- generating ----

  $('g-generate').addEventListener('click', () => {
    state.outputSeed = $('g-seed').value;
    $('g-output').replaceChildren(el('span', { class: 'seed', text: state.outputSeed }), el('span', { class: 'cursor', text: '▍' }));
    $('g-output').dataset.done = 'false'; // not the previous run's
    send({ type: 'generate', seed: state.outputSeed, length: Number($('g-length').value), temperature: temperature(), id: ++state.genId });
  });

  function onGenerated(m) {
    if (m.id !== state.genId) return;
    const parts = [el('span', { class: 'seed', text: state.outputSeed }), el('span', { class: 'generated', text: m.text })];
    if (!m.done) parts.push(el('span', { class: 'cursor', text: '▍' }));
    $('g-output').replaceChildren(...parts);
    $('g-output').dataset.done = String(!!m.done);
  }

  // ---- next character at the cursor ----

  function nextNow() {
    if (!state.model) return;
    if (state.nextInFlight) { state.nextPending = true; return; }
    const t = $('g-next-text');
    const at = t.selectionStart ?? t.value.length;
    state.nextInFlight = true;
    state.nextPending = false;
    state.nextBefore = t.value.slice(0, at);
    send({ type: 'next', text: state.nextBefore, id: ++state.nextId });
  }
  for (const ev of ['input', 'click', 'keyup', 'select']) $('g-next-text').addEventListener(ev, nextNow);

  function onNext(m) {
    state.nextInFlight = false;
    if (m.id !== state.nextId) return;
    if (state.nextPending) setTimeout(nextNow); // after this result is shown (one request in flight)
    const best = m.candidates[0]?.[1] || 1;
    $('g-next').replaceChildren(...m.candidates.map(([ch, p], k) => {
      const bar = el('span', { class: 'bar-fill' });
      bar.style.width = `${((100 * p) / best).toFixed(1)}%`;
      return el('li', { class: k === 0 ? 'best' : '', title: ch === '\n' ? 'a line break' : ch === ' ' ? 'a space' : ch },
        el('span', { class: 'prob-name', text: visible(ch) }), el('span', { class: 'bar-track' }, bar),
        el('span', { class: 'prob-value', text: pct(p) }));
    }));
    const tail = Array.from(state.nextBefore).slice(-12).join('').replace(/\n/g, '↵');
    const n = Math.min(m.known, CORPORA[state.corpus].window);
    $('g-next-note').textContent = `After “…${tail}” (the network reads the last ${n} character${n === 1 ? '' : 's'})` +
      (m.skipped ? `; ${m.skipped} character(s) the network does not know were skipped.` : '.');
  }

  window.addEventListener('resize', drawCharts);
  send({ type: 'init' });
  setCorpus(state.corpus);
  return { redraw: drawCharts };
}
