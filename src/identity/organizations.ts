import { z } from 'zod';
import type { Role } from './principal.ts';
import {
  enqueueKeyDelete,
  enqueueTeamDelete,
  enqueueTeamUpsert,
  enqueueUserDelete,
  enqueueUserUpsert,
  type Tx,
} from '../integrations/litellm/outbox.ts';
import { writeAudit } from '../lib/audit.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import {
  type Access,
  canActOn,
  conflictOnUnique,
  parse,
  requireOrgRole,
  roleOf,
  zEmail,
  zName,
  zSlug,
  type IdentityAdminContext,
} from './access.ts';
import { isMember } from './principal.ts';

type Ctx = IdentityAdminContext;

async function audit(
  tx: Tx,
  ctx: Ctx,
  organizationId: string | null,
  action: string,
  entityType: string,
  entityId: string,
  data: Record<string, unknown> = {},
) {
  const p = ctx.principal;
  await writeAudit(tx, {
    organizationId,
    actor: { type: p?.kind ?? 'system', id: isMember(p) ? p.userId : null },
    action,
    entityType,
    entityId,
    data,
  });
}

/** Revokes every active key matching `where` inside tx; returns their ids and hashes. */
async function revokeKeys(tx: Tx, ctx: Ctx, where: { organizationId: string; userId?: string }) {
  const keys = await tx.apiKey.findMany({
    where: { ...where, revokedAt: null },
    select: { id: true, hash: true },
  });
  if (keys.length === 0) return [];
  await tx.apiKey.updateMany({
    where: { id: { in: keys.map((k) => k.id) } },
    data: { revokedAt: ctx.services.clock() },
  });
  for (const k of keys) await enqueueKeyDelete(tx, ctx.services.litellm, where.organizationId, k.id);
  return keys;
}

// ------------------------------------------------------------------ organizations

const CreateOrganization = z.object({
  name: zName,
  slug: zSlug,
  ownerEmail: zEmail.nullish(),
  ownerName: zName.nullish(),
});

/** Platform admin only (the CLI's `bootstrap` passes a null principal with `system: true`). */
export async function createOrganization(
  ctx: Ctx,
  input: z.input<typeof CreateOrganization>,
  /** `tx`: run inside the caller's transaction (bootstrap creates the key in the same one). */
  opts: { system?: boolean; tx?: Tx } = {},
) {
  if (
    !opts.system &&
    !(ctx.principal?.kind === 'platform_admin' || (isMember(ctx.principal) && ctx.principal.isPlatformAdmin))
  )
    throw new ForbiddenError('Only a platform admin can create organizations');
  const data = parse(CreateOrganization, input);
  const { db, litellm } = ctx.services;
  const inTransaction = <T>(fn: (tx: Tx) => Promise<T>) => (opts.tx ? fn(opts.tx) : db.$transaction(fn));
  return inTransaction(async (tx) => {
    const org = await conflictOnUnique(
      () => tx.organization.create({ data: { id: newId('org'), name: data.name, slug: data.slug } }),
      `Organization slug '${data.slug}' is taken`,
    );
    await enqueueTeamUpsert(tx, litellm, org.id, 'organization', org.id);
    let ownerId: string | null = null;
    if (data.ownerEmail) {
      // Emails are not unique: link the earliest user with it (addMember names one exactly).
      let user = await tx.user.findFirst({
        where: { email: data.ownerEmail },
        orderBy: { createdAt: 'asc' },
      });
      if (!user) {
        user = await tx.user.create({
          data: { id: newId('user'), email: data.ownerEmail, name: data.ownerName ?? null },
        });
        await enqueueUserUpsert(tx, litellm, org.id, user.id);
      } else if (user.status !== 'active') throw new ConflictError(`User '${data.ownerEmail}' is deleted`);
      await tx.membership.create({
        data: { id: newId('mem'), organizationId: org.id, userId: user.id, role: 'owner' },
      });
      ownerId = user.id;
    }
    await audit(tx, ctx, org.id, 'organization.create', 'organization', org.id, { ownerId });
    return { organization: org, ownerId };
  });
}

const UpdateOrganization = z.object({ name: zName.nullish(), slug: zSlug.nullish() });

