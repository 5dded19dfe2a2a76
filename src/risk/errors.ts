import { AppError } from '../lib/errors.ts';

/**
 * Too many requests or tokens in the current window. `headers` (x-ratelimit-*, Retry-After) belong
 * on the 429 response; `retryAfterSeconds` is when the refusing window ends.
 */
export class RateLimitExceededError extends AppError {
  readonly retryAfterSeconds: number;
  override readonly headers: Record<string, string>;

  constructor(
    message: string,
    opts: {
      retryAfterSeconds: number;
      /** The exact wait, sent as `retry-after-ms` (which OpenAI's SDKs prefer to `retry-after`). */
      retryAfterMs?: number;
      headers: Record<string, string>;
      scope: string;
      metric: string;
      limit: number;
    },
  ) {
    super('RATE_LIMIT_EXCEEDED', message, {
      status: 429,
      type: 'rate_limit_exceeded',
      details: {
        scope: opts.scope,
        metric: opts.metric,
        limit: opts.limit,
        retry_after_seconds: opts.retryAfterSeconds,
        ...(opts.retryAfterMs !== undefined ? { retry_after_ms: opts.retryAfterMs } : {}),
      },
    });
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.headers = {
      ...opts.headers,
      'retry-after': String(opts.retryAfterSeconds),
      ...(opts.retryAfterMs !== undefined ? { 'retry-after-ms': String(opts.retryAfterMs) } : {}),
    };
  }
}

/** Spend per minute or per hour for a key or user would pass its cap. */
export class SpendVelocityExceededError extends AppError {
  readonly retryAfterSeconds: number;
  override readonly headers: Record<string, string>;

  constructor(opts: {
    scope: string;
    window: 'minute' | 'hour';
    currency: string;
    capNanos: bigint;
    retryAfterSeconds: number;
  }) {
    super(
      'SPEND_VELOCITY_EXCEEDED',
      `Spend cap per ${opts.window} for this ${opts.scope === 'api_key' ? 'API key' : opts.scope} reached`,
      {
        status: 429,
        type: 'rate_limit_exceeded',
        details: {
          scope: opts.scope,
          window: opts.window,
          currency: opts.currency,
          cap_nanos: opts.capNanos.toString(),
          retry_after_seconds: opts.retryAfterSeconds,
        },
      },
    );
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.headers = { 'retry-after': String(opts.retryAfterSeconds) };
  }
}

/** The estimated cost of one request is above the per-request maximum. Retrying will not help. */
export class RequestCostTooHighError extends AppError {
  constructor(opts: { currency: string; estimatedNanos: bigint; maxNanos: bigint }) {
    super('REQUEST_COST_TOO_HIGH', 'The estimated cost of this request is above the per-request maximum', {
      status: 403,
      type: 'permission_error',
      details: {
        currency: opts.currency,
        estimated_nanos: opts.estimatedNanos.toString(),
        max_nanos: opts.maxNanos.toString(),
      },
    });
  }
}

export const PAYMENT_RISK_CODES = ['TOPUP_LIMIT_EXCEEDED', 'TOPUP_COOLDOWN', 'AMOUNT_OUT_OF_RANGE'] as const;
export type PaymentRiskCode = (typeof PAYMENT_RISK_CODES)[number];

/** A top-up refused by payment risk rules, before any provider call. */
export class PaymentRiskError extends AppError {
  readonly retryAfterSeconds: number | null;

  constructor(
    code: PaymentRiskCode,
    message: string,
    details: Record<string, unknown> & { retry_after_seconds?: number } = {},
  ) {
    super(code, message, { status: code === 'AMOUNT_OUT_OF_RANGE' ? 400 : 429, details });
    this.retryAfterSeconds = details.retry_after_seconds ?? null;
  }
}
