/**
 * Exponential backoff with equal jitter: half fixed, half random, capped. `random = () => 1` gives the
 * plain doubling (no jitter), for retries inside one process where no herd of clients can align.
 */
export function backoffDelayMs(
  attempts: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
