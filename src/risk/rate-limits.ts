import { carriedAmount, type ReserveEntry, type SharedState } from '../infra/shared-state.ts';
import { RateLimitExceededError } from './errors.ts';

export const RATE_LIMIT_SCOPES = ['api_key', 'user', 'organization'] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

export interface RateLimitSpec {
  /** null or absent: unlimited. */
  requestsPerMinute?: number | null;
  tokensPerMinute?: number | null;
}

export type RateLimits = Partial<Record<RateLimitScope, RateLimitSpec>>;

export interface RateLimitInput {
  apiKeyId: string;
  userId: string;
  organizationId: string;
  /** Prompt tokens plus the max completion tokens asked for (or a default). */
  estimatedTokens: number;
  limits: RateLimits;
}

/** What `adjustTokens`/`release` need: the window and token counters this request reserved in. */
export interface RateLimitReservation {
  windowStartMs: number;
  tokenKeys: string[];
  requestKeys: string[];
  estimatedTokens: number;
}

export const WINDOW_MS = 60_000;
/** Counters outlive their window a little so late adjustments still land. */
const KEY_TTL_MS = 2 * WINDOW_MS;

interface Counter {
  scope: RateLimitScope;
  metric: 'requests' | 'tokens';
  limit: number;
  entry: ReserveEntry;
}

/**
 * Requests and tokens per minute per API key, user and organization, exact across gateway
 * processes: one counter per one-minute window in shared state, reserved all-or-nothing by one
 * atomic `reserveMany`, so N parallel requests against a limit of L let exactly min(N, L)
 * through. The window slides: the previous minute's count still weighs in, in proportion to how
 * much of it lies inside the last 60 s (the sliding-window counter), so a client cannot spend L
 * just before a minute boundary and L again just after it. Tokens are reserved with the estimate
 * at admission and corrected with `adjustTokens` at settle.
 */
