import { hostname } from 'node:os';
import type { Db } from '../db/client.ts';
import { uuidv7 } from '../lib/ids.ts';
import { backoffDelayMs } from '../lib/backoff.ts';
import { logger } from '../lib/logger.ts';
import { runWithRequestContext } from '../lib/request-context.ts';

export interface OutboxDelivery {
  id: string;
  topic: string;
  payload: any;
  attempts: number;
  requestId: string | null;
}

/** Delivers one message. Throw to retry later; throw PermanentDeliveryError to dead-letter now. */
export type OutboxHandler = (delivery: OutboxDelivery) => Promise<void>;

export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

export interface OutboxWorkerOptions {
  batchSize: number;
  /**
   * Deliveries of a batch run at once, at most (default: all of it). Each may hold a database
   * connection (an interactive transaction), so it stays below the pool's size: the rest of the
   * process (webhook routes, the proxy) keeps connections while the worker is busy.
   */
  concurrency?: number;
  pollIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A row left in `processing` longer than this (its worker died) is claimed again. */
  lockTimeoutMs: number;
  workerId?: string;
  random?: () => number;
}

interface ClaimedRow {
  id: string;
  topic: string;
  payload: any;
  attempts: number;
  maxAttempts: number | null;
  requestId: string | null;
}

/**
 * Claims due messages with FOR UPDATE SKIP LOCKED, so any number of workers in any number of
 * processes can share one table without delivering a row twice. Delivery is at-least-once across
 * crashes (a claimed row whose worker died is retried after lockTimeoutMs), so handlers must be
 * idempotent at the receiver (Lago transaction_id, LiteLLM upserts...).
 */
/** The one thing a domain does with the worker: name the handler of each of its topics. */
export interface OutboxHandlers {
  register(topic: string, handler: OutboxHandler): this;
}

export class OutboxWorker implements OutboxHandlers {
  private readonly handlers = new Map<string, OutboxHandler>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  readonly workerId: string;

  constructor(
    private readonly db: Db,
    private readonly opts: OutboxWorkerOptions,
  ) {
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${uuidv7().slice(-8)}`;
  }

  register(topic: string, handler: OutboxHandler): this {
    if (this.handlers.has(topic)) throw new Error(`outbox handler for '${topic}' registered twice`);
    this.handlers.set(topic, handler);
    return this;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      let claimed = 0;
      this.running = this.runOnce()
        .then((n) => {
          claimed = n;
        })
        .catch((err) => logger.error({ err }, 'outbox poll failed'));
      await this.running;
      // A full batch says more is due: claim the next at once rather than a poll interval later.
      const full = claimed >= this.opts.batchSize;
      if (!this.stopped) this.timer = setTimeout(tick, full ? 0 : this.opts.pollIntervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Claims and delivers one batch, `concurrency` at a time, then marks what was delivered in one
   * statement. Returns how many messages were attempted. A worker that dies before the mark leaves
   * its rows `processing`: they are delivered again after the lock timeout (at least once, as
   * always).
   */
  async runOnce(): Promise<number> {
    const rows = await this.claim();
    const delivered: string[] = [];
    let next = 0;
    const lanes = Math.max(1, Math.min(this.opts.concurrency ?? rows.length, rows.length));
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < rows.length) {
          const row = rows[next++]!;
          if (await this.deliver(row)) delivered.push(row.id);
        }
      }),
    );
    if (delivered.length > 0)
      await this.db.$executeRaw`
        UPDATE outbox_messages SET status = 'delivered', "deliveredAt" = now(), "lockedAt" = NULL,
               "lastError" = NULL
         WHERE id = ANY(${delivered}::text[]) AND "lockedBy" = ${this.workerId}`;
    return rows.length;
  }

  /** Runs batches until nothing is due (tests and the CLI). */
  async drain(maxBatches = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  private async claim(): Promise<ClaimedRow[]> {
    const topics = [...this.handlers.keys()];
    if (topics.length === 0) return [];
    const lockTimeout = `${this.opts.lockTimeoutMs} milliseconds`;
    // A message with an orderingKey waits while an older one with the same key is undelivered.
    return this.db.$queryRawUnsafe<ClaimedRow[]>(
      `WITH due AS (
         SELECT m.id FROM outbox_messages m
          WHERE m.topic = ANY($1::text[])
            AND ((m.status = 'pending' AND m."nextAttemptAt" <= now())
              OR (m.status = 'processing' AND m."lockedAt" < now() - $3::interval))
            AND (m."orderingKey" IS NULL OR NOT EXISTS (
                  SELECT 1 FROM outbox_messages o
                   WHERE o."orderingKey" = m."orderingKey" AND o.id < m.id
                     AND o.status IN ('pending', 'processing')))
          ORDER BY m."nextAttemptAt", m.id
          LIMIT $2
          FOR UPDATE SKIP LOCKED)
       UPDATE outbox_messages t
          SET status = 'processing', "lockedAt" = now(), "lockedBy" = $4, attempts = t.attempts + 1
         FROM due WHERE t.id = due.id
       RETURNING t.id, t.topic, t.payload, t.attempts, t."maxAttempts", t."requestId"`,
      topics,
      this.opts.batchSize,
      lockTimeout,
      this.workerId,
    );
  }

  /** Runs the handler; true when it succeeded (the caller marks the row delivered), else reschedules it. */
  private async deliver(row: ClaimedRow): Promise<boolean> {
    const handler = this.handlers.get(row.topic)!;
    const requestId = row.requestId ?? `outbox:${row.id}`;
    return runWithRequestContext({ requestId }, async () => {
      try {
        await handler({
          id: row.id,
          topic: row.topic,
          payload: row.payload,
          attempts: row.attempts,
          requestId,
        });
        return true;
      } catch (err) {
        const maxAttempts = row.maxAttempts ?? this.opts.maxAttempts;
        const permanent = err instanceof PermanentDeliveryError;
        const dead = permanent || row.attempts >= maxAttempts;
        const message = err instanceof Error ? err.message : String(err);
        const delayMs = backoffDelayMs(
          row.attempts,
          this.opts.backoffBaseMs,
          this.opts.backoffMaxMs,
          this.opts.random,
        );
        logger.warn(
          { outboxId: row.id, topic: row.topic, attempts: row.attempts, dead, err: message },
          dead ? 'outbox delivery dead-lettered' : 'outbox delivery failed, will retry',
        );
        await this.db.$executeRaw`
          UPDATE outbox_messages
             SET status = ${dead ? 'dead' : 'pending'}, "lockedAt" = NULL, "lastError" = ${message.slice(0, 2000)},
                 "nextAttemptAt" = now() + make_interval(secs => ${delayMs / 1000})
           WHERE id = ${row.id} AND "lockedBy" = ${this.workerId}`;
        return false;
      }
    });
  }
}

/** Puts a dead (or pending) message back in line for an immediate attempt. */
export async function replayOutboxMessage(db: Db, id: string): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE outbox_messages SET status = 'pending', "nextAttemptAt" = now(), attempts = 0, "lastError" = NULL
     WHERE id = ${id} AND status IN ('dead', 'pending')`;
  return n === 1;
}
