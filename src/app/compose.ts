import type { Config } from '../config.ts';
import { type Database, openDatabase } from '../db/client.ts';
import { createMetrics } from '../http/metrics.ts';
import { BreakerRegistry } from '../infra/circuit-breaker.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { openSharedState } from '../infra/redis-shared-state.ts';
import { logger } from '../lib/logger.ts';
import { ApiKeyService } from '../identity/api-keys.ts';
import { decryptSecret } from '../identity/crypto.ts';
import { AuthFailureLimiter } from '../identity/auth-failure-limiter.ts';
import { createAccountMailer } from '../identity/sign-in/account-mail.ts';
import { SessionService } from '../identity/sign-in/sessions.ts';
import { SignInLimiter } from '../identity/sign-in/sign-in-limiter.ts';
import { createLiteLLM } from '../integrations/litellm/service.ts';
import { registerLagoHandlers } from '../integrations/lago/handlers.ts';
import { createAdmission } from '../admission/admission-service.ts';
import { JournalRecovery } from '../admission/journal-recovery.ts';
import { HoldSweeper } from '../ledger/hold-sweeper.ts';
import { UsageRollupJob } from '../admission/usage-rollup.ts';
import { createLedger } from '../ledger/ledger-service.ts';
import { EmailSender } from '../notifications/email.ts';
import { limitChangedNotifier } from '../notifications/limit-notifications.ts';
import { createNotifications } from '../notifications/wiring.ts';
import { createOutbox } from '../outbox/wiring.ts';
import { createPayments, startPaymentJobs } from '../payments/wiring.ts';
import { createPlanServices } from '../plans/wiring.ts';
import { type ProxyHandler, createProxyHandler } from '../proxy/routes.ts';
import { createSharedPubSub } from '../pubsub.ts';
import { createRisk, createRiskSettings } from '../risk/wiring.ts';
import type { Services } from '../services.ts';
import { openJournal } from './journal.ts';

export interface CompositionOverrides {
  database?: Database;
  state?: SharedState;
  clock?: () => Date;
}

/** Every service of one process, built once, and what starts and stops them. */
export interface Composition {
  services: Services;
  /** The OpenAI-compatible proxy (/v1/*, docs/proxy.md); its routes are registered by src/app.ts. */
  proxy: ProxyHandler;
  /** Starts the background jobs (outbox, hold sweeper, syncs, journal recovery, reconciler). */
  start(): void;
  /**
   * Stops in the order money needs: postings still failing get SETTLEMENT_DRAIN_TIMEOUT_MS, then the
   * jobs stop, requests in flight finish, admission flushes its postings. Call before closing the server.
   */
  stop(): Promise<void>;
  /** Closes the shared state and (unless supplied) the database. Call after the server closed. */
  release(): Promise<void>;
}

/**
 * The composition root: the only module that knows every service. It builds them in dependency
 * order (each from the narrow pieces it uses), so nothing is bound late or mutated after it is
 * built.
 */
