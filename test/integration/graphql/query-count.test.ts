import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context.ts';
import type { PrismaClient } from '../../../src/generated/prisma/client.ts';
import type { Principal } from '../../../src/identity/principal.ts';
import { newId } from '../../../src/lib/ids.ts';
import { schema } from '../../../src/schema/index.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { countingPrisma } from '../../helpers/query-counter.ts';
import { WEBHOOK_TOPIC, webhookOrderingKey } from '../../../src/notifications/webhooks.ts';

// Pothos builds the schema with graphql's CommonJS build; execute with the same copy.
const { execute, parse } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** The console's main queries, with the nested lists it shows. */
const QUERIES = {
  wallets: `{ wallets(first: 50) { edges { node { id balance { amount } owner { id }
    entries(first: 5) { edges { node { id reason amount { amount } description } } } } } } }`,
  organization: `query($id: ID!) { organization(id: $id) { name
    memberships(first: 50) { edges { node { role user { email } } } }
    teams(first: 50) { edges { node { name members(first: 5) { edges { node { user { email } } } } } } } } }`,
  apiKeys: `{ apiKeys(first: 50) { edges { node { name user { email } team { name } organization { name } } } } }`,
  payments: `{ payments(first: 50) { edges { node { id amount { amount } walletId refunds { id status } } } } }`,
  usageRecords: `{ usageRecords(first: 50) { edges { node { requestId cost { amount } } } } }`,
  orders: `{ orders(first: 50) { edges { node { id status amount { amount currency } credit { amount } paidAt
    payments { id status amount { amount } refunds { id amount { amount } status reason }
      disputes { id status amount { amount } reason } } } } } }`,
  disputes: `{ disputes(first: 50) { edges { node { id status amount { amount }
    payment { id status amount { amount } order { id status amount { amount } } } } } } }`,
  outboxDeliveries: `query($topic: String) { outboxDeliveries(topic: $topic, first: 50) { edges { node { id topic status attempts lastError } } } }`,
  webhookDeliveries: `query($endpointId: ID!) { webhookDeliveries(endpointId: $endpointId, first: 50) {
    edges { node { id eventType status attempts lastError } } } }`,
} as const;

const OPERATOR: Principal = { kind: 'platform_admin', userId: null };

/** An organization with `n` of everything the console lists, and an owner's principal. */
async function seedOrganization(
  db: PrismaClient,
  n: number,
): Promise<{ id: string; owner: Principal; endpointId: string }> {
  const organizationId = newId('org');
  await db.organization.create({ data: { id: organizationId, name: `N=${n}`, slug: organizationId } });
  const endpointId = newId('whe');
  await db.webhookEndpoint.create({
    data: {
      id: endpointId,
      organizationId,
      url: 'https://example.test/hook',
      secretEncrypted: 'x',
      eventTypes: [],
    },
  });
  for (let i = 0; i < n; i++) {
    const userId = newId('user');
    await db.user.create({ data: { id: userId, email: `${userId}@example.com` } });
    await db.membership.create({
      data: { id: newId('mem'), organizationId, userId, role: 'member' },
    });
    const teamId = newId('team');
    await db.team.create({ data: { id: teamId, organizationId, name: `team ${i}` } });
    await db.teamMember.create({ data: { id: newId('tm'), teamId, userId } });
    await db.apiKey.create({
      data: {
        id: newId('key'),
        organizationId,
        userId,
        teamId,
        name: `key ${i}`,
        prefix: 'tg-x',
        hash: newId('hash'),
        scopes: ['read'],
        modelAllowlist: [],
      },
    });
    const walletId = newId('wal');
    await db.wallet.create({
      data: { id: walletId, organizationId, ownerType: 'user', ownerId: userId, currency: 'USD' },
    });
    const accountId = `wallet:${walletId}`;
    await db.ledgerAccount.create({
      data: { id: accountId, code: accountId, kind: 'wallet', currency: 'USD', walletId },
    });
    for (let e = 0; e < 2; e++) {
      const transactionId = newId('ltx');
      await db.ledgerTransaction.create({
        data: {
          id: transactionId,
          reason: 'grant',
          idempotencyScope: 'test',
          idempotencyKey: transactionId,
          requestHash: 'x',
          description: `grant ${e}`,
        },
      });
      await db.ledgerEntry.createMany({
        data: [
          { transactionId, accountId, currency: 'USD', amountNanos: 5n, reason: 'grant' },
          { transactionId, accountId: 'system:test:USD', currency: 'USD', amountNanos: -5n, reason: 'grant' },
        ],
      });
    }
    const orderId = newId('ord');
    await db.order.create({
      data: {
        id: orderId,
        organizationId,
        walletId,
        userId,
        currency: 'USD',
        amountMinor: 500n,
        creditNanos: 5_000_000_000n,
        provider: 'stripe',
      },
    });
    const paymentId = newId('pay');
    await db.payment.create({
      data: { id: paymentId, orderId, provider: 'stripe', amountMinor: 500n, currency: 'USD' },
    });
    await db.refund.create({ data: { id: newId('ref'), paymentId, amountMinor: 100n, currency: 'USD' } });
    await db.dispute.create({
      data: {
        id: newId('dsp'),
        paymentId,
        providerDisputeId: newId('dp'),
        amountMinor: 500n,
        currency: 'USD',
        status: 'open',
        reason: 'fraudulent',
      },
    });
    await db.outboxMessage.createMany({
      data: [
        {
          id: newId('obx'),
          topic: WEBHOOK_TOPIC,
          orderingKey: webhookOrderingKey(endpointId),
          payload: { endpointId, eventId: newId('evt'), eventType: 'balance_low' },
        },
        // The operator's outbox list, filtered to this organization's topic.
        { id: newId('obx'), topic: `count:${organizationId}`, payload: {} },
      ],
    });
    await db.usageRecord.create({
      data: {
        id: newId('use'),
        requestId: newId('req'),
        organizationId,
        userId,
        apiKeyId: newId('key'),
        currency: 'USD',
        endpoint: '/v1/chat/completions',
        modelRequested: 'gpt-test',
        costNanos: 7n,
        status: 'succeeded',
      },
    });
  }
  const owner: Principal = {
    kind: 'api_key',
    apiKeyId: newId('key'),
    // None of the listed users: every user's visibility goes through the (batched) membership check.
    userId: newId('user'),
    organizationId,
    teamId: null,
    scopes: ['read', 'manage', 'billing'],
    role: 'owner',
    isPlatformAdmin: false,
    modelAllowlist: [],
  };
  return { id: organizationId, owner, endpointId };
}

