import { describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/client.ts';
import { sha256Hex } from '../../../src/identity/crypto.ts';
import { ApiKeyService } from '../../../src/identity/api-keys.ts';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';

const SECRET = `tg-${'a'.repeat(40)}`;

/** A database whose key reads wait until `release` is called, counting them. */
function slowKeyTable() {
  const reads: string[] = [];
  let waiting: (() => void)[] = [];
  let revoked = false;
  const gate = () => new Promise<void>((resolve) => waiting.push(resolve));
  const db = {
    apiKey: {
      async findUnique({ where }: { where: { hash: string } }) {
        reads.push(where.hash);
        const revokedAtRead = revoked;
        await gate();
        return {
          id: 'key_1',
          organizationId: 'org_1',
          userId: 'usr_1',
          teamId: null,
          scopes: ['inference'],
          modelAllowlist: [],
          budgetNanos: null,
          budgetCurrency: null,
          dailyCapNanos: null,
          revokedAt: revokedAtRead ? new Date() : null,
          expiresAt: null,
          graceUntil: null,
          lastUsedAt: new Date(),
          user: { isPlatformAdmin: false, status: 'active' },
          organization: { status: 'active' },
        };
      },
      updateMany: async () => ({ count: 1 }),
    },
    membership: { findUnique: async () => ({ role: 'member' }) },
  };
  const release = async () => {
    // Let every caller reach the gate first.
    await new Promise((r) => setImmediate(r));
    const w = waiting;
    waiting = [];
    for (const resolve of w) resolve();
  };
  return { db: db as unknown as Db, reads, release, revoke: () => (revoked = true) };
}

describe('ApiKeyService cache loads', () => {
  it('requests arriving while a key is being read share that one database read', async () => {
    const t = slowKeyTable();
    const keys = new ApiKeyService({
      db: t.db,
      state: new MemorySharedState(),
      clock: () => new Date(),
      cacheTtlMs: 30_000,
    });
    const all = Promise.all(Array.from({ length: 20 }, () => keys.authenticate(SECRET)));
    await t.release();
    const principals = await all;
    expect(t.reads).toHaveLength(1);
    expect(new Set(principals.map((p) => p.apiKeyId))).toEqual(new Set(['key_1']));
  });

  it('a request after the key was invalidated reads again, even while an older read is in flight', async () => {
    const t = slowKeyTable();
    const keys = new ApiKeyService({
      db: t.db,
      state: new MemorySharedState(),
      clock: () => new Date(),
      cacheTtlMs: 30_000,
    });
    const outcome = (p: Promise<unknown>) =>
      p.then(
        () => 'admitted',
        (e: { code: string }) => e.code,
      );
    const before = outcome(keys.authenticate(SECRET));
    await new Promise((r) => setImmediate(r));
    t.revoke();
    await keys.invalidate([sha256Hex(SECRET)]);
    const after = outcome(keys.authenticate(SECRET));
    await t.release();
    // The read started before the revocation answers as of then; the one after sees it.
    expect(await before).toBe('admitted');
    expect(await after).toBe('API_KEY_REVOKED');
    expect(t.reads).toHaveLength(2);
    // And the revoked state is what stays cached.
    await expect(keys.authenticate(SECRET)).rejects.toMatchObject({ code: 'API_KEY_REVOKED' });
    expect(t.reads).toHaveLength(2);
  });
});
