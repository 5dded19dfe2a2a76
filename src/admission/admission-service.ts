import { Counter } from 'prom-client';
import type { ApiKeyPrincipal } from '../identity/api-keys.ts';
import { hasScope, type Principal } from '../identity/principal.ts';
import { enqueueLagoUsage, lagoEnabled } from '../integrations/lago/handlers.ts';
import type { CaptureItem, CaptureResult, Payer } from '../ledger/ledger-service.ts';
import { isUniqueViolation } from '../db/unique-violation.ts';
import { AppError, IdempotencyConflictError, UnauthenticatedError } from '../lib/errors.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import { newId } from '../lib/ids.ts';
import { retryDelayMs, retryInBackground } from '../lib/background-retry.ts';
import { logger } from '../lib/logger.ts';
import type { PlanDecision, Reservation as DailyReservation } from '../plans/daily-limits.ts';
import { LIMIT_HEADERS } from '../plans/limit-headers.ts';
import { type ResolvedPrice, computeCost, estimateMaxCost } from '../pricing/cost.ts';
import { patternMatches } from '../pricing/model-pattern.ts';
import type { Admission, Admitted, Outcome, Priced, ProxyRequestInfo } from '../proxy/admission.ts';
import type { RateLimitReservation } from '../risk/rate-limits.ts';
import type { SpendReservation } from '../risk/spend.ts';
import type { Services } from '../services.ts';
import { ModelNotAllowedError, RequestIdReusedError, ScopeNotAllowedError } from './errors.ts';
import { type KeySpendReservation, KeySpendLimits } from './key-spend-limits.ts';
import { type LeaseTake, WalletLeases } from './wallet-leases.ts';
import {
  MemoryJournal,
  type OrphanBatch,
  type PostingRecord,
  type SettledOutcome,
  type SettlementJournal,
  byRequest,
} from './settlement-journal.ts';
import { type UsageRecordData, UsageRecordWriter } from './usage-record.ts';
import { HoldAlreadyFinalizedError, InsufficientFundsError } from '../ledger/errors.ts';

/** Where a request's estimate is reserved: its own hold, or this process's lease on the wallet. */
interface Reserved {
  holdId: string;
  walletId: string;
  currency: string;
  availableNanos: bigint;
  lease: LeaseTake | null;
  /** See Ticket.heldMark (0 for a lease). */
  heldMark: number;
}

interface Ticket {
  /** What the posting needs, journaled at admission (settlement-journal.ts). */
  record: PostingRecord;
  principal: ApiKeyPrincipal;
  /** The wallet's balance - held right after the hold: what the client's balance header starts from. */
  availableAfterHoldNanos: bigint;
  /** A hold of its own: `leases.mark()` once it was placed (leases that read the wallet later count it held). */
  heldMark: number;
  /** Set when admitted against this process's wallet lease (`holdId` is the lease's); else a hold of its own. */
  lease: LeaseTake | null;
  price: ResolvedPrice;
  plan: PlanDecision | null;
  rate: RateLimitReservation | null;
  spend: SpendReservation | null;
  keySpend: KeySpendReservation | null;
  /** The journal entry of the admission; null when the journal could not be written. */
  journalId: string | null;
  closed: boolean;
}

/** The posting was given up: the process is shutting down and its deadline passed (the journal keeps it). */
class PostingDeferredError extends Error {}

function allowed(allowlist: readonly string[], model: string): boolean {
  if (allowlist.length === 0) return true;
  return allowlist.some((p) => patternMatches(p, /[*?]/.test(p) ? 'glob' : 'exact', model));
}

/**
 * The one admission service of the proxy path: every rule a request must pass before it is
 * forwarded, in order — API key and `inference` scope, model allowlist, price, rate limits, the
 * plan's daily limits (which may degrade the model), spend velocity, the key's budget and daily
 * cap, and finally the wallet hold for the most the request can cost. Whatever was reserved is
 * given back if a later step refuses. `settle` prices the real usage exactly, settles the hold,
 * writes the usage record (and its Lago delivery) and moves every reservation to the actual amount.
 *
 * Which wallet pays: the caller's user wallet in the organization's billing currency if it exists,
 * else the key's team wallet, else the organization wallet (created empty on first use).
 */
