import type { Db } from '../db/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import { UnauthenticatedError } from '../lib/errors.ts';
import { logger } from '../lib/logger.ts';
import { randomBase62, sha256Hex } from './crypto.ts';
import { type ApiScope, type Principal, isApiScope, isRole } from './principal.ts';
import { SingleFlight } from '../lib/single-flight.ts';

export const API_KEY_SECRET_PREFIX = 'tg-';
const SECRET_RANDOM_LENGTH = 40;
const PREFIX_VISIBLE_LENGTH = 8;
/** Cross-process cache invalidation: the message is a comma-separated list of key hashes, or `*`. */
export const API_KEY_INVALIDATE_CHANNEL = 'apikey:invalidate';
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const CACHE_ENTRIES_MAX = 50_000;

export type ApiKeyPrincipal = Extract<Principal, { kind: 'api_key' }>;

export interface GeneratedApiKeySecret {
  /** Shown to the caller once; never stored. */
  secret: string;
  hash: string;
  /** The visible start of the secret, e.g. `tg-AbCd1234`, to tell keys apart in lists. */
  prefix: string;
}

export function generateApiKeySecret(): GeneratedApiKeySecret {
  const secret = API_KEY_SECRET_PREFIX + randomBase62(SECRET_RANDOM_LENGTH);
  return {
    secret,
    hash: sha256Hex(secret),
    prefix: secret.slice(0, API_KEY_SECRET_PREFIX.length + PREFIX_VISIBLE_LENGTH),
  };
}

function looksLikeApiKey(secret: string): boolean {
  return (
    (secret.startsWith(API_KEY_SECRET_PREFIX) || secret.startsWith(`sk-${API_KEY_SECRET_PREFIX}`)) &&
    secret.length <= 128
  );
}

type CacheEntry =
  | { state: 'unknown'; cachedUntilMs: number }
  | {
      state: 'known';
      cachedUntilMs: number;
      principal: ApiKeyPrincipal;
      revoked: boolean;
      /** min(expiresAt, graceUntil); Infinity when neither is set. */
      expiresAtMs: number;
      lastUsedWrittenMs: number;
    };

const INVALID = () => new UnauthenticatedError('Invalid API key', 'INVALID_API_KEY');

/**
 * Resolves Tollgate API key secrets to principals. The proxy calls this on every request, so the
 * hot path is one SHA-256, one Map lookup and two number comparisons; the database is read at
 * most once per key per API_KEY_CACHE_TTL_MS. Revocation, rotation and role changes call
 * `invalidate`, which clears the entry here and, through SharedState pub/sub, in every other
 * gateway process.
 */
export class ApiKeyService {
  private readonly cache = new Map<string, CacheEntry>();
  /** One database read per key at a time, however many requests find its entry expired. */
  private readonly loads = new SingleFlight<CacheEntry>();
  /** Bumped by every invalidation: a load that raced an invalidation is not cached. */
  private generation = 0;
  private unsubscribe: (() => Promise<void>) | undefined;
  private readonly invalidationListeners = new Set<(hashes: readonly string[] | null) => void>();

  constructor(
    private readonly deps: {
      db: Db;
      state: SharedState;
      clock: () => Date;
      cacheTtlMs: number;
    },
  ) {}

  async start(): Promise<void> {
    if (this.unsubscribe) return;
    this.unsubscribe = await this.deps.state.subscribe(API_KEY_INVALIDATE_CHANNEL, (message) =>
      this.dropLocal(message === '*' ? null : message.split(',')),
    );
  }

  async stop(): Promise<void> {
    const un = this.unsubscribe;
    this.unsubscribe = undefined;
    await un?.();
  }

  /**
   * Throws UnauthenticatedError with code INVALID_API_KEY (unknown or malformed), API_KEY_REVOKED
   * (revoked, or its user left the organization) or API_KEY_EXPIRED (past expiresAt, or a rotated
   * key past its grace period).
   */
  async authenticate(secret: string): Promise<ApiKeyPrincipal> {
    if (!looksLikeApiKey(secret)) throw INVALID();
    const hash = sha256Hex(secret);
    const nowMs = this.deps.clock().getTime();
    let entry = this.cache.get(hash);
    if (entry === undefined || entry.cachedUntilMs <= nowMs)
      entry = await this.loads.run(hash, () => this.load(hash, nowMs));
    if (entry.state === 'unknown') throw INVALID();
    if (entry.revoked) throw new UnauthenticatedError('API key has been revoked', 'API_KEY_REVOKED');
    if (nowMs >= entry.expiresAtMs) throw new UnauthenticatedError('API key has expired', 'API_KEY_EXPIRED');
    if (nowMs - entry.lastUsedWrittenMs >= LAST_USED_WRITE_INTERVAL_MS) this.touch(entry, nowMs);
    return entry.principal;
  }

