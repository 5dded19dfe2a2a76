import { AppError } from '../lib/errors.ts';
import { patternMatches } from '../pricing/model-pattern.ts';
import type { ApiScope } from './principal.ts';

/** What an API key may do, as stored on api_keys. null (or an empty allowlist) = no bound. */
export interface KeyLimits {
  scopes: readonly string[];
  modelAllowlist: readonly string[];
  budgetNanos: bigint | null;
  budgetCurrency: string | null;
  dailyCapNanos: bigint | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  /** min(expiresAt, graceUntil): when the key stops working. */
  expiresAt: Date | null;
}

export type KeyLimitField = Exclude<keyof KeyLimits, 'budgetCurrency'>;

export class KeyLimitsWiderError extends AppError {
  constructor(field: KeyLimitField, why: string) {
    super('KEY_LIMITS_EXCEED_CALLER', `${field}: ${why}`, {
      status: 403,
      type: 'permission_error',
      param: field,
    });
  }
}

const isGlob = (p: string) => /[*?]/.test(p);

/** Is every model `entry` admits also admitted by `bound`? Globs only when literally in `bound`. */
function allowlistCovers(bound: readonly string[], entry: string): boolean {
  if (bound.includes(entry)) return true;
  return !isGlob(entry) && bound.some((p) => patternMatches(p, isGlob(p) ? 'glob' : 'exact', entry));
}

/**
 * Checks that `proposed` grants nothing `caller` lacks, for the fields in `changed` (all of them
 * when a key is created). docs/security.md#key-limits states the rule per limit:
 * - scopes ⊆ the caller's;
 * - allowlist: if the caller's is not empty, the new one is not empty either and each entry is on
 *   the caller's or (a plain model name) matched by one of its patterns;
 * - budget and daily cap: if the caller has one, the new key has one too, in the caller's
 *   currency, no larger;
 * - rpm/tpm limits: if the caller has one, the new key has one too, no larger;
 * - expiry: if the caller's key expires, the new one expires no later.
 * Bounds are per key, not a pool shared with the caller (see the docs for the total).
 * @throws KeyLimitsWiderError naming the first field that is wider.
 */
export function requireWithinLimits(
  caller: KeyLimits,
  proposed: KeyLimits,
  changed: ReadonlySet<KeyLimitField>,
): void {
  if (changed.has('scopes')) {
    const extra = proposed.scopes.filter((s) => !caller.scopes.includes(s as ApiScope));
    if (extra.length) throw new KeyLimitsWiderError('scopes', `your key lacks ${extra.join(', ')}`);
  }
  if (changed.has('modelAllowlist') && caller.modelAllowlist.length > 0) {
    if (proposed.modelAllowlist.length === 0)
      throw new KeyLimitsWiderError('modelAllowlist', 'your key is limited to a model allowlist');
    const extra = proposed.modelAllowlist.filter((m) => !allowlistCovers(caller.modelAllowlist, m));
    if (extra.length)
      throw new KeyLimitsWiderError('modelAllowlist', `your key may not use ${extra.join(', ')}`);
  }
  for (const field of ['budgetNanos', 'dailyCapNanos'] as const) {
    const bound = caller[field];
    if (!changed.has(field) || bound === null) continue;
    const value = proposed[field];
    if (value === null || proposed.budgetCurrency !== caller.budgetCurrency || value > bound)
      throw new KeyLimitsWiderError(field, `must be at most ${bound} in ${caller.budgetCurrency}`);
  }
  for (const field of ['rpmLimit', 'tpmLimit'] as const) {
    const bound = caller[field];
    if (!changed.has(field) || bound === null) continue;
    const value = proposed[field];
    if (value === null || value > bound) throw new KeyLimitsWiderError(field, `must be at most ${bound}`);
  }
  if (changed.has('expiresAt') && caller.expiresAt !== null) {
    const value = proposed.expiresAt;
    if (value === null || value > caller.expiresAt)
      throw new KeyLimitsWiderError('expiresAt', `must be no later than ${caller.expiresAt.toISOString()}`);
  }
}

export const ALL_KEY_LIMIT_FIELDS: ReadonlySet<KeyLimitField> = new Set([
  'scopes',
  'modelAllowlist',
  'budgetNanos',
  'dailyCapNanos',
  'rpmLimit',
  'tpmLimit',
  'expiresAt',
]);
