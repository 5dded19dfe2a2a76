import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context.ts';
import type { Principal } from '../../../src/identity/principal.ts';
import { schema } from '../../../src/schema/index.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

// Pothos builds the schema with graphql's CommonJS build; execute with the same copy.
const { execute, parse } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

const ORG = 'org_entries';
const WALLET = 'wal_entries';
const ACCOUNT = `wallet:${WALLET}`;
const PAGE = `query($first: Int, $after: String, $last: Int, $before: String) {
  wallets(first: 5) { edges { node { entries(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { description } } pageInfo { hasNextPage hasPreviousPage } } } } } }`;

/**
 * A wallet's entries are listed newest first by the posting's createdAt (then id), the order the
 * (accountId, createdAt) index serves; concurrent postings can commit, and so take ids, out of
 * that order.
 */
describe('a wallet’s entries, newest first by posting time', () => {
  let db: TestDatabase;
  const owner: Principal = {
    kind: 'api_key',
    apiKeyId: 'key_entries',
    userId: 'user_entries',
    organizationId: ORG,
    teamId: null,
    scopes: ['read'],
    role: 'owner',
    isPlatformAdmin: false,
    modelAllowlist: [],
  };
  const page = async (variables: Record<string, unknown>) => {
    const r = await execute({
      schema,
      document: parse(PAGE),
      contextValue: {
        requestId: 'entries',
        principal: owner,
        services: { db: db.prisma },
      } as unknown as Context,
      variableValues: variables,
    });
    expect(r.errors).toBeUndefined();
    const entries = (r.data as any).wallets.edges[0].node.entries;
    return {
      names: entries.edges.map((e: any) => e.node.description as string),
      cursors: entries.edges.map((e: any) => e.cursor as string),
      pageInfo: entries.pageInfo,
    };
  };

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await db.prisma.organization.create({ data: { id: ORG, name: ORG, slug: ORG } });
    await db.prisma.wallet.create({
      data: { id: WALLET, organizationId: ORG, ownerType: 'organization', ownerId: ORG, currency: 'USD' },
    });
    for (const id of [ACCOUNT, 'system:entries:USD'])
      await db.prisma.ledgerAccount.create({
        data: {
          id,
          code: id,
          kind: id === ACCOUNT ? 'wallet' : 'system',
          currency: 'USD',
          walletId: id === ACCOUNT ? WALLET : null,
        },
      });
    const base = Date.UTC(2026, 10, 5, 8);
    // Inserted (so numbered) in this order; posted at these seconds.
    for (const [name, second] of [
      ['posted third', 2],
      ['posted first', 0],
      ['posted second', 1],
    ] as const) {
      await db.prisma.ledgerTransaction.create({
        data: {
          id: `ltx_${second}`,
          reason: 'grant',
          idempotencyScope: 't',
          idempotencyKey: name,
          requestHash: 'h',
          description: name,
        },
      });
      const createdAt = new Date(base + second * 1000);
      await db.prisma.ledgerEntry.createMany({
        data: [
          {
            transactionId: `ltx_${second}`,
            accountId: ACCOUNT,
            currency: 'USD',
            amountNanos: 5n,
            reason: 'grant',
            createdAt,
          },
          {
            transactionId: `ltx_${second}`,
            accountId: 'system:entries:USD',
            currency: 'USD',
            amountNanos: -5n,
            reason: 'grant',
            createdAt,
          },
        ],
      });
    }
  });
  afterAll(async () => db?.close());

  it('lists them by posting time and pages forward and backward in that order', async () => {
    const all = await page({ first: 10 });
    expect(all.names).toEqual(['posted third', 'posted second', 'posted first']);
    const second = await page({ first: 1, after: all.cursors[0] });
    expect(second.names).toEqual(['posted second']);
    expect(second.pageInfo.hasNextPage).toBe(true);
    const rest = await page({ first: 5, after: all.cursors[1] });
    expect(rest.names).toEqual(['posted first']);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const back = await page({ last: 1, before: all.cursors[2] });
    expect(back.names).toEqual(['posted second']);
    expect(back.pageInfo.hasPreviousPage).toBe(true);
    const last = await page({ last: 2 });
    expect(last.names).toEqual(['posted second', 'posted first']);
  });
});
