import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp, testRedisState } from '../../helpers/app.ts';
import type { openTestDatabase } from '../../helpers/db.ts';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

/**
 * Two gateway instances (separate connection pools, separate Redis connections, separate caches)
 * on one PostgreSQL database and one Redis keyspace, as two replicas would run.
 */
describe('two gateways on one PostgreSQL and Redis', () => {
  let g: Gateway;
  let second: TestApp;
  let secondDb: Awaited<ReturnType<typeof openTestDatabase>>;
  const clients: OpenAI[] = [];

  beforeAll(async () => {
    const prefix = `tg2-${randomBytes(4).toString('hex')}:`;
    g = await startGateway({ upstream: { serviceTimeMs: 100 }, state: testRedisState(prefix) });
    // A second database handle on the same PostgreSQL database: its own pool, like another process.
    const { openDatabase } = await import('../../../src/db/client.ts');
    const other = await openDatabase({ url: g.db.url!, poolSize: 20 });
    secondDb = { ...other, url: g.db.url } as any;
    second = await startTestApp(secondDb, {
      state: testRedisState(prefix),
      env: { LITELLM_URL: g.upstream.url, LITELLM_MASTER_KEY: 'sk-double-master', LITELLM_SYNC_MODE: 'none' },
    });
    clients.push(g.client(), new OpenAI({ apiKey: g.apiKey, baseURL: `${second.url}/v1`, maxRetries: 0 }));
  });
  afterAll(async () => {
    await second?.close();
    await secondDb?.close();
    await g?.close();
  });

  const ask = (i: number, maxTokens = 10) =>
    clients[i % 2]!.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'q' }],
      max_tokens: maxTokens,
    })
      .then(() => 200)
      .catch((e) => e.status as number);

  it('never overspends one wallet with requests spread over both', async () => {
    await g.fund(10_000_000n);
    expect(await ask(0)).toBe(200);
    const hold = await g.t.app.services.db.hold.findFirstOrThrow({
      where: { idempotencyKey: { startsWith: 'req:' } },
      orderBy: { createdAt: 'desc' },
    });
    const perRequest = 10_000_000n - (await g.balance());
    await g.t.app.services.ledger.adjust({
      walletId: g.orgWalletId,
      amountNanos: -(await g.balance()),
      idempotencyKey: 'empty',
      description: 'test: empty the wallet',
    });
    await g.fund(hold.amountNanos * 30n);

    const results = await Promise.all(Array.from({ length: 80 }, (_, i) => ask(i)));
    const ok = results.filter((s) => s === 200).length;
    expect(ok).toBeGreaterThanOrEqual(30);
    expect(results.filter((s) => s !== 200).every((s) => s === 402)).toBe(true);
    // Both gateways post after answering: wait for both before reading the wallet.
    await Promise.all([g.settled(), second.app.settled()]);
    const w = await g.t.app.services.db.wallet.findUniqueOrThrow({ where: { id: g.orgWalletId } });
    expect(w.balanceNanos).toBe(hold.amountNanos * 30n - BigInt(ok) * perRequest);
    expect(w.balanceNanos).toBeGreaterThanOrEqual(0n);
    expect(await g.requestHeld()).toBe(0n);
    expect((await g.t.app.services.ledger.checkConsistency()).ok).toBe(true);
  });

  it('enforces one daily limit exactly across both', async () => {
    const s = g.t.app.services;
    await g.fund(5_000_000_000n);
    // The counter is rebuilt from today's usage records, so earlier requests count: allow 15 more
    // (once every earlier request's record is written).
    await Promise.all([g.settled(), second.app.settled()]);
    const earlier = await s.db.usageRecord.count({
      where: { organizationId: g.organizationId, status: { not: 'failed' } },
    });
    const plan = await s.plans.createPlan({
      code: `shared-${Date.now()}`,
      name: 'Shared limit',
      kind: 'daily_limit',
      dailyLimits: [{ metric: 'requests', limitValue: BigInt(earlier + 15) }],
    });
    await s.plans.assignPlan({
      planId: plan.id,
      organizationId: g.organizationId,
      subjectType: 'organization',
      subjectId: g.organizationId,
      effectiveFrom: new Date('2020-01-01T00:00:00Z'),
    });
    // The second gateway caches effective plans; a plan write invalidates every process's cache.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => ask(i, 10)));
    expect(results.filter((r) => r === 200)).toHaveLength(15);
    expect(results.filter((r) => r === 429)).toHaveLength(25);
  });
});

describe('wallet leases across two gateways', () => {
  let g: Gateway;
  let second: TestApp;
  let secondDb: Awaited<ReturnType<typeof openTestDatabase>>;
  let clients: OpenAI[];

  beforeAll(async () => {
    const prefix = `tg2l-${randomBytes(4).toString('hex')}:`;
    g = await startGateway({ state: testRedisState(prefix) });
    const { openDatabase } = await import('../../../src/db/client.ts');
    secondDb = { ...(await openDatabase({ url: g.db.url! })), url: g.db.url } as any;
    second = await startTestApp(secondDb, {
      state: testRedisState(prefix),
      env: {
        LITELLM_URL: g.upstream.url,
        LITELLM_MASTER_KEY: 'sk-double-master',
        LITELLM_SYNC_MODE: 'none',
        // Generous for a loaded CI machine; the default is 250 ms.
        ADMISSION_LEASE_GIVE_BACK_WAIT_MS: '5000',
      },
    });
    clients = [g.client(), new OpenAI({ apiKey: g.apiKey, baseURL: `${second.url}/v1`, maxRetries: 0 })];
  });
  afterAll(async () => {
    await second?.close();
    await secondDb?.close();
    await g?.close();
  });

  const ask = (gateway: 0 | 1) =>
    clients[gateway]!.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'q' }],
      max_tokens: 10,
    })
      .then(() => 200)
      .catch((e) => e.status as number);

  it('a request short of money on one waits for the other to give back its lease, and is served', async () => {
    const s = g.t.app.services;
    await g.fund(1_000_000_000n);
    expect(await ask(0)).toBe(200);
    const lease = () =>
      s.db.hold.findFirst({
        where: { walletId: g.orgWalletId, status: 'active', idempotencyKey: { startsWith: 'lease:' } },
      });
    await expect.poll(async () => (await lease())?.amountNanos ?? 0n).toBeGreaterThan(0n);
    const estimate = (await s.db.hold.findFirstOrThrow({ where: { idempotencyKey: { startsWith: 'req:' } } }))
      .amountNanos;
    // Leave less than one estimate outside the first gateway's lease.
    await g.settled();
    const w = await s.db.wallet.findUniqueOrThrow({ where: { id: g.orgWalletId } });
    await s.ledger.adjust({
      walletId: g.orgWalletId,
      amountNanos: -(w.balanceNanos - w.heldNanos - estimate / 2n),
      idempotencyKey: 'leave-half-an-estimate',
      description: 'test: leave the money in the lease',
    });
    // The money sits in the first gateway's lease: the second asks for it back and waits for it.
    const first = (await lease())!;
    expect(await ask(1)).toBe(200);
    // Idle, the first gateway's lease is released altogether.
    await expect
      .poll(async () => (await s.db.hold.findUniqueOrThrow({ where: { id: first.id } })).status)
      .toBe('released');
    await g.settled();
    await second.app.settled();
    expect((await s.ledger.checkConsistency()).ok).toBe(true);
  });
});
