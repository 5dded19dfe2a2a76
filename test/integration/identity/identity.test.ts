import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp, testRedisState } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

const raw = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;
const codes = (r: { errors?: any[] }) => (r.errors ?? []).map((e) => e.extensions?.code);

describe('identity over GraphQL', () => {
  let db: TestDatabase;
  let t: TestApp;
  let orgId: string;
  let ownerKey: string;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, { state: 'redis' });
    const r = await t.gql(
      `mutation { createOrganization(input:{name:"Acme", slug:"acme", ownerEmail:"Owner@Acme.test", ownerName:"Olive"}) { id slug memberships { edges { node { role user { id email } } } } } }`,
    );
    expect(r.errors).toBeUndefined();
    orgId = r.data.createOrganization.id;
    const ownerId = r.data.createOrganization.memberships.edges[0].node.user.id;
    expect(r.data.createOrganization.memberships.edges[0].node).toMatchObject({
      role: 'OWNER',
      user: { email: 'owner@acme.test' },
    });
    const k = await t.gql(
      `mutation($i: CreateApiKeyInput!) { createApiKey(input:$i) { secret apiKey { id prefix scopes syncState } } }`,
      {
        i: {
          organizationId: orgId,
          userId: ownerId,
          name: 'owner',
          scopes: ['READ', 'MANAGE', 'BILLING', 'INFERENCE'],
        },
      },
    );
    expect(k.errors).toBeUndefined();
    ownerKey = k.data.createApiKey.secret;
    expect(ownerKey).toMatch(/^tg-[0-9A-Za-z]{40}$/);
    expect(ownerKey.startsWith(k.data.createApiKey.apiKey.prefix)).toBe(true);
    expect(k.data.createApiKey.apiKey.syncState).toBe('disabled');
  });
  afterAll(async () => {
    await t.close();
    await db.close();
  });

  it('stores only the SHA-256 of a key and authenticates with it', async () => {
    const row = await db.prisma.apiKey.findFirstOrThrow({ where: { name: 'owner' } });
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(ownerKey);
    const v = await t.gql('{ viewer { kind role scopes organization { slug } } }', {}, { token: ownerKey });
    expect(v.data.viewer).toEqual({
      kind: 'api_key',
      role: 'OWNER',
      scopes: ['READ', 'MANAGE', 'BILLING', 'INFERENCE'],
      organization: { slug: 'acme' },
    });
  });

  it('rejects unknown keys and requests without credentials', async () => {
    const bad = await t.gql('{ viewer { kind } }', {}, { token: `tg-${'x'.repeat(40)}` });
    expect(codes(bad)).toEqual(['INVALID_API_KEY']);
    const none = await t.gql('{ organizations { edges { node { id } } } }', {}, { token: null });
    expect(codes(none)).toEqual(['UNAUTHENTICATED']);
  });

  it('creates teams and users, and lists them as Relay connections', async () => {
    const team = await t.gql(
      `mutation { createTeam(input:{organizationId:"${orgId}", name:"Research"}) { id name } }`,
      {},
      { token: ownerKey },
    );
    expect(team.data.createTeam.name).toBe('Research');
    const user = await t.gql(
      `mutation { createUser(input:{organizationId:"${orgId}", email:"mia@acme.test", name:"Mia", role: MEMBER}) { id email } }`,
      {},
      { token: ownerKey },
    );
    expect(user.errors).toBeUndefined();
    const add = await t.gql(
      `mutation { addTeamMember(input:{teamId:"${team.data.createTeam.id}", userId:"${user.data.createUser.id}"}) { members { edges { node { user { email } } } } } }`,
      {},
      { token: ownerKey },
    );
    expect(add.data.addTeamMember.members.edges.map((e: any) => e.node.user.email)).toEqual([
      'mia@acme.test',
    ]);
    const list = await t.gql(
      `query($id: ID!) { organization(id:$id) { teams(first: 10) { edges { node { name } } } memberships { edges { node { role user { email } } } } } }`,
      { id: orgId },
      { token: ownerKey },
    );
    expect(list.data.organization.teams.edges.map((e: any) => e.node.name)).toEqual(['Research']);
    expect(
      list.data.organization.memberships.edges.map((e: any) => [e.node.user.email, e.node.role]),
    ).toEqual([
      ['owner@acme.test', 'OWNER'],
      ['mia@acme.test', 'MEMBER'],
    ]);
  });

  it('answers bad input with typed errors and writes nothing', async () => {
    const before = await db.prisma.organization.count();
    const dupSlug = await t.gql('mutation { createOrganization(input:{name:"Other", slug:"acme"}) { id } }');
    expect(codes(dupSlug)).toEqual(['CONFLICT']);
    const badSlug = await t.gql(
      'mutation { createOrganization(input:{name:"Other", slug:"Not A Slug"}) { id } }',
    );
    expect(codes(badSlug)).toEqual(['VALIDATION_FAILED']);
    expect(await db.prisma.organization.count()).toBe(before);
    const dupTeam = await t.gql(
      `mutation { createTeam(input:{organizationId:"${orgId}", name:"Research"}) { id } }`,
      {},
      { token: ownerKey },
    );
    expect(codes(dupTeam)).toEqual(['CONFLICT']);
    const dupEmail = await t.gql(
      `mutation { createUser(input:{organizationId:"${orgId}", email:"MIA@acme.test", role: MEMBER}) { id } }`,
      {},
      { token: ownerKey },
    );
    expect(codes(dupEmail)).toEqual(['CONFLICT']);
    const badEmail = await t.gql(
      `mutation { createUser(input:{organizationId:"${orgId}", email:"not-an-email", role: MEMBER}) { id } }`,
      {},
      { token: ownerKey },
    );
    expect(codes(badEmail)).toEqual(['VALIDATION_FAILED']);
    const badScope = await t.gql(
      `mutation { createApiKey(input:{name:"x", scopes:[READ,ROOT]}) { secret } }`,
      {},
      { token: ownerKey },
    );
    // Scopes are the ApiScope enum: an unknown one is refused by GraphQL validation, before any resolver.
    expect(codes(badScope)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(badScope.errors![0].message).toContain('ROOT');
    expect(await db.prisma.user.count({ where: { email: 'not-an-email' } })).toBe(0);
  });

  it('lets a member manage only its own keys, with scopes it holds', async () => {
    const mia = await db.prisma.user.findFirstOrThrow({ where: { email: 'mia@acme.test' } });
    const k = await t.gql(
      `mutation { createApiKey(input:{organizationId:"${orgId}", userId:"${mia.id}", name:"mia", scopes:[READ,MANAGE]}) { secret apiKey { id } } }`,
      {},
      { token: ownerKey },
    );
    const miaKey = k.data.createApiKey.secret;
    const admin = await t.gql(
      `mutation { createTeam(input:{organizationId:"${orgId}", name:"Nope"}) { id } }`,
      {},
      { token: miaKey },
    );
    expect(codes(admin)).toEqual(['FORBIDDEN']);
    const escalate = await t.gql(
      `mutation { createApiKey(input:{name:"x", scopes:[BILLING]}) { secret } }`,
      {},
      { token: miaKey },
    );
    expect(codes(escalate)).toEqual(['KEY_LIMITS_EXCEED_CALLER']);
    const promote = await t.gql(
      `mutation { updateMembership(input:{organizationId:"${orgId}", userId:"${mia.id}", role: OWNER}) { role } }`,
      {},
      { token: miaKey },
    );
    expect(codes(promote)).toEqual(['FORBIDDEN']);
    const own = await t.gql(
      `mutation { createApiKey(input:{name:"mine", scopes:[READ], budgetNanos:"5000000000", budgetCurrency:"USD", rpmLimit: 60}) { secret apiKey { id budgetNanos user { email } } } }`,
      {},
      { token: miaKey },
    );
    expect(own.data.createApiKey.apiKey).toMatchObject({
      budgetNanos: '5000000000',
      user: { email: 'mia@acme.test' },
    });
    const listed = await t.gql('{ apiKeys { edges { node { name } } } }', {}, { token: miaKey });
    expect(listed.data.apiKeys.edges.map((e: any) => e.node.name).sort()).toEqual(['mia', 'mine']);
    const ownerKeys = await t.gql('{ apiKeys { edges { node { name } } } }', {}, { token: ownerKey });
    expect(ownerKeys.data.apiKeys.edges.length).toBe(3);
    const ownerKeyRow = await db.prisma.apiKey.findFirstOrThrow({ where: { name: 'owner' } });
    const revokeOwner = await t.gql(
      `mutation { revokeApiKey(id:"${ownerKeyRow.id}") { id } }`,
      {},
      { token: miaKey },
    );
    expect(codes(revokeOwner)).toEqual(['NOT_FOUND']);
  });

  it('gates by key scope on top of role: read for queries, manage for mutations', async () => {
    const inferenceOnly = await t.gql(
      'mutation { createApiKey(input:{name:"proxy only", scopes:[INFERENCE]}) { secret } }',
      {},
      { token: ownerKey },
    );
    const k = inferenceOnly.data.createApiKey.secret;
    expect(codes(await t.gql('{ organizations { edges { node { id } } } }', {}, { token: k }))).toEqual([
      'SCOPE_NOT_ALLOWED',
    ]);
    expect(
      codes(
        await t.gql(
          `mutation { createTeam(input:{organizationId:"${orgId}", name:"No"}) { id } }`,
          {},
          { token: k },
        ),
      ),
    ).toEqual(['SCOPE_NOT_ALLOWED']);
    const readOnly = await t.gql(
      'mutation { createApiKey(input:{name:"reader", scopes:[READ]}) { secret } }',
      {},
      { token: ownerKey },
    );
    const r = readOnly.data.createApiKey.secret;
    expect(
      (await t.gql('{ organizations { edges { node { slug } } } }', {}, { token: r })).data.organizations
        .edges,
    ).toEqual([{ node: { slug: 'acme' } }]);
    expect(
      codes(
        await t.gql(
          `mutation { createTeam(input:{organizationId:"${orgId}", name:"No"}) { id } }`,
          {},
          { token: r },
        ),
      ),
    ).toEqual(['SCOPE_NOT_ALLOWED']);
  });

  it('updates a key: clears with null, keeps omitted fields, refuses a budget without currency', async () => {
    const mine = await db.prisma.apiKey.findFirstOrThrow({ where: { name: 'mine' } });
    const upd = await t.gql(
      `mutation { updateApiKey(input:{id:"${mine.id}", name:"renamed", rpmLimit:null, tpmLimit: 1000, modelAllowlist:["gpt-4o-mini"], dailyCapNanos:"100"}) { name rpmLimit tpmLimit modelAllowlist budgetNanos dailyCapNanos budgetCurrency } }`,
      {},
      { token: ownerKey },
    );
    expect(upd.data.updateApiKey).toEqual({
      name: 'renamed',
      rpmLimit: null,
      tpmLimit: 1000,
      modelAllowlist: ['gpt-4o-mini'],
      budgetNanos: '5000000000',
      dailyCapNanos: '100',
      budgetCurrency: 'USD',
    });
    const bad = await t.gql(
      `mutation { updateApiKey(input:{id:"${mine.id}", budgetCurrency:null}) { id } }`,
      {},
      { token: ownerKey },
    );
    expect(codes(bad)).toEqual(['VALIDATION_FAILED']);
  });

  it('revocation takes effect at once in another process sharing Redis', async () => {
    const k = await t.gql(
      `mutation { createApiKey(input:{name:"shared", scopes:[READ]}) { secret apiKey { id } } }`,
      {},
      { token: ownerKey },
    );
    const secret = k.data.createApiKey.secret;
    const second = await startTestApp(db, {
      state: testRedisStateSharedWith(t),
      env: { API_KEY_CACHE_TTL_MS: '600000' },
    });
    try {
      const p = await second.app.services.apiKeys.authenticate(secret);
      expect(p.organizationId).toBe(raw(orgId));
      await t.gql(
        `mutation { revokeApiKey(id:"${k.data.createApiKey.apiKey.id}") { revokedAt } }`,
        {},
        { token: ownerKey },
      );
      await expect
        .poll(() =>
          second.app.services.apiKeys.authenticate(secret).then(
            () => 'ok',
            (e) => e.code,
          ),
        )
        .toBe('API_KEY_REVOKED');
      const r = await second.gql('{ viewer { kind } }', {}, { token: secret });
      expect(codes(r)).toEqual(['API_KEY_REVOKED']);
    } finally {
      await second.close();
    }
  });

  it('rotation returns a new secret and keeps the old one working until graceUntil', async () => {
    const k = await t.gql(
      `mutation { createApiKey(input:{name:"rot", scopes:[READ]}) { secret apiKey { id } } }`,
      {},
      { token: ownerKey },
    );
    const rot = await t.gql(
      `mutation { rotateApiKey(id:"${k.data.createApiKey.apiKey.id}") { secret apiKey { name } previous { graceUntil } } }`,
      {},
      { token: ownerKey },
    );
    expect(rot.data.rotateApiKey.apiKey.name).toBe('rot');
    expect(rot.data.rotateApiKey.secret).not.toBe(k.data.createApiKey.secret);
    const grace = Date.parse(rot.data.rotateApiKey.previous.graceUntil);
    expect(grace).toBeGreaterThan(Date.now() + 86_000_000);
    const svc = t.app.services.apiKeys;
    await expect(svc.authenticate(k.data.createApiKey.secret)).resolves.toMatchObject({
      organizationId: raw(orgId),
    });
    await expect(svc.authenticate(rot.data.rotateApiKey.secret)).resolves.toMatchObject({
      organizationId: raw(orgId),
    });
    // After the grace period the old key is expired.
    await db.prisma.apiKey.update({
      where: { id: raw(k.data.createApiKey.apiKey.id) },
      data: { graceUntil: new Date(Date.now() - 1000) },
    });
    await svc.invalidate(null);
    await expect(svc.authenticate(k.data.createApiKey.secret)).rejects.toMatchObject({
      code: 'API_KEY_EXPIRED',
    });
  });

  it('updates lastUsedAt on use, but not on every request', async () => {
    const k = await t.gql(
      `mutation { createApiKey(input:{name:"touch", scopes:[READ]}) { secret apiKey { id } } }`,
      {},
      { token: ownerKey },
    );
    const id = raw(k.data.createApiKey.apiKey.id);
    await t.app.services.apiKeys.authenticate(k.data.createApiKey.secret);
    await expect
      .poll(async () => (await db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt)
      .not.toBeNull();
    const first = (await db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt!;
    for (let i = 0; i < 5; i++) await t.app.services.apiKeys.authenticate(k.data.createApiKey.secret);
    await new Promise((r) => setTimeout(r, 50));
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(first);
  });

  it('keeps the last owner and refuses deleting a team with active keys', async () => {
    const owner = await db.prisma.user.findFirstOrThrow({ where: { email: 'owner@acme.test' } });
    const demote = await t.gql(
      `mutation { updateMembership(input:{organizationId:"${orgId}", userId:"${owner.id}", role: ADMIN}) { role } }`,
      {},
      { token: ownerKey },
    );
    expect(codes(demote)).toEqual(['LAST_OWNER']);
    const team = await db.prisma.team.findFirstOrThrow({ where: { name: 'Research' } });
    const mia = await db.prisma.user.findFirstOrThrow({ where: { email: 'mia@acme.test' } });
    await t.gql(
      `mutation { createApiKey(input:{userId:"${mia.id}", teamId:"${team.id}", name:"team", scopes:[READ]}) { secret } }`,
      {},
      { token: ownerKey },
    );
    const del = await t.gql(`mutation { deleteTeam(id:"${team.id}") { id } }`, {}, { token: ownerKey });
    expect(codes(del)).toEqual(['TEAM_HAS_KEYS']);
  });

  it('only a platform admin adds an existing user to another organization', async () => {
    const mia = await db.prisma.user.findFirstOrThrow({ where: { email: 'mia@acme.test' } });
    const other = await t.gql('mutation { createOrganization(input:{name:"Beta", slug:"beta"}) { id } }');
    const betaId = other.data.createOrganization.id;
    const denied = await t.gql(
      `mutation { addMember(input:{organizationId:"${orgId}", userId:"${mia.id}", role: MEMBER}) { id } }`,
      {},
      { token: ownerKey },
    );
    expect(codes(denied)).toEqual(['FORBIDDEN']);
    const added = await t.gql(
      `mutation { addMember(input:{organizationId:"${betaId}", userId:"${mia.id}", role: ADMIN}) { role user { email } } }`,
    );
    expect(added.data.addMember).toEqual({ role: 'ADMIN', user: { email: 'mia@acme.test' } });
    // Acme's owner sees only Acme memberships of Mia.
    const seen = await t.gql(
      `{ node(id:"${Buffer.from(`User:${mia.id}`).toString('base64')}") { ... on User { memberships { edges { node { role } } } } } }`,
      {},
      { token: ownerKey },
    );
    expect(seen.data.node.memberships.edges.map((e: any) => e.node.role)).toEqual(['MEMBER']);
  });

  it('removing a member revokes its keys', async () => {
    const mia = await db.prisma.user.findFirstOrThrow({ where: { email: 'mia@acme.test' } });
    const r = await t.gql(
      `mutation { removeMember(input:{organizationId:"${orgId}", userId:"${mia.id}"}) }`,
      {},
      { token: ownerKey },
    );
    expect(r.data.removeMember).toBe(true);
    expect(await db.prisma.apiKey.count({ where: { userId: mia.id, revokedAt: null } })).toBe(0);
  });
});

/** A second app on the same Redis key prefix as the first, i.e. another gateway process. */
function testRedisStateSharedWith(t: TestApp) {
  const prefix = (t.app.services.state as any).client.options.keyPrefix as string;
  return testRedisState(prefix);
}
