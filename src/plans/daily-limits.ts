import type { Db } from '../db/client.ts';
import type { DailyLimitPlan } from '../generated/prisma/client.ts';
import { ensureCounter } from '../infra/counter-rebuild.ts';
import type { AdjustEntry, SharedState } from '../infra/shared-state.ts';
import { retryInBackground } from '../lib/background-retry.ts';
import { newId } from '../lib/ids.ts';
import type { LimitChangedEvent, PubSub } from '../pubsub.ts';
import {
  COUNTER_TTL_MS,
  REBUILD_LOCK_TTL_MS,
  REBUILD_WAIT_MS,
  RESERVE_MARK_TTL_MS,
  type Subject,
  counterKey,
  graceAllowance,
  rebuildTotal,
  reserveMark,
  toSafe,
} from './daily-counters.ts';
import type {
  ActualUsage,
  AdmitInput,
  LimitUsage,
  LimitWarning,
  PlanDecision,
  Reservation,
  ReservedCounter,
  TodayUsage,
} from './daily-limit-types.ts';
import { DailyLimitExceededError } from './errors.ts';
import { LimitAnnouncer } from './limit-announcer.ts';
import { LIMIT_HEADERS, limitHeaders } from './limit-headers.ts';
import type { LimitMetric, PlanService, PlanWithLimits, SubjectIds } from './plans.ts';
import { DEFAULT_TIME_ZONE, type PlanDayBounds, planDayBounds } from './time-zone.ts';

/** The service's contract types, for its callers (admission, GraphQL). */
export type * from './daily-limit-types.ts';

/** What the daily limits need: the counters, the usage records they are rebuilt from, the plans. */
export interface DailyLimitDeps {
  db: Pick<Db, 'usageRecord'>;
  state: Pick<
    SharedState,
    'get' | 'del' | 'reserve' | 'releaseMarked' | 'adjustExisting' | 'addRebuiltTotal'
  >;
  pubsub: Pick<PubSub, 'publish'>;
  /** Called once per crossing, after the event is published (notification fan-out). */
  onLimitChanged?: (event: LimitChangedEvent) => void;
  plans: Pick<PlanService, 'effectivePlan'>;
  clock: () => Date;
}

/** The daily limits as the rest of the gateway sees them (admission, GraphQL). */
export interface DailyLimits {
  admit(input: AdmitInput): Promise<PlanDecision>;
  commit(reservation: Reservation, actual: ActualUsage): Promise<void>;
  cancel(reservation: Reservation): Promise<void>;
  todayUsage(ids: SubjectIds & { at?: Date }): Promise<TodayUsage | null>;
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

/**
 * Daily limits of plans, shared by every gateway process through SharedState counters that
 * reserve like holds: admit reserves the estimate against every limit that applies, commit moves
 * it to the actual amount, cancel gives it back. A counter missing from SharedState is rebuilt from
 * usage_records of that plan day (the source of truth) before anything reserves against it.
 */
export class DailyLimitService implements DailyLimits {
  private readonly announcer: LimitAnnouncer;

  constructor(private readonly deps: DailyLimitDeps) {
    this.announcer = new LimitAnnouncer(deps);
  }

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
      markIndex: input.markIndex,
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
    let attempt = await this.tryReserve(
      plan,
      subject,
      bounds,
      input.model,
      input.currency,
      estimate,
      input.markIndex,
    );
    let model = input.model;
    let firstFailure = attempt.failed;
    if (!attempt.ok && plan.overflowPolicy === 'degrade') {
      const target = (plan.degradeMap as Record<string, string>)[input.model];
      if (target) {
        const e = input.estimateFor ? await input.estimateFor(target) : estimate;
        const degraded = await this.tryReserve(
          plan,
          subject,
          bounds,
          target,
          input.currency,
          { costNanos: e.costNanos, tokens: BigInt(e.tokens) },
          input.markIndex,
        );
        if (degraded.ok) {
          attempt = degraded;
          model = target;
          firstFailure = undefined;
        }
      }
    }
    if (!attempt.ok) {
      const f = firstFailure ?? attempt.failed!;
      await this.announcer.reached(plan, subject, bounds, f.limitRow, f.used);
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
        warnings.push(...(await this.announcer.crossings(plan, subject, bounds, c.limitRow, c.value)));
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
        await this.announcer.fromReservation(reservation, m.c, value);
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
    markIndex: string | undefined,
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
        for (const key of tried) await this.deps.state.releaseMarked(key, reserveMark(id, key), markIndex);
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
          index: markIndex,
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
    if (rebuilt) await this.announcer.reset(plan, subject, bounds, l);
  }

  /**
   * Adjusts the counters that still exist (a lost one is rebuilt from usage_records instead), the
   * first time this reservation is settled or cancelled; null after.
   */
  private adjustOnce(r: Reservation, entries: AdjustEntry[]) {
    return this.deps.state.adjustExisting(
      entries,
      COUNTER_TTL_MS,
      { key: `dlres:${r.id}`, ttlMs: COUNTER_TTL_MS },
      // Settled or cancelled: nothing left to give back if this process dies (journal-recovery.ts).
      { marks: r.counters.map((c) => reserveMark(r.id, c.key)), index: r.markIndex },
    );
  }
}
