import { prismaConnectionHelpers, queryFromInfo } from '@pothos/plugin-prisma';
import { builder } from '../builder.ts';
import { screamingEnum } from './enums.ts';
import { LEDGER_REASONS, OWNER_TYPES, WALLET_STATUSES } from '../ledger/accounts.ts';
import type { ConsistencyReport, PostingResult } from '../ledger/ledger-service.ts';
import { ForbiddenError, NotFoundError } from '../lib/errors.ts';
import type { BalanceChangedEvent } from '../pubsub.ts';
import { adjustWallet, grantCredits } from '../resolvers/wallet/admin-postings.ts';
import { type EntriesPage, loadEntriesPage } from '../resolvers/wallet/ledger-entries-page.ts';
import { canSeeWallet, visibleWalletsWhere } from '../graphql/access/wallets.ts';
import { currentThenChanges } from '../graphql/current-then-changes.ts';
import { decodeId } from '../graphql/ids.ts';

export interface MoneyShape {
  amount: bigint;
  currency: string;
  unit: 'nano' | 'minor';
}

export const nanoMoney = (amount: bigint, currency: string): MoneyShape => ({
  amount,
  currency,
  unit: 'nano',
});

const MoneyUnit = screamingEnum('MoneyUnit', ['nano', 'minor'], {
  description: 'NANO = 10^-9 of the major unit (wallets, usage); MINOR = the currency minor unit (payments).',
});

/** An exact amount of one currency; `amount` is an integer in `unit`s. Shared with other domains. */
export const MoneyRef = builder.objectRef<MoneyShape>('Money').implement({
  fields: (t) => ({
    amount: t.expose('amount', { type: 'BigInt' }),
    currency: t.exposeString('currency'),
    unit: t.field({ type: MoneyUnit, resolve: (m) => m.unit }),
  }),
});

const WalletStatus = screamingEnum('WalletStatus', WALLET_STATUSES);
const WalletOwnerType = screamingEnum('WalletOwnerType', OWNER_TYPES);
const LedgerReason = screamingEnum('LedgerReason', LEDGER_REASONS);

const WalletOwner = builder
  .objectRef<{ type: (typeof OWNER_TYPES)[number]; id: string }>('WalletOwner')
  .implement({
    fields: (t) => ({
      type: t.field({ type: WalletOwnerType, resolve: (o) => o.type }),
      id: t.exposeString('id'),
    }),
  });

