import { describe, expect, it } from 'vitest';
import { disputeFreezeNanos } from '../../../src/risk/payments.ts';
import { formatResetDuration } from '../../../src/risk/rate-limits.ts';
import { mergeRiskSettings, parseRiskSettings } from '../../../src/risk/settings.ts';

describe('risk settings', () => {
  it('merges global, organization, user and key layers field by field, the most specific winning', () => {
    const merged = mergeRiskSettings(
      {
        rateLimits: { keyRequestsPerMinute: 60, userRequestsPerMinute: 600 },
        spend: { USD: { requestMaxNanos: '5' } },
      },
      { rateLimits: { keyRequestsPerMinute: 10 } },
      undefined,
      { spend: { USD: { keyPerMinuteNanos: '7' } } },
    );
    expect(merged).toEqual({
      rateLimits: { keyRequestsPerMinute: 10, userRequestsPerMinute: 600 },
      spend: { USD: { requestMaxNanos: '5', keyPerMinuteNanos: '7' } },
    });
  });

  it('refuses unknown fields, float amounts and lower-case currencies', () => {
    expect(() => parseRiskSettings({ rateLimits: { rpm: 5 } })).toThrow('Invalid risk settings');
    expect(() => parseRiskSettings({ spend: { USD: { requestMaxNanos: '1.5' } } })).toThrow();
    expect(() => parseRiskSettings({ spend: { usd: { requestMaxNanos: '1' } } })).toThrow();
    expect(parseRiskSettings({ spend: { USD: { requestMaxNanos: '1000000000' } } })).toBeDefined();
  });
});

describe('dispute freeze', () => {
  it('freezes the disputed share of the credit, rounded up, never more than the credit', () => {
    const base = {
      paymentAmountMinor: 1000n,
      creditedNanos: 10_000_000_000n,
      mode: 'disputed_amount' as const,
    };
    expect(disputeFreezeNanos({ ...base, disputedAmountMinor: 1000n })).toBe(10_000_000_000n);
    expect(disputeFreezeNanos({ ...base, disputedAmountMinor: 250n })).toBe(2_500_000_000n);
    expect(disputeFreezeNanos({ ...base, disputedAmountMinor: 1n, creditedNanos: 10n })).toBe(1n);
    expect(disputeFreezeNanos({ ...base, disputedAmountMinor: 5000n })).toBe(10_000_000_000n);
    expect(disputeFreezeNanos({ ...base, disputedAmountMinor: 500n, mode: 'none' })).toBe(0n);
  });
});

describe('rate limit reset header', () => {
  it('uses OpenAI duration format', () => {
    expect(formatResetDuration(1)).toBe('1s');
    expect(formatResetDuration(30_000)).toBe('30s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
  });
});
