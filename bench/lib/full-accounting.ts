/**
 * Full accounting for the proxy benchmark: the real AdmissionService (API key auth, price, rate
 * limits, plan limits, spend velocity, key budget, wallet hold, settle, usage record) over a fresh,
 * migrated PostgreSQL database and Redis, exactly as `createApp` wires it in production.
 *
 * PostgreSQL: TEST_DATABASE_URL, else BENCH_DATABASE_URL (an admin URL; a throwaway database is
 * created and dropped). Redis: TEST_REDIS_URL, else BENCH_REDIS_URL, else in-memory shared state.
 *
 * Besides the admission it reports what the accounting costs outside this process: PostgreSQL
 * queries (= round trips, each `pg` query call) and shared-state calls (at most one Redis round trip each) made,
 * and the CPU time of this database's PostgreSQL backends (read from /proc).
 */
import { type TestDatabase, openThrowawayPostgres } from '../../testkit/db.ts';
import { randomBytes } from 'node:crypto';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { MemorySharedState } from '../../src/infra/memory-shared-state.ts';
import { RedisSharedState } from '../../src/infra/redis-shared-state.ts';
import type { SharedState } from '../../src/infra/shared-state.ts';
import { bootstrap } from '../../src/resolvers/identity/bootstrap.ts';
import type { Services } from '../../src/services.ts';
import type { BenchAdmission, BenchAdmissionOptions } from './admission.ts';
import { pgQueries } from './pg-queries.ts';
import { procCpuUs } from './proc-cpu.ts';

export const BENCH_MODEL = 'gpt-bench';

/** Counts every call of the shared state's methods (at most one Redis round trip each). */
function countingState(inner: SharedState, counter: { n: number }): SharedState {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'close' || prop === 'constructor') return v;
      return (...args: unknown[]) => {
        counter.n++;
        return v.apply(target, args);
      };
    },
  });
}

/** The PostgreSQL admin URL the accounted targets create their throwaway databases on, if any. */
export function benchAdminUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL ?? process.env.BENCH_DATABASE_URL;
}

/** The shipped default pool size (DATABASE_POOL_SIZE) unless BENCH_DATABASE_POOL_SIZE says otherwise. */
export function benchPoolSize(): number {
  return Number(process.env.BENCH_DATABASE_POOL_SIZE ?? loadConfig({}).DATABASE_POOL_SIZE);
}

/** A fresh, migrated database for one accounted target (dropped on close). */
export async function openBenchDatabase(prefix = 'tollgate_bench'): Promise<TestDatabase> {
  const adminUrl = benchAdminUrl();
  if (!adminUrl)
    throw new Error(
      'full accounting needs PostgreSQL: set TEST_DATABASE_URL or BENCH_DATABASE_URL (npm run bench provisions one)',
    );
  return openThrowawayPostgres(adminUrl, { poolSize: benchPoolSize(), prefix });
}

/** The gateway configuration every accounted target runs with, as environment variables. */
export function benchGatewayEnv(opts: BenchAdmissionOptions): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    LITELLM_URL: opts.upstreamUrl,
    LITELLM_MASTER_KEY: opts.masterKey,
    LITELLM_SYNC_MODE: 'none',
    DATABASE_POOL_SIZE: String(benchPoolSize()),
  };
}

/**
 * The tenant every accounted target serves: one organization with its bootstrap API key, one price
 * rule for BENCH_MODEL, and an organization wallet funded so that no hold is ever refused.
 */
export async function seedBenchTenant(s: Services): Promise<{ apiKey: string }> {
  const boot = await bootstrap(s, { org: 'Bench Org', email: 'bench@tollgate.test' });
  await s.pricing.createRule({
    modelPattern: BENCH_MODEL,
    currency: 'USD',
    baseNanosPerToken: 150n,
    outputMultiplierPpm: 4_000_000n,
    cachedInputMultiplierPpm: 500_000n,
    effectiveFrom: new Date('2020-01-01T00:00:00Z'),
  });
  const wallet = await s.ledger.ensureWallet({
    organizationId: boot.organizationId,
    ownerType: 'organization',
    ownerId: boot.organizationId,
    currency: 'USD',
  });
  // One million dollars: a hold is ~0.0025 USD (4,096 max tokens), so no hold is ever refused.
  await s.ledger.grant({
    walletId: wallet.id,
    amountNanos: 1_000_000n * 1_000_000_000n,
    idempotencyKey: 'bench-funds',
    description: 'benchmark funds',
  });
  return { apiKey: boot.apiKey };
}

/**
 * CPU of `database`'s PostgreSQL backends (other users of the same server are not counted), µs,
 * cumulative from the first call: summed from per-backend deltas between reads; a backend that
 * exits loses its last interval.
 */
export function databaseCpuMeter(database: TestDatabase): () => Promise<number> {
  const seen = new Map<number, number>();
  let dbCpuUs = 0;
  let primed = false;
  return async () => {
    const rows = await database.prisma.$queryRaw<{ pid: number }[]>`
      SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
    pgQueries.n--; // this bookkeeping query is not the gateway's
    for (const { pid } of rows) {
      const now = procCpuUs(Number(pid));
      // A backend first seen after priming was opened for this load: all its CPU counts.
      const before = seen.get(Number(pid)) ?? (primed ? 0 : now);
      dbCpuUs += Math.max(0, now - before);
      seen.set(Number(pid), now);
    }
    primed = true;
    return dbCpuUs;
  };
}

export async function createBenchAdmission(opts: BenchAdmissionOptions): Promise<BenchAdmission> {
  const database = await openBenchDatabase();
  const redisUrl = process.env.TEST_REDIS_URL ?? process.env.BENCH_REDIS_URL;
  const redisCalls = { n: 0 };
  const inner: SharedState = redisUrl
    ? new RedisSharedState(redisUrl, { keyPrefix: `bench${randomBytes(3).toString('hex')}:` })
    : new MemorySharedState();
  const config = loadConfig({
    ...benchGatewayEnv(opts),
    OUTBOX_ENABLED: 'false',
    MIGRATE_ON_START: 'false',
  });
  // The app is never listened on: the benchmark serves its proxy handler over this admission.
  const app = await createApp(config, { database, state: countingState(inner, redisCalls) });
  const { apiKey } = await seedBenchTenant(app.services);
  const readDbCpu = databaseCpuMeter(database);
  await readDbCpu();
  const admission = app.services.admission!;
  return {
    admission,
    credential: apiKey,
    label: `full accounting on PostgreSQL ${new URL(benchAdminUrl()!).host} (pool ${benchPoolSize()}), shared state ${redisUrl ? 'Redis' : 'memory'}`,
    async counters() {
      const queries = pgQueries.n;
      const dbCpuUs = await readDbCpu();
      return { dbQueries: queries, redisCalls: redisCalls.n, dbCpuUs };
    },
    async close() {
      // BENCH_INDEX_STATS=1: which indexes of the hot tables the run used (an index no query scans
      // costs every insert and buys nothing).
      if (process.env.BENCH_INDEX_STATS === '1') {
        const rows = await database.prisma.$queryRaw<{ table: string; index: string; scans: bigint }[]>`
          SELECT relname AS table, indexrelname AS index, idx_scan AS scans FROM pg_stat_user_indexes
           WHERE relname IN ('usage_records', 'ledger_entries', 'ledger_transactions', 'holds', 'wallets', 'ledger_accounts')
           ORDER BY relname, indexrelname`;
        for (const r of rows) process.stderr.write(`# index ${r.table}.${r.index}: ${r.scans} scans\n`);
      }
      await app.close();
      await database.close();
    },
  };
}
