import { z } from 'zod';
import type { Db } from '../db/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { newId } from '../lib/ids.ts';
import { ValidationError } from '../lib/errors.ts';
import { logger } from '../lib/logger.ts';
import { SingleFlight } from '../lib/single-flight.ts';
import { NOTIFICATION_TYPES } from '../notifications/types.ts';

/** Amounts travel as decimal strings in JSON: 64-bit integers do not survive JSON numbers. */
const amount = z.string().regex(/^\d{1,19}$/, 'must be a non-negative integer as a decimal string');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals');
const count = z.number().int().min(0);

const spendCaps = z
  .object({
    keyPerMinuteNanos: amount,
    keyPerHourNanos: amount,
    userPerMinuteNanos: amount,
    userPerHourNanos: amount,
    requestMaxNanos: amount,
  })
  .partial()
  .strict();

export const riskSettingsSchema = z
  .object({
    rateLimits: z
      .object({
        keyRequestsPerMinute: count,
        keyTokensPerMinute: count,
        userRequestsPerMinute: count,
        userTokensPerMinute: count,
        organizationRequestsPerMinute: count,
        organizationTokensPerMinute: count,
      })
      .partial()
      .strict(),
    spend: z.record(currency, spendCaps),
    newAccount: z
      .object({ days: count, spend: z.record(currency, spendCaps) })
      .partial()
      .strict(),
    payments: z
      .object({
        amountLimits: z.record(currency, z.object({ minMinor: amount, maxMinor: amount }).partial().strict()),
        topUpsPerHourMax: count,
        topUpsPerDayMax: count,
        topUpAmountPerHourMaxMinor: z.record(currency, amount),
        topUpAmountPerDayMaxMinor: z.record(currency, amount),
        failedPaymentsMax: count,
        failedPaymentsWindowMinutes: count,
        cooldownMinutes: count,
        holdRiskLevels: z.array(z.string()),
        holdRiskScoreMin: count,
        disputeFreeze: z.enum(['disputed_amount', 'none']),
      })
      .partial()
      .strict(),
    notifications: z
      .object({
        emailRecipients: z.array(z.email()),
        emailEventTypes: z.array(z.enum(NOTIFICATION_TYPES)),
        balanceLowThresholdsNanos: z.record(currency, z.array(amount)),
        walletBalanceLowThresholdsNanos: z.record(z.string(), z.array(amount)),
        keyExpiringDays: count,
        rateLimitSustainedRejectionsPerMinute: count,
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

export type RiskSettings = z.infer<typeof riskSettingsSchema>;
export type SpendCaps = z.infer<typeof spendCaps>;

export const RISK_SCOPE_TYPES = ['global', 'organization', 'user', 'api_key'] as const;
export type RiskScopeType = (typeof RISK_SCOPE_TYPES)[number];

/** Settings that apply when nothing is configured (documented in docs/risk-and-notifications.md). */
export const DEFAULT_RISK_SETTINGS: RiskSettings = {
  newAccount: { days: 7 },
  payments: {
    failedPaymentsMax: 5,
    failedPaymentsWindowMinutes: 60,
    cooldownMinutes: 30,
    holdRiskLevels: ['elevated', 'highest'],
    disputeFreeze: 'disputed_amount',
  },
  notifications: { keyExpiringDays: 7, rateLimitSustainedRejectionsPerMinute: 20 },
};

export function parseRiskSettings(input: unknown): RiskSettings {
  const parsed = riskSettingsSchema.safeParse(input);
  if (!parsed.success)
    throw new ValidationError('Invalid risk settings', {
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  return parsed.data;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Later layers win field by field; arrays and scalars replace, objects merge. */
export function mergeRiskSettings(...layers: (RiskSettings | undefined)[]): RiskSettings {
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isPlainObject(a) || !isPlainObject(b)) return b === undefined ? a : b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
  };
  return layers.reduce<RiskSettings>((acc, l) => (l ? (merge(acc, l) as RiskSettings) : acc), {});
}

export interface RiskSubject {
  organizationId?: string | null | undefined;
  userId?: string | null | undefined;
  apiKeyId?: string | null | undefined;
}

const INVALIDATE_CHANNEL = 'risk:settings-changed';

interface LayerEntry {
  settings: RiskSettings | undefined;
  expiresAtMs: number;
}

/**
 * risk_settings rows, cached per process for `ttlMs`. A change made through `put`/`remove` is
 * announced on shared state so every process drops its copy at once; the TTL only bounds
 * staleness after edits made behind Tollgate's back.
 */
export class RiskSettingsStore {
  private readonly cache = new Map<string, LayerEntry>();
  private readonly facts = new Map<string, { value: unknown; expiresAtMs: number }>();
  /**
   * `effective` per subject, merged once and served while the very layer entries it was merged
   * from are still cached and fresh: every request asks for its settings (rate limits and spend
   * caps: twice), and a merge allocates a copy of every layer.
   */
  private readonly merged = new Map<string, { settings: RiskSettings; from: LayerEntry[] }>();
  /** One read per set of missing layers (or per fact) at a time, however many requests find them expired. */
  private readonly layerLoads = new SingleFlight<void>();
  private readonly factLoads = new SingleFlight<unknown>();
  private unsubscribe: Promise<() => Promise<void>> | undefined;

  constructor(
    private readonly db: Db,
    private readonly state: SharedState,
    private readonly ttlMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.unsubscribe = state
      .subscribe(INVALIDATE_CHANNEL, (key) => this.dropLayer(key))
      .catch((err) => {
        logger.warn({ err }, 'risk settings invalidation unavailable; relying on the cache TTL');
        return async () => {};
      });
  }

  async close(): Promise<void> {
    await (await this.unsubscribe)?.();
    this.unsubscribe = undefined;
  }

  private static key(scopeType: RiskScopeType, scopeId: string) {
    return `${scopeType}:${scopeId}`;
  }

  /** The stored layers for these scopes (cached). */
  private async layers(
    scopes: [RiskScopeType, string][],
    client: Pick<Db, 'riskSetting'> = this.db,
  ): Promise<(RiskSettings | undefined)[]> {
    return (await this.layerEntries(scopes, client)).map((e) => e?.settings);
  }

  /** The cache entries of these scopes' layers, loaded where missing or expired. */
  private async layerEntries(
    scopes: [RiskScopeType, string][],
    client: Pick<Db, 'riskSetting'> = this.db,
  ): Promise<(LayerEntry | undefined)[]> {
    const now = this.nowMs();
    const missing = scopes.filter(([t, id]) => {
      const hit = this.cache.get(RiskSettingsStore.key(t, id));
      return !hit || hit.expiresAtMs <= now;
    });
    if (missing.length) {
      const load = async () => {
        const rows = await client.riskSetting.findMany({
          where: { OR: missing.map(([scopeType, scopeId]) => ({ scopeType, scopeId })) },
        });
        for (const [t, id] of missing) {
          const row = rows.find((r) => r.scopeType === t && r.scopeId === id);
          let settings: RiskSettings | undefined;
          if (row) {
            const parsed = riskSettingsSchema.safeParse(row.settings);
            if (parsed.success) settings = parsed.data;
            else logger.error({ scopeType: t, scopeId: id }, 'ignoring invalid risk_settings row');
          }
          this.cache.set(RiskSettingsStore.key(t, id), { settings, expiresAtMs: now + this.ttlMs });
        }
      };
      // Inside a transaction its own client reads (PGlite's one connection is held): no sharing.
      if (client !== this.db) await load();
      else await this.layerLoads.run(missing.map(([t, id]) => RiskSettingsStore.key(t, id)).join(','), load);
    }
    return scopes.map(([t, id]) => this.cache.get(RiskSettingsStore.key(t, id)));
  }

  /**
   * Defaults, then global, organization, user, API key: the most specific layer wins. Inside a
   * transaction pass its client: PGlite has one connection, which the transaction holds.
   */
  async effective(subject: RiskSubject, client?: Pick<Db, 'riskSetting'>): Promise<RiskSettings> {
    const scopes: [RiskScopeType, string][] = [['global', '']];
    if (subject.organizationId) scopes.push(['organization', subject.organizationId]);
    if (subject.userId) scopes.push(['user', subject.userId]);
    if (subject.apiKeyId) scopes.push(['api_key', subject.apiKeyId]);
    const keys = scopes.map(([t, id]) => RiskSettingsStore.key(t, id));
    const memoKey = keys.join(',');
    const now = this.nowMs();
    const memo = this.merged.get(memoKey);
    if (memo?.from.every((e, i) => e.expiresAtMs > now && this.cache.get(keys[i]!) === e))
      return memo.settings;
    const entries = await this.layerEntries(scopes, client);
    const settings = mergeRiskSettings(DEFAULT_RISK_SETTINGS, ...entries.map((e) => e?.settings));
    if (entries.every((e) => e !== undefined)) {
      if (this.merged.size >= 50_000) this.merged.clear();
      this.merged.set(memoKey, { settings, from: entries });
    }
    return settings;
  }

  async get(scopeType: RiskScopeType, scopeId: string): Promise<RiskSettings | undefined> {
    return (await this.layers([[scopeType, scopeId]]))[0];
  }

  /** Replaces the settings of one scope (validated). */
  async put(scopeType: RiskScopeType, scopeId: string, input: unknown) {
    const settings = parseRiskSettings(input);
    const id = scopeType === 'global' ? '' : scopeId;
    const row = await this.db.riskSetting.upsert({
      where: { scopeType_scopeId: { scopeType, scopeId: id } },
      create: { id: newId('risk'), scopeType, scopeId: id, settings },
      update: { settings },
    });
    await this.invalidate(scopeType, id);
    return row;
  }

  async remove(scopeType: RiskScopeType, scopeId: string): Promise<boolean> {
    const id = scopeType === 'global' ? '' : scopeId;
    const n = await this.db.riskSetting.deleteMany({ where: { scopeType, scopeId: id } });
    await this.invalidate(scopeType, id);
    return n.count > 0;
  }

  private async invalidate(scopeType: RiskScopeType, scopeId: string) {
    const key = RiskSettingsStore.key(scopeType, scopeId);
    this.dropLayer(key);
    await this.state.publish(INVALIDATE_CHANNEL, key).catch(() => {});
  }

  private dropLayer(key: string) {
    this.cache.delete(key);
    this.layerLoads.forget();
  }

  /** Small cached facts the rules need on every request (key limits, account ages). */
  async fact<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.nowMs();
    const hit = this.facts.get(key);
    if (hit && hit.expiresAtMs > now) return hit.value as T;
    const value = (await this.factLoads.run(key, load)) as T;
    if (this.facts.size > 50_000) this.facts.clear();
    this.facts.set(key, { value, expiresAtMs: now + this.ttlMs });
    return value;
  }
}
