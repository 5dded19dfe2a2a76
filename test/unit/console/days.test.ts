import { describe, expect, it } from 'vitest';
import { dayOf, fixedOffset, lastDays } from '../../../console/src/ui/dates.ts';

describe('console day boundaries', () => {
  it('cuts days at midnight UTC+8 by default: 15:59:59Z and 16:00:00Z are different days', () => {
    expect(dayOf(new Date('2026-03-10T15:59:59Z'), '+08:00')).toBe('2026-03-10');
    expect(dayOf(new Date('2026-03-10T16:00:00Z'), '+08:00')).toBe('2026-03-11');
  });

  it('lists the last n days oldest first, starting at the first one’s midnight in the offset', () => {
    const r = lastDays(3, '+08:00', new Date('2026-03-10T16:30:00Z'));
    expect(r.days).toEqual(['2026-03-09', '2026-03-10', '2026-03-11']);
    expect(r.from.toISOString()).toBe('2026-03-08T16:00:00.000Z');
  });

  it('handles negative offsets and UTC', () => {
    const r = lastDays(2, '-03:30', new Date('2026-01-01T02:00:00Z'));
    expect(r.days).toEqual(['2025-12-30', '2025-12-31']);
    expect(r.from.toISOString()).toBe('2025-12-30T03:30:00.000Z');
    expect(lastDays(1, '+00:00', new Date('2026-01-01T00:00:00Z')).from.toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it('turns a plan’s IANA time zone into its offset at the instant; unknown or missing → +08:00', () => {
    expect(fixedOffset('+05:45', new Date())).toBe('+05:45');
    expect(fixedOffset('Asia/Shanghai', new Date('2026-07-01T00:00:00Z'))).toBe('+08:00');
    expect(fixedOffset('UTC', new Date('2026-07-01T00:00:00Z'))).toBe('+00:00');
    expect(fixedOffset('America/New_York', new Date('2026-07-01T00:00:00Z'))).toBe('-04:00');
    expect(fixedOffset('America/New_York', new Date('2026-01-15T00:00:00Z'))).toBe('-05:00');
    expect(fixedOffset('Not/AZone', new Date())).toBe('+08:00');
    expect(fixedOffset(null, new Date())).toBe('+08:00');
  });
});
