import { describe, expect, it } from 'vitest';
import {
  DROPPED_BODY_FIELDS,
  FORWARDED_BODY_FIELDS,
  FORWARDED_CLIENT_HEADERS,
  FORWARDED_QUERY_PARAMS,
  LITELLM_CONTROL_FIELDS,
  LITELLM_CONTROL_HEADERS,
  LITELLM_CONTROL_PREFIXES,
  NOT_FORWARDED,
  bodyPolicy,
  upstreamHeaders,
  upstreamPath,
} from '../../../src/proxy/forwarding.ts';
import { UnsupportedParameterError } from '../../../src/proxy/errors.ts';
import { parseProxyBody, upstreamBody } from '../../../src/proxy/request.ts';

const admitted = {
  model: 'admitted',
  userId: 'usr_1',
  upstreamCredential: 'sk',
  responseHeaders: {},
  ticket: null,
};
const ROUTES = Object.keys(FORWARDED_BODY_FIELDS);
/** A value each field accepts in parseProxyBody's own checks. */
const sample = (field: string): unknown =>
  ({
    stream: false,
    stream_options: {},
    max_tokens: 5,
    max_completion_tokens: 5,
    max_output_tokens: 5,
    n: 1,
    best_of: 1,
  })[field] ?? 'x';

const sent = (route: string, body: Record<string, unknown>) => {
  const parsed = parseProxyBody(route, Buffer.from(JSON.stringify(body)));
  return JSON.parse(upstreamBody(route, parsed, admitted).body.toString('utf8'));
};
const refusal = (route: string, body: Record<string, unknown>) => {
  try {
    parseProxyBody(route, Buffer.from(JSON.stringify(body)));
  } catch (err) {
    return err;
  }
  return null;
};

describe('body allowlist: each documented OpenAI parameter of a route reaches LiteLLM', () => {
  for (const route of ROUTES)
    for (const field of FORWARDED_BODY_FIELDS[route]!.filter((f) => f !== 'model' && f !== 'user'))
      it(`${route} forwards ${field}`, () => {
        expect(sent(route, { model: 'm', [field]: sample(field) })).toHaveProperty(field);
      });
});

describe('body: every LiteLLM control field is refused with a 400 naming it, on every route', () => {
  const refused = LITELLM_CONTROL_FIELDS.filter((f) => !(f in DROPPED_BODY_FIELDS));
  for (const field of refused)
    it(`refuses ${field} (metered routes and extra routes alike)`, () => {
      for (const route of [...ROUTES, '/v1/images/generations']) {
        const err = refusal(route, { model: 'm', [field]: { a: 1 } });
        expect(err, `${route} ${field}`).toBeInstanceOf(UnsupportedParameterError);
        expect((err as UnsupportedParameterError).status).toBe(400);
        expect((err as UnsupportedParameterError).param).toBe(field);
      }
    });
  for (const prefix of LITELLM_CONTROL_PREFIXES)
    it(`refuses any field starting ${prefix}`, () => {
      for (const route of [...ROUTES, '/v1/images/generations'])
        expect(refusal(route, { model: 'm', [`${prefix}anything`]: 1 })).toBeInstanceOf(
          UnsupportedParameterError,
        );
    });
});

describe('body: fields accepted but not forwarded, and OpenAI parameters refused', () => {
  for (const field of Object.keys(DROPPED_BODY_FIELDS))
    it(`accepts ${field} but never sends it (LiteLLM reads controls from it)`, () => {
      for (const route of ROUTES)
        expect(
          sent(route, { model: 'm', [field]: { tags: ['premium'], fallbacks: ['o3'] } }),
        ).not.toHaveProperty(field);
    });
  for (const [field, reason] of Object.entries(NOT_FORWARDED))
    it(`refuses ${field} with the reason (${reason})`, () => {
      for (const route of [...ROUTES, '/v1/images/generations']) {
        const err = refusal(route, { model: 'm', [field]: 'priority' }) as UnsupportedParameterError;
        expect(err).toBeInstanceOf(UnsupportedParameterError);
        expect(err.message).toContain(reason);
      }
    });
  it('refuses a stored prompt template on the Responses API (it can carry its own model)', () => {
    expect(refusal('/v1/responses', { model: 'm', prompt: { id: 'pmpt_1' } })).toBeInstanceOf(
      UnsupportedParameterError,
    );
    expect(sent('/v1/completions', { model: 'm', prompt: 'hi' }).prompt).toBe('hi');
  });
  it('refuses an unknown field in OpenAI wording, before anything is held', () => {
    const err = refusal('/v1/chat/completions', { model: 'm', top_k: 3 }) as UnsupportedParameterError;
    expect(err.message).toBe('Unrecognized request argument supplied: top_k');
    expect(err.code).toBe('UNSUPPORTED_PARAMETER');
  });
  it('forwards an operator-allowed provider parameter (PROXY_EXTRA_BODY_FIELDS), never a control field', () => {
    const policy = bodyPolicy('/v1/chat/completions', ['top_k']);
    expect(() => policy.check({ model: 'm', top_k: 3 })).not.toThrow();
    expect(policy.pick({ model: 'm', top_k: 3, metadata: {} })).toEqual({ model: 'm', top_k: 3 });
  });
  it('replaces model and user whatever the client sent', () => {
    const out = sent('/v1/chat/completions', { model: 'cheap', user: 'someone-else', messages: [] });
    expect(out.model).toBe('admitted');
    expect(out.user).toBe('usr_1');
  });
});

describe('query string: no client parameter reaches LiteLLM unless a route names it', () => {
  for (const route of [...ROUTES, '/v1/x/chat/completions'])
    it(`${route}?model=o3&api-version=1 goes upstream as ${route}`, () => {
      expect(FORWARDED_QUERY_PARAMS[route] ?? []).toEqual([]);
      expect(upstreamPath(route, `${route}?model=o3&api-version=1`)).toBe(route);
    });
  it('a route that names a parameter forwards that one only', () => {
    const allow = { '/v1/chat/completions': ['api-version'] };
    expect(
      upstreamPath('/v1/chat/completions', '/v1/chat/completions?model=o3&api-version=2024-10-21', allow),
    ).toBe('/v1/chat/completions?api-version=2024-10-21');
    expect(upstreamPath('/v1/chat/completions', '/v1/chat/completions?model=o3', allow)).toBe(
      '/v1/chat/completions',
    );
  });
});

describe('headers: only the allowlist and our own reach LiteLLM', () => {
  const opts = { credential: 'sk-up', userId: 'usr_1', requestId: 'req-1', bodyBytes: 2 };
  for (const name of LITELLM_CONTROL_HEADERS)
    it(`drops the client's ${name}`, () => {
      const h = upstreamHeaders({ [name]: 'client-value' }, opts);
      expect(Object.values(h)).not.toContain('client-value');
    });
  for (const name of FORWARDED_CLIENT_HEADERS)
    it(`forwards the client's ${name}`, () => {
      expect(upstreamHeaders({ [name]: 'v' }, opts)[name]).toBe('v');
    });
  it('sets our credential, the admitted end user and the request id over anything the client sent', () => {
    const h = upstreamHeaders(
      { authorization: 'Bearer tg-client', 'x-litellm-end-user-id': 'victim', 'x-request-id': 'c' },
      opts,
    );
    expect(h.authorization).toBe('Bearer sk-up');
    expect(h['x-litellm-end-user-id']).toBe('usr_1');
    expect(h['x-request-id']).toBe('req-1');
  });
});
