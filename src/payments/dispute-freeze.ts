import { type Statement, sqlFor } from '../db/sql.ts';
import type { PaymentsDeps } from './deps.ts';

const OPEN_UNFROZEN_DISPUTE: Statement = {
  name: 'payment_open_unfrozen_dispute',
  text: `SELECT 1 AS one FROM disputes WHERE "paymentId" = $1::text AND status = 'open' AND "freezeHoldId" IS NULL LIMIT 1`,
};

/**
 * Freezes the disputed share of a succeeded payment's credit for each of its open disputes that
 * froze nothing because they were recorded before the credit. Idempotent (`dispute:<id>`). A
 * dispute closed meanwhile may not have seen this freeze: closeDispute sets the status, then
 * releases the hold it reads; this sets the hold, then reads the status. One of the two sees the
 * other, so the freeze never outlives the dispute.
 */
export async function freezeOpenDisputes(deps: PaymentsDeps, paymentId: string): Promise<void> {
  const { db, ledger, risk } = deps;
  // Almost always none: asked through the driver (src/db/sql.ts), and the rest read only when there is one.
  const [any] = await sqlFor(db).query(OPEN_UNFROZEN_DISPUTE, [paymentId]);
  if (!any) return;
  const open = await db.dispute.findMany({ where: { paymentId, status: 'open', freezeHoldId: null } });
  const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId }, include: { order: true } });
  if (payment.status !== 'succeeded') return;
  for (const dispute of open) {
    const freezeNanos = await risk.disputeFreezeNanos({
      organizationId: payment.order.organizationId,
      disputedAmountMinor: dispute.amountMinor,
      paymentAmountMinor: payment.amountMinor,
      creditedNanos: payment.order.creditNanos,
    });
    if (freezeNanos === 0n) continue;
    const frozen = await ledger.freeze({
      walletId: payment.order.walletId,
      amountNanos: freezeNanos,
      idempotencyKey: `dispute:${dispute.providerDisputeId}`,
      metadata: { paymentId, providerDisputeId: dispute.providerDisputeId },
    });
    await db.dispute.updateMany({
      where: { id: dispute.id, freezeHoldId: null },
      data: { freezeHoldId: frozen.holdId },
    });
    const now = await db.dispute.findUniqueOrThrow({ where: { id: dispute.id } });
    if (now.status !== 'open') await releaseDisputeFreeze(deps, now.freezeHoldId, now.status);
  }
}

export async function releaseDisputeFreeze(
  deps: PaymentsDeps,
  holdId: string | null,
  outcome: string,
): Promise<void> {
  if (!holdId) return;
  const hold = await deps.db.hold.findUnique({ where: { id: holdId } });
  if (hold?.status === 'active') await deps.ledger.unfreeze({ holdId, reason: `dispute_${outcome}` });
}
