import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { BadRequestError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../lib/errors.ts';
import { zEmail } from '../access.ts';
import type { Principal, SessionPrincipal } from '../principal.ts';
import { sessionCookies } from './cookies.ts';
import { EmailNotVerifiedError, ForeignOriginError, InvalidCredentialsError } from './errors.ts';
import { PASSWORD_LENGTH_MAX, verifyNothing, verifyPassword } from './passwords.ts';
import { type LiveSession, type SessionService, requireSession } from './sessions.ts';
import type { SignInLimiter } from './sign-in-limiter.ts';
import { acceptTotpCode } from './totp.ts';

/** What sign-in uses: GraphQLServices satisfies it. */
export interface SignInServices {
  db: Db;
  config: Pick<Config, 'SESSION_ABSOLUTE_TTL_SECONDS' | 'TOLLGATE_ENCRYPTION_KEY'>;
  sessions: SessionService;
  signInLimiter: SignInLimiter;
  clock: () => Date;
}

/** The browser side of the request (Context.web). */
export interface SignInExchange {
  sameOrigin: boolean;
  sourceAddress: string;
  secureCookies: boolean;
  setCookies(lines: string[]): void;
}

export type SignInResult = { totpRequired: true } | { totpRequired: false; principal: SessionPrincipal };

/**
 * Checks an email and password and opens a session (cookies set on `web`). Errors:
 * INVALID_CREDENTIALS (unknown email, wrong password, disabled user: one answer, one cost — an
 * unknown email still spends an Argon2 verification), RATE_LIMITED (SignInLimiter, checked before
 * the password), EMAIL_NOT_VERIFIED (only after the right password), FOREIGN_ORIGIN (login CSRF);
 * a wrong, stale or replayed TOTP code is INVALID_CREDENTIALS too. With TOTP enabled and no code: `totpRequired`, no session, no failure counted.
 */
export async function signIn(
  services: SignInServices,
  web: SignInExchange | undefined,
  input: {
    email: string;
    password: string;
    totpCode?: string | null | undefined;
    userAgent?: string | undefined;
  },
): Promise<SignInResult> {
  if (!web) throw new BadRequestError('Sign in over HTTP, not over a WebSocket', 'SIGN_IN_OVER_HTTP_ONLY');
  if (!web.sameOrigin) throw new ForeignOriginError();
  const parsed = zEmail.safeParse(input.email);
  const email = parsed.success ? parsed.data : input.email.trim().toLowerCase();
  await services.signInLimiter.check(email, web.sourceAddress);
  const credential = parsed.success
    ? await services.db.passwordCredential.findUnique({
        where: { email },
        include: { user: { select: { status: true } } },
      })
    : null;
  // No stored password is longer (zPassword): a longer one is wrong without hashing all of it.
  const candidate = input.password.slice(0, PASSWORD_LENGTH_MAX + 1);
  const ok =
    credential && candidate.length <= PASSWORD_LENGTH_MAX
      ? await verifyPassword(credential.passwordHash, candidate)
      : await verifyNothing(candidate);
  if (!credential || !ok || credential.user.status !== 'active') {
    await services.signInLimiter.recordFailure(email, web.sourceAddress);
    throw new InvalidCredentialsError();
  }
  if (!credential.emailVerifiedAt) throw new EmailNotVerifiedError();
  if (credential.totpEnabledAt && credential.totpSecretEncrypted) {
    if (!input.totpCode) return { totpRequired: true };
    const accepted = await acceptTotpCode(services.db, {
      credentialId: credential.id,
      encrypted: credential.totpSecretEncrypted,
      code: input.totpCode,
      now: services.clock(),
      encryptionKey: services.config.TOLLGATE_ENCRYPTION_KEY,
    });
    // Wrong, stale or replayed: the same answer as a wrong password, and counted like one.
    if (!accepted) {
      await services.signInLimiter.recordFailure(email, web.sourceAddress);
      throw new InvalidCredentialsError();
    }
  }
  const first = await services.db.membership.findFirst({
    where: { userId: credential.userId, organization: { status: { not: 'deleted' } } },
    orderBy: { createdAt: 'asc' },
    select: { organizationId: true },
  });
  const opened = await services.sessions.open({
    userId: credential.userId,
    organizationId: first?.organizationId ?? null,
    userAgent: input.userAgent,
    sourceAddress: web.sourceAddress,
  });
  web.setCookies(
    sessionCookies(opened, {
      secure: web.secureCookies,
      maxAgeSeconds: services.config.SESSION_ABSOLUTE_TTL_SECONDS,
    }),
  );
  const { principal } = await services.sessions.authenticate(opened.token);
  return { totpRequired: false, principal };
}

/** Ends the caller's session and clears its cookies; false when the caller had none. */
export async function signOut(
  services: Pick<SignInServices, 'sessions'>,
  principal: Principal | null,
  web: SignInExchange | undefined,
): Promise<boolean> {
  web?.setCookies(sessionCookies(null, { secure: web.secureCookies, maxAgeSeconds: 0 }));
  if (principal?.kind !== 'session') return false;
  await services.sessions.revoke({ id: principal.sessionId });
  return true;
}

/**
 * Points the session at another organization: one the user is a member of, any live one for a
 * platform admin. Anything else answers NOT_FOUND (foreign ids are not confirmed to exist).
 */
export async function selectOrganization(
  services: Pick<SignInServices, 'db' | 'sessions'>,
  principal: Principal | null,
  organizationId: string,
): Promise<void> {
  if (principal === null) throw new UnauthenticatedError();
  if (principal.kind !== 'session')
    throw new ForbiddenError('Only a signed-in session selects an organization', 'SESSION_REQUIRED');
  const allowed = principal.isPlatformAdmin
    ? await services.db.organization.count({ where: { id: organizationId, status: { not: 'deleted' } } })
    : await services.db.membership.count({
        where: { organizationId, userId: principal.userId, organization: { status: { not: 'deleted' } } },
      });
  if (!allowed) throw new NotFoundError('Organization', organizationId);
  await services.sessions.selectOrganization(principal.sessionId, organizationId);
}

/** The signed-in user's live sessions; `current` marks the caller's. */
export async function listSessions(
  services: Pick<SignInServices, 'sessions'>,
  principal: Principal | null,
): Promise<(LiveSession & { current: boolean })[]> {
  const session = requireSession(principal);
  const rows = await services.sessions.listLive(session.userId);
  return rows.map((r) => ({ ...r, current: r.id === session.sessionId }));
}

/**
 * Ends one of the signed-in user's sessions (another browser, or this one: then its cookies are
 * cleared too). Another user's session id, or one already ended: NOT_FOUND, the same answer.
 */
export async function revokeSession(
  services: Pick<SignInServices, 'sessions'>,
  principal: Principal | null,
  web: SignInExchange | undefined,
  sessionId: string,
): Promise<boolean> {
  const session = requireSession(principal);
  const count = await services.sessions.revoke({ id: sessionId, userId: session.userId });
  if (count === 0) throw new NotFoundError('Session', sessionId);
  if (sessionId === session.sessionId)
    web?.setCookies(sessionCookies(null, { secure: web.secureCookies, maxAgeSeconds: 0 }));
  return true;
}
