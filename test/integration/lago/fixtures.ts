import type { Db } from '../../../src/db/client.ts';
import { type Config, loadConfig } from '../../../src/config.ts';
import { newId } from '../../../src/lib/ids.ts';
import { OutboxWorker } from '../../../src/outbox/worker.ts';
import { type LagoIntegration, registerLagoHandlers } from '../../../src/integrations/lago/handlers.ts';
import { ensureLagoBillingSetup } from '../../../src/integrations/lago/setup.ts';
import { createLagoApi } from '../../../src/integrations/lago/client.ts';
import type { LagoDouble } from '../../doubles/lago/server.ts';

/** Rows the proxy and payments code will write later; inserted here with Prisma directly. */

export async function seedWallet(db: Db, currency = 'EUR') {
  const org = await db.organization.create({
    data: { id: newId('org'), name: 'Acme', slug: `acme-${newId('s').slice(-10)}` },
  });
  const userId = newId('usr');
  const wallet = await db.wallet.create({
    data: { id: newId('wal'), organizationId: org.id, ownerType: 'user', ownerId: userId, currency },
  });
  return { org, userId, wallet };
}

export type Seeded = Awaited<ReturnType<typeof seedWallet>>;

export async function insertUsage(
  db: Db,
  s: Seeded,
  i: number,
  createdAt: Date,
  overrides: { status?: string; costNanos?: bigint } = {},
) {
  return db.usageRecord.create({
    data: {
      id: newId('use'),
      requestId: `req_${s.wallet.id.slice(-6)}_${i}`,
      organizationId: s.org.id,
      userId: s.userId,
      apiKeyId: 'key_test',
      walletId: s.wallet.id,
      currency: s.wallet.currency,
      endpoint: '/v1/chat/completions',
      modelRequested: 'gpt-4o-mini',
      modelServed: 'gpt-4o-mini',
      promptTokens: 100 + i,
      completionTokens: 20 + (i % 7),
      costNanos: overrides.costNanos ?? 123_456_789n + BigInt(i),
      status: overrides.status ?? 'succeeded',
      createdAt,
    },
  });
}

export async function insertTopUp(db: Db, s: Seeded, amountMinor: bigint, at: Date) {
  const order = await db.order.create({
    data: {
      id: newId('ord'),
      organizationId: s.org.id,
      walletId: s.wallet.id,
      currency: s.wallet.currency,
      amountMinor,
      creditNanos: amountMinor * 10_000_000n,
      provider: 'stripe',
      status: 'paid',
    },
  });
  return db.payment.create({
    data: {
      id: newId('pay'),
      orderId: order.id,
      provider: 'stripe',
      providerTxnId: `pi_${newId('x').slice(-12)}`,
      status: 'succeeded',
      amountMinor,
      currency: s.wallet.currency,
      succeededAt: at,
      createdAt: at,
    },
  });
}

export async function insertRefund(
  db: Db,
  paymentId: string,
  amountMinor: bigint,
  currency: string,
  at: Date,
) {
  return db.refund.create({
    data: {
      id: newId('ref'),
      paymentId,
      providerRefundId: `re_${newId('x').slice(-12)}`,
      amountMinor,
      currency,
      status: 'succeeded',
      createdAt: at,
      updatedAt: at,
    },
  });
}

export function lagoConfig(lago: LagoDouble, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    LAGO_API_URL: lago.url,
    LAGO_API_KEY: lago.apiKey,
    LAGO_REQUEST_TIMEOUT_MS: '300',
    LAGO_WEBHOOK_HMAC_KEY: lago.hmacKey,
    ...env,
  });
}

/** An outbox worker with only the Lago handlers and small backoffs, plus the Lago set-up done. */
export async function lagoWorker(db: Db, config: Config, currencies = ['EUR']) {
  const outbox = new OutboxWorker(db, {
    batchSize: 50,
    pollIntervalMs: 10,
    maxAttempts: 1000,
    backoffBaseMs: 5,
    backoffMaxMs: 40,
    lockTimeoutMs: 60_000,
  });
  const lago = registerLagoHandlers({ config, db, outbox, clock: () => new Date() }) as LagoIntegration;
  const setupApi = createLagoApi({
    apiUrl: config.LAGO_API_URL!,
    apiKey: config.LAGO_API_KEY!,
    timeoutMs: 10_000,
  });
  await ensureLagoBillingSetup({ api: setupApi, config }, currencies);
  return { outbox, lago };
}

/** Runs the worker until no Lago message is pending or processing. */
export async function deliverAll(
  db: Db,
  outbox: OutboxWorker,
  opts: { maxRounds?: number; onRound?: (i: number) => void } = {},
) {
  for (let i = 0; i < (opts.maxRounds ?? 5000); i++) {
    opts.onRound?.(i);
    const n = await outbox.runOnce();
    if (n === 0) {
      const open = await db.outboxMessage.count({
        where: { topic: { startsWith: 'lago.' }, status: { in: ['pending', 'processing'] } },
      });
      if (open === 0) return i;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  throw new Error('Lago deliveries did not finish');
}
