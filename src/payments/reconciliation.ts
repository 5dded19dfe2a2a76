import type { Payment, Refund } from '../generated/prisma/client.ts';
import { logger } from '../lib/logger.ts';
import { type PaymentsDeps, providerIdsOf, providerOf } from './deps.ts';
import { markSucceeded, moveTo } from './payment-states.ts';
import { finalizeRefund } from './refund-finalize.ts';
import { submitRefund } from './refunds.ts';

const NON_FINAL_PAYMENT = ['created', 'requires_action', 'processing', 'failed'];
const LOOK_BACK_MS = 30 * 24 * 3600 * 1000;

/**
 * Asks the provider about payments stuck in a non-final state for longer than `olderThanMs`, so
 * a lost webhook never loses a top-up, and cancels unpaid ones past their provider's pay timeout
 * (closedUnpaid). Returns the ids whose state changed.
 */
export async function reconcileStuckPayments(
  deps: PaymentsDeps,
  opts: { olderThanMs: number; limit?: number },
): Promise<string[]> {
  const { db } = deps;
  const now = deps.clock().getTime();
  const stuck = await db.payment.findMany({
    where: {
      status: { in: NON_FINAL_PAYMENT },
      providerTxnId: { not: null },
      provider: { in: providerIdsOf(deps) },
      updatedAt: { lt: new Date(now - opts.olderThanMs) },
      createdAt: { gt: new Date(now - LOOK_BACK_MS) },
    },
    orderBy: { updatedAt: 'asc' },
    take: opts.limit ?? 100,
  });
  const changed: string[] = [];
  for (const p of stuck) {
    try {
      const q = await providerOf(deps, p.provider).query(p.providerTxnId!);
      if (q.status === 'succeeded') {
        await markSucceeded(deps, p, { known: q });
        changed.push(p.id);
      } else if (q.status === 'canceled' || (await closedUnpaid(deps, p, now))) {
        await moveTo(deps, p, 'canceled');
        changed.push(p.id);
      } else {
        // Still in flight: look again after another threshold, not on every run.
        await db.payment.update({ where: { id: p.id }, data: { updatedAt: new Date(now) } });
      }
    } catch (err) {
      logger.warn({ err, paymentId: p.id }, 'payment reconciliation failed for one payment');
    }
  }
  return changed;
}

/**
 * Whether an unpaid payment past its provider's pay timeout is now closed at the provider (Alipay:
 * `alipay.trade.close`), so the top-up can be canceled. A QR code nobody has scanned has no trade
 * yet (`not_opened`), and a scan just before the timeout opens a trade that runs for a whole
 * timeout more: that one counts as closed only after twice the timeout. Paid meanwhile: not closed,
 * the next run's query credits it.
 */
async function closedUnpaid(deps: PaymentsDeps, p: Payment, now: number): Promise<boolean> {
  const provider = providerOf(deps, p.provider);
  const expiry = provider.unpaidExpiryMs;
  if (!provider.closePayment || expiry === undefined) return false;
  const age = now - p.createdAt.getTime();
  if (age < expiry) return false;
  const closed = await provider.closePayment(p.providerTxnId!);
  return closed === 'closed' || (closed === 'not_opened' && age >= 2 * expiry);
}

/**
 * Settles refunds the provider's events never settled. For each refund still `pending` after
 * `olderThanMs` (created within 30 days), the provider is asked where it stands (`findRefund`):
 * - found: its id is recorded and a final state applied through finalizeRefund (the same idempotent
 *   path as the webhooks); still in flight at the provider: looked at again after another threshold;
 * - not found and we never got a provider id: the create request never reached the provider (an
 *   ambiguous error kept it pending), so it is submitted again with the same key `refund:<id>`;
 * - not found although we have a provider id: should not happen; logged for an operator.
 * It also releases the reservation of a final refund whose hold is still active (finalizeRefund
 * debits, then releases: a crash in between leaves the hold). Returns the ids of refunds it changed.
 */
