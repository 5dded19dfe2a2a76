import { Client, getLagoError } from 'lago-javascript-client';
import type { Config } from '../../config.ts';
import { AppError } from '../../lib/errors.ts';

export type LagoApi = ReturnType<typeof Client>;

/** Lago answered with an error status; `body` is Lago's error JSON (docs lago.md §1). */
export class LagoApiError extends AppError {
  readonly lagoStatus: number;
  readonly body: any;
  constructor(lagoStatus: number, body: any, operation: string) {
    const code = typeof body?.code === 'string' ? body.code : undefined;
    super(
      'LAGO_API_ERROR',
      `Lago ${operation} failed: ${lagoStatus}${code ? ` ${code}` : ''} ${details(body)}`,
      {
        status: 502,
        type: 'api_error',
      },
    );
    this.lagoStatus = lagoStatus;
    this.body = body;
  }

  /** A 422 `validation_errors` whose details carry this code for the field. */
  hasDetail(field: string, code: string): boolean {
    return this.lagoStatus === 422 && Array.isArray(this.body?.error_details?.[field])
      ? this.body.error_details[field].includes(code)
      : false;
  }

  /** 5xx, 429 and 408 may succeed on retry; 4xx otherwise will not. */
  get retryable(): boolean {
    return this.lagoStatus >= 500 || this.lagoStatus === 429 || this.lagoStatus === 408;
  }
}

/** The call never got an answer (connection refused/reset, timeout): it may or may not have taken effect. */
export class LagoTransportError extends AppError {
  constructor(operation: string, cause: unknown) {
    super('LAGO_UNREACHABLE', `Lago ${operation} got no answer: ${(cause as Error)?.message ?? cause}`, {
      status: 503,
      type: 'service_unavailable',
      cause,
    });
  }
}

function details(body: any): string {
  if (!body || typeof body !== 'object') return String(body ?? '').slice(0, 200);
  return JSON.stringify(body.error_details ?? body.error ?? body).slice(0, 500);
}

export interface LagoClientOptions {
  apiUrl: string;
  apiKey: string;
  timeoutMs: number;
}

/** The official client on `{LAGO_API_URL}/api/v1`, each call bounded by a timeout. */
export function createLagoApi(opts: LagoClientOptions): LagoApi {
  const baseUrl = `${opts.apiUrl.replace(/\/+$/, '')}/api/v1`;
  return Client(opts.apiKey, {
    baseUrl,
    customFetch: (input: RequestInfo | URL, init?: RequestInit) =>
      fetch(input, { ...init, signal: AbortSignal.timeout(opts.timeoutMs) }),
  });
}

export function lagoApiFromConfig(config: Config): LagoApi | undefined {
  if (!config.LAGO_API_URL || !config.LAGO_API_KEY) return undefined;
  return createLagoApi({
    apiUrl: config.LAGO_API_URL,
    apiKey: config.LAGO_API_KEY,
    timeoutMs: config.LAGO_REQUEST_TIMEOUT_MS,
  });
}

/**
 * Runs one client call and returns its data. A Lago error status becomes LagoApiError, anything
 * without an answer becomes LagoTransportError, so callers can tell "rejected" from "unknown".
 */
export async function lagoCall<T>(operation: string, call: () => Promise<{ data: T }>): Promise<T> {
  let res: { data: T };
  try {
    res = await call();
  } catch (err) {
    if (err && typeof err === 'object' && 'status' in err && typeof (err as any).status === 'number') {
      let body: any;
      try {
        body = await getLagoError(err);
      } catch {
        body = undefined;
      }
      throw new LagoApiError((err as any).status, body, operation);
    }
    throw new LagoTransportError(operation, err);
  }
  return res.data;
}

/** Like lagoCall, but a 404 gives undefined. */
export async function lagoFind<T>(
  operation: string,
  call: () => Promise<{ data: T }>,
): Promise<T | undefined> {
  try {
    return await lagoCall(operation, call);
  } catch (err) {
    if (err instanceof LagoApiError && err.lagoStatus === 404) return undefined;
    throw err;
  }
}
