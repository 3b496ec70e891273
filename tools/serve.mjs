// Dependency-free static file server for the playground. It serves the repository root so that
// web/ can import ../wasm/nnplay.js and ../dist/nnplay_core.wasm; `/` redirects to /web/.
// Usage: `node tools/serve.mjs` (env HOST, PORT) or `await startServer({ port: 0 })` in tests.
import http from 'node:http';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { ROOT, isMain, main } from './util.mjs';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon',
  '.gz': 'application/gzip',
  '.bin': 'application/octet-stream',
};

function send(res, status, text, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text + '\n');
}

function handler(root) {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    let rel;
    try {
      // Not new URL(): it would quietly fold ../ away, and traversal attempts should get a 403.
      rel = decodeURIComponent(req.url.split(/[?#]/)[0]);
    } catch {
      return send(res, 400, 'bad request');
    }
    if (!rel.startsWith('/')) return send(res, 400, 'bad request');
    if (rel === '/') return send(res, 302, 'see /web/', { Location: '/web/' });
    const file = path.join(root, rel);
    // Reject anything that resolves outside root (../, encoded %2e%2e, NUL bytes).
    if (rel.includes('\0') || (file !== root && !file.startsWith(root + path.sep))) return send(res, 403, 'forbidden');
    try {
      let target = file;
      let st = await fsp.stat(target);
      if (st.isDirectory()) {
        // Relative links in index.html need the trailing slash.
        if (!rel.endsWith('/')) return send(res, 301, 'moved', { Location: rel + '/' });
        target = path.join(target, 'index.html');
        st = await fsp.stat(target);
      }
      if (!st.isFile()) return send(res, 404, 'not found');
      res.writeHead(200, {
        'Content-Type': MIME[path.extname(target).toLowerCase()] || 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-cache', // always revalidate: dist/ changes with every build
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(target).on('error', () => res.destroy()).pipe(res);
    } catch {
      // Browsers always ask for a favicon; a 404 there would be a console error in every page test.
      if (rel === '/favicon.ico') return res.writeHead(204).end();
      send(res, 404, 'not found');
    }
  };
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    const onError = (err) => { server.off('listening', onListening); reject(err); };
    const onListening = () => { server.off('error', onError); resolve(); };
    server.once('error', onError).once('listening', onListening).listen(port, host);
  });
}

/**
 * Start serving `root`. Port 0 picks a free port; a busy fixed port is retried upward, up to
 * `maxPort`. Resolves to { url, port, close() }.
 */
export async function startServer({ root = ROOT, port = 8080, host = '127.0.0.1', maxPort = port ? Math.max(port, 8090) : 0 } = {}) {
  root = path.resolve(root);
  const server = http.createServer(handler(root));
  for (let p = port; ; p++) {
    try {
      await listen(server, p, host);
      break;
    } catch (err) {
      if (err.code !== 'EADDRINUSE' || p >= maxPort) throw err;
    }
  }
  const actual = server.address().port;
  const any = host === '0.0.0.0' || host === '::';
  return {
    url: `http://${any ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${actual}/`,
    port: actual,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

/** Serve on HOST/PORT from the environment and print the URL a person opens. */
export async function serveFromEnv() {
  const host = process.env.HOST || '127.0.0.1';
  const server = await startServer({ host, port: Number(process.env.PORT || 8080) });
  const loopback = ['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(host);
  console.log(`nnplay playground: ${loopback ? `http://localhost:${server.port}/` : server.url}`);
  return server;
}

if (isMain(import.meta.url)) main('serve', serveFromEnv);
