import { setTimeout as sleep } from 'node:timers/promises';
import type { SharedState } from './shared-state.ts';

export interface CounterSource {
  /** The counter's value from its source of truth (e.g. usage_records of the day). */
  total(): Promise<bigint>;
  /** TTL the counter gets when rebuilt. */
  ttlMs: number;
  /** How long one process may rebuild before another may try. */
  lockTtlMs: number;
  /** How long the others wait for the counter to appear before reserving on what there is. */
  waitMs: number;
}

const POLL_MS = 20;

/**
 * Makes sure a counter exists, rebuilding it from its source of truth when SharedState lost it
 * (or it is new). One process wins a short lock, looks again under it — another may have rebuilt
 * the counter between this process's first look and its lock — and adds the total (adding, not
 * setting, keeps reservations that raced in); the others wait for the counter to appear.
 * Returns true when this call added the rebuilt total.
 */
export async function ensureCounter(
  state: Pick<SharedState, 'get' | 'reserve' | 'del' | 'addRebuiltTotal'>,
  key: string,
  source: CounterSource,
): Promise<boolean> {
  if ((await state.get(key)) !== null) return false;
  const lock = `${key}:rebuild`;
  if ((await state.reserve(lock, 1, 1, source.lockTtlMs)).ok) {
    try {
      if ((await state.get(key)) !== null) return false;
      return await state.addRebuiltTotal(key, await source.total(), source.ttlMs);
    } finally {
      await state.del(lock);
    }
  }
  for (let waited = 0; waited < source.waitMs; waited += POLL_MS) {
    await sleep(POLL_MS);
    if ((await state.get(key)) !== null) return false;
  }
  return false;
}
