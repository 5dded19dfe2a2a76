/**
 * Ledger benchmark: hold+settle pairs per second and pair latency (p50/p99) on PostgreSQL, on one
 * hot wallet and spread over 1,000 wallets, at concurrency 1, 8 and 32. Also measures the
 * alternative hold (SELECT … FOR UPDATE in an interactive transaction) against the single
 * conditional UPDATE … RETURNING statement the service uses.
 *
 *   npx tsx bench/ledger.ts            (TEST_DATABASE_URL or the npm-test PostgreSQL on :55432)
 *   LEDGER_BENCH_PAIRS=4000 npx tsx bench/ledger.ts
 */
import { openThrowawayPostgres } from '../testkit/db.ts';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Database } from '../src/db/client.ts';
import { createLedger } from '../src/ledger/ledger-service.ts';
import { preparedStatementName } from '../src/db/sql.ts';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { newId } from '../src/lib/ids.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://tollgate@127.0.0.1:55432/postgres';
const PAIRS = Number(process.env.LEDGER_BENCH_PAIRS ?? 2000);
const CONCURRENCIES = [1, 8, 32];

interface Row {
  scenario: string;
  concurrency: number;
  pairs: number;
  pairsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU this Node process spent per pair (Prisma + driver + our code): the client-side cost. */
  clientCpuMsPerPair: number;
  failures: number;
}

function pct(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function provision(): Promise<{ db: Database; prepared: PrismaClient; drop: () => Promise<void> }> {
  const db = await openThrowawayPostgres(ADMIN_URL, { poolSize: 40, prefix: 'tollgate_bench' });
  // The same database through a client that prepares the ledger's hot statements.
  const prepared = new PrismaClient({
    adapter: new PrismaPg(
      { connectionString: db.url!, max: 40 },
      { statementNameGenerator: preparedStatementName },
    ),
  });
  return {
    db,
    prepared,
    drop: async () => {
      await prepared.$disconnect();
      await db.close();
    },
  };
}

/** The alternative measured against the service's single statement: lock, check, update, insert. */
async function holdWithSelectForUpdate(db: Database, walletId: string, amount: bigint, key: string) {
  return db.prisma.$transaction(async (tx) => {
    const [w] = await tx.$queryRaw<
      { balanceNanos: bigint; heldNanos: bigint; creditLimitNanos: bigint; status: string }[]
    >`
      SELECT "balanceNanos", "heldNanos", "creditLimitNanos", status FROM wallets WHERE id = ${walletId} FOR UPDATE`;
    if (w?.status !== 'active' || w.balanceNanos - w.heldNanos - amount < -w.creditLimitNanos)
      throw new Error('insufficient');
    await tx.$executeRaw`UPDATE wallets SET "heldNanos" = "heldNanos" + ${amount}::bigint, "updatedAt" = now() WHERE id = ${walletId}`;
    const id = newId('hold');
    await tx.$executeRaw`
      INSERT INTO holds (id, "walletId", "amountNanos", status, "idempotencyKey", "requestHash", "expiresAt")
      VALUES (${id}, ${walletId}, ${amount}::bigint, 'active', ${key}, '', now() + interval '10 minutes')`;
    return { holdId: id };
  });
}

async function run(
  scenario: string,
  concurrency: number,
  pairs: number,
  pair: (i: number) => Promise<void>,
): Promise<Row> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < pairs) {
        const i = next++;
        const t0 = performance.now();
        try {
          await pair(i);
          latencies.push(performance.now() - t0);
        } catch {
          failures++;
        }
      }
    }),
  );
  const elapsed = performance.now() - begin;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return {
    scenario,
    concurrency,
    pairs,
    pairsPerSec: Math.round((latencies.length / elapsed) * 1000),
    p50Ms: Number(pct(latencies, 50).toFixed(2)),
    p99Ms: Number(pct(latencies, 99).toFixed(2)),
    clientCpuMsPerPair: Number(((cpu.user + cpu.system) / 1000 / pairs).toFixed(3)),
    failures,
  };
}

