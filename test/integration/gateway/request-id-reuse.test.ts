import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { bootstrap } from '../../../src/resolvers/identity/bootstrap.ts';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

const COST = 5_625n;

describe('a client-chosen X-Request-ID that is reused', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
    await g.fund(1_000_000_000n);
  });
  afterAll(async () => g?.close());

  const ask = (requestId: string, max_tokens = 50) =>
    g
      .client()
      .chat.completions.create(
        { model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens },
        { headers: { 'x-request-id': requestId } },
      )
      .then(() => ({ status: 200, code: null as string | null }))
      .catch((e) => ({ status: e.status as number, code: e.error?.code as string }));

  it('is refused with 409 before anything is forwarded, and never gets a request for free', async () => {
    const before = await g.balance();
    expect(await ask('client-id-1')).toEqual({ status: 200, code: null });
    const upstreamCalls = g.upstream.requests.length;
    expect(await ask('client-id-1')).toEqual({ status: 409, code: 'REQUEST_ID_REUSED' });
    expect(await ask('client-id-1', 60)).toEqual({ status: 409, code: 'REQUEST_ID_REUSED' });
    expect(g.upstream.requests.length).toBe(upstreamCalls);
    expect(await g.balance()).toBe(before - COST);
    expect(await ask('client-id-2')).toEqual({ status: 200, code: null });
    expect(await g.balance()).toBe(before - 2n * COST);
  });

  it('keeps both usage records when two organizations choose the same id', async () => {
    const s = g.t.app.services;
    const other = await bootstrap(s, { org: 'Other Org', email: 'other@org.test' });
    const wallet = await s.ledger.ensureWallet({
      organizationId: other.organizationId,
      ownerType: 'organization',
      ownerId: other.organizationId,
      currency: 'USD',
    });
    await s.ledger.grant({
      walletId: wallet.id,
      amountNanos: 1_000_000_000n,
      idempotencyKey: 'other-fund',
      description: 'test',
    });
    const otherClient = new OpenAI({ apiKey: other.apiKey, baseURL: `${g.t.url}/v1`, maxRetries: 0 });
    expect(await ask('shared-id')).toEqual({ status: 200, code: null });
    await otherClient.chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 50 },
      { headers: { 'x-request-id': 'shared-id' } },
    );
    await g.settled();
    const records = await s.db.usageRecord.findMany({ where: { requestId: { startsWith: 'shared-id' } } });
    expect(records.map((r) => r.organizationId).sort()).toEqual(
      [g.organizationId, other.organizationId].sort(),
    );
    expect(records.every((r) => r.costNanos === COST)).toBe(true);
  });
});
