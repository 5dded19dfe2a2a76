import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { isUniqueViolation } from '../../db/unique-violation.ts';
import { enqueueUserUpsert } from '../../integrations/litellm/outbox.ts';
import { BadRequestError, ForbiddenError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { logger } from '../../lib/logger.ts';
import { type IdentityAdminServices, parse, zEmail, zName } from '../access.ts';
import { createOrganization } from '../organizations.ts';
import type { AccountMailer } from './account-mail.ts';
import { consumeEmailToken, issueEmailToken } from './email-tokens.ts';
import { ForeignOriginError } from './errors.ts';
import { checkNewPassword, hashPassword } from './passwords.ts';
import type { SignInExchange } from './sign-in.ts';
import type { SignInLimiter } from './sign-in-limiter.ts';

/** What sign-up, verification and password reset use: GraphQLServices satisfies it. */
export interface AccountServices extends IdentityAdminServices {
  config: IdentityAdminServices['config'] &
    Pick<Config, 'SIGNUP_ENABLED' | 'EMAIL_VERIFICATION_TTL_SECONDS' | 'PASSWORD_RESET_TTL_SECONDS'>;
  accountMail: AccountMailer;
  /** Account emails asked for, per email and per source address (ACCOUNT_EMAILS_PER_*). */
  accountEmailLimiter: SignInLimiter;
}

export const VERIFY_EMAIL_PATH = '/console/verify-email';
export const RESET_PASSWORD_PATH = '/console/reset-password';

const SignUpInput = z.object({
  email: zEmail,
  password: z.string(),
  name: zName.nullish(),
  organizationName: zName,
});

/** The credential's email already signs in: rolls the sign-up back. */
class EmailTaken extends Error {}

/**
 * Self sign-up (SIGNUP_ENABLED): a new user, its password credential (email not verified), a new
 * organization with the user as owner, and a verification email. It does not sign in. The input
 * is checked (VALIDATION_FAILED) and counted (RATE_LIMITED) before the answer; the account is made
 * after it. An email that already signs in gets the same answer, and its owner an email saying so
 * (the writes are made, then rolled back when the credential's unique email refuses): nobody learns
 * from the answer or its time which addresses have accounts. Always a new user, never one an
 * organization created with that address (that would hand the caller its memberships).
 */
export async function signUp(
  services: AccountServices,
  web: SignInExchange | undefined,
  input: z.input<typeof SignUpInput>,
): Promise<{ verificationSent: true }> {
  if (!services.config.SIGNUP_ENABLED)
    throw new ForbiddenError('Self sign-up is turned off on this gateway', 'SIGNUP_DISABLED');
  const data = parse(SignUpInput, input);
  const password = checkNewPassword(data.password, data.email);
  await limitAccountEmails(services, web, data.email);
  // The answer goes out now; the account is made after it. Making it (or finding the email taken
  // and rolling back) takes measurably different times (a commit, ~70 ms, against a rollback):
  // answering first keeps that time out of the answer.
  createAccount(services, data, password).catch((err: unknown) =>
    logger.error({ error: err instanceof Error ? err.name : 'unknown' }, 'sign-up failed after the answer'),
  );
  return { verificationSent: true };
}

async function createAccount(
  services: AccountServices,
  data: z.output<typeof SignUpInput>,
  password: string,
): Promise<void> {
  const passwordHash = await hashPassword(password);
  const now = services.clock();
  let token: string;
  try {
    token = await services.db.$transaction(async (tx) => {
      const { organization } = await createOrganization(
        { services, principal: null },
        { name: data.organizationName, slug: slugFor(data.organizationName), ownerEmail: null },
        { system: true, tx },
      );
      const user = await tx.user.create({
        data: { id: newId('user'), email: data.email, name: data.name ?? null },
      });
      await tx.membership.create({
        data: { id: newId('mem'), organizationId: organization.id, userId: user.id, role: 'owner' },
      });
      await enqueueUserUpsert(tx, services.litellm, organization.id, user.id);
      try {
        await tx.passwordCredential.create({
          data: { id: newId('cred'), userId: user.id, email: data.email, passwordHash },
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new EmailTaken();
        throw err;
      }
      return issueEmailToken(tx, {
        userId: user.id,
        purpose: 'verify_email',
        ttlSeconds: services.config.EMAIL_VERIFICATION_TTL_SECONDS,
        now,
      });
    });
  } catch (err) {
    if (!(err instanceof EmailTaken)) throw err;
    services.accountMail.send({
      to: data.email,
      subject: 'Someone tried to sign up with your address',
      text: [
        'Someone (perhaps you) tried to create a Tollgate account with this email address,',
        'which already has one. Nothing was changed.',
        '',
        'If you forgot your password, choose "Forgot password" when you sign in:',
        services.accountMail.link('/console/'),
      ].join('\n'),
    });
    return;
  }
  const hours = Math.round(services.config.EMAIL_VERIFICATION_TTL_SECONDS / 3600);
  services.accountMail.send({
    to: data.email,
    subject: 'Verify your email address',
    text: [
      'Welcome to Tollgate. Open this link to verify your email address and finish signing up:',
      '',
      services.accountMail.link(VERIFY_EMAIL_PATH, token),
      '',
      `The link works once and expires in ${hours} hour${hours === 1 ? '' : 's'}.`,
      'If you did not sign up, ignore this email.',
    ].join('\n'),
  });
}

/** Marks the email of the token's user verified. Unknown, used or expired token: TOKEN_INVALID. */
export async function verifyEmail(
  services: Pick<AccountServices, 'db' | 'clock'>,
  token: string,
): Promise<true> {
  const now = services.clock();
  const { userId } = await consumeEmailToken(services.db, { token, purpose: 'verify_email', now });
  await services.db.passwordCredential.updateMany({
    where: { userId, emailVerifiedAt: null },
    data: { emailVerifiedAt: now },
  });
  return true;
}

/**
 * Counts an account email asked for (sign-up or reset) against the email and the source address,
 * before anything is looked up: the limit answers the same whether the address has an account.
 */
export async function limitAccountEmails(
  services: Pick<AccountServices, 'accountEmailLimiter'>,
  web: SignInExchange | undefined,
  email: string,
): Promise<void> {
  if (!web)
    throw new BadRequestError(
      'Ask for account emails over HTTP, not over a WebSocket',
      'SIGN_IN_OVER_HTTP_ONLY',
    );
  // Another site's page must not make visitors' browsers send emails in their name.
  if (!web.sameOrigin) throw new ForeignOriginError();
  await services.accountEmailLimiter.check(email, web.sourceAddress);
  await services.accountEmailLimiter.recordFailure(email, web.sourceAddress);
}

/** A slug from the name plus 6 random hex digits: unique in practice, and says nothing of other organizations. */
function slugFor(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return `${base || 'org'}-${randomBytes(3).toString('hex')}`;
}
