import type { Db } from '../db/client.ts';
import type { DailyLimitPlan, Prisma } from '../generated/prisma/client.ts';
import { ensureCounter } from '../infra/counter-rebuild.ts';
import type { AdjustEntry, SharedState } from '../infra/shared-state.ts';
import { retryInBackground } from '../lib/background-retry.ts';
import { newId } from '../lib/ids.ts';
import { logger } from '../lib/logger.ts';
import type { LimitChangedEvent, PubSub } from '../pubsub.ts';
import { DailyLimitExceededError } from './errors.ts';
import type { EffectivePlan, LimitMetric, PlanService, PlanWithLimits, SubjectIds } from './plans.ts';
import { DEFAULT_TIME_ZONE, type PlanDayBounds, planDayBounds, planDayOf } from './time-zone.ts';

/** Counters outlive their day by a day, so late settles of yesterday's requests still land. */
const COUNTER_TTL_MS = 2 * 86_400_000;
const REBUILD_LOCK_TTL_MS = 10_000;
const REBUILD_WAIT_MS = 2_000;
/**
 * How long Redis keeps what a reservation added to a counter (its mark), so that an attempt whose
 * reply was lost can still be given back: longer than the background retry of the give-back.
 */
const RESERVE_MARK_TTL_MS = 10 * 60_000;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Response headers the proxy sends; names are lower-case. */
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

export interface AdmitInput extends SubjectIds {
  model: string;
  /** The wallet currency of the request: cost limits in other currencies do not apply. */
  currency: string;
  /** The hold estimate (pricing.estimateMaxCost) of the requested model. */
  estimatedCostNanos: bigint;
  /** Prompt tokens + max completion tokens. */
  estimatedTokens: bigint | number;
  /** Request time (default: the injected clock). */
  at?: Date;
  /** The caller's plan when already looked up (to price the request with plan rules); looked up otherwise. */
  effectivePlan?: EffectivePlan | null;
  /** Estimates for a degrade target; without it the requested model's estimates are reused. */
  estimateFor?: (model: string) => Promise<{ costNanos: bigint; tokens: bigint | number }>;
}

export interface ReservedCounter {
  key: string;
  metric: LimitMetric;
  currency: string | null;
  model: string | null;
  limit: string;
  reserved: string;
}

/** Opaque to callers; plain JSON so it can ride in a hold or a queue message. */
export interface Reservation {
  v: 1;
  id: string;
  organizationId: string;
  planId: string | null;
  planCode: string | null;
  subjectType: string | null;
  subjectId: string | null;
  day: string;
  resetsAt: string;
  model: string;
  warnThresholds: number[];
  counters: ReservedCounter[];
}

export interface LimitWarning {
  metric: LimitMetric;
  model: string | null;
  currency: string | null;
  thresholdPercent: number;
  limit: string;
  used: string;
}

export interface PlanDecision {
  allowed: true;
  /** The model to send upstream: the requested one, or its degrade target. */
  model: string;
  requestedModel: string;
  degradedFrom: string | null;
  planId: string | null;
  /** Write into usage_records.planDay: the daily counters are rebuilt from it. */
  planDay: string;
  resetsAt: Date;
  reservation: Reservation;
  headers: Record<string, string>;
  /** The request is allowed only by the grace allowance (write usage_records.graced). */
  graced: boolean;
  warnings: LimitWarning[];
}

export interface ActualUsage {
  costNanos: bigint;
  /** prompt + completion tokens. */
  tokens: bigint | number;
}

export interface LimitUsage {
  limit: DailyLimitPlan;
  used: bigint;
  remaining: bigint;
}

export interface TodayUsage {
  planId: string;
  planCode: string;
  subjectType: string;
  subjectId: string;
  day: string;
  startsAt: Date;
  resetsAt: Date;
  limits: LimitUsage[];
}

interface Attempt {
  /** The reservation's id: each attempt its own, as it names the marks of what it added. */
  id: string;
  /** Gives back what the attempt added (idempotent; retried in the background while Redis is away). */
  giveBack: () => Promise<void>;
  ok: boolean;
  counters: (ReservedCounter & { value: bigint; limitRow: DailyLimitPlan })[];
  failed?: { limitRow: DailyLimitPlan; used: bigint; requested: bigint };
}

interface Subject {
  organizationId: string;
  subjectType: string;
  subjectId: string;
}

