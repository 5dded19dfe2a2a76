import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import { PlanService } from '../../../src/plans/plans.ts';
import { PricingService } from '../../../src/pricing/price-rules.ts';
import { type TestDatabase, backends, openTestDatabase } from '../../helpers/db.ts';
import { type Tenant, createTenant } from './fixtures.ts';

const T0 = new Date('2026-03-01T00:00:00Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

describe.each(backends())('plans and assignments (%s)', (backend) => {
  let db: TestDatabase;
  let plans: PlanService;
  let t: Tenant;
  const now = T0;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
    const pricing = new PricingService({ db: db.prisma, state: new MemorySharedState(), clock: () => now });
    plans = new PlanService({ db: db.prisma, clock: () => now, pricing });
    await pricing.createRule({
      modelPattern: 'gpt-4o-mini',
      currency: 'USD',
      baseNanosPerToken: 150n,
      effectiveFrom: T0,
    });
    t = await createTenant(db.prisma);
  });
  afterAll(async () => {
    await db?.close();
  });

  const requestsPlan = (code: string) =>
    plans.createPlan({
      code,
      name: code,
      kind: 'daily_limit',
      dailyLimits: [{ metric: 'requests', limitValue: 100n }],
    });

  it('picks the most specific assignment: api key over user over team over organization', async () => {
    const [org, team, user, key] = await Promise.all(
      ['p-org', 'p-team', 'p-user', 'p-key'].map(requestsPlan),
    );
    const assign = (
      planId: string,
      subjectType: 'organization' | 'team' | 'user' | 'api_key',
      subjectId: string,
    ) =>
      plans.assignPlan({
        planId,
        organizationId: t.organizationId,
        subjectType,
        subjectId,
        effectiveFrom: T0,
      });
    await assign(org!.id, 'organization', t.organizationId);
    await assign(team!.id, 'team', t.teamId);
    await assign(user!.id, 'user', t.userId);
    await assign(key!.id, 'api_key', t.apiKeyId);
    const code = async (ids: Partial<Tenant>) =>
      (await plans.effectivePlan({ organizationId: t.organizationId, ...ids, at: hours(1) }))?.plan.code;
    expect(await code({ teamId: t.teamId, userId: t.userId, apiKeyId: t.apiKeyId })).toBe('p-key');
    expect(await code({ teamId: t.teamId, userId: t.userId, apiKeyId: 'key_other' })).toBe('p-user');
    expect(await code({ teamId: t.teamId, userId: 'user_other' })).toBe('p-team');
    expect(await code({})).toBe('p-org');
    expect(await plans.effectivePlan({ organizationId: 'org_other', at: hours(1) })).toBeNull();
  });

  it('honours effective dates, a later assignment of the same subject superseding from its start', async () => {
    const other = await createTenant(db.prisma, 'dates');
    const [a, b, c] = await Promise.all(['d-a', 'd-b', 'd-c'].map(requestsPlan));
    const base = {
      organizationId: other.organizationId,
      subjectType: 'organization' as const,
      subjectId: other.organizationId,
    };
    await plans.assignPlan({ ...base, planId: a!.id, effectiveFrom: hours(10) });
    await plans.assignPlan({ ...base, planId: b!.id, effectiveFrom: hours(20), effectiveTo: hours(30) });
    const keyAssignment = await plans.assignPlan({
      organizationId: other.organizationId,
      subjectType: 'api_key',
      subjectId: other.apiKeyId,
      planId: c!.id,
      effectiveFrom: hours(40),
      effectiveTo: hours(50),
    });
    const at = async (h: number) =>
      (
        await plans.effectivePlan({
          organizationId: other.organizationId,
          apiKeyId: other.apiKeyId,
          at: hours(h),
        })
      )?.plan.code ?? null;
    expect(await at(9.99)).toBeNull();
    expect(await at(10)).toBe('d-a');
    expect(await at(20)).toBe('d-b');
    expect(await at(29.99)).toBe('d-b');
    expect(await at(30)).toBe('d-a');
    expect(await at(45)).toBe('d-c');
    expect(await at(50)).toBe('d-a');
    await plans.updateAssignment(keyAssignment.id, { effectiveTo: hours(44) });
    expect(await at(45)).toBe('d-a');
  });

  it('ignores archived plans', async () => {
    const other = await createTenant(db.prisma, 'archived');
    const p = await requestsPlan('to-archive');
    await plans.assignPlan({
      planId: p.id,
      organizationId: other.organizationId,
      subjectType: 'organization',
      subjectId: other.organizationId,
      effectiveFrom: T0,
    });
    await plans.updatePlan(p.id, { status: 'archived' });
    expect(await plans.effectivePlan({ organizationId: other.organizationId, at: hours(1) })).toBeNull();
  });

  it('invalidates the assignment cache of another process when a plan is assigned', async () => {
    const state = new MemorySharedState();
    const pricing = new PricingService({ db: db.prisma, state, clock: () => now });
    const a = new PlanService({ db: db.prisma, clock: () => now, pricing, state, cacheTtlMs: 60_000 });
    const b = new PlanService({ db: db.prisma, clock: () => now, pricing, state, cacheTtlMs: 60_000 });
    const other = await createTenant(db.prisma, 'cached');
    expect(await a.effectivePlan({ organizationId: other.organizationId, at: hours(1) })).toBeNull();
    const p = await requestsPlan('cached-plan');
    await b.assignPlan({
      planId: p.id,
      organizationId: other.organizationId,
      subjectType: 'organization',
      subjectId: other.organizationId,
      effectiveFrom: T0,
    });
    await vi.waitFor(async () =>
      expect((await a.effectivePlan({ organizationId: other.organizationId, at: hours(1) }))?.plan.code).toBe(
        'cached-plan',
      ),
    );
  });

  it('refuses subjects from another organization', async () => {
    const other = await createTenant(db.prisma, 'foreign');
    const p = await requestsPlan('foreign-plan');
    await expect(
      plans.assignPlan({
        planId: p.id,
        organizationId: t.organizationId,
        subjectType: 'api_key',
        subjectId: other.apiKeyId,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      plans.assignPlan({
        planId: p.id,
        organizationId: t.organizationId,
        subjectType: 'user',
        subjectId: other.userId,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('validates plans: time zone, limits, grace, degrade targets and thresholds', async () => {
    const base = {
      code: 'bad',
      name: 'Bad',
      kind: 'daily_limit' as const,
      dailyLimits: [{ metric: 'requests' as const, limitValue: 10n }],
    };
    const fails = (input: object, param: string) =>
      expect(plans.createPlan({ ...base, ...input })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        param,
      });
    await fails({ timeZone: 'Mars/Olympus' }, 'timeZone');
    await fails({ timeZone: '+25:00' }, 'timeZone');
    await fails({ dailyLimits: [{ metric: 'cost', limitValue: 10n }] }, 'dailyLimits');
    await fails({ dailyLimits: [{ metric: 'requests', limitValue: -1n }] }, 'dailyLimits');
    await fails({ dailyLimits: [] }, 'dailyLimits');
    await fails({ overflowPolicy: 'grace' }, 'overflowPolicy');
    await fails({ overflowPolicy: 'degrade', degradeMap: { 'gpt-4o': 'gpt-unpriced' } }, 'degradeMap');
    await fails({ overflowPolicy: 'degrade', degradeMap: { 'gpt-4o': 'gpt-4o' } }, 'degradeMap');
    await fails(
      { overflowPolicy: 'degrade', degradeMap: { 'gpt-4o': 'gpt-4o-mini', 'gpt-4o-mini': 'gpt-4o-mini-2' } },
      'degradeMap',
    );
    await fails({ overflowPolicy: 'degrade' }, 'degradeMap');
    await fails({ warnThresholds: [0] }, 'warnThresholds');
    await fails({ kind: 'usage' }, 'dailyLimits');
    const ok = await plans.createPlan({
      ...base,
      code: 'good',
      timeZone: 'Asia/Shanghai',
      overflowPolicy: 'degrade',
      degradeMap: { 'gpt-4o': 'gpt-4o-mini' },
      warnThresholds: [90, 80, 80],
    });
    expect(ok.warnThresholds).toEqual([80, 90]);
    expect(ok.dailyLimits).toHaveLength(1);
    // One currency rule for the whole gateway (src/lib/money.ts): UNSUPPORTED_CURRENCY, codes upper-cased.
    await expect(
      plans.createPlan({
        ...base,
        code: 'xx',
        dailyLimits: [{ metric: 'cost', limitValue: 1n, currency: 'XXQ' }],
      }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_CURRENCY', param: 'dailyLimits' });
    const eur = await plans.createPlan({
      ...base,
      code: 'eur',
      dailyLimits: [{ metric: 'cost', limitValue: 1n, currency: 'eur' }],
    });
    expect(eur.dailyLimits[0]?.currency).toBe('EUR');
    await expect(plans.createPlan({ ...base, code: 'good' })).rejects.toMatchObject({ param: 'code' });
  });
});
