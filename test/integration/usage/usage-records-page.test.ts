import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context.ts';
import type { Principal } from '../../../src/identity/principal.ts';
import { newId } from '../../../src/lib/ids.ts';
import { schema } from '../../../src/schema/index.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

// Pothos builds the schema with graphql's CommonJS build; execute with the same copy.
const { execute, parse } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

const ORG = 'org_page';
const PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $filter: UsageFilter) {
  usageRecords(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    edges { cursor node { id requestId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

describe('the usage log pages newest first, every record once, forward and backward', () => {
  let db: TestDatabase;
  /** requestIds, newest first: by createdAt, then by id among records of the same millisecond. */
  let expected: string[];
  const owner: Principal = {
    kind: 'api_key',
    apiKeyId: 'key_page',
    userId: 'user_page',
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
        requestId: 'page',
        principal: owner,
        services: { db: db.prisma },
      } as unknown as Context,
      variableValues: variables,
    });
    expect(r.errors).toBeUndefined();
    return (r.data as any).usageRecords;
  };

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    const base = Date.UTC(2026, 10, 3, 12);
    // Ids in the opposite order of time (made on other processes' clocks): createdAt orders the log.
    const ids = Array.from({ length: 23 }, () => newId('use')).reverse();
    const rows = Array.from({ length: 23 }, (_, i) => ({
      id: ids[i]!,
      requestId: `req_${String(i).padStart(2, '0')}`,
      // Pairs share a millisecond: the id orders them.
      createdAt: new Date(base + Math.floor(i / 2) * 1000),
      apiKeyId: i % 3 === 0 ? 'key_three' : 'key_other',
    }));
    rows.reverse();
    await db.prisma.usageRecord.createMany({
      data: rows.map((r) => ({
        ...r,
        organizationId: ORG,
        userId: 'user_page',
        currency: 'USD',
        endpoint: '/v1/chat/completions',
        modelRequested: 'gpt-4o',
        status: 'succeeded',
      })),
    });
    // Another organization's newer record is never listed.
    await db.prisma.usageRecord.create({
      data: {
        id: newId('use'),
        requestId: 'req_other_org',
        organizationId: 'org_elsewhere',
        userId: 'user_x',
        apiKeyId: 'key_x',
        currency: 'USD',
        endpoint: '/v1/chat/completions',
        modelRequested: 'gpt-4o',
        status: 'succeeded',
        createdAt: new Date(base + 3_600_000),
      },
    });
    expected = [...rows]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((r) => r.requestId);
  });
  afterAll(async () => db?.close());

  it('pages forward through every record once, newest first', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const p: any = await page({ first: 4, after });
      seen.push(...p.edges.map((e: any) => e.node.requestId));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('pages backward from the oldest to the newest record', async () => {
    const pages: string[][] = [];
    let before: string | null = null;
    for (;;) {
      const p: any = await page({ last: 5, before });
      pages.unshift(p.edges.map((e: any) => e.node.requestId));
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    expect(pages.flat()).toEqual(expected);
  });

  it('pages a key’s records within a date range', async () => {
    const filter = {
      apiKeyId: 'key_three',
      from: new Date(Date.UTC(2026, 10, 3, 12, 0, 2)).toISOString(),
      to: new Date(Date.UTC(2026, 10, 3, 12, 0, 9)).toISOString(),
    };
    const first: any = await page({ first: 1, filter });
    const rest: any = await page({ first: 10, after: first.pageInfo.endCursor, filter });
    // Seconds 2..8 hold records 4..17; of those, key_three has 6, 9, 12 and 15.
    expect([...first.edges, ...rest.edges].map((e: any) => e.node.requestId)).toEqual([
      'req_15',
      'req_12',
      'req_09',
      'req_06',
    ]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });
});
