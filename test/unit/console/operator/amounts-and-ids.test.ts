import { describe, expect, it } from 'vitest';
import { KNOWN_FIELDS, readField, writeField } from '../../../../console/src/screens/operator/risk/fields.ts';
import { isoToUtcInput, utcInputToIso } from '../../../../console/src/ui/dates.ts';
import { rawId } from '../../../../console/src/ui/ids.ts';
import {
  formatNanosExact,
  parseMajorToNanos,
  parseWholeNumber,
  perMillionTokens,
} from '../../../../console/src/ui/money.ts';

describe('operator amounts typed in major units become exact nanos', () => {
  it('parses up to 9 decimals without a float, and refuses what it cannot represent', () => {
    expect(parseMajorToNanos('12.50')).toBe('12500000000');
    expect(parseMajorToNanos('0.000000001')).toBe('1');
    expect(parseMajorToNanos('9007199.254740993')).toBe('9007199254740993');
    expect(parseMajorToNanos(' 3 ')).toBe('3000000000');
    expect(parseMajorToNanos('1.0000000001')).toBeNull(); // a tenth of a nano
    expect(parseMajorToNanos('-5')).toBeNull(); // grants are positive
    expect(parseMajorToNanos('-2.5', { signed: true })).toBe('-2500000000');
    for (const bad of ['', '.5', '1e3', '1,5', 'NaN', '1234567890', '0x10', '--1'])
      expect(parseMajorToNanos(bad, { signed: true })).toBeNull();
  });

  it('formats nanos exactly, and a per-token price per million tokens', () => {
    expect(formatNanosExact('2500')).toBe('0.0000025');
    expect(formatNanosExact('-2500000000')).toBe('-2.5');
    expect(formatNanosExact('9007199254740993')).toBe('9007199.254740993');
    expect(perMillionTokens('150')).toBe('0.15');
    expect(perMillionTokens('1')).toBe('0.001');
    expect(parseWholeNumber('1000000')).toBe('1000000');
    expect(parseWholeNumber('1.5')).toBeNull();
    expect(parseWholeNumber('-1')).toBeNull();
  });
});

describe('ids and UTC inputs', () => {
  it('compares raw and Relay global ids by their raw form', () => {
    const global = Buffer.from('Organization:org_01abc').toString('base64');
    expect(rawId(global)).toBe('org_01abc');
    expect(rawId('org_01abc')).toBe('org_01abc');
    expect(rawId('not base64 at all!')).toBe('not base64 at all!');
  });

  it('reads datetime-local values as UTC, whatever the browser zone', () => {
    expect(utcInputToIso('2026-12-06T23:30')).toBe('2026-12-06T23:30:00.000Z');
    expect(utcInputToIso('')).toBeNull();
    expect(utcInputToIso('garbage')).toBeNull();
    expect(isoToUtcInput('2026-12-06T23:30:00.000Z')).toBe('2026-12-06T23:30');
  });
});

describe('risk settings form fields edit the JSON they come from', () => {
  const field = (path: string) => KNOWN_FIELDS.find((f) => f.path.join('.') === path)!;

  it('sets counts as numbers, lists as arrays, and removes emptied fields and sections', () => {
    const start = { spend: { USD: { requestMaxNanos: '5' } }, rateLimits: { keyRequestsPerMinute: 600 } };
    expect(readField(start, field('rateLimits.keyRequestsPerMinute'))).toBe('600');
    const a = writeField(start, field('rateLimits.keyRequestsPerMinute'), '1200');
    expect(a).toEqual({
      spend: { USD: { requestMaxNanos: '5' } },
      rateLimits: { keyRequestsPerMinute: 1200 },
    });
    const b = writeField(a, field('payments.holdRiskLevels'), 'elevated, highest');
    expect(b.payments).toEqual({ holdRiskLevels: ['elevated', 'highest'] });
    expect(readField(b, field('payments.holdRiskLevels'))).toBe('elevated, highest');
    const c = writeField(
      writeField(b, field('payments.holdRiskLevels'), ''),
      field('rateLimits.keyRequestsPerMinute'),
      '',
    );
    expect(c).toEqual({ spend: { USD: { requestMaxNanos: '5' } } });
    expect(start.rateLimits.keyRequestsPerMinute).toBe(600); // the input is never mutated
  });

  it('keeps what is not a count as typed, for the gateway to name the problem', () => {
    expect(writeField({}, field('newAccount.days'), '7.5')).toEqual({ newAccount: { days: '7.5' } });
    expect(writeField(null, field('payments.disputeFreeze'), 'none')).toEqual({
      payments: { disputeFreeze: 'none' },
    });
  });
});
