import type { Db } from '../db/client.ts';
import type { PriceRule, Prisma } from '../generated/prisma/client.ts';

type Tx = Prisma.TransactionClient;
import type { SharedState } from '../infra/shared-state.ts';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { parseCurrency } from '../lib/money.ts';
import { logger } from '../lib/logger.ts';
import { SingleFlight } from '../lib/single-flight.ts';
import {
  type PriceFields,
  type ResolvedPrice,
  type TokenUsage,
  computeCost,
  estimateMaxCost,
} from './cost.ts';
import { ModelNotPricedError } from './errors.ts';
import { literalLength, matchTypeOf, patternMatches } from './model-pattern.ts';

export const PRICING_INVALIDATE_CHANNEL = 'pricing:invalidated';

export interface PriceRuleInput {
  planId?: string | null;
  modelPattern: string;
  precedence?: number;
  currency: string;
  baseNanosPerToken: bigint;
  inputMultiplierPpm?: bigint;
  outputMultiplierPpm?: bigint;
  cachedInputMultiplierPpm?: bigint;
  requestFeeNanos?: bigint;
  imageNanosPerUnit?: bigint | null;
  audioNanosPerSecond?: bigint | null;
  effectiveFrom?: Date;
  effectiveTo?: Date | null;
}

/** What may change on a rule: prices only while the rule is not yet in effect (prices are never retroactive). */
export type PriceRulePatch = Partial<Omit<PriceRuleInput, 'planId' | 'modelPattern' | 'currency'>>;

export type PriceChangeInput = Partial<
  Pick<
    PriceRuleInput,
    | 'baseNanosPerToken'
    | 'inputMultiplierPpm'
    | 'outputMultiplierPpm'
    | 'cachedInputMultiplierPpm'
    | 'requestFeeNanos'
    | 'imageNanosPerUnit'
    | 'audioNanosPerSecond'
  >
> & { effectiveFrom: Date };

export interface PriceQuery {
  model: string;
  currency: string;
  at: Date;
  /** The principal's effective plan: its own rules win over global ones. */
  planId?: string | null;
}

const PRICE_FIELDS = [
  'baseNanosPerToken',
  'inputMultiplierPpm',
  'outputMultiplierPpm',
  'cachedInputMultiplierPpm',
  'requestFeeNanos',
  'imageNanosPerUnit',
  'audioNanosPerSecond',
] as const;

const INT64_MAX = (1n << 63n) - 1n;

type Stored = Omit<PriceRule, 'createdAt' | 'updatedAt'>;

/**
 * Price rules: which rule prices a model at an instant, and exact request costs.
 *
 * Resolution order among rules that match the model, currency and instant
 * (effectiveFrom ≤ at < effectiveTo): 1. rules of the principal's plan before global rules;
 * 2. higher `precedence`; 3. an exact name before a glob; 4. the glob with more literal characters;
 * 5. the rule that took effect last; 6. the smaller id (deterministic).
 */
export class PricingService {
  private rules: Stored[] | null = null;
  private loadedAtMs = 0;
  private generation = 0;
  /** One read of the rules at a time, however many requests find the cache expired. */
  private readonly loads = new SingleFlight<Stored[]>();
  private subscribed: Promise<unknown> | null = null;

  constructor(
    private readonly deps: { db: Db; state: SharedState; clock: () => Date; cacheTtlMs?: number },
  ) {}

  computeCost(price: PriceFields, usage: TokenUsage): bigint {
    return computeCost(price, usage);
  }

  estimateMaxCost(price: PriceFields, input: { promptTokens: number | bigint; maxTokens: number | bigint }) {
    return estimateMaxCost(price, input);
  }

