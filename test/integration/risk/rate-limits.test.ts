import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import type { SharedState } from '../../../src/infra/shared-state.ts';
import { RateLimitExceededError } from '../../../src/risk/errors.ts';
import { RateLimiter, type RateLimits } from '../../../src/risk/rate-limits.ts';
import { testRedisState } from '../../helpers/app.ts';

const subject = { apiKeyId: 'key_1', userId: 'usr_1', organizationId: 'org_1' };
// Mid-window, so no test straddles a minute boundary.
const fixedNow = () => Date.UTC(2026, 0, 1, 12, 0, 30);

async function outcomes(promises: Promise<unknown>[]) {
  const settled = await Promise.allSettled(promises);
  const refused = settled.filter((s) => s.status === 'rejected');
  for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RateLimitExceededError);
  return { admitted: settled.length - refused.length, refused: refused.length };
}

describe('rate limits across two gateway processes sharing Redis', () => {
  const states: SharedState[] = [];
  const pair = () => {
    const prefix = `rl${randomBytes(4).toString('hex')}:`;
    const a = testRedisState(prefix);
    const b = testRedisState(prefix);
    states.push(a, b);
    return [new RateLimiter(a, fixedNow), new RateLimiter(b, fixedNow)] as const;
  };
  afterAll(async () => {
    await Promise.all(states.map((s) => s.close()));
  });

  it('admits exactly 10 of 25 concurrent requests against 10 requests per minute', async () => {
    const [a, b] = pair();
    const limits: RateLimits = { api_key: { requestsPerMinute: 10 } };
    const calls = Array.from({ length: 25 }, (_, i) =>
      (i % 2 ? a : b).checkAndReserve({ ...subject, estimatedTokens: 10, limits }),
    );
    expect(await outcomes(calls)).toEqual({ admitted: 10, refused: 15 });
  });

  it('admits exactly the limit across two OS processes', async () => {
    const prefix = `rlp${randomBytes(4).toString('hex')}:`;
    const script = fileURLToPath(new URL('./rate-limit-process.ts', import.meta.url));
    const startAt = Date.now() + 1500;
    const run = () =>
      promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          script,
          process.env.TEST_REDIS_URL!,
          prefix,
          '30',
          '20',
          String(startAt),
          String(fixedNow()),
        ],
        { cwd: fileURLToPath(new URL('../../..', import.meta.url)) },
      ).then((r) => JSON.parse(r.stdout) as { admitted: number; refused: number });
    const [p1, p2] = await Promise.all([run(), run()]);
    expect(p1.admitted + p2.admitted).toBe(20);
    expect(p1.refused + p2.refused).toBe(40);
  });

  it('refuses with 429, OpenAI headers and Retry-After until the window ends', async () => {
    const [a] = pair();
    const limits: RateLimits = { api_key: { requestsPerMinute: 2, tokensPerMinute: 1000 } };
    const first = await a.checkAndReserve({ ...subject, estimatedTokens: 100, limits });
    expect(first.headers).toEqual({
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '30s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '900',
      'x-ratelimit-reset-tokens': '30s',
    });
    await a.checkAndReserve({ ...subject, estimatedTokens: 100, limits });
    const err = (await a
      .checkAndReserve({ ...subject, estimatedTokens: 100, limits })
      .catch((e) => e)) as RateLimitExceededError;
    expect(err).toBeInstanceOf(RateLimitExceededError);
    expect(err.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(err.status).toBe(429);
    expect(err.type).toBe('rate_limit_exceeded');
    // Two requests at :30 against 2 per minute: the next fits once half of them has slid out of
    // the last 60 s, 30 s into the next minute.
    expect(err.retryAfterSeconds).toBe(60);
    expect(err.headers['retry-after']).toBe('60');
    expect(err.headers['retry-after-ms']).toBe('60000');
    expect(err.headers['x-ratelimit-remaining-requests']).toBe('0');
    // The refused request consumed nothing: tokens still show two requests' worth.
    expect(err.headers['x-ratelimit-remaining-tokens']).toBe('800');
  });

  it('reserves estimated tokens at admission and corrects them at settle', async () => {
    const [a, b] = pair();
    const limits: RateLimits = { user: { tokensPerMinute: 1000 } };
    const r1 = await a.checkAndReserve({ ...subject, estimatedTokens: 600, limits });
    await expect(b.checkAndReserve({ ...subject, estimatedTokens: 600, limits })).rejects.toBeInstanceOf(
      RateLimitExceededError,
    );
    await a.adjustTokens(r1.reservation, 150);
    const r2 = await b.checkAndReserve({ ...subject, estimatedTokens: 600, limits });
    expect(r2.headers['x-ratelimit-remaining-tokens']).toBe('250');
    // Using more than estimated counts too: the next request no longer fits.
    await b.adjustTokens(r2.reservation, 800);
    await expect(a.checkAndReserve({ ...subject, estimatedTokens: 100, limits })).rejects.toThrow(
      /Tokens per minute/,
    );
  });

  it('reserves all or nothing across key, user and organization limits', async () => {
    const [a] = pair();
    const limits: RateLimits = {
      api_key: { requestsPerMinute: 100 },
      organization: { requestsPerMinute: 3 },
    };
    const other = { ...subject, apiKeyId: 'key_2' };
    await a.checkAndReserve({ ...subject, estimatedTokens: 1, limits });
    await a.checkAndReserve({ ...other, estimatedTokens: 1, limits });
    await a.checkAndReserve({ ...other, estimatedTokens: 1, limits });
    const err = (await a
      .checkAndReserve({ ...subject, estimatedTokens: 1, limits })
      .catch((e) => e)) as RateLimitExceededError;
    expect(err.details).toMatchObject({ scope: 'organization', metric: 'requests', limit: 3 });
    // key_1 was refused by the organization limit, so its own counter did not move.
    const ok = await a.checkAndReserve({
      ...subject,
      estimatedTokens: 1,
      limits: { api_key: { requestsPerMinute: 100 } },
    });
    expect(ok.headers['x-ratelimit-remaining-requests']).toBe('98');
  });

  it('gives back a released reservation', async () => {
    const [a] = pair();
    const limits: RateLimits = { api_key: { requestsPerMinute: 1, tokensPerMinute: 50 } };
    const r = await a.checkAndReserve({ ...subject, estimatedTokens: 50, limits });
    await a.release(r.reservation);
    await expect(a.checkAndReserve({ ...subject, estimatedTokens: 50, limits })).resolves.toBeDefined();
  });

  it('does not let a client spend its limit just before a minute boundary and again just after', async () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 59);
    const state = testRedisState();
    states.push(state);
    const limiter = new RateLimiter(state, () => now);
    const limits: RateLimits = { api_key: { requestsPerMinute: 10 } };
    const burst = () =>
      outcomes(
        Array.from({ length: 10 }, () => limiter.checkAndReserve({ ...subject, estimatedTokens: 1, limits })),
      );
    expect(await burst()).toEqual({ admitted: 10, refused: 0 });
    now += 2_000; // 12:01:01 — a fixed window would admit ten more here
    const err = (await limiter
      .checkAndReserve({ ...subject, estimatedTokens: 1, limits })
      .catch((e) => e)) as RateLimitExceededError;
    expect(err).toBeInstanceOf(RateLimitExceededError);
    // 10 · (60 − t)/60 + 1 ≤ 10 from t = 6 s: five seconds from 12:01:01.
    expect(err.retryAfterSeconds).toBe(5);
    expect(err.headers['retry-after-ms']).toBe('5000');
    now += 4_999;
    await expect(limiter.checkAndReserve({ ...subject, estimatedTokens: 1, limits })).rejects.toThrow();
    now += 1;
    const ok = await limiter.checkAndReserve({ ...subject, estimatedTokens: 1, limits });
    expect(ok.headers['x-ratelimit-remaining-requests']).toBe('0');
    now = Date.UTC(2026, 0, 1, 12, 2, 0); // the burst has slid out entirely
    expect(await burst()).toEqual({ admitted: 9, refused: 1 }); // 12:01:06's request still counts
  });

  it('admits again exactly when the Retry-After it gave has passed', async () => {
    let now = fixedNow();
    const state = testRedisState();
    states.push(state);
    const limiter = new RateLimiter(state, () => now);
    const limits: RateLimits = { api_key: { requestsPerMinute: 2 } };
    await limiter.checkAndReserve({ ...subject, estimatedTokens: 1, limits });
    await limiter.checkAndReserve({ ...subject, estimatedTokens: 1, limits });
    const err = (await limiter
      .checkAndReserve({ ...subject, estimatedTokens: 1, limits })
      .catch((e) => e)) as RateLimitExceededError;
    now += err.retryAfterSeconds * 1000 - 1;
    await expect(limiter.checkAndReserve({ ...subject, estimatedTokens: 1, limits })).rejects.toThrow();
    now += 1;
    await expect(limiter.checkAndReserve({ ...subject, estimatedTokens: 1, limits })).resolves.toBeDefined();
  });
});

describe('rate limits in single-node mode (memory)', () => {
  it('admits exactly the limit of concurrent requests', async () => {
    const limiter = new RateLimiter(new MemorySharedState(fixedNow), fixedNow);
    const limits: RateLimits = { api_key: { requestsPerMinute: 10 } };
    const calls = Array.from({ length: 25 }, () =>
      limiter.checkAndReserve({ ...subject, estimatedTokens: 1, limits }),
    );
    expect(await outcomes(calls)).toEqual({ admitted: 10, refused: 15 });
  });

  it('slides the window like the Redis counters do', async () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 59);
    const limiter = new RateLimiter(new MemorySharedState(() => now), () => now);
    const limits: RateLimits = { api_key: { requestsPerMinute: 10 } };
    for (let i = 0; i < 10; i++) await limiter.checkAndReserve({ ...subject, estimatedTokens: 1, limits });
    now += 2_000;
    await expect(limiter.checkAndReserve({ ...subject, estimatedTokens: 1, limits })).rejects.toThrow();
    now += 5_000;
    await expect(limiter.checkAndReserve({ ...subject, estimatedTokens: 1, limits })).resolves.toBeDefined();
  });
});
