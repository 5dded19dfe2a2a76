import { AppError } from '../lib/errors.ts';

export class ModelNotAllowedError extends AppError {
  constructor(model: string) {
    super('MODEL_NOT_ALLOWED', `This API key may not use model '${model}'`, {
      status: 403,
      type: 'permission_error',
      param: 'model',
    });
  }
}

export { ScopeNotAllowedError } from '../lib/errors.ts';

export class KeyBudgetExceededError extends AppError {
  constructor(kind: 'budget' | 'daily_cap', limitNanos: bigint, currency: string, resetsAt: Date | null) {
    super(
      kind === 'budget' ? 'KEY_BUDGET_EXCEEDED' : 'KEY_DAILY_CAP_EXCEEDED',
      kind === 'budget'
        ? `This API key has reached its budget (${limitNanos} nano-${currency})`
        : `This API key has reached its daily cap (${limitNanos} nano-${currency}); it resets at ${resetsAt?.toISOString()}`,
      {
        status: kind === 'budget' ? 402 : 429,
        type: 'insufficient_quota',
        details: {
          limit_nanos: String(limitNanos),
          currency,
          ...(resetsAt ? { resets_at: resetsAt.toISOString() } : {}),
        },
      },
    );
  }
}

/** A client-chosen X-Request-ID names one request: reusing it would replay that request's hold. */
export class RequestIdReusedError extends AppError {
  constructor(requestId: string) {
    super(
      'REQUEST_ID_REUSED',
      `X-Request-ID '${requestId}' was already used for another request; send a new one or omit the header`,
      { status: 409, type: 'invalid_request_error' },
    );
  }
}
