import type { Context } from '../../context.ts';
import { isPlatformAdmin, isMember } from '../../identity/principal.ts';
import { NotFoundError, UnauthenticatedError, ValidationError } from '../../lib/errors.ts';
import { planVisibleTo } from '../../plans/plan-access.ts';
import type { SubjectIds } from '../../plans/plans.ts';
import { requireOrgRole } from '../../identity/access.ts';
import { decodeId } from '../ids.ts';

export interface SubjectArgs {
  organizationId?: string | number | null;
  teamId?: string | number | null;
  userId?: string | number | null;
  apiKeyId?: string | number | null;
}

const opt = (v: string | number | null | undefined, typename: 'Team' | 'User' | 'ApiKey') =>
  v === null || v === undefined ? null : decodeId(String(v), typename);

/**
 * Whose plan a query is about. An API key caller gets its own ids (organization, team, user, key);
 * naming other subjects of its organization needs the admin role. A platform admin names any
 * subject and must give the organization.
 * @throws UnauthenticatedError, ValidationError (admin without organizationId), NotFoundError
 *   (another organization), ForbiddenError (a member naming other subjects).
 */
export function callerSubject(ctx: Context, args: SubjectArgs): SubjectIds {
  const p = ctx.principal;
  if (!p) throw new UnauthenticatedError();
  const named = args.teamId ?? args.userId ?? args.apiKeyId;
  if (isPlatformAdmin(p) && (p.kind === 'platform_admin' || args.organizationId)) {
    if (!args.organizationId)
      throw new ValidationError('organizationId is required for a platform admin', {
        param: 'organizationId',
      });
    return {
      organizationId: decodeId(String(args.organizationId), 'Organization'),
      teamId: opt(args.teamId, 'Team'),
      userId: opt(args.userId, 'User'),
      apiKeyId: opt(args.apiKeyId, 'ApiKey'),
    };
  }
  if (!isMember(p)) throw new UnauthenticatedError();
  if (args.organizationId && decodeId(String(args.organizationId), 'Organization') !== p.organizationId)
    throw new NotFoundError('Organization', String(args.organizationId));
  if (named === null || named === undefined)
    return { organizationId: p.organizationId, teamId: p.teamId, userId: p.userId, apiKeyId: p.apiKeyId };
  requireOrgRole(p, p.organizationId, 'admin');
  return {
    organizationId: p.organizationId,
    teamId: opt(args.teamId, 'Team'),
    userId: opt(args.userId, 'User'),
    apiKeyId: opt(args.apiKeyId, 'ApiKey'),
  };
}

/** A private plan is another customer's business: visible only where granted or assigned. */
export async function canSeePlan(ctx: Context, plan: { id: string }): Promise<boolean> {
  const p = ctx.principal;
  if (isPlatformAdmin(p)) return true;
  return isMember(p) && planVisibleTo(ctx.services.db, plan.id, p.organizationId);
}

/** The organization a caller may watch limit events of: its own, or any for a platform admin. */
export function watchedOrganization(
  ctx: Context,
  organizationId: string | number | null | undefined,
): string {
  const p = ctx.principal;
  if (!p) throw new UnauthenticatedError();
  if (organizationId) {
    const id = decodeId(String(organizationId), 'Organization');
    if (!isPlatformAdmin(p) && (!isMember(p) || p.organizationId !== id))
      throw new NotFoundError('Organization', id);
    return id;
  }
  if (!isMember(p))
    throw new ValidationError('organizationId is required for a platform admin', { param: 'organizationId' });
  return p.organizationId;
}
