import type { Readable } from 'node:stream';
import { Pool } from 'undici';

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** Path under LITELLM_URL, starting with `/`. */
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The response body; the proxy consumes it with `data`/`end`/`error` events and pause/resume. */
  body: Readable;
}

/**
 * How the proxy reaches LiteLLM. One implementation ships (undici, chosen by measurement: see
 * docs/benchmarks.md); the benchmark plugs in node:http for comparison.
 */
export interface UpstreamTransport {
  /** Resolves when response headers arrive. Rejects with an error `upstreamFailure` (errors.ts) maps. */
  request(req: UpstreamRequest): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

export interface UndiciTransportOptions {
  baseUrl: string;
  connections: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

/** A keep-alive undici Pool to one origin. Requests are never retried: a retried POST could be billed twice upstream. */
export function undiciTransport(opts: UndiciTransportOptions): UpstreamTransport {
  const url = new URL(opts.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections: opts.connections,
    connectTimeout: opts.connectTimeoutMs,
    headersTimeout: opts.headersTimeoutMs,
    bodyTimeout: opts.bodyTimeoutMs,
    // Below uvicorn's 5 s keep-alive, so we never reuse a socket LiteLLM is closing.
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 4_000,
  });
  return {
    async request(req) {
      const res = await pool.request({
        method: req.method,
        path: prefix + req.path,
        headers: req.headers,
        body: req.body,
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    },
    close: () => pool.close(),
  };
}

/**
 * Puts the upstream behind a circuit breaker: connection failures and timeouts count as failures
 * (LiteLLM down or hung); HTTP errors it answers do not (those are the model provider's). While the
 * breaker is open, requests fail fast with CircuitOpenError (503) instead of waiting for timeouts.
 */
export function breakerTransport(
  inner: UpstreamTransport,
  breaker: { execute<T>(fn: () => Promise<T>, isFailure?: (err: unknown) => boolean): Promise<T> },
): UpstreamTransport {
  return {
    request: (req) => breaker.execute(() => inner.request(req)),
    close: () => inner.close(),
  };
}

/** Reads a whole upstream body, keeping at most `max` bytes of it (the rest is read and dropped). */
export function readUpstreamBody(up: UpstreamResponse, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    up.body.on('data', (c: Buffer) => {
      if (size < max) chunks.push(c);
      size += c.length;
    });
    up.body.once('end', () => resolve(Buffer.concat(chunks)));
    up.body.once('error', reject);
  });
}
