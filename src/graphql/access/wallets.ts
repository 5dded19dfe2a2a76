import type { Context } from '../../context.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { isPlatformAdmin, isMember } from '../../identity/principal.ts';

interface WalletOwnerRef {
  organizationId: string;
  ownerType: string;
  ownerId: string;
}

const teamIdsByContext = new WeakMap<Context, Promise<Set<string>>>();

/** The teams the calling API key's user belongs to (once per request). */
function callerTeamIds(ctx: Context): Promise<Set<string>> {
  const p = ctx.principal;
  if (!isMember(p)) return Promise.resolve(new Set());
  let ids = teamIdsByContext.get(ctx);
  if (!ids) {
    ids = ctx.services.db.teamMember
      .findMany({
        where: { userId: p.userId, team: { organizationId: p.organizationId } },
        select: { teamId: true },
      })
      .then((rows) => new Set([...rows.map((r) => r.teamId), ...(p.teamId ? [p.teamId] : [])]));
    teamIdsByContext.set(ctx, ids);
  }
  return ids;
}

/**
 * Who may see a wallet: a platform admin any; an API key its organization's wallets, all of them
 * for owner/admin roles, and for members the organization wallet, their own user wallet and the
 * wallets of their teams.
 */
export async function canSeeWallet(ctx: Context, wallet: WalletOwnerRef): Promise<boolean> {
  const p = ctx.principal;
  if (!p) return false;
  if (isPlatformAdmin(p)) return true;
  if (!isMember(p) || p.organizationId !== wallet.organizationId) return false;
  if (p.role === 'owner' || p.role === 'admin') return true;
  if (wallet.ownerType === 'organization') return true;
  if (wallet.ownerType === 'user') return wallet.ownerId === p.userId;
  if (wallet.ownerType === 'team') return (await callerTeamIds(ctx)).has(wallet.ownerId);
  return false;
}

/** The Prisma filter for the wallets the caller may see (optionally within one organization). */
export async function visibleWalletsWhere(
  ctx: Context,
  organizationId?: string | null,
): Promise<Prisma.WalletWhereInput> {
  const p = ctx.principal;
  if (!p) return { id: { in: [] } };
  if (isPlatformAdmin(p)) return organizationId ? { organizationId } : {};
  if (!isMember(p) || (organizationId && organizationId !== p.organizationId)) return { id: { in: [] } };
  const base = { organizationId: p.organizationId };
  if (p.role === 'owner' || p.role === 'admin') return base;
  const teams = [...(await callerTeamIds(ctx))];
  return {
    ...base,
    OR: [
      { ownerType: 'organization' },
      { ownerType: 'user', ownerId: p.userId },
      ...(teams.length ? [{ ownerType: 'team', ownerId: { in: teams } }] : []),
    ],
  };
}
