import pino from 'pino';
import { currentRequestId } from './request-context.ts';

/**
 * JSON logs. Every line carries the current request id (from AsyncLocalStorage), and the redact
 * list keeps secrets and API keys out of the logs whatever object is logged.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { service: 'tollgate' },
  mixin() {
    const requestId = currentRequestId();
    return requestId ? { request_id: requestId } : {};
  },
  redact: {
    paths: [
      'authorization',
      '*.authorization',
      'headers.authorization',
      '*.headers.authorization',
      '*.headers["x-api-key"]',
      // Session cookies and their CSRF token (src/identity/sign-in/cookies.ts).
      'headers.cookie',
      '*.headers.cookie',
      'headers["set-cookie"]',
      '*.headers["set-cookie"]',
      'headers["x-tollgate-csrf"]',
      '*.headers["x-tollgate-csrf"]',
      'passwordHash',
      '*.passwordHash',
      'headers["x-api-key"]',
      'apiKey',
      '*.apiKey',
      'secret',
      '*.secret',
      'password',
      '*.password',
      'clientSecret',
      '*.clientSecret',
      // Ours for providers without a client secret (src/payments/client-secret.ts), as powerful.
      'pageSecret',
      '*.pageSecret',
      // The hosted payment pages' proof of the paying browser (src/payments/routes.ts).
      'headers["x-client-secret"]',
      '*.headers["x-client-secret"]',
    ],
    censor: '[redacted]',
  },
});

export type Logger = typeof logger;