export async function updateOrganization(ctx: Ctx, id: string, input: z.input<typeof UpdateOrganization>) {
  requireOrgRole(ctx.principal, id, 'owner');
  const data = parse(UpdateOrganization, input);
  const { db, litellm } = ctx.services;
  return db.$transaction(async (tx) => {
    const org = await tx.organization.findFirst({ where: { id, status: { not: 'deleted' } } });
    if (!org) throw new NotFoundError('Organization', id);
    const updated = await conflictOnUnique(
      () =>
        tx.organization.update({
          where: { id },
          data: { ...(data.name ? { name: data.name } : {}), ...(data.slug ? { slug: data.slug } : {}) },
        }),
      `Organization slug '${data.slug}' is taken`,
    );
    await enqueueTeamUpsert(tx, litellm, id, 'organization', id);
    await audit(tx, ctx, id, 'organization.update', 'organization', id, data);
    return updated;
  });
}

/**
 * Soft delete (wallets and the ledger must outlive it): status `deleted`, slug freed, every key
 * revoked, teams deleted; LiteLLM teams and keys are deleted through the outbox.
 */
export async function deleteOrganization(ctx: Ctx, id: string) {
  requireOrgRole(ctx.principal, id, 'owner');
  const { db, litellm, apiKeys } = ctx.services;
  const result = await db.$transaction(async (tx) => {
    const org = await tx.organization.findFirst({ where: { id, status: { not: 'deleted' } } });
    if (!org) throw new NotFoundError('Organization', id);
    const keys = await revokeKeys(tx, ctx, { organizationId: id });
    const teams = await tx.team.findMany({ where: { organizationId: id, status: { not: 'deleted' } } });
    for (const t of teams) {
      await tx.team.update({
        where: { id: t.id },
        data: { status: 'deleted', name: `${t.name}#deleted:${t.id}` },
      });
      await enqueueTeamDelete(tx, litellm, id, 'team', t.id);
    }
    await enqueueTeamDelete(tx, litellm, id, 'organization', id);
    const deleted = await tx.organization.update({
      where: { id },
      data: { status: 'deleted', slug: `${org.slug}--deleted-${id.slice(-12)}` },
    });
    await audit(tx, ctx, id, 'organization.delete', 'organization', id);
    return { deleted, hashes: keys.map((k) => k.hash) };
  });
  await apiKeys.invalidate(result.hashes);
  return result.deleted;
}

// ------------------------------------------------------------------ teams

export async function createTeam(ctx: Ctx, organizationId: string, input: { name: string }) {
  requireOrgRole(ctx.principal, organizationId, 'admin');
  const name = parse(zName, input.name);
  const { db, litellm } = ctx.services;
  return db.$transaction(async (tx) => {
    const org = await tx.organization.findFirst({ where: { id: organizationId, status: 'active' } });
    if (!org) throw new NotFoundError('Organization', organizationId);
    const team = await conflictOnUnique(
      () => tx.team.create({ data: { id: newId('team'), organizationId, name } }),
      `A team named '${name}' already exists in this organization`,
    );
    await enqueueTeamUpsert(tx, litellm, organizationId, 'team', team.id);
    await audit(tx, ctx, organizationId, 'team.create', 'team', team.id, { name });
    return team;
  });
}

async function loadTeam(ctx: Ctx, id: string, min: Role) {
  const team = await ctx.services.db.team.findFirst({ where: { id, status: { not: 'deleted' } } });
  if (!team) throw new NotFoundError('Team', id);
  try {
    requireOrgRole(ctx.principal, team.organizationId, min);
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError('Team', id);
    throw err;
  }
  return team;
}

export async function updateTeam(ctx: Ctx, id: string, input: { name?: string | null }) {
  const team = await loadTeam(ctx, id, 'admin');
  const name = input.name == null ? undefined : parse(zName, input.name);
  const { db, litellm } = ctx.services;
  return db.$transaction(async (tx) => {
    const updated = await conflictOnUnique(
      () => tx.team.update({ where: { id }, data: name ? { name } : {} }),
      `A team named '${name}' already exists in this organization`,
    );
    await enqueueTeamUpsert(tx, litellm, team.organizationId, 'team', id);
    await audit(tx, ctx, team.organizationId, 'team.update', 'team', id, { name });
    return updated;
  });
}

