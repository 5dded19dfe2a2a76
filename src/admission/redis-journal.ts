import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { logger } from '../lib/logger.ts';
import {
  type JournalEntry,
  type OrphanBatch,
  type SettlementJournal,
  decodeEntry,
  encodeEntry,
} from './settlement-journal.ts';

export interface RedisJournalOptions {
  /** SETTLEMENT_REPLICA_TTL_MS: a process whose liveness key is this old is gone; its journal is taken over. */
  replicaTtlMs: number;
  /** How many entries one claim takes. */
  batch?: number;
}

const REPLICAS = 'sj:replicas';
const stream = (replica: string) => `sj:stream:${replica}`;
const alive = (replica: string) => `sj:alive:${replica}`;
const claim = (replica: string) => `sj:claim:${replica}`;
const marks = (replica: string) => `sj:marks:${replica}`;

/**
 * The journal in Redis: one stream per process (`sj:stream:<replica>`), written with one XADD per
 * entry and trimmed with XDEL once posted. The entries appended and acknowledged during one turn
 * of the event loop go out together, as one pipeline: one socket write and one read of the
 * replies for all of them, where each write to Redis costs the process tens of µs of CPU
 * (issue 21). `sent` resolves once they are on the connection. Each process renews a liveness key every third of
 * `replicaTtlMs`; a process whose key has expired (killed, or its host gone) is taken over by the
 * first live process that claims its stream (`SET NX` on a claim key, so one at a time), which
 * posts what it finds and deletes the stream once empty. A restarted process has a new replica id:
 * its previous life's stream is an orphan like any other.
 *
 * Why not a consumer group: each process reads only its own entries, which it already has in
 * memory, so the hot path is one XADD; liveness (who may take a stream over) is the one thing
 * the other processes need to know, and a key with a TTL says it directly.
 *
 * Durability is Redis's: with `appendonly yes` and `appendfsync always` an acknowledged XADD
 * survives a Redis crash; with `everysec`, up to a second of entries may be lost (docs/reliability.md).
 */
