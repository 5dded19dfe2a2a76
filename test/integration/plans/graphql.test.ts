import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RedisSharedState } from '../../../src/infra/redis-shared-state.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { type Tenant, addMember, createTenant } from './fixtures.ts';

const NOON = new Date('2026-03-10T04:00:00Z');

const PLAN_FIELDS =
  'id code timeZone overflowPolicy warnThresholds dailyLimits { metric limitValue currency model }';

describe('pricing and plans over GraphQL', () => {
  let db: TestDatabase;
  let app: TestApp;
  let t: Tenant;
  let member: { secret: string; apiKeyId: string };
  let planId: string;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    app = await startTestApp(db, { state: 'redis', clock: () => NOON });
    t = await createTenant(db.prisma, 'gql');
    member = await addMember(db.prisma, t, 'member');
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('creates price rules and quotes the exact cost of the documented example', async () => {
    const create = await app.gql(
      `mutation ($input: CreatePriceRuleInput!) { createPriceRule(input: $input) { id matchType baseNanosPerToken outputMultiplierPpm } }`,
      {
        input: {
          modelPattern: 'gpt-4o-mini',
          currency: 'USD',
          baseNanosPerToken: '150',
          outputMultiplierPpm: '4000000',
          cachedInputMultiplierPpm: '500000',
          effectiveFrom: '2026-01-01T00:00:00Z',
        },
      },
    );
    expect(create.errors).toBeUndefined();
    expect(create.data.createPriceRule).toMatchObject({
      matchType: 'EXACT',
      baseNanosPerToken: '150',
      outputMultiplierPpm: '4000000',
    });
    const quote = await app.gql(
      `{ priceQuote(model: "gpt-4o-mini", currency: "USD", promptTokens: 1234, cachedTokens: 200, completionTokens: 567) { costNanos rule { modelPattern } } }`,
      {},
      { token: t.secret },
    );
    expect(quote.data.priceQuote).toEqual({ costNanos: '510300', rule: { modelPattern: 'gpt-4o-mini' } });
  });

  it('answers typed errors: VALIDATION_FAILED for bad rules, MODEL_NOT_PRICED, FORBIDDEN for non-admins', async () => {
    const mutation = `mutation ($input: CreatePriceRuleInput!) { createPriceRule(input: $input) { id } }`;
    const negative = await app.gql(mutation, {
      input: { modelPattern: 'x', currency: 'USD', baseNanosPerToken: '-1' },
    });
    expect(negative.errors?.[0].extensions.code).toBe('VALIDATION_FAILED');
    const overlap = await app.gql(mutation, {
      input: {
        modelPattern: 'gpt-4o-mini',
        currency: 'USD',
        baseNanosPerToken: '1',
        effectiveFrom: '2026-02-01T00:00:00Z',
      },
    });
    expect(overlap.errors?.[0].extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { effectiveTo: null },
    });
    const byMember = await app.gql(
      mutation,
      { input: { modelPattern: 'y', currency: 'USD', baseNanosPerToken: '1' } },
      { token: t.secret },
    );
    expect(byMember.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const unpriced = await app.gql(
      `{ priceQuote(model: "nope", currency: "USD", promptTokens: 1, completionTokens: 1) { costNanos } }`,
      {},
      { token: t.secret },
    );
    expect(unpriced.errors?.[0].extensions.code).toBe('MODEL_NOT_PRICED');
  });

  it('creates plans with daily limits and rejects unknown time zones and unpriced degrade targets', async () => {
    const mutation = `mutation ($input: CreatePlanInput!) { createPlan(input: $input) { ${PLAN_FIELDS} } }`;
    const base = {
      code: 'starter',
      name: 'Starter',
      kind: 'DAILY_LIMIT',
      dailyLimits: [
        { metric: 'REQUESTS', limitValue: '4' },
        { metric: 'COST', limitValue: '2000000000', currency: 'USD' },
      ],
      warnThresholds: [50],
    };
    const badZone = await app.gql(mutation, { input: { ...base, timeZone: 'Moon/Tranquility' } });
    expect(badZone.errors?.[0]).toMatchObject({ extensions: { code: 'VALIDATION_FAILED' } });
    expect(badZone.errors?.[0].message).toContain('Unknown time zone');
    const badDegrade = await app.gql(mutation, {
      input: { ...base, overflowPolicy: 'DEGRADE', degradeMap: { 'gpt-4o': 'gpt-5-unpriced' } },
    });
    expect(badDegrade.errors?.[0].message).toContain("Degrade target 'gpt-5-unpriced' has no price");
    // Public: organizations assign it to themselves below.
    const ok = await app.gql(mutation, {
      input: { ...base, timeZone: 'Asia/Shanghai', visibility: 'PUBLIC' },
    });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.createPlan).toMatchObject({
      code: 'starter',
      timeZone: 'Asia/Shanghai',
      overflowPolicy: 'BLOCK',
      warnThresholds: [50],
    });
    expect(ok.data.createPlan.dailyLimits).toHaveLength(2);
    planId = ok.data.createPlan.id;
  });

  it('lets an organization owner assign plans to its own subjects only, and members not at all', async () => {
    const mutation = `mutation ($input: AssignPlanInput!) { assignPlan(input: $input) { id subjectType plan { code } } }`;
    const input = {
      planId,
      organizationId: t.organizationId,
      subjectType: 'API_KEY',
      subjectId: t.apiKeyId,
      effectiveFrom: '2026-03-01T00:00:00Z',
    };
    const byMember = await app.gql(mutation, { input }, { token: member.secret });
    expect(byMember.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const other = await createTenant(db.prisma, 'other');
    const foreign = await app.gql(
      mutation,
      { input: { ...input, organizationId: other.organizationId, subjectId: other.apiKeyId } },
      { token: t.secret },
    );
    expect(foreign.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const foreignSubject = await app.gql(
      mutation,
      { input: { ...input, subjectId: other.apiKeyId } },
      { token: t.secret },
    );
    expect(foreignSubject.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const ok = await app.gql(mutation, { input }, { token: t.secret });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.assignPlan).toMatchObject({ subjectType: 'API_KEY', plan: { code: 'starter' } });
  });

  it("shows a key its effective plan and today's usage; the member's key has none", async () => {
    const query = `{ effectivePlan { plan { code } assignment { subjectType } } todayUsage { day resetsAt limits { metric limit used remaining } } }`;
    const services = app.app.services;
    await services.dailyLimits.admit({
      ...t,
      model: 'gpt-4o-mini',
      currency: 'USD',
      estimatedCostNanos: 500_000_000n,
      estimatedTokens: 0,
    });
    const own = await app.gql(query, {}, { token: t.secret });
    expect(own.errors).toBeUndefined();
    expect(own.data.effectivePlan).toEqual({
      plan: { code: 'starter' },
      assignment: { subjectType: 'API_KEY' },
    });
    expect(own.data.todayUsage).toEqual({
      day: '2026-03-10',
      resetsAt: '2026-03-10T16:00:00.000Z',
      limits: [
        { metric: 'REQUESTS', limit: '4', used: '1', remaining: '3' },
        { metric: 'COST', limit: '2000000000', used: '500000000', remaining: '1500000000' },
      ],
    });
    const theirs = await app.gql(query, {}, { token: member.secret });
    expect(theirs.data).toEqual({ effectivePlan: null, todayUsage: null });
    // an admin names the subject
    const byAdmin = await app.gql(
      `query ($org: ID, $key: ID) { effectivePlan(organizationId: $org, apiKeyId: $key) { plan { code } } }`,
      { org: t.organizationId, key: t.apiKeyId },
    );
    expect(byAdmin.data.effectivePlan.plan.code).toBe('starter');
  });

  it('streams limitChanged warnings to a subscriber of the organization', async () => {
    const controller = new AbortController();
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${t.secret}`,
      },
      body: JSON.stringify({
        query:
          'subscription { limitChanged { kind metric thresholdPercent limit used resetsAt subjectType } }',
      }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    // the second request of four crosses the 50% warning threshold
    const services = app.app.services;
    let buffer = '';
    const next = async () => {
      for (;;) {
        const m = /event: next\ndata: (.*)\n/.exec(buffer);
        if (m) {
          buffer = buffer.slice(m.index + m[0].length);
          return JSON.parse(m[1]!);
        }
        const chunk = await reader.read();
        if (chunk.done) throw new Error('stream ended');
        buffer += decoder.decode(chunk.value);
        // once Redis has the subscription, cross the threshold
        if (!admitted) {
          admitted = true;
          const state = services.state as RedisSharedState;
          const channel = `${state.client.options.keyPrefix}gql:limitChanged:${t.organizationId}`;
          await vi.waitFor(async () => {
            const [, count] = (await state.client.pubsub('NUMSUB', channel)) as [string, number];
            expect(count).toBeGreaterThan(0);
          });
          await services.dailyLimits.admit({
            ...t,
            model: 'gpt-4o-mini',
            currency: 'USD',
            estimatedCostNanos: 0n,
            estimatedTokens: 0,
          });
        }
      }
    };
    let admitted = false;
    const event = await next();
    expect(event.data.limitChanged).toEqual({
      kind: 'warning',
      metric: 'requests',
      thresholdPercent: 50,
      limit: '4',
      used: '2',
      resetsAt: '2026-03-10T16:00:00.000Z',
      subjectType: 'api_key',
    });
    controller.abort();
  });
});
