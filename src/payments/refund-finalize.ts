import type { Refund } from '../generated/prisma/client.ts';
import type { WalletRow } from '../ledger/ledger-service.ts';
import { minorToNanos } from '../lib/money.ts';
import { logger } from '../lib/logger.ts';
import { notificationKeys } from '../notifications/service.ts';
import { type PaymentsDeps, billingOwner } from './deps.ts';
import { canMoveRefund } from './state-machine.ts';

/** Moves a pending refund to its final state, posting the ledger refund on success. Idempotent. */
export async function finalizeRefund(
  deps: PaymentsDeps,
  refund: Refund,
  to: 'succeeded' | 'failed' | 'canceled',
  failureReason: string | null,
): Promise<Refund> {
  const { db, ledger, notifications } = deps;
  // Whatever arrives for a failed refund, it must not keep a debit (see creditBackIfDebited).
  if (refund.status === 'failed') {
    await creditBackIfDebited(deps, refund);
    return refund;
  }
  if (!canMoveRefund(refund.status, to)) return refund;
  if (refund.status === 'succeeded') return failSucceededRefund(deps, refund, failureReason);
  const payment = await db.payment.findUniqueOrThrow({
    where: { id: refund.paymentId },
    include: { order: true },
  });
  const walletId = payment.order.walletId;
  const hold = await db.hold.findUnique({
    where: { walletId_idempotencyKey: { walletId, idempotencyKey: `refund:${refund.id}` } },
  });
  let reversalTransactionId: string | null = null;
  let wallet: WalletRow | null = null;
  // Debit first, release the reservation after: the refunded amount never looks spendable in between.
  if (to === 'succeeded') {
    const posted = await ledger.debitRefund({
      walletId,
      amountNanos: minorToNanos(refund.amountMinor, refund.currency),
      paymentId: payment.id,
      refundId: refund.id,
      idempotencyKey: `refund:${refund.id}`,
      provider: payment.provider,
      // The provider has already returned the money: the ledger must follow, whatever the policy.
      allowNegative: true,
    });
    reversalTransactionId = posted.transactionId;
  }
  if (hold?.status === 'active') await ledger.release({ holdId: hold.id, reason: `refund_${to}` });
  if (to === 'succeeded') wallet = await ledger.getWallet(walletId);
  const moved = await db.$transaction(async (tx) => {
    const n = await tx.refund.updateMany({
      where: { id: refund.id, status: 'pending' },
      data: { status: to, failureReason, reversalTransactionId },
    });
    if (n.count === 0) return tx.refund.findUniqueOrThrow({ where: { id: refund.id } });
    if (to === 'succeeded' && wallet) {
      await tx.payment.update({
        where: { id: payment.id },
        data: { amountRefundedMinor: { increment: refund.amountMinor } },
      });
      await deps.billing?.enqueueRefund(tx, { refundId: refund.id, owner: billingOwner(wallet) });
      await notifications.notify(tx, {
        type: 'refund_succeeded',
        organizationId: payment.order.organizationId,
        dedupeKey: notificationKeys.refundSucceeded(refund.id),
        payload: {
          refundId: refund.id,
          paymentId: payment.id,
          currency: refund.currency,
          amountMinor: String(refund.amountMinor),
        },
      });
    }
    return tx.refund.findUniqueOrThrow({ where: { id: refund.id } });
  });
  // A failure got there first while this success posted its debit from a stale `pending` read:
  // the debit must go back.
  if (moved.status === 'failed') await creditBackIfDebited(deps, moved);
  // A concurrent success (webhook and synchronous answer racing) got there first: the failure
  // still applies, now as a failure after success.
  if (to === 'failed' && moved.status === 'succeeded') return failSucceededRefund(deps, moved, failureReason);
  return moved;
}

/**
 * The invariant of a failed refund: it keeps no ledger debit. If `refund:<refundId>` was posted
 * (it succeeded first, or a stale success raced the failure), it is reversed, bound to
 * `refund-failed:<refundId>`, so any number of calls credit back once. Returns the reversal's id.
 */
async function creditBackIfDebited(deps: PaymentsDeps, refund: Refund): Promise<string | null> {
  const debit = await deps.db.ledgerTransaction.findFirst({
    where: { reason: 'refund', idempotencyKey: `refund:${refund.id}` },
    select: { id: true },
  });
  if (!debit) return null;
  const reversal = await deps.ledger.reverse({
    transactionId: debit.id,
    idempotencyKey: `refund-failed:${refund.id}`,
    description: `refund ${refund.id} failed after it succeeded`,
  });
  return reversal.transactionId;
}

/**
 * A refund that succeeded and is now reported failed by the provider (Stripe: the card or bank
 * account was closed; the money stays with us). The wallet gets the credit back: the refund's
 * ledger debit is reversed, bound to `refund-failed:<refundId>`, and the refund moves
 * succeeded → failed once, taking its amount off `payments.amountRefundedMinor`. Replays, and a
 * crash between the two steps, change nothing more (the reversal is idempotent, the move guarded).
 * Lago has no way to take back a voided credit or a credit note refund, so an already mirrored
 * refund is logged for an operator; a not yet delivered one is dead-lettered by its handler
 * (it only mirrors succeeded refunds), which is right: Lago never took the credits.
 */
async function failSucceededRefund(
  deps: PaymentsDeps,
  refund: Refund,
  failureReason: string | null,
): Promise<Refund> {
  const { db } = deps;
  const reversalId = await creditBackIfDebited(deps, refund);
  const reason = failureReason ?? 'unknown';
  const { updated, moved } = await db.$transaction(async (tx) => {
    const n = await tx.refund.updateMany({
      where: { id: refund.id, status: 'succeeded' },
      data: { status: 'failed', failureReason: reason },
    });
    if (n.count === 1)
      await tx.payment.update({
        where: { id: refund.paymentId },
        data: { amountRefundedMinor: { decrement: refund.amountMinor } },
      });
    return {
      updated: await tx.refund.findUniqueOrThrow({ where: { id: refund.id } }),
      moved: n.count === 1,
    };
  });
  if (!moved) return updated;
  logger.warn(
    { refundId: refund.id, paymentId: refund.paymentId, failureReason: reason, reversalId },
    'refund failed after it succeeded; credit given back to the wallet',
  );
  if (deps.billing) {
    const mirrored = await db.externalMapping.findFirst({
      where: { entityType: 'refund', entityId: refund.id, scope: 'refund', syncState: 'synced' },
      select: { id: true },
    });
    if (mirrored)
      logger.error(
        { refundId: refund.id, paymentId: refund.paymentId },
        'Lago already took the credits of this refund and cannot undo it; restore them in Lago by hand',
      );
  }
  return updated;
}
