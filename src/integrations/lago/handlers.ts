import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import type { UsageRecord } from '../../generated/prisma/client.ts';
import { type OutboxWorker, PermanentDeliveryError } from '../../outbox/worker.ts';
import { type LagoApi, lagoApiFromConfig } from './client.ts';
import type { LagoContext } from './context.ts';
import { ensureLagoCustomer } from './customers.ts';
import { LAGO_TOPICS } from './enqueue.ts';
import type { BillingOwner } from './mapping.ts';
import { syncRefund } from './refunds.ts';
import { syncTopUp } from './topups.ts';
import { LagoUsageBatcher, buildUsageEvent } from './usage.ts';

// Enqueueing needs nothing of the integration itself: payments and admission import it from
// enqueue.ts; these re-exports keep the older import path working.
export {
  LAGO_TOPICS,
  enqueueLagoCustomer,
  enqueueLagoRefund,
  enqueueLagoTopUp,
  enqueueLagoUsage,
} from './enqueue.ts';

/** What the Lago handlers need from the process (a narrow slice of the composition root). */
export interface LagoHandlerDeps {
  config: Config;
  db: Db;
  outbox: Pick<OutboxWorker, 'register'>;
  clock: () => Date;
}

export interface LagoIntegration {
  api: LagoApi;
  ctx: LagoContext;
  batcher: LagoUsageBatcher;
}

export function lagoEnabled(
  config: Pick<Config, 'LAGO_API_URL' | 'LAGO_API_KEY' | 'LAGO_EVENTS_ENABLED'>,
): boolean {
  return Boolean(config.LAGO_API_URL && config.LAGO_API_KEY && config.LAGO_EVENTS_ENABLED);
}

/** Usage that Lago bills: a succeeded request, or any request that cost something. */
export function isBillableUsage(record: Pick<UsageRecord, 'status' | 'costNanos'>): boolean {
  return record.status === 'succeeded' || record.costNanos > 0n;
}

/** The billing owner of a usage record: its wallet's owner, else the user, in the record's currency. */
export async function usageOwner(
  db: Db,
  record: Pick<UsageRecord, 'walletId' | 'userId' | 'currency'>,
): Promise<BillingOwner> {
  if (record.walletId) {
    const wallet = await db.wallet.findUnique({ where: { id: record.walletId } });
    if (wallet) return { ownerType: wallet.ownerType, ownerId: wallet.ownerId, currency: wallet.currency };
  }
  return { ownerType: 'user', ownerId: record.userId, currency: record.currency };
}

export interface LagoHandlerOptions {
  /** How long the usage batcher waits for more events of the same poll before sending. */
  lingerMs?: number;
  api?: LagoApi;
}

/**
 * Registers the Lago outbox handlers on `outbox` and returns the integration, or
 * undefined when Lago is not configured (then nothing is registered and rows would wait).
 *
 * Usage delivery: one outbox row per usage record (deduplicated on the request id), no ordering
 * key, so a poll claims many at once; their handlers run concurrently and hand their events to
 * one LagoUsageBatcher, which sends them as `POST /events/batch` (≤ LAGO_EVENTS_BATCH_SIZE).
 * Retries, backoff, dead letters and replays stay per record, in the outbox.
 * Customers, top-ups and refunds carry orderingKey `lago:<external customer id>`: a refund is
 * never applied before the top-up it refunds.
 */
export function registerLagoHandlers(
  services: LagoHandlerDeps,
  opts: LagoHandlerOptions = {},
): LagoIntegration | undefined {
  const { config } = services;
  if (!lagoEnabled(config)) return undefined;
  const api = opts.api ?? lagoApiFromConfig(config)!;
  const ctx: LagoContext = { db: services.db, api, config, clock: services.clock };
  const batcher = new LagoUsageBatcher(ctx, {
    batchSize: config.LAGO_EVENTS_BATCH_SIZE,
    lingerMs: opts.lingerMs ?? 10,
  });

  services.outbox.register(LAGO_TOPICS.customer, async ({ payload }) => {
    await ensureLagoCustomer(ctx, payload, { refresh: true });
  });
  services.outbox.register(LAGO_TOPICS.usage, async ({ payload }) => {
    const record = await services.db.usageRecord.findUnique({ where: { id: payload.usageRecordId } });
    if (!record) throw new PermanentDeliveryError(`usage record ${payload.usageRecordId} not found`);
    if (!isBillableUsage(record)) return;
    const owner = await usageOwner(services.db, record);
    const customer = await ensureLagoCustomer(ctx, owner);
    await batcher.submit(
      buildUsageEvent(record, customer.externalSubscriptionId, config.LAGO_BILLABLE_METRIC_CODE),
    );
  });
  services.outbox.register(LAGO_TOPICS.topUp, async ({ payload }) => syncTopUp(ctx, payload.paymentId));
  services.outbox.register(LAGO_TOPICS.refund, async ({ payload }) => syncRefund(ctx, payload.refundId));
  return { api, ctx, batcher };
}
