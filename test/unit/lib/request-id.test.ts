import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../src/lib/ids.ts';
import { isValidRequestId, resolveRequestId } from '../../../src/lib/request-context.ts';

describe('request ids', () => {
  it('accepts printable ids up to 128 characters', () => {
    expect(isValidRequestId('abc-123_X.y:z')).toBe(true);
    expect(isValidRequestId('a'.repeat(128))).toBe(true);
    expect(isValidRequestId('with inner space')).toBe(true);
  });

  it('refuses empty, too long, control characters, non-ASCII and surrounding spaces', () => {
    for (const bad of ['', 'a'.repeat(129), 'a\tb', 'a\nb', 'a\u0000', 'é', ' lead', 'trail ']) {
      expect(isValidRequestId(bad)).toBe(false);
    }
  });

  it('generates a UUIDv7 when absent and says when it replaced one', () => {
    expect(resolveRequestId(undefined)).toMatchObject({ replaced: false });
    expect(resolveRequestId(undefined).requestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(resolveRequestId('ok-1')).toEqual({ requestId: 'ok-1', replaced: false });
    const r = resolveRequestId('bad\u0001');
    expect(r.replaced).toBe(true);
    expect(r.requestId).not.toContain('bad');
  });

  it('makes UUIDv7s that sort in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_800_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
