import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter, TooManyAuthFailuresError } from '../../../src/identity/auth-failure-limiter.ts';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import { UnauthenticatedError } from '../../../src/lib/errors.ts';

const wrong = async () => {
  throw new UnauthenticatedError('Invalid API key', 'INVALID_API_KEY');
};
const right = async () => 'principal';

describe('wrong credentials per source address', () => {
  it('answers 401 up to the limit, then 429 with retry-after until the minute ends, even for a right credential', async () => {
    let now = 120_000 + 15_000;
    const limiter = new AuthFailureLimiter(new MemorySharedState(), { perMinute: 2, nowMs: () => now });
    await expect(limiter.guard('1.2.3.4', 'k', wrong)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(limiter.guard('1.2.3.4', 'k', wrong)).rejects.toBeInstanceOf(UnauthenticatedError);
    const over = await limiter.guard('1.2.3.4', 'k', wrong).catch((e) => e);
    expect(over).toBeInstanceOf(TooManyAuthFailuresError);
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('45');
    await expect(limiter.guard('1.2.3.4', 'k', right)).rejects.toBeInstanceOf(TooManyAuthFailuresError);
    expect(await limiter.guard('5.6.7.8', 'k', right)).toBe('principal');
    now = 180_000; // the next minute
    expect(await limiter.guard('1.2.3.4', 'k', right)).toBe('principal');
  });

  it('does not count requests without a credential, nor errors that are not authentication failures', async () => {
    const limiter = new AuthFailureLimiter(new MemorySharedState(), { perMinute: 1 });
    for (let i = 0; i < 3; i++) {
      await expect(limiter.guard('ip', null, wrong)).rejects.toBeInstanceOf(UnauthenticatedError);
      await expect(
        limiter.guard('ip', 'k', async () => {
          throw new Error('database down');
        }),
      ).rejects.toThrow('database down');
    }
    await expect(limiter.guard('ip', 'k', wrong)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('takes the source from the trusted proxy header only when configured (its last value)', () => {
    const req = {
      headers: { 'x-forwarded-for': 'spoofed, 203.0.113.7' },
      socket: { remoteAddress: '10.0.0.2' },
    } as never;
    expect(new AuthFailureLimiter(new MemorySharedState(), { perMinute: 1 }).sourceOf(req)).toBe('10.0.0.2');
    expect(
      new AuthFailureLimiter(new MemorySharedState(), {
        perMinute: 1,
        clientIpHeader: 'x-forwarded-for',
      }).sourceOf(req),
    ).toBe('203.0.113.7');
  });
});
