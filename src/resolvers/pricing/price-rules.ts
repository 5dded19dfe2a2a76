import type { Context } from '../../context.ts';
import { callerSubject } from '../../graphql/access/plans.ts';
import { decodeId } from '../../graphql/ids.ts';
import { isPlatformAdmin, isMember } from '../../identity/principal.ts';
import type { PriceChangeInput, PriceRuleInput, PriceRulePatch } from '../../pricing/price-rules.ts';

/** GraphQL's shape of an input: an absent optional field arrives as null. */
type Nullable<T> = { [K in keyof T]?: T[K] | null | undefined };

/** GraphQL gives null for absent optional inputs; the services take undefined as "unchanged / default". */
function defined<T extends object>(o: Nullable<T>): { [K in keyof T]?: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as never;
}

// The fields' authScopes admit platform admins only; these decode and call the pricing service.

export function createPriceRule(
  ctx: Context,
  input: Nullable<Omit<PriceRuleInput, 'planId'>> &
    Pick<PriceRuleInput, 'modelPattern' | 'currency' | 'baseNanosPerToken'> & {
      planId?: string | number | null;
    },
) {
  const { planId, ...rest } = input;
  return ctx.services.pricing.createRule({
    ...defined(rest),
    modelPattern: input.modelPattern,
    currency: input.currency,
    baseNanosPerToken: input.baseNanosPerToken,
    planId: planId ? decodeId(planId, 'Plan') : null,
  });
}

export function updatePriceRule(ctx: Context, id: string | number, input: Nullable<PriceRulePatch>) {
  return ctx.services.pricing.updateRule(decodeId(id, 'PriceRule'), defined(input));
}

export function schedulePriceChange(
  ctx: Context,
  id: string | number,
  input: Nullable<Omit<PriceChangeInput, 'effectiveFrom'>> & { effectiveFrom: Date },
) {
  return ctx.services.pricing.schedulePriceChange(decodeId(id, 'PriceRule'), {
    ...defined(input),
    effectiveFrom: input.effectiveFrom,
  });
}

export function deletePriceRule(ctx: Context, id: string | number) {
  return ctx.services.pricing.deleteRule(decodeId(id, 'PriceRule'));
}

export interface QuoteArgs {
  model: string;
  currency: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens?: number | null;
  at?: Date | null;
  planId?: string | number | null;
}

/** Prices a request at the caller's plan (a platform admin may name a plan). @throws MODEL_NOT_PRICED */
export async function quotePrice(ctx: Context, args: QuoteArgs) {
  const at = args.at ?? ctx.services.clock();
  let planId: string | null = null;
  if (args.planId && isPlatformAdmin(ctx.principal)) planId = decodeId(args.planId, 'Plan');
  else if (isMember(ctx.principal))
    planId = (await ctx.services.plans.effectivePlan({ ...callerSubject(ctx, {}), at }))?.plan.id ?? null;
  const price = await ctx.services.pricing.requirePrice({
    model: args.model,
    currency: args.currency,
    at,
    planId,
  });
  const costNanos = ctx.services.pricing.computeCost(price, {
    promptTokens: args.promptTokens,
    completionTokens: args.completionTokens,
    cachedTokens: args.cachedTokens ?? 0,
  });
  return { ruleId: price.ruleId, costNanos, currency: price.currency, model: args.model };
}
