import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { frozenNanos } from '../../ledger/freezes.ts';
import { ServiceUnavailableError } from '../../lib/errors.ts';
import { enqueueOutbox } from '../../outbox/outbox.ts';
import {
  BACKSTOP_CURRENCY,
  type BackstopKey,
  type BackstopWallet,
  backstopRoomNanos,
  billsInUsd,
  keyMaxBudgetNanos,
  keysPaidBy,
  loadBackstopKey,
  spendFloorNanos,
  walletPaying,
} from './budget.ts';
import { type LiteLLMAdminClient, LiteLLMAdminError } from './client.ts';
import { LITELLM_TOPICS } from './outbox.ts';
import { UsdAmount } from './usd.ts';

/**
 * LiteLLM budgets as a backstop behind Tollgate's holds (docs/api.md, "LiteLLM budgets: the
 * backstop"): every mirrored key's `max_budget` = its LiteLLM spend + the room of the wallet that
 * pays for it; a LiteLLM team whose keys one wallet pays for all gets the same cap on the whole
 * team. Pushed through the outbox on money movements (coalesced per wallet), after key syncs,
 * periodically and on an operator's demand.
 */
export class LiteLLMBackstop {
  constructor(
    private readonly deps: {
      config: Config;
      db: Db;
      clock: () => Date;
      /** Key sync is on: without mirrored keys nobody can call LiteLLM with a Tollgate key. */
      enabled: boolean;
      api: () => LiteLLMAdminClient;
    },
  ) {}

  /**
   * Records that a wallet's money moved (called by the ledger inside the posting's transaction).
   * Coalesced per wallet: every change within one LITELLM_BUDGET_PUSH_COALESCE_MS window shares
   * one message, delivered at the window's end; the handler reads the wallet when it runs.
   */
  async enqueueWalletPush(tx: Db | Prisma.TransactionClient, walletId: string): Promise<void> {
    if (!this.deps.enabled) return;
    const windowMs = this.deps.config.LITELLM_BUDGET_PUSH_COALESCE_MS;
    const nowMs = this.deps.clock().getTime();
    const bucket = windowMs > 0 ? Math.floor(nowMs / windowMs) : null;
    await enqueueOutbox(tx as Db, {
      topic: LITELLM_TOPICS.budgetSet,
      orderingKey: `${LITELLM_TOPICS.budgetSet}:${walletId}`,
      payload: { walletId },
      ...(bucket === null
        ? {}
        : {
            dedupeKey: `${LITELLM_TOPICS.budgetSet}:${walletId}:w${bucket}`,
            notBefore: new Date((bucket + 1) * windowMs),
          }),
    });
  }

  /**
   * Enqueues a push for every USD wallet (the periodic safety net), one message per wallet per
   * interval. Wallets in other currencies are skipped: LiteLLM budgets are USD only.
   */
  async enqueueAll(): Promise<number> {
    if (!this.deps.enabled) return 0;
    const interval = Math.max(1, this.deps.config.LITELLM_BUDGET_SYNC_INTERVAL_MS);
    const bucket = Math.floor(this.deps.clock().getTime() / interval);
    return this.enqueue(undefined, (id) => `${LITELLM_TOPICS.budgetSet}:${id}:i${bucket}`);
  }

  /** An operator's resync (GraphQL `resyncLiteLLMBudgets`): pushes now, never deduplicated. */
  async resync(walletId?: string): Promise<number> {
    if (!this.deps.enabled)
      throw new ServiceUnavailableError('LiteLLM key sync is off: there are no budgets to push');
    return this.enqueue(walletId, () => undefined);
  }

  private async enqueue(walletId: string | undefined, dedupe: (id: string) => string | undefined) {
    const wallets = await this.deps.db.wallet.findMany({
      where: { currency: BACKSTOP_CURRENCY, ...(walletId ? { id: walletId } : {}) },
      select: { id: true },
    });
    await enqueueOutbox(
      this.deps.db,
      wallets.map((w) => {
        const dedupeKey = dedupe(w.id);
        return {
          topic: LITELLM_TOPICS.budgetSet,
          orderingKey: `${LITELLM_TOPICS.budgetSet}:${w.id}`,
          payload: { walletId: w.id },
          ...(dedupeKey ? { dedupeKey } : {}),
        };
      }),
    );
    return wallets.length;
  }

