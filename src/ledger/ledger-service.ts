import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { type Sql, sqlFor } from '../db/sql.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { writeAudit } from '../lib/audit.ts';
import { IdempotencyConflictError, NotFoundError, ValidationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { logger } from '../lib/logger.ts';
import { currentRequestId } from '../lib/request-context.ts';
import type { PubSub } from '../pubsub.ts';
import {
  type HoldStatus,
  type LedgerReason,
  OWNER_TYPES,
  type OwnerType,
  SystemAccount,
  type WalletStatus,
  checkProviderId,
  walletAccountId,
} from './accounts.ts';
import {
  AlreadyReversedError,
  HoldAlreadyFinalizedError,
  HoldNotFoundError,
  InsufficientFundsError,
  TransactionNotFoundError,
  WalletNotActiveError,
  WalletNotFoundError,
} from './errors.ts';
import {
  CAPTURE_FROM_HOLD,
  CAPTURE_MANY_FROM_HOLD,
  FINALIZE_HOLD,
  HOLD,
  HOLD_PAYER,
  RESIZE_HOLD,
  SETTLE,
  SWEEP_ONE,
} from './hot-statements.ts';
import { checkPostingAmount, parseCurrency } from './money.ts';

export interface LedgerServiceOptions {
  clock?: () => Date;
  pubsub?: PubSub;
  /** Default lifetime of a hold (HOLD_TTL_MS). */
  holdTtlMs?: number;
  /**
   * How far a settle may post beyond its hold, in percent of the hold (LEDGER_SETTLE_OVERSHOOT_MAX_PERCENT).
   * The cost above that is not posted; it is recorded on the hold as uncollected.
   */
  overshootMaxPercent?: number;
  /** Runs the per-request statements; defaults to the driver under `db` (src/db/sql.ts). */
  sql?: Sql;
  /**
   * Called when money moves on a wallet other than by a request's hold and settle: inside the
   * posting's transaction for postings (top-ups, refunds, reversals, grants, adjustments, late
   * usage), right after the change for freezes and unfreezes (disputes, reviews). Integrations
   * enqueue their deliveries here (LiteLLM budget pushes); it must not call back into the ledger.
   */
  onWalletMoneyMoved?: (tx: Prisma.TransactionClient | Db, walletId: string) => Promise<void>;
}

/** One request's charge taken from a hold (`captureFromHold`, `captureManyFromHold`). */
export interface CaptureItem {
  amountNanos: bigint;
  idempotencyKey: string;
  requestId?: string;
}

export type CaptureResult =
  | { status: 'captured'; transactionId: string; wallet: WalletRow | null; idempotencyHit: boolean }
  | { status: 'hold_inactive' };

export interface WalletRow {
  id: string;
  organizationId: string;
  ownerType: string;
  ownerId: string;
  currency: string;
  balanceNanos: bigint;
  heldNanos: bigint;
  creditLimitNanos: bigint;
  status: string;
}

export interface Actor {
  type: 'platform_admin' | 'api_key' | 'system' | 'user';
  id: string | null;
}

export interface PostingResult {
  transactionId: string;
  walletId: string;
  /** Wallet balance right after this posting (also on replay: the stored original). */
  balanceNanos: bigint;
  idempotencyHit: boolean;
}

export interface HoldInput {
  walletId: string;
  amountNanos: bigint;
  idempotencyKey: string;
  /** The request the hold is for; defaults to the current request's; null: none (a wallet lease serves many). */
  requestId?: string | null;
  ttlMs?: number;
  metadata?: Record<string, string | number | boolean | null>;
}

export interface WalletChangedEvent {
  walletId: string;
  organizationId: string;
}

/** Whose requests a hold pays for: see LedgerService.holdForPayer. */
export interface Payer {
  organizationId: string;
  currency: string;
  userId: string;
  teamId: string | null;
}

export interface HoldResult {
  holdId: string;
  walletId: string;
  currency: string;
  amountNanos: bigint;
  /** The wallet's balance - held right after this hold (on a replay: now). */
  availableNanos: bigint;
  expiresAt: Date;
  idempotencyHit: boolean;
}

export interface SettleResult {
  holdId: string;
  /** null when nothing was posted (actual cost 0). */
  transactionId: string | null;
  /** What was posted: min(actual, hold + overshoot allowance). */
  settledNanos: bigint;
  /** max(actual - hold, 0): the cost above the hold, posted or not. */
  overshootNanos: bigint;
  /** actual - settled: cost above the allowance, not posted. */
  uncollectedNanos: bigint;
  balanceNanos: bigint;
  heldNanos: bigint;
  availableNanos: bigint;
  idempotencyHit: boolean;
}

export interface ReleaseResult {
  holdId: string;
  walletId: string;
  balanceNanos: bigint;
  heldNanos: bigint;
  availableNanos: bigint;
  idempotencyHit: boolean;
}

export interface WalletMismatch {
  walletId: string;
  currency: string;
  balanceNanos: bigint;
  accountBalanceNanos: bigint | null;
  entriesSumNanos: bigint;
  heldNanos: bigint;
  activeHoldsSumNanos: bigint;
}

export interface AccountMismatch {
  accountId: string;
  balanceNanos: bigint;
  entriesSumNanos: bigint;
}

export interface UnbalancedTransaction {
  transactionId: string;
  currency: string;
  sumNanos: bigint;
}

export interface ConsistencyReport {
  ok: boolean;
  walletsChecked: number;
  transactionsChecked: number;
  walletMismatches: WalletMismatch[];
  accountMismatches: AccountMismatch[];
  unbalancedTransactions: UnbalancedTransaction[];
}

/** Idempotency scopes of ledger_transactions. Hold keys are unique per wallet (holds table). */
const Scope = {
  topup: 'ledger:topup',
  refund: 'ledger:refund',
  grant: 'ledger:grant',
  adjustment: 'ledger:adjustment',
  reversal: 'ledger:reversal',
  settle: 'ledger:hold_settle',
  usage: 'ledger:usage',
  capture: 'ledger:hold_capture',
} as const;

const FOREVER_MS = 100 * 365 * 24 * 3600 * 1000;

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    return v;
  });
}

