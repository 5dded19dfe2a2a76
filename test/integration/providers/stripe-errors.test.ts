import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PaymentDeclinedError, ProviderUnavailableError } from '../../../src/providers/payment/errors.ts';
import { wrapStripeError } from '../../../src/providers/payment/stripe/error-mapper.ts';
import { stripeOptionsSchema } from '../../../src/providers/payment/stripe/options.ts';
import { StripePaymentProvider } from '../../../src/providers/payment/stripe/stripe-provider.ts';
import type { CreatePaymentInput } from '../../../src/providers/payment/types.ts';
import { StripeDouble } from '../../doubles/stripe/server.ts';
import { newWebhookSecret } from '../../doubles/stripe/signing.ts';
import { STRIPE_TEST_KEY, stripeProviderFor } from './stripe-harness.ts';

let double: StripeDouble;
let n = 0;

const provider = (over: { secretKey?: string; maxNetworkRetries?: number } = {}) =>
  new StripePaymentProvider(
    stripeOptionsSchema.parse({
      secretKey: over.secretKey ?? STRIPE_TEST_KEY,
      webhookSecrets: [newWebhookSecret()],
      apiBase: double.baseUrl,
      maxNetworkRetries: over.maxNetworkRetries ?? 0,
    }),
  );

const input = (over: Partial<CreatePaymentInput> = {}): CreatePaymentInput => {
  const paymentId = `pay_err_${++n}`;
  return {
    orderId: `ord_err_${n}`,
    paymentId,
    amount: { amountMinor: 2500n, currency: 'EUR' },
    idempotencyKey: `pi-create:${paymentId}`,
    requestId: `req_err_${n}`,
    ...over,
  };
};

beforeAll(async () => {
  double = await StripeDouble.start({ apiKeys: [STRIPE_TEST_KEY] });
});
afterAll(async () => {
  await double.close();
});
beforeEach(() => double.clearInjections());

describe('Stripe SDK errors surface as typed provider errors', () => {
  it('maps a real declined-card CardError to PAYMENT_DECLINED with the decline code and PaymentIntent', async () => {
    const created = await provider().createPayment(input());
    const sdk = new Stripe(STRIPE_TEST_KEY, {
      apiVersion: '2026-10-28.endive',
      host: '127.0.0.1',
      port: double.port,
      protocol: 'http',
      telemetry: false,
    });
    const err = await sdk.paymentIntents
      .confirm(created.providerTxnId, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const mapped = wrapStripeError(err, 'create');
    expect(mapped).toBeInstanceOf(PaymentDeclinedError);
    expect(mapped).toMatchObject({
      code: 'PAYMENT_DECLINED',
      status: 402,
      declineCode: 'insufficient_funds',
      providerCode: 'card_declined',
      providerTxnId: created.providerTxnId,
    });
    expect((mapped as PaymentDeclinedError).providerRequestId).toMatch(/^req_/);
    expect(mapped.cause).toBe(err);
  });

  it('maps refused credentials to PROVIDER_AUTH without echoing the key', async () => {
    const err = await provider({ secretKey: 'sk_test_not_known_to_stripe' })
      .createPayment(input())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROVIDER_AUTH', status: 500 });
    expect((err as Error).message).not.toContain('not_known');
  });

  it('maps 429, a stored 500 and dropped connections to PROVIDER_UNAVAILABLE', async () => {
    double.inject({ kind: 'http_429' });
    await expect(provider().createPayment(input())).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      status: 503,
    });
    double.inject({ kind: 'http_500_stored' });
    await expect(provider().createPayment(input())).rejects.toBeInstanceOf(ProviderUnavailableError);
    double.inject({ kind: 'connection_reset' }, 2);
    await expect(provider().query('pi_whatever')).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  });

  it('recovers from a transient 500 through the SDK retries, reusing our idempotency key', async () => {
    const before = double.paymentIntents.size;
    double.inject({ kind: 'http_500' });
    const inp = input();
    const created = await provider({ maxNetworkRetries: 2 }).createPayment(inp);
    expect(created.status).toBe('requires_payment_method');
    expect(double.paymentIntents.size).toBe(before + 1);
    expect(double.requests.slice(-2).map((r) => r.headers['idempotency-key'])).toEqual([
      inp.idempotencyKey,
      inp.idempotencyKey,
    ]);
  });

  it('maps a request Stripe rejects to PROVIDER_INVALID_REQUEST with the offending param', async () => {
    const err = await provider()
      .createPayment(input({ requestId: 'r'.repeat(501) }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'PROVIDER_INVALID_REQUEST',
      status: 400,
      param: 'metadata[request_id]',
    });
  });

  it('sends the PaymentIntent Stripe expects: metadata, automatic payment methods, pinned version, our key', async () => {
    const p = provider();
    await p.query((await p.createPayment(input())).providerTxnId);
    const inp = input({ allowAlipay: true });
    await p.createPayment(inp);
    const req = double.requests.at(-1);
    expect(req?.headers['stripe-version']).toBe('2026-10-28.endive');
    expect(req?.headers['idempotency-key']).toBe(inp.idempotencyKey);
    expect(req?.params).toEqual({
      amount: '2500',
      currency: 'eur',
      automatic_payment_methods: { enabled: 'true' },
      allowed_payment_method_types: ['card', 'alipay'],
      metadata: { order_id: inp.orderId, payment_id: inp.paymentId, request_id: inp.requestId },
    });
    // Telemetry would report the previous request's latency on this one.
    expect(req?.headers['x-stripe-client-telemetry']).toBeUndefined();
    expect(req?.headers.authorization).toBe(`Bearer ${STRIPE_TEST_KEY}`);
  });

  it('sends ISK to Stripe in its two-decimal form and reads it back in krónur', async () => {
    const p = stripeProviderFor(double, [newWebhookSecret()]);
    const created = await p.createPayment(input({ amount: { amountMinor: 1500n, currency: 'ISK' } }));
    expect(double.requests.at(-1)?.params.amount).toBe('150000');
    double.customerPays(created.providerTxnId);
    expect(await p.query(created.providerTxnId)).toMatchObject({ amountMinor: 1500n, currency: 'ISK' });
    const r = await p.refund({
      providerTxnId: created.providerTxnId,
      amountMinor: 500n,
      reason: null,
      idempotencyKey: `rf-isk-${n}`,
      refundId: 'rf_isk',
    });
    expect(r.amountMinor).toBe(500n);
    expect(double.requests.at(-1)?.params.amount).toBe('50000');
  });
});
