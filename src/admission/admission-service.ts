import type { ApiKeyPrincipal } from '../identity/api-keys.ts';
import { hasScope, type Principal } from '../identity/principal.ts';
import { enqueueLagoUsage, lagoEnabled } from '../integrations/lago/handlers.ts';
import { isUniqueViolation } from '../ledger/ledger-service.ts';
import { NANOS_PER_MAJOR } from '../ledger/money.ts';
import { AppError, UnauthenticatedError } from '../lib/errors.ts';
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
import { insertUsageRecord, type UsageRecordData } from './usage-record.ts';

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

/** `1234567890n` nanos → `"1.234567890"` (exact, for headers). */
export function nanosToDecimal(nanos: bigint): string {
  const neg = nanos < 0n;
  const abs = neg ? -nanos : nanos;
  return `${neg ? '-' : ''}${abs / NANOS_PER_MAJOR}.${(abs % NANOS_PER_MAJOR).toString().padStart(9, '0')}`;
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

  constructor(private readonly s: Services) {
    this.keySpend = new KeySpendLimits({ db: s.db, state: s.state, nowMs: () => s.clock().getTime() });
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

      // The hold is bound to the request id, so a reused client-chosen id would replay an earlier
      // request's (already settled) hold and go through unreserved: refuse it instead.
      // The hold statement itself picks the paying wallet (user's, else team's, else organization's).
      const hold = await s.ledger
        .holdForPayer({
          payer: {
            organizationId: principal.organizationId,
            currency,
            userId: principal.userId,
            teamId: principal.teamId,
          },
          amountNanos: est.costNanos,
          idempotencyKey: `req:${info.requestId}`,
          requestId: info.requestId,
          metadata: { apiKeyId: principal.apiKeyId, model },
        })
        .catch((err) => {
          throw (err as { code?: string }).code === 'IDEMPOTENCY_CONFLICT'
            ? new RequestIdReusedError(info.requestId)
            : err;
        });
      if (hold.idempotencyHit) throw new RequestIdReusedError(info.requestId);
      undo.push(() => s.ledger.release({ holdId: hold.holdId, reason: 'admission_failed' }));
      const upstreamCredential = await s.litellm.credentialFor(principal.apiKeyId);

      const ticket: Ticket = {
        requestId: info.requestId,
        endpoint: info.endpoint,
        principal,
        walletId: hold.walletId,
        currency: hold.currency,
        holdId: hold.holdId,
        holdNanos: est.costNanos,
        availableAfterHoldNanos: hold.availableNanos,
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
   * Prices the usage and answers at once; the posting (settle, usage record, counters) runs in
   * `posted`. The charge told is what the settle posts: the cost, capped at the hold plus the
   * ledger's overshoot allowance.
   */
  settle(ticket: unknown, outcome: Outcome): Priced {
    const t = this.take(ticket);
    const usage = outcome.usage ?? { promptTokens: 0, completionTokens: 0, cachedTokens: 0, totalTokens: 0 };
    const cost = computeCost(t.price, usage);
    const charged = this.s.ledger.settledAmount(t.holdNanos, cost);
    return {
      settlement: {
        costNanos: charged,
        balanceNanos: t.availableAfterHoldNanos + t.holdNanos - charged,
        currency: t.currency,
      },
      // Started on the next turn of the event loop, so the answer is written to the client first.
      posted: new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        this.post(t, outcome, cost, usage.promptTokens + usage.completionTokens),
      ),
    };
  }

  private async post(t: Ticket, outcome: Outcome, cost: bigint, tokens: number): Promise<void> {
    let billed: bigint | null = null;
    try {
      const settled = await withRetries(() => this.settleHold(t, cost), 3);
      billed = settled.settledNanos;
      await this.recordUsage(t, outcome, billed);
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
      // Whatever happened to the posting, every counter leaves its estimate: moved to the billed amount,
      // or (the charge could not be posted, logged above) to the request's actual cost.
      await this.moveCounters(t, billed ?? cost, tokens);
    }
  }

  private async moveCounters(t: Ticket, costNanos: bigint, tokens: number) {
    const s = this.s;
    await Promise.all([
      t.plan ? s.dailyLimits.commit(t.plan.reservation, { costNanos, tokens }) : null,
      t.rate ? s.risk.rateLimits.adjustTokens(t.rate, tokens) : null,
      t.spend ? s.risk.spend.settle(t.spend, costNanos) : null,
      this.keySpend.settle(t.keySpend, costNanos),
    ]).catch((err) => logger.error({ err, requestId: t.requestId }, 'post-settle counter update failed'));
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
      return {
        settledNanos: cost,
        balanceNanos: w.balanceNanos,
        availableNanos: w.balanceNanos - w.heldNanos,
      };
    }
  }

  async release(ticket: unknown, outcome: Outcome): Promise<void> {
    const t = this.take(ticket);
    const s = this.s;
    try {
      await withRetries(
        () =>
          s.ledger.release({ holdId: t.holdId, reason: `upstream_${outcome.httpStatus}` }).catch((err) => {
            // Already expired or released by the sweeper: the money is free either way.
            if ((err as { code?: string }).code !== 'HOLD_ALREADY_FINALIZED') throw err;
          }),
        3,
      );
      await this.recordUsage(t, outcome, 0n);
    } finally {
      await Promise.all([
        t.plan ? s.dailyLimits.cancel(t.plan.reservation) : null,
        // The request still counts against requests-per-minute; its tokens do not.
        t.rate ? s.risk.rateLimits.adjustTokens(t.rate, 0) : null,
        t.spend ? s.risk.spend.release(t.spend) : null,
        this.keySpend.release(t.keySpend),
      ]).catch((err) => logger.error({ err, requestId: t.requestId }, 'post-release counter update failed'));
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
    else await insertUsageRecord(this.s.database.sql, data);
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