/** SHA-256 of the canonical JSON of a request: what an idempotency key is bound to. */
/** What freezes (disputes, reviews) keep out of reach on a wallet: its active holds that never expire. */
export async function frozenNanos(db: Db, walletId: string, now: Date): Promise<bigint> {
  const agg = await db.hold.aggregate({
    where: { walletId, status: 'active', expiresAt: { gt: new Date(now.getTime() + FOREVER_MS / 2) } },
    _sum: { amountNanos: true },
  });
  return agg._sum.amountNanos ?? 0n;
}

/** Who pays for a payer's requests, first match wins: the user's wallet, the team's, the organization's. */
export function payerOwners(p: Pick<Payer, 'userId' | 'teamId' | 'organizationId'>) {
  return [
    { ownerType: 'user', ownerId: p.userId },
    ...(p.teamId ? [{ ownerType: 'team', ownerId: p.teamId }] : []),
    { ownerType: 'organization', ownerId: p.organizationId },
  ];
}

/** The wallet among `wallets` (one organization, one currency) that pays for `p`, if any. */
export function pickPayingWallet<W extends { ownerType: string; ownerId: string }>(
  wallets: readonly W[],
  p: Pick<Payer, 'userId' | 'teamId' | 'organizationId'>,
): W | undefined {
  for (const o of payerOwners(p)) {
    const w = wallets.find((x) => x.ownerType === o.ownerType && x.ownerId === o.ownerId);
    if (w) return w;
  }
  return undefined;
}

export function requestHash(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}

/** A unique-constraint violation, whichever way Prisma or the driver adapter reports it. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; meta?: any; message?: string } | null;
  if (!e) return false;
  if (e.code === 'P2002' || e.code === '23505') return true;
  const cause = e.meta?.driverAdapterError?.cause;
  if (cause?.kind === 'UniqueConstraintViolation' || cause?.originalCode === '23505') return true;
  return typeof e.message === 'string' && /23505|unique constraint/i.test(e.message);
}

function checkKey(key: string, param = 'idempotencyKey'): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 255)
    throw new ValidationError(`${param} must be 1 to 255 characters`, { param });
  return key;
}

const rawColumns = Prisma.raw(
  `id, "organizationId", "ownerType", "ownerId", currency, "balanceNanos", "heldNanos", "creditLimitNanos", status`,
);

/**
 * Wallets and the double-entry ledger. Every money movement is a transaction of balanced entries
 * over ledger accounts, written with the wallet's cached balance in one database transaction, and
 * bound to an idempotency key. Spending goes through two-phase holds: hold → settle | release
 * (or expiry by the sweeper).
 *
 * Lock order, everywhere: hold row → wallet row → wallet account → system account. A wallet row
 * lock is taken before its account's, and system accounts last, so postings cannot deadlock.
 *
 * Errors: WALLET_NOT_FOUND, WALLET_NOT_ACTIVE (holds only), INSUFFICIENT_FUNDS, INVALID_AMOUNT,
 * UNSUPPORTED_CURRENCY, IDEMPOTENCY_CONFLICT, HOLD_NOT_FOUND, HOLD_ALREADY_FINALIZED,
 * TRANSACTION_NOT_FOUND, ALREADY_REVERSED, VALIDATION_FAILED.
 */
export class LedgerService {
  private readonly clock: () => Date;
  private readonly holdTtlMs: number;
  readonly overshootMaxPercent: bigint;
  private readonly ensuredAccounts = new Set<string>();
  private readonly walletCurrency = new Map<string, { currency: string; organizationId: string }>();
  private readonly sql: Sql;

  constructor(
    private readonly db: Db,
    private readonly opts: LedgerServiceOptions = {},
  ) {
    this.clock = opts.clock ?? (() => new Date());
    this.sql = opts.sql ?? sqlFor(db);
    this.holdTtlMs = opts.holdTtlMs ?? 600_000;
    const pct = opts.overshootMaxPercent ?? 25;
    if (!Number.isInteger(pct) || pct < 0)
      throw new Error('overshootMaxPercent must be a non-negative integer');
    this.overshootMaxPercent = BigInt(pct);
  }

  // ------------------------------------------------------------------ wallets