  /** The rule that prices `model` in `currency` at `at`, or null. Served from an in-process cache. */
  async priceFor(q: PriceQuery): Promise<ResolvedPrice | null> {
    const rules = await this.loadRules();
    const at = q.at.getTime();
    let best: Stored | null = null;
    for (const r of rules) {
      if (r.currency !== q.currency) continue;
      if (r.planId !== null && r.planId !== (q.planId ?? null)) continue;
      if (r.effectiveFrom.getTime() > at || (r.effectiveTo && r.effectiveTo.getTime() <= at)) continue;
      if (!patternMatches(r.modelPattern, r.matchType, q.model)) continue;
      if (!best || compareRules(r, best) < 0) best = r;
    }
    return best ? toResolved(best, q.model) : null;
  }

  /** Like priceFor, but a missing price is the typed MODEL_NOT_PRICED error. */
  async requirePrice(q: PriceQuery): Promise<ResolvedPrice> {
    const price = await this.priceFor(q);
    if (!price) throw new ModelNotPricedError(q.model, q.currency, q.at);
    return price;
  }

  /** Whether any rule (of any currency, global or of `planId`) prices `model` at `at` or later. */
  async isPriced(model: string, opts: { at?: Date; planId?: string | null } = {}): Promise<boolean> {
    const at = (opts.at ?? this.deps.clock()).getTime();
    const rules = await this.loadRules();
    return rules.some(
      (r) =>
        (r.planId === null || r.planId === (opts.planId ?? null)) &&
        (!r.effectiveTo || r.effectiveTo.getTime() > at) &&
        patternMatches(r.modelPattern, r.matchType, model),
    );
  }

  /**
   * Creates a rule.
   * @throws ValidationError (VALIDATION_FAILED) for a negative price, an unknown currency, a bad
   *   pattern or window, or a rule of equal precedence for the same pattern, currency and plan
   *   whose validity window overlaps. NotFoundError for an unknown plan.
   */
  async createRule(input: PriceRuleInput): Promise<PriceRule> {
    const data = normalise(input, this.deps.clock());
    const rule = await this.deps.db.$transaction(async (tx) => {
      if (data.planId && !(await tx.plan.findUnique({ where: { id: data.planId }, select: { id: true } })))
        throw new NotFoundError('Plan', data.planId);
      await lockPattern(tx, data);
      await assertNoOverlap(tx, data, null);
      return tx.priceRule.create({ data: { id: newId('price'), ...data } });
    });
    await this.invalidate();
    return rule;
  }

  /**
   * Changes a rule. Prices of a rule already in effect are immutable: schedule a change instead.
   * @throws NotFoundError, ValidationError (as createRule, and for a price change of a rule in effect).
   */
  async updateRule(id: string, patch: PriceRulePatch): Promise<PriceRule> {
    const now = this.deps.clock();
    const rule = await this.deps.db.$transaction(async (tx) => {
      const current = await tx.priceRule.findUnique({ where: { id } });
      if (!current) throw new NotFoundError('Price rule', id);
      if (current.effectiveFrom <= now) {
        for (const f of [...PRICE_FIELDS, 'effectiveFrom'] as const)
          if (patch[f] !== undefined && !sameValue(patch[f], current[f]))
            throw new ValidationError(
              `Price rule '${id}' is already in effect: its ${f} cannot change (prices are not retroactive; use schedulePriceChange)`,
              { param: f },
            );
      }
      if (current.effectiveFrom <= now && patch.effectiveTo && patch.effectiveTo < now)
        throw new ValidationError('A rule in effect can be ended now or later, not in the past', {
          param: 'effectiveTo',
        });
      const merged = normalise({ ...current, ...stripUndefined(patch) }, now);
      await lockPattern(tx, merged);
      await assertNoOverlap(tx, merged, id);
      return tx.priceRule.update({ where: { id }, data: merged });
    });
    await this.invalidate();
    return rule;
  }

