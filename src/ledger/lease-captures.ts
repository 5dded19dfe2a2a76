import type { Db } from '../db/client.ts';
import type { Sql } from '../db/sql.ts';
import { isUniqueViolation } from '../db/unique-violation.ts';
import { IdempotencyConflictError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { requestHash } from '../lib/request-hash.ts';
import { currentRequestId } from '../lib/request-context.ts';
import { CAPTURE_FROM_HOLD, CAPTURE_MANY_FROM_HOLD } from './hot-statements.ts';
import { IdempotencyScope, checkIdempotencyKey } from './idempotency-keys.ts';
import type { LedgerEvents } from './ledger-events.ts';
import { checkPostingAmount } from './posting-amount.ts';
import type { CaptureItem, CaptureResult, WalletRow } from './types.ts';

/** Usage posted against a hold that stays open: a wallet lease serves many requests. */
export interface LeaseCaptures {
  /**
   * Posts usage of `amountNanos` against an active hold that stays open (a lease): the wallet pays,
   * the hold gives back up to that much of its reservation. Replaying the key returns the original
   * posting. `hold_inactive` when the hold was released or expired meanwhile: nothing was posted,
   * and the caller charges the wallet directly (chargeUsage).
   * Errors: INVALID_AMOUNT, VALIDATION_FAILED (key), IDEMPOTENCY_CONFLICT.
   */
  captureFromHold(input: CaptureItem & { holdId: string }): Promise<CaptureResult>;
  /**
   * `captureFromHold` for several requests on one hold in one statement (a lease's group commit).
   * When the statement cannot take them all (the hold is no longer active, a key was used before,
   * an amount is invalid), each is captured on its own, so every request gets exactly the outcome
   * `captureFromHold` would have given it. Results are in the order of `items`.
   */
  captureManyFromHold(holdId: string, items: readonly CaptureItem[]): Promise<CaptureResult[]>;
  /** What the active wallet leases (`lease:` holds) on a wallet hold, leaving out the given hold ids. */
  leasedNanos(walletId: string, exceptHoldIds?: readonly string[]): Promise<bigint>;
}

export function createLeaseCaptures(deps: {
  db: Db;
  sql: Sql;
  clock: () => Date;
  events: LedgerEvents;
  /**
   * Captures one item on its own, for the fallback of `captureManyFromHold`. The ledger passes its
   * own `captureFromHold`, looked up at call time, so a wrapper put around that method (a test's
   * injected fault, instrumentation) sees the fallback's captures too.
   */
  captureOne?: (input: CaptureItem & { holdId: string }) => Promise<CaptureResult>;
}): LeaseCaptures {
  const { db, sql, clock, events } = deps;

  async function captureReplay(key: string, hash: string) {
    const prior = await db.ledgerTransaction.findUnique({
      where: {
        idempotencyScope_idempotencyKey: { idempotencyScope: IdempotencyScope.capture, idempotencyKey: key },
      },
    });
    if (!prior) return null;
    if (prior.requestHash !== hash) throw new IdempotencyConflictError('hold capture', key);
    return { status: 'captured' as const, transactionId: prior.id, wallet: null, idempotencyHit: true };
  }

  async function captureFromHold(input: CaptureItem & { holdId: string }): Promise<CaptureResult> {
    const amount = checkPostingAmount(input.amountNanos);
    const key = checkIdempotencyKey(input.idempotencyKey);
    const hash = requestHash({ holdId: input.holdId, amountNanos: amount });
    const txId = newId('ltx');
    let rows: WalletRow[];
    try {
      rows = await sql.query<WalletRow>(CAPTURE_FROM_HOLD, [
        input.holdId,
        amount,
        txId,
        clock().toISOString(),
        IdempotencyScope.capture,
        key,
        hash,
        input.requestId ?? currentRequestId() ?? null,
      ]);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const replay = await captureReplay(key, hash);
      if (!replay) throw err;
      return replay;
    }
    const row = rows[0];
    // No row: the hold is closed. A capture that landed before (a retry whose first answer was
    // lost) is a replay, not a reason to charge again.
    if (!row) return (await captureReplay(key, hash)) ?? { status: 'hold_inactive' };
    events.balanceChanged(row, 'usage', txId);
    return { status: 'captured', transactionId: txId, wallet: row, idempotencyHit: false };
  }

  const captureOne = deps.captureOne ?? captureFromHold;

  async function captureEach(holdId: string, items: readonly CaptureItem[]): Promise<CaptureResult[]> {
    const out: CaptureResult[] = [];
    for (const i of items) out.push(await captureOne({ holdId, ...i }));
    return out;
  }

  return {
    captureFromHold,

    async captureManyFromHold(holdId, items) {
      const one = () => captureEach(holdId, items);
      if (items.length < 2) return one();
      let prepared: { amount: bigint; key: string; hash: string; txId: string; requestId: string | null }[];
      try {
        prepared = items.map((i) => {
          const amount = checkPostingAmount(i.amountNanos);
          return {
            amount,
            key: checkIdempotencyKey(i.idempotencyKey),
            hash: requestHash({ holdId, amountNanos: amount }),
            txId: newId('ltx'),
            requestId: i.requestId ?? currentRequestId() ?? null,
          };
        });
      } catch {
        return one();
      }
      let rows: WalletRow[];
      try {
        rows = await sql.query<WalletRow>(CAPTURE_MANY_FROM_HOLD, [
          holdId,
          prepared.map((p) => p.amount),
          prepared.map((p) => p.txId),
          prepared.map((p) => p.key),
          prepared.map((p) => p.hash),
          prepared.map((p) => p.requestId),
          clock().toISOString(),
          IdempotencyScope.capture,
        ]);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        return one();
      }
      const row = rows[0];
      if (!row) return one();
      events.balanceChanged(row, 'usage', prepared.at(-1)!.txId);
      return prepared.map((p) => ({
        status: 'captured' as const,
        transactionId: p.txId,
        wallet: row,
        idempotencyHit: false,
      }));
    },

    async leasedNanos(walletId, exceptHoldIds = []) {
      const r = await db.hold.aggregate({
        where: {
          walletId,
          status: 'active',
          idempotencyKey: { startsWith: 'lease:' },
          ...(exceptHoldIds.length ? { id: { notIn: [...exceptHoldIds] } } : {}),
        },
        _sum: { amountNanos: true },
      });
      return r._sum.amountNanos ?? 0n;
    },
  };
}
