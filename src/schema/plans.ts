import type { ArgBuilder, SchemaTypes } from '@pothos/core';
import { builder } from '../builder.ts';
import { screamingEnum } from './enums.ts';
import type { LimitUsage, TodayUsage } from '../plans/daily-limits.ts';
import {
  LIMIT_METRICS,
  type LimitMetric,
  OVERFLOW_POLICIES,
  type OverflowPolicy,
  PLAN_KINDS,
  PLAN_STATUSES,
  PLAN_VISIBILITIES,
  type PlanKind,
  type PlanVisibility,
  type PlanWithLimits,
  SUBJECT_TYPES,
  type SubjectType,
} from '../plans/plans.ts';
import type { LimitChangedEvent } from '../pubsub.ts';
import { visiblePlansWhere } from '../plans/plan-access.ts';
import { assignPlan, deleteAssignment, updateAssignment } from '../resolvers/plans/assignments.ts';
import { createPlan, grantPlanTo, revokePlanGrantFrom, updatePlan } from '../resolvers/plans/plans.ts';
import { refetch } from '../graphql/refetch.ts';
import { inOrg } from '../graphql/access/identity.ts';
import { callerSubject, canSeePlan, watchedOrganization } from '../graphql/access/plans.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

const PlanKindEnum = screamingEnum('PlanKind', PLAN_KINDS, {
  description:
    'DAILY_LIMIT: limits per calendar day in the plan time zone; USAGE: pay-as-you-go with the price rules.',
});
const OverflowPolicyEnum = screamingEnum('OverflowPolicy', OVERFLOW_POLICIES, {
  description:
    'What happens past a daily limit: BLOCK (429 DAILY_LIMIT_EXCEEDED), GRACE (allow up to graceNanos / gracePercent more, marked graced), DEGRADE (serve degradeMap[model] instead).',
});
const LimitMetricEnum = screamingEnum('LimitMetric', LIMIT_METRICS);
const PlanStatusEnum = screamingEnum('PlanStatus', PLAN_STATUSES);
const PlanVisibilityEnum = screamingEnum('PlanVisibility', PLAN_VISIBILITIES, {
  description:
    'PUBLIC: every organization may assign it to itself; PRIVATE: only organizations a platform admin granted it to.',
});
const PlanAssignedByEnum = screamingEnum('PlanAssignedBy', ['platform', 'organization'], {
  description: 'PLATFORM: made by a platform admin, and only a platform admin changes, ends or replaces it.',
});
const PlanSubjectTypeEnum = screamingEnum('PlanSubjectType', SUBJECT_TYPES, {
  description: 'Most specific wins: API_KEY > USER > TEAM > ORGANIZATION.',
});

builder.prismaObject('DailyLimitPlan', {
  name: 'DailyLimit',
  authScopes: { authenticated: true },
  fields: (t) => ({
    id: t.exposeID('id'),
    metric: t.field({ type: LimitMetricEnum, resolve: (l) => l.metric as LimitMetric }),
    limitValue: t.expose('limitValue', { type: 'BigInt', description: 'Nano-units for cost, else a count.' }),
    currency: t.exposeString('currency', { nullable: true }),
    model: t.exposeString('model', {
      nullable: true,
      description: 'Only this (served) model counts; null = all.',
    }),
  }),
});

