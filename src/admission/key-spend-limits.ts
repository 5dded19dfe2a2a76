import type { Db } from '../db/client.ts';
import { ensureCounter } from '../infra/counter-rebuild.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { KeyBudgetExceededError } from './errors.ts';

const DAY_MS = 86_400_000;
/** Key caps use the same day as plans by default: midnight UTC+8. */
const DAY_OFFSET_MS = 8 * 3_600_000;
const REBUILD_LOCK_TTL_MS = 5_000;
const REBUILD_WAIT_MS = 2_000;
const COUNTER_TTL_MS = 2 * DAY_MS;
const BUDGET_TTL_MS = 30 * DAY_MS;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const toSafe = (v: bigint) => Number(v > SAFE ? SAFE : v);

export interface KeyCaps {
  apiKeyId: string;
  currency: string;
  budgetNanos: bigint | null;
  budgetCurrency: string | null;
  dailyCapNanos: bigint | null;
}

export interface KeySpendReservation {
  keys: string[];
  reservedNanos: string;
}

/**
 * Per-key lifetime budget and daily cap (api_keys.budgetNanos / dailyCapNanos), enforced exactly
 * across processes like plan limits: reserve the estimate at admit, move to the actual cost at
 * settle, give it back on release. Counters live in SharedState and are rebuilt from usage_records
 * (the source of truth) when missing. Caps apply only to requests billed in the cap's currency.
 */
export class KeySpendLimits {
  constructor(private readonly deps: { db: Db; state: SharedState; nowMs: () => number }) {}

  private dayBounds(nowMs: number) {
    const start = Math.floor((nowMs + DAY_OFFSET_MS) / DAY_MS) * DAY_MS - DAY_OFFSET_MS;
    return { start: new Date(start), end: new Date(start + DAY_MS) };
  }

  async reserve(caps: KeyCaps, estimateNanos: bigint): Promise<KeySpendReservation | null> {
    if (caps.budgetCurrency && caps.budgetCurrency !== caps.currency) return null;
    const now = this.deps.nowMs();
    const counters: {
      key: string;
      limit: bigint;
      kind: 'budget' | 'daily_cap';
      since: Date | null;
      resetsAt: Date | null;
    }[] = [];
    if (caps.budgetNanos !== null)
      counters.push({
        key: `keyspend:${caps.apiKeyId}:total`,
        limit: caps.budgetNanos,
        kind: 'budget',
        since: null,
        resetsAt: null,
      });
    if (caps.dailyCapNanos !== null) {
      const day = this.dayBounds(now);
      counters.push({
        key: `keyspend:${caps.apiKeyId}:day:${day.start.getTime()}`,
        limit: caps.dailyCapNanos,
        kind: 'daily_cap',
        since: day.start,
        resetsAt: day.end,
      });
    }
    if (counters.length === 0) return null;
    const reserved: string[] = [];
    try {
      for (const c of counters) {
        const ttlMs = c.kind === 'budget' ? BUDGET_TTL_MS : COUNTER_TTL_MS;
        await this.ensure(c.key, caps.apiKeyId, c.since, ttlMs);
        const r = await this.deps.state.reserve(c.key, toSafe(estimateNanos), toSafe(c.limit), ttlMs);
        if (!r.ok) throw new KeyBudgetExceededError(c.kind, c.limit, caps.currency, c.resetsAt);
        reserved.push(c.key);
      }
    } catch (err) {
      // Refused or failed midway: give back what this call already reserved.
      for (const k of reserved) await this.deps.state.incrBy(k, -toSafe(estimateNanos)).catch(() => {});
      throw err;
    }
    return { keys: reserved, reservedNanos: estimateNanos.toString() };
  }

  /** Moves the reservation to the actual cost: one command, so it can be started before answering. */
  async settle(r: KeySpendReservation | null, actualNanos: bigint): Promise<void> {
    if (!r) return;
    const delta = actualNanos - BigInt(r.reservedNanos);
    if (delta !== 0n) await this.adjust(r.keys, delta);
  }

  async release(r: KeySpendReservation | null): Promise<void> {
    if (!r) return;
    await this.adjust(r.keys, -BigInt(r.reservedNanos));
  }

  private async adjust(keys: string[], delta: bigint) {
    // A lost counter is rebuilt from usage_records on next use; adjusting it now would double count.
    await this.deps.state.adjustExisting(
      keys.map((key) => ({ key, delta })),
      0,
    );
  }

  private async ensure(key: string, apiKeyId: string, since: Date | null, ttlMs: number) {
    await ensureCounter(this.deps.state, key, {
      total: async () =>
        (
          await this.deps.db.usageRecord.aggregate({
            where: { apiKeyId, ...(since ? { createdAt: { gte: since } } : {}) },
            _sum: { costNanos: true },
          })
        )._sum.costNanos ?? 0n,
      ttlMs,
      lockTtlMs: REBUILD_LOCK_TTL_MS,
      waitMs: REBUILD_WAIT_MS,
    });
  }
}