  /**
   * A price change at `effectiveFrom`: ends the rule there and starts a copy with the new prices,
   * atomically, so requests before that instant keep the old price and requests from it on get the new one.
   * @throws NotFoundError, ValidationError (change not inside the rule's window, negative prices).
   */
  async schedulePriceChange(id: string, change: PriceChangeInput): Promise<PriceRule> {
    const rule = await this.deps.db.$transaction(async (tx) => {
      const current = await tx.priceRule.findUnique({ where: { id } });
      if (!current) throw new NotFoundError('Price rule', id);
      const at = change.effectiveFrom;
      if (at <= current.effectiveFrom || (current.effectiveTo && at >= current.effectiveTo))
        throw new ValidationError(
          `A price change of rule '${id}' must take effect inside its window (after ${current.effectiveFrom.toISOString()}${current.effectiveTo ? ` and before ${current.effectiveTo.toISOString()}` : ''})`,
          { param: 'effectiveFrom' },
        );
      const { id: _id, createdAt: _c, updatedAt: _u, ...rest } = current;
      const next = normalise({ ...rest, ...stripUndefined(change), effectiveTo: current.effectiveTo }, at);
      await lockPattern(tx, next);
      await tx.priceRule.update({ where: { id }, data: { effectiveTo: at } });
      await assertNoOverlap(tx, next, null);
      return tx.priceRule.create({ data: { id: newId('price'), ...next } });
    });
    await this.invalidate();
    return rule;
  }

  /**
   * Deletes a rule that has not taken effect yet (one in effect is ended with updateRule's effectiveTo,
   * which keeps the price history).
   */
  async deleteRule(id: string): Promise<PriceRule> {
    const current = await this.deps.db.priceRule.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('Price rule', id);
    if (current.effectiveFrom <= this.deps.clock())
      throw new ValidationError(
        `Price rule '${id}' is already in effect: end it (set effectiveTo) instead of deleting it`,
        { param: 'id' },
      );
    await this.deps.db.priceRule.delete({ where: { id } });
    await this.invalidate();
    return current;
  }

  /** Drops this process's cache and tells every other process to drop theirs. */
  async invalidate(): Promise<void> {
    this.dropCache();
    try {
      await this.deps.state.publish(PRICING_INVALIDATE_CHANNEL, String(this.deps.clock().getTime()));
    } catch (err) {
      // The TTL bounds staleness in other processes when the broadcast fails.
      logger.warn({ err }, 'price cache invalidation broadcast failed');
    }
  }

  private dropCache() {
    this.generation++;
    this.rules = null;
    this.loads.forget();
  }

  private async loadRules(): Promise<Stored[]> {
    if (!this.subscribed)
      this.subscribed = this.deps.state
        .subscribe(PRICING_INVALIDATE_CHANNEL, () => this.dropCache())
        .catch((err) => logger.warn({ err }, 'price cache invalidation subscribe failed'));
    const ttl = this.deps.cacheTtlMs ?? 5_000;
    if (this.rules && Date.now() - this.loadedAtMs < ttl) return this.rules;
    return this.loads.run('rules', () => {
      const generation = this.generation;
      return this.deps.db.priceRule.findMany({ omit: { createdAt: true, updatedAt: true } }).then((rules) => {
        // A write during the load invalidated it: serve it to this caller, but do not keep it.
        if (generation === this.generation) {
          this.rules = rules;
          this.loadedAtMs = Date.now();
        }
        return rules;
      });
    });
  }
}

function compareRules(a: Stored, b: Stored): number {
  if ((a.planId !== null) !== (b.planId !== null)) return a.planId !== null ? -1 : 1;
  if (a.precedence !== b.precedence) return b.precedence - a.precedence;
  if (a.matchType !== b.matchType) return a.matchType === 'exact' ? -1 : 1;
  const specificity = literalLength(b.modelPattern) - literalLength(a.modelPattern);
  if (specificity !== 0) return specificity;
  const from = b.effectiveFrom.getTime() - a.effectiveFrom.getTime();
  if (from !== 0) return from;
  return a.id < b.id ? -1 : 1;
}