  /** The wallet of this owner and currency, created (with its ledger account) on first need. */
  async ensureWallet(input: {
    organizationId: string;
    ownerType: OwnerType;
    ownerId: string;
    currency: string;
  }): Promise<WalletRow> {
    const currency = parseCurrency(input.currency);
    if (!OWNER_TYPES.includes(input.ownerType))
      throw new ValidationError(`ownerType must be one of ${OWNER_TYPES.join(', ')}`, { param: 'ownerType' });
    if (input.ownerType === 'organization' && input.ownerId !== input.organizationId)
      throw new ValidationError('An organization wallet is owned by that organization', { param: 'ownerId' });
    const where = {
      ownerType_ownerId_currency: { ownerType: input.ownerType, ownerId: input.ownerId, currency },
    };
    let wallet = await this.db.wallet.findUnique({ where });
    if (!wallet) {
      await this.checkOwner(input.organizationId, input.ownerType, input.ownerId);
      const id = newId('wal');
      try {
        wallet = await this.db.$transaction(async (tx) => {
          const w = await tx.wallet.create({
            data: {
              id,
              organizationId: input.organizationId,
              ownerType: input.ownerType,
              ownerId: input.ownerId,
              currency,
            },
          });
          await tx.ledgerAccount.create({
            data: {
              id: walletAccountId(id),
              code: walletAccountId(id),
              kind: 'wallet',
              currency,
              walletId: id,
            },
          });
          return w;
        });
        this.walletChanged(wallet);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        wallet = await this.db.wallet.findUniqueOrThrow({ where });
      }
    }
    if (wallet.organizationId !== input.organizationId)
      throw new ValidationError('The owner belongs to another organization', { param: 'organizationId' });
    await this.ensureSystemAccounts(
      [
        SystemAccount.revenue(currency),
        SystemAccount.promotions(currency),
        SystemAccount.adjustments(currency),
      ],
      currency,
    );
    return wallet;
  }

  /** A new wallet's owner must exist in that organization (a team of it, a member of it). */
  private async checkOwner(organizationId: string, ownerType: OwnerType, ownerId: string) {
    const org = await this.db.organization.findUnique({
      where: { id: organizationId },
      select: { id: true },
    });
    if (!org) throw new NotFoundError('Organization', organizationId);
    if (ownerType === 'team') {
      const team = await this.db.team.findUnique({
        where: { id: ownerId },
        select: { organizationId: true },
      });
      if (team?.organizationId !== organizationId)
        throw new ValidationError('The team does not belong to the organization', { param: 'ownerId' });
    }
    if (ownerType === 'user') {
      const member = await this.db.membership.findUnique({
        where: { organizationId_userId: { organizationId, userId: ownerId } },
        select: { id: true },
      });
      if (!member)
        throw new ValidationError('The user is not a member of the organization', { param: 'ownerId' });
    }
  }

  async getWallet(walletId: string): Promise<WalletRow> {
    const w = await this.db.wallet.findUnique({ where: { id: walletId } });
    if (!w) throw new WalletNotFoundError(walletId);
    return w;
  }

  /** Freezing or closing a wallet stops new holds; postings that record outside facts still apply. */
  async setWalletStatus(walletId: string, status: WalletStatus): Promise<WalletRow> {
    const n = await this.db.wallet.updateMany({ where: { id: walletId }, data: { status } });
    if (n.count === 0) throw new WalletNotFoundError(walletId);
    return this.walletChanged(await this.getWallet(walletId));
  }

  async setCreditLimit(walletId: string, creditLimitNanos: bigint): Promise<WalletRow> {
    checkPostingAmount(creditLimitNanos, { allowZero: true, param: 'creditLimitNanos' });
    const n = await this.db.wallet.updateMany({ where: { id: walletId }, data: { creditLimitNanos } });
    if (n.count === 0) throw new WalletNotFoundError(walletId);
    return this.walletChanged(await this.getWallet(walletId));
  }

  // ------------------------------------------------------------------ holds

  /**
   * Reserves amountNanos on the wallet: succeeds only if balance - held - amount >= -creditLimit,
   * checked and applied by one conditional UPDATE, with the hold row inserted in the same statement.
   * A replay of the key (same wallet, same amount) returns the original hold with idempotencyHit.
   * Errors: INVALID_AMOUNT, WALLET_NOT_FOUND, WALLET_NOT_ACTIVE, INSUFFICIENT_FUNDS, IDEMPOTENCY_CONFLICT.
   */
  async hold(input: HoldInput & { enforceAvailable?: boolean }): Promise<HoldResult> {
    return this.placeHold(input, input.walletId, null);
  }

  /**
   * A hold on the wallet that pays for `payer`'s requests: the user's wallet in the currency if it
   * exists, else the team's, else the organization's (created empty on first use). The wallet is
   * chosen inside the hold statement, so the common case is one round trip.
   */
  async holdForPayer(
    input: Omit<HoldInput, 'walletId'> & { payer: Payer; enforceAvailable?: boolean },
  ): Promise<HoldResult> {
    return this.placeHold(input, null, input.payer);
  }

  /** The wallet `holdForPayer` would hold on, created empty for the organization when none exists. */
  async payingWallet(p: Payer): Promise<WalletRow> {
    const wallets = await this.db.wallet.findMany({
      where: { organizationId: p.organizationId, currency: p.currency, OR: payerOwners(p) },
    });
    const found = pickPayingWallet(wallets, p);
    if (found) return found;
    return this.ensureWallet({
      organizationId: p.organizationId,
      ownerType: 'organization',
      ownerId: p.organizationId,
      currency: p.currency,
    });
  }

