import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { RedisUnavailableError } from '../../src/infra/dependency-errors.ts';
import { MemorySharedState } from '../../src/infra/memory-shared-state.ts';
import { ADMIN_TOKEN, type TestApp, startTestApp, testRedisState } from '../helpers/app.ts';
import { type TestDatabase, openTestDatabase, requirePostgresUrl } from '../helpers/db.ts';
import { type Tenant, codes, createTenant, post } from './graphql-fixtures.ts';

/**
 * Issue 14, finding 3: GraphQL had no cost limits. One 738-byte query nesting
 * organization.memberships.user.memberships.organization seven deep took 52 s and 3 GB (with eight
 * members it exhausts a 4 GB heap and the process dies), 5,000 aliases did the same, and anonymous
 * `health` ×5,000 delayed everything else. Each attack below must be refused before it runs, with
 * its own code, while the gateway keeps answering.
 */

/** organization { memberships { … user { memberships { … organization { … } } } } }, `levels` times. */
function nestedMemberships(orgId: string, levels: number, page = ''): string {
  let selection = 'id';
  for (let i = 0; i < levels; i++)
    selection = `organization { memberships${page} { edges { node { user { memberships${page} { edges { node { ${selection} } } } } } } } }`;
  return `{ organization(id: "${orgId}") ${selection.slice('organization '.length)} }`;
}

const aliases = (n: number, field = 'health { ok }') =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

async function healthzAnswers(t: TestApp): Promise<number> {
  return (await fetch(`${t.url}/healthz`)).status;
}

