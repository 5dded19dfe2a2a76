import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { ValidationError } from '../../lib/errors.ts';

/**
 * Argon2id with the OWASP Password Storage Cheat Sheet's first configuration: 19 MiB of memory,
 * 2 iterations, 1 lane (about 20–40 ms on one core). `algorithm: 2` is Argon2id (the package's
 * `Algorithm` is a const enum, which isolated modules cannot read). The parameters are stored in
 * each hash, so raising them later still verifies old hashes.
 */
export const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_LENGTH_MAX = 1024;

/** At least 12 characters; at most 1,024 so that hashing a hostile body stays cheap. */
export const zPassword = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(PASSWORD_LENGTH_MAX, `must be at most ${PASSWORD_LENGTH_MAX} characters`);

/**
 * A password someone chooses (set-password, sign-up, reset): zPassword, and not the login email
 * itself (the first guess of anyone who knows the address). VALIDATION_ERROR on `password`.
 */
export function checkNewPassword(password: string, email: string): string {
  const r = z.object({ password: zPassword }).safeParse({ password });
  if (!r.success) throw new ValidationError(`password: ${r.error.issues[0]!.message}`, { param: 'password' });
  if (password.trim().toLowerCase() === email.trim().toLowerCase())
    throw new ValidationError('password: must not be the email address', { param: 'password' });
  return password;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** False for a wrong password and for a stored hash that is not one (never throws on either). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of one verification when the email has no credential, so the answer to an unknown
 * email takes about as long as a wrong password (no account enumeration by timing).
 */
export async function verifyNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('tollgate-no-such-credential');
  await verifyPassword(await dummyHash, password);
  return false;
}
