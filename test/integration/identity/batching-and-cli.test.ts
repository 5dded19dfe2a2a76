import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../../src/generated/prisma/client.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

const run = promisify(execFile);

describe('identity lists are batched, and the CLI bootstraps', () => {
  let db: TestDatabase;
  let t: TestApp;
  let counting: PrismaClient;
  let queries = 0;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db);
    counting = new PrismaClient({
      adapter: db.adapterFactory as any,
      log: [{ emit: 'event', level: 'query' }],
    });
    (counting as any).$on('query', () => {
      queries++;
    });
  });
  afterAll(async () => {
    await counting.$disconnect();
    await t.close();
    await db.close();
  });

  async function addOrg(slug: string, teams: number, users: number) {
    const o = await t.gql(
      `mutation { createOrganization(input:{name:"${slug}", slug:"${slug}", ownerEmail:"owner@${slug}.test"}) { id } }`,
    );
    const orgId = o.data.createOrganization.id;
    for (let i = 0; i < users; i++)
      await t.gql(
        `mutation { createUser(input:{organizationId:"${orgId}", email:"u${i}@${slug}.test", role: MEMBER}) { id } }`,
      );
    for (let i = 0; i < teams; i++) {
      const team = await t.gql(
        `mutation { createTeam(input:{organizationId:"${orgId}", name:"t${i}"}) { id } }`,
      );
      const owner = await db.prisma.user.findFirstOrThrow({ where: { email: `owner@${slug}.test` } });
      await t.gql(
        `mutation { addTeamMember(input:{teamId:"${team.data.createTeam.id}", userId:"${owner.id}"}) { id } }`,
      );
    }
  }

  // Pages just big enough for the data below: this costs 502 of the 1,000 one operation may cost.
  const LIST = `{ organizations(first: 5) { edges { node { slug
      teams(first: 5) { edges { node { name members(first: 2) { edges { node { user { email } } } } } } }
      memberships(first: 10) { edges { node { role user { email memberships(first: 2) { edges { node { role } } } } } } } } } } }`;

  async function countListQueries() {
    const original = t.app.services.db;
    t.app.services.db = counting as any;
    queries = 0;
    try {
      const r = await t.gql(LIST);
      expect(r.errors).toBeUndefined();
      return { n: queries, data: r.data };
    } finally {
      t.app.services.db = original;
    }
  }

  it('lists organizations with teams, members and users in a fixed number of queries', async () => {
    await addOrg('small', 1, 1);
    const small = await countListQueries();
    expect(small.data.organizations.edges).toHaveLength(1);
    await addOrg('big-one', 5, 6);
    await addOrg('big-two', 4, 3);
    const big = await countListQueries();
    expect(big.data.organizations.edges.map((e: any) => e.node.teams.edges.length)).toEqual([1, 5, 4]);
    expect(big.data.organizations.edges.map((e: any) => e.node.memberships.edges.length)).toEqual([2, 7, 4]);
    expect(small.n).toBeGreaterThan(0);
    expect(big.n).toBe(small.n);
  });

  it('tollgate bootstrap creates an organization, its owner and a working API key', async () => {
    const { stdout } = await run(
      'npx',
      [
        'tsx',
        'src/cli.ts',
        'bootstrap',
        '--org',
        'First Org',
        '--email',
        'founder@first.test',
        '--name',
        'Fay',
        '--json',
      ],
      {
        env: { ...process.env, DATABASE_URL: db.url!, LOG_LEVEL: 'silent', REDIS_URL: '' },
        cwd: process.cwd(),
      },
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out).toEqual({
      organizationId: expect.stringMatching(/^org_/),
      userId: expect.stringMatching(/^user_/),
      apiKey: expect.stringMatching(/^tg-/),
      // The owner has no password yet: a one-time link to set one for the console.
      setPasswordUrl: expect.stringMatching(/\/console\/reset-password\?token=/),
    });
    const v = await t.gql(
      '{ viewer { role scopes organization { slug } user { email name } } }',
      {},
      { token: out.apiKey },
    );
    expect(v.data.viewer).toEqual({
      role: 'OWNER',
      scopes: ['INFERENCE', 'READ', 'MANAGE', 'BILLING'],
      organization: { slug: 'first-org' },
      user: { email: 'founder@first.test', name: 'Fay' },
    });
  });
});
