import type { Context } from '../../context.ts';
import type { PlanAssignment } from '../../generated/prisma/client.ts';
import type { SubjectType } from '../../plans/plans.ts';
import { decodeId, requireOrgRole } from '../identity/access.ts';
import { ownId } from './caller.ts';

const SUBJECT_TYPENAME = {
  organization: 'Organization',
  team: 'Team',
  user: 'User',
  api_key: 'ApiKey',
} as const;

/** Platform admins assign anywhere; organization owners and admins within their organization. */
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
  requireOrgRole(ctx.principal, organizationId, 'admin');
  return ctx.services.plans.assignPlan({
    planId: ownId(input.planId, 'Plan'),
    organizationId,
    subjectType: input.subjectType,
    subjectId: decodeId(String(input.subjectId), SUBJECT_TYPENAME[input.subjectType]),
    ...(input.effectiveFrom ? { effectiveFrom: input.effectiveFrom } : {}),
    effectiveTo: input.effectiveTo ?? null,
  });
}

export async function updateAssignment(
  ctx: Context,
  id: string | number,
  patch: { effectiveFrom?: Date | null; effectiveTo?: Date | null },
): Promise<PlanAssignment> {
  const current = await ctx.services.plans.getAssignment(ownId(id, 'PlanAssignment'));
  requireOrgRole(ctx.principal, current.organizationId, 'admin');
  return ctx.services.plans.updateAssignment(current.id, {
    ...(patch.effectiveFrom ? { effectiveFrom: patch.effectiveFrom } : {}),
    ...(patch.effectiveTo !== undefined ? { effectiveTo: patch.effectiveTo } : {}),
  });
}

export async function deleteAssignment(ctx: Context, id: string | number): Promise<PlanAssignment> {
  const current = await ctx.services.plans.getAssignment(ownId(id, 'PlanAssignment'));
  requireOrgRole(ctx.principal, current.organizationId, 'admin');
  return ctx.services.plans.deleteAssignment(current.id);
}
