import type { Prisma } from '../generated/prisma/client.ts';
import { newId } from './ids.ts';

/** Who did it: a principal's kind and user, or `system` for the gateway's own work. */
export interface AuditActor {
  type: string;
  id: string | null;
}

export interface AuditEntry {
  organizationId: string | null;
  actor: AuditActor;
  action: string;
  entityType: string;
  entityId: string;
  data?: Record<string, unknown>;
  requestId?: string | null;
}

/**
 * The one writer of `audit_logs`. Takes the caller's transaction so the row commits (or not) with
 * the change it records.
 */
export async function writeAudit(tx: Pick<Prisma.TransactionClient, 'auditLog'>, entry: AuditEntry) {
  await tx.auditLog.create({
    data: {
      id: newId('aud'),
      organizationId: entry.organizationId,
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      data: (entry.data ?? {}) as Prisma.InputJsonObject,
      ...(entry.requestId !== undefined ? { requestId: entry.requestId } : {}),
    },
  });
}
