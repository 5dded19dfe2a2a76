import { describe, expect, it } from 'vitest';
import { merchantClaimMismatch } from '../../../src/payments/event-trust.ts';

const ours = { appId: '2021000000000042', sellerId: '2088101122136241' };

describe('merchantClaimMismatch (Alipay notifications)', () => {
  it('accepts a notification naming our app, our merchant and the order', () => {
    expect(
      merchantClaimMismatch(ours, 'ord_1', { merchantAccount: { ...ours }, orderId: 'ord_1' }),
    ).toBeNull();
  });

  it('refuses another app id, a missing one, another seller id and another order', () => {
    const check = (claim: Parameters<typeof merchantClaimMismatch>[2]) =>
      merchantClaimMismatch(ours, 'ord_1', claim);
    expect(check({ merchantAccount: { ...ours, appId: '2021009999999999' }, orderId: 'ord_1' })).toEqual({
      kind: 'merchant_mismatch',
      source: 'event',
      expected: 'app_id 2021000000000042',
      got: 'app_id 2021009999999999',
    });
    expect(check({ orderId: 'ord_1' })).toMatchObject({ kind: 'merchant_mismatch', got: 'app_id none' });
    expect(
      check({ merchantAccount: { ...ours, sellerId: '2088000000000001' }, orderId: 'ord_1' }),
    ).toMatchObject({
      kind: 'merchant_mismatch',
      got: 'seller_id 2088000000000001',
    });
    expect(check({ merchantAccount: { ...ours, sellerId: null }, orderId: 'ord_1' })).toMatchObject({
      kind: 'merchant_mismatch',
      got: 'seller_id none',
    });
    expect(check({ merchantAccount: ours, orderId: 'ord_2' })).toMatchObject({
      kind: 'order_mismatch',
      expected: 'ord_1',
      got: 'ord_2',
    });
    expect(check({ merchantAccount: ours, orderId: null })).toMatchObject({ kind: 'order_mismatch' });
  });

  it('checks the seller id only when one is configured', () => {
    expect(
      merchantClaimMismatch({ ...ours, sellerId: null }, 'ord_1', {
        merchantAccount: { ...ours, sellerId: '2088000000000001' },
        orderId: 'ord_1',
      }),
    ).toBeNull();
  });
});
