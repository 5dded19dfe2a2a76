import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Metrics } from '../http/metrics.ts';
import { BreakerRegistry } from '../infra/circuit-breaker.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { logger } from '../lib/logger.ts';
import { EmailSender } from '../notifications/email.ts';
import { NotificationService } from '../notifications/service.ts';
import { WebhookEndpoints } from '../notifications/webhooks.ts';
import type { OutboxWorker } from '../outbox/worker.ts';
import type { PubSub } from '../pubsub.ts';
import { RiskServices } from './service.ts';
import { RiskSettingsStore } from './settings.ts';

/** Builds `services.risk`, `services.notifications` and `services.breakers` (called once by src/app.ts). */
export function createRiskServices(deps: {
  config: Config;
  db: Db;
  state: SharedState;
  pubsub: PubSub;
  outbox: OutboxWorker;
  metrics: Metrics;
  clock: () => Date;
}) {
  const { config } = deps;
  const nowMs = () => deps.clock().getTime();
  const settings = new RiskSettingsStore(deps.db, deps.state, config.RISK_SETTINGS_CACHE_TTL_MS, nowMs);
  const webhooks = new WebhookEndpoints({
    db: deps.db,
    encryptionKey: config.TOLLGATE_ENCRYPTION_KEY,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    rotationGraceSeconds: config.WEBHOOK_SECRET_ROTATION_GRACE_SECONDS,
    allowPrivateUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
    nowMs,
  });
  const email = config.SMTP_URL
    ? new EmailSender(config.SMTP_URL, config.SMTP_FROM, config.SMTP_TIMEOUT_MS)
    : null;
  const notifications = new NotificationService({
    db: deps.db,
    state: deps.state,
    pubsub: deps.pubsub,
    settings,
    webhooks,
    email,
    nowMs,
  });
  notifications.register(deps.outbox);
  const risk = new RiskServices({ db: deps.db, state: deps.state, notifier: notifications, settings, nowMs });
  const breakers = new BreakerRegistry(
    deps.metrics.registry,
    {
      consecutiveFailuresMax: config.CIRCUIT_BREAKER_CONSECUTIVE_FAILURES,
      failureRatePercentMax: config.CIRCUIT_BREAKER_FAILURE_RATE_PERCENT,
      windowCallsMin: config.CIRCUIT_BREAKER_WINDOW_CALLS_MIN,
      windowMs: config.CIRCUIT_BREAKER_WINDOW_MS,
      openMs: config.CIRCUIT_BREAKER_OPEN_MS,
    },
    nowMs,
  );

  /** Background jobs of this domain; returns their stop function. */
  const start = (): (() => Promise<void>) => {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    let stopped = false;
    const interval = config.KEY_EXPIRY_SWEEP_INTERVAL_MS;
    if (interval > 0) {
      const tick = () => {
        running = notifications
          .sweepExpiringKeys()
          .catch((err) => logger.error({ err }, 'key expiry sweep failed'))
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, interval);
          });
      };
      timer = setTimeout(tick, Math.min(interval, 10_000));
    }
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      await settings.close();
      email?.close();
    };
  };

  return { risk, notifications, webhooks, breakers, start };
}

export type RiskWiring = ReturnType<typeof createRiskServices>;
