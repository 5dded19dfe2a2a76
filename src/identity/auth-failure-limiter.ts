import type { IncomingMessage } from 'node:http';
import type { SharedState } from '../infra/shared-state.ts';
import { AppError, UnauthenticatedError } from '../lib/errors.ts';

const WINDOW_MS = 60_000;

/** A source address sent too many wrong credentials this minute: even a right one is refused until it ends. */
export class TooManyAuthFailuresError extends AppError {
  override readonly headers: Record<string, string>;
  constructor(retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super('TOO_MANY_AUTH_FAILURES', 'Too many failed credentials from this address; retry later', {
      status: 429,
      type: 'rate_limit_exceeded',
      details: { retry_after_seconds: seconds },
    });
    this.headers = { 'retry-after': String(seconds), 'retry-after-ms': String(retryAfterMs) };
  }
}

export interface AuthFailureLimiterOptions {
  /** AUTH_FAILURES_PER_MINUTE; 0 turns the limiter off. */
  perMinute: number;
  /** CLIENT_IP_HEADER: a header the trusted reverse proxy sets (its last value is used). */
  clientIpHeader?: string | undefined;
  nowMs?: () => number;
}

/**
 * Counts wrong credentials per source address per minute in SharedState, so every replica sees
 * the same count. A successful authentication costs nothing (no Redis call on the hot path): the
 * counter is read only when a credential fails, and a source over the limit is then refused
 * locally until the window ends. Across N replicas a source can therefore make at most N extra
 * attempts after the shared limit is reached (one per replica that has not yet refused it).
 */
export class AuthFailureLimiter {
  private readonly blockedUntil = new Map<string, number>();
  private readonly nowMs: () => number;

  constructor(
    private readonly state: SharedState,
    private readonly opts: AuthFailureLimiterOptions,
  ) {
    this.nowMs = opts.nowMs ?? Date.now;
  }

  /** The address a request came from: the socket's, or the trusted proxy's header when configured. */
  sourceOf(req: Pick<IncomingMessage, 'headers' | 'socket'> | undefined): string {
    const name = this.opts.clientIpHeader;
    const header = name ? req?.headers[name] : undefined;
    const value = Array.isArray(header) ? header.at(-1) : header;
    const fromHeader = value?.split(',').at(-1)?.trim();
    return fromHeader || req?.socket?.remoteAddress || 'unknown';
  }

  /**
   * Runs `authenticate` for a credential from `source`. Throws TooManyAuthFailuresError (429)
   * when the source is over the limit; a failure (UnauthenticatedError) is counted and rethrown.
   * No credential at all is not a failure: anonymous callers are limited elsewhere.
   */
  async guard<T>(source: string, credential: string | null, authenticate: () => Promise<T>): Promise<T> {
    if (this.opts.perMinute === 0 || credential === null) return authenticate();
    const now = this.nowMs();
    const until = this.blockedUntil.get(source);
    if (until !== undefined) {
      if (until > now) throw new TooManyAuthFailuresError(until - now);
      this.blockedUntil.delete(source);
    }
    try {
      return await authenticate();
    } catch (err) {
      if (!(err instanceof UnauthenticatedError)) throw err;
      const window = Math.floor(now / WINDOW_MS);
      const windowEnd = (window + 1) * WINDOW_MS;
      const count = await this.state
        .incrBy(`auth-failures:${source}:${window}`, 1, windowEnd - now + 1_000)
        .catch(() => 0); // Shared state down: authentication still answers 401, unlimited.
      if (count > this.opts.perMinute) {
        this.blockedUntil.set(source, windowEnd);
        if (this.blockedUntil.size > 10_000) this.prune(now);
        throw new TooManyAuthFailuresError(windowEnd - now);
      }
      throw err;
    }
  }

  private prune(now: number) {
    for (const [source, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(source);
  }
}
