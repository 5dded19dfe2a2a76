import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../helpers/db.ts';

/**
 * Users are global (one person may belong to several organizations); an organization's admins
 * act on the part of a user that is theirs only (docs/security.md#tenancy).
 */
function must(r: { data?: any; errors?: unknown[] }) {
  if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
  return r.data;
}
const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;
const ALL_SCOPES = ['INFERENCE', 'READ', 'MANAGE', 'BILLING'];

interface Org {
  id: string;
  ownerId: string;
  ownerSecret: string;
  ownerKeyId: string;
}

describe('tenancy', () => {
  let db: TestDatabase;
  let t: TestApp;
  let a: Org;
  let b: Org;
  let sharedId: string;
  let sharedSecret: string;
  let soloId: string;
  let betaOnlyId: string;

  const createOrg = async (slug: string): Promise<Org> => {
    const o = must(
      await t.gql(
        `mutation { createOrganization(input:{name:"${slug}", slug:"${slug}", ownerEmail:"owner@${slug}.test"}) { id } }`,
      ),
    );
    const id = rawId(o.createOrganization.id);
    const owner = await db.prisma.user.findFirstOrThrow({ where: { email: `owner@${slug}.test` } });
    const k = must(
      await t.gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }', {
        i: { organizationId: id, userId: owner.id, name: 'owner', scopes: ALL_SCOPES },
      }),
    );
    return {
      id,
      ownerId: owner.id,
      ownerSecret: k.createApiKey.secret,
      ownerKeyId: rawId(k.createApiKey.apiKey.id),
    };
  };

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, { state: 'memory' });
    a = await createOrg('alpha');
    b = await createOrg('beta');
    const shared = must(
      await t.gql(
        `mutation { createUser(input:{organizationId:"${b.id}", email:"shared@people.test", name:"Shared", role: MEMBER}) { id } }`,
        {},
        { token: b.ownerSecret },
      ),
    );
    sharedId = rawId(shared.createUser.id);
    // A platform admin puts the same person in alpha too.
    must(
      await t.gql(
        `mutation { addMember(input:{organizationId:"${a.id}", userId:"${sharedId}", role: MEMBER}) { id } }`,
      ),
    );
    sharedSecret = must(
      await t.gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', {
        i: { organizationId: a.id, userId: sharedId, name: 'shared', scopes: ['READ', 'MANAGE'] },
      }),
    ).createApiKey.secret;
    const solo = must(
      await t.gql(
        `mutation { createUser(input:{organizationId:"${a.id}", email:"solo@alpha.test", name:"Solo", role: MEMBER}) { id } }`,
        {},
        { token: a.ownerSecret },
      ),
    );
    soloId = rawId(solo.createUser.id);
    const betaOnly = must(
      await t.gql(
        `mutation { createUser(input:{organizationId:"${b.id}", email:"taken@beta.test", name:"Beta Person", role: ADMIN}) { id } }`,
        {},
        { token: b.ownerSecret },
      ),
    );
    betaOnlyId = rawId(betaOnly.createUser.id);
    must(
      await t.gql(
        'mutation($id: String!) { setRiskSettings(scopeType: API_KEY, scopeId: $id, settings: { newAccount: { days: 99 } }) { scopeId } }',
        { id: b.ownerKeyId },
      ),
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  const UPDATE_USER = 'mutation($i: UpdateUserInput!) { updateUser(input: $i) { name email } }';
  const profile = (id: string) =>
    db.prisma.user.findUniqueOrThrow({ where: { id }, select: { name: true, email: true } });

  it('an admin of one organization who edits a user that also belongs to another is refused (USER_PROFILE_NOT_OWNED) and the profile stays', async () => {
    const before = await profile(sharedId);
    for (const patch of [{ name: 'Hijacked' }, { email: 'attacker@alpha.test' }]) {
      const r = await t.gql(UPDATE_USER, { i: { id: sharedId, ...patch } }, { token: a.ownerSecret });
      expect(r.errors?.[0]?.extensions?.code).toBe('USER_PROFILE_NOT_OWNED');
    }
    expect(await profile(sharedId)).toEqual(before);
  });

  it('an admin still edits a user who belongs to its organization only', async () => {
    const r = await t.gql(UPDATE_USER, { i: { id: soloId, name: 'Solo Renamed' } }, { token: a.ownerSecret });
    expect(r.errors).toBeUndefined();
    expect((await profile(soloId)).name).toBe('Solo Renamed');
  });

  it('the user itself and a platform admin edit a user of several organizations', async () => {
    const self = await t.gql(
      UPDATE_USER,
      { i: { id: sharedId, name: 'Shared Self' } },
      { token: sharedSecret },
    );
    expect(self.errors).toBeUndefined();
    const admin = await t.gql(UPDATE_USER, { i: { id: sharedId, name: 'Shared Admin' } });
    expect(admin.errors).toBeUndefined();
    expect((await profile(sharedId)).name).toBe('Shared Admin');
  });

  const EFFECTIVE =
    'query($o: ID!, $k: String, $u: String) { effectiveRiskSettings(organizationId: $o, apiKeyId: $k, userId: $u) }';
  /** The answer with the asked id blanked out, so a foreign and a missing id compare equal. */
  const shape = (r: { data?: unknown; errors?: any[] }, asked: string) =>
    JSON.stringify({
      data: r.data ?? null,
      errors: (r.errors ?? []).map((e) => ({
        code: e.extensions.code,
        message: e.message.replace(asked, '<id>'),
      })),
    });

  it("effectiveRiskSettings with another organization's apiKeyId answers NOT_FOUND, exactly like a missing key, and shows none of its settings", async () => {
    const missing = 'key_0000000000000000000000000000';
    const foreign = await t.gql(EFFECTIVE, { o: a.id, k: b.ownerKeyId }, { token: a.ownerSecret });
    const absent = await t.gql(EFFECTIVE, { o: a.id, k: missing }, { token: a.ownerSecret });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Data and messages only, without the id asked about: request ids and extensions.cost carry
    // numbers of their own that may contain 99.
    const shown = { data: foreign.data, messages: foreign.errors?.map((e: any) => e.message) };
    expect(JSON.stringify(shown).replaceAll(b.ownerKeyId, '')).not.toContain('99');
    expect(shape(foreign, b.ownerKeyId)).toBe(shape(absent, missing));
  });

  it("effectiveRiskSettings with another organization's userId answers NOT_FOUND like a missing user; its own key still works", async () => {
    const missing = 'user_0000000000000000000000000000';
    const foreign = await t.gql(EFFECTIVE, { o: a.id, u: b.ownerId }, { token: a.ownerSecret });
    const absent = await t.gql(EFFECTIVE, { o: a.id, u: missing }, { token: a.ownerSecret });
    expect(shape(foreign, b.ownerId)).toBe(shape(absent, missing));
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const own = await t.gql(EFFECTIVE, { o: b.id, k: b.ownerKeyId }, { token: b.ownerSecret });
    expect(own.errors).toBeUndefined();
    expect(own.data.effectiveRiskSettings.newAccount.days).toBe(99);
  });

  const CREATE_USER = `mutation($i: CreateUserInput!) { createUser(input: $i) {
    id email name status isPlatformAdmin memberships { edges { node { role organization { slug } } } } } }`;
  /** The answer with the per-call parts (new id, the email asked) blanked out. */
  const answer = (r: { data?: any; errors?: any[] }, email: string) =>
    JSON.stringify({ data: r.data ?? null, errors: r.errors?.map((e) => e.extensions.code) ?? [] })
      .replace(email, '<email>')
      .replace(/"id":"[^"]+"/, '"id":"<id>"');

  it('createUser answers the same for an email used in another organization as for a fresh one, and never attaches the other user', async () => {
    const create = (email: string) =>
      t.gql(
        CREATE_USER,
        { i: { organizationId: a.id, email, name: 'New', role: 'MEMBER' } },
        { token: a.ownerSecret },
      );
    const betaBefore = await db.prisma.user.findUniqueOrThrow({ where: { id: betaOnlyId } });
    const usedElsewhere = await create('taken@beta.test');
    const fresh = await create('fresh@nowhere.test');
    expect(usedElsewhere.errors).toBeUndefined();
    expect(answer(usedElsewhere, 'taken@beta.test')).toBe(answer(fresh, 'fresh@nowhere.test'));
    expect(rawId(usedElsewhere.data.createUser.id)).not.toBe(betaOnlyId);
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: betaOnlyId } })).toEqual(betaBefore);
    expect(await db.prisma.membership.count({ where: { userId: betaOnlyId } })).toBe(1);
  });

  it('createUser refuses (CONFLICT) an email a member of the same organization has', async () => {
    const r = await t.gql(
      CREATE_USER,
      { i: { organizationId: a.id, email: 'solo@alpha.test', role: 'MEMBER' } },
      { token: a.ownerSecret },
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('updateUser answers the same for an email used in another organization as for a fresh one', async () => {
    const set = (email: string) => t.gql(UPDATE_USER, { i: { id: soloId, email } }, { token: a.ownerSecret });
    const usedElsewhere = await set('owner@beta.test');
    const fresh = await set('another@nowhere.test');
    expect(usedElsewhere.errors).toBeUndefined();
    expect(answer(usedElsewhere, 'owner@beta.test')).toBe(answer(fresh, 'another@nowhere.test'));
  });
});