  private async placeHold(
    input: Omit<HoldInput, 'walletId'> & { enforceAvailable?: boolean },
    walletId: string | null,
    payer: Payer | null,
  ): Promise<HoldResult> {
    const amount = checkPostingAmount(input.amountNanos);
    const key = checkKey(input.idempotencyKey);
    const now = this.clock();
    const ttlMs = input.ttlMs ?? this.holdTtlMs;
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
      rows = await this.sql.query(payer ? HOLD_PAYER : HOLD, values);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      rows = [];
    }
    const row = rows[0];
    if (row) {
      this.publish(row, 'hold', null);
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
    if (payer) return this.hold({ ...input, walletId: (await this.payingWallet(payer)).id });
    const wid = walletId as string;
    const existing = await this.db.hold.findUnique({
      where: { walletId_idempotencyKey: { walletId: wid, idempotencyKey: key } },
    });
    if (existing) {
      if (existing.requestHash !== requestHash({ walletId: wid, amountNanos: amount }))
        throw new IdempotencyConflictError('hold', key);
      const w = await this.getWallet(wid);
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
    const w = await this.getWallet(wid);
    if (w.status !== 'active') throw new WalletNotActiveError(w.id, w.status);
    throw new InsufficientFundsError({
      walletId: w.id,
      requestedNanos: amount,
      availableNanos: w.balanceNanos - w.heldNanos,
      creditLimitNanos: w.creditLimitNanos,
    });
  }

  /**
   * Posts the real cost of a held request (wallet → system:revenue, reason usage) and releases the
   * hold, in one statement. Cost above the hold is posted up to overshootMaxPercent of the hold
   * even if the wallet goes below its credit limit; the rest is recorded as uncollected.
   * Settling again with the same actualNanos replays the original.
   * Errors: INVALID_AMOUNT, HOLD_NOT_FOUND, HOLD_ALREADY_FINALIZED (released or expired),
   * IDEMPOTENCY_CONFLICT (already settled with another amount).
   */
  async settle(input: {
    holdId: string;
    actualNanos: bigint;
    /** The request the hold was for (ledger_transactions.requestId); else the current request's. */
    requestId?: string;
    metadata?: Record<string, string | number | boolean | null>;
  }): Promise<SettleResult> {
    const actual = checkPostingAmount(input.actualNanos, { allowZero: true, param: 'actualNanos' });
    const now = this.clock();
    const txId = newId('ltx');
    const hash = requestHash({ holdId: input.holdId, actualNanos: actual });
    const pct = this.overshootMaxPercent;
    const rows = await this.sql.query<
      WalletRow & { settledNanos: bigint; overshootNanos: bigint; transactionId: string | null }
    >(SETTLE, [
      actual,
      pct,
      txId,
      now.toISOString(),
      JSON.stringify(input.metadata ?? {}),
      input.holdId,
      Scope.settle,
      hash,
      input.requestId ?? currentRequestId() ?? null,
    ]);
    const row = rows[0];
    if (!row) return this.settleReplay(input.holdId, actual);
    const overshoot = row.overshootNanos;
    const uncollected = actual - row.settledNanos;
    if (uncollected > 0n)
      logger.warn(
        { holdId: input.holdId, walletId: row.id, uncollectedNanos: uncollected.toString() },
        'settle overshoot above the allowance was not posted',
      );
    this.publish(row, 'usage', row.transactionId);
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
  }

  /**
   * Grows (delta > 0, needs the funds and an active wallet) or shrinks an active hold and sets its
   * expiry to now + ttlMs. Returns the hold's new amount and the wallet, or null when nothing
   * changed: the hold is no longer active, the funds are not there, or a shrink would go below 0.
   */
  async resizeHold(input: {
    holdId: string;
    deltaNanos: bigint;
    ttlMs: number;
  }): Promise<{ holdNanos: bigint; wallet: WalletRow } | null> {
    if (!Number.isInteger(input.ttlMs) || input.ttlMs <= 0)
      throw new ValidationError('ttlMs must be a positive integer', { param: 'ttlMs' });
    checkPostingAmount(input.deltaNanos, { signed: true, allowZero: true, param: 'deltaNanos' });
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + input.ttlMs);
    const rows = await this.sql.query<WalletRow & { holdNanos: bigint }>(RESIZE_HOLD, [
      input.holdId,
      input.deltaNanos,
      expiresAt.toISOString(),
      now.toISOString(),
    ]);
    const row = rows[0];
    if (!row) return null;
    if (input.deltaNanos !== 0n) this.publish(row, 'hold', null);
    return { holdNanos: row.holdNanos, wallet: row };
  }

  /**
   * Posts usage of `amountNanos` against an active hold that stays open (a lease): the wallet pays,
   * the hold gives back up to that much of its reservation. Replaying the key returns the original
   * posting. `hold_inactive` when the hold was released or expired meanwhile: nothing was posted,
   * and the caller charges the wallet directly (chargeUsage).
   */
  async captureFromHold(input: CaptureItem & { holdId: string }): Promise<CaptureResult> {
    const amount = checkPostingAmount(input.amountNanos);
    const key = checkKey(input.idempotencyKey);
    const hash = requestHash({ holdId: input.holdId, amountNanos: amount });
    const txId = newId('ltx');
    let rows: WalletRow[];
    try {
      rows = await this.sql.query<WalletRow>(CAPTURE_FROM_HOLD, [
        input.holdId,
        amount,
        txId,
        this.clock().toISOString(),
        Scope.capture,
        key,
        hash,
        input.requestId ?? currentRequestId() ?? null,
      ]);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const replay = await this.captureReplay(key, hash);
      if (!replay) throw err;
      return replay;
    }
    const row = rows[0];
    // No row: the hold is closed. A capture that landed before (a retry whose first answer was
    // lost) is a replay, not a reason to charge again.
    if (!row) return (await this.captureReplay(key, hash)) ?? { status: 'hold_inactive' };
    this.publish(row, 'usage', txId);
    return { status: 'captured', transactionId: txId, wallet: row, idempotencyHit: false };
  }

