import type { Context } from '../../context.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { hasScope, isPlatformAdmin, isMember } from '../../identity/principal.ts';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../lib/errors.ts';
import { ROLLUP_BUCKET_MINUTES, ceilBucket, floorBucket, rolledUpTo } from '../../admission/usage-rollup.ts';

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

/**
 * One page of the usage log, newest first. Ordered by (createdAt, id) so that the
 * (organizationId | apiKeyId | userId, createdAt) indexes serve it (ordered by id alone, PostgreSQL
 * walked the primary key backwards through every newer record to reach a date range); a page after or
 * before a cursor is also bounded by the cursor record's createdAt, so it starts at the cursor instead of
 * filtering its way down from the newest record (Prisma's cursor condition is an OR no index serves).
 */
export async function usageRecordsPage<
  Q extends { cursor?: Prisma.UsageRecordWhereUniqueInput; take?: number },
>(ctx: Context, query: Q, f: UsageFilter) {
  const where = visibleUsageWhere(ctx, f);
  const db = ctx.services.db;
  const cursorId = query.cursor?.id;
  const at = cursorId
    ? await db.usageRecord.findUnique({ where: { id: cursorId }, select: { createdAt: true } })
    : null;
  const bound: Prisma.UsageRecordWhereInput = at
    ? { createdAt: (query.take ?? 0) < 0 ? { gte: at.createdAt } : { lte: at.createdAt } }
    : {};
  return db.usageRecord.findMany({
    ...query,
    where: { AND: [where, bound] },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
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

interface AggregateSqlRow {
  day: string | null;
  model: string | null;
  currency: string;
  requests: bigint;
  failed: bigint;
  prompt: bigint;
  completion: bigint;
  cached: bigint;
  cost: bigint;
}

/**
 * Requests, tokens and cost per day (in a fixed-offset time zone, default UTC+8 like plans) and/or
 * per model. One SQL aggregate; the visibility rules are the same as for the records. For one
 * organization as a whole (no key, user or model filter) and a time zone on the quarter hour, the
 * rolled-up buckets (src/admission/usage-rollup.ts) stand in for the records they sum, and only the
 * records outside whole rolled-up buckets are read: the same figures, from a few thousand rows
 * instead of every record of the period.
 */
export async function aggregateUsage(
  ctx: Context,
  f: UsageFilter,
  groupBy: UsageGrouping,
  timeZone = '+08:00',
  opts: { rollup?: boolean } = {},
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
  const dayCol = groupBy === 'model' ? Prisma.sql`NULL::text` : Prisma.sql`day`;
  const modelCol = groupBy === 'day' ? Prisma.sql`NULL::text` : Prisma.sql`model`;
  const outer = (rows: Prisma.Sql) => Prisma.sql`SELECT ${dayCol} AS day, ${modelCol} AS model, currency,
       COALESCE(SUM(requests), 0)::bigint AS requests, COALESCE(SUM(failed), 0)::bigint AS failed,
       COALESCE(SUM(prompt), 0)::bigint AS prompt, COALESCE(SUM(completion), 0)::bigint AS completion,
       COALESCE(SUM(cached), 0)::bigint AS cached, COALESCE(SUM(cost), 0)::bigint AS cost
     FROM (${rows}) AS x GROUP BY 1, 2, 3 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3`;
  const raw = (extra: Prisma.Sql[]) => {
    const all = [...conds, ...extra];
    return Prisma.sql`SELECT to_char("createdAt" + make_interval(mins => ${minutes}::int), 'YYYY-MM-DD') AS day,
         COALESCE("modelServed", "modelRequested") AS model, currency,
         (status <> 'failed')::int AS requests, (status = 'failed')::int AS failed,
         "promptTokens" AS prompt, "completionTokens" AS completion, "cachedTokens" AS cached, "costNanos" AS cost
       FROM usage_records ${all.length ? Prisma.sql`WHERE ${Prisma.join(all, ' AND ')}` : Prisma.empty}`;
  };
  const range = (from: Date | null | undefined, to: Date | null | undefined) => [
    ...(from ? [Prisma.sql`"createdAt" >= ${from}`] : []),
    ...(to ? [Prisma.sql`"createdAt" < ${to}`] : []),
  ];

  const split = await rollupSplit(ctx, w, f, minutes, opts.rollup ?? true);
  let sql: Prisma.Sql;
  if (!split) sql = outer(raw(range(f.from, f.to)));
  else {
    const { lo, hi } = split;
    // Records outside the whole rolled-up buckets: before the first one (a partial bucket) and after the last.
    const before = f.from ? Prisma.sql`(${Prisma.join(range(f.from, lo), ' AND ')})` : null;
    const after = Prisma.sql`(${Prisma.join(range(hi, f.to), ' AND ')})`;
    const edges = before ? Prisma.sql`(${before} OR ${after})` : after;
    sql = outer(Prisma.sql`${raw([edges])}
      UNION ALL
      SELECT to_char("bucketStart" + make_interval(mins => ${minutes}::int), 'YYYY-MM-DD') AS day, model, currency,
        requests, "failedRequests" AS failed, "promptTokens" AS prompt, "completionTokens" AS completion,
        "cachedTokens" AS cached, "costNanos" AS cost
      FROM usage_rollups
      WHERE "organizationId" = ${w.organizationId} AND "bucketStart" < ${hi}
        ${lo ? Prisma.sql`AND "bucketStart" >= ${lo}` : Prisma.empty}`);
  }
  const rows = await ctx.services.db.$queryRaw<AggregateSqlRow[]>(sql);
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

/**
 * Where the rolled-up buckets may stand in for the records: [lo, hi) of whole buckets inside the
 * period and before rolledUpTo, or null when they may not (a key, user or model filter, several
 * organizations, a time zone off the quarter hour, nothing rolled up yet, or too short a period).
 */
async function rollupSplit(
  ctx: Context,
  w: Record<string, any>,
  f: UsageFilter,
  minutes: number,
  enabled: boolean,
): Promise<{ lo: Date | null; hi: Date } | null> {
  if (!enabled || !w.organizationId || w.userId || w.apiKeyId || f.model) return null;
  if (minutes % ROLLUP_BUCKET_MINUTES !== 0) return null;
  const db = ctx.services.db;
  const until = await rolledUpTo(db);
  if (!until) return null;
  const hi = floorBucket(Math.min(f.to?.getTime() ?? Number.POSITIVE_INFINITY, until.getTime()));
  const lo = f.from ? ceilBucket(f.from.getTime()) : null;
  if (lo !== null && lo >= hi) return null;
  return { lo: lo === null ? null : new Date(lo), hi: new Date(hi) };
}