function toResolved(r: Stored, model: string): ResolvedPrice {
  return {
    ruleId: r.id,
    planId: r.planId,
    model,
    modelPattern: r.modelPattern,
    matchType: r.matchType,
    precedence: r.precedence,
    currency: r.currency,
    baseNanosPerToken: r.baseNanosPerToken,
    inputMultiplierPpm: r.inputMultiplierPpm,
    outputMultiplierPpm: r.outputMultiplierPpm,
    cachedInputMultiplierPpm: r.cachedInputMultiplierPpm,
    requestFeeNanos: r.requestFeeNanos,
    imageNanosPerUnit: r.imageNanosPerUnit,
    audioNanosPerSecond: r.audioNanosPerSecond,
    effectiveFrom: r.effectiveFrom,
    effectiveTo: r.effectiveTo,
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type RuleData = Omit<Stored, 'id'>;

function normalise(input: PriceRuleInput, now: Date): RuleData {
  const nonNegative = (name: string, v: bigint | null | undefined, def: bigint | null): bigint | null => {
    const value = v === undefined ? def : v;
    if (value !== null && (value < 0n || value > INT64_MAX))
      throw new ValidationError(`${name} must be between 0 and ${INT64_MAX}`, { param: name });
    return value;
  };
  const precedence = input.precedence ?? 0;
  if (!Number.isInteger(precedence) || Math.abs(precedence) > 1_000_000)
    throw new ValidationError('precedence must be an integer between -1000000 and 1000000', {
      param: 'precedence',
    });
  const effectiveFrom = input.effectiveFrom ?? now;
  const effectiveTo = input.effectiveTo ?? null;
  if (effectiveTo && effectiveTo <= effectiveFrom)
    throw new ValidationError('effectiveTo must be after effectiveFrom', { param: 'effectiveTo' });
  return {
    planId: input.planId ?? null,
    modelPattern: input.modelPattern,
    matchType: matchTypeOf(input.modelPattern),
    precedence,
    currency: parseCurrency(input.currency),
    baseNanosPerToken: nonNegative('baseNanosPerToken', input.baseNanosPerToken, 0n)!,
    inputMultiplierPpm: nonNegative('inputMultiplierPpm', input.inputMultiplierPpm, 1_000_000n)!,
    outputMultiplierPpm: nonNegative('outputMultiplierPpm', input.outputMultiplierPpm, 1_000_000n)!,
    cachedInputMultiplierPpm: nonNegative(
      'cachedInputMultiplierPpm',
      input.cachedInputMultiplierPpm,
      1_000_000n,
    )!,
    requestFeeNanos: nonNegative('requestFeeNanos', input.requestFeeNanos, 0n)!,
    imageNanosPerUnit: nonNegative('imageNanosPerUnit', input.imageNanosPerUnit, null),
    audioNanosPerSecond: nonNegative('audioNanosPerSecond', input.audioNanosPerSecond, null),
    effectiveFrom,
    effectiveTo,
  };
}

/** Serialises writers of one (pattern, currency, plan) so two overlapping rules cannot both pass the check. */
async function lockPattern(tx: Tx, r: RuleData) {
  const key = `price_rule:${r.planId ?? '-'}:${r.currency}:${r.modelPattern}`;
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))) AS l`;
}

async function assertNoOverlap(tx: Tx, r: RuleData, selfId: string | null) {
  const clash = await tx.priceRule.findFirst({
    where: {
      ...(selfId ? { id: { not: selfId } } : {}),
      planId: r.planId,
      modelPattern: r.modelPattern,
      currency: r.currency,
      precedence: r.precedence,
      ...(r.effectiveTo ? { effectiveFrom: { lt: r.effectiveTo } } : {}),
      OR: [{ effectiveTo: null }, { effectiveTo: { gt: r.effectiveFrom } }],
    },
    select: { id: true, effectiveFrom: true, effectiveTo: true },
  });
  if (clash)
    throw new ValidationError(
      `Price rule '${clash.id}' already prices '${r.modelPattern}' in ${r.currency} at precedence ${r.precedence} during an overlapping window; use another precedence or end it first`,
      {
        param: 'effectiveFrom',
        details: {
          conflictingRuleId: clash.id,
          effectiveFrom: clash.effectiveFrom.toISOString(),
          effectiveTo: clash.effectiveTo?.toISOString() ?? null,
        },
      },
    );
}
