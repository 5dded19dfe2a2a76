/**
 * The console's usage queries on a million usage records, through the real GraphQL HTTP endpoint,
 * authenticated as the big organization's owner key: the 30-day aggregate per day and per model
 * (Overview and Usage screens), a usage-log page filtered by key, model and date range, and paging
 * through 10,000 rows of the log (what a client-side CSV export does), and the organization's wallets
 * with their last entries (Overview, the operator's organization screen) on a ledger of a million
 * entries. p50/p99 per query.
 *
 *   npm run bench -- graphql-usage
 *   BENCH_DATABASE_URL=postgresql://tollgate@127.0.0.1:55520/postgres npx tsx bench/graphql-usage.ts
 *
 * BENCH_USAGE_ROWS (1,000,000), BENCH_GRAPHQL_RUNS (300 per query), BENCH_GRAPHQL_SECONDS_MAX (60 per
 * query: a slow query stops early and says how many runs it made). BENCH_KEEP_DATABASE=1 keeps the
 * seeded database and prints its URL (for EXPLAIN ANALYZE).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openThrowawayPostgres } from '../testkit/db.ts';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { MemorySharedState } from '../src/infra/memory-shared-state.ts';
import { bootstrap } from '../src/resolvers/identity/bootstrap.ts';
import { rollUpUsage } from '../src/admission/usage-rollup.ts';

const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgresql://tollgate@127.0.0.1:55432/postgres';
const ROWS = Number(process.env.BENCH_USAGE_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_GRAPHQL_RUNS ?? 300);
const SECONDS_MAX = Number(process.env.BENCH_GRAPHQL_SECONDS_MAX ?? 60);
const KEEP = process.env.BENCH_KEEP_DATABASE === '1';
/** Share of the rows that belong to the big organization (the rest spread over 19 others). */
const BIG_PERCENT = 55;
const KEYS = 8;
/** Postings in the hot wallet's history (two entries each: the wallet's and the system account's). */
const POSTINGS = Number(process.env.BENCH_LEDGER_POSTINGS ?? 500_000);
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet', 'claude-haiku', 'deepseek-chat', 'qwen-max'];

