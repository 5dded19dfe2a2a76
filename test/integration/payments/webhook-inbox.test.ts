import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYMENT_EVENT_TOPIC } from '../../../src/payments/webhook-inbox.ts';
import { CENT, dbId, type StripeGateway, startStripeGateway } from './stripe-gateway.ts';

const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  walletId payment { id providerTxnId } } }`;

/**
 * Webhooks are acknowledged, then processed (docs/payments.md, "Webhooks: acknowledged, then
 * processed once"): the route stores the verified event and one outbox job in one transaction; the
 * worker applies it. `provider_events.attempts` counts the runs of the application.
 */
describe('the payment webhook inbox', () => {
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({
      name: 'inbox',
      org: 'Inbox Co',
      email: 'owner@inbox.test',
      // The worker's retry comes after this backoff; the test waits for it, it does not sleep.
      env: { OUTBOX_BACKOFF_BASE_MS: '20', OUTBOX_BACKOFF_MAX_MS: '50' },
    });
  });
  afterAll(async () => gw?.close());

  let n = 0;
  const topUp = async () => {
    const res = await gw.t.gql(
      CREATE_TOP_UP,
      { input: { currency: 'USD', amount: '1200', idempotencyKey: `inbox-${++n}` } },
      { token: gw.key },
    );
    const top = res.data.createTopUp;
    return {
      walletId: top.walletId as string,
      paymentId: dbId(top.payment.id),
      pi: top.payment.providerTxnId as string,
    };
  };
  const succeededEvent = (pi: string) =>
    gw.stripe.events.find(
      (e) => e.type === 'payment_intent.succeeded' && (e.data.object as { id?: string }).id === pi,
    )!;
  const stored = (eventId: string) =>
    gw.t.app.services.db.providerEvent.findUniqueOrThrow({
      where: { provider_eventId: { provider: 'stripe', eventId } },
    });
  const jobsOf = (eventId: string) =>
    gw.t.app.services.db.outboxMessage.findMany({
      where: { topic: PAYMENT_EVENT_TOPIC, dedupeKey: `inbox:stripe:${eventId}` },
    });
  const lookupsOf = (pi: string) =>
    gw.stripe.requests.filter((r) => r.method === 'GET' && r.path === `/v1/payment_intents/${pi}`).length;

  it('answers 50 concurrent deliveries of one event 200, stores it and its job once, and runs the credit path once', async () => {
    const { db } = gw.t.app.services;
    const p = await topUp();
    gw.stripe.webhooks.switches.paused = true;
    gw.stripe.customerPays(p.pi, 'pm_card_visa');
    const event = succeededEvent(p.pi);
    gw.stripe.webhooks.switches.paused = false;
    for (let i = 0; i < 50; i++) gw.stripe.webhooks.resend(event);
    await gw.stripe.webhooks.flush();

    const answers = gw.stripe.webhooks.attempts.filter((a) => a.eventId === event.id);
    expect(answers).toHaveLength(50);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // Acknowledged without being applied: no provider call yet, nothing credited.
    const raw = await stored(event.id);
    expect(raw).toMatchObject({ processedAt: null, attempts: 0, type: 'payment_intent.succeeded' });
    // The body as received: Stripe's double sends it indented, and so it is kept.
    const body = Buffer.from(raw.rawBody!).toString('utf8');
    expect(body).toContain(`\n  "id": "${event.id}"`);
    expect(JSON.parse(body)).toMatchObject({ id: event.id, type: 'payment_intent.succeeded' });
    expect(await jobsOf(event.id)).toHaveLength(1);
    const lookupsBefore = lookupsOf(p.pi);
    const balanceBefore = (await db.wallet.findUniqueOrThrow({ where: { id: p.walletId } })).balanceNanos;

    await gw.settle();
    const applied = await stored(event.id);
    expect(applied.processedAt).not.toBeNull();
    expect(applied.attempts).toBe(1); // one application run, not 50
    expect(lookupsOf(p.pi) - lookupsBefore).toBe(1); // one confirming lookup at Stripe
    expect(await jobsOf(event.id)).toMatchObject([{ status: 'delivered' }]);
    const credits = await db.ledgerTransaction.findMany({
      where: { idempotencyKey: `topup:${p.paymentId}` },
    });
    expect(credits).toHaveLength(1);
    expect(
      (await db.wallet.findUniqueOrThrow({ where: { id: p.walletId } })).balanceNanos - balanceBefore,
    ).toBe(1200n * CENT);
    expect(
      await db.notification.count({
        where: { type: 'payment_succeeded', payload: { path: ['paymentId'], equals: p.paymentId } },
      }),
    ).toBe(1);

    // A later redelivery is a duplicate: 200, nothing new enqueued, nothing run.
    gw.stripe.webhooks.resend(event);
    await gw.settle();
    expect(gw.stripe.webhooks.attempts.filter((a) => a.eventId === event.id).at(-1)?.status).toBe(200);
    expect(await jobsOf(event.id)).toHaveLength(1);
    expect((await stored(event.id)).attempts).toBe(1);
    expect((await gw.t.app.services.ledger.checkConsistency()).ok).toBe(true);
  });

  it('retries an event whose processing fails, in the worker, until it lands once', async () => {
    const { db } = gw.t.app.services;
    const p = await topUp();
    // Stripe cannot be asked twice (429 is not retried by the SDK): two failed runs, then success.
    gw.stripe.inject({ kind: 'http_429', method: 'GET', path: `/v1/payment_intents/${p.pi}` }, 2);
    gw.stripe.customerPays(p.pi, 'pm_card_visa');
    await gw.stripe.webhooks.flush();
    const event = succeededEvent(p.pi);
    expect(gw.stripe.webhooks.attempts.filter((a) => a.eventId === event.id).map((a) => a.status)).toEqual([
      200,
    ]);

    await gw.t.app.services.outbox.runOnce();
    expect(await stored(event.id)).toMatchObject({
      processedAt: null,
      attempts: 1,
      lastError: expect.stringMatching(/\S/),
    });
    expect(await jobsOf(event.id)).toMatchObject([{ status: 'pending', attempts: 1 }]);
    expect(await db.ledgerTransaction.count({ where: { idempotencyKey: `topup:${p.paymentId}` } })).toBe(0);

    await expect
      .poll(
        async () => {
          await gw.settle();
          return (await stored(event.id)).processedAt !== null;
        },
        { timeout: 15_000, interval: 25 },
      )
      .toBe(true);
    expect(await stored(event.id)).toMatchObject({ attempts: 3, lastError: null });
    expect(await jobsOf(event.id)).toMatchObject([{ status: 'delivered', attempts: 3 }]);
    expect(await db.ledgerTransaction.count({ where: { idempotencyKey: `topup:${p.paymentId}` } })).toBe(1);
    expect((await db.payment.findUniqueOrThrow({ where: { id: p.paymentId } })).status).toBe('succeeded');
  });

  it('processes on its next delivery an event stored before the inbox and never processed', async () => {
    const { db } = gw.t.app.services;
    const p = await topUp();
    gw.stripe.webhooks.switches.paused = true;
    gw.stripe.customerPays(p.pi, 'pm_card_visa');
    const event = succeededEvent(p.pi);
    // What the previous version left when processing failed inside the request: no raw body, no job.
    await db.providerEvent.create({
      data: {
        id: `pev_legacy_${n}`,
        provider: 'stripe',
        eventId: event.id,
        type: event.type,
        payload: {},
        attempts: 1,
      },
    });
    gw.stripe.webhooks.release();
    await gw.settle();
    expect(await stored(event.id)).toMatchObject({
      attempts: 2,
      lastError: null,
      processedAt: expect.any(Date),
    });
    expect(await jobsOf(event.id)).toMatchObject([{ status: 'delivered' }]);
    expect(await db.ledgerTransaction.count({ where: { idempotencyKey: `topup:${p.paymentId}` } })).toBe(1);
    // Once processed, a further delivery is a plain duplicate.
    gw.stripe.webhooks.resend(event);
    await gw.settle();
    expect(await jobsOf(event.id)).toHaveLength(1);
  });

  it('stores nothing and enqueues nothing for a forged or malformed event', async () => {
    const { db } = gw.t.app.services;
    const counts = async () => [await db.providerEvent.count(), await db.outboxMessage.count()];
    const before = await counts();
    const post = (body: string, signature: string) =>
      fetch(`${gw.t.url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'stripe-signature': signature },
        body,
      });
    const forged = await post('{"id":"evt_forged","object":"event"}', 't=1,v1=deadbeef');
    expect(forged.status).toBe(400);
    const unsigned = await post('not json', '');
    expect(unsigned.status).toBe(400);
    expect(await counts()).toEqual(before);
  });
});
