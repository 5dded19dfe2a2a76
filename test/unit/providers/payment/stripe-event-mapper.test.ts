import { readFileSync } from 'node:fs';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { mapStripeEvent, parseStripeEvent } from '../../../../src/providers/payment/stripe/event-mapper.ts';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../fixtures/stripe/events/${name}.json`, import.meta.url));
const map = (name: string) => mapStripeEvent(parseStripeEvent(fixture(name)));

describe('Stripe event mapping', () => {
  it('maps payment_intent.succeeded to payment.succeeded keyed by our payment id', () => {
    expect(map('payment_intent.succeeded')).toEqual({
      type: 'payment.succeeded',
      eventId: 'evt_1Fx1',
      providerEventType: 'payment_intent.succeeded',
      occurredAt: new Date(1764028800 * 1000),
      providerTxnId: 'pi_3Fx1',
      paymentId: 'pay_1',
      orderId: 'ord_1',
      amountMinor: 1500n,
      amountReceivedMinor: 1500n,
      currency: 'USD',
      riskLevel: null,
      riskScore: null,
    });
  });

  it('reads the risk outcome when the charge is expanded', () => {
    expect(map('payment_intent.succeeded.expanded_charge')).toMatchObject({
      riskLevel: 'elevated',
      riskScore: 71,
    });
  });

  it('converts Stripe two-decimal ISK back to whole krónur', () => {
    expect(map('payment_intent.succeeded.isk')).toMatchObject({ amountMinor: 1500n, currency: 'ISK' });
  });

  it('maps payment_failed with the decline details', () => {
    expect(map('payment_intent.payment_failed')).toMatchObject({
      type: 'payment.failed',
      providerTxnId: 'pi_3Fx1',
      paymentId: 'pay_1',
      failureCode: 'card_declined',
      declineCode: 'insufficient_funds',
      failureMessage: 'Your card has insufficient funds.',
    });
  });

  it('maps processing and canceled', () => {
    expect(map('payment_intent.processing').type).toBe('payment.processing');
    expect(map('payment_intent.canceled')).toMatchObject({
      type: 'payment.canceled',
      cancellationReason: 'abandoned',
    });
  });

  it('maps refund events by refund status, with our refund id from metadata', () => {
    expect(map('refund.updated')).toMatchObject({
      type: 'refund.succeeded',
      providerRefundId: 're_3Fx1',
      refundId: 'rf_1',
      providerTxnId: 'pi_3Fx1',
      amountMinor: 500n,
      currency: 'USD',
    });
    expect(map('refund.created.pending').type).toBe('refund.pending');
    expect(map('refund.failed')).toMatchObject({ type: 'refund.failed', failureReason: 'declined' });
    expect(map('charge.refund.updated').type).toBe('refund.succeeded');
  });

  it('ignores charge.refunded without an expanded refund list (refund.* events carry the refund)', () => {
    expect(map('charge.refunded')).toMatchObject({ type: 'ignored', eventId: 'evt_1FxB' });
  });

  it('maps charge.dispute.created to dispute.opened', () => {
    expect(map('charge.dispute.created')).toMatchObject({
      type: 'dispute.opened',
      providerTxnId: 'pi_3Fx1',
      providerDisputeId: 'dp_3Fx1',
      amountMinor: 1500n,
      reason: 'fraudulent',
    });
  });

  it('ignores dispute funds movements: the wallet follows charge.dispute.created and closed only', () => {
    for (const type of ['charge.dispute.funds_withdrawn', 'charge.dispute.funds_reinstated']) {
      const e = JSON.parse(fixture('charge.dispute.created').toString()) as Stripe.Event;
      const event = { ...e, id: `evt_${type}`, type } as Stripe.Event;
      expect(mapStripeEvent(event)).toEqual({
        type: 'ignored',
        eventId: `evt_${type}`,
        providerEventType: type,
        occurredAt: new Date(e.created * 1000),
        reason: 'dispute funds movement on the Stripe balance; the wallet follows dispute created/closed',
      });
    }
  });

  it('credits a Checkout Session only once it is paid', () => {
    expect(map('checkout.session.completed.unpaid').type).toBe('ignored');
    expect(map('checkout.session.completed.paid')).toMatchObject({
      type: 'payment.succeeded',
      providerTxnId: 'pi_3Fx1',
      paymentId: 'pay_1',
      amountMinor: 1500n,
    });
    expect(map('checkout.session.async_payment_succeeded').type).toBe('payment.succeeded');
  });

  it('ignores event types it does not handle', () => {
    expect(map('plan.created')).toMatchObject({ type: 'ignored', providerEventType: 'plan.created' });
  });

  it('rejects bodies that are not Stripe events', () => {
    expect(() => parseStripeEvent(Buffer.from('not json'))).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_PAYLOAD_INVALID' }),
    );
    expect(() => parseStripeEvent(Buffer.from('{"object":"charge"}'))).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_PAYLOAD_INVALID' }),
    );
  });

  it('rejects fractional amounts instead of rounding them', () => {
    const e = JSON.parse(fixture('payment_intent.succeeded').toString()) as Stripe.Event;
    (e.data.object as Stripe.PaymentIntent).amount = 10.5;
    expect(() => mapStripeEvent(e)).toThrow(expect.objectContaining({ code: 'WEBHOOK_PAYLOAD_INVALID' }));
  });
});
