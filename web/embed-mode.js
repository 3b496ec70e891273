// embed-mode.js - lets web/embed.js (<nn-playground>, <nn-gan>) show a trimmed page in an iframe.
// Loaded by web/index.html and web/gan.html; it does nothing unless location.hash has `embed=1` and/or `hide=...`:
//   embed=1        hide the page header and footer (the iframe shows just the playground)
//   hide=a,b,...   hide these controls (label and control together); names are listed in embed.js
//                  (the playground's in HIDE below; other pages mark theirs with data-embed-part)
// The playground rewrites the hash with history.replaceState as settings change; this module keeps
// `embed` and `hide` in it, so reloading the frame keeps the embed's look.
import { readHash } from './playground/hash.js';

const HIDE = {
  // the training bar
  play: ['#play'], step: ['#step'], reset: ['#reset'], epoch: ['#epoch'],
  learningRate: ['#lr'], activation: ['#activation'], regularization: ['#regularization', '#reg-rate'],
  regularizationRate: ['#reg-rate'], optimizer: ['#optimizer'], problem: ['#problem'], loss: ['#loss'], speed: ['#speed'],
  // data
  dataset: ['#dataset'], ratio: ['#ratio'], noise: ['#noise'], batch: ['#batch'], regenerate: ['#regenerate'],
  csv: ['.data .io', '#csv-file', '#csv-columns', '#export-csv'],
  // network
  features: ['fieldset.features'], layers: ['.layers-bar', '#layers'], network: ['#network', '.net .hint', '#weight-form'],
  weights: ['#weight-form', '#weight-hint'], points: ['.point-tools'],
  // output
  stats: ['dl.stats'], chart: ['#loss-chart', '#loss-readout'], heatmap: ['#heatmap', '#heatmap-caption'],
  display: ['.output .checks'],
  header: ['header.top'], footer: ['footer.foot'],
};
const ALIASES = { lr: 'learningRate', 'learning-rate': 'learningRate', reg: 'regularization',
  regRate: 'regularizationRate', 'reg-rate': 'regularizationRate' };
// A control inside a `.field` goes with its label (the epoch counter with its caption).
const WRAPPERS = '.field, .stat';

const params = readHash() || new URLSearchParams(); // a hash too long to read: no embed settings either
const embed = params.get('embed') === '1';
const hide = (params.get('hide') || '').split(',').map((s) => s.trim()).filter(Boolean);

if (embed || hide.length) {
  const style = document.createElement('style');
  style.textContent = '[data-embed-hidden] { display: none !important; }' +
    // a hidden panel frees its grid column: the others share the width
    '.grid:has(> .panel[data-embed-hidden]) { grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); }' +
    '.grid:has(> .panel[data-embed-hidden]) > .panel { grid-column: auto; }';
  document.head.append(style);
  if (embed) document.documentElement.dataset.embed = '';
  // Object.hasOwn: 'constructor' or '__proto__' from a link is not a known name
  const names = [...(embed ? ['header', 'footer'] : []), ...hide.map((n) => (Object.hasOwn(ALIASES, n) ? ALIASES[n] : n))];
  // Other pages (gan.html) name their parts in the markup: data-embed-part="name".
  const marked = [...document.querySelectorAll('[data-embed-part]')];
  for (const name of names) {
    const selectors = Object.hasOwn(HIDE, name) ? HIDE[name] : null;
    const parts = marked.filter((el) => el.dataset.embedPart === name);
    if (!selectors && !parts.length) {
      const known = new Set([...Object.keys(HIDE), ...marked.map((el) => el.dataset.embedPart)]);
      console.warn(`nnplay embed: unknown hide name "${name}" (known: ${[...known].join(', ')})`);
      continue;
    }
    for (const el of parts) el.setAttribute('data-embed-hidden', name);
    for (const sel of selectors || []) {
      for (const el of document.querySelectorAll(sel)) {
        const target = (el.matches('select, input, output') && el.closest(WRAPPERS)) || el;
        target.setAttribute('data-embed-hidden', name);
      }
    }
  }
  // A panel with nothing left to show but its heading goes too.
  for (const panel of document.querySelectorAll('.panel')) {
    const rest = [...panel.children].filter((el) => !/^H\d$/.test(el.tagName));
    if (rest.length && rest.every((el) => el.hidden || el.hasAttribute('data-embed-hidden'))) {
      panel.setAttribute('data-embed-hidden', 'panel');
    }
  }
  // Keep embed/hide in the hash when the playground rewrites it.
  const keep = [...params].filter(([k]) => k === 'embed' || k === 'hide');
  const replaceState = history.replaceState.bind(history);
  history.replaceState = (state, title, url) => {
    if (typeof url === 'string' && url.startsWith('#')) {
      const p = new URLSearchParams(url.slice(1));
      for (const [k, v] of keep) if (!p.has(k)) p.set(k, v);
      url = `#${p}`;
    }
    return replaceState(state, title, url);
  };
}
