import { AppError } from '../lib/errors.ts';

/** A body field the gateway does not forward on this route: OpenAI's own status and wording. */
export class UnsupportedParameterError extends AppError {
  constructor(name: string, reason?: string) {
    super(
      'UNSUPPORTED_PARAMETER',
      reason
        ? `Request argument '${name}' is not supported through this gateway: ${reason}`
        : `Unrecognized request argument supplied: ${name}`,
      { status: 400, param: name },
    );
  }
}

export class UpstreamUnreachableError extends AppError {
  constructor(cause?: unknown) {
    super('UPSTREAM_UNREACHABLE', 'The model gateway could not be reached', {
      status: 502,
      type: 'api_error',
      cause,
    });
  }
}

export class UpstreamTimeoutError extends AppError {
  constructor(cause?: unknown) {
    super('UPSTREAM_TIMEOUT', 'The model gateway did not answer in time', {
      status: 504,
      type: 'api_error',
      cause,
    });
  }
}

/**
 * The one mapping of a failed upstream exchange (no answer, or a body cut short) to what the client
 * gets: timeouts (undici's connect, headers and body-idle timeouts, `ETIMEDOUT`, `TimeoutError`)
 * → 504 UPSTREAM_TIMEOUT; refused, reset, DNS and the rest → 502 UPSTREAM_UNREACHABLE. An AppError
 * passes through as it is (the circuit breaker's 503 while open). The codes read are undici's and
 * Node's own error contract, the only thing a transport error carries.
 */
export function upstreamFailure(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = String((err as { code?: unknown })?.code ?? '');
  const timedOut =
    code.includes('TIMEOUT') || code === 'ETIMEDOUT' || (err as Error)?.name === 'TimeoutError';
  return timedOut ? new UpstreamTimeoutError(err) : new UpstreamUnreachableError(err);
}

/** Upstream said 401/403 to *our* credential: a Tollgate configuration problem, not the client's key. */
export class UpstreamAuthError extends AppError {
  constructor() {
    super('UPSTREAM_AUTH_FAILED', 'The model gateway rejected Tollgate’s credential', {
      status: 502,
      type: 'api_error',
    });
  }
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout',
  413: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

const typeFor = (status: number) =>
  TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');

const text = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

/**
 * An upstream error body in OpenAI's shape with our request id: LiteLLM's
 * `{"error":{message,type,param,code}}` kept (a non-string message is serialised), FastAPI's
 * `{"detail":…}` and non-JSON bodies wrapped into it.
 */
export function normaliseUpstreamError(
  status: number,
  raw: Buffer,
  requestId: string,
): Record<string, unknown> {
  let parsed: any;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && parsed.error && typeof parsed.error === 'object') {
    const e = parsed.error;
    return {
      ...parsed,
      error: {
        ...e,
        message: text(e.message ?? ''),
        type: typeof e.type === 'string' ? e.type : typeFor(status),
        param: e.param ?? null,
        code: e.code === undefined || e.code === null ? String(status) : e.code,
      },
      request_id: requestId,
    };
  }
  const message =
    parsed && typeof parsed === 'object' && 'detail' in parsed
      ? text(parsed.detail)
      : parsed && typeof parsed === 'object' && typeof parsed.error === 'string'
        ? parsed.error
        : raw.toString('utf8', 0, Math.min(raw.length, 2000)) || `Upstream returned HTTP ${status}`;
  return {
    error: { message, type: typeFor(status), param: null, code: String(status) },
    request_id: requestId,
  };
}

/**
 * A model LiteLLM does not serve: OpenAI's answer for an unknown model (404, `invalid_request_error`, its wording,
 * no param). The code is OpenAI's `model_not_found` in Tollgate's one casing: the SDKs pick the error class from
 * the HTTP status and only copy `code` (openai-node 6 `APIError.generate`), so the spelling breaks no client.
 */
export class ModelNotFoundError extends AppError {
  constructor(model: string) {
    super('MODEL_NOT_FOUND', `The model \`${model}\` does not exist or you do not have access to it.`, {
      status: 404,
      type: 'invalid_request_error',
    });
  }
}

/**
 * LiteLLM's 400 for a model name it has no deployment for (proxy/route_llm_request.py
 * ProxyModelNotFoundError; 1.89.7 sends `{"error":{"message":"/chat/completions: Invalid model name
 * passed in model=X. Call `/v1/models` …","code":"400",…}}`). Matched in the raw body, whatever the wrapping.
 */
const LITELLM_UNKNOWN_MODEL = /Invalid model name passed in model=(.*?)\. Call `\/v1\/models`/;

/** The model LiteLLM's error body says it does not serve, or null. */
export function unknownModelIn(status: number, raw: Buffer): string | null {
  if (status !== 400 || raw.length > 8192) return null;
  return LITELLM_UNKNOWN_MODEL.exec(raw.toString('utf8'))?.[1] ?? null;
}
