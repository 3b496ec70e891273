// text/classify.js - the Classify tab: controls, the message box with its spam probability and
// word contributions, the training figures and the test report. The model work is in
// classify-worker.js; this file sends it messages and draws what comes back.
import { download, downloadFiles } from '../download.js';
import { $, el, pct, int, tabWorker, showBuild, pickedFile, selectNearest, describeOnHover } from './ui.js';
import { drawChart, thin } from './chart.js';
import { KERAS_EXAMPLE, CELLS } from './models.js';

const EXAMPLES = {
  spam: 'FREE money!!! Congratulations, you have been selected to receive a cash prize. Click here now to claim your prize, ' +
    'this offer expires in 24 hours. No credit card needed. To be removed from our mailing list reply with REMOVE.',
  ham: 'I upgraded to the new kernel last night and now the sound driver fails to load at boot. Has anyone on the list seen ' +
    'this? I can post the output of dmesg tomorrow if that helps.',
};

export function startClassify({ onReady }) {
  const state = { model: false, test: false, classified: false, playing: false, points: [], vals: [], classifyId: 0,
    inFlight: false, pending: false, words: [], p: null, text: '', ready: false, lastFollow: 0 };
  const w = tabWorker(new URL('./classify-worker.js', import.meta.url), 'c', onMessage);
  const { send, status, showError } = w;

  function checkReady() {
    const ok = state.model && state.test && state.classified;
    for (const id of ['c-play', 'c-scratch', 'c-keras', 'c-save', 'c-export-tfjs', 'c-export-onnx', 'c-shipped']) $(id).disabled = !state.model;
    if (ok && !state.ready) {
      state.ready = true;
      status('Ready: type a message, or press Train.');
      onReady();
    }
  }

  function onMessage(m) {
    switch (m.type) {
      case 'ready': showBuild(m); send({ type: 'shipped' }); break;
      case 'status': status(m.message); break;
      case 'dataset':
        status(`Mail corpus: ${int(m.train)} training mails (${int(m.trainSpam)} spam), ${int(m.test)} test mails (${int(m.testSpam)} spam).`);
        break;
      case 'model': onModel(m); break;
      case 'progress': onProgress(m); break;
      case 'test': onTest(m); break;
      case 'classified': onClassified(m); break;
      case 'example':
        $('message').value = m.text;
        classifyNow();
        break;
      case 'saved': download(new Blob([m.bytes], { type: 'application/octet-stream' }), 'spam-model.nnplay'); break;
      case 'exported': status(downloadFiles(m.files, m.note)); break;
      case 'error':
        showError(m.message);
        if (state.playing) setPlaying(false);
        state.inFlight = false;
        break;
      default: break;
    }
  }

  // ---- model and training ----

  function onModel(m) {
    state.model = true;
    state.points = [];
    state.vals = [];
    const a = m.arch;
    if (a.cell) $('c-cell').value = a.cell;
    selectNearest($('c-embedding'), a.embedding);
    selectNearest($('c-units'), a.units);
    $('c-dropout').value = a.dropout ? '0.2' : '0';
    $('c-mask').checked = a.maskZero;
    selectNearest($('c-lr'), Number(m.lr.toPrecision(6)));
    const what = m.origin === 'shipped' ? 'the shipped model' : m.origin === 'file' ? 'loaded from a file' : 'new random weights';
    $('c-model-info').textContent = `${a.layers.join(' → ')}: ${CELLS[a.cell] ?? '?'} ${a.units ?? ''}, embedding ${a.embedding}` +
      `${a.dropout ? `, dropout ${a.dropout}` : ''}${a.maskZero ? ', padding masked' : ''}; ${int(m.params)} weights (${(m.bytes / 1024).toFixed(0)} KB), ${what}.`;
    $('c-summary').textContent = m.summary;
    if (state.ready) status(m.origin === 'new' ? 'A new network with random weights: press Train.' : `Model ready (${what}).`);
    showError('');
    setStats({ epoch: 0, fraction: 0, rate: 0, steps: 0, trainAcc: null, val: null });
    $('c-loss').textContent = '–';
    drawCharts();
    checkReady();
    classifyNow();
  }

  function setStats(m) {
    $('c-epoch').textContent = (m.epoch + m.fraction).toFixed(2);
    $('c-epoch-progress').value = m.fraction;
    $('c-rate').textContent = m.rate ? int(m.rate) : '–';
    $('c-steps').textContent = int(m.steps);
    $('c-train-acc').textContent = pct(m.trainAcc);
    $('c-val-acc').textContent = pct(m.val?.accuracy);
    $('c-val-loss').textContent = m.val ? m.val.loss.toFixed(4) : '–';
  }

  function onProgress(m) {
    setStats(m);
    for (const p of m.points) state.points.push(p);
    if (m.points.length) $('c-loss').textContent = m.points.at(-1)[1].toFixed(4);
    const last = state.vals.at(-1);
    if (m.val && m.steps > 0 && (!last || m.val.steps !== last[3])) state.vals.push([m.val.at, m.val.loss, m.val.accuracy, m.val.steps]);
    state.points = thin(state.points);
    state.vals = thin(state.vals, 400);
    drawCharts();
    // the message's probability follows the training (now and then: it costs a pass per word)
    if (state.playing && m.points.length && performance.now() - state.lastFollow > 2000) {
      state.lastFollow = performance.now();
      classifyNow();
    }
  }

  function drawCharts() {
    const empty = 'Press Train to see the curves';
    drawChart($('c-loss-chart'), [
      { points: state.points.map((p) => [p[0], p[1]]), color: '#0877bd' },
      { points: state.vals.map((p) => [p[0], p[1]]), color: '#e8710a', dots: true },
    ], { empty });
    drawChart($('c-acc-chart'), [
      { points: state.points.map((p) => [p[0], p[2]]), color: '#0877bd' },
      { points: state.vals.map((p) => [p[0], p[2]]), color: '#e8710a', dots: true },
    ], { yMax: 1, format: (v) => `${Math.round(100 * v)}%`, empty });
  }

  function setPlaying(on) {
    state.playing = on;
    $('c-play').setAttribute('aria-pressed', String(on));
    $('c-play').textContent = on ? 'Pause' : 'Train';
  }

  const arch = () => ({ cell: $('c-cell').value, embedding: Number($('c-embedding').value), units: Number($('c-units').value),
    dropout: Number($('c-dropout').value), maskZero: $('c-mask').checked });
  const seed = () => (Math.random() * 2 ** 32) >>> 0;
  function rebuild(a = arch()) {
    setPlaying(false);
    send({ type: 'pause' });
    send({ type: 'build', arch: a, seed: seed(), lr: Number($('c-lr').value), batchSize: Number($('c-batch').value) });
  }

  $('c-play').addEventListener('click', () => {
    showError('');
    setPlaying(!state.playing);
    send({ type: state.playing ? 'play' : 'pause' });
    status(state.playing ? 'Training… press Pause to stop.' : 'Paused.');
  });
  $('c-scratch').addEventListener('click', () => rebuild());
  $('c-keras').addEventListener('click', () => {
    $('c-cell').value = KERAS_EXAMPLE.cell;
    $('c-embedding').value = String(KERAS_EXAMPLE.embedding);
    $('c-units').value = String(KERAS_EXAMPLE.units);
    $('c-dropout').value = String(KERAS_EXAMPLE.dropout);
    $('c-mask').checked = KERAS_EXAMPLE.maskZero;
    $('c-lr').value = '0.001';
    $('c-batch').value = '32';
    rebuild(KERAS_EXAMPLE);
  });
  for (const id of ['c-cell', 'c-embedding', 'c-units', 'c-dropout', 'c-mask']) {
    $(id).addEventListener('change', () => status('Press “Train from scratch” to build a network of these sizes.'));
  }
  $('c-lr').addEventListener('change', () => send({ type: 'settings', lr: Number($('c-lr').value) }));
  $('c-batch').addEventListener('change', () => send({ type: 'settings', batchSize: Number($('c-batch').value) }));
  $('c-save').addEventListener('click', () => send({ type: 'save' }));
  for (const [id, format] of [['c-export-tfjs', 'tfjs'], ['c-export-onnx', 'onnx']]) {
    $(id).addEventListener('click', () => { showError(''); send({ type: 'exportAs', format, name: 'spam-model' }); });
  }
  $('c-shipped').addEventListener('click', () => { setPlaying(false); send({ type: 'pause' }); send({ type: 'shipped' }); });
  $('c-file').addEventListener('change', async () => {
    const bytes = await pickedFile($('c-file'));
    if (!bytes) return;
    setPlaying(false);
    send({ type: 'pause' });
    send({ type: 'load', bytes }, [bytes]);
  });

  // ---- the message ----

  function classifyNow() {
    if (!state.model) return;
    if (state.inFlight) { state.pending = true; return; }
    state.inFlight = true;
    state.pending = false;
    state.text = $('message').value;
    send({ type: 'classify', text: state.text, id: ++state.classifyId });
  }
  let timer = 0;
  $('message').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(classifyNow, 60); });
  for (const b of document.querySelectorAll('[data-example]')) {
    b.addEventListener('click', () => {
      const which = b.dataset.example;
      if (which === 'test') { send({ type: 'example' }); return; }
      $('message').value = EXAMPLES[which];
      classifyNow();
    });
  }

  // One request in flight; a result is always for the text last sent, so it is shown even when a
  // newer text waits (else steady typing or training would starve the display).
  function onClassified(m) {
    state.inFlight = false;
    if (m.id !== state.classifyId) return;
    showClassified(m);
    if (state.pending) classifyNow();
  }

  function showClassified(m) {
    state.shownText = state.text;
    state.p = m.p;
    state.words = m.words;
    $('p-spam').textContent = pct(m.p);
    $('verdict-word').textContent = m.p >= 0.5 ? 'spam' : 'ham (not spam)';
    $('p-spam').dataset.verdict = m.p >= 0.5 ? 'spam' : 'ham';
    $('gauge-fill').style.width = `${(100 * m.p).toFixed(1)}%`;
    $('gauge-fill').dataset.verdict = $('p-spam').dataset.verdict;
    renderOcclusion(state.text, m);
    if (!state.classified) { state.classified = true; checkReady(); }
  }

  function colorOf(delta, scale) {
    const s = Math.min(1, Math.abs(delta) / scale);
    return delta > 0 ? `rgba(220, 38, 38, ${(0.08 + 0.62 * s).toFixed(3)})` : `rgba(22, 163, 74, ${(0.08 + 0.62 * s).toFixed(3)})`;
  }

  function renderOcclusion(text, m) {
    const box = $('occlusion');
    const parts = [];
    let at = 0;
    const read = m.words.filter((x) => x.read);
    // colours are relative to the strongest word, but never louder than 0.15 of probability warrants
    const scale = Math.max(0.15, ...read.map((x) => Math.abs(x.delta)));
    m.words.forEach((x, i) => {
      if (x.start > at) parts.push(text.slice(at, x.start));
      const span = el('span', { class: `w${x.read ? '' : ' unread'}${x.unknown ? ' unknown' : ''}`, 'data-i': String(i), text: text.slice(x.start, x.end) });
      if (x.read) {
        span.style.background = colorOf(x.delta, scale);
        span.title = describe(i);
      } else span.title = 'Not read: the network reads the first 100 words';
      parts.push(span);
      at = x.end;
    });
    if (at < text.length) parts.push(text.slice(at));
    box.replaceChildren(...parts);
    if (!m.words.length) box.replaceChildren(el('span', { class: 'hint', text: text.trim() ? 'No words the tokenizer keeps.' : 'Type a message above.' }));
    $('word-detail').textContent = m.count > 100 ? `The network reads the first 100 of these ${int(m.count)} words; the rest are grey.` : '';
    const ranked = m.words.map((x, i) => [i, x]).filter(([, x]) => x.read).sort((a, b) => b[1].delta - a[1].delta);
    const list = (ol, items) => ol.replaceChildren(...items.map(([i, x]) => el('li', {},
      el('span', { class: 'tw-word', text: text.slice(x.start, x.end) }),
      el('span', { class: 'tw-value', text: points(x.delta) }))));
    list($('top-spam'), ranked.filter(([, x]) => x.delta > 0.0005).slice(0, 5));
    list($('top-ham'), ranked.filter(([, x]) => x.delta < -0.0005).reverse().slice(0, 5));
    for (const id of ['top-spam', 'top-ham']) {
      if (!$(id).children.length) $(id).replaceChildren(el('li', { class: 'none', text: 'none above 0.05 points' }));
    }
  }

  const points = (d) => `${d >= 0 ? '+' : '−'}${Math.abs(100 * d).toFixed(Math.abs(d) < 0.001 ? 2 : 1)}`;
  function describe(i) {
    const x = state.words[i];
    if (!x) return '';
    const word = state.shownText.slice(x.start, x.end);
    if (!x.read) return `“${word}”: not read (the network reads the first 100 words).`;
    return `“${word}”: ${points(x.delta)} points of spam probability (${pct(state.p - x.delta)} without it)` +
      `${x.unknown ? '; not among the 10,000 words the network knows, read as <OOV>' : ''}.`;
  }
  describeOnHover($('occlusion'), $('word-detail'), (t) => describe(Number(t.dataset.i)));

  // ---- test report ----

  function onTest(m) {
    const names = ['ham', 'spam'];
    const [[tn, fp], [fn, tp]] = m.confusion;
    $('c-test-summary').textContent = `${int(m.n)} test mails, ${pct(m.accuracy)} classified right after ${int(m.steps)} steps.`;
    const head = el('tr', {}, el('th', { scope: 'col', text: 'true \\ predicted' }), ...names.map((n) => el('th', { scope: 'col', text: n })));
    $('c-confusion').tHead.replaceChildren(head);
    $('c-confusion').tBodies[0].replaceChildren(...m.confusion.map((row, r) => {
      const total = row[0] + row[1] || 1;
      return el('tr', {}, el('th', { scope: 'row', text: names[r] }), ...row.map((v, c) => {
        const td = el('td', { text: int(v) });
        if (v) td.style.background = r === c ? `rgba(42, 157, 58, ${0.15 + 0.6 * (v / total)})` : `rgba(245, 147, 34, ${0.15 + 0.85 * (v / total)})`;
        return td;
      }));
    }));
    const stat = (k, v) => el('div', {}, el('dt', { text: k }), el('dd', { text: v }));
    $('c-test-stats').replaceChildren(stat('Accuracy', pct(m.accuracy)), stat('Spam precision', pct(tp / (tp + fp || NaN))),
      stat('Spam recall', pct(tp / (tp + fn || NaN))), stat('Ham flagged as spam', int(fp)));
    $('c-worst').replaceChildren(...m.worst.map((x) => el('li', { class: 'mistake' },
      el('p', { class: 'mistake-head' }, el('strong', { text: `${names[x.label]} ` }), `read as ${names[1 - x.label]}: p(spam) ${pct(x.p)}`),
      el('p', { class: 'mistake-text', text: x.text || '(empty body)' }))));
    if (!m.worst.length) $('c-worst').replaceChildren(el('li', { class: 'hint', text: 'No mistakes on the test set.' }));
    if (!state.test) { state.test = true; checkReady(); }
  }

  window.addEventListener('resize', drawCharts);
  drawCharts();
  send({ type: 'init' });
  return { redraw: drawCharts };
}
