import { describe, expect, it } from 'vitest';
import { POSTING_NANOS_MAX, checkPostingAmount } from '../../../src/ledger/posting-amount.ts';

describe('posting amounts', () => {
  it('accepts (0, max], zero only when allowed and negatives only when signed', () => {
    expect(checkPostingAmount(1n)).toBe(1n);
    expect(checkPostingAmount(POSTING_NANOS_MAX)).toBe(POSTING_NANOS_MAX);
    expect(checkPostingAmount(0n, { allowZero: true })).toBe(0n);
    expect(checkPostingAmount(-5n, { signed: true })).toBe(-5n);
    for (const [v, o] of [
      [0n, {}],
      [-1n, {}],
      [POSTING_NANOS_MAX + 1n, {}],
      [-(POSTING_NANOS_MAX + 1n), { signed: true }],
      [0n, { signed: true }],
    ] as const)
      expect(() => checkPostingAmount(v, o)).toThrow(expect.objectContaining({ code: 'INVALID_AMOUNT' }));
  });
});
