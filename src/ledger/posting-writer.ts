import type { Db, Tx } from '../db/client.ts';
import { isUniqueViolation } from '../db/unique-violation.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { writeAudit } from '../lib/audit.ts';
import { IdempotencyConflictError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { requestHash } from '../lib/request-hash.ts';
import { currentRequestId } from '../lib/request-context.ts';
import { type LedgerReason, walletAccountId } from './accounts.ts';
import { AlreadyReversedError, InsufficientFundsError, WalletNotFoundError } from './errors.ts';
import { checkIdempotencyKey } from './idempotency-keys.ts';
import type { LedgerEvents } from './ledger-events.ts';
import type { EnsureSystemAccounts } from './system-accounts.ts';
import type { Actor, AuditInput, PostingResult, WalletRow } from './types.ts';

/**
 * Called when money moves on a wallet other than by a request's hold and settle: inside the
 * posting's transaction for postings (top-ups, refunds, reversals, grants, adjustments, late
 * usage), right after the change for freezes and unfreezes (disputes, reviews). Integrations
 * enqueue their deliveries here (LiteLLM budget pushes); it must not call back into the ledger.
 */
export type OnWalletMoneyMoved = (tx: Tx | Db, walletId: string) => Promise<void>;

/** One two-leg posting between a wallet and a counter account, bound to an idempotency key. */
export interface PostingSpec {
  /** Defaults to the current request's id. */
  requestId?: string | undefined;
  reason: LedgerReason;
  scope: string;
  key: string;
  hashInput: Record<string, unknown>;
  walletId: string;
  /** Signed change of the wallet's balance; the counter account gets the opposite. */
  walletDeltaNanos: bigint;
  /** Refuse if the wallet's balance - held would go below zero. */
  requireAvailable?: boolean;
  counterAccount: (currency: string) => string;
  description: string | null;
  metadata: Record<string, string | number | boolean | null>;
  actor: Actor;
  reversesId?: string;
  audit?: AuditInput | undefined;
  /**
   * The caller expects the key to be new (a top-up's first credit): the replay read before the
   * transaction is skipped, and a replay is found by the key's unique violation instead.
   */
  expectNew?: boolean;
  /**
   * Writes that must commit with the posting or not at all (the payment a top-up credits), run
   * inside its transaction after the wallet's rows and before the shared system account's row are
   * locked (the lock order above), so the hot row is held no longer. Not run on a replay.
   */
  within?: ((tx: Tx, transactionId: string) => Promise<void>) | undefined;
}

/**
 * Writes a posting: balanced entries, the wallet's and both accounts' cached balances, the
 * transaction row (with the wallet balance after it, for replays) and an optional audit row, in
 * one database transaction. A replay of the key returns the original; the same key with another
 * input is IDEMPOTENCY_CONFLICT. Errors also: WALLET_NOT_FOUND, INSUFFICIENT_FUNDS
 * (requireAvailable), ALREADY_REVERSED, VALIDATION_FAILED (key).
 */
export type PostPosting = (p: PostingSpec) => Promise<PostingResult>;

const rawColumns = Prisma.raw(
  `id, "organizationId", "ownerType", "ownerId", currency, "balanceNanos", "heldNanos", "creditLimitNanos", status`,
);

export function createPostingWriter(deps: {
  db: Db;
  clock: () => Date;
  events: LedgerEvents;
  ensureSystemAccounts: EnsureSystemAccounts;
  onWalletMoneyMoved?: OnWalletMoneyMoved | undefined;
}): PostPosting {
  const { db, clock, events, ensureSystemAccounts, onWalletMoneyMoved } = deps;
  // A wallet's currency and organization never change: read once per wallet, not per posting.
  const walletCurrency = new Map<string, { currency: string; organizationId: string }>();

  async function walletInfo(walletId: string) {
    const cached = walletCurrency.get(walletId);
    if (cached) return cached;
    const w = await db.wallet.findUnique({
      where: { id: walletId },
      select: { currency: true, organizationId: true },
    });
    if (!w) throw new WalletNotFoundError(walletId);
    if (walletCurrency.size > 10_000) walletCurrency.clear();
    walletCurrency.set(walletId, w);
    return w;
  }

  async function lockForReversal(tx: Tx, originalId: string) {
    await tx.$queryRaw`SELECT id FROM ledger_transactions WHERE id = ${originalId} FOR UPDATE`;
    const prior = await tx.ledgerTransaction.findFirst({ where: { reversesId: originalId } });
    if (prior) throw new AlreadyReversedError(originalId, prior.id);
  }

  function postingReplay(
    existing: { id: string; requestHash: string; metadata: unknown },
    hash: string,
    p: PostingSpec,
  ): PostingResult {
    if (existing.requestHash !== hash) throw new IdempotencyConflictError(p.reason, p.key);
    const after = (existing.metadata as { walletBalanceAfterNanos?: string }).walletBalanceAfterNanos;
    return {
      transactionId: existing.id,
      walletId: p.walletId,
      balanceNanos: BigInt(after ?? '0'),
      idempotencyHit: true,
    };
  }

  return async function post(p) {
    const key = checkIdempotencyKey(p.key);
    const hash = requestHash({ reason: p.reason, ...p.hashInput });
    const existing = p.expectNew
      ? null
      : await db.ledgerTransaction.findUnique({
          where: { idempotencyScope_idempotencyKey: { idempotencyScope: p.scope, idempotencyKey: key } },
        });
    if (existing) return postingReplay(existing, hash, p);
    const { currency, organizationId } = await walletInfo(p.walletId);
    const counter = p.counterAccount(currency);
    await ensureSystemAccounts([counter], currency);
    const walletAccount = walletAccountId(p.walletId);
    const now = clock();
    const txId = newId('ltx');
    const delta = p.walletDeltaNanos;
    let wallet: WalletRow;
    try {
      wallet = await db.$transaction(async (tx) => {
        if (p.reversesId) await lockForReversal(tx, p.reversesId);
        const rows = await tx.$queryRaw<WalletRow[]>`
          UPDATE wallets SET "balanceNanos" = "balanceNanos" + ${delta}::bigint, "updatedAt" = ${now}::timestamp(3)
           WHERE id = ${p.walletId}
             AND (NOT ${p.requireAvailable === true}::boolean
                  OR "balanceNanos" - "heldNanos" + ${delta}::bigint >= 0)
          RETURNING ${rawColumns}`;
        const w = rows[0];
        if (!w) {
          const current = await tx.wallet.findUnique({ where: { id: p.walletId } });
          if (!current) throw new WalletNotFoundError(p.walletId);
          throw new InsufficientFundsError({
            walletId: p.walletId,
            requestedNanos: -delta,
            availableNanos: current.balanceNanos - current.heldNanos,
          });
        }
        const requestId = p.requestId ?? currentRequestId() ?? null;
        await tx.$executeRaw`
          INSERT INTO ledger_transactions (id, reason, "idempotencyScope", "idempotencyKey", "requestHash",
                 "reversesId", description, metadata, "actorType", "actorId", "requestId", "createdAt")
          VALUES (${txId}, ${p.reason}, ${p.scope}, ${key}, ${hash}, ${p.reversesId ?? null}, ${p.description},
                  ${JSON.stringify({ ...p.metadata, walletBalanceAfterNanos: w.balanceNanos.toString() })}::jsonb,
                  ${p.actor.type}, ${p.actor.id}, ${requestId}, ${now}::timestamp(3))`;
        await tx.$executeRaw`
          INSERT INTO ledger_entries ("transactionId", "accountId", currency, "amountNanos", reason, "createdAt")
          VALUES (${txId}, ${walletAccount}, ${currency}, ${delta}::bigint, ${p.reason}, ${now}::timestamp(3)),
                 (${txId}, ${counter}, ${currency}, ${-delta}::bigint, ${p.reason}, ${now}::timestamp(3))`;
        // Wallet account first, then the (shared, hot) system account: see the lock order in ledger-service.ts.
        await tx.$executeRaw`
          UPDATE ledger_accounts SET "balanceNanos" = "balanceNanos" + ${delta}::bigint WHERE id = ${walletAccount}`;
        await p.within?.(tx, txId);
        await tx.$executeRaw`
          UPDATE ledger_accounts SET "balanceNanos" = "balanceNanos" - ${delta}::bigint WHERE id = ${counter}`;
        await onWalletMoneyMoved?.(tx, p.walletId);
        if (p.audit)
          await writeAudit(tx, {
            organizationId,
            actor: p.actor,
            action: p.audit.action,
            entityType: 'wallet',
            entityId: p.walletId,
            data: { ...p.audit.data, transactionId: txId, amountNanos: delta.toString() },
            requestId,
          });
        return w;
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Another request with the same key committed first: answer as its replay.
      const raced = await db.ledgerTransaction.findUnique({
        where: { idempotencyScope_idempotencyKey: { idempotencyScope: p.scope, idempotencyKey: key } },
      });
      if (!raced) throw err;
      return postingReplay(raced, hash, p);
    }
    events.balanceChanged(wallet, p.reason, txId);
    return {
      transactionId: txId,
      walletId: p.walletId,
      balanceNanos: wallet.balanceNanos,
      idempotencyHit: false,
    };
  };
}
