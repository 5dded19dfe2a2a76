import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

describe('a request that outlives its hold', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway({
      upstream: { serviceTimeMs: 1_500 },
      env: { HOLD_TTL_MS: '1000', HOLD_SWEEPER_ENABLED: 'false' },
    });
    await g.fund(1_000_000_000n);
  });
  afterAll(async () => g?.close());

  it('is still charged exactly once when the sweeper released its hold mid-request', async () => {
    const before = await g.balance();
    const pending = g
      .client()
      .chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'slow' }],
        max_tokens: 50,
      })
      .withResponse();
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await g.t.app.services.ledger.sweepExpiredHolds()).toHaveLength(1);
    const { response } = await pending;
    expect(response.headers.get('x-tollgate-cost-nanos')).toBe('5625');
    expect(await g.balance()).toBe(before - 5_625n);
    const usage = await g.t.app.services.db.usageRecord.findUniqueOrThrow({
      where: { requestId: response.headers.get('x-request-id')! },
    });
    expect(usage.costNanos).toBe(5_625n);
    expect((await g.t.app.services.ledger.checkConsistency()).ok).toBe(true);
  });

  it('releases cleanly when the sweeper got there first, leaving no reservation behind', async () => {
    const key = await g.createKey({
      name: 'capped-slow',
      scopes: ['inference'],
      dailyCapNanos: '40000',
      budgetCurrency: 'USD',
    });
    g.upstream.next({ kind: 'status', status: 500 });
    const pending = g
      .client(key)
      .chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'slow' }],
        max_tokens: 50,
      })
      .catch((e) => e.status as number);
    await new Promise((r) => setTimeout(r, 1_200));
    await g.t.app.services.ledger.sweepExpiredHolds();
    expect(await pending).toBe(500);
    // Had the estimate leaked into the daily cap, this would be refused.
    const next = await g
      .client(key)
      .chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'again' }],
        max_tokens: 50,
      })
      .then(() => 200)
      .catch((e) => e.status as number);
    expect(next).toBe(200);
  });

  it('charges the request even when the ledger drops the first settle attempt', async () => {
    // A request is posted with settle (its own hold) or captureFromHold (a wallet lease): drop the first of either.
    const ledger = g.t.app.services.ledger;
    const original = ledger.settle.bind(ledger);
    const originalCapture = ledger.captureFromHold.bind(ledger);
    let failures = 0;
    ledger.settle = async (input) => {
      if (failures++ === 0) throw new Error('connection terminated unexpectedly');
      return original(input);
    };
    ledger.captureFromHold = async (input) => {
      if (failures++ === 0) throw new Error('connection terminated unexpectedly');
      return originalCapture(input);
    };
    try {
      const before = await g.balance();
      await g.client().chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'q' }],
        max_tokens: 50,
      });
      expect(await g.balance()).toBe(before - 5_625n);
      expect(failures).toBe(2);
    } finally {
      ledger.settle = original;
      ledger.captureFromHold = originalCapture;
    }
  });
});
