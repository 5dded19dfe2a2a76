import { randomBytes } from 'node:crypto';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openDatabase } from '../../src/db/client.ts';
import { type TestApp, startTestApp, testRedisState } from '../helpers/app.ts';
import { type TestDatabase, openTestDatabase, requirePostgresUrl } from '../helpers/db.ts';
import { type Tenant, codes, createTenant, post } from './graphql-fixtures.ts';

/**
 * Issue 14, finding 9 (GraphQL): `node(id:)` told whether another tenant's id exists (FORBIDDEN
 * for it, INTERNAL for a missing one), `first: -5` answered INTERNAL, and subscriptions kept
 * streaming after the key that opened them was revoked.
 */

const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');

describe('GraphQL edges: node lookups and pagination arguments', () => {
  let db: TestDatabase;
  let t: TestApp;
  let mine: Tenant;
  let theirs: Tenant;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    t = await startTestApp(db);
    const tag = randomBytes(3).toString('hex');
    mine = await createTenant(t, `mine-${tag}`);
    theirs = await createTenant(t, `theirs-${tag}`);
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it('answers node(id:) for another tenant’s id exactly as for an id that does not exist: NOT_FOUND, nothing else', async () => {
    const ask = async (id: string) => {
      const r = await post(t, `query($id: ID!) { node(id: $id) { __typename id } }`, {
        token: mine.key,
        variables: { id },
      });
      return {
        codes: codes(r.body),
        data: r.body.data,
        paths: r.body.errors?.map((e: any) => e.path),
        message: r.body.errors?.[0]?.message.replace(/'.*'/, "'…'"),
      };
    };
    const own = await ask(mine.orgId);
    expect(own.codes).toEqual([]);
    expect(own.data.node.__typename).toBe('Organization');

    const foreign = await ask(theirs.orgId);
    const missing = await ask(globalId('Organization', `org_${randomBytes(16).toString('hex')}`));
    const foreignUser = await ask(globalId('User', rawId(theirs.ownerId)));
    const notANode = await ask(globalId('Query', 'x'));
    const unknownType = await ask(globalId('Nope', 'x'));
    for (const answer of [foreign, missing, foreignUser, notANode, unknownType])
      expect(answer).toEqual({
        codes: ['NOT_FOUND'],
        data: { node: null },
        paths: [['node']],
        message: "Node '…' not found",
      });
  });

  it('answers nodes(ids:) per id: own ids resolve, foreign and missing ids are NOT_FOUND at their index', async () => {
    const r = await post(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      token: mine.key,
      variables: { ids: [mine.orgId, theirs.orgId, globalId('Organization', 'org_missing')] },
    });
    expect(r.body.data.nodes).toEqual([{ id: mine.orgId }, null, null]);
    expect(r.body.errors.map((e: any) => [e.extensions.code, e.path]).sort()).toEqual([
      ['NOT_FOUND', ['nodes', 1]],
      ['NOT_FOUND', ['nodes', 2]],
    ]);
  });

  it('answers invalid pagination arguments with VALIDATION_FAILED, never INTERNAL', async () => {
    for (const args of [
      'first: -5',
      'last: -1',
      'first: 1, before: "x"',
      'last: 1, after: "x"',
      'after: "not-a-cursor"',
    ]) {
      const r = await post(t, `{ organizations(${args}) { edges { node { id } } } }`, { token: mine.key });
      expect([args, codes(r.body)]).toEqual([args, ['VALIDATION_FAILED']]);
    }
    const nested = await post(
      t,
      `query($id: ID!) { organization(id: $id) { memberships(first: -5) { edges { node { id } } } } }`,
      { token: mine.key, variables: { id: mine.orgId } },
    );
    expect(codes(nested.body)).toEqual(['VALIDATION_FAILED']);
  });
});