function toSafe(v: bigint): number {
  return Number(v > MAX_SAFE ? MAX_SAFE : v < -MAX_SAFE ? -MAX_SAFE : v);
}

/**
 * Daily limits of plans, shared by every gateway process through SharedState counters that
 * reserve like holds: admit reserves the estimate against every limit that applies, commit moves
 * it to the actual amount, cancel gives it back. A counter missing from SharedState is rebuilt from
 * usage_records of that plan day (the source of truth) before anything reserves against it.
 */
export class DailyLimitService {
  constructor(
    private readonly deps: {
      db: Db;
      state: SharedState;
      pubsub: Pick<PubSub, 'publish'>;
      /** Called once per crossing, after the event is published (notification fan-out). */
      onLimitChanged?: (event: LimitChangedEvent) => void;
      plans: PlanService;
      clock: () => Date;
    },
  ) {}

  /**
   * Admits a request under its plan's daily limits, reserving the estimate.
   * @throws DailyLimitExceededError (DAILY_LIMIT_EXCEEDED, 429) when a limit (plus grace) would be
   *   exceeded and no degrade target fits.
   */
  async admit(input: AdmitInput): Promise<PlanDecision> {
    const at = input.at ?? this.deps.clock();
    const effective =
      input.effectivePlan !== undefined
        ? input.effectivePlan
        : await this.deps.plans.effectivePlan({ ...input, at });
    const plan = effective?.plan ?? null;
    const bounds = planDayBounds(at, plan?.timeZone ?? DEFAULT_TIME_ZONE);
    const base = {
      allowed: true as const,
      requestedModel: input.model,
      planId: plan?.id ?? null,
      planDay: bounds.day,
      resetsAt: bounds.resetsAt,
    };
    const reservation = (model: string, counters: ReservedCounter[], id = newId('dlres')): Reservation => ({
      v: 1,
      id,
      organizationId: input.organizationId,
      planId: plan?.id ?? null,
      planCode: plan?.code ?? null,
      subjectType: effective?.assignment.subjectType ?? null,
      subjectId: effective?.assignment.subjectId ?? null,
      day: bounds.day,
      resetsAt: bounds.resetsAt.toISOString(),
      model,
      warnThresholds: plan?.warnThresholds ?? [],
      counters,
    });
    if (!effective || !plan || plan.kind !== 'daily_limit' || !plan.dailyLimits.length)
      return {
        ...base,
        model: input.model,
        degradedFrom: null,
        reservation: reservation(input.model, []),
        headers: {},
        graced: false,
        warnings: [],
      };

    const subject: Subject = {
      organizationId: input.organizationId,
      subjectType: effective.assignment.subjectType,
      subjectId: effective.assignment.subjectId,
    };
    const estimate = { costNanos: input.estimatedCostNanos, tokens: BigInt(input.estimatedTokens) };
    let attempt = await this.tryReserve(plan, subject, bounds, input.model, input.currency, estimate);
    let model = input.model;
    let firstFailure = attempt.failed;
    if (!attempt.ok && plan.overflowPolicy === 'degrade') {
      const target = (plan.degradeMap as Record<string, string>)[input.model];
      if (target) {
        const e = input.estimateFor ? await input.estimateFor(target) : estimate;
        const degraded = await this.tryReserve(plan, subject, bounds, target, input.currency, {
          costNanos: e.costNanos,
          tokens: BigInt(e.tokens),
        });
        if (degraded.ok) {
          attempt = degraded;
          model = target;
          firstFailure = undefined;
        }
      }
    }
    if (!attempt.ok) {
      const f = firstFailure ?? attempt.failed!;
      await this.announceReached(plan, subject, bounds, f.limitRow, f.used);
      throw new DailyLimitExceededError(
        {
          planId: plan.id,
          planCode: plan.code,
          metric: f.limitRow.metric,
          currency: f.limitRow.currency,
          model: f.limitRow.model,
          limit: f.limitRow.limitValue.toString(),
          used: f.used.toString(),
          requested: f.requested.toString(),
          day: bounds.day,
          resetsAt: bounds.resetsAt.toISOString(),
          subjectType: subject.subjectType,
          subjectId: subject.subjectId,
        },
        at,
        limitHeaders(f.limitRow, f.used, bounds.resetsAt),
      );
    }

    const graced = attempt.counters.some((c) => c.value > c.limitRow.limitValue);
    const counters = attempt.counters.map(({ value: _v, limitRow: _l, ...c }) => c);
    const warnings: LimitWarning[] = [];
    try {
      for (const c of attempt.counters)
        warnings.push(...(await this.announceCrossings(plan, subject, bounds, c.limitRow, c.value)));
    } catch (err) {
      // Redis failed after the reservation: the caller never gets it, so give it back here.
      await attempt.giveBack();
      throw err;
    }
    const tightest = attempt.counters.reduce<(typeof attempt.counters)[number] | null>((best, c) => {
      if (!best) return c;
      // Smallest remaining share of its limit: (limit − value) / limit, compared without division.
      const a = (c.limitRow.limitValue - c.value) * best.limitRow.limitValue;
      const b = (best.limitRow.limitValue - best.value) * c.limitRow.limitValue;
      return a < b ? c : best;
    }, null);
    const headers: Record<string, string> = tightest
      ? limitHeaders(tightest.limitRow, tightest.value, bounds.resetsAt)
      : {};
    if (model !== input.model) {
      headers[LIMIT_HEADERS.degradedFrom] = input.model;
      headers[LIMIT_HEADERS.model] = model;
    }
    if (graced) headers[LIMIT_HEADERS.graced] = 'true';
    return {
      ...base,
      model,
      degradedFrom: model === input.model ? null : input.model,
      reservation: reservation(model, counters, attempt.id),
      headers,
      graced,
      warnings,
    };
  }

