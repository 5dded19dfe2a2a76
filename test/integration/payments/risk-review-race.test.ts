import { clientSecretDigest } from '../../../src/payments/client-secret.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENT, dbId, type StripeGateway, startStripeGateway } from './stripe-gateway.ts';

const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  walletId clientSecret payment { id providerTxnId } } }`;

describe('risk review when the provider cannot be asked', () => {
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({ name: 'review_race', org: 'Race Co', email: 'owner@race.test' });
  });
  afterAll(async () => gw?.close());

  it("credits nothing while Stripe cannot confirm a success, and the worker's retry credits it once and freezes it for review", async () => {
    const { t, stripe, key } = gw;
    const { db } = t.app.services;
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

    // The first application's confirming lookup fails (429 is not retried by the SDK): it used to
    // credit without the risk outcome, so the elevated-risk review never applied. Now nothing is
    // credited without Stripe's own record: the delivery is acknowledged once stored, the worker's
    // first run fails and credits nothing, and its retry credits and freezes.
    stripe.inject({ kind: 'http_429', method: 'GET', path: `/v1/payment_intents/${pi}` });
    stripe.customerPays(pi, 'pm_card_riskLevelElevated');
    await gw.settle();
    const attempts = stripe.webhooks.attempts.filter((a) => a.type === 'payment_intent.succeeded');
    expect(attempts.map((a) => a.status)).toEqual([200]);
    const eventId = attempts[0]!.eventId;
    const stored = () =>
      db.providerEvent.findUniqueOrThrow({ where: { provider_eventId: { provider: 'stripe', eventId } } });
    expect(await stored()).toMatchObject({
      processedAt: null,
      attempts: 1,
      lastError: expect.stringMatching(/\S/),
    });
    expect((await db.wallet.findUniqueOrThrow({ where: { id: top.walletId } })).balanceNanos).toBe(
      before.balanceNanos,
    );
    // The worker retries after its backoff: wait for it, not for a fixed time.
    await expect
      .poll(
        async () => {
          await gw.settle();
          return (await stored()).processedAt !== null;
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe(true);
    expect((await stored()).attempts).toBe(2);

    const frozen = await db.wallet.findUniqueOrThrow({ where: { id: top.walletId } });
    expect(frozen.balanceNanos - before.balanceNanos).toBe(3000n * CENT); // credited once
    expect(frozen.heldNanos - before.heldNanos).toBe(3000n * CENT); // and frozen
    const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
    expect(payment.metadata).toMatchObject({
      clientSecretSha256: clientSecretDigest(top.clientSecret), // the rest of the metadata survives
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
