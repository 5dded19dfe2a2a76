import { builder } from '../../builder.ts';
import { API_SCOPES, type Role } from '../../identity/principal.ts';
import { requirePrincipal } from '../../identity/access.ts';
import { ApiScopeEnum, OrganizationRole } from './roles.ts';

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
}));
