import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../../src/identity/crypto.ts';
import { SessionExpiredError } from '../../../../src/identity/sign-in/errors.ts';
import { SessionService } from '../../../../src/identity/sign-in/sessions.ts';
import { type TestDatabase, openTestDatabase } from '../../../helpers/db.ts';

describe('SessionService', () => {
  let db: TestDatabase;
  let now = Date.parse('2026-01-01T00:00:00Z');
  let service: SessionService;
  const revoked: string[][] = [];
  let userId: string;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    service = new SessionService({
      db: db.prisma,
      clock: () => new Date(now),
      idleTtlSeconds: 3_600,
      absoluteTtlSeconds: 86_400,
      onInvalidated: async (hashes) => {
        revoked.push(hashes);
      },
    });
    userId = `user_${randomBytes(6).toString('hex')}`;
    await db.prisma.user.create({ data: { id: userId, email: 'u@x.test' } });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('stores only hashes of the token and the CSRF token', async () => {
    const s = await service.open({ userId, organizationId: null });
    const row = await db.prisma.userSession.findUniqueOrThrow({ where: { id: s.id } });
    expect(row.tokenHash).toBe(sha256Hex(s.token));
    expect(row.csrfHash).toBe(sha256Hex(s.csrf));
    expect(s.token).toMatch(/^[0-9A-Za-z]{43}$/);
    expect(JSON.stringify(row)).not.toContain(s.token);
  });

  it('writes lastSeenAt at most once a minute, pushing the idle expiry back', async () => {
    const s = await service.open({ userId, organizationId: null });
    const created = now;
    now += 30_000;
    await service.authenticate(s.token);
    const row = () => db.prisma.userSession.findUniqueOrThrow({ where: { id: s.id } });
    expect((await row()).lastSeenAt.getTime()).toBe(created);
    now += 31_000;
    await service.authenticate(s.token);
    await expect.poll(async () => (await row()).lastSeenAt.getTime()).toBe(now);
    expect((await row()).idleExpiresAt.getTime()).toBe(now + 3_600_000);
  });

  it('ends a session at its idle expiry, its absolute expiry, and on revocation (broadcasting its hash)', async () => {
    const idle = await service.open({ userId, organizationId: null });
    now += 3_600_000;
    await expect(service.authenticate(idle.token)).rejects.toBeInstanceOf(SessionExpiredError);

    const absolute = await service.open({ userId, organizationId: null });
    const lastSeen = async () =>
      (await db.prisma.userSession.findUniqueOrThrow({ where: { id: absolute.id } })).lastSeenAt.getTime();
    // Used every 50 minutes (idle expiry: one hour), it lives 24 hours and not a minute more.
    const end = now + 86_400_000;
    while (now + 3_000_000 < end) {
      now += 3_000_000;
      await service.authenticate(absolute.token);
      await expect.poll(lastSeen).toBe(now);
    }
    now = end;
    await expect(service.authenticate(absolute.token)).rejects.toBeInstanceOf(SessionExpiredError);

    const ended = await service.open({ userId, organizationId: null });
    expect(await service.revoke({ id: ended.id })).toBe(1);
    expect(revoked.at(-1)).toEqual([sha256Hex(ended.token)]);
    await expect(service.authenticate(ended.token)).rejects.toBeInstanceOf(SessionExpiredError);
    await expect(service.authenticate('no-such-token')).rejects.toBeInstanceOf(SessionExpiredError);
  });
});