  /**
   * Forgets the given key hashes (null = all) here and in every other process. Call after the
   * transaction that changed the keys has committed.
   */
  async invalidate(hashes: readonly string[] | null): Promise<void> {
    if (hashes !== null && hashes.length === 0) return;
    this.dropLocal(hashes);
    try {
      await this.deps.state.publish(API_KEY_INVALIDATE_CHANNEL, hashes === null ? '*' : hashes.join(','));
    } catch (err) {
      // Other processes fall back to the cache TTL; the change itself is committed.
      logger.error({ err }, 'api key invalidation publish failed');
    }
  }

  /** Invalidates every key of the given users (role changes) or organization (deletion). */
  async invalidateWhere(where: { userId?: string; organizationId?: string }): Promise<void> {
    const rows = await this.deps.db.apiKey.findMany({ where, select: { hash: true } });
    await this.invalidate(rows.map((r) => r.hash));
  }

  /**
   * Calls `listener` after keys are invalidated here or in any other process (null = all keys), once
   * the cache has forgotten them, so authenticating again reads the change. Returns the remover.
   */
  onInvalidated(listener: (hashes: readonly string[] | null) => void): () => void {
    this.invalidationListeners.add(listener);
    return () => this.invalidationListeners.delete(listener);
  }

  private dropLocal(hashes: readonly string[] | null): void {
    this.generation++;
    if (hashes === null) {
      this.cache.clear();
      this.loads.forget();
    } else
      for (const h of hashes) {
        this.cache.delete(h);
        this.loads.forget(h);
      }
    for (const listener of this.invalidationListeners) {
      try {
        listener(hashes);
      } catch (err) {
        logger.error({ err }, 'api key invalidation listener failed');
      }
    }
  }

  private async load(hash: string, nowMs: number): Promise<CacheEntry> {
    const generation = this.generation;
    const { db, cacheTtlMs } = this.deps;
    const row = await db.apiKey.findUnique({
      where: { hash },
      select: {
        id: true,
        organizationId: true,
        userId: true,
        teamId: true,
        scopes: true,
        modelAllowlist: true,
        budgetNanos: true,
        budgetCurrency: true,
        dailyCapNanos: true,
        revokedAt: true,
        expiresAt: true,
        graceUntil: true,
        lastUsedAt: true,
        user: { select: { isPlatformAdmin: true, status: true } },
        organization: { select: { status: true } },
      },
    });
    let entry: CacheEntry;
    if (!row) {
      entry = { state: 'unknown', cachedUntilMs: nowMs + cacheTtlMs };
    } else {
      const membership = await db.membership.findUnique({
        where: { organizationId_userId: { organizationId: row.organizationId, userId: row.userId } },
        select: { role: true },
      });
      const role = membership && isRole(membership.role) ? membership.role : 'member';
      const expiresAtMs = Math.min(
        row.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
        row.graceUntil?.getTime() ?? Number.POSITIVE_INFINITY,
      );
      entry = {
        state: 'known',
        cachedUntilMs: nowMs + cacheTtlMs,
        revoked:
          row.revokedAt !== null ||
          membership === null ||
          row.user.status !== 'active' ||
          row.organization.status !== 'active',
        expiresAtMs,
        lastUsedWrittenMs: row.lastUsedAt?.getTime() ?? 0,
        principal: Object.freeze({
          kind: 'api_key',
          apiKeyId: row.id,
          userId: row.userId,
          organizationId: row.organizationId,
          teamId: row.teamId,
          scopes: Object.freeze(row.scopes.filter(isApiScope)) as ApiScope[],
          role,
          isPlatformAdmin: row.user.isPlatformAdmin,
          modelAllowlist: Object.freeze([...row.modelAllowlist]) as string[],
          spendCaps: Object.freeze({
            budgetNanos: row.budgetNanos,
            budgetCurrency: row.budgetCurrency,
            dailyCapNanos: row.dailyCapNanos,
          }),
        }),
      };
    }
    if (cacheTtlMs > 0 && generation === this.generation) {
      if (this.cache.size >= CACHE_ENTRIES_MAX) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
      this.cache.set(hash, entry);
    }
    return entry;
  }

  private touch(entry: Extract<CacheEntry, { state: 'known' }>, nowMs: number): void {
    entry.lastUsedWrittenMs = nowMs;
    const cutoff = new Date(nowMs - LAST_USED_WRITE_INTERVAL_MS);
    // Conditional, so several processes write at most about once per interval between them.
    this.deps.db.apiKey
      .updateMany({
        where: {
          id: entry.principal.apiKeyId,
          OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: cutoff } }],
        },
        data: { lastUsedAt: new Date(nowMs) },
      })
      .catch((err) => logger.warn({ err }, 'api key lastUsedAt update failed'));
  }
}
