import type { Payment } from '../generated/prisma/client.ts';
import { logger } from '../lib/logger.ts';
import { notificationKeys } from '../notifications/service.ts';
import type { PaymentSucceededEvent, QueryResult } from '../providers/payment/types.ts';
import type { Tx } from '../db/client.ts';
import { type Statement, sqlFor } from '../db/sql.ts';
import { type BillingOwner, type PaymentsDeps, providerOf } from './deps.ts';
import { freezeOpenDisputes } from './dispute-freeze.ts';
import { confirmSuccess, merchantClaimMismatch } from './event-trust.ts';
import { awaitsReview, holdForReview } from './review.ts';
import { canMovePayment, orderStatusFor } from './state-machine.ts';

/**
 * Credits a payment the provider reports succeeded. What is credited is the order's amount, and
 * only once the provider's own record (`query`, or `known` when the caller just read it) confirms
 * success for that amount and currency; the event, when there is one, must agree too
 * (event-trust.ts). A disagreement freezes the payment for review; a provider that cannot be asked
 * throws, so the event is processed again.
 */
export async function markSucceeded(
  deps: PaymentsDeps,
  payment: Payment,
  source: { event: PaymentSucceededEvent; known?: undefined } | { event?: undefined; known: QueryResult },
): Promise<void> {
  if (payment.status === 'succeeded') {
    // A retry after a crash between the status update and the dispute freeze below.
    await freezeOpenDisputes(deps, payment.id);
    return;
  }
  if (payment.status === 'canceled') {
    logger.error({ paymentId: payment.id }, 'provider reports success for a canceled payment; not credited');
    return;
  }
  if (awaitsReview(payment)) {
    logger.warn({ paymentId: payment.id }, 'payment under review; success not credited until released');
    return;
  }
  if (!payment.providerTxnId) return;
  const { db, ledger, risk } = deps;
  const claim = source.event ?? null;
  const provider = providerOf(deps, payment.provider);
  // Alipay signs every merchant's notifications with one key: the event must name our app first.
  const foreign =
    claim && provider.merchant ? merchantClaimMismatch(provider.merchant, payment.orderId, claim) : null;
  if (foreign) {
    await holdForReview(deps, payment, foreign, claim?.eventId ?? null);
    return;
  }
  const confirmation = await confirmSuccess(
    provider,
    { ...payment, providerTxnId: payment.providerTxnId },
    claim,
    source.known,
  );
  if (confirmation.kind === 'mismatch') {
    await holdForReview(deps, payment, confirmation.mismatch, claim?.eventId ?? null);
    return;
  }
  if (confirmation.kind === 'unconfirmed') {
    logger.warn(
      { paymentId: payment.id, providerStatus: confirmation.query.status },
      'success reported but the provider does not confirm it; not credited',
    );
    return;
  }
  if (confirmation.providerTxnId !== payment.providerTxnId)
    await db.payment.update({
      where: { id: payment.id },
      data: { providerTxnId: confirmation.providerTxnId },
    });
  // Webhook payloads never expand the charge, so the risk outcome comes from the provider's record.
  const outcome = {
    amountReceivedMinor: payment.amountMinor,
    riskLevel: confirmation.query.riskLevel ?? claim?.riskLevel ?? null,
    riskScore: claim?.riskScore ?? null,
  };
  const { order, wallet } = await readOrderAndWallet(db, payment.orderId);
  const decision = await risk.decideCredit({
    organizationId: order.organizationId,
    userId: order.userId,
    riskLevel: outcome.riskLevel,
    riskScore: outcome.riskScore,
  });
  // The order's amount, never what an event says: confirmSuccess checked the provider received it.
  const creditNanos = order.creditNanos;
  const markPaid = (tx: Tx, creditTransactionId: string) =>
    markPaidIn(deps, tx, {
      payment,
      order,
      walletId: wallet.id,
      owner: { ownerType: wallet.ownerType, ownerId: wallet.ownerId, currency: wallet.currency },
      outcome,
      creditTransactionId,
      review: decision.credit === 'hold_for_review' ? { state: 'pending', reason: decision.reason } : null,
    });
  let won: boolean;
  if (decision.credit === 'now') {
    // The usual path: the credit, the payment and order rows, the Lago mirror job and the
    // notification commit in one transaction, so a crash leaves all of it or none for the retry.
    let inCredit = false;
    const credit = await ledger.creditTopUp({
      walletId: wallet.id,
      amountNanos: creditNanos,
      paymentId: payment.id,
      idempotencyKey: `topup:${payment.id}`,
      provider: payment.provider,
      expectNew: true,
      within: async (tx, transactionId) => {
        inCredit = await markPaid(tx, transactionId);
      },
    });
    // Credited before (another success path, or a version that committed the credit on its own):
    // the payment is marked in a transaction of its own, once.
    won = credit.idempotencyHit
      ? await db.$transaction((tx) => markPaid(tx, credit.transactionId))
      : inCredit;
  } else {
    // Idempotent on the payment id: a second delivery, a reconciliation run or a crash-and-retry
    // finds the posting already made.
    const credit = await ledger.creditTopUp({
      walletId: wallet.id,
      amountNanos: creditNanos,
      paymentId: payment.id,
      idempotencyKey: `topup:${payment.id}`,
      provider: payment.provider,
    });
    await ledger.freeze({
      walletId: wallet.id,
      amountNanos: creditNanos,
      idempotencyKey: `review:${payment.id}`,
      metadata: { paymentId: payment.id, reason: decision.reason },
    });
    won = await db.$transaction((tx) => markPaid(tx, credit.transactionId));
  }
  // Another success path (a second delivery, the reconciler) marked the payment succeeded first,
  // without review (it could not read the risk outcome), while this one froze the credit.
  if (!won && decision.credit === 'hold_for_review')
    await recordPendingReview(deps, payment.id, decision.reason, outcome);
  await freezeOpenDisputes(deps, payment.id);
}

