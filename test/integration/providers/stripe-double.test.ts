import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StripeDouble } from '../../doubles/stripe/server.ts';
import { newWebhookSecret } from '../../doubles/stripe/signing.ts';
import { startWebhookReceiver } from '../../doubles/stripe/webhook-receiver.ts';

/**
 * The double must behave like Stripe where our code depends on it: these tests drive it with the
 * real SDK (and raw HTTP where the SDK would hide the wire) so a double that accepts anything fails.
 */

const KEY = 'sk_test_double_faithful';
let double: StripeDouble;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let secret: string;

const sdk = (over: Partial<Stripe.StripeConfig> = {}, key = KEY) =>
  new Stripe(key, {
    apiVersion: '2026-10-28.endive',
    host: '127.0.0.1',
    port: double.port,
    protocol: 'http',
    telemetry: false,
    maxNetworkRetries: 0,
    ...over,
  });

const raw = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${double.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
      'stripe-version': '2026-10-28.endive',
      ...headers,
    },
    body,
  });

const newPi = (amount = 1500, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  sdk().paymentIntents.create({
    amount,
    currency: 'usd',
    automatic_payment_methods: { enabled: true },
    ...extra,
  });

const caught = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
};

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  secret = newWebhookSecret();
  double = await StripeDouble.start({ apiKeys: [KEY], webhookUrl: receiver.url, webhookSecrets: [secret] });
});
afterAll(async () => {
  await double.close();
  await receiver.close();
});
beforeEach(() => {
  double.clearInjections();
  Object.assign(double.webhooks.switches, {
    duplicate: false,
    delayMs: 0,
    maxAttempts: 3,
    retryBackoffMs: 5,
    paused: false,
  });
  receiver.respondWith(200);
});

