import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ROLLUP_LAG_MS,
  UsageRollupJob,
  rollUpUsage,
  rolledUpTo,
} from '../../../src/admission/usage-rollup.ts';
import type { Context } from '../../../src/context.ts';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import type { Principal } from '../../../src/identity/principal.ts';
import { newId } from '../../../src/lib/ids.ts';
import {
  type UsageFilter,
  type UsageGrouping,
  aggregateUsage,
} from '../../../src/resolvers/usage/usage-query.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

const ORG = 'org_rollup_a';
const OTHER = 'org_rollup_b';
const DAY = 86_400_000;
/** The first instant of the records: 2026-11-01T00:00Z. */
const T0 = Date.UTC(2026, 10, 1);

const owner = (organizationId: string): Principal => ({
  kind: 'api_key',
  apiKeyId: newId('key'),
  userId: newId('user'),
  organizationId,
  teamId: null,
  scopes: ['read'],
  role: 'owner',
  isPlatformAdmin: false,
  modelAllowlist: [],
});

interface Rec {
  org: string;
  atMs: number;
  served: string | null;
  requested: string;
  currency: 'USD' | 'CNY';
  failed: boolean;
  prompt: number;
  completion: number;
  cached: number;
  cost: bigint;
}

describe('the usage rollup gives the same aggregates as the raw records', () => {
  let db: TestDatabase;
  const ctx = (p: Principal) =>
    ({ requestId: 'rollup', principal: p, services: { db: db.prisma } }) as unknown as Context;
  const both = async (p: Principal, f: UsageFilter, g: UsageGrouping, tz: string) => ({
    rolled: await aggregateUsage(ctx(p), f, g, tz),
    raw: await aggregateUsage(ctx(p), f, g, tz, { rollup: false }),
  });

  const insert = async (recs: Rec[]) => {
    if (!recs.length) return;
    await db.prisma.usageRecord.createMany({
      data: recs.map((r) => ({
        id: newId('use'),
        requestId: newId('req'),
        organizationId: r.org,
        userId: 'user_x',
        apiKeyId: 'key_x',
        currency: r.currency,
        endpoint: '/v1/chat/completions',
        modelRequested: r.requested,
        modelServed: r.served,
        promptTokens: r.prompt,
        completionTokens: r.completion,
        cachedTokens: r.cached,
        costNanos: r.cost,
        status: r.failed ? 'failed' : 'succeeded',
        createdAt: new Date(r.atMs),
      })),
    });
  };
  const reset = async () => {
    await db.prisma.$executeRawUnsafe('TRUNCATE usage_records, usage_rollups, usage_rollup_state');
  };

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    for (const id of [ORG, OTHER]) await db.prisma.organization.create({ data: { id, name: id, slug: id } });
  });
  afterAll(async () => db?.close());
  beforeEach(reset);

  const rec = (atMs: number, over: Partial<Rec> = {}): Rec => ({
    org: ORG,
    atMs,
    served: 'gpt-4o',
    requested: 'gpt-4o',
    currency: 'USD',
    failed: false,
    prompt: 10,
    completion: 5,
    cached: 1,
    cost: 1_000n,
    ...over,
  });

  it('counts a record of a rolled-up day from the rollup, not from the records', async () => {
    await insert([rec(T0 + 3_600_000), rec(T0 + 3_600_000 + 1, { cost: 7n })]);
    expect(await rollUpUsage(db.prisma, new Date(T0 + 2 * DAY))).toEqual(
      new Date(T0 + 2 * DAY - ROLLUP_LAG_MS),
    );
    // A record removed from usage_records after the roll-up is still counted: the rollup answered.
    await db.prisma.usageRecord.deleteMany({ where: { costNanos: 7n } });
    const { rolled, raw } = await both(owner(ORG), {}, 'day', '+00:00');
    expect(rolled.map((r) => r.costNanos)).toEqual([1_007n]);
    expect(raw.map((r) => r.costNanos)).toEqual([1_000n]);
  });

  it('splits days at midnight UTC+8, for rolled-up buckets, partial buckets and the records after the rollup', async () => {
    // 2026-11-01T16:00Z is midnight 2026-11-02 at UTC+8.
    const midnight = T0 + 16 * 3_600_000;
    await insert([
      rec(midnight - 1, { cost: 1n }), // 23:59:59.999 on the 1st
      rec(midnight, { cost: 10n }), // 00:00 on the 2nd
      rec(midnight + 7 * 60_000, { cost: 100n }), // inside the first bucket of the 2nd
      rec(midnight + DAY - 1, { cost: 1_000n }), // last instant of the 2nd
      rec(midnight + DAY, { cost: 10_000n }), // the 3rd, after the rollup
    ]);
    await rollUpUsage(db.prisma, new Date(midnight + DAY - 1 + ROLLUP_LAG_MS)); // up to 23:45 on the 2nd
    expect((await rolledUpTo(db.prisma))!.getTime()).toBe(midnight + DAY - 15 * 60_000);
    for (const from of [undefined, new Date(midnight - 1), new Date(midnight + 5 * 60_000)]) {
      const { rolled, raw } = await both(owner(ORG), { from }, 'day', '+08:00');
      expect(rolled).toEqual(raw);
      const byDay = Object.fromEntries(rolled.map((r) => [r.day, r.costNanos]));
      expect(byDay).toEqual(
        from?.getTime() === midnight + 5 * 60_000
          ? { '2026-11-02': 1_100n, '2026-11-03': 10_000n }
          : { '2026-11-01': 1n, '2026-11-02': 1_110n, '2026-11-03': 10_000n },
      );
    }
  });

  it('rolls up a long history a day per transaction, once, even with two processes at it', async () => {
    await insert(
      Array.from({ length: 40 }, (_, i) => rec(T0 + i * 6 * 3_600_000 + 123, { cost: BigInt(i + 1) })),
    );
    const now = new Date(T0 + 11 * DAY);
    await Promise.all([rollUpUsage(db.prisma, now), rollUpUsage(db.prisma, now)]);
    await rollUpUsage(db.prisma, now);
    const sum = await db.prisma.usageRollup.aggregate({ _sum: { costNanos: true, requests: true } });
    expect(sum._sum).toEqual({ costNanos: 820n, requests: 40n });
    const { rolled, raw } = await both(owner(ORG), {}, 'day_and_model', '+08:00');
    expect(rolled).toEqual(raw);
  });

  it('runs the job at start and again every interval', async () => {
    await insert([rec(T0 + 60_000)]);
    let now = T0 + DAY;
    const job = new UsageRollupJob(db.prisma, new MemorySharedState(() => now), () => new Date(now), 20);
    const reaches = async (ms: number) => {
      for (let i = 0; i < 500 && (await rolledUpTo(db.prisma))?.getTime() !== ms; i++)
        await new Promise((r) => setTimeout(r, 10));
      return (await rolledUpTo(db.prisma))?.getTime();
    };
    job.start();
    try {
      expect(await reaches(T0 + DAY - ROLLUP_LAG_MS)).toBe(T0 + DAY - ROLLUP_LAG_MS);
      now += DAY;
      expect(await reaches(T0 + 2 * DAY - ROLLUP_LAG_MS)).toBe(T0 + 2 * DAY - ROLLUP_LAG_MS);
    } finally {
      await job.stop();
    }
  });

  it('rolls up once per interval across processes that share state', async () => {
    await insert([rec(T0 + 60_000)]);
    const interval = 15 * 60_000;
    let now = T0 + DAY;
    const state = new MemorySharedState(() => now);
    const clock = () => new Date(now);
    const a = new UsageRollupJob(db.prisma, state, clock, interval);
    const b = new UsageRollupJob(db.prisma, state, clock, interval);

    expect(await Promise.all([a.runOnce(), b.runOnce()])).toEqual([true, false]);
    expect((await rolledUpTo(db.prisma))?.getTime()).toBe(T0 + DAY - ROLLUP_LAG_MS);
    // Later in the same interval: still nobody.
    now += interval - 1;
    expect(await Promise.all([b.runOnce(), a.runOnce()])).toEqual([false, false]);
    // The next interval: one of them again, and it rolls up what has closed since.
    now += 1;
    expect(await Promise.all([b.runOnce(), a.runOnce()])).toEqual([true, false]);
    expect((await rolledUpTo(db.prisma))?.getTime()).toBe(T0 + DAY + interval - ROLLUP_LAG_MS);
  });

  it('rolls up without the lease when shared state cannot answer', async () => {
    await insert([rec(T0 + 60_000)]);
    const down = { reserve: () => Promise.reject(new Error('connection refused')) };
    const job = new UsageRollupJob(db.prisma, down, () => new Date(T0 + DAY), 300_000);
    expect(await job.runOnce()).toBe(true);
    expect((await rolledUpTo(db.prisma))?.getTime()).toBe(T0 + DAY - ROLLUP_LAG_MS);
  });

  it('property: equal to the raw aggregation for any records, roll-up instant, period, grouping and time zone', async () => {
    const minuteMs = 60_000;
    const SPAN = 2 * DAY;
    // Unbiased: fast-check's default bias toward small and extreme values piles everything up at the ends.
    const anyInstant = fc.noBias(fc.integer({ min: 0, max: SPAN - 1 }));
    const recArb = fc.record({
      org: fc.constantFrom(ORG, ORG, OTHER),
      // Any millisecond of two days, or a bucket edge and its neighbours.
      atMs: fc.oneof(
        anyInstant,
        fc
          .noBias(fc.integer({ min: 0, max: SPAN / (15 * minuteMs) }))
          .chain((q) => fc.constantFrom(q * 15 * minuteMs - 1, q * 15 * minuteMs, q * 15 * minuteMs + 1)),
      ),
      served: fc.constantFrom(null, 'gpt-4o', 'claude'),
      requested: fc.constantFrom('gpt-4o', 'claude', 'qwen'),
      currency: fc.constantFrom('USD' as const, 'CNY' as const),
      failed: fc.boolean(),
      prompt: fc.integer({ min: 0, max: 100_000 }),
      completion: fc.integer({ min: 0, max: 100_000 }),
      cached: fc.integer({ min: 0, max: 1_000 }),
      cost: fc.bigInt({ min: 0n, max: 10n ** 15n }),
    });
    // Periods and roll-up instants anywhere, or at / a millisecond off a record's own time (inside
    // partial buckets); roll-ups mostly late enough to cover most records.
    const near = (recs: { atMs: number }[]) =>
      fc.oneof(
        anyInstant,
        fc.constantFrom(...recs.map((r) => r.atMs)).chain((t) => fc.constantFrom(t - 1, t, t + 1)),
      );
    const scenario = fc
      .array(recArb, { minLength: 1, maxLength: 80, size: 'max' })
      .chain((recs) =>
        fc.tuple(
          fc.constant(recs),
          fc.oneof(near(recs), fc.noBias(fc.integer({ min: SPAN, max: SPAN + DAY }))),
          fc.option(near(recs), { nil: undefined, freq: 4 }),
          fc.option(near(recs), { nil: undefined, freq: 2 }),
          fc.constantFrom<UsageGrouping>('day', 'model', 'day_and_model'),
          fc.constantFrom('+08:00', '+00:00', '-05:30', '+05:45', '-10:00', '+14:00', '+05:07'),
        ),
      );
    await fc.assert(
      fc.asyncProperty(scenario, async ([recs, rollAt, from, to, groupBy, tz]) => {
        await reset();
        await insert(recs.map((r) => ({ ...r, atMs: T0 + Math.max(0, r.atMs) })));
        await rollUpUsage(db.prisma, new Date(T0 + rollAt + ROLLUP_LAG_MS));
        const f: UsageFilter = {
          ...(from !== undefined ? { from: new Date(T0 + from) } : {}),
          ...(to !== undefined ? { to: new Date(T0 + to) } : {}),
        };
        const { rolled, raw } = await both(owner(ORG), f, groupBy, tz);
        expect(rolled).toEqual(raw);
        const admin = await both(
          { kind: 'platform_admin', userId: null },
          { ...f, organizationId: OTHER },
          groupBy,
          tz,
        );
        expect(admin.rolled).toEqual(admin.raw);
      }),
      { numRuns: 60 },
    );
  });
});
