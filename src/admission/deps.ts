import type { Config } from '../config.ts';
import type { Database, Db } from '../db/client.ts';
import type { Metrics } from '../http/metrics.ts';
import type { ApiKeyService } from '../identity/api-keys.ts';
import type { SharedState } from '../infra/shared-state.ts';
import type { LiteLLMService } from '../integrations/litellm/service.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { DailyLimitService } from '../plans/daily-limits.ts';
import type { PlanService } from '../plans/plans.ts';
import type { PricingService } from '../pricing/price-rules.ts';
import type { PubSub } from '../pubsub.ts';
import type { RateLimitService } from '../risk/service.ts';
import type { SpendGuard } from '../risk/spend.ts';

/**
 * What admission uses of the rest of the gateway, each narrowed to the calls it makes. The
 * ledger and shared state stay whole: wallet leases and key spend limits take them as they are.
 */
export interface AdmissionDeps {
  config: Config;
  db: Db;
  database: Pick<Database, 'sql'>;
  state: SharedState;
  pubsub: PubSub;
  metrics: Pick<Metrics, 'registry'>;
  clock: () => Date;
  ledger: LedgerService;
  apiKeys: Pick<ApiKeyService, 'authenticate'>;
  plans: Pick<PlanService, 'effectivePlan'>;
  pricing: Pick<PricingService, 'requirePrice'>;
  dailyLimits: Pick<DailyLimitService, 'admit' | 'commit' | 'cancel'>;
  risk: {
    rateLimits: Pick<RateLimitService, 'checkAndReserve' | 'release' | 'adjustTokens'>;
    spend: Pick<SpendGuard, 'admit' | 'release' | 'settle'>;
  };
  litellm: Pick<LiteLLMService, 'credentialFor'>;
  notifications: Pick<NotificationService, 'checkBalanceThreshold'>;
}
