import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

describe('a billed request is queued for Lago in the same transaction as its usage record', () => {
  let g: Gateway;
  beforeAll(async () => {
    // Lago is configured but unreachable here: deliveries wait in the outbox, which is the point.
    g = await startGateway({ env: { LAGO_API_URL: 'http://127.0.0.1:9', LAGO_API_KEY: 'lago-test-key' } });
    await g.fund(1_000_000_000n);
  });
  afterAll(async () => g?.close());

  it('enqueues exactly one lago.usage delivery per billed request and none for a failed one', async () => {
    const { response } = await g
      .client()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 50 })
      .withResponse();
    g.upstream.next({ kind: 'status', status: 500 });
    await g
      .client()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'y' }] })
      .catch(() => {});
    await g.settled();
    const db = g.t.app.services.db;
    const record = await db.usageRecord.findUniqueOrThrow({
      where: { requestId: response.headers.get('x-request-id')! },
    });
    const rows = await db.outboxMessage.findMany({ where: { topic: 'lago.usage' } });
    expect(rows.map((r) => r.payload)).toEqual([{ usageRecordId: record.id }]);
    expect(rows[0]!.requestId).toBe(record.requestId);
  });
});
