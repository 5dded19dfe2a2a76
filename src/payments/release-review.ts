import { NotFoundError } from '../lib/errors.ts';
import { type PaymentsDeps, providerOf } from './deps.ts';
import { markSucceeded } from './payment-states.ts';
import { awaitsReview } from './review.ts';

/**
 * Admin decision on a payment under review: a frozen credit (risk review, or a mismatching event
 * after the credit) goes to the wallet. A payment frozen before it was credited is then asked about
 * again: credited only if the provider's own record confirms the order's amount and currency (a
 * disagreeing record puts it back under review).
 */
export async function releaseReview(deps: PaymentsDeps, paymentId: string): Promise<void> {
  const { db, ledger } = deps;
  const payment = await db.payment.findUnique({ where: { id: paymentId } });
  if (!payment || !awaitsReview(payment)) throw new NotFoundError('Payment under review', paymentId);
  const order = await db.order.findUniqueOrThrow({ where: { id: payment.orderId } });
  const holds = await db.hold.findMany({
    where: {
      walletId: order.walletId,
      idempotencyKey: { in: [`review:${paymentId}`, `mismatch:${paymentId}`] },
      status: 'active',
    },
  });
  for (const hold of holds) await ledger.unfreeze({ holdId: hold.id, reason: 'review_released' });
  const released = await db.payment.update({
    where: { id: paymentId },
    data: { metadata: { ...(payment.metadata as object), review: { state: 'released' } } },
  });
  if (released.status !== 'succeeded' && released.providerTxnId) {
    const q = await providerOf(deps, released.provider).query(released.providerTxnId);
    if (q.status === 'succeeded') await markSucceeded(deps, released, { known: q });
  }
}
