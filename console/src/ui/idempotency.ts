import { useCallback, useState } from 'react';

/**
 * One idempotency key per intended operation: a retry or a double click of the same form sends the same key,
 * so the gateway posts money once; `renew` after a success (or when the person changes the form) starts the
 * next operation.
 */
export function useIdempotencyKey(): [string, () => void] {
  const [key, setKey] = useState(() => crypto.randomUUID());
  const renew = useCallback(() => setKey(crypto.randomUUID()), []);
  return [key, renew];
}