export const PlanNode = builder.prismaNode('Plan', {
  id: { field: 'id' },
  authScopes: (plan, ctx) => canSeePlan(ctx, plan),
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    kind: t.field({ type: PlanKindEnum, resolve: (p) => p.kind as PlanKind }),
    description: t.exposeString('description', { nullable: true }),
    timeZone: t.exposeString('timeZone', {
      description: 'Fixed offset (+08:00) or IANA name; days reset at its midnight.',
    }),
    overflowPolicy: t.field({ type: OverflowPolicyEnum, resolve: (p) => p.overflowPolicy as OverflowPolicy }),
    graceNanos: t.expose('graceNanos', { type: 'BigInt', nullable: true }),
    gracePercent: t.exposeInt('gracePercent', { nullable: true }),
    degradeMap: t.expose('degradeMap', { type: 'JSON', description: 'Requested model → cheaper model.' }),
    warnThresholds: t.exposeIntList('warnThresholds'),
    status: t.field({ type: PlanStatusEnum, resolve: (p) => p.status as (typeof PLAN_STATUSES)[number] }),
    visibility: t.field({ type: PlanVisibilityEnum, resolve: (p) => p.visibility as PlanVisibility }),
    grantedOrganizationIds: t.idList({
      description: 'Organizations a private plan is granted to (platform admin).',
      authScopes: { platformAdmin: true },
      select: { grants: { select: { organizationId: true } } },
      resolve: (p) => p.grants.map((g) => g.organizationId),
    }),
    dailyLimits: t.relation('dailyLimits', { query: { orderBy: { id: 'asc' } } }),
    usageCurrency: t.string({
      nullable: true,
      select: { usagePlan: { select: { currency: true } } },
      resolve: (p) => p.usagePlan?.currency ?? null,
    }),
    priceRules: t.relation('priceRules', {
      authScopes: { platformAdmin: true },
      query: { orderBy: { modelPattern: 'asc' } },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaNode('PlanAssignment', {
  id: { field: 'id' },
  authScopes: (a, ctx) => inOrg(ctx, a.organizationId),
  fields: (t) => ({
    plan: t.relation('plan'),
    organizationId: t.exposeID('organizationId'),
    subjectType: t.field({ type: PlanSubjectTypeEnum, resolve: (a) => a.subjectType as SubjectType }),
    subjectId: t.exposeID('subjectId'),
    effectiveFrom: t.expose('effectiveFrom', { type: 'DateTime' }),
    effectiveTo: t.expose('effectiveTo', { type: 'DateTime', nullable: true }),
    assignedBy: t.field({
      type: PlanAssignedByEnum,
      resolve: (a) => a.assignedBy as 'platform' | 'organization',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const DailyLimitInput = builder.inputType('DailyLimitInput', {
  fields: (t) => ({
    metric: t.field({ type: LimitMetricEnum, required: true }),
    limitValue: t.field({ type: 'BigInt', required: true }),
    currency: t.string({ required: false, description: 'Required for cost limits.' }),
    model: t.string({ required: false }),
  }),
});

const planFields = (t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>) => ({
  description: t.string({ required: false }),
  timeZone: t.string({ required: false, description: 'Default +08:00.' }),
  overflowPolicy: t.field({ type: OverflowPolicyEnum, required: false }),
  graceNanos: t.field({ type: 'BigInt', required: false }),
  gracePercent: t.int({ required: false }),
  degradeMap: t.field({ type: 'JSON', required: false }),
  warnThresholds: t.intList({ required: false, description: 'Percentages; default [80].' }),
  dailyLimits: t.field({ type: [DailyLimitInput], required: false }),
  usageCurrency: t.string({ required: false, description: 'Usage plans: the currency they bill in.' }),
  visibility: t.field({ type: PlanVisibilityEnum, required: false, description: 'Default private.' }),
});

const CreatePlanInput = builder.inputType('CreatePlanInput', {
  fields: (t) => ({
    code: t.string({ required: true }),
    name: t.string({ required: true }),
    kind: t.field({ type: PlanKindEnum, required: true }),
    ...planFields(t),
  }),
});

const UpdatePlanInput = builder.inputType('UpdatePlanInput', {
  description: 'dailyLimits, when given, replaces the whole set.',
  fields: (t) => ({
    code: t.string({ required: false }),
    name: t.string({ required: false }),
    status: t.field({ type: PlanStatusEnum, required: false }),
    ...planFields(t),
  }),
});

const AssignPlanInput = builder.inputType('AssignPlanInput', {
  fields: (t) => ({
    planId: t.id({ required: true }),
    organizationId: t.id({ required: true }),
    subjectType: t.field({ type: PlanSubjectTypeEnum, required: true }),
    subjectId: t.id({ required: true, description: 'The organization, team, user or API key id.' }),
    effectiveFrom: t.field({ type: 'DateTime', required: false, description: 'Default: now.' }),
    effectiveTo: t.field({ type: 'DateTime', required: false }),
  }),
});

builder.queryField('plans', (t) =>
  t.prismaField({
    keyScope: 'read',
    type: ['Plan'],
    description: 'Every plan (platform admin).',
    authScopes: { platformAdmin: true },
    args: { status: t.arg({ type: PlanStatusEnum, required: false }) },
    resolve: (query, _root, args, ctx) =>
      ctx.services.db.plan.findMany({
        ...query,
        where: args.status ? { status: args.status } : {},
        orderBy: { code: 'asc' },
      }),
  }),
);

builder.queryField('availablePlans', (t) =>
  t.prismaField({
    type: ['Plan'],
    keyScope: 'read',
    description:
      'Active plans the organization may assign to itself: public ones and private ones granted to it (own organization; any for a platform admin).',
    authScopes: { authenticated: true },
    args: { organizationId: t.arg.id({ required: false }) },
    resolve: (query, _root, args, ctx) =>
      ctx.services.db.plan.findMany({
        ...query,
        where: { status: 'active', ...visiblePlansWhere(watchedOrganization(ctx, args.organizationId)) },
        orderBy: { code: 'asc' },
      }),
  }),
);

builder.mutationField('grantPlan', (t) =>
  t.prismaField({
    type: 'Plan',
    keyScope: 'billing',
    description: 'Lets an organization assign a private plan to itself (platform admin; idempotent).',
    authScopes: { platformAdmin: true },
    args: { planId: t.arg.id({ required: true }), organizationId: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => refetch(ctx.services.db.plan, query, grantPlanTo(ctx, args)),
  }),
);

builder.mutationField('revokePlanGrant', (t) =>
  t.prismaField({
    type: 'Plan',
    keyScope: 'billing',
    description:
      'Takes back a grant; assignments already made stay until they end (platform admin; idempotent).',
    authScopes: { platformAdmin: true },
    args: { planId: t.arg.id({ required: true }), organizationId: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      refetch(ctx.services.db.plan, query, revokePlanGrantFrom(ctx, args)),
  }),
);

builder.queryField('planAssignments', (t) =>
  t.prismaField({
    keyScope: 'read',
    type: ['PlanAssignment'],
    description: "An organization's plan assignments (platform admin, or a member of the organization).",
    authScopes: { authenticated: true },
    args: { organizationId: t.arg.id({ required: false }) },
    resolve: (query, _root, args, ctx) => {
      const { organizationId } = callerSubject(ctx, { organizationId: args.organizationId });
      return ctx.services.db.planAssignment.findMany({
        ...query,
        where: { organizationId },
        orderBy: [{ subjectType: 'asc' }, { effectiveFrom: 'desc' }],
      });
    },
  }),
);

const subjectArgs = (t: ArgBuilder<Types>) => ({
  organizationId: t.id({
    required: false,
    description: 'Required for a platform admin; others get their own.',
  }),
  teamId: t.id({ required: false }),
  userId: t.id({ required: false }),
  apiKeyId: t.id({ required: false }),
  at: t({ type: 'DateTime', required: false, description: 'Default: now.' }),
});

const EffectivePlanRef = builder
  .objectRef<{ plan: PlanWithLimits; assignmentId: string }>('EffectivePlan')
  .implement({
    fields: (t) => ({
      plan: t.prismaField({
        type: 'Plan',
        resolve: (query, e, _args, ctx) =>
          ctx.services.db.plan.findUniqueOrThrow({ ...query, where: { id: e.plan.id } }),
      }),
      assignment: t.prismaField({
        type: 'PlanAssignment',
        resolve: (query, e, _args, ctx) =>
          ctx.services.db.planAssignment.findUniqueOrThrow({ ...query, where: { id: e.assignmentId } }),
      }),
    }),
  });

builder.queryField('effectivePlan', (t) =>
  t.field({
    keyScope: 'read',
    type: EffectivePlanRef,
    nullable: true,
    description:
      'The plan that applies (most specific assignment: api_key > user > team > organization). API keys see their own; naming other subjects of the organization needs the admin role.',
    authScopes: { authenticated: true },
    args: subjectArgs(t.arg),
    resolve: async (_root, args, ctx) => {
      const e = await ctx.services.plans.effectivePlan({
        ...callerSubject(ctx, args),
        ...(args.at ? { at: args.at } : {}),
      });
      return e ? { plan: e.plan, assignmentId: e.assignment.id } : null;
    },
  }),
);

const LimitUsageRef = builder.objectRef<LimitUsage>('LimitUsage').implement({
  fields: (t) => ({
    metric: t.field({ type: LimitMetricEnum, resolve: (u) => u.limit.metric as LimitMetric }),
    currency: t.string({ nullable: true, resolve: (u) => u.limit.currency }),
    model: t.string({ nullable: true, resolve: (u) => u.limit.model }),
    limit: t.field({ type: 'BigInt', resolve: (u) => u.limit.limitValue }),
    used: t.field({
      type: 'BigInt',
      description: 'Settled usage plus open reservations.',
      resolve: (u) => u.used,
    }),
    remaining: t.field({ type: 'BigInt', resolve: (u) => u.remaining }),
  }),
});

const TodayUsageRef = builder.objectRef<TodayUsage>('TodayUsage').implement({
  fields: (t) => ({
    plan: t.prismaField({
      type: 'Plan',
      resolve: (query, u, _args, ctx) =>
        ctx.services.db.plan.findUniqueOrThrow({ ...query, where: { id: u.planId } }),
    }),
    day: t.exposeString('day', { description: 'YYYY-MM-DD in the plan time zone.' }),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    resetsAt: t.expose('resetsAt', { type: 'DateTime' }),
    subjectType: t.field({ type: PlanSubjectTypeEnum, resolve: (u) => u.subjectType as SubjectType }),
    subjectId: t.exposeID('subjectId'),
    limits: t.field({ type: [LimitUsageRef], resolve: (u) => u.limits }),
  }),
});

builder.queryField('todayUsage', (t) =>
  t.field({
    keyScope: 'read',
    type: TodayUsageRef,
    nullable: true,
    description:
      'Use of each daily limit of the effective plan in the current plan day; null without a daily-limit plan.',
    authScopes: { authenticated: true },
    args: subjectArgs(t.arg),
    resolve: (_root, args, ctx) =>
      ctx.services.dailyLimits.todayUsage({
        ...callerSubject(ctx, args),
        ...(args.at ? { at: args.at } : {}),
      }),
  }),
);

builder.mutationField('createPlan', (t) =>
  t.prismaField({
    keyScope: 'billing',
    type: 'Plan',
    description:
      'VALIDATION_FAILED for an unknown time zone, bad limits, or a degrade target that is not priced (platform admin).',
    authScopes: { platformAdmin: true },
    args: { input: t.arg({ type: CreatePlanInput, required: true }) },
    resolve: (query, _root, { input }, ctx) => refetch(ctx.services.db.plan, query, createPlan(ctx, input)),
  }),
);

builder.mutationField('updatePlan', (t) =>
  t.prismaField({
    keyScope: 'billing',
    type: 'Plan',
    description:
      'Same validation as createPlan; status archived takes the plan out of effect (platform admin).',
    authScopes: { platformAdmin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdatePlanInput, required: true }) },
    resolve: (query, _root, { id, input }, ctx) =>
      refetch(ctx.services.db.plan, query, updatePlan(ctx, id, input)),
  }),
);

builder.mutationField('assignPlan', (t) =>
  t.prismaField({
    keyScope: 'billing',
    type: 'PlanAssignment',
    description:
      "Assigns a plan to an organization or one of its teams, users or API keys. A platform admin assigns any plan, and only a platform admin can then change, end or replace that assignment; the organization's owner/admin assigns a plan visible to it (availablePlans; others answer NOT_FOUND), never over a platform admin's assignment (PLAN_ASSIGNMENT_LOCKED).",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: AssignPlanInput, required: true }) },
    resolve: (query, _root, { input }, ctx) =>
      refetch(ctx.services.db.planAssignment, query, assignPlan(ctx, input)),
  }),
);

builder.mutationField('updatePlanAssignment', (t) =>
  t.prismaField({
    keyScope: 'billing',
    type: 'PlanAssignment',
    description:
      "Moves an assignment window, e.g. ends it (platform admin, or the organization owner/admin for the organization's own assignments: PLAN_ASSIGNMENT_LOCKED otherwise).",
    authScopes: { authenticated: true },
    args: {
      id: t.arg.id({ required: true }),
      effectiveFrom: t.arg({ type: 'DateTime', required: false }),
      effectiveTo: t.arg({ type: 'DateTime', required: false }),
    },
    resolve: (query, _root, args, ctx) =>
      refetch(
        ctx.services.db.planAssignment,
        query,
        updateAssignment(ctx, args.id, {
          ...(args.effectiveFrom ? { effectiveFrom: args.effectiveFrom } : {}),
          ...(args.effectiveTo !== undefined ? { effectiveTo: args.effectiveTo } : {}),
        }),
      ),
  }),
);

builder.mutationField('deletePlanAssignment', (t) =>
  t.id({
    keyScope: 'billing',
    description:
      "Removes an assignment; returns its id (platform admin, or the organization owner/admin for the organization's own assignments: PLAN_ASSIGNMENT_LOCKED otherwise).",
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => (await deleteAssignment(ctx, id)).id,
  }),
);

const LimitChangedRef = builder.objectRef<LimitChangedEvent>('LimitChanged').implement({
  description: 'A daily limit crossed a warning threshold, was reached, or reset with a new plan day.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'warning | reached | reset' }),
    organizationId: t.exposeID('organizationId'),
    subjectType: t.exposeString('subjectType'),
    subjectId: t.exposeID('subjectId'),
    metric: t.exposeString('metric'),
    model: t.string({ nullable: true, resolve: (e) => e.model ?? null }),
    currency: t.string({ nullable: true, resolve: (e) => e.currency ?? null }),
    thresholdPercent: t.int({ nullable: true, resolve: (e) => e.thresholdPercent ?? null }),
    limit: t.field({ type: 'BigInt', resolve: (e) => e.limit }),
    used: t.field({ type: 'BigInt', resolve: (e) => e.used }),
    day: t.string({ nullable: true, resolve: (e) => e.day ?? null }),
    resetsAt: t.field({ type: 'DateTime', resolve: (e) => e.resetsAt }),
  }),
});

builder.subscriptionField('limitChanged', (t) =>
  t.field({
    keyScope: 'read',
    type: LimitChangedRef,
    description:
      "Daily-limit warnings of an organization's plans (own organization; any for a platform admin).",
    authScopes: { authenticated: true },
    args: { organizationId: t.arg.id({ required: false }) },
    subscribe: (_root, args, ctx) =>
      ctx.services.pubsub.subscribe(`limitChanged:${watchedOrganization(ctx, args.organizationId)}`),
    resolve: (event) => event,
  }),
);
