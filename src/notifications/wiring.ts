import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { logger } from '../lib/logger.ts';
import type { OutboxHandlers } from '../outbox/worker.ts';
import type { PubSub } from '../pubsub.ts';
import { EmailSender } from './email.ts';
import { NotificationService } from './service.ts';
import type { NotificationSettingsSource } from './settings.ts';
import { WebhookEndpoints } from './webhooks.ts';

export type NotificationsConfig = Pick<
  Config,
  | 'TOLLGATE_ENCRYPTION_KEY'
  | 'WEBHOOK_TIMEOUT_MS'
  | 'WEBHOOK_SECRET_ROTATION_GRACE_SECONDS'
  | 'WEBHOOK_ALLOW_PRIVATE_URLS'
  | 'SMTP_URL'
  | 'SMTP_FROM'
  | 'SMTP_TIMEOUT_MS'
  | 'KEY_EXPIRY_SWEEP_INTERVAL_MS'
>;

export interface Notifications {
  /** `notify(tx, …)` once per crossing, fanned out to webhooks, email and subscriptions. */
  notifications: NotificationService;
  /** Customer webhook endpoints (GraphQL manages them; the outbox delivers through them). */
  webhooks: WebhookEndpoints;
  /** Starts the key-expiry sweep; the returned function stops it and closes the mail transport. */
  start(): () => Promise<void>;
}

/**
 * Builds the notification domain and registers its outbox topics (webhook, email, publish).
 * Settings are read through `settings` (src/risk/settings.ts in production), never imported.
 */
export function createNotifications(deps: {
  config: NotificationsConfig;
  db: Db;
  state: SharedState;
  pubsub: PubSub;
  outbox: OutboxHandlers;
  settings: NotificationSettingsSource;
  nowMs: () => number;
}): Notifications {
  const { config, nowMs } = deps;
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
    settings: deps.settings,
    webhooks,
    email,
    nowMs,
  });
  notifications.register(deps.outbox);

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
      email?.close();
    };
  };

  return { notifications, webhooks, start };
}
