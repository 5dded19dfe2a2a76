/**
 * The shapes the ledger takes and returns. Amounts are integer nano-units (src/lib/money.ts);
 * every result of a money movement says whether it was a replay of its idempotency key.
 */

/** A wallet row as the ledger's statements return it (balances cached, proven by checkConsistency). */
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

export interface AuditInput {
  action: string;
  data: Record<string, string | number | boolean | null>;
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

/** Whose requests a hold pays for: see Holds.holdForPayer. */
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

/** One request's charge taken from a hold (`captureFromHold`, `captureManyFromHold`). */
export interface CaptureItem {
  amountNanos: bigint;
  idempotencyKey: string;
  requestId?: string;
}

export type CaptureResult =
  | { status: 'captured'; transactionId: string; wallet: WalletRow | null; idempotencyHit: boolean }
  | { status: 'hold_inactive' };

export interface WalletChangedEvent {
  walletId: string;
  organizationId: string;
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
