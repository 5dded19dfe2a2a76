/**
 * API key authentication benchmark: the proxy calls ApiKeyService.authenticate on every request.
 * Measures the cached path (one SHA-256 + one Map lookup) and the uncached path (two indexed
 * PostgreSQL reads), as calls per second and p50/p99 latency.
 *
 *   npx tsx bench/api-keys.ts     (TEST_DATABASE_URL or the npm-test PostgreSQL on :55432)
 *   API_KEY_BENCH_CALLS=200000 npx tsx bench/api-keys.ts
 */
import { openThrowawayPostgres } from '../testkit/db.ts';
import { performance } from 'node:perf_hooks';
import { ApiKeyService, generateApiKeySecret } from '../src/identity/api-keys.ts';
import { MemorySharedState } from '../src/infra/memory-shared-state.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://tollgate@127.0.0.1:55432/postgres';
const CALLS = Number(process.env.API_KEY_BENCH_CALLS ?? 100_000);
const KEYS = 1000;

const pct = (s: number[], p: number) =>
  s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;

const db = await openThrowawayPostgres(ADMIN_URL, { poolSize: 10, prefix: 'tollgate_bench' });
try {
  await db.prisma.organization.create({ data: { id: 'org_bench', name: 'bench', slug: 'bench' } });
  await db.prisma.user.create({ data: { id: 'user_bench', email: 'bench@bench.test' } });
  await db.prisma.membership.create({
    data: { id: 'mem_bench', organizationId: 'org_bench', userId: 'user_bench', role: 'member' },
  });
  const secrets: string[] = [];
  for (let i = 0; i < KEYS; i++) {
    const k = generateApiKeySecret();
    secrets.push(k.secret);
    await db.prisma.apiKey.create({
      data: {
        id: `key_bench_${i}`,
        organizationId: 'org_bench',
        userId: 'user_bench',
        name: 'b',
        prefix: k.prefix,
        hash: k.hash,
        scopes: ['inference'],
        lastUsedAt: new Date(),
      },
    });
  }
  const run = async (label: string, cacheTtlMs: number, calls: number) => {
    const svc = new ApiKeyService({
      db: db.prisma,
      state: new MemorySharedState(),
      clock: () => new Date(),
      cacheTtlMs,
    });
    for (const s of secrets) await svc.authenticate(s); // warm
    const lat: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) {
      const a = performance.now();
      await svc.authenticate(secrets[i % KEYS]!);
      lat.push(performance.now() - a);
    }
    const elapsed = performance.now() - t0;
    lat.sort((x, y) => x - y);
    process.stdout.write(
      `${label}: ${calls} calls, ${Math.round((calls / elapsed) * 1000)}/s, p50 ${(pct(lat, 50) * 1000).toFixed(1)} µs, p99 ${(pct(lat, 99) * 1000).toFixed(1)} µs\n`,
    );
  };
  await run('cached (TTL 30 s)', 30_000, CALLS);
  await run('uncached (TTL 0, database every call)', 0, Math.min(CALLS, 2000));
} finally {
  await db.close();
}