describe('SQL statements per console query do not grow with the rows listed', () => {
  let db: TestDatabase;
  let counted: ReturnType<typeof countingPrisma>;
  const orgs: Record<number, Awaited<ReturnType<typeof seedOrganization>>> = {};

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await db.prisma.ledgerAccount.create({
      data: { id: 'system:test:USD', code: 'system:test:USD', kind: 'system', currency: 'USD' },
    });
    for (const n of [1, 20]) orgs[n] = await seedOrganization(db.prisma, n);
    counted = countingPrisma(db.url!);
  });

  afterAll(async () => {
    await counted?.prisma.$disconnect();
    await db?.close();
  });

  async function run(name: keyof typeof QUERIES, n: number) {
    const org = orgs[n]!;
    const contextValue = {
      requestId: `count-${name}-${n}`,
      principal: name === 'outboxDeliveries' ? OPERATOR : org.owner,
      services: { db: counted.prisma },
    } as unknown as Context;
    counted.statements.length = 0;
    const result = await execute({
      schema,
      document: parse(QUERIES[name]),
      contextValue,
      variableValues: {
        id: org.id,
        endpointId: Buffer.from(`WebhookEndpoint:${org.endpointId}`).toString('base64'),
        topic: `count:${org.id}`,
      },
    });
    expect(result.errors).toBeUndefined();
    return { data: result.data as Record<string, any>, statements: counted.statements.length };
  }

  it('pages every wallet’s entries newest first, forward and backward, as a Prisma cursor page did', async () => {
    const PAGE = `query($first: Int, $after: String, $last: Int, $before: String) {
      wallets(first: 50) { edges { node { id entries(first: $first, after: $after, last: $last, before: $before) {
        edges { cursor node { id description } } pageInfo { hasNextPage hasPreviousPage } } } } } }`;
    const page = async (variables: Record<string, unknown>) => {
      const r = await execute({
        schema,
        document: parse(PAGE),
        contextValue: { requestId: 'page', principal: orgs[20]!.owner, services: { db: counted.prisma } },
        variableValues: variables,
      });
      expect(r.errors).toBeUndefined();
      return (r.data as any).wallets.edges.map((w: any) => w.node.entries);
    };
    const all = await page({ first: 10 });
    expect(all).toHaveLength(20);
    for (const entries of all) {
      const ids = entries.edges.map((e: any) => BigInt(e.node.id));
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBeGreaterThan(ids[1]);
      expect(entries.edges.map((e: any) => e.node.description)).toEqual(['grant 1', 'grant 0']);
    }
    const first = await page({ first: 1 });
    expect(first.map((c: any) => [c.edges[0].node.id, c.pageInfo.hasNextPage])).toEqual(
      all.map((c: any) => [c.edges[0].node.id, true]),
    );
    // After the newest entry of the first wallet comes its older one, and nothing after that.
    const after = await page({ first: 5, after: all[0].edges[0].cursor });
    expect(after[0].edges.map((e: any) => e.node.id)).toEqual([all[0].edges[1].node.id]);
    expect(after[0].pageInfo.hasNextPage).toBe(false);
    expect(after[1].edges.map((e: any) => e.node.id)).toEqual([]);
    // Backward: the last entry is the oldest; before the oldest comes the newest.
    const last = await page({ last: 1 });
    expect(last.map((c: any) => [c.edges[0].node.id, c.pageInfo.hasPreviousPage])).toEqual(
      all.map((c: any) => [c.edges[1].node.id, true]),
    );
    const before = await page({ last: 5, before: all[0].edges[1].cursor });
    expect(before[0].edges.map((e: any) => e.node.id)).toEqual([all[0].edges[0].node.id]);
  });

  it.each(Object.keys(QUERIES) as (keyof typeof QUERIES)[])(
    '%s: the same count for 1 and 20 rows',
    async (name) => {
      const one = await run(name, 1);
      const twenty = await run(name, 20);
      const rows = (r: Record<string, any>) =>
        name === 'organization' ? r.organization.memberships.edges.length : r[name].edges.length;
      expect([rows(one.data), rows(twenty.data)]).toEqual([1, 20]);
      console.log(`${name}: ${one.statements} statements for 1 row, ${twenty.statements} for 20`);
      expect(twenty.statements).toBe(one.statements);
    },
  );
});
