import { AppError, BadRequestError, UnauthenticatedError } from '../../lib/errors.ts';

/** Wrong email or wrong password: one answer for both, so it tells nobody which emails exist. */
export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super('The email or password is wrong', 'INVALID_CREDENTIALS');
  }
}

/** A cookie-authenticated request without the matching X-Tollgate-CSRF header (docs/security.md#csrf). */
export class CsrfTokenInvalidError extends UnauthenticatedError {
  constructor() {
    super(
      'The X-Tollgate-CSRF header is missing or does not match the tollgate_csrf cookie',
      'CSRF_TOKEN_INVALID',
    );
  }
}

/** The session cookie names a session that was revoked, expired or never existed. */
export class SessionExpiredError extends UnauthenticatedError {
  constructor() {
    super('The session has ended: sign in again', 'SESSION_EXPIRED');
  }
}

/** A sign-in posted from a page of another origin (login CSRF). */
export class ForeignOriginError extends AppError {
  constructor() {
    super('FOREIGN_ORIGIN', 'This request must come from the gateway’s own origin', {
      status: 403,
      type: 'permission_error',
    });
  }
}

/** Too many failed sign-ins for this email or from this address: even a right password waits. */
export class SignInRateLimitedError extends AppError {
  override readonly headers: Record<string, string>;
  constructor(retryAfterMs: number, message = 'Too many failed sign-ins; retry later') {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super('RATE_LIMITED', message, {
      status: 429,
      type: 'rate_limit_exceeded',
      details: { retry_after_seconds: seconds },
    });
    this.headers = { 'retry-after': String(seconds) };
  }
}

/** An email link's token that is unknown, already used or expired (one answer for all three). */
export class EmailTokenInvalidError extends AppError {
  constructor() {
    super('TOKEN_INVALID', 'This link is invalid, already used or expired', {
      status: 400,
      type: 'invalid_request_error',
    });
  }
}

/** Signing in with a password before the email address was verified (after the right password only). */
export class EmailNotVerifiedError extends UnauthenticatedError {
  constructor() {
    super('Verify the email address first', 'EMAIL_NOT_VERIFIED');
  }
}

/** A TOTP code that is wrong, outside its window, or already used. */
export class TotpCodeInvalidError extends BadRequestError {
  constructor() {
    super('The authentication code is wrong or was already used', 'TOTP_CODE_INVALID');
  }
}
