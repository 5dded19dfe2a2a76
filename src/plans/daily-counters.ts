import type { Db } from '../db/client.ts';
import type { DailyLimitPlan, Prisma } from '../generated/prisma/client.ts';
import type { PlanWithLimits } from './plans.ts';

/** Counters outlive their day by a day, so late settles of yesterday's requests still land. */
export const COUNTER_TTL_MS = 2 * 86_400_000;
export const REBUILD_LOCK_TTL_MS = 10_000;
export const REBUILD_WAIT_MS = 2_000;
/**
 * How long Redis keeps what a reservation added to a counter (its mark), so that an attempt whose
 * reply was lost can still be given back: longer than the background retry of the give-back.
 */
export const RESERVE_MARK_TTL_MS = 10 * 60_000;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Whose counters: the subject the effective plan is assigned to. */
export interface Subject {
  organizationId: string;
  subjectType: string;
  subjectId: string;
}

/** SharedState counters are JavaScript numbers: clamp to the safe range. */
export function toSafe(v: bigint): number {
  return Number(v > MAX_SAFE ? MAX_SAFE : v < -MAX_SAFE ? -MAX_SAFE : v);
}

/** Names what one reservation added to one counter, so exactly that can be given back. */
export const reserveMark = (reservationId: string, key: string) => `dlres:${reservationId}:${key}`;

export function counterKey(
  day: string,
  s: Subject,
  l: Pick<DailyLimitPlan, 'metric' | 'currency' | 'model'>,
): string {
  return `dl:${day}:${s.subjectType}:${s.subjectId}:${l.metric}:${l.currency ?? '-'}:${l.model ?? '*'}`;
}

/** Extra room beyond a limit under the grace policy: graceNanos for cost limits, else gracePercent of the limit. */
export function graceAllowance(plan: PlanWithLimits, l: DailyLimitPlan): bigint {
  if (plan.overflowPolicy !== 'grace') return 0n;
  if (l.metric === 'cost' && plan.graceNanos !== null) return plan.graceNanos;
  return plan.gracePercent === null ? 0n : (l.limitValue * BigInt(plan.gracePercent)) / 100n;
}

const SUBJECT_COLUMN = {
  organization: 'organizationId',
  team: 'teamId',
  user: 'userId',
  api_key: 'apiKeyId',
} as const;

/**
 * A counter's value from the source of truth: usage_records of the plan day for the subject that
 * were settled (every status but `failed`, and failed ones that were still charged), for the
 * limit's model (the model served) and currency.
 */
export async function rebuildTotal(
  db: Pick<Db, 'usageRecord'>,
  day: string,
  s: Subject,
  l: DailyLimitPlan,
): Promise<bigint> {
  const column = SUBJECT_COLUMN[s.subjectType as keyof typeof SUBJECT_COLUMN];
  const where: Prisma.UsageRecordWhereInput = {
    planDay: day,
    organizationId: s.organizationId,
    ...(column === 'organizationId' ? {} : { [column]: s.subjectId }),
    ...(l.metric === 'cost' ? { currency: l.currency ?? '' } : {}),
    AND: [
      // settled requests: a failure that was released (not charged) did not count either
      { OR: [{ status: { not: 'failed' } }, { costNanos: { gt: 0n } }] },
      ...(l.model
        ? [{ OR: [{ modelServed: l.model }, { modelServed: null, modelRequested: l.model }] }]
        : []),
    ],
  };
  if (l.metric === 'requests') return BigInt(await db.usageRecord.count({ where }));
  const sum = await db.usageRecord.aggregate({
    where,
    _sum: { costNanos: true, promptTokens: true, completionTokens: true },
  });
  if (l.metric === 'cost') return sum._sum.costNanos ?? 0n;
  return BigInt(sum._sum.promptTokens ?? 0) + BigInt(sum._sum.completionTokens ?? 0);
}