const print = (line: string) => process.stdout.write(`${line}\n`);
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const database = await openThrowawayPostgres(ADMIN_URL, { poolSize: 10, prefix: 'tollgate_bench' });
const config = loadConfig({
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  LITELLM_SYNC_MODE: 'none',
  OUTBOX_ENABLED: 'false',
  MIGRATE_ON_START: 'false',
  DATABASE_POOL_SIZE: '10',
  // The bench measures latency, not the per-key cost budget.
  GRAPHQL_COST_BUDGET_PER_MINUTE: '100000000',
  // Rolled up by hand below, after measuring the aggregates without the rollup.
  USAGE_ROLLUP_INTERVAL_MS: '0',
});
const app = await createApp(config, { database, state: new MemorySharedState() });
try {
  const boot = await bootstrap(app.services, { org: 'Bench Big Org', email: 'owner@bench.test' });
  const big = boot.organizationId;

  // ---------------------------------------------------------------- seed
  const t0 = performance.now();
  await database.prisma.organization.createMany({
    data: Array.from({ length: 19 }, (_, i) => ({
      id: `org_bench_${i}`,
      name: `bench ${i}`,
      slug: `bench-${i}`,
    })),
  });
  // Ids sort by creation time as the gateway's (UUIDv7: 48-bit milliseconds first).
  await database.prisma.$executeRawUnsafe(`
    INSERT INTO usage_records (id, "requestId", "organizationId", "userId", "apiKeyId", currency, endpoint,
      "modelRequested", "modelServed", "promptTokens", "completionTokens", "cachedTokens", "costNanos",
      status, "httpStatus", "latencyMs", "createdAt")
    SELECT 'use_' || lpad(to_hex((extract(epoch FROM ts) * 1000)::bigint), 12, '0') || substr(md5(i::text), 1, 20),
      'req_bench_' || i, org,
      CASE WHEN org = '${big}' THEN 'user_bench_' || (i % ${KEYS}) ELSE 'user_' || org END,
      CASE WHEN org = '${big}' THEN 'key_bench_' || (i % ${KEYS}) ELSE 'key_' || org END,
      CASE WHEN i % 10 = 0 THEN 'CNY' ELSE 'USD' END,
      '/v1/chat/completions', model, model, prompt, completion, prompt / 4,
      (prompt * 150 + completion * 600)::bigint,
      CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'succeeded' END, 200, 300, ts
    FROM (
      SELECT i,
        now() - random() * interval '90 days' AS ts,
        CASE WHEN i % 100 < ${BIG_PERCENT} THEN '${big}' ELSE 'org_bench_' || (i % 19) END AS org,
        (ARRAY['${MODELS.join("','")}'])[1 + (i * 7) % ${MODELS.length}] AS model,
        (50 + random() * 2000)::int AS prompt,
        (10 + random() * 800)::int AS completion
      FROM generate_series(1, ${ROWS}) AS i
    ) s`);
  await database.prisma.$executeRawUnsafe('ANALYZE usage_records');
  const bigRows = await database.prisma.usageRecord.count({ where: { organizationId: big } });
  print(
    `seeded ${ROWS.toLocaleString('en')} usage records over 90 days (${bigRows.toLocaleString('en')} in the big organization, 19 others, ${KEYS} keys, ${MODELS.length} models) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  // A ledger of a million entries: the big organization's USD wallet with POSTINGS usage postings
  // spread over 90 days (its counterpart, the promotions account, as many entries), and a quiet CNY
  // wallet with 20 postings 60–90 days old. Entry ids (a sequence) are not in time order, as on a
  // ledger written by many processes; the page is newest first by time.
  const l0 = performance.now();
  const wallets = [] as { id: string; currency: string }[];
  for (const currency of ['USD', 'CNY']) {
    const w = await app.services.ledger.ensureWallet({
      organizationId: big,
      ownerType: 'organization',
      ownerId: big,
      currency,
    });
    await app.services.ledger.grant({
      walletId: w.id,
      amountNanos: 1_000_000n * 1_000_000_000n,
      idempotencyKey: `bench-funds-${currency}`,
      description: 'benchmark funds',
    });
    wallets.push({ id: w.id, currency });
  }
  const history = async (wallet: { id: string; currency: string }, n: number, ageSql: string) => {
    await database.prisma.$executeRawUnsafe(`
      INSERT INTO ledger_transactions (id, reason, "idempotencyScope", "idempotencyKey", "requestHash", "createdAt")
      SELECT 'ltx_bench_${wallet.currency}_' || i, 'usage', 'bench', '${wallet.currency}-' || i, 'bench', ${ageSql}
        FROM generate_series(1, ${n}) AS i`);
    await database.prisma.$executeRawUnsafe(`
      INSERT INTO ledger_entries ("transactionId", "accountId", currency, "amountNanos", reason, "createdAt")
      SELECT t.id, v.account, '${wallet.currency}', v.amount, 'usage', t."createdAt"
        FROM ledger_transactions t,
             LATERAL (VALUES ('wallet:${wallet.id}', -1000::bigint), ('system:promotions:${wallet.currency}', 1000::bigint)) AS v(account, amount)
       WHERE t.id LIKE 'ltx_bench_${wallet.currency}_%'
       ORDER BY random()`);
  };
  await history(wallets[0]!, POSTINGS, "now() - random() * interval '90 days'");
  await history(wallets[1]!, 20, "now() - interval '60 days' - random() * interval '30 days'");
  // Balances stay the sums of their entries.
  await database.prisma.$executeRawUnsafe(`
    UPDATE ledger_accounts a SET "balanceNanos" = s.total
      FROM (SELECT "accountId", SUM("amountNanos") AS total FROM ledger_entries GROUP BY "accountId") s
     WHERE s."accountId" = a.id`);
  await database.prisma.$executeRawUnsafe(`
    UPDATE wallets w SET "balanceNanos" = a."balanceNanos" FROM ledger_accounts a WHERE a."walletId" = w.id`);
  await database.prisma.$executeRawUnsafe('ANALYZE ledger_entries');
  await database.prisma.$executeRawUnsafe('ANALYZE ledger_transactions');
  const entries = await database.prisma.ledgerEntry.count();
  print(
    `seeded ${entries.toLocaleString('en')} ledger entries (${POSTINGS.toLocaleString('en')} postings on one wallet, 20 on a quiet one) in ${((performance.now() - l0) / 1000).toFixed(1)} s`,
  );

  // ---------------------------------------------------------------- measure
  const port = await app.listen(0, '127.0.0.1');
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${boot.apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };

  const now = Date.now();
  const from30 = new Date(now - 30 * 86_400_000).toISOString();
  const AGGREGATE = `query($filter: UsageFilter, $groupBy: UsageGrouping!) {
    usageAggregates(filter: $filter, groupBy: $groupBy, timeZone: "+08:00") {
      day model requests failedRequests promptTokens completionTokens cost { amount currency } } }`;
  const RECORDS = `query($filter: UsageFilter, $first: Int, $after: String) {
    usageRecords(filter: $filter, first: $first, after: $after) {
      edges { cursor node { id requestId apiKeyId modelRequested promptTokens completionTokens cost { amount currency } status createdAt } }
      pageInfo { hasNextPage endCursor } } }`;

  const WALLETS = `query {
    wallets(first: 10) { edges { node {
      id currency status balance { amount currency } available { amount currency } held { amount currency }
      entries(first: 5) { edges { node { id createdAt reason description amount { amount currency } } } } } } } }`;

  const cases: { name: string; run: () => Promise<unknown> }[] = [
    {
      name: 'usageAggregates by day, 30 days',
      run: () => gql(AGGREGATE, { filter: { from: from30 }, groupBy: 'DAY' }),
    },
    {
      name: 'usageAggregates by model, 30 days',
      run: () => gql(AGGREGATE, { filter: { from: from30 }, groupBy: 'MODEL' }),
    },
    { name: 'usageRecords first 50', run: () => gql(RECORDS, { first: 50 }) },
    {
      name: 'usageRecords 50, key + model + 7 days',
      run: () =>
        gql(RECORDS, {
          first: 50,
          filter: {
            apiKeyId: 'key_bench_3',
            model: 'gpt-4o-mini',
            from: new Date(now - 14 * 86_400_000).toISOString(),
            to: new Date(now - 7 * 86_400_000).toISOString(),
          },
        }),
    },
    {
      name: `wallets with their last 5 entries (${entries.toLocaleString('en')} ledger entries)`,
      run: async () => {
        const d: any = await gql(WALLETS, {});
        const pages = d.wallets.edges.map((e: any) => e.node.entries.edges.length);
        if (pages.length !== 2 || pages.some((n: number) => n !== 5))
          throw new Error(`expected two wallets with five entries each, got ${JSON.stringify(pages)}`);
        return d;
      },
    },
    {
      name: 'usageRecords 100 after a cursor 5,000 rows deep',
      run: async () => gql(RECORDS, { first: 100, after: deepCursor }),
    },
  ];
  // A cursor 5,000 rows into the log, for the page a CSV export asks for half way through.
  let deepCursor: string | null = null;
  {
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const d: any = await gql(RECORDS, { first: 100, after });
      after = d.usageRecords.pageInfo.endCursor;
    }
    deepCursor = after;
  }

  const measure = async (label: string, only: (name: string) => boolean) => {
    print(`\n${label} (load average ${load()})`);
    print('| query | runs | p50 ms | p99 ms | max ms |');
    print('|---|---|---|---|---|');
    for (const c of cases.filter((c) => only(c.name))) {
      await c.run(); // warm
      const lat: number[] = [];
      const started = performance.now();
      while (lat.length < RUNS && performance.now() - started < SECONDS_MAX * 1000) {
        const a = performance.now();
        await c.run();
        lat.push(performance.now() - a);
      }
      lat.sort((x, y) => x - y);
      print(
        `| ${c.name} | ${lat.length} | ${pct(lat, 50).toFixed(1)} | ${pct(lat, 99).toFixed(1)} | ${lat.at(-1)!.toFixed(1)} |`,
      );
    }
  };
  const isAggregate = (name: string) => name.startsWith('usageAggregates');
  await measure('Before the rollup: every aggregate from the records', isAggregate);
  const r0 = performance.now();
  await rollUpUsage(database.prisma, new Date());
  const rollups = await database.prisma.usageRollup.count();
  print(
    `\nrolled up 90 days into ${rollups.toLocaleString('en')} rows in ${((performance.now() - r0) / 1000).toFixed(1)} s (the job's first run; later runs take the last few minutes)`,
  );
  await measure('With the rollup', () => true);

  // The CSV export: 10,000 rows, 100 a page, newest first.
  const exportRuns: number[] = [];
  for (let r = 0; r < 5; r++) {
    const a = performance.now();
    let after: string | null = null;
    let rows = 0;
    while (rows < 10_000) {
      const d: any = await gql(RECORDS, { first: 100, after });
      rows += d.usageRecords.edges.length;
      after = d.usageRecords.pageInfo.endCursor;
    }
    exportRuns.push(performance.now() - a);
  }
  exportRuns.sort((x, y) => x - y);
  print(
    `| export 10,000 rows (100 pages of 100) | ${exportRuns.length} | ${pct(exportRuns, 50).toFixed(0)} | — | ${exportRuns.at(-1)!.toFixed(0)} |`,
  );
  print(`load average after measuring: ${load()}`);
  if (KEEP) print(`database kept: ${database.url}`);
} finally {
  await app.close();
  if (!KEEP) await database.close();
}
