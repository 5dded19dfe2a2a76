import { builder } from '../builder.ts';
import { screamingEnum } from './enums.ts';
import { canSeeUsage } from '../graphql/access/usage.ts';
import { type UsageAggregateRow, aggregateUsage, usageRecordsPage } from '../resolvers/usage/usage-query.ts';
import { MoneyRef, nanoMoney } from './wallet.ts';
import { decodeId } from '../graphql/ids.ts';

const UsageStatus = screamingEnum('UsageStatus', ['succeeded', 'failed', 'client_aborted']);
const UsageGrouping = screamingEnum('UsageGrouping', ['day', 'model', 'day_and_model']);

builder.prismaNode('UsageRecord', {
  id: { field: 'id' },
  authScopes: (u, ctx) => canSeeUsage(ctx, u),
  description: 'One proxied request: who, which model, tokens, exact cost (nano-units), outcome.',
  fields: (t) => ({
    requestId: t.exposeString('requestId'),
    organizationId: t.exposeString('organizationId'),
    teamId: t.exposeString('teamId', { nullable: true }),
    userId: t.exposeString('userId'),
    apiKeyId: t.exposeString('apiKeyId'),
    endpoint: t.exposeString('endpoint'),
    modelRequested: t.exposeString('modelRequested'),
    modelServed: t.exposeString('modelServed', { nullable: true }),
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    cachedTokens: t.exposeInt('cachedTokens'),
    cost: t.field({ type: MoneyRef, resolve: (u) => nanoMoney(u.costNanos, u.currency.trim()) }),
    status: t.field({ type: UsageStatus, resolve: (u) => u.status as 'succeeded' }),
    httpStatus: t.exposeInt('httpStatus', { nullable: true }),
    latencyMs: t.exposeInt('latencyMs', { nullable: true }),
    estimated: t.exposeBoolean('estimated', {
      description: 'Usage was estimated because the upstream reported none.',
    }),
    graced: t.exposeBoolean('graced'),
    degradedFrom: t.exposeString('degradedFrom', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const UsageFilterInput = builder.inputType('UsageFilter', {
  fields: (t) => ({
    organizationId: t.id({ required: false, description: 'Platform admins: one organization.' }),
    apiKeyId: t.id({ required: false }),
    userId: t.id({ required: false }),
    model: t.string({ required: false, description: 'Requested or served model.' }),
    from: t.field({ type: 'DateTime', required: false, description: 'Inclusive.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Exclusive.' }),
  }),
});

type FilterArg = typeof UsageFilterInput.$inferInput | null | undefined;
const toFilter = (f: FilterArg) => ({
  organizationId: f?.organizationId ? decodeId(f.organizationId, 'Organization') : null,
  apiKeyId: f?.apiKeyId ? decodeId(f.apiKeyId, 'ApiKey') : null,
  userId: f?.userId ? decodeId(f.userId, 'User') : null,
  model: f?.model ?? null,
  from: f?.from ?? null,
  to: f?.to ?? null,
});

builder.queryField('usageRecords', (t) =>
  t.prismaConnection({
    keyScope: 'read',
    type: 'UsageRecord',
    cursor: 'id',
    description: 'Proxied requests visible to the caller (read scope; members see their own), newest first.',
    authScopes: { authenticated: true },
    args: { filter: t.arg({ type: UsageFilterInput, required: false }) },
    resolve: (query, _root, args, ctx) => usageRecordsPage(ctx, query, toFilter(args.filter)),
  }),
);

const UsageAggregate = builder.objectRef<UsageAggregateRow>('UsageAggregate').implement({
  fields: (t) => ({
    day: t.exposeString('day', { nullable: true, description: 'YYYY-MM-DD in the requested time zone.' }),
    model: t.exposeString('model', { nullable: true }),
    requests: t.exposeInt('requests', { description: 'Requests that were billed (not failed).' }),
    failedRequests: t.exposeInt('failedRequests'),
    promptTokens: t.expose('promptTokens', { type: 'BigInt' }),
    completionTokens: t.expose('completionTokens', { type: 'BigInt' }),
    cachedTokens: t.expose('cachedTokens', { type: 'BigInt' }),
    cost: t.field({ type: MoneyRef, resolve: (r) => nanoMoney(r.costNanos, r.currency) }),
  }),
});

builder.queryField('usageAggregates', (t) =>
  t.field({
    keyScope: 'read',
    type: [UsageAggregate],
    // A GROUP BY over usage records.
    complexity: 50,
    description:
      'Requests, tokens and cost per day and/or model for the caller’s scope (same visibility as usageRecords).',
    authScopes: { authenticated: true },
    args: {
      filter: t.arg({ type: UsageFilterInput, required: false }),
      groupBy: t.arg({ type: UsageGrouping, required: true }),
      timeZone: t.arg.string({
        required: false,
        description: 'Fixed offset for day boundaries; default +08:00.',
      }),
    },
    resolve: (_root, args, ctx) =>
      aggregateUsage(ctx, toFilter(args.filter), args.groupBy, args.timeZone ?? '+08:00'),
  }),
);
