import { Gauge } from 'prom-client';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import type { Metrics } from '../../http/metrics.ts';
import { ServiceUnavailableError } from '../../lib/errors.ts';
import { logger } from '../../lib/logger.ts';
import { type OutboxDelivery, type OutboxHandlers, PermanentDeliveryError } from '../../outbox/worker.ts';
import { LiteLLMBackstop } from './backstop.ts';
import { LiteLLMAdminClient, LiteLLMAdminError } from './client.ts';
import { LITELLM_TOPICS, type LiteLLMSyncFlags, type TeamEntityType } from './outbox.ts';
import { nanosToUsdDecimal, usdNumberToNanos } from './usd.ts';

export interface DriftRow {
  entityType: 'organization' | 'team' | 'user';
  entityId: string;
  /** LiteLLM's spend as the decimal USD it reported. */
  litellmSpendUsd: string;
  litellmSpendNanos: bigint;
  /** Sum of Tollgate's USD usage records for the same subject. */
  tollgateUsageNanos: bigint;
  /** litellmSpendNanos − tollgateUsageNanos. */
  driftNanos: bigint;
  /**
   * Which way LiteLLM disagrees: `litellm_higher` = LiteLLM recorded spend Tollgate never billed
   * (calls made straight to LiteLLM, or LiteLLM prices above Tollgate's), `tollgate_higher` =
   * Tollgate billed more than LiteLLM recorded (Tollgate's prices above LiteLLM's, or LiteLLM's
   * spend not yet written), `none` = they agree.
   */
  direction: DriftDirection;
}

export type DriftDirection = 'litellm_higher' | 'tollgate_higher' | 'none';

export const driftDirection = (driftNanos: bigint): DriftDirection =>
  driftNanos > 0n ? 'litellm_higher' : driftNanos < 0n ? 'tollgate_higher' : 'none';

const SECRET_CACHE_MAX = 50_000;
/** How long credentialFor keeps answering "master key" for a key that is not synced yet. */
const UNSYNCED_RECHECK_MS = 5_000;

/**
 * The LiteLLM side of identity: mirrors organizations and teams (as LiteLLM teams), users and API
 * keys through the outbox, pushes USD wallet balances as max_budget (a backstop: Tollgate's own
 * holds are the real admission control), reports spend drift, and tells the proxy which
 * credential to send upstream.
 */
export class LiteLLMService implements LiteLLMSyncFlags {
  readonly enabled: boolean;
  readonly keySync: boolean;
  readonly client: LiteLLMAdminClient | null;
  /** The budget backstop on mirrored keys (./backstop.ts). */
  readonly budgets: LiteLLMBackstop;
  private readonly secrets = new Map<string, string>();
  private readonly unsyncedUntil = new Map<string, number>();
  private readonly driftGauge: Gauge<'entity_type' | 'entity_id'>;
  private readonly tenantLabels: boolean;
  private lastDrift: DriftRow[] = [];

  constructor(
    private readonly deps: {
      config: Config;
      db: Db;
      metrics: Metrics;
      clock: () => Date;
      /** Opens a stored LiteLLM key secret (identity's crypto, injected: identity imports this folder). */
      decryptSecret: (encrypted: string, keyBase64: string) => string;
    },
  ) {
    const c = deps.config;
    this.enabled = c.LITELLM_SYNC_MODE === 'admin' && !!c.LITELLM_URL && !!c.LITELLM_MASTER_KEY;
    this.keySync = this.enabled && !!c.TOLLGATE_ENCRYPTION_KEY;
    this.client = this.enabled
      ? new LiteLLMAdminClient({ baseUrl: c.LITELLM_URL!, masterKey: c.LITELLM_MASTER_KEY! })
      : null;
    this.budgets = new LiteLLMBackstop({
      config: c,
      db: deps.db,
      clock: deps.clock,
      enabled: this.keySync,
      api: () => this.api,
    });
    if (this.enabled && !this.keySync)
      logger.warn(
        'TOLLGATE_ENCRYPTION_KEY is not set: API keys are not mirrored to LiteLLM (master key upstream)',
      );
    // Tenant ids in labels only when asked (METRICS_TENANT_LABELS): /metrics is often scraped by
    // systems the tenants' data should not reach. Without them the gauge sums |drift| per type.
    this.tenantLabels = c.METRICS_TENANT_LABELS;
    this.driftGauge = new Gauge({
      name: 'tollgate_litellm_spend_drift_usd',
      help: this.tenantLabels
        ? 'LiteLLM spend minus Tollgate USD usage for a mapped organization, team or user (USD): positive = LiteLLM recorded more (spend Tollgate never billed), negative = Tollgate billed more'
        : 'Sum over mapped entities of |LiteLLM spend minus Tollgate USD usage|, per entity type (USD)',
      labelNames: this.tenantLabels ? ['entity_type', 'entity_id'] : ['entity_type'],
      registers: [deps.metrics.registry],
    });
  }

