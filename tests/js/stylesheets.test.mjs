// The pages' stylesheets: web/base.css holds what every page shares, each page links it first and
// keeps only its own rules in its own file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../tools/util.mjs';

const WEB = path.join(ROOT, 'web');
const PAGES = readdirSync(WEB).filter((f) => f.endsWith('.html')).sort();
const read = (f) => readFileSync(path.join(WEB, f), 'utf8');
/** The hrefs of a page's <link rel="stylesheet">, in order. */
const stylesheets = (html) => [...html.matchAll(/<link\s+rel="stylesheet"\s+href="([^"]+)"/g)].map((m) => m[1]);
/** Top-level `selector { declarations }` rules of a stylesheet, whitespace folded, comments and @media dropped. */
function rules(css) {
  css = css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}/g, '');
  return [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map((m) => `${m[1].trim()} { ${m[2].trim()} }`.replace(/\s+/g, ' '));
}

test('every page links web/base.css first, and every stylesheet it links exists', () => {
  assert.deepEqual(PAGES, ['gan-digits.html', 'gan.html', 'images.html', 'index.html', 'text.html']);
  for (const page of PAGES) {
    const sheets = stylesheets(read(page));
    assert.equal(sheets[0], 'base.css', `${page} must link base.css before its own stylesheet`);
    assert.ok(sheets.length >= 2, `${page} links its own stylesheet after base.css`);
    for (const href of sheets) assert.ok(existsSync(path.join(WEB, href)), `${page} links ${href}, which is missing`);
  }
});

test("no page's stylesheet repeats a rule of base.css", () => {
  const base = rules(read('base.css'));
  assert.ok(base.length > 20, 'base.css parsed');
  for (const page of PAGES) {
    for (const href of stylesheets(read(page)).slice(1)) {
      const own = new Set(rules(read(href)));
      const repeated = base.filter((r) => own.has(r));
      assert.deepEqual(repeated, [], `web/${href} repeats base.css`);
    }
  }
});
