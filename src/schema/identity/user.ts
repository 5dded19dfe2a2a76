import { builder } from '../../builder.ts';
import { decodeId } from '../../graphql/ids.ts';
import { refetch } from '../../graphql/refetch.ts';
import type { Role } from '../../identity/principal.ts';
import * as orgs from '../../identity/organizations.ts';
import { canSeeUser, inOrg } from '../../graphql/access/identity.ts';
import { OrganizationRole } from './roles.ts';
import { isMember } from '../../identity/principal.ts';

builder.prismaNode('User', {
  id: { field: 'id' },
  authScopes: (user, ctx) => canSeeUser(ctx, user),
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
          isMember(ctx.principal) && !ctx.principal.isPlatformAdmin
            ? { organizationId: ctx.principal.organizationId }
            : {},
        orderBy: { id: 'asc' },
      }),
    }),
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
  createUser: t.prismaField({
    keyScope: 'manage',
    type: 'User',
    description:
      'Admin or owner (only an owner adds an owner). Always a new user, whether or not the email is used in another organization (the answer does not tell); an email a member of this organization has is a CONFLICT.',
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: (query, _r, { input }, ctx) =>
      refetch(
        ctx.services.db.user,
        query,
        orgs.createUser(ctx, decodeId(input.organizationId, 'Organization'), input),
      ),
  }),
  updateUser: t.prismaField({
    keyScope: 'manage',
    type: 'User',
    description:
      'The user itself or a platform admin; an admin/owner of its organization (admins not on owners) only for a user in no other organization (USER_PROFILE_NOT_OWNED).',
    args: { input: t.arg({ type: UpdateUserInput, required: true }) },
    resolve: (query, _r, { input }, ctx) =>
      refetch(ctx.services.db.user, query, orgs.updateUser(ctx, decodeId(input.id, 'User'), input)),
  }),
  deleteUser: t.prismaField({
    keyScope: 'manage',
    type: 'User',
    description: 'Platform admin, or an admin/owner for a user in no other organization.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, args, ctx) =>
      refetch(ctx.services.db.user, query, orgs.deleteUser(ctx, decodeId(args.id, 'User'))),
  }),
  addMember: t.prismaField({
    keyScope: 'manage',
    type: 'Membership',
    description: 'Platform admin: adds an existing user to an organization (others use createUser).',
    args: { input: t.arg({ type: MembershipInput, required: true }) },
    resolve: (query, _r, { input }, ctx) =>
      refetch(
        ctx.services.db.membership,
        query,
        orgs.addMember(
          ctx,
          decodeId(input.organizationId, 'Organization'),
          decodeId(input.userId, 'User'),
          input.role,
        ),
      ),
  }),
  updateMembership: t.prismaField({
    keyScope: 'manage',
    type: 'Membership',
    description: 'Owner: any role; admin: member ↔ admin only. The last owner cannot be demoted.',
    args: { input: t.arg({ type: MembershipInput, required: true }) },
    resolve: (query, _r, { input }, ctx) =>
      refetch(
        ctx.services.db.membership,
        query,
        orgs.updateMembership(
          ctx,
          decodeId(input.organizationId, 'Organization'),
          decodeId(input.userId, 'User'),
          input.role,
        ),
      ),
  }),
  removeMember: t.field({
    keyScope: 'manage',
    type: 'Boolean',
    description: 'Admin or owner (admins not on owners). Revokes the user’s keys in the organization.',
    args: { input: t.arg({ type: RemoveMemberInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      await orgs.removeMember(
        ctx,
        decodeId(input.organizationId, 'Organization'),
        decodeId(input.userId, 'User'),
      );
      return true;
    },
  }),
}));