  /**
   * Sets `max_budget` on every mirrored key this wallet pays for to the key's current LiteLLM spend
   * plus the wallet's room (`keyMaxBudgetNanos`), reading the spend just before writing it; then
   * caps each LiteLLM team all of whose keys this wallet pays for, so that several keys share the
   * room instead of each getting all of it.
   */
  async pushWallet(walletId: string): Promise<void> {
    const db = this.deps.db;
    const w = await db.wallet.findUnique({ where: { id: walletId } });
    if (w?.currency !== BACKSTOP_CURRENCY) return;
    if (w.ownerType === 'user') await this.clearLegacyUserBudget(w.ownerId);
    if (!(await billsInUsd(db, w.organizationId, this.deps.config.DEFAULT_CURRENCY))) return;
    const room = await this.roomOf(w);
    const paid = await keysPaidBy(db, w);
    for (const key of paid) await this.writeKeyBudget(key, room);
    await this.writeTeamCaps(w, paid, room);
  }

  /** The budget of one key, from the wallet that pays for it (after the key is mirrored). */
  async pushKey(apiKeyId: string): Promise<void> {
    const db = this.deps.db;
    const key = await loadBackstopKey(db, apiKeyId);
    if (!key?.litellmKeyHash) return;
    if (!(await billsInUsd(db, key.organizationId, this.deps.config.DEFAULT_CURRENCY))) {
      // Billed in another currency: LiteLLM budgets are USD, so only the key's own USD budget binds.
      const own = key.budgetCurrency === BACKSTOP_CURRENCY ? key.budgetNanos : null;
      await this.deps.api().keyUpdate({
        key: key.litellmKeyHash,
        max_budget: own === null ? null : UsdAmount.fromNanos(own),
      });
      return;
    }
    // No wallet yet is no money: room 0 (the organization's wallet is created empty on first use).
    const w = await walletPaying(db, key);
    await this.writeKeyBudget(key, w ? await this.roomOf(w) : 0n);
  }

  private async roomOf(w: BackstopWallet) {
    return backstopRoomNanos(w, await frozenNanos(this.deps.db, w.id, this.deps.clock()));
  }

  private async writeKeyBudget(key: BackstopKey, roomNanos: bigint) {
    const api = this.deps.api();
    const hash = key.litellmKeyHash!;
    let spend: number;
    try {
      spend = Number((await api.keyInfo(hash)).info.spend ?? 0);
    } catch (err) {
      if (err instanceof LiteLLMAdminError && err.notFound) return; // the key's own sync recreates it
      throw err;
    }
    const budget = keyMaxBudgetNanos(spend, roomNanos, key);
    await api.keyUpdate({ key: hash, max_budget: UsdAmount.fromNanos(budget) });
  }

  /**
   * A LiteLLM team (a Tollgate team, or the organization's team for keys without one) whose mirrored
   * keys this wallet pays for, all of them, gets `max_budget` = its spend + room − 1 nano: LiteLLM
   * refuses the team once `spend > max_budget` (`_team_max_budget_check`). A team with keys paid by
   * other wallets too gets no cap (`null`): it would count their spend against this wallet. Budgets
   * that earlier versions wrote there (remaining balance against lifetime spend) go the same way.
   */
  private async writeTeamCaps(w: BackstopWallet, paid: BackstopKey[], roomNanos: bigint) {
    const db = this.deps.db;
    const api = this.deps.api();
    const teams = new Map<string, number>();
    for (const k of paid)
      teams.set(k.teamId ?? k.organizationId, (teams.get(k.teamId ?? k.organizationId) ?? 0) + 1);
    // The owner's own team is looked at even without keys, to clear a budget an earlier version left.
    if (w.ownerType !== 'user' && !teams.has(w.ownerId)) teams.set(w.ownerId, 0);
    for (const [teamId, paidHere] of teams) {
      const synced = await db.externalMapping.count({
        where: {
          system: 'litellm',
          entityId: teamId,
          entityType: { in: ['organization', 'team'] },
          syncState: 'synced',
        },
      });
      if (synced === 0) continue;
      const inTeam = await db.apiKey.count({
        where: {
          organizationId: w.organizationId,
          syncState: 'synced',
          litellmKeyHash: { not: null },
          teamId: teamId === w.organizationId ? null : teamId,
        },
      });
      const info = await api.teamInfo(teamId);
      const cap =
        paidHere > 0 && paidHere === inTeam
          ? UsdAmount.fromNanos(roomNanos > 0n ? spendFloorNanos(info.spend) + roomNanos - 1n : 0n)
          : null;
      if (cap === null && info.max_budget === null) continue;
      await api.teamUpdate({ team_id: teamId, max_budget: cap });
    }
  }

  /** Earlier versions put a user wallet's remaining balance on the LiteLLM user; take it off. */
  private async clearLegacyUserBudget(userId: string) {
    const mapped = await this.deps.db.externalMapping.count({
      where: { system: 'litellm', entityType: 'user', entityId: userId, syncState: 'synced' },
    });
    if (mapped === 0) return;
    const api = this.deps.api();
    if ((await api.userInfo(userId)).max_budget !== null)
      await api.userUpdate({ user_id: userId, max_budget: null });
  }
}
