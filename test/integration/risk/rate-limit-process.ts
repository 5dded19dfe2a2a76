// A second OS process of the gateway, as far as rate limits go: reserves `count` requests in
// parallel against the shared Redis prefix and prints how many were admitted.
import { RedisSharedState } from '../../../src/infra/redis-shared-state.ts';
import { RateLimitExceededError } from '../../../src/risk/errors.ts';
import { RateLimiter } from '../../../src/risk/rate-limits.ts';

const [url, prefix, countArg, limitArg, startAtArg, windowNowArg] = process.argv.slice(2);
const state = new RedisSharedState(url!, { keyPrefix: prefix! });
// Both processes use the same fixed clock, so no run can straddle a minute boundary.
const limiter = new RateLimiter(state, () => Number(windowNowArg));
const startAt = Number(startAtArg);
// Start together with the other process, so the reservations really overlap.
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
const results = await Promise.allSettled(
  Array.from({ length: Number(countArg) }, () =>
    limiter.checkAndReserve({
      apiKeyId: 'key_shared',
      userId: 'usr_shared',
      organizationId: 'org_shared',
      estimatedTokens: 1,
      limits: { api_key: { requestsPerMinute: Number(limitArg) } },
    }),
  ),
);
const admitted = results.filter((r) => r.status === 'fulfilled').length;
const refused = results.filter(
  (r) => r.status === 'rejected' && r.reason instanceof RateLimitExceededError,
).length;
process.stdout.write(JSON.stringify({ admitted, refused }));
await state.close();
