import type { Context } from '../../context.ts';
import { decodeId } from '../../graphql/ids.ts';
import { grantPlan, revokePlanGrant } from '../../plans/plan-access.ts';
import type {
  LimitMetric,
  OverflowPolicy,
  PLAN_STATUSES,
  PlanKind,
  PlanVisibility,
} from '../../plans/plans.ts';

type PlanStatus = (typeof PLAN_STATUSES)[number];

// The fields' authScopes admit platform admins only; these decode and call the plans domain.

function degradeMapOf(v: unknown): Record<string, string> | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) return { '': '' }; // rejected by validation as malformed
  return v as Record<string, string>;
}

export type PlanFieldsInput = {
  description?: string | null;
  timeZone?: string | null;
  overflowPolicy?: OverflowPolicy | null;
  graceNanos?: bigint | null;
  gracePercent?: number | null;
  degradeMap?: unknown;
  warnThresholds?: readonly unknown[] | null;
  dailyLimits?:
    | { metric: LimitMetric; limitValue: bigint; currency?: string | null; model?: string | null }[]
    | null;
  usageCurrency?: string | null;
  visibility?: PlanVisibility | null;
};

function planPatch(i: PlanFieldsInput) {
  const degradeMap = degradeMapOf(i.degradeMap);
  return {
    ...(i.description !== undefined ? { description: i.description } : {}),
    ...(i.timeZone ? { timeZone: i.timeZone } : {}),
    ...(i.overflowPolicy ? { overflowPolicy: i.overflowPolicy } : {}),
    ...(i.graceNanos !== undefined ? { graceNanos: i.graceNanos } : {}),
    ...(i.gracePercent !== undefined ? { gracePercent: i.gracePercent } : {}),
    ...(degradeMap ? { degradeMap } : {}),
    ...(i.warnThresholds ? { warnThresholds: i.warnThresholds as number[] } : {}),
    ...(i.dailyLimits ? { dailyLimits: i.dailyLimits } : {}),
    ...(i.usageCurrency ? { usageCurrency: i.usageCurrency } : {}),
    ...(i.visibility ? { visibility: i.visibility } : {}),
  };
}

export function createPlan(
  ctx: Context,
  input: PlanFieldsInput & { code: string; name: string; kind: PlanKind },
) {
  return ctx.services.plans.createPlan({
    code: input.code,
    name: input.name,
    kind: input.kind,
    ...planPatch(input),
  });
}

export function updatePlan(
  ctx: Context,
  id: string | number,
  input: PlanFieldsInput & { code?: string | null; name?: string | null; status?: PlanStatus | null },
) {
  return ctx.services.plans.updatePlan(decodeId(id, 'Plan'), {
    ...(input.code ? { code: input.code } : {}),
    ...(input.name ? { name: input.name } : {}),
    ...(input.status ? { status: input.status } : {}),
    ...planPatch(input),
  });
}

interface GrantArgs {
  planId: string | number;
  organizationId: string | number;
}

/** Idempotent; returns the plan for the refetch. */
export async function grantPlanTo(ctx: Context, args: GrantArgs): Promise<{ id: string }> {
  const id = decodeId(args.planId, 'Plan');
  await grantPlan(ctx.services.db, id, decodeId(args.organizationId, 'Organization'));
  return { id };
}

/** Idempotent; assignments already made stay until they end. */
export async function revokePlanGrantFrom(ctx: Context, args: GrantArgs): Promise<{ id: string }> {
  const id = decodeId(args.planId, 'Plan');
  await revokePlanGrant(ctx.services.db, id, decodeId(args.organizationId, 'Organization'));
  return { id };
}
