import type { CircuitBreaker } from './circuit-breaker.ts';
import { RetryableError, withRetry } from './circuit-breaker.ts';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON when not a string. */
  body?: unknown;
  timeoutMs: number;
  /**
   * Safe to send twice: GET/PUT/DELETE, or a POST carrying an idempotency key. Only then are
   * timeouts, connection errors, 429 and 5xx retried.
   */
  idempotent: boolean;
  retry?: { attempts: number; baseMs: number; maxMs: number };
  /** The upstream's breaker: 5xx, 429, timeouts and connection errors count as failures; 4xx do not. */
  breaker?: CircuitBreaker;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

/** A non-2xx answer. `status` ≥ 500 or 429 is the upstream's trouble; the rest is the request's. */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError';
  constructor(
    readonly status: number,
    readonly body: string,
    url: string,
  ) {
    super(`${new URL(url).host} answered HTTP ${status}`);
  }
}

const upstreamTrouble = (status: number) => status >= 500 || status === 429;

/**
 * One outbound call with a timeout per attempt, retries only when idempotent (backoff + jitter), and
 * the upstream's circuit breaker around the whole thing (so an open circuit fails at once with
 * UPSTREAM_CIRCUIT_OPEN). Resolves for 2xx; throws HttpStatusError otherwise.
 */
export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const once = async (signal: AbortSignal): Promise<HttpResponse> => {
    const isString = typeof req.body === 'string';
    const res = await fetch(req.url, {
      method: req.method,
      signal,
      headers: {
        ...(req.body !== undefined && !isString ? { 'content-type': 'application/json' } : {}),
        ...req.headers,
      },
      ...(req.body !== undefined ? { body: isString ? (req.body as string) : JSON.stringify(req.body) } : {}),
    });
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) {
      const err = new HttpStatusError(res.status, text, req.url);
      throw upstreamTrouble(res.status)
        ? Object.assign(new RetryableError(err.message), { cause: err })
        : err;
    }
    return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
  };
  const attempt = () =>
    withRetry(once, {
      attempts: req.retry?.attempts ?? 3,
      baseMs: req.retry?.baseMs ?? 200,
      maxMs: req.retry?.maxMs ?? 2_000,
      idempotent: req.idempotent,
      timeoutMs: req.timeoutMs,
    }).catch((err: unknown) => {
      // Callers see the HTTP error, not the retry wrapper.
      throw err instanceof RetryableError && err.cause instanceof HttpStatusError ? err.cause : err;
    });
  if (!req.breaker) return attempt();
  return req.breaker.execute(
    attempt,
    (err) => !(err instanceof HttpStatusError) || upstreamTrouble(err.status),
  );
}
