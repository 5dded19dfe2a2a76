import type { Db } from '../db/client.ts';
import { logger } from '../lib/logger.ts';
import type { Holds } from './holds.ts';
import type { OnWalletMoneyMoved } from './posting-writer.ts';
import type { HoldInput, HoldResult, ReleaseResult } from './types.ts';

/**
 * A freeze is a hold that never expires (in practice: a century) and ignores the balance, so what
 * it keeps out of reach is told apart from a request's hold by its expiry alone.
 */
const FOREVER_MS = 100 * 365 * 24 * 3600 * 1000;

/** Money kept out of reach on a wallet for an outside reason: a disputed payment, a review. */
export interface Freezes {
  /** Freezes an amount (e.g. a disputed payment) as a hold that never expires and ignores the balance. */
  freeze(input: Omit<HoldInput, 'ttlMs'>): Promise<HoldResult>;
  /** Errors: HOLD_NOT_FOUND, HOLD_ALREADY_FINALIZED (see Holds.release). */
  unfreeze(input: { holdId: string; reason?: string }): Promise<ReleaseResult>;
}

export function createFreezes(deps: {
  db: Db;
  holds: Pick<Holds, 'hold' | 'release'>;
  onWalletMoneyMoved?: OnWalletMoneyMoved | undefined;
}): Freezes {
  const { db, holds, onWalletMoneyMoved } = deps;

  /** The freeze or unfreeze has happened: a failed notice must not report it as failed (periodic syncs catch up). */
  async function movedOutsidePosting(walletId: string) {
    try {
      await onWalletMoneyMoved?.(db, walletId);
    } catch (err) {
      logger.warn({ walletId, err: (err as Error).message }, 'wallet change notice failed');
    }
  }

  return {
    async freeze(input) {
      const held = await holds.hold({ ...input, ttlMs: FOREVER_MS, enforceAvailable: false });
      await movedOutsidePosting(held.walletId);
      return held;
    },
    async unfreeze(input) {
      const released = await holds.release(input);
      await movedOutsidePosting(released.walletId);
      return released;
    },
  };
}

/** What freezes (disputes, reviews) keep out of reach on a wallet: its active holds that never expire. */
export async function frozenNanos(db: Db, walletId: string, now: Date): Promise<bigint> {
  const agg = await db.hold.aggregate({
    where: { walletId, status: 'active', expiresAt: { gt: new Date(now.getTime() + FOREVER_MS / 2) } },
    _sum: { amountNanos: true },
  });
  return agg._sum.amountNanos ?? 0n;
}
