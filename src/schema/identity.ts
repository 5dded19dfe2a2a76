import DataLoader from 'dataloader';
import { builder } from '../builder.ts';
import { screamingEnum } from './enums.ts';
import type { Context } from '../context.ts';
import { API_SCOPES, ROLES, type Role, isPlatformAdmin, roleAtLeast } from '../identity/principal.ts';
import { NotFoundError } from '../lib/errors.ts';
import { orgAccess, requirePrincipal } from '../resolvers/identity/access.ts';
import { createApiKey, revokeApiKey, rotateApiKey, updateApiKey } from '../resolvers/identity/api-keys.ts';
import * as orgs from '../resolvers/identity/organizations.ts';
import { nanosToUsdDecimal } from '../integrations/litellm/usd.ts';
import { decodeId } from '../graphql/ids.ts';

// ------------------------------------------------------------------ authorization helpers

/** Per-request batch: which of these users share the caller's organization (one query per batch). */
const sharedOrgLoaders = new WeakMap<Context, DataLoader<string, boolean>>();
function sharesOrg(ctx: Context, userId: string): Promise<boolean> {
  const p = ctx.principal;
  if (p?.kind !== 'api_key') return Promise.resolve(false);
  let loader = sharedOrgLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const rows = await ctx.services.db.membership.findMany({
        where: { organizationId: p.organizationId, userId: { in: [...ids] } },
        select: { userId: true },
      });
      const found = new Set(rows.map((r) => r.userId));
      return ids.map((id) => found.has(id));
    });
    sharedOrgLoaders.set(ctx, loader);
  }
  return loader.load(userId);
}

const inOrg = (ctx: Context, organizationId: string) => orgAccess(ctx.principal, organizationId) !== null;

/** Admins and owners see every key of their organization; members only their own. */
function canSeeKey(ctx: Context, key: { organizationId: string; userId: string }): boolean {
  const p = ctx.principal;
  if (isPlatformAdmin(p)) return true;
  if (p?.kind !== 'api_key' || p.organizationId !== key.organizationId) return false;
  return p.userId === key.userId || roleAtLeast(p.role, 'admin');
}

const id = (v: string | number) => String(v);

// ------------------------------------------------------------------ types

export const OrganizationRole = screamingEnum('OrganizationRole', ROLES, {
  description: 'A user’s role in an organization (platform admin is a user flag, not a role).',
});

export const ApiScopeEnum = screamingEnum('ApiScope', API_SCOPES, {
  description:
    'What an API key may do: INFERENCE (proxy), READ (queries), MANAGE (identity), BILLING (money).',
});

