import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StripeDouble } from '../../doubles/stripe/server.ts';
import type { StripeEvent } from '../../doubles/stripe/webhook-sender.ts';
import type { TestApp } from '../../helpers/app.ts';
import { CENT, dbId, type StripeGateway, startStripeGateway } from './stripe-gateway.ts';

const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  orderId walletId payment { id status providerTxnId } } }`;
const REFUND = `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  id status amount { amount currency unit } } }`;

describe('a Stripe refund that fails after it succeeded', () => {
  let stripe: StripeDouble;
  let t: TestApp;
  let key: string;
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({
      name: 'refund_failed',
      org: 'Refund Failures',
      email: 'owner@refunds.test',
    });
    ({ stripe, t, key } = gw);
  });
  afterAll(async () => gw?.close());
  beforeEach(() => {
    stripe.webhooks.switches.duplicate = false;
    stripe.webhooks.switches.paused = false;
    stripe.asyncCardRefunds = false;
  });

  const services = () => t.app.services;
  const wallet = (walletId: string) => services().db.wallet.findUniqueOrThrow({ where: { id: walletId } });
  const payment = (id: string) => services().db.payment.findUniqueOrThrow({ where: { id } });

  /** A paid top-up; returns its ids and the wallet balance once credited. */
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
    const paymentId = dbId(top.payment.id);
    expect((await payment(paymentId)).status).toBe('succeeded');
    return {
      paymentGlobalId: top.payment.id as string,
      paymentId,
      walletId: top.walletId as string,
      balance: (await wallet(top.walletId)).balanceNanos,
    };
  };

  const refund = async (paymentGlobalId: string, amount: string, idempotencyKey: string) => {
    const res = await t.gql(
      REFUND,
      { input: { paymentId: paymentGlobalId, amount, idempotencyKey } },
      { token: key },
    );
    expect(res.errors).toBeUndefined();
    const row = await services().db.refund.findUniqueOrThrow({
      where: { id: dbId(res.data.refundPayment.id) },
    });
    return row;
  };

  const eventsOf = (providerRefundId: string, types: string[]): StripeEvent[] =>
    stripe.events.filter(
      (e) => types.includes(e.type) && (e.data.object as { id: string }).id === providerRefundId,
    );

  const postingsFor = async (refundId: string) => {
    const rows = await services().db.ledgerTransaction.findMany({
      where: { idempotencyKey: { in: [`refund:${refundId}`, `refund-failed:${refundId}`] } },
      include: { entries: true },
    });
    return {
      debits: rows.filter((r) => r.reason === 'refund'),
      reversals: rows.filter((r) => r.reason === 'reversal'),
    };
  };

  it('gives the credit back once when refund.failed is delivered 5 times with refund.updated and charge.refund.updated', async () => {
    const top = await paidTopUp('5000', 'top-up-fail-after-success');
    const r = await refund(top.paymentGlobalId, '2000', 'refund-then-fail');
    expect(r.status).toBe('succeeded');
    await gw.settle();
    expect((await wallet(top.walletId)).balanceNanos).toBe(top.balance - 2000n * CENT);
    expect((await payment(top.paymentId)).amountRefundedMinor).toBe(2000n);

    const stripeRefund = stripe.failSucceededRefund(r.providerRefundId!, 'expired_or_canceled_card');
    expect(stripeRefund).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
    const [failed] = eventsOf(r.providerRefundId!, ['refund.failed']);
    // A card refund succeeds at once (refund.created only), so these are the three failure events.
    const failureEvents = eventsOf(r.providerRefundId!, [
      'refund.failed',
      'refund.updated',
      'charge.refund.updated',
    ]);
    expect(failureEvents.map((e) => e.type).sort()).toEqual([
      'charge.refund.updated',
      'refund.failed',
      'refund.updated',
    ]);
    expect(failureEvents.every((e) => (e.data.object as { status: string }).status === 'failed')).toBe(true);
    for (let i = 0; i < 4; i++) stripe.webhooks.resend(failed!);
    await gw.settle();
    expect(stripe.webhooks.attempts.filter((a) => a.eventId === failed!.id && a.status === 200)).toHaveLength(
      5,
    );

    // The stale success (refund.created, status succeeded) delivered after the failure changes nothing.
    for (const e of eventsOf(r.providerRefundId!, ['refund.created'])) stripe.webhooks.resend(e);
    await gw.settle();
    // Nor does a reconciliation run.
    await services().payments.reconcileStuckPayments({ olderThanMs: 0 });

    const w = await wallet(top.walletId);
    expect(w.balanceNanos).toBe(top.balance);
    expect(w.heldNanos).toBe(0n);
    const after = await services().db.refund.findUniqueOrThrow({ where: { id: r.id } });
    expect(after).toMatchObject({ status: 'failed', failureReason: 'expired_or_canceled_card' });
    expect((await payment(top.paymentId)).amountRefundedMinor).toBe(0n);
    const { debits, reversals } = await postingsFor(r.id);
    expect(debits).toHaveLength(1);
    expect(reversals).toHaveLength(1);
    expect(reversals[0]!.reversesId).toBe(debits[0]!.id);
    const walletLeg = reversals[0]!.entries.find((e) => e.accountId.startsWith('wallet:'))!;
    expect(walletLeg.amountNanos).toBe(2000n * CENT);
    expect((await services().ledger.checkConsistency()).ok).toBe(true);

    // The money stayed with us, so the whole payment is refundable again.
    const again = await refund(top.paymentGlobalId, '5000', 'refund-all-after-failure');
    expect(again.status).toBe('succeeded');
    await gw.settle();
    expect((await wallet(top.walletId)).balanceNanos).toBe(top.balance - 5000n * CENT);
    expect((await payment(top.paymentId)).amountRefundedMinor).toBe(5000n);
    expect((await services().ledger.checkConsistency()).ok).toBe(true);
  });

  it('credits back once when an async refund succeeds then fails and the events arrive in order', async () => {
    stripe.asyncCardRefunds = true;
    const top = await paidTopUp('3000', 'top-up-async-in-order');
    const r = await refund(top.paymentGlobalId, '1200', 'async-in-order');
    expect(r.status).toBe('pending');
    await gw.settle();
    expect((await wallet(top.walletId)).heldNanos).toBe(1200n * CENT);

    stripe.settleRefund(r.providerRefundId!, 'succeeded');
    await gw.settle();
    expect((await services().db.refund.findUniqueOrThrow({ where: { id: r.id } })).status).toBe('succeeded');
    expect((await wallet(top.walletId)).balanceNanos).toBe(top.balance - 1200n * CENT);

    stripe.webhooks.switches.duplicate = true;
    stripe.failSucceededRefund(r.providerRefundId!, 'lost_or_stolen_card');
    await gw.settle();
    for (const e of eventsOf(r.providerRefundId!, ['refund.failed']))
      for (let i = 0; i < 4; i++) stripe.webhooks.resend(e);
    await gw.settle();

    const w = await wallet(top.walletId);
    expect(w.balanceNanos).toBe(top.balance);
    expect(w.heldNanos).toBe(0n);
    expect(await services().db.refund.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({
      status: 'failed',
      failureReason: 'lost_or_stolen_card',
    });
    expect((await payment(top.paymentId)).amountRefundedMinor).toBe(0n);
    const { debits, reversals } = await postingsFor(r.id);
    expect([debits.length, reversals.length]).toEqual([1, 1]);
    expect((await services().ledger.checkConsistency()).ok).toBe(true);
  });

  it('leaves the wallet whole when the failure of a pending refund arrives before its stale success', async () => {
    stripe.asyncCardRefunds = true;
    const top = await paidTopUp('3000', 'top-up-async-reversed');
    stripe.webhooks.switches.paused = true;
    const r = await refund(top.paymentGlobalId, '1000', 'async-reversed');
    expect(r.status).toBe('pending');
    expect((await wallet(top.walletId)).heldNanos).toBe(1000n * CENT);
    stripe.settleRefund(r.providerRefundId!, 'succeeded');
    stripe.failSucceededRefund(r.providerRefundId!, 'expired_or_canceled_card');
    const failed = eventsOf(r.providerRefundId!, ['refund.failed']);
    stripe.webhooks.release({ reverse: true }); // failure first, then the stale success and refund.created
    await gw.settle();
    for (const e of failed) for (let i = 0; i < 4; i++) stripe.webhooks.resend(e);
    for (const e of eventsOf(r.providerRefundId!, ['refund.updated', 'charge.refund.updated'])) {
      if ((e.data.object as { status: string }).status === 'succeeded') stripe.webhooks.resend(e);
    }
    await gw.settle();

    const w = await wallet(top.walletId);
    expect(w.balanceNanos).toBe(top.balance);
    expect(w.heldNanos).toBe(0n);
    expect(await services().db.refund.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({
      status: 'failed',
      failureReason: 'expired_or_canceled_card',
    });
    expect((await payment(top.paymentId)).amountRefundedMinor).toBe(0n);
    // Deliveries run concurrently: a success that read the refund as pending just before the failure
    // landed may have posted its debit; then it is reversed, once.
    const { debits, reversals } = await postingsFor(r.id);
    expect(debits.length).toBeLessThanOrEqual(1);
    expect(reversals).toHaveLength(debits.length);
    expect((await services().ledger.checkConsistency()).ok).toBe(true);
  });

  it('keeps releasing the hold when a pending refund fails', async () => {
    stripe.asyncCardRefunds = true;
    const top = await paidTopUp('2000', 'top-up-pending-fails');
    const r = await refund(top.paymentGlobalId, '700', 'pending-fails');
    await gw.settle();
    expect((await wallet(top.walletId)).heldNanos).toBe(700n * CENT);
    stripe.settleRefund(r.providerRefundId!, 'failed', 'declined');
    await gw.settle();
    const w = await wallet(top.walletId);
    expect(w.balanceNanos).toBe(top.balance);
    expect(w.heldNanos).toBe(0n);
    expect(await services().db.refund.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({
      status: 'failed',
      failureReason: 'declined',
    });
    const { debits, reversals } = await postingsFor(r.id);
    expect([debits.length, reversals.length]).toEqual([0, 0]);
    expect((await services().ledger.checkConsistency()).ok).toBe(true);
  });
});
