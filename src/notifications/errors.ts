import { AppError } from '../lib/errors.ts';

/** Webhook secrets are stored encrypted; without TOLLGATE_ENCRYPTION_KEY endpoints cannot be created. */
export class EncryptionKeyMissingError extends AppError {
  constructor() {
    super(
      'ENCRYPTION_KEY_MISSING',
      'TOLLGATE_ENCRYPTION_KEY is not configured; webhook endpoints are unavailable',
      {
        status: 503,
        type: 'service_unavailable',
      },
    );
  }
}
