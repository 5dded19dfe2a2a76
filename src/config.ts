import { z } from 'zod';
import { ConfigError } from './lib/errors.ts';

/**
 * Every setting comes from the environment and is validated at start. A bad value stops start-up
 * with a message naming the variable. docs/configuration.md and .env.example list them all;
 * keep the three in step (test/unit/config.test.ts checks the docs mention every variable).
 */

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
    .default(def ? 'true' : 'false')
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .default(String(def))
    .refine((v) => /^-?\d+$/.test(v.trim()), 'must be an integer')
    .transform((v) => Number.parseInt(v.trim(), 10))
    .pipe(z.number().int().min(min).max(max));

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL (${protocols.join(' or ')})`,
    );

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** Comma-separated list; blanks dropped. */
const csv = () =>
  z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    );

export const envSchema = z.object({
  // ---- server
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(8080, 0, 65535),
  // 'auto' = one per core; more than 1 needs PostgreSQL and Redis (src/cluster/workers.ts).
  TOLLGATE_WORKERS: z
    .string()
    .trim()
    .default('1')
    .refine((v) => v === 'auto' || /^[1-9]\d{0,2}$/.test(v), "must be 'auto' or a whole number from 1"),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRAPHIQL: optional(bool(false)),
  REQUEST_BODY_LIMIT_BYTES: int(10 * 1024 * 1024, 1024),
  GRAPHQL_CORS_ORIGINS: csv(),
  METRICS_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
  METRICS_TENANT_LABELS: bool(false),
  // ---- database
  DATABASE_URL: optional(url(['postgres:', 'postgresql:'])),
  DATABASE_POOL_SIZE: int(10, 1, 500),
  TOLLGATE_DATA_DIR: z.string().default('./data'),
  MIGRATE_ON_START: bool(true),
  // ---- redis
  REDIS_URL: optional(url(['redis:', 'rediss:'])),
  // ---- graphql limits (docs/security.md#graphql-limits)
  GRAPHQL_MAX_TOKENS: int(2_000, 1),
  GRAPHQL_MAX_DEPTH: int(12, 1),
  GRAPHQL_MAX_ALIASES: int(30, 0),
  GRAPHQL_MAX_DIRECTIVES: int(50, 0),
  GRAPHQL_COST_MAX: int(1_000, 1),
  GRAPHQL_COST_BUDGET_PER_MINUTE: int(10_000, 1),
  GRAPHQL_ANONYMOUS_COST_MAX: int(10, 1),
  GRAPHQL_ANONYMOUS_COST_BUDGET_PER_MINUTE: int(100, 1),
  GRAPHQL_TIMEOUT_MS: int(10_000, 100),
  /** Who may introspect the schema; unset: `authenticated` in production, `everyone` otherwise. */
  GRAPHQL_INTROSPECTION: optional(z.enum(['everyone', 'authenticated', 'off'])),
  /** "Did you mean …?" in validation errors; unset: off in production. */
  GRAPHQL_FIELD_SUGGESTIONS: optional(bool(true)),
  // ---- identity
  TOLLGATE_ADMIN_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
  AUTH_FAILURES_PER_MINUTE: int(30, 0),
  CLIENT_IP_HEADER: optional(z.string().trim().toLowerCase()),
  TOLLGATE_ENCRYPTION_KEY: optional(
    z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded'),
  ),
  API_KEY_CACHE_TTL_MS: int(30_000, 0),
  // ---- sign-in (docs/security.md#sessions)
  SESSION_IDLE_TTL_SECONDS: int(7 * 86_400, 60),
  SESSION_ABSOLUTE_TTL_SECONDS: int(30 * 86_400, 60),
  SESSION_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  SIGN_IN_FAILURES_PER_EMAIL: int(10, 0),
  SIGN_IN_FAILURES_PER_ADDRESS: int(100, 0),
  SIGN_IN_FAILURE_WINDOW_SECONDS: int(900, 1),
  SIGNUP_ENABLED: bool(false),
  EMAIL_VERIFICATION_TTL_SECONDS: int(2 * 86_400, 60),
  PASSWORD_RESET_TTL_SECONDS: int(3_600, 60),
  ACCOUNT_EMAILS_PER_EMAIL: int(5, 0),
  ACCOUNT_EMAILS_PER_ADDRESS: int(50, 0),
  ACCOUNT_EMAIL_WINDOW_SECONDS: int(3_600, 1),
  TOTP_REQUIRED_FOR_OPERATORS: bool(false),
  API_KEY_ROTATION_GRACE_SECONDS: int(86_400, 0),
  // ---- outbox
  OUTBOX_ENABLED: bool(true),
  OUTBOX_POLL_INTERVAL_MS: int(500, 10),
  OUTBOX_BATCH_SIZE: int(20, 1, 1000),
  /** Deliveries in flight at once; 0: half of DATABASE_POOL_SIZE (src/outbox/wiring.ts). */
  OUTBOX_CONCURRENCY: int(0, 0, 1000),
  OUTBOX_MAX_ATTEMPTS: int(12, 1, 1000),
  OUTBOX_BACKOFF_BASE_MS: int(1000, 1),
  OUTBOX_BACKOFF_MAX_MS: int(3_600_000, 1),
  OUTBOX_LOCK_TIMEOUT_MS: int(300_000, 1000),
  // ---- ledger
  HOLD_TTL_MS: int(600_000, 1000),
  ADMISSION_LEASES: bool(true),
  ADMISSION_LEASE_HOLDS: int(32, 2),
  ADMISSION_LEASE_MAX_SHARE_PERCENT: int(10, 1),
  ADMISSION_LEASE_TTL_MS: int(60_000, 1000),
  ADMISSION_LEASE_SYNC_MS: int(10_000, 100),
  ADMISSION_LEASE_GIVE_BACK_WAIT_MS: int(250, 0),
  HOLD_SWEEP_INTERVAL_MS: int(30_000, 100),
  HOLD_SWEEPER_ENABLED: bool(true),
  /** How often each process rolls closed usage buckets up for the console's aggregates; 0 = never. */
  USAGE_ROLLUP_INTERVAL_MS: int(300_000, 0),
  LEDGER_SETTLE_OVERSHOOT_MAX_PERCENT: int(25, 0, 1000),
  // ---- settlement journal (docs/reliability.md)
  SETTLEMENT_JOURNAL_DIR: optional(z.string().min(1)),
  SETTLEMENT_REPLICA_TTL_MS: int(10_000, 300),
  SETTLEMENT_RECOVERY_INTERVAL_MS: int(5_000, 50),
  SETTLEMENT_DRAIN_TIMEOUT_MS: int(10_000, 0),
  SETTLEMENT_LINGER_MS: int(10, 0, 1000),
  // ---- LiteLLM
  LITELLM_URL: optional(url(['http:', 'https:'])),
  LITELLM_MASTER_KEY: optional(z.string().startsWith('sk-', 'must start with sk-')),
  LITELLM_SYNC_MODE: z.enum(['admin', 'none']).default('admin'),
  LITELLM_BUDGET_SYNC_INTERVAL_MS: int(300_000, 0),
  LITELLM_BUDGET_PUSH_COALESCE_MS: int(1_000, 0),
  // ---- proxy (docs/proxy.md)
  PROXY_CONNECT_TIMEOUT_MS: int(5_000, 1),
  PROXY_HEADERS_TIMEOUT_MS: int(600_000, 1),
  PROXY_BODY_TIMEOUT_MS: int(300_000, 1),
  PROXY_POOL_CONNECTIONS: int(256, 1, 100_000),
  PROXY_MAX_BODY_BYTES: int(20 * 1024 * 1024, 1024),
  PROXY_RESPONSE_BUFFER_MAX_BYTES: int(4 * 1024 * 1024, 0),
  PROXY_COST_HEADERS: bool(true),
  PROXY_STREAM_COST_COMMENT: bool(true),
  PROXY_EXTRA_ROUTES: csv(),
  PROXY_EXTRA_BODY_FIELDS: csv(),
  PROXY_DRAIN_MAX_BYTES: int(16 * 1024 * 1024, 0),
  PROXY_DRAIN_MAX_MS: int(120_000, 0),
  PROXY_DEFAULT_MAX_TOKENS: int(4096, 1),
  PROXY_FILE_REFERENCE_TOKENS: int(32_000, 0),
  // ---- pricing and plans (docs/pricing-and-plans.md)
  PRICE_CACHE_TTL_MS: int(5_000, 0),
  // ---- Lago (docs/billing_and_lago.md)
  LAGO_API_URL: optional(url(['http:', 'https:'])),
  LAGO_API_KEY: optional(z.string().min(1)),
  LAGO_EVENTS_ENABLED: optional(bool(true)),
  LAGO_BILLABLE_METRIC_CODE: z.string().min(1).default('llm_usage'),
  LAGO_PLAN_CODE: z.string().min(1).default('tollgate_usage_{currency}'),
  LAGO_PAYMENT_MODE: z
    .enum(['invoice_status', 'manual_payment', 'granted_credits'])
    .default('invoice_status'),
  LAGO_WEBHOOK_SIGNATURE: z.enum(['hmac', 'jwt']).default('hmac'),
  LAGO_WEBHOOK_HMAC_KEY: optional(z.string().min(1)),
  LAGO_WEBHOOK_PUBLIC_KEY: optional(
    z
      .string()
      .refine(
        (v) => Buffer.from(v, 'base64').toString('utf8').includes('PUBLIC KEY'),
        'must be a base64-encoded PEM',
      ),
  ),
  LAGO_EVENTS_BATCH_SIZE: int(100, 1, 100),
  LAGO_REQUEST_TIMEOUT_MS: int(10_000, 100),
  // ---- payments (each enabled provider validates its own variables at start: src/providers/payment/registry.ts)
  PAYMENT_PROVIDERS: csv(),
  TOP_UP_PROVIDERS: optional(z.string()),
  PAYMENT_RETURN_URL: optional(url(['http:', 'https:'])),
  STRIPE_SECRET_KEY: optional(z.string()),
  STRIPE_PUBLISHABLE_KEY: optional(z.string()),
  STRIPE_WEBHOOK_SECRETS: csv(),
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: int(300, 0),
  STRIPE_API_BASE: optional(url(['http:', 'https:'])),
  STRIPE_CHECKOUT_MODE: z.enum(['payment_intent', 'checkout_session']).default('payment_intent'),
  ALIPAY_APP_ID: optional(z.string()),
  ALIPAY_APP_PRIVATE_KEY: optional(z.string()),
  ALIPAY_PUBLIC_KEY: optional(z.string()),
  ALIPAY_APP_CERT: optional(z.string()),
  ALIPAY_PUBLIC_CERT: optional(z.string()),
  ALIPAY_ROOT_CERT: optional(z.string()),
  ALIPAY_SANDBOX: bool(false),
  ALIPAY_GATEWAY_URL: optional(url(['http:', 'https:'])),
  ALIPAY_NOTIFY_URL: optional(url(['http:', 'https:'])),
  ALIPAY_SELLER_ID: optional(z.string()),
  ALIPAY_PAY_TIMEOUT_MINUTES: int(30, 1, 21_600),
  ALIPAY_DEFAULT_PRESENTATION: z.enum(['qr_code', 'page']).default('qr_code'),
  // ---- admission
  DEFAULT_CURRENCY: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 code')
    .default('USD')
    .transform((v) => v.toUpperCase()),
  // ---- payments flow
  PUBLIC_BASE_URL: optional(url(['http:', 'https:'])),
  REFUND_SPENT_CREDIT_POLICY: z.enum(['block', 'allow_negative']).default('block'),
  PAYMENT_RECONCILE_INTERVAL_MS: int(300_000, 0),
  PAYMENT_RECONCILE_AFTER_MS: int(900_000, 0),
  // ---- risk, notifications, resilience (docs/risk-and-notifications.md)
  RISK_SETTINGS_CACHE_TTL_MS: int(30_000, 0),
  SMTP_URL: optional(url(['smtp:', 'smtps:'])),
  SMTP_FROM: z.string().default('Tollgate <notifications@localhost>'),
  SMTP_TIMEOUT_MS: int(10_000, 100),
  WEBHOOK_TIMEOUT_MS: int(10_000, 100),
  WEBHOOK_SECRET_ROTATION_GRACE_SECONDS: int(86_400, 0),
  WEBHOOK_ALLOW_PRIVATE_URLS: bool(false),
  KEY_EXPIRY_SWEEP_INTERVAL_MS: int(3_600_000, 0),
  CIRCUIT_BREAKER_CONSECUTIVE_FAILURES: int(5, 1),
  CIRCUIT_BREAKER_FAILURE_RATE_PERCENT: int(50, 1, 100),
  CIRCUIT_BREAKER_WINDOW_CALLS_MIN: int(20, 1),
  CIRCUIT_BREAKER_WINDOW_MS: int(60_000, 1000),
  CIRCUIT_BREAKER_OPEN_MS: int(30_000, 100),
});

export type Config = z.infer<typeof envSchema>;

/** 32+ characters from at least 16 distinct ones: `changeme…` or a repeated word is refused in production. */
function adminTokenProblems(config: Config): string[] {
  const token = config.TOLLGATE_ADMIN_TOKEN;
  if (config.NODE_ENV !== 'production' || token === undefined) return [];
  if (token.length >= 32 && new Set(token).size >= 16) return [];
  return [
    '  TOLLGATE_ADMIN_TOKEN: in production it must be at least 32 random characters with 16 distinct ones ' +
      '(e.g. `openssl rand -base64 32`)',
  ];
}

function isOrigin(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === value;
  } catch {
    return false;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(envSchema.shape)
      .filter((k) => env[k] !== undefined)
      .map((k) => [k, env[k]]),
  );
  const parsed = envSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  const problems = [
    ...adminTokenProblems(config),
    ...config.GRAPHQL_CORS_ORIGINS.filter((o) => o !== '*' && !isOrigin(o)).map(
      (o) => `  GRAPHQL_CORS_ORIGINS: '${o}' is not an origin (scheme://host[:port])`,
    ),
    // Sign-up without email cannot verify anyone: nobody could ever sign in.
    ...(config.SIGNUP_ENABLED && config.SMTP_URL === undefined
      ? ['  SIGNUP_ENABLED: self sign-up sends verification emails; set SMTP_URL too']
      : []),
    // STRIPE_API_BASE exists only to point Stripe at the local double (tests, scripts/stripe-dev.ts):
    // a production gateway talking to it would credit top-ups nobody paid.
    ...(config.NODE_ENV === 'production' && config.STRIPE_API_BASE !== undefined
      ? [
          '  STRIPE_API_BASE: points Stripe at a local double (development only); unset it when NODE_ENV=production',
        ]
      : []),
    // The same for Alipay: a plain-http gateway can only be a double (or an attacker in the middle).
    ...(config.NODE_ENV === 'production' && config.ALIPAY_GATEWAY_URL?.startsWith('http:')
      ? ['  ALIPAY_GATEWAY_URL: must be https when NODE_ENV=production (http is for the local double)']
      : []),
  ];
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  if (config.GRAPHIQL === undefined) config.GRAPHIQL = config.NODE_ENV === 'development';
  if (config.GRAPHQL_COST_BUDGET_PER_MINUTE < config.GRAPHQL_COST_MAX)
    throw new ConfigError(
      'Invalid configuration:\n  GRAPHQL_COST_BUDGET_PER_MINUTE: must be at least GRAPHQL_COST_MAX (an operation must fit in a minute)',
    );
  if (config.GRAPHQL_ANONYMOUS_COST_BUDGET_PER_MINUTE < config.GRAPHQL_ANONYMOUS_COST_MAX)
    throw new ConfigError(
      'Invalid configuration:\n  GRAPHQL_ANONYMOUS_COST_BUDGET_PER_MINUTE: must be at least GRAPHQL_ANONYMOUS_COST_MAX',
    );
  if (config.GRAPHQL_INTROSPECTION === undefined)
    config.GRAPHQL_INTROSPECTION = config.NODE_ENV === 'production' ? 'authenticated' : 'everyone';
  if (config.GRAPHQL_FIELD_SUGGESTIONS === undefined)
    config.GRAPHQL_FIELD_SUGGESTIONS = config.NODE_ENV !== 'production';
  if (config.LAGO_EVENTS_ENABLED === undefined)
    config.LAGO_EVENTS_ENABLED = config.LAGO_API_URL !== undefined;
  return config;
}
