import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_API_VERSION } from '../../../src/providers/payment/stripe/options.ts';
import { StripeDouble } from '../../doubles/stripe/server.ts';
import { newWebhookSecret } from '../../doubles/stripe/signing.ts';
import { STRIPE_TEST_KEY, stripeProviderFor } from '../providers/stripe-harness.ts';

/** GET /v1/refunds on the Stripe double, through the official client, and findRefund paging over it. */
describe('Stripe double: listing refunds', () => {
  let double: StripeDouble;
  let stripe: Stripe;

  beforeAll(async () => {
    double = await StripeDouble.start({ apiKeys: [STRIPE_TEST_KEY] });
    stripe = new Stripe(STRIPE_TEST_KEY, {
      apiVersion: STRIPE_API_VERSION,
      host: '127.0.0.1',
      port: double.port,
      protocol: 'http',
      telemetry: false,
      maxNetworkRetries: 0,
    });
  });
  afterAll(async () => {
    await double?.close();
  });

  /** A succeeded card payment of `amount` cents with `refunds` refunds of one cent, oldest first. */
  const paidWithRefunds = async (amount: number, refunds: number) => {
    const pi = await stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      automatic_payment_methods: { enabled: true },
    });
    double.customerPays(pi.id);
    const made: Stripe.Refund[] = [];
    for (let i = 0; i < refunds; i++)
      made.push(
        await stripe.refunds.create({ payment_intent: pi.id, amount: 1, metadata: { n: String(i) } }),
      );
    return { pi: pi.id, charge: String(double.paymentIntents.get(pi.id)?.latest_charge), made };
  };

  it('pages a payment’s refunds newest first with has_more and starting_after, and back with ending_before', async () => {
    const { pi, made } = await paidWithRefunds(1000, 5);
    await paidWithRefunds(1000, 2); // another payment's refunds are not listed
    const newestFirst = made.map((r) => r.id).reverse();

    const first = await stripe.refunds.list({ payment_intent: pi, limit: 2 });
    expect(first).toMatchObject({ object: 'list', url: '/v1/refunds', has_more: true });
    expect(first.data.map((r) => r.id)).toEqual(newestFirst.slice(0, 2));
    const second = await stripe.refunds.list({
      payment_intent: pi,
      limit: 2,
      starting_after: first.data[1]!.id,
    });
    expect(second.data.map((r) => r.id)).toEqual(newestFirst.slice(2, 4));
    expect(second.has_more).toBe(true);
    const last = await stripe.refunds.list({
      payment_intent: pi,
      limit: 2,
      starting_after: second.data[1]!.id,
    });
    expect(last.data.map((r) => r.id)).toEqual(newestFirst.slice(4));
    expect(last.has_more).toBe(false);

    const back = await stripe.refunds.list({ payment_intent: pi, limit: 2, ending_before: last.data[0]!.id });
    expect(back.data.map((r) => r.id)).toEqual(newestFirst.slice(2, 4));
    expect(back.has_more).toBe(true);

    // The SDK's auto-pagination follows the same cursors.
    const all = await stripe.refunds.list({ payment_intent: pi, limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(all.map((r) => r.id)).toEqual(newestFirst);
    expect((await stripe.refunds.list({ payment_intent: pi })).data).toHaveLength(5); // default limit 10
  });

  it('filters by charge', async () => {
    const { charge, made } = await paidWithRefunds(500, 3);
    const listed = await stripe.refunds.list({ charge, limit: 100 });
    expect(listed.data.map((r) => r.id)).toEqual(made.map((r) => r.id).reverse());
    expect(listed.data.every((r) => r.charge === charge)).toBe(true);
  });

  it('refuses a limit outside 1–100 and an unknown cursor with Stripe’s 400 invalid_request_error', async () => {
    for (const limit of [0, 101]) {
      const err = await stripe.refunds.list({ limit }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(err).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', param: 'limit' });
    }
    const err = await stripe.refunds.list({ starting_after: 're_doesnotexist' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'starting_after' });
  });

  it('lets the provider find our refund on a later page of the payment’s refunds', async () => {
    const provider = stripeProviderFor(double, [newWebhookSecret()]);
    const pi = await stripe.paymentIntents.create({
      amount: 20_000,
      currency: 'usd',
      automatic_payment_methods: { enabled: true },
    });
    double.customerPays(pi.id);
    const ours = await stripe.refunds.create({
      payment_intent: pi.id,
      amount: 7,
      metadata: { refund_id: 'ref_old' },
    });
    for (let i = 0; i < 100; i++)
      await stripe.refunds.create({
        payment_intent: pi.id,
        amount: 1,
        metadata: { refund_id: `ref_new_${i}` },
      });
    const listCalls = () =>
      double.requests.filter((r) => r.method === 'GET' && r.path === '/v1/refunds').length;
    const before = listCalls();

    const found = await provider.findRefund({
      providerTxnId: pi.id,
      providerRefundId: null,
      refundId: 'ref_old',
    });
    expect(found).toMatchObject({ providerRefundId: ours.id, status: 'succeeded', amountMinor: 7n });
    expect(listCalls() - before).toBe(2); // 100 newer refunds fill the first page
    expect(
      await provider.findRefund({ providerTxnId: pi.id, providerRefundId: null, refundId: 'ref_never' }),
    ).toBeNull();
  });
});
