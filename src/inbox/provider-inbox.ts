import type { Db } from '../db/client.ts';
import { Prisma, type ProviderEvent } from '../generated/prisma/client.ts';
import { newId } from '../lib/ids.ts';
import { enqueueOutbox } from '../outbox/outbox.ts';
import { type OutboxHandler, PermanentDeliveryError } from '../outbox/worker.ts';

/**
 * The inbox of inbound provider webhooks (payment providers, Lago): acknowledge, then process.
 *
 * A route verifies the sender, then calls `receiveEvent`: the raw event is stored in
 * `provider_events` (unique on provider and the provider's event id) together with one outbox job,
 * in one transaction, and the route answers 200. A duplicate delivery stores and enqueues nothing.
 * The outbox worker runs `inboxHandler` for the job: it applies the stored event once, marks it
 * processed, and on failure leaves it to the worker's retries (backoff, dead letter, replay).
 * Nothing here knows a provider: a new one is "verify, `receiveEvent`, register a processor".
 */

export interface InboxEvent {
  /** `stripe`, `lago`, …: with `eventId`, the de-duplication key. */
  provider: string;
  /** The provider's own event id (Stripe `evt_…`, Lago `X-Lago-Unique-Key`). */
  eventId: string;
  /** The provider's event type, for operators. */
  type: string;
  /** The body exactly as received (what the signature was computed over). */
  rawBody: Buffer;
  /** What the processor needs, decoded once at receipt (JSON-safe); null when the raw body is enough. */
  decoded: Prisma.InputJsonValue | null;
}

export interface InboxJob {
  provider: string;
  eventId: string;
}

/** A stored event as its processor sees it. */
export type StoredInboxEvent = ProviderEvent;

/**
 * Attempts per event before its job is dead-lettered: with the outbox backoff (capped at
 * OUTBOX_BACKOFF_MAX_MS, 1 h by default) about three days, like Stripe's own retries.
 */
export const INBOX_MAX_ATTEMPTS = 100;

/** The body as JSON for operators' queries (`payload`), or the text when it is not JSON. */
function payloadOf(rawBody: Buffer): Prisma.InputJsonValue {
  const text = rawBody.toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') return parsed as Prisma.InputJsonValue;
  } catch {
    // Kept as text below.
  }
  return { raw: text };
}

/**
 * Stores a verified event and the job that will process it, in one transaction. Call it only after
 * the signature was checked: whatever is stored here will be processed.
 * @returns `duplicate: true` when the event was already stored (nothing written, nothing enqueued).
 */
export async function receiveEvent(
  db: Db,
  topic: string,
  event: InboxEvent,
): Promise<{ duplicate: boolean }> {
  const job: InboxJob = { provider: event.provider, eventId: event.eventId };
  const enqueue = (tx: Prisma.TransactionClient) =>
    enqueueOutbox(tx, {
      topic,
      payload: job,
      dedupeKey: `inbox:${event.provider}:${event.eventId}`,
      maxAttempts: INBOX_MAX_ATTEMPTS,
    });
  return db.$transaction(async (tx) => {
    const inserted = await tx.providerEvent.createMany({
      data: [
        {
          id: newId('pev'),
          provider: event.provider,
          eventId: event.eventId,
          type: event.type,
          payload: payloadOf(event.rawBody),
          rawBody: new Uint8Array(event.rawBody),
          decoded: event.decoded ?? Prisma.DbNull,
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count === 1) {
      await enqueue(tx);
      return { duplicate: false };
    }
    // Stored before the inbox existed (the event was processed inside its request), and never
    // processed: the redelivery brings what the job needs. Anything else is a plain duplicate.
    const adopted = await tx.providerEvent.updateMany({
      where: {
        provider: event.provider,
        eventId: event.eventId,
        processedAt: null,
        rawBody: null,
      },
      data: { rawBody: new Uint8Array(event.rawBody), decoded: event.decoded ?? Prisma.DbNull },
    });
    if (adopted.count === 1) await enqueue(tx);
    return { duplicate: true };
  });
}

/**
 * The outbox handler of an inbox topic: loads the stored event and, unless it was processed
 * already, runs `process` on it, then marks it processed. `attempts` counts the runs and
 * `lastError` keeps the last failure; a failure is rethrown so the worker retries the job.
 * `process` must be idempotent: a worker that dies after it and before the mark runs it again.
 */
export function inboxHandler(
  db: Db,
  clock: () => Date,
  process: (event: StoredInboxEvent) => Promise<void>,
): OutboxHandler {
  return async ({ payload }) => {
    const { provider, eventId } = (payload ?? {}) as Partial<InboxJob>;
    if (typeof provider !== 'string' || typeof eventId !== 'string')
      throw new PermanentDeliveryError('inbox job without provider and event id');
    const where = { provider_eventId: { provider, eventId } };
    const stored = await db.providerEvent.findUnique({ where });
    if (!stored) throw new PermanentDeliveryError(`no stored ${provider} event ${eventId}`);
    if (stored.processedAt) return;
    try {
      await process(stored);
    } catch (err) {
      await db.providerEvent.update({
        where,
        data: {
          attempts: { increment: 1 },
          lastError: err instanceof Error ? err.message.slice(0, 2000) : String(err),
        },
      });
      throw err;
    }
    await db.providerEvent.update({
      where,
      data: { attempts: { increment: 1 }, processedAt: clock(), lastError: null },
    });
  };
}
