import type { Db } from '../db/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { logger } from '../lib/logger.ts';
import type { Notifier } from '../notifications/service.ts';
import { RequestCostTooHighError, SpendVelocityExceededError } from './errors.ts';
import type { RiskSettings, RiskSettingsStore, SpendCaps } from './settings.ts';

export interface SpendInput {
  apiKeyId: string;
  userId: string;
  organizationId: string;
  currency: string;
  estimatedCostNanos: bigint;
}

type Window = 'minute' | 'hour';
const WINDOW_MS: Record<Window, number> = { minute: 60_000, hour: 3_600_000 };
const KEY_TTL_MS = 2 * WINDOW_MS.hour;

interface SpendCounter {
  key: string;
  scope: 'api_key' | 'user';
  subjectId: string;
  window: Window;
  windowStartMs: number;
  capNanos: bigint;
}

export interface SpendReservation {
  organizationId: string;
  currency: string;
  costNanos: bigint;
  counters: SpendCounter[];
}

const CAP_FIELDS: Record<SpendCounter['scope'], Record<Window, keyof SpendCaps>> = {
  api_key: { minute: 'keyPerMinuteNanos', hour: 'keyPerHourNanos' },
  user: { minute: 'userPerMinuteNanos', hour: 'userPerHourNanos' },
};

/** The lower of two optional caps, per field. */
function tighter(a: SpendCaps | undefined, b: SpendCaps | undefined): SpendCaps {
  const out: SpendCaps = { ...a };
  for (const [k, v] of Object.entries(b ?? {}) as [keyof SpendCaps, string][]) {
    const cur = out[k];
    out[k] = cur === undefined || BigInt(v) < BigInt(cur) ? v : cur;
  }
  return out;
}

/**
 * Spend velocity: cost per minute and per hour per API key and per user, and a maximum cost per
 * request, per currency. New accounts (organization or user younger than `newAccount.days`) get
 * the tighter of the normal and the `newAccount.spend` caps. Counters live in shared state, so the
 * caps hold across processes: `admit` reserves the estimated cost atomically against every cap,
 * `settle` replaces the estimate with the actual cost. A breach notifies
 * `spend_velocity_breach` once per subject and window.
 */
export class SpendGuard {
  constructor(
    private readonly deps: {
      db: Db;
      state: SharedState;
      settings: RiskSettingsStore;
      notifier: Notifier;
      nowMs: () => number;
    },
  ) {}

  /** The caps that apply to this subject (settings + new-account rule). */
  async capsFor(input: Omit<SpendInput, 'estimatedCostNanos'>): Promise<SpendCaps> {
    const settings = await this.deps.settings.effective(input);
    const caps = settings.spend?.[input.currency];
    if (!(await this.isNewAccount(settings, input.organizationId, input.userId))) return caps ?? {};
    return tighter(caps, settings.newAccount?.spend?.[input.currency]);
  }

  /**
   * Reserves the estimated cost against every cap, or refuses.
   * @throws RequestCostTooHighError (403) when the estimate is above `requestMaxNanos`.
   * @throws SpendVelocityExceededError (429) when a minute or hour cap would be passed.
   */
  async admit(input: SpendInput): Promise<SpendReservation> {
    const caps = await this.capsFor(input);
    if (caps.requestMaxNanos !== undefined && input.estimatedCostNanos > BigInt(caps.requestMaxNanos))
      throw new RequestCostTooHighError({
        currency: input.currency,
        estimatedNanos: input.estimatedCostNanos,
        maxNanos: BigInt(caps.requestMaxNanos),
      });
    const counters = this.counters(input, caps);
    const reservation: SpendReservation = {
      organizationId: input.organizationId,
      currency: input.currency,
      costNanos: input.estimatedCostNanos,
      counters,
    };
    if (counters.length === 0) return reservation;
    const result = await this.deps.state.reserveMany(
      counters.map((c) => ({ key: c.key, delta: input.estimatedCostNanos, limit: c.capNanos })),
      KEY_TTL_MS,
    );
    if (!result.ok) {
      const c = counters[result.refusedIndex]!;
      await this.breach(reservation, c, result.values[result.refusedIndex]!, true);
      throw new SpendVelocityExceededError({
        scope: c.scope,
        window: c.window,
        currency: input.currency,
        capNanos: c.capNanos,
        retryAfterSeconds: Math.max(
          1,
          Math.ceil((c.windowStartMs + WINDOW_MS[c.window] - this.deps.nowMs()) / 1000),
        ),
      });
    }
    return reservation;
  }