  /**
   * `captureFromHold` for several requests on one hold in one statement (a lease's group commit).
   * When the statement cannot take them all (the hold is no longer active, a key was used before,
   * an amount is invalid), each is captured on its own, so every request gets exactly the outcome
   * `captureFromHold` would have given it. Results are in the order of `items`.
   */
  async captureManyFromHold(holdId: string, items: readonly CaptureItem[]): Promise<CaptureResult[]> {
    const one = () => this.captureEach(holdId, items);
    if (items.length < 2) return one();
    let prepared: { amount: bigint; key: string; hash: string; txId: string; requestId: string | null }[];
    try {
      prepared = items.map((i) => {
        const amount = checkPostingAmount(i.amountNanos);
        return {
          amount,
          key: checkKey(i.idempotencyKey),
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
      rows = await this.sql.query<WalletRow>(CAPTURE_MANY_FROM_HOLD, [
        holdId,
        prepared.map((p) => p.amount),
        prepared.map((p) => p.txId),
        prepared.map((p) => p.key),
        prepared.map((p) => p.hash),
        prepared.map((p) => p.requestId),
        this.clock().toISOString(),
        Scope.capture,
      ]);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return one();
    }
    const row = rows[0];
    if (!row) return one();
    this.publish(row, 'usage', prepared.at(-1)!.txId);
    return prepared.map((p) => ({
      status: 'captured' as const,
      transactionId: p.txId,
      wallet: row,
      idempotencyHit: false,
    }));
  }

  private async captureEach(holdId: string, items: readonly CaptureItem[]): Promise<CaptureResult[]> {
    const out: CaptureResult[] = [];
    for (const i of items) out.push(await this.captureFromHold({ holdId, ...i }));
    return out;
  }

  private async captureReplay(key: string, hash: string) {
    const prior = await this.db.ledgerTransaction.findUnique({
      where: { idempotencyScope_idempotencyKey: { idempotencyScope: Scope.capture, idempotencyKey: key } },
    });
    if (!prior) return null;
    if (prior.requestHash !== hash) throw new IdempotencyConflictError('hold capture', key);
    return { status: 'captured' as const, transactionId: prior.id, wallet: null, idempotencyHit: true };
  }

  /** What the active wallet leases (`lease:` holds) on a wallet hold, leaving out the given hold ids. */
  async leasedNanos(walletId: string, exceptHoldIds: readonly string[] = []): Promise<bigint> {
    const r = await this.db.hold.aggregate({
      where: {
        walletId,
        status: 'active',
        idempotencyKey: { startsWith: 'lease:' },
        ...(exceptHoldIds.length ? { id: { notIn: [...exceptHoldIds] } } : {}),
      },
      _sum: { amountNanos: true },
    });
    return r._sum.amountNanos ?? 0n;
  }

  /** What `settle` posts for a hold of `holdNanos` and a cost of `actualNanos` (the SETTLE statement's LEAST). */
  settledAmount(holdNanos: bigint, actualNanos: bigint): bigint {
    const cap = holdNanos + (holdNanos * this.overshootMaxPercent) / 100n;
    return actualNanos < cap ? actualNanos : cap;
  }

  private async settleReplay(holdId: string, actual: bigint): Promise<SettleResult> {
    const h = await this.db.hold.findUnique({ where: { id: holdId } });
    if (!h) throw new HoldNotFoundError(holdId);
    if (h.status !== 'settled') throw new HoldAlreadyFinalizedError(holdId, h.status);
    const overshoot = h.overshootNanos ?? 0n;
    const settled = h.settledNanos ?? 0n;
    const storedActual = overshoot > 0n ? h.amountNanos + overshoot : settled;
    if (storedActual !== actual) throw new IdempotencyConflictError('hold settle', holdId);
    const w = await this.getWallet(h.walletId);
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

  /**
   * Releases a hold without posting anything. Releasing a released hold again is a replay.
   * Errors: HOLD_NOT_FOUND, HOLD_ALREADY_FINALIZED (settled or expired).
   */
  async release(input: { holdId: string; reason?: string }): Promise<ReleaseResult> {
    const rows = await this.finalizeHold(input.holdId, 'released', input.reason ?? null);
    const row = rows[0];
    if (row) {
      this.publish(row, 'hold_released', null);
      return { ...this.balances(row), holdId: input.holdId, walletId: row.id, idempotencyHit: false };
    }
    const h = await this.db.hold.findUnique({ where: { id: input.holdId } });
    if (!h) throw new HoldNotFoundError(input.holdId);
    if (h.status !== 'released') throw new HoldAlreadyFinalizedError(input.holdId, h.status);
    const w = await this.getWallet(h.walletId);
    return { ...this.balances(w), holdId: h.id, walletId: w.id, idempotencyHit: true };
  }

  /** Freezes an amount (e.g. a disputed payment) as a hold that never expires and ignores the balance. */
  async freeze(input: Omit<HoldInput, 'ttlMs'>): Promise<HoldResult> {
    const held = await this.hold({ ...input, ttlMs: FOREVER_MS, enforceAvailable: false });
    await this.movedOutsidePosting(held.walletId);
    return held;
  }

  async unfreeze(input: { holdId: string; reason?: string }): Promise<ReleaseResult> {
    const released = await this.release(input);
    await this.movedOutsidePosting(released.walletId);
    return released;
  }

  /** The freeze or unfreeze has happened: a failed notice must not report it as failed (periodic syncs catch up). */
  private async movedOutsidePosting(walletId: string) {
    try {
      await this.opts.onWalletMoneyMoved?.(this.db, walletId);
    } catch (err) {
      logger.warn({ walletId, err: (err as Error).message }, 'wallet change notice failed');
    }
  }

  /**
   * Expires up to `limit` holds whose expiresAt has passed, one statement per hold, each claimed
   * with FOR UPDATE SKIP LOCKED so several sweepers (in several processes) never take the same hold.
   * Returns the ids expired by this call.
   */
  async sweepExpiredHolds(limit = 100): Promise<string[]> {
    const swept: string[] = [];
    for (let i = 0; i < limit; i++) {
      const now = this.clock();
      const rows = await this.sql.query<WalletRow & { holdId: string }>(SWEEP_ONE, [now.toISOString()]);
      const row = rows[0];
      if (!row) break;
      swept.push(row.holdId);
      this.publish(row, 'hold_expired', null);
    }
    return swept;
  }

  private finalizeHold(holdId: string, status: HoldStatus, reason: string | null) {
    const now = this.clock();
    return this.sql.query<WalletRow>(FINALIZE_HOLD, [holdId, status, now.toISOString(), reason]);
  }

  // ------------------------------------------------------------------ postings

  /** A paid top-up: system:<provider>_clearing → wallet, reason topup. */
  async creditTopUp(input: {
    walletId: string;
    amountNanos: bigint;
    paymentId: string;
    idempotencyKey: string;
    provider?: string;
    description?: string;
  }): Promise<PostingResult> {
    const amount = checkPostingAmount(input.amountNanos);
    const provider = checkProviderId(input.provider ?? 'stripe');
    return this.post({
      reason: 'topup',
      scope: Scope.topup,
      key: input.idempotencyKey,
      hashInput: { walletId: input.walletId, amountNanos: amount, paymentId: input.paymentId, provider },
      walletId: input.walletId,
      walletDeltaNanos: amount,
      counterAccount: (c) => SystemAccount.clearing(provider, c),
      description: input.description ?? null,
      metadata: { paymentId: input.paymentId, provider },
      actor: { type: 'system', id: null },
    });
  }

  /**
   * A refund of a payment: wallet → system:<provider>_clearing, reason refund. By default it may
   * take only the unspent, unreserved balance (balance - held); allowNegative lets it go below
   * (a chargeback must be recorded whatever was spent).
   * Errors: INSUFFICIENT_FUNDS (policy), plus those of every posting.
   */
  async debitRefund(input: {
    walletId: string;
    amountNanos: bigint;
    paymentId: string;
    refundId?: string;
    idempotencyKey: string;
    provider?: string;
    allowNegative?: boolean;
    description?: string;
  }): Promise<PostingResult> {
    const amount = checkPostingAmount(input.amountNanos);
    const provider = checkProviderId(input.provider ?? 'stripe');
    return this.post({
      reason: 'refund',
      scope: Scope.refund,
      key: input.idempotencyKey,
      hashInput: {
        walletId: input.walletId,
        amountNanos: amount,
        paymentId: input.paymentId,
        refundId: input.refundId ?? null,
        provider,
        allowNegative: input.allowNegative === true,
      },
      walletId: input.walletId,
      walletDeltaNanos: -amount,
      requireAvailable: input.allowNegative !== true,
      counterAccount: (c) => SystemAccount.clearing(provider, c),
      description: input.description ?? null,
      metadata: { paymentId: input.paymentId, refundId: input.refundId ?? null, provider },
      actor: { type: 'system', id: null },
    });
  }

  /** Alias kept for the payments work: the reversal of a top-up is a refund debit. */
  async reverseTopUp(input: Parameters<LedgerService['debitRefund']>[0]): Promise<PostingResult> {
    return this.debitRefund(input);
  }

  /**
   * Usage whose hold is gone (it expired and was swept while the request was still running):
   * wallet → system:revenue, reason usage, without a hold. May take the wallet negative: the
   * service was already delivered, and losing the charge would make the request free.
   */
  async chargeUsage(input: {
    walletId: string;
    amountNanos: bigint;
    idempotencyKey: string;
    /** The request charged (ledger_transactions.requestId); else the current request's. */
    requestId?: string;
    description: string;
  }): Promise<PostingResult> {
    const amount = checkPostingAmount(input.amountNanos);
    return this.post({
      requestId: input.requestId,
      reason: 'usage',
      scope: Scope.usage,
      key: input.idempotencyKey,
      hashInput: { walletId: input.walletId, amountNanos: amount },
      walletId: input.walletId,
      walletDeltaNanos: -amount,
      counterAccount: (c) => SystemAccount.revenue(c),
      description: input.description,
      metadata: {},
      actor: { type: 'system', id: null },
      audit: undefined,
    });
  }

  /** Promotional credit: system:promotions → wallet, reason grant. */
  async grant(input: {
    walletId: string;
    amountNanos: bigint;
    idempotencyKey: string;
    description: string;
    actor?: Actor;
    audit?: AuditInput;
  }): Promise<PostingResult> {
    const amount = checkPostingAmount(input.amountNanos);
    return this.post({
      reason: 'grant',
      scope: Scope.grant,
      key: input.idempotencyKey,
      hashInput: { walletId: input.walletId, amountNanos: amount, description: input.description },
      walletId: input.walletId,
      walletDeltaNanos: amount,
      counterAccount: (c) => SystemAccount.promotions(c),
      description: input.description,
      metadata: {},
      actor: input.actor ?? { type: 'system', id: null },
      audit: input.audit,
    });
  }

  /** A signed correction: system:adjustments ↔ wallet, reason adjustment. May take the wallet negative. */
  async adjust(input: {
    walletId: string;
    amountNanos: bigint;
    idempotencyKey: string;
    description: string;
    actor?: Actor;
    audit?: AuditInput;
  }): Promise<PostingResult> {
    const amount = checkPostingAmount(input.amountNanos, { signed: true });
    return this.post({
      reason: 'adjustment',
      scope: Scope.adjustment,
      key: input.idempotencyKey,
      hashInput: { walletId: input.walletId, amountNanos: amount, description: input.description },
      walletId: input.walletId,
      walletDeltaNanos: amount,
      counterAccount: (c) => SystemAccount.adjustments(c),
      description: input.description,
      metadata: {},
      actor: input.actor ?? { type: 'system', id: null },
      audit: input.audit,
    });
  }

  /**
   * Posts the exact opposite of a wallet transaction (reason reversal, reversesId set). A
   * transaction is reversed at most once. May take the wallet negative.
   * Errors: TRANSACTION_NOT_FOUND, ALREADY_REVERSED, VALIDATION_FAILED (not a wallet transaction).
   */
  async reverse(input: {
    transactionId: string;
    idempotencyKey: string;
    description?: string;
    actor?: Actor;
  }): Promise<PostingResult> {
    const original = await this.db.ledgerTransaction.findUnique({
      where: { id: input.transactionId },
      include: { entries: true },
    });
    if (!original) throw new TransactionNotFoundError(input.transactionId);
    const walletLeg = original.entries.find((e) => e.accountId.startsWith('wallet:'));
    const counterLeg = original.entries.find((e) => !e.accountId.startsWith('wallet:'));
    if (!walletLeg || !counterLeg || original.entries.length !== 2)
      throw new ValidationError('Only two-leg wallet transactions can be reversed', {
        param: 'transactionId',
      });
    return this.post({
      reason: 'reversal',
      scope: Scope.reversal,
      key: input.idempotencyKey,
      hashInput: { transactionId: original.id },
      walletId: walletLeg.accountId.slice('wallet:'.length),
      walletDeltaNanos: -walletLeg.amountNanos,
      counterAccount: () => counterLeg.accountId,
      description: input.description ?? `reversal of ${original.id}`,
      metadata: { reversedReason: original.reason },
      actor: input.actor ?? { type: 'system', id: null },
      reversesId: original.id,
    });
  }

  private async post(p: PostingSpec): Promise<PostingResult> {
    const key = checkKey(p.key);
    const hash = requestHash({ reason: p.reason, ...p.hashInput });
    const existing = await this.db.ledgerTransaction.findUnique({
      where: { idempotencyScope_idempotencyKey: { idempotencyScope: p.scope, idempotencyKey: key } },
    });
    if (existing) return this.postingReplay(existing, hash, p);
    const { currency, organizationId } = await this.walletInfo(p.walletId);
    const counter = p.counterAccount(currency);
    await this.ensureSystemAccounts([counter], currency);
    const walletAccount = walletAccountId(p.walletId);
    const now = this.clock();
    const txId = newId('ltx');
    const delta = p.walletDeltaNanos;
    let wallet: WalletRow;
    try {
      wallet = await this.db.$transaction(async (tx) => {
        if (p.reversesId) await this.lockForReversal(tx, p.reversesId);
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
        // Wallet account first, then the (shared, hot) system account: see the lock order above.
        await tx.$executeRaw`
          UPDATE ledger_accounts SET "balanceNanos" = "balanceNanos" + ${delta}::bigint WHERE id = ${walletAccount}`;
        await tx.$executeRaw`
          UPDATE ledger_accounts SET "balanceNanos" = "balanceNanos" - ${delta}::bigint WHERE id = ${counter}`;
        await this.opts.onWalletMoneyMoved?.(tx, p.walletId);
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
      const raced = await this.db.ledgerTransaction.findUnique({
        where: { idempotencyScope_idempotencyKey: { idempotencyScope: p.scope, idempotencyKey: key } },
      });
      if (!raced) throw err;
      return this.postingReplay(raced, hash, p);
    }
    this.publish(wallet, p.reason, txId);
    return {
      transactionId: txId,
      walletId: p.walletId,
      balanceNanos: wallet.balanceNanos,
      idempotencyHit: false,
    };
  }

  private async lockForReversal(tx: Prisma.TransactionClient, originalId: string) {
    await tx.$queryRaw`SELECT id FROM ledger_transactions WHERE id = ${originalId} FOR UPDATE`;
    const prior = await tx.ledgerTransaction.findFirst({ where: { reversesId: originalId } });
    if (prior) throw new AlreadyReversedError(originalId, prior.id);
  }

  private postingReplay(
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

  // ------------------------------------------------------------------ checks

  /**
   * Proves the caches: for every wallet, balance == its account's balance == sum(entries) and
   * held == sum(active holds); for every account, balance == sum(entries); every transaction's
   * entries sum to zero per currency. Healthy = all lists empty.
   */
  async checkConsistency(): Promise<ConsistencyReport> {
    const walletMismatches = await this.db.$queryRaw<WalletMismatch[]>`
      SELECT w.id AS "walletId", w.currency, w."balanceNanos", a."balanceNanos" AS "accountBalanceNanos",
             COALESCE(e.sum, 0)::bigint AS "entriesSumNanos", w."heldNanos",
             COALESCE(h.sum, 0)::bigint AS "activeHoldsSumNanos"
        FROM wallets w
        LEFT JOIN ledger_accounts a ON a.id = 'wallet:' || w.id
        LEFT JOIN (SELECT "accountId", sum("amountNanos") AS sum FROM ledger_entries GROUP BY "accountId") e
               ON e."accountId" = 'wallet:' || w.id
        LEFT JOIN (SELECT "walletId", sum("amountNanos") AS sum FROM holds WHERE status = 'active' GROUP BY "walletId") h
               ON h."walletId" = w.id
       WHERE a.id IS NULL OR w."balanceNanos" <> a."balanceNanos" OR w."balanceNanos" <> COALESCE(e.sum, 0)
          OR w."heldNanos" <> COALESCE(h.sum, 0)
       ORDER BY w.id`;
    const accountMismatches = await this.db.$queryRaw<AccountMismatch[]>`
      SELECT a.id AS "accountId", a."balanceNanos", COALESCE(e.sum, 0)::bigint AS "entriesSumNanos"
        FROM ledger_accounts a
        LEFT JOIN (SELECT "accountId", sum("amountNanos") AS sum FROM ledger_entries GROUP BY "accountId") e
               ON e."accountId" = a.id
       WHERE a."balanceNanos" <> COALESCE(e.sum, 0)
       ORDER BY a.id`;
    const unbalancedTransactions = await this.db.$queryRaw<UnbalancedTransaction[]>`
      SELECT t.id AS "transactionId", COALESCE(e.currency, '') AS currency, COALESCE(sum(e."amountNanos"), 0)::bigint AS "sumNanos"
        FROM ledger_transactions t LEFT JOIN ledger_entries e ON e."transactionId" = t.id
       GROUP BY t.id, e.currency
      HAVING COALESCE(sum(e."amountNanos"), 0) <> 0 OR count(e.id) < 2
       ORDER BY t.id`;
    const [counts] = await this.db.$queryRaw<{ wallets: bigint; transactions: bigint }[]>`
      SELECT (SELECT count(*) FROM wallets) AS wallets, (SELECT count(*) FROM ledger_transactions) AS transactions`;
    return {
      ok: walletMismatches.length + accountMismatches.length + unbalancedTransactions.length === 0,
      walletsChecked: Number(counts?.wallets ?? 0n),
      transactionsChecked: Number(counts?.transactions ?? 0n),
      walletMismatches,
      accountMismatches,
      unbalancedTransactions,
    };
  }

  // ------------------------------------------------------------------ helpers

  private balances(w: WalletRow) {
    return {
      balanceNanos: w.balanceNanos,
      heldNanos: w.heldNanos,
      availableNanos: w.balanceNanos - w.heldNanos,
    };
  }

  private async walletInfo(walletId: string) {
    const cached = this.walletCurrency.get(walletId);
    if (cached) return cached;
    const w = await this.db.wallet.findUnique({
      where: { id: walletId },
      select: { currency: true, organizationId: true },
    });
    if (!w) throw new WalletNotFoundError(walletId);
    if (this.walletCurrency.size > 10_000) this.walletCurrency.clear();
    this.walletCurrency.set(walletId, w);
    return w;
  }

  private async ensureSystemAccounts(codes: string[], currency: string) {
    const missing = codes.filter((c) => !this.ensuredAccounts.has(c));
    if (missing.length === 0) return;
    await this.db.ledgerAccount.createMany({
      data: missing.map((code) => ({ id: code, code, kind: 'system', currency })),
      skipDuplicates: true,
    });
    for (const c of missing) this.ensuredAccounts.add(c);
  }

  private readonly walletListeners: ((e: WalletChangedEvent) => void)[] = [];

  /**
   * Calls `fn` when a wallet is created or its status or credit limit changes: in this process at
   * once, and in every other process through the pub/sub channel `walletChanged`.
   */
  onWalletChanged(fn: (e: WalletChangedEvent) => void): void {
    this.walletListeners.push(fn);
  }

  private walletChanged(w: WalletRow): WalletRow {
    const event = { walletId: w.id, organizationId: w.organizationId };
    for (const fn of this.walletListeners) fn(event);
    try {
      this.opts.pubsub?.publish('walletChanged', event);
    } catch (err) {
      logger.warn({ err, walletId: w.id }, 'walletChanged publish failed');
    }
    return w;
  }

  /** Publishes after commit; a lost notification never affects the ledger. */
  private publish(w: WalletRow, reason: string, transactionId: string | null) {
    const pubsub = this.opts.pubsub;
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
  }
}

export interface AuditInput {
  action: string;
  data: Record<string, string | number | boolean | null>;
}

interface PostingSpec {
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
}
