/**
 * Webhook benchmark: verified Stripe `payment_intent.succeeded` webhooks per second, with the inbox
 * and the outbox on PostgreSQL (docs/payments.md, "Webhooks: acknowledged, then processed once").
 *
 * Three processes, so the gateway's CPU per webhook is the gateway's alone and both cores are used:
 * this one runs the gateway (and its outbox worker, as in production); the Stripe double runs in
 * bench/lib/stripe-double-process.ts, the sender in bench/lib/webhook-loadgen.ts. Seeds N pending
 * top-ups through the payment service against the double, has the double's customer pay each, then
 * the sender POSTs the N signed events, plus a share of duplicate deliveries, concurrently to
 * `/webhooks/stripe`. Reports acknowledged/s and the acknowledgement's p50/p99, credited/s (until
 * every top-up's credit is in the ledger, through the worker and its confirming lookup at the
 * double), PostgreSQL statements and CPU per webhook of each process; then checks each top-up was
 * credited once and the ledger balances.
 *
 *   npx tsx bench/webhooks.ts   (TEST_DATABASE_URL or BENCH_DATABASE_URL; TEST_REDIS_URL optional)
 *   WEBHOOK_BENCH_EVENTS=2000 WEBHOOK_BENCH_CONCURRENCY=32 WEBHOOK_BENCH_DUPLICATE_PERCENT=10
 *   WEBHOOK_BENCH_WALLETS=100 (1: every credit on one wallet row, the worst case)
 *   WEBHOOK_BENCH_OUTBOX=false: the acknowledgement alone (nothing credits), e.g. to profile it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { sqlFor } from '../src/db/sql.ts';
import { MemorySharedState } from '../src/infra/memory-shared-state.ts';
import { RedisSharedState } from '../src/infra/redis-shared-state.ts';
import { bootstrap } from '../src/resolvers/identity/bootstrap.ts';
import { newWebhookSecret } from '../test/doubles/stripe/signing.ts';
import { openThrowawayPostgres } from '../testkit/db.ts';
import { firstLine } from './lib/child.ts';
import { pgQueries } from './lib/pg-queries.ts';
import { procCpuUs } from './lib/proc-cpu.ts';

const EVENTS = Number(process.env.WEBHOOK_BENCH_EVENTS ?? 2000);
const CONCURRENCY = Number(process.env.WEBHOOK_BENCH_CONCURRENCY ?? 32);
const DUPLICATE_PERCENT = Number(process.env.WEBHOOK_BENCH_DUPLICATE_PERCENT ?? 10);
/** Organizations (one wallet each) the top-ups are spread over: credits to one wallet serialize on its row. */
const WALLETS = Number(process.env.WEBHOOK_BENCH_WALLETS ?? 100);
const SEED_CONCURRENCY = 16;

const print = (line: string) => process.stdout.write(`${line}\n`);
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/** A bench helper process with an IPC channel; its first stdout line is awaited by `firstLine`. */
function child(script: string, arg = ''): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, arg], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
}

/** Sends `message` and resolves with the child's next message. */
function ask<T>(p: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve) => {
    p.once('message', (m) => resolve(m as T));
    p.send(message as object);
  });
}

