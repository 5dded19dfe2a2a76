import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FORWARDED_BODY_FIELDS,
  LITELLM_CONTROL_FIELDS,
  LITELLM_CONTROL_HEADERS,
  UPSTREAM_HEADER_NAMES,
} from '../../src/proxy/forwarding.ts';
import type { RecordedRequest } from '../../testkit/doubles/litellm-data-plane.ts';
import { type Gateway, MODEL, startGateway } from '../integration/gateway/helpers.ts';

/**
 * What reaches LiteLLM through the proxy, checked on what the LiteLLM double recorded. The attack
 * of the review: `?model=o3` next to an allowed model in the body made LiteLLM serve o3 billed as
 * the body's model. Beyond the query string: LiteLLM control fields in the body, LiteLLM and
 * provider headers, and the client's own credential.
 */

/** Headers the HTTP client adds on its own (undici): framing and the target host. */
const TRANSPORT_HEADERS = ['host', 'connection', 'content-length', 'transfer-encoding'];
const ALLOWED_HEADERS = new Set([...UPSTREAM_HEADER_NAMES, ...TRANSPORT_HEADERS]);

function expectOnlyAllowlisted(up: RecordedRequest, route: string, clientKey: string) {
  expect(up.query, 'no client query string').toBe('');
  for (const name of Object.keys(up.headers)) expect(ALLOWED_HEADERS, `header ${name}`).toContain(name);
  expect(JSON.stringify(up.headers)).not.toContain(clientKey);
  expect(up.headers.authorization).toBe('Bearer sk-double-master');
  if (up.body) {
    const allowed = FORWARDED_BODY_FIELDS[route];
    for (const field of Object.keys(up.body)) {
      if (allowed) expect(allowed, `body field ${field}`).toContain(field);
      expect(LITELLM_CONTROL_FIELDS, `control field ${field}`).not.toContain(field);
    }
    expect(JSON.stringify(up.body)).not.toContain(clientKey);
  }
}

/** Every LiteLLM control header, each carrying a value we can look for upstream. */
const hostileHeaders = (key: string) => ({
  ...Object.fromEntries(LITELLM_CONTROL_HEADERS.map((h) => [h, `client-${h}`])),
  authorization: `Bearer ${key}`,
  'x-api-key': key,
  'x-litellm-tags': 'premium-route',
  'x-litellm-end-user-id': 'someone-else',
  'content-type': 'application/json',
});

