import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PriceFields, computeCost, estimateMaxCost } from '../../../src/pricing/cost.ts';

// gpt-4o-mini: $0.15 / 1M input = 150 nanos per token; output 4×; cached input 50%.
const mini: PriceFields = {
  baseNanosPerToken: 150n,
  inputMultiplierPpm: 1_000_000n,
  outputMultiplierPpm: 4_000_000n,
  cachedInputMultiplierPpm: 500_000n,
  requestFeeNanos: 0n,
};

describe('computeCost', () => {
  it('prices the documented gpt-4o-mini example exactly, cached tokens being part of the prompt', () => {
    // 1,034 uncached × 150 + 200 cached × 75 + 567 × 600 = 155,100 + 15,000 + 340,200
    expect(computeCost(mini, { promptTokens: 1234, completionTokens: 567, cachedTokens: 200 })).toBe(
      510_300n,
    );
  });

  it('prices the documented fractional example: 18.75 nanos per cached token, one ceiling, then the fee', () => {
    const flash: PriceFields = {
      baseNanosPerToken: 75n,
      inputMultiplierPpm: 1_000_000n,
      outputMultiplierPpm: 4_000_000n,
      cachedInputMultiplierPpm: 250_000n,
      requestFeeNanos: 100_000n,
    };
    // 998 × 75 + 3 × 18.75 + 10 × 300 = 74,850 + 56.25 + 3,000 = 77,906.25 → 77,907; + 100,000 fee
    expect(computeCost(flash, { promptTokens: 1001, cachedTokens: 3, completionTokens: 10 })).toBe(177_907n);
  });

  it('rounds up once per request, not per token class', () => {
    // 1 nano per token at a third: 1×333,333 + 1×333,333 + 1×333,333 ppm = 999,999 ppm → 1 nano.
    const third: PriceFields = {
      baseNanosPerToken: 1n,
      inputMultiplierPpm: 333_333n,
      outputMultiplierPpm: 333_333n,
      cachedInputMultiplierPpm: 333_333n,
      requestFeeNanos: 0n,
    };
    expect(computeCost(third, { promptTokens: 2, cachedTokens: 1, completionTokens: 1 })).toBe(1n);
    expect(computeCost(third, { promptTokens: 4, cachedTokens: 1, completionTokens: 0 })).toBe(2n);
  });

  it('adds the per-request fee after rounding', () => {
    expect(computeCost({ ...mini, requestFeeNanos: 1_000n }, { promptTokens: 1, completionTokens: 0 })).toBe(
      1_150n,
    );
    expect(computeCost({ ...mini, requestFeeNanos: 1_000n }, { promptTokens: 0, completionTokens: 0 })).toBe(
      1_000n,
    );
  });

  it('caps cached tokens at the prompt count and rejects negative counts', () => {
    expect(computeCost(mini, { promptTokens: 10, completionTokens: 0, cachedTokens: 50 })).toBe(750n);
    expect(() => computeCost(mini, { promptTokens: -1, completionTokens: 0 })).toThrow(RangeError);
    expect(() => computeCost(mini, { promptTokens: 1.5, completionTokens: 0 })).toThrow(RangeError);
  });

  it('is never below the exact rational cost and less than it plus one nano, plus the fee', () => {
    const price = fc.record({
      baseNanosPerToken: fc.bigInt({ min: 0n, max: 10_000_000n }),
      inputMultiplierPpm: fc.bigInt({ min: 0n, max: 100_000_000n }),
      outputMultiplierPpm: fc.bigInt({ min: 0n, max: 100_000_000n }),
      cachedInputMultiplierPpm: fc.bigInt({ min: 0n, max: 100_000_000n }),
      requestFeeNanos: fc.bigInt({ min: 0n, max: 1_000_000_000n }),
    });
    const usage = fc
      .record({
        promptTokens: fc.integer({ min: 0, max: 2_000_000 }),
        completionTokens: fc.integer({ min: 0, max: 2_000_000 }),
        cachedShare: fc.double({ min: 0, max: 1, noNaN: true }),
      })
      .map((u) => ({ ...u, cachedTokens: Math.floor(u.promptTokens * u.cachedShare) }));
    fc.assert(
      fc.property(price, usage, (p, u) => {
        const cost = computeCost(p, u);
        // Exact cost as a fraction with denominator 10^6 ppm: compare cost·10^6 with the numerator.
        const numerator =
          BigInt(u.promptTokens - u.cachedTokens) * p.baseNanosPerToken * p.inputMultiplierPpm +
          BigInt(u.cachedTokens) * p.baseNanosPerToken * p.cachedInputMultiplierPpm +
          BigInt(u.completionTokens) * p.baseNanosPerToken * p.outputMultiplierPpm +
          p.requestFeeNanos * 1_000_000n;
        expect(cost * 1_000_000n >= numerator).toBe(true);
        expect(cost * 1_000_000n < numerator + 1_000_000n).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('estimateMaxCost', () => {
  it('charges the whole prompt uncached and max_tokens of completion', () => {
    expect(estimateMaxCost(mini, { promptTokens: 1234, maxTokens: 1000 })).toBe(1234n * 150n + 1000n * 600n);
  });

  it('bounds every actual cost with the same prompt and at most max_tokens of completion', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.bigInt({ min: 0n, max: 3_000_000n }),
        (prompt, maxTokens, cachedRaw, cachedMult) => {
          const p = { ...mini, cachedInputMultiplierPpm: cachedMult, requestFeeNanos: 7n };
          const cached = Math.min(cachedRaw, prompt);
          const completion = Math.floor(maxTokens / 2);
          expect(
            computeCost(p, { promptTokens: prompt, cachedTokens: cached, completionTokens: completion }) <=
              estimateMaxCost(p, { promptTokens: prompt, maxTokens }),
          ).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
