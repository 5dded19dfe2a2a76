import { builder } from '../../builder.ts';
import { decodeId } from '../../graphql/ids.ts';
import { refetch } from '../../graphql/refetch.ts';
import { isPlatformAdmin, isMember } from '../../identity/principal.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { requirePrincipal } from '../../identity/access.ts';
import * as orgs from '../../identity/organizations.ts';
import { inOrg, isOwnMembership } from '../../graphql/access/identity.ts';

export const OrganizationNode = builder.prismaNode('Organization', {
  id: { field: 'id' },
  // A person in several organizations sees the others' names (the organization switcher), nothing more:
  // Team and Membership check inOrg themselves.
  authScopes: (org, ctx) => inOrg(ctx, org.id) || isOwnMembership(ctx, org.id),
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

builder.queryFields((t) => ({
  organization: t.prismaField({
    keyScope: 'read',
    type: 'Organization',
    description: 'An organization the caller belongs to (any for a platform admin).',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _r, args, ctx) => {
      const orgId = decodeId(args.id, 'Organization');
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
          ...(isPlatformAdmin(p) ? {} : { id: isMember(p) ? p.organizationId : { in: [] } }),
        },
        orderBy: { id: 'asc' },
      });
    },
  }),
}));

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

builder.mutationFields((t) => ({
  createOrganization: t.prismaField({
    keyScope: 'manage',
    type: 'Organization',
    description: 'Platform admin only.',
    authScopes: { platformAdmin: true },
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: (query, _r, { input }, ctx) =>
      refetch(
        ctx.services.db.organization,
        query,
        orgs.createOrganization(ctx, input).then((r) => r.organization),
      ),
  }),
  updateOrganization: t.prismaField({
    keyScope: 'manage',
    type: 'Organization',
    description: 'Owner.',
    args: { input: t.arg({ type: UpdateOrganizationInput, required: true }) },
    resolve: (query, _r, { input }, ctx) =>
      refetch(
        ctx.services.db.organization,
        query,
        orgs.updateOrganization(ctx, decodeId(input.id, 'Organization'), input),
      ),
  }),
  deleteOrganization: t.prismaField({
    keyScope: 'manage',
    type: 'Organization',
    description: 'Owner. Soft delete: revokes every key and deletes the teams.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, args, ctx) =>
      refetch(
        ctx.services.db.organization,
        query,
        orgs.deleteOrganization(ctx, decodeId(args.id, 'Organization')),
      ),
  }),
}));