  /**
   * Settles a reservation at the actual usage (counted even beyond the limit: it happened). Idempotent.
   * The counters move in one command, so a settle started before the answer is written is ordered
   * before the client's next request.
   */
  async commit(reservation: Reservation, actual: ActualUsage): Promise<void> {
    if (!reservation.counters.length) return;
    const moved = reservation.counters
      .map((c) => {
        const amount =
          c.metric === 'requests' ? 1n : c.metric === 'tokens' ? BigInt(actual.tokens) : actual.costNanos;
        return { c, delta: amount - BigInt(c.reserved) };
      })
      .filter((m) => m.delta !== 0n);
    const values = await this.adjustOnce(
      reservation,
      moved.map((m) => ({ key: m.c.key, delta: m.delta })),
    );
    if (!values || !reservation.planId || !reservation.subjectType || !reservation.subjectId) return;
    for (const [i, m] of moved.entries()) {
      const value = values[i];
      if (value !== null && value !== undefined && m.delta > 0n)
        await this.announceFromReservation(reservation, m.c, value);
    }
  }

  /** Gives a reservation back (the request was not served or not charged). Idempotent. */
  async cancel(reservation: Reservation): Promise<void> {
    if (!reservation.counters.length) return;
    await this.adjustOnce(
      reservation,
      reservation.counters
        .filter((c) => BigInt(c.reserved) !== 0n)
        .map((c) => ({ key: c.key, delta: -BigInt(c.reserved) })),
    );
  }

  /** The caller's plan day so far: every daily limit of the effective plan with its use (including reservations). */
  async todayUsage(ids: SubjectIds & { at?: Date }): Promise<TodayUsage | null> {
    const at = ids.at ?? this.deps.clock();
    const effective = await this.deps.plans.effectivePlan({ ...ids, at });
    if (effective?.plan.kind !== 'daily_limit') return null;
    const { plan, assignment } = effective;
    const bounds = planDayBounds(at, plan.timeZone);
    const subject = {
      organizationId: ids.organizationId,
      subjectType: assignment.subjectType,
      subjectId: assignment.subjectId,
    };
    const limits: LimitUsage[] = [];
    for (const l of plan.dailyLimits) {
      const key = counterKey(bounds.day, subject, l);
      await this.ensureCounter(key, plan, subject, bounds, l);
      const used = BigInt((await this.deps.state.get(key)) ?? '0');
      const remaining = l.limitValue - used;
      limits.push({ limit: l, used, remaining: remaining > 0n ? remaining : 0n });
    }
    return {
      planId: plan.id,
      planCode: plan.code,
      subjectType: assignment.subjectType,
      subjectId: assignment.subjectId,
      day: bounds.day,
      startsAt: bounds.startsAt,
      resetsAt: bounds.resetsAt,
      limits,
    };
  }

