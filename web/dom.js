// dom.js - the small DOM helpers the pages share. Text from files, corpora or models is only ever
// set with textContent, never as HTML.

export const $ = (id) => document.getElementById(id);

/** el('p', { class: 'x', text: 'hi' }, child...): string props become attributes, others properties. */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'text') e.textContent = v;
    else if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}
