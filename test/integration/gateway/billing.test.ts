import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

// The double reports prompt 11 (3 of them cached) + completion 7 tokens. At $0.15/1M input,
// ×0.5 cached, ×4 output: 8·150 + 3·75 + 7·600 = 5,625 nano-dollars, exactly.
const EXPECTED_COST = 5_625n;

describe('proxy billing end to end (openai client → Tollgate → LiteLLM double, PostgreSQL + Redis)', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
    await g.fund(1_000_000_000n); // $1
  });
  afterAll(async () => g?.close());

  it('bills a non-streamed call at the exact cost and says so in headers', async () => {
    const before = await g.balance();
    const { data, response } = await g
      .client()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 50 })
      .withResponse();
    expect(data.choices[0]?.message.content).toBeTruthy();
    expect(response.headers.get('x-tollgate-cost-nanos')).toBe(String(EXPECTED_COST));
    expect(response.headers.get('x-tollgate-cost')).toBe('0.000005625');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await g.balance()).toBe(before - EXPECTED_COST);
    const usage = await g.t.app.services.db.usageRecord.findUniqueOrThrow({
      where: { requestId: response.headers.get('x-request-id')! },
    });
    expect(usage).toMatchObject({
      status: 'succeeded',
      costNanos: EXPECTED_COST,
      promptTokens: 11,
      completionTokens: 7,
      cachedTokens: 3,
      estimated: false,
      modelRequested: MODEL,
      userId: g.userId,
    });
  });

  it('bills a streamed call at the exact cost from the usage chunk, which the client did not ask for', async () => {
    const before = await g.balance();
    const stream = await g.client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      max_tokens: 50,
    });
    let text = '';
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe('Hello from the double.');
    expect(sawUsage).toBe(false); // stripped: the client did not ask for include_usage
    const upstreamBody = g.upstream.requests.at(-1)!.body;
    expect(upstreamBody.stream_options).toEqual({ include_usage: true });
    // Settlement happens right after the last byte; give it a moment.
    for (let i = 0; i < 50 && (await g.balance()) === before; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await g.balance()).toBe(before - EXPECTED_COST);
  });

  it('always sends the Tollgate user upstream, whatever the client puts in `user`', async () => {
    await g.client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      user: 'someone-else',
      max_tokens: 5,
    });
    const last = g.upstream.requests.at(-1)!;
    expect(last.body.user).toBe(g.userId);
    expect(last.headers['x-litellm-end-user-id']).toBe(g.userId);
    expect(last.headers.authorization).toBe('Bearer sk-double-master');
  });

  it('refuses a model outside the key allowlist with 403 and holds nothing', async () => {
    const key = await g.createKey({ name: 'mini only', scopes: ['INFERENCE'], modelAllowlist: [MODEL] });
    const heldBefore = await g.requestHeld();
    const err = await g
      .client(key)
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(err.status).toBe(403);
    expect(err.error.code).toBe('MODEL_NOT_ALLOWED');
    const models = await g.client(key).models.list();
    expect(models.data.map((m) => m.id)).toEqual([MODEL]);
    expect(await g.requestHeld()).toBe(heldBefore);
  });

  it('answers 401 in OpenAI shape for unknown and missing keys', async () => {
    const err = await g
      .client('tg-not-a-real-key-0000000000000000000000000')
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(err.status).toBe(401);
    expect(err.error.type).toBe('authentication_error');
  });

  it('releases the hold and charges nothing when the upstream fails', async () => {
    const before = await g.balance();
    g.upstream.next({ kind: 'status', status: 500 });
    const err = await g
      .client()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 5 })
      .catch((e) => e);
    expect(err.status).toBe(500);
    const w = await g.t.app.services.db.wallet.findUniqueOrThrow({ where: { id: g.orgWalletId } });
    expect(w.balanceNanos).toBe(before);
    expect(await g.requestHeld()).toBe(0n);
    const failed = await g.t.app.services.db.usageRecord.findFirstOrThrow({ where: { status: 'failed' } });
    expect(failed.costNanos).toBe(0n);
  });

  it('answers 402 when the wallet cannot cover the request', async () => {
    const key = await g.createKey({ name: 'team key', scopes: ['INFERENCE'] });
    // A user wallet that exists pays before the organization's: make it empty.
    await g.t.app.services.ledger.ensureWallet({
      organizationId: g.organizationId,
      ownerType: 'user',
      ownerId: g.userId,
      currency: 'USD',
    });
    const err = await g
      .client(key)
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 5 })
      .catch((e) => e);
    expect(err.status).toBe(402);
    expect(err.error.code).toBe('INSUFFICIENT_FUNDS');
  });
});

describe('concurrent requests cannot overspend', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway({ upstream: { serviceTimeMs: 150 } });
  });
  afterAll(async () => g?.close());

  it('100 concurrent requests on a wallet that covers 40 holds: never overspent, ledger consistent', async () => {
    // Measure the hold one request takes, then fund exactly 40 of them.
    await g.fund(10_000_000n);
    await g
      .client()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'q' }], max_tokens: 10 });
    const hold = await g.t.app.services.db.hold.findFirstOrThrow({
      where: { idempotencyKey: { startsWith: 'req:' } },
      orderBy: { createdAt: 'desc' },
    });
    const spent = 10_000_000n - (await g.balance());
    await g.t.app.services.ledger.adjust({
      walletId: g.orgWalletId,
      amountNanos: -(await g.balance()),
      idempotencyKey: 'zero-out',
      description: 'test: empty the wallet',
    });
    expect(await g.balance()).toBe(0n);
    await g.fund(hold.amountNanos * 40n);

    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        g
          .client()
          .chat.completions.create({
            model: MODEL,
            messages: [{ role: 'user', content: 'q' }],
            max_tokens: 10,
          })
          .then(() => 'ok' as const)
          .catch((e) => e.status as number),
      ),
    );
    const ok = results.filter((r) => r === 'ok').length;
    expect(ok).toBeGreaterThanOrEqual(40);
    expect(results.filter((r) => r !== 'ok').every((s) => s === 402)).toBe(true);
    await g.settled();
    const w = await g.t.app.services.db.wallet.findUniqueOrThrow({ where: { id: g.orgWalletId } });
    expect(w.balanceNanos).toBe(hold.amountNanos * 40n - BigInt(ok) * spent);
    expect(w.balanceNanos).toBeGreaterThanOrEqual(0n);
    expect(await g.requestHeld()).toBe(0n);
    expect((await g.t.app.services.ledger.checkConsistency()).ok).toBe(true);
  });
});
