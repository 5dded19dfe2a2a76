import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

/** Each test gets its own key with its own plan assigned to it (the most specific assignment wins). */
describe('plans through the proxy (openai client, PostgreSQL + Redis)', () => {
  let g: Gateway;
  let n = 0;
  beforeAll(async () => {
    g = await startGateway();
    await g.fund(10_000_000_000n); // $10
  });
  afterAll(async () => g?.close());

  async function keyWithPlan(plan: Record<string, unknown>) {
    const s = g.t.app.services;
    const created = await s.plans.createPlan({
      code: `plan-${++n}-${Date.now()}`,
      name: `Plan ${n}`,
      kind: 'daily_limit',
      ...plan,
    } as any);
    const secret = await g.createKey({ name: `key ${n}`, scopes: ['INFERENCE'] });
    const key = await s.db.apiKey.findFirstOrThrow({ where: { name: `key ${n}` } });
    await s.plans.assignPlan({
      planId: created.id,
      organizationId: g.organizationId,
      subjectType: 'api_key',
      subjectId: key.id,
      effectiveFrom: new Date('2020-01-01T00:00:00Z'),
    });
    return { secret, keyId: key.id };
  }

  const call = (key: string, model = MODEL) =>
    g
      .client(key)
      .chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 })
      .withResponse()
      .then((r) => ({ ok: true as const, headers: r.response.headers, model: r.data.model }))
      .catch((e) => ({ ok: false as const, status: e.status as number, error: e.error, headers: e.headers }));

  it('block: 50 concurrent requests against a daily limit of 20 → exactly 20 pass, the rest get 429 saying which limit and when it resets', async () => {
    const { secret } = await keyWithPlan({ dailyLimits: [{ metric: 'requests', limitValue: 20n }] });
    const results = await Promise.all(Array.from({ length: 50 }, () => call(secret)));
    const passed = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(passed).toHaveLength(20);
    expect(refused.every((r) => !r.ok && r.status === 429)).toBe(true);
    const first = refused[0]!;
    if (first.ok) throw new Error('unreachable');
    expect(first.error.code).toBe('DAILY_LIMIT_EXCEEDED');
    expect(first.error.message).toMatch(
      /Daily requests limit of plan .* reached.*resets at \d{4}-\d{2}-\d{2}T16:00:00\.000Z/,
    );
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    const okHeaders = passed[0]!.headers;
    expect(okHeaders.get('x-tollgate-daily-limit')).toBe('20');
    expect(okHeaders.get('x-tollgate-daily-reset')).toMatch(/T16:00:00\.000Z$/);
    // The crossing is notified once (webhooks/email channels), not once per refused request.
    const reached = () =>
      g.t.app.services.db.notification.count({
        where: { type: 'daily_limit_reached', organizationId: g.organizationId },
      });
    await expect.poll(reached).toBe(1);
    // Failed admissions leave nothing held.
    expect(await g.requestHeld()).toBe(0n);
  });

  it('grace: allows the configured extra, marks it graced, then blocks', async () => {
    const { secret, keyId } = await keyWithPlan({
      overflowPolicy: 'grace',
      gracePercent: 40,
      dailyLimits: [{ metric: 'requests', limitValue: 5n }],
    });
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await call(secret));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true, true, true, false]);
    expect(results[5]!.headers.get('x-tollgate-graced')).toBe('true');
    await g.settled();
    const graced = await g.t.app.services.db.usageRecord.count({ where: { apiKeyId: keyId, graced: true } });
    expect(graced).toBe(2);
  });

  it('degrade: past the limit the request is served by the cheaper model, and the client is told', async () => {
    const { secret } = await keyWithPlan({
      overflowPolicy: 'degrade',
      degradeMap: { 'gpt-4o': MODEL },
      dailyLimits: [{ metric: 'requests', limitValue: 2n, model: 'gpt-4o' }],
    });
    const r1 = await call(secret, 'gpt-4o');
    const r2 = await call(secret, 'gpt-4o');
    const r3 = await call(secret, 'gpt-4o');
    expect([r1.ok, r2.ok, r3.ok]).toEqual([true, true, true]);
    expect(r2.headers.get('x-tollgate-degraded-from')).toBeNull();
    expect(r3.headers.get('x-tollgate-degraded-from')).toBe('gpt-4o');
    expect(r3.headers.get('x-tollgate-model')).toBe(MODEL);
    expect(g.upstream.requests.at(-1)!.body.model).toBe(MODEL);
    await g.settled();
    const usage = await g.t.app.services.db.usageRecord.findUniqueOrThrow({
      where: { requestId: r3.headers.get('x-request-id')! },
    });
    expect(usage).toMatchObject({ modelRequested: 'gpt-4o', degradedFrom: 'gpt-4o' });
  });
});
