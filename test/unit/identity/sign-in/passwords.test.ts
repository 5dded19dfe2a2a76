import { parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import {
  ARGON2_OPTIONS,
  hashPassword,
  verifyNothing,
  verifyPassword,
} from '../../../../src/identity/sign-in/passwords.ts';

describe('password hashing', () => {
  it('hashes with Argon2id at the OWASP parameters (19 MiB, 2 passes, 1 lane), salted', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(parseOptions(a)).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(ARGON2_OPTIONS.algorithm).toBe(2);
  });

  it('verifies the right password only, and answers false (never throws) for a hash that is not one', async () => {
    const h = await hashPassword('correct horse battery staple');
    expect(await verifyPassword(h, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(h, 'correct horse battery stapler')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
    expect(await verifyPassword('', '')).toBe(false);
  });

  it('spends a verification for an unknown email and answers false', async () => {
    expect(await verifyNothing('whatever')).toBe(false);
  });
});
