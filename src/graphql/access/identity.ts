import DataLoader from 'dataloader';
import type { Context } from '../../context.ts';
import { isPlatformAdmin, roleAtLeast, isMember } from '../../identity/principal.ts';
import { orgAccess } from '../../identity/access.ts';

/** Per-request batch: which of these users share the caller's organization (one query per batch). */
const sharedOrgLoaders = new WeakMap<Context, DataLoader<string, boolean>>();

/** Does this user share the calling API key's organization? */
export function sharesOrg(ctx: Context, userId: string): Promise<boolean> {
  const p = ctx.principal;
  if (!isMember(p)) return Promise.resolve(false);
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

/** Per-request batch: which of these organizations the signed-in person belongs to (one query per batch). */
const ownMembershipLoaders = new WeakMap<Context, DataLoader<string, boolean>>();

/**
 * Does the signed-in person (a session) belong to this organization, selected or not? Only for what the
 * organization switcher needs (its name, through `viewer.organizations`): its members, teams and
 * everything else stay behind `inOrg`, that is behind selecting it.
 */
export function isOwnMembership(ctx: Context, organizationId: string): Promise<boolean> {
  const p = ctx.principal;
  if (p?.kind !== 'session') return Promise.resolve(false);
  let loader = ownMembershipLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const rows = await ctx.services.db.membership.findMany({
        where: { userId: p.userId, organizationId: { in: [...ids] } },
        select: { organizationId: true },
      });
      const found = new Set(rows.map((r) => r.organizationId));
      return ids.map((id) => found.has(id));
    });
    ownMembershipLoaders.set(ctx, loader);
  }
  return loader.load(organizationId);
}

/** Is the caller in this organization (or a platform admin)? */
export const inOrg = (ctx: Context, organizationId: string): boolean =>
  orgAccess(ctx.principal, organizationId) !== null;

/** A user: the caller itself, anyone sharing its organization, anyone for a platform admin. */
export async function canSeeUser(ctx: Context, user: { id: string }): Promise<boolean> {
  const p = ctx.principal;
  return isPlatformAdmin(p) || (isMember(p) && p.userId === user.id) || sharesOrg(ctx, user.id);
}

/** An admin or owner of this organization, or a platform admin. */
export function isOrgAdmin(ctx: Context, organizationId: string | null): boolean {
  const p = ctx.principal;
  if (isPlatformAdmin(p)) return true;
  return isMember(p) && p.organizationId === organizationId && roleAtLeast(p.role, 'admin');
}

/** Admins and owners see every key of their organization; members only their own. */
export function canSeeKey(ctx: Context, key: { organizationId: string; userId: string }): boolean {
  const p = ctx.principal;
  if (isPlatformAdmin(p)) return true;
  if (!isMember(p) || p.organizationId !== key.organizationId) return false;
  return p.userId === key.userId || roleAtLeast(p.role, 'admin');
}
