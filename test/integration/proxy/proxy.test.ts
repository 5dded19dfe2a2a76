import http from 'node:http';
import OpenAI, { APIError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CircuitOpenError } from '../../../src/infra/circuit-breaker.ts';
import { AppError } from '../../../src/lib/errors.ts';
import { type DataPlaneDouble, startDataPlaneDouble } from '../../../testkit/doubles/litellm-data-plane.ts';
import { FakeAdmission } from '../../../testkit/fake-admission.ts';
import { type ProxyServer, startProxyServer } from './harness.ts';

const KEY = 'tg-key-alice';
const MASTER = 'sk-double-master';

let double: DataPlaneDouble;
let admission: FakeAdmission;
let proxy: ProxyServer;
let client: OpenAI;

async function restart(env: Record<string, string> = {}, upstreamUrl?: string, upstreamCredential = MASTER) {
  await proxy?.close();
  admission = new FakeAdmission(
    { [KEY]: { userId: 'usr_alice', modelAllowlist: ['gpt-a', 'gpt-b'] } },
    upstreamCredential,
  );
  proxy = await startProxyServer({ upstreamUrl: upstreamUrl ?? double.url, admission, env });
  client = new OpenAI({ apiKey: KEY, baseURL: `${proxy.url}/v1`, maxRetries: 0 });
}

beforeAll(async () => {
  double = await startDataPlaneDouble({ models: ['gpt-a', 'gpt-b', 'gpt-c', 'gpt-small'] });
  await restart();
});
afterAll(async () => {
  await proxy.close();
  await double.close();
});
afterEach(() => {
  double.requests.length = 0;
  double.options.interChunkMs = 0;
  double.options.chunks = ['Hello', ' from', ' the', ' double', '.'];
});

const exactUsage = { promptTokens: 11, completionTokens: 7, cachedTokens: 3, totalTokens: 18 };

describe('non-streamed requests', () => {
  it('settle the exact upstream usage and report the cost in headers', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello from the double.');
    expect(data.usage?.total_tokens).toBe(18);
    await admission.closed(1);
    expect(admission.settles).toHaveLength(1);
    expect(admission.settles[0]!.outcome).toMatchObject({
      status: 'succeeded',
      httpStatus: 200,
      usage: exactUsage,
      estimated: false,
      modelServed: 'gpt-a',
    });
    expect(response.headers.get('x-tollgate-cost-nanos')).toBe('18000');
    expect(response.headers.get('x-tollgate-cost')).toBe('0.000018');
    expect(response.headers.get('x-tollgate-currency')).toBe('USD');
    expect(response.headers.get('x-tollgate-balance')).toBe('0.999982');
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(response.headers.get('x-litellm-call-id')).toBeTruthy();
    expect(response.headers.get('x-litellm-response-cost')).toBeNull();
    expect(response.headers.get('x-litellm-model-api-base')).toBeNull();
  });

  it('replace the client user and credential with the admitted ones', async () => {
    await client.chat.completions.create(
      { model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }], user: 'usr_mallory' },
      {
        headers: {
          'x-litellm-customer-id': 'usr_mallory',
          'x-litellm-end-user-id': 'usr_mallory',
          cookie: 'a=b',
          'x-request-id': 'req-user-1',
        },
      },
    );
    const seen = double.requests.at(-1)!;
    expect(seen.body.user).toBe('usr_alice');
    expect(seen.headers['x-litellm-end-user-id']).toBe('usr_alice');
    expect(seen.headers['x-litellm-customer-id']).toBeUndefined();
    expect(seen.headers.authorization).toBe(`Bearer ${MASTER}`);
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-request-id']).toBe('req-user-1');
    expect(admission.admits.at(-1)!.info).toMatchObject({
      clientUser: 'usr_mallory',
      requestId: 'req-user-1',
      stream: false,
    });
  });

  it('send the degraded model upstream when admission degrades it', async () => {
    admission.degrade = { 'gpt-b': 'gpt-small' };
    const res = await client.chat.completions.create({
      model: 'gpt-b',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(double.requests.at(-1)!.body.model).toBe('gpt-small');
    expect(res.model).toBe('gpt-small');
    admission.degrade = {};
  });

  it('meter embeddings, completions and the Responses API', async () => {
    const before = admission.settles.length;
    const emb = await client.embeddings.create({ model: 'gpt-a', input: ['one', 'two'] });
    expect(emb.data).toHaveLength(2);
    await client.completions.create({ model: 'gpt-a', prompt: 'say hi' });
    const resp = await client.responses.create({ model: 'gpt-a', input: 'hello' });
    expect(resp.output_text).toBe('Hello from the double.');
    await admission.closed(before + 3);
    const [e, c, r] = admission.settles.slice(before).map((s) => s.outcome.usage);
    expect(e).toEqual({ promptTokens: 11, completionTokens: 0, cachedTokens: 0, totalTokens: 11 });
    expect(c).toEqual(exactUsage);
    expect(r).toEqual(exactUsage);
  });
});

