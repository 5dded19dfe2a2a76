import type { Db } from '../db/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { PricingService } from '../pricing/price-rules.ts';
import type { LimitChangedEvent, PubSub } from '../pubsub.ts';
import { createPlans } from './create-plans.ts';

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
  const { plans, dailyLimits } = createPlans({
    ...deps,
    pricing,
    ...(deps.priceCacheTtlMs === undefined ? {} : { cacheTtlMs: deps.priceCacheTtlMs }),
  });
  return { pricing, plans, dailyLimits };
}
