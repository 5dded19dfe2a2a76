import { uuidv7 } from '../lib/ids.ts';
import { currentRequestId } from '../lib/request-context.ts';
import type { Db, Tx } from '../db/client.ts';

export interface OutboxEnqueue {
  topic: string;
  payload: unknown;
  /** Messages sharing an orderingKey are delivered one at a time, in enqueue order. */
  orderingKey?: string;
  /** A second enqueue with the same dedupeKey is dropped. */
  dedupeKey?: string;
  maxAttempts?: number;
  /** Deliver no earlier than this. */
  notBefore?: Date;
  /** The request that caused it; defaults to the current request's id. */
  requestId?: string;
}

/**
 * Adds deliveries to the outbox. Call it with the transaction that makes the change the delivery
 * reports, so the two commit or roll back together.
 */
export async function enqueueOutbox(tx: Tx | Db, messages: OutboxEnqueue | OutboxEnqueue[]): Promise<void> {
  const list = Array.isArray(messages) ? messages : [messages];
  if (list.length === 0) return;
  const current = currentRequestId() ?? null;
  await tx.outboxMessage.createMany({
    data: list.map((m) => ({
      id: uuidv7(),
      topic: m.topic,
      payload: m.payload as object,
      orderingKey: m.orderingKey ?? null,
      dedupeKey: m.dedupeKey ?? null,
      maxAttempts: m.maxAttempts ?? null,
      nextAttemptAt: m.notBefore ?? new Date(),
      requestId: m.requestId ?? current,
    })),
    skipDuplicates: true,
  });
}
