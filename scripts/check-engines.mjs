#!/usr/bin/env node
// Fails when package-lock.json pins a package whose `engines.node` excludes the oldest Node that
// package.json's `engines.node` promises. `npm ci` only warns (EBADENGINE) about such packages, and
// only on a Node that is too old, so a bump that needs a newer Node would otherwise go unnoticed on a
// developer's newer Node. The lockfile records each package's engines, so no install is needed.
// Also fails when a package resolves a dependency outside the range it declares: package.json's
// `overrides` hold the graphql-tools family at its last Node 20 versions, and npm reports a range an
// override breaks only as "overridden", never as an error.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));

// Packages allowed to want a newer Node, each with why that is safe. Keep this list short.
const exceptions = new Map([
  [
    '@prisma/streams-local',
    'a hard dependency of @prisma/dev (prisma >= 7.6; every version of it wants Node >= 22), imported only when `prisma dev` starts its local server, which tollgate never runs',
  ],
]);

const floor = semver.minVersion(manifest.engines?.node ?? '');
if (!floor) {
  console.error('check-engines: package.json has no engines.node range');
  process.exit(1);
}

const bad = [];
let allowed = 0;
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  const wanted = entry.engines?.node;
  if (!path || typeof wanted !== 'string') continue;
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  if (semver.satisfies(floor, wanted)) continue;
  if (exceptions.has(name)) {
    allowed++;
    console.log(
      `check-engines: allowed ${name}@${entry.version} (engines.node ${wanted}): ${exceptions.get(name)}`,
    );
    continue;
  }
  bad.push(`${path}@${entry.version}: engines.node ${wanted}`);
}

// Node's resolution over lockfile paths: the nearest node_modules/<dep> up from the dependent.
function resolve(from, dep) {
  for (let base = from; ; ) {
    const path = `${base ? `${base}/` : ''}node_modules/${dep}`;
    if (lock.packages[path]) return lock.packages[path];
    if (!base) return undefined;
    const up = base.lastIndexOf('/node_modules/');
    base = up < 0 ? '' : base.slice(0, up);
  }
}
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  for (const [dep, range] of Object.entries(entry.dependencies ?? {})) {
    const got = resolve(path, dep);
    if (got && semver.validRange(range) && !semver.satisfies(got.version, range)) {
      bad.push(`${path || '(root)'}: wants ${dep}@${range} but gets ${got.version} (an override too wide?)`);
    }
  }
}

if (bad.length > 0) {
  console.error(
    `check-engines: ${bad.length} problem(s) for Node ${floor} (package.json engines.node ${manifest.engines.node}):`,
  );
  for (const line of bad) console.error(`  ${line}`);
  process.exit(1);
}
console.log(
  `check-engines: every locked package${allowed ? ' not allowed above' : ''} supports Node ${floor}`,
);
