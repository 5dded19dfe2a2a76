import { describe, expect, it } from 'vitest';
import {
  assertAlipayChargeable,
  fromDecimal,
  toYuan,
} from '../../../../src/providers/payment/alipay/amount.ts';

const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('Alipay amounts', () => {
  it('writes fen as yuan with exactly two decimals', () => {
    expect(toYuan(1n)).toBe('0.01');
    expect(toYuan(10n)).toBe('0.10');
    expect(toYuan(100n)).toBe('1.00');
    expect(toYuan(1234n)).toBe('12.34');
    expect(toYuan(10_000_000_000n)).toBe('100000000.00');
    expect(toYuan(9_007_199_254_740_993n)).toBe('90071992547409.93');
  });

  it('reads yuan back exactly, and refuses anything that is not a plain amount', () => {
    expect(fromDecimal('12.34')).toBe(1234n);
    expect(fromDecimal('12.3')).toBe(1230n);
    expect(fromDecimal('12')).toBe(1200n);
    expect(fromDecimal('1500', 'JPY')).toBe(1500n);
    for (const bad of ['', '-1.00', '1e3', '1.001', ' 1.00', '1,00', '0x10', '1.'])
      expect(
        codeOf(() => fromDecimal(bad)),
        bad,
      ).toBe('INVALID_AMOUNT');
  });

  it('charges CNY only, from 0.01 to 100,000,000.00', () => {
    expect(codeOf(() => assertAlipayChargeable({ amountMinor: 1n, currency: 'cny' }))).toBe('ok');
    expect(codeOf(() => assertAlipayChargeable({ amountMinor: 10_000_000_000n, currency: 'CNY' }))).toBe(
      'ok',
    );
    expect(codeOf(() => assertAlipayChargeable({ amountMinor: 0n, currency: 'CNY' }))).toBe(
      'AMOUNT_TOO_SMALL',
    );
    expect(codeOf(() => assertAlipayChargeable({ amountMinor: -5n, currency: 'CNY' }))).toBe(
      'AMOUNT_TOO_SMALL',
    );
    expect(codeOf(() => assertAlipayChargeable({ amountMinor: 10_000_000_001n, currency: 'CNY' }))).toBe(
      'AMOUNT_TOO_LARGE',
    );
    expect(codeOf(() => assertAlipayChargeable({ amountMinor: 100n, currency: 'USD' }))).toBe(
      'UNSUPPORTED_CURRENCY',
    );
    expect(codeOf(() => assertAlipayChargeable({ amountMinor: 100n, currency: 'HKD' }))).toBe(
      'UNSUPPORTED_CURRENCY',
    );
    expect(
      codeOf(() => assertAlipayChargeable({ amountMinor: 1.5 as unknown as bigint, currency: 'CNY' })),
    ).toBe('INVALID_AMOUNT');
  });
});
