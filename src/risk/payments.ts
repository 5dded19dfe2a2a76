import type { Db } from '../db/client.ts';
import { PaymentRiskError } from './errors.ts';
import type { RiskSettingsStore } from './settings.ts';

export interface TopUpCheck {
  userId: string;
  organizationId: string;
  currency: string;
  amountMinor: bigint;
  at: Date;
}

export interface CreditDecision {
  credit: 'now' | 'hold_for_review';
  reason: string | null;
}

/** Orders that count as top-up attempts: everything except failed and canceled ones. */
const LIVE_ORDER_STATUSES = ['created', 'pending', 'paid'];
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Payment risk rules, decided before any provider call (top-ups) or when a provider reports
 * (risk level, disputes). Reads `orders` and `payments`; never writes. The counts are read, not
 * reserved: two top-ups started in the same instant by one user can both pass the last free slot
 * (top-ups are human-paced, and the provider adds its own checks).
 */
export class PaymentRisk {
  constructor(
    private readonly db: Db,
    private readonly settings: RiskSettingsStore,
  ) {}

  /**
   * @throws PaymentRiskError AMOUNT_OUT_OF_RANGE (400) below the minimum or above the maximum for the currency.
   * @throws PaymentRiskError TOPUP_COOLDOWN (429) after `failedPaymentsMax` failed payments within
   *   `failedPaymentsWindowMinutes`, until `cooldownMinutes` after the last one.
   * @throws PaymentRiskError TOPUP_LIMIT_EXCEEDED (429) when this top-up would pass the count or amount per hour/day.
   */
  async checkTopUpAllowed(input: TopUpCheck): Promise<void> {
    const s =
      (await this.settings.effective({ organizationId: input.organizationId, userId: input.userId }))
        .payments ?? {};
    const range = s.amountLimits?.[input.currency];
    if (
      input.amountMinor <= 0n ||
      (range?.minMinor !== undefined && input.amountMinor < BigInt(range.minMinor)) ||
      (range?.maxMinor !== undefined && input.amountMinor > BigInt(range.maxMinor))
    )
      throw new PaymentRiskError(
        'AMOUNT_OUT_OF_RANGE',
        `Top-up amount is outside the allowed range for ${input.currency}`,
        {
          currency: input.currency,
          min_minor: range?.minMinor ?? null,
          max_minor: range?.maxMinor ?? null,
        },
      );

    const at = input.at.getTime();
    if (s.failedPaymentsMax && s.cooldownMinutes) {
      const windowMs = (s.failedPaymentsWindowMinutes ?? 60) * 60_000;
      const failed = await this.db.payment.findMany({
        where: {
          status: 'failed',
          updatedAt: { gt: new Date(at - windowMs), lte: input.at },
          order: { userId: input.userId },
        },
        select: { updatedAt: true },
        orderBy: { updatedAt: 'desc' },
        take: s.failedPaymentsMax,
      });
      if (failed.length >= s.failedPaymentsMax) {
        const until = failed[0]!.updatedAt.getTime() + s.cooldownMinutes * 60_000;
        if (until > at)
          throw new PaymentRiskError('TOPUP_COOLDOWN', 'Too many failed payments; try again later', {
            retry_after_seconds: Math.ceil((until - at) / 1000),
            failed_payments: failed.length,
          });
      }
    }

    for (const [period, ms] of [
      ['hour', HOUR_MS],
      ['day', DAY_MS],
    ] as const) {
      const countMax = period === 'hour' ? s.topUpsPerHourMax : s.topUpsPerDayMax;
      const amountMax = (period === 'hour' ? s.topUpAmountPerHourMaxMinor : s.topUpAmountPerDayMaxMinor)?.[
        input.currency
      ];
      if (countMax === undefined && amountMax === undefined) continue;
      const where = {
        userId: input.userId,
        status: { in: LIVE_ORDER_STATUSES },
        createdAt: { gt: new Date(at - ms), lte: input.at },
      };
      if (countMax !== undefined) {
        const n = await this.db.order.count({ where });
        if (n + 1 > countMax)
          throw new PaymentRiskError('TOPUP_LIMIT_EXCEEDED', `At most ${countMax} top-ups per ${period}`, {
            period,
            count_max: countMax,
            retry_after_seconds: await this.retryAfter(where, at, ms),
          });
      }
      if (amountMax !== undefined) {
        const sum = await this.db.order.aggregate({
          where: { ...where, currency: input.currency },
          _sum: { amountMinor: true },
        });
        if ((sum._sum.amountMinor ?? 0n) + input.amountMinor > BigInt(amountMax))
          throw new PaymentRiskError(
            'TOPUP_LIMIT_EXCEEDED',
            `Top-ups per ${period} would exceed ${amountMax} minor units of ${input.currency}`,
            { period, currency: input.currency, amount_max_minor: amountMax },
          );
      }
    }
  }

  /** When the oldest order in the window leaves it. */
  private async retryAfter(where: object, at: number, ms: number): Promise<number> {
    const oldest = await this.db.order.findFirst({
      where,
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true },
    });
    return oldest ? Math.max(1, Math.ceil((oldest.createdAt.getTime() + ms - at) / 1000)) : 1;
  }

  /**
   * Whether a succeeded payment's credit goes to the wallet now or waits for review, from the
   * provider's risk assessment (Stripe `outcome.risk_level`: normal | elevated | highest, and `risk_score` 0–99).
   */
  async decideCredit(input: {
    organizationId: string;
    userId: string | null;
    riskLevel: string | null;
    riskScore: number | null;
  }): Promise<CreditDecision> {
    const s =
      (await this.settings.effective({ organizationId: input.organizationId, userId: input.userId }))
        .payments ?? {};
    if (input.riskLevel && (s.holdRiskLevels ?? []).includes(input.riskLevel))
      return { credit: 'hold_for_review', reason: `risk_level:${input.riskLevel}` };
    if (s.holdRiskScoreMin !== undefined && input.riskScore !== null && input.riskScore >= s.holdRiskScoreMin)
      return { credit: 'hold_for_review', reason: `risk_score:${input.riskScore}` };
    return { credit: 'now', reason: null };
  }

  /**
   * How much wallet credit to freeze for a dispute: the disputed share of what the payment
   * credited, rounded up, never more than the credit. Zero when `disputeFreeze` is `none`.
   */
  async disputeFreezeNanos(input: {
    organizationId: string;
    disputedAmountMinor: bigint;
    paymentAmountMinor: bigint;
    creditedNanos: bigint;
  }): Promise<bigint> {
    const s = (await this.settings.effective({ organizationId: input.organizationId })).payments ?? {};
    return disputeFreezeNanos({ ...input, mode: s.disputeFreeze ?? 'disputed_amount' });
  }
}

export function disputeFreezeNanos(input: {
  disputedAmountMinor: bigint;
  paymentAmountMinor: bigint;
  creditedNanos: bigint;
  mode: 'disputed_amount' | 'none';
}): bigint {
  if (input.mode === 'none' || input.disputedAmountMinor <= 0n || input.paymentAmountMinor <= 0n) return 0n;
  if (input.disputedAmountMinor >= input.paymentAmountMinor) return input.creditedNanos;
  const num = input.creditedNanos * input.disputedAmountMinor;
  const share = (num + input.paymentAmountMinor - 1n) / input.paymentAmountMinor;
  return share > input.creditedNanos ? input.creditedNanos : share;
}
