import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PAYMENT_EVENT_TOPIC } from '../../src/payments/webhook-inbox.ts';
import type { StripeEvent } from '../doubles/stripe/webhook-sender.ts';
import {
  CENT,
  dbId,
  type StripeGateway,
  startStripeGateway,
} from '../integration/payments/stripe-gateway.ts';

/**
 * The payment webhook boundary, attacked by someone who holds the endpoint's signing secret (or a
 * provider gone wrong): every event below is validly signed by the real Stripe SDK, and none of them
 * may credit money the provider did not receive for that order. See docs/security.md, "Payment webhooks".
 */
const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  walletId payment { id providerTxnId } } }`;
const REFUND = `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) { id status } }`;

const sdk = new Stripe('sk_test_security', { telemetry: false });

describe('payment webhooks under attack', () => {
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({ name: 'whsec_attack', org: 'Attacked Co', email: 'owner@attacked.test' });
  });
  afterAll(async () => gw?.close());
  beforeEach(() => {
    gw.stripe.webhooks.switches.paused = false;
  });

  let n = 0;
  const topUp = async (amount = '1500') => {
    const res = await gw.t.gql(
      CREATE_TOP_UP,
      { input: { currency: 'USD', amount, idempotencyKey: `attack-${++n}` } },
      { token: gw.key },
    );
    const top = res.data.createTopUp;
    return {
      walletId: top.walletId as string,
      paymentId: dbId(top.payment.id),
      pi: top.payment.providerTxnId as string,
    };
  };
  const paid = async (amount = '1500') => {
    const p = await topUp(amount);
    gw.stripe.customerPays(p.pi, 'pm_card_visa');
    await gw.settle();
    return p;
  };
  const balance = async (walletId: string) =>
    (await gw.t.app.services.db.wallet.findUniqueOrThrow({ where: { id: walletId } })).balanceNanos;
  const payment = (id: string) => gw.t.app.services.db.payment.findUniqueOrThrow({ where: { id } });
  const reviewOf = async (id: string) => ((await payment(id)).metadata as { review?: unknown }).review;
  const reviewNotices = (paymentId: string) =>
    gw.t.app.services.db.notification.findMany({
      where: { type: 'payment_review_required', payload: { path: ['paymentId'], equals: paymentId } },
    });
  const genuineEvent = (type: string, objectId: string): StripeEvent => {
    const e = gw.stripe.events.find(
      (x) => x.type === type && (x.data.object as { id?: string }).id === objectId,
    );
    if (!e) throw new Error(`no ${type} for ${objectId}`);
    return e;
  };

  /**
   * Posts an event signed by the real SDK with the endpoint's secret (a valid signature), then lets
   * the outbox worker apply whatever was stored.
   */
  const post = async (
    event: object,
    opts: { timestamp?: number; signedBody?: string; body?: string | Buffer } = {},
  ) => {
    const payload = opts.body ?? JSON.stringify(event, null, 2);
    const signature = sdk.webhooks.generateTestHeaderString({
      payload: opts.signedBody ?? payload.toString(),
      secret: gw.webhookSecret,
      ...(opts.timestamp === undefined ? {} : { timestamp: opts.timestamp }),
    });
    const res = await fetch(`${gw.t.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: typeof payload === 'string' ? payload : new Uint8Array(payload),
    });
    const answer = { status: res.status, body: (await res.json()) as Record<string, any> };
    // Acknowledged once stored: the outbox worker applies it.
    await gw.settle();
    return answer;
  };
  /** A genuine event's copy with a fresh id and `change` applied to its object. */
  const tampered = (genuine: StripeEvent, change: Record<string, unknown>) => ({
    ...genuine,
    id: `evt_forged_${++n}`,
    data: { object: { ...genuine.data.object, ...change } },
  });

  it('does not credit nor rebind a payment when a signed payment_intent.succeeded names it with another intent id, 99,999,999 and jpy', async () => {
    const victim = await topUp();
    const before = await balance(victim.walletId);
    const event = {
      id: `evt_forged_${++n}`,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      type: 'payment_intent.succeeded',
      request: { id: null, idempotency_key: null },
      data: {
        object: {
          id: 'pi_attacker_does_not_exist',
          object: 'payment_intent',
          amount: 99_999_999,
          amount_received: 99_999_999,
          currency: 'jpy',
          status: 'succeeded',
          metadata: { payment_id: victim.paymentId },
          latest_charge: null,
        },
      },
    };
    const res = await post(event);
    // Acknowledged: the provider retrying the same event cannot make it true.
    expect(res.status).toBe(200);
    expect(await balance(victim.walletId)).toBe(before);
    const p = await payment(victim.paymentId);
    expect(p.providerTxnId).toBe(victim.pi);
    expect(p.status).toBe('created');
    expect(await reviewOf(victim.paymentId)).toMatchObject({
      state: 'pending',
      reason: 'transaction_mismatch',
    });
    const [notice] = await reviewNotices(victim.paymentId);
    expect(notice).toMatchObject({
      organizationId: null,
      payload: { reason: 'transaction_mismatch', expected: victim.pi, got: 'pi_attacker_does_not_exist' },
    });

    // The customer really pays: still nothing credited while under review, then the admin's release
    // credits exactly the order's amount, confirmed by Stripe.
    gw.stripe.customerPays(victim.pi, 'pm_card_visa');
    await gw.settle();
    expect(await balance(victim.walletId)).toBe(before);
    const released = await gw.t.gql(
      `mutation($id: ID!) { releasePaymentReview(paymentId: $id) { status underReview } }`,
      {
        id: Buffer.from(`Payment:${victim.paymentId}`).toString('base64'),
      },
    );
    expect(released.errors).toBeUndefined();
    expect(released.data.releasePaymentReview).toEqual({ status: 'SUCCEEDED', underReview: false });
    expect((await balance(victim.walletId)) - before).toBe(1500n * CENT);
    expect((await gw.t.app.services.ledger.checkConsistency()).ok).toBe(true);
  });

  it('does not credit a signed success for our own intent whose amount is 99,999,999 (mismatched amount)', async () => {
    const victim = await topUp();
    const before = await balance(victim.walletId);
    gw.stripe.webhooks.switches.paused = true;
    gw.stripe.customerPays(victim.pi, 'pm_card_visa');
    const genuine = genuineEvent('payment_intent.succeeded', victim.pi);
    expect((await post(tampered(genuine, { amount: 99_999_999, amount_received: 99_999_999 }))).status).toBe(
      200,
    );
    expect(await balance(victim.walletId)).toBe(before);
    expect(await reviewOf(victim.paymentId)).toMatchObject({ state: 'pending', reason: 'amount_mismatch' });
    gw.stripe.webhooks.release();
    await gw.settle();
    expect(await balance(victim.walletId)).toBe(before); // under review: the genuine event waits for the admin
  });

  it('does not credit a signed success for our own intent in another currency (mismatched currency)', async () => {
    const victim = await topUp();
    const before = await balance(victim.walletId);
    gw.stripe.webhooks.switches.paused = true;
    gw.stripe.customerPays(victim.pi, 'pm_card_visa');
    const genuine = genuineEvent('payment_intent.succeeded', victim.pi);
    expect((await post(tampered(genuine, { currency: 'jpy' }))).status).toBe(200);
    expect(await balance(victim.walletId)).toBe(before);
    expect(await reviewOf(victim.paymentId)).toMatchObject({ state: 'pending', reason: 'currency_mismatch' });
    expect(await reviewNotices(victim.paymentId)).toHaveLength(1);
  });

  it('does not credit a signed success whose intent, amount and currency are right while Stripe says it is unpaid', async () => {
    const victim = await topUp();
    const before = await balance(victim.walletId);
    const created = genuineEvent('payment_intent.created', victim.pi);
    const forged = tampered(created, { status: 'succeeded', amount_received: 1500 });
    expect((await post({ ...forged, type: 'payment_intent.succeeded' })).status).toBe(200);
    expect(await balance(victim.walletId)).toBe(before);
    expect((await payment(victim.paymentId)).status).toBe('created');
    // Not a mismatch: the payment is not frozen, and paying it for real credits it.
    expect(await reviewOf(victim.paymentId)).toBeUndefined();
    gw.stripe.customerPays(victim.pi, 'pm_card_visa');
    await gw.settle();
    expect((await balance(victim.walletId)) - before).toBe(1500n * CENT);
  });

  it('does not cancel a payment on a signed payment_intent.canceled that Stripe does not confirm, so its later success is still credited', async () => {
    const victim = await topUp();
    const before = await balance(victim.walletId);
    const created = genuineEvent('payment_intent.created', victim.pi);
    const forged = tampered(created, { status: 'canceled', cancellation_reason: 'abandoned' });
    expect((await post({ ...forged, type: 'payment_intent.canceled' })).status).toBe(200);
    expect((await payment(victim.paymentId)).status).toBe('created');
    gw.stripe.customerPays(victim.pi, 'pm_card_visa');
    await gw.settle();
    expect((await balance(victim.walletId)) - before).toBe(1500n * CENT);
  });

  it('adopts a refund made in the Stripe Dashboard, but takes nothing for a signed refund event Stripe does not have', async () => {
    const p = await paid();
    const credited = await balance(p.walletId);
    // Made outside Tollgate: straight at Stripe's API, without our refund id.
    const res = await fetch(`${gw.stripe.baseUrl}/v1/refunds`, {
      method: 'POST',
      headers: {
        authorization: `Bearer sk_test_tollgate_whsec_attack`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `payment_intent=${p.pi}&amount=400`,
    });
    expect(res.status).toBe(200);
    await gw.settle();
    expect(credited - (await balance(p.walletId))).toBe(400n * CENT);
    const afterReal = await balance(p.walletId);

    const real = genuineEvent('refund.created', ((await res.json()) as { id: string }).id);
    const forged = tampered(real, { id: 're_forged_unknown', amount: 700 });
    expect((await post({ ...forged, type: 'refund.updated' })).status).toBe(200);
    expect(await balance(p.walletId)).toBe(afterReal);
    expect(
      await gw.t.app.services.db.refund.count({ where: { providerRefundId: 're_forged_unknown' } }),
    ).toBe(0);
    expect(await reviewOf(p.paymentId)).toMatchObject({ state: 'pending', reason: 'amount_mismatch' });
  });

  it('gives no credit back when a signed refund.failed names our refund but another payment’s charge', async () => {
    const a = await paid();
    const b = await paid();
    const refund = await gw.t.gql(
      REFUND,
      {
        input: {
          paymentId: Buffer.from(`Payment:${a.paymentId}`).toString('base64'),
          amount: '500',
          idempotencyKey: `r-${++n}`,
        },
      },
      { token: gw.key },
    );
    expect(refund.data.refundPayment.status).toBe('SUCCEEDED');
    await gw.settle();
    const refundId = dbId(refund.data.refundPayment.id);
    const row = await gw.t.app.services.db.refund.findUniqueOrThrow({ where: { id: refundId } });
    const afterRefund = await balance(a.walletId);
    const genuine = genuineEvent('refund.created', row.providerRefundId!);
    const forged = tampered(genuine, {
      payment_intent: b.pi,
      status: 'failed',
      failure_reason: 'expired_or_canceled_card',
    });
    expect((await post({ ...forged, type: 'refund.failed' })).status).toBe(200);
    expect(await balance(a.walletId)).toBe(afterRefund);
    expect((await gw.t.app.services.db.refund.findUniqueOrThrow({ where: { id: refundId } })).status).toBe(
      'succeeded',
    );
    expect(await reviewOf(a.paymentId)).toMatchObject({ state: 'pending', reason: 'transaction_mismatch' });
    // A credited payment under review has its credit frozen until an admin looks.
    const w = await gw.t.app.services.db.wallet.findUniqueOrThrow({ where: { id: a.walletId } });
    expect(w.heldNanos).toBeGreaterThanOrEqual(1500n * CENT);
  });

  it('does not move a payment to another charge when a signed dispute names it in metadata but disputes another payment’s charge', async () => {
    const a = await paid();
    const b = await paid();
    const event = {
      id: `evt_forged_${++n}`,
      object: 'event',
      created: Math.floor(Date.now() / 1000),
      type: 'charge.dispute.created',
      data: {
        object: {
          id: `dp_forged_${n}`,
          object: 'dispute',
          amount: 1500,
          currency: 'usd',
          payment_intent: b.pi,
          charge: 'ch_other',
          metadata: { payment_id: a.paymentId },
          reason: 'fraudulent',
          status: 'needs_response',
        },
      },
    };
    expect((await post(event)).status).toBe(200);
    expect((await payment(a.paymentId)).providerTxnId).toBe(a.pi);
    expect((await payment(b.paymentId)).providerTxnId).toBe(b.pi);
    expect(await gw.t.app.services.db.dispute.count({ where: { providerDisputeId: `dp_forged_${n}` } })).toBe(
      0,
    );
    expect(await reviewOf(a.paymentId)).toMatchObject({ state: 'pending', reason: 'transaction_mismatch' });
  });

  it('refuses the replay of an old event (signed more than 5 minutes ago) and answers a replayed event id as a duplicate', async () => {
    const p = await paid();
    const credited = await balance(p.walletId);
    const genuine = genuineEvent('payment_intent.succeeded', p.pi);
    const stale = await post(genuine, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(400);
    expect(stale.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    const again = await post(genuine);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await balance(p.walletId)).toBe(credited);
  });

  it('refuses a signature made over a different body, storing and enqueueing nothing', async () => {
    const victim = await topUp();
    // The double delivers its own payment_intent.created for this top-up asynchronously: let it
    // land first, or it may be counted between the two reads below.
    await gw.settle();
    const { db } = gw.t.app.services;
    const stored = async () => [
      await db.providerEvent.count(),
      await db.outboxMessage.count({ where: { topic: PAYMENT_EVENT_TOPIC } }),
    ];
    const before = await stored();
    const genuine = genuineEvent('payment_intent.created', victim.pi);
    const res = await post(genuine, {
      signedBody: JSON.stringify(genuine),
      body: JSON.stringify(tampered(genuine, { amount: 99_999_999 })),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(res.body.request_id).toMatch(/\S/);
    expect(await stored()).toEqual(before); // no inbox row, no job
  });

  it('answers 413 to a huge body without reading it all, and stays up', async () => {
    const huge = Buffer.alloc(gw.t.config.REQUEST_BODY_LIMIT_BYTES + 1, 0x20);
    const res = await post({}, { body: huge });
    expect(res.status).toBe(413);
    expect((await fetch(`${gw.t.url}/healthz`)).status).toBe(200);
  });

  it('answers 400 to validly signed malformed JSON and to JSON that is not an event, storing nothing', async () => {
    await gw.settle(); // nothing of an earlier test still in flight
    const before = await gw.t.app.services.db.providerEvent.count();
    const jobsBefore = await gw.t.app.services.db.outboxMessage.count({
      where: { topic: PAYMENT_EVENT_TOPIC },
    });
    for (const body of [
      '{"id": "evt_1", "object": "event",',
      '[]',
      '{"object":"event","id":"evt_x","type":"x"}',
    ]) {
      const res = await post({}, { body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('WEBHOOK_PAYLOAD_INVALID');
    }
    expect(await gw.t.app.services.db.providerEvent.count()).toBe(before);
    expect(await gw.t.app.services.db.outboxMessage.count({ where: { topic: PAYMENT_EVENT_TOPIC } })).toBe(
      jobsBefore,
    );
  });
});

describe('payment webhooks: the one legitimate change of transaction', () => {
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({
      name: 'whsec_checkout',
      org: 'Checkout Co',
      email: 'owner@checkout.test',
      env: { STRIPE_CHECKOUT_MODE: 'checkout_session' },
    });
  });
  afterAll(async () => gw?.close());

  it('credits a Checkout Session top-up once, adopting the PaymentIntent that Stripe reports for the session', async () => {
    const res = await gw.t.gql(
      CREATE_TOP_UP,
      { input: { currency: 'USD', amount: '1500', idempotencyKey: 'checkout-1' } },
      { token: gw.key },
    );
    const top = res.data.createTopUp;
    const paymentId = dbId(top.payment.id);
    expect(top.payment.providerTxnId).toMatch(/^cs_/);
    gw.stripe.customerPaysCheckout(top.payment.providerTxnId, 'pm_card_visa');
    await gw.settle();
    const p = await gw.t.app.services.db.payment.findUniqueOrThrow({ where: { id: paymentId } });
    expect(p.status).toBe('succeeded');
    expect(p.providerTxnId).toMatch(/^pi_/);
    expect((p.metadata as { review?: unknown }).review ?? null).toBeNull();
    const w = await gw.t.app.services.db.wallet.findUniqueOrThrow({ where: { id: top.walletId } });
    expect(w.balanceNanos).toBe(1500n * CENT);
  });
});