/** The order a payment pays and the wallet it credits: one statement, through the driver (src/db/sql.ts). */
const ORDER_AND_WALLET: Statement = {
  name: 'payment_order_and_wallet',
  text: `SELECT o.id, o."organizationId", o."userId", o."creditNanos", w.id AS "walletId", w."ownerType",
       w."ownerId", w.currency
  FROM orders o JOIN wallets w ON w.id = o."walletId"
 WHERE o.id = $1::text`,
};

async function readOrderAndWallet(db: PaymentsDeps['db'], orderId: string) {
  const [r] = await sqlFor(db).query<{
    id: string;
    organizationId: string;
    userId: string | null;
    creditNanos: bigint;
    walletId: string;
    ownerType: string;
    ownerId: string;
    currency: string;
  }>(ORDER_AND_WALLET, [orderId]);
  if (!r) throw new Error(`order ${orderId} or its wallet not found`);
  return {
    order: { id: r.id, organizationId: r.organizationId, userId: r.userId, creditNanos: r.creditNanos },
    wallet: { id: r.walletId, ownerType: r.ownerType, ownerId: r.ownerId, currency: r.currency },
  };
}

/**
 * Marks the payment succeeded and its order paid (one statement, only if it was not succeeded
 * yet), then queues the Lago mirror and the notification, in `tx`. Returns whether this call
 * moved the payment.
 */
