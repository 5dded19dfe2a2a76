import type { Db } from '../db/client.ts';
import { isUniqueViolation } from '../db/unique-violation.ts';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { parseCurrency } from '../lib/money.ts';
import {
  OWNER_TYPES,
  type OwnerType,
  SystemAccount,
  type WalletStatus,
  walletAccountId,
} from './accounts.ts';
import { WalletNotFoundError } from './errors.ts';
import type { LedgerEvents } from './ledger-events.ts';
import { payerOwners, pickPayingWallet } from './payer.ts';
import { checkPostingAmount } from './posting-amount.ts';
import type { EnsureSystemAccounts } from './system-accounts.ts';
import type { Payer, WalletRow } from './types.ts';

/** Wallets: one per owner and currency, each with its ledger account. */
export interface Wallets {
  /**
   * The wallet of this owner and currency, created (with its ledger account) on first need.
   * Errors: UNSUPPORTED_CURRENCY, VALIDATION_FAILED (owner type, owner not in the organization), NOT_FOUND (organization).
   */
  ensureWallet(input: {
    organizationId: string;
    ownerType: OwnerType;
    ownerId: string;
    currency: string;
  }): Promise<WalletRow>;
  /** Errors: WALLET_NOT_FOUND. */
  getWallet(walletId: string): Promise<WalletRow>;
  /** Freezing or closing a wallet stops new holds; postings that record outside facts still apply. */
  setWalletStatus(walletId: string, status: WalletStatus): Promise<WalletRow>;
  /** Errors: INVALID_AMOUNT, WALLET_NOT_FOUND. */
  setCreditLimit(walletId: string, creditLimitNanos: bigint): Promise<WalletRow>;
  /** The wallet `holdForPayer` would hold on, created empty for the organization when none exists. */
  payingWallet(p: Payer): Promise<WalletRow>;
}

export function createWallets(deps: {
  db: Db;
  events: LedgerEvents;
  ensureSystemAccounts: EnsureSystemAccounts;
}): Wallets {
  const { db, events, ensureSystemAccounts } = deps;

  /** A new wallet's owner must exist in that organization (a team of it, a member of it). */
  async function checkOwner(organizationId: string, ownerType: OwnerType, ownerId: string) {
    const org = await db.organization.findUnique({
      where: { id: organizationId },
      select: { id: true },
    });
    if (!org) throw new NotFoundError('Organization', organizationId);
    if (ownerType === 'team') {
      const team = await db.team.findUnique({
        where: { id: ownerId },
        select: { organizationId: true },
      });
      if (team?.organizationId !== organizationId)
        throw new ValidationError('The team does not belong to the organization', { param: 'ownerId' });
    }
    if (ownerType === 'user') {
      const member = await db.membership.findUnique({
        where: { organizationId_userId: { organizationId, userId: ownerId } },
        select: { id: true },
      });
      if (!member)
        throw new ValidationError('The user is not a member of the organization', { param: 'ownerId' });
    }
  }

  const wallets: Wallets = {
    async ensureWallet(input) {
      const currency = parseCurrency(input.currency);
      if (!OWNER_TYPES.includes(input.ownerType))
        throw new ValidationError(`ownerType must be one of ${OWNER_TYPES.join(', ')}`, {
          param: 'ownerType',
        });
      if (input.ownerType === 'organization' && input.ownerId !== input.organizationId)
        throw new ValidationError('An organization wallet is owned by that organization', {
          param: 'ownerId',
        });
      const where = {
        ownerType_ownerId_currency: { ownerType: input.ownerType, ownerId: input.ownerId, currency },
      };
      let wallet = await db.wallet.findUnique({ where });
      if (!wallet) {
        await checkOwner(input.organizationId, input.ownerType, input.ownerId);
        const id = newId('wal');
        try {
          wallet = await db.$transaction(async (tx) => {
            const w = await tx.wallet.create({
              data: {
                id,
                organizationId: input.organizationId,
                ownerType: input.ownerType,
                ownerId: input.ownerId,
                currency,
              },
            });
            await tx.ledgerAccount.create({
              data: {
                id: walletAccountId(id),
                code: walletAccountId(id),
                kind: 'wallet',
                currency,
                walletId: id,
              },
            });
            return w;
          });
          events.walletChanged(wallet);
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          wallet = await db.wallet.findUniqueOrThrow({ where });
        }
      }
      if (wallet.organizationId !== input.organizationId)
        throw new ValidationError('The owner belongs to another organization', { param: 'organizationId' });
      await ensureSystemAccounts(
        [
          SystemAccount.revenue(currency),
          SystemAccount.promotions(currency),
          SystemAccount.adjustments(currency),
        ],
        currency,
      );
      return wallet;
    },

    async getWallet(walletId) {
      const w = await db.wallet.findUnique({ where: { id: walletId } });
      if (!w) throw new WalletNotFoundError(walletId);
      return w;
    },

    async setWalletStatus(walletId, status) {
      const n = await db.wallet.updateMany({ where: { id: walletId }, data: { status } });
      if (n.count === 0) throw new WalletNotFoundError(walletId);
      return events.walletChanged(await wallets.getWallet(walletId));
    },

    async setCreditLimit(walletId, creditLimitNanos) {
      checkPostingAmount(creditLimitNanos, { allowZero: true, param: 'creditLimitNanos' });
      const n = await db.wallet.updateMany({ where: { id: walletId }, data: { creditLimitNanos } });
      if (n.count === 0) throw new WalletNotFoundError(walletId);
      return events.walletChanged(await wallets.getWallet(walletId));
    },

    async payingWallet(p) {
      const found = pickPayingWallet(
        await db.wallet.findMany({
          where: { organizationId: p.organizationId, currency: p.currency, OR: payerOwners(p) },
        }),
        p,
      );
      if (found) return found;
      return wallets.ensureWallet({
        organizationId: p.organizationId,
        ownerType: 'organization',
        ownerId: p.organizationId,
        currency: p.currency,
      });
    },
  };
  return wallets;
}
