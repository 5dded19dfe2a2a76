import type { Config } from '../../config.ts';
import type { Db, Tx } from '../../db/client.ts';
import type { UsageRecord } from '../../generated/prisma/client.ts';
import { enqueueOutbox } from '../../outbox/outbox.ts';
import { PermanentDeliveryError } from '../../outbox/worker.ts';
import type { Services } from '../../services.ts';
import { type LagoApi, lagoApiFromConfig } from './client.ts';
import type { LagoContext } from './context.ts';
import { ensureLagoCustomer } from './customers.ts';
import { type BillingOwner, customerExternalId } from './mapping.ts';
import { syncRefund } from './refunds.ts';
import { syncTopUp } from './topups.ts';
import { LagoUsageBatcher, buildUsageEvent } from './usage.ts';

export const LAGO_TOPICS = {
  customer: 'lago.customer.upsert',
  usage: 'lago.usage',
  topUp: 'lago.topup',
  refund: 'lago.refund',
} as const;

export interface LagoIntegration {
  api: LagoApi;
  ctx: LagoContext;
  batcher: LagoUsageBatcher;
}

export function lagoEnabled(config: Config): boolean {
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
 * Registers the Lago outbox handlers on services.outbox and returns the integration, or
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
  services: Pick<Services, 'config' | 'db' | 'outbox' | 'clock'>,
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

const orderingKey = (owner: BillingOwner) => `lago:${customerExternalId(owner)}`;

/** Call inside the transaction that settles the usage record. */
export async function enqueueLagoUsage(
  tx: Tx | Db,
  usageRecord: Pick<UsageRecord, 'id' | 'requestId'>,
): Promise<void> {
  await enqueueOutbox(tx, {
    topic: LAGO_TOPICS.usage,
    payload: { usageRecordId: usageRecord.id },
    dedupeKey: `${LAGO_TOPICS.usage}:${usageRecord.requestId}`,
    requestId: usageRecord.requestId,
  });
}

/** The billing owner credited by a payment (its order's wallet), read inside the caller's transaction. */
async function paymentOwner(tx: Tx | Db, paymentId: string): Promise<BillingOwner> {
  const payment = await tx.payment.findUnique({ where: { id: paymentId }, include: { order: true } });
  const wallet = payment && (await tx.wallet.findUnique({ where: { id: payment.order.walletId } }));
  if (!wallet) throw new Error(`payment ${paymentId} has no wallet`);
  return { ownerType: wallet.ownerType, ownerId: wallet.ownerId, currency: wallet.currency };
}

/**
 * Call inside the transaction that marks the payment succeeded. `owner` (the credited wallet's
 * owner) is looked up from the payment's order when omitted.
 */
export async function enqueueLagoTopUp(
  tx: Tx | Db,
  input: { paymentId: string; owner?: BillingOwner },
): Promise<void> {
  const owner = input.owner ?? (await paymentOwner(tx, input.paymentId));
  await enqueueOutbox(tx, {
    topic: LAGO_TOPICS.topUp,
    payload: { paymentId: input.paymentId },
    orderingKey: orderingKey(owner),
    dedupeKey: `${LAGO_TOPICS.topUp}:${input.paymentId}`,
  });
}

/** Call inside the transaction that marks the refund succeeded; `owner` as for top-ups. */
export async function enqueueLagoRefund(
  tx: Tx | Db,
  input: { refundId: string; owner?: BillingOwner },
): Promise<void> {
  let owner = input.owner;
  if (!owner) {
    const refund = await tx.refund.findUnique({ where: { id: input.refundId } });
    if (!refund) throw new Error(`refund ${input.refundId} not found`);
    owner = await paymentOwner(tx, refund.paymentId);
  }
  await enqueueOutbox(tx, {
    topic: LAGO_TOPICS.refund,
    payload: { refundId: input.refundId },
    orderingKey: orderingKey(owner),
    dedupeKey: `${LAGO_TOPICS.refund}:${input.refundId}`,
  });
}

/** Creates or updates the Lago customer (name/email changes, or ahead of first use). */
export async function enqueueLagoCustomer(
  tx: Tx | Db,
  input: BillingOwner & { name?: string | null; email?: string | null },
): Promise<void> {
  await enqueueOutbox(tx, {
    topic: LAGO_TOPICS.customer,
    payload: {
      ownerType: input.ownerType,
      ownerId: input.ownerId,
      currency: input.currency.toUpperCase(),
      name: input.name ?? null,
      email: input.email ?? null,
    },
    orderingKey: orderingKey(input),
  });
}