export const OrganizationNode = builder.prismaNode('Organization', {
  id: { field: 'id' },
  authScopes: (org, ctx) => inOrg(ctx, org.id),
  fields: (t) => ({
    name: t.exposeString('name'),
    slug: t.exposeString('slug'),
    status: t.exposeString('status'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    teams: t.relatedConnection('teams', {
      cursor: 'id',
      query: { where: { status: { not: 'deleted' } }, orderBy: { id: 'asc' } },
    }),
    memberships: t.relatedConnection('memberships', { cursor: 'id', query: { orderBy: { id: 'asc' } } }),
  }),
});

builder.prismaNode('Team', {
  id: { field: 'id' },
  authScopes: (team, ctx) => inOrg(ctx, team.organizationId),
  fields: (t) => ({
    name: t.exposeString('name'),
    status: t.exposeString('status'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    organization: t.relation('organization'),
    members: t.relatedConnection('members', { cursor: 'id', query: { orderBy: { id: 'asc' } } }),
  }),
});

builder.prismaObject('TeamMember', {
  // Reachable only through a Team (checked) or addTeamMember (checked).
  authScopes: { authenticated: true },
  fields: (t) => ({
    id: t.exposeID('id'),
    role: t.exposeString('role'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    user: t.relation('user'),
    team: t.relation('team'),
  }),
});

builder.prismaNode('Membership', {
  id: { field: 'id' },
  authScopes: (m, ctx) => inOrg(ctx, m.organizationId),
  fields: (t) => ({
    role: t.field({ type: OrganizationRole, resolve: (m) => m.role as Role }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    user: t.relation('user'),
    organization: t.relation('organization'),
  }),
});

builder.prismaNode('User', {
  id: { field: 'id' },
  authScopes: async (user, ctx) =>
    isPlatformAdmin(ctx.principal) ||
    (ctx.principal?.kind === 'api_key' && ctx.principal.userId === user.id) ||
    sharesOrg(ctx, user.id),
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name', { nullable: true }),
    status: t.exposeString('status'),
    isPlatformAdmin: t.exposeBoolean('isPlatformAdmin'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    memberships: t.relatedConnection('memberships', {
      cursor: 'id',
      description:
        'Memberships the caller may see: all for a platform admin, else the caller’s organization.',
      query: (_args, ctx) => ({
        where:
          ctx.principal?.kind === 'api_key' && !ctx.principal.isPlatformAdmin
            ? { organizationId: ctx.principal.organizationId }
            : {},
        orderBy: { id: 'asc' },
      }),
    }),
  }),
});

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

interface ViewerShape {
  kind: 'platform_admin' | 'api_key';
  role: Role | null;
  scopes: (typeof API_SCOPES)[number][];
  userId: string | null;
  organizationId: string | null;
  apiKeyId: string | null;
}

const Viewer = builder.objectRef<ViewerShape>('Viewer').implement({
  authScopes: { authenticated: true },
  fields: (t) => ({
    kind: t.exposeString('kind'),
    role: t.field({ type: OrganizationRole, nullable: true, resolve: (v) => v.role }),
    scopes: t.field({ type: [ApiScopeEnum], resolve: (v) => v.scopes }),
    apiKeyId: t.exposeID('apiKeyId', { nullable: true }),
    user: t.prismaField({
      type: 'User',
      nullable: true,
      resolve: (query, v, _a, ctx) =>
        v.userId ? ctx.services.db.user.findUnique({ ...query, where: { id: v.userId } }) : null,
    }),
    organization: t.prismaField({
      type: 'Organization',
      nullable: true,
      resolve: (query, v, _a, ctx) =>
        v.organizationId
          ? ctx.services.db.organization.findUnique({ ...query, where: { id: v.organizationId } })
          : null,
    }),
  }),
});

// ------------------------------------------------------------------ queries

builder.queryFields((t) => ({
  viewer: t.field({
    keyScope: 'none',
    type: Viewer,
    description: 'The authenticated caller.',
    authScopes: { authenticated: true },
    resolve: (_r, _a, ctx) => {
      const p = requirePrincipal(ctx.principal);
      return p.kind === 'platform_admin'
        ? {
            kind: p.kind,
            role: null,
            scopes: [...API_SCOPES],
            userId: null,
            organizationId: null,
            apiKeyId: null,
          }
        : {
            kind: p.kind,
            role: p.role,
            scopes: p.scopes,
            userId: p.userId,
            organizationId: p.organizationId,
            apiKeyId: p.apiKeyId,
          };
    },
  }),
  organization: t.prismaField({
    keyScope: 'read',
    type: 'Organization',
    description: 'An organization the caller belongs to (any for a platform admin).',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _r, args, ctx) => {
      const orgId = decodeId(id(args.id), 'Organization');
      if (!inOrg(ctx, orgId)) throw new NotFoundError('Organization', orgId);
      const org = await ctx.services.db.organization.findFirst({
        ...query,
        where: { id: orgId, status: { not: 'deleted' } },
      });
      if (!org) throw new NotFoundError('Organization', orgId);
      return org;
    },
  }),
  organizations: t.prismaConnection({
    keyScope: 'read',
    type: 'Organization',
    cursor: 'id',
    description: 'Every organization for a platform admin; the caller’s own otherwise.',
    resolve: (query, _r, _a, ctx) => {
      const p = requirePrincipal(ctx.principal);
      return ctx.services.db.organization.findMany({
        ...query,
        where: {
          status: { not: 'deleted' },
          ...(isPlatformAdmin(p) || p.kind !== 'api_key' ? {} : { id: p.organizationId }),
        },
        orderBy: { id: 'asc' },
      });
    },
  }),
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
      const orgId = args.organizationId ? decodeId(id(args.organizationId), 'Organization') : undefined;
      const userId = args.userId ? decodeId(id(args.userId), 'User') : undefined;
      const scope =
        isPlatformAdmin(p) || p.kind !== 'api_key'
          ? {}
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

// ------------------------------------------------------------------ mutations: organizations, teams, users

const CreateOrganizationInput = builder.inputType('CreateOrganizationInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    slug: t.string({ required: true, description: 'Unique; lowercase letters, digits and dashes.' }),
    ownerEmail: t.string({ required: false, description: 'Creates (or links) this user as owner.' }),
    ownerName: t.string({ required: false }),
  }),
});

const UpdateOrganizationInput = builder.inputType('UpdateOrganizationInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string({ required: false }),
    slug: t.string({ required: false }),
  }),
});

