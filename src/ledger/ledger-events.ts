import { logger } from '../lib/logger.ts';
import type { BalanceChangedEvent } from '../pubsub.ts';
import type { WalletChangedEvent, WalletRow } from './types.ts';

/** What the ledger publishes, and nothing else of the pub/sub. */
export interface LedgerPublisher {
  publish(channel: `balanceChanged:${string}`, event: BalanceChangedEvent): void;
  publish(channel: 'walletChanged', event: WalletChangedEvent): void;
}

/**
 * The ledger's notices after a change. Both kinds go out after the change is committed, and a
 * lost notice never affects the ledger: subscribers re-read what they show, leases re-check.
 */
export interface LedgerEvents {
  /** `balanceChanged:<walletId>` with the wallet as the statement returned it. */
  balanceChanged(w: WalletRow, reason: string, transactionId: string | null): void;
  /** A wallet was created or its status or credit limit changed; returns `w` for chaining. */
  walletChanged(w: WalletRow): WalletRow;
  /** Calls `fn` on `walletChanged`: in this process at once (other processes hear it through pub/sub). */
  onWalletChanged(fn: (e: WalletChangedEvent) => void): void;
}

export function createLedgerEvents(pubsub: LedgerPublisher | undefined): LedgerEvents {
  const walletListeners: ((e: WalletChangedEvent) => void)[] = [];
  return {
    balanceChanged(w, reason, transactionId) {
      if (!pubsub) return;
      const event = {
        walletId: w.id,
        organizationId: w.organizationId,
        currency: w.currency,
        balanceNanos: w.balanceNanos.toString(),
        heldNanos: w.heldNanos.toString(),
        reason,
        transactionId,
      };
      // After the caller's own next step (on the proxy path: forwarding the request), in order.
      setImmediate(() => {
        try {
          pubsub.publish(`balanceChanged:${w.id}`, event);
        } catch (err) {
          logger.warn({ err, walletId: w.id }, 'balanceChanged publish failed');
        }
      });
    },
    walletChanged(w) {
      const event = { walletId: w.id, organizationId: w.organizationId };
      for (const fn of walletListeners) fn(event);
      try {
        pubsub?.publish('walletChanged', event);
      } catch (err) {
        logger.warn({ err, walletId: w.id }, 'walletChanged publish failed');
      }
      return w;
    },
    onWalletChanged(fn) {
      walletListeners.push(fn);
    },
  };
}
