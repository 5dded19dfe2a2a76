import type { Context } from '../../context.ts';
import type { PlanAssignment } from '../../generated/prisma/client.ts';
import type { SubjectType } from '../../plans/plans.ts';
import {
  PlanAssignmentLockedError,
  requireNoPlatformAssignment,
  requirePlanVisible,
} from '../../plans/plan-access.ts';
import { type Access, requireOrgRole } from '../../identity/access.ts';
import { decodeId } from '../../graphql/ids.ts';

const SUBJECT_TYPENAME = {
  organization: 'Organization',
  team: 'Team',
  user: 'User',
  api_key: 'ApiKey',
} as const;

/**
 * Platform admins assign any plan anywhere (a locked assignment: the organization cannot change or
 * replace it). Organization owners and admins assign, within their organization, plans visible to
 * it (public, or private and granted), and never over a platform admin's assignment.
 * @throws NotFoundError (also for a plan the organization may not see), PlanAssignmentLockedError.
 */
export async function assignPlan(
  ctx: Context,
  input: {
    planId: string | number;
    organizationId: string | number;
    subjectType: SubjectType;
    subjectId: string | number;
    effectiveFrom?: Date | null;
    effectiveTo?: Date | null;
  },
): Promise<PlanAssignment> {
  const organizationId = decodeId(String(input.organizationId), 'Organization');
  const access = requireOrgRole(ctx.principal, organizationId, 'admin');
  const planId = decodeId(input.planId, 'Plan');
  const subjectId = decodeId(String(input.subjectId), SUBJECT_TYPENAME[input.subjectType]);
  const { db, plans, clock } = ctx.services;
  if (access.kind !== 'platform') {
    await requirePlanVisible(db, planId, organizationId);
    await requireNoPlatformAssignment(db, {
      organizationId,
      subjectType: input.subjectType,
      subjectId,
      from: input.effectiveFrom ?? clock(),
      to: input.effectiveTo ?? null,
    });
  }
  return plans.assignPlan({
    planId,
    organizationId,
    subjectType: input.subjectType,
    subjectId,
    ...(input.effectiveFrom ? { effectiveFrom: input.effectiveFrom } : {}),
    effectiveTo: input.effectiveTo ?? null,
    assignedBy: access.kind === 'platform' ? 'platform' : 'organization',
  });
}

export async function updateAssignment(
  ctx: Context,
  id: string | number,
  patch: { effectiveFrom?: Date | null; effectiveTo?: Date | null },
): Promise<PlanAssignment> {
  const current = await ctx.services.plans.getAssignment(decodeId(id, 'PlanAssignment'));
  requireUnlocked(requireOrgRole(ctx.principal, current.organizationId, 'admin'), current);
  return ctx.services.plans.updateAssignment(current.id, {
    ...(patch.effectiveFrom ? { effectiveFrom: patch.effectiveFrom } : {}),
    ...(patch.effectiveTo !== undefined ? { effectiveTo: patch.effectiveTo } : {}),
  });
}

export async function deleteAssignment(ctx: Context, id: string | number): Promise<PlanAssignment> {
  const current = await ctx.services.plans.getAssignment(decodeId(id, 'PlanAssignment'));
  requireUnlocked(requireOrgRole(ctx.principal, current.organizationId, 'admin'), current);
  return ctx.services.plans.deleteAssignment(current.id);
}

function requireUnlocked(access: Access, assignment: PlanAssignment): void {
  if (access.kind !== 'platform' && assignment.assignedBy === 'platform')
    throw new PlanAssignmentLockedError();
}