const CreateTeamInput = builder.inputType('CreateTeamInput', {
  fields: (t) => ({ organizationId: t.id({ required: true }), name: t.string({ required: true }) }),
});

const UpdateTeamInput = builder.inputType('UpdateTeamInput', {
  fields: (t) => ({ id: t.id({ required: true }), name: t.string({ required: false }) }),
});

const TeamMemberInput = builder.inputType('TeamMemberInput', {
  fields: (t) => ({ teamId: t.id({ required: true }), userId: t.id({ required: true }) }),
});

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    email: t.string({ required: true }),
    name: t.string({ required: false }),
    role: t.field({ type: OrganizationRole, required: true }),
  }),
});

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string({ required: false }),
    email: t.string({ required: false }),
  }),
});

const MembershipInput = builder.inputType('MembershipInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    userId: t.id({ required: true }),
    role: t.field({ type: OrganizationRole, required: true }),
  }),
});

const RemoveMemberInput = builder.inputType('RemoveMemberInput', {
  fields: (t) => ({ organizationId: t.id({ required: true }), userId: t.id({ required: true }) }),
});

builder.mutationFields((t) => ({
  createOrganization: t.prismaField({
    keyScope: 'manage',
    type: 'Organization',
    description: 'Platform admin only.',
    authScopes: { platformAdmin: true },
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const { organization } = await orgs.createOrganization(ctx, input);
      return ctx.services.db.organization.findUniqueOrThrow({ ...query, where: { id: organization.id } });
    },
  }),
  updateOrganization: t.prismaField({
    keyScope: 'manage',
    type: 'Organization',
    description: 'Owner.',
    args: { input: t.arg({ type: UpdateOrganizationInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const org = await orgs.updateOrganization(ctx, decodeId(id(input.id), 'Organization'), input);
      return ctx.services.db.organization.findUniqueOrThrow({ ...query, where: { id: org.id } });
    },
  }),
  deleteOrganization: t.prismaField({
    keyScope: 'manage',
    type: 'Organization',
    description: 'Owner. Soft delete: revokes every key and deletes the teams.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _r, args, ctx) => {
      const org = await orgs.deleteOrganization(ctx, decodeId(id(args.id), 'Organization'));
      return ctx.services.db.organization.findUniqueOrThrow({ ...query, where: { id: org.id } });
    },
  }),
  createTeam: t.prismaField({
    keyScope: 'manage',
    type: 'Team',
    description: 'Admin or owner.',
    args: { input: t.arg({ type: CreateTeamInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const team = await orgs.createTeam(ctx, decodeId(id(input.organizationId), 'Organization'), input);
      return ctx.services.db.team.findUniqueOrThrow({ ...query, where: { id: team.id } });
    },
  }),
  updateTeam: t.prismaField({
    keyScope: 'manage',
    type: 'Team',
    description: 'Admin or owner.',
    args: { input: t.arg({ type: UpdateTeamInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const team = await orgs.updateTeam(ctx, decodeId(id(input.id), 'Team'), input);
      return ctx.services.db.team.findUniqueOrThrow({ ...query, where: { id: team.id } });
    },
  }),
  deleteTeam: t.prismaField({
    keyScope: 'manage',
    type: 'Team',
    description: 'Admin or owner. Refused while the team has active keys (TEAM_HAS_KEYS).',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _r, args, ctx) => {
      const team = await orgs.deleteTeam(ctx, decodeId(id(args.id), 'Team'));
      return ctx.services.db.team.findUniqueOrThrow({ ...query, where: { id: team.id } });
    },
  }),
  addTeamMember: t.prismaField({
    keyScope: 'manage',
    type: 'Team',
    description: 'Admin or owner; the user must be a member of the organization.',
    args: { input: t.arg({ type: TeamMemberInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const teamId = decodeId(id(input.teamId), 'Team');
      await orgs.addTeamMember(ctx, teamId, decodeId(id(input.userId), 'User'));
      return ctx.services.db.team.findUniqueOrThrow({ ...query, where: { id: teamId } });
    },
  }),
  removeTeamMember: t.prismaField({
    keyScope: 'manage',
    type: 'Team',
    description: 'Admin or owner.',
    args: { input: t.arg({ type: TeamMemberInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const teamId = decodeId(id(input.teamId), 'Team');
      await orgs.removeTeamMember(ctx, teamId, decodeId(id(input.userId), 'User'));
      return ctx.services.db.team.findUniqueOrThrow({ ...query, where: { id: teamId } });
    },
  }),
  createUser: t.prismaField({
    keyScope: 'manage',
    type: 'User',
    description:
      'Admin or owner (only an owner adds an owner). Always a new user, whether or not the email is used in another organization (the answer does not tell); an email a member of this organization has is a CONFLICT.',
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const user = await orgs.createUser(ctx, decodeId(id(input.organizationId), 'Organization'), input);
      return ctx.services.db.user.findUniqueOrThrow({ ...query, where: { id: user.id } });
    },
  }),
  updateUser: t.prismaField({
    keyScope: 'manage',
    type: 'User',
    description:
      'The user itself or a platform admin; an admin/owner of its organization (admins not on owners) only for a user in no other organization (USER_PROFILE_NOT_OWNED).',
    args: { input: t.arg({ type: UpdateUserInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const user = await orgs.updateUser(ctx, decodeId(id(input.id), 'User'), input);
      return ctx.services.db.user.findUniqueOrThrow({ ...query, where: { id: user.id } });
    },
  }),
  deleteUser: t.prismaField({
    keyScope: 'manage',
    type: 'User',
    description: 'Platform admin, or an admin/owner for a user in no other organization.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _r, args, ctx) => {
      const user = await orgs.deleteUser(ctx, decodeId(id(args.id), 'User'));
      return ctx.services.db.user.findUniqueOrThrow({ ...query, where: { id: user.id } });
    },
  }),
  addMember: t.prismaField({
    keyScope: 'manage',
    type: 'Membership',
    description: 'Platform admin: adds an existing user to an organization (others use createUser).',
    args: { input: t.arg({ type: MembershipInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const m = await orgs.addMember(
        ctx,
        decodeId(id(input.organizationId), 'Organization'),
        decodeId(id(input.userId), 'User'),
        input.role,
      );
      return ctx.services.db.membership.findUniqueOrThrow({ ...query, where: { id: m.id } });
    },
  }),
  updateMembership: t.prismaField({
    keyScope: 'manage',
    type: 'Membership',
    description: 'Owner: any role; admin: member ↔ admin only. The last owner cannot be demoted.',
    args: { input: t.arg({ type: MembershipInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const m = await orgs.updateMembership(
        ctx,
        decodeId(id(input.organizationId), 'Organization'),
        decodeId(id(input.userId), 'User'),
        input.role,
      );
      return ctx.services.db.membership.findUniqueOrThrow({ ...query, where: { id: m.id } });
    },
  }),
  removeMember: t.field({
    keyScope: 'manage',
    type: 'Boolean',
    description: 'Admin or owner (admins not on owners). Revokes the user’s keys in the organization.',
    args: { input: t.arg({ type: RemoveMemberInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      await orgs.removeMember(
        ctx,
        decodeId(id(input.organizationId), 'Organization'),
        decodeId(id(input.userId), 'User'),
      );
      return true;
    },
  }),
}));

// ------------------------------------------------------------------ mutations: API keys

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
        organizationId: input.organizationId ? decodeId(id(input.organizationId), 'Organization') : null,
        userId: input.userId ? decodeId(id(input.userId), 'User') : null,
        teamId: input.teamId ? decodeId(id(input.teamId), 'Team') : null,
      }),
  }),
  updateApiKey: t.prismaField({
    keyScope: 'manage',
    type: 'ApiKey',
    args: { input: t.arg({ type: UpdateApiKeyInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const { id: keyId, ...rest } = input;
      const key = await updateApiKey(ctx, decodeId(id(keyId), 'ApiKey'), rest);
      return ctx.services.db.apiKey.findUniqueOrThrow({ ...query, where: { id: key.id } });
    },
  }),
  revokeApiKey: t.prismaField({
    keyScope: 'manage',
    type: 'ApiKey',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _r, args, ctx) => {
      const key = await revokeApiKey(ctx, decodeId(id(args.id), 'ApiKey'));
      return ctx.services.db.apiKey.findUniqueOrThrow({ ...query, where: { id: key.id } });
    },
  }),
  rotateApiKey: t.field({
    keyScope: 'manage',
    type: ApiKeySecretPayload,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => rotateApiKey(ctx, decodeId(id(args.id), 'ApiKey')),
  }),
}));

// ------------------------------------------------------------------ LiteLLM drift (platform admin)

const LiteLLMDriftDirection = screamingEnum(
  'LiteLLMDriftDirection',
  ['litellm_higher', 'tollgate_higher', 'none'],
  {
    description: 'Which way LiteLLM disagrees with Tollgate.',
    valueDescriptions: {
      litellm_higher:
        'LiteLLM recorded spend Tollgate never billed (calls made straight to LiteLLM, or LiteLLM prices above Tollgate prices).',
      tollgate_higher:
        "Tollgate billed more than LiteLLM recorded (Tollgate prices above LiteLLM's, or spend LiteLLM has not written yet).",
      none: 'They agree.',
    },
  },
);

const LiteLLMDrift = builder
  .objectRef<{
    entityType: string;
    entityId: string;
    litellmSpendUsd: string;
    litellmSpendNanos: bigint;
    tollgateUsageNanos: bigint;
    driftNanos: bigint;
    direction: 'litellm_higher' | 'tollgate_higher' | 'none';
  }>('LiteLLMDrift')
  .implement({
    authScopes: { platformAdmin: true },
    fields: (t) => ({
      entityType: t.exposeString('entityType'),
      entityId: t.exposeID('entityId'),
      litellmSpendUsd: t.exposeString('litellmSpendUsd', { description: 'As LiteLLM reported it (USD).' }),
      litellmSpendNanos: t.expose('litellmSpendNanos', { type: 'BigInt' }),
      tollgateUsageNanos: t.expose('tollgateUsageNanos', {
        type: 'BigInt',
        description: 'USD usage records.',
      }),
      driftNanos: t.expose('driftNanos', { type: 'BigInt', description: 'LiteLLM − Tollgate.' }),
      direction: t.expose('direction', { type: LiteLLMDriftDirection }),
      driftUsd: t.string({
        description: 'By how much they disagree: |LiteLLM − Tollgate| as an exact USD decimal.',
        resolve: (r) => nanosToUsdDecimal(r.driftNanos < 0n ? -r.driftNanos : r.driftNanos),
      }),
    }),
  });

builder.mutationField('resyncLiteLLMBudgets', (t) =>
  t.int({
    description:
      "Pushes the LiteLLM backstop (every mirrored key's max_budget) of one USD wallet, or of all USD wallets, now (platform admin). Returns how many wallets were queued; the outbox delivers them.",
    keyScope: 'manage',
    authScopes: { platformAdmin: true },
    args: { walletId: t.arg.id({ required: false }) },
    resolve: (_r, args, ctx) =>
      ctx.services.litellm.budgets.resync(args.walletId ? decodeId(args.walletId, 'Wallet') : undefined),
  }),
);

builder.queryField('litellmDrift', (t) =>
  t.field({
    keyScope: 'read',
    type: [LiteLLMDrift],
    // One call to LiteLLM's spend API per mapped organization, team and user.
    complexity: 200,
    description:
      'LiteLLM spend vs Tollgate USD usage per mapped organization (keys without a team), team and user (platform admin). Queries LiteLLM now.',
    authScopes: { platformAdmin: true },
    resolve: (_r, _a, ctx) => ctx.services.litellm.computeDrift(),
  }),
);
