import type { Payer } from './types.ts';

/** Who pays for a payer's requests, first match wins: the user's wallet, the team's, the organization's. */
export function payerOwners(p: Pick<Payer, 'userId' | 'teamId' | 'organizationId'>) {
  return [
    { ownerType: 'user', ownerId: p.userId },
    ...(p.teamId ? [{ ownerType: 'team', ownerId: p.teamId }] : []),
    { ownerType: 'organization', ownerId: p.organizationId },
  ];
}

/** The wallet among `wallets` (one organization, one currency) that pays for `p`, if any. */
export function pickPayingWallet<W extends { ownerType: string; ownerId: string }>(
  wallets: readonly W[],
  p: Pick<Payer, 'userId' | 'teamId' | 'organizationId'>,
): W | undefined {
  for (const o of payerOwners(p)) {
    const w = wallets.find((x) => x.ownerType === o.ownerType && x.ownerId === o.ownerId);
    if (w) return w;
  }
  return undefined;
}