  /** Replaces the estimate with the actual cost; a cap passed by the actual cost notifies (it cannot block any more). */
  async settle(reservation: SpendReservation, actualCostNanos: bigint): Promise<void> {
    const delta = actualCostNanos - reservation.costNanos;
    reservation.costNanos = actualCostNanos;
    if (reservation.counters.length === 0 || delta === 0n) return;
    const { values } = await this.deps.state.reserveMany(
      reservation.counters.map((c) => ({ key: c.key, delta, limit: null })),
      KEY_TTL_MS,
    );
    for (const [i, c] of reservation.counters.entries())
      if (values[i]! > c.capNanos) await this.breach(reservation, c, values[i]!, false);
  }

  /** Gives back the reserved cost of a request that was never sent. */
  async release(reservation: SpendReservation): Promise<void> {
    await this.settle(reservation, 0n);
  }

  private counters(input: SpendInput, caps: SpendCaps): SpendCounter[] {
    const now = this.deps.nowMs();
    const out: SpendCounter[] = [];
    const subjects = { api_key: input.apiKeyId, user: input.userId } as const;
    for (const scope of ['api_key', 'user'] as const)
      for (const window of ['minute', 'hour'] as const) {
        const cap = caps[CAP_FIELDS[scope][window]];
        if (cap === undefined) continue;
        const windowStartMs = Math.floor(now / WINDOW_MS[window]) * WINDOW_MS[window];
        out.push({
          key: `spend:${scope}:${subjects[scope]}:${input.currency}:${window}:${windowStartMs}`,
          scope,
          subjectId: subjects[scope],
          window,
          windowStartMs,
          capNanos: BigInt(cap),
        });
      }
    return out;
  }

  private async isNewAccount(
    settings: RiskSettings,
    organizationId: string,
    userId: string,
  ): Promise<boolean> {
    const days = settings.newAccount?.days ?? 0;
    if (days === 0 || !settings.newAccount?.spend) return false;
    const createdAt = await this.deps.settings.fact(`created:${organizationId}:${userId}`, async () => {
      const [org, user] = await Promise.all([
        this.deps.db.organization.findUnique({ where: { id: organizationId }, select: { createdAt: true } }),
        this.deps.db.user.findUnique({ where: { id: userId }, select: { createdAt: true } }),
      ]);
      return Math.max(org?.createdAt.getTime() ?? 0, user?.createdAt.getTime() ?? 0);
    });
    return this.deps.nowMs() - createdAt < days * 86_400_000;
  }

  private async breach(reservation: SpendReservation, c: SpendCounter, spentNanos: bigint, blocked: boolean) {
    try {
      await this.deps.notifier.notify(this.deps.db, {
        type: 'spend_velocity_breach',
        organizationId: reservation.organizationId,
        dedupeKey: `spend_velocity_breach:${c.scope}:${c.subjectId}:${reservation.currency}:${c.window}:${c.windowStartMs}`,
        payload: {
          scope: c.scope,
          subjectId: c.subjectId,
          window: c.window,
          currency: reservation.currency,
          capNanos: c.capNanos.toString(),
          spentNanos: spentNanos.toString(),
          windowStart: new Date(c.windowStartMs).toISOString(),
          blocked,
        },
      });
    } catch (err) {
      // A notification failure must not turn a refusal into a 500, nor fail a settle.
      logger.error({ err }, 'spend velocity notification failed');
    }
  }
}
