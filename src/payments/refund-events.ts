import type { Refund } from '../generated/prisma/client.ts';
import { isUniqueViolation } from '../db/unique-violation.ts';
import { newId } from '../lib/ids.ts';
import type {
  RefundFailedEvent,
  RefundPendingEvent,
  RefundSucceededEvent,
} from '../providers/payment/types.ts';
import { type PaymentsDeps, providerOf } from './deps.ts';
import { type Mismatch, MismatchKind, claimMismatch, isOwnTransaction } from './event-trust.ts';
import { findPayment } from './find-payment.ts';
import { holdForReview } from './review.ts';

type RefundEvent = RefundSucceededEvent | RefundFailedEvent | RefundPendingEvent;

/**
 * Our refund an event is about, or one made outside Tollgate (e.g. in the provider's dashboard),
 * adopted so the ledger still reflects money that left. null when the event must change nothing
 * (unknown payment, or a mismatch, which freezes the payment for review).
 */
export async function findOrAdoptRefund(
  deps: PaymentsDeps,
  provider: string,
  event: RefundEvent,
): Promise<Refund | null> {
  const { db } = deps;
  const byId = event.refundId ? await db.refund.findUnique({ where: { id: event.refundId } }) : null;
  const known = byId ?? (await db.refund.findFirst({ where: { providerRefundId: event.providerRefundId } }));
  if (known) {
    // Our refund's id in a signed event proves nothing about the charge: it must be the refund's own.
    if (!(await refundEventMatches(deps, provider, known, event))) return null;
    if (!known.providerRefundId)
      return db.refund.update({
        where: { id: known.id },
        data: { providerRefundId: event.providerRefundId },
      });
    return known;
  }
  const payment = await findPayment(deps, provider, event);
  if (!payment) return null;
  const remaining = payment.amountMinor - payment.amountRefundedMinor;
  const m: Mismatch | null =
    event.currency !== payment.currency
      ? { kind: MismatchKind.Currency, source: 'event', expected: payment.currency, got: event.currency }
      : event.amountMinor <= 0n || event.amountMinor > remaining
        ? {
            kind: MismatchKind.Amount,
            source: 'event',
            expected: `at most ${remaining}`,
            got: String(event.amountMinor),
          }
        : null;
  if (m) {
    await holdForReview(deps, payment, m, event.eventId);
    return null;
  }
  // A refund we did not make takes money from the wallet: only when the provider has it, as told.
  const found = payment.providerTxnId
    ? await providerOf(deps, provider).findRefund({
        providerTxnId: payment.providerTxnId,
        providerRefundId: event.providerRefundId,
        refundId: '',
      })
    : null;
  if (found?.amountMinor !== event.amountMinor) {
    await holdForReview(
      deps,
      payment,
      {
        kind: MismatchKind.Amount,
        source: 'provider',
        expected: String(event.amountMinor),
        got: found ? String(found.amountMinor) : 'no such refund',
      },
      event.eventId,
    );
    return null;
  }
  try {
    return await db.refund.create({
      data: {
        id: newId('ref'),
        paymentId: payment.id,
        providerRefundId: event.providerRefundId,
        amountMinor: event.amountMinor,
        currency: payment.currency,
        status: 'pending',
        reason: 'external',
        idempotencyKey: `external:${event.providerRefundId}`,
      },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return db.refund.findFirstOrThrow({ where: { providerRefundId: event.providerRefundId } });
  }
}

/**
 * Whether a refund event is about this refund of ours: same transaction (or the one the provider
 * reports for the payment), amount and currency. Otherwise its payment is frozen for review.
 */
async function refundEventMatches(
  deps: PaymentsDeps,
  provider: string,
  refund: Refund,
  event: RefundEvent,
): Promise<boolean> {
  const payment = await deps.db.payment.findUniqueOrThrow({ where: { id: refund.paymentId } });
  const own =
    payment.provider === provider &&
    (await isOwnTransaction(providerOf(deps, provider), payment.providerTxnId, event.providerTxnId));
  const m = claimMismatch(
    { providerTxnId: payment.providerTxnId, amountMinor: refund.amountMinor, currency: refund.currency },
    own ? [event.providerTxnId] : [payment.providerTxnId ?? ''],
    event,
  );
  if (m) await holdForReview(deps, payment, m, event.eventId);
  return m === null;
}
