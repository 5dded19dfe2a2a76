import { z } from 'zod';
import type { Config } from '../config.ts';
import type { Db, Tx } from '../db/client.ts';
import { isUniqueViolation } from '../db/unique-violation.ts';
import type { LiteLLMSyncFlags } from '../integrations/litellm/outbox.ts';
import type { ApiKeyService } from './api-keys.ts';
import { type Principal, type Role, isPlatformAdmin, isRole, roleAtLeast, isMember } from './principal.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../lib/errors.ts';

/** What organization, user and API-key administration uses (src/identity/organizations.ts, api-key-admin.ts). */
export interface IdentityAdminServices {
  db: Db;
  clock: () => Date;
  /** Which LiteLLM mirrors to enqueue in the same transaction. */
  litellm: LiteLLMSyncFlags;
  config: Pick<Config, 'TOLLGATE_ENCRYPTION_KEY' | 'API_KEY_ROTATION_GRACE_SECONDS'>;
  apiKeys: Pick<ApiKeyService, 'invalidate' | 'invalidateWhere'>;
}

/** Who acts (null: the system, as `tollgate bootstrap`) and with what. */
export interface IdentityAdminContext {
  services: IdentityAdminServices;
  principal: Principal | null;
}

/**
 * Who may do what to an organization's data. Foreign organizations answer NOT_FOUND (their ids
 * are not confirmed to exist); the caller's own organization answers FORBIDDEN when the role is
 * too low.
 */
export type Access = { kind: 'platform' } | { kind: 'member'; role: Role; userId: string };

export function requirePrincipal(p: Principal | null): Principal {
  if (!p) throw new UnauthenticatedError();
  return p;
}

export function orgAccess(p: Principal | null, organizationId: string): Access | null {
  if (isPlatformAdmin(p)) return { kind: 'platform' };
  if (isMember(p) && p.organizationId === organizationId)
    return { kind: 'member', role: p.role, userId: p.userId };
  return null;
}

export function requireOrgRole(p: Principal | null, organizationId: string, min: Role): Access {
  requirePrincipal(p);
  const access = orgAccess(p, organizationId);
  if (!access) throw new NotFoundError('Organization', organizationId);
  if (access.kind === 'member' && !roleAtLeast(access.role, min))
    throw new ForbiddenError(`Requires the ${min} role in this organization`);
  return access;
}

/** May `access` act on a membership that has `targetRole`? Admins never act on owners. */
export function canActOn(access: Access, targetRole: Role): boolean {
  return access.kind === 'platform' || roleAtLeast(access.role, targetRole);
}

/** `db` may be a transaction: bootstrap checks the owner it has just created, not yet committed. */
export async function roleOf(
  db: Pick<Tx, 'membership'>,
  organizationId: string,
  userId: string,
): Promise<Role | null> {
  const m = await db.membership.findUnique({
    where: { organizationId_userId: { organizationId, userId } },
    select: { role: true },
  });
  return m && isRole(m.role) ? m.role : null;
}

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const param = issue.path.join('.');
  throw new ValidationError(`${param ? `${param}: ` : ''}${issue.message}`, {
    ...(param ? { param } : {}),
  });
}

/** Runs a write; a unique-constraint violation becomes CONFLICT with the given message. */
export async function conflictOnUnique<T>(fn: () => Promise<T>, message: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(message);
    throw err;
  }
}

export const zName = z.string().trim().min(1, 'must not be empty').max(200, 'is too long');
export const zSlug = z
  .string()
  .trim()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be lowercase letters, digits and dashes');
export const zEmail = z.string().trim().toLowerCase().pipe(z.email('is not a valid email address'));