async function main() {
  const adminUrl = process.env.TEST_DATABASE_URL ?? process.env.BENCH_DATABASE_URL;
  if (!adminUrl)
    throw new Error('set TEST_DATABASE_URL or BENCH_DATABASE_URL (npm run bench provisions one)');
  const redisUrl = process.env.TEST_REDIS_URL ?? process.env.BENCH_REDIS_URL;
  const poolSize = Number(process.env.BENCH_DATABASE_POOL_SIZE ?? loadConfig({}).DATABASE_POOL_SIZE);
  const database = await openThrowawayPostgres(adminUrl, { poolSize, prefix: 'tollgate_bench' });
  const apiKey = 'sk_test_tollgate_bench';
  const webhookSecret = newWebhookSecret();
  const stripe = child(
    'bench/lib/stripe-double-process.ts',
    JSON.stringify({ apiKeys: [apiKey], webhookSecrets: [webhookSecret] }),
  );
  const stripeBase = `http://127.0.0.1:${(await firstLine(stripe)).split(' ')[1]}`;
  const sender = child('bench/lib/webhook-loadgen.ts');
  const config = loadConfig({
    // Not production: the config refuses a Stripe API base on loopback there (the double).
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    MIGRATE_ON_START: 'false',
    LITELLM_SYNC_MODE: 'none',
    DATABASE_POOL_SIZE: String(poolSize),
    PAYMENT_PROVIDERS: 'stripe',
    STRIPE_SECRET_KEY: apiKey,
    STRIPE_PUBLISHABLE_KEY: 'pk_test_tollgate_bench',
    STRIPE_WEBHOOK_SECRETS: webhookSecret,
    STRIPE_API_BASE: stripeBase,
    PAYMENT_RETURN_URL: 'http://127.0.0.1/pay/return',
    PUBLIC_BASE_URL: 'http://tollgate.test',
    OUTBOX_ENABLED: process.env.WEBHOOK_BENCH_OUTBOX ?? 'true',
    ...(process.env.OUTBOX_CONCURRENCY ? { OUTBOX_CONCURRENCY: process.env.OUTBOX_CONCURRENCY } : {}),
  });
  const state = redisUrl
    ? new RedisSharedState(redisUrl, { keyPrefix: `benchwh${randomBytes(3).toString('hex')}:` })
    : new MemorySharedState();
  const app = await createApp(config, { database, state });
  const port = await app.listen(0, '127.0.0.1');
  const s = app.services;
  const orgs: string[] = [];
  for (let i = 0; i < WALLETS; i++)
    orgs.push(
      (await bootstrap(s, { org: `Webhook Bench ${i}`, email: `bench${i}@tollgate.test` })).organizationId,
    );

  print('# Webhook benchmark — verified Stripe payment_intent.succeeded, inbox and outbox on PostgreSQL');
  print(
    `# ${os.cpus().length}× ${os.cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(
        '/',
      )}; PostgreSQL ${new URL(adminUrl).host} (pool ${poolSize}), shared state ${redisUrl ? 'Redis' : 'memory'}`,
  );
  print(
    `# ${EVENTS} top-ups over ${WALLETS} organization wallets, ${DUPLICATE_PERCENT}% duplicate deliveries, ${CONCURRENCY} concurrent POSTs; gateway (with its outbox worker), Stripe double and sender in three processes`,
  );

  // Seed: N pending top-ups, each paid at the double (which records its succeeded event).
  const seedStart = performance.now();
  const pis: string[] = new Array(EVENTS);
  await pool(
    Array.from({ length: EVENTS }, (_, i) => i),
    SEED_CONCURRENCY,
    async (i) => {
      const org = orgs[i % WALLETS]!;
      const t = await s.payments.createTopUp({
        organizationId: org,
        userId: null,
        owner: { ownerType: 'organization', ownerId: org },
        currency: 'USD',
        amountMinor: 1000n,
        idempotencyKey: `bench-topup-${i}`,
        requestId: `bench-seed-${i}`,
      });
      pis[i] = t.providerTxnId;
    },
  );
  const { bodies } = await ask<{ bodies: string[] }>(stripe, { pay: pis });
  const duplicates = Math.round((EVENTS * DUPLICATE_PERCENT) / 100);
  const deliveries = [...bodies, ...bodies.slice(0, duplicates)];
  // Duplicates spread through the run, not bunched at its end.
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }
  print(`# seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  // The bench's own poll, through the driver and every 100 ms, so it adds little to the gateway's CPU.
  const credited = async () => {
    const [row] = await sqlFor(s.db).query<{ n: number }>(
      { name: 'bench_credited', text: `SELECT count(*)::int AS n FROM payments WHERE status = 'succeeded'` },
      [],
    );
    pgQueries.n--;
    return row?.n ?? 0;
  };
  const url = `http://127.0.0.1:${port}/webhooks/stripe`;
  const queriesBefore = pgQueries.n;
  const cpuBefore = process.cpuUsage();
  const stripeCpuBefore = procCpuUs(stripe.pid!);
  const senderCpuBefore = procCpuUs(sender.pid!);
  const start = performance.now();
  let creditedAt = Number.NaN;
  const sent = await ask<{ latencies: number[]; statuses: Record<string, number>; elapsedMs: number }>(
    sender,
    { url, secret: webhookSecret, concurrency: CONCURRENCY, deliveries },
  );
  const ackQueries = pgQueries.n - queriesBefore;
  const ackCpu = process.cpuUsage(cpuBefore);
  const senderCpuUs = procCpuUs(sender.pid!) - senderCpuBefore;
  print(
    `# acknowledged ${deliveries.length} in ${(sent.elapsedMs / 1000).toFixed(2)} s; crediting (outbox ${config.OUTBOX_ENABLED ? 'on' : 'off'})`,
  );
  while (config.OUTBOX_ENABLED) {
    if ((await credited()) >= EVENTS) {
      creditedAt = performance.now();
      break;
    }
    if (performance.now() - start > 600_000) throw new Error('credits did not all land within 10 minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpu = process.cpuUsage(cpuBefore);
  const stripeCpuUs = procCpuUs(stripe.pid!) - stripeCpuBefore;
  const totalQueries = pgQueries.n - queriesBefore;
  const latencies = sent.latencies.sort((a, b) => a - b);

  // Every top-up credited exactly once, duplicates included; the ledger balanced.
  const credits = await s.db.ledgerTransaction.count({ where: { idempotencyKey: { startsWith: 'topup:' } } });
  const consistent = (await s.ledger.checkConsistency()).ok;
  const ackSeconds = sent.elapsedMs / 1000;
  const creditSeconds = (creditedAt - start) / 1000;
  const us = (c: { user: number; system: number }, n: number) => Math.round((c.user + c.system) / n);
  const statuses = Object.entries(sent.statuses);
  print('');
  print(
    '| deliveries | distinct events | acknowledged/s | ack p50 ms | ack p99 ms | credited/s | statements/webhook (ack) | statements/webhook (ack + credit) | gateway CPU µs/delivery (ack phase) | gateway CPU µs/webhook (to credited) | Stripe double CPU µs/webhook | sender CPU µs/delivery | statuses | credits | ledger consistent |',
  );
  print('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|');
  print(
    `| ${deliveries.length} | ${EVENTS} | ${Math.round(deliveries.length / ackSeconds)} | ${pct(latencies, 50).toFixed(2)} | ${pct(latencies, 99).toFixed(2)} | ${config.OUTBOX_ENABLED ? Math.round(EVENTS / creditSeconds) : '—'} | ${(ackQueries / deliveries.length).toFixed(1)} | ${config.OUTBOX_ENABLED ? (totalQueries / EVENTS).toFixed(1) : '—'} | ${us(ackCpu, deliveries.length)} | ${config.OUTBOX_ENABLED ? us(cpu, EVENTS) : '—'} | ${Math.round(stripeCpuUs / EVENTS)} | ${Math.round(senderCpuUs / deliveries.length)} | ${statuses.map(([k, v]) => `${k}×${v}`).join(' ')} | ${credits} | ${consistent ? 'yes' : 'NO'} |`,
  );
  print(
    `# load at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join('/')}`,
  );
  stripe.disconnect();
  sender.disconnect();
  await app.close();
  await database.close();
  if (!config.OUTBOX_ENABLED) return;
  if (credits !== EVENTS || !consistent || statuses.length !== 1 || !sent.statuses[200]) {
    console.error(`webhook bench: ${credits} credits for ${EVENTS} top-ups, consistent=${consistent}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
