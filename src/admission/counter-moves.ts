import { retryInBackground } from '../lib/background-retry.ts';
import { logger } from '../lib/logger.ts';
import type { AdmissionDeps } from './deps.ts';
import type { KeySpendLimits } from './key-spend-limits.ts';
import type { Ticket } from './ticket.ts';

/**
 * A daily-limit counter move (commit or cancel: idempotent, once per reservation). When Redis is
 * away it is retried in the background for up to two minutes, so an estimate does not stay in
 * the counters of a request that failed or was charged meanwhile (finding 6 of issue 15).
 * Resolves after the first attempt.
 */
export function untilCounted(requestId: string, move: () => Promise<unknown>): Promise<void> {
  return retryInBackground('daily counter update', requestId, move);
}

/**
 * Every counter leaves its estimate: for the charge and the tokens used, or (`used` null: the
 * request failed and is not charged) back to nothing — it still counts against requests per
 * minute. One command each, started before the answer; a posting that fails later is logged,
 * not uncounted.
 */
export async function moveCounters(
  deps: Pick<AdmissionDeps, 'dailyLimits' | 'risk'> & { keySpend: KeySpendLimits },
  t: Ticket,
  used: { costNanos: bigint; tokens: number } | null,
): Promise<void> {
  const cost = used?.costNanos ?? 0n;
  const plan = t.plan;
  await Promise.all([
    plan
      ? untilCounted(t.record.requestId, () =>
          used ? deps.dailyLimits.commit(plan.reservation, used) : deps.dailyLimits.cancel(plan.reservation),
        )
      : null,
    t.rate ? deps.risk.rateLimits.adjustTokens(t.rate, used?.tokens ?? 0) : null,
    t.spend ? deps.risk.spend.settle(t.spend, cost) : null,
    deps.keySpend.settle(t.keySpend, cost),
  ]).catch((err) => logger.error({ err, requestId: t.record.requestId }, 'counter update failed'));
}