  /**
   * The credential the proxy sends to LiteLLM for a Tollgate key: the mapped LiteLLM virtual key
   * once it is synced, else the master key (sync mode none, key sync off, or not yet synced; the
   * proxy then names the end user in the `user` field).
   * Throws ServiceUnavailableError when no master key is configured either.
   */
  async credentialFor(apiKeyId: string): Promise<string> {
    const cached = this.secrets.get(apiKeyId);
    if (cached !== undefined) return cached;
    const master = this.deps.config.LITELLM_MASTER_KEY;
    const nowMs = this.deps.clock().getTime();
    if (this.keySync && (this.unsyncedUntil.get(apiKeyId) ?? 0) <= nowMs) {
      const row = await this.deps.db.apiKey.findUnique({
        where: { id: apiKeyId },
        select: { syncState: true, litellmSecretEncrypted: true },
      });
      if (row?.syncState === 'synced' && row.litellmSecretEncrypted) {
        const secret = this.deps.decryptSecret(
          row.litellmSecretEncrypted,
          this.deps.config.TOLLGATE_ENCRYPTION_KEY!,
        );
        // A LiteLLM secret never changes for a key id (rotation makes a new key), so it can be kept.
        if (this.secrets.size >= SECRET_CACHE_MAX) this.secrets.clear();
        this.secrets.set(apiKeyId, secret);
        this.unsyncedUntil.delete(apiKeyId);
        return secret;
      }
      // Not synced yet: answer from memory for a moment instead of reading the row per request.
      if (this.unsyncedUntil.size >= SECRET_CACHE_MAX) this.unsyncedUntil.clear();
      this.unsyncedUntil.set(apiKeyId, nowMs + UNSYNCED_RECHECK_MS);
    }
    if (!master) throw new ServiceUnavailableError('LITELLM_MASTER_KEY is not configured');
    return master;
  }

  /** Registers the outbox handlers for every `litellm.*` topic (only when admin sync is on). */
  register(outbox: OutboxHandlers): void {
    if (!this.enabled) return;
    const wrap =
      (fn: (payload: any) => Promise<void>) =>
      async (d: OutboxDelivery): Promise<void> => {
        try {
          await fn(d.payload);
        } catch (err) {
          if (err instanceof LiteLLMAdminError && !err.retryable)
            throw new PermanentDeliveryError(err.message, { cause: err });
          throw err;
        }
      };
    outbox
      .register(
        LITELLM_TOPICS.teamUpsert,
        wrap((p) => this.syncTeam(p.entityType, p.entityId)),
      )
      .register(
        LITELLM_TOPICS.teamDelete,
        wrap((p) => this.deleteTeam(p.entityType, p.entityId)),
      )
      .register(
        LITELLM_TOPICS.userUpsert,
        wrap((p) => this.syncUser(p.userId)),
      )
      .register(
        LITELLM_TOPICS.userDelete,
        wrap((p) => this.deleteUser(p.userId)),
      )
      .register(
        LITELLM_TOPICS.keyUpsert,
        wrap((p) => this.syncKey(p.apiKeyId)),
      )
      .register(
        LITELLM_TOPICS.keyDelete,
        wrap((p) => this.deleteKey(p.apiKeyId)),
      )
      .register(
        LITELLM_TOPICS.budgetSet,
        wrap((p) => this.budgets.pushWallet(p.walletId)),
      );
  }

