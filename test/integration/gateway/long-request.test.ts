import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

describe('a request that outlives its hold', () => {
  let g: Gateway;
  // The gateway's clock: moved past the hold's TTL while LiteLLM (gated) still holds the request,
  // so "outlives" does not depend on how fast a loaded machine gets there.
  let aheadMs = 0;
  beforeAll(async () => {
    g = await startGateway({
      clock: () => new Date(Date.now() + aheadMs),
      env: { HOLD_TTL_MS: '1000', HOLD_SWEEPER_ENABLED: 'false' },
    });
    await g.fund(1_000_000_000n);
  });
  afterAll(async () => g?.close());

  /** Resolves once the upstream has the request (so its hold is placed); `release` lets it answer. */
  async function upstreamHolds(then?: Parameters<Gateway['upstream']['next']>[0]) {
    let release!: () => void;
    const gated = g.upstream.gated;
    g.upstream.next({
      kind: 'gate',
      release: new Promise<void>((r) => (release = r)),
      ...(then ? { then } : {}),
    });
    return {
      received: () => vi.waitFor(() => expect(g.upstream.gated).toBe(gated + 1), { timeout: 30_000 }),
      release: () => release(),
    };
  }
  const outliveHold = () => (aheadMs += 2_000);

  it('is still charged exactly once when the sweeper released its hold mid-request', async () => {
    const before = await g.balance();
    const upstream = await upstreamHolds();
    const pending = g
      .client()
      .chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'slow' }],
        max_tokens: 50,
      })
      .withResponse();
    await upstream.received();
    outliveHold();
    const swept = await g.t.app.services.ledger.sweepExpiredHolds();
    upstream.release();
    expect(swept).toHaveLength(1);
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
      scopes: ['INFERENCE'],
      dailyCapNanos: '40000',
      budgetCurrency: 'USD',
    });
    const upstream = await upstreamHolds({ kind: 'status', status: 500 });
    const pending = g
      .client(key)
      .chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'slow' }],
        max_tokens: 50,
      })
      .catch((e) => e.status as number);
    await upstream.received();
    outliveHold();
    await g.t.app.services.ledger.sweepExpiredHolds();
    upstream.release();
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
      // Postings land after the answer (SETTLEMENT_LINGER_MS), the retry after the dropped first attempt.
      await expect.poll(() => g.balance(), { timeout: 20_000 }).toBe(before - 5_625n);
      // The dropped attempt and its retry (grouped captures may add a call of their own); charged once.
      expect(failures).toBeGreaterThanOrEqual(2);
      expect(await g.balance()).toBe(before - 5_625n);
    } finally {
      ledger.settle = original;
      ledger.captureFromHold = originalCapture;
    }
  });
});
