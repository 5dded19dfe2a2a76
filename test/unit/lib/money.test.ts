import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CURRENCY_EXPONENTS,
  currencyExponent,
  minorToNanos,
  nanosToMinor,
  parseCurrency,
} from '../../../src/lib/money.ts';

describe('currency table', () => {
  it('knows the zero- and three-decimal currencies and defaults the rest to two', () => {
    for (const c of 'BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF'.split(' '))
      expect(currencyExponent(c)).toBe(0);
    for (const c of 'BHD JOD KWD OMR TND'.split(' ')) expect(currencyExponent(c)).toBe(3);
    for (const c of ['USD', 'EUR', 'GBP', 'CNY', 'HKD', 'SGD']) expect(currencyExponent(c)).toBe(2);
    expect(CURRENCY_EXPONENTS.size).toBeGreaterThan(150);
  });

  it('normalises case and refuses unknown codes', () => {
    expect(parseCurrency(' usd ')).toBe('USD');
    expect(() => parseCurrency('XYZ')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_CURRENCY' }));
    expect(() => parseCurrency('US')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_CURRENCY' }));
  });
});

describe('minor ↔ nano conversion', () => {
  it('scales by the currency exponent', () => {
    expect(minorToNanos(1234n, 'USD')).toBe(12_340_000_000n);
    expect(minorToNanos(500n, 'JPY')).toBe(500_000_000_000n);
    expect(minorToNanos(1n, 'KWD')).toBe(1_000_000n);
    expect(nanosToMinor(12_340_000_000n, 'USD')).toBe(1234n);
  });

  it('rounds sub-minor amounts only when asked, toward the named direction', () => {
    expect(() => nanosToMinor(1n, 'USD')).toThrow(expect.objectContaining({ code: 'INVALID_AMOUNT' }));
    expect(nanosToMinor(10_000_001n, 'USD', 'floor')).toBe(1n);
    expect(nanosToMinor(10_000_001n, 'USD', 'ceil')).toBe(2n);
    expect(nanosToMinor(-10_000_001n, 'USD', 'floor')).toBe(-2n);
    expect(nanosToMinor(-10_000_001n, 'USD', 'ceil')).toBe(-1n);
  });

  it('round-trips every minor amount exactly in every currency', () => {
    const currencies = [...CURRENCY_EXPONENTS.keys()];
    fc.assert(
      fc.property(
        fc.constantFrom(...currencies),
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        (c, minor) => {
          expect(nanosToMinor(minorToNanos(minor, c), c)).toBe(minor);
        },
      ),
    );
  });

  it('brackets any nano amount between its floor and ceil minor amounts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('USD', 'JPY', 'BHD'),
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        (c, nanos) => {
          const lo = minorToNanos(nanosToMinor(nanos, c, 'floor'), c);
          const hi = minorToNanos(nanosToMinor(nanos, c, 'ceil'), c);
          expect(lo <= nanos && nanos <= hi).toBe(true);
          expect(hi - lo).toBeLessThanOrEqual(10n ** BigInt(9 - currencyExponent(c)));
        },
      ),
    );
  });
});
