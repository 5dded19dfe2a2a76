import type { SharedState } from '../infra/shared-state.ts';
import { logger } from '../lib/logger.ts';
import type { DailyLimitService, Reservation as DailyReservation } from '../plans/daily-limits.ts';
import { untilCounted } from './counter-moves.ts';
import type { LedgerPosting } from './ledger-posting.ts';
import { type OrphanBatch, type SettledOutcome, byRequest } from './settlement-journal.ts';

/**
 * Posts what a process that is gone had promised (its journal entries, claimed by this one): the
 * charge it had settled, or for a request it never finished (cut mid-stream by its death) the
 * admitted estimate, marked estimated. Its daily-limit counters are settled to the same amount
 * (idempotent: a no-op when the dead process had already done it), and once its journal is empty,
 * what it reserved and never journaled is given back. Resolves with the ids that may be
 * acknowledged.
 */
export async function recoverOrphans(
  deps: {
    state: Pick<SharedState, 'releaseMarkIndex'>;
    dailyLimits: Pick<DailyLimitService, 'commit'>;
    posting: Pick<LedgerPosting, 'post'>;
  },
  batch: OrphanBatch,
): Promise<string[]> {
  const done: string[] = [];
  if (batch.leftMarks) {
    // Reservations it made and neither journaled nor settled: killed between the two.
    const released = await deps.state.releaseMarkIndex(batch.leftMarks);
    if (released) logger.warn({ released }, 'gave back daily-limit reservations of a process that is gone');
  }
  for (const g of byRequest(batch.entries).values()) {
    if (!g.admitted) {
      // A settlement whose admission was posted before (or lost): nothing can be posted from it.
      logger.warn({ ids: g.ids }, 'orphan settlement without its admission dropped');
      done.push(...g.ids);
      continue;
    }
    const r = g.admitted;
    const outcome: SettledOutcome = g.settled?.outcome ?? {
      status: 'failed',
      httpStatus: null,
      promptTokens: r.promptTokensEstimate,
      completionTokens: r.completionTokensEstimate,
      cachedTokens: 0,
      estimated: true,
      modelServed: null,
      latencyMs: Math.max(0, Date.now() - r.admittedAtMs),
    };
    const cost = g.settled?.costNanos ?? r.holdNanos;
    const charged = g.settled?.chargedNanos ?? r.holdNanos;
    const plan = r.plan;
    if (plan)
      await untilCounted(r.requestId, () =>
        deps.dailyLimits.commit(plan.reservation as DailyReservation, {
          costNanos: charged,
          tokens: outcome.promptTokens + outcome.completionTokens,
        }),
      );
    logger.warn(
      { requestId: r.requestId, estimated: !g.settled, chargedNanos: charged.toString() },
      'posting a request admitted by a process that is gone',
    );
    // Acknowledged here, with the batch, rather than by `post`: the entries are the dead process's.
    if ((await deps.posting.post(r, outcome, cost, charged, [])) !== 'deferred') done.push(...g.ids);
  }
  return done;
}
