import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEvent } from '../../doubles/stripe/webhook-sender.ts';
import { CENT, type StripeGateway, startStripeGateway } from './stripe-gateway.ts';

const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  walletId payment { providerTxnId } } }`;

describe('Stripe dispute funds events', () => {
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({ name: 'dispute_funds', org: 'Funds Co', email: 'owner@funds.test' });
  });
  afterAll(async () => gw?.close());

  it('records funds_withdrawn and funds_reinstated once each as ignored, without touching the wallet', async () => {
    const { t, stripe, key } = gw;
    const { db } = t.app.services;
    const top = (
      await t.gql(
        CREATE_TOP_UP,
        { input: { currency: 'USD', amount: '2000', idempotencyKey: 'funds' } },
        { token: key },
      )
    ).data.createTopUp;
    const pi = top.payment.providerTxnId as string;
    stripe.customerPays(pi);
    const dispute = stripe.dispute(pi);
    await gw.settle();
    const disputed = await db.wallet.findUniqueOrThrow({ where: { id: top.walletId } });
    expect(disputed.heldNanos).toBe(2000n * CENT);

    // Stripe sends these alongside created/closed (the double does not); each delivered twice.
    const fundsEvent = (type: string): StripeEvent => ({
      id: `evt_${type.split('.').pop()}_${dispute.id}`,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      type,
      data: { object: { ...dispute } },
      request: { id: null, idempotency_key: null },
    });
    const withdrawn = fundsEvent('charge.dispute.funds_withdrawn');
    stripe.webhooks.resend(withdrawn);
    stripe.webhooks.resend(withdrawn);
    await gw.settle();
    stripe.closeDispute(dispute.id as string, 'won');
    await gw.settle();
    const won = await db.wallet.findUniqueOrThrow({ where: { id: top.walletId } });
    const reinstated = fundsEvent('charge.dispute.funds_reinstated');
    stripe.webhooks.resend(reinstated);
    stripe.webhooks.resend(reinstated);
    await gw.settle();

    const end = await db.wallet.findUniqueOrThrow({ where: { id: top.walletId } });
    expect(end.balanceNanos).toBe(2000n * CENT); // the credit, untouched by either funds event
    expect(end.heldNanos).toBe(0n); // unfrozen by the close only
    expect(end).toMatchObject({ balanceNanos: won.balanceNanos, heldNanos: won.heldNanos });
    expect(disputed.balanceNanos).toBe(end.balanceNanos);
    for (const e of [withdrawn, reinstated]) {
      const stored = await db.providerEvent.findMany({ where: { provider: 'stripe', eventId: e.id } });
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ type: e.type, lastError: null });
      expect(stored[0]!.processedAt).not.toBeNull();
      const attempts = stripe.webhooks.attempts.filter((a) => a.eventId === e.id);
      expect(attempts.map((a) => a.status)).toEqual([200, 200]);
    }
    expect(
      await db.ledgerTransaction.count({ where: { idempotencyKey: { startsWith: 'dispute-lost:' } } }),
    ).toBe(0);
    expect((await t.app.services.ledger.checkConsistency()).ok).toBe(true);
  });
});
