import type { Db } from '../../db/client.ts';
import { newId } from '../../lib/ids.ts';
import { logger } from '../../lib/logger.ts';
import { randomBase62, sha256Hex } from '../crypto.ts';
import { ForbiddenError, UnauthenticatedError } from '../../lib/errors.ts';
import { type Principal, type SessionPrincipal, isRole, sessionScopes } from '../principal.ts';
import { SessionExpiredError } from './errors.ts';

/** lastSeenAt (and the idle expiry it pushes back) is written at most this often per session. */
export const LAST_SEEN_WRITE_INTERVAL_MS = 60_000;

export interface SessionServiceDeps {
  db: Db;
  clock: () => Date;
  /** SESSION_IDLE_TTL_SECONDS and SESSION_ABSOLUTE_TTL_SECONDS. */
  idleTtlSeconds: number;
  absoluteTtlSeconds: number;
  /**
   * Called with the token hashes of sessions just revoked or moved to another organization, so their
   * open subscriptions check again in every process (compose.ts hands it the API keys' invalidation
   * broadcast, keyed by hash the same way).
   */
  onInvalidated?: (tokenHashes: string[]) => Promise<void>;
  /**
   * TOTP_REQUIRED_FOR_OPERATORS: a platform-admin user's session has the operator's powers only
   * while the user has TOTP on; until then it acts as an ordinary user (and may enroll).
   */
  requireTotpForOperators?: boolean;
}

/** A session just opened: the two secrets go to the browser as cookies and are never stored. */
export interface OpenedSession {
  id: string;
  token: string;
  csrf: string;
  absoluteExpiresAt: Date;
}

export interface LiveSession {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  userAgent: string | null;
}

/** What a session cookie proves, and what the request must match. */
export interface AuthenticatedSession {
  principal: SessionPrincipal;
  tokenHash: string;
  csrfHash: string;
  /** When it ends unless used again (the earlier of the idle and the absolute expiry). */
  expiresAt: Date;
}

/**
 * Browser sessions (docs/security.md#sessions). The token is 43 base62 characters (256 bits); only
 * its SHA-256 is stored, as is the CSRF token's. Every request reads the session with its user and
 * membership, so a role change or a removal applies at the next request.
 */
