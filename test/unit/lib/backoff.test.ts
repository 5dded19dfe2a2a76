import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/outbox/worker.ts';

describe('outbox backoff', () => {
  it('doubles per attempt with equal jitter and stays under the cap', () => {
    expect(backoffDelayMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelayMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelayMs(4, 1000, 60_000, () => 0)).toBe(4000);
    expect(backoffDelayMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelayMs(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelayMs(30, 1000, 60_000, () => 0)).toBe(30_000);
  });
});
