import { describe, expect, it } from 'vitest';
import { literalLength, matchTypeOf, patternMatches } from '../../../src/pricing/model-pattern.ts';

describe('model patterns', () => {
  it('treats a pattern with * or ? as a glob and anything else as an exact name', () => {
    expect(matchTypeOf('gpt-4o-mini')).toBe('exact');
    expect(matchTypeOf('gpt-4o*')).toBe('glob');
    expect(matchTypeOf('claude-3-?-sonnet')).toBe('glob');
  });

  it('matches globs on the whole name, with regex characters taken literally', () => {
    expect(patternMatches('gpt-4o*', 'glob', 'gpt-4o-mini')).toBe(true);
    expect(patternMatches('gpt-4o*', 'glob', 'gpt-4o')).toBe(true);
    expect(patternMatches('gpt-4o*', 'glob', 'openai/gpt-4o')).toBe(false);
    expect(patternMatches('*', 'glob', 'anything/at-all')).toBe(true);
    expect(patternMatches('gpt-4.1', 'exact', 'gpt-421')).toBe(false);
    expect(patternMatches('gpt-4.?', 'glob', 'gpt-4x1')).toBe(false);
    expect(patternMatches('gpt-4.?', 'glob', 'gpt-4.1')).toBe(true);
  });

  it('ranks globs by their literal characters', () => {
    expect(literalLength('gpt-4o*')).toBeGreaterThan(literalLength('gpt-*'));
    expect(literalLength('*')).toBe(0);
  });

  it('rejects patterns with characters outside model names', () => {
    expect(() => matchTypeOf('gpt 4')).toThrow(/may only contain/);
    expect(() => matchTypeOf('')).toThrow(/may only contain/);
  });
});
