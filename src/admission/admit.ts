import type { Counter } from 'prom-client';
import type { Payer } from '../ledger/ledger-service.ts';
import { hasScope, type Principal } from '../identity/principal.ts';
import { UnauthenticatedError } from '../lib/errors.ts';
import { logger } from '../lib/logger.ts';
import { LIMIT_HEADERS } from '../plans/limit-headers.ts';
import { estimateMaxCost } from '../pricing/cost.ts';
import type { Admitted, ProxyRequestInfo } from './port.ts';
import type { BillingCurrency } from './billing-currency.ts';
import { untilCounted } from './counter-moves.ts';
import type { AdmissionDeps } from './deps.ts';
import { ModelNotAllowedError, ScopeNotAllowedError } from './errors.ts';
import type { KeySpendLimits } from './key-spend-limits.ts';
import { modelAllowed } from './model-allowlist.ts';
import type { PostingRecord, SettlementJournal } from './settlement-journal.ts';
import type { Ticket } from './ticket.ts';
import type { WalletReservation } from './wallet-reservation.ts';

export interface AdmitContext {
  deps: Pick<AdmissionDeps, 'clock' | 'db' | 'plans' | 'pricing' | 'risk' | 'dailyLimits' | 'litellm'>;
  billing: BillingCurrency;
  keySpend: KeySpendLimits;
  wallet: WalletReservation;
  journal: Pick<SettlementJournal, 'append' | 'ack' | 'markIndex' | 'sent'>;
  journalFailures: Counter<'entry'>;
}

/**
 * Every rule a request must pass before it is forwarded, in order — API key and `inference`
 * scope, model allowlist, price, rate limits, the plan's daily limits (which may degrade the
 * model), spend velocity, the key's budget and daily cap, and finally the wallet reservation for
 * the most the request can cost. Whatever was reserved is given back if a later step refuses.
 *
 * Which wallet pays: the caller's user wallet in the organization's billing currency if it exists,
 * else the key's team wallet, else the organization wallet (created empty on first use).
 */
export async function admitRequest(
  ctx: AdmitContext,
  principal: Principal,
  info: ProxyRequestInfo,
): Promise<Admitted<Ticket>> {
  if (principal.kind !== 'api_key')
    throw new UnauthenticatedError('The proxy accepts API keys only', 'INVALID_API_KEY');
  if (!hasScope(principal, 'inference')) throw new ScopeNotAllowedError('inference');
  const requestedModel = String(info.body.model);
  if (!modelAllowed(principal.modelAllowlist, requestedModel)) throw new ModelNotAllowedError(requestedModel);

  const s = ctx.deps;
  const at = s.clock();
  const ids = {
    organizationId: principal.organizationId,
    teamId: principal.teamId,
    userId: principal.userId,
    apiKeyId: principal.apiKeyId,
  };
  const currency = await ctx.billing.of(principal.organizationId);
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
      markIndex: ctx.journal.markIndex?.(),
      estimateFor: async (m) => {
        const e = await estimate(m);
        return { costNanos: e.costNanos, tokens: e.tokens };
      },
    });
    undo.push(() => untilCounted(info.requestId, () => s.dailyLimits.cancel(plan.reservation)));
    const model = plan.model;
    if (model !== requestedModel) {
      if (!modelAllowed(principal.modelAllowlist, model)) throw new ModelNotAllowedError(model);
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
    const keySpend = await ctx.keySpend.reserve(
      {
        apiKeyId: principal.apiKeyId,
        currency,
        budgetNanos: keyRow?.budgetNanos ?? null,
        budgetCurrency: keyRow?.budgetCurrency ?? null,
        dailyCapNanos: keyRow?.dailyCapNanos ?? null,
      },
      est.costNanos,
    );
    undo.push(() => ctx.keySpend.release(keySpend));

    const payer: Payer = {
      organizationId: principal.organizationId,
      currency,
      userId: principal.userId,
      teamId: principal.teamId,
    };
    const reserved = await ctx.wallet.reserve(payer, est.costNanos, info, {
      apiKeyId: principal.apiKeyId,
      model,
    });
    undo.push(() => ctx.wallet.unreserve(reserved, 'admission_failed'));
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
    // The admission is journaled while the request is forwarded, not before: once the command is
    // on the connection it reaches Redis even if this process dies next, and Redis applies it
    // before the `settled` entry that the answer waits for (one connection, in order). So the
    // answer waits for one round trip, not two (docs/benchmarks.md, "Settlement journal"). The
    // request is forwarded once the entry is on the connection (`sent`: the journal sends the
    // entries of one event-loop turn together), not before.
    const admittedId = ctx.journal.append({ kind: 'admitted', record }).catch((err) => {
      ctx.journalFailures.inc({ entry: 'admitted' });
      logger.warn({ err, requestId: info.requestId }, 'settlement journal write failed');
      return null;
    });
    undo.push(async () => {
      const id = await admittedId;
      if (id) await ctx.journal.ack([id]);
    });
    const upstreamCredential = await s.litellm.credentialFor(principal.apiKeyId);
    await ctx.journal.sent?.();

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
      admittedId,
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
