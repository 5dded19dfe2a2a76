import type { Db } from '../db/client.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { newId } from '../lib/ids.ts';
import { logger } from '../lib/logger.ts';
import { type OutboxEnqueue, enqueueOutbox } from '../outbox/outbox.ts';
import type { OutboxDelivery, OutboxHandlers } from '../outbox/worker.ts';
import type { PubSub as YogaPubSub } from 'graphql-yoga';
import type { PubSub } from '../pubsub.ts';
import { EMAIL_TOPIC, type EmailSender, renderEmail } from './email.ts';
import type { NotificationSettingsSource } from './settings.ts';
import type { NotificationEvent, NotificationInput } from './types.ts';
import {
  WEBHOOK_TOPIC,
  type WebhookDeliveryPayload,
  type WebhookEndpoints,
  webhookOrderingKey,
} from './webhooks.ts';

export const PUBLISH_TOPIC = 'notification.publish';

/**
 * A root client or a transaction client. (src/db/client.ts's `Tx` currently resolves to never, so
 * the Prisma type is named here directly.)
 */
export type DbClient = Db | Prisma.TransactionClient;

/** What domain services need to raise a notification (injected, so they can be tested with a fake). */
export interface Notifier {
  notify(client: DbClient, input: NotificationInput): Promise<{ created: boolean; id: string | null }>;
}

/** The GraphQL subscription channel of one organization's notifications. */
export const notificationChannel = (organizationId: string) => `notification:${organizationId}` as const;

/** The shared pub/sub, typed for notification channels (src/pubsub.ts stays the other domains'). */
export type NotificationPubSub = YogaPubSub<{ [K in `notification:${string}`]: [NotificationEvent] }>;
export const notificationPubSub = (pubsub: PubSub) => pubsub as unknown as NotificationPubSub;

/** Dedupe keys of the notifications other domains raise: one notification per fact. */
export const notificationKeys = {
  paymentSucceeded: (paymentId: string) => `payment_succeeded:${paymentId}`,
  paymentFailed: (paymentId: string) => `payment_failed:${paymentId}`,
  refundSucceeded: (refundId: string) => `refund_succeeded:${refundId}`,
  disputeOpened: (disputeId: string) => `dispute_opened:${disputeId}`,
  /** One per payment and event (or reconciliation run): a replayed event does not notify twice. */
  paymentReviewRequired: (paymentId: string, cause: string) =>
    `payment_review_required:${paymentId}:${cause}`,
  /** periodStart: the limit period's start (ISO), so each period fires once. */
  dailyLimit: (
    kind: 'warning' | 'reached',
    subjectType: string,
    subjectId: string,
    metric: string,
    periodStart: string,
  ) => `daily_limit_${kind}:${subjectType}:${subjectId}:${metric}:${periodStart}`,
  keyExpiring: (apiKeyId: string, expiresAt: Date) => `key_expiring:${apiKeyId}:${expiresAt.toISOString()}`,
  balanceLow: (walletId: string, thresholdNanos: bigint, epoch: number) =>
    `balance_low:${walletId}:${thresholdNanos}:${epoch}`,
};

/**
 * Raises notifications and fans them out. `notify` inserts the `notifications` row (its unique
 * dedupeKey makes a repeat a no-op) and, in the same transaction, outbox messages: one signed
 * webhook per subscribed endpoint, one email when SMTP and recipients are configured, and one
 * publish to GraphQL subscribers. So everything leaves only after commit, exactly once per
 * notification (webhook receivers dedupe retries by Tollgate-Event-Id).
 */
export class NotificationService implements Notifier {
  constructor(
    private readonly deps: {
      db: Db;
      state: SharedState;
      pubsub: PubSub;
      settings: NotificationSettingsSource;
      webhooks: WebhookEndpoints;
      email: EmailSender | null;
      nowMs: () => number;
    },
  ) {}

  /** Endpoint management (create, rotate, update, delete) for the GraphQL layer. */
  get webhooks(): WebhookEndpoints {
    return this.deps.webhooks;
  }

  /** Registers the delivery handlers on the outbox worker. */
  register(outbox: OutboxHandlers): void {
    outbox.register(WEBHOOK_TOPIC, (d) => this.deps.webhooks.deliver(d));
    outbox.register(PUBLISH_TOPIC, (d) => this.publish(d));
    if (this.deps.email) {
      const email = this.deps.email;
      outbox.register(EMAIL_TOPIC, (d) => email.deliver(d));
    }
  }

