import { createPubSub } from 'graphql-yoga';
import type { SharedState } from './infra/shared-state.ts';
import { logger } from './lib/logger.ts';

/**
 * Typed GraphQL pub/sub over SharedState, so an event published by any gateway process reaches the
 * subscribers of every process (Redis), or of this process (single-node mode).
 * Payloads cross the wire as JSON: amounts are strings, never numbers.
 */
export interface BalanceChangedEvent {
  walletId: string;
  organizationId: string;
  currency: string;
  balanceNanos: string;
  heldNanos: string;
  reason: string;
  transactionId: string | null;
}

export interface LimitChangedEvent {
  subjectType: string;
  subjectId: string;
  organizationId: string;
  kind: 'warning' | 'reached' | 'reset';
  metric: string;
  limit: string;
  used: string;
  resetsAt: string;
  /** The limit's model (null = every model) and currency (cost limits only). */
  model?: string | null;
  currency?: string | null;
  /** The warning threshold crossed (percent of the limit); 100 for `reached`. */
  thresholdPercent?: number | null;
  /** The plan day (YYYY-MM-DD in the plan's time zone). */
  day?: string;
}

export type PubSubEvents = {
  [K in `balanceChanged:${string}`]: [BalanceChangedEvent];
} & {
  [K in `limitChanged:${string}`]: [LimitChangedEvent];
} & {
  [K in `apiKeyRevoked`]: [{ hash: string }];
} & {
  /** A wallet was created, its status or credit limit changed, or it ran short for a request: wallet leases are retired. */
  [K in `walletChanged`]: [{ walletId: string; organizationId: string }];
};

const CHANNEL_PREFIX = 'gql:';

export function createSharedPubSub(state: SharedState) {
  const listeners = new Map<string, { unsubscribe: Promise<() => Promise<void>>; count: number }>();
  const target = new EventTarget();
  const eventTarget = {
    addEventListener(type: string, listener: any, options?: any) {
      target.addEventListener(type, listener, options);
      const entry = listeners.get(type);
      if (entry) entry.count++;
      else {
        const unsubscribe = state.subscribe(CHANNEL_PREFIX + type, (message) => {
          const event = new CustomEvent(type, { detail: JSON.parse(message) });
          target.dispatchEvent(event);
        });
        // Nobody awaits this promise: a rejection must be handled here, never end the process.
        unsubscribe.catch((err) => logger.warn({ err, channel: type }, 'pub/sub subscribe failed'));
        listeners.set(type, { count: 1, unsubscribe });
      }
    },
    removeEventListener(type: string, listener: any, options?: any) {
      target.removeEventListener(type, listener, options);
      const entry = listeners.get(type);
      if (entry && --entry.count === 0) {
        listeners.delete(type);
        void entry.unsubscribe
          .then((un) => un())
          .catch((err) => logger.warn({ err, channel: type }, 'pub/sub unsubscribe failed'));
      }
    },
    dispatchEvent(event: Event) {
      const detail = (event as CustomEvent).detail;
      // Fire and forget: a lost event never affects what it reports (e.g. one published during shutdown).
      state
        .publish(CHANNEL_PREFIX + event.type, JSON.stringify(detail))
        .catch((err) => logger.warn({ err, channel: event.type }, 'pub/sub publish failed'));
      return true;
    },
  };
  const pubsub = createPubSub<PubSubEvents>({ eventTarget: eventTarget as any });
  return Object.assign(pubsub, {
    /**
     * Resolves once this process receives what is published on `topic` (its shared-state
     * subscription is in place), for a subscriber that listens and then reads the current state:
     * nothing published after the read can be missed. Resolves at once for a topic nobody listens to.
     */
    async listening(topic: keyof PubSubEvents & string): Promise<void> {
      await listeners.get(topic)?.unsubscribe;
    },
  });
}

export type PubSub = ReturnType<typeof createSharedPubSub>;
