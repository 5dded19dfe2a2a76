/**
 * One error base for every expected failure. Each subclass has a stable SCREAMING_SNAKE `code`
 * and an HTTP status; `src/http/error-mapping.ts` maps them once to GraphQL extensions and to
 * JSON/OpenAI-shaped HTTP bodies. Anything that is not an AppError is masked as INTERNAL.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  /** OpenAI error `type` for the proxy path. */
  readonly type: string;
  readonly details: Record<string, unknown> | undefined;
  readonly param: string | undefined;
  /** Extra response headers (e.g. Retry-After, rate-limit headers) sent with the error. */
  headers?: Record<string, string>;

  constructor(
    code: string,
    message: string,
    opts: {
      status?: number;
      type?: string;
      details?: Record<string, unknown>;
      param?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = opts.status ?? 400;
    this.type = opts.type ?? 'invalid_request_error';
    this.details = opts.details;
    this.param = opts.param;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, opts: { param?: string; details?: Record<string, unknown> } = {}) {
    super('VALIDATION_FAILED', message, { status: 400, ...opts });
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, code = 'BAD_REQUEST') {
    super(code, message, { status: 400 });
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super('NOT_FOUND', id ? `${what} '${id}' not found` : `${what} not found`, { status: 404 });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Authentication required', code = 'UNAUTHENTICATED') {
    super(code, message, { status: 401, type: 'authentication_error' });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Not allowed', code = 'FORBIDDEN') {
    super(code, message, { status: 403, type: 'permission_error' });
  }
}

/** The API key lacks the scope the field or route declares (docs/security.md#scopes). */
export class ScopeNotAllowedError extends AppError {
  constructor(scope: string) {
    super('SCOPE_NOT_ALLOWED', `This API key lacks the '${scope}' scope`, {
      status: 403,
      type: 'permission_error',
    });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'CONFLICT') {
    super(code, message, { status: 409 });
  }
}

export class IdempotencyConflictError extends AppError {
  constructor(scope: string, key: string) {
    super(
      'IDEMPOTENCY_CONFLICT',
      `Idempotency key '${key}' was already used with different content (${scope})`,
      {
        status: 409,
      },
    );
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `Request body exceeds ${limitBytes} bytes`, { status: 413 });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string, code = 'SERVICE_UNAVAILABLE') {
    super(code, message, { status: 503, type: 'service_unavailable' });
  }
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