  async notify(client: DbClient, input: NotificationInput): Promise<{ created: boolean; id: string | null }> {
    // A transaction client has no $connect; a root client gets a transaction of its own.
    if ('$connect' in client) return (client as Db).$transaction((tx) => this.notify(tx, input));
    const id = newId('ntf');
    const createdAt = new Date(this.deps.nowMs());
    const inserted = await client.notification.createMany({
      data: [
        {
          id,
          organizationId: input.organizationId,
          type: input.type,
          dedupeKey: input.dedupeKey,
          payload: input.payload as object,
          createdAt,
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count === 0) return { created: false, id: null };
    const event: NotificationEvent = {
      id,
      type: input.type,
      organizationId: input.organizationId,
      createdAt: createdAt.toISOString(),
      data: input.payload as unknown as Record<string, unknown>,
    };
    const messages: OutboxEnqueue[] = [{ topic: PUBLISH_TOPIC, payload: event, dedupeKey: `publish:${id}` }];
    if (input.organizationId) {
      const body = JSON.stringify(event);
      const endpoints = await client.webhookEndpoint.findMany({
        where: {
          organizationId: input.organizationId,
          status: 'active',
          OR: [{ eventTypes: { has: input.type } }, { eventTypes: { isEmpty: true } }],
        },
        select: { id: true },
      });
      for (const e of endpoints) {
        const payload: WebhookDeliveryPayload = {
          endpointId: e.id,
          eventId: id,
          eventType: input.type,
          body,
        };
        messages.push({
          topic: WEBHOOK_TOPIC,
          payload,
          orderingKey: webhookOrderingKey(e.id),
          dedupeKey: `webhook:${e.id}:${id}`,
        });
      }
      if (this.deps.email) {
        const n = (await this.deps.settings.effective({ organizationId: input.organizationId }, client))
          .notifications;
        const wanted = !n?.emailEventTypes || n.emailEventTypes.includes(input.type);
        if (n?.emailRecipients?.length && wanted)
          messages.push({
            topic: EMAIL_TOPIC,
            payload: renderEmail(event, n.emailRecipients),
            dedupeKey: `email:${id}`,
          });
      }
    }
    await enqueueOutbox(client as Db, messages);
    return { created: true, id };
  }

  private async publish(d: OutboxDelivery) {
    const event = d.payload as NotificationEvent;
    if (event.organizationId)
      notificationPubSub(this.deps.pubsub).publish(notificationChannel(event.organizationId), event);
  }

  /**
   * Call after a wallet's balance changes (settle, top-up, refund) with its available balance.
   * Fires `balance_low` once per threshold crossing: each threshold keeps `<epoch>:armed|fired` in
   * shared state; a balance below an armed threshold notifies with dedupe key
   * `balance_low:<wallet>:<threshold>:<epoch>` and marks it fired; a balance back at or above a
   * fired threshold moves to the next epoch, armed. Returns how many notifications it raised.
   */
  async checkBalanceThreshold(walletId: string, balanceNanos: bigint): Promise<number> {
    const wallet = await this.deps.settings.fact(`wallet:${walletId}`, () =>
      this.deps.db.wallet.findUnique({
        where: { id: walletId },
        select: { organizationId: true, currency: true },
      }),
    );
    if (!wallet) return 0;
    const n = (await this.deps.settings.effective({ organizationId: wallet.organizationId })).notifications;
    const thresholds =
      n?.walletBalanceLowThresholdsNanos?.[walletId] ?? n?.balanceLowThresholdsNanos?.[wallet.currency] ?? [];
    let raised = 0;
    for (const raw of thresholds) {
      const threshold = BigInt(raw);
      const key = `balance-low:${walletId}:${threshold}`;
      const below = balanceNanos < threshold;
      const { epoch, fired } = await this.thresholdState(key, walletId, threshold, below);
      if (below && !fired) {
        const r = await this.notify(this.deps.db, {
          type: 'balance_low',
          organizationId: wallet.organizationId,
          dedupeKey: notificationKeys.balanceLow(walletId, threshold, epoch),
          payload: {
            walletId,
            currency: wallet.currency,
            balanceNanos: balanceNanos.toString(),
            thresholdNanos: threshold.toString(),
          },
        });
        if (r.created) raised++;
        await this.deps.state.set(key, `${epoch}:fired`);
      } else if (!below && fired) {
        await this.deps.state.set(key, `${epoch + 1}:armed`);
      }
    }
    return raised;
  }

  /** Lost shared state is rebuilt from the notifications already sent, so a crossing is not re-sent. */
  private async thresholdState(key: string, walletId: string, threshold: bigint, below: boolean) {
    const raw = await this.deps.state.get(key);
    const m = raw ? /^(\d+):(armed|fired)$/.exec(raw) : null;
    if (m) return { epoch: Number(m[1]), fired: m[2] === 'fired' };
    const sent = await this.deps.db.notification.count({
      where: { dedupeKey: { startsWith: `balance_low:${walletId}:${threshold}:` } },
    });
    const s = sent > 0 && below ? { epoch: sent - 1, fired: true } : { epoch: sent, fired: false };
    await this.deps.state.set(key, `${s.epoch}:${s.fired ? 'fired' : 'armed'}`);
    return s;
  }

  /**
   * Notifies `key_expiring` once per key and expiry date for keys that expire within the
   * organization's `notifications.keyExpiringDays`. Returns how many notifications it raised.
   */
  async sweepExpiringKeys(): Promise<number> {
    const now = this.deps.nowMs();
    const horizonDaysMax = 30;
    const keys = await this.deps.db.apiKey.findMany({
      where: {
        revokedAt: null,
        expiresAt: { gt: new Date(now), lte: new Date(now + horizonDaysMax * 86_400_000) },
      },
      select: { id: true, organizationId: true, userId: true, name: true, prefix: true, expiresAt: true },
      orderBy: { expiresAt: 'asc' },
      take: 5000,
    });
    let raised = 0;
    for (const k of keys) {
      const days = (
        await this.deps.settings.effective({
          organizationId: k.organizationId,
          userId: k.userId,
          apiKeyId: k.id,
        })
      ).notifications?.keyExpiringDays;
      if (!days || k.expiresAt!.getTime() > now + days * 86_400_000) continue;
      try {
        const r = await this.notify(this.deps.db, {
          type: 'key_expiring',
          organizationId: k.organizationId,
          dedupeKey: notificationKeys.keyExpiring(k.id, k.expiresAt!),
          payload: {
            apiKeyId: k.id,
            name: k.name,
            prefix: k.prefix,
            userId: k.userId,
            expiresAt: k.expiresAt!.toISOString(),
          },
        });
        if (r.created) raised++;
      } catch (err) {
        logger.error({ err, apiKeyId: k.id }, 'key expiry notification failed');
      }
    }
    return raised;
  }
}
