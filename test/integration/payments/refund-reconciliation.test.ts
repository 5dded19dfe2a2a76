import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StripeDouble } from '../../doubles/stripe/server.ts';
import type { TestApp } from '../../helpers/app.ts';
import { CENT, dbId, type StripeGateway, startStripeGateway } from './stripe-gateway.ts';

const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  orderId walletId payment { id status providerTxnId } } }`;
const REFUND = `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  id status } }`;

describe('refund reconciliation with Stripe', () => {
  let stripe: StripeDouble;
  let t: TestApp;
  let key: string;
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({
      name: 'refund_reconcile',
      org: 'Refund Reconciliation',
      email: 'owner@recon.test',
      env: {
        // The tests run reconciliation themselves.
        PAYMENT_RECONCILE_INTERVAL_MS: '0',
      },
    });
    ({ stripe, t, key } = gw);
  });
  afterAll(async () => gw?.close());
  beforeEach(() => {
    stripe.clearInjections();
    stripe.webhooks.switches.paused = false;
    stripe.asyncCardRefunds = false;
  });

  const services = () => t.app.services;
  const reconcile = () => services().payments.reconcileStuckRefunds({ olderThanMs: 0 });
  const wallet = (walletId: string) => services().db.wallet.findUniqueOrThrow({ where: { id: walletId } });
  const refundRow = (id: string) => services().db.refund.findUniqueOrThrow({ where: { id } });
  const holdOf = async (walletId: string, refundId: string) =>
    services().db.hold.findUniqueOrThrow({
      where: { walletId_idempotencyKey: { walletId, idempotencyKey: `refund:${refundId}` } },
    });
  const refundDebits = (refundId: string) =>
    services().db.ledgerTransaction.findMany({
      where: { reason: 'refund', idempotencyKey: `refund:${refundId}` },
    });
  const stripeRefundsOf = (refundId: string) =>
    [...stripe.refunds.values()].filter((r) => (r.metadata as Record<string, string>).refund_id === refundId);
  const entriesSum = async (walletId: string) => {
    const agg = await services().db.ledgerEntry.aggregate({
      where: { accountId: `wallet:${walletId}` },
      _sum: { amountNanos: true },
    });
    return agg._sum.amountNanos ?? 0n;
  };

  /** A paid top-up; returns its ids and the wallet once credited. */
  const paidTopUp = async (amount: string, idempotencyKey: string) => {
    const res = await t.gql(
      CREATE_TOP_UP,
      { input: { currency: 'USD', amount, idempotencyKey } },
      { token: key },
    );
    expect(res.errors).toBeUndefined();
    const top = res.data.createTopUp;
    stripe.customerPays(top.payment.providerTxnId);
    await gw.settle();
    const w = await wallet(top.walletId);
    return {
      paymentGlobalId: top.payment.id as string,
      paymentId: dbId(top.payment.id),
      walletId: top.walletId as string,
      balance: w.balanceNanos,
      held: w.heldNanos,
    };
  };

  const requestRefund = (paymentGlobalId: string, amount: string, idempotencyKey: string) =>
    t.gql(REFUND, { input: { paymentId: paymentGlobalId, amount, idempotencyKey } }, { token: key });

  const refundByKey = (paymentId: string, idempotencyKey: string) =>
    services().db.refund.findUniqueOrThrow({
      where: { paymentId_idempotencyKey: { paymentId, idempotencyKey } },
    });

  it('submits again, with the same key, a refund whose create never reached Stripe, and debits it once', async () => {
    const top = await paidTopUp('5000', 'recon-never-reached');
    // Every attempt of the SDK (1 + 2 retries) is cut before Stripe executes it.
    stripe.inject({ kind: 'connection_reset', method: 'POST', path: '/v1/refunds' }, 3);
    const res = await requestRefund(top.paymentGlobalId, '1500', 'never-reached');
    expect(res.errors?.[0]?.extensions.code).toBe('PROVIDER_UNAVAILABLE');
    const pending = await refundByKey(top.paymentId, 'never-reached');
    expect(pending).toMatchObject({ status: 'pending', providerRefundId: null });
    expect(stripeRefundsOf(pending.id)).toHaveLength(0);
    expect((await holdOf(top.walletId, pending.id)).status).toBe('active');
    expect((await wallet(top.walletId)).heldNanos - top.held).toBe(1500n * CENT);

    expect(await reconcile()).toEqual([pending.id]);
    await gw.settle();

    const at = stripeRefundsOf(pending.id);
    expect(at).toHaveLength(1);
    expect(at[0]).toMatchObject({ amount: 1500, status: 'succeeded' });
    const creates = stripe.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v1/refunds' && r.params.metadata,
    );
    const keys = creates
      .filter((r) => (r.params.metadata as Record<string, string>).refund_id === pending.id)
      .map((r) => r.headers['idempotency-key']);
    expect(new Set(keys)).toEqual(new Set([`refund:${pending.id}`]));
    expect(await refundRow(pending.id)).toMatchObject({ status: 'succeeded', providerRefundId: at[0]!.id });
    expect(await refundDebits(pending.id)).toHaveLength(1);
    expect((await holdOf(top.walletId, pending.id)).status).toBe('released');
    const w = await wallet(top.walletId);
    expect(w.balanceNanos).toBe(top.balance - 1500n * CENT);
    expect(w.heldNanos).toBe(top.held);
    expect(w.balanceNanos).toBe(await entriesSum(top.walletId));
    expect((await services().ledger.checkConsistency()).ok).toBe(true);

    // Nothing left to do: a second run changes nothing.
    expect(await reconcile()).toEqual([]);
    expect(stripeRefundsOf(pending.id)).toHaveLength(1);
  });

  it('finds by our refund id a refund Stripe made although the client saw the connection drop, and debits it once', async () => {
    const top = await paidTopUp('4000', 'recon-made-unseen');
    stripe.webhooks.switches.paused = true; // its webhooks are lost, for now
    stripe.inject({ kind: 'connection_reset_after', method: 'POST', path: '/v1/refunds' }, 3);
    const res = await requestRefund(top.paymentGlobalId, '1200', 'made-unseen');
    expect(res.errors?.[0]?.extensions.code).toBe('PROVIDER_UNAVAILABLE');
    const pending = await refundByKey(top.paymentId, 'made-unseen');
    expect(pending).toMatchObject({ status: 'pending', providerRefundId: null });
    const at = stripeRefundsOf(pending.id);
    expect(at).toHaveLength(1);
    expect(at[0]!.status).toBe('succeeded');

    expect(await reconcile()).toEqual([pending.id]);
    expect(await reconcile()).toEqual([]);

    // Found through the payment's refund list (no provider id was known), never created again.
    expect(stripe.requests.some((r) => r.method === 'GET' && r.path === '/v1/refunds')).toBe(true);
    expect(stripeRefundsOf(pending.id)).toHaveLength(1);
    expect(await refundRow(pending.id)).toMatchObject({ status: 'succeeded', providerRefundId: at[0]!.id });
    expect(await refundDebits(pending.id)).toHaveLength(1);

    // The lost webhooks finally arrive: still one debit.
    stripe.webhooks.release();
    await gw.settle();
    expect(await refundDebits(pending.id)).toHaveLength(1);
    const w = await wallet(top.walletId);
    expect(w.balanceNanos).toBe(top.balance - 1200n * CENT);
    expect(w.heldNanos).toBe(top.held);
    expect(w.balanceNanos).toBe(await entriesSum(top.walletId));
    expect((await services().ledger.checkConsistency()).ok).toBe(true);
  });

  it('fails a pending refund whose refund.failed webhook was lost, releasing its hold without a debit', async () => {
    stripe.asyncCardRefunds = true;
    const top = await paidTopUp('3000', 'recon-lost-failure');
    const res = await requestRefund(top.paymentGlobalId, '800', 'lost-failure');
    expect(res.errors).toBeUndefined();
    await gw.settle();
    const pending = await refundByKey(top.paymentId, 'lost-failure');
    expect(pending.status).toBe('pending');
    expect(pending.providerRefundId).toMatch(/^re_/);

    stripe.webhooks.switches.paused = true;
    stripe.settleRefund(pending.providerRefundId!, 'failed', 'expired_or_canceled_card');
    expect(await refundRow(pending.id)).toMatchObject({ status: 'pending' });

    expect(await reconcile()).toEqual([pending.id]);
    expect(await refundRow(pending.id)).toMatchObject({
      status: 'failed',
      failureReason: 'expired_or_canceled_card',
    });
    expect((await holdOf(top.walletId, pending.id)).status).toBe('released');
    expect(await refundDebits(pending.id)).toHaveLength(0);
    const w = await wallet(top.walletId);
    expect(w.balanceNanos).toBe(top.balance);
    expect(w.heldNanos).toBe(top.held);

    stripe.webhooks.release();
    await gw.settle();
    expect(await refundDebits(pending.id)).toHaveLength(0);
    expect((await wallet(top.walletId)).balanceNanos).toBe(top.balance);
    expect((await services().ledger.checkConsistency()).ok).toBe(true);
  });

  it('leaves a refund still pending at Stripe pending, and looks at it again only after another threshold', async () => {
    stripe.asyncCardRefunds = true;
    const top = await paidTopUp('3000', 'recon-still-pending');
    await requestRefund(top.paymentGlobalId, '500', 'still-pending');
    await gw.settle();
    const pending = await refundByKey(top.paymentId, 'still-pending');

    expect(await reconcile()).toEqual([]);
    const after = await refundRow(pending.id);
    expect(after.status).toBe('pending');
    expect(after.updatedAt.getTime()).toBeGreaterThan(pending.updatedAt.getTime());
    const lookups = () => stripe.requests.filter((r) => r.path === `/v1/refunds/${pending.providerRefundId}`);
    const seen = lookups().length;
    await services().payments.reconcileStuckRefunds({ olderThanMs: 3600_000 });
    expect(lookups()).toHaveLength(seen);
    expect((await holdOf(top.walletId, pending.id)).status).toBe('active');

    stripe.settleRefund(pending.providerRefundId!, 'succeeded');
    await gw.settle();
  });

  it('releases the reservation of a refund that is already final but still holds money', async () => {
    stripe.asyncCardRefunds = true;
    const top = await paidTopUp('2000', 'recon-final-hold');
    await requestRefund(top.paymentGlobalId, '600', 'final-hold');
    await gw.settle();
    const pending = await refundByKey(top.paymentId, 'final-hold');
    expect((await holdOf(top.walletId, pending.id)).status).toBe('active');
    // The refund reached a final state but its hold was never released (a crash between the steps).
    await services().db.refund.update({
      where: { id: pending.id },
      data: { status: 'failed', failureReason: 'declined' },
    });
    expect((await wallet(top.walletId)).heldNanos - top.held).toBe(600n * CENT);

    expect(await reconcile()).toEqual([pending.id]);
    expect((await holdOf(top.walletId, pending.id)).status).toBe('released');
    const w = await wallet(top.walletId);
    expect(w.heldNanos).toBe(top.held);
    expect(w.balanceNanos).toBe(top.balance);
    expect(await reconcile()).toEqual([]);
    expect((await services().ledger.checkConsistency()).ok).toBe(true);
  });
});
