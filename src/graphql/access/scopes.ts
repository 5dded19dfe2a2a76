import type { Context } from '../../context.ts';
import { type Role, isPlatformAdmin, isMember } from '../../identity/principal.ts';
import { decodeId } from '../ids.ts';

/** The scopes a field or type may ask for in `authScopes` (the builder's AuthScopes). */
export interface AuthScopes {
  authenticated: boolean;
  platformAdmin: boolean;
  /** The caller's role in the organization is one of these. */
  orgRole: { organizationId: string; roles: Role[] };
}

/** How scope-auth evaluates those scopes for one request. */
export function authScopesOf(context: Context) {
  const p = context.principal;
  return {
    authenticated: p !== null,
    platformAdmin: isPlatformAdmin(p),
    orgRole: ({ organizationId, roles }: AuthScopes['orgRole']) =>
      isPlatformAdmin(p) || (isMember(p) && p.organizationId === organizationId && roles.includes(p.role)),
  };
}

/** `authScopes` of a field for the admins and owners of the organization an argument names. */
export const orgAdminOf = (organizationId: string | number) => ({
  orgRole: { organizationId: decodeId(organizationId, 'Organization'), roles: ['owner', 'admin'] as Role[] },
});
