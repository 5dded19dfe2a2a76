import type { Db, Tx } from '../../db/client.ts';
import type { UsageRecord } from '../../generated/prisma/client.ts';
import { enqueueOutbox } from '../../outbox/outbox.ts';
import { type BillingOwner, customerExternalId } from './mapping.ts';

/**
 * The Lago outbox messages other domains write inside their own transactions. This module imports
 * nothing of the integration (client, handlers), so payments and admission can use it without
 * pulling the integration, or the composition root, in.
 */
export const LAGO_TOPICS = {
  customer: 'lago.customer.upsert',
  usage: 'lago.usage',
  topUp: 'lago.topup',
  refund: 'lago.refund',
} as const;

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
