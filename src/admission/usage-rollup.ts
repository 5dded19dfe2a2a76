import type { Db } from '../db/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { logger } from '../lib/logger.ts';

/**
 * The daily usage rollup for the console's aggregates: usage records summed per organization,
 * 15-minute bucket, model and currency into usage_rollups, by a periodic job — never by the
 * settlement path, which only inserts usage records.
 *
 * A usage record's createdAt is its writer's clock when it inserts the record, so a record arrives
 * at most a transaction (plus the clock skew between gateway processes) after its createdAt. The job
 * rolls up only buckets that closed ROLLUP_LAG_MS ago, and records everything before
 * usage_rollup_state.rolledUpTo as complete; readers take the rollup before that instant and the raw
 * records after it (src/resolvers/usage/usage-query.ts), so the sum is exact while clocks agree
 * within the lag.
 */
export const ROLLUP_BUCKET_MINUTES = 15;
const BUCKET_MS = ROLLUP_BUCKET_MINUTES * 60_000;
export const ROLLUP_LAG_MS = 15 * 60_000;
/** One transaction rolls up at most a day, so catching up on a long history never holds locks long. */
const CHUNK_MS = 86_400_000;

export const floorBucket = (ms: number) => Math.floor(ms / BUCKET_MS) * BUCKET_MS;
export const ceilBucket = (ms: number) => Math.ceil(ms / BUCKET_MS) * BUCKET_MS;

/** The instant before which usage_rollups is complete, or null before the first roll-up. */
export async function rolledUpTo(db: Pick<Db, 'usageRollupState'>): Promise<Date | null> {
  return (await db.usageRollupState.findUnique({ where: { id: 1 } }))?.rolledUpTo ?? null;
}

/**
 * Rolls up every bucket that closed at least ROLLUP_LAG_MS before `now`, a day per transaction.
 * Processes serialize on the state row, so several gateway processes may run it; each bucket is
 * rolled up once. Returns the new rolledUpTo.
 */
export async function rollUpUsage(db: Db, now: Date): Promise<Date | null> {
  const target = floorBucket(now.getTime() - ROLLUP_LAG_MS);
  await db.$executeRaw`INSERT INTO usage_rollup_state (id, "rolledUpTo", "updatedAt")
    VALUES (1, NULL, now()) ON CONFLICT (id) DO NOTHING`;
  for (;;) {
    const reached = await db.$transaction(async (tx) => {
      const [state] = await tx.$queryRaw<{ rolledUpTo: Date | null }[]>`
        SELECT "rolledUpTo" FROM usage_rollup_state WHERE id = 1 FOR UPDATE`;
      let start = state?.rolledUpTo?.getTime() ?? null;
      if (start === null) {
        // The oldest record, one index probe per organization (usage_records has no createdAt index).
        const [oldest] = await tx.$queryRaw<{ at: Date | null }[]>`
          SELECT min(m.at) AS at FROM organizations o CROSS JOIN LATERAL (
            SELECT min(u."createdAt") AS at FROM usage_records u WHERE u."organizationId" = o.id) m`;
        start = oldest?.at ? floorBucket(oldest.at.getTime()) : target;
      }
      if (start >= target) {
        if (state?.rolledUpTo == null)
          await tx.$executeRaw`UPDATE usage_rollup_state SET "rolledUpTo" = ${new Date(target)}, "updatedAt" = now() WHERE id = 1`;
        return null;
      }
      const end = Math.min(start + CHUNK_MS, target);
      // Per organization, so each scan is a range of the (organizationId, createdAt) index.
      await tx.$executeRaw`
        INSERT INTO usage_rollups ("organizationId", "bucketStart", model, currency, requests, "failedRequests",
          "promptTokens", "completionTokens", "cachedTokens", "costNanos")
        SELECT o.id, r.bucket, r.model, r.currency, r.requests, r.failed, r.prompt, r.completion, r.cached, r.cost
        FROM organizations o CROSS JOIN LATERAL (
          SELECT date_bin(make_interval(mins => ${ROLLUP_BUCKET_MINUTES}::int), u."createdAt", TIMESTAMP '2000-01-01') AS bucket,
            COALESCE(u."modelServed", u."modelRequested") AS model, u.currency,
            COUNT(*) FILTER (WHERE u.status <> 'failed') AS requests,
            COUNT(*) FILTER (WHERE u.status = 'failed') AS failed,
            COALESCE(SUM(u."promptTokens"), 0) AS prompt,
            COALESCE(SUM(u."completionTokens"), 0) AS completion,
            COALESCE(SUM(u."cachedTokens"), 0) AS cached,
            COALESCE(SUM(u."costNanos"), 0) AS cost
          FROM usage_records u
          WHERE u."organizationId" = o.id AND u."createdAt" >= ${new Date(start)} AND u."createdAt" < ${new Date(end)}
          GROUP BY 1, 2, 3) r`;
      await tx.$executeRaw`UPDATE usage_rollup_state SET "rolledUpTo" = ${new Date(end)}, "updatedAt" = now() WHERE id = 1`;
      return end;
    });
    if (reached === null || reached >= target) break;
  }
  return rolledUpTo(db);
}

/**
 * Runs rollUpUsage every `intervalMs` (first run right away), one run at a time, and once per interval
 * across the cluster: each run first claims the interval's lease in SharedState (the claim that
 * counter rebuilds and limit announcements use, `reserve(key, 1, 1, ttl)`), and a process that loses it
 * skips the round. The lease only saves work — rollUpUsage serializes on its state row and rolls each
 * bucket up once — so when SharedState cannot answer the process rolls up anyway.
 */
export class UsageRollupJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly state: Pick<SharedState, 'reserve'>,
    private readonly clock: () => Date,
    private readonly intervalMs: number,
  ) {}

  /** Rolls up unless another process holds this interval's lease; returns whether this call rolled up. */
  async runOnce(): Promise<boolean> {
    const now = this.clock();
    const interval = Math.floor(now.getTime() / this.intervalMs);
    const leased = await this.state
      .reserve(`usage-rollup:${interval}`, 1, 1, 2 * this.intervalMs)
      .then((r) => r.ok)
      .catch((err) => {
        logger.warn({ err }, 'usage rollup lease unavailable; rolling up without it');
        return true;
      });
    if (leased) await rollUpUsage(this.db, now);
    return leased;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      this.running = this.runOnce().catch((err) =>
        logger.warn({ err }, 'usage rollup failed; retrying next round'),
      );
      await this.running;
      if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
