/**
 * Settlement journal benchmark: what one journal write costs a request (docs/reliability.md). A
 * request makes two: `admitted` (concurrent with the upstream credential lookup) and `settled`
 * (before the last of the answer). Measures `append` latency p50/p99 alone (concurrency 1) and
 * under 32 concurrent writers, for the Redis stream (TEST_REDIS_URL, else the npm-test Redis on
 * :56379) and the single-node file (fdatasync, group-committed).
 *
 *   npx tsx bench/journal.ts          JOURNAL_BENCH_WRITES=4000 npx tsx bench/journal.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { FileJournal } from '../src/admission/file-journal.ts';
import { RedisJournal } from '../src/admission/redis-journal.ts';
import type { JournalEntry, SettlementJournal } from '../src/admission/settlement-journal.ts';

const WRITES = Number(process.env.JOURNAL_BENCH_WRITES ?? 2000);
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:56379';

const entry = (i: number): JournalEntry => ({
  kind: 'admitted',
  record: {
    requestId: `01938f2e-bench-${i}`,
    endpoint: '/v1/chat/completions',
    organizationId: 'org_01938f2e0000',
    teamId: null,
    userId: 'usr_01938f2e0000',
    apiKeyId: 'key_01938f2e0000',
    walletId: 'wal_01938f2e0000',
    currency: 'USD',
    holdId: 'hold_01938f2e0000',
    leased: true,
    holdNanos: 36_900n,
    promptTokensEstimate: 6,
    completionTokensEstimate: 60,
    requestedModel: 'gpt-4o-mini',
    model: 'gpt-4o-mini',
    plan: null,
    admittedAtMs: Date.now(),
  },
});

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(name: string, j: SettlementJournal, concurrency: number) {
  const times: number[] = [];
  let next = 0;
  const ids: string[] = [];
  await j.append(entry(-1)); // connect, register
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < WRITES) {
        const i = next++;
        const t0 = performance.now();
        ids.push(await j.append(entry(i)));
        times.push(performance.now() - t0);
      }
    }),
  );
  const secs = (performance.now() - started) / 1000;
  await j.ack(ids);
  times.sort((a, b) => a - b);
  process.stdout.write(
    `| ${name} | ${concurrency} | ${WRITES} | ${Math.round(WRITES / secs)} | ${pct(times, 50).toFixed(3)} | ${pct(times, 99).toFixed(3)} |\n`,
  );
}

process.stdout.write(
  '| journal | concurrency | writes | writes/s | p50 ms | p99 ms |\n|---|---|---|---|---|---|\n',
);
const redis = new Redis(REDIS_URL, { keyPrefix: `jbench${randomBytes(3).toString('hex')}:` });
for (const c of [1, 32]) {
  const j = new RedisJournal(redis, { replicaTtlMs: 10_000 });
  await run('redis stream (XADD)', j, c);
  await j.close({ forget: true });
}
redis.disconnect();
const dir = mkdtempSync(join(tmpdir(), 'tollgate-jbench-'));
for (const c of [1, 32]) {
  const j = new FileJournal(join(dir, String(c)));
  await run('file (write + fdatasync)', j, c);
  await j.close();
}
rmSync(dir, { recursive: true, force: true });
