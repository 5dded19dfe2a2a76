import type { Db } from '../db/client.ts';
import type { DailyLimitPlan, Plan, PlanAssignment, Prisma } from '../generated/prisma/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { parseCurrency } from '../lib/money.ts';
import { newId } from '../lib/ids.ts';
import { logger } from '../lib/logger.ts';
import { SingleFlight } from '../lib/single-flight.ts';
import type { PricingService } from '../pricing/price-rules.ts';
import { DEFAULT_TIME_ZONE, assertTimeZone } from './time-zone.ts';

type Tx = Prisma.TransactionClient;

export const PLAN_KINDS = ['daily_limit', 'usage'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];
export const OVERFLOW_POLICIES = ['block', 'grace', 'degrade'] as const;
export type OverflowPolicy = (typeof OVERFLOW_POLICIES)[number];
export const LIMIT_METRICS = ['cost', 'tokens', 'requests'] as const;
export type LimitMetric = (typeof LIMIT_METRICS)[number];
export const PLAN_STATUSES = ['active', 'archived'] as const;
/** public: any organization may assign it to itself; private: only those granted it. */
export const PLAN_VISIBILITIES = ['public', 'private'] as const;
export type PlanVisibility = (typeof PLAN_VISIBILITIES)[number];
/** Who made an assignment: the organization cannot change or replace a platform one. */
export type AssignedBy = 'platform' | 'organization';
/** Most specific first: an api_key assignment beats a user's, a user's a team's, a team's the organization's. */
export const SUBJECT_TYPES = ['api_key', 'user', 'team', 'organization'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export interface DailyLimitInput {
  metric: LimitMetric;
  limitValue: bigint;
  /** Required for `cost` (the limit counts requests in this currency only); absent otherwise. */
  currency?: string | null;
  /** Only requests served by this model count; absent = every model. */
  model?: string | null;
}

export interface PlanInput {
  code: string;
  name: string;
  kind: PlanKind;
  description?: string | null;
  timeZone?: string;
  overflowPolicy?: OverflowPolicy;
  graceNanos?: bigint | null;
  gracePercent?: number | null;
  degradeMap?: Record<string, string>;
  warnThresholds?: number[];
  dailyLimits?: DailyLimitInput[];
  /** Usage (pay-as-you-go) plans: the currency they bill in. */
  usageCurrency?: string | null;
  /** Default private. */
  visibility?: PlanVisibility;
}

export type PlanPatch = Partial<Omit<PlanInput, 'kind'>> & { status?: (typeof PLAN_STATUSES)[number] };

export type PlanWithLimits = Plan & { dailyLimits: DailyLimitPlan[] };

export interface AssignmentInput {
  planId: string;
  organizationId: string;
  subjectType: SubjectType;
  subjectId: string;
  effectiveFrom?: Date;
  effectiveTo?: Date | null;
  /** Default organization. */
  assignedBy?: AssignedBy;
}

/** The ids that identify a caller; any may be absent. */
export interface SubjectIds {
  organizationId: string;
  teamId?: string | null;
  userId?: string | null;
  apiKeyId?: string | null;
}

type AssignmentRow = PlanAssignment & { plan: PlanWithLimits };

export const PLANS_INVALIDATE_CHANNEL = 'plans:invalidated';

export interface EffectivePlan {
  plan: PlanWithLimits;
  assignment: PlanAssignment;
}

const MAX_LIMIT = BigInt(Number.MAX_SAFE_INTEGER);

/** Plans (with their daily limits), and which plan applies to whom and when. */
export class PlanService {
  private readonly cache = new Map<string, { rows: AssignmentRow[]; expiresAtMs: number }>();
  /** One read per subject set at a time, however many requests find it expired. */
  private readonly loads = new SingleFlight<AssignmentRow[]>();
  private generation = 0;
  private subscribed = false;

  constructor(
    private readonly deps: {
      db: Db;
      clock: () => Date;
      pricing: Pick<PricingService, 'isPriced'>;
      /** Broadcasts cache invalidation to the other gateway processes. */
      state?: Pick<SharedState, 'publish' | 'subscribe'>;
      /** How long assignments are served from memory (default 5 s); writes invalidate at once. */
      cacheTtlMs?: number;
    },
  ) {}

  /** Drops this process's assignment cache and tells every other process to drop theirs. */
  async invalidate(): Promise<void> {
    this.dropCache();
    try {
      await this.deps.state?.publish(PLANS_INVALIDATE_CHANNEL, '1');
    } catch (err) {
      logger.warn({ err }, 'plan cache invalidation broadcast failed');
    }
  }

  private dropCache() {
    this.generation++;
    this.cache.clear();
    this.loads.forget();
  }

  /**
   * @throws ValidationError (VALIDATION_FAILED): bad code, time zone, policy, thresholds, limits, or a
   *   degrade target that is not priced / is itself degraded. ConflictError via Prisma for a taken code.
   */
  async createPlan(input: PlanInput): Promise<PlanWithLimits> {
    const data = await this.normalise(input, null);
    if (await this.deps.db.plan.findUnique({ where: { code: data.code }, select: { id: true } }))
      throw new ValidationError(`Plan code '${data.code}' is taken`, { param: 'code' });
    const id = newId('plan');
    return this.deps.db.$transaction(async (tx) => {
      await tx.plan.create({
        data: {
          id,
          code: data.code,
          name: data.name,
          kind: data.kind,
          description: data.description,
          timeZone: data.timeZone,
          overflowPolicy: data.overflowPolicy,
          graceNanos: data.graceNanos,
          gracePercent: data.gracePercent,
          degradeMap: data.degradeMap,
          warnThresholds: data.warnThresholds,
          visibility: input.visibility ?? 'private',
        },
      });
      await writeLimits(tx, id, data.dailyLimits);
      if (data.usageCurrency)
        await tx.usagePlan.create({ data: { id: newId('uplan'), planId: id, currency: data.usageCurrency } });
      return tx.plan.findUniqueOrThrow({ where: { id }, include: { dailyLimits: true } });
    });
  }

  /** Changes a plan; `dailyLimits`, when given, replaces the whole set. Same errors as createPlan. */
  async updatePlan(id: string, patch: PlanPatch): Promise<PlanWithLimits> {
    const current = await this.deps.db.plan.findUnique({
      where: { id },
      include: { dailyLimits: true, usagePlan: true },
    });
    if (!current) throw new NotFoundError('Plan', id);
    const merged: PlanInput = {
      code: patch.code ?? current.code,
      name: patch.name ?? current.name,
      kind: current.kind as PlanKind,
      description: patch.description === undefined ? current.description : patch.description,
      timeZone: patch.timeZone ?? current.timeZone,
      overflowPolicy: patch.overflowPolicy ?? (current.overflowPolicy as OverflowPolicy),
      graceNanos: patch.graceNanos === undefined ? current.graceNanos : patch.graceNanos,
      gracePercent: patch.gracePercent === undefined ? current.gracePercent : patch.gracePercent,
      degradeMap: patch.degradeMap ?? (current.degradeMap as Record<string, string>),
      warnThresholds: patch.warnThresholds ?? current.warnThresholds,
      dailyLimits:
        patch.dailyLimits ??
        current.dailyLimits.map((l) => ({
          metric: l.metric as LimitMetric,
          limitValue: l.limitValue,
          currency: l.currency,
          model: l.model,
        })),
      usageCurrency:
        patch.usageCurrency === undefined ? (current.usagePlan?.currency ?? null) : patch.usageCurrency,
    };
    const data = await this.normalise(merged, id);
    if (patch.status !== undefined && !PLAN_STATUSES.includes(patch.status))
      throw new ValidationError(`status must be one of ${PLAN_STATUSES.join(', ')}`, { param: 'status' });
    if (data.code !== current.code) {
      const taken = await this.deps.db.plan.findUnique({ where: { code: data.code }, select: { id: true } });
      if (taken) throw new ValidationError(`Plan code '${data.code}' is taken`, { param: 'code' });
    }
    const plan = await this.deps.db.$transaction(async (tx) => {
      await tx.plan.update({
        where: { id },
        data: {
          code: data.code,
          name: data.name,
          description: data.description,
          timeZone: data.timeZone,
          overflowPolicy: data.overflowPolicy,
          graceNanos: data.graceNanos,
          gracePercent: data.gracePercent,
          degradeMap: data.degradeMap,
          warnThresholds: data.warnThresholds,
          ...(patch.status ? { status: patch.status } : {}),
          ...(patch.visibility ? { visibility: patch.visibility } : {}),
        },
      });
      if (patch.dailyLimits) {
        await tx.dailyLimitPlan.deleteMany({ where: { planId: id } });
        await writeLimits(tx, id, data.dailyLimits);
      }
      if (data.usageCurrency && data.usageCurrency !== current.usagePlan?.currency)
        await tx.usagePlan.upsert({
          where: { planId: id },
          create: { id: newId('uplan'), planId: id, currency: data.usageCurrency },
          update: { currency: data.usageCurrency },
        });
      return tx.plan.findUniqueOrThrow({ where: { id }, include: { dailyLimits: true } });
    });
    await this.invalidate();
    return plan;
  }

  async getPlan(id: string): Promise<PlanWithLimits> {
    const plan = await this.deps.db.plan.findUnique({ where: { id }, include: { dailyLimits: true } });
    if (!plan) throw new NotFoundError('Plan', id);
    return plan;
  }

  /**
   * Assigns a plan to an organization, or to one of its teams, users or API keys, from
   * `effectiveFrom` (default now) until `effectiveTo` (open-ended when absent). A later assignment
   * of the same subject supersedes an earlier one from its own effectiveFrom.
   * @throws NotFoundError (plan, or subject not in the organization), ValidationError (window, archived plan).
   */
  async assignPlan(input: AssignmentInput): Promise<PlanAssignment> {
    if (!SUBJECT_TYPES.includes(input.subjectType))
      throw new ValidationError(`subjectType must be one of ${SUBJECT_TYPES.join(', ')}`, {
        param: 'subjectType',
      });
    const plan = await this.deps.db.plan.findUnique({ where: { id: input.planId } });
    if (!plan) throw new NotFoundError('Plan', input.planId);
    if (plan.status !== 'active')
      throw new ValidationError(`Plan '${plan.code}' is ${plan.status}`, { param: 'planId' });
    await this.assertSubjectInOrganization(input);
    const effectiveFrom = input.effectiveFrom ?? this.deps.clock();
    assertWindow(effectiveFrom, input.effectiveTo ?? null);
    const assignment = await this.deps.db.planAssignment.create({
      data: {
        id: newId('passign'),
        planId: input.planId,
        organizationId: input.organizationId,
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        effectiveFrom,
        effectiveTo: input.effectiveTo ?? null,
        assignedBy: input.assignedBy ?? 'organization',
      },
    });
    await this.invalidate();
    return assignment;
  }

  /** Moves an assignment's window (e.g. ends it). @throws NotFoundError, ValidationError. */
  async updateAssignment(
    id: string,
    patch: { effectiveFrom?: Date; effectiveTo?: Date | null },
  ): Promise<PlanAssignment> {
    const current = await this.getAssignment(id);
    const effectiveFrom = patch.effectiveFrom ?? current.effectiveFrom;
    const effectiveTo = patch.effectiveTo === undefined ? current.effectiveTo : patch.effectiveTo;
    assertWindow(effectiveFrom, effectiveTo);
    const updated = await this.deps.db.planAssignment.update({
      where: { id },
      data: { effectiveFrom, effectiveTo },
    });
    await this.invalidate();
    return updated;
  }

  async deleteAssignment(id: string): Promise<PlanAssignment> {
    const current = await this.getAssignment(id);
    await this.deps.db.planAssignment.delete({ where: { id } });
    await this.invalidate();
    return current;
  }

  async getAssignment(id: string): Promise<PlanAssignment> {
    const a = await this.deps.db.planAssignment.findUnique({ where: { id } });
    if (!a) throw new NotFoundError('Plan assignment', id);
    return a;
  }

  /**
   * The plan that applies to a caller at `at`: among active plans assigned to its API key, user,
   * team or organization (within the organization) whose window contains `at`, the most specific
   * subject wins (api_key > user > team > organization); for one subject, the latest effectiveFrom.
   */
  async effectivePlan(ids: SubjectIds & { at?: Date }): Promise<EffectivePlan | null> {
    const at = (ids.at ?? this.deps.clock()).getTime();
    const rows = (await this.assignmentsOf(ids)).filter(
      (r) => r.effectiveFrom.getTime() <= at && (!r.effectiveTo || r.effectiveTo.getTime() > at),
    );
    if (!rows.length) return null;
    const rank = (t: string) => SUBJECT_TYPES.indexOf(t as SubjectType);
    rows.sort(
      (a, b) =>
        rank(a.subjectType) - rank(b.subjectType) ||
        b.effectiveFrom.getTime() - a.effectiveFrom.getTime() ||
        (a.id < b.id ? 1 : -1),
    );
    const { plan, ...assignment } = rows[0]!;
    return { plan, assignment };
  }

  /** Every assignment of an active plan to these subjects, whatever its window (cached briefly). */
  private async assignmentsOf(ids: SubjectIds): Promise<AssignmentRow[]> {
    if (!this.subscribed && this.deps.state) {
      this.subscribed = true;
      this.deps.state
        .subscribe(PLANS_INVALIDATE_CHANNEL, () => this.dropCache())
        .catch((err) => logger.warn({ err }, 'plan cache invalidation subscribe failed'));
    }
    const key = [ids.organizationId, ids.teamId ?? '', ids.userId ?? '', ids.apiKeyId ?? ''].join('|');
    const hit = this.cache.get(key);
    if (hit && hit.expiresAtMs > Date.now()) return [...hit.rows];
    return [...(await this.loads.run(key, () => this.loadAssignments(key, ids)))];
  }

  private async loadAssignments(key: string, ids: SubjectIds): Promise<AssignmentRow[]> {
    const generation = this.generation;
    const subjects: { subjectType: SubjectType; subjectId: string }[] = [
      { subjectType: 'organization', subjectId: ids.organizationId },
    ];
    if (ids.teamId) subjects.push({ subjectType: 'team', subjectId: ids.teamId });
    if (ids.userId) subjects.push({ subjectType: 'user', subjectId: ids.userId });
    if (ids.apiKeyId) subjects.push({ subjectType: 'api_key', subjectId: ids.apiKeyId });
    const rows = await this.deps.db.planAssignment.findMany({
      where: { organizationId: ids.organizationId, OR: subjects, plan: { status: 'active' } },
      include: { plan: { include: { dailyLimits: true } } },
    });
    const ttl = this.deps.cacheTtlMs ?? 5_000;
    if (ttl > 0 && generation === this.generation) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(key, { rows, expiresAtMs: Date.now() + ttl });
    }
    return rows;
  }

  private async assertSubjectInOrganization(a: AssignmentInput) {
    const db = this.deps.db;
    const org = await db.organization.findUnique({ where: { id: a.organizationId }, select: { id: true } });
    if (!org) throw new NotFoundError('Organization', a.organizationId);
    const found =
      a.subjectType === 'organization'
        ? a.subjectId === a.organizationId
        : a.subjectType === 'team'
          ? await db.team.findFirst({ where: { id: a.subjectId, organizationId: a.organizationId } })
          : a.subjectType === 'api_key'
            ? await db.apiKey.findFirst({ where: { id: a.subjectId, organizationId: a.organizationId } })
            : await db.membership.findFirst({
                where: { userId: a.subjectId, organizationId: a.organizationId },
              });
    if (!found)
      throw new NotFoundError(`${a.subjectType} in organization '${a.organizationId}'`, a.subjectId);
  }

  private async normalise(input: PlanInput, selfId: string | null) {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(input.code))
      throw new ValidationError('code must be 1-64 lowercase letters, digits, _ or -', { param: 'code' });
    if (!input.name.trim()) throw new ValidationError('name must not be empty', { param: 'name' });
    if (!PLAN_KINDS.includes(input.kind))
      throw new ValidationError(`kind must be one of ${PLAN_KINDS.join(', ')}`, { param: 'kind' });
    const timeZone = assertTimeZone(input.timeZone ?? DEFAULT_TIME_ZONE);
    const overflowPolicy = input.overflowPolicy ?? 'block';
    if (!OVERFLOW_POLICIES.includes(overflowPolicy))
      throw new ValidationError(`overflowPolicy must be one of ${OVERFLOW_POLICIES.join(', ')}`, {
        param: 'overflowPolicy',
      });
    const graceNanos = input.graceNanos ?? null;
    const gracePercent = input.gracePercent ?? null;
    if (graceNanos !== null && (graceNanos < 0n || graceNanos > MAX_LIMIT))
      throw new ValidationError(`graceNanos must be between 0 and ${MAX_LIMIT}`, { param: 'graceNanos' });
    if (gracePercent !== null && (!Number.isInteger(gracePercent) || gracePercent < 0 || gracePercent > 1000))
      throw new ValidationError('gracePercent must be an integer between 0 and 1000', {
        param: 'gracePercent',
      });
    if (overflowPolicy === 'grace' && graceNanos === null && gracePercent === null)
      throw new ValidationError('The grace policy needs graceNanos or gracePercent', {
        param: 'overflowPolicy',
      });

    const degradeMap = input.degradeMap ?? {};
    const entries = Object.entries(degradeMap);
    for (const [from, to] of entries) {
      if (typeof to !== 'string' || !to || from === to)
        throw new ValidationError(`degradeMap['${from}'] must name another model`, { param: 'degradeMap' });
      if (to in degradeMap)
        throw new ValidationError(
          `degradeMap['${from}'] = '${to}', which is itself degraded: targets must be final`,
          { param: 'degradeMap' },
        );
      if (!(await this.deps.pricing.isPriced(to, { planId: selfId })))
        throw new ValidationError(`Degrade target '${to}' has no price: it cannot be served`, {
          param: 'degradeMap',
          details: { model: from, target: to },
        });
    }
    if (overflowPolicy === 'degrade' && !entries.length)
      throw new ValidationError('The degrade policy needs a degradeMap', { param: 'degradeMap' });

    const warnThresholds = [...new Set(input.warnThresholds ?? [80])].sort((a, b) => a - b);
    if (warnThresholds.some((t) => !Number.isInteger(t) || t < 1 || t > 100))
      throw new ValidationError('warnThresholds must be integer percentages between 1 and 100', {
        param: 'warnThresholds',
      });

    const dailyLimits = input.dailyLimits ?? [];
    if (input.kind !== 'daily_limit' && dailyLimits.length)
      throw new ValidationError('Only daily_limit plans have daily limits', { param: 'dailyLimits' });
    const seen = new Set<string>();
    const limits = dailyLimits.map((l) => {
      if (!LIMIT_METRICS.includes(l.metric))
        throw new ValidationError(`metric must be one of ${LIMIT_METRICS.join(', ')}`, {
          param: 'dailyLimits',
        });
      if (l.limitValue <= 0n || l.limitValue > MAX_LIMIT)
        throw new ValidationError(`limitValue must be between 1 and ${MAX_LIMIT}`, { param: 'dailyLimits' });
      const currency = l.currency ? parseCurrency(l.currency, 'dailyLimits') : null;
      if (l.metric === 'cost') {
        if (!currency) throw new ValidationError('A cost limit needs a currency', { param: 'dailyLimits' });
      } else if (currency)
        throw new ValidationError(`A ${l.metric} limit has no currency`, { param: 'dailyLimits' });
      const model = l.model ?? null;
      const key = `${l.metric}|${currency ?? ''}|${model ?? ''}`;
      if (seen.has(key))
        throw new ValidationError(`Duplicate ${l.metric} limit${model ? ` for model '${model}'` : ''}`, {
          param: 'dailyLimits',
        });
      seen.add(key);
      return { metric: l.metric, limitValue: l.limitValue, currency, model };
    });
    if (input.kind === 'daily_limit' && !limits.length)
      throw new ValidationError('A daily_limit plan needs at least one daily limit', {
        param: 'dailyLimits',
      });

    const usageCurrency = input.usageCurrency ? parseCurrency(input.usageCurrency, 'usageCurrency') : null;
    if (input.kind === 'usage' && !usageCurrency)
      throw new ValidationError('A usage plan needs usageCurrency', { param: 'usageCurrency' });
    return {
      code: input.code,
      name: input.name.trim(),
      kind: input.kind,
      description: input.description ?? null,
      timeZone,
      overflowPolicy,
      graceNanos,
      gracePercent,
      degradeMap,
      warnThresholds,
      dailyLimits: limits,
      usageCurrency,
    };
  }
}

async function writeLimits(
  tx: Tx,
  planId: string,
  limits: { metric: string; limitValue: bigint; currency: string | null; model: string | null }[],
) {
  if (limits.length)
    await tx.dailyLimitPlan.createMany({
      data: limits.map((l) => ({ id: newId('dlimit'), planId, ...l })),
    });
}

function assertWindow(from: Date, to: Date | null) {
  if (to && to <= from)
    throw new ValidationError('effectiveTo must be after effectiveFrom', { param: 'effectiveTo' });
}
