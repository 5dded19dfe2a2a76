import type { Db } from '../db/client.ts';
import { type Sql, sqlFor } from '../db/sql.ts';
import { checkConsistency } from './consistency.ts';
import { createFreezes, type Freezes } from './freezes.ts';
import { createHolds, type Holds } from './holds.ts';
import { createLeaseCaptures, type LeaseCaptures } from './lease-captures.ts';
import { createLedgerEvents, type LedgerEvents, type LedgerPublisher } from './ledger-events.ts';
import { createPostingWriter, type OnWalletMoneyMoved } from './posting-writer.ts';
import { createPostings, type Postings } from './postings.ts';
import { createSettlement, type Settlement } from './settle.ts';
import { createSystemAccounts } from './system-accounts.ts';
import type { ConsistencyReport } from './types.ts';
import { createWallets, type Wallets } from './wallets.ts';

export type {
  Actor,
  AuditInput,
  CaptureItem,
  CaptureResult,
  ConsistencyReport,
  HoldInput,
  HoldResult,
  Payer,
  PostingResult,
  ReleaseResult,
  SettleResult,
  WalletChangedEvent,
  WalletRow,
} from './types.ts';

/**
 * Wallets and the double-entry ledger. Every money movement is a transaction of balanced entries
 * over ledger accounts, written with the wallet's cached balance in one database transaction, and
 * bound to an idempotency key. Spending goes through two-phase holds: hold → settle | release
 * (or expiry by the sweeper); a wallet lease is a hold captured from while it stays open.
 *
 * Lock order, everywhere: hold row → wallet row → wallet account → system account. A wallet row
 * lock is taken before its account's, and system accounts last, so postings cannot deadlock.
 *
 * Errors (each method lists its own): WALLET_NOT_FOUND, WALLET_NOT_ACTIVE (holds only),
 * INSUFFICIENT_FUNDS, INVALID_AMOUNT, UNSUPPORTED_CURRENCY, IDEMPOTENCY_CONFLICT, HOLD_NOT_FOUND,
 * HOLD_ALREADY_FINALIZED, TRANSACTION_NOT_FOUND, ALREADY_REVERSED, VALIDATION_FAILED.
 */
export interface Ledger extends Wallets, Holds, Settlement, LeaseCaptures, Freezes, Postings {
  /** See src/ledger/consistency.ts. */
  checkConsistency(): Promise<ConsistencyReport>;
  /**
   * Calls `fn` when a wallet is created or its status or credit limit changes: in this process at
   * once, and in every other process through the pub/sub channel `walletChanged`.
   */
  onWalletChanged: LedgerEvents['onWalletChanged'];
}

/** The name the callers knew the ledger by, before it became an interface. */
export type LedgerService = Ledger;

export interface LedgerOptions {
  clock?: () => Date;
  /** Where balance and wallet changes are announced; none: nobody listens (tests, tools). */
  pubsub?: LedgerPublisher;
  /** Default lifetime of a hold (HOLD_TTL_MS). */
  holdTtlMs?: number;
  /**
   * How far a settle may post beyond its hold, in percent of the hold (LEDGER_SETTLE_OVERSHOOT_MAX_PERCENT).
   * The cost above that is not posted; it is recorded on the hold as uncollected.
   */
  overshootMaxPercent?: number;
  /** Runs the per-request statements; defaults to the driver under `db` (src/db/sql.ts). */
  sql?: Sql;
  /** See OnWalletMoneyMoved (src/ledger/posting-writer.ts). */
  onWalletMoneyMoved?: OnWalletMoneyMoved;
}

export interface LedgerDeps extends LedgerOptions {
  db: Db;
}

export function createLedger(deps: LedgerDeps): Ledger {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const sql = deps.sql ?? sqlFor(db);
  const events = createLedgerEvents(deps.pubsub);
  const ensureSystemAccounts = createSystemAccounts(db);
  const wallets = createWallets({ db, events, ensureSystemAccounts });
  const holds = createHolds({ db, sql, clock, events, wallets, holdTtlMs: deps.holdTtlMs ?? 600_000 });
  const settlement = createSettlement({
    db,
    sql,
    clock,
    events,
    wallets,
    overshootMaxPercent: deps.overshootMaxPercent ?? 25,
  });
  const captures = createLeaseCaptures({
    db,
    sql,
    clock,
    events,
    captureOne: (input) => ledger.captureFromHold(input),
  });
  const freezes = createFreezes({ db, holds, onWalletMoneyMoved: deps.onWalletMoneyMoved });
  const post = createPostingWriter({
    db,
    clock,
    events,
    ensureSystemAccounts,
    onWalletMoneyMoved: deps.onWalletMoneyMoved,
  });
  const postings = createPostings({ db, post });
  const ledger: Ledger = {
    ...wallets,
    ...holds,
    ...settlement,
    ...captures,
    ...freezes,
    ...postings,
    checkConsistency: () => checkConsistency(db),
    onWalletChanged: events.onWalletChanged,
  };
  return ledger;
}
