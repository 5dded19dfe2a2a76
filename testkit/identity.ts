import type { Db } from '../src/db/client.ts';
import type { Role } from '../src/identity/principal.ts';
import { setPassword } from '../src/identity/sign-in/credentials.ts';
import { newId } from '../src/lib/ids.ts';

/**
 * A user who signs in with `email` and `password`: the user, its membership (`role`, default
 * owner) when `organizationId` is given, and the credential (email verified unless `verified: false`).
 */
export async function createPasswordUser(
  db: Db,
  opts: {
    email: string;
    password: string;
    organizationId?: string;
    role?: Role;
    platformAdmin?: boolean;
    verified?: boolean;
  },
): Promise<{ userId: string; organizationId: string | null }> {
  const user = await db.user.create({
    data: { id: newId('user'), email: opts.email, isPlatformAdmin: opts.platformAdmin ?? false },
  });
  if (opts.organizationId)
    await db.membership.create({
      data: {
        id: newId('mem'),
        organizationId: opts.organizationId,
        userId: user.id,
        role: opts.role ?? 'owner',
      },
    });
  await setPassword(db, {
    userId: user.id,
    email: opts.email,
    password: opts.password,
    verified: opts.verified ?? true,
  });
  return { userId: user.id, organizationId: opts.organizationId ?? null };
}
