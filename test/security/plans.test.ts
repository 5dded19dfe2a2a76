import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../helpers/db.ts';

/**
 * Plan visibility (docs/pricing-and-plans.md#visibility). The review's attack: any organization
 * assigned itself another customer's discount plan by id.
 */
function must(r: { data?: any; errors?: unknown[] }) {
  if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
  return r.data;
}
const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;

describe('plan visibility and locked assignments', () => {
  let db: TestDatabase;
  let t: TestApp;
  const org: Record<'a' | 'b', { id: string; secret: string }> = {} as never;
  const plan: Record<string, string> = {};

  const createOrg = async (slug: string) => {
    const o = must(
      await t.gql(
        `mutation { createOrganization(input:{name:"${slug}", slug:"${slug}", ownerEmail:"owner@${slug}.test"}) { id } }`,
      ),
    );
    const id = rawId(o.createOrganization.id);
    const owner = await db.prisma.user.findFirstOrThrow({ where: { email: `owner@${slug}.test` } });
    const k = must(
      await t.gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', {
        i: { organizationId: id, userId: owner.id, name: 'owner', scopes: ['READ', 'MANAGE', 'BILLING'] },
      }),
    );
    return { id, secret: k.createApiKey.secret as string };
  };
  const createPlan = async (code: string, visibility: 'PUBLIC' | 'PRIVATE') =>
    must(
      await t.gql('mutation($i: CreatePlanInput!) { createPlan(input: $i) { id visibility } }', {
        i: {
          code,
          name: code,
          kind: 'DAILY_LIMIT',
          visibility,
          dailyLimits: [{ metric: 'REQUESTS', limitValue: '100' }],
        },
      }),
    ).createPlan.id as string;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, { state: 'memory' });
    org.a = await createOrg('alpha');
    org.b = await createOrg('beta');
    plan.basic = await createPlan('basic', 'PUBLIC');
    plan.discount = await createPlan('beta-discount', 'PRIVATE');
    plan.enterprise = await createPlan('enterprise', 'PRIVATE');
    must(
      await t.gql('mutation($p: ID!, $o: ID!) { grantPlan(planId: $p, organizationId: $o) { id } }', {
        p: plan.discount,
        o: org.b.id,
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  const ASSIGN =
    'mutation($p: ID!, $o: ID!) { assignPlan(input:{planId:$p, organizationId:$o, subjectType: ORGANIZATION, subjectId:$o}) { id assignedBy plan { code } } }';
  const assignments = (organizationId: string) =>
    db.prisma.planAssignment.findMany({ where: { organizationId }, orderBy: { id: 'asc' } });

  it("an organization that assigns itself another customer's private plan by id gets NOT_FOUND, exactly as for a missing plan, and nothing is assigned", async () => {
    const missing = 'plan_00000000000000000000000000';
    const foreign = await t.gql(ASSIGN, { p: plan.discount, o: org.a.id }, { token: org.a.secret });
    const absent = await t.gql(ASSIGN, { p: missing, o: org.a.id }, { token: org.a.secret });
    const shape = (r: any, id: string) =>
      JSON.stringify(r.errors.map((e: any) => [e.extensions.code, e.message.replace(id, '<id>')]));
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(shape(foreign, rawId(plan.discount!))).toBe(shape(absent, missing));
    expect(await assignments(org.a.id)).toEqual([]);
  });

  it("an organization cannot read another customer's private plan by id", async () => {
    const r = await t.gql(
      'query($id: ID!) { node(id: $id) { ... on Plan { code dailyLimits { limitValue } } } }',
      { id: Buffer.from(`Plan:${plan.discount}`).toString('base64') },
      { token: org.a.secret },
    );
    expect(JSON.stringify(r.data ?? null)).not.toContain('beta-discount');
  });

  it('availablePlans lists public plans and the private plans granted to the organization', async () => {
    const list = async (o: { secret: string }) =>
      must(await t.gql('{ availablePlans { code } }', {}, { token: o.secret })).availablePlans.map(
        (p: { code: string }) => p.code,
      );
    expect(await list(org.a)).toEqual(['basic']);
    expect(await list(org.b)).toEqual(['basic', 'beta-discount']);
  });

  it('an organization assigns itself a public plan, and a private plan granted to it', async () => {
    const a = must(await t.gql(ASSIGN, { p: plan.basic, o: org.a.id }, { token: org.a.secret }));
    expect(a.assignPlan).toMatchObject({ assignedBy: 'ORGANIZATION', plan: { code: 'basic' } });
    const b = must(await t.gql(ASSIGN, { p: plan.discount, o: org.b.id }, { token: org.b.secret }));
    expect(b.assignPlan.plan.code).toBe('beta-discount');
  });

  it("a platform admin's assignment cannot be ended, removed or replaced by the organization (PLAN_ASSIGNMENT_LOCKED)", async () => {
    const locked = must(await t.gql(ASSIGN, { p: plan.enterprise, o: org.a.id })).assignPlan;
    expect(locked.assignedBy).toBe('PLATFORM');
    const before = await assignments(org.a.id);
    const attempts = [
      t.gql(
        'mutation($id: ID!) { deletePlanAssignment(id: $id) }',
        { id: locked.id },
        { token: org.a.secret },
      ),
      t.gql(
        'mutation($id: ID!, $to: DateTime) { updatePlanAssignment(id: $id, effectiveTo: $to) { id } }',
        { id: locked.id, to: new Date(Date.now() + 60_000).toISOString() },
        { token: org.a.secret },
      ),
      t.gql(ASSIGN, { p: plan.basic, o: org.a.id }, { token: org.a.secret }),
    ];
    for (const r of await Promise.all(attempts))
      expect(r.errors?.[0]?.extensions?.code).toBe('PLAN_ASSIGNMENT_LOCKED');
    expect(await assignments(org.a.id)).toEqual(before);
    const effective = must(await t.gql('{ effectivePlan { plan { code } } }', {}, { token: org.a.secret }));
    expect(effective.effectivePlan.plan.code).toBe('enterprise');
  });

  it('the organization still removes its own assignment, and a platform admin the locked one', async () => {
    const own = (await assignments(org.a.id)).find((x) => x.assignedBy === 'organization')!;
    const locked = (await assignments(org.a.id)).find((x) => x.assignedBy === 'platform')!;
    const r = await t.gql(
      'mutation($id: ID!) { deletePlanAssignment(id: $id) }',
      { id: own.id },
      { token: org.a.secret },
    );
    expect(r.errors).toBeUndefined();
    must(await t.gql('mutation($id: ID!) { deletePlanAssignment(id: $id) }', { id: locked.id }));
    expect(await assignments(org.a.id)).toEqual([]);
  });
});
