// Helpers for browser tests: Debian's Chromium driven by playwright-core (which never downloads a
// browser), pages served by tools/serve.mjs on a free port on 127.0.0.1.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../../tools/util.mjs';
import { startServer } from '../../tools/serve.mjs';

export const CHROMIUM = process.env.NNPLAY_CHROMIUM || '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps calling home on a closed network.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Headless Chromium; playwright gives every launch a fresh temporary user-data-dir. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** test-artifacts/ at the repo root (created), for screenshots and other evidence. */
export function artifactsDir() {
  const dir = path.join(ROOT, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Serve the repo, open a page, and call fn({ page, browser, url, errors }). `url` is the server's
 * root (e.g. new URL('web/', url)); `errors` collects console errors and uncaught page errors as
 * strings. Everything is closed afterwards, also on failure.
 */
export async function withPage(fn, { root = ROOT, viewport = { width: 1280, height: 800 } } = {}) {
  const server = await startServer({ root, port: 0 });
  let browser;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport });
    const errors = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location()?.url || 'page'})`);
    });
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    return await fn({ page, browser, url: server.url, errors });
  } finally {
    await browser?.close();
    await server.close();
  }
}
