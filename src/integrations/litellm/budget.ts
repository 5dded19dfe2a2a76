import type { Db } from '../../db/client.ts';
import type { WalletRow } from '../../ledger/ledger-service.ts';
import { pickPayingWallet } from '../../ledger/payer.ts';
import { readBillingCurrency } from '../../ledger/billing-currency.ts';
import { usdNumberToNanos } from './usd.ts';

/** LiteLLM budgets are USD: only USD wallets get a backstop. */
export const BACKSTOP_CURRENCY = 'USD';

/** A wallet as the ledger reads it, less what is held (holds are requests LiteLLM will see itself). */
export type BackstopWallet = Omit<WalletRow, 'heldNanos'>;

export interface BackstopKey {
  id: string;
  organizationId: string;
  userId: string;
  teamId: string | null;
  litellmKeyHash: string | null;
  budgetNanos: bigint | null;
  budgetCurrency: string | null;
}

/**
 * What LiteLLM may still spend for the keys a wallet pays for: balance + credit limit − frozen
 * (disputes, reviews), never below 0, and 0 for a frozen or closed wallet.
 *
 * Request holds and wallet leases are NOT subtracted: they reserve money for requests Tollgate
 * is forwarding to LiteLLM with the same key, so subtracting them would make LiteLLM refuse the
 * very requests the holds are for. Their cost reaches LiteLLM's spend when they complete.
 */
export function backstopRoomNanos(w: BackstopWallet, frozenNanos: bigint): bigint {
  if (w.status !== 'active') return 0n;
  const room = w.balanceNanos + w.creditLimitNanos - frozenNanos;
  return room > 0n ? room : 0n;
}

/**
 * LiteLLM's spend (a float sum) as nanos, rounded down: a budget built on it never exceeds
 * spend + room, so LiteLLM refuses as soon as the room is spent (its key check is
 * `spend >= max_budget`, auth_checks.py `_virtual_key_max_budget_check`).
 */
export function spendFloorNanos(spendUsd: number): bigint {
  const nanos = usdNumberToNanos(spendUsd);
  return Number(nanos) / 1e9 > spendUsd ? nanos - 1n : nanos;
}

/**
 * The key's LiteLLM `max_budget`, in nanos: its current LiteLLM spend + the paying wallet's room,
 * capped by the key's own lifetime USD budget. 0 when the wallet has no room: LiteLLM then refuses
 * every request of the key, whatever float its spend is. One nano is kept back so that LiteLLM's
 * float sum of the costs that spend the room lands on or past the budget, never a rounding error
 * short of it (no request costs a single nano, so nothing the wallet covers is refused for it).
 */
export function keyMaxBudgetNanos(spendUsd: number, roomNanos: bigint, key: BackstopKey): bigint {
  const own = key.budgetCurrency === BACKSTOP_CURRENCY ? key.budgetNanos : null;
  if (roomNanos <= 0n) return 0n;
  const budget = spendFloorNanos(spendUsd) + roomNanos - 1n;
  return own !== null && own < budget ? own : budget;
}

const KEY_FIELDS = {
  id: true,
  organizationId: true,
  userId: true,
  teamId: true,
  litellmKeyHash: true,
  budgetNanos: true,
  budgetCurrency: true,
} as const;

/**
 * The mirrored keys whose requests this wallet pays for, by the ledger's own rule
 * (`pickPayingWallet`: the user's wallet, else the team's, else the organization's).
 * Keys still live in LiteLLM while `synced` (a rotated key during its grace period included).
 */
export async function keysPaidBy(db: Db, w: BackstopWallet): Promise<BackstopKey[]> {
  const keys = await db.apiKey.findMany({
    where: {
      organizationId: w.organizationId,
      syncState: 'synced',
      litellmKeyHash: { not: null },
      ...(w.ownerType === 'user'
        ? { userId: w.ownerId }
        : w.ownerType === 'team'
          ? { teamId: w.ownerId }
          : {}),
    },
    select: KEY_FIELDS,
  });
  if (keys.length === 0) return [];
  const wallets = await db.wallet.findMany({
    where: { organizationId: w.organizationId, currency: w.currency },
    select: { id: true, ownerType: true, ownerId: true },
  });
  return keys.filter((k) => pickPayingWallet(wallets, k)?.id === w.id);
}

/**
 * Whether Tollgate bills this organization in USD (its `billingCurrency`, else DEFAULT_CURRENCY,
 * as admission decides): only then does a USD budget in LiteLLM mirror the money that pays.
 */
export async function billsInUsd(db: Db, organizationId: string, defaultCurrency: string): Promise<boolean> {
  return (await readBillingCurrency(db, organizationId, defaultCurrency)) === BACKSTOP_CURRENCY;
}

/** The USD wallet that pays for a key's requests, or null when there is none yet (no money). */
export async function walletPaying(db: Db, key: BackstopKey): Promise<BackstopWallet | null> {
  const wallets = await db.wallet.findMany({
    where: { organizationId: key.organizationId, currency: BACKSTOP_CURRENCY },
  });
  return pickPayingWallet(wallets, key) ?? null;
}

export async function loadBackstopKey(db: Db, apiKeyId: string): Promise<BackstopKey | null> {
  return db.apiKey.findUnique({ where: { id: apiKeyId }, select: KEY_FIELDS });
}
