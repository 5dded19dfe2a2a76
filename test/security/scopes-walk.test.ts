import { encodeGlobalID } from '@pothos/plugin-relay';
import { readFileSync } from 'node:fs';
import type { GraphQLArgument, GraphQLField } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_SCOPE_VALUES, keyScopeOf, scopesTable } from '../../src/graphql/key-scopes.ts';
import { toGraphQLError } from '../../src/graphql/yoga.ts';
import { API_SCOPES, type ApiScope, type Principal } from '../../src/identity/principal.ts';
import { schema } from '../../src/schema/index.ts';
import { type TestApp, startTestApp } from '../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../helpers/db.ts';
import { documentFor, graphql, variablesFor } from '../helpers/schema-walk.ts';
import { ENCRYPTION_KEY } from '../integration/risk/harness.ts';

/**
 * Key scopes are a property of every root field (src/graphql/key-scopes.ts). The attacks the
 * review found are reproduced first; then the walk covers every Query, Mutation and Subscription
 * field that exists at test time, so a field added later without a declaration fails here.
 */
const { execute, parse, subscribe } = graphql;
const ROOTS = ['query', 'mutation', 'subscription'] as const;
const rootOf = (kind: (typeof ROOTS)[number]) =>
  kind === 'query'
    ? schema.getQueryType()!
    : kind === 'mutation'
      ? schema.getMutationType()!
      : schema.getSubscriptionType()!;

/** The data of a setup call; its errors, if any, fail the test with their text. */
function must(r: { data?: any; errors?: unknown[] }) {
  if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
  return r.data;
}

const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;

