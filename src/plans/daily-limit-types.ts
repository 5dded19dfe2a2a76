import type { DailyLimitPlan } from '../generated/prisma/client.ts';
import type { EffectivePlan, LimitMetric, SubjectIds } from './plans.ts';

export interface AdmitInput extends SubjectIds {
  model: string;
  /** The wallet currency of the request: cost limits in other currencies do not apply. */
  currency: string;
  /** The hold estimate (pricing.estimateMaxCost) of the requested model. */
  estimatedCostNanos: bigint;
  /** Prompt tokens + max completion tokens. */
  estimatedTokens: bigint | number;
  /** Request time (default: the injected clock). */
  at?: Date;
  /** The caller's plan when already looked up (to price the request with plan rules); looked up otherwise. */
  effectivePlan?: EffectivePlan | null;
  /** Estimates for a degrade target; without it the requested model's estimates are reused. */
  estimateFor?: (model: string) => Promise<{ costNanos: bigint; tokens: bigint | number }>;
  /** Where this process lists its reservation marks (`ReserveMark.index`), so they outlive its death. */
  markIndex?: string;
}

export interface ReservedCounter {
  key: string;
  metric: LimitMetric;
  currency: string | null;
  model: string | null;
  limit: string;
  reserved: string;
}

/** Opaque to callers; plain JSON so it can ride in a hold or a queue message. */
export interface Reservation {
  v: 1;
  id: string;
  organizationId: string;
  planId: string | null;
  planCode: string | null;
  subjectType: string | null;
  subjectId: string | null;
  day: string;
  resetsAt: string;
  model: string;
  warnThresholds: number[];
  counters: ReservedCounter[];
  /** See AdmitInput.markIndex. */
  markIndex?: string;
}

export interface LimitWarning {
  metric: LimitMetric;
  model: string | null;
  currency: string | null;
  thresholdPercent: number;
  limit: string;
  used: string;
}

export interface PlanDecision {
  allowed: true;
  /** The model to send upstream: the requested one, or its degrade target. */
  model: string;
  requestedModel: string;
  degradedFrom: string | null;
  planId: string | null;
  /** Write into usage_records.planDay: the daily counters are rebuilt from it. */
  planDay: string;
  resetsAt: Date;
  reservation: Reservation;
  headers: Record<string, string>;
  /** The request is allowed only by the grace allowance (write usage_records.graced). */
  graced: boolean;
  warnings: LimitWarning[];
}

export interface ActualUsage {
  costNanos: bigint;
  /** prompt + completion tokens. */
  tokens: bigint | number;
}

export interface LimitUsage {
  limit: DailyLimitPlan;
  used: bigint;
  remaining: bigint;
}

export interface TodayUsage {
  planId: string;
  planCode: string;
  subjectType: string;
  subjectId: string;
  day: string;
  startsAt: Date;
  resetsAt: Date;
  limits: LimitUsage[];
}
