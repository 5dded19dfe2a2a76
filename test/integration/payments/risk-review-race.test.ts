import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentProvider } from '../../../src/providers/payment/types.ts';
import { CENT, dbId, type StripeGateway, startStripeGateway } from './stripe-gateway.ts';

const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  walletId clientSecret payment { id providerTxnId } } }`;

describe('risk review when two success paths race', () => {
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({ name: 'review_race', org: 'Race Co', email: 'owner@race.test' });
  });
  afterAll(async () => gw?.close());

  it('keeps the payment under review when a success without risk outcome wins the update over an elevated one', async () => {
    const { t, stripe, key } = gw;
    const { db, payments } = t.app.services;
    const top = (
      await t.gql(
        CREATE_TOP_UP,
        { input: { currency: 'USD', amount: '3000', idempotencyKey: 'race' } },
        { token: key },
      )
    ).data.createTopUp;
    const paymentId = dbId(top.payment.id);
    const pi = top.payment.providerTxnId as string;
    const before = await db.wallet.findUniqueOrThrow({ where: { id: top.walletId } });

    stripe.webhooks.switches.paused = true; // payment_intent.succeeded waits
    stripe.customerPays(pi, 'pm_card_riskLevelElevated');

    // Deterministic interleaving through the public paths: the reconciler has read the payment
    // (still `created`) and asks Stripe about it. Before Stripe answers, the webhook is delivered
    // and processed completely; its own risk lookup fails, so it credits without review and marks
    // the payment succeeded. Then the reconciler goes on with its stale payment and the elevated
    // risk outcome, and freezes the credit for review.
    const provider = payments.provider('stripe');
    const realQuery = provider.query.bind(provider);
    let interleaved = false;
    (provider as { query: PaymentProvider['query'] }).query = async (id) => {
      if (!interleaved) {
        interleaved = true;
        // 429 is not retried by the SDK: the webhook's lookup fails at once.
        stripe.inject({ kind: 'http_429', method: 'GET', path: `/v1/payment_intents/${pi}` });
        stripe.webhooks.release();
        await stripe.webhooks.flush();
        const mid = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
        expect(mid.status).toBe('succeeded');
        expect((mid.metadata as { review?: unknown }).review ?? null).toBeNull();
      }
      return realQuery(id);
    };
    try {
      expect(await payments.reconcileStuckPayments({ olderThanMs: 0 })).toContain(paymentId);
    } finally {
      (provider as { query: PaymentProvider['query'] }).query = realQuery;
    }
    expect(interleaved).toBe(true);

    const frozen = await db.wallet.findUniqueOrThrow({ where: { id: top.walletId } });
    expect(frozen.balanceNanos - before.balanceNanos).toBe(3000n * CENT); // credited once
    expect(frozen.heldNanos - before.heldNanos).toBe(3000n * CENT); // and frozen
    const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
    expect(payment.metadata).toMatchObject({
      clientSecret: top.clientSecret, // the rest of the metadata survives
      review: { state: 'pending', reason: 'risk_level:elevated' },
    });
    expect(payment.riskLevel).toBe('elevated');
    const res = await t.gql(
      `query($id: ID!) { node(id: $id) { ... on Payment { underReview } } }`,
      { id: top.payment.id },
      { token: key },
    );
    expect(res.data.node.underReview).toBe(true);

    const released = await t.gql(
      `mutation($id: ID!) { releasePaymentReview(paymentId: $id) { underReview } }`,
      { id: top.payment.id },
    );
    expect(released.errors).toBeUndefined();
    expect(released.data.releasePaymentReview.underReview).toBe(false);
    const after = await db.wallet.findUniqueOrThrow({ where: { id: top.walletId } });
    expect(after.heldNanos).toBe(before.heldNanos);
    expect(after.balanceNanos - before.balanceNanos).toBe(3000n * CENT);
    expect((await t.app.services.ledger.checkConsistency()).ok).toBe(true);
  });
});
