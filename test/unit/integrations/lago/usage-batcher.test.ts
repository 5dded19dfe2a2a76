import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLagoApi } from '../../../../src/integrations/lago/client.ts';
import { LagoUsageBatcher, type LagoUsageEvent } from '../../../../src/integrations/lago/usage.ts';
import { LagoDouble } from '../../../doubles/lago/server.ts';

const event = (tx: string): LagoUsageEvent => ({
  transaction_id: tx,
  external_subscription_id: 'user:u:EUR:usage',
  code: 'llm_usage',
  timestamp: 1_795_514_400,
  precise_total_amount_cents: '1.5',
  properties: { model: 'm', prompt_tokens: '1', completion_tokens: '2', total_tokens: '3', cost: '0.015' },
});

describe('LagoUsageBatcher', () => {
  let lago: LagoDouble;
  let batcher: LagoUsageBatcher;
  beforeAll(async () => {
    lago = new LagoDouble();
    await lago.start();
    const api = createLagoApi({ apiUrl: lago.url, apiKey: lago.apiKey, timeoutMs: 5_000 });
    batcher = new LagoUsageBatcher({ api }, { batchSize: 3, lingerMs: 5 });
  });
  afterAll(async () => {
    expect(lago.specViolations).toEqual([]);
    await lago.close();
  });

  it('sends concurrent submissions as one batch, and splits at the batch size', async () => {
    const before = lago.calls.length;
    await Promise.all(['a1', 'a2', 'a3', 'a4'].map((tx) => batcher.submit(event(tx))));
    const batches = lago.calls.slice(before).filter((c) => c.path.endsWith('/events/batch'));
    expect(batches.map((c) => c.outcome)).toEqual([200, 200]);
    expect(
      lago
        .listEvents()
        .map((e) => e.transaction_id)
        .sort(),
    ).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('treats duplicates in a rejected batch as delivered and resends the rest', async () => {
    const before = lago.calls.length;
    await Promise.all(['b1', 'a2', 'b2'].map((tx) => batcher.submit(event(tx))));
    const batches = lago.calls.slice(before).filter((c) => c.path.endsWith('/events/batch'));
    expect(batches.map((c) => c.outcome)).toEqual([422, 200]);
    expect(lago.listEvents()).toHaveLength(6);
  });

  it('fails every submission of a batch that got no answer, and the retry then succeeds as duplicates', async () => {
    lago.failures = { rate: 1, afterEffectShare: 1, hangMs: 10 };
    const results = await Promise.allSettled(['c1', 'c2'].map((tx) => batcher.submit(event(tx))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(lago.listEvents().map((e) => e.transaction_id)).toEqual(expect.arrayContaining(['c1', 'c2']));
    lago.failures = { rate: 0 };
    await Promise.all(['c1', 'c2'].map((tx) => batcher.submit(event(tx))));
    expect(lago.listEvents()).toHaveLength(8);
  });
});
