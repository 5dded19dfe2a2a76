import type { Db } from '../../db/client.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { type OutboxEnqueue, enqueueOutbox as enqueueAny } from '../../outbox/outbox.ts';

export type Tx = Prisma.TransactionClient;

// src/db/client.ts's Tx type resolves to never, so enqueueOutbox only admits Db; a transaction
// client has the same outboxMessage delegate.
const enqueueOutbox = (tx: Tx, m: OutboxEnqueue) => enqueueAny(tx as unknown as Db, m);

export const LITELLM_TOPICS = {
  teamUpsert: 'litellm.team.upsert',
  teamDelete: 'litellm.team.delete',
  userUpsert: 'litellm.user.upsert',
  userDelete: 'litellm.user.delete',
  keyUpsert: 'litellm.key.upsert',
  keyDelete: 'litellm.key.delete',
  budgetSet: 'litellm.budget.set',
} as const;

/** Tollgate organizations and teams both become LiteLLM teams (team_id = our id). */
export type TeamEntityType = 'organization' | 'team';

export interface LiteLLMSyncFlags {
  /** Admin sync is on: LITELLM_SYNC_MODE=admin with LITELLM_URL and LITELLM_MASTER_KEY set. */
  enabled: boolean;
  /** Keys are mirrored too: needs TOLLGATE_ENCRYPTION_KEY to keep the LiteLLM secret at rest. */
  keySync: boolean;
}

/**
 * Sync requests are recorded inside the caller's transaction. Handlers read the entity's current
 * state when they run, so a pile of messages converges on the latest state. All messages of one
 * organization share its id as ordering key: LiteLLM sees a team before the keys that name it.
 */
async function upsertMapping(
  tx: Tx,
  entityType: 'organization' | 'team' | 'user',
  entityId: string,
): Promise<void> {
  await tx.externalMapping.upsert({
    where: { system_entityType_entityId_scope: { system: 'litellm', entityType, entityId, scope: '' } },
    create: {
      id: `map_${entityType}_${entityId}`,
      system: 'litellm',
      entityType,
      entityId,
      externalId: entityId,
      syncState: 'pending',
    },
    update: { syncState: 'pending' },
  });
}

export async function enqueueTeamUpsert(
  tx: Tx,
  flags: LiteLLMSyncFlags,
  organizationId: string,
  entityType: TeamEntityType,
  entityId: string,
): Promise<void> {
  if (!flags.enabled) return;
  await upsertMapping(tx, entityType, entityId);
  await enqueueOutbox(tx, {
    topic: LITELLM_TOPICS.teamUpsert,
    orderingKey: organizationId,
    payload: { entityType, entityId },
  });
}

export async function enqueueTeamDelete(
  tx: Tx,
  flags: LiteLLMSyncFlags,
  organizationId: string,
  entityType: TeamEntityType,
  entityId: string,
): Promise<void> {
  if (!flags.enabled) return;
  await tx.externalMapping.updateMany({
    where: { system: 'litellm', entityType, entityId },
    data: { syncState: 'pending' },
  });
  await enqueueOutbox(tx, {
    topic: LITELLM_TOPICS.teamDelete,
    orderingKey: organizationId,
    payload: { entityType, entityId },
  });
}

export async function enqueueUserUpsert(
  tx: Tx,
  flags: LiteLLMSyncFlags,
  organizationId: string,
  userId: string,
): Promise<void> {
  if (!flags.enabled) return;
  await upsertMapping(tx, 'user', userId);
  await enqueueOutbox(tx, {
    topic: LITELLM_TOPICS.userUpsert,
    orderingKey: organizationId,
    payload: { userId },
  });
}

export async function enqueueUserDelete(
  tx: Tx,
  flags: LiteLLMSyncFlags,
  organizationId: string,
  userId: string,
): Promise<void> {
  if (!flags.enabled) return;
  await tx.externalMapping.updateMany({
    where: { system: 'litellm', entityType: 'user', entityId: userId },
    data: { syncState: 'pending' },
  });
  await enqueueOutbox(tx, {
    topic: LITELLM_TOPICS.userDelete,
    orderingKey: organizationId,
    payload: { userId },
  });
}

export async function enqueueKeyUpsert(
  tx: Tx,
  flags: LiteLLMSyncFlags,
  organizationId: string,
  apiKeyId: string,
): Promise<void> {
  if (!flags.enabled || !flags.keySync) return;
  await enqueueOutbox(tx, {
    topic: LITELLM_TOPICS.keyUpsert,
    orderingKey: organizationId,
    payload: { apiKeyId },
  });
}

/**
 * Deletes the LiteLLM key. With `notBefore` (a rotated key's grace end) the message is ordered
 * by the key id instead, so it does not hold up the organization's other messages meanwhile.
 */
export async function enqueueKeyDelete(
  tx: Tx,
  flags: LiteLLMSyncFlags,
  organizationId: string,
  apiKeyId: string,
  notBefore?: Date,
): Promise<void> {
  if (!flags.enabled || !flags.keySync) return;
  await enqueueOutbox(tx, {
    topic: LITELLM_TOPICS.keyDelete,
    orderingKey: notBefore ? apiKeyId : organizationId,
    payload: { apiKeyId },
    ...(notBefore ? { notBefore, dedupeKey: `${LITELLM_TOPICS.keyDelete}:grace:${apiKeyId}` } : {}),
  });
}
