import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.ts';
import { createPasswordUser } from '../../testkit/identity.ts';
import { type TestApp, startTestApp } from '../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../helpers/db.ts';
import { signInOverHttp } from '../helpers/session.ts';
import { type Tenant, codes, createTenant } from './graphql-fixtures.ts';

/**
 * The top-up history (`orders`) and `disputes`: platform admins see every organization's, owners and
 * admins with the billing scope their own, members none; another tenant's ids answer NOT_FOUND.
 */
const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;
const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');

const ORDERS = `query($org: ID, $status: [OrderStatus!]) { orders(organizationId: $org, status: $status, first: 20) {
  edges { node { id organizationId status provider amount { amount currency unit } credit { amount unit } createdAt paidAt
    payments { id status amount { amount } refunds { id amount { amount } status reason } disputes { id status reason } } } } } }`;
const DISPUTES = `query($org: ID, $status: [DisputeStatus!]) { disputes(organizationId: $org, status: $status, first: 20) {
  edges { node { id status amount { amount unit } reason payment { id order { id organizationId } } } } } }`;
const NODE = `query($id: ID!) { node(id: $id) { id } }`;

interface Seeded {
  orderId: string;
  paymentId: string;
  disputeId: string;
  paidAt: Date;
}

/** One paid order of `tenant` with a partial refund and an open dispute, and one unpaid order. */
async function seedOrders(db: TestDatabase, tenant: Tenant): Promise<Seeded> {
  const organizationId = rawId(tenant.orgId);
  const userId = rawId(tenant.ownerId);
  const walletId = newId('wal');
  await db.prisma.wallet.create({
    data: {
      id: walletId,
      organizationId,
      ownerType: 'organization',
      ownerId: organizationId,
      currency: 'USD',
    },
  });
  const paidAt = new Date('2026-11-02T03:04:05.000Z');
  const orderId = newId('ord');
  const paymentId = newId('pay');
  const disputeId = newId('dsp');
  await db.prisma.order.create({
    data: {
      id: orderId,
      organizationId,
      walletId,
      userId,
      currency: 'USD',
      amountMinor: 2500n,
      creditNanos: 25_000_000_000n,
      provider: 'stripe',
      status: 'paid',
    },
  });
  await db.prisma.payment.create({
    data: {
      id: paymentId,
      orderId,
      provider: 'stripe',
      amountMinor: 2500n,
      amountRefundedMinor: 500n,
      currency: 'USD',
      status: 'succeeded',
      succeededAt: paidAt,
    },
  });
  await db.prisma.refund.create({
    data: {
      id: newId('ref'),
      paymentId,
      amountMinor: 500n,
      currency: 'USD',
      status: 'succeeded',
      reason: 'requested_by_customer',
    },
  });
  await db.prisma.dispute.create({
    data: {
      id: disputeId,
      paymentId,
      providerDisputeId: newId('dp'),
      amountMinor: 2000n,
      currency: 'USD',
      status: 'open',
      reason: 'fraudulent',
    },
  });
  const unpaidId = newId('ord');
  await db.prisma.order.create({
    data: {
      id: unpaidId,
      organizationId,
      walletId,
      userId,
      currency: 'USD',
      amountMinor: 100n,
      creditNanos: 1_000_000_000n,
      provider: 'stripe',
      status: 'pending',
    },
  });
  await db.prisma.payment.create({
    data: { id: newId('pay'), orderId: unpaidId, provider: 'stripe', amountMinor: 100n, currency: 'USD' },
  });
  return { orderId, paymentId, disputeId, paidAt };
}