export async function compose(config: Config, overrides: CompositionOverrides = {}): Promise<Composition> {
  const database =
    overrides.database ??
    (await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.TOLLGATE_DATA_DIR,
      poolSize: config.DATABASE_POOL_SIZE,
    }));
  if (config.MIGRATE_ON_START && !overrides.database) {
    const applied = await database.migrate();
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const db = database.prisma;
  const state = overrides.state ?? openSharedState(config.REDIS_URL);
  const clock = overrides.clock ?? (() => new Date());
  const nowMs = () => clock().getTime();
  const metrics = createMetrics();
  const pubsub = createSharedPubSub(state);
  const outbox = createOutbox({ db, config });
  const breakers = new BreakerRegistry(
    metrics.registry,
    {
      consecutiveFailuresMax: config.CIRCUIT_BREAKER_CONSECUTIVE_FAILURES,
      failureRatePercentMax: config.CIRCUIT_BREAKER_FAILURE_RATE_PERCENT,
      windowCallsMin: config.CIRCUIT_BREAKER_WINDOW_CALLS_MIN,
      windowMs: config.CIRCUIT_BREAKER_WINDOW_MS,
      openMs: config.CIRCUIT_BREAKER_OPEN_MS,
    },
    nowMs,
  );

  // Identity: keys are cached and invalidated across processes once started.
  const apiKeys = new ApiKeyService({ db, state, clock, cacheTtlMs: config.API_KEY_CACHE_TTL_MS });
  await apiKeys.start();
  const authFailures = new AuthFailureLimiter(state, {
    perMinute: config.AUTH_FAILURES_PER_MINUTE,
    clientIpHeader: config.CLIENT_IP_HEADER,
    nowMs,
  });
  const sessions = new SessionService({
    db,
    clock,
    idleTtlSeconds: config.SESSION_IDLE_TTL_SECONDS,
    absoluteTtlSeconds: config.SESSION_ABSOLUTE_TTL_SECONDS,
    // Same broadcast as revoked keys: open subscriptions match it by the credential's hash.
    onInvalidated: (hashes) => apiKeys.invalidate(hashes),
    requireTotpForOperators: config.TOTP_REQUIRED_FOR_OPERATORS,
  });
  const signInLimiter = new SignInLimiter(state, {
    perEmail: config.SIGN_IN_FAILURES_PER_EMAIL,
    perAddress: config.SIGN_IN_FAILURES_PER_ADDRESS,
    windowSeconds: config.SIGN_IN_FAILURE_WINDOW_SECONDS,
    nowMs,
  });
  const accountEmailLimiter = new SignInLimiter(state, {
    perEmail: config.ACCOUNT_EMAILS_PER_EMAIL,
    perAddress: config.ACCOUNT_EMAILS_PER_ADDRESS,
    windowSeconds: config.ACCOUNT_EMAIL_WINDOW_SECONDS,
    nowMs,
    prefix: 'account-emails',
    message: 'Too many account emails asked for; retry later',
  });
  const accountMail = createAccountMailer({
    sender: config.SMTP_URL
      ? new EmailSender(config.SMTP_URL, config.SMTP_FROM, config.SMTP_TIMEOUT_MS)
      : null,
    baseUrl: config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`,
  });

  const litellm = createLiteLLM({ config, db, metrics, clock, outbox, decryptSecret });
  const lago = registerLagoHandlers({ config, db, outbox, clock });

  const ledger = createLedger({
    db,
    clock,
    pubsub,
    holdTtlMs: config.HOLD_TTL_MS,
    overshootMaxPercent: config.LEDGER_SETTLE_OVERSHOOT_MAX_PERCENT,
    onWalletMoneyMoved: (tx, walletId) => litellm.budgets.enqueueWalletPush(tx, walletId),
  });
  const holdSweeper = new HoldSweeper(ledger, { intervalMs: config.HOLD_SWEEP_INTERVAL_MS });

  // Notification settings live in risk_settings: the store comes first, then its two readers.
  const riskSettings = createRiskSettings({ config, db, state, nowMs });
  const notifications = createNotifications({
    config,
    db,
    state,
    pubsub,
    outbox,
    settings: riskSettings,
    nowMs,
  });
  const risk = createRisk({
    db,
    state,
    settings: riskSettings,
    notifier: notifications.notifications,
    nowMs,
  });

  const plans = createPlanServices({
    db,
    state,
    pubsub,
    clock,
    priceCacheTtlMs: config.PRICE_CACHE_TTL_MS,
    onLimitChanged: limitChangedNotifier({ notifier: notifications.notifications, db }),
  });

  const core = {
    config,
    database,
    db,
    state,
    pubsub,
    outbox,
    metrics,
    clock,
    ledger,
    apiKeys,
    authFailures,
    sessions,
    signInLimiter,
    accountMail,
    accountEmailLimiter,
    litellm,
    ...plans,
    risk,
    notifications: notifications.notifications,
    breakers,
    ...(lago ? { lago } : {}),
  };

  const journal = openJournal(config, state, overrides.state !== undefined);
  const admission = createAdmission(core, journal);
  const recovery = new JournalRecovery(
    journal,
    (batch) => admission.recoverOrphans(batch),
    config.SETTLEMENT_RECOVERY_INTERVAL_MS,
  );
  const payments = createPayments(core);
  const services: Services = { ...core, admission, payments };

  const proxy = createProxyHandler({
    config,
    admission,
    authFailures,
    metrics,
    breaker: breakers.get('litellm'),
  });

  const jobStops: (() => Promise<void>)[] = [];
  return {
    services,
    proxy,
    start() {
      if (config.OUTBOX_ENABLED) {
        outbox.start();
        jobStops.push(() => outbox.stop());
      }
      if (config.HOLD_SWEEPER_ENABLED) {
        holdSweeper.start();
        jobStops.push(() => holdSweeper.stop());
      }
      jobStops.push(litellm.startBudgetSync());
      jobStops.push(notifications.start());
      jobStops.push(startPaymentJobs(services));
      recovery.start();
      jobStops.push(() => recovery.stop());
      if (config.USAGE_ROLLUP_INTERVAL_MS > 0) {
        // Wall clock, as the usage writer's createdAt (src/admission/usage-record.ts).
        const rollup = new UsageRollupJob(db, state, () => new Date(), config.USAGE_ROLLUP_INTERVAL_MS);
        rollup.start();
        jobStops.push(() => rollup.stop());
      }
    },
    async stop() {
      // Postings still failing (the database away) are retried this long, then left to the journal.
      admission.drainWithin(config.SETTLEMENT_DRAIN_TIMEOUT_MS);
      await Promise.all(jobStops.map((stop) => stop()));
      await riskSettings.close();
      await proxy.close();
      await admission.close();
      await apiKeys.stop();
    },
    async release() {
      accountMail.close();
      await state.close();
      if (!overrides.database) await database.close();
    },
  };
}
