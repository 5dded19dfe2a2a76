import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import type { SharedState } from './infra/shared-state.ts';
import type { OutboxWorker } from './outbox/worker.ts';
import type { Metrics } from './http/metrics.ts';
import type { PubSub } from './pubsub.ts';
import type { PricingService } from './pricing/price-rules.ts';
import type { PlanService } from './plans/plans.ts';
import type { DailyLimits } from './plans/daily-limits.ts';
import type { LedgerService } from './ledger/ledger-service.ts';
import type { ApiKeyService } from './identity/api-keys.ts';
import type { AuthFailureLimiter } from './identity/auth-failure-limiter.ts';
import type { LiteLLMService } from './integrations/litellm/service.ts';
import type { AdmissionService } from './admission/admission-service.ts';
import type { LagoIntegration } from './integrations/lago/handlers.ts';
import type { RiskServices } from './risk/service.ts';
import type { AccountMailer } from './identity/sign-in/account-mail.ts';
import type { SessionService } from './identity/sign-in/sessions.ts';
import type { SignInLimiter } from './identity/sign-in/sign-in-limiter.ts';
import type { NotificationService } from './notifications/service.ts';
import type { BreakerRegistry } from './infra/circuit-breaker.ts';
import type { PaymentService } from './payments/payment-service.ts';

/**
 * The composition root's product: every shared domain service, built once per process in
 * src/app/compose.ts. The edges (GraphQL context, HTTP routes, webhooks) read it; domain code takes
 * the narrow interfaces it uses instead (the dependency check in .dependency-cruiser.cjs forbids
 * domains importing this file).
 */
export interface Services {
  config: Config;
  database: Database;
  db: Database['prisma'];
  state: SharedState;
  pubsub: PubSub;
  outbox: OutboxWorker;
  metrics: Metrics;
  clock: () => Date;
  /** Wallets, the double-entry ledger and two-phase holds (src/ledger, docs/ledger.md). */
  ledger: LedgerService;
  /** Resolves a Tollgate API key secret to a principal (identity domain); cached, invalidated across processes. */
  apiKeys: ApiKeyService;
  /** Wrong credentials per source address per minute, shared across replicas (429 over the limit). */
  authFailures: AuthFailureLimiter;
  /** Browser sessions of signed-in people (src/identity/sign-in/sessions.ts). */
  sessions: SessionService;
  /** Failed sign-ins per email and per address, shared across replicas. */
  signInLimiter: SignInLimiter;
  /** Verification and password-reset emails (src/identity/sign-in/account-mail.ts). */
  accountMail: AccountMailer;
  /** Account emails asked for per email and per address, shared across replicas. */
  accountEmailLimiter: SignInLimiter;
  /** LiteLLM admin sync, budget backstop and drift, and `credentialFor(apiKeyId)` for the proxy. */
  litellm: LiteLLMService;
  /** Auth, plan checks, pricing and wallet hold/settle for the proxy (src/admission/port.ts). */
  admission: AdmissionService;
  /** Price rules: `priceFor`, `requirePrice` (MODEL_NOT_PRICED), exact `computeCost`, `estimateMaxCost`. */
  pricing: PricingService;
  /** Plans, their daily limits and assignments; `effectivePlan(ids)`. */
  plans: PlanService;
  /** Daily-limit enforcement shared across processes: `admit` → `commit` / `cancel`, `todayUsage`. */
  dailyLimits: DailyLimits;
  /** Lago client and outbox handlers (src/integrations/lago); undefined when Lago is not configured. */
  lago?: LagoIntegration;
  /** Rate limits, spend velocity and payment risk (src/risk, docs/risk-and-notifications.md). */
  risk: RiskServices;
  /** `notify(tx, …)` once per crossing, fanned out to webhooks, email and subscriptions. */
  notifications: NotificationService;
  /** One circuit breaker per upstream: `breakers.get('litellm').execute(fn)`. */
  breakers: BreakerRegistry;
  /** Top-ups, provider webhooks, refunds, disputes and reconciliation (src/payments, docs/payments.md). */
  payments: PaymentService;
}
