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
 * entry and trimmed with XDEL once posted. Each process renews a liveness key every third of
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

  async append(entry: JournalEntry): Promise<string> {
    // The liveness key goes first: an entry in a stream nobody is known to own would be taken at once.
    if (!this.registered) await this.start();
    else await this.registered;
    const id = await this.redis.xadd(stream(this.replica), '*', 'e', encodeEntry(entry));
    if (!id) throw new Error('XADD returned no id');
    return id;
  }

  /**
   * Deletes in batches: the ids acknowledged during one turn of the event loop (a group-committed
   * posting settles many requests at once) go in one XDEL, sent on the next turn.
   */
  ack(ids: readonly string[]): Promise<void> {
    this.acking.push(...ids);
    this.ackFlush ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        this.ackFlush = null;
        this.flushAcks().then(resolve, reject);
      }),
    );
    return this.ackFlush;
  }
  private acking: string[] = [];
  private ackFlush: Promise<void> | null = null;

  private async flushAcks(): Promise<void> {
    const all = [...this.unacked, ...this.acking];
    this.unacked = [];
    this.acking = [];
    if (!all.length) return;
    try {
      await this.redis.xdel(stream(this.replica), ...all);
    } catch (err) {
      // Left as they are, the entries would be posted again (harmlessly) if this process died, and
      // would stay in its stream for as long as it lives.
      this.unacked.push(...all);
      throw err;
    }
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
    await this.flushAcks().catch((err) => logger.warn({ err }, 'settlement journal ack failed'));
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
