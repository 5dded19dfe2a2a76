import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../../src/lib/background-retry.ts';
import { backoffDelayMs } from '../../../src/lib/backoff.ts';

describe('backoff', () => {
  it('doubles per attempt with equal jitter and stays under the cap', () => {
    expect(backoffDelayMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelayMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelayMs(4, 1000, 60_000, () => 0)).toBe(4000);
    expect(backoffDelayMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelayMs(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelayMs(30, 1000, 60_000, () => 0)).toBe(30_000);
  });

  it('retries in the background at 50 ms doubling, at most 5 s, without jitter', () => {
    expect([1, 2, 3, 8, 9, 30].map(retryDelayMs)).toEqual([50, 100, 200, 5_000, 5_000, 5_000]);
  });
});