export class RedisJournal implements SettlementJournal {
  readonly kind = 'redis' as const;
  readonly replica = randomUUID();
  private heartbeat: NodeJS.Timeout | null = null;
  private registered: Promise<unknown> | null = null;
  /** Acknowledgements that failed (Redis away): sent again with the next ones, or by the heartbeat. */
  private unacked: string[] = [];
  /** Entries and acknowledgements of this turn of the event loop, sent by `flush` on the next. */
  private appending: { value: string; resolve: (id: string) => void; reject: (err: unknown) => void }[] = [];
  private acking: string[] = [];
  private acked: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  /** A flush is scheduled and has not taken its batch yet. */
  private scheduled = false;
  /** The latest flush: resolves once its batch is written (flushes write in the order scheduled). */
  private lastFlush: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisJournalOptions,
  ) {}

  /** Starts the liveness signal (idempotent; append starts it too). */
  start(): Promise<unknown> {
    if (this.registered) return this.registered;
    const beat = async () => {
      await this.redis
        .multi()
        .set(alive(this.replica), '1', 'PX', this.opts.replicaTtlMs)
        .sadd(REPLICAS, this.replica)
        .exec();
      if (this.unacked.length) await this.ack([]);
    };
    this.registered = beat().catch((err) => {
      this.registered = null;
      throw err;
    });
    this.heartbeat ??= setInterval(
      () => void beat().catch((err) => logger.warn({ err }, 'settlement journal heartbeat failed')),
      Math.max(100, Math.floor(this.opts.replicaTtlMs / 3)),
    );
    this.heartbeat.unref();
    return this.registered;
  }

  /**
   * This process's mark index. Starts the liveness signal first if need be: its commands go out
   * on this connection ahead of the reservation that uses the index, so no index exists in Redis
   * whose process another could not find.
   */
  markIndex(): string {
    if (!this.registered)
      void this.start().catch((err) => logger.warn({ err }, 'settlement journal start failed'));
    return marks(this.replica);
  }

  append(entry: JournalEntry): Promise<string> {
    let value: string;
    try {
      value = encodeEntry(entry);
    } catch (err) {
      // A failed write, like any other: the caller counts it and serves the request.
      return Promise.reject(err);
    }
    return new Promise<string>((resolve, reject) => {
      this.appending.push({ value, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Resolves once everything appended so far is on the connection (or has failed): from then on
   * it reaches Redis even if this process dies, ahead of anything sent later on the connection.
   */
  sent(): Promise<void> {
    return this.lastFlush;
  }

  /**
   * Deletes in batches: the ids acknowledged during one turn of the event loop (a group-committed
   * posting settles many requests at once) go in one XDEL, sent on the next turn with that turn's
   * appends.
   */
  ack(ids: readonly string[]): Promise<void> {
    this.acking.push(...ids);
    return new Promise<void>((resolve, reject) => {
      this.acked.push({ resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.lastFlush = new Promise<void>((resolve) =>
      setImmediate(() => {
        this.scheduled = false;
        resolve(this.flush());
      }),
    );
  }

  /**
   * Sends this turn's appends and acknowledgements as one pipeline. Resolves once it is written
   * (the replies settle each caller's promise later); never rejects.
   */
  private async flush(): Promise<void> {
    const appends = this.appending;
    const acks = [...this.unacked, ...this.acking];
    const acked = this.acked;
    this.appending = [];
    this.unacked = [];
    this.acking = [];
    this.acked = [];
    const failAcks = (err: unknown) => {
      // Left as they are, the entries would be posted again (harmlessly) if this process died, and
      // would stay in its stream for as long as it lives.
      this.unacked.push(...acks);
      for (const a of acked) a.reject(err);
    };
    if (appends.length) {
      try {
        // The liveness key goes first: an entry in a stream nobody is known to own would be taken at once.
        if (!this.registered) await this.start();
        else await this.registered;
      } catch (err) {
        for (const a of appends) a.reject(err);
        failAcks(err);
        return;
      }
    }
    if (!appends.length && !acks.length) {
      for (const a of acked) a.resolve();
      return;
    }
    const key = stream(this.replica);
    // One command alone goes as itself: an ioredis pipeline costs more JS than the command.
    if (appends.length + (acks.length ? 1 : 0) === 1) {
      const only = appends[0];
      if (only) {
        // `ack([])` calls of this turn had nothing to delete: they are done.
        for (const a of acked) a.resolve();
        this.redis
          .xadd(key, '*', 'e', only.value)
          .then((id) => (id ? only.resolve(id) : only.reject(new Error('XADD returned no id'))), only.reject);
      } else
        this.redis.xdel(key, ...acks).then(() => {
          for (const a of acked) a.resolve();
        }, failAcks);
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const a of appends) pipeline.xadd(key, '*', 'e', a.value);
    if (acks.length) pipeline.xdel(key, ...acks);
    // exec writes the commands now (or queues them while Redis reconnects); its replies come later.
    void pipeline.exec().then(
      (replies) => {
        appends.forEach((a, i) => {
          const [err, id] = replies?.[i] ?? [new Error('no reply to XADD'), null];
          if (err) a.reject(err);
          else if (typeof id !== 'string') a.reject(new Error('XADD returned no id'));
          else a.resolve(id);
        });
        const delErr = acks.length ? replies?.[appends.length]?.[0] : null;
        if (delErr) failAcks(delErr);
        else for (const a of acked) a.resolve();
      },
      (err: unknown) => {
        for (const a of appends) a.reject(err);
        failAcks(err);
      },
    );
  }

  async claimOrphans(): Promise<OrphanBatch | null> {
    const replicas = await this.redis.smembers(REPLICAS);
    for (const r of replicas) {
      if (r === this.replica) continue;
      if (await this.redis.exists(alive(r))) continue;
      // One claimer per orphan stream; the claim outlives a slow posting but not a dead claimer.
      const got = await this.redis.set(claim(r), this.replica, 'PX', 60_000, 'NX');
      if (!got) continue;
      const raw = await this.redis.xrange(stream(r), '-', '+', 'COUNT', this.opts.batch ?? 500);
      if (raw.length === 0)
        return {
          entries: [],
          leftMarks: marks(r),
          done: async () => {
            await this.redis.multi().srem(REPLICAS, r).del(stream(r), claim(r), marks(r)).exec();
          },
        };
      const entries: OrphanBatch['entries'] = [];
      for (const [id, fields] of raw) {
        const i = fields.indexOf('e');
        const value = i >= 0 ? fields[i + 1] : undefined;
        if (value === undefined) continue;
        try {
          entries.push({ id, entry: decodeEntry(value) });
        } catch (err) {
          logger.error({ err, replica: r, id }, 'unreadable settlement journal entry; left in place');
        }
      }
      return {
        entries,
        done: async (ids) => {
          if (ids.length) await this.redis.xdel(stream(r), ...ids);
          await this.redis.del(claim(r));
        },
      };
    }
    return null;
  }

  async close({ forget }: { forget: boolean }): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (!this.registered) return;
    await this.ack([]).catch((err) => logger.warn({ err }, 'settlement journal ack failed'));
    // Nothing left: leave no trace. Else others may take over at once rather than after the TTL.
    if (forget && (await this.redis.xlen(stream(this.replica))) === 0)
      await this.redis
        .multi()
        .srem(REPLICAS, this.replica)
        .del(stream(this.replica), alive(this.replica), marks(this.replica))
        .exec();
    else await this.redis.del(alive(this.replica));
  }
}
