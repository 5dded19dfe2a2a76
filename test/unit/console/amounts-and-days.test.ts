import { describe, expect, it } from 'vitest';
import { browserOffset, dayOf, lastDays, nextDay, startOfDay } from '../../../console/src/ui/dates.ts';
import {
  formatMoney,
  formatNanosExact,
  minorDigits,
  parseMajorToMinor,
  parseMajorToNanos,
} from '../../../console/src/ui/money.ts';
import { CURRENCY_EXPONENTS } from '../../../src/lib/currencies.ts';

describe('console nano amounts', () => {
  it('turns typed major units into exact nanos without floats', () => {
    expect(parseMajorToNanos('12.50')).toBe('12500000000');
    expect(parseMajorToNanos('0.000000001')).toBe('1');
    expect(parseMajorToNanos('999999999.999999999')).toBe('999999999999999999');
    // More would not fit the gateway's signed 64-bit nano amounts.
    expect(parseMajorToNanos('999999999999.999999999')).toBeNull();
    expect(parseMajorToNanos(' 3 ')).toBe('3000000000');
  });

  it('refuses what is not a non-negative amount with at most nine decimals', () => {
    for (const bad of ['', '-1', '1e3', '1.0000000001', 'abc', '1,5', '0x10'])
      expect(parseMajorToNanos(bad)).toBeNull();
  });

  it('shows nanos back as the shortest exact major amount', () => {
    expect(formatNanosExact('12500000000')).toBe('12.5');
    expect(formatNanosExact('1')).toBe('0.000000001');
    expect(formatNanosExact('3000000000')).toBe('3');
    expect(formatNanosExact('9007199254740993')).toBe('9007199.254740993');
  });
});

describe('console usage days in a fixed offset', () => {
  it('names the day of an instant in the offset, as the gateway buckets it', () => {
    const at = new Date('2026-12-06T20:00:00Z');
    expect(dayOf(at, '+08:00')).toBe('2026-12-07');
    expect(dayOf(at, '-05:00')).toBe('2026-12-06');
  });

  it('starts a day at local midnight in the offset', () => {
    expect(startOfDay('2026-12-07', '+08:00')).toBe('2026-12-06T16:00:00.000Z');
    expect(startOfDay('2026-12-07', '-05:30')).toBe('2026-12-07T05:30:00.000Z');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('lists the last N days ending today, oldest first', () => {
    expect(lastDays(3, '+00:00', new Date('2026-03-01T10:00:00Z')).days).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
    ]);
  });

  it('formats the browser offset as ±HH:MM', () => {
    expect(browserOffset()).toMatch(/^[+-]\d{2}:\d{2}$/);
  });
});

describe('console money uses the gateway currency exponents', () => {
  it('shows and parses every currency with the decimals the gateway charges it in', () => {
    for (const [currency, exponent] of CURRENCY_EXPONENTS) {
      expect(minorDigits(currency)).toBe(exponent);
      const one = (10n ** BigInt(exponent)).toString();
      expect(formatMoney({ amount: one, currency, unit: 'MINOR' })).toBe(
        `${exponent ? `1.${'0'.repeat(exponent)}` : '1'} ${currency}`,
      );
      expect(parseMajorToMinor('1', currency)).toBe(one);
    }
    // The two the console's own list had wrong: ISK has no decimals, BHD three.
    expect(formatMoney({ amount: '1500', currency: 'ISK', unit: 'MINOR' })).toBe('1,500 ISK');
    expect(formatMoney({ amount: '1500', currency: 'BHD', unit: 'MINOR' })).toBe('1.500 BHD');
    expect(parseMajorToMinor('1.234', 'BHD')).toBe('1234');
    expect(parseMajorToMinor('1.5', 'ISK')).toBeNull();
  });
});
