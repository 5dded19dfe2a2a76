import { Counter } from 'prom-client';
import type { ApiKeyPrincipal } from '../identity/api-keys.ts';
import { hasScope, type Principal } from '../identity/principal.ts';
import { enqueueLagoUsage, lagoEnabled } from '../integrations/lago/handlers.ts';
import {
  type CaptureItem,
  type CaptureResult,
  isUniqueViolation,
  type Payer,
} from '../ledger/ledger-service.ts';
import { AppError, UnauthenticatedError } from '../lib/errors.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import { newId } from '../lib/ids.ts';
import { logger } from '../lib/logger.ts';
import type { PlanDecision } from '../plans/daily-limits.ts';
import { LIMIT_HEADERS } from '../plans/daily-limits.ts';
import { type ResolvedPrice, computeCost, estimateMaxCost } from '../pricing/cost.ts';
import { patternMatches } from '../pricing/model-pattern.ts';
import type { Admission, Admitted, Outcome, Priced, ProxyRequestInfo } from '../proxy/admission.ts';
import type { RateLimitReservation } from '../risk/rate-limits.ts';
import type { SpendReservation } from '../risk/spend.ts';
import type { Services } from '../services.ts';
import { ModelNotAllowedError, RequestIdReusedError, ScopeNotAllowedError } from './errors.ts';
import { type KeySpendReservation, KeySpendLimits } from './key-spend-limits.ts';
import { type LeaseTake, WalletLeases } from './wallet-leases.ts';
import { type UsageRecordData, UsageRecordWriter } from './usage-record.ts';

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
  requestId: string;
  endpoint: string;
  principal: ApiKeyPrincipal;
  walletId: string;
  currency: string;
  holdId: string;
  holdNanos: bigint;
  /** The wallet's balance - held right after the hold: what the client's balance header starts from. */
  availableAfterHoldNanos: bigint;
  /** A hold of its own: `leases.mark()` once it was placed (leases that read the wallet later count it held). */
  heldMark: number;
  /** Set when admitted against this process's wallet lease (`holdId` is the lease's); else a hold of its own. */
  lease: LeaseTake | null;
  price: ResolvedPrice;
  requestedModel: string;
  model: string;
  plan: PlanDecision | null;
  rate: RateLimitReservation | null;
  spend: SpendReservation | null;
  keySpend: KeySpendReservation | null;
  closed: boolean;
}

/**
 * Retries a ledger call that failed for a transient reason (a dropped connection, a serialization
 * failure). Ledger calls are idempotent on their keys, so a retry cannot double-post; typed
 * AppErrors (insufficient funds, finalized holds) are final and not retried.
 */
async function withRetries<T>(fn: () => Promise<T>, attempts: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || err instanceof AppError) throw err;
      logger.warn({ err, attempt: i }, 'ledger call failed; retrying');
      await new Promise((r) => setTimeout(r, 25 * 2 ** i));
    }
  }
}

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
export class AdmissionService implements Admission {
  private readonly keySpend: KeySpendLimits;
  private readonly leases: WalletLeases;
  private readonly usageWriter: UsageRecordWriter;
  /** Captures against one lease are group-committed: one statement for all that arrive while one runs. */
  private readonly captures: GroupCommit<CaptureItem, CaptureResult>;
  private readonly reservations: Counter<'kind'>;