  private get api(): LiteLLMAdminClient {
    if (!this.client) throw new Error('LiteLLM admin sync is disabled');
    return this.client;
  }

  private async markMapping(
    entityType: 'organization' | 'team' | 'user',
    entityId: string,
    syncState: 'synced' | 'deleted',
  ) {
    await this.deps.db.externalMapping.updateMany({
      where: { system: 'litellm', entityType, entityId },
      data: { syncState, syncError: null, syncedAt: this.deps.clock() },
    });
  }

  private async recordFailure(where: { entityType: string; entityId: string }, err: unknown) {
    const permanent = err instanceof LiteLLMAdminError && !err.retryable;
    await this.deps.db.externalMapping.updateMany({
      where: { system: 'litellm', ...where },
      data: {
        syncState: permanent ? 'failed' : 'pending',
        syncError: String((err as Error)?.message ?? err).slice(0, 500),
      },
    });
  }

  /** Creates or updates the LiteLLM team of an organization or team. Idempotent. */
  async syncTeam(entityType: TeamEntityType, entityId: string): Promise<void> {
    const db = this.deps.db;
    let body: { team_id: string; team_alias: string; metadata: Record<string, string> };
    if (entityType === 'organization') {
      const org = await db.organization.findUnique({ where: { id: entityId } });
      if (!org || org.status === 'deleted') return;
      body = {
        team_id: org.id,
        team_alias: `tollgate:${org.slug}`,
        metadata: { tollgate_entity: 'organization', tollgate_organization_id: org.id },
      };
    } else {
      const team = await db.team.findUnique({ where: { id: entityId }, include: { organization: true } });
      if (!team || team.status === 'deleted') return;
      body = {
        team_id: team.id,
        team_alias: `tollgate:${team.organization.slug}/${team.name}`,
        metadata: {
          tollgate_entity: 'team',
          tollgate_organization_id: team.organizationId,
          tollgate_team_id: team.id,
        },
      };
    }
    try {
      await this.upsert(
        () => this.api.teamNew(body),
        () => this.api.teamUpdate(body),
        () => this.api.teamInfo(body.team_id).then(() => true),
      );
      await this.markMapping(entityType, entityId, 'synced');
    } catch (err) {
      await this.recordFailure({ entityType, entityId }, err);
      throw err;
    }
  }

  async deleteTeam(entityType: TeamEntityType, entityId: string): Promise<void> {
    try {
      await this.api.teamDelete([entityId]);
    } catch (err) {
      if (!(err instanceof LiteLLMAdminError && err.notFound)) {
        await this.recordFailure({ entityType, entityId }, err);
        throw err;
      }
    }
    await this.markMapping(entityType, entityId, 'deleted');
  }

  async syncUser(userId: string): Promise<void> {
    const user = await this.deps.db.user.findUnique({ where: { id: userId } });
    if (!user || user.status === 'deleted') return;
    const body = {
      user_id: user.id,
      user_email: user.email,
      metadata: { tollgate_user_id: user.id },
    };
    try {
      await this.upsert(
        () => this.api.userNew(body),
        () => this.api.userUpdate(body),
        () => this.api.userInfo(user.id).then(() => true),
      );
      await this.markMapping('user', userId, 'synced');
    } catch (err) {
      await this.recordFailure({ entityType: 'user', entityId: userId }, err);
      throw err;
    }
  }

  async deleteUser(userId: string): Promise<void> {
    try {
      await this.api.userDelete([userId]);
    } catch (err) {
      if (!(err instanceof LiteLLMAdminError && err.notFound)) {
        await this.recordFailure({ entityType: 'user', entityId: userId }, err);
        throw err;
      }
    }
    await this.markMapping('user', userId, 'deleted');
  }