/** Refused (CONFLICT) while active keys belong to the team: LiteLLM deletes a team's keys with it. */
export async function deleteTeam(ctx: Ctx, id: string) {
  const team = await loadTeam(ctx, id, 'admin');
  const { db, litellm } = ctx.services;
  return db.$transaction(async (tx) => {
    const active = await tx.apiKey.count({ where: { teamId: id, revokedAt: null } });
    if (active > 0)
      throw new ConflictError(`Team has ${active} active API key(s); revoke them first`, 'TEAM_HAS_KEYS');
    await tx.teamMember.deleteMany({ where: { teamId: id } });
    const deleted = await tx.team.update({
      where: { id },
      data: { status: 'deleted', name: `${team.name}#deleted:${id}` },
    });
    await enqueueTeamDelete(tx, litellm, team.organizationId, 'team', id);
    await audit(tx, ctx, team.organizationId, 'team.delete', 'team', id);
    return deleted;
  });
}

export async function addTeamMember(ctx: Ctx, teamId: string, userId: string) {
  const team = await loadTeam(ctx, teamId, 'admin');
  const { db } = ctx.services;
  if (!(await roleOf(db, team.organizationId, userId))) throw new NotFoundError('User', userId);
  return db.$transaction(async (tx) => {
    const member = await conflictOnUnique(
      () => tx.teamMember.create({ data: { id: newId('tm'), teamId, userId } }),
      'User is already a member of this team',
    );
    await audit(tx, ctx, team.organizationId, 'team.member.add', 'team', teamId, { userId });
    return member;
  });
}

export async function removeTeamMember(ctx: Ctx, teamId: string, userId: string) {
  const team = await loadTeam(ctx, teamId, 'admin');
  const { db } = ctx.services;
  return db.$transaction(async (tx) => {
    const n = await tx.teamMember.deleteMany({ where: { teamId, userId } });
    if (n.count === 0) throw new NotFoundError('Team member', userId);
    await audit(tx, ctx, team.organizationId, 'team.member.remove', 'team', teamId, { userId });
    return team;
  });
}

// ------------------------------------------------------------------ users and memberships

const CreateUser = z.object({
  email: zEmail,
  name: zName.nullish(),
  role: z.enum(['owner', 'admin', 'member']),
});

/**
 * Creates a new user as a member of the organization, always a new one: an existing user of
 * another organization is never attached (that takes a platform admin's addMember), so the answer
 * is the same whether or not the email is in use elsewhere. An email a member of this
 * organization already has is a CONFLICT.
 */
export async function createUser(ctx: Ctx, organizationId: string, input: z.input<typeof CreateUser>) {
  const access = requireOrgRole(ctx.principal, organizationId, 'admin');
  const data = parse(CreateUser, input);
  if (!canActOn(access, data.role)) throw new ForbiddenError('Only an owner can add an owner');
  const { db, litellm } = ctx.services;
  return db.$transaction(async (tx) => {
    const org = await tx.organization.findFirst({ where: { id: organizationId, status: 'active' } });
    if (!org) throw new NotFoundError('Organization', organizationId);
    await requireEmailFreeIn(tx, [organizationId], data.email, null);
    const user = await tx.user.create({
      data: { id: newId('user'), email: data.email, name: data.name ?? null },
    });
    await tx.membership.create({
      data: { id: newId('mem'), organizationId, userId: user.id, role: data.role },
    });
    await enqueueUserUpsert(tx, litellm, organizationId, user.id);
    await audit(tx, ctx, organizationId, 'user.create', 'user', user.id, { role: data.role });
    return user;
  });
}

/** @throws ConflictError when another member of these organizations has the email. */
async function requireEmailFreeIn(
  tx: Tx,
  organizationIds: string[],
  email: string,
  exceptUserId: string | null,
) {
  const taken = await tx.membership.findFirst({
    where: {
      organizationId: { in: organizationIds },
      user: { email, ...(exceptUserId ? { id: { not: exceptUserId } } : {}) },
    },
    select: { id: true },
  });
  if (taken) throw new ConflictError(`A member of this organization already has the email '${email}'`);
}

