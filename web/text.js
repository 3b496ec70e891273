// text.js - the text page (text.html): two tabs, each with its own Worker started when the tab is
// first shown. Classify: text/classify.js + text/classify-worker.js; Generate: text/generate.js +
// text/generate-worker.js. Both use only the JS API (wasm/nnplay.js), inside their workers.
import { startClassify } from './text/classify.js';
import { startGenerate } from './text/generate.js';

const TABS = { classify: startClassify, generate: startGenerate };
const started = {};
const first = location.hash === '#generate' ? 'generate' : 'classify';

function readyFor(name) {
  return () => {
    document.body.dataset[name] = 'ready';
    if (name === first) document.body.dataset.state = 'ready';
  };
}

function show(name, { focus = false } = {}) {
  for (const t of Object.keys(TABS)) {
    const tab = document.getElementById(`tab-${t}`);
    const on = t === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    document.getElementById(`panel-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  if (!started[name]) started[name] = TABS[name]({ onReady: readyFor(name) });
  else started[name].redraw(); // charts drawn while hidden had no size
  history.replaceState(null, '', name === 'generate' ? '#generate' : location.pathname + location.search);
}

const names = Object.keys(TABS);
for (const name of names) {
  const tab = document.getElementById(`tab-${name}`);
  tab.addEventListener('click', () => show(name));
  // arrow keys move between tabs (the WAI-ARIA tabs pattern)
  tab.addEventListener('keydown', (e) => {
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    show(names[(names.indexOf(name) + d + names.length) % names.length], { focus: true });
  });
}
window.addEventListener('hashchange', () => show(location.hash === '#generate' ? 'generate' : 'classify'));
show(first);
