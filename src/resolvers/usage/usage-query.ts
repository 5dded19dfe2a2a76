import type { Context } from '../../context.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { hasScope, isPlatformAdmin, isMember } from '../../identity/principal.ts';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../lib/errors.ts';

export interface UsageFilter {
  organizationId?: string | null;
  apiKeyId?: string | null;
  userId?: string | null;
  model?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * The usage records the caller may see: platform admins all (or one organization's); an API key
 * with the read scope its organization's (owner/admin) or its user's own (member).
 */
export function visibleUsageWhere(ctx: Context, f: UsageFilter): Prisma.UsageRecordWhereInput {
  const p = ctx.principal;
  if (!p) throw new UnauthenticatedError();
  let scope: Prisma.UsageRecordWhereInput;
  if (isPlatformAdmin(p)) scope = f.organizationId ? { organizationId: f.organizationId } : {};
  else if (isMember(p) && hasScope(p, 'read')) {
    if (f.organizationId && f.organizationId !== p.organizationId) return { id: { in: [] } };
    scope =
      p.role === 'owner' || p.role === 'admin'
        ? { organizationId: p.organizationId }
        : { organizationId: p.organizationId, userId: p.userId };
  } else throw new ForbiddenError('Requires the read scope');
  return {
    ...scope,
    ...(f.apiKeyId ? { apiKeyId: f.apiKeyId } : {}),
    ...(f.userId ? { userId: f.userId } : {}),
    ...(f.model ? { OR: [{ modelServed: f.model }, { modelRequested: f.model }] } : {}),
    ...(f.from || f.to
      ? { createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } }
      : {}),
  };
}

export type UsageGrouping = 'day' | 'model' | 'day_and_model';

export interface UsageAggregateRow {
  day: string | null;
  model: string | null;
  currency: string;
  requests: number;
  failedRequests: number;
  promptTokens: bigint;
  completionTokens: bigint;
  cachedTokens: bigint;
  costNanos: bigint;
}

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/**
 * Requests, tokens and cost per day (in a fixed-offset time zone, default UTC+8 like plans) and/or
 * per model. One SQL aggregate; the visibility rules are the same as for the records.
 */
export async function aggregateUsage(
  ctx: Context,
  f: UsageFilter,
  groupBy: UsageGrouping,
  timeZone = '+08:00',
): Promise<UsageAggregateRow[]> {
  const m = OFFSET.exec(timeZone);
  if (!m) throw new ValidationError('timeZone must be a fixed offset like +08:00', { param: 'timeZone' });
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  const where = visibleUsageWhere(ctx, f);
  const conds: Prisma.Sql[] = [];
  const w = where as Record<string, any>;
  if (w.id?.in?.length === 0) return [];
  if (w.organizationId) conds.push(Prisma.sql`"organizationId" = ${w.organizationId}`);
  if (w.userId) conds.push(Prisma.sql`"userId" = ${w.userId}`);
  if (w.apiKeyId) conds.push(Prisma.sql`"apiKeyId" = ${w.apiKeyId}`);
  if (f.model) conds.push(Prisma.sql`("modelServed" = ${f.model} OR "modelRequested" = ${f.model})`);
  if (f.from) conds.push(Prisma.sql`"createdAt" >= ${f.from}`);
  if (f.to) conds.push(Prisma.sql`"createdAt" < ${f.to}`);
  const whereSql = conds.length ? Prisma.sql`WHERE ${Prisma.join(conds, ' AND ')}` : Prisma.empty;
  const day = Prisma.sql`to_char("createdAt" + make_interval(mins => ${minutes}::int), 'YYYY-MM-DD')`;
  const model = Prisma.sql`COALESCE("modelServed", "modelRequested")`;
  const dayCol = groupBy === 'model' ? Prisma.sql`NULL::text` : day;
  const modelCol = groupBy === 'day' ? Prisma.sql`NULL::text` : model;
  const rows = await ctx.services.db.$queryRaw<
    {
      day: string | null;
      model: string | null;
      currency: string;
      requests: bigint;
      failed: bigint;
      prompt: bigint;
      completion: bigint;
      cached: bigint;
      cost: bigint;
    }[]
  >`SELECT ${dayCol} AS day, ${modelCol} AS model, currency,
       COUNT(*) FILTER (WHERE status <> 'failed') AS requests,
       COUNT(*) FILTER (WHERE status = 'failed') AS failed,
       COALESCE(SUM("promptTokens"), 0)::bigint AS prompt,
       COALESCE(SUM("completionTokens"), 0)::bigint AS completion,
       COALESCE(SUM("cachedTokens"), 0)::bigint AS cached,
       COALESCE(SUM("costNanos"), 0)::bigint AS cost
     FROM usage_records ${whereSql}
     GROUP BY 1, 2, 3 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3`;
  return rows.map((r) => ({
    day: r.day,
    model: r.model,
    currency: r.currency.trim(),
    requests: Number(r.requests),
    failedRequests: Number(r.failed),
    promptTokens: BigInt(r.prompt),
    completionTokens: BigInt(r.completion),
    cachedTokens: BigInt(r.cached),
    costNanos: BigInt(r.cost),
  }));
}
