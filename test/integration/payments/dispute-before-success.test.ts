import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENT, dbId, type StripeGateway, startStripeGateway } from './stripe-gateway.ts';

const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  walletId payment { id providerTxnId } } }`;

describe('a dispute delivered before the payment succeeded', () => {
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({ name: 'early_dispute', org: 'Early Co', email: 'owner@early.test' });
  });
  afterAll(async () => gw?.close());

  const wallet = (id: string) => gw.t.app.services.db.wallet.findUniqueOrThrow({ where: { id } });

  /** Pays a top-up and disputes it, delivering charge.dispute.created before payment_intent.succeeded. */
  const paidAfterItsDispute = async (idempotencyKey: string, amount: string) => {
    const { t, stripe, key } = gw;
    const top = (
      await t.gql(CREATE_TOP_UP, { input: { currency: 'USD', amount, idempotencyKey } }, { token: key })
    ).data.createTopUp;
    const pi = top.payment.providerTxnId as string;
    const start = await wallet(top.walletId);
    stripe.webhooks.switches.paused = true;
    stripe.customerPays(pi);
    const disputeObj = stripe.dispute(pi);
    const created = stripe.events.find(
      (e) => e.type === 'charge.dispute.created' && e.data.object.id === disputeObj.id,
    )!;
    stripe.webhooks.resend(created); // the dispute alone, first
    await gw.settle();
    const dispute = await t.app.services.db.dispute.findUniqueOrThrow({
      where: { providerDisputeId: disputeObj.id as string },
    });
    expect(dispute.status).toBe('open');
    expect((await wallet(top.walletId)).balanceNanos).toBe(start.balanceNanos); // nothing credited yet
    stripe.webhooks.release(); // then the payment's own events (and the dispute again)
    await gw.settle();
    return { top, start, disputeId: disputeObj.id as string, paymentId: dbId(top.payment.id) };
  };

  it('freezes the credit when it lands while the dispute is open, and unfreezes it when the dispute is won', async () => {
    const { top, start, disputeId, paymentId } = await paidAfterItsDispute('won-early', '2000');
    const payment = await gw.t.app.services.db.payment.findUniqueOrThrow({ where: { id: paymentId } });
    expect(payment.status).toBe('succeeded');
    const credited = await wallet(top.walletId);
    expect(credited.balanceNanos - start.balanceNanos).toBe(2000n * CENT);
    expect(credited.heldNanos - start.heldNanos).toBe(2000n * CENT);
    const dispute = await gw.t.app.services.db.dispute.findUniqueOrThrow({
      where: { providerDisputeId: disputeId },
    });
    expect(dispute.freezeHoldId).not.toBeNull();

    gw.stripe.webhooks.switches.duplicate = true;
    gw.stripe.closeDispute(disputeId, 'won');
    await gw.settle();
    gw.stripe.webhooks.switches.duplicate = false;
    const end = await wallet(top.walletId);
    expect(end.heldNanos).toBe(start.heldNanos);
    expect(end.balanceNanos - start.balanceNanos).toBe(2000n * CENT);
  });

  it('debits a lost dispute exactly once and leaves nothing frozen', async () => {
    const { top, start, disputeId } = await paidAfterItsDispute('lost-early', '2500');
    expect((await wallet(top.walletId)).heldNanos - start.heldNanos).toBe(2500n * CENT);

    gw.stripe.webhooks.switches.duplicate = true;
    gw.stripe.closeDispute(disputeId, 'lost');
    await gw.settle();
    gw.stripe.webhooks.switches.duplicate = false;
    const end = await wallet(top.walletId);
    expect(end.heldNanos).toBe(start.heldNanos);
    expect(end.balanceNanos).toBe(start.balanceNanos); // credited 25.00, then 25.00 taken back
    const debits = await gw.t.app.services.db.ledgerTransaction.findMany({
      where: { idempotencyKey: { startsWith: 'dispute-lost:' } },
    });
    expect(debits).toHaveLength(1);
    expect((await gw.t.app.services.ledger.checkConsistency()).ok).toBe(true);
  });
});
