import type { Db } from '../db/client.ts';
import type { Sql } from '../db/sql.ts';
import { IdempotencyConflictError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { logger } from '../lib/logger.ts';
import { requestHash } from '../lib/request-hash.ts';
import { currentRequestId } from '../lib/request-context.ts';
import { HoldAlreadyFinalizedError, HoldNotFoundError } from './errors.ts';
import { SETTLE } from './hot-statements.ts';
import { IdempotencyScope } from './idempotency-keys.ts';
import type { LedgerEvents } from './ledger-events.ts';
import { checkPostingAmount } from './posting-amount.ts';
import type { SettleResult, WalletRow } from './types.ts';
import type { Wallets } from './wallets.ts';

/** The end of a request's own hold: its real cost posted and the hold closed, in one statement. */
export interface Settlement {
  /**
   * How far a settle may post beyond its hold, in percent of the hold
   * (LEDGER_SETTLE_OVERSHOOT_MAX_PERCENT). The cost above that is recorded on the hold as uncollected.
   */
  readonly overshootMaxPercent: bigint;
  /**
   * Posts the real cost of a held request (wallet → system:revenue, reason usage) and releases the
   * hold, in one statement. Cost above the hold is posted up to overshootMaxPercent of the hold
   * even if the wallet goes below its credit limit; the rest is recorded as uncollected.
   * Settling again with the same actualNanos replays the original.
   * Errors: INVALID_AMOUNT, HOLD_NOT_FOUND, HOLD_ALREADY_FINALIZED (released or expired),
   * IDEMPOTENCY_CONFLICT (already settled with another amount).
   */
  settle(input: {
    holdId: string;
    actualNanos: bigint;
    /** The request the hold was for (ledger_transactions.requestId); else the current request's. */
    requestId?: string;
    metadata?: Record<string, string | number | boolean | null>;
  }): Promise<SettleResult>;
  /** What `settle` posts for a hold of `holdNanos` and a cost of `actualNanos` (the SETTLE statement's LEAST). */
  settledAmount(holdNanos: bigint, actualNanos: bigint): bigint;
}

export function createSettlement(deps: {
  db: Db;
  sql: Sql;
  clock: () => Date;
  events: LedgerEvents;
  wallets: Pick<Wallets, 'getWallet'>;
  overshootMaxPercent: number;
}): Settlement {
  const { db, sql, clock, events, wallets } = deps;
  const pct = deps.overshootMaxPercent;
  if (!Number.isInteger(pct) || pct < 0)
    throw new Error('overshootMaxPercent must be a non-negative integer');
  const overshootMaxPercent = BigInt(pct);

  async function settleReplay(holdId: string, actual: bigint): Promise<SettleResult> {
    const h = await db.hold.findUnique({ where: { id: holdId } });
    if (!h) throw new HoldNotFoundError(holdId);
    if (h.status !== 'settled') throw new HoldAlreadyFinalizedError(holdId, h.status);
    const overshoot = h.overshootNanos ?? 0n;
    const settled = h.settledNanos ?? 0n;
    const storedActual = overshoot > 0n ? h.amountNanos + overshoot : settled;
    if (storedActual !== actual) throw new IdempotencyConflictError('hold settle', holdId);
    const w = await wallets.getWallet(h.walletId);
    return {
      holdId,
      transactionId: h.transactionId,
      settledNanos: settled,
      overshootNanos: overshoot,
      uncollectedNanos: storedActual - settled,
      balanceNanos: w.balanceNanos,
      heldNanos: w.heldNanos,
      availableNanos: w.balanceNanos - w.heldNanos,
      idempotencyHit: true,
    };
  }

  return {
    overshootMaxPercent,

    async settle(input) {
      const actual = checkPostingAmount(input.actualNanos, { allowZero: true, param: 'actualNanos' });
      const now = clock();
      const txId = newId('ltx');
      const hash = requestHash({ holdId: input.holdId, actualNanos: actual });
      const rows = await sql.query<
        WalletRow & { settledNanos: bigint; overshootNanos: bigint; transactionId: string | null }
      >(SETTLE, [
        actual,
        overshootMaxPercent,
        txId,
        now.toISOString(),
        JSON.stringify(input.metadata ?? {}),
        input.holdId,
        IdempotencyScope.settle,
        hash,
        input.requestId ?? currentRequestId() ?? null,
      ]);
      const row = rows[0];
      if (!row) return settleReplay(input.holdId, actual);
      const overshoot = row.overshootNanos;
      const uncollected = actual - row.settledNanos;
      if (uncollected > 0n)
        logger.warn(
          { holdId: input.holdId, walletId: row.id, uncollectedNanos: uncollected.toString() },
          'settle overshoot above the allowance was not posted',
        );
      events.balanceChanged(row, 'usage', row.transactionId);
      return {
        holdId: input.holdId,
        transactionId: row.transactionId,
        settledNanos: row.settledNanos,
        overshootNanos: overshoot,
        uncollectedNanos: uncollected,
        balanceNanos: row.balanceNanos,
        heldNanos: row.heldNanos,
        availableNanos: row.balanceNanos - row.heldNanos,
        idempotencyHit: false,
      };
    },

    settledAmount(holdNanos, actualNanos) {
      const cap = holdNanos + (holdNanos * overshootMaxPercent) / 100n;
      return actualNanos < cap ? actualNanos : cap;
    },
  };
}
