import { BadRequestError, ValidationError } from '../lib/errors.ts';
import { type BodyPolicy, bodyPolicy } from './forwarding.ts';
import type { ProxyEndpoint, ProxyRequestInfo } from '../admission/port.ts';
import { DEFAULT_FILE_REFERENCE_TOKENS, promptEstimate } from './usage.ts';

const MAX_TOKEN_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;

/** Endpoints that generate output and take a max-tokens field. */
const CAPPED_ENDPOINTS = new Set(['/v1/chat/completions', '/v1/completions', '/v1/responses']);

/** Endpoints whose streams take `stream_options.include_usage` (the Responses API always reports usage). */
const USAGE_OPTION_ENDPOINTS = new Set(['/v1/chat/completions', '/v1/completions']);

export interface ParsedRequest {
  body: Record<string, any>;
  stream: boolean;
  maxTokens: number | null;
  /** Completions the request asks for (`n`, `best_of`): the output a hold must cover is this many times larger. */
  choices: number;
  /** Set by requestInfo: the output cap sent upstream when the client set none, so the hold bounds the cost. */
  upstreamMaxTokens?: number;
  /** The client asked for the usage chunk itself, so it is forwarded rather than stripped. */
  clientWantsUsage: boolean;
  /** What of the body may go upstream (src/proxy/forwarding.ts); already checked. */
  policy: BodyPolicy;
}

/**
 * Parses and validates a proxied JSON body, refusing any field the route does not forward
 * (`policy`, default: the route's allowlist without extra fields). Everything here runs before
 * admission, so a bad request never opens a hold.
 */
export function parseProxyBody(
  endpoint: ProxyEndpoint,
  raw: Buffer,
  policy: BodyPolicy = bodyPolicy(endpoint),
): ParsedRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new BadRequestError('Request body is not valid JSON', 'INVALID_JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('Request body must be a JSON object');
  const b = body as Record<string, any>;
  if (b.model === undefined || b.model === null || b.model === '')
    throw new ValidationError('you must provide a model parameter', { param: 'model' });
  if (typeof b.model !== 'string') throw new ValidationError('model must be a string', { param: 'model' });
  policy.check(b);
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean')
    throw new ValidationError('stream must be a boolean', { param: 'stream' });
  if (
    b.stream_options !== undefined &&
    b.stream_options !== null &&
    (typeof b.stream_options !== 'object' || Array.isArray(b.stream_options))
  )
    throw new ValidationError('stream_options must be an object', { param: 'stream_options' });
  let maxTokens: number | null = null;
  for (const field of MAX_TOKEN_FIELDS) {
    const v = b[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new ValidationError(`${field} must be a non-negative integer`, { param: field });
    // Several fields may be present and the provider may honour any of them: the hold covers the largest.
    maxTokens = maxTokens === null ? v : Math.max(maxTokens, v);
  }
  let choices = 1;
  for (const field of ['n', 'best_of'] as const) {
    const v = b[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > 128)
      throw new ValidationError(`${field} must be an integer from 1 to 128`, { param: field });
    choices = Math.max(choices, v);
  }
  const stream = b.stream === true && endpoint !== '/v1/embeddings';
  return {
    body: b,
    stream,
    maxTokens,
    choices,
    clientWantsUsage: b.stream_options?.include_usage === true,
    policy,
  };
}

export function requestInfo(
  endpoint: ProxyEndpoint,
  parsed: ParsedRequest,
  ctx: {
    requestId: string;
    requestIdFromClient?: boolean;
    credential: string | null;
    defaultMaxTokens: number;
    /** PROXY_FILE_REFERENCE_TOKENS (default when absent). */
    fileReferenceTokens?: number;
  },
): ProxyRequestInfo {
  const prompt = promptEstimate(parsed.body, {
    fileReferenceTokens: ctx.fileReferenceTokens ?? DEFAULT_FILE_REFERENCE_TOKENS,
  });
  // Tool schemas and response formats are sent to the model as prompt tokens too.
  const extra = ['tools', 'functions', 'response_format', 'text']
    .map((k) => (parsed.body[k] === undefined ? 0 : Math.ceil(JSON.stringify(parsed.body[k]).length / 4)))
    .reduce((a, b) => a + b, 0);
  if (parsed.maxTokens === null && CAPPED_ENDPOINTS.has(endpoint))
    parsed.upstreamMaxTokens = ctx.defaultMaxTokens;
  return {
    requestId: ctx.requestId,
    requestIdFromClient: ctx.requestIdFromClient ?? false,
    endpoint,
    credential: ctx.credential,
    body: parsed.body,
    stream: parsed.stream,
    promptTextForEstimate: prompt.text,
    promptTokensEstimate: prompt.tokens + extra,
    maxTokens: parsed.maxTokens,
    maxTokensForEstimate: (parsed.maxTokens ?? ctx.defaultMaxTokens) * parsed.choices,
    clientUser: typeof parsed.body.user === 'string' ? parsed.body.user : null,
  };
}

/**
 * The body sent upstream: the admitted model, the admitted user (the client's `user` is replaced,
 * so end-user budgets and logs in LiteLLM cannot be spoofed), and for chat/completions streams
 * `stream_options.include_usage: true` so every stream ends with a billable usage chunk.
 * `stripUsage` says the client did not ask for that chunk and must not see it.
 */
export function upstreamBody(
  endpoint: ProxyEndpoint,
  parsed: ParsedRequest,
  admitted: { model: string; userId: string },
): { body: Buffer; stripUsage: boolean } {
  // Built from the route's allowlist, never a copy of the client's body (src/proxy/forwarding.ts).
  const out: Record<string, any> = {
    ...parsed.policy.pick(parsed.body),
    model: admitted.model,
    user: admitted.userId,
  };
  // Without a client cap the upstream output is unbounded while the hold assumed the default: cap it.
  if (parsed.upstreamMaxTokens !== undefined) {
    const field = endpoint === '/v1/responses' ? 'max_output_tokens' : 'max_tokens';
    out[field] = parsed.upstreamMaxTokens;
  }
  let stripUsage = false;
  if (parsed.stream && USAGE_OPTION_ENDPOINTS.has(endpoint) && !parsed.clientWantsUsage) {
    out.stream_options = { ...(parsed.body.stream_options ?? {}), include_usage: true };
    stripUsage = true;
  }
  return { body: Buffer.from(JSON.stringify(out)), stripUsage };
}