describe('Stripe double: wire format', () => {
  it('answers every request with Request-Id, echoes Idempotency-Key and Stripe-Version', async () => {
    const res = await raw('/v1/payment_intents', 'amount=900&currency=usd&metadata[order_id]=o1', {
      'idempotency-key': 'wire-1',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(res.headers.get('idempotency-key')).toBe('wire-1');
    expect(res.headers.get('stripe-version')).toBe('2026-10-28.endive');
    const pi = (await res.json()) as Stripe.PaymentIntent;
    expect(pi).toMatchObject({
      object: 'payment_intent',
      amount: 900,
      currency: 'usd',
      metadata: { order_id: 'o1' },
    });
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`));
    const err = await fetch(`${double.baseUrl}/v1/payment_intents/pi_missing`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(err.headers.get('request-id')).toMatch(/^req_/);
  });

  it('refuses unknown and missing API keys with 401', async () => {
    const e = await caught(sdk({}, 'sk_test_wrong_key_123').paymentIntents.retrieve('pi_x'));
    expect(e).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(e.statusCode).toBe(401);
    const res = await fetch(`${double.baseUrl}/v1/events`);
    expect(res.status).toBe(401);
  });

  it('rejects payment_method_types on PaymentIntent and Checkout Session create (API endive)', async () => {
    const e = await caught(
      sdk().paymentIntents.create({
        amount: 500,
        currency: 'usd',
        payment_method_types: ['card'],
      } as Stripe.PaymentIntentCreateParams),
    );
    expect(e).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'payment_method_types' });
    const res = await raw(
      '/v1/checkout/sessions',
      'mode=payment&payment_method_types[0]=card&success_url=https://x.test',
    );
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('parameter_unknown');
  });

  it('validates required params, minimum amounts and 8-digit maximums', async () => {
    expect(
      await caught(sdk().paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams)),
    ).toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'amount',
    });
    expect(await caught(newPi(49))).toMatchObject({ code: 'amount_too_small' });
    expect(await caught(newPi(100_000_000))).toMatchObject({ code: 'amount_too_large' });
    expect(await caught(sdk().paymentIntents.create({ amount: 150050, currency: 'isk' }))).toMatchObject({
      param: 'amount',
    });
  });

  it('answers 404 resource_missing for unknown objects and unknown URLs', async () => {
    const e = await caught(sdk().paymentIntents.retrieve('pi_x'));
    expect(e).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(e).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      message: "No such payment_intent: 'pi_x'",
    });
    const res = await fetch(`${double.baseUrl}/v1/nothing`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(404);
  });

  it('expands latest_charge only when asked', async () => {
    const pi = await newPi();
    double.customerPays(pi.id);
    expect(typeof (await sdk().paymentIntents.retrieve(pi.id)).latest_charge).toBe('string');
    const expanded = await sdk().paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    expect((expanded.latest_charge as Stripe.Charge).outcome?.risk_level).toBe('normal');
    expect(double.requests.at(-1)?.params).toEqual({ expand: ['latest_charge'] });
  });
});

describe('Stripe double: idempotency', () => {
  it('replays the first result for the same key and params, creating one object', async () => {
    const before = double.paymentIntents.size;
    const a = await raw('/v1/payment_intents', 'amount=700&currency=usd', { 'idempotency-key': 'idem-1' });
    const b = await raw('/v1/payment_intents', 'amount=700&currency=usd', { 'idempotency-key': 'idem-1' });
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(a.headers.get('idempotent-replayed')).toBeNull();
    expect(await b.text()).toBe(await a.text());
    expect(double.paymentIntents.size).toBe(before + 1);
  });

  it('answers idempotency_error when the key is reused with other params', async () => {
    await sdk().paymentIntents.create({ amount: 700, currency: 'usd' }, { idempotencyKey: 'idem-2' });
    const e = await caught(
      sdk().paymentIntents.create({ amount: 701, currency: 'usd' }, { idempotencyKey: 'idem-2' }),
    );
    expect(e).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(e.statusCode).toBe(400);
  });

  it('scopes keys per secret key', async () => {
    double.apiKeys.add('sk_test_other_account');
    const a = await sdk().paymentIntents.create(
      { amount: 700, currency: 'usd' },
      { idempotencyKey: 'idem-3' },
    );
    const b = await sdk({}, 'sk_test_other_account').paymentIntents.create(
      { amount: 800, currency: 'usd' },
      { idempotencyKey: 'idem-3' },
    );
    expect(b.id).not.toBe(a.id);
  });

  it('stores and replays a 500 that happened during execution', async () => {
    const before = double.paymentIntents.size;
    double.inject({ kind: 'http_500_stored' });
    const first = await caught(
      sdk().paymentIntents.create({ amount: 700, currency: 'usd' }, { idempotencyKey: 'idem-4' }),
    );
    expect(first).toBeInstanceOf(Stripe.errors.StripeAPIError);
    const again = await caught(
      sdk().paymentIntents.create({ amount: 700, currency: 'usd' }, { idempotencyKey: 'idem-4' }),
    );
    expect(again.statusCode).toBe(500);
    expect(double.paymentIntents.size).toBe(before);
  });

  it('does not store validation failures', async () => {
    expect(
      await caught(
        sdk().paymentIntents.create({ amount: 10, currency: 'usd' }, { idempotencyKey: 'idem-5' }),
      ),
    ).toMatchObject({
      code: 'amount_too_small',
    });
    const ok = await sdk().paymentIntents.create(
      { amount: 1000, currency: 'usd' },
      { idempotencyKey: 'idem-5' },
    );
    expect(ok.amount).toBe(1000);
  });

  it('answers 409 idempotency_key_in_use to a concurrent request with the same key', async () => {
    double.inject({ kind: 'delay', ms: 200 });
    const first = raw('/v1/payment_intents', 'amount=700&currency=usd', { 'idempotency-key': 'idem-6' });
    await new Promise((r) => setTimeout(r, 50));
    const second = await raw('/v1/payment_intents', 'amount=700&currency=usd', {
      'idempotency-key': 'idem-6',
    });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_in_use');
    expect((await first).status).toBe(200);
  });

  it('lets the SDK retry a 500 that happened before execution, with the same key, creating one object', async () => {
    const before = double.paymentIntents.size;
    double.inject({ kind: 'http_500' });
    const pi = await sdk({ maxNetworkRetries: 2 }).paymentIntents.create(
      { amount: 700, currency: 'usd' },
      { idempotencyKey: 'idem-7' },
    );
    expect(pi.status).toBe('requires_payment_method');
    expect(double.paymentIntents.size).toBe(before + 1);
    const keys = double.requests.slice(-2).map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual(['idem-7', 'idem-7']);
  });

  it('surfaces 429 and connection resets as the SDK classes (429 is not retried; a reset is, once, even with retries off)', async () => {
    double.inject({ kind: 'http_429' });
    expect(await caught(sdk({ maxNetworkRetries: 2 }).paymentIntents.retrieve('pi_x'))).toBeInstanceOf(
      Stripe.errors.StripeRateLimitError,
    );
    double.inject({ kind: 'connection_reset' }, 2);
    expect(await caught(sdk().paymentIntents.retrieve('pi_x'))).toBeInstanceOf(
      Stripe.errors.StripeConnectionError,
    );
    expect(double.requests.slice(-2).map((r) => r.status)).toEqual([0, 0]);
  });
});

describe('Stripe double: payments', () => {
  it('declines with 402 card_error, the decline code and the PaymentIntent, leaving it retryable', async () => {
    const pi = await newPi();
    const e = (await caught(
      sdk().paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }),
    )) as Stripe.errors.StripeCardError;
    expect(e).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(e).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'insufficient_funds' });
    expect(e.payment_intent).toMatchObject({ id: pi.id, status: 'requires_payment_method' });
    const ok = await sdk().paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(ok).toMatchObject({ status: 'succeeded', amount_received: 1500 });
    const again = await caught(sdk().paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' }));
    expect(again).toMatchObject({ code: 'payment_intent_unexpected_state' });
  });

  it('requires an action for 3-D Secure cards until the customer completes it', async () => {
    const pi = await newPi();
    const c = await sdk().paymentIntents.confirm(pi.id, {
      payment_method: 'pm_card_threeDSecure2Required',
      return_url: 'https://tollgate.test/r',
    });
    expect(c).toMatchObject({ status: 'requires_action', next_action: { type: 'redirect_to_url' } });
    double.completeAction(pi.id, 'failed');
    expect((await sdk().paymentIntents.retrieve(pi.id)).last_payment_error?.code).toBe(
      'payment_intent_authentication_failure',
    );
  });

  it('cancels an open PaymentIntent but not a succeeded one', async () => {
    const open = await newPi();
    expect((await sdk().paymentIntents.cancel(open.id)).status).toBe('canceled');
    const paid = await newPi();
    double.customerPays(paid.id);
    expect(await caught(sdk().paymentIntents.cancel(paid.id))).toMatchObject({
      code: 'payment_intent_unexpected_state',
    });
  });

  it('redirects Alipay through alipay_handle_redirect, needs a return_url, and only in Alipay currencies', async () => {
    const pi = await newPi(1500, { allowed_payment_method_types: ['card', 'alipay'] });
    expect(pi.payment_method_types).toEqual(['card', 'alipay']);
    expect(
      await caught(sdk().paymentIntents.confirm(pi.id, { payment_method_data: { type: 'alipay' } })),
    ).toMatchObject({
      code: 'parameter_missing',
      param: 'return_url',
    });
    const c = await sdk().paymentIntents.confirm(pi.id, {
      payment_method_data: { type: 'alipay' },
      return_url: 'https://tollgate.test/r',
    });
    expect(c.next_action?.type).toBe('alipay_handle_redirect');
    expect(c.next_action?.alipay_handle_redirect?.url).toMatch(/^http/);
    double.completeAction(pi.id, 'succeeded');
    expect(() => double.dispute(pi.id)).toThrow(/cannot be disputed/);

    const inr = await sdk().paymentIntents.create({
      amount: 10000,
      currency: 'inr',
      allowed_payment_method_types: ['card', 'alipay'],
    });
    expect(inr.payment_method_types).toEqual(['card']);
  });
});

describe('Stripe double: refunds', () => {
  it('reduces the refundable remainder, refuses over-refunds, then reports charge_already_refunded', async () => {
    const pi = await newPi(1000);
    double.customerPays(pi.id);
    const r1 = await sdk().refunds.create({ payment_intent: pi.id, amount: 400 });
    expect(r1).toMatchObject({ status: 'succeeded', amount: 400, payment_intent: pi.id });
    expect(await caught(sdk().refunds.create({ payment_intent: pi.id, amount: 601 }))).toMatchObject({
      statusCode: 400,
      code: 'amount_too_large',
    });
    expect((await sdk().refunds.create({ payment_intent: pi.id })).amount).toBe(600);
    expect(await caught(sdk().refunds.create({ payment_intent: pi.id }))).toMatchObject({
      code: 'charge_already_refunded',
    });
    expect((await sdk().refunds.retrieve(r1.id)).id).toBe(r1.id);
    const charge = double.charges.get(String(double.paymentIntents.get(pi.id)?.latest_charge));
    expect(charge).toMatchObject({ amount_refunded: 1000, refunded: true });
  });

  it('refuses to refund a PaymentIntent that has not succeeded', async () => {
    const pi = await newPi();
    expect(await caught(sdk().refunds.create({ payment_intent: pi.id }))).toMatchObject({ statusCode: 400 });
  });

  it('settles Alipay refunds asynchronously; a failed one gives the amount back', async () => {
    const pi = await newPi(1000, { allowed_payment_method_types: ['alipay'] });
    double.customerPays(pi.id, 'alipay');
    const r = await sdk().refunds.create({ payment_intent: pi.id, amount: 1000 });
    expect(r.status).toBe('pending');
    expect(await caught(sdk().refunds.create({ payment_intent: pi.id, amount: 1 }))).toMatchObject({
      code: 'charge_already_refunded',
    });
    double.settleRefund(r.id, 'failed');
    expect((await sdk().refunds.retrieve(r.id)).status).toBe('failed');
    const r2 = await sdk().refunds.create({ payment_intent: pi.id, amount: 1000 });
    double.settleRefund(r2.id, 'succeeded');
    await double.webhooks.flush();
    const types = receiver.received.map((w) => (JSON.parse(w.rawBody.toString()) as Stripe.Event).type);
    expect(types).toEqual(
      expect.arrayContaining(['refund.failed', 'refund.updated', 'charge.refund.updated']),
    );
  });
});

describe('Stripe double: Checkout Sessions', () => {
  it('creates the PaymentIntent only when the customer pays, with payment_intent_data metadata only', async () => {
    const s = await sdk().checkout.sessions.create({
      mode: 'payment',
      success_url: 'https://tollgate.test/ok',
      line_items: [
        { quantity: 2, price_data: { currency: 'eur', unit_amount: 750, product_data: { name: 'Top-up' } } },
      ],
      metadata: { session_only: 'yes' },
      payment_intent_data: { metadata: { payment_id: 'pay_cs' } },
    });
    expect(s).toMatchObject({
      amount_total: 1500,
      currency: 'eur',
      payment_intent: null,
      payment_status: 'unpaid',
    });
    double.customerPaysCheckout(s.id);
    const paid = await sdk().checkout.sessions.retrieve(s.id);
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid' });
    const pi = await sdk().paymentIntents.retrieve(paid.payment_intent as string);
    expect(pi.metadata).toEqual({ payment_id: 'pay_cs' });
  });

  it('requires mode and line items', async () => {
    expect(
      await caught(
        sdk().checkout.sessions.create({
          success_url: 'https://x.test',
        } as Stripe.Checkout.SessionCreateParams),
      ),
    ).toMatchObject({
      code: 'parameter_missing',
      param: 'mode',
    });
  });
});

describe('Stripe double: webhooks and events', () => {
  it('signs deliveries so the SDK constructEvent accepts them', async () => {
    const pi = await newPi();
    double.customerPays(pi.id);
    await double.webhooks.flush();
    const w = receiver.received.at(-1);
    if (!w) throw new Error('no delivery');
    const ev = sdk().webhooks.constructEvent(w.rawBody, w.headers['stripe-signature'] as string, secret);
    expect(ev).toMatchObject({
      object: 'event',
      api_version: '2026-10-28.endive',
      type: 'payment_intent.succeeded',
    });
    expect(ev.id).toMatch(/^evt_/);
    expect(w.headers['stripe-signature']).toMatch(/,v0=/);
  });

  it('retries after a non-2xx, and lists undelivered events under delivery_success=false', async () => {
    receiver.respondWith(500);
    double.webhooks.switches.maxAttempts = 2;
    const pi = await newPi();
    await double.webhooks.flush();
    const created = double.events.find(
      (e) => e.type === 'payment_intent.created' && (e.data.object as { id: string }).id === pi.id,
    );
    expect(double.webhooks.attempts.filter((a) => a.eventId === created?.id).map((a) => a.status)).toEqual([
      500, 500,
    ]);
    const undelivered = await sdk().events.list({ delivery_success: false, limit: 100 });
    expect(undelivered.data.map((e) => e.id)).toContain(created?.id);
    receiver.respondWith(200);
    double.webhooks.resend(created as never);
    await double.webhooks.flush();
    expect(
      (await sdk().events.list({ delivery_success: false, limit: 100 })).data.map((e) => e.id),
    ).not.toContain(created?.id);
  });

  it('can hold deliveries and release them out of order', async () => {
    double.webhooks.switches.paused = true;
    const pi = await newPi();
    double.customerPays(pi.id);
    const mark = receiver.received.length;
    double.webhooks.release({ reverse: true });
    await double.webhooks.flush();
    const types = receiver.received
      .slice(mark)
      .map((w) => (JSON.parse(w.rawBody.toString()) as Stripe.Event).type);
    expect(types.indexOf('payment_intent.succeeded')).toBeLessThan(types.indexOf('payment_intent.created'));
  });

  it('emits a dispute event for a disputed card payment', async () => {
    const pi = await newPi();
    double.customerPays(pi.id);
    const d = double.dispute(pi.id);
    const ev = double.events[0];
    expect(ev).toMatchObject({
      type: 'charge.dispute.created',
      data: { object: { id: d.id, payment_intent: pi.id } },
    });
  });
});