describe('proxy forwarding: nothing the client sends beyond the allowlist reaches LiteLLM', () => {
  let g: Gateway;
  let key: string;
  beforeAll(async () => {
    g = await startGateway({ env: { PROXY_EXTRA_ROUTES: '/v1/x/*' } });
    await g.fund(10_000_000_000n);
    key = await g.createKey({
      name: 'cheap model only',
      scopes: ['INFERENCE'],
      modelAllowlist: [MODEL],
    });
  });
  afterAll(async () => {
    await g?.close();
  });

  const post = async (
    path: string,
    body: Record<string, unknown>,
    headers: Record<string, string> = hostileHeaders(key),
  ) => {
    const before = g.upstream.requests.length;
    const res = await fetch(`${g.t.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await res.text();
    await g.settled();
    return { res, text, upstream: g.upstream.requests.slice(before) };
  };

  const cases: { route: string; path?: string; body: Record<string, unknown> }[] = [
    { route: '/v1/chat/completions', body: { messages: [{ role: 'user', content: 'hi' }] } },
    { route: '/v1/chat/completions', body: { messages: [{ role: 'user', content: 'hi' }], stream: true } },
    { route: '/v1/completions', body: { prompt: 'hi' } },
    { route: '/v1/completions', body: { prompt: 'hi', stream: true } },
    { route: '/v1/embeddings', body: { input: 'hi' } },
    { route: '/v1/responses', body: { input: 'hi' } },
    { route: '/v1/responses', body: { input: 'hi', stream: true } },
    { route: 'extra', path: '/v1/x/chat/completions', body: { messages: [{ role: 'user', content: 'hi' }] } },
  ];
  for (const c of cases) {
    const path = c.path ?? c.route;
    it(`${path}${c.body.stream ? ' (stream)' : ''}: ?model=o3 with an allowed model in the body is served as the allowed model; no query string, client credential, control header or metadata reaches LiteLLM`, async () => {
      const { res, text, upstream } = await post(`${path}?model=o3&api-version=2099-01-01`, {
        model: MODEL,
        ...c.body,
        metadata: { tags: ['premium'], fallbacks: ['o3'], user_api_key_user_id: 'victim' },
      });
      expect(res.status, text).toBe(200);
      expect(upstream).toHaveLength(1);
      const up = upstream[0]!;
      expect(up.path).toBe(path);
      expect(up.body.model).toBe(MODEL);
      expect(up.body).not.toHaveProperty('metadata');
      expectOnlyAllowlisted(up, c.route, key);
      for (const h of LITELLM_CONTROL_HEADERS)
        if (h !== 'authorization') expect(up.headers[h], h).not.toBe(`client-${h}`);
      expect(up.headers['x-litellm-end-user-id']).not.toBe('someone-else');
    });
  }

  it('GET /v1/models?x=1: the model list is fetched without the client query string or credential', async () => {
    const before = g.upstream.requests.length;
    const res = await fetch(`${g.t.url}/v1/models?x=1`, { headers: hostileHeaders(key) });
    expect(res.status).toBe(200);
    const up = g.upstream.requests.slice(before);
    expect(up).toHaveLength(1);
    expectOnlyAllowlisted(up[0]!, '/v1/models', key);
  });

  for (const [field, value] of [
    ['user_config', { model_list: [{ model_name: MODEL, litellm_params: { model: 'openai/o3' } }] }],
    ['api_base', 'http://attacker.example'],
    ['input_cost_per_token', 0],
    ['fallbacks', ['o3']],
    ['mock_response', 'free answer'],
    ['litellm_metadata', { tags: ['premium'] }],
    ['tags', ['premium']],
    ['extra_headers', { 'x-api-key': 'sk-provider' }],
    ['aws_region_name', 'us-gov-west-1'],
    ['vertex_project', 'someone-elses'],
    ['custom_llm_provider', 'openai'],
    ['service_tier', 'priority'],
  ] as const)
    it(`a body carrying LiteLLM's ${field} is refused with 400 UNSUPPORTED_PARAMETER and nothing reaches LiteLLM`, async () => {
      for (const path of ['/v1/chat/completions', '/v1/x/chat/completions']) {
        const { res, text, upstream } = await post(path, {
          model: MODEL,
          messages: [{ role: 'user', content: 'hi' }],
          [field]: value,
        });
        expect(res.status, text).toBe(400);
        expect(JSON.parse(text)).toMatchObject({ error: { code: 'UNSUPPORTED_PARAMETER', param: field } });
        expect(upstream).toHaveLength(0);
      }
    });

  it('property: arbitrary body fields and headers are either refused before LiteLLM or forwarded only as allowlisted, and the gateway stays up', async () => {
    const openAiFields = FORWARDED_BODY_FIELDS['/v1/chat/completions']!;
    const fieldName = fc.oneof(
      fc.constantFrom(...LITELLM_CONTROL_FIELDS),
      fc.constantFrom(...openAiFields),
      fc.constantFrom('litellm_x', 'mock_x', 'aws_x', 'vertex_x', 'azure_x', 'user_api_key_x', 'metadata'),
      fc.stringMatching(/^[a-z_]{1,16}$/),
    );
    const value = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -2, max: 64 }),
      fc.string({ maxLength: 20 }),
      fc.constant({ tags: ['premium'] }),
      fc.constant(['o3']),
    );
    const headerName = fc.oneof(
      fc.constantFrom(...LITELLM_CONTROL_HEADERS.filter((h) => h !== 'authorization')),
      fc.stringMatching(/^x-[a-z-]{1,12}$/),
    );
    const route = fc.constantFrom('/v1/chat/completions', '/v1/embeddings', '/v1/completions');
    const query = fc.constantFrom('', '?model=o3', '?api-version=1&model=o3', '?a=%ZZ');
    await fc.assert(
      fc.asyncProperty(
        route,
        query,
        fc.dictionary(fieldName, value, { maxKeys: 4 }),
        fc.dictionary(headerName, fc.stringMatching(/^[\x21-\x7e]{1,20}$/), { maxKeys: 4 }),
        async (r, q, extra, headers) => {
          const base =
            r === '/v1/embeddings'
              ? { input: 'hi' }
              : r === '/v1/completions'
                ? { prompt: 'hi' }
                : { messages: [] };
          const { res, text, upstream } = await post(
            `${r}${q}`,
            { ...base, ...extra, model: MODEL },
            { ...headers, authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          );
          const body = JSON.parse(text.startsWith('data:') ? '{}' : text);
          expect(res.headers.get('x-request-id')).toBeTruthy();
          if (res.status >= 400) expect(body.request_id ?? body.error).toBeTruthy();
          for (const up of upstream) expectOnlyAllowlisted(up, r, key);
          expect((await fetch(`${g.t.url}/healthz`)).status).toBe(200);
        },
      ),
      { numRuns: 60 },
    );
  });
});
