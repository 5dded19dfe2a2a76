/**
 * Daily-limit benchmark: admit+commit pairs per second and pair latency (p50/p99) against Redis
 * counters, for one hot subject (every request on the same counters) and spread over 100 subjects,
 * at concurrency 1 and 32; and priceFor lookups per second from the in-process cache.
 *
 *   npx tsx bench/plans.ts     (TEST_DATABASE_URL / TEST_REDIS_URL or the npm-test ones on :55432 / :56379)
 *   PLANS_BENCH_PAIRS=4000 npx tsx bench/plans.ts
 */
import { openThrowawayPostgres } from '../testkit/db.ts';
import { randomBytes } from 'node:crypto';
import { RedisSharedState } from '../src/infra/redis-shared-state.ts';
import { newId } from '../src/lib/ids.ts';
import { createPlanServices } from '../src/plans/wiring.ts';
import { createSharedPubSub } from '../src/pubsub.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://tollgate@127.0.0.1:55432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:56379';
const PAIRS = Number(process.env.PLANS_BENCH_PAIRS ?? 2000);

const pct = (s: number[], p: number) =>
  s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;

const db = await openThrowawayPostgres(ADMIN_URL, { poolSize: 20, prefix: 'tollgate_bench' });
const state = new RedisSharedState(REDIS_URL, { keyPrefix: `bench${randomBytes(3).toString('hex')}:` });
const now = new Date('2026-03-10T04:00:00Z');
const s = createPlanServices({ db: db.prisma, state, pubsub: createSharedPubSub(state), clock: () => now });

await s.pricing.createRule({
  modelPattern: 'gpt-4o-mini',
  currency: 'USD',
  baseNanosPerToken: 150n,
  outputMultiplierPpm: 4_000_000n,
  effectiveFrom: new Date('2026-01-01T00:00:00Z'),
});
const plan = await s.plans.createPlan({
  code: 'bench',
  name: 'bench',
  kind: 'daily_limit',
  dailyLimits: [
    { metric: 'requests', limitValue: 10_000_000n },
    { metric: 'cost', limitValue: 1_000_000_000_000n, currency: 'USD' },
  ],
});
const subjects: { organizationId: string }[] = [];
for (let i = 0; i < 100; i++) {
  const organizationId = newId('org');
  await db.prisma.organization.create({ data: { id: organizationId, name: 'b', slug: organizationId } });
  await s.plans.assignPlan({
    planId: plan.id,
    organizationId,
    subjectType: 'organization',
    subjectId: organizationId,
    effectiveFrom: new Date('2026-01-01T00:00:00Z'),
  });
  subjects.push({ organizationId });
}

async function run(scenario: string, concurrency: number, spread: boolean) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < PAIRS) {
        const i = next++;
        const ids = subjects[spread ? i % subjects.length : 0]!;
        const t0 = performance.now();
        const d = await s.dailyLimits.admit({
          ...ids,
          model: 'gpt-4o-mini',
          currency: 'USD',
          estimatedCostNanos: 785_100n,
          estimatedTokens: 2234,
        });
        await s.dailyLimits.commit(d.reservation, { costNanos: 510_300n, tokens: 1801 });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    scenario,
    concurrency,
    pairs: PAIRS,
    pairsPerSec: Math.round(PAIRS / seconds),
    p50Ms: +pct(latencies, 50).toFixed(2),
    p99Ms: +pct(latencies, 99).toFixed(2),
  };
}

const rows = [];
for (const concurrency of [1, 32]) {
  rows.push(await run('hot subject', concurrency, false));
  rows.push(await run('100 subjects', concurrency, true));
}
console.table(rows);

const lookups = 200_000;
const t0 = performance.now();
for (let i = 0; i < lookups; i++)
  await s.pricing.priceFor({ model: 'gpt-4o-mini', currency: 'USD', at: now });
console.log(`priceFor (cached): ${Math.round(lookups / ((performance.now() - t0) / 1000))} lookups/s`);

await state.close();
await db.close();
