import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from '../../../src/payments/event-codec.ts';
import type { NormalisedPaymentEvent } from '../../../src/providers/payment/types.ts';

describe('the inbox form of a normalised payment event', () => {
  it('keeps amounts as exact integers and dates as dates through JSON', () => {
    const event: NormalisedPaymentEvent = {
      type: 'payment.succeeded',
      eventId: 'evt_1',
      providerEventType: 'payment_intent.succeeded',
      occurredAt: new Date('2026-12-06T08:00:00.000Z'),
      providerTxnId: 'pi_1',
      paymentId: 'pay_1',
      orderId: null,
      // Beyond 2^53: a float would lose it.
      amountMinor: 9_007_199_254_740_993n,
      amountReceivedMinor: 9_007_199_254_740_993n,
      currency: 'USD',
      riskLevel: null,
      riskScore: 42,
    };
    const json = JSON.parse(JSON.stringify(encodeEvent(event)));
    expect(json.amountMinor).toEqual({ $bigint: '9007199254740993' });
    expect(decodeEvent(json)).toEqual(event);
  });

  it('drops undefined fields, as JSON would, and keeps nulls', () => {
    const decoded = decodeEvent(
      JSON.parse(JSON.stringify(encodeEvent({ type: 'ignored', reason: 'x', extra: undefined } as never))),
    );
    expect(decoded).toEqual({ type: 'ignored', reason: 'x' });
  });
});
