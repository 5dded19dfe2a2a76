import { backoffDelayMs } from './backoff.ts';
import { logger } from './logger.ts';

/** Backoff between attempts of a step that failed for a transient reason: 50 ms doubling, at most 5 s. */
export const retryDelayMs = (attempt: number) => backoffDelayMs(attempt, 50, 5_000, () => 1);

/**
 * Runs an idempotent step once and, when it fails (a dependency away), again in the background
 * with backoff for up to `forMs`. Resolves after the first attempt: callers never wait for an
 * outage to end. `what` names the step in the logs.
 */
export async function retryInBackground(
  what: string,
  requestId: string | null,
  step: () => Promise<unknown>,
  forMs = 120_000,
): Promise<void> {
  try {
    await step();
    return;
  } catch (err) {
    logger.warn({ err, requestId }, `${what} failed; retrying in the background`);
  }
  const deadline = Date.now() + forMs;
  void (async () => {
    for (let attempt = 2; Date.now() < deadline; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)).unref());
      try {
        await step();
        return;
      } catch {}
    }
    logger.error({ requestId }, `${what} given up`);
  })();
}
