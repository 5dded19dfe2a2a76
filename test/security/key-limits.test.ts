import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../helpers/db.ts';

/**
 * A key with `manage` may never widen its own limits, and a key it creates is bounded by its own
 * (docs/security.md#key-limits). The review's attack: a member whose key the owner had limited
 * cleared the key's allowlist, budget, daily cap and rate limits and minted an unlimited key.
 */
function must(r: { data?: any; errors?: unknown[] }) {
  if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
  return r.data;
}
const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;
const IN_30_DAYS = new Date(Date.now() + 30 * 86_400_000).toISOString();

describe('key limits', () => {
  let db: TestDatabase;
  let t: TestApp;
  let ownerSecret: string;
  let memberSecret: string;
  let memberKeyId: string;
  let memberId: string;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, { state: 'memory' });
    const o = must(
      await t.gql(
        'mutation { createOrganization(input:{name:"Acme", slug:"acme", ownerEmail:"owner@acme.test"}) { id } }',
      ),
    );
    const orgId = rawId(o.createOrganization.id);
    const owner = await db.prisma.user.findFirstOrThrow({ where: { email: 'owner@acme.test' } });
    ownerSecret = must(
      await t.gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', {
        i: {
          organizationId: orgId,
          userId: owner.id,
          name: 'owner',
          scopes: ['INFERENCE', 'READ', 'MANAGE', 'BILLING'],
        },
      }),
    ).createApiKey.secret;
    const member = must(
      await t.gql(
        `mutation { createUser(input:{organizationId:"${orgId}", email:"member@acme.test", role: MEMBER}) { id } }`,
        {},
        { token: ownerSecret },
      ),
    );
    memberId = rawId(member.createUser.id);
    const key = must(
      await t.gql(
        'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }',
        {
          i: {
            userId: memberId,
            name: 'limited',
            scopes: ['INFERENCE', 'READ', 'MANAGE'],
            modelAllowlist: ['gpt-4o-mini', 'claude-*'],
            budgetNanos: '1000000000',
            budgetCurrency: 'USD',
            dailyCapNanos: '100000000',
            rpmLimit: 10,
            tpmLimit: 1000,
            expiresAt: IN_30_DAYS,
          },
        },
        { token: ownerSecret },
      ),
    );
    memberSecret = key.createApiKey.secret;
    memberKeyId = key.createApiKey.apiKey.id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  const UPDATE = 'mutation($i: UpdateApiKeyInput!) { updateApiKey(input: $i) { id } }';
  const CREATE = 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }';
  const keyRow = () =>
    db.prisma.apiKey.findUniqueOrThrow({
      where: { id: rawId(memberKeyId) },
      omit: { lastUsedAt: true, updatedAt: true },
    });
  const keyCount = () => db.prisma.apiKey.count();

  const widenings: [string, Record<string, unknown>][] = [
    ['clears its allowlist', { modelAllowlist: [] }],
    ['adds a model to its allowlist', { modelAllowlist: ['gpt-4o-mini', 'gpt-4o'] }],
    ['swaps a pattern for a wider one', { modelAllowlist: ['*'] }],
    ['clears its budget', { budgetNanos: null }],
    ['raises its budget', { budgetNanos: '1000000001' }],
    ['moves its budget to another currency', { budgetCurrency: 'EUR' }],
    ['clears its daily cap', { dailyCapNanos: null }],
    ['clears its rpm limit', { rpmLimit: null }],
    ['raises its tpm limit', { tpmLimit: 1001 }],
    ['removes its expiry', { expiresAt: null }],
    ['adds a scope', { scopes: ['INFERENCE', 'READ', 'MANAGE', 'BILLING'] }],
  ];

  for (const [attack, patch] of widenings)
    it(`a limited key that ${attack} is refused with KEY_LIMITS_EXCEED_CALLER and stays as it was`, async () => {
      const before = await keyRow();
      const r = await t.gql(UPDATE, { i: { id: memberKeyId, ...patch } }, { token: memberSecret });
      expect(r.errors?.[0]?.extensions?.code).toBe('KEY_LIMITS_EXCEED_CALLER');
      expect(await keyRow()).toEqual(before);
    });

  const mints: [string, Record<string, unknown>][] = [
    ['an unlimited key', {}],
    [
      'a key with a budget but no allowlist',
      {
        modelAllowlist: [],
        budgetNanos: '1',
        budgetCurrency: 'USD',
        dailyCapNanos: '1',
        rpmLimit: 1,
        tpmLimit: 1,
        expiresAt: IN_30_DAYS,
      },
    ],
    [
      'a key with a larger daily cap',
      {
        modelAllowlist: ['gpt-4o-mini'],
        budgetNanos: '1',
        budgetCurrency: 'USD',
        dailyCapNanos: '100000001',
        rpmLimit: 1,
        tpmLimit: 1,
        expiresAt: IN_30_DAYS,
      },
    ],
    [
      'a key that never expires',
      {
        modelAllowlist: ['gpt-4o-mini'],
        budgetNanos: '1',
        budgetCurrency: 'USD',
        dailyCapNanos: '1',
        rpmLimit: 1,
        tpmLimit: 1,
      },
    ],
  ];
  for (const [attack, limits] of mints)
    it(`a limited key that mints ${attack} is refused with KEY_LIMITS_EXCEED_CALLER`, async () => {
      const before = await keyCount();
      const r = await t.gql(
        CREATE,
        { i: { name: 'escape', scopes: ['INFERENCE'], ...limits } },
        { token: memberSecret },
      );
      expect(r.errors?.[0]?.extensions?.code).toBe('KEY_LIMITS_EXCEED_CALLER');
      expect(await keyCount()).toBe(before);
    });

  it('a limited key may mint a key within its limits (a plain model its pattern covers included)', async () => {
    const r = await t.gql(
      CREATE,
      {
        i: {
          name: 'narrower',
          scopes: ['INFERENCE'],
          modelAllowlist: ['claude-3-haiku'],
          budgetNanos: '500',
          budgetCurrency: 'USD',
          dailyCapNanos: '50',
          rpmLimit: 5,
          tpmLimit: 1000,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      },
      { token: memberSecret },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.createApiKey.secret).toMatch(/^tg-/);
  });

  it('a limited key may narrow its own limits', async () => {
    const r = await t.gql(
      UPDATE,
      { i: { id: memberKeyId, rpmLimit: 5, name: 'tighter' } },
      { token: memberSecret },
    );
    expect(r.errors).toBeUndefined();
    expect((await keyRow()).rpmLimit).toBe(5);
  });

  it("the owner's unlimited key may still widen the member's key", async () => {
    const r = await t.gql(
      UPDATE,
      { i: { id: memberKeyId, budgetNanos: null, rpmLimit: null, modelAllowlist: [] } },
      { token: ownerSecret },
    );
    expect(r.errors).toBeUndefined();
    expect(await keyRow()).toMatchObject({ budgetNanos: null, rpmLimit: null, modelAllowlist: [] });
  });
});
