import type { Db } from '../../db/client.ts';
import { ConflictError, NotFoundError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { conflictOnUnique, parse, zEmail } from '../access.ts';
import { checkNewPassword, hashPassword } from './passwords.ts';

/**
 * Gives a user a password sign-in under `email` (lower-cased, trimmed), or a new password to the
 * one it has. The login email is unique among credentials: CONFLICT when another user signs in
 * with it. `verified`: the email counts as verified (an operator vouches for it on the command line).
 */
export async function setPassword(
  db: Db,
  input: { userId: string; email: string; password: string; verified: boolean; now?: Date },
): Promise<void> {
  const email = parse(zEmail, input.email);
  const password = checkNewPassword(input.password, email);
  const passwordHash = await hashPassword(password);
  const verifiedAt = input.verified ? (input.now ?? new Date()) : null;
  await conflictOnUnique(
    () =>
      db.passwordCredential.upsert({
        where: { userId: input.userId },
        create: { id: newId('cred'), userId: input.userId, email, passwordHash, emailVerifiedAt: verifiedAt },
        update: { email, passwordHash, ...(verifiedAt ? { emailVerifiedAt: verifiedAt } : {}) },
      }),
    `Another user already signs in as '${email}'`,
  );
}

/**
 * The one user `email` names, for `tollgate user set-password`: the user that signs in with it, else
 * the only active user with that address. users.email is not unique (organizations create their own
 * users): several candidates answer CONFLICT, so the operator names the user by id.
 */
export async function userForEmail(db: Db, rawEmail: string): Promise<{ id: string; email: string }> {
  const email = parse(zEmail, rawEmail);
  const credential = await db.passwordCredential.findUnique({ where: { email }, select: { userId: true } });
  if (credential) return { id: credential.userId, email };
  const users = await db.user.findMany({
    where: { email: { equals: email, mode: 'insensitive' }, status: 'active' },
    select: { id: true },
    take: 2,
  });
  if (users.length === 0) throw new NotFoundError('User', email);
  if (users.length > 1) throw new ConflictError(`Several users have the email '${email}': pass --user-id`);
  return { id: users[0]!.id, email };
}

/** A platform-admin user (an operator of the gateway) who signs in with `email`. */
export async function createOperator(
  db: Db,
  input: { email: string; password: string; name?: string | undefined },
): Promise<{ userId: string }> {
  const email = parse(zEmail, input.email);
  checkNewPassword(input.password, email);
  const taken = await db.passwordCredential.count({ where: { email } });
  if (taken) throw new ConflictError(`Another user already signs in as '${email}'`);
  const user = await db.user.create({
    data: { id: newId('user'), email, name: input.name ?? null, isPlatformAdmin: true },
  });
  await setPassword(db, { userId: user.id, email, password: input.password, verified: true });
  return { userId: user.id };
}