  /**
   * Create-or-update that survives a retry after a timeout whose first attempt succeeded: "already
   * exists" is success once `exists()` confirms it, and an update of a missing row becomes a create.
   */
  private async upsert(
    create: () => Promise<unknown>,
    update: () => Promise<unknown>,
    exists: () => Promise<boolean>,
  ) {
    try {
      await create();
      return;
    } catch (err) {
      if (!(err instanceof LiteLLMAdminError && err.alreadyExists)) throw err;
      if (!(await exists())) throw err;
    }
    await update();
  }

  /**
   * Mirrors a Tollgate key. The LiteLLM secret was chosen and stored (encrypted) in the transaction
   * that created the key, so a retried /key/generate sends the same secret and alias: LiteLLM
   * either has the key already (found by its hash) or creates it once.
   */
  async syncKey(apiKeyId: string): Promise<void> {
    const db = this.deps.db;
    const key = await db.apiKey.findUnique({ where: { id: apiKeyId } });
    if (!key?.litellmSecretEncrypted || !key.litellmKeyHash) return;
    if (key.revokedAt) return; // the delete message follows
    const fields = {
      user_id: key.userId,
      team_id: key.teamId ?? key.organizationId,
      models: key.modelAllowlist,
      rpm_limit: key.rpmLimit,
      tpm_limit: key.tpmLimit,
      duration: key.expiresAt
        ? `${Math.max(1, Math.ceil((key.expiresAt.getTime() - this.deps.clock().getTime()) / 1000))}s`
        : null,
    };
    const ours = {
      tollgate_api_key_id: key.id,
      tollgate_organization_id: key.organizationId,
      tollgate_user_id: key.userId,
      ...(key.teamId ? { tollgate_team_id: key.teamId } : {}),
    };
    try {
      const info = await this.keyInfoOrNull(key.litellmKeyHash);
      if (info === null) {
        const secret = this.deps.decryptSecret(
          key.litellmSecretEncrypted,
          this.deps.config.TOLLGATE_ENCRYPTION_KEY!,
        );
        try {
          await this.api.keyGenerate({
            key: secret,
            key_alias: key.litellmKeyAlias ?? `tollgate-${key.id}`,
            ...fields,
            metadata: ours,
          });
        } catch (err) {
          // The first attempt may have succeeded after all; anything else is a real clash.
          if (!(err instanceof LiteLLMAdminError && err.alreadyExists)) throw err;
          if ((await this.keyInfoOrNull(key.litellmKeyHash)) === null) throw err;
        }
      } else {
        // /key/update replaces metadata as a whole: keep what others put there. Never resend
        // key_alias (some LiteLLM builds reject a key's own alias as a duplicate).
        await this.api.keyUpdate({
          key: key.litellmKeyHash,
          ...fields,
          metadata: { ...(info.info.metadata ?? {}), ...ours },
        });
      }
      // max_budget is the wallet backstop joined with the key's own budget (LiteLLMBackstop): set
      // after every sync so a changed key budget or a new key is bound at once.
      await this.budgets.pushKey(key.id);
      await db.apiKey.update({ where: { id: key.id }, data: { syncState: 'synced', syncError: null } });
      this.unsyncedUntil.delete(key.id);
    } catch (err) {
      const permanent = err instanceof LiteLLMAdminError && !err.retryable;
      await db.apiKey.update({
        where: { id: key.id },
        data: {
          syncState: permanent ? 'failed' : 'pending',
          syncError: String((err as Error).message).slice(0, 500),
        },
      });
      throw err;
    }
  }

  private async keyInfoOrNull(hash: string) {
    try {
      return await this.api.keyInfo(hash);
    } catch (err) {
      if (err instanceof LiteLLMAdminError && err.notFound) return null;
      throw err;
    }
  }

