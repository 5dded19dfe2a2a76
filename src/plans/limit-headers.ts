import type { DailyLimitPlan } from '../generated/prisma/client.ts';

/**
 * The daily-limit response headers, as data: the plan decides what a client is told about its day,
 * the proxy edge only copies `PlanDecision.headers` (and DailyLimitExceededError's) onto the answer.
 * Names are lower-case.
 */
export const LIMIT_HEADERS = {
  limit: 'x-tollgate-daily-limit',
  remaining: 'x-tollgate-daily-remaining',
  reset: 'x-tollgate-daily-reset',
  metric: 'x-tollgate-daily-metric',
  currency: 'x-tollgate-daily-currency',
  degradedFrom: 'x-tollgate-degraded-from',
  model: 'x-tollgate-model',
  graced: 'x-tollgate-graced',
} as const;

/** The headers describing one limit after `used` of it. */
export function limitHeaders(l: DailyLimitPlan, used: bigint, resetsAt: Date): Record<string, string> {
  const remaining = l.limitValue - used;
  return {
    [LIMIT_HEADERS.limit]: l.limitValue.toString(),
    [LIMIT_HEADERS.remaining]: (remaining > 0n ? remaining : 0n).toString(),
    [LIMIT_HEADERS.reset]: resetsAt.toISOString(),
    [LIMIT_HEADERS.metric]: l.metric,
    ...(l.currency ? { [LIMIT_HEADERS.currency]: l.currency } : {}),
  };
}
