import type { Payment } from '../generated/prisma/client.ts';
import { logger } from '../lib/logger.ts';
import { type PaymentsDeps, providerOf } from './deps.ts';
import { MismatchKind, isOwnTransaction } from './event-trust.ts';
import { holdForReview } from './review.ts';

/**
 * The payment an event is about: by our payment id from the provider's metadata, else by the
 * provider's transaction id. An event naming our payment but another transaction is believed only
 * when the provider reports that transaction for the payment (a Stripe Checkout Session becomes a
 * PaymentIntent when paid; refunds and disputes name the new one and carry no payment id of ours,
 * so it is adopted). Otherwise the payment is frozen for review and the event changes nothing.
 */
export async function findPayment(
  deps: PaymentsDeps,
  provider: string,
  event: { eventId: string; paymentId: string | null; providerTxnId: string },
): Promise<Payment | null> {
  const { db } = deps;
  const { paymentId, providerTxnId } = event;
  const byId = paymentId ? await db.payment.findUnique({ where: { id: paymentId } }) : null;
  if (byId && byId.provider !== provider) {
    logger.warn({ provider, paymentId }, 'provider event names a payment of another provider; ignored');
    return null;
  }
  if (byId && providerTxnId && byId.providerTxnId !== providerTxnId) {
    if (await isOwnTransaction(providerOf(deps, provider), byId.providerTxnId, providerTxnId))
      return db.payment.update({ where: { id: byId.id }, data: { providerTxnId } });
    await holdForReview(
      deps,
      byId,
      {
        kind: MismatchKind.Transaction,
        source: 'event',
        expected: byId.providerTxnId ?? '',
        got: providerTxnId,
      },
      event.eventId,
    );
    return null;
  }
  const p =
    byId ?? (await db.payment.findUnique({ where: { provider_providerTxnId: { provider, providerTxnId } } }));
  if (!p) logger.warn({ provider, providerTxnId }, 'provider event for an unknown payment ignored');
  return p;
}
