import type { SchemaTypes } from '@pothos/core';
import { builder } from '../builder.ts';
import { screamingEnum } from './enums.ts';
import { MATCH_TYPES } from '../pricing/model-pattern.ts';
import { refetch } from '../graphql/refetch.ts';
import {
  createPriceRule,
  deletePriceRule,
  quotePrice,
  schedulePriceChange,
  updatePriceRule,
} from '../resolvers/pricing/price-rules.ts';
import { decodeId } from '../graphql/ids.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

const MatchTypeEnum = screamingEnum('PriceMatchType', MATCH_TYPES, {
  description: 'EXACT: the model name equals the pattern; GLOB: `*` matches any run, `?` one character.',
});

export const PriceRuleNode = builder.prismaNode('PriceRule', {
  id: { field: 'id' },
  description:
    'A price for models matching a pattern, in one currency, during [effectiveFrom, effectiveTo). Amounts in nano-units (10^9 per major unit); multipliers in parts per million.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    plan: t.relation('plan', {
      nullable: true,
      description: 'Only callers on this plan get this price (a discount tier); null = global.',
    }),
    modelPattern: t.exposeString('modelPattern'),
    matchType: t.field({ type: MatchTypeEnum, resolve: (r) => r.matchType as (typeof MATCH_TYPES)[number] }),
    precedence: t.exposeInt('precedence'),
    currency: t.exposeString('currency'),
    baseNanosPerToken: t.expose('baseNanosPerToken', { type: 'BigInt' }),
    inputMultiplierPpm: t.expose('inputMultiplierPpm', { type: 'BigInt' }),
    outputMultiplierPpm: t.expose('outputMultiplierPpm', { type: 'BigInt' }),
    cachedInputMultiplierPpm: t.expose('cachedInputMultiplierPpm', { type: 'BigInt' }),
    requestFeeNanos: t.expose('requestFeeNanos', { type: 'BigInt' }),
    imageNanosPerUnit: t.expose('imageNanosPerUnit', { type: 'BigInt', nullable: true }),
    audioNanosPerSecond: t.expose('audioNanosPerSecond', { type: 'BigInt', nullable: true }),
    effectiveFrom: t.expose('effectiveFrom', { type: 'DateTime' }),
    effectiveTo: t.expose('effectiveTo', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const priceFields = (t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>) => ({
  baseNanosPerToken: t.field({ type: 'BigInt', required: false }),
  inputMultiplierPpm: t.field({ type: 'BigInt', required: false }),
  outputMultiplierPpm: t.field({ type: 'BigInt', required: false }),
  cachedInputMultiplierPpm: t.field({ type: 'BigInt', required: false }),
  requestFeeNanos: t.field({ type: 'BigInt', required: false }),
  imageNanosPerUnit: t.field({ type: 'BigInt', required: false }),
  audioNanosPerSecond: t.field({ type: 'BigInt', required: false }),
});

const CreatePriceRuleInput = builder.inputType('CreatePriceRuleInput', {
  fields: (t) => ({
    planId: t.id({
      required: false,
      description: 'A plan whose callers get this price instead of the global one.',
    }),
    modelPattern: t.string({
      required: true,
      description: 'A model name, or a glob such as `gpt-4o*` or `*`.',
    }),
    precedence: t.int({ required: false, description: 'Higher wins among matching rules (default 0).' }),
    currency: t.string({ required: true, description: 'ISO 4217, uppercase.' }),
    ...priceFields(t),
    baseNanosPerToken: t.field({ type: 'BigInt', required: true }),
    effectiveFrom: t.field({ type: 'DateTime', required: false, description: 'Default: now.' }),
    effectiveTo: t.field({ type: 'DateTime', required: false }),
  }),
});

const UpdatePriceRuleInput = builder.inputType('UpdatePriceRuleInput', {
  description: 'Prices of a rule already in effect cannot change: use schedulePriceChange.',
  fields: (t) => ({
    precedence: t.int({ required: false }),
    ...priceFields(t),
    effectiveFrom: t.field({ type: 'DateTime', required: false }),
    effectiveTo: t.field({ type: 'DateTime', required: false }),
  }),
});

const PriceChangeInput = builder.inputType('PriceChangeInput', {
  fields: (t) => ({
    effectiveFrom: t.field({ type: 'DateTime', required: true }),
    ...priceFields(t),
  }),
});

builder.queryField('priceRules', (t) =>
  t.prismaField({
    keyScope: 'read',
    type: ['PriceRule'],
    description: 'Price rules, newest first (platform admin).',
    authScopes: { platformAdmin: true },
    args: {
      planId: t.arg.id({ required: false }),
      currency: t.arg.string({ required: false }),
      modelPattern: t.arg.string({ required: false }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.services.db.priceRule.findMany({
        ...query,
        where: {
          ...(args.planId ? { planId: decodeId(args.planId, 'Plan') } : {}),
          ...(args.currency ? { currency: args.currency } : {}),
          ...(args.modelPattern ? { modelPattern: args.modelPattern } : {}),
        },
        orderBy: [{ modelPattern: 'asc' }, { effectiveFrom: 'desc' }],
      }),
  }),
);

const PriceQuote = builder
  .objectRef<{ ruleId: string; costNanos: bigint; currency: string; model: string }>('PriceQuote')
  .implement({
    description: 'The exact cost of a request with the given usage, under the rule that would price it.',
    fields: (t) => ({
      model: t.exposeString('model'),
      currency: t.exposeString('currency'),
      costNanos: t.expose('costNanos', { type: 'BigInt' }),
      rule: t.prismaField({
        type: 'PriceRule',
        resolve: (query, q, _args, ctx) =>
          ctx.services.db.priceRule.findUniqueOrThrow({ ...query, where: { id: q.ruleId } }),
      }),
    }),
  });

builder.queryField('priceQuote', (t) =>
  t.field({
    keyScope: 'read',
    type: PriceQuote,
    description:
      "Prices a request: the caller's plan rules first (a platform admin may name a plan). MODEL_NOT_PRICED when no rule matches. `cachedTokens` are part of `promptTokens`, as OpenAI reports them.",
    authScopes: { authenticated: true },
    args: {
      model: t.arg.string({ required: true }),
      currency: t.arg.string({ required: true }),
      promptTokens: t.arg.int({ required: true }),
      completionTokens: t.arg.int({ required: true }),
      cachedTokens: t.arg.int({ required: false }),
      at: t.arg({ type: 'DateTime', required: false }),
      planId: t.arg.id({ required: false }),
    },
    resolve: (_root, args, ctx) => quotePrice(ctx, args),
  }),
);

builder.mutationField('createPriceRule', (t) =>
  t.prismaField({
    keyScope: 'billing',
    type: 'PriceRule',
    description:
      'VALIDATION_FAILED for negative prices, an unknown currency or an overlapping rule of equal precedence (platform admin).',
    authScopes: { platformAdmin: true },
    args: { input: t.arg({ type: CreatePriceRuleInput, required: true }) },
    resolve: (query, _root, { input }, ctx) =>
      refetch(ctx.services.db.priceRule, query, createPriceRule(ctx, input)),
  }),
);

builder.mutationField('updatePriceRule', (t) =>
  t.prismaField({
    keyScope: 'billing',
    type: 'PriceRule',
    description:
      'Changes precedence or window (e.g. ends a rule); prices only before the rule takes effect (platform admin).',
    authScopes: { platformAdmin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdatePriceRuleInput, required: true }) },
    resolve: (query, _root, { id, input }, ctx) =>
      refetch(ctx.services.db.priceRule, query, updatePriceRule(ctx, id, input)),
  }),
);

builder.mutationField('schedulePriceChange', (t) =>
  t.prismaField({
    keyScope: 'billing',
    type: 'PriceRule',
    description:
      'Ends the rule at effectiveFrom and starts a copy with the new prices there; returns the new rule (platform admin).',
    authScopes: { platformAdmin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: PriceChangeInput, required: true }) },
    resolve: (query, _root, { id, input }, ctx) =>
      refetch(ctx.services.db.priceRule, query, schedulePriceChange(ctx, id, input)),
  }),
);

builder.mutationField('deletePriceRule', (t) =>
  t.id({
    keyScope: 'billing',
    description: 'Deletes a rule that has not taken effect yet; returns its id (platform admin).',
    authScopes: { platformAdmin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => (await deletePriceRule(ctx, id)).id,
  }),
);
