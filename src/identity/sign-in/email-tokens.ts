import type { Db } from '../../db/client.ts';
import { newId } from '../../lib/ids.ts';
import { randomBase62, sha256Hex } from '../crypto.ts';
import { EmailTokenInvalidError } from './errors.ts';

export type EmailTokenPurpose = 'verify_email' | 'reset_password';

/** Anything with the two Prisma delegates used, so a transaction client works too. */
type TokenDb = Pick<Db, 'emailToken'>;

/**
 * Single-use links sent by email (docs/security.md#email-links). The token is 43 base62 characters
 * (256 bits) and only its SHA-256 is stored; a new token of a purpose ends the user's earlier ones
 * of that purpose, so only the latest email works.
 */
export async function issueEmailToken(
  db: TokenDb,
  input: { userId: string; purpose: EmailTokenPurpose; ttlSeconds: number; now: Date },
): Promise<string> {
  const token = randomBase62(43);
  await db.emailToken.updateMany({
    where: { userId: input.userId, purpose: input.purpose, usedAt: null },
    data: { usedAt: input.now },
  });
  await db.emailToken.create({
    data: {
      id: newId('etok'),
      userId: input.userId,
      purpose: input.purpose,
      tokenHash: sha256Hex(token),
      expiresAt: new Date(input.now.getTime() + input.ttlSeconds * 1000),
      createdAt: input.now,
    },
  });
  return token;
}

/**
 * Spends a token and returns its user. One conditional update, so two requests racing with the same
 * token cannot both win. Unknown, used, expired or of another purpose: EmailTokenInvalidError.
 */
export async function consumeEmailToken(
  db: TokenDb,
  input: { token: string; purpose: EmailTokenPurpose; now: Date },
): Promise<{ userId: string }> {
  // A token is base62; anything else (or a hostile length) is refused before touching the database.
  if (!/^[0-9A-Za-z]{20,64}$/.test(input.token)) throw new EmailTokenInvalidError();
  const tokenHash = sha256Hex(input.token);
  const { count } = await db.emailToken.updateMany({
    where: { tokenHash, purpose: input.purpose, usedAt: null, expiresAt: { gt: input.now } },
    data: { usedAt: input.now },
  });
  if (count !== 1) throw new EmailTokenInvalidError();
  const row = await db.emailToken.findUniqueOrThrow({ where: { tokenHash }, select: { userId: true } });
  return row;
}
