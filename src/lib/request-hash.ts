import { createHash } from 'node:crypto';

/** JSON with object keys sorted and bigints as strings: equal inputs give equal text, whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    return v;
  });
}

/**
 * SHA-256 of the canonical JSON of a request: what an idempotency key is bound to. A replay of a
 * key with another hash is an IDEMPOTENCY_CONFLICT. The ledger's hold statement computes the same
 * hash in SQL (src/ledger/hot-statements.ts): changing the encoding here breaks replays of holds.
 */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}
