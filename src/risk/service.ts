import type { Db } from '../db/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { logger } from '../lib/logger.ts';
import type { Notifier } from '../notifications/service.ts';
import { RateLimitExceededError } from './errors.ts';
import { PaymentRisk } from './payments.ts';
import {
  type RateLimitInput,
  type RateLimitReservation,
  type RateLimitScope,
  RateLimiter,
  type RateLimits,
  WINDOW_MS,
} from './rate-limits.ts';
import { RiskSettingsStore } from './settings.ts';
import { SpendGuard } from './spend.ts';

/**
 * Rate limits with their configuration resolved: api_keys.rpmLimit/tpmLimit for the key (most
 * specific), otherwise risk_settings `rateLimits` (global → organization → user → key). A caller
 * that already knows the limits passes them. Rejections are counted per subject per minute;
 * reaching `notifications.rateLimitSustainedRejectionsPerMinute` notifies `rate_limit_sustained`
 * (at most once per subject per hour).
 */
export class RateLimitService {
  readonly limiter: RateLimiter;

  constructor(
    private readonly deps: {
      db: Db;
      state: SharedState;
      settings: RiskSettingsStore;
      notifier: Notifier;
      nowMs: () => number;
    },
  ) {
    this.limiter = new RateLimiter(deps.state, deps.nowMs);
  }

  async limitsFor(subject: {
    apiKeyId: string;
    userId: string;
    organizationId: string;
  }): Promise<RateLimits> {
    const [settings, key] = await Promise.all([
      this.deps.settings.effective(subject),
      this.deps.settings.fact(`key-limits:${subject.apiKeyId}`, () =>
        this.deps.db.apiKey.findUnique({
          where: { id: subject.apiKeyId },
          select: { rpmLimit: true, tpmLimit: true },
        }),
      ),
    ]);
    const r = settings.rateLimits ?? {};
    return {
      api_key: {
        requestsPerMinute: key?.rpmLimit ?? r.keyRequestsPerMinute ?? null,
        tokensPerMinute: key?.tpmLimit ?? r.keyTokensPerMinute ?? null,
      },
      user: {
        requestsPerMinute: r.userRequestsPerMinute ?? null,
        tokensPerMinute: r.userTokensPerMinute ?? null,
      },
      organization: {
        requestsPerMinute: r.organizationRequestsPerMinute ?? null,
        tokensPerMinute: r.organizationTokensPerMinute ?? null,
      },
    };
  }

  /** See RateLimiter.checkAndReserve; `limits` defaults to `limitsFor(subject)`. */
  async checkAndReserve(input: Omit<RateLimitInput, 'limits'> & { limits?: RateLimits }) {
    const limits = input.limits ?? (await this.limitsFor(input));
    try {
      return await this.limiter.checkAndReserve({ ...input, limits });
    } catch (err) {
      if (err instanceof RateLimitExceededError) await this.countRejection(input, err);
      throw err;
    }
  }

  adjustTokens(reservation: RateLimitReservation, actualTokens: number) {
    return this.limiter.adjustTokens(reservation, actualTokens);
  }

  release(reservation: RateLimitReservation) {
    return this.limiter.release(reservation);
  }

  private async countRejection(
    input: { apiKeyId: string; userId: string; organizationId: string },
    err: RateLimitExceededError,
  ) {
    try {
      const scope = err.details?.scope as RateLimitScope;
      const subjectId = { api_key: input.apiKeyId, user: input.userId, organization: input.organizationId }[
        scope
      ];
      const now = this.deps.nowMs();
      const minuteStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
      const n = await this.deps.state.incrBy(
        `rl-rejects:${scope}:${subjectId}:${minuteStart}`,
        1,
        2 * WINDOW_MS,
      );
      const threshold = (await this.deps.settings.effective(input)).notifications
        ?.rateLimitSustainedRejectionsPerMinute;
      if (!threshold || n !== threshold) return;
      const hourStart = Math.floor(now / 3_600_000) * 3_600_000;
      await this.deps.notifier.notify(this.deps.db, {
        type: 'rate_limit_sustained',
        organizationId: input.organizationId,
        dedupeKey: `rate_limit_sustained:${scope}:${subjectId}:${hourStart}`,
        payload: { scope, subjectId, rejections: n, windowStart: new Date(minuteStart).toISOString() },
      });
    } catch (e) {
      logger.error({ err: e }, 'rate limit rejection accounting failed');
    }
  }
}

/** `services.risk`: every risk rule, shared by the proxy, payments and GraphQL. */
export class RiskServices {
  readonly settings: RiskSettingsStore;
  readonly rateLimits: RateLimitService;
  readonly spend: SpendGuard;
  readonly payments: PaymentRisk;

  constructor(deps: {
    db: Db;
    state: SharedState;
    notifier: Notifier;
    settings: RiskSettingsStore;
    nowMs: () => number;
  }) {
    this.settings = deps.settings;
    this.rateLimits = new RateLimitService(deps);
    this.spend = new SpendGuard(deps);
    this.payments = new PaymentRisk(deps.db, deps.settings);
  }

  static settingsStore(db: Db, state: SharedState, ttlMs: number, nowMs: () => number) {
    return new RiskSettingsStore(db, state, ttlMs, nowMs);
  }
}
