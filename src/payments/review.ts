import type { Payment } from '../generated/prisma/client.ts';
import { logger } from '../lib/logger.ts';
import { notificationKeys } from '../notifications/service.ts';
import type { PaymentsDeps } from './deps.ts';
import type { Mismatch } from './event-trust.ts';

/** A payment frozen for review and not credited: nothing credits it until an admin releases it. */
export function awaitsReview(payment: Payment): boolean {
  return (payment.metadata as { review?: { state?: string } } | null)?.review?.state === 'pending';
}

/**
 * A provider event (or the provider's own record) disagreed with the payment: freeze it for review
 * and notify the platform admins; never credit from it. A payment not yet credited stays
 * uncredited while under review (markSucceeded refuses); a credited one has its credit frozen
 * (`mismatch:<paymentId>`) until `releaseReview`. Idempotent per payment and cause.
 */
export async function holdForReview(
  deps: PaymentsDeps,
  payment: Payment,
  m: Mismatch,
  cause: string | null,
): Promise<void> {
  const { db, ledger, notifications } = deps;
  const order = await db.order.findUniqueOrThrow({ where: { id: payment.orderId } });
  logger.error(
    { paymentId: payment.id, providerEventId: cause, ...m },
    'provider event disagrees with the payment; frozen for review, nothing credited from it',
  );
  if (payment.status === 'succeeded')
    await ledger.freeze({
      walletId: order.walletId,
      amountNanos: order.creditNanos,
      idempotencyKey: `mismatch:${payment.id}`,
      metadata: { paymentId: payment.id, reason: m.kind },
    });
  await db.$transaction(async (tx) => {
    const current = await tx.payment.findUniqueOrThrow({ where: { id: payment.id } });
    if (!awaitsReview(current))
      await tx.payment.update({
        where: { id: payment.id },
        data: {
          metadata: {
            ...(current.metadata as object),
            review: { state: 'pending', reason: m.kind, credited: current.status === 'succeeded' },
          },
        },
      });
    await notifications.notify(tx, {
      type: 'payment_review_required',
      organizationId: null,
      dedupeKey: notificationKeys.paymentReviewRequired(payment.id, cause ?? m.kind),
      payload: {
        paymentId: payment.id,
        orderId: order.id,
        walletId: order.walletId,
        reason: m.kind,
        source: m.source,
        expected: m.expected,
        got: m.got,
        providerEventId: cause,
      },
    });
  });
}
