import type { Context } from '../../context.ts';
import { hasScope, isPlatformAdmin, isMember } from '../../identity/principal.ts';

/** A usage record: a platform admin any; a key with `read` its organization's, members only their own. */
export function canSeeUsage(ctx: Context, u: { organizationId: string; userId: string }): boolean {
  const p = ctx.principal;
  if (isPlatformAdmin(p)) return true;
  return (
    isMember(p) &&
    hasScope(p, 'read') &&
    p.organizationId === u.organizationId &&
    (p.role !== 'member' || p.userId === u.userId)
  );
}