async function markPaidIn(
  deps: PaymentsDeps,
  tx: Tx,
  m: {
    payment: Payment;
    order: { id: string; organizationId: string };
    walletId: string;
    owner: BillingOwner;
    outcome: { amountReceivedMinor: bigint; riskLevel: string | null; riskScore: number | null };
    creditTransactionId: string;
    review: { state: 'pending'; reason: string | null } | null;
  },
): Promise<boolean> {
  const { payment, order, outcome } = m;
  const metadata = JSON.stringify({ ...(payment.metadata as object), review: m.review });
  const updatedAt = new Date().toISOString();
  const moved = await tx.$queryRaw<Array<{ id: string }>>`
    WITH p AS (
      UPDATE payments
         SET status = 'succeeded', "succeededAt" = ${deps.clock().toISOString()}::timestamp(3),
             "riskLevel" = ${outcome.riskLevel}::text, "riskScore" = ${outcome.riskScore}::int,
             "creditTransactionId" = ${m.creditTransactionId}, "failureCode" = NULL, "failureMessage" = NULL,
             metadata = ${metadata}::jsonb, "updatedAt" = ${updatedAt}::timestamp(3)
       WHERE id = ${payment.id} AND status <> 'succeeded'
      RETURNING "orderId")
    UPDATE orders SET status = 'paid', "updatedAt" = ${updatedAt}::timestamp(3)
      FROM p WHERE orders.id = p."orderId"
    RETURNING orders.id`;
  if (moved.length === 0) return false;
  await deps.billing?.enqueueTopUp(tx, { paymentId: payment.id, owner: m.owner });
  await deps.notifications.notify(tx, {
    type: 'payment_succeeded',
    organizationId: order.organizationId,
    dedupeKey: notificationKeys.paymentSucceeded(payment.id),
    payload: {
      paymentId: payment.id,
      orderId: order.id,
      walletId: m.walletId,
      currency: payment.currency,
      amountMinor: String(outcome.amountReceivedMinor),
    },
  });
  return true;
}

/**
 * Records a review for a payment whose credit was frozen under `review:<paymentId>` although the
 * update that marked it succeeded did not say so, or the operator could never see nor release the
 * freeze. One statement: concurrent metadata survives, and a review already recorded (pending, or
 * released) is kept.
 */
async function recordPendingReview(
  deps: PaymentsDeps,
  paymentId: string,
  reason: string | null,
  outcome: { riskLevel: string | null; riskScore: number | null },
): Promise<void> {
  const review = JSON.stringify({ state: 'pending', reason });
  const n = await deps.db.$executeRaw`
    UPDATE "payments"
       SET "metadata" = jsonb_set("metadata", '{review}', ${review}::jsonb),
           "riskLevel" = COALESCE("riskLevel", ${outcome.riskLevel}::text),
           "riskScore" = COALESCE("riskScore", ${outcome.riskScore}::int),
           "updatedAt" = ${deps.clock().toISOString()}::timestamp(3)
     WHERE "id" = ${paymentId}
       AND jsonb_typeof(COALESCE("metadata" -> 'review', 'null'::jsonb)) = 'null'`;
  if (n > 0) logger.warn({ paymentId }, 'a concurrent success without review won; review recorded');
}

export async function markFailed(
  deps: PaymentsDeps,
  payment: Payment,
  code: string | null,
  message: string | null,
): Promise<void> {
  const { db, notifications } = deps;
  if (!canMovePayment(payment.status, 'failed')) return;
  await db.$transaction(async (tx) => {
    const n = await tx.payment.updateMany({
      where: { id: payment.id, status: { notIn: ['succeeded', 'canceled'] } },
      data: { status: 'failed', failureCode: code, failureMessage: message },
    });
    if (n.count === 0) return;
    const order = await tx.order.update({ where: { id: payment.orderId }, data: { status: 'failed' } });
    await notifications.notify(tx, {
      type: 'payment_failed',
      organizationId: order.organizationId,
      dedupeKey: notificationKeys.paymentFailed(payment.id),
      payload: {
        paymentId: payment.id,
        orderId: order.id,
        walletId: order.walletId,
        currency: payment.currency,
        amountMinor: String(payment.amountMinor),
        failureCode: code,
        failureMessage: message,
      },
    });
  });
}

export async function moveTo(deps: PaymentsDeps, payment: Payment, to: 'processing' | 'canceled') {
  if (!canMovePayment(payment.status, to)) return;
  await deps.db.$transaction(async (tx) => {
    const n = await tx.payment.updateMany({
      where: { id: payment.id, status: { notIn: ['succeeded', 'canceled'] } },
      data: { status: to },
    });
    if (n.count)
      await tx.order.update({ where: { id: payment.orderId }, data: { status: orderStatusFor(to) } });
  });
}
