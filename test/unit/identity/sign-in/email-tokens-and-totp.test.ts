import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.ts';
import { encryptSecret } from '../../../../src/identity/crypto.ts';
import { consumeEmailToken, issueEmailToken } from '../../../../src/identity/sign-in/email-tokens.ts';
import { EmailTokenInvalidError } from '../../../../src/identity/sign-in/errors.ts';
import { type AccountServices, signUp } from '../../../../src/identity/sign-in/sign-up.ts';
import { acceptTotpCode } from '../../../../src/identity/sign-in/totp.ts';
import { ConfigError, ForbiddenError } from '../../../../src/lib/errors.ts';
import { createPasswordUser } from '../../../../testkit/identity.ts';
import { type TestDatabase, openTestDatabase } from '../../../helpers/db.ts';

describe('email tokens and TOTP codes are good once', () => {
  let db: TestDatabase;
  const now = new Date('2026-03-01T12:00:00Z');

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('lets exactly one of many concurrent requests spend a token', async () => {
    const { userId } = await createPasswordUser(db.prisma, {
      email: 'race@example.test',
      password: 'long enough pass',
    });
    const token = await issueEmailToken(db.prisma, {
      userId,
      purpose: 'reset_password',
      ttlSeconds: 60,
      now,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        consumeEmailToken(db.prisma, { token, purpose: 'reset_password', now }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(EmailTokenInvalidError);
  });

  it('refuses a token at its expiry instant and for the other purpose', async () => {
    const { userId } = await createPasswordUser(db.prisma, {
      email: 'exp@example.test',
      password: 'long enough pass',
    });
    const token = await issueEmailToken(db.prisma, { userId, purpose: 'verify_email', ttlSeconds: 60, now });
    await expect(
      consumeEmailToken(db.prisma, { token, purpose: 'reset_password', now }),
    ).rejects.toBeInstanceOf(EmailTokenInvalidError);
    const atExpiry = new Date(now.getTime() + 60_000);
    await expect(
      consumeEmailToken(db.prisma, { token, purpose: 'verify_email', now: atExpiry }),
    ).rejects.toBeInstanceOf(EmailTokenInvalidError);
    await expect(
      consumeEmailToken(db.prisma, { token, purpose: 'verify_email', now: new Date(atExpiry.getTime() - 1) }),
    ).resolves.toEqual({ userId });
  });

  it('accepts a TOTP code once even when two requests race with it, and never an older step', async () => {
    const key = randomBytes(32).toString('base64');
    const { userId } = await createPasswordUser(db.prisma, {
      email: 'totp@example.test',
      password: 'long enough pass',
    });
    const secret = new Secret({ size: 20 });
    const encrypted = encryptSecret(secret.base32, key);
    const credential = await db.prisma.passwordCredential.update({
      where: { userId },
      data: { totpSecretEncrypted: encrypted, totpEnabledAt: now },
    });
    const at = (ms: number) => ({
      credentialId: credential.id,
      encrypted,
      encryptionKey: key,
      now: new Date(ms),
      code: TOTP.generate({ secret, timestamp: ms }),
    });
    const t = now.getTime();
    const race = await Promise.all(Array.from({ length: 6 }, () => acceptTotpCode(db.prisma, at(t))));
    expect(race.filter(Boolean)).toHaveLength(1);
    // The previous step's code is still inside the ±1 window, but older than the one used.
    expect(await acceptTotpCode(db.prisma, { ...at(t - 30_000), now: new Date(t) })).toBe(false);
    expect(await acceptTotpCode(db.prisma, at(t + 30_000))).toBe(true);
    // Two steps away: outside the window.
    expect(await acceptTotpCode(db.prisma, { ...at(t + 120_000), now: new Date(t + 30_000) })).toBe(false);
    // Malformed codes and a missing key never match.
    for (const code of ['', '12345', '1234567', 'abcdef', ' '.repeat(10_000)])
      expect(await acceptTotpCode(db.prisma, { ...at(t + 60_000), code })).toBe(false);
    expect(await acceptTotpCode(db.prisma, { ...at(t + 60_000), encryptionKey: undefined })).toBe(false);
  });

  it('refuses sign-up while SIGNUP_ENABLED is off, before reading anything', async () => {
    const services = {
      config: { SIGNUP_ENABLED: false },
    } as unknown as AccountServices;
    await expect(
      signUp(services, undefined, { email: 'a@b.test', password: 'long enough pass', organizationName: 'X' }),
    ).rejects.toMatchObject({ code: 'SIGNUP_DISABLED' });
    await expect(
      signUp(services, undefined, { email: 'a@b.test', password: 'long enough pass', organizationName: 'X' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses to start with SIGNUP_ENABLED and no SMTP_URL (nobody could verify)', () => {
    expect(() => loadConfig({ SIGNUP_ENABLED: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ SIGNUP_ENABLED: 'true' })).toThrow(/SIGNUP_ENABLED/);
    expect(loadConfig({ SIGNUP_ENABLED: 'true', SMTP_URL: 'smtp://127.0.0.1:2525' }).SIGNUP_ENABLED).toBe(
      true,
    );
  });
});