export class AdmissionService implements Admission<Ticket> {
  private readonly keySpend: KeySpendLimits;
  private readonly leases: WalletLeases;
  private readonly usageWriter: UsageRecordWriter;
  /** Captures against one lease are group-committed: one statement for all that arrive while one runs. */
  private readonly captures: GroupCommit<CaptureItem, CaptureResult>;
  private readonly reservations: Counter<'kind'>;
  private readonly journalFailures: Counter<'entry'>;
  /** Set at shutdown: postings still failing after this instant are left to the journal. */
  private giveUpAtMs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly s: Omit<Services, 'admission' | 'payments'>,
    private readonly journal: SettlementJournal = new MemoryJournal(),
  ) {
    this.keySpend = new KeySpendLimits({ db: s.db, state: s.state, nowMs: () => s.clock().getTime() });
    this.usageWriter = new UsageRecordWriter(s.database.sql);
    this.captures = new GroupCommit(async (holdId, items) =>
      (await s.ledger.captureManyFromHold(holdId, items)).map((value) => ({
        status: 'fulfilled' as const,
        value,
      })),
    );
    this.reservations = new Counter({
      name: 'tollgate_admission_reservations_total',
      help: "Admitted requests by where the estimate was reserved: lease (in memory) or hold (the request's own, one database round trip)",
      labelNames: ['kind'] as const,
      registers: [s.metrics.registry],
    });
    this.journalFailures = new Counter({
      name: 'tollgate_settlement_journal_failures_total',
      help: 'Journal writes that failed (the request is served; its posting then survives database outages but not the death of this process)',
      labelNames: ['entry'] as const,
      registers: [s.metrics.registry],
    });
    const c = s.config;
    this.leases = new WalletLeases(
      s.ledger,
      {
        enabled: c.ADMISSION_LEASES,
        holds: c.ADMISSION_LEASE_HOLDS,
        maxSharePercent: c.ADMISSION_LEASE_MAX_SHARE_PERCENT,
        ttlMs: c.ADMISSION_LEASE_TTL_MS,
        syncMs: c.ADMISSION_LEASE_SYNC_MS,
        giveBackWaitMs: c.ADMISSION_LEASE_GIVE_BACK_WAIT_MS,
      },
      () => s.clock().getTime(),
      s.pubsub,
      s.metrics.registry,
    );
  }

  async authenticate(credential: string | null): Promise<Principal> {
    if (!credential)
      throw new UnauthenticatedError(
        'No API key provided (Authorization: Bearer or x-api-key)',
        'MISSING_API_KEY',
      );
    return this.s.apiKeys.authenticate(credential);
  }

  listModels(principal: Principal, upstreamModels: string[]): string[] {
    const list = principal.kind === 'api_key' ? principal.modelAllowlist : [];
    return upstreamModels.filter((m) => allowed(list, m));
  }

  private async billingCurrency(organizationId: string): Promise<string> {
    const key = `billing-currency:${organizationId}`;
    const cached = this.currencyCache.get(key);
    if (cached && cached.expiresAtMs > Date.now()) return cached.value;
    const org = await this.s.db.organization.findUnique({
      where: { id: organizationId },
      select: { metadata: true },
    });
    const value = (
      (org?.metadata as { billingCurrency?: string } | undefined)?.billingCurrency ??
      this.s.config.DEFAULT_CURRENCY
    ).toUpperCase();
    this.currencyCache.set(key, { value, expiresAtMs: Date.now() + 60_000 });
    return value;
  }
  private readonly currencyCache = new Map<string, { value: string; expiresAtMs: number }>();

  async admit(principal: Principal, info: ProxyRequestInfo): Promise<Admitted<Ticket>> {
    if (principal.kind !== 'api_key')
      throw new UnauthenticatedError('The proxy accepts API keys only', 'INVALID_API_KEY');
    if (!hasScope(principal, 'inference')) throw new ScopeNotAllowedError('inference');
    const requestedModel = String(info.body.model);
    if (!allowed(principal.modelAllowlist, requestedModel)) throw new ModelNotAllowedError(requestedModel);

    const s = this.s;
    const at = s.clock();
    const ids = {
      organizationId: principal.organizationId,
      teamId: principal.teamId,
      userId: principal.userId,
      apiKeyId: principal.apiKeyId,
    };
    const currency = await this.billingCurrency(principal.organizationId);
    const effectivePlan = await s.plans.effectivePlan({ ...ids, at });
    const planId = effectivePlan?.plan.id ?? null;
    const estimate = async (model: string) => {
      const price = await s.pricing.requirePrice({ model, currency, at, planId });
      const costNanos = estimateMaxCost(price, {
        promptTokens: info.promptTokensEstimate,
        maxTokens: info.maxTokensForEstimate,
      });
      return { price, costNanos, tokens: info.promptTokensEstimate + info.maxTokensForEstimate };
    };
    let est = await estimate(requestedModel);

    const undo: (() => Promise<unknown>)[] = [];
    const rollback = async () => {
      for (const u of undo.reverse())
        await u().catch((err) => logger.error({ err }, 'admission rollback step failed'));
    };
    try {
      const rate = await s.risk.rateLimits.checkAndReserve({
        apiKeyId: principal.apiKeyId,
        userId: principal.userId,
        organizationId: principal.organizationId,
        estimatedTokens: est.tokens,
      });
      undo.push(() => s.risk.rateLimits.release(rate.reservation));

      const plan = await s.dailyLimits.admit({
        ...ids,
        model: requestedModel,
        currency,
        estimatedCostNanos: est.costNanos,
        estimatedTokens: est.tokens,
        at,
        effectivePlan,
        estimateFor: async (m) => {
          const e = await estimate(m);
          return { costNanos: e.costNanos, tokens: e.tokens };
        },
      });
      undo.push(() => this.untilCounted(info.requestId, () => s.dailyLimits.cancel(plan.reservation)));
      const model = plan.model;
      if (model !== requestedModel) {
        if (!allowed(principal.modelAllowlist, model)) throw new ModelNotAllowedError(model);
        est = await estimate(model);
      }

      const spend = await s.risk.spend.admit({
        apiKeyId: principal.apiKeyId,
        userId: principal.userId,
        organizationId: principal.organizationId,
        currency,
        estimatedCostNanos: est.costNanos,
      });
      undo.push(() => s.risk.spend.release(spend));

      // Cached with the key by ApiKeyService (and invalidated with it); read here only as a fallback.
      const keyRow =
        principal.spendCaps ??
        (await s.db.apiKey.findUnique({
          where: { id: principal.apiKeyId },
          select: { budgetNanos: true, budgetCurrency: true, dailyCapNanos: true },
        }));
      const keySpend = await this.keySpend.reserve(
        {
          apiKeyId: principal.apiKeyId,
          currency,
          budgetNanos: keyRow?.budgetNanos ?? null,
          budgetCurrency: keyRow?.budgetCurrency ?? null,
          dailyCapNanos: keyRow?.dailyCapNanos ?? null,
        },
        est.costNanos,
      );
      undo.push(() => this.keySpend.release(keySpend));

      const payer: Payer = {
        organizationId: principal.organizationId,
        currency,
        userId: principal.userId,
        teamId: principal.teamId,
      };
      const reserved = await this.reserve(payer, est.costNanos, info, {
        apiKeyId: principal.apiKeyId,
        model,
      });
      undo.push(() => this.unreserve(reserved, 'admission_failed'));
      const record: PostingRecord = {
        requestId: info.requestId,
        endpoint: info.endpoint,
        ...ids,
        walletId: reserved.walletId,
        currency: reserved.currency,
        holdId: reserved.holdId,
        leased: reserved.lease !== null,
        holdNanos: est.costNanos,
        promptTokensEstimate: info.promptTokensEstimate,
        completionTokensEstimate: info.maxTokensForEstimate,
        requestedModel,
        model,
        plan: {
          reservation: plan.reservation,
          graced: plan.graced,
          degradedFrom: plan.degradedFrom,
          planDay: plan.planDay,
        },
        admittedAtMs: Date.now(),
      };
      // The admission is journaled while the upstream credential is looked up: if this process
      // dies from here on, another one charges the request (docs/reliability.md).
      const journaled = this.journal.append({ kind: 'admitted', record }).catch((err) => {
        this.journalFailures.inc({ entry: 'admitted' });
        logger.warn({ err, requestId: info.requestId }, 'settlement journal write failed');
        return null;
      });
      undo.push(async () => {
        const id = await journaled;
        if (id) await this.journal.ack([id]);
      });
      const [upstreamCredential, journalId] = await Promise.all([
        s.litellm.credentialFor(principal.apiKeyId),
        journaled,
      ]);

      const ticket: Ticket = {
        record,
        principal,
        availableAfterHoldNanos: reserved.availableNanos,
        heldMark: reserved.heldMark,
        lease: reserved.lease,
        price: est.price,
        plan,
        rate: rate.reservation,
        spend,
        keySpend,
        journalId,
        closed: false,
      };
      return {
        model,
        userId: principal.userId,
        upstreamCredential,
        responseHeaders: { ...rate.headers, ...plan.headers, [LIMIT_HEADERS.model]: model },
        ticket,
      };
    } catch (err) {
      await rollback();
      throw err;
    }
  }

  /**
   * Reserves the request's estimate on the paying wallet (the hold statement picks it: the user's,
   * else the team's, else the organization's): from this process's lease on that wallet when it
   * has room (no round trip), else with a hold of the request's own. Requests whose client chose the
   * X-Request-ID always get their own hold, bound to that id, so a reused id is refused (409)
   * rather than replaying an earlier, already settled hold.
   */
  private async reserve(
    payer: Payer,
    estimateNanos: bigint,
    info: ProxyRequestInfo,
    metadata: Record<string, string>,
  ): Promise<Reserved> {
    const fromLease = () => {
      const take = info.requestIdFromClient ? null : this.leases.take(payer, estimateNanos);
      if (!take) return null;
      const l = take.lease;
      return {
        holdId: l.holdId,
        walletId: l.walletId,
        currency: l.currency,
        availableNanos: this.leases.availableNanos(l),
        lease: take,
        heldMark: 0,
      };
    };
    const leased = fromLease();
    if (leased) {
      this.reservations.inc({ kind: 'lease' });
      return leased;
    }
    const hold = () =>
      this.s.ledger
        .holdForPayer({
          payer,
          amountNanos: estimateNanos,
          idempotencyKey: `req:${info.requestId}`,
          requestId: info.requestId,
          metadata,
        })
        .catch((err) => {
          throw err instanceof IdempotencyConflictError ? new RequestIdReusedError(info.requestId) : err;
        });
    let h: Awaited<ReturnType<typeof hold>>;
    try {
      h = await hold();
    } catch (err) {
      if (!(err instanceof InsufficientFundsError)) throw err;
      // Before refusing: the lease may have room again, or hold money this process can give back.
      const again = fromLease();
      if (again) {
        this.reservations.inc({ kind: 'lease' });
        return again;
      }
      h = await this.leases.holdAfterGivingBack(payer, hold, err);
    }
    if (h.idempotencyHit) throw new RequestIdReusedError(info.requestId);
    this.reservations.inc({ kind: 'hold' });
    const heldMark = this.leases.mark();
    this.leases.noteDirectHold(payer, h.availableNanos, estimateNanos);
    return {
      holdId: h.holdId,
      walletId: h.walletId,
      currency: h.currency,
      availableNanos: h.availableNanos,
      lease: null,
      heldMark,
    };
  }

  private async unreserve(r: Reserved | Ticket, reason: string): Promise<void> {
    if (r.lease) return this.leases.abandon(r.lease);
    const holdId = 'record' in r ? r.record.holdId : r.holdId;
    await this.s.ledger.release({ holdId, reason }).catch((err) => {
      // Already expired or released by the sweeper: the money is free either way.
      if (!(err instanceof HoldAlreadyFinalizedError)) throw err;
    });
  }

  /**
   * Shutdown, first step: postings still failing `drainMs` from now are given up in this process
   * (their journal entries stay, for another process or the next start).
   */
  drainWithin(drainMs: number): void {
    this.giveUpAtMs = Date.now() + drainMs;
  }

  /** Gives back every wallet lease and ends the journal (shutdown: after the proxy has finished its requests). */
  async close(): Promise<void> {
    await this.leases.close();
    await this.journal
      .close({ forget: this.deferred === 0 })
      .catch((err) => logger.warn({ err }, 'closing the settlement journal failed'));
  }
  /** Postings given up at shutdown (left in the journal). */
  private deferred = 0;

  /**
   * Prices the usage and answers at once; the posting (settle, usage record, counters) runs in
   * `posted`. The charge told is what the settle posts: the cost, capped at the hold plus the
   * ledger's overshoot allowance. `journaled` resolves once the charge is in the journal: the
   * proxy releases the answer after it.
   */
  settle(ticket: Ticket, outcome: Outcome): Priced {
    const t = this.take(ticket);
    const r = t.record;
    const usage = outcome.usage ?? { promptTokens: 0, completionTokens: 0, cachedTokens: 0, totalTokens: 0 };
    const cost = computeCost(t.price, usage);
    const charged = this.s.ledger.settledAmount(r.holdNanos, cost);
    let balanceNanos = t.availableAfterHoldNanos + r.holdNanos - charged;
    if (t.lease) {
      this.leases.finish(t.lease, charged);
      balanceNanos = this.leases.availableNanos(t.lease.lease);
    } else this.leases.noteDirectSettled(r.walletId, t.heldMark, r.holdNanos - charged);
    const settled = settledOutcome(outcome);
    const journaled: Promise<string | null> =
      t.journalId === null
        ? Promise.resolve(null)
        : this.journal
            .append({
              kind: 'settled',
              requestId: r.requestId,
              costNanos: cost,
              chargedNanos: charged,
              outcome: settled,
            })
            .catch((err) => {
              this.journalFailures.inc({ entry: 'settled' });
              logger.warn({ err, requestId: r.requestId }, 'settlement journal write failed');
              return null;
            });
    // Counters move once the charge is journaled (so a process that takes this request over finds
    // them either still at the estimate, with no charge journaled, or moved), one command each,
    // ahead of the answer: the client's next request must find this one counted at its charge.
    const counters = journaled.then(() =>
      this.moveCounters(t, { costNanos: charged, tokens: usage.promptTokens + usage.completionTokens }),
    );
    // The ledger posting starts on the next turn of the event loop, so the answer is written first.
    const ledger = journaled
      .then((settledId) => new Promise<string | null>((resolve) => setImmediate(() => resolve(settledId))))
      .then((settledId) =>
        this.post(
          r,
          settled,
          cost,
          charged,
          [t.journalId, settledId].filter((id) => id !== null),
        ),
      )
      .finally(() => {
        if (t.lease) this.leases.posted(t.lease);
      });
    return {
      settlement: { costNanos: charged, balanceNanos, currency: r.currency },
      journaled: journaled.then(() => {}),
      posted: Promise.all([counters, ledger]).then(() => {}),
    };
  }

  /**
   * Posts a request's charge (`cost` is the price of the usage; `charged` what the posting takes,
   * the overshoot cap applied) and its usage record, then acknowledges its journal entries. A
   * transient failure (the database away) is retried until it succeeds, however long that takes;
   * at shutdown, until the drain deadline, after which the journal keeps it (`deferred`). A final
   * refusal (`refused`: an idempotency conflict, the request posted before at another amount) is
   * logged and not retried. Never rejects.
   */
  private async post(
    r: PostingRecord,
    outcome: SettledOutcome,
    cost: bigint,
    charged: bigint,
    journalIds: string[],
  ): Promise<'posted' | 'refused' | 'deferred'> {
    try {
      const settled = await this.untilDone(r, () =>
        r.leased ? this.captureFromLease(r, charged) : this.settleHold(r, cost),
      );
      await this.untilDone(r, () => this.recordUsage(r, outcome, settled.settledNanos));
      await this.journal
        .ack(journalIds)
        .catch((err) => logger.warn({ err, requestId: r.requestId }, 'settlement journal ack failed'));
      if (settled.balanceNanos !== null)
        void this.s.notifications
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
      await this.journal.ack(journalIds).catch(() => {});
      return 'refused';
    }
  }

  /**
   * A daily-limit counter move (commit or cancel: idempotent, once per reservation). When Redis is
   * away it is retried in the background for up to two minutes, so an estimate does not stay in
   * the counters of a request that failed or was charged meanwhile (finding 6 of issue 15).
   * Resolves after the first attempt.
   */
  private untilCounted(requestId: string, move: () => Promise<unknown>): Promise<void> {
    return retryInBackground('daily counter update', requestId, move);
  }

  /** Retries `fn` while it fails for a transient reason; typed AppErrors are final. */
  private async untilDone<T>(r: PostingRecord, fn: () => Promise<T>): Promise<T> {
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

  /**
   * Posts what a process that is gone had promised (its journal entries, claimed by this one): the
   * charge it had settled, or for a request it never finished (cut mid-stream by its death) the
   * admitted estimate, marked estimated. Its daily-limit counters are settled to the same amount
   * (idempotent: a no-op when the dead process had already done it). Resolves with the ids that
   * may be acknowledged.
   */
  async recoverOrphans(batch: OrphanBatch): Promise<string[]> {
    const done: string[] = [];
    for (const g of byRequest(batch.entries).values()) {
      if (!g.admitted) {
        // A settlement whose admission was posted before (or lost): nothing can be posted from it.
        logger.warn({ ids: g.ids }, 'orphan settlement without its admission dropped');
        done.push(...g.ids);
        continue;
      }
      const r = g.admitted;
      const outcome: SettledOutcome = g.settled?.outcome ?? {
        status: 'failed',
        httpStatus: null,
        promptTokens: r.promptTokensEstimate,
        completionTokens: r.completionTokensEstimate,
        cachedTokens: 0,
        estimated: true,
        modelServed: null,
        latencyMs: Math.max(0, Date.now() - r.admittedAtMs),
      };
      const cost = g.settled?.costNanos ?? r.holdNanos;
      const charged = g.settled?.chargedNanos ?? r.holdNanos;
      const plan = r.plan;
      if (plan)
        await this.untilCounted(r.requestId, () =>
          this.s.dailyLimits.commit(plan.reservation as DailyReservation, {
            costNanos: charged,
            tokens: outcome.promptTokens + outcome.completionTokens,
          }),
        );
      logger.warn(
        { requestId: r.requestId, estimated: !g.settled, chargedNanos: charged.toString() },
        'posting a request admitted by a process that is gone',
      );
      // Acknowledged here, with the batch, rather than by `post`: the entries are the dead process's.
      if ((await this.post(r, outcome, cost, charged, [])) !== 'deferred') done.push(...g.ids);
    }
    return done;
  }

  /**
   * Every counter leaves its estimate: for the charge and the tokens used, or (`used` null: the
   * request failed and is not charged) back to nothing — it still counts against requests per
   * minute. One command each, started before the answer; a posting that fails later is logged,
   * not uncounted.
   */
  private async moveCounters(t: Ticket, used: { costNanos: bigint; tokens: number } | null) {
    const s = this.s;
    const cost = used?.costNanos ?? 0n;
    const plan = t.plan;
    await Promise.all([
      plan
        ? this.untilCounted(t.record.requestId, () =>
            used ? s.dailyLimits.commit(plan.reservation, used) : s.dailyLimits.cancel(plan.reservation),
          )
        : null,
      t.rate ? s.risk.rateLimits.adjustTokens(t.rate, used?.tokens ?? 0) : null,
      t.spend ? s.risk.spend.settle(t.spend, cost) : null,
      this.keySpend.settle(t.keySpend, cost),
    ]).catch((err) => logger.error({ err, requestId: t.record.requestId }, 'counter update failed'));
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
    const s = this.s;
    logger.warn(
      { requestId: r.requestId, holdId: r.holdId },
      'hold expired before settle; charging directly',
    );
    await s.ledger.chargeUsage({
      walletId: r.walletId,
      amountNanos: cost,
      idempotencyKey: `late:${r.requestId}:${r.holdId}`,
      requestId: r.requestId,
      description: `usage of ${r.requestId} after its hold expired`,
    });
    const w = await s.ledger.getWallet(r.walletId);
    return { settledNanos: cost, balanceNanos: w.balanceNanos, availableNanos: w.balanceNanos - w.heldNanos };
  }

  /** Settles the hold; if the request outlived it (expired and swept), charges the wallet directly. */
  private async settleHold(r: PostingRecord, cost: bigint) {
    const s = this.s;
    try {
      return await s.ledger.settle({
        holdId: r.holdId,
        actualNanos: cost,
        requestId: r.requestId,
        metadata: { requestId: r.requestId },
      });
    } catch (err) {
      if (!(err instanceof HoldAlreadyFinalizedError)) throw err;
      if (cost === 0n) {
        const w = await s.ledger.getWallet(r.walletId);
        return {
          settledNanos: 0n,
          balanceNanos: w.balanceNanos,
          availableNanos: w.balanceNanos - w.heldNanos,
        };
      }
      return this.chargeLate(r, cost);
    }
  }

  async release(ticket: Ticket, outcome: Outcome): Promise<void> {
    const t = this.take(ticket);
    // Nothing will be charged: forget the admission first, so no other process charges it if this one dies.
    if (t.journalId)
      await this.journal
        .ack([t.journalId])
        .catch((err) => logger.warn({ err, requestId: t.record.requestId }, 'settlement journal ack failed'));
    // Counters first, ahead of the answer, like settle.
    const counters = this.moveCounters(t, null);
    try {
      await this.untilDone(t.record, () => this.unreserve(t, `upstream_${outcome.httpStatus}`)).catch(
        (err) => {
          // The hold expires on its own: nothing is charged either way.
          logger.warn(
            { err, requestId: t.record.requestId },
            'releasing a hold failed; it expires on its own',
          );
        },
      );
      await this.recordUsage(t.record, settledOutcome(outcome), 0n).catch((err) =>
        logger.error({ err, requestId: t.record.requestId }, 'usage record write failed'),
      );
    } finally {
      await counters;
    }
  }

  private take(ticket: unknown): Ticket {
    const t = ticket as Ticket;
    if (t.closed) throw new Error(`admission ticket ${t.record.requestId} settled or released twice`);
    t.closed = true;
    return t;
  }

  private async insertUsage(data: UsageRecordData, withLago: boolean) {
    const db = this.s.db;
    // With Lago off the record stands alone; with Lago on, its delivery commits with it.
    if (withLago)
      await db.$transaction(async (tx) => enqueueLagoUsage(tx, await tx.usageRecord.create({ data })));
    else await this.usageWriter.write(data);
  }

  /**
   * One usage record per request id, and its Lago delivery in the same transaction. Writing it
   * again (a posting retried, or recovered by another process) finds it there and stops.
   */
  private async recordUsage(r: PostingRecord, outcome: SettledOutcome, costNanos: bigint) {
    const s = this.s;
    const lago = lagoEnabled(s.config) && costNanos > 0n;
    const data: UsageRecordData = {
      id: newId('use'),
      requestId: r.requestId,
      organizationId: r.organizationId,
      teamId: r.teamId,
      userId: r.userId,
      apiKeyId: r.apiKeyId,
      walletId: r.walletId,
      holdId: r.holdId,
      currency: r.currency,
      endpoint: r.endpoint,
      modelRequested: r.requestedModel,
      modelServed: outcome.modelServed ?? r.model,
      promptTokens: outcome.promptTokens,
      completionTokens: outcome.completionTokens,
      cachedTokens: outcome.cachedTokens,
      costNanos,
      status: outcome.status,
      httpStatus: outcome.httpStatus,
      latencyMs: Math.round(outcome.latencyMs),
      estimated: outcome.estimated,
      graced: r.plan?.graced ?? false,
      degradedFrom: r.plan?.degradedFrom ?? null,
      planDay: r.plan?.planDay ?? null,
    };
    const alreadyWritten = async (requestId: string) =>
      (await s.db.usageRecord.findUnique({ where: { requestId }, select: { holdId: true } }))?.holdId ===
      r.holdId;
    try {
      await this.insertUsage(data, lago);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (await alreadyWritten(r.requestId)) return;
      // Another tenant chose the same X-Request-ID (holds are per wallet, usage ids are global):
      // keep this record under a disambiguated id rather than lose it.
      const requestId = `${r.requestId}~${r.holdId}`;
      try {
        await this.insertUsage({ ...data, requestId }, lago);
      } catch (again) {
        if (!isUniqueViolation(again) || !(await alreadyWritten(requestId))) throw again;
      }
    }
  }
}

/** What the usage record keeps of a proxy outcome (and the journal, to write it from another process). */
function settledOutcome(o: Outcome): SettledOutcome {
  return {
    status: o.status,
    httpStatus: o.httpStatus,
    promptTokens: o.usage?.promptTokens ?? 0,
    completionTokens: o.usage?.completionTokens ?? 0,
    cachedTokens: o.usage?.cachedTokens ?? 0,
    estimated: o.estimated,
    modelServed: o.modelServed,
    latencyMs: o.latencyMs,
  };
}