describe('orders and disputes keep to the tenant rules of payments', () => {
  let db: TestDatabase;
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let seededA: Seeded;
  let seededB: Seeded;
  let memberKey: string;
  let noBillingKey: string;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, { state: 'memory' });
    a = await createTenant(t, 'orders-a', 1);
    b = await createTenant(t, 'orders-b');
    seededA = await seedOrders(db, a);
    seededB = await seedOrders(db, b);
    const key = async (userId: string, scopes: string[]) => {
      const r = await t.gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', {
        i: { organizationId: a.orgId, userId, name: `k-${scopes.join('-')}`, scopes },
      });
      expect(r.errors).toBeUndefined();
      return r.data.createApiKey.secret as string;
    };
    memberKey = await key(a.memberIds[0]!, ['READ', 'BILLING']);
    noBillingKey = await key(a.ownerId, ['READ', 'MANAGE']);
  });

  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it('gives an owner their own top-up history, newest first, with payments, refunds and disputes', async () => {
    const r = await t.gql(ORDERS, {}, { token: a.key });
    expect(r.errors).toBeUndefined();
    const orders = r.data.orders.edges.map((e: any) => e.node);
    expect(orders).toHaveLength(2);
    expect(orders.every((o: any) => o.organizationId === rawId(a.orgId))).toBe(true);
    expect(orders[0].status).toBe('PENDING');
    expect(orders[0].paidAt).toBeNull();
    const paid = orders[1];
    expect(rawId(paid.id)).toBe(seededA.orderId);
    expect(paid).toMatchObject({
      status: 'PAID',
      provider: 'stripe',
      amount: { amount: '2500', currency: 'USD', unit: 'MINOR' },
      credit: { amount: '25000000000', unit: 'NANO' },
      paidAt: seededA.paidAt.toISOString(),
    });
    expect(paid.payments).toHaveLength(1);
    expect(paid.payments[0].refunds).toEqual([
      expect.objectContaining({
        amount: { amount: '500' },
        status: 'SUCCEEDED',
        reason: 'requested_by_customer',
      }),
    ]);
    expect(paid.payments[0].disputes).toEqual([
      { id: globalId('Dispute', seededA.disputeId), status: 'OPEN', reason: 'fraudulent' },
    ]);
    const pending = await t.gql(ORDERS, { status: ['PAID'] }, { token: a.key });
    expect(pending.data.orders.edges.map((e: any) => rawId(e.node.id))).toEqual([seededA.orderId]);
  });

  it('answers NOT_FOUND for another tenant’s organization, order and dispute ids', async () => {
    for (const doc of [ORDERS, DISPUTES]) {
      for (const org of [b.orgId, rawId(b.orgId)]) {
        const r = await t.gql(doc, { org }, { token: a.key });
        expect(codes(r)).toEqual(['NOT_FOUND']);
        expect(JSON.stringify(r)).not.toContain(seededB.orderId);
      }
    }
    for (const id of [
      globalId('Order', seededB.orderId),
      globalId('Dispute', seededB.disputeId),
      globalId('Payment', seededB.paymentId),
    ]) {
      const r = await t.gql(NODE, { id }, { token: a.key });
      expect(codes(r)).toEqual(['NOT_FOUND']);
      expect(r.data?.node ?? null).toBeNull();
    }
    const own = await t.gql(NODE, { id: globalId('Order', seededA.orderId) }, { token: a.key });
    expect(own.data.node.id).toBe(globalId('Order', seededA.orderId));
  });

  it('lists only the owner’s disputes, with the payment and order they concern', async () => {
    const r = await t.gql(DISPUTES, {}, { token: a.key });
    expect(r.errors).toBeUndefined();
    expect(r.data.disputes.edges.map((e: any) => e.node)).toEqual([
      {
        id: globalId('Dispute', seededA.disputeId),
        status: 'OPEN',
        amount: { amount: '2000', unit: 'MINOR' },
        reason: 'fraudulent',
        payment: {
          id: globalId('Payment', seededA.paymentId),
          order: { id: globalId('Order', seededA.orderId), organizationId: rawId(a.orgId) },
        },
      },
    ]);
  });

  it('refuses a member, even with the billing scope, and a key without the billing scope', async () => {
    for (const doc of [ORDERS, DISPUTES]) {
      const member = await t.gql(doc, {}, { token: memberKey });
      expect(codes(member)).toEqual(['FORBIDDEN']);
      expect(member.data).toBeNull();
      const noBilling = await t.gql(doc, {}, { token: noBillingKey });
      expect(codes(noBilling)).toEqual(['SCOPE_NOT_ALLOWED']);
      expect(noBilling.data).toBeNull();
    }
  });

  it('gives a signed-in owner the same history as the owner key, and a signed-in member none', async () => {
    const session = async (role: 'owner' | 'member') => {
      const email = `${role}-${newId('s')}@orders.test`;
      await createPasswordUser(db.prisma, {
        email,
        password: 'correct horse battery',
        organizationId: rawId(a.orgId),
        role,
      });
      const s = await signInOverHttp(t.url, email, 'correct horse battery');
      return { token: null, headers: { cookie: s.cookie, 'x-tollgate-csrf': s.csrf } };
    };
    const owner = await t.gql(ORDERS, {}, await session('owner'));
    expect(owner.errors).toBeUndefined();
    expect(owner.data.orders.edges.map((e: any) => rawId(e.node.id))).toContain(seededA.orderId);
    expect(JSON.stringify(owner.data)).not.toContain(seededB.orderId);
    const member = await session('member');
    // A member's session carries no billing scope (sessionScopes), so the field refuses it first.
    for (const doc of [ORDERS, DISPUTES])
      expect(codes(await t.gql(doc, {}, member))).toEqual(['SCOPE_NOT_ALLOWED']);
  });

  it('gives a platform admin every organization’s, one organization’s, and a status filter', async () => {
    const all = await t.gql(ORDERS, {});
    expect(all.errors).toBeUndefined();
    expect(new Set(all.data.orders.edges.map((e: any) => e.node.organizationId))).toEqual(
      new Set([rawId(a.orgId), rawId(b.orgId)]),
    );
    const onlyB = await t.gql(ORDERS, { org: b.orgId });
    expect(onlyB.data.orders.edges.every((e: any) => e.node.organizationId === rawId(b.orgId))).toBe(true);
    expect(onlyB.data.orders.edges).toHaveLength(2);
    const open = await t.gql(DISPUTES, { status: ['OPEN'] });
    expect(open.data.disputes.edges.map((e: any) => rawId(e.node.id)).sort()).toEqual(
      [seededA.disputeId, seededB.disputeId].sort(),
    );
    const won = await t.gql(DISPUTES, { status: ['WON'] });
    expect(won.data.disputes.edges).toEqual([]);
  });
});
