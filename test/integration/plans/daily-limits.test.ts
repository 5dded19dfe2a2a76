import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisUnavailableError } from '../../../src/infra/dependency-errors.ts';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import type { SharedState } from '../../../src/infra/shared-state.ts';
import type { PlanInput } from '../../../src/plans/plans.ts';
import { createPlanServices } from '../../../src/plans/wiring.ts';
import { type LimitChangedEvent, createSharedPubSub } from '../../../src/pubsub.ts';
import { testRedisState } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { type Tenant, createTenant, insertUsage } from './fixtures.ts';

const BEFORE_MIDNIGHT = new Date('2026-03-10T15:59:59.999Z');
const MIDNIGHT = new Date('2026-03-10T16:00:00.000Z');
const NOON = new Date('2026-03-10T04:00:00Z');

describe('daily limits (PostgreSQL + Redis)', () => {
  let db: TestDatabase;
  const states: SharedState[] = [];
  let now = NOON;
  const clock = () => now;

  function gateway(state: SharedState) {
    return {
      state,
      ...createPlanServices({ db: db.prisma, state, pubsub: createSharedPubSub(state), clock }),
    };
  }
  function redis(prefix?: string) {
    const s = testRedisState(prefix);
    states.push(s);
    return s;
  }

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    const g = gateway(redis());
    for (const model of ['gpt-4o', 'gpt-4o-mini'])
      await g.pricing.createRule({
        modelPattern: model,
        currency: 'USD',
        baseNanosPerToken: 150n,
        effectiveFrom: new Date('2026-01-01T00:00:00Z'),
      });
  });
  afterAll(async () => {
    await Promise.all(states.map((s) => s.close()));
    await db?.close();
  });

  /** A tenant with a fresh plan assigned to its organization (or to its API key). */
  async function setup(
    g: ReturnType<typeof gateway>,
    plan: Omit<PlanInput, 'code' | 'name' | 'kind'>,
    subject: 'organization' | 'api_key' = 'organization',
  ) {
    const t = await createTenant(db.prisma);
    const code = `p-${t.organizationId.slice(-12)}`;
    const p = await g.plans.createPlan({ code, name: code, kind: 'daily_limit', ...plan });
    await g.plans.assignPlan({
      planId: p.id,
      organizationId: t.organizationId,
      subjectType: subject,
      subjectId: subject === 'organization' ? t.organizationId : t.apiKeyId,
      effectiveFrom: new Date('2026-01-01T00:00:00Z'),
    });
    return { t, plan: p };
  }

  const request = (t: Tenant, extra: { model?: string; cost?: bigint; tokens?: number; at?: Date } = {}) => ({
    ...t,
    model: extra.model ?? 'gpt-4o',
    currency: 'USD',
    estimatedCostNanos: extra.cost ?? 0n,
    estimatedTokens: extra.tokens ?? 0,
    ...(extra.at ? { at: extra.at } : {}),
  });

  it('resets at 16:00:00Z for a UTC+8 plan: 15:59:59.999Z and 16:00:00Z are different plan days', async () => {
    const g = gateway(redis());
    const { t } = await setup(g, { dailyLimits: [{ metric: 'requests', limitValue: 1n }] });
    now = BEFORE_MIDNIGHT;
    const first = await g.dailyLimits.admit(request(t));
    expect(first.planDay).toBe('2026-03-10');
    expect(first.headers).toEqual({
      'x-tollgate-daily-limit': '1',
      'x-tollgate-daily-remaining': '0',
      'x-tollgate-daily-reset': '2026-03-10T16:00:00.000Z',
      'x-tollgate-daily-metric': 'requests',
    });
    const blocked = await g.dailyLimits.admit(request(t)).catch((e) => e);
    expect(blocked).toMatchObject({ code: 'DAILY_LIMIT_EXCEEDED', status: 429, type: 'insufficient_quota' });
    expect(blocked.message).toContain('Daily requests limit');
    expect(blocked.message).toContain('resets at 2026-03-10T16:00:00.000Z');
    expect(blocked.details).toMatchObject({ metric: 'requests', limit: '1', used: '1', day: '2026-03-10' });
    expect(blocked.headers).toMatchObject({ 'retry-after': '1', 'x-should-retry': 'false' });

    now = MIDNIGHT;
    const next = await g.dailyLimits.admit(request(t));
    expect(next.planDay).toBe('2026-03-11');
    expect(next.headers['x-tollgate-daily-reset']).toBe('2026-03-11T16:00:00.000Z');
  });

  it('settles a reservation made at 15:59:59.999Z against its own day, not the next', async () => {
    const g = gateway(redis());
    const { t } = await setup(g, { dailyLimits: [{ metric: 'tokens', limitValue: 1000n }] });
    now = BEFORE_MIDNIGHT;
    const late = await g.dailyLimits.admit(request(t, { tokens: 500 }));
    now = MIDNIGHT;
    await g.dailyLimits.commit(late.reservation, { costNanos: 0n, tokens: 600 });
    const today = await g.dailyLimits.todayUsage({ ...t, at: MIDNIGHT });
    expect(today?.day).toBe('2026-03-11');
    expect(today?.limits.map((l) => l.used)).toEqual([0n]);
    const yesterday = await g.dailyLimits.todayUsage({ ...t, at: BEFORE_MIDNIGHT });
    expect(yesterday?.limits.map((l) => [l.used, l.remaining])).toEqual([[600n, 400n]]);
  });

  it('lets exactly 20 of 50 concurrent requests through a 20-request limit', async () => {
    now = NOON;
    const g = gateway(redis());
    const { t } = await setup(g, { dailyLimits: [{ metric: 'requests', limitValue: 20n }] });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => g.dailyLimits.admit(request(t))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.every((r) => r.reason.code === 'DAILY_LIMIT_EXCEEDED')).toBe(true);
    expect((await g.dailyLimits.todayUsage(t))?.limits[0]?.used).toBe(20n);
  });

  it('lets exactly 20 of 50 through when two gateway processes share Redis', async () => {
    now = NOON;
    const prefix = `t2p${Date.now().toString(36)}:`;
    const a = gateway(redis(prefix));
    const b = gateway(redis(prefix));
    const { t } = await setup(a, { dailyLimits: [{ metric: 'requests', limitValue: 20n }] });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).dailyLimits.admit(request(t))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    expect((await b.dailyLimits.todayUsage(t))?.limits[0]?.used).toBe(20n);
  });

  it('grace: allows up to graceNanos beyond a cost limit, marking those requests graced, then blocks', async () => {
    now = NOON;
    const g = gateway(redis());
    const { t } = await setup(g, {
      overflowPolicy: 'grace',
      graceNanos: 500n,
      dailyLimits: [{ metric: 'cost', limitValue: 1000n, currency: 'USD' }],
    });
    const admit = () => g.dailyLimits.admit(request(t, { cost: 400n }));
    expect((await admit()).graced).toBe(false);
    expect((await admit()).graced).toBe(false);
    const third = await admit();
    expect(third.graced).toBe(true);
    expect(third.headers).toMatchObject({
      'x-tollgate-graced': 'true',
      'x-tollgate-daily-remaining': '0',
      'x-tollgate-daily-currency': 'USD',
    });
    await expect(admit()).rejects.toMatchObject({ code: 'DAILY_LIMIT_EXCEEDED' });
    // a cheaper request still fits in the grace
    expect((await g.dailyLimits.admit(request(t, { cost: 300n }))).graced).toBe(true);
  });

  it('grace: gracePercent extends a requests limit', async () => {
    now = NOON;
    const g = gateway(redis());
    const { t } = await setup(g, {
      overflowPolicy: 'grace',
      gracePercent: 20,
      dailyLimits: [{ metric: 'requests', limitValue: 10n }],
    });
    const graced: boolean[] = [];
    for (let i = 0; i < 12; i++) graced.push((await g.dailyLimits.admit(request(t))).graced);
    expect(graced).toEqual([...Array(10).fill(false), true, true]);
    await expect(g.dailyLimits.admit(request(t))).rejects.toMatchObject({ code: 'DAILY_LIMIT_EXCEEDED' });
  });

  it('degrade: rewrites to the cheaper model once the requested one is over its limit, and says so', async () => {
    now = NOON;
    const g = gateway(redis());
    const { t } = await setup(g, {
      overflowPolicy: 'degrade',
      degradeMap: { 'gpt-4o': 'gpt-4o-mini' },
      dailyLimits: [
        { metric: 'requests', limitValue: 1n, model: 'gpt-4o' },
        { metric: 'requests', limitValue: 3n },
      ],
    });
    const estimates: string[] = [];
    const estimateFor = async (model: string) => {
      estimates.push(model);
      return { costNanos: 10n, tokens: 10 };
    };
    const first = await g.dailyLimits.admit({ ...request(t), estimateFor });
    expect([first.model, first.degradedFrom]).toEqual(['gpt-4o', null]);
    const second = await g.dailyLimits.admit({ ...request(t), estimateFor });
    expect([second.model, second.degradedFrom, second.requestedModel]).toEqual([
      'gpt-4o-mini',
      'gpt-4o',
      'gpt-4o',
    ]);
    expect(second.headers).toMatchObject({
      'x-tollgate-degraded-from': 'gpt-4o',
      'x-tollgate-model': 'gpt-4o-mini',
      'x-tollgate-daily-remaining': '1',
    });
    expect(second.reservation.model).toBe('gpt-4o-mini');
    expect(estimates).toEqual(['gpt-4o-mini']);
    await g.dailyLimits.admit({ ...request(t), estimateFor });
    // the overall limit binds the degrade target too
    await expect(g.dailyLimits.admit({ ...request(t), estimateFor })).rejects.toMatchObject({
      code: 'DAILY_LIMIT_EXCEEDED',
      details: { metric: 'requests', model: null, limit: '3' },
    });
  });

  it('block is the default: a per-model limit blocks only that model', async () => {
    now = NOON;
    const g = gateway(redis());
    const { t } = await setup(g, {
      dailyLimits: [
        { metric: 'requests', limitValue: 1n, model: 'gpt-4o' },
        { metric: 'cost', limitValue: 1n, currency: 'EUR' },
      ],
    });
    await g.dailyLimits.admit(request(t, { cost: 5n }));
    const err = await g.dailyLimits.admit(request(t)).catch((e) => e);
    expect(err.message).toContain("requests for model 'gpt-4o'");
    // the EUR cost limit does not apply to a USD request; the mini model has no limit of its own
    const mini = await g.dailyLimits.admit(request(t, { model: 'gpt-4o-mini', cost: 5n }));
    expect(mini.reservation.counters).toEqual([]);
  });

  it('commit moves a reservation to the actual usage and cancel gives it back, each once', async () => {
    now = NOON;
    const g = gateway(redis());
    const { t } = await setup(g, { dailyLimits: [{ metric: 'tokens', limitValue: 1000n }] });
    const used = async () => (await g.dailyLimits.todayUsage(t))?.limits[0]?.used;
    const a = await g.dailyLimits.admit(request(t, { tokens: 800 }));
    expect(a.headers['x-tollgate-daily-remaining']).toBe('200');
    await expect(g.dailyLimits.admit(request(t, { tokens: 300 }))).rejects.toMatchObject({
      code: 'DAILY_LIMIT_EXCEEDED',
    });
    const roundTripped = JSON.parse(JSON.stringify(a.reservation));
    await g.dailyLimits.commit(roundTripped, { costNanos: 0n, tokens: 300 });
    await g.dailyLimits.commit(roundTripped, { costNanos: 0n, tokens: 300 });
    expect(await used()).toBe(300n);
    const b = await g.dailyLimits.admit(request(t, { tokens: 700 }));
    expect(await used()).toBe(1000n);
    await g.dailyLimits.cancel(b.reservation);
    await g.dailyLimits.cancel(b.reservation);
    expect(await used()).toBe(300n);
  });

  it('publishes each warning threshold and the limit reached once per day', async () => {
    now = NOON;
    const state = redis();
    const g = gateway(state);
    const { t } = await setup(g, {
      warnThresholds: [50, 80],
      dailyLimits: [{ metric: 'requests', limitValue: 10n }],
    });
    const events: LimitChangedEvent[] = [];
    const iterator = createSharedPubSub(state)
      .subscribe(`limitChanged:${t.organizationId}`)
      [Symbol.asyncIterator]();
    const pump = (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        events.push(next.value);
      }
    })();
    await vi.waitFor(async () => {
      // the subscription is live once a probe published to it arrives
      await createSharedPubSub(state).publish(`limitChanged:${t.organizationId}`, {
        subjectType: 'probe',
      } as LimitChangedEvent);
      expect(events.length).toBeGreaterThan(0);
    });
    events.length = 0;
    const warned: number[][] = [];
    for (let i = 0; i < 10; i++)
      warned.push((await g.dailyLimits.admit(request(t))).warnings.map((w) => w.thresholdPercent));
    expect(warned[3]).toEqual([]);
    expect(warned[4]).toEqual([50]);
    expect(warned[9]).toEqual([50, 80]);
    await expect(g.dailyLimits.admit(request(t))).rejects.toMatchObject({ code: 'DAILY_LIMIT_EXCEEDED' });
    await vi.waitFor(() => expect(events.some((e) => e.kind === 'reached')).toBe(true));
    const real = events.filter((e) => e.subjectType !== 'probe');
    expect(real.map((e) => [e.kind, e.thresholdPercent, e.used])).toEqual([
      ['warning', 50, '5'],
      ['warning', 80, '8'],
      ['reached', 100, '10'],
    ]);
    expect(real[0]).toMatchObject({
      subjectType: 'organization',
      subjectId: t.organizationId,
      metric: 'requests',
      limit: '10',
      resetsAt: '2026-03-10T16:00:00.000Z',
      day: '2026-03-10',
    });
    await iterator.return?.();
    await pump;
  });

  it('rebuilds a lost counter from usage_records of the plan day before reserving', async () => {
    now = NOON;
    const g = gateway(redis());
    const { t } = await setup(
      g,
      { dailyLimits: [{ metric: 'cost', limitValue: 1000n, currency: 'USD' }] },
      'api_key',
    );
    const day = '2026-03-10';
    await insertUsage(db.prisma, t, { planDay: day, model: 'gpt-4o', costNanos: 550n });
    await insertUsage(db.prisma, t, {
      planDay: day,
      model: 'gpt-4o-mini',
      costNanos: 300n,
      status: 'client_aborted',
    });
    // a stream that broke after it started is settled on what was streamed: it counts
    await insertUsage(db.prisma, t, { planDay: day, model: 'gpt-4o', costNanos: 50n, status: 'failed' });
    // not counted: a released failure, another day, another currency, another key of the organization
    await insertUsage(db.prisma, t, { planDay: day, model: 'gpt-4o', costNanos: 0n, status: 'failed' });
    await insertUsage(db.prisma, t, { planDay: '2026-03-09', model: 'gpt-4o', costNanos: 5000n });
    await insertUsage(db.prisma, t, { planDay: day, model: 'gpt-4o', costNanos: 5000n, currency: 'EUR' });
    const otherKey = await db.prisma.apiKey.create({
      data: {
        id: `key_other_${t.apiKeyId.slice(-8)}`,
        organizationId: t.organizationId,
        userId: t.userId,
        name: 'other',
        prefix: 'tg_o',
        hash: `hash-other-${t.apiKeyId}`,
        scopes: [],
      },
    });
    await insertUsage(db.prisma, t, {
      planDay: day,
      model: 'gpt-4o',
      costNanos: 5000n,
      apiKeyId: otherKey.id,
    });

    // Ten concurrent requests on the missing counter: rebuilt once (900), so exactly two fit.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => g.dailyLimits.admit(request(t, { cost: 50n }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect((await g.dailyLimits.todayUsage(t))?.limits[0]?.used).toBe(1000n);

    // Redis loses the key: the next reader rebuilds from the records again (the in-flight 100 are gone).
    await g.state.del(`dl:${day}:api_key:${t.apiKeyId}:cost:USD:*`);
    expect((await g.dailyLimits.todayUsage(t))?.limits[0]?.used).toBe(900n);
    // another gateway with an empty Redis sees the same
    const fresh = gateway(redis());
    await expect(fresh.dailyLimits.admit(request(t, { cost: 101n }))).rejects.toMatchObject({
      code: 'DAILY_LIMIT_EXCEEDED',
      details: { used: '900' },
    });
  });

  it.each([
    ['Redis', () => redis()],
    ['in-process', () => new MemorySharedState(() => now.getTime())],
  ] as const)(
    'rebuilds a lost counter once when a second process looked before the first rebuilt it (%s)',
    async (_name, open) => {
      now = NOON;
      const state = open();
      const { t } = await setup(gateway(state), {
        dailyLimits: [{ metric: 'cost', limitValue: 1000n, currency: 'USD' }],
      });
      const key = `dl:2026-03-10:organization:${t.organizationId}:cost:USD:*`;
      await insertUsage(db.prisma, t, { planDay: '2026-03-10', model: 'gpt-4o', costNanos: 300n });
      // Process A finds the counter missing, then stalls until process B has rebuilt it and
      // released its rebuild lock; only then does A try the lock (and, before the fix, rebuilt again).
      const stalled = pauseAfterFirstRead(state, key);
      const a = gateway(stalled);
      const b = gateway(state);
      const admittedByA = a.dailyLimits.admit(request(t, { cost: 10n }));
      await stalled.readDone;
      await b.dailyLimits.admit(request(t, { cost: 10n }));
      expect(await state.get(key)).toBe('310');
      stalled.resume();
      await admittedByA;
      expect(await state.get(key)).toBe('320');
      expect((await b.dailyLimits.todayUsage(t))?.limits[0]?.used).toBe(320n);
    },
  );

  it.each([
    ['Redis', () => redis()],
    ['in-process', () => new MemorySharedState(() => now.getTime())],
  ] as const)(
    'gives back a reservation Redis applied whose reply was lost, once Redis answers again (%s)',
    async (_name, open) => {
      now = NOON;
      const state = open();
      const { t } = await setup(gateway(state), {
        dailyLimits: [
          { metric: 'cost', limitValue: 1000n, currency: 'USD' },
          { metric: 'requests', limitValue: 50n },
        ],
      });
      const prefix = `dl:2026-03-10:organization:${t.organizationId}`;
      await gateway(state).dailyLimits.admit(request(t, { cost: 100n }));
      // The second counter's reservation is applied, but its reply dies with the connection
      // (Redis restarting on its AOF); the first give-back finds Redis still away.
      const lost = replyLostOnce(state, 2);
      const err = await gateway(lost)
        .dailyLimits.admit(request(t, { cost: 100n }))
        .catch((e) => e);
      expect(err).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
      await vi.waitFor(
        async () => {
          expect(await state.get(`${prefix}:cost:USD:*`)).toBe('100');
          expect(await state.get(`${prefix}:requests:-:*`)).toBe('1');
        },
        { timeout: 5_000, interval: 50 },
      );
      expect(lost.releasesRefused).toBe(1);
    },
  );

  it('gives back a reservation when Redis fails while announcing the threshold it crossed', async () => {
    now = NOON;
    const state = redis();
    const { t } = await setup(gateway(state), {
      warnThresholds: [50],
      dailyLimits: [{ metric: 'requests', limitValue: 2n }],
    });
    const key = `dl:2026-03-10:organization:${t.organizationId}:requests:-:*`;
    const failing = new Proxy(state, {
      get(target, prop) {
        if (prop === 'reserve')
          return async (...args: Parameters<SharedState['reserve']>) => {
            if (args[0].endsWith(':warn:50'))
              throw new RedisUnavailableError(new Error('Connection is closed.'));
            return target.reserve(...args);
          };
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    await expect(gateway(failing).dailyLimits.admit(request(t))).rejects.toMatchObject({
      code: 'REDIS_UNAVAILABLE',
    });
    expect(await state.get(key)).toBe('0');
  });

  it('admits without counters when no daily-limit plan applies', async () => {
    now = NOON;
    const g = gateway(redis());
    const t = await createTenant(db.prisma);
    const d = await g.dailyLimits.admit(request(t, { cost: 10n ** 15n }));
    expect(d).toMatchObject({
      allowed: true,
      model: 'gpt-4o',
      planId: null,
      planDay: '2026-03-10',
      headers: {},
    });
    await g.dailyLimits.commit(d.reservation, { costNanos: 1n, tokens: 1 });
    expect(await g.dailyLimits.todayUsage(t)).toBeNull();
  });
});

/** A SharedState whose first read of `key` returns, then waits for `resume()`: a process stalled right after it looked. */
function pauseAfterFirstRead(state: SharedState, key: string) {
  let resume!: () => void;
  const resumed = new Promise<void>((r) => {
    resume = r;
  });
  let readDone!: () => void;
  const read = new Promise<void>((r) => {
    readDone = r;
  });
  let paused = false;
  const get = async (k: string) => {
    const value = await state.get(k);
    if (k === key && !paused) {
      paused = true;
      readDone();
      await resumed;
    }
    return value;
  };
  const wrapped = new Proxy(state, {
    get(target, prop) {
      if (prop === 'get') return get;
      if (prop === 'readDone') return read;
      if (prop === 'resume') return resume;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return wrapped as SharedState & { readDone: Promise<void>; resume: () => void };
}

/**
 * A SharedState whose `nth` reserve is applied but answered with a lost connection, and whose
 * first give-back after that fails too (Redis still restarting): what a Redis restart does.
 */
function replyLostOnce(state: SharedState, nth: number) {
  let reserves = 0;
  let lost = false;
  const counts = { releasesRefused: 0 };
  const reserve: SharedState['reserve'] = async (...args) => {
    const r = await state.reserve(...args);
    if (args[4] && ++reserves === nth) {
      lost = true;
      throw new RedisUnavailableError(new Error('Connection is closed.'));
    }
    return r;
  };
  const releaseMarked: SharedState['releaseMarked'] = async (...args) => {
    if (lost && counts.releasesRefused === 0) {
      counts.releasesRefused++;
      throw new RedisUnavailableError(new Error('connect ECONNREFUSED'));
    }
    return state.releaseMarked(...args);
  };
  return new Proxy(state, {
    get(target, prop) {
      if (prop === 'reserve') return reserve;
      if (prop === 'releaseMarked') return releaseMarked;
      if (prop === 'releasesRefused') return counts.releasesRefused;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as SharedState & { releasesRefused: number };
}