describe('GraphQL subscriptions end when the key that opened them is revoked', () => {
  let db: TestDatabase;
  let secondDb: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    requirePostgresUrl();
    const prefix = `gqledge-${randomBytes(4).toString('hex')}:`;
    db = await openTestDatabase('postgres');
    a = await startTestApp(db, { state: testRedisState(prefix) });
    const other = await openDatabase({ url: db.url!, poolSize: 5 });
    secondDb = { ...other, url: db.url };
    b = await startTestApp(secondDb, { state: testRedisState(prefix) });
  });
  afterAll(async () => {
    await b?.close();
    await secondDb?.close();
    await a?.close();
    await db?.close();
  });

  const wsClient = (app: TestApp, token: string | null): Client =>
    createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
    });

  /** Subscribes to the tenant's organization wallet and waits until the first event arrives (so the subscription is live). */
  async function liveSubscription(app: TestApp, tenant: Tenant) {
    const ledger = app.app.services.ledger;
    const wallet = await ledger.ensureWallet({
      organizationId: rawId(tenant.orgId),
      ownerType: 'organization',
      ownerId: rawId(tenant.orgId),
      currency: 'USD',
    });
    const client = wsClient(app, tenant.key);
    const received: any[] = [];
    let first!: () => void;
    const live = new Promise<void>((resolve) => {
      first = resolve;
    });
    const ended = new Promise<'complete' | unknown>((resolve) => {
      client.subscribe(
        {
          query: 'subscription($id: ID!) { balanceChanged(walletId: $id) { reason } }',
          variables: { id: wallet.id },
        },
        {
          next: (msg) => {
            received.push(msg);
            first();
          },
          error: (err) => resolve(err),
          complete: () => resolve('complete'),
        },
      );
    });
    for (let i = 0; received.length === 0 && i < 100; i++) {
      await ledger.grant({
        walletId: wallet.id,
        amountNanos: 1n,
        idempotencyKey: `live-${i}-${randomBytes(4).toString('hex')}`,
        description: 'subscription probe',
      });
      await Promise.race([live, new Promise((r) => setTimeout(r, 100))]);
    }
    expect(received.length).toBeGreaterThan(0);
    return { client, received, ended, wallet };
  }

  it('ends a graphql-ws subscription with API_KEY_REVOKED when its key is revoked on another replica', async () => {
    const tenant = await createTenant(a, `sub-${randomBytes(3).toString('hex')}`);
    const sub = await liveSubscription(a, tenant);
    const revoked = await b.gql('mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', {
      id: tenant.keyId,
    });
    expect(revoked.errors).toBeUndefined();
    expect(await sub.ended).toBe('complete');
    const last = sub.received.at(-1);
    expect(codes(last)).toEqual(['API_KEY_REVOKED']);
    expect(last.errors[0].extensions.request_id).toBeTruthy();
    sub.client.dispose();
  });

  it('keeps a subscription whose key is invalidated without losing its rights (another key of the user revoked)', async () => {
    const tenant = await createTenant(a, `keep-${randomBytes(3).toString('hex')}`);
    const sub = await liveSubscription(a, tenant);
    const other = await a.gql(
      `mutation($o: ID!, $u: ID!) { createApiKey(input: { organizationId: $o, userId: $u, name: "other", scopes: [READ] }) { apiKey { id } } }`,
      { o: tenant.orgId, u: tenant.ownerId },
    );
    await b.gql('mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', {
      id: other.data.createApiKey.apiKey.id,
    });
    // Every invalidation reaches the subscription's process; a later event still arrives.
    const before = sub.received.length;
    await a.app.services.ledger.grant({
      walletId: sub.wallet.id,
      amountNanos: 1n,
      idempotencyKey: `after-${tenant.keyId}`,
      description: 'after another key was revoked',
    });
    await expect.poll(() => sub.received.length, { timeout: 10_000 }).toBeGreaterThan(before);
    expect(codes(sub.received.at(-1))).toEqual([]);
    sub.client.dispose();
  });

  it('refuses an anonymous subscription and an oversized one over graphql-ws with typed codes, keeping the socket usable', async () => {
    const once = (client: Client, query: string) =>
      new Promise<any>((resolve) => {
        client.subscribe(
          { query },
          {
            next: (msg) => resolve(msg),
            error: (err) => resolve({ errors: err }),
            complete: () => resolve(null),
          },
        );
      });
    const anonymous = wsClient(a, null);
    const refused = await once(anonymous, 'subscription { balanceChanged(walletId: "w") { reason } }');
    expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
    const huge = await once(
      anonymous,
      `subscription { ${'balanceChanged(walletId: "w") { reason } '.repeat(500)}}`,
    );
    const errors = Array.isArray(huge.errors) ? huge.errors : [huge.errors];
    expect(errors[0].extensions?.code).toBe('QUERY_TOO_LARGE');
    anonymous.dispose();
  });
});
