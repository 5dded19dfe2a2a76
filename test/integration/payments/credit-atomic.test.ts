import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbId, type StripeGateway, startStripeGateway } from './stripe-gateway.ts';

const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  walletId payment { id providerTxnId } } }`;

/**
 * A paid top-up's credit, the payment's move to succeeded and its notification are one
 * transaction (issue 21): a failure anywhere in it leaves nothing behind, and the worker's retry
 * credits exactly once.
 */
describe('crediting a paid top-up is one transaction', () => {
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({
      name: 'creditatomic',
      org: 'Atomic Co',
      email: 'owner@atomic.test',
      // The worker's retry comes after this backoff; the test waits for it, it does not sleep.
      env: { OUTBOX_BACKOFF_BASE_MS: '20', OUTBOX_BACKOFF_MAX_MS: '50' },
    });
  });
  afterAll(async () => gw?.close());

  it('leaves no posting when the notification in the same transaction fails, and the retry credits once', async () => {
    const { db, outbox } = gw.t.app.services;
    const res = await gw.t.gql(
      CREATE_TOP_UP,
      { input: { currency: 'USD', amount: '1500', idempotencyKey: 'atomic-1' } },
      { token: gw.key },
    );
    const paymentId = dbId(res.data.createTopUp.payment.id);
    const walletId = res.data.createTopUp.walletId as string;
    const balance = async () => (await db.wallet.findUniqueOrThrow({ where: { id: walletId } })).balanceNanos;
    const before = await balance();
    // The notification insert fails: the last write of the credit's transaction but one.
    await db.$executeRawUnsafe(`CREATE FUNCTION atomic_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'notifications are down'; END $$`);
    await db.$executeRawUnsafe(
      'CREATE TRIGGER atomic_fail BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION atomic_fail()',
    );
    gw.stripe.customerPays(res.data.createTopUp.payment.providerTxnId, 'pm_card_visa');
    await gw.stripe.webhooks.flush();
    await outbox.drain();

    const postings = () => db.ledgerTransaction.count({ where: { idempotencyKey: `topup:${paymentId}` } });
    expect(await postings()).toBe(0);
    expect(await balance()).toBe(before);
    expect((await db.payment.findUniqueOrThrow({ where: { id: paymentId } })).status).not.toBe('succeeded');

    await db.$executeRawUnsafe('DROP TRIGGER atomic_fail ON notifications');
    await db.$executeRawUnsafe('DROP FUNCTION atomic_fail()');
    const end = Date.now() + 10_000;
    while ((await db.payment.findUniqueOrThrow({ where: { id: paymentId } })).status !== 'succeeded') {
      if (Date.now() > end) throw new Error('the retry did not credit');
      await outbox.drain();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await postings()).toBe(1);
    expect(await balance()).toBe(before + 1500n * 10_000_000n);
    expect(await db.notification.count({ where: { dedupeKey: `payment_succeeded:${paymentId}` } })).toBe(1);
    expect((await gw.t.app.services.ledger.checkConsistency()).ok).toBe(true);
  });
});
