import { RedisUnavailableError } from '../infra/dependency-errors.ts';
import { carriedAmount, type SharedState } from '../infra/shared-state.ts';
import { logger } from '../lib/logger.ts';
import { RateLimitExceededError } from '../risk/errors.ts';
import { WINDOW_MS, waitMs } from '../risk/rate-limits.ts';

/** Counters outlive their window a little so the next window can still read them as its carry. */
const KEY_TTL_MS = 2 * WINDOW_MS;

export interface BudgetCharge {
  /** What this operation was charged (at least 1). */
  charged: number;
  limit: number;
  remaining: number;
}

/**
 * GraphQL cost per minute per caller, shared by every gateway process through SharedState (one
 * atomic reserve, so parallel operations cannot jump the budget) on the same sliding window as the
 * proxy's rate limits (src/risk/rate-limits.ts): the previous minute still weighs in for the part
 * of it inside the last 60 s. An operation is charged its estimated cost before it runs, at least
 * 1, so a flood of free operations is counted too. While Redis is down the budget is not enforced
 * (null): GraphQL stays up, and the per-operation limits, which need no shared state, still hold.
 */
export class QueryCostBudget {
  constructor(
    private readonly state: SharedState,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * @param subject who pays: `key:<apiKeyId>`, `anon:<address>`.
   * @throws RateLimitExceededError (429, RATE_LIMIT_EXCEEDED, metric `graphql_cost`) with the wait
   * in `retry-after`/`retry-after-ms` and in details.
   */
  async charge(subject: string, cost: number, limit: number): Promise<BudgetCharge | null> {
    const now = this.nowMs();
    const windowStartMs = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    const elapsedMs = now - windowStartMs;
    const weightPpm = Math.floor(((WINDOW_MS - elapsedMs) * 1_000_000) / WINDOW_MS);
    const minute = windowStartMs / WINDOW_MS;
    const base = `gqlcost:${subject}`;
    const delta = BigInt(Math.max(1, Math.ceil(cost)));
    let result: Awaited<ReturnType<SharedState['reserveMany']>>;
    try {
      result = await this.state.reserveMany(
        [
          {
            key: `${base}:${minute}`,
            delta,
            limit: BigInt(limit),
            carry: { key: `${base}:${minute - 1}`, weightPpm },
          },
        ],
        KEY_TTL_MS,
      );
    } catch (err) {
      if (!(err instanceof RedisUnavailableError)) throw err;
      logger.warn({ err }, 'GraphQL cost budget not enforced: Redis is unavailable');
      return null;
    }
    const current = result.values[0]!;
    const previous = result.carried[0]!;
    const used = current + carriedAmount(previous, weightPpm);
    const remaining = Math.max(0, limit - Number(used));
    const resetMs = WINDOW_MS - elapsedMs;
    const headers = {
      'x-ratelimit-limit-graphql-cost': String(limit),
      'x-ratelimit-remaining-graphql-cost': String(remaining),
      'x-ratelimit-reset-graphql-cost': `${Math.ceil(resetMs / 1000)}s`,
    };
    if (result.ok) return { charged: Number(delta), limit, remaining };
    const retryAfterMs = Math.max(1, waitMs({ current, previous, delta, limit: BigInt(limit), elapsedMs }));
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    throw new RateLimitExceededError(
      `GraphQL cost budget (${limit} per minute) used up: this operation costs ${delta}, ${remaining} is left; retry in ${retryAfterSeconds} s`,
      {
        retryAfterSeconds,
        retryAfterMs,
        headers,
        scope: subject.slice(0, subject.indexOf(':')),
        metric: 'graphql_cost',
        limit,
      },
    );
  }
}
