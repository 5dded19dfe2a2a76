#!/usr/bin/env node
// Builds the console (console/ → console/dist) when the build is missing or stale: `npm start` and the
// test scripts run it, so the README's two commands still do all the set-up. Stale means the sources
// (console/ less dist, plus package-lock.json, the Vite config and the gateway's pure modules the console
// imports) hash differently from the hash the
// last build left in dist/.build-hash. `--force` builds anyway. The build goes to a temporary folder that
// replaces dist whole, so a reader never sees half a build.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = join(root, 'console');
const dist = join(consoleDir, 'dist');

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'dist' || e.name.startsWith('.dist-') ? [] : files(p);
    return [p];
  });
}

export function sourceHash() {
  const h = createHash('sha256');
  const shared = ['package-lock.json', 'src/lib/currencies.ts'].map((f) => join(root, f));
  for (const f of [...files(consoleDir), ...shared].sort()) {
    h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

export async function buildConsole({ force = false, quiet = false } = {}) {
  const hash = sourceHash();
  const stamp = join(dist, '.build-hash');
  if (!force && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return false;
  const started = Date.now();
  const tmp = join(consoleDir, `.dist-${process.pid}`);
  const { build } = await import('vite');
  await build({
    configFile: join(consoleDir, 'vite.config.ts'),
    logLevel: quiet ? 'silent' : 'warn',
    build: { outDir: tmp, emptyOutDir: true },
  });
  writeFileSync(join(tmp, '.build-hash'), hash);
  rmSync(dist, { recursive: true, force: true });
  renameSync(tmp, dist);
  if (!quiet) console.log(`console: built in ${Date.now() - started} ms (console/dist)`);
  return true;
}

if (process.argv[1] && statSync(process.argv[1]).ino === statSync(fileURLToPath(import.meta.url)).ino) {
  buildConsole({ force: process.argv.includes('--force') }).catch((err) => {
    console.error('console: build failed:', err?.message ?? err);
    process.exit(1);
  });
}