export async function main(): Promise<Row[]> {
  const { db, prepared, drop } = await provision();
  const rows: Row[] = [];
  try {
    const ledger = createLedger({ db: db.prisma });
    const preparedLedger = createLedger({ db: prepared });
    const org = newId('org');
    await db.prisma.organization.create({ data: { id: org, name: 'bench', slug: org } });
    const wallets: string[] = [];
    await db.prisma.team.createMany({
      data: Array.from({ length: 1000 }, (_, i) => ({ id: `team_${i}`, organizationId: org, name: `t${i}` })),
    });
    for (let i = 0; i < 1000; i++) {
      const w = await ledger.ensureWallet({
        organizationId: org,
        ownerType: 'team',
        ownerId: `team_${i}`,
        currency: 'USD',
      });
      await ledger.grant({
        walletId: w.id,
        amountNanos: 10n ** 14n,
        idempotencyKey: `fund-${i}`,
        description: 'bench',
      });
      wallets.push(w.id);
    }
    const hot = wallets[0]!;
    let seq = 0;
    const amount = 1_000_000n;
    const servicePair = (walletOf: (i: number) => string) => async (i: number) => {
      const h = await ledger.hold({
        walletId: walletOf(i),
        amountNanos: amount,
        idempotencyKey: `k${seq++}`,
      });
      await ledger.settle({ holdId: h.holdId, actualNanos: 900_000n });
    };
    const preparedPair = (walletOf: (i: number) => string) => async (i: number) => {
      const h = await preparedLedger.hold({
        walletId: walletOf(i),
        amountNanos: amount,
        idempotencyKey: `p${seq++}`,
      });
      await preparedLedger.settle({ holdId: h.holdId, actualNanos: 900_000n });
    };
    const forUpdatePair = (walletOf: (i: number) => string) => async (i: number) => {
      const h = await holdWithSelectForUpdate(db, walletOf(i), amount, `f${seq++}`);
      await ledger.settle({ holdId: h.holdId, actualNanos: 900_000n });
    };
    // Warm-up: connections, statement caches, JIT.
    await run(
      'warmup',
      8,
      500,
      servicePair((i) => wallets[i % 1000]!),
    );
    // The floor: one round trip through Prisma, to read the other rows against.
    rows.push(
      await run('baseline: one SELECT 1 via Prisma', 1, PAIRS, async () => db.prisma.$queryRaw`SELECT 1`),
    );
    for (const c of CONCURRENCIES) {
      rows.push(
        await run(
          'hot wallet, single-statement hold',
          c,
          PAIRS,
          servicePair(() => hot),
        ),
      );
      rows.push(
        await run(
          '1,000 wallets, single-statement hold',
          c,
          PAIRS,
          servicePair((i) => wallets[i % 1000]!),
        ),
      );
      rows.push(
        await run(
          'hot wallet, SELECT FOR UPDATE hold',
          c,
          PAIRS,
          forUpdatePair(() => hot),
        ),
      );
      rows.push(
        await run(
          'hot wallet, prepared hot statements',
          c,
          PAIRS,
          preparedPair(() => hot),
        ),
      );
      rows.push(
        await run(
          '1,000 wallets, prepared hot statements',
          c,
          PAIRS,
          preparedPair((i) => wallets[i % 1000]!),
        ),
      );
    }
    const report = await ledger.checkConsistency();
    if (!report.ok) throw new Error('ledger inconsistent after the benchmark');
  } finally {
    await drop();
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cpus = os.cpus();
  process.stdout.write(
    `ledger bench: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, node ${process.version}, ${PAIRS} pairs per row, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  const rows = await main();
  const cols = Object.keys(rows[0]!) as (keyof Row)[];
  const cells = [cols.map(String), ...rows.map((r) => cols.map((c) => String(r[c])))];
  const widths = cols.map((_, k) => Math.max(...cells.map((line) => line[k]!.length)));
  for (const line of cells) process.stdout.write(`${line.map((v, k) => v.padEnd(widths[k]!)).join('  ')}\n`);
  process.exit(0);
}
