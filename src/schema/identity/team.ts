import { builder } from '../../builder.ts';
import { decodeId } from '../../graphql/ids.ts';
import { refetch } from '../../graphql/refetch.ts';
import * as orgs from '../../identity/organizations.ts';
import { inOrg } from '../../graphql/access/identity.ts';

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

const CreateTeamInput = builder.inputType('CreateTeamInput', {
  fields: (t) => ({ organizationId: t.id({ required: true }), name: t.string({ required: true }) }),
});

const UpdateTeamInput = builder.inputType('UpdateTeamInput', {
  fields: (t) => ({ id: t.id({ required: true }), name: t.string({ required: false }) }),
});

const TeamMemberInput = builder.inputType('TeamMemberInput', {
  fields: (t) => ({ teamId: t.id({ required: true }), userId: t.id({ required: true }) }),
});

builder.mutationFields((t) => ({
  createTeam: t.prismaField({
    keyScope: 'manage',
    type: 'Team',
    description: 'Admin or owner.',
    args: { input: t.arg({ type: CreateTeamInput, required: true }) },
    resolve: (query, _r, { input }, ctx) =>
      refetch(
        ctx.services.db.team,
        query,
        orgs.createTeam(ctx, decodeId(input.organizationId, 'Organization'), input),
      ),
  }),
  updateTeam: t.prismaField({
    keyScope: 'manage',
    type: 'Team',
    description: 'Admin or owner.',
    args: { input: t.arg({ type: UpdateTeamInput, required: true }) },
    resolve: (query, _r, { input }, ctx) =>
      refetch(ctx.services.db.team, query, orgs.updateTeam(ctx, decodeId(input.id, 'Team'), input)),
  }),
  deleteTeam: t.prismaField({
    keyScope: 'manage',
    type: 'Team',
    description: 'Admin or owner. Refused while the team has active keys (TEAM_HAS_KEYS).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, args, ctx) =>
      refetch(ctx.services.db.team, query, orgs.deleteTeam(ctx, decodeId(args.id, 'Team'))),
  }),
  addTeamMember: t.prismaField({
    keyScope: 'manage',
    type: 'Team',
    description: 'Admin or owner; the user must be a member of the organization.',
    args: { input: t.arg({ type: TeamMemberInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const id = decodeId(input.teamId, 'Team');
      await orgs.addTeamMember(ctx, id, decodeId(input.userId, 'User'));
      return refetch(ctx.services.db.team, query, { id });
    },
  }),
  removeTeamMember: t.prismaField({
    keyScope: 'manage',
    type: 'Team',
    description: 'Admin or owner.',
    args: { input: t.arg({ type: TeamMemberInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const id = decodeId(input.teamId, 'Team');
      await orgs.removeTeamMember(ctx, id, decodeId(input.userId, 'User'));
      return refetch(ctx.services.db.team, query, { id });
    },
  }),
}));