describe('streamed requests', () => {
  it.each(['empty-delta', 'empty'] as const)(
    'add include_usage, strip the usage chunk (%s choices) the client did not ask for, and settle exact usage',
    async (shape) => {
      double.options.usageChunk = shape;
      const before = admission.settles.length;
      const stream = await client.chat.completions.create({
        model: 'gpt-a',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      });
      const chunks = [];
      for await (const c of stream) chunks.push(c);
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the double.');
      expect(chunks.every((c) => !c.usage)).toBe(true);
      expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
      expect(double.requests.at(-1)!.body.stream_options).toEqual({ include_usage: true });
      await admission.closed(before + 1);
      expect(admission.settles.at(-1)!.outcome).toMatchObject({
        status: 'succeeded',
        usage: exactUsage,
        estimated: false,
      });
      double.options.usageChunk = 'empty-delta';
    },
  );

  it('keep the usage chunk when the client asked for it', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-a',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const last = chunks.at(-1)!;
    expect(last.usage?.total_tokens).toBe(18);
  });

  it('meter streamed completions and Responses API streams', async () => {
    const before = admission.settles.length;
    const comp = await client.completions.create({ model: 'gpt-a', prompt: 'hi', stream: true });
    let text = '';
    for await (const c of comp) text += c.choices[0]?.text ?? '';
    expect(text).toBe('Hello from the double.');
    const resp = await client.responses.create({ model: 'gpt-a', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const ev of resp) types.push(ev.type);
    expect(types.at(-1)).toBe('response.completed');
    expect(double.requests.at(-1)!.body.stream_options).toBeUndefined();
    await admission.closed(before + 2);
    expect(admission.settles.slice(before).map((s) => s.outcome.usage)).toEqual([exactUsage, exactUsage]);
  });

  it('end with an SSE comment carrying the cost, which the openai client ignores', async () => {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    const text = await res.text();
    expect(text).toMatch(
      /data: \[DONE\]\n\n: tollgate-cost=0\.000018 currency=USD cost_nanos=18000 balance=[\d.]+\n\n$/,
    );
    expect(text).not.toContain('"usage":{');
  });

  it('still settle the upstream usage when the client disconnects mid-stream', async () => {
    double.options.interChunkMs = 20;
    double.options.chunks = Array.from({ length: 10 }, (_, i) => `w${i} `);
    const before = admission.settles.length;
    const stream = await client.chat.completions.create({
      model: 'gpt-a',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    for await (const _ of stream) break; // the client walks away after the first chunk
    await admission.closed(before + 1);
    expect(admission.settles.at(-1)!.outcome).toMatchObject({
      status: 'client_aborted',
      usage: exactUsage,
      estimated: false,
    });
    expect(admission.releases).toHaveLength(0);
  });

  it('succeed when the client closes right after data: [DONE], before the cost comment (the Python openai SDK does)', async () => {
    let release!: () => void;
    double.next({ kind: 'linger-after-done', release: new Promise<void>((r) => (release = r)) });
    const before = admission.settles.length;
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        proxy.server.getConnections((e, n) => (e ? reject(e) : resolve(n))),
      );
    const idle = await connections(); // earlier tests' keep-alive connections
    const body = JSON.stringify({
      model: 'gpt-a',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const received = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${proxy.url}/v1/chat/completions`,
        {
          method: 'POST',
          agent: false,
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString('utf8');
            if (text.includes('data: [DONE]\n\n')) {
              res.destroy();
              resolve(text);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    try {
      expect(received).toContain('Hello');
      // The gateway has seen the client go (its connection closed) before upstream ends the stream.
      await vi.waitFor(async () => expect(await connections()).toBeLessThanOrEqual(idle), {
        timeout: 30_000,
      });
    } finally {
      release();
    }
    await admission.closed(before + 1);
    expect(admission.settles.at(-1)!.outcome).toMatchObject({
      status: 'succeeded',
      usage: exactUsage,
      estimated: false,
    });
  });

  it('bill an estimate when the client left and upstream outlasts the drain bound', async () => {
    await restart({ PROXY_DRAIN_MAX_MS: '30' });
    double.options.interChunkMs = 25;
    double.options.chunks = Array.from({ length: 20 }, () => 'abcd');
    const stream = await client.chat.completions.create({
      model: 'gpt-a',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    for await (const _ of stream) break;
    await admission.closed(1);
    const { outcome } = admission.settles[0]!;
    expect(outcome).toMatchObject({ status: 'client_aborted', estimated: true });
    expect(outcome.usage!.completionTokens).toBeLessThan(20);
    await restart();
  });

  it('bill an estimate when upstream ends the stream without usage', async () => {
    double.next({ kind: 'no-usage' });
    const before = admission.settles.length;
    const stream = await client.chat.completions.create({
      model: 'gpt-a',
      messages: [{ role: 'user', content: 'hello there' }],
      stream: true,
    });
    for await (const _ of stream) {
    }
    await admission.closed(before + 1);
    const { outcome } = admission.settles.at(-1)!;
    // "Hello from the double." is 22 characters → 6 tokens; prompt "hello there" 11 chars → 3 + 4 per message.
    expect(outcome).toMatchObject({
      status: 'succeeded',
      estimated: true,
      usage: { promptTokens: 7, completionTokens: 6, cachedTokens: 0, totalTokens: 13 },
    });
  });

  it('bill what was streamed, estimated, when the upstream connection breaks mid-stream', async () => {
    double.next({ kind: 'reset-mid-stream', afterChunks: 2 });
    const before = admission.settles.length;
    const stream = await client.chat.completions.create({
      model: 'gpt-a',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    const err = await (async () => {
      try {
        for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      } catch (e) {
        return e;
      }
    })();
    expect(text).toBe('Hello from');
    expect(err).toBeInstanceOf(APIError);
    await admission.closed(before + 1);
    expect(admission.settles.at(-1)!.outcome).toMatchObject({
      status: 'failed',
      estimated: true,
      usage: { completionTokens: 3 },
    });
  });
});

describe('upstream failures release the hold', () => {
  it('pass a LiteLLM 500 through in OpenAI shape with the request id', async () => {
    double.next({ kind: 'status', status: 500 });
    const before = admission.releases.length;
    const err = await client.chat.completions
      .create(
        { model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-request-id': 'req-500' } },
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err.status).toBe(500);
    expect(err.error).toMatchObject({
      message: 'litellm.InternalServerError: upstream exploded',
      type: 'internal_server_error',
      code: '500',
    });
    await admission.closed(admission.settles.length + before + 1);
    expect(err.error).toBeTruthy();
    expect(admission.releases.at(-1)!.outcome).toMatchObject({
      status: 'failed',
      httpStatus: 500,
      usage: null,
    });
    double.next({ kind: 'status', status: 422, shape: 'detail', message: 'messages: field required' });
    const detail = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'x-request-id': 'req-detail' },
      body: JSON.stringify({ model: 'gpt-a' }),
    });
    expect(detail.status).toBe(422);
    expect(await detail.json()).toEqual({
      error: { message: 'messages: field required', type: 'invalid_request_error', param: null, code: '422' },
      request_id: 'req-detail',
    });
  });

  it('release and answer 502 when a non-streamed body is cut mid-way', async () => {
    double.next({ kind: 'reset-mid-body' });
    const releases = admission.releases.length;
    const err = await client.chat.completions
      .create({ model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(err.status).toBe(502);
    expect(err.error).toMatchObject({ code: 'UPSTREAM_UNREACHABLE' });
    expect(admission.releases).toHaveLength(releases + 1);
  });

  it('answer 504 UPSTREAM_TIMEOUT when upstream sends no headers in time', async () => {
    await restart({ PROXY_HEADERS_TIMEOUT_MS: '150' });
    double.next({ kind: 'hang' });
    const err = await client.chat.completions
      .create({ model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(err.status).toBe(504);
    expect(err.error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', type: 'api_error' });
    await admission.closed(1);
    expect(admission.releases).toHaveLength(1);
    expect(admission.settles).toHaveLength(0);
    await restart();
  });

  it('answer 502 UPSTREAM_UNREACHABLE when upstream refuses connections', async () => {
    const gone = await startDataPlaneDouble();
    const deadUrl = gone.url;
    await gone.close();
    await restart({}, deadUrl);
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'x-request-id': 'req-dead' },
      body: JSON.stringify({ model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({
      error: { code: 'UPSTREAM_UNREACHABLE' },
      request_id: 'req-dead',
    });
    await admission.closed(1);
    expect(admission.releases[0]!.outcome).toMatchObject({ status: 'failed', httpStatus: 502 });
    await restart();
  });

  it('answer 502 UPSTREAM_AUTH_FAILED, not 401, when LiteLLM rejects Tollgate’s own key', async () => {
    await restart({}, undefined, 'sk-wrong');
    const err = await client.chat.completions
      .create({ model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(err.status).toBe(502);
    expect(err.error).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED' });
    await restart();
  });
});

describe('the admission port', () => {
  it('gets back from the proxy exactly the ticket admit gave, once, in settle or release', async () => {
    const from = admission.tickets.length;
    const closedBefore = admission.settles.length + admission.releases.length;
    await client.chat.completions.create({ model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }] });
    const stream = await client.chat.completions.create({
      model: 'gpt-a',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    for await (const _ of stream);
    double.next({ kind: 'status', status: 500 });
    await client.chat.completions
      .create({ model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }] })
      .catch(() => null);
    await admission.closed(closedBefore + 3);
    const given = admission.tickets.slice(from);
    const handedBack = [...admission.settles, ...admission.releases]
      .map((c) => c.ticket)
      .filter((t) => given.includes(t));
    expect(given).toHaveLength(3);
    expect(handedBack).toHaveLength(3);
    expect(new Set(handedBack)).toEqual(new Set(given));
  });
});

describe('requests rejected before admission', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
      body,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  it('reject malformed JSON, a missing or non-string model, bad max_tokens and oversized bodies without admitting', async () => {
    await restart({ PROXY_MAX_BODY_BYTES: '2048' });
    expect(await post('{"model":')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JSON' } } });
    expect(await post('{"messages":[]}')).toMatchObject({ status: 400, body: { error: { param: 'model' } } });
    expect(await post('{"model":42}')).toMatchObject({ status: 400, body: { error: { param: 'model' } } });
    expect(await post('{"model":"gpt-a","max_tokens":-1}')).toMatchObject({
      status: 400,
      body: { error: { param: 'max_tokens' } },
    });
    expect(await post('{"model":"gpt-a","max_completion_tokens":1.5}')).toMatchObject({ status: 400 });
    const big = JSON.stringify({ model: 'gpt-a', messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
    expect(await post(big)).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    expect(await post('{"model":"gpt-a"}', { authorization: 'Bearer nope' })).toMatchObject({
      status: 401,
      body: { error: { type: 'authentication_error' } },
    });
    expect(admission.admits).toHaveLength(0);
    expect(double.requests).toHaveLength(0);
    await restart();
  });

  it('pass an admission refusal through and never call upstream', async () => {
    admission.rejectNextAdmit = new AppError('INSUFFICIENT_FUNDS', 'Wallet balance too low', { status: 402 });
    const err = await client.chat.completions
      .create({ model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(err.status).toBe(402);
    expect(err.error).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(double.requests).toHaveLength(0);
  });
});

describe('other /v1 routes', () => {
  it('filter GET /v1/models through the key’s allowlist', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(['gpt-a', 'gpt-b']);
  });

  it('answer GET /v1/models with the breaker’s 503 while it is open, as every other route does', async () => {
    const open = new CircuitOpenError('litellm', 7);
    const breaker = { execute: () => Promise.reject(open) };
    const gated = await startProxyServer({ upstreamUrl: double.url, admission, breaker });
    try {
      for (const [method, path, body] of [
        ['GET', '/v1/models', undefined],
        ['POST', '/v1/chat/completions', JSON.stringify({ model: 'gpt-a', messages: [] })],
      ] as const) {
        const res = await fetch(`${gated.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${KEY}` },
          body,
        });
        expect(res.status, path).toBe(503);
        expect(res.headers.get('retry-after')).toBe('7');
        expect(await res.json()).toMatchObject({ error: { code: 'UPSTREAM_CIRCUIT_OPEN' } });
      }
    } finally {
      await gated.close();
    }
  });

  it('answer unknown routes with a 404 in OpenAI shape', async () => {
    const res = await fetch(`${proxy.url}/v1/fine_tuning/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { code: 'UNKNOWN_URL', type: 'invalid_request_error' },
      request_id: expect.any(String),
    });
  });

  it('forward configured extra routes through admission', async () => {
    await restart({ PROXY_EXTRA_ROUTES: '/v1/embeddings-extra,/v1/x/*' });
    const res = await fetch(`${proxy.url}/v1/x/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'gpt-a', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(double.requests.at(-1)!.path).toBe('/v1/x/chat/completions');
    await admission.closed(1);
    expect(admission.settles[0]!.outcome.usage).toEqual(exactUsage);
    for (const sneaky of ['/v1/x/../../key/generate', '/v1/x/%2e%2e/%2e%2e/key/generate', '/v1/x//key']) {
      const r = await fetch(`${proxy.url}${sneaky}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model: 'gpt-a' }),
      });
      expect(r.status).toBe(404);
    }
    expect(double.requests.filter((r) => r.path.includes('key'))).toHaveLength(0);
    await restart();
  });
});