  /**
   * Reserves the estimate against each applicable counter, all or none. Each addition is marked
   * (`SharedState.reserve` with a mark), so when Redis fails midway — including an addition Redis
   * applied whose reply died with the connection, which the caller sees as a failure — what was
   * added is given back exactly, retried in the background until Redis is back.
   */
  private async tryReserve(
    plan: PlanWithLimits,
    subject: Subject,
    bounds: PlanDayBounds,
    model: string,
    currency: string,
    estimate: { costNanos: bigint; tokens: bigint },
  ): Promise<Attempt> {
    const id = newId('dlres');
    const applicable = plan.dailyLimits
      .filter(
        (l) => (l.model === null || l.model === model) && (l.metric !== 'cost' || l.currency === currency),
      )
      .map((l) => ({ l, key: counterKey(bounds.day, subject, l) }))
      // One order everywhere, so concurrent admits take counters in the same sequence.
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    const tried: string[] = [];
    const giveBack = () =>
      retryInBackground('daily limit give-back', id, async () => {
        for (const key of tried) await this.deps.state.releaseMarked(key, reserveMark(id, key));
      });
    const counters: Attempt['counters'] = [];
    try {
      for (const { l, key } of applicable) {
        await this.ensureCounter(key, plan, subject, bounds, l);
        const delta =
          l.metric === 'requests' ? 1n : l.metric === 'tokens' ? estimate.tokens : estimate.costNanos;
        const cap = l.limitValue + graceAllowance(plan, l);
        tried.push(key);
        const r = await this.deps.state.reserve(key, toSafe(delta), toSafe(cap), COUNTER_TTL_MS, {
          key: reserveMark(id, key),
          ttlMs: RESERVE_MARK_TTL_MS,
        });
        if (!r.ok) {
          await giveBack();
          return {
            id,
            giveBack,
            ok: false,
            counters: [],
            failed: { limitRow: l, used: BigInt(r.value), requested: delta },
          };
        }
        counters.push({
          key,
          metric: l.metric as LimitMetric,
          currency: l.currency,
          model: l.model,
          limit: l.limitValue.toString(),
          reserved: delta.toString(),
          value: BigInt(r.value),
          limitRow: l,
        });
      }
    } catch (err) {
      // SharedState failed midway: give back what this attempt added, the unanswered one included.
      await giveBack();
      throw err;
    }
    return { id, giveBack, ok: true, counters };
  }

  /** Makes sure the counter exists, rebuilt from usage_records (src/infra/counter-rebuild.ts). */
  private async ensureCounter(
    key: string,
    plan: PlanWithLimits,
    subject: Subject,
    bounds: PlanDayBounds,
    l: DailyLimitPlan,
  ): Promise<void> {
    const rebuilt = await ensureCounter(this.deps.state, key, {
      total: () => rebuildTotal(this.deps.db, bounds.day, subject, l),
      ttlMs: COUNTER_TTL_MS,
      lockTtlMs: REBUILD_LOCK_TTL_MS,
      waitMs: REBUILD_WAIT_MS,
    });
    if (rebuilt) await this.announceReset(plan, subject, bounds, l);
  }

  /**
   * Adjusts the counters that still exist (a lost one is rebuilt from usage_records instead), the
   * first time this reservation is settled or cancelled; null after.
   */
  private adjustOnce(r: Reservation, entries: AdjustEntry[]) {
    return this.deps.state.adjustExisting(entries, COUNTER_TTL_MS, {
      key: `dlres:${r.id}`,
      ttlMs: COUNTER_TTL_MS,
    });
  }

  private async announceFromReservation(r: Reservation, c: ReservedCounter, value: bigint) {
    const limitRow = {
      metric: c.metric,
      currency: c.currency,
      model: c.model,
      limitValue: BigInt(c.limit),
    } as DailyLimitPlan;
    const plan = { warnThresholds: r.warnThresholds } as PlanWithLimits;
    const bounds = { day: r.day, resetsAt: new Date(r.resetsAt) } as PlanDayBounds;
    await this.announceCrossings(
      plan,
      { organizationId: r.organizationId, subjectType: r.subjectType!, subjectId: r.subjectId! },
      bounds,
      limitRow,
      value,
    );
  }