builder.prismaObject('LedgerEntry', {
  description: 'One signed line of a ledger transaction on a wallet (positive credits the wallet).',
  fields: (t) => ({
    id: t.id({ resolve: (e) => e.id.toString() }),
    transactionId: t.exposeString('transactionId'),
    amount: t.field({ type: MoneyRef, resolve: (e) => nanoMoney(e.amountNanos, e.currency) }),
    reason: t.field({ type: LedgerReason, resolve: (e) => e.reason as (typeof LEDGER_REASONS)[number] }),
    description: t.string({
      nullable: true,
      select: { transaction: { select: { description: true } } },
      resolve: (e) => e.transaction.description,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const ledgerEntryConnection = prismaConnectionHelpers(builder, 'LedgerEntry', { cursor: 'id' });

export const WalletRef = builder.prismaNode('Wallet', {
  id: { field: 'id' },
  description: 'A prepaid balance of one owner (organization, team or user) in one currency.',
  authScopes: async (wallet, ctx) => canSeeWallet(ctx, wallet),
  fields: (t) => ({
    organizationId: t.exposeString('organizationId'),
    currency: t.exposeString('currency'),
    balance: t.field({ type: MoneyRef, resolve: (w) => nanoMoney(w.balanceNanos, w.currency) }),
    held: t.field({
      type: MoneyRef,
      description: 'Reserved by in-flight requests (active holds).',
      resolve: (w) => nanoMoney(w.heldNanos, w.currency),
    }),
    available: t.field({
      type: MoneyRef,
      description: 'balance - held; spending may take it down to -creditLimit.',
      resolve: (w) => nanoMoney(w.balanceNanos - w.heldNanos, w.currency),
    }),
    creditLimit: t.field({ type: MoneyRef, resolve: (w) => nanoMoney(w.creditLimitNanos, w.currency) }),
    status: t.field({ type: WalletStatus, resolve: (w) => w.status as (typeof WALLET_STATUSES)[number] }),
    owner: t.field({
      type: WalletOwner,
      resolve: (w) => ({ type: w.ownerType as (typeof OWNER_TYPES)[number], id: w.ownerId }),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    entries: t.connection({
      type: ledgerEntryConnection.ref,
      description: 'Ledger entries on this wallet, newest first.',
      args: {
        reason: t.arg({ type: [LedgerReason], required: false }),
        from: t.arg({ type: 'DateTime', required: false, description: 'Inclusive.' }),
        to: t.arg({ type: 'DateTime', required: false, description: 'Exclusive.' }),
      },
      resolve: async (wallet, args, ctx, info) => {
        // The page and selection Pothos would give a Prisma connection; the rows come from a
        // per-request batch over every wallet of the list (src/resolvers/wallet/ledger-entries-page.ts).
        const { take, skip, cursor, ...selection } = ledgerEntryConnection.getQuery(args, ctx, () =>
          queryFromInfo({ context: ctx, info, typeName: 'LedgerEntry', path: ['edges', 'node'] }),
        ) as EntriesPage & EntriesPage['selection'];
        const rows = await loadEntriesPage(ctx, wallet.id, args, { take, skip, cursor, selection });
        return ledgerEntryConnection.resolve(rows, args, ctx);
      },
    }),
  }),
});

builder.queryField('wallets', (t) =>
  t.prismaConnection({
    keyScope: 'read',
    type: 'Wallet',
    cursor: 'id',
    description:
      "Wallets the caller may see: a platform admin any (optionally one organization's); an API key " +
      "its organization's (members: the organization wallet, their own and their teams').",
    authScopes: { authenticated: true },
    args: { organizationId: t.arg.id({ required: false }) },
    resolve: async (query, _root, args, ctx) =>
      ctx.services.db.wallet.findMany({
        ...query,
        where: await visibleWalletsWhere(
          ctx,
          args.organizationId ? decodeId(args.organizationId, 'Organization') : null,
        ),
        orderBy: { id: 'asc' },
      }),
  }),
);

const WalletOwnerInput = builder.inputType('WalletOwnerInput', {
  description: 'Names a wallet by owner and currency; it is created if it does not exist yet.',
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    ownerType: t.field({ type: WalletOwnerType, required: true }),
    ownerId: t.id({ required: true }),
    currency: t.string({ required: true }),
  }),
});

const postingInputFields = (signed: boolean) =>
  builder.inputType(signed ? 'AdjustWalletInput' : 'GrantCreditsInput', {
    fields: (t) => ({
      walletId: t.id({ required: false, description: 'The wallet; or give `wallet`.' }),
      wallet: t.field({ type: WalletOwnerInput, required: false }),
      amountNanos: t.field({
        type: 'BigInt',
        required: true,
        description: signed
          ? 'Signed amount in nano-units (negative debits the wallet).'
          : 'Amount in nano-units (10^9 per major unit), positive.',
      }),
      reason: t.string({ required: true, description: 'Why: kept on the transaction and in the audit log.' }),
      idempotencyKey: t.string({ required: true }),
    }),
  });

const GrantCreditsInput = postingInputFields(false);
const AdjustWalletInput = postingInputFields(true);

const WalletPostingPayload = builder
  .objectRef<PostingResult & { currency: string }>('WalletPostingPayload')
  .implement({
    fields: (t) => ({
      transactionId: t.exposeString('transactionId'),
      idempotencyHit: t.exposeBoolean('idempotencyHit'),
      balanceAfter: t.field({
        type: MoneyRef,
        description: 'The wallet balance right after this posting.',
        resolve: (r) => nanoMoney(r.balanceNanos, r.currency),
      }),
      wallet: t.prismaField({
        type: 'Wallet',
        resolve: (query, r, _args, ctx) =>
          ctx.services.db.wallet.findUniqueOrThrow({ ...query, where: { id: r.walletId } }),
      }),
    }),
  });

async function withCurrency(
  ctx: { services: { ledger: { getWallet(id: string): Promise<{ currency: string }> } } },
  r: PostingResult,
) {
  const w = await ctx.services.ledger.getWallet(r.walletId);
  return { ...r, currency: w.currency };
}

builder.mutationField('grantCredits', (t) =>
  t.field({
    keyScope: 'billing',
    type: WalletPostingPayload,
    description: 'Credits a wallet from promotions (platform admin; idempotent; audited).',
    authScopes: { platformAdmin: true },
    args: { input: t.arg({ type: GrantCreditsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => withCurrency(ctx, await grantCredits(ctx, input)),
  }),
);

builder.mutationField('adjustWallet', (t) =>
  t.field({
    keyScope: 'billing',
    type: WalletPostingPayload,
    description:
      'Posts a signed correction against system adjustments (platform admin; idempotent; audited).',
    authScopes: { platformAdmin: true },
    args: { input: t.arg({ type: AdjustWalletInput, required: true }) },
    resolve: async (_root, { input }, ctx) => withCurrency(ctx, await adjustWallet(ctx, input)),
  }),
);

const WalletMismatchRef = builder
  .objectRef<ConsistencyReport['walletMismatches'][number]>('WalletLedgerMismatch')
  .implement({
    fields: (t) => ({
      walletId: t.exposeString('walletId'),
      currency: t.exposeString('currency'),
      balanceNanos: t.expose('balanceNanos', { type: 'BigInt' }),
      accountBalanceNanos: t.expose('accountBalanceNanos', { type: 'BigInt', nullable: true }),
      entriesSumNanos: t.expose('entriesSumNanos', { type: 'BigInt' }),
      heldNanos: t.expose('heldNanos', { type: 'BigInt' }),
      activeHoldsSumNanos: t.expose('activeHoldsSumNanos', { type: 'BigInt' }),
    }),
  });

const AccountMismatchRef = builder
  .objectRef<ConsistencyReport['accountMismatches'][number]>('LedgerAccountMismatch')
  .implement({
    fields: (t) => ({
      accountId: t.exposeString('accountId'),
      balanceNanos: t.expose('balanceNanos', { type: 'BigInt' }),
      entriesSumNanos: t.expose('entriesSumNanos', { type: 'BigInt' }),
    }),
  });

const UnbalancedRef = builder
  .objectRef<ConsistencyReport['unbalancedTransactions'][number]>('UnbalancedLedgerTransaction')
  .implement({
    fields: (t) => ({
      transactionId: t.exposeString('transactionId'),
      currency: t.exposeString('currency'),
      sumNanos: t.expose('sumNanos', { type: 'BigInt' }),
    }),
  });

const ConsistencyRef = builder.objectRef<ConsistencyReport>('LedgerConsistency').implement({
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    walletsChecked: t.exposeInt('walletsChecked'),
    transactionsChecked: t.exposeInt('transactionsChecked'),
    walletMismatches: t.expose('walletMismatches', { type: [WalletMismatchRef] }),
    accountMismatches: t.expose('accountMismatches', { type: [AccountMismatchRef] }),
    unbalancedTransactions: t.expose('unbalancedTransactions', { type: [UnbalancedRef] }),
  }),
});

builder.queryField('ledgerConsistency', (t) =>
  t.field({
    keyScope: 'read',
    type: ConsistencyRef,
    // Sums every wallet's entries and every transaction.
    complexity: 500,
    description:
      'Proves the caches against the ledger: every wallet balance equals the sum of its entries, held equals ' +
      'its active holds, every transaction sums to zero (platform admin). Healthy = empty lists.',
    authScopes: { platformAdmin: true },
    resolve: (_root, _args, ctx) => ctx.services.ledger.checkConsistency(),
  }),
);

const BalanceChanged = builder.objectRef<BalanceChangedEvent>('BalanceChanged').implement({
  fields: (t) => ({
    walletId: t.globalID({ resolve: (e) => ({ type: 'Wallet', id: e.walletId }) }),
    organizationId: t.exposeString('organizationId'),
    balance: t.field({ type: MoneyRef, resolve: (e) => nanoMoney(BigInt(e.balanceNanos), e.currency) }),
    held: t.field({ type: MoneyRef, resolve: (e) => nanoMoney(BigInt(e.heldNanos), e.currency) }),
    available: t.field({
      type: MoneyRef,
      resolve: (e) => nanoMoney(BigInt(e.balanceNanos) - BigInt(e.heldNanos), e.currency),
    }),
    reason: t.exposeString('reason', {
      description:
        'topup | usage | refund | grant | adjustment | reversal | hold | hold_released | hold_expired | current (the first event with `current: true`)',
    }),
    transactionId: t.exposeString('transactionId', { nullable: true }),
  }),
});

builder.subscriptionField('balanceChanged', (t) =>
  t.field({
    keyScope: 'read',
    type: BalanceChanged,
    description:
      'Balance and held amount of a wallet after every change (the caller must be able to see it). With ' +
      '`current: true` the first event is the wallet as it is once the subscription listens (reason ' +
      '`current`): a client that loaded the wallet before subscribing misses no change made in between.',
    authScopes: { authenticated: true },
    args: {
      walletId: t.arg.id({ required: true }),
      current: t.arg.boolean({ required: false, defaultValue: false }),
    },
    subscribe: async (_root, args, ctx) => {
      const walletId = decodeId(args.walletId, 'Wallet');
      const wallet = await ctx.services.db.wallet.findUnique({ where: { id: walletId } });
      if (!wallet) throw new NotFoundError('Wallet', walletId);
      if (!(await canSeeWallet(ctx, wallet))) throw new ForbiddenError('You may not see this wallet');
      const topic = `balanceChanged:${walletId}` as const;
      const changes = ctx.services.pubsub.subscribe(topic);
      if (!args.current) return changes;
      return currentThenChanges(changes, async () => {
        await ctx.services.pubsub.listening(topic);
        const now = await ctx.services.db.wallet.findUniqueOrThrow({ where: { id: walletId } });
        return {
          walletId,
          organizationId: now.organizationId,
          currency: now.currency,
          balanceNanos: now.balanceNanos.toString(),
          heldNanos: now.heldNanos.toString(),
          reason: 'current',
          transactionId: null,
        };
      });
    },
    resolve: (event) => event,
  }),
);
