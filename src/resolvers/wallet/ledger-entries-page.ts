import DataLoader from 'dataloader';
import type { Context } from '../../context.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import type { LedgerEntry } from '../../generated/prisma/client.ts';
import { walletAccountId } from '../../ledger/accounts.ts';

export interface LedgerEntryFilter {
  reason?: readonly string[] | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * One page of entries per wallet, in the shape Prisma returns for a cursor page ordered by
 * (createdAt, id) descending: `take` > 0 reads forward from the cursor (after it when `skip` is 1), `take` < 0
 * reads backward (Pothos's `last`/`before`); rows come back newest first either way.
 */
export interface EntriesPage {
  take: number;
  skip: number;
  cursor?: { id: bigint } | undefined;
  /** The client's selection (Prisma `select` or `include`), spread into the load. */
  selection: { select?: Record<string, unknown>; include?: Record<string, unknown> };
}

type Loader = DataLoader<string, LedgerEntry[]>;
const loaders = new WeakMap<Context, Map<string, Loader>>();

/**
 * The page of ledger entries of `walletId`. Every wallet of a list asking the same page is loaded
 * together: one statement picks each wallet's page of ids (a LIMIT per wallet, so a wallet with a
 * million entries still reads only its page) and one loads those rows with the selection.
 */
export function loadEntriesPage(
  ctx: Context,
  walletId: string,
  filter: LedgerEntryFilter,
  page: EntriesPage,
): Promise<LedgerEntry[]> {
  let byKey = loaders.get(ctx);
  if (!byKey) {
    byKey = new Map();
    loaders.set(ctx, byKey);
  }
  const key = JSON.stringify({ filter, page }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  let loader = byKey.get(key);
  if (!loader) {
    loader = new DataLoader((walletIds) => loadPages(ctx, walletIds, filter, page));
    byKey.set(key, loader);
  }
  return loader.load(walletId);
}

async function loadPages(
  ctx: Context,
  walletIds: readonly string[],
  filter: LedgerEntryFilter,
  page: EntriesPage,
): Promise<LedgerEntry[][]> {
  const accountIds = walletIds.map(walletAccountId);
  const forward = page.take >= 0;
  const conds: Prisma.Sql[] = [Prisma.sql`e."accountId" = a.id`];
  if (filter.reason?.length) conds.push(Prisma.sql`e.reason IN (${Prisma.join([...filter.reason])})`);
  if (filter.from) conds.push(Prisma.sql`e."createdAt" >= ${filter.from}`);
  if (filter.to) conds.push(Prisma.sql`e."createdAt" < ${filter.to}`);
  if (page.cursor) {
    // Newest first: forward from a cursor is older, backward is newer. With skip 0 the cursor row
    // itself belongs to the page. The bare createdAt bound is what the index can start from.
    const id = page.cursor.id;
    const at = Prisma.sql`(SELECT c."createdAt" FROM ledger_entries c WHERE c.id = ${id})`;
    const [bound, row] = forward ? ['<=', page.skip ? '<' : '<='] : ['>=', page.skip ? '>' : '>='];
    conds.push(Prisma.sql`e."createdAt" ${Prisma.raw(bound)} ${at}`);
    conds.push(Prisma.sql`(e."createdAt", e.id) ${Prisma.raw(row)} (${at}, ${id})`);
  }
  // Ordered by (createdAt, id), not id alone: the (accountId, createdAt) index then serves every
  // wallet's page. Ordered by id, PostgreSQL walked the primary key backwards through every newer
  // entry of every account to reach a quiet wallet's last entries (docs/benchmarks.md).
  const order = forward ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  const ids = await ctx.services.db.$queryRaw<{ id: bigint }[]>`
    SELECT e.id FROM unnest(${accountIds}::text[]) AS a(id)
    CROSS JOIN LATERAL (
      SELECT e.id FROM ledger_entries e WHERE ${Prisma.join(conds, ' AND ')}
      ORDER BY e."createdAt" ${order}, e.id ${order} LIMIT ${Math.abs(page.take)}
    ) e`;
  const { select, include } = page.selection;
  const rows = ids.length
    ? await ctx.services.db.ledgerEntry.findMany({
        ...(select ? { select: { ...select, id: true, accountId: true } } : {}),
        ...(include ? { include } : {}),
        where: { id: { in: ids.map((r) => r.id) } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      })
    : [];
  const byAccount = new Map<string, LedgerEntry[]>(accountIds.map((id) => [id, []]));
  for (const row of rows as LedgerEntry[]) byAccount.get(row.accountId)?.push(row);
  return accountIds.map((id) => byAccount.get(id)!);
}
