import { describe, expect, it } from 'vitest';
import { SignInRateLimitedError } from '../../../../src/identity/sign-in/errors.ts';
import { SignInLimiter } from '../../../../src/identity/sign-in/sign-in-limiter.ts';
import { MemorySharedState } from '../../../../src/infra/memory-shared-state.ts';

describe('SignInLimiter', () => {
  const setup = (opts: { perEmail: number; perAddress: number }) => {
    let now = 1_000_000_000_000;
    const limiter = new SignInLimiter(new MemorySharedState(), {
      ...opts,
      windowSeconds: 900,
      nowMs: () => now,
    });
    return { limiter, advance: (ms: number) => (now += ms) };
  };

  it('refuses an email once its failures reach the limit, from any address, until the window ends', async () => {
    const { limiter, advance } = setup({ perEmail: 2, perAddress: 100 });
    await limiter.check('a@x.test', '10.0.0.1');
    await limiter.recordFailure('a@x.test', '10.0.0.1');
    await limiter.recordFailure('a@x.test', '10.0.0.2');
    const refused = await limiter.check('a@x.test', '10.0.0.3').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SignInRateLimitedError);
    expect((refused as SignInRateLimitedError).headers['retry-after']).toMatch(/^\d+$/);
    await limiter.check('b@x.test', '10.0.0.3');
    advance(900_000);
    await limiter.check('a@x.test', '10.0.0.3');
  });

  it('refuses an address once its failures reach the limit, whatever the email', async () => {
    const { limiter } = setup({ perEmail: 100, perAddress: 3 });
    for (const e of ['a', 'b', 'c']) await limiter.recordFailure(`${e}@x.test`, '10.0.0.9');
    await expect(limiter.check('fresh@x.test', '10.0.0.9')).rejects.toBeInstanceOf(SignInRateLimitedError);
    await limiter.check('fresh@x.test', '10.0.0.8');
  });

  it('counts nothing for a limit of 0', async () => {
    const { limiter } = setup({ perEmail: 0, perAddress: 0 });
    for (let i = 0; i < 5; i++) await limiter.recordFailure('a@x.test', '10.0.0.1');
    await limiter.check('a@x.test', '10.0.0.1');
  });
});
