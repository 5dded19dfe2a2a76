import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../../src/resolvers/identity/bootstrap.ts';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

// Finding 5 of issue 15: the settle of a request took the request id from the async context it
// ran in, which for a response read off a pooled upstream connection is the context of whichever
// request opened that connection — another request, sometimes of another organization.
describe('every row a request writes carries its own request id', () => {
  let g: Gateway;
  const tenants: { organizationId: string; apiKey: string }[] = [];
  beforeAll(async () => {
    // Per-request holds (no leases): each request's own settle statement writes its id.
    g = await startGateway({ env: { ADMISSION_LEASES: 'false', PROXY_POOL_CONNECTIONS: '2' } });
    await g.fund(10_000_000_000n);
    tenants.push({ organizationId: g.organizationId, apiKey: g.apiKey });
    const s = g.t.app.services;
    const other = await bootstrap(s, { org: 'Second tenant', email: `b${Date.now()}@acme.test` });
    const wallet = await s.ledger.ensureWallet({
      organizationId: other.organizationId,
      ownerType: 'organization',
      ownerId: other.organizationId,
      currency: 'USD',
    });
    await s.ledger.grant({
      walletId: wallet.id,
      amountNanos: 10_000_000_000n,
      idempotencyKey: 'fund-b',
      description: 'test funds',
    });
    tenants.push({ organizationId: other.organizationId, apiKey: other.apiKey });
  });
  afterAll(async () => g?.close());

  it('two tenants at once, streaming and not: ledger transactions, holds and usage records name the answered request', async () => {
    const answered = new Map<string, string>(); // request id → organization
    const one = async (tenant: (typeof tenants)[number], i: number) => {
      const client = g.client(tenant.apiKey);
      const stream = i % 2 === 0;
      if (stream) {
        const { data, response } = await client.chat.completions
          .create({
            model: MODEL,
            messages: [{ role: 'user', content: `s${i}` }],
            stream: true,
            max_tokens: 20,
          })
          .withResponse();
        for await (const _ of data);
        answered.set(response.headers.get('x-request-id')!, tenant.organizationId);
      } else {
        const { response } = await client.chat.completions
          .create({ model: MODEL, messages: [{ role: 'user', content: `n${i}` }], max_tokens: 20 })
          .withResponse();
        answered.set(response.headers.get('x-request-id')!, tenant.organizationId);
      }
    };
    await Promise.all(Array.from({ length: 48 }, (_, i) => one(tenants[i % 2]!, i)));
    await g.settled();
    expect(answered.size).toBe(48);

    const db = g.t.app.services.db;
    const usage = await db.usageRecord.findMany({
      select: { requestId: true, organizationId: true, holdId: true },
    });
    expect(usage).toHaveLength(48);
    for (const u of usage) expect(answered.get(u.requestId)).toBe(u.organizationId);

    const holds = await db.hold.findMany({ where: { id: { in: usage.map((u) => u.holdId ?? '') } } });
    for (const h of holds) expect(usage.find((u) => u.holdId === h.id)?.requestId).toBe(h.requestId);

    const txs = await db.ledgerTransaction.findMany({ where: { reason: 'usage' } });
    expect(txs).toHaveLength(48);
    const byHold = new Map(usage.map((u) => [u.holdId, u.requestId]));
    for (const tx of txs) {
      const holdId = (tx.metadata as { holdId?: string }).holdId!;
      expect(tx.requestId).toBe(byHold.get(holdId));
    }
  });
});
