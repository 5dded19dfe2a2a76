import { patternMatches } from '../pricing/model-pattern.ts';

/** Whether a key's model allowlist (exact names or globs; empty = every model) lets `model` through. */
export function modelAllowed(allowlist: readonly string[], model: string): boolean {
  if (allowlist.length === 0) return true;
  return allowlist.some((p) => patternMatches(p, /[*?]/.test(p) ? 'glob' : 'exact', model));
}
