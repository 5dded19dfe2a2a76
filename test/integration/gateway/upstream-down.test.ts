import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

describe('LiteLLM down: the breaker fails fast with 503 and nothing stays held', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway({
      env: {
        CIRCUIT_BREAKER_CONSECUTIVE_FAILURES: '3',
        CIRCUIT_BREAKER_OPEN_MS: '1500',
        PROXY_CONNECT_TIMEOUT_MS: '500',
      },
    });
    await g.fund(1_000_000_000n);
  });
  afterAll(async () => g?.close());

  const ask = () =>
    g
      .client()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 20 })
      .then(() => ({ status: 200, code: null as string | null, retryAfter: null as string | null }))
      .catch((e) => ({
        status: e.status as number,
        code: e.error?.code as string,
        retryAfter: e.headers?.get('retry-after'),
      }));

  it('502 while the breaker counts failures, then 503 UPSTREAM_CIRCUIT_OPEN, then recovery', async () => {
    const before = await g.balance();
    for (let i = 0; i < 3; i++) g.upstream.next({ kind: 'reset' });
    const failures = [await ask(), await ask(), await ask()];
    expect(failures.map((f) => f.status)).toEqual([502, 502, 502]);

    const open = await ask();
    expect(open.status).toBe(503);
    expect(open.code).toBe('UPSTREAM_CIRCUIT_OPEN');
    expect(Number(open.retryAfter)).toBeGreaterThan(0);
    const ready = await (await fetch(`${g.t.url}/readyz`)).json();
    expect(ready.degraded).toBe(true);

    const w = await g.t.app.services.db.wallet.findUniqueOrThrow({ where: { id: g.orgWalletId } });
    expect(w.balanceNanos).toBe(before);
    expect(await g.requestHeld()).toBe(0n);

    await new Promise((r) => setTimeout(r, 1600));
    expect((await ask()).status).toBe(200); // the half-open probe succeeds and closes the breaker
    expect((await ask()).status).toBe(200);
  });
});