  constructor(private readonly s: Services) {
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

  async admit(principal: Principal, info: ProxyRequestInfo): Promise<Admitted> {
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
      undo.push(() => s.dailyLimits.cancel(plan.reservation));
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
      const upstreamCredential = await s.litellm.credentialFor(principal.apiKeyId);

      const ticket: Ticket = {
        requestId: info.requestId,
        endpoint: info.endpoint,
        principal,
        walletId: reserved.walletId,
        currency: reserved.currency,
        holdId: reserved.holdId,
        holdNanos: est.costNanos,
        availableAfterHoldNanos: reserved.availableNanos,
        heldMark: reserved.heldMark,
        lease: reserved.lease,
        price: est.price,
        requestedModel,
        model,
        plan,
        rate: rate.reservation,
        spend,
        keySpend,
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
          throw (err as { code?: string }).code === 'IDEMPOTENCY_CONFLICT'
            ? new RequestIdReusedError(info.requestId)
            : err;
        });
    let h: Awaited<ReturnType<typeof hold>>;
    try {
      h = await hold();
    } catch (err) {
      if ((err as { code?: string }).code !== 'INSUFFICIENT_FUNDS') throw err;
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
    await this.s.ledger.release({ holdId: r.holdId, reason }).catch((err) => {
      // Already expired or released by the sweeper: the money is free either way.
      if ((err as { code?: string }).code !== 'HOLD_ALREADY_FINALIZED') throw err;
    });
  }

  /** Gives back every wallet lease (shutdown: after the proxy has finished its requests). */
  async close(): Promise<void> {
    await this.leases.close();
  }

  /**
   * Prices the usage and answers at once; the posting (settle, usage record, counters) runs in
   * `posted`. The charge told is what the settle posts: the cost, capped at the hold plus the
   * ledger's overshoot allowance.
   */
  settle(ticket: unknown, outcome: Outcome): Priced {
    const t = this.take(ticket);
    const usage = outcome.usage ?? { promptTokens: 0, completionTokens: 0, cachedTokens: 0, totalTokens: 0 };
    const cost = computeCost(t.price, usage);
    const charged = this.s.ledger.settledAmount(t.holdNanos, cost);
    let balanceNanos = t.availableAfterHoldNanos + t.holdNanos - charged;
    if (t.lease) {
      this.leases.finish(t.lease, charged);
      balanceNanos = this.leases.availableNanos(t.lease.lease);
    } else this.leases.noteDirectSettled(t.walletId, t.heldMark, t.holdNanos - charged);
    // Counters move now, one command each, ahead of the answer: the client's next request must
    // find this one counted at its charge, not still at its estimate.
    const counters = this.moveCounters(t, {
      costNanos: charged,
      tokens: usage.promptTokens + usage.completionTokens,
    });
    // The ledger posting starts on the next turn of the event loop, so the answer is written first.
    const ledger = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.post(t, outcome, cost, charged),
    );
    return {
      settlement: { costNanos: charged, balanceNanos, currency: t.currency },
      posted: Promise.all([counters, ledger]).then(() => {}),
    };
  }

  /** `cost` is the price of the usage; `charged` what the posting takes (the overshoot cap applied). */
  private async post(t: Ticket, outcome: Outcome, cost: bigint, charged: bigint): Promise<void> {
    let billed: bigint | null = null;
    try {
      const settled = await withRetries(
        () => (t.lease ? this.captureFromLease(t, charged) : this.settleHold(t, cost)),
        3,
      );
      billed = settled.settledNanos;
      await this.recordUsage(t, outcome, billed);
      if (settled.balanceNanos !== null)
        void this.s.notifications
          .checkBalanceThreshold(t.walletId, settled.balanceNanos)
          .catch((err) => logger.error({ err }, 'balance threshold check failed'));
    } catch (err) {
      // The hold stays until it expires: nothing is charged, and the error says which request.
      logger.error(
        { err, requestId: t.requestId, holdId: t.holdId },
        'posting a request to the ledger failed',
      );
    } finally {
      if (t.lease) this.leases.posted(t.lease);
    }
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
    await Promise.all([
      t.plan
        ? used
          ? s.dailyLimits.commit(t.plan.reservation, used)
          : s.dailyLimits.cancel(t.plan.reservation)
        : null,
      t.rate ? s.risk.rateLimits.adjustTokens(t.rate, used?.tokens ?? 0) : null,
      t.spend ? s.risk.spend.settle(t.spend, cost) : null,
      this.keySpend.settle(t.keySpend, cost),
    ]).catch((err) => logger.error({ err, requestId: t.requestId }, 'counter update failed'));
  }

  /** Posts a lease-admitted request's charge against the lease; directly on the wallet if the lease is gone. */
  private async captureFromLease(
    t: Ticket,
    charged: bigint,
  ): Promise<{ settledNanos: bigint; balanceNanos: bigint | null }> {
    if (charged === 0n) return { settledNanos: 0n, balanceNanos: null };
    const r = await this.captures.submit(t.holdId, {
      amountNanos: charged,
      idempotencyKey: `req:${t.requestId}`,
      requestId: t.requestId,
    });
    if (r.status === 'captured')
      return { settledNanos: charged, balanceNanos: r.wallet?.balanceNanos ?? null };
    return this.chargeLate(t, charged);
  }

