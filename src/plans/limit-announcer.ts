import type { DailyLimitPlan } from '../generated/prisma/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { logger } from '../lib/logger.ts';
import type { LimitChangedEvent, PubSub } from '../pubsub.ts';
import { COUNTER_TTL_MS, type Subject, counterKey } from './daily-counters.ts';
import type { LimitWarning, ReservedCounter, Reservation } from './daily-limit-types.ts';
import type { LimitMetric, PlanWithLimits } from './plans.ts';
import { type PlanDayBounds, planDayOf } from './time-zone.ts';

/**
 * Tells subscribers (and the notification fan-out) when a daily limit's warning threshold or the
 * limit itself is first crossed, and when a limit reached yesterday resets. Each announcement is
 * claimed once per plan day through a SharedState flag, so any number of gateway processes make it
 * once.
 */
export class LimitAnnouncer {
  constructor(
    private readonly deps: {
      state: Pick<SharedState, 'get' | 'reserve'>;
      pubsub: Pick<PubSub, 'publish'>;
      /** Called once per crossing, after the event is published (notification fan-out). */
      onLimitChanged?: (event: LimitChangedEvent) => void;
    },
  ) {}

  async fromReservation(r: Reservation, c: ReservedCounter, value: bigint) {
    const limitRow = {
      metric: c.metric,
      currency: c.currency,
      model: c.model,
      limitValue: BigInt(c.limit),
    } as DailyLimitPlan;
    const plan = { warnThresholds: r.warnThresholds } as PlanWithLimits;
    const bounds = { day: r.day, resetsAt: new Date(r.resetsAt) } as PlanDayBounds;
    await this.crossings(
      plan,
      { organizationId: r.organizationId, subjectType: r.subjectType!, subjectId: r.subjectId! },
      bounds,
      limitRow,
      value,
    );
  }

  /** Publishes each warning threshold and the limit itself once per plan day, when first crossed. */
  async crossings(
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
    if (value >= l.limitValue) await this.reached(plan, subject, bounds, l, value);
    return warnings;
  }

  async reached(
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
  async reset(plan: PlanWithLimits, subject: Subject, bounds: PlanDayBounds, l: DailyLimitPlan) {
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
