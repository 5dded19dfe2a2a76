import type { Db } from '../db/client.ts';
import { Prisma, type ProviderEvent } from '../generated/prisma/client.ts';
import { type Sql, type Statement, sqlFor } from '../db/sql.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import { newId, uuidv7 } from '../lib/ids.ts';
import { currentRequestId } from '../lib/request-context.ts';
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

/** A stored event as its processor sees it (not the raw body nor the payload: `decoded` is what it needs). */
export type StoredInboxEvent = Pick<
  ProviderEvent,
  'id' | 'provider' | 'eventId' | 'type' | 'decoded' | 'attempts'
>;

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
 * Stores a verified event and the job that will process it, atomically. Call it only after the
 * signature was checked: whatever is stored here will be processed. Concurrent deliveries are
 * group-committed (`InboxWriter`): one statement stores every event and job that arrived while
 * the previous one ran.
 * @returns `duplicate: true` when the event was already stored (nothing written, nothing enqueued).
 */
export function receiveEvent(db: Db, topic: string, event: InboxEvent): Promise<{ duplicate: boolean }> {
  let writer = writers.get(db);
  if (!writer) {
    writer = new InboxWriter(db);
    writers.set(db, writer);
  }
  return writer.receive(topic, event);
}

/** One writer per database client, so deliveries from every route share its group commit. */
const writers = new WeakMap<Db, InboxWriter>();

const jobOf = (event: InboxEvent): InboxJob => ({ provider: event.provider, eventId: event.eventId });
const dedupeKeyOf = (event: InboxEvent) => `inbox:${event.provider}:${event.eventId}`;

/**
 * Events and their jobs for many deliveries in one statement: the events that are new are
 * inserted (ON CONFLICT: a duplicate, even within the batch, inserts nothing) and each gets its
 * job in the same statement, so an event is never stored without its job. Returns the ids of the
 * events inserted. $1–$9 arrays, one element per delivery; $10 now, $11 topic, $12 max attempts.
 */
const INBOX_INSERT_MANY: Statement = {
  name: 'inbox_insert_many',
  text: `WITH req AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::text[], $9::text[])
    AS r(id, provider, event_id, type, payload, raw_hex, decoded, outbox_id, request_id)),
e AS (
  INSERT INTO provider_events (id, provider, "eventId", type, payload, "rawBody", decoded, "receivedAt")
  SELECT id, provider, event_id, type, payload::jsonb, decode(raw_hex, 'hex'), decoded::jsonb, $10::timestamp(3)
    FROM req
  ON CONFLICT (provider, "eventId") DO NOTHING
  RETURNING id, provider, "eventId"),
o AS (
  INSERT INTO outbox_messages (id, topic, payload, "dedupeKey", "maxAttempts", "nextAttemptAt", "requestId", "createdAt")
  SELECT req.outbox_id, $11::text, jsonb_build_object('provider', e.provider, 'eventId', e."eventId"),
         'inbox:' || e.provider || ':' || e."eventId", $12::int, $10::timestamp(3), req.request_id, $10::timestamp(3)
    FROM e JOIN req ON req.id = e.id
  ON CONFLICT DO NOTHING
  RETURNING 1)
SELECT e.id, (SELECT count(*) FROM o) AS "jobCount" FROM e`,
};

/** The event `inboxHandler` applies, through the driver: only what a processor reads. */
const INBOX_LOAD: Statement = {
  name: 'inbox_load',
  text: `SELECT id, provider, "eventId", type, decoded, attempts, "processedAt" IS NOT NULL AS processed
  FROM provider_events WHERE provider = $1::text AND "eventId" = $2::text`,
};

/** The success mark of `inboxHandler`, through the driver: the last statement of every event's run. */
const INBOX_MARK_PROCESSED: Statement = {
  name: 'inbox_mark_processed',
  text: `UPDATE provider_events SET attempts = attempts + 1, "processedAt" = $3::timestamp(3), "lastError" = NULL
 WHERE provider = $1::text AND "eventId" = $2::text`,
};

