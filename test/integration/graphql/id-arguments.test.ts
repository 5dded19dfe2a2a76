import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

const gid = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');

/**
 * Every id argument goes through one decoder (src/graphql/ids.ts). Before, three behaved
 * differently: the wallet/payments/usage one passed any string on to the database (a garbled
 * organization filter answered an empty list), the pricing/plans one and the identity one refused
 * foreign ids with NOT_FOUND. Now each former caller answers NOT_FOUND, changing nothing.
 */
describe('id arguments: a garbled or foreign id is NOT_FOUND everywhere', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    t = await startTestApp(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  const codeOf = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

  it.each([
    // Former rawId callers: wallets, usage and payments.
    [
      'wallets(organizationId:) with a garbled id',
      '{ wallets(organizationId: "%%%") { edges { node { id } } } }',
    ],
    [
      'wallets(organizationId:) with a team’s global id',
      `{ wallets(organizationId: "${gid('Team', 'team_1')}") { edges { node { id } } } }`,
    ],
    [
      'usageRecords(filter.organizationId) with a raw id of another type',
      '{ usageRecords(filter: { organizationId: "wal_1" }) { edges { node { id } } } }',
    ],
    [
      'payments(organizationId:) with a non-canonical global id',
      `{ payments(organizationId: "${gid('Organization', 'org_12').replace(/=+$/, '')}") { edges { node { id } } } }`,
    ],
    ['releasePaymentReview with a refund id', 'mutation { releasePaymentReview(paymentId: "ref_1") { id } }'],
    // Former ownId callers: pricing and plans.
    [
      'updatePriceRule with a plan’s global id',
      `mutation { updatePriceRule(id: "${gid('Plan', 'plan_1')}", input: { precedence: 1 }) { id } }`,
    ],
    [
      'grantPlan with a garbled plan id',
      'mutation { grantPlan(planId: "plan", organizationId: "org_1") { id } }',
    ],
    // Former identity decodeId callers.
    ['organization(id:) with a user id', '{ organization(id: "user_1") { id } }'],
    ['revokeApiKey with an empty id', 'mutation { revokeApiKey(id: "") { id } }'],
  ])('%s', async (_what, query) => {
    const r = await t.gql(query);
    expect(codeOf(r)).toBe('NOT_FOUND');
    expect(r.data ?? null).toBeNull();
  });

  it('node(id:) still answers a malformed global id as invalid input', async () => {
    const r = await t.gql('{ node(id: "%%%") { id } }');
    expect(codeOf(r)).toBe('VALIDATION_FAILED');
  });
});