  /** Publishes each warning threshold and the limit itself once per plan day, when first crossed. */
  private async announceCrossings(
    plan: PlanWithLimits,
    subject: Subject,
    bounds: PlanDayBounds,
    l: DailyLimitPlan,
    value: bigint,
  ): Promise<LimitWarning[]> {
    const key = counterKey(bounds.day, subject, l);
    const warnings: LimitWarning[] = [];
    for (const t of plan.warnThresholds) {
      if (t >= 100 || value * 100n < BigInt(t) * l.limitValue) continue;
      const warning = {
        metric: l.metric as LimitMetric,
        model: l.model,
        currency: l.currency,
        thresholdPercent: t,
        limit: l.limitValue.toString(),
        used: value.toString(),
      };
      warnings.push(warning);
      if ((await this.deps.state.reserve(`${key}:warn:${t}`, 1, 1, COUNTER_TTL_MS)).ok)
        this.publish(subject, bounds, l, 'warning', value, t);
    }
    if (value >= l.limitValue) await this.announceReached(plan, subject, bounds, l, value);
    return warnings;
  }

  private async announceReached(
    _plan: PlanWithLimits,
    subject: Subject,
    bounds: PlanDayBounds,
    l: DailyLimitPlan,
    value: bigint,
  ) {
    const key = counterKey(bounds.day, subject, l);
    if ((await this.deps.state.reserve(`${key}:reached`, 1, 1, COUNTER_TTL_MS)).ok)
      this.publish(subject, bounds, l, 'reached', value, 100);
  }

  /** A limit reached yesterday is announced as reset when the new day's counter is first built. */
  private async announceReset(
    plan: PlanWithLimits,
    subject: Subject,
    bounds: PlanDayBounds,
    l: DailyLimitPlan,
  ) {
    const yesterday = planDayOf(new Date(bounds.startsAt.getTime() - 1), plan.timeZone);
    const state = this.deps.state;
    if ((await state.get(`${counterKey(yesterday, subject, l)}:reached`)) === null) return;
    if ((await state.reserve(`${counterKey(bounds.day, subject, l)}:reset`, 1, 1, COUNTER_TTL_MS)).ok)
      this.publish(subject, bounds, l, 'reset', 0n, null);
  }

  private publish(
    subject: Subject,
    bounds: PlanDayBounds,
    l: DailyLimitPlan,
    kind: LimitChangedEvent['kind'],
    used: bigint,
    thresholdPercent: number | null,
  ) {
    const event: LimitChangedEvent = {
      subjectType: subject.subjectType,
      subjectId: subject.subjectId,
      organizationId: subject.organizationId,
      kind,
      metric: l.metric,
      limit: l.limitValue.toString(),
      used: used.toString(),
      resetsAt: bounds.resetsAt.toISOString(),
      model: l.model,
      currency: l.currency,
      thresholdPercent,
      day: bounds.day,
    };
    try {
      this.deps.pubsub.publish(`limitChanged:${subject.organizationId}`, event);
      this.deps.onLimitChanged?.(event);
    } catch (err) {
      logger.warn({ err }, 'limitChanged publish failed');
    }
  }
}

const reserveMark = (reservationId: string, key: string) => `dlres:${reservationId}:${key}`;

function counterKey(
  day: string,
  s: Subject,
  l: Pick<DailyLimitPlan, 'metric' | 'currency' | 'model'>,
): string {
  return `dl:${day}:${s.subjectType}:${s.subjectId}:${l.metric}:${l.currency ?? '-'}:${l.model ?? '*'}`;
}

/** Extra room beyond a limit under the grace policy: graceNanos for cost limits, else gracePercent of the limit. */
function graceAllowance(plan: PlanWithLimits, l: DailyLimitPlan): bigint {
  if (plan.overflowPolicy !== 'grace') return 0n;
  if (l.metric === 'cost' && plan.graceNanos !== null) return plan.graceNanos;
  return plan.gracePercent === null ? 0n : (l.limitValue * BigInt(plan.gracePercent)) / 100n;
}

function limitHeaders(l: DailyLimitPlan, used: bigint, resetsAt: Date): Record<string, string> {
  const remaining = l.limitValue - used;
  return {
    [LIMIT_HEADERS.limit]: l.limitValue.toString(),
    [LIMIT_HEADERS.remaining]: (remaining > 0n ? remaining : 0n).toString(),
    [LIMIT_HEADERS.reset]: resetsAt.toISOString(),
    [LIMIT_HEADERS.metric]: l.metric,
    ...(l.currency ? { [LIMIT_HEADERS.currency]: l.currency } : {}),
  };
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
async function rebuildTotal(db: Db, day: string, s: Subject, l: DailyLimitPlan): Promise<bigint> {
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
