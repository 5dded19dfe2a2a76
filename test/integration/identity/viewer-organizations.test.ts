import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeId } from '../../../src/graphql/ids.ts';
import { createPasswordUser } from '../../../testkit/identity.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { signInOverHttp } from '../../helpers/session.ts';

const PASSWORD = 'correct horse battery staple';

/**
 * `viewer.organizations` lists a signed-in person's memberships for the console's organization switcher:
 * each organization's name must be readable even when the session selected another one, and nothing
 * more of it (its members and teams stay behind selecting it).
 */
describe('viewer.organizations for a session in several organizations', () => {
  let db: TestDatabase;
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let session: { cookie: string; csrf: string };

  const asSession = (query: string) =>
    t.gql(query, undefined, {
      token: null,
      headers: { cookie: session.cookie, 'x-tollgate-csrf': session.csrf },
    });

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, { state: 'redis' });
    const org = async (name: string, slug: string) => {
      const r = await t.gql(
        'mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }',
        {
          i: { name, slug, ownerEmail: `owner@${slug}.test` },
        },
      );
      return r.data.createOrganization.id as string;
    };
    orgA = await org('Acme Research', 'acme-research');
    orgB = await org('Beta Labs', 'beta-labs');
    const { userId } = await createPasswordUser(db.prisma, {
      email: 'both@acme.test',
      password: PASSWORD,
      organizationId: decodeId(orgA, 'Organization'),
      role: 'owner',
    });
    const added = await t.gql('mutation($i: MembershipInput!) { addMember(input: $i) { id } }', {
      i: { organizationId: orgB, userId, role: 'MEMBER' },
    });
    expect(added.errors).toBeUndefined();
    session = await signInOverHttp(t.url, 'both@acme.test', PASSWORD);
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it('names every organization the person belongs to, with the role there', async () => {
    const r = await asSession(
      '{ viewer { organization { name } organizations { role organization { id name } } } }',
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.viewer.organization).toEqual({ name: 'Acme Research' });
    expect(r.data.viewer.organizations).toEqual([
      { role: 'OWNER', organization: { id: orgA, name: 'Acme Research' } },
      { role: 'MEMBER', organization: { id: orgB, name: 'Beta Labs' } },
    ]);
  });

  it('keeps the other organization’s members and teams, and the organization query, behind selecting it', async () => {
    const r = await asSession(
      '{ viewer { organizations { organization { name memberships(first: 5) { edges { node { id } } } } } } }',
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(r.data ?? null)).not.toContain('Beta Labs');
    const direct = await asSession(`{ organization(id: "${orgB}") { name } }`);
    expect(direct.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
