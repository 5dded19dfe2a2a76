import { createHash, randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newId } from '../../../src/lib/ids.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { USD, createOrganization } from './fixtures.ts';

const GRANT = `mutation($input: GrantCreditsInput!) {
  grantCredits(input: $input) {
    transactionId idempotencyHit balanceAfter { amount currency unit }
    wallet { id currency status owner { type id } balance { amount } held { amount } available { amount } creditLimit { amount } }
  }
}`;
const ADJUST = `mutation($input: AdjustWalletInput!) { adjustWallet(input: $input) { transactionId balanceAfter { amount } } }`;
const WALLETS = `query($org: ID) { wallets(organizationId: $org, first: 100) { edges { node { id owner { type id } currency balance { amount } } } } }`;
const walletList = (r: any): any[] => r.data.wallets.edges.map((e: any) => e.node);

describe('Wallet GraphQL API', () => {
  let db: TestDatabase;
  let t: TestApp;
  let orgId: string;
  const keys: Record<string, string> = {};
  const users: Record<string, string> = {};
  let teamA: string;
  let teamB: string;

  async function apiKey(
    name: string,
    organizationId: string,
    role: 'owner' | 'admin' | 'member',
    teamId?: string,
  ) {
    const userId = newId('usr');
    await db.prisma.user.create({ data: { id: userId, email: `${name}-${userId}@example.com` } });
    await db.prisma.membership.create({ data: { id: newId('mem'), organizationId, userId, role } });
    if (teamId) await db.prisma.teamMember.create({ data: { id: newId('tm'), teamId, userId } });
    const secret = `tg-${randomBytes(20).toString('hex')}`;
    await db.prisma.apiKey.create({
      data: {
        id: newId('key'),
        organizationId,
        userId,
        name,
        prefix: secret.slice(0, 11),
        hash: createHash('sha256').update(secret).digest('hex'),
        scopes: ['read', 'inference'],
        modelAllowlist: [],
      },
    });
    keys[name] = secret;
    users[name] = userId;
  }

  beforeAll(async () => {
    db = await openTestDatabase(process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite');
    t = await startTestApp(db, { state: 'redis' });
    orgId = (await createOrganization(db.prisma, 'Gql')).id;
    teamA = newId('team');
    teamB = newId('team');
    await db.prisma.team.createMany({
      data: [
        { id: teamA, organizationId: orgId, name: 'A' },
        { id: teamB, organizationId: orgId, name: 'B' },
      ],
    });
    await apiKey('owner', orgId, 'owner');
    await apiKey('alice', orgId, 'member', teamA);
    await apiKey('bob', orgId, 'member');
    const other = await createOrganization(db.prisma, 'Elsewhere');
    await apiKey('stranger', other.id, 'owner');
    const ledger = t.app.services.ledger;
    for (const [ownerType, ownerId] of [
      ['organization', orgId],
      ['team', teamA],
      ['team', teamB],
      ['user', users.alice!],
      ['user', users.bob!],
    ] as const)
      await ledger.ensureWallet({ organizationId: orgId, ownerType, ownerId, currency: 'USD' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it('grants credits by owner, creating the wallet, audited and idempotent', async () => {
    const input = {
      wallet: { organizationId: orgId, ownerType: 'ORGANIZATION', ownerId: orgId, currency: 'EUR' },
      amountNanos: String(5n * USD),
      reason: 'launch promotion',
      idempotencyKey: 'grant-1',
    };
    const first = await t.gql(GRANT, { input });
    expect(first.errors).toBeUndefined();
    const g = first.data.grantCredits;
    expect(g).toMatchObject({
      idempotencyHit: false,
      balanceAfter: { amount: '5000000000', currency: 'EUR', unit: 'NANO' },
      wallet: {
        currency: 'EUR',
        status: 'ACTIVE',
        owner: { type: 'ORGANIZATION', id: orgId },
        balance: { amount: '5000000000' },
        held: { amount: '0' },
        available: { amount: '5000000000' },
        creditLimit: { amount: '0' },
      },
    });
    const replay = await t.gql(GRANT, { input });
    expect(replay.data.grantCredits).toMatchObject({ transactionId: g.transactionId, idempotencyHit: true });
    const conflict = await t.gql(GRANT, { input: { ...input, amountNanos: '1' } });
    expect(conflict.errors?.[0].extensions.code).toBe('IDEMPOTENCY_CONFLICT');
    const audits = await db.prisma.auditLog.findMany({ where: { entityId: await walletIdOf(g.wallet.id) } });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      action: 'wallet.credits_granted',
      actorType: 'platform_admin',
      organizationId: orgId,
    });
    expect(audits[0]!.data).toMatchObject({
      reason: 'launch promotion',
      transactionId: g.transactionId,
      amountNanos: '5000000000',
    });
  });

  async function walletIdOf(globalId: string) {
    return Buffer.from(globalId, 'base64').toString('utf8').split(':').slice(1).join(':');
  }

  it('adjusts a wallet with a signed amount and rejects bad admin input', async () => {
    const wallets = await t.gql(WALLETS, { org: orgId });
    const orgWallet = walletList(wallets).find(
      (w: any) => w.owner.type === 'ORGANIZATION' && w.currency === 'USD',
    );
    const up = await t.gql(ADJUST, {
      input: {
        walletId: orgWallet.id,
        amountNanos: String(2n * USD),
        reason: 'goodwill',
        idempotencyKey: 'adj-1',
      },
    });
    expect(up.data.adjustWallet.balanceAfter.amount).toBe('2000000000');
    const down = await t.gql(ADJUST, {
      input: {
        walletId: orgWallet.id,
        amountNanos: String(-3n * USD),
        reason: 'clawback',
        idempotencyKey: 'adj-2',
      },
    });
    expect(down.data.adjustWallet.balanceAfter.amount).toBe('-1000000000');
    const noReason = await t.gql(ADJUST, {
      input: { walletId: orgWallet.id, amountNanos: '1', reason: ' ', idempotencyKey: 'adj-3' },
    });
    expect(noReason.errors?.[0].extensions.code).toBe('VALIDATION_FAILED');
    const zero = await t.gql(ADJUST, {
      input: { walletId: orgWallet.id, amountNanos: '0', reason: 'nothing', idempotencyKey: 'adj-4' },
    });
    expect(zero.errors?.[0].extensions.code).toBe('INVALID_AMOUNT');
    const badCurrency = await t.gql(GRANT, {
      input: {
        wallet: { organizationId: orgId, ownerType: 'ORGANIZATION', ownerId: orgId, currency: 'ABC' },
        amountNanos: '1',
        reason: 'promo',
        idempotencyKey: 'bad-cur',
      },
    });
    expect(badCurrency.errors?.[0].extensions.code).toBe('UNSUPPORTED_CURRENCY');
    const unknown = await t.gql(ADJUST, {
      input: { walletId: 'wal_missing', amountNanos: '1', reason: 'x-y-z', idempotencyKey: 'adj-5' },
    });
    expect(unknown.errors?.[0].extensions.code).toBe('WALLET_NOT_FOUND');
    const asOwner = await t.gql(
      ADJUST,
      { input: { walletId: orgWallet.id, amountNanos: '1', reason: 'self-serve', idempotencyKey: 'adj-6' } },
      { token: keys.owner },
    );
    // The owner's key lacks billing, which is checked first; with it, the role is refused.
    expect(asOwner.errors?.[0].extensions.code).toBe('SCOPE_NOT_ALLOWED');
  });

  it('lists ledger entries as a connection filtered by reason and time', async () => {
    const ledger = t.app.services.ledger;
    const w = await ledger.ensureWallet({
      organizationId: orgId,
      ownerType: 'team',
      ownerId: teamB,
      currency: 'USD',
    });
    await ledger.creditTopUp({
      walletId: w.id,
      amountNanos: 10n * USD,
      paymentId: 'p1',
      idempotencyKey: 'tb-topup',
    });
    const h = await ledger.hold({ walletId: w.id, amountNanos: USD, idempotencyKey: 'tb-h1' });
    await ledger.settle({ holdId: h.holdId, actualNanos: 300_000_000n });
    await ledger.grant({ walletId: w.id, amountNanos: USD, idempotencyKey: 'tb-g', description: 'bonus' });
    const q = `query($org: ID, $reason: [LedgerReason!], $from: DateTime, $to: DateTime, $first: Int, $after: String) {
      wallets(organizationId: $org, first: 10) { edges { node { owner { id } entries(reason: $reason, from: $from, to: $to, first: $first, after: $after) {
        edges { cursor node { reason amount { amount currency } description transactionId } }
        pageInfo { hasNextPage endCursor } } } } } }`;
    const pick = (r: any) => walletList(r).find((x: any) => x.owner.id === teamB).entries;
    const all = pick(await t.gql(q, { org: orgId }));
    expect(all.edges.map((e: any) => [e.node.reason, e.node.amount.amount])).toEqual([
      ['GRANT', '1000000000'],
      ['USAGE', '-300000000'],
      ['TOPUP', '10000000000'],
    ]);
    expect(all.edges[0].node.description).toBe('bonus');
    const usage = pick(await t.gql(q, { org: orgId, reason: ['USAGE', 'TOPUP'] }));
    expect(usage.edges.map((e: any) => e.node.reason)).toEqual(['USAGE', 'TOPUP']);
    const page1 = pick(await t.gql(q, { org: orgId, first: 1 }));
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = pick(await t.gql(q, { org: orgId, first: 5, after: page1.pageInfo.endCursor }));
    expect(page2.edges.map((e: any) => e.node.reason)).toEqual(['USAGE', 'TOPUP']);
    const future = pick(await t.gql(q, { org: orgId, from: new Date(Date.now() + 3_600_000).toISOString() }));
    expect(future.edges).toEqual([]);
    const past = pick(await t.gql(q, { org: orgId, to: new Date(Date.now() + 3_600_000).toISOString() }));
    expect(past.edges).toHaveLength(3);
  });

  it('shows owners every wallet of their organization and members only theirs, their teams and the organization', async () => {
    const ownersOf = (r: any) =>
      walletList(r)
        .filter((w: any) => w.currency === 'USD')
        .map((w: any) => w.owner.id)
        .sort();
    const owner = await t.gql(WALLETS, {}, { token: keys.owner });
    expect(ownersOf(owner)).toEqual([orgId, teamA, teamB, users.alice, users.bob].sort());
    const alice = await t.gql(WALLETS, {}, { token: keys.alice });
    expect(ownersOf(alice)).toEqual([orgId, teamA, users.alice].sort());
    const bob = await t.gql(WALLETS, {}, { token: keys.bob });
    expect(ownersOf(bob)).toEqual([orgId, users.bob].sort());
    const stranger = await t.gql(WALLETS, { org: orgId }, { token: keys.stranger });
    expect(walletList(stranger)).toEqual([]);
    const anonymous = await t.gql(WALLETS, {}, { token: null });
    expect(anonymous.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');

    const bobsWallet = walletList(owner).find((w: any) => w.owner.id === users.bob).id;
    const node = `query($id: ID!) { node(id: $id) { ... on Wallet { balance { amount } } } }`;
    const peek = await t.gql(node, { id: bobsWallet }, { token: keys.alice });
    expect(peek.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const own = await t.gql(node, { id: bobsWallet }, { token: keys.bob });
    expect(own.errors).toBeUndefined();
    expect(own.data.node.balance.amount).toBe('0');
  });

  it('reports a healthy ledger to platform admins only', async () => {
    const q = `{ ledgerConsistency { ok walletsChecked walletMismatches { walletId } accountMismatches { accountId } unbalancedTransactions { transactionId } } }`;
    const r = await t.gql(q);
    expect(r.data.ledgerConsistency).toMatchObject({
      ok: true,
      walletMismatches: [],
      accountMismatches: [],
      unbalancedTransactions: [],
    });
    expect(r.data.ledgerConsistency.walletsChecked).toBeGreaterThanOrEqual(5);
    const denied = await t.gql(q, {}, { token: keys.owner });
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('streams balanceChanged to a subscriber who may see the wallet, and refuses one who may not', async () => {
    const ledger = t.app.services.ledger;
    const w = await ledger.ensureWallet({
      organizationId: orgId,
      ownerType: 'user',
      ownerId: users.alice!,
      currency: 'USD',
    });
    const client = (token: string) =>
      createClient({
        url: `${t.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
    const sub = `subscription($id: ID!) { balanceChanged(walletId: $id) { walletId reason balance { amount currency } held { amount } available { amount } transactionId } }`;
    // `current: true`: its first event (the wallet as it is) says the subscription listens.
    const live = `subscription($id: ID!) { balanceChanged(walletId: $id, current: true) { walletId reason balance { amount currency } held { amount } available { amount } transactionId } }`;

    const alice = client(keys.alice!);
    const received: any[] = [];
    let listening!: () => void;
    const isListening = new Promise<void>((r) => (listening = r));
    const done = new Promise<void>((resolve, reject) => {
      const stop = alice.subscribe(
        { query: live, variables: { id: w.id } },
        {
          next: (msg) => {
            if ((msg.data as any)?.balanceChanged?.reason === 'current') return listening();
            received.push(msg);
            if ((msg.data as any)?.balanceChanged?.reason === 'hold') {
              stop();
              resolve();
            }
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    await isListening;
    await ledger.grant({ walletId: w.id, amountNanos: USD, idempotencyKey: 'sub-grant', description: 'sub' });
    const hold = await ledger.hold({ walletId: w.id, amountNanos: 250_000_000n, idempotencyKey: 'sub-hold' });
    await done;
    alice.dispose();
    expect(received[0].data.balanceChanged).toMatchObject({
      reason: 'grant',
      balance: { currency: 'USD' },
      held: { amount: '0' },
    });
    expect(received.slice(0, -1).every((m) => m.data.balanceChanged.reason === 'grant')).toBe(true);
    const last = received.at(-1).data.balanceChanged;
    expect(last.reason).toBe('hold');
    expect(BigInt(last.balance.amount) - BigInt(last.available.amount)).toBe(250_000_000n);
    expect(last.transactionId).toBeNull();
    await ledger.release({ holdId: hold.holdId });

    const bob = client(keys.bob!);
    const refused = await new Promise<any>((resolve) => {
      bob.subscribe(
        { query: sub, variables: { id: w.id } },
        { next: (msg) => resolve(msg), error: (e) => resolve({ errors: e }), complete: () => resolve(null) },
      );
    });
    bob.dispose();
    const errors = Array.isArray(refused?.errors) ? refused.errors : [refused?.errors];
    expect(errors[0].extensions?.code ?? errors[0].message).toBe('FORBIDDEN');
  });

  it('with current: true, starts with the wallet as it is once listening, so a change right after is never missed', async () => {
    const ledger = t.app.services.ledger;
    const w = await ledger.ensureWallet({
      organizationId: orgId,
      ownerType: 'user',
      ownerId: users.alice!,
      currency: 'EUR',
    });
    await ledger.grant({
      walletId: w.id,
      amountNanos: USD,
      idempotencyKey: 'current-before',
      description: 'before',
    });
    const alice = createClient({
      url: `${t.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${keys.alice!}` },
      retryAttempts: 0,
    });
    const received: any[] = [];
    let first!: () => void;
    const firstArrived = new Promise<void>((r) => (first = r));
    const done = new Promise<void>((resolve, reject) => {
      const stop = alice.subscribe(
        {
          query: `subscription($id: ID!) { balanceChanged(walletId: $id, current: true) { reason balance { amount currency } transactionId } }`,
          variables: { id: w.id },
        },
        {
          next: (msg) => {
            received.push((msg.data as any)?.balanceChanged ?? msg);
            if (received.length === 1) first();
            if (received.length === 2) {
              stop();
              resolve();
            }
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    await firstArrived;
    // One grant, no retry: once the first event came, the subscription listens.
    await ledger.grant({
      walletId: w.id,
      amountNanos: 2n * USD,
      idempotencyKey: 'current-after',
      description: 'after',
    });
    await done;
    alice.dispose();
    expect(received[0]).toEqual({
      reason: 'current',
      balance: { amount: USD.toString(), currency: 'EUR' },
      transactionId: null,
    });
    expect(received[1]).toMatchObject({ reason: 'grant', balance: { amount: (3n * USD).toString() } });
  });
});