interface Delivery {
  event: InboxEvent;
  requestId: string | null;
}

class InboxWriter {
  private readonly commits = new GroupCommit<Delivery, { duplicate: boolean }>((topic, batch) =>
    this.flush(topic, batch),
  );
  private readonly sql: Sql;

  constructor(private readonly db: Db) {
    this.sql = sqlFor(db);
  }

  receive(topic: string, event: InboxEvent): Promise<{ duplicate: boolean }> {
    return this.commits.submit(topic, { event, requestId: currentRequestId() ?? null });
  }

  private async flush(
    topic: string,
    batch: Delivery[],
  ): Promise<PromiseSettledResult<{ duplicate: boolean }>[]> {
    const ids = batch.map(() => newId('pev'));
    let inserted: Set<string>;
    try {
      const rows = await this.sql.query<{ id: string }>(INBOX_INSERT_MANY, [
        ids,
        batch.map((d) => d.event.provider),
        batch.map((d) => d.event.eventId),
        batch.map((d) => d.event.type),
        batch.map((d) => JSON.stringify(payloadOf(d.event.rawBody))),
        batch.map((d) => d.event.rawBody.toString('hex')),
        batch.map((d) => (d.event.decoded === null ? null : JSON.stringify(d.event.decoded))),
        batch.map(() => uuidv7()),
        batch.map((d) => d.requestId),
        new Date().toISOString(),
        topic,
        INBOX_MAX_ATTEMPTS,
      ]);
      inserted = new Set(rows.map((r) => r.id));
    } catch {
      // One at a time, so only a delivery that cannot be stored fails.
      return Promise.allSettled(batch.map((d) => this.receiveOne(topic, d)));
    }
    return Promise.allSettled(
      batch.map(async (d, i) => {
        if (inserted.has(ids[i]!)) return { duplicate: false };
        await this.adopt(topic, d);
        return { duplicate: true };
      }),
    );
  }

  /**
   * A duplicate, unless it was stored before the inbox existed (processed inside its request) and
   * never processed: the redelivery brings what the job needs.
   */
  private adopt(topic: string, d: Delivery): Promise<void> {
    return this.db.$transaction((tx) => this.adoptIn(tx, topic, d));
  }

  private async adoptIn(tx: Prisma.TransactionClient, topic: string, d: Delivery): Promise<void> {
    const { event } = d;
    const adopted = await tx.providerEvent.updateMany({
      where: { provider: event.provider, eventId: event.eventId, processedAt: null, rawBody: null },
      data: { rawBody: new Uint8Array(event.rawBody), decoded: event.decoded ?? Prisma.DbNull },
    });
    if (adopted.count === 1) await this.enqueue(tx, topic, d);
  }

  private enqueue(tx: Prisma.TransactionClient, topic: string, d: Delivery) {
    return enqueueOutbox(tx, {
      topic,
      payload: jobOf(d.event),
      dedupeKey: dedupeKeyOf(d.event),
      maxAttempts: INBOX_MAX_ATTEMPTS,
      ...(d.requestId ? { requestId: d.requestId } : {}),
    });
  }

  /** The delivery on its own, in one transaction (the batch statement failed). */
  private receiveOne(topic: string, d: Delivery): Promise<{ duplicate: boolean }> {
    const { event } = d;
    return this.db.$transaction(async (tx) => {
      const stored = await tx.providerEvent.createMany({
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
      if (stored.count === 1) {
        await this.enqueue(tx, topic, d);
        return { duplicate: false };
      }
      await this.adoptIn(tx, topic, d);
      return { duplicate: true };
    });
  }
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
    const [stored] = await sqlFor(db).query<StoredInboxEvent & { processed: boolean }>(INBOX_LOAD, [
      provider,
      eventId,
    ]);
    if (!stored) throw new PermanentDeliveryError(`no stored ${provider} event ${eventId}`);
    if (stored.processed) return;
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
    await sqlFor(db).query(INBOX_MARK_PROCESSED, [provider, eventId, clock().toISOString()]);
  };
}
