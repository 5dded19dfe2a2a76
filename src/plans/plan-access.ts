import type { Db } from '../db/client.ts';
import { AppError, NotFoundError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import type { SubjectType } from './plans.ts';

/**
 * Which plans an organization may pick for itself, and which assignments it may not touch
 * (docs/pricing-and-plans.md#visibility). Platform admins are not bound by either.
 */

export class PlanAssignmentLockedError extends AppError {
  constructor() {
    super(
      'PLAN_ASSIGNMENT_LOCKED',
      'A platform admin made this plan assignment; only a platform admin can change or replace it',
      { status: 403, type: 'permission_error' },
    );
  }
}

/** Public plans, and private ones granted to the organization. */
export const visiblePlansWhere = (organizationId: string) => ({
  OR: [{ visibility: 'public' }, { grants: { some: { organizationId } } }],
});

/** @throws NotFoundError for a plan the organization may not see, exactly as for a missing one. */
export async function requirePlanVisible(db: Db, planId: string, organizationId: string): Promise<void> {
  const plan = await db.plan.findFirst({
    where: { id: planId, ...visiblePlansWhere(organizationId) },
    select: { id: true },
  });
  if (!plan) throw new NotFoundError('Plan', planId);
}

/** May the organization see this plan (to read it, or because it is assigned to it)? */
export async function planVisibleTo(db: Db, planId: string, organizationId: string): Promise<boolean> {
  const n = await db.plan.count({
    where: {
      id: planId,
      OR: [...visiblePlansWhere(organizationId).OR, { assignments: { some: { organizationId } } }],
    },
  });
  return n > 0;
}

/**
 * @throws PlanAssignmentLockedError when a platform admin's assignment of the same subject has a
 * window overlapping [from, to): a new one would supersede it.
 */
export async function requireNoPlatformAssignment(
  db: Db,
  a: { organizationId: string; subjectType: SubjectType; subjectId: string; from: Date; to: Date | null },
): Promise<void> {
  const locked = await db.planAssignment.findFirst({
    where: {
      organizationId: a.organizationId,
      subjectType: a.subjectType,
      subjectId: a.subjectId,
      assignedBy: 'platform',
      OR: [{ effectiveTo: null }, { effectiveTo: { gt: a.from } }],
      ...(a.to ? { effectiveFrom: { lt: a.to } } : {}),
    },
    select: { id: true },
  });
  if (locked) throw new PlanAssignmentLockedError();
}

export async function grantPlan(db: Db, planId: string, organizationId: string): Promise<void> {
  if (!(await db.plan.findUnique({ where: { id: planId }, select: { id: true } })))
    throw new NotFoundError('Plan', planId);
  if (!(await db.organization.findUnique({ where: { id: organizationId }, select: { id: true } })))
    throw new NotFoundError('Organization', organizationId);
  await db.planGrant.upsert({
    where: { planId_organizationId: { planId, organizationId } },
    create: { id: newId('pgrant'), planId, organizationId },
    update: {},
  });
}

/** Existing assignments stay; the organization can no longer pick the plan itself. */
export async function revokePlanGrant(db: Db, planId: string, organizationId: string): Promise<boolean> {
  const r = await db.planGrant.deleteMany({ where: { planId, organizationId } });
  return r.count > 0;
}