export class RateLimiter {
  constructor(
    private readonly state: SharedState,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * Counts the request and its estimated tokens against every configured limit, or none of them.
   * @throws RateLimitExceededError (429, `rate_limit_exceeded`) with x-ratelimit-* and Retry-After headers.
   */
  async checkAndReserve(
    input: RateLimitInput,
  ): Promise<{ reservation: RateLimitReservation; headers: Record<string, string> }> {
    const now = this.nowMs();
    const windowStartMs = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    const elapsedMs = now - windowStartMs;
    const resetMs = WINDOW_MS - elapsedMs;
    // The share of the previous window still inside the last minute, in millionths.
    const weightPpm = Math.floor(((WINDOW_MS - elapsedMs) * 1_000_000) / WINDOW_MS);
    const counters = this.counters(input, windowStartMs, weightPpm);
    const result = await this.state.reserveMany(
      counters.map((c) => c.entry),
      KEY_TTL_MS,
    );
    const used = result.values.map((v, i) => v + carriedAmount(result.carried[i]!, weightPpm));
    const headers = rateLimitHeaders(counters, used, resetMs);
    if (!result.ok) {
      const i = result.refusedIndex;
      const refused = counters[i]!;
      const retryAfterMs = Math.max(
        1,
        waitMs({
          current: result.values[i]!,
          previous: result.carried[i]!,
          delta: refused.entry.delta,
          limit: BigInt(refused.limit),
          elapsedMs,
        }),
      );
      const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      const what = refused.metric === 'requests' ? 'Requests' : 'Tokens';
      const tooBig = refused.metric === 'tokens' && input.estimatedTokens > refused.limit;
      throw new RateLimitExceededError(
        tooBig
          ? `This request needs about ${input.estimatedTokens} tokens, more than the ${refused.limit} tokens per minute allowed for this ${scopeName(refused.scope)}`
          : `${what} per minute limit (${refused.limit}) reached for this ${scopeName(refused.scope)}; retry in ${retryAfterSeconds} s`,
        {
          retryAfterSeconds,
          retryAfterMs,
          headers,
          scope: refused.scope,
          metric: refused.metric,
          limit: refused.limit,
        },
      );
    }
    return {
      reservation: {
        windowStartMs,
        tokenKeys: counters.filter((c) => c.metric === 'tokens').map((c) => c.entry.key),
        requestKeys: counters.filter((c) => c.metric === 'requests').map((c) => c.entry.key),
        estimatedTokens: input.estimatedTokens,
      },
      headers,
    };
  }

  /** Replaces the estimate with the tokens actually used (in the window the request was admitted in). */
  async adjustTokens(reservation: RateLimitReservation, actualTokens: number): Promise<void> {
    const delta = BigInt(actualTokens - reservation.estimatedTokens);
    if (delta === 0n || reservation.tokenKeys.length === 0) return;
    await this.state.reserveMany(
      reservation.tokenKeys.map((key) => ({ key, delta, limit: null })),
      KEY_TTL_MS,
    );
    reservation.estimatedTokens = actualTokens;
  }

  /** Gives back a reservation whose request never reached upstream (refused later in admission). */
  async release(reservation: RateLimitReservation): Promise<void> {
    const entries = [
      ...reservation.requestKeys.map((key) => ({ key, delta: -1n, limit: null })),
      ...reservation.tokenKeys.map((key) => ({
        key,
        delta: BigInt(-reservation.estimatedTokens),
        limit: null,
      })),
    ];
    if (entries.length) await this.state.reserveMany(entries, KEY_TTL_MS);
    reservation.requestKeys = [];
    reservation.tokenKeys = [];
  }

  private counters(input: RateLimitInput, windowStartMs: number, weightPpm: number): Counter[] {
    const ids: Record<RateLimitScope, string> = {
      api_key: input.apiKeyId,
      user: input.userId,
      organization: input.organizationId,
    };
    const minute = windowStartMs / WINDOW_MS;
    const out: Counter[] = [];
    for (const scope of RATE_LIMIT_SCOPES) {
      const spec = input.limits[scope];
      if (!spec) continue;
      const base = `rl:${scope}:${ids[scope]}`;
      const carry = (metric: string) => ({ key: `${base}:${metric}:${minute - 1}`, weightPpm });
      if (spec.requestsPerMinute != null)
        out.push({
          scope,
          metric: 'requests',
          limit: spec.requestsPerMinute,
          entry: {
            key: `${base}:req:${minute}`,
            delta: 1n,
            limit: BigInt(spec.requestsPerMinute),
            carry: carry('req'),
          },
        });
      if (spec.tokensPerMinute != null)
        out.push({
          scope,
          metric: 'tokens',
          limit: spec.tokensPerMinute,
          entry: {
            key: `${base}:tok:${minute}`,
            delta: BigInt(input.estimatedTokens),
            limit: BigInt(spec.tokensPerMinute),
            carry: carry('tok'),
          },
        });
    }
    return out;
  }
}

/**
 * How long until a refused request would fit: until enough of the previous minute has slid out,
 * or, when this minute alone is already too full, until this minute has slid out far enough in
 * turn. A request bigger than the limit itself never fits; it is told the end of the window.
 */
export function waitMs(c: {
  current: bigint;
  previous: bigint;
  delta: bigint;
  limit: bigint;
  elapsedMs: number;
}) {
  const W = BigInt(WINDOW_MS);
  const elapsed = BigInt(c.elapsedMs);
  const untilWindowEnds = W - elapsed;
  if (c.delta > c.limit) return Number(untilWindowEnds);
  const room = c.limit - c.current - c.delta;
  if (room >= 0n && c.previous > 0n) {
    // previous · (W − t) / W ≤ room  ⇔  t ≥ W − room·W / previous (t: time into this window).
    const t = W - (room * W) / c.previous;
    return Number(t > elapsed ? t - elapsed : 1n);
  }
  // This minute must itself slide: at t into the next window, current · (W − t) / W + delta ≤ limit.
  const t = W - ((c.limit - c.delta) * W) / c.current;
  return Number(untilWindowEnds + t);
}

function scopeName(scope: RateLimitScope) {
  return scope === 'api_key' ? 'API key' : scope;
}

/** OpenAI's duration format for the reset headers: `1s`, `6m0s`. */
export function formatResetDuration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

/** The tightest limit per metric: the one with the fewest requests or tokens left. */
function rateLimitHeaders(counters: Counter[], values: bigint[], resetMs: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const metric of ['requests', 'tokens'] as const) {
    let best: { limit: number; remaining: number } | undefined;
    counters.forEach((c, i) => {
      if (c.metric !== metric) return;
      const remaining = Math.max(0, c.limit - Number(values[i] ?? 0n));
      if (!best || remaining < best.remaining) best = { limit: c.limit, remaining };
    });
    if (!best) continue;
    headers[`x-ratelimit-limit-${metric}`] = String(best.limit);
    headers[`x-ratelimit-remaining-${metric}`] = String(best.remaining);
    headers[`x-ratelimit-reset-${metric}`] = formatResetDuration(resetMs);
  }
  return headers;
}
