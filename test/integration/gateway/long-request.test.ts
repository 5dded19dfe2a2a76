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
});
