import { afterEach, describe, expect, it, vi } from 'vitest';
import { skipWithoutTool } from '../../helpers/optional-tool.ts';

describe('a test whose tool is unavailable', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs when the tool is there, in CI or not', () => {
    expect(skipWithoutTool('t', null, { CI: 'true' })).toBe(false);
    expect(skipWithoutTool('t', null, {})).toBe(false);
  });

  it('fails in CI rather than skip, saying why', () => {
    expect(() => skipWithoutTool('real-litellm', 'pip install failed', { CI: 'true' })).toThrow(
      'real-litellm cannot be skipped in CI (CI=true): pip install failed',
    );
    expect(() => skipWithoutTool('real-litellm', 'no PyPI', { CI: '1' })).toThrow(/cannot be skipped in CI/);
  });

  it('skips on a developer machine, printing the reason', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(skipWithoutTool('real-litellm', 'no PyPI', {})).toBe(true);
    expect(skipWithoutTool('real-litellm', 'no PyPI', { CI: 'false' })).toBe(true);
    expect(warn).toHaveBeenCalledWith('real-litellm skipped: no PyPI');
  });
});
