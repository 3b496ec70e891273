// Small helpers shared by the tools/*.mjs scripts. Node built-ins only: these scripts must run
// before `npm install` has happened.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Full path of an executable found on PATH, or null. */
export function which(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

/**
 * Run a command with its output streamed to ours. Resolves to { code, out } where `out` is the
 * captured stdout+stderr when `capture` is set ('quiet': captured but not streamed).
 * Rejects on a non-zero exit unless `allowFail`.
 */
export function run(cmd, args = [], { env, cwd = ROOT, capture = false, allowFail = false, quiet = false } = {}) {
  if (!quiet) console.log(`$ ${[cmd, ...args].join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: env ? { ...process.env, ...env } : process.env,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    });
    let out = '';
    if (capture) {
      const tee = capture !== 'quiet';
      child.stdout.on('data', (d) => { out += d; if (tee) process.stdout.write(d); });
      child.stderr.on('data', (d) => { out += d; if (tee) process.stderr.write(d); });
    }
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => {
      code = code ?? 128;
      if (code !== 0 && !allowFail) {
        reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ? 'signal ' + signal : 'exit ' + code})`));
      } else {
        resolve({ code, out });
      }
    });
  });
}

/** True when the module at `metaUrl` is the script node was started with. */
export function isMain(metaUrl) {
  return !!process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(metaUrl);
}

/** Run an async entry point; any error becomes one clear line and exit code 1. */
export function main(name, fn) {
  fn().catch((err) => {
    console.error(`${name}: error: ${err?.message ?? err}`);
    process.exit(1);
  });
}
