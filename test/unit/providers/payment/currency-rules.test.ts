import { describe, expect, it } from 'vitest';
import {
  assertChargeable,
  fromStripeAmount,
  minimumChargeMinor,
  supportsAlipay,
  toStripeAmount,
} from '../../../../src/providers/payment/currency-rules.ts';

const codeOf = (amountMinor: bigint, currency: string): string => {
  try {
    assertChargeable({ amountMinor, currency });
    return 'OK';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('Stripe currency rules', () => {
  it('applies Stripe minimum charges per currency, in our minor units', () => {
    expect(codeOf(49n, 'USD')).toBe('AMOUNT_TOO_SMALL');
    expect(codeOf(50n, 'usd')).toBe('OK');
    expect(codeOf(29n, 'GBP')).toBe('AMOUNT_TOO_SMALL');
    expect(codeOf(30n, 'GBP')).toBe('OK');
    expect(codeOf(49n, 'JPY')).toBe('AMOUNT_TOO_SMALL');
    expect(codeOf(50n, 'JPY')).toBe('OK');
    expect(codeOf(399n, 'HKD')).toBe('AMOUNT_TOO_SMALL');
    expect(minimumChargeMinor('HUF')).toBe(17500n);
    expect(codeOf(0n, 'KRW')).toBe('AMOUNT_TOO_SMALL');
    expect(codeOf(-100n, 'USD')).toBe('AMOUNT_TOO_SMALL');
  });

  it('caps amounts at 8 digits in Stripe units', () => {
    expect(codeOf(99_999_999n, 'USD')).toBe('OK');
    expect(codeOf(100_000_000n, 'USD')).toBe('AMOUNT_TOO_LARGE');
    // ISK: 1,000,000 krónur is 100,000,000 in Stripe's two-decimal units.
    expect(codeOf(999_999n, 'ISK')).toBe('OK');
    expect(codeOf(1_000_000n, 'ISK')).toBe('AMOUNT_TOO_LARGE');
  });

  it('requires three-decimal amounts to end in 0', () => {
    expect(codeOf(1005n, 'KWD')).toBe('INVALID_AMOUNT');
    expect(codeOf(1010n, 'BHD')).toBe('OK');
  });

  it('rejects currencies Stripe does not charge in', () => {
    expect(codeOf(1000n, 'XYZ')).toBe('UNSUPPORTED_CURRENCY');
    expect(codeOf(1000n, 'IQD')).toBe('UNSUPPORTED_CURRENCY');
  });

  it('bridges ISK (ISO exponent 0, Stripe two-decimal divisible by 100) and leaves others alone', () => {
    expect(toStripeAmount(1500n, 'ISK')).toBe(150000n);
    expect(fromStripeAmount(150000n, 'ISK')).toBe(1500n);
    expect(() => fromStripeAmount(150050n, 'ISK')).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT' }),
    );
    expect(toStripeAmount(1500n, 'JPY')).toBe(1500n);
    expect(toStripeAmount(1500n, 'USD')).toBe(1500n);
  });

  it('offers Alipay only in its presentment currencies', () => {
    for (const c of ['CNY', 'usd', 'EUR', 'JPY', 'HKD', 'SGD', 'MYR', 'NZD', 'AUD', 'CAD', 'GBP']) {
      expect(supportsAlipay(c)).toBe(true);
    }
    for (const c of ['INR', 'KRW', 'CHF']) expect(supportsAlipay(c)).toBe(false);
  });
});