/** The caller's access to a user: themselves, or an admin of an organization the user is in. */
async function userAccess(ctx: Ctx, userId: string, min: Role): Promise<{ organizationId: string | null }> {
  const p = ctx.principal;
  const { db } = ctx.services;
  const user = await db.user.findFirst({ where: { id: userId, status: { not: 'deleted' } } });
  if (!user) throw new NotFoundError('User', userId);
  if (p?.kind === 'platform_admin' || (isMember(p) && p.isPlatformAdmin)) return { organizationId: null };
  if (!isMember(p)) throw new NotFoundError('User', userId);
  if (p.userId === userId) return { organizationId: p.organizationId };
  const targetRole = await roleOf(db, p.organizationId, userId);
  if (!targetRole) throw new NotFoundError('User', userId);
  const access = requireOrgRole(p, p.organizationId, min);
  if (!canActOn(access, targetRole)) throw new ForbiddenError('An admin cannot change an owner');
  return { organizationId: p.organizationId };
}

const UpdateUser = z.object({ name: zName.nullish(), email: zEmail.nullish() });

/**
 * The user itself, or a platform admin, changes any profile; an organization's owner or admin
 * only that of a user who belongs to no other organization (users are global: the profile is
 * also the other organizations').
 */
export async function updateUser(ctx: Ctx, id: string, input: z.input<typeof UpdateUser>) {
  const { organizationId } = await userAccess(ctx, id, 'admin');
  const p = ctx.principal;
  if (isMember(p) && !p.isPlatformAdmin && p.userId !== id) {
    const elsewhere = await ctx.services.db.membership.count({
      where: { userId: id, organizationId: { not: p.organizationId } },
    });
    if (elsewhere > 0)
      throw new ForbiddenError(
        "Only the user or a platform admin may change this user's profile",
        'USER_PROFILE_NOT_OWNED',
      );
  }
  const data = parse(UpdateUser, input);
  const { db, litellm } = ctx.services;
  return db.$transaction(async (tx) => {
    if (data.email) {
      const orgs = await tx.membership.findMany({ where: { userId: id }, select: { organizationId: true } });
      await requireEmailFreeIn(
        tx,
        orgs.map((m) => m.organizationId),
        data.email,
        id,
      );
    }
    const user = await tx.user.update({
      where: { id },
      data: {
        ...(input.name !== undefined ? { name: data.name ?? null } : {}),
        ...(data.email ? { email: data.email } : {}),
      },
    });
    const orgId =
      organizationId ??
      (await tx.membership.findFirst({ where: { userId: id }, select: { organizationId: true } }))
        ?.organizationId;
    if (orgId) await enqueueUserUpsert(tx, litellm, orgId, id);
    await audit(tx, ctx, orgId ?? null, 'user.update', 'user', id, data);
    return user;
  });
}

/**
 * Adds an existing user to an organization. Platform admin only: an organization's admins create
 * new users (createUser), so they can never pull in, and read, a user of another organization.
 */
export async function addMember(ctx: Ctx, organizationId: string, userId: string, role: Role) {
  const access = requireOrgRole(ctx.principal, organizationId, 'admin');
  if (access.kind !== 'platform')
    throw new ForbiddenError('Only a platform admin can add an existing user; use createUser for a new one');
  const { db, litellm } = ctx.services;
  return db.$transaction(async (tx) => {
    const org = await tx.organization.findFirst({ where: { id: organizationId, status: 'active' } });
    if (!org) throw new NotFoundError('Organization', organizationId);
    const user = await tx.user.findFirst({ where: { id: userId, status: 'active' } });
    if (!user) throw new NotFoundError('User', userId);
    const m = await conflictOnUnique(
      () => tx.membership.create({ data: { id: newId('mem'), organizationId, userId, role } }),
      'User is already a member of this organization',
    );
    await enqueueUserUpsert(tx, litellm, organizationId, userId);
    await audit(tx, ctx, organizationId, 'membership.add', 'membership', m.id, { userId, role });
    return m;
  });
}

async function countOwners(tx: Tx, organizationId: string) {
  return tx.membership.count({ where: { organizationId, role: 'owner' } });
}

