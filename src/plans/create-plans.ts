import type { Db } from '../db/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import type { PricingService } from '../pricing/price-rules.ts';
import type { LimitChangedEvent, PubSub } from '../pubsub.ts';
import { type DailyLimits, DailyLimitService } from './daily-limits.ts';
import { PlanService } from './plans.ts';

/** What plans and their daily limits use from the rest of the gateway. */
export interface PlansDeps {
  db: Db;
  state: SharedState;
  pubsub: Pick<PubSub, 'publish'>;
  /** Only to refuse a degrade target that has no price. */
  pricing: Pick<PricingService, 'isPriced'>;
  clock: () => Date;
  /** How long plan assignments are served from memory (default 5 s). */
  cacheTtlMs?: number;
  /** Called once per daily-limit crossing, after it is published (notification fan-out). */
  onLimitChanged?: (event: LimitChangedEvent) => void;
}

/** Builds the plans domain: plan and assignment admin, and the daily limits admission reserves against. */
export function createPlans(deps: PlansDeps): { plans: PlanService; dailyLimits: DailyLimits } {
  const plans = new PlanService({
    db: deps.db,
    clock: deps.clock,
    pricing: deps.pricing,
    state: deps.state,
    ...(deps.cacheTtlMs === undefined ? {} : { cacheTtlMs: deps.cacheTtlMs }),
  });
  const dailyLimits = new DailyLimitService({
    db: deps.db,
    state: deps.state,
    pubsub: deps.pubsub,
    plans,
    clock: deps.clock,
    ...(deps.onLimitChanged ? { onLimitChanged: deps.onLimitChanged } : {}),
  });
  return { plans, dailyLimits };
}
