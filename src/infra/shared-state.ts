/**
 * The contract of the shared state; its two implementations are redis-shared-state.ts and
 * memory-shared-state.ts (single-node mode).
 *
 * The small piece of cross-process state Tollgate needs: pub/sub, counters, reservations against a
 * limit, and a cache. Backed by Redis when REDIS_URL is set; otherwise by process memory, which
 * is correct only for a single gateway process (single-node mode).
 */
export interface SharedState {
  readonly kind: 'redis' | 'memory';
  publish(channel: string, message: string): Promise<void>;
  /**
   * Registers `handler` and resolves with its unsubscribe function. Never fails for an outage: while
   * Redis is unreachable the subscription waits and is made again once Redis is back (messages
   * published meanwhile are lost, as they are for every subscriber during an outage). The
   * unsubscribe function never fails either.
   */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Atomically adds delta (may be negative) and returns the new value; sets the TTL when given. */
  incrBy(key: string, delta: number, ttlMs?: number): Promise<number>;
  /**
   * Atomically adds delta only if the result stays ≤ limit. Returns whether it was added and the
   * value after the call. The basis of limits that parallel requests cannot jump.
   *
   * With `mark`, the same atomic step that adds also records the delta under `mark.key`, so that a
   * caller who never got the reply (the connection died with it) can still give back exactly what
   * was added — and nothing when it was not: see `releaseMarked`. A marked reservation sent again
   * while its mark exists (ioredis resends a command whose reply was lost with the connection)
   * adds nothing and answers ok.
   */
  reserve(
    key: string,
    delta: number,
    limit: number,
    ttlMs: number,
    mark?: ReserveMark,
  ): Promise<{ ok: boolean; value: number }>;
  /**
   * Gives back what a marked `reserve` added, in one atomic step: when `markKey` exists, deletes it
   * (and its entry in `index`) and subtracts its delta from `key` (if the counter still exists: a
   * lost one is rebuilt from its source of truth). Idempotent; returns whether there was something
   * to give back.
   */
  releaseMarked(key: string, markKey: string, index?: string): Promise<boolean>;
  /**
   * Gives back every reservation still marked in `index` (those of a process that died before
   * settling or journaling them: see `ReserveMark.index`), each as `releaseMarked` would, then
   * deletes the index. One atomic step; returns how many were given back.
   */
  releaseMarkIndex(index: string): Promise<number>;
  /**
   * All-or-nothing `reserve` over several counters: adds every delta only if no counter with a
   * limit would exceed it. Returns the values after the call (unchanged when refused) and the
   * index of the first counter that refused. Amounts are bigint so money never passes through
   * a float on our side; Redis compares them exactly up to 2^53.
   */
  reserveMany(entries: readonly ReserveEntry[], ttlMs: number): Promise<ReserveManyResult>;
  /**
   * In one atomic step, adds each delta to the counters that exist and leaves missing ones missing
   * (a lost counter is rebuilt from its source of truth, so adding to it would count twice). With
   * `once`, does so only the first time that key is seen, and returns null after. Returns each
   * counter's new value, null where it was missing. One command, so a caller that starts it before
   * answering is ordered before anything the client sends next to the same process.
   */
  adjustExisting(
    entries: readonly AdjustEntry[],
    ttlMs: number,
    once?: { key: string; ttlMs: number },
    settles?: SettledMarks,
  ): Promise<(bigint | null)[] | null>;
  /**
   * Adds a counter's total rebuilt from its source of truth, unless another rebuild already
   * added it: in one atomic step, skips when the counter exists and carries the rebuilt mark
   * (`<key>:rebuilt`), else adds `total` — keeping reservations that raced in — and sets the mark.
   * Returns whether it added. The mark makes a second, late rebuild (one whose lock expired while
   * it summed) harmless; it is lost with the counter when Redis loses its data.
   */
  addRebuiltTotal(key: string, total: bigint, ttlMs: number): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ReserveEntry {
  key: string;
  delta: bigint;
  /** null: count without a limit. */
  limit: bigint | null;
  /**
   * Another counter (the previous window of a sliding-window limit) that also counts against
   * `limit`, weighted by `weightPpm` / 1,000,000: the entry is refused when
   * value + delta + carried·weight > limit. Never changed by the call.
   */
  carry?: { key: string; weightPpm: number };
}

/** What a carry contributes, rounded up: the part of `carriedValue` still inside the window. */
export function carriedAmount(carriedValue: bigint, weightPpm: number): bigint {
  const scaled = carriedValue * BigInt(weightPpm);
  return (scaled + 999_999n) / 1_000_000n;
}

export interface AdjustEntry {
  key: string;
  delta: bigint;
}

export interface ReserveMark {
  key: string;
  ttlMs: number;
  /**
   * A hash (mark key → counter key) that lists the marks of one process, so that whoever takes
   * over a process that died can give back what it had reserved and never settled
   * (`releaseMarkIndex`). Entries leave it when settled (`adjustExisting` with `settles`) or given
   * back; the hash lives as long as its newest mark.
   */
  index?: string;
}

/** The marks of a reservation that an `adjustExisting` settles: deleted, and their index entries with them. */
export interface SettledMarks {
  marks: readonly string[];
  index?: string;
}

export interface ReserveManyResult {
  ok: boolean;
  values: bigint[];
  /** Per entry, the current value of its carry counter (0n without one); see `carriedAmount`. */
  carried: bigint[];
  /** The first entry whose limit refused the reservation; -1 when ok. */
  refusedIndex: number;
}

/** The mark a rebuilt counter carries (`SharedState.addRebuiltTotal`), for both implementations. */
export const rebuiltMark = (key: string) => `${key}:rebuilt`;
