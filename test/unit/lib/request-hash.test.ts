import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requestHash } from '../../../src/lib/request-hash.ts';

describe('requestHash', () => {
  it('ignores key order, nested too, and tells different values apart', () => {
    expect(requestHash({ b: 1n, a: { y: 'x', x: null } })).toBe(
      requestHash({ a: { x: null, y: 'x' }, b: 1n }),
    );
    expect(requestHash({ a: 1n })).not.toBe(requestHash({ a: 2n }));
    expect(requestHash({ a: [1, 2] })).not.toBe(requestHash({ a: [2, 1] }));
  });

  it('hashes the text the hold statement hashes in SQL: sorted keys, bigints as strings', () => {
    // src/ledger/hot-statements.ts (HOLD_HASH) builds this exact text; a replayed hold compares the two.
    const text = '{"amountNanos":"1500","walletId":"wal_1"}';
    expect(requestHash({ walletId: 'wal_1', amountNanos: 1500n })).toBe(
      createHash('sha256').update(text).digest('hex'),
    );
  });
});