export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  async open(input: {
    userId: string;
    organizationId: string | null;
    userAgent?: string | undefined;
    sourceAddress?: string | undefined;
  }): Promise<OpenedSession> {
    const now = this.deps.clock();
    const token = randomBase62(43);
    const csrf = randomBase62(32);
    const absoluteExpiresAt = new Date(now.getTime() + this.deps.absoluteTtlSeconds * 1000);
    const row = await this.deps.db.userSession.create({
      data: {
        id: newId('ses'),
        userId: input.userId,
        tokenHash: sha256Hex(token),
        csrfHash: sha256Hex(csrf),
        selectedOrganizationId: input.organizationId,
        userAgent: input.userAgent?.slice(0, 512) ?? null,
        sourceAddress: input.sourceAddress?.slice(0, 128) ?? null,
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: this.idleExpiry(now, absoluteExpiresAt),
        absoluteExpiresAt,
      },
    });
    return { id: row.id, token, csrf, absoluteExpiresAt };
  }

  /** The session a cookie names. Throws SessionExpiredError when it is unknown, revoked or expired. */
  async authenticate(token: string): Promise<AuthenticatedSession> {
    const tokenHash = sha256Hex(token);
    const row = await this.deps.db.userSession.findUnique({
      where: { tokenHash },
      include: {
        user: {
          select: { isPlatformAdmin: true, status: true, credential: { select: { totpEnabledAt: true } } },
        },
      },
    });
    const now = this.deps.clock();
    if (
      !row ||
      row.revokedAt !== null ||
      now >= row.idleExpiresAt ||
      now >= row.absoluteExpiresAt ||
      row.user.status !== 'active'
    )
      throw new SessionExpiredError();
    const platformAdmin =
      row.user.isPlatformAdmin &&
      (!this.deps.requireTotpForOperators || row.user.credential?.totpEnabledAt != null);
    const selected = row.selectedOrganizationId;
    const membership = selected
      ? await this.deps.db.membership.findFirst({
          where: {
            organizationId: selected,
            userId: row.userId,
            organization: { status: { not: 'deleted' } },
          },
          select: { role: true },
        })
      : null;
    const role = membership && isRole(membership.role) ? membership.role : null;
    // A membership removed since: the session keeps the user, loses the organization.
    const organizationId = role !== null || platformAdmin ? selected : null;
    let expiresAt = new Date(Math.min(row.idleExpiresAt.getTime(), row.absoluteExpiresAt.getTime()));
    if (now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_WRITE_INTERVAL_MS) {
      const idleExpiresAt = this.idleExpiry(now, row.absoluteExpiresAt);
      expiresAt = idleExpiresAt;
      this.deps.db.userSession
        .updateMany({ where: { id: row.id, revokedAt: null }, data: { lastSeenAt: now, idleExpiresAt } })
        .catch((err: unknown) => logger.warn({ err, sessionId: row.id }, 'session last-seen write failed'));
    }
    return {
      principal: {
        kind: 'session',
        sessionId: row.id,
        apiKeyId: null,
        teamId: null,
        userId: row.userId,
        organizationId,
        role,
        scopes: sessionScopes(role, platformAdmin),
        isPlatformAdmin: platformAdmin,
      },
      tokenHash,
      csrfHash: row.csrfHash,
      expiresAt,
    };
  }

  /** Acts in another organization from the next request on. The caller checked the user may. */
  async selectOrganization(sessionId: string, organizationId: string): Promise<void> {
    const { tokenHash } = await this.deps.db.userSession.update({
      where: { id: sessionId },
      data: { selectedOrganizationId: organizationId },
      select: { tokenHash: true },
    });
    // Subscriptions opened in the old organization end (CREDENTIAL_CHANGED).
    await this.deps.onInvalidated?.([tokenHash]);
  }

  /** A user's live sessions (not revoked, not expired), newest first. */
  async listLive(userId: string): Promise<LiveSession[]> {
    const now = this.deps.clock();
    const rows = await this.deps.db.userSession.findMany({
      where: { userId, revokedAt: null, idleExpiresAt: { gt: now }, absoluteExpiresAt: { gt: now } },
      orderBy: { createdAt: 'desc' },
      take: 200,
      select: {
        id: true,
        createdAt: true,
        lastSeenAt: true,
        idleExpiresAt: true,
        absoluteExpiresAt: true,
        userAgent: true,
      },
    });
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.createdAt,
      lastSeenAt: r.lastSeenAt,
      expiresAt: new Date(Math.min(r.idleExpiresAt.getTime(), r.absoluteExpiresAt.getTime())),
      userAgent: r.userAgent,
    }));
  }

  /**
   * Ends sessions (one, or every one of a user) now; open subscriptions on them end too. With both
   * `id` and `userId`, only that session of that user (0 when it is another user's).
   */
  async revoke(where: { id: string; userId?: string } | { userId: string }): Promise<number> {
    const target =
      'id' in where
        ? { id: where.id, ...(where.userId ? { userId: where.userId } : {}) }
        : { userId: where.userId };
    const rows = await this.deps.db.userSession.findMany({
      where: { ...target, revokedAt: null },
      select: { tokenHash: true },
    });
    const { count } = await this.deps.db.userSession.updateMany({
      where: { ...target, revokedAt: null },
      data: { revokedAt: this.deps.clock() },
    });
    if (rows.length) await this.deps.onInvalidated?.(rows.map((r) => r.tokenHash));
    return count;
  }

  private idleExpiry(now: Date, absoluteExpiresAt: Date): Date {
    return new Date(Math.min(now.getTime() + this.deps.idleTtlSeconds * 1000, absoluteExpiresAt.getTime()));
  }
}

/** The caller as a signed-in session: no credential UNAUTHENTICATED, a key or the admin token SESSION_REQUIRED. */
export function requireSession(principal: Principal | null): SessionPrincipal {
  if (principal === null) throw new UnauthenticatedError();
  if (principal.kind !== 'session')
    throw new ForbiddenError('Only a signed-in session (the console) may do this', 'SESSION_REQUIRED');
  return principal;
}