  /** The request outlived its reservation (expired and swept): charge the wallet directly, once. */
  private async chargeLate(t: Ticket, cost: bigint) {
    const s = this.s;
    logger.warn(
      { requestId: t.requestId, holdId: t.holdId },
      'hold expired before settle; charging directly',
    );
    await s.ledger.chargeUsage({
      walletId: t.walletId,
      amountNanos: cost,
      idempotencyKey: `late:${t.requestId}:${t.holdId}`,
      description: `usage of ${t.requestId} after its hold expired`,
    });
    const w = await s.ledger.getWallet(t.walletId);
    return { settledNanos: cost, balanceNanos: w.balanceNanos, availableNanos: w.balanceNanos - w.heldNanos };
  }

  /** Settles the hold; if the request outlived it (expired and swept), charges the wallet directly. */
  private async settleHold(t: Ticket, cost: bigint) {
    const s = this.s;
    try {
      return await s.ledger.settle({
        holdId: t.holdId,
        actualNanos: cost,
        metadata: { requestId: t.requestId },
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'HOLD_ALREADY_FINALIZED') throw err;
      if (cost === 0n) {
        const w = await s.ledger.getWallet(t.walletId);
        return {
          settledNanos: 0n,
          balanceNanos: w.balanceNanos,
          availableNanos: w.balanceNanos - w.heldNanos,
        };
      }
      return this.chargeLate(t, cost);
    }
  }

  async release(ticket: unknown, outcome: Outcome): Promise<void> {
    const t = this.take(ticket);
    // Counters first, ahead of the answer, like settle.
    const counters = this.moveCounters(t, null);
    try {
      await withRetries(() => this.unreserve(t, `upstream_${outcome.httpStatus}`), 3);
      await this.recordUsage(t, outcome, 0n);
    } finally {
      await counters;
    }
  }

  private take(ticket: unknown): Ticket {
    const t = ticket as Ticket;
    if (t.closed) throw new Error(`admission ticket ${t.requestId} settled or released twice`);
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

  /** One usage record per request id, and its Lago delivery in the same transaction. */
  private async recordUsage(t: Ticket, outcome: Outcome, costNanos: bigint) {
    const s = this.s;
    const u = outcome.usage;
    const lago = lagoEnabled(s.config);
    const data: UsageRecordData = {
      id: newId('use'),
      requestId: t.requestId,
      organizationId: t.principal.organizationId,
      teamId: t.principal.teamId,
      userId: t.principal.userId,
      apiKeyId: t.principal.apiKeyId,
      walletId: t.walletId,
      holdId: t.holdId,
      currency: t.currency,
      endpoint: t.endpoint,
      modelRequested: t.requestedModel,
      modelServed: outcome.modelServed ?? t.model,
      promptTokens: u?.promptTokens ?? 0,
      completionTokens: u?.completionTokens ?? 0,
      cachedTokens: u?.cachedTokens ?? 0,
      costNanos,
      status: outcome.status,
      httpStatus: outcome.httpStatus,
      latencyMs: Math.round(outcome.latencyMs),
      estimated: outcome.estimated,
      graced: t.plan?.graced ?? false,
      degradedFrom: t.plan?.degradedFrom ?? null,
      planDay: t.plan?.planDay ?? null,
    };
    try {
      try {
        await this.insertUsage(data, lago && costNanos > 0n);
      } catch (err) {
        // Another tenant chose the same X-Request-ID (holds are per wallet, usage ids are global):
        // keep this record under a disambiguated id rather than lose it.
        if (!isUniqueViolation(err)) throw err;
        await this.insertUsage({ ...data, requestId: `${t.requestId}~${t.holdId}` }, lago && costNanos > 0n);
      }
    } catch (err) {
      // The money already moved in the ledger; a missing usage row must not fail the response.
      logger.error({ err, requestId: t.requestId }, 'usage record write failed');
    }
  }
}
