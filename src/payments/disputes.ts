import type { Payment } from '../generated/prisma/client.ts';
import { minorToNanos } from '../lib/money.ts';
import { newId } from '../lib/ids.ts';
import { logger } from '../lib/logger.ts';
import { notificationKeys } from '../notifications/service.ts';
import type { DisputeClosedEvent, DisputeOpenedEvent } from '../providers/payment/types.ts';
import { type PaymentsDeps, providerOf } from './deps.ts';
import { freezeOpenDisputes, releaseDisputeFreeze } from './dispute-freeze.ts';
import { type Mismatch, MismatchKind, claimMismatch, isOwnTransaction } from './event-trust.ts';
import { findPayment } from './find-payment.ts';
import { holdForReview } from './review.ts';

export async function openDispute(deps: PaymentsDeps, provider: string, event: DisputeOpenedEvent) {
  const payment = await findPayment(deps, provider, event);
  if (!payment) return;
  const m: Mismatch | null =
    event.currency !== payment.currency
      ? { kind: MismatchKind.Currency, source: 'event', expected: payment.currency, got: event.currency }
      : event.amountMinor <= 0n || event.amountMinor > payment.amountMinor
        ? {
            kind: MismatchKind.Amount,
            source: 'event',
            expected: `at most ${payment.amountMinor}`,
            got: String(event.amountMinor),
          }
        : null;
  if (m) {
    await holdForReview(deps, payment, m, event.eventId);
    return;
  }
  const existing = await deps.db.dispute.findUnique({
    where: { providerDisputeId: event.providerDisputeId },
  });
  if (!existing) await recordDispute(deps, payment, event);
  // Stripe does not order events: a dispute can arrive before the payment's success. It then
  // freezes nothing (nothing is credited yet), and the credit, when it lands, is frozen by
  // markSucceeded. This covers a credit that landed while the dispute was being recorded.
  await freezeOpenDisputes(deps, payment.id);
}

async function recordDispute(deps: PaymentsDeps, payment: Payment, event: DisputeOpenedEvent) {
  const { db, ledger, risk, notifications } = deps;
  const order = await db.order.findUniqueOrThrow({ where: { id: payment.orderId } });
  const disputeId = newId('dsp');
  const freezeNanos = await risk.disputeFreezeNanos({
    organizationId: order.organizationId,
    disputedAmountMinor: event.amountMinor,
    paymentAmountMinor: payment.amountMinor,
    creditedNanos: payment.status === 'succeeded' ? order.creditNanos : 0n,
  });
  const frozen =
    freezeNanos > 0n
      ? await ledger.freeze({
          walletId: order.walletId,
          amountNanos: freezeNanos,
          idempotencyKey: `dispute:${event.providerDisputeId}`,
          metadata: { paymentId: payment.id, providerDisputeId: event.providerDisputeId },
        })
      : null;
  await db.$transaction(async (tx) => {
    const n = await tx.dispute.createMany({
      data: [
        {
          id: disputeId,
          paymentId: payment.id,
          providerDisputeId: event.providerDisputeId,
          amountMinor: event.amountMinor,
          currency: event.currency,
          status: 'open',
          reason: event.reason,
          freezeHoldId: frozen?.holdId ?? null,
        },
      ],
      skipDuplicates: true,
    });
    if (n.count === 0) return;
    await notifications.notify(tx, {
      type: 'dispute_opened',
      organizationId: order.organizationId,
      dedupeKey: notificationKeys.disputeOpened(disputeId),
      payload: {
        disputeId,
        paymentId: payment.id,
        currency: event.currency,
        amountMinor: String(event.amountMinor),
        reason: event.reason,
        frozenNanos: String(freezeNanos),
      },
    });
  });
}

/**
 * A decided dispute: the frozen credit is unfrozen either way; when the dispute is lost the
 * disputed amount also leaves the wallet (the cardholder got the money back), posted once on
 * `dispute-lost:<id>` and allowed to take the wallet negative — the money is already gone.
 */
export async function closeDispute(deps: PaymentsDeps, provider: string, event: DisputeClosedEvent) {
  const { db, ledger } = deps;
  const dispute = await db.dispute.findUnique({
    where: { providerDisputeId: event.providerDisputeId },
    include: { payment: { include: { order: true } } },
  });
  if (!dispute) {
    logger.warn({ providerDisputeId: event.providerDisputeId }, 'close of an unknown dispute ignored');
    return;
  }
  const own =
    dispute.payment.provider === provider &&
    (await isOwnTransaction(providerOf(deps, provider), dispute.payment.providerTxnId, event.providerTxnId));
  const m = claimMismatch(
    { providerTxnId: null, amountMinor: dispute.amountMinor, currency: dispute.currency },
    own ? [event.providerTxnId] : [dispute.payment.providerTxnId ?? ''],
    event,
  );
  if (m) {
    await holdForReview(deps, dispute.payment, m, event.eventId);
    return;
  }
  if (dispute.status === 'won' || dispute.status === 'lost') {
    // Replays (and a retry after a crash before the release below) only make sure it is released.
    await releaseDisputeFreeze(deps, dispute.freezeHoldId, dispute.status);
    return;
  }
  if (event.outcome === 'lost')
    await ledger.debitRefund({
      walletId: dispute.payment.order.walletId,
      amountNanos: minorToNanos(dispute.amountMinor, dispute.currency),
      paymentId: dispute.paymentId,
      idempotencyKey: `dispute-lost:${dispute.id}`,
      provider: dispute.payment.provider,
      allowNegative: true,
      description: `dispute ${dispute.providerDisputeId} lost`,
    });
  await db.dispute.updateMany({
    where: { id: dispute.id, status: { notIn: ['won', 'lost'] } },
    data: { status: event.outcome },
  });
  // After the status moved, read the hold again: a credit landing concurrently may have just
  // frozen it (see freezeOpenDisputes).
  const closed = await db.dispute.findUniqueOrThrow({ where: { id: dispute.id } });
  await releaseDisputeFreeze(deps, closed.freezeHoldId, closed.status);
}
