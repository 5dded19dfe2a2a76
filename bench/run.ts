/**
 * `npm run bench` (scripts/bench.sh): runs every bench/*.ts (not this file, not bench/lib/) one
 * after another, each in its own process; `npm run bench -- proxy ledger` runs only those.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const print = (line: string) => process.stdout.write(`${line}\n`);

const files = readdirSync('bench')
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .filter((f) => process.argv.length <= 2 || process.argv.slice(2).includes(f.replace(/\.ts$/, '')))
  .sort();
let failed = 0;
for (const file of files) {
  print(`\n=== bench/${file}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${file}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${file} failed (exit ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
