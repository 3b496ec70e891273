// embed.js - <nn-playground> and <nn-gan> (the GAN lab, at the end): put a live, preconfigured nnplay playground in any page (a tutorial,
// a blog post) with one line:
//
//   <script type="module" src="https://HOST/PATH/web/embed.js"></script>
//   <nn-playground preset="spiral" hide="optimizer,regularization" height="480"></nn-playground>
//
// It renders an iframe (width 100% of its container) on web/index.html next to this file, with the
// configuration in the URL hash in the playground's own format plus `embed=1` (no page header and
// footer) and `hide=...` (controls to hide; web/embed-mode.js applies them inside the frame).
//
// Attributes
//   preset     a starting point: circle, xor, gauss, spiral, plane, gaussBumps, blobs, multiSpiral
//              (the data set, and for spiral a bigger network)
//   hide       comma-separated names of parts to hide:
//                dataset, noise, ratio, batch, regenerate, csv       (data panel)
//                features, layers, network, weights                  (network panel; weights: the
//                                                                     weight editor)
//                learningRate, activation, regularization, regularizationRate, optimizer, loss,
//                speed, problem, play, step, reset, epoch            (training bar)
//                chart, heatmap, stats, display, points              (output panel: loss chart,
//                                                                     output plot, numbers, checkboxes,
//                                                                     the class picker for new points)
//                header, footer                                      (always hidden in an embed)
//              a panel whose every part is hidden disappears, and the other panels take its room
//              aliases: lr / learning-rate = learningRate, reg = regularization
//   height     frame height: a number of pixels or any CSS length; without it the frame keeps
//   aspect     this aspect ratio (CSS aspect-ratio, default "4 / 3")
//   dataset, noise, ratio, batch, features, layers, activation, lr, regularization, reg-rate,
//   optimizer, loss, speed, layer-activations, dropout, seed, show-test, discretize
//              override single settings, same values as the playground's URL (#...): e.g.
//              features="x1,x2,x1sq" layers="8,8" (neurons per hidden layer) lr="0.1"
//              activation="relu" noise="10" regularization="L2" show-test loss="mse" (crossEntropy, mse,
//              mae) speed="60" (epochs/s; 0 = max) layer-activations="relu,tanh" dropout="0.2,0
//              (aliases: learning-rate = lr, reg = regularization)
//   src        the playground page to use (default: index.html next to embed.js)
//   title      the frame's accessible title (default "nnplay playground: <data set>")

// Settings each preset starts from (the playground's defaults fill in the rest).
export const PRESETS = {
  circle: { dataset: 'circle' },
  xor: { dataset: 'xor' },
  gauss: { dataset: 'gauss' },
  spiral: { dataset: 'spiral', features: 'x1,x2,sinx1,sinx2', hidden: '8,8' },
  plane: { dataset: 'plane' },
  gaussBumps: { dataset: 'gaussBumps' },
  blobs: { dataset: 'blobs' },
  multiSpiral: { dataset: 'multiSpiral', features: 'x1,x2,sinx1,sinx2', hidden: '8,8' },
};

// attribute -> the playground's hash key (web/playground/state.js saveHash/loadHash)
const KEYS = {
  dataset: 'dataset', noise: 'noise', ratio: 'ratio', batch: 'batch', features: 'features',
  layers: 'hidden', activation: 'activation', lr: 'lr', 'learning-rate': 'lr',
  reg: 'reg', regularization: 'reg', 'reg-rate': 'regRate', regrate: 'regRate', optimizer: 'optimizer',
  seed: 'seed', loss: 'loss', speed: 'speed', 'layer-activations': 'acts', dropout: 'dropout', 'show-test': 'showTest', showtest: 'showTest', discretize: 'discretize',
};
const FLAGS = new Set(['showTest', 'discretize']);

/** An attribute's value from a Map of them (an element's) or a plain object; null when unset. */
const attrOf = (attrs, n) => (typeof attrs.get === 'function' ? attrs.get(n) : attrs[n]) ?? null;

/**
 * A page's embed URL: the settings `start`, then every attribute of `keys` (attribute -> the page's
 * hash key) that is set, white space removed; the hash keys in `flags` are on/off switches, written
 * 1 for "", "true" or "1" and 0 otherwise. Then embed=1 and the parts to hide, in the hash of
 * the src attribute's URL (default base).
 */
function embedUrl(attrs, base, start, keys, flags) {
  const config = { ...start };
  for (const [attr, key] of Object.entries(keys)) {
    const v = attrOf(attrs, attr);
    if (v == null) continue;
    config[key] = flags.has(key) ? (v === '' || v === 'true' || v === '1' ? '1' : '0') : v.replace(/\s+/g, '');
  }
  const p = new URLSearchParams(config);
  p.set('embed', '1');
  const hide = (attrOf(attrs, 'hide') || '').split(',').map((s) => s.trim()).filter(Boolean);
  if (hide.length) p.set('hide', hide.join(','));
  const url = new URL(attrOf(attrs, 'src') || base.href, base);
  url.hash = p.toString();
  return url.href;
}

