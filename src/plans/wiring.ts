import type { Db } from '../db/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { PricingService } from '../pricing/price-rules.ts';
import type { LimitChangedEvent, PubSub } from '../pubsub.ts';
import { DailyLimitService } from './daily-limits.ts';
import { PlanService } from './plans.ts';

/** Builds the pricing, plan and daily-limit services for the composition root. */
export function createPlanServices(deps: {
  db: Db;
  state: SharedState;
  pubsub: Pick<PubSub, 'publish'>;
  clock: () => Date;
  priceCacheTtlMs?: number;
  onLimitChanged?: (event: LimitChangedEvent) => void;
}) {
  const pricing = new PricingService({
    db: deps.db,
    state: deps.state,
    clock: deps.clock,
    ...(deps.priceCacheTtlMs === undefined ? {} : { cacheTtlMs: deps.priceCacheTtlMs }),
  });
  const plans = new PlanService({
    db: deps.db,
    clock: deps.clock,
    pricing,
    state: deps.state,
    ...(deps.priceCacheTtlMs === undefined ? {} : { cacheTtlMs: deps.priceCacheTtlMs }),
  });
  const dailyLimits = new DailyLimitService({
    db: deps.db,
    state: deps.state,
    pubsub: deps.pubsub,
    ...(deps.onLimitChanged ? { onLimitChanged: deps.onLimitChanged } : {}),
    plans,
    clock: deps.clock,
  });
  return { pricing, plans, dailyLimits };
}
