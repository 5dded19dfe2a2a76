import { ValidationError } from '../lib/errors.ts';

/**
 * Idempotency scopes of ledger_transactions: a key is unique within its scope. Hold keys are
 * unique per wallet instead (holds table).
 */
export const IdempotencyScope = {
  topup: 'ledger:topup',
  refund: 'ledger:refund',
  grant: 'ledger:grant',
  adjustment: 'ledger:adjustment',
  reversal: 'ledger:reversal',
  settle: 'ledger:hold_settle',
  usage: 'ledger:usage',
  capture: 'ledger:hold_capture',
} as const;

/** A key is indexed and echoed in errors, so it is bounded; an empty one would let unrelated callers share it. */
export function checkIdempotencyKey(key: string, param = 'idempotencyKey'): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 255)
    throw new ValidationError(`${param} must be 1 to 255 characters`, { param });
  return key;
}
