import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

/**
 * A model LiteLLM does not serve is OpenAI's unknown-model answer (404, code `MODEL_NOT_FOUND` in Tollgate's casing), whether or not it has a price;
 * MODEL_NOT_PRICED is for models LiteLLM serves and Tollgate has no price for. Nothing is charged.
 */
describe('a model the gateway cannot serve', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway({ upstream: { models: [MODEL, 'gpt-4o', 'o3', 'served-unpriced'] } });
    await g.t.app.services.pricing.createRule({
      modelPattern: 'priced-not-served',
      currency: 'USD',
      baseNanosPerToken: 100n,
      effectiveFrom: new Date('2020-01-01T00:00:00Z'),
    });
    await g.fund(1_000_000_000n);
  });
  afterAll(async () => g?.close());

  const ask = (model: string) =>
    fetch(`${g.t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 }),
    }).then(async (r) => ({
      status: r.status,
      body: await r.json(),
      requestId: r.headers.get('x-request-id'),
    }));

  it("answers OpenAI's 404 unknown-model error (MODEL_NOT_FOUND) for a model LiteLLM does not serve and nobody priced", async () => {
    const before = await g.balance();
    const r = await ask('no-such-model');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      error: {
        message: 'The model `no-such-model` does not exist or you do not have access to it.',
        type: 'invalid_request_error',
        param: null,
        code: 'MODEL_NOT_FOUND',
      },
      request_id: r.requestId,
    });
    expect(await g.balance()).toBe(before);
  });

  it('answers MODEL_NOT_PRICED only for a model LiteLLM serves', async () => {
    const r = await ask('served-unpriced');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'MODEL_NOT_PRICED', param: 'model' });
  });

  it('answers MODEL_NOT_FOUND for a priced model LiteLLM refuses as unknown, and charges nothing', async () => {
    const before = await g.balance();
    const r = await ask('priced-not-served');
    expect(r.status).toBe(404);
    expect(r.body.error).toEqual({
      message: 'The model `priced-not-served` does not exist or you do not have access to it.',
      type: 'invalid_request_error',
      param: null,
      code: 'MODEL_NOT_FOUND',
    });
    expect(await g.balance()).toBe(before);
    expect(await g.requestHeld()).toBe(0n);
  });
});
