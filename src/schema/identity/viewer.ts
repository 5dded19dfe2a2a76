import { builder } from '../../builder.ts';
import { API_SCOPES, type Principal, type Role, isPlatformAdmin, isRole } from '../../identity/principal.ts';
import { requirePrincipal } from '../../identity/access.ts';
import { ApiScopeEnum, OrganizationRole } from './roles.ts';

export interface ViewerShape {
  kind: 'platform_admin' | 'api_key' | 'session';
  role: Role | null;
  scopes: (typeof API_SCOPES)[number][];
  userId: string | null;
  organizationId: string | null;
  apiKeyId: string | null;
  sessionId: string | null;
  isPlatformAdmin: boolean;
}

/** The Viewer of a principal. */
export function viewerOf(p: Principal): ViewerShape {
  if (p.kind === 'platform_admin')
    return {
      kind: p.kind,
      role: null,
      scopes: [...API_SCOPES],
      userId: null,
      organizationId: null,
      apiKeyId: null,
      sessionId: null,
      isPlatformAdmin: true,
    };
  return {
    kind: p.kind,
    role: p.role,
    scopes: p.scopes,
    userId: p.userId,
    organizationId: p.organizationId,
    apiKeyId: p.apiKeyId,
    sessionId: p.kind === 'session' ? p.sessionId : null,
    isPlatformAdmin: isPlatformAdmin(p),
  };
}

const UserOrganization = builder
  .objectRef<{ organizationId: string; role: Role }>('UserOrganization')
  .implement({
    description: 'An organization the viewer belongs to, and its role there.',
    fields: (t) => ({
      organization: t.prismaField({
        type: 'Organization',
        resolve: (query, m, _a, ctx) =>
          ctx.services.db.organization.findUniqueOrThrow({ ...query, where: { id: m.organizationId } }),
      }),
      role: t.field({ type: OrganizationRole, resolve: (m) => m.role }),
    }),
  });

export const Viewer = builder.objectRef<ViewerShape>('Viewer').implement({
  authScopes: { authenticated: true },
  fields: (t) => ({
    kind: t.exposeString('kind', { description: '`platform_admin`, `api_key` or `session`.' }),
    role: t.field({ type: OrganizationRole, nullable: true, resolve: (v) => v.role }),
    scopes: t.field({ type: [ApiScopeEnum], resolve: (v) => v.scopes }),
    apiKeyId: t.exposeID('apiKeyId', { nullable: true }),
    sessionId: t.exposeID('sessionId', { nullable: true }),
    isPlatformAdmin: t.exposeBoolean('isPlatformAdmin'),
    totpEnabled: t.boolean({
      description: 'Whether the signed-in user has TOTP on (false for keys and the admin token).',
      resolve: async (v, _a, ctx) => {
        if (v.kind !== 'session' || !v.userId) return false;
        const c = await ctx.services.db.passwordCredential.findUnique({
          where: { userId: v.userId },
          select: { totpEnabledAt: true },
        });
        return c?.totpEnabledAt != null;
      },
    }),
    organizations: t.field({
      type: [UserOrganization],
      description:
        'A session: the user’s memberships; an API key: its one organization; the admin token: none.',
      resolve: async (v, _a, ctx) => {
        if (v.kind === 'platform_admin' || !v.userId) return [];
        if (v.kind === 'api_key')
          return v.organizationId && v.role ? [{ organizationId: v.organizationId, role: v.role }] : [];
        const rows = await ctx.services.db.membership.findMany({
          where: { userId: v.userId, organization: { status: { not: 'deleted' } } },
          orderBy: { createdAt: 'asc' },
          select: { organizationId: true, role: true },
        });
        return rows.flatMap((m) =>
          isRole(m.role) ? [{ organizationId: m.organizationId, role: m.role }] : [],
        );
      },
    }),
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

builder.queryFields((t) => ({
  viewer: t.field({
    keyScope: 'none',
    type: Viewer,
    description: 'The authenticated caller.',
    authScopes: { authenticated: true },
    resolve: (_r, _a, ctx) => viewerOf(requirePrincipal(ctx.principal)),
  }),
}));
