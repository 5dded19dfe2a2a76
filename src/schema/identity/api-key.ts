import { builder } from '../../builder.ts';
import { decodeId } from '../../graphql/ids.ts';
import { refetch } from '../../graphql/refetch.ts';
import { type API_SCOPES, isPlatformAdmin, roleAtLeast, isMember } from '../../identity/principal.ts';
import { requirePrincipal } from '../../identity/access.ts';
import { createApiKey, revokeApiKey, rotateApiKey, updateApiKey } from '../../identity/api-key-admin.ts';
import { canSeeKey } from '../../graphql/access/identity.ts';
import { ApiScopeEnum } from './roles.ts';

builder.prismaNode('ApiKey', {
  id: { field: 'id' },
  authScopes: (key, ctx) => canSeeKey(ctx, key),
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The visible start of the secret.' }),
    scopes: t.field({ type: [ApiScopeEnum], resolve: (k) => k.scopes as (typeof API_SCOPES)[number][] }),
    modelAllowlist: t.exposeStringList('modelAllowlist', { description: 'Empty = every model.' }),
    budgetNanos: t.expose('budgetNanos', { type: 'BigInt', nullable: true }),
    budgetCurrency: t.exposeString('budgetCurrency', { nullable: true }),
    dailyCapNanos: t.expose('dailyCapNanos', { type: 'BigInt', nullable: true }),
    rpmLimit: t.exposeInt('rpmLimit', { nullable: true }),
    tpmLimit: t.exposeInt('tpmLimit', { nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    graceUntil: t.expose('graceUntil', {
      type: 'DateTime',
      nullable: true,
      description: 'A rotated key keeps working until then.',
    }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    syncState: t.exposeString('syncState', {
      description: 'LiteLLM mirror: pending | synced | failed | deleted | disabled.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    user: t.relation('user'),
    team: t.relation('team', { nullable: true }),
    organization: t.relation('organization'),
  }),
});

builder.queryFields((t) => ({
  apiKeys: t.prismaConnection({
    keyScope: 'read',
    type: 'ApiKey',
    cursor: 'id',
    description:
      'API keys: a member sees its own, an admin or owner every key of the organization, a platform admin any (filter by organizationId).',
    args: {
      organizationId: t.arg.id({ required: false }),
      userId: t.arg.id({ required: false }),
      includeRevoked: t.arg.boolean({ required: false, defaultValue: false }),
    },
    resolve: (query, _r, args, ctx) => {
      const p = requirePrincipal(ctx.principal);
      const orgId = args.organizationId ? decodeId(args.organizationId, 'Organization') : undefined;
      const userId = args.userId ? decodeId(args.userId, 'User') : undefined;
      const scope = isPlatformAdmin(p)
        ? {}
        : !isMember(p)
          ? { id: { in: [] } }
          : roleAtLeast(p.role, 'admin')
            ? { organizationId: p.organizationId }
            : { organizationId: p.organizationId, userId: p.userId };
      return ctx.services.db.apiKey.findMany({
        ...query,
        where: {
          AND: [
            scope,
            orgId ? { organizationId: orgId } : {},
            userId ? { userId } : {},
            args.includeRevoked ? {} : { revokedAt: null },
          ],
        },
        orderBy: { id: 'asc' },
      });
    },
  }),
}));

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    organizationId: t.id({ required: false, description: 'Defaults to the caller’s organization.' }),
    userId: t.id({ required: false, description: 'Defaults to the caller.' }),
    teamId: t.id({ required: false, description: 'A team the user is a member of.' }),
    name: t.string({ required: true }),
    scopes: t.field({ type: [ApiScopeEnum], required: true }),
    modelAllowlist: t.stringList({ required: false }),
    budgetNanos: t.field({ type: 'BigInt', required: false }),
    budgetCurrency: t.string({ required: false }),
    dailyCapNanos: t.field({ type: 'BigInt', required: false }),
    rpmLimit: t.int({ required: false }),
    tpmLimit: t.int({ required: false }),
    expiresAt: t.field({ type: 'DateTime', required: false }),
  }),
});

const UpdateApiKeyInput = builder.inputType('UpdateApiKeyInput', {
  description: 'Omitted fields stay; null clears (name and scopes cannot be cleared).',
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string({ required: false }),
    scopes: t.field({ type: [ApiScopeEnum], required: false }),
    modelAllowlist: t.stringList({ required: false }),
    budgetNanos: t.field({ type: 'BigInt', required: false }),
    budgetCurrency: t.string({ required: false }),
    dailyCapNanos: t.field({ type: 'BigInt', required: false }),
    rpmLimit: t.int({ required: false }),
    tpmLimit: t.int({ required: false }),
    expiresAt: t.field({ type: 'DateTime', required: false }),
  }),
});

interface KeyWithSecret {
  apiKey: { id: string };
  secret: string;
  previous?: { id: string };
}

const ApiKeySecretPayload = builder.objectRef<KeyWithSecret>('ApiKeySecretPayload').implement({
  authScopes: { authenticated: true },
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'The key itself. Shown once; store it now.' }),
    apiKey: t.prismaField({
      type: 'ApiKey',
      resolve: (query, p, _a, ctx) =>
        ctx.services.db.apiKey.findUniqueOrThrow({ ...query, where: { id: p.apiKey.id } }),
    }),
    previous: t.prismaField({
      type: 'ApiKey',
      nullable: true,
      description: 'rotateApiKey: the old key, working until its graceUntil.',
      resolve: (query, p, _a, ctx) =>
        p.previous ? ctx.services.db.apiKey.findUnique({ ...query, where: { id: p.previous.id } }) : null,
    }),
  }),
});

builder.mutationFields((t) => ({
  createApiKey: t.field({
    keyScope: 'manage',
    type: ApiKeySecretPayload,
    description:
      'Own keys for everyone; an admin/owner for any non-owner (owner: anyone). Scopes ⊆ the caller’s.',
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      createApiKey(ctx, {
        ...input,
        organizationId: input.organizationId ? decodeId(input.organizationId, 'Organization') : null,
        userId: input.userId ? decodeId(input.userId, 'User') : null,
        teamId: input.teamId ? decodeId(input.teamId, 'Team') : null,
      }),
  }),
  updateApiKey: t.prismaField({
    keyScope: 'manage',
    type: 'ApiKey',
    args: { input: t.arg({ type: UpdateApiKeyInput, required: true }) },
    resolve: (query, _r, { input: { id, ...fields } }, ctx) =>
      refetch(ctx.services.db.apiKey, query, updateApiKey(ctx, decodeId(id, 'ApiKey'), fields)),
  }),
  revokeApiKey: t.prismaField({
    keyScope: 'manage',
    type: 'ApiKey',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, args, ctx) =>
      refetch(ctx.services.db.apiKey, query, revokeApiKey(ctx, decodeId(args.id, 'ApiKey'))),
  }),
  rotateApiKey: t.field({
    keyScope: 'manage',
    type: ApiKeySecretPayload,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => rotateApiKey(ctx, decodeId(args.id, 'ApiKey')),
  }),
}));
