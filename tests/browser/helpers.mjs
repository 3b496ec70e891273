// Helpers for browser tests: Debian's Chromium driven by playwright-core (which never downloads a
// browser), pages served by tools/serve.mjs on a free port on 127.0.0.1.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import assert from 'node:assert/strict';
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

// ---- the playground (web/) ----
export const TRAIN_TIMEOUT = 60_000;

export const epochOf = async (page) => Number(await page.textContent('#epoch'));

export async function open(page, url, hash = '') {
  await page.goto(new URL(`web/${hash}`, url).href);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
}

/** Click a button n times. */
export async function clickN(page, selector, n) {
  for (let i = 0; i < n; i++) await page.click(selector);
}

/** Spiral, two hidden layers of 8 tanh neurons, Adam at 0.03. */
export async function setUpSpiral(page) {
  await page.selectOption('#dataset', 'spiral');
  await page.selectOption('#activation', 'tanh');
  await page.selectOption('#lr', '0.03');
  await page.selectOption('#optimizer', 'adam');
  await clickN(page, 'button[aria-label="Add a neuron to layer 1"]', 4);
  await clickN(page, 'button[aria-label="Add a neuron to layer 2"]', 6);
  assert.equal(await page.textContent('#layer-1-size'), 'L1: 8');
  assert.equal(await page.textContent('#layer-2-size'), 'L2: 8');
}

export async function waitForTestAccuracy(page, min) {
  await page.waitForFunction((m) => parseFloat(document.getElementById('test-accuracy').textContent) > m,
    min, { timeout: TRAIN_TIMEOUT });
}

/** Click selector and return the download it starts: { name, bytes }. */
export async function downloadOf(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) };
}
