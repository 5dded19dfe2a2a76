import type { Db } from '../db/client.ts';
import type { Sql } from '../db/sql.ts';
import { isUniqueViolation } from '../db/unique-violation.ts';
import { IdempotencyConflictError, ValidationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { requestHash } from '../lib/request-hash.ts';
import { currentRequestId } from '../lib/request-context.ts';
import type { HoldStatus } from './accounts.ts';
import {
  HoldAlreadyFinalizedError,
  HoldNotFoundError,
  InsufficientFundsError,
  WalletNotActiveError,
} from './errors.ts';
import { FINALIZE_HOLD, HOLD, HOLD_PAYER, RESIZE_HOLD, SWEEP_ONE } from './hot-statements.ts';
import { checkIdempotencyKey } from './idempotency-keys.ts';
import type { LedgerEvents } from './ledger-events.ts';
import { checkPostingAmount } from './posting-amount.ts';
import type { HoldInput, HoldResult, Payer, ReleaseResult, WalletRow } from './types.ts';
import type { Wallets } from './wallets.ts';

/**
 * Two-phase spending: a hold reserves an amount on a wallet (balance - held must stay above
 * -creditLimit), then is settled (src/ledger/settle.ts), captured from while it stays open (a
 * lease, src/ledger/lease-captures.ts), released, or expired by the sweeper.
 */
export interface Holds {
  /**
   * Reserves amountNanos on the wallet: succeeds only if balance - held - amount >= -creditLimit,
   * checked and applied by one conditional UPDATE, with the hold row inserted in the same statement.
   * A replay of the key (same wallet, same amount) returns the original hold with idempotencyHit.
   * Errors: INVALID_AMOUNT, WALLET_NOT_FOUND, WALLET_NOT_ACTIVE, INSUFFICIENT_FUNDS, IDEMPOTENCY_CONFLICT.
   */
  hold(input: HoldInput & { enforceAvailable?: boolean }): Promise<HoldResult>;
  /**
   * A hold on the wallet that pays for `payer`'s requests: the user's wallet in the currency if it
   * exists, else the team's, else the organization's (created empty on first use). The wallet is
   * chosen inside the hold statement, so the common case is one round trip.
   */
  holdForPayer(
    input: Omit<HoldInput, 'walletId'> & { payer: Payer; enforceAvailable?: boolean },
  ): Promise<HoldResult>;
  /**
   * Grows (delta > 0, needs the funds and an active wallet) or shrinks an active hold and sets its
   * expiry to now + ttlMs. Returns the hold's new amount and the wallet, or null when nothing
   * changed: the hold is no longer active, the funds are not there, or a shrink would go below 0.
   */
  resizeHold(input: {
    holdId: string;
    deltaNanos: bigint;
    ttlMs: number;
  }): Promise<{ holdNanos: bigint; wallet: WalletRow } | null>;
  /**
   * Releases a hold without posting anything. Releasing a released hold again is a replay.
   * Errors: HOLD_NOT_FOUND, HOLD_ALREADY_FINALIZED (settled or expired).
   */
  release(input: { holdId: string; reason?: string }): Promise<ReleaseResult>;
  /**
   * Expires up to `limit` holds whose expiresAt has passed, one statement per hold, each claimed
   * with FOR UPDATE SKIP LOCKED so several sweepers (in several processes) never take the same hold.
   * Returns the ids expired by this call.
   */
  sweepExpiredHolds(limit?: number): Promise<string[]>;
}

export function createHolds(deps: {
  db: Db;
  sql: Sql;
  clock: () => Date;
  events: LedgerEvents;
  wallets: Pick<Wallets, 'getWallet' | 'payingWallet'>;
  /** Default lifetime of a hold (HOLD_TTL_MS). */
  holdTtlMs: number;
}): Holds {
  const { db, sql, clock, events, wallets } = deps;

  async function placeHold(
    input: Omit<HoldInput, 'walletId'> & { enforceAvailable?: boolean },
    walletId: string | null,
    payer: Payer | null,
  ): Promise<HoldResult> {
    const amount = checkPostingAmount(input.amountNanos);
    const key = checkIdempotencyKey(input.idempotencyKey);
    const now = clock();
    const ttlMs = input.ttlMs ?? deps.holdTtlMs;
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new ValidationError('ttlMs must be a positive integer');
    const expiresAt = new Date(now.getTime() + ttlMs);
    const id = newId('hold');
    const values = [
      amount,
      now.toISOString(),
      payer ? payer.organizationId : walletId,
      input.enforceAvailable !== false,
      id,
      key,
      input.requestId === undefined ? (currentRequestId() ?? null) : input.requestId,
      JSON.stringify(input.metadata ?? {}),
      expiresAt.toISOString(),
      ...(payer ? [payer.currency, payer.userId, payer.teamId] : []),
    ];
    let rows: (WalletRow & { holdId: string })[];
    try {
      rows = await sql.query(payer ? HOLD_PAYER : HOLD, values);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      rows = [];
    }
    const row = rows[0];
    if (row) {
      events.balanceChanged(row, 'hold', null);
      return {
        holdId: row.holdId,
        walletId: row.id,
        currency: row.currency,
        amountNanos: amount,
        availableNanos: row.balanceNanos - row.heldNanos,
        expiresAt,
        idempotencyHit: false,
      };
    }
    // Nothing held: say why (or, for a payer, find or create the wallet and try once more by id).
    if (payer) return placeHold(input, (await wallets.payingWallet(payer)).id, null);
    const wid = walletId as string;
    const existing = await db.hold.findUnique({
      where: { walletId_idempotencyKey: { walletId: wid, idempotencyKey: key } },
    });
    if (existing) {
      if (existing.requestHash !== requestHash({ walletId: wid, amountNanos: amount }))
        throw new IdempotencyConflictError('hold', key);
      const w = await wallets.getWallet(wid);
      return {
        holdId: existing.id,
        walletId: existing.walletId,
        currency: w.currency,
        amountNanos: existing.amountNanos,
        availableNanos: w.balanceNanos - w.heldNanos,
        expiresAt: existing.expiresAt,
        idempotencyHit: true,
      };
    }
    const w = await wallets.getWallet(wid);
    if (w.status !== 'active') throw new WalletNotActiveError(w.id, w.status);
    throw new InsufficientFundsError({
      walletId: w.id,
      requestedNanos: amount,
      availableNanos: w.balanceNanos - w.heldNanos,
      creditLimitNanos: w.creditLimitNanos,
    });
  }

  function finalizeHold(holdId: string, status: HoldStatus, reason: string | null) {
    const now = clock();
    return sql.query<WalletRow>(FINALIZE_HOLD, [holdId, status, now.toISOString(), reason]);
  }

  function balances(w: WalletRow) {
    return {
      balanceNanos: w.balanceNanos,
      heldNanos: w.heldNanos,
      availableNanos: w.balanceNanos - w.heldNanos,
    };
  }

  return {
    hold: (input) => placeHold(input, input.walletId, null),

    holdForPayer: (input) => placeHold(input, null, input.payer),

    async resizeHold(input) {
      if (!Number.isInteger(input.ttlMs) || input.ttlMs <= 0)
        throw new ValidationError('ttlMs must be a positive integer', { param: 'ttlMs' });
      checkPostingAmount(input.deltaNanos, { signed: true, allowZero: true, param: 'deltaNanos' });
      const now = clock();
      const expiresAt = new Date(now.getTime() + input.ttlMs);
      const rows = await sql.query<WalletRow & { holdNanos: bigint }>(RESIZE_HOLD, [
        input.holdId,
        input.deltaNanos,
        expiresAt.toISOString(),
        now.toISOString(),
      ]);
      const row = rows[0];
      if (!row) return null;
      if (input.deltaNanos !== 0n) events.balanceChanged(row, 'hold', null);
      return { holdNanos: row.holdNanos, wallet: row };
    },

    async release(input) {
      const rows = await finalizeHold(input.holdId, 'released', input.reason ?? null);
      const row = rows[0];
      if (row) {
        events.balanceChanged(row, 'hold_released', null);
        return { ...balances(row), holdId: input.holdId, walletId: row.id, idempotencyHit: false };
      }
      const h = await db.hold.findUnique({ where: { id: input.holdId } });
      if (!h) throw new HoldNotFoundError(input.holdId);
      if (h.status !== 'released') throw new HoldAlreadyFinalizedError(input.holdId, h.status);
      const w = await wallets.getWallet(h.walletId);
      return { ...balances(w), holdId: h.id, walletId: w.id, idempotencyHit: true };
    },

    async sweepExpiredHolds(limit = 100) {
      const swept: string[] = [];
      for (let i = 0; i < limit; i++) {
        const now = clock();
        const rows = await sql.query<WalletRow & { holdId: string }>(SWEEP_ONE, [now.toISOString()]);
        const row = rows[0];
        if (!row) break;
        swept.push(row.holdId);
        events.balanceChanged(row, 'hold_expired', null);
      }
      return swept;
    },
  };
}