/** The playground URL for an element's attributes (exported for tests and other hosts). */
export function playgroundUrl(attrs, base = new URL('./index.html', import.meta.url)) {
  const preset = attrOf(attrs, 'preset');
  const start = Object.hasOwn(PRESETS, preset) ? PRESETS[preset] : preset ? { dataset: preset } : {};
  return embedUrl(attrs, base, start, KEYS, FLAGS);
}

export class NNPlayground extends HTMLElement {
  static observedAttributes = ['preset', 'hide', 'height', 'aspect', 'src', 'title', ...Object.keys(KEYS)];

  connectedCallback() {
    this.render();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.render();
  }

  render() {
    const attrs = new Map([...this.attributes].map((a) => [a.name.toLowerCase(), a.value]));
    const url = playgroundUrl(attrs);
    const dataset = new URLSearchParams(new URL(url).hash.slice(1)).get('dataset') || 'circle';
    renderFrame(this, url, attrs, `nnplay playground: ${dataset}`);
  }
}

/** Show url in el's iframe (made once), sized by the height or aspect attribute. */
function renderFrame(el, url, attrs, title) {
  let frame = el.querySelector(':scope > iframe');
  if (!frame) {
    frame = document.createElement('iframe');
    frame.setAttribute('loading', 'eager');
    frame.style.cssText = 'display:block;width:100%;border:1px solid #ddd;border-radius:6px;box-sizing:border-box;';
    el.replaceChildren(frame);
  }
  frame.title = attrs.get('title') || title;
  const h = attrs.get('height');
  if (h) {
    frame.style.height = /^\d+(\.\d+)?$/.test(h) ? `${h}px` : h;
    frame.style.aspectRatio = '';
  } else {
    frame.style.height = 'auto';
    frame.style.aspectRatio = attrs.get('aspect') || '4 / 3';
  }
  if (frame.src !== url) frame.src = url;
  el.style.display = 'block';
}

if (!customElements.get('nn-playground')) customElements.define('nn-playground', NNPlayground);

// ---- <nn-gan>: the GAN lab (web/gan.html), the same way ----
//
//   <nn-gan preset="ring" loss="leastSquares" pack="2" hide="models,noise" height="720"></nn-gan>
//
// Attributes
//   preset     the real distribution: ring, grid, two, clusters, line (same as target=)
//   target, noise ("2,uniform": 1 or 2 dimensions, uniform or gaussian), g and d (each network as
//   "layers,units,activation,optimizer,lr", e.g. g="2,32,relu,adam,0.001"), loss (minimax,
//   nonSaturating, leastSquares), dsteps (D steps per G step), smooth (label smoothing: the real
//   label D learns, e.g. 0.9; 1 = off), drop ("after,factor[,times]": both learning rates are multiplied by
//   factor every that many steps, times times at most (default once); 0 = never), pack (points D sees at once), batch, seed, speed (steps/s, 0 =
//   max), slow (slow motion with the narration), show (views: real,fake,grid,heat,arrows), pts
//   (a drawn distribution: "x,y;x,y;..." in [-2, 2]; with target="drawn")
//              the same values as the GAN lab's URL (#...); the page's "Embed this setup" link
//              writes the element for the setup on screen
//              aliases: d-steps = dsteps, label-smoothing = smooth, batch-size = batch
//   hide       comma-separated parts to hide: play, step, speed, slow, loss, drop, dSteps,
//              smoothing, pack, batch (training bar); data, target, draw, noise (left panel); plot, views,
//              narration; models, generator, discriminator, metrics, quality; intro
//   height, aspect, src (default gan.html next to this file), title: as for <nn-playground>
const GAN_KEYS = { target: 'target', noise: 'noise', g: 'g', d: 'd', loss: 'loss', dsteps: 'dsteps', 'd-steps': 'dsteps',
  smooth: 'smooth', 'label-smoothing': 'smooth', drop: 'drop', pack: 'pack', batch: 'batch', 'batch-size': 'batch', seed: 'seed',
  speed: 'speed', slow: 'slow', show: 'show', pts: 'pts' };

const GAN_FLAGS = new Set(['slow']);

/** The GAN lab URL for an element's attributes (exported for tests and other hosts). */
export function ganUrl(attrs, base = new URL('./gan.html', import.meta.url)) {
  const preset = attrOf(attrs, 'preset');
  return embedUrl(attrs, base, preset ? { target: preset } : {}, GAN_KEYS, GAN_FLAGS);
}

export class NNGan extends HTMLElement {
  static observedAttributes = ['preset', 'hide', 'height', 'aspect', 'src', 'title', ...Object.keys(GAN_KEYS)];

  connectedCallback() { this.render(); }

  attributeChangedCallback() { if (this.isConnected) this.render(); }

  render() {
    const attrs = new Map([...this.attributes].map((a) => [a.name.toLowerCase(), a.value]));
    const url = ganUrl(attrs);
    renderFrame(this, url, attrs, `nnplay GAN lab: ${new URLSearchParams(new URL(url).hash.slice(1)).get('target') || 'ring'}`);
  }
}

if (!customElements.get('nn-gan')) customElements.define('nn-gan', NNGan);