describe('GraphQL cost limits: attacks refused before they run', () => {
  let db: TestDatabase;
  let t: TestApp;
  let victim: Tenant;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    t = await startTestApp(db, {
      state: 'redis',
      env: { GRAPHQL_INTROSPECTION: 'authenticated', GRAPHQL_FIELD_SUGGESTIONS: 'false' },
    });
    // Few members, so that before the fix the nested query finishes (slowly) instead of killing the process.
    victim = await createTenant(t, `victim-${randomBytes(3).toString('hex')}`, 3);
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it('refuses the 738-byte query nesting organization.memberships.user.memberships.organization seven deep (QUERY_TOO_DEEP), while /healthz answers', async () => {
    const query = nestedMemberships(victim.orgId, 7);
    expect(query.length).toBeLessThan(800);
    const [attack, healthz] = await Promise.all([post(t, query, { token: victim.key }), healthzAnswers(t)]);
    expect(healthz).toBe(200);
    expect(attack.status).toBe(400);
    expect(codes(attack.body)).toEqual(['QUERY_TOO_DEEP']);
    // No `data` at all: the document was refused before execution started.
    expect(attack.body).not.toHaveProperty('data');
    expect(attack.body.errors[0].extensions.request_id).toBeTruthy();
  });

  it('refuses a nesting under the depth limit whose pages multiply past the cost ceiling (QUERY_COST_TOO_HIGH), before running it', async () => {
    const query = `{ organization(id: "${victim.orgId}") { memberships(first: 100) { edges { node { user { memberships(first: 100) { edges { node { id } } } } } } } } }`;
    const r = await post(t, query, { token: victim.key });
    expect(codes(r.body)).toEqual(['QUERY_COST_TOO_HIGH']);
    expect(r.status).toBe(400);
    expect(r.body).not.toHaveProperty('data');
    // 1 (organization) + 2 + 100 × (1 (node) + 1 (user) + 2 + 100 × 1)
    expect(r.body.errors[0].extensions.details).toEqual({ cost: 10_403, max: 1000 });
  });

  it('prices a connection by its page: first/last multiply what one node costs', async () => {
    const cost = async (args: string) => {
      const r = await post(
        t,
        `{ organizations${args} { edges { cursor node { id name } } pageInfo { hasNextPage } } }`,
        {
          token: victim.key,
        },
      );
      expect(r.body.errors).toBeUndefined();
      return r.body.extensions.cost.requested;
    };
    expect(await cost('(first: 5)')).toBe(2 + 5);
    expect(await cost('(last: 50)')).toBe(2 + 50);
    expect(await cost('')).toBe(2 + 20); // the default page
    expect(await cost('(first: 5000)')).toBe(2 + 100); // the largest page served
    const nested = await post(
      t,
      `{ organizations(first: 10) { edges { node { memberships(first: 30) { edges { node { role } } } } } } }`,
      { token: victim.key },
    );
    expect(nested.body.extensions.cost.requested).toBe(2 + 10 * (1 + 2 + 30));
  });

  it('charges nothing for __typename, which GraphQL clients (urql, Apollo) add to every selection', async () => {
    const cost = async (typename: string) => {
      const r = await post(
        t,
        `{ organizations(first: 10) { ${typename} edges { ${typename} node { ${typename} id memberships(first: 5) { ${typename} edges { node { ${typename} role } } } } } } }`,
        { token: victim.key },
      );
      expect(r.body.errors).toBeUndefined();
      return r.body.extensions.cost.requested;
    };
    expect(await cost('__typename')).toBe(await cost(''));
    expect(await cost('')).toBe(2 + 10 * (1 + 2 + 5));
  });

  it('charges what an expensive field declares next to its definition (ledgerConsistency: 500)', async () => {
    const r = await post(t, '{ ledgerConsistency { ok } }', { token: ADMIN_TOKEN });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.extensions.cost).toEqual({ requested: 500 });
  });

  it('refuses 5,000 aliases while parsing (QUERY_TOO_LARGE) and 31 aliases by count (TOO_MANY_ALIASES)', async () => {
    const huge = await post(t, aliases(5000), { token: victim.key });
    expect(codes(huge.body)).toEqual(['QUERY_TOO_LARGE']);
    expect(huge.body).not.toHaveProperty('data');
    const many = await post(t, aliases(31), { token: victim.key });
    expect(codes(many.body)).toEqual(['TOO_MANY_ALIASES']);
    expect(many.body).not.toHaveProperty('data');
    const fine = await post(t, aliases(30, 'viewer { kind }'), { token: victim.key });
    expect(fine.body.errors).toBeUndefined();
  });

  it('refuses 51 directives (TOO_MANY_DIRECTIVES)', async () => {
    const directives = Array.from({ length: 51 }, () => '@include(if: true)').join(' ');
    const r = await post(t, `{ viewer ${directives} { kind } }`, { token: victim.key });
    expect(codes(r.body)).toEqual(['TOO_MANY_DIRECTIVES']);
  });

  it('refuses four parallel anonymous requests of health ×5,000 while /healthz and a small query still answer', async () => {
    const attack = aliases(5000);
    const repeated = `{ ${'health { ok } '.repeat(5000)}}`;
    const results = await Promise.all([
      post(t, attack, { token: null }),
      post(t, repeated, { token: null }),
      post(t, attack, { token: null }),
      post(t, repeated, { token: null }),
      healthzAnswers(t),
      post(t, '{ viewer { kind } }', { token: victim.key }),
    ]);
    for (const r of results.slice(0, 4) as { body: any }[])
      expect(codes(r.body)).toEqual(['QUERY_TOO_LARGE']);
    expect(results[4]).toBe(200);
    expect((results[5] as { body: any }).body.data.viewer.kind).toBe('api_key');
  });

  it('lets an anonymous caller ask only for health: any other root field refuses the whole operation (UNAUTHENTICATED)', async () => {
    const ok = await post(t, '{ health { ok } }', { token: null });
    expect(ok.body.data.health.ok).toBe(true);
    for (const query of [
      '{ health { ok } viewer { kind } }',
      `{ health { ok } node(id: "${victim.orgId}") { id } }`,
      '{ ...f } fragment f on Query { organizations { edges { node { id } } } }',
      'mutation { revokeApiKey(id: "key_x") { id } }',
    ]) {
      const r = await post(t, query, { token: null });
      expect(codes(r.body)).toEqual(['UNAUTHENTICATED']);
      expect(r.body.data ?? null).toBeNull();
    }
  });

  it('gives anonymous callers a small cost ceiling', async () => {
    const r = await post(t, aliases(6, 'health { components { name } }'), { token: null });
    expect(codes(r.body)).toEqual(['QUERY_COST_TOO_HIGH']);
    expect(r.body.errors[0].extensions.details).toEqual({ cost: 12, max: 10 });
  });

  it('answers no introspection and no field suggestions to anonymous callers (production settings); keys may introspect', async () => {
    const anonymous = await post(t, '{ __schema { queryType { name } } }', { token: null });
    expect(codes(anonymous.body)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.body.data ?? null).toBeNull();
    const typeProbe = await post(t, '{ __type(name: "Wallet") { fields { name } } }', { token: null });
    expect(codes(typeProbe.body)).toEqual(['UNAUTHENTICATED']);
    const withKey = await post(t, '{ __schema { queryType { name } } }', { token: victim.key });
    expect(withKey.body.data.__schema.queryType.name).toBe('Query');
    const typo = await post(t, '{ healt { ok } }', { token: null });
    expect(typo.body.errors[0].message).not.toMatch(/did you mean|"health"/i);
  });

  it('defaults to production settings in production: introspection for authenticated callers, no suggestions', () => {
    const prod = loadConfig({ NODE_ENV: 'production' });
    expect(prod.GRAPHQL_INTROSPECTION).toBe('authenticated');
    expect(prod.GRAPHQL_FIELD_SUGGESTIONS).toBe(false);
    const dev = loadConfig({ NODE_ENV: 'development' });
    expect(dev.GRAPHQL_INTROSPECTION).toBe('everyone');
    expect(() => loadConfig({ GRAPHQL_COST_MAX: '2000', GRAPHQL_COST_BUDGET_PER_MINUTE: '1000' })).toThrow(
      /GRAPHQL_COST_BUDGET_PER_MINUTE/,
    );
  });
});

