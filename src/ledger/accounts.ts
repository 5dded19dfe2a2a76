/**
 * Ledger account codes. An account's id IS its code, so entries name their accounts readably and
 * the hot SQL paths need no look-ups: `wallet:<walletId>` for a customer wallet,
 * `system:<purpose>:<CUR>` for the platform's side of every posting.
 */
export const LEDGER_REASONS = ['topup', 'usage', 'refund', 'grant', 'adjustment', 'reversal'] as const;
export type LedgerReason = (typeof LEDGER_REASONS)[number];

export const OWNER_TYPES = ['organization', 'team', 'user'] as const;
export type OwnerType = (typeof OWNER_TYPES)[number];

export const WALLET_STATUSES = ['active', 'frozen', 'closed'] as const;
export type WalletStatus = (typeof WALLET_STATUSES)[number];

export const HOLD_STATUSES = ['active', 'settled', 'released', 'expired'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];

export function walletAccountId(walletId: string): string {
  return `wallet:${walletId}`;
}

export const SystemAccount = {
  revenue: (currency: string) => `system:revenue:${currency}`,
  promotions: (currency: string) => `system:promotions:${currency}`,
  adjustments: (currency: string) => `system:adjustments:${currency}`,
  clearing: (provider: string, currency: string) => `system:${provider}_clearing:${currency}`,
} as const;

/** Payment provider ids become part of account codes: keep them plain. */
export function checkProviderId(provider: string): string {
  if (!/^[a-z][a-z0-9]{1,31}$/.test(provider)) throw new Error(`invalid provider id '${provider}'`);
  return provider;
}
