import { describe, expect, it } from 'vitest';
import { assertTimeZone, isValidTimeZone, planDayBounds, planDayOf } from '../../../src/plans/time-zone.ts';

describe('plan days', () => {
  it('starts a UTC+8 day at 16:00:00Z: 15:59:59.999Z and 16:00:00Z are different days', () => {
    expect(planDayOf(new Date('2026-03-10T15:59:59.999Z'), '+08:00')).toBe('2026-03-10');
    expect(planDayOf(new Date('2026-03-10T16:00:00.000Z'), '+08:00')).toBe('2026-03-11');
    expect(planDayBounds(new Date('2026-03-10T15:59:59.999Z'), '+08:00')).toEqual({
      day: '2026-03-10',
      startsAt: new Date('2026-03-09T16:00:00.000Z'),
      resetsAt: new Date('2026-03-10T16:00:00.000Z'),
    });
  });

  it('serves every instant of a day the same bounds, and moves on at the reset instant, back and forth', () => {
    const tz = 'Asia/Shanghai';
    const first = planDayBounds(new Date('2026-05-01T03:00:00Z'), tz);
    expect(planDayBounds(new Date('2026-05-01T15:59:59.999Z'), tz)).toBe(first);
    expect(planDayBounds(new Date('2026-04-30T16:00:00.000Z'), tz)).toBe(first);
    expect(planDayBounds(new Date('2026-05-01T16:00:00.000Z'), tz).day).toBe('2026-05-02');
    expect(planDayBounds(new Date('2026-04-30T15:59:59.999Z'), tz).day).toBe('2026-04-30');
    expect(planDayBounds(new Date('2026-05-01T12:00:00Z'), tz).day).toBe('2026-05-01');
  });

  it('gives the same boundaries for Asia/Shanghai as for +08:00', () => {
    for (const at of ['2026-03-10T15:59:59.999Z', '2026-03-10T16:00:00Z', '2026-07-01T03:00:00Z']) {
      expect(planDayBounds(new Date(at), 'Asia/Shanghai')).toEqual(planDayBounds(new Date(at), '+08:00'));
    }
  });

  it('follows daylight saving time for IANA zones (a 23-hour day in New York)', () => {
    const b = planDayBounds(new Date('2026-03-08T12:00:00Z'), 'America/New_York');
    expect(b.day).toBe('2026-03-08');
    expect(b.startsAt.toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(b.resetsAt.toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });

  it('handles negative and half-hour fixed offsets', () => {
    expect(planDayBounds(new Date('2026-01-01T04:59:59Z'), '-05:00').day).toBe('2025-12-31');
    expect(planDayBounds(new Date('2026-01-01T05:00:00Z'), '-05:00').resetsAt.toISOString()).toBe(
      '2026-01-02T05:00:00.000Z',
    );
    expect(planDayOf(new Date('2026-01-01T18:29:59Z'), '+05:30')).toBe('2026-01-01');
    expect(planDayOf(new Date('2026-01-01T18:30:00Z'), '+05:30')).toBe('2026-01-02');
  });

  it('accepts fixed offsets and IANA names and rejects unknown zones', () => {
    for (const ok of ['+08:00', '-05:30', 'Z', 'UTC', 'Asia/Shanghai', 'Europe/Berlin'])
      expect(isValidTimeZone(ok)).toBe(true);
    for (const bad of ['+8', '+15:00', '+08:60', 'Mars/Olympus', 'GMT+99', ''])
      expect(() => assertTimeZone(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
