import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

const COST = 5_625n; // what one request costs at the double's usage (see billing.test.ts)

describe('per-key budget and daily cap, enforced at admission', () => {
  let g: Gateway;
  let estimate: bigint;
  beforeAll(async () => {
    g = await startGateway();
    await g.fund(1_000_000_000n);
    await g
      .client()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'b' }], max_tokens: 50 });
    estimate = (
      await g.t.app.services.db.hold.findFirstOrThrow({
        where: { idempotencyKey: { startsWith: 'req:' } },
        orderBy: { createdAt: 'desc' },
      })
    ).amountNanos;
  });
  afterAll(async () => g?.close());

  const ask = (key: string) =>
    g
      .client(key)
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'b' }], max_tokens: 50 })
      .then(() => ({ status: 200, code: null as string | null }))
      .catch((e) => ({ status: e.status as number, code: e.error?.code as string }));

  it('refuses the request that could take the key past its budget, and a raised budget applies at once', async () => {
    // Room for two settled requests plus one more estimate, minus one nano: the third must be refused.
    const budget = 2n * COST + estimate - 1n;
    const key = await g.createKey({
      name: 'budgeted',
      scopes: ['INFERENCE'],
      budgetNanos: String(budget),
      budgetCurrency: 'USD',
    });
    // Ledger postings land after the answer; make them slow so the next request is admitted while
    // the previous one is still unposted. The key's counter must already hold its charge, not its estimate.
    const ledger = g.t.app.services.ledger;
    const slow =
      <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
      async (...a: A) => {
        await new Promise((r) => setTimeout(r, 300));
        return fn(...a);
      };
    const { captureFromHold, settle } = ledger;
    ledger.captureFromHold = slow(captureFromHold.bind(ledger));
    ledger.settle = slow(settle.bind(ledger));
    try {
      expect(await ask(key)).toEqual({ status: 200, code: null });
      expect(await ask(key)).toEqual({ status: 200, code: null });
      const refused = await ask(key);
      expect(refused).toEqual({ status: 402, code: 'KEY_BUDGET_EXCEEDED' });
    } finally {
      ledger.captureFromHold = captureFromHold;
      ledger.settle = settle;
    }
    await g.settled();

    const row = await g.t.app.services.db.apiKey.findFirstOrThrow({ where: { name: 'budgeted' } });
    const upd = await g.t.gql(
      'mutation($i: UpdateApiKeyInput!) { updateApiKey(input: $i) { id } }',
      { i: { id: row.id, budgetNanos: String(budget + COST) } },
      { token: g.apiKey },
    );
    expect(upd.errors).toBeUndefined();
    expect((await ask(key)).status).toBe(200);
  });

  it('applies a daily cap with 429 and the reset time', async () => {
    const key = await g.createKey({
      name: 'capped',
      scopes: ['INFERENCE'],
      dailyCapNanos: String(COST + estimate - 1n),
      budgetCurrency: 'USD',
    });
    expect((await ask(key)).status).toBe(200);
    expect(await ask(key)).toEqual({ status: 429, code: 'KEY_DAILY_CAP_EXCEEDED' });
  });
});
