import { ValidationError } from '../lib/errors.ts';

export const MATCH_TYPES = ['exact', 'glob'] as const;
export type MatchType = (typeof MATCH_TYPES)[number];

const PATTERN = /^[A-Za-z0-9._:/@+*?-]{1,200}$/;

/** A pattern with `*` (any run of characters, including none) or `?` (one character) is a glob; anything else matches exactly. */
export function matchTypeOf(pattern: string): MatchType {
  if (!PATTERN.test(pattern))
    throw new ValidationError(
      `Model pattern '${pattern}' may only contain letters, digits, . _ : / @ + - and the wildcards * ?`,
      { param: 'modelPattern' },
    );
  return /[*?]/.test(pattern) ? 'glob' : 'exact';
}

const compiled = new Map<string, RegExp>();

export function patternMatches(pattern: string, matchType: string, model: string): boolean {
  if (matchType === 'exact') return pattern === model;
  let re = compiled.get(pattern);
  if (!re) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\/]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${source}$`);
    compiled.set(pattern, re);
  }
  return re.test(model);
}

/** How specific a glob is: its count of literal (non-wildcard) characters. `gpt-4o*` (6) beats `gpt-*` (4) beats `*` (0). */
export function literalLength(pattern: string): number {
  return pattern.replace(/[*?]/g, '').length;
}
