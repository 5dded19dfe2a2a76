import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentRequestId } from '../../../src/lib/request-context.ts';
import { PAYMENT_EVENT_TOPIC } from '../../../src/payments/webhook-inbox.ts';
import { dbId, type StripeGateway, startStripeGateway } from './stripe-gateway.ts';

const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  walletId payment { id providerTxnId } } }`;

/**
 * What the outbox worker's application of one `payment_intent.succeeded` costs the database
 * (issue 21: the credit path was ~20 statements in three transactions). Counted at the driver
 * (every statement, BEGIN and COMMIT included), for the job's request only.
 */
describe('the cost of crediting a paid top-up', () => {
  let gw: StripeGateway;
  const statements = new Map<string, string[]>();
  const query = pg.Client.prototype.query;
  beforeAll(async () => {
    gw = await startStripeGateway({ name: 'creditcost', org: 'Credit Cost Co', email: 'owner@cost.test' });
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const id = currentRequestId();
      const q = args[0] as string | { text?: string };
      if (id) statements.set(id, [...(statements.get(id) ?? []), typeof q === 'string' ? q : (q.text ?? '')]);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
  });
  afterAll(async () => {
    pg.Client.prototype.query = query;
    await gw?.close();
  });

  let n = 0;
  async function paidTopUp() {
    const res = await gw.t.gql(
      CREATE_TOP_UP,
      { input: { currency: 'USD', amount: '1200', idempotencyKey: `cost-${++n}` } },
      { token: gw.key },
    );
    const top = res.data.createTopUp;
    gw.stripe.customerPays(top.payment.providerTxnId, 'pm_card_visa');
    await gw.stripe.webhooks.flush();
    return { paymentId: dbId(top.payment.id), walletId: top.walletId as string };
  }

  it('credits a paid top-up in at most 16 statements from loading its event to marking it processed, in one transaction', async () => {
    const { db } = gw.t.app.services;
    await paidTopUp(); // warm: system accounts and the wallet's currency are read once per process
    await gw.t.app.services.outbox.drain();
    const p = await paidTopUp();
    const event = gw.stripe.events.find(
      (e) =>
        e.type === 'payment_intent.succeeded' &&
        (e.data.object as { metadata?: { payment_id?: string } }).metadata?.payment_id === p.paymentId,
    )!;
    const job = await db.outboxMessage.findFirstOrThrow({
      where: { topic: PAYMENT_EVENT_TOPIC, dedupeKey: `inbox:stripe:${event.id}` },
    });
    statements.clear();
    await gw.t.app.services.outbox.drain();

    const payment = await db.payment.findUniqueOrThrow({ where: { id: p.paymentId } });
    expect(payment.status).toBe('succeeded');
    const ran = statements.get(job.requestId!) ?? [];
    const text = ran.map((s) => s.replace(/\s+/g, ' ').slice(0, 80)).join('\n');
    expect(
      ran.filter((s) => s === 'BEGIN'),
      text,
    ).toHaveLength(1);
    expect(ran.length, text).toBeLessThanOrEqual(16);
  });
});