export async function reconcileStuckRefunds(
  deps: PaymentsDeps,
  opts: { olderThanMs: number; limit?: number },
): Promise<string[]> {
  const { db } = deps;
  const now = deps.clock();
  const changed = await releaseHoldsOfFinalRefunds(deps, opts.limit ?? 100);
  const stuck = await db.refund.findMany({
    where: {
      status: 'pending',
      payment: { provider: { in: providerIdsOf(deps) }, providerTxnId: { not: null } },
      updatedAt: { lt: new Date(now.getTime() - opts.olderThanMs) },
      createdAt: { gt: new Date(now.getTime() - LOOK_BACK_MS) },
    },
    include: { payment: true },
    orderBy: { updatedAt: 'asc' },
    take: opts.limit ?? 100,
  });
  for (const { payment, ...refund } of stuck) {
    try {
      // Claim it: every process runs this loop, and only one may resubmit a refund. The claim also
      // means it is looked at again only after another threshold, whatever happens below.
      const claimed = await db.refund.updateMany({
        where: { id: refund.id, status: 'pending', updatedAt: refund.updatedAt },
        data: { updatedAt: now },
      });
      if (claimed.count === 0) continue;
      if (await reconcileRefund(deps, refund, payment)) changed.push(refund.id);
    } catch (err) {
      logger.warn({ err, refundId: refund.id }, 'refund reconciliation failed for one refund');
      const after = await db.refund.findUnique({ where: { id: refund.id }, select: { status: true } });
      if (after && after.status !== 'pending') changed.push(refund.id);
    }
  }
  return changed;
}

/** One stuck refund; true when its state changed. */
async function reconcileRefund(deps: PaymentsDeps, refund: Refund, payment: Payment): Promise<boolean> {
  const found = await providerOf(deps, payment.provider).findRefund({
    providerTxnId: payment.providerTxnId!,
    providerRefundId: refund.providerRefundId,
    refundId: refund.id,
  });
  if (!found) {
    if (refund.providerRefundId) {
      logger.error(
        { refundId: refund.id, providerRefundId: refund.providerRefundId, paymentId: payment.id },
        'pending refund unknown to its provider although it has a provider id; check it by hand',
      );
      return false;
    }
    // The create request never reached the provider: submit it again, same key. Stripe keeps keys
    // for 24 h; an older refund gets a fresh create under the old key, which is still safe because
    // the lookup above just said the provider has no refund carrying our id. submitRefund shares
    // the outcome handling (definite refusal → failed and released; ambiguous → stays pending).
    const after = await submitRefund(deps, refund, payment, refund.reason);
    return after.status !== 'pending' || after.providerRefundId !== null;
  }
  let current = refund;
  if (!refund.providerRefundId)
    current = await deps.db.refund.update({
      where: { id: refund.id },
      data: { providerRefundId: found.providerRefundId },
    });
  if (found.status === 'succeeded' || found.status === 'failed' || found.status === 'canceled') {
    const after = await finalizeRefund(deps, current, found.status, found.failureReason ?? null);
    return after.status !== refund.status || current !== refund;
  }
  // Still in flight at the provider (pending, requires_action): the claim already pushed it back.
  return current !== refund;
}

/**
 * Releases up to `limit` `refund:<id>` holds still active although their refund is final. One
 * query for the active refund holds (few: one per pending refund, plus any leftover), one for
 * their refunds.
 */
async function releaseHoldsOfFinalRefunds(deps: PaymentsDeps, limit: number): Promise<string[]> {
  const { db, ledger } = deps;
  const holds = await db.hold.findMany({
    where: { status: 'active', idempotencyKey: { startsWith: 'refund:' } },
    select: { id: true, idempotencyKey: true },
  });
  if (holds.length === 0) return [];
  const refundIdOf = (key: string) => key.slice('refund:'.length);
  const final = await db.refund.findMany({
    where: {
      id: { in: holds.map((h) => refundIdOf(h.idempotencyKey)) },
      status: { in: ['succeeded', 'failed', 'canceled'] },
    },
    select: { id: true, status: true },
  });
  const statusOf = new Map(final.map((r) => [r.id, r.status]));
  const released: string[] = [];
  for (const h of holds) {
    const status = statusOf.get(refundIdOf(h.idempotencyKey));
    if (!status) continue;
    if (released.length >= limit) break;
    try {
      await ledger.release({ holdId: h.id, reason: `refund_${status}` });
      logger.warn(
        { refundId: refundIdOf(h.idempotencyKey), holdId: h.id },
        'released the hold of a final refund',
      );
      released.push(refundIdOf(h.idempotencyKey));
    } catch (err) {
      logger.warn({ err, holdId: h.id }, 'could not release the hold of a final refund');
    }
  }
  return released;
}