/** Owners set any role; admins move users between member and admin only. The last owner stays. */
export async function updateMembership(ctx: Ctx, organizationId: string, userId: string, role: Role) {
  const access = requireOrgRole(ctx.principal, organizationId, 'admin');
  const { db, apiKeys } = ctx.services;
  const membership = await db.$transaction(async (tx) => {
    const m = await tx.membership.findUnique({
      where: { organizationId_userId: { organizationId, userId } },
    });
    if (!m) throw new NotFoundError('Membership', userId);
    if (!canActOn(access, m.role as Role) || !canActOn(access, role))
      throw new ForbiddenError('Only an owner can grant or change the owner role');
    if (m.role === 'owner' && role !== 'owner' && (await countOwners(tx, organizationId)) <= 1)
      throw new ConflictError('An organization needs at least one owner', 'LAST_OWNER');
    const updated = await tx.membership.update({ where: { id: m.id }, data: { role } });
    await audit(tx, ctx, organizationId, 'membership.update', 'membership', m.id, { from: m.role, to: role });
    return updated;
  });
  await apiKeys.invalidateWhere({ organizationId, userId });
  return membership;
}

/** Removes the user from the organization (its teams too) and revokes the user's keys there. */
export async function removeMember(ctx: Ctx, organizationId: string, userId: string) {
  const access = requireOrgRole(ctx.principal, organizationId, 'admin');
  const { db, apiKeys } = ctx.services;
  const result = await db.$transaction(async (tx) => {
    const m = await tx.membership.findUnique({
      where: { organizationId_userId: { organizationId, userId } },
    });
    if (!m) throw new NotFoundError('Membership', userId);
    if (!canActOn(access, m.role as Role)) throw new ForbiddenError('Only an owner can remove an owner');
    if (m.role === 'owner' && (await countOwners(tx, organizationId)) <= 1)
      throw new ConflictError('An organization needs at least one owner', 'LAST_OWNER');
    await tx.teamMember.deleteMany({ where: { userId, team: { organizationId } } });
    const keys = await revokeKeys(tx, ctx, { organizationId, userId });
    await tx.membership.delete({ where: { id: m.id } });
    await audit(tx, ctx, organizationId, 'membership.remove', 'membership', m.id, { userId });
    return { membership: m, hashes: keys.map((k) => k.hash) };
  });
  await apiKeys.invalidate(result.hashes);
  return result.membership;
}

/**
 * Soft-deletes a user. Platform admins may delete anyone; an organization's owner or admin only a
 * user who belongs to no other organization (and, for admins, is not an owner).
 */
export async function deleteUser(ctx: Ctx, id: string) {
  await userAccess(ctx, id, 'admin');
  const { db, litellm, apiKeys } = ctx.services;
  const p = ctx.principal!;
  const memberships = await db.membership.findMany({ where: { userId: id } });
  const platform = p.kind === 'platform_admin' || p.isPlatformAdmin;
  if (!platform && isMember(p)) requireOrgRole(p, p.organizationId, 'admin');
  if (!platform && memberships.some((m) => isMember(p) && m.organizationId !== p.organizationId))
    throw new ForbiddenError('User belongs to other organizations; remove the membership instead');
  const result = await db.$transaction(async (tx) => {
    const hashes: string[] = [];
    for (const m of memberships) {
      if (m.role === 'owner' && (await countOwners(tx, m.organizationId)) <= 1)
        throw new ConflictError('An organization needs at least one owner', 'LAST_OWNER');
      const keys = await revokeKeys(tx, ctx, { organizationId: m.organizationId, userId: id });
      hashes.push(...keys.map((k) => k.hash));
    }
    await tx.teamMember.deleteMany({ where: { userId: id } });
    await tx.membership.deleteMany({ where: { userId: id } });
    const user = await tx.user.update({
      where: { id },
      data: { status: 'deleted', email: `deleted+${id}@deleted.invalid` },
    });
    if (memberships[0]) await enqueueUserDelete(tx, litellm, memberships[0].organizationId, id);
    await audit(tx, ctx, memberships[0]?.organizationId ?? null, 'user.delete', 'user', id);
    return { user, hashes };
  });
  await apiKeys.invalidate(result.hashes);
  return result.user;
}

export type { Access };
