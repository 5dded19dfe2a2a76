import type { Db } from '../db/client.ts';
import { ValidationError } from '../lib/errors.ts';
import { SystemAccount, checkProviderId } from './accounts.ts';
import { TransactionNotFoundError } from './errors.ts';
import { IdempotencyScope } from './idempotency-keys.ts';
import { checkPostingAmount } from './posting-amount.ts';
import type { PostPosting, PostingSpec } from './posting-writer.ts';
import type { Actor, AuditInput, PostingResult } from './types.ts';

/**
 * Money moved on a wallet by an outside fact or a decision: top-ups, refunds, late usage,
 * grants, adjustments and reversals. Each is one balanced two-leg transaction bound to its
 * idempotency key. Errors of every posting: INVALID_AMOUNT, WALLET_NOT_FOUND,
 * IDEMPOTENCY_CONFLICT, VALIDATION_FAILED (key).
 */
export interface Postings {
  /** A paid top-up: system:<provider>_clearing → wallet, reason topup. */
  creditTopUp(input: {
    walletId: string;
    amountNanos: bigint;
    paymentId: string;
    idempotencyKey: string;
    provider?: string;
    description?: string;
    /** See PostingSpec (posting-writer.ts): skip the replay read; writes that commit with the credit. */
    expectNew?: boolean;
    within?: PostingSpec['within'];
  }): Promise<PostingResult>;
  /**
   * A refund of a payment: wallet → system:<provider>_clearing, reason refund. By default it may
   * take only the unspent, unreserved balance (balance - held); allowNegative lets it go below
   * (a chargeback must be recorded whatever was spent).
   * Errors: INSUFFICIENT_FUNDS (policy), plus those of every posting.
   */
  debitRefund(input: {
    walletId: string;
    amountNanos: bigint;
    paymentId: string;
    refundId?: string;
    idempotencyKey: string;
    provider?: string;
    allowNegative?: boolean;
    description?: string;
  }): Promise<PostingResult>;
  /** Alias kept for the payments work: the reversal of a top-up is a refund debit. */
  reverseTopUp(input: Parameters<Postings['debitRefund']>[0]): Promise<PostingResult>;
  /**
   * Usage whose hold is gone (it expired and was swept while the request was still running):
   * wallet → system:revenue, reason usage, without a hold. May take the wallet negative: the
   * service was already delivered, and losing the charge would make the request free.
   */
  chargeUsage(input: {
    walletId: string;
    amountNanos: bigint;
    idempotencyKey: string;
    /** The request charged (ledger_transactions.requestId); else the current request's. */
    requestId?: string;
    description: string;
  }): Promise<PostingResult>;
  /** Promotional credit: system:promotions → wallet, reason grant. */
  grant(input: DecisionInput): Promise<PostingResult>;
  /** A signed correction: system:adjustments ↔ wallet, reason adjustment. May take the wallet negative. */
  adjust(input: DecisionInput): Promise<PostingResult>;
  /**
   * Posts the exact opposite of a wallet transaction (reason reversal, reversesId set). A
   * transaction is reversed at most once. May take the wallet negative.
   * Errors: TRANSACTION_NOT_FOUND, ALREADY_REVERSED, VALIDATION_FAILED (not a wallet transaction).
   */
  reverse(input: {
    transactionId: string;
    idempotencyKey: string;
    description?: string;
    actor?: Actor;
  }): Promise<PostingResult>;
}

/** A grant or an adjustment: a decision of someone (`actor`), explained by its description. */
export interface DecisionInput {
  walletId: string;
  amountNanos: bigint;
  idempotencyKey: string;
  description: string;
  actor?: Actor;
  audit?: AuditInput;
}

const SYSTEM: Actor = { type: 'system', id: null };

export function createPostings(deps: { db: Db; post: PostPosting }): Postings {
  const { db, post } = deps;

  const debitRefund: Postings['debitRefund'] = async (input) => {
    const amount = checkPostingAmount(input.amountNanos);
    const provider = checkProviderId(input.provider ?? 'stripe');
    return post({
      reason: 'refund',
      scope: IdempotencyScope.refund,
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
      actor: SYSTEM,
    });
  };

  /** A grant or an adjustment: money moved by someone's decision, bound to its description. */
  function postDecision(
    input: DecisionInput,
    amount: bigint,
    reason: 'grant' | 'adjustment',
    scope: string,
    counterAccount: (currency: string) => string,
  ) {
    return post({
      reason,
      scope,
      key: input.idempotencyKey,
      hashInput: { walletId: input.walletId, amountNanos: amount, description: input.description },
      walletId: input.walletId,
      walletDeltaNanos: amount,
      counterAccount,
      description: input.description,
      metadata: {},
      actor: input.actor ?? SYSTEM,
      audit: input.audit,
    });
  }

  return {
    async creditTopUp(input) {
      const amount = checkPostingAmount(input.amountNanos);
      const provider = checkProviderId(input.provider ?? 'stripe');
      return post({
        reason: 'topup',
        scope: IdempotencyScope.topup,
        key: input.idempotencyKey,
        hashInput: { walletId: input.walletId, amountNanos: amount, paymentId: input.paymentId, provider },
        walletId: input.walletId,
        walletDeltaNanos: amount,
        counterAccount: (c) => SystemAccount.clearing(provider, c),
        description: input.description ?? null,
        metadata: { paymentId: input.paymentId, provider },
        actor: SYSTEM,
        expectNew: input.expectNew === true,
        within: input.within,
      });
    },

    debitRefund,

    reverseTopUp: debitRefund,

    async chargeUsage(input) {
      const amount = checkPostingAmount(input.amountNanos);
      return post({
        requestId: input.requestId,
        reason: 'usage',
        scope: IdempotencyScope.usage,
        key: input.idempotencyKey,
        hashInput: { walletId: input.walletId, amountNanos: amount },
        walletId: input.walletId,
        walletDeltaNanos: -amount,
        counterAccount: (c) => SystemAccount.revenue(c),
        description: input.description,
        metadata: {},
        actor: SYSTEM,
        audit: undefined,
      });
    },

    grant: async (input) =>
      postDecision(input, checkPostingAmount(input.amountNanos), 'grant', IdempotencyScope.grant, (c) =>
        SystemAccount.promotions(c),
      ),

    adjust: async (input) =>
      postDecision(
        input,
        checkPostingAmount(input.amountNanos, { signed: true }),
        'adjustment',
        IdempotencyScope.adjustment,
        (c) => SystemAccount.adjustments(c),
      ),

    async reverse(input) {
      const original = await db.ledgerTransaction.findUnique({
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
      return post({
        reason: 'reversal',
        scope: IdempotencyScope.reversal,
        key: input.idempotencyKey,
        hashInput: { transactionId: original.id },
        walletId: walletLeg.accountId.slice('wallet:'.length),
        walletDeltaNanos: -walletLeg.amountNanos,
        counterAccount: () => counterLeg.accountId,
        description: input.description ?? `reversal of ${original.id}`,
        metadata: { reversedReason: original.reason },
        actor: input.actor ?? SYSTEM,
        reversesId: original.id,
      });
    },
  };
}