describe('GraphQL limits that need their own gateway', () => {
  it('refuses introspection to everyone when it is turned off (INTROSPECTION_DISABLED)', async () => {
    const db = await openTestDatabase('pglite');
    const t = await startTestApp(db, { env: { GRAPHQL_INTROSPECTION: 'off' } });
    try {
      const r = await post(t, '{ __schema { types { name } } }', { token: ADMIN_TOKEN });
      expect(codes(r.body)).toEqual(['INTROSPECTION_DISABLED']);
      expect(r.status).toBe(403);
      const typename = await post(t, '{ __typename }', { token: ADMIN_TOKEN });
      expect(typename.body.data.__typename).toBe('Query');
    } finally {
      await t.close();
      await db.close();
    }
  });

  it('abandons a query still running past its time budget (QUERY_TIMEOUT), and the gateway answers the next one', async () => {
    // A shared state whose ping never answers keeps `health` waiting on it (readiness gives up only after 2 s).
    let answerPings!: () => void;
    const pingsAnswered = new Promise<void>((resolve) => {
      answerPings = resolve;
    });
    class StuckPing extends MemorySharedState {
      override async ping() {
        await pingsAnswered;
      }
    }
    const db = await openTestDatabase('pglite');
    const t = await startTestApp(db, { state: new StuckPing(), env: { GRAPHQL_TIMEOUT_MS: '100' } });
    try {
      const r = await post(t, '{ health { ok } }', { token: ADMIN_TOKEN });
      expect(codes(r.body)).toEqual(['QUERY_TIMEOUT']);
      expect(r.status).toBe(503);
      answerPings();
      const next = await post(t, '{ health { ok } }', { token: ADMIN_TOKEN });
      expect(next.body.data.health.ok).toBe(true);
    } finally {
      answerPings();
      await t.close();
      await db.close();
    }
  });
});

describe('GraphQL cost budget while Redis is down', () => {
  it('serves an API key without charging it (the per-operation ceiling still holds) rather than refusing all GraphQL', async () => {
    class RedisDown extends MemorySharedState {
      override async reserveMany(): Promise<never> {
        throw new RedisUnavailableError(new Error('connect ECONNREFUSED'));
      }
    }
    const db = await openTestDatabase('pglite');
    const t = await startTestApp(db, { state: new RedisDown() });
    try {
      const tenant = await createTenant(t, `down-${randomBytes(3).toString('hex')}`);
      const r = await post(t, '{ organizations(first: 10) { edges { node { id } } } }', {
        token: tenant.key,
      });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.extensions.cost).toEqual({ requested: 12 });
      const costly = await post(
        t,
        '{ organizations(first: 100) { edges { node { memberships(first: 100) { edges { node { id } } } } } } }',
        {
          token: tenant.key,
        },
      );
      expect(codes(costly.body)).toEqual(['QUERY_COST_TOO_HIGH']);
    } finally {
      await t.close();
      await db.close();
    }
  });
});

describe('GraphQL cost budget per caller, shared by every replica through Redis', () => {
  let db: TestDatabase;
  let secondDb: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let tenant: Tenant;

  beforeAll(async () => {
    requirePostgresUrl();
    const prefix = `gqlcost-${randomBytes(4).toString('hex')}:`;
    const env = {
      GRAPHQL_COST_MAX: '50',
      GRAPHQL_COST_BUDGET_PER_MINUTE: '50',
      GRAPHQL_ANONYMOUS_COST_BUDGET_PER_MINUTE: '10',
    };
    db = await openTestDatabase('postgres');
    a = await startTestApp(db, { state: testRedisState(prefix), env });
    // A second process: its own pool on the same database, its own Redis connection on the same keyspace.
    const other = await openDatabase({ url: db.url!, poolSize: 5 });
    secondDb = { ...other, url: db.url };
    b = await startTestApp(secondDb, { state: testRedisState(prefix), env });
    tenant = await createTenant(a, `budget-${randomBytes(3).toString('hex')}`);
  });
  afterAll(async () => {
    await b?.close();
    await secondDb?.close();
    await a?.close();
    await db?.close();
  });

  it('refuses an API key over its cost per minute on any replica (RATE_LIMIT_EXCEEDED with retry-after)', async () => {
    const page = '{ organizations(first: 10) { edges { node { id } } } }'; // costs 12
    for (const app of [a, b, a, b]) {
      const r = await post(app, page, { token: tenant.key });
      expect(r.body.errors).toBeUndefined();
    }
    const refused = await post(a, page, { token: tenant.key });
    expect(refused.status).toBe(429);
    expect(codes(refused.body)).toEqual(['RATE_LIMIT_EXCEEDED']);
    expect(refused.body.data ?? null).toBeNull();
    const details = refused.body.errors[0].extensions.details;
    expect(details).toMatchObject({ scope: 'api_key', metric: 'graphql_cost', limit: 50 });
    expect(details.retry_after_ms).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after-ms'))).toBe(details.retry_after_ms);
    // The platform admin token (the operator's own) is not charged.
    const admin = await post(b, page, { token: ADMIN_TOKEN });
    expect(admin.body.errors).toBeUndefined();
  });

  it('charges anonymous callers by source address, with a small budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await post(i % 2 ? a : b, '{ health { ok } }', { token: null })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBe(429);
  });
});
