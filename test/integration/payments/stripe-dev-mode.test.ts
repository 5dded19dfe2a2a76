import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../../src/resolvers/identity/bootstrap.ts';
import { type StripeDev, startStripeDev } from '../../doubles/stripe/dev-server.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { CENT, settleWebhooks } from './stripe-gateway.ts';

/** docs/payments.md, "Trying a top-up locally": the walkthrough without a Stripe account. */
describe('local top-ups against the Stripe dev double (scripts/stripe-dev.ts)', () => {
  let db: TestDatabase;
  let dev: StripeDev;
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    dev = await startStripeDev({ gatewayUrl: 'http://127.0.0.1:1', port: 0 });
    t = await startTestApp(db, { env: { ...dev.env, NODE_ENV: 'development' } });
    dev.stripe.webhooks.url = `${t.url}/webhooks/stripe`;
    key = (await bootstrap(t.app.services, { org: 'Dev Org', email: 'dev@local.test' })).apiKey;
  });
  afterAll(async () => {
    await t?.close();
    await dev?.close();
    await db?.close();
  });

  const topUp = async (idempotencyKey: string) =>
    (
      await t.gql(
        `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) { walletId payment { providerTxnId } } }`,
        { input: { currency: 'USD', amount: '2000', idempotencyKey } },
        { token: key },
      )
    ).data.createTopUp as { walletId: string; payment: { providerTxnId: string } };
  const pay = async (pi: string, card?: string) => {
    const res = await fetch(`${dev.payUrl}/${pi}${card ? `?card=${card}` : ''}`, { method: 'POST' });
    await settleWebhooks(dev.stripe, t.app);
    return (await res.json()) as { status: string };
  };
  const balance = async (walletId: string) =>
    (await t.app.services.db.wallet.findUniqueOrThrow({ where: { id: walletId } })).balanceNanos;

  it('credits a top-up paid through the local pay endpoint, by the signed webhook, as with Stripe', async () => {
    const top = await topUp('dev-1');
    expect(await pay(top.payment.providerTxnId)).toMatchObject({ status: 'succeeded' });
    expect(await balance(top.walletId)).toBe(2000n * CENT);
  });

  it('declines with a test card and credits nothing', async () => {
    const top = await topUp('dev-2');
    const before = await balance(top.walletId);
    expect(await pay(top.payment.providerTxnId, 'pm_card_chargeDeclined')).toMatchObject({
      status: 'requires_payment_method',
    });
    expect(await balance(top.walletId)).toBe(before);
  });
});
