import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StripeDouble } from '../../doubles/stripe/server.ts';
import { newWebhookSecret, stripeSignatureHeader } from '../../doubles/stripe/signing.ts';
import type { TestApp } from '../../helpers/app.ts';
import { dbId, type StripeGateway, startStripeGateway } from './stripe-gateway.ts';

const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  orderId walletId clientSecret publishableKey paymentPageUrl idempotencyHit
  payment { id status providerTxnId amount { amount currency unit } } } }`;
const REFUND = `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  id status amount { amount currency unit } } }`;

describe('top-ups through GraphQL and Stripe webhooks', () => {
  let stripe: StripeDouble;
  let t: TestApp;
  let key: string;
  let organizationId: string;
  let secret: string;
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({ name: 'flow', org: 'Acme Payments', email: 'owner@acme.test' });
    ({ stripe, t, key, organizationId, webhookSecret: secret } = gw);
  });
  afterAll(async () => gw?.close());
  beforeEach(() => {
    stripe.webhooks.switches.duplicate = false;
    stripe.webhooks.switches.paused = false;
  });

  const topUp = async (amount: string, idempotencyKey: string, currency = 'USD') => {
    const res = await t.gql(CREATE_TOP_UP, { input: { currency, amount, idempotencyKey } }, { token: key });
    if (res.data?.createTopUp) res.data.createTopUp.payment.dbId = dbId(res.data.createTopUp.payment.id);
    return res;
  };

  const wallet = async (walletId: string) =>
    t.app.services.db.wallet.findUniqueOrThrow({ where: { id: walletId } });

  it('credits the wallet exactly once when success is delivered 5 times and out of order with payment_failed', async () => {
    const res = await topUp('2500', 'top-up-1');
    expect(res.errors).toBeUndefined();
    const top = res.data.createTopUp;
    expect(top.payment.status).toBe('CREATED');
    expect(top.publishableKey).toBe('pk_test_flow');
    expect(top.clientSecret).toMatch(/^pi_.+_secret_/);
    expect(top.paymentPageUrl).toBe(
      `http://tollgate.test/pay/${top.payment.dbId}#${encodeURIComponent(top.clientSecret)}`,
    );
    expect(top.payment.amount).toEqual({ amount: '2500', currency: 'USD', unit: 'MINOR' });

    stripe.webhooks.switches.paused = true;
    stripe.customerConfirms(top.payment.providerTxnId, 'pm_card_chargeDeclined'); // payment_failed
    stripe.customerPays(top.payment.providerTxnId, 'pm_card_visa'); // succeeded
    const succeeded = stripe.events.find(
      (e) => e.type === 'payment_intent.succeeded' && (e.data.object as any).id === top.payment.providerTxnId,
    )!;
    stripe.webhooks.release({ reverse: true }); // succeeded first, then the stale payment_failed
    for (let i = 0; i < 4; i++) stripe.webhooks.resend(succeeded);
    await gw.settle();

    const w = await wallet(top.walletId);
    expect(w.balanceNanos).toBe(25_000_000_000n); // $25.00 in nano-units
    const credits = await t.app.services.db.ledgerTransaction.findMany({ where: { reason: 'topup' } });
    expect(credits.filter((c) => c.idempotencyKey === `topup:${top.payment.dbId}`)).toHaveLength(1);
    const payment = await t.app.services.db.payment.findUniqueOrThrow({ where: { id: top.payment.dbId } });
    expect(payment.status).toBe('succeeded');
    const order = await t.app.services.db.order.findUniqueOrThrow({ where: { id: top.orderId } });
    expect(order.status).toBe('paid');
    const stored = await t.app.services.db.providerEvent.findMany({ where: { provider: 'stripe' } });
    expect(stored.filter((e) => e.eventId === succeeded.id)).toHaveLength(1);
    expect(stored.every((e) => e.processedAt !== null)).toBe(true);
    expect((await t.app.services.ledger.checkConsistency()).ok).toBe(true);
    const attempts = stripe.webhooks.attempts.filter((a) => a.eventId === succeeded.id);
    expect(attempts).toHaveLength(5);
    expect(attempts.every((a) => a.status === 200)).toBe(true);
  });

  it('replays createTopUp for the same key and refuses the key with other content', async () => {
    const a = await topUp('1000', 'same-key');
    const b = await topUp('1000', 'same-key');
    expect(b.data.createTopUp).toMatchObject({
      orderId: a.data.createTopUp.orderId,
      clientSecret: a.data.createTopUp.clientSecret,
      idempotencyHit: true,
    });
    const c = await topUp('1001', 'same-key');
    expect(c.errors?.[0].extensions.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('refuses bad input with typed errors and writes nothing', async () => {
    const before = await t.app.services.db.order.count();
    const small = await topUp('49', 'too-small');
    expect(small.errors?.[0].extensions.code).toBe('AMOUNT_TOO_SMALL');
    const currency = await topUp('1000', 'bad-currency', 'XYZ');
    expect(currency.errors?.[0].extensions.code).toBe('UNSUPPORTED_CURRENCY');
    const provider = await t.gql(
      CREATE_TOP_UP,
      { input: { currency: 'USD', amount: '1000', idempotencyKey: 'p', provider: 'paypal' } },
      { token: key },
    );
    expect(provider.errors?.[0].extensions.code).toBe('UNKNOWN_PROVIDER');
    expect(await t.app.services.db.order.count()).toBe(before);
  });

  it('rejects forged, wrong-secret and stale signatures with 400 and stores nothing', async () => {
    const body = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'payment_intent.succeeded',
      data: { object: {} },
    });
    const post = (sig: string) =>
      fetch(`${t.url}/webhooks/stripe`, { method: 'POST', headers: { 'stripe-signature': sig }, body });
    const now = Math.floor(Date.now() / 1000);
    for (const sig of [
      't=1,v1=deadbeef',
      stripeSignatureHeader({ payload: body, secrets: [newWebhookSecret()], timestampSeconds: now }),
      stripeSignatureHeader({ payload: body, secrets: [secret], timestampSeconds: now - 301 }),
    ]) {
      const res = await post(sig);
      expect(res.status).toBe(400);
      const json = await res.json();
      expect(json.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
      expect(json.request_id).toBe(res.headers.get('x-request-id'));
    }
    expect(await t.app.services.db.providerEvent.count({ where: { eventId: 'evt_forged' } })).toBe(0);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/tollgate_webhook_rejected_total\{provider="stripe"\} 3/);
  });

  it('refunds partially then fully, reversing the ledger, never beyond what was paid', async () => {
    const top = (await topUp('5000', 'refund-me')).data.createTopUp;
    stripe.customerPays(top.payment.providerTxnId);
    await gw.settle();
    const before = (await wallet(top.walletId)).balanceNanos;

    const partial = await t.gql(
      REFUND,
      { input: { paymentId: top.payment.id, amount: '2000', idempotencyKey: 'r1' } },
      { token: key },
    );
    expect(partial.errors).toBeUndefined();
    expect(partial.data.refundPayment).toMatchObject({
      status: 'SUCCEEDED',
      amount: { amount: '2000', unit: 'MINOR' },
    });
    await gw.settle(); // refund events arrive too; they change nothing more
    expect((await wallet(top.walletId)).balanceNanos).toBe(before - 20_000_000_000n);

    const again = await t.gql(
      REFUND,
      { input: { paymentId: top.payment.id, amount: '2000', idempotencyKey: 'r1' } },
      { token: key },
    );
    expect(again.data.refundPayment.id).toBe(partial.data.refundPayment.id);

    const over = await t.gql(
      REFUND,
      { input: { paymentId: top.payment.id, amount: '3001', idempotencyKey: 'r2' } },
      { token: key },
    );
    expect(over.errors?.[0].extensions.code).toBe('REFUND_EXCEEDS_REMAINING');

    const rest = await t.gql(
      REFUND,
      { input: { paymentId: top.payment.id, idempotencyKey: 'r3' } },
      { token: key },
    );
    expect(rest.data.refundPayment).toMatchObject({ status: 'SUCCEEDED', amount: { amount: '3000' } });
    await gw.settle();
    expect((await wallet(top.walletId)).balanceNanos).toBe(before - 50_000_000_000n);
    const payment = await t.app.services.db.payment.findUniqueOrThrow({ where: { id: top.payment.dbId } });
    expect(payment.amountRefundedMinor).toBe(5000n);
    const none = await t.gql(
      REFUND,
      { input: { paymentId: top.payment.id, idempotencyKey: 'r4' } },
      { token: key },
    );
    expect(none.errors?.[0].extensions.code).toBe('REFUND_EXCEEDS_REMAINING');
    expect((await t.app.services.ledger.checkConsistency()).ok).toBe(true);
  });

  it('blocks refunding credit that was already spent (default policy)', async () => {
    const owner = { ownerType: 'user' as const };
    const me = await t.app.services.db.user.findFirstOrThrow({ where: { email: 'owner@acme.test' } });
    const top = (
      await t.gql(
        CREATE_TOP_UP,
        {
          input: {
            currency: 'EUR',
            amount: '1000',
            idempotencyKey: 'spent',
            owner: { type: 'USER', id: me.id },
          },
        },
        { token: key },
      )
    ).data.createTopUp;
    void owner;
    stripe.customerPays(top.payment.providerTxnId);
    await gw.settle();
    const hold = await t.app.services.ledger.hold({
      walletId: top.walletId,
      amountNanos: 6_000_000_000n,
      idempotencyKey: 'spend-req',
    });
    await t.app.services.ledger.settle({ holdId: hold.holdId, actualNanos: 6_000_000_000n });
    const res = await t.gql(
      REFUND,
      { input: { paymentId: top.payment.id, idempotencyKey: 'too-much' } },
      { token: key },
    );
    expect(res.errors?.[0].extensions.code).toBe('REFUND_EXCEEDS_UNSPENT_BALANCE');
    const ok = await t.gql(
      REFUND,
      { input: { paymentId: top.payment.id, amount: '400', idempotencyKey: 'unspent' } },
      { token: key },
    );
    expect(ok.data.refundPayment.status).toBe('SUCCEEDED');
    expect((await wallet(top.walletId)).balanceNanos).toBe(0n);
  });

  it('recovers a payment whose webhook never came through reconciliation', async () => {
    const top = (await topUp('1500', 'lost-webhook')).data.createTopUp;
    stripe.webhooks.switches.paused = true; // the event is never delivered
    stripe.customerPays(top.payment.providerTxnId);
    const changed = await t.app.services.payments.reconcileStuckPayments({ olderThanMs: 0 });
    expect(changed).toContain(top.payment.dbId);
    expect((await wallet(top.walletId)).balanceNanos).toBeGreaterThanOrEqual(15_000_000_000n);
    const payment = await t.app.services.db.payment.findUniqueOrThrow({ where: { id: top.payment.dbId } });
    expect(payment.status).toBe('succeeded');
    // The late webhook, if it ever arrives, credits nothing more.
    const balance = (await wallet(top.walletId)).balanceNanos;
    stripe.webhooks.release();
    await gw.settle();
    expect((await wallet(top.walletId)).balanceNanos).toBe(balance);
  });

  it('freezes the disputed amount when a dispute opens', async () => {
    const top = (await topUp('3000', 'disputed')).data.createTopUp;
    stripe.customerPays(top.payment.providerTxnId);
    await gw.settle();
    const before = await wallet(top.walletId);
    stripe.dispute(top.payment.providerTxnId);
    await gw.settle();
    const after = await wallet(top.walletId);
    expect(after.heldNanos - before.heldNanos).toBe(30_000_000_000n);
    const dispute = await t.app.services.db.dispute.findFirstOrThrow({
      where: { paymentId: top.payment.dbId },
    });
    expect(dispute.freezeHoldId).not.toBeNull();
    const notes = await t.app.services.db.notification.findMany({
      where: { type: 'dispute_opened', organizationId },
    });
    expect(notes).toHaveLength(1);
  });

  it('serves the top-up page and, to the holder of the client secret, the payment status', async () => {
    const top = (await topUp('1200', 'page')).data.createTopUp;
    const page = await fetch(`${t.url}/pay/${top.payment.dbId}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('https://js.stripe.com/v3/');
    expect(html).not.toContain(top.clientSecret); // the secret only travels in the URL fragment
    const status = await (
      await fetch(`${t.url}/pay/${top.payment.dbId}/status`, {
        headers: { 'x-client-secret': top.clientSecret },
      })
    ).json();
    expect(status).toMatchObject({ status: 'created', amount: '12.00', currency: 'USD' });
    expect((await fetch(`${t.url}/pay/pay_unknown/status`)).status).toBe(404);
  });

  it('keeps a refund pending (hold kept) when the provider answer is lost, and a retry with the same key settles it once', async () => {
    const top = (await topUp('4000', 'ambiguous-refund')).data.createTopUp;
    stripe.customerPays(top.payment.providerTxnId);
    await gw.settle();
    const start = await wallet(top.walletId);
    const before = start.balanceNanos;
    stripe.inject({ kind: 'connection_reset' }, 3); // the SDK retries; every attempt is cut
    const failed = await t.gql(
      REFUND,
      { input: { paymentId: top.payment.id, amount: '1500', idempotencyKey: 'amb' } },
      { token: key },
    );
    expect(failed.errors?.[0].extensions.code).toBe('PROVIDER_UNAVAILABLE');
    const pending = await t.app.services.db.refund.findFirstOrThrow({ where: { idempotencyKey: 'amb' } });
    expect(pending.status).toBe('pending');
    const w1 = await wallet(top.walletId);
    expect(w1.balanceNanos).toBe(before);
    expect(w1.heldNanos - start.heldNanos).toBe(15_000_000_000n); // still reserved: the money may have left
    stripe.clearInjections();
    const retried = await t.gql(
      REFUND,
      { input: { paymentId: top.payment.id, amount: '1500', idempotencyKey: 'amb' } },
      { token: key },
    );
    expect(retried.data.refundPayment).toMatchObject({ status: 'SUCCEEDED' });
    await gw.settle();
    const w2 = await wallet(top.walletId);
    expect(w2.balanceNanos).toBe(before - 15_000_000_000n);
    expect(w2.heldNanos).toBe(start.heldNanos);
    expect(
      [...stripe.refunds.values()].filter((r: any) => r.metadata?.refund_id === pending.id),
    ).toHaveLength(1);
  });

  it('freezes the credit of an elevated-risk payment for review, even though webhooks carry no risk outcome', async () => {
    const top = (await topUp('4000', 'risky')).data.createTopUp;
    const before = await wallet(top.walletId);
    stripe.customerPays(top.payment.providerTxnId, 'pm_card_riskLevelElevated');
    await gw.settle();
    const after = await wallet(top.walletId);
    expect(after.balanceNanos - before.balanceNanos).toBe(40_000_000_000n);
    expect(after.heldNanos - before.heldNanos).toBe(40_000_000_000n);
    const res = await t.gql(
      `query($id: ID!) { node(id: $id) { ... on Payment { riskLevel underReview } } }`,
      { id: top.payment.id },
      { token: key },
    );
    expect(res.data.node).toEqual({ riskLevel: 'elevated', underReview: true });
    const released = await t.gql(
      `mutation($id: ID!) { releasePaymentReview(paymentId: $id) { underReview } }`,
      { id: top.payment.id },
    );
    expect(released.data.releasePaymentReview.underReview).toBe(false);
    expect((await wallet(top.walletId)).heldNanos).toBe(before.heldNanos);
  });

  it('unfreezes a won dispute and takes the money of a lost one, once each', async () => {
    const won = (await topUp('2000', 'dispute-won')).data.createTopUp;
    const lost = (await topUp('2500', 'dispute-lost')).data.createTopUp;
    stripe.customerPays(won.payment.providerTxnId);
    stripe.customerPays(lost.payment.providerTxnId);
    await gw.settle();
    const start = await wallet(won.walletId);
    const dWon = stripe.dispute(won.payment.providerTxnId);
    const dLost = stripe.dispute(lost.payment.providerTxnId);
    await gw.settle();
    expect((await wallet(won.walletId)).heldNanos - start.heldNanos).toBe(45_000_000_000n);

    stripe.webhooks.switches.duplicate = true; // each close is delivered twice
    stripe.closeDispute(dWon.id as string, 'won');
    stripe.closeDispute(dLost.id as string, 'lost');
    await gw.settle();
    const end = await wallet(won.walletId);
    expect(end.heldNanos).toBe(start.heldNanos);
    expect(end.balanceNanos).toBe(start.balanceNanos - 25_000_000_000n);
    const statuses = await t.app.services.db.dispute.findMany({
      where: { providerDisputeId: { in: [dWon.id as string, dLost.id as string] } },
      select: { providerDisputeId: true, status: true },
    });
    expect(Object.fromEntries(statuses.map((d) => [d.providerDisputeId, d.status]))).toEqual({
      [dWon.id as string]: 'won',
      [dLost.id as string]: 'lost',
    });
    expect((await t.app.services.ledger.checkConsistency()).ok).toBe(true);
  });
});