  async deleteKey(apiKeyId: string): Promise<void> {
    const key = await this.deps.db.apiKey.findUnique({ where: { id: apiKeyId } });
    if (!key?.litellmKeyHash) return;
    try {
      await this.api.keyDelete([key.litellmKeyHash]);
    } catch (err) {
      if (!(err instanceof LiteLLMAdminError && err.notFound)) throw err;
    }
    this.secrets.delete(apiKeyId);
    await this.deps.db.apiKey.update({
      where: { id: apiKeyId },
      data: { syncState: 'deleted', syncError: null },
    });
  }

  // ------------------------------------------------------------------ budgets and drift

  /**
   * Compares LiteLLM's recorded spend with Tollgate's USD usage for every synced organization
   * (keys without a team), team and user, and updates the drift gauge.
   */
  async computeDrift(): Promise<DriftRow[]> {
    if (!this.enabled) return [];
    const db = this.deps.db;
    const mappings = await db.externalMapping.findMany({
      where: { system: 'litellm', syncState: 'synced', entityType: { in: ['organization', 'team', 'user'] } },
      orderBy: { id: 'asc' },
    });
    const rows: DriftRow[] = [];
    const absByType = new Map<string, bigint>();
    for (const m of mappings) {
      const entityType = m.entityType as DriftRow['entityType'];
      const info =
        entityType === 'user' ? await this.api.userInfo(m.externalId) : await this.api.teamInfo(m.externalId);
      const where =
        entityType === 'organization'
          ? { organizationId: m.entityId, teamId: null }
          : entityType === 'team'
            ? { teamId: m.entityId }
            : { userId: m.entityId };
      const agg = await db.usageRecord.aggregate({
        where: { ...where, currency: 'USD' },
        _sum: { costNanos: true },
      });
      const tollgateUsageNanos = agg._sum.costNanos ?? 0n;
      const litellmSpendNanos = usdNumberToNanos(info.spend);
      const driftNanos = litellmSpendNanos - tollgateUsageNanos;
      rows.push({
        entityType,
        entityId: m.entityId,
        litellmSpendUsd: nanosToUsdDecimal(litellmSpendNanos),
        litellmSpendNanos,
        tollgateUsageNanos,
        driftNanos,
        direction: driftDirection(driftNanos),
      });
      // A gauge is a float by nature; this is reporting only, never arithmetic on money.
      if (this.tenantLabels)
        this.driftGauge.set(
          { entity_type: entityType, entity_id: m.entityId },
          Number.parseFloat(nanosToUsdDecimal(driftNanos)),
        );
      const abs = driftNanos < 0n ? -driftNanos : driftNanos;
      absByType.set(entityType, (absByType.get(entityType) ?? 0n) + abs);
    }
    if (!this.tenantLabels)
      for (const [entityType, nanos] of absByType)
        this.driftGauge.set({ entity_type: entityType }, Number.parseFloat(nanosToUsdDecimal(nanos)));
    this.lastDrift = rows;
    return rows;
  }

  get lastDriftReport(): readonly DriftRow[] {
    return this.lastDrift;
  }

  /** Starts the periodic budget push and drift report; returns a stop function. */
  startBudgetSync(): () => Promise<void> {
    const interval = this.deps.config.LITELLM_BUDGET_SYNC_INTERVAL_MS;
    if (!this.enabled || interval === 0) return async () => {};
    let running: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      running = (async () => {
        await this.budgets.enqueueAll();
        await this.computeDrift();
      })().catch((err) => logger.warn({ err: (err as Error).message }, 'LiteLLM budget sync failed'));
    }, interval);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }
}

/** Builds the LiteLLM admin sync and budget backstop and registers its outbox topics. */
export function createLiteLLM(deps: {
  config: Config;
  db: Db;
  metrics: Metrics;
  clock: () => Date;
  outbox: OutboxHandlers;
  decryptSecret: (encrypted: string, keyBase64: string) => string;
}): LiteLLMService {
  const litellm = new LiteLLMService(deps);
  litellm.register(deps.outbox);
  return litellm;
}
