import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RedisSharedState } from '../../../src/infra/redis-shared-state.ts';
import { type Gateway, MODEL, startGateway } from '../gateway/helpers.ts';
import { type OwnRedis, startOwnRedis } from '../../helpers/redis-server.ts';

const USD = 1_000_000_000n;
const SUB = 'subscription($id: ID!) { balanceChanged(walletId: $id) { reason } }';

describe('a Redis outage (own redis-server, stopped and started)', () => {
  let redis: OwnRedis;
  let state: RedisSharedState;
  let g: Gateway;

  beforeAll(async () => {
    redis = await startOwnRedis(57600 + (process.pid % 100));
    state = new RedisSharedState(redis.url, { keyPrefix: 'outage:' });
    g = await startGateway({ state });
    await g.fund(10n * USD);
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await redis?.stop();
  });

  /** A graphql-ws subscriber to the org wallet's balanceChanged; `received` fills as events arrive. */
  function subscriber() {
    const client = createClient({
      url: `${g.t.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${g.apiKey}` },
      retryAttempts: 0,
    });
    const received: string[] = [];
    const errors: unknown[] = [];
    client.subscribe(
      { query: SUB, variables: { id: g.orgWalletId } },
      {
        next: (msg) => received.push((msg.data as any)?.balanceChanged?.reason ?? JSON.stringify(msg)),
        error: (e) => errors.push(e),
        complete: () => {},
      },
    );
    return { client, received, errors };
  }

  /** Waits (polling) for a condition; a lost event shows up as this test's timeout. */
  async function until(check: () => boolean | Promise<boolean>) {
    while (!(await check())) await new Promise((r) => setTimeout(r, 25));
  }

  /** Resolves after the subscriber connection has failed its queued commands (MaxRetriesPerRequestError). */
  function commandsFailed() {
    let reconnects = 0;
    const count = () => {
      reconnects++;
    };
    state.subscriber.on('reconnecting', count);
    return until(() => reconnects >= 3).then(() => state.subscriber.off('reconnecting', count));
  }

  const chat = (key: string) =>
    fetch(`${g.t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 }),
    });

  it('keeps the gateway up: subscribers join and leave while Redis is down, requests without counters are served, requests that need Redis get 503 REDIS_UNAVAILABLE; all works again after', async () => {
    const limitedKey = await g.createKey({ name: 'limited', scopes: ['INFERENCE', 'READ'], rpmLimit: 1000 });
    // … and a daily limit, whose use GraphQL reports from its Redis counter.
    const s = g.t.app.services;
    const limited = await s.db.apiKey.findFirstOrThrow({
      where: { organizationId: g.organizationId, name: 'limited' },
    });
    const plan = await s.plans.createPlan({
      code: `outage-${limited.id.slice(-8)}`,
      name: 'outage',
      kind: 'daily_limit',
      dailyLimits: [{ metric: 'requests', limitValue: 1000n }],
    });
    await s.plans.assignPlan({
      planId: plan.id,
      organizationId: g.organizationId,
      subjectType: 'api_key',
      subjectId: limited.id,
      effectiveFrom: new Date('2020-01-01T00:00:00Z'),
    });
    const todayUsage = () =>
      fetch(`${g.t.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${limitedKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ todayUsage { limits { used } } }' }),
      });
    expect((await (await todayUsage()).json()).data.todayUsage.limits).toEqual([{ used: '0' }]);
    expect((await chat(g.apiKey)).status).toBe(200);
    expect((await chat(limitedKey)).status).toBe(200);

    const leaving = subscriber();
    await until(async () => {
      await g.fund(1n);
      return leaving.received.length > 0;
    });

    await redis.stop();
    // Leaving while Redis is down (the last subscriber of the channel: its UNSUBSCRIBE fails) …
    const failed = commandsFailed();
    leaving.client.dispose();
    await failed;
    // … and joining (its SUBSCRIBE fails): neither may end the process.
    const joining = subscriber();
    await commandsFailed();

    // A request that needs no limit counter does not need Redis.
    const served = await chat(g.apiKey);
    expect(served.status).toBe(200);
    // One that does is refused with a retryable 503 that says which dependency is down.
    const refused = await chat(limitedKey);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    const body = await refused.json();
    expect(body).toEqual({
      error: {
        message: 'Redis is unavailable; retry shortly',
        type: 'service_unavailable',
        code: 'REDIS_UNAVAILABLE',
        param: null,
      },
      request_id: refused.headers.get('x-request-id'),
    });

    // GraphQL says the same in its extensions.
    const gqlRefused = await todayUsage();
    expect(gqlRefused.headers.get('retry-after')).toBe('2');
    expect((await gqlRefused.json()).errors).toEqual([
      expect.objectContaining({
        message: 'Redis is unavailable; retry shortly',
        extensions: expect.objectContaining({
          code: 'REDIS_UNAVAILABLE',
          request_id: gqlRefused.headers.get('x-request-id'),
        }),
      }),
    ]);

    await redis.start();
    await until(async () => (await fetch(`${g.t.url}/readyz`)).status === 200);
    // The subscriber who joined during the outage is subscribed now, without doing anything.
    await until(async () => {
      await g.fund(1n);
      return joining.received.length > 0;
    });
    expect(joining.received[0]).toBe('grant');
    expect(joining.errors).toEqual([]);
    expect((await chat(limitedKey)).status).toBe(200);
    // Redis lost its data: the counter is rebuilt from usage_records (the requests before the outage).
    expect((await (await todayUsage()).json()).data.todayUsage.limits).toEqual([{ used: '2' }]);
    joining.client.dispose();
  }, 120_000);
});
