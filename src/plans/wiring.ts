import type { Db } from '../db/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { PricingService } from '../pricing/price-rules.ts';
import type { LimitChangedEvent, PubSub } from '../pubsub.ts';
import { createPlans } from './create-plans.ts';

export interface Plans {
  /** Price rules: `priceFor`, `requirePrice` (MODEL_NOT_PRICED), exact `computeCost`, `estimateMaxCost`. */
  pricing: PricingService;
  /** Plans, their daily limits and assignments; `effectivePlan(ids)`. */
  plans: PlanService;
  /** Daily-limit enforcement shared across processes: `admit` → `commit` / `cancel`, `todayUsage`. */
  dailyLimits: DailyLimitService;
}

/** Builds the pricing, plan and daily-limit services for the composition root. */
export function createPlans(deps: {
  db: Db;
  state: SharedState;
  pubsub: Pick<PubSub, 'publish'>;
  clock: () => Date;
  priceCacheTtlMs?: number;
  onLimitChanged?: (event: LimitChangedEvent) => void;
}): Plans {
  const pricing = new PricingService({
    db: deps.db,
    state: deps.state,
    clock: deps.clock,
    ...(deps.priceCacheTtlMs === undefined ? {} : { cacheTtlMs: deps.priceCacheTtlMs }),
  });
  const { plans, dailyLimits } = createPlans({
    ...deps,
    pricing,
    ...(deps.priceCacheTtlMs === undefined ? {} : { cacheTtlMs: deps.priceCacheTtlMs }),
  });
  return { pricing, plans, dailyLimits };
}
