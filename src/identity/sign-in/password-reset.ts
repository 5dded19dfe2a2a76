import type { Db } from '../../db/client.ts';
import { sha256Hex } from '../crypto.ts';
import { zEmail } from '../access.ts';
import { setPassword } from './credentials.ts';
import { consumeEmailToken, issueEmailToken } from './email-tokens.ts';
import { EmailTokenInvalidError } from './errors.ts';
import { logger } from '../../lib/logger.ts';
import { checkNewPassword } from './passwords.ts';
import type { SessionService } from './sessions.ts';
import type { SignInExchange } from './sign-in.ts';
import { type AccountServices, RESET_PASSWORD_PATH, limitAccountEmails } from './sign-up.ts';

/** How long the link `tollgate bootstrap` prints for the first owner works. */
export const SET_PASSWORD_LINK_TTL_SECONDS = 24 * 3600;

/**
 * Always true (a malformed email aside): when the email signs in here, its owner gets a single-use
 * link (PASSWORD_RESET_TTL_SECONDS) that works with no session and replaces earlier ones. The
 * lookup, the token and the email happen after the answer, so neither the answer nor its time
 * tells whether the address has an account. Counted per email and per address (RATE_LIMITED).
 */
export async function requestPasswordReset(
  services: AccountServices,
  web: SignInExchange | undefined,
  rawEmail: string,
): Promise<true> {
  const parsed = zEmail.safeParse(rawEmail);
  const email = parsed.success ? parsed.data : rawEmail.trim().toLowerCase();
  await limitAccountEmails(services, web, email);
  if (!parsed.success) return true;
  sendResetLink(services, email).catch((err: unknown) =>
    logger.error({ err: err instanceof Error ? err.name : 'unknown' }, 'password reset email not prepared'),
  );
  return true;
}

async function sendResetLink(services: AccountServices, email: string): Promise<void> {
  const credential = await services.db.passwordCredential.findUnique({
    where: { email },
    select: { userId: true, user: { select: { status: true } } },
  });
  if (credential?.user.status !== 'active') return;
  const ttl = services.config.PASSWORD_RESET_TTL_SECONDS;
  const token = await issueEmailToken(services.db, {
    userId: credential.userId,
    purpose: 'reset_password',
    ttlSeconds: ttl,
    now: services.clock(),
  });
  const minutes = Math.round(ttl / 60);
  services.accountMail.send({
    to: email,
    subject: 'Reset your password',
    text: [
      'Someone (perhaps you) asked to reset the password of your Tollgate account.',
      'Open this link to choose a new one:',
      '',
      services.accountMail.link(RESET_PASSWORD_PATH, token),
      '',
      `The link works once and expires in ${minutes} minutes. Choosing a new password signs out every browser.`,
      'If you did not ask, ignore this email: your password stays as it is.',
    ].join('\n'),
  });
}

/**
 * Sets the password of the reset token's user (the policy of checkNewPassword), marks the email
 * verified (the link reached it), and ends every session of the user. TOTP stays as it is: a
 * reset proves the mailbox, not the authenticator. The token is spent only once the new password
 * passed the policy, so a refused password can be retried with the same link.
 * Unknown, used or expired token: TOKEN_INVALID.
 */
export async function resetPassword(
  services: { db: Db; clock: () => Date; sessions: Pick<SessionService, 'revoke'> },
  token: string,
  password: string,
): Promise<true> {
  const now = services.clock();
  const row = /^[0-9A-Za-z]{20,64}$/.test(token)
    ? await services.db.emailToken.findUnique({
        where: { tokenHash: sha256Hex(token) },
        select: {
          purpose: true,
          usedAt: true,
          expiresAt: true,
          user: { select: { email: true, status: true, credential: { select: { email: true } } } },
        },
      })
    : null;
  if (row?.purpose !== 'reset_password' || row.usedAt || row.expiresAt <= now || row.user.status !== 'active')
    throw new EmailTokenInvalidError();
  // The first owner (bootstrap) has no credential yet: the link gives it one, with the user's email.
  const email = row.user.credential?.email ?? row.user.email;
  checkNewPassword(password, email);
  const { userId } = await consumeEmailToken(services.db, { token, purpose: 'reset_password', now });
  await setPassword(services.db, { userId, email, password, verified: true, now });
  await services.sessions.revoke({ userId });
  return true;
}

/** A set-password link for a user without a password (`tollgate bootstrap`'s first owner). */
export async function setPasswordLink(
  services: { db: Db; clock: () => Date; accountMail: Pick<AccountServices['accountMail'], 'link'> },
  userId: string,
): Promise<string> {
  const token = await issueEmailToken(services.db, {
    userId,
    purpose: 'reset_password',
    ttlSeconds: SET_PASSWORD_LINK_TTL_SECONDS,
    now: services.clock(),
  });
  return services.accountMail.link(RESET_PASSWORD_PATH, token);
}