describe('key scopes', () => {
  let db: TestDatabase;
  let t: TestApp;
  let orgId: string;
  let ownerId: string;
  let endpointId: string;
  let planId: string;
  const secrets: Record<string, string> = {};

  const keyFor = async (name: string, scopes: readonly string[]) => {
    const r = await t.gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', {
      i: { organizationId: orgId, userId: ownerId, name, scopes },
    });
    return must(r).createApiKey.secret as string;
  };

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, { state: 'memory', env: { TOLLGATE_ENCRYPTION_KEY: ENCRYPTION_KEY } });
    const o = await t.gql(
      'mutation { createOrganization(input:{name:"Acme", slug:"acme", ownerEmail:"owner@acme.test"}) { id } }',
    );
    orgId = rawId(must(o).createOrganization.id);
    ownerId = (await db.prisma.user.findFirstOrThrow({ where: { email: 'owner@acme.test' } })).id;
    secrets.inference = await keyFor('inference only', ['INFERENCE']);
    secrets.read = await keyFor('read only', ['READ']);
    const e = await t.gql(
      'mutation($o: ID!) { createWebhookEndpoint(input:{organizationId:$o, url:"https://hooks.acme.test/in"}) { endpoint { id } } }',
      { o: orgId },
    );
    endpointId = must(e).createWebhookEndpoint.endpoint.id;
    const p = await t.gql(
      'mutation { createPlan(input:{code:"discount", name:"Discount", kind: DAILY_LIMIT, dailyLimits:[{metric: REQUESTS, limitValue:"100"}]}) { id } }',
    );
    planId = must(p).createPlan.id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  const codeOf = (r: { errors?: any[] }) => r.errors?.[0]?.extensions?.code;

  const writes = () => [
    {
      attack: 'creates a webhook endpoint',
      doc: 'mutation($o: ID!) { createWebhookEndpoint(input:{organizationId:$o, url:"https://attacker.test/x"}) { secret } }',
      vars: { o: orgId },
    },
    {
      attack: 'redirects a webhook endpoint',
      doc: 'mutation($id: ID!) { updateWebhookEndpoint(id:$id, input:{url:"https://attacker.test/x"}) { url } }',
      vars: { id: endpointId },
    },
    {
      attack: 'rotates a webhook secret',
      doc: 'mutation($id: ID!) { rotateWebhookSecret(id:$id) { secret } }',
      vars: { id: endpointId },
    },
    {
      attack: 'changes the notification recipients',
      doc: 'mutation($o: ID!) { updateNotificationSettings(organizationId:$o, input:{emailRecipients:["attacker@attacker.test"]}) }',
      vars: { o: orgId },
    },
    {
      attack: 'assigns a plan',
      doc: 'mutation($p: ID!, $o: ID!) { assignPlan(input:{planId:$p, organizationId:$o, subjectType: ORGANIZATION, subjectId:$o}) { id } }',
      vars: { p: planId, o: orgId },
    },
  ];

  async function state() {
    const [endpoints, settings, assignments] = await Promise.all([
      db.prisma.webhookEndpoint.findMany({ orderBy: { id: 'asc' } }),
      db.prisma.riskSetting.findMany(),
      db.prisma.planAssignment.findMany(),
    ]);
    return JSON.stringify({ endpoints, settings, assignments });
  }

  for (const keyName of ['inference', 'read'] as const)
    for (const i of [0, 1, 2, 3, 4])
      it(`an owner's ${keyName}-only key that ${['creates a webhook endpoint', 'redirects a webhook endpoint', 'rotates a webhook secret', 'changes the notification recipients', 'assigns a plan'][i]} is refused with SCOPE_NOT_ALLOWED and changes nothing`, async () => {
        const w = writes()[i]!;
        const before = await state();
        const r = await t.gql(w.doc, w.vars, { token: secrets[keyName]! });
        expect(codeOf(r)).toBe('SCOPE_NOT_ALLOWED');
        expect(await state()).toBe(before);
      });

  it('a read key still reads the webhook endpoints (the refusals are about scope, not role)', async () => {
    const r = await t.gql(
      'query($o: ID!) { webhookEndpoints(organizationId:$o) { url } }',
      { o: orgId },
      {
        token: secrets.read!,
      },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.webhookEndpoints).toContainEqual({ url: 'https://hooks.acme.test/in' });
  });

  it('declares a known scope on every Query, Mutation and Subscription field', () => {
    const undeclared: string[] = [];
    let fields = 0;
    for (const kind of ROOTS)
      for (const field of Object.values(rootOf(kind).getFields())) {
        fields++;
        const scope = keyScopeOf(field);
        if (scope === undefined || !(KEY_SCOPE_VALUES as readonly string[]).includes(scope))
          undeclared.push(`${kind} ${field.name}: ${String(scope)}`);
      }
    expect(undeclared).toEqual([]);
    expect(fields).toBeGreaterThanOrEqual(70);
  });

  it('docs/security.md lists every field with its scope (regenerate: npm run docs:scopes)', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
    expect(doc).toContain(scopesTable(schema));
  });

  /** A principal of the owner with exactly `scopes`; `platformAdmin` makes the user a platform admin. */
  const principal = (scopes: readonly ApiScope[], platformAdmin: boolean): Principal => ({
    kind: 'api_key',
    apiKeyId: 'key_walk',
    userId: ownerId,
    organizationId: orgId,
    teamId: null,
    scopes: [...scopes],
    role: 'owner',
    isPlatformAdmin: platformAdmin,
    modelAllowlist: [],
  });

  async function call(kind: (typeof ROOTS)[number], field: GraphQLField<unknown, unknown>, p: Principal) {
    const candidate = (a: GraphQLArgument) => {
      const forTypes = (a.extensions as { relayGlobalIDFor?: { typename: string }[] | null })
        .relayGlobalIDFor;
      return encodeGlobalID(forTypes?.[0]?.typename ?? 'Organization', orgId);
    };
    const args = {
      schema,
      document: parse(documentFor(kind, field, field.args)),
      variableValues: variablesFor(field.args, candidate),
      contextValue: { requestId: 'scopes-walk', principal: p, services: t.app.services },
    };
    const result = kind === 'subscription' ? await subscribe(args) : await execute(args);
    if (Symbol.asyncIterator in result) {
      await result.return?.();
      return [];
    }
    // Errors of nested fields do not matter here; an error without a path (a document the walk
    // built wrong) does, as it would hide the field from the walk.
    return (result.errors ?? [])
      .filter((e) => e.path === undefined || e.path.length === 1)
      .map((e) => (e.path ? String(toGraphQLError(e, 'scopes-walk').extensions.code) : e.message));
  }

  it('every field refuses a key without its scope, also a platform admin’s, and changes nothing', async () => {
    const before = await snapshotAll();
    const problems: string[] = [];
    let refusals = 0;
    for (const kind of ROOTS)
      for (const field of Object.values(rootOf(kind).getFields())) {
        const scope = keyScopeOf(field);
        if (scope === 'none' || scope === undefined) continue;
        const others = API_SCOPES.filter((s) => s !== scope);
        for (const admin of [false, true]) {
          const codes = await call(kind, field, principal(others, admin));
          if (codes[0] !== 'SCOPE_NOT_ALLOWED')
            problems.push(
              `${kind} ${field.name} without ${scope} (admin ${admin}): ${codes.join(',') || 'ok'}`,
            );
          else refusals++;
        }
      }
    expect(problems).toEqual([]);
    expect(refusals).toBeGreaterThan(120);
    expect(await snapshotAll()).toBe(before);
  });

  it('no field asks for a scope other than the one it declares (a key with only that scope passes the check)', async () => {
    const problems: string[] = [];
    for (const kind of ROOTS)
      for (const field of Object.values(rootOf(kind).getFields())) {
        const scope = keyScopeOf(field);
        if (scope === 'none' || scope === undefined) continue;
        const codes = await call(kind, field, principal([scope], true));
        if (codes.includes('SCOPE_NOT_ALLOWED')) problems.push(`${kind} ${field.name} (${scope})`);
      }
    expect(problems).toEqual([]);
  });

  async function snapshotAll() {
    const all = await Promise.all([
      db.prisma.organization.findMany({ orderBy: { id: 'asc' } }),
      db.prisma.user.findMany({ orderBy: { id: 'asc' } }),
      db.prisma.membership.findMany({ orderBy: { id: 'asc' } }),
      db.prisma.apiKey.findMany({ orderBy: { id: 'asc' }, omit: { lastUsedAt: true } }),
      db.prisma.webhookEndpoint.findMany({ orderBy: { id: 'asc' } }),
      db.prisma.riskSetting.findMany(),
      db.prisma.plan.findMany({ orderBy: { id: 'asc' } }),
      db.prisma.planAssignment.findMany({ orderBy: { id: 'asc' } }),
      db.prisma.priceRule.findMany({ orderBy: { id: 'asc' } }),
      db.prisma.wallet.findMany({ orderBy: { id: 'asc' } }),
      db.prisma.outboxMessage.count(),
      db.prisma.auditLog.count(),
    ]);
    return JSON.stringify(all, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  }
});
