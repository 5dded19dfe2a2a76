import type { CaptureItem, CaptureResult, LedgerService } from '../ledger/ledger-service.ts';
import { HoldAlreadyFinalizedError } from '../ledger/errors.ts';
import { retryDelayMs } from '../lib/background-retry.ts';
import { AppError } from '../lib/errors.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import { logger } from '../lib/logger.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { UsageRecorder } from './record-usage.ts';
import type { PostingRecord, SettledOutcome, SettlementJournal } from './settlement-journal.ts';

/** The posting was given up: the process is shutting down and its deadline passed (the journal keeps it). */
class PostingDeferredError extends Error {}

export type PostingResult = 'posted' | 'refused' | 'deferred';

/**
 * Posts a request's charge to the ledger — its hold settled, or a capture against the wallet
 * lease it was admitted on — and its usage record, then deletes its journal entries. Retries a
 * transient failure (the database away) for as long as it takes; at shutdown, until the drain
 * deadline, after which the journal keeps it.
 */
export class LedgerPosting {
  /**
   * Captures against one lease are group-committed: one statement for all that arrive while one
   * runs, or within the linger.
   */
  private readonly captures: GroupCommit<CaptureItem, CaptureResult>;
  /** Set at shutdown: postings still failing after this instant are left to the journal. */
  private giveUpAtMs = Number.POSITIVE_INFINITY;
  /** Postings given up at shutdown (left in the journal). */
  deferred = 0;

  constructor(
    private readonly ledger: Pick<
      LedgerService,
      'captureManyFromHold' | 'settle' | 'chargeUsage' | 'getWallet'
    >,
    private readonly usage: UsageRecorder,
    private readonly journal: Pick<SettlementJournal, 'ack'>,
    private readonly notifications: Pick<NotificationService, 'checkBalanceThreshold'>,
    /** SETTLEMENT_LINGER_MS: how long a lease's captures gather before their statement goes out. */
    lingerMs = 0,
  ) {
    this.captures = new GroupCommit(
      async (holdId, items) =>
        (await ledger.captureManyFromHold(holdId, items)).map((value) => ({
          status: 'fulfilled' as const,
          value,
        })),
      500,
      lingerMs,
    );
  }

  /**
   * Shutdown, first step: postings still failing `drainMs` from now are given up in this process
   * (their journal entries stay, for another process or the next start).
   */
  drainWithin(drainMs: number): void {
    this.giveUpAtMs = Date.now() + drainMs;
  }

  /**
   * Posts a request's charge (`cost` is the price of the usage; `charged` what the posting takes,
   * the overshoot cap applied) and its usage record, then acknowledges its journal entries once
   * `countersMoved` has resolved too. A final refusal (`refused`: an idempotency conflict, the
   * request posted before at another amount) is logged and not retried. Never rejects.
   */
  async post(
    r: PostingRecord,
    outcome: SettledOutcome,
    cost: bigint,
    charged: bigint,
    journalIds: string[],
    countersMoved: Promise<void> = Promise.resolve(),
  ): Promise<PostingResult> {
    try {
      const settled = await this.untilDone(r, () =>
        r.leased ? this.captureFromLease(r, charged) : this.settleHold(r, cost),
      );
      await this.untilDone(r, () => this.usage.record(r, outcome, settled.settledNanos));
      await countersMoved;
      await this.journal
        .ack(journalIds)
        .catch((err) => logger.warn({ err, requestId: r.requestId }, 'settlement journal ack failed'));
      if (settled.balanceNanos !== null)
        void this.notifications
          .checkBalanceThreshold(r.walletId, settled.balanceNanos)
          .catch((err) => logger.error({ err }, 'balance threshold check failed'));
      return 'posted';
    } catch (err) {
      if (err instanceof PostingDeferredError) {
        this.deferred++;
        logger.warn({ requestId: r.requestId, holdId: r.holdId }, 'posting left to the settlement journal');
        return 'deferred';
      }
      // A final refusal (an idempotency conflict: posted before with another amount). Nothing to retry.
      logger.error(
        { err, requestId: r.requestId, holdId: r.holdId },
        'posting a request to the ledger failed',
      );
      await countersMoved;
      await this.journal.ack(journalIds).catch(() => {});
      return 'refused';
    }
  }

  /** Retries `fn` while it fails for a transient reason; typed AppErrors are final. */
  async untilDone<T>(r: PostingRecord, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (Date.now() >= this.giveUpAtMs) throw new PostingDeferredError();
        if (attempt === 1 || attempt % 10 === 0)
          logger.warn({ err, attempt, requestId: r.requestId }, 'ledger posting failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
      }
    }
  }

  /** Posts a lease-admitted request's charge against the lease; directly on the wallet if the lease is gone. */
  private async captureFromLease(
    r: PostingRecord,
    charged: bigint,
  ): Promise<{ settledNanos: bigint; balanceNanos: bigint | null }> {
    if (charged === 0n) return { settledNanos: 0n, balanceNanos: null };
    const c = await this.captures.submit(r.holdId, {
      amountNanos: charged,
      idempotencyKey: `req:${r.requestId}`,
      requestId: r.requestId,
    });
    if (c.status === 'captured')
      return { settledNanos: charged, balanceNanos: c.wallet?.balanceNanos ?? null };
    return this.chargeLate(r, charged);
  }

  /** The request outlived its reservation (expired and swept): charge the wallet directly, once. */
  private async chargeLate(r: PostingRecord, cost: bigint) {
    logger.warn(
      { requestId: r.requestId, holdId: r.holdId },
      'hold expired before settle; charging directly',
    );
    await this.ledger.chargeUsage({
      walletId: r.walletId,
      amountNanos: cost,
      idempotencyKey: `late:${r.requestId}:${r.holdId}`,
      requestId: r.requestId,
      description: `usage of ${r.requestId} after its hold expired`,
    });
    const w = await this.ledger.getWallet(r.walletId);
    return { settledNanos: cost, balanceNanos: w.balanceNanos, availableNanos: w.balanceNanos - w.heldNanos };
  }

  /** Settles the hold; if the request outlived it (expired and swept), charges the wallet directly. */
  private async settleHold(r: PostingRecord, cost: bigint) {
    try {
      return await this.ledger.settle({
        holdId: r.holdId,
        actualNanos: cost,
        requestId: r.requestId,
        metadata: { requestId: r.requestId },
      });
    } catch (err) {
      if (!(err instanceof HoldAlreadyFinalizedError)) throw err;
      if (cost === 0n) {
        const w = await this.ledger.getWallet(r.walletId);
        return {
          settledNanos: 0n,
          balanceNanos: w.balanceNanos,
          availableNanos: w.balanceNanos - w.heldNanos,
        };
      }
      return this.chargeLate(r, cost);
    }
  }
}
