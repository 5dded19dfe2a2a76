import type { Config } from './config.ts';
import type { AuthFailureLimiter } from './identity/auth-failure-limiter.ts';
import type { ApiKeyService } from './identity/api-keys.ts';
import type { IdentityAdminServices } from './identity/access.ts';
import type { Principal } from './identity/principal.ts';
import type { AccountMailer } from './identity/sign-in/account-mail.ts';
import type { SessionService } from './identity/sign-in/sessions.ts';
import type { SignInLimiter } from './identity/sign-in/sign-in-limiter.ts';
import type { AppError } from './lib/errors.ts';
import type { LagoIntegration } from './integrations/lago/handlers.ts';
import type { LiteLLMService } from './integrations/litellm/service.ts';
import type { Metrics } from './http/metrics.ts';
import type { LedgerService } from './ledger/ledger-service.ts';
import type { NotificationService } from './notifications/service.ts';
import type { PaymentService } from './payments/payment-service.ts';
import type { DailyLimits } from './plans/daily-limits.ts';
import type { PlanService } from './plans/plans.ts';
import type { PricingService } from './pricing/price-rules.ts';
import type { PubSub } from './pubsub.ts';
import type { ReadinessDeps } from './infra/readiness.ts';
import type { RiskServices } from './risk/service.ts';
import type { SharedState } from './infra/shared-state.ts';

/**
 * What GraphQL fields call: the domain services behind the schema, nothing of the proxy, the
 * outbox worker or the webhooks. The composition root hands its services here; GraphQL code
 * never sees the rest.
 */
export interface GraphQLServices extends IdentityAdminServices, ReadinessDeps {
  config: Config;
  /** Query-cost budgets shared across replicas (src/graphql/cost-budget.ts). */
  state: SharedState;
  pubsub: PubSub;
  apiKeys: ApiKeyService;
  authFailures: AuthFailureLimiter;
  sessions: SessionService;
  signInLimiter: SignInLimiter;
  /** Verification and password-reset emails (sent at once, not through the outbox). */
  accountMail: AccountMailer;
  /** Account emails asked for per email and per address (sign-up, password reset). */
  accountEmailLimiter: SignInLimiter;
  metrics: Metrics;
  ledger: LedgerService;
  litellm: LiteLLMService;
  pricing: PricingService;
  plans: PlanService;
  dailyLimits: DailyLimits;
  risk: RiskServices;
  notifications: NotificationService;
  payments: PaymentService;
  /** Undefined when Lago is not configured. */
  lago?: LagoIntegration | undefined;
}

export interface Context {
  requestId: string;
  /** The caller's User-Agent header (Alipay picks its mobile cashier for phones); absent outside HTTP. */
  userAgent?: string | undefined;
  principal: Principal | null;
  services: GraphQLServices;
  /**
   * The credential the caller authenticated with (its SHA-256, never the secret) and a way to check
   * it again, so a long-lived subscription can end when the key is revoked. Absent outside GraphQL.
   */
  credential?: { hash: string; authenticate(): Promise<Principal | null>; expiresAt?: Date } | null;
  /**
   * A session cookie that did not authenticate (SESSION_EXPIRED, CSRF_TOKEN_INVALID): the request
   * runs as anonymous and every root field but sign-in's own answers this error (key-scopes.ts).
   */
  sessionRejection?: AppError | null;
  /** The browser exchange of an HTTP request (absent over WebSocket): cookies to set, where it came from. */
  web?: WebExchange;
}

export interface WebExchange {
  /** The request's Origin is the gateway's own, or absent (src/identity/sign-in/cookies.ts). */
  sameOrigin: boolean;
  sourceAddress: string;
  /** Whether cookies get the Secure attribute (SESSION_COOKIE_SECURE). */
  secureCookies: boolean;
  /** Adds Set-Cookie lines to the response. */
  setCookies(lines: string[]): void;
}
