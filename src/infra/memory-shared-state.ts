import type {
  AdjustEntry,
  ReserveEntry,
  ReserveManyResult,
  ReserveMark,
  SettledMarks,
  SharedState,
} from './shared-state.ts';
import { rebuiltMark } from './shared-state.ts';

/**
 * SharedState in process memory: correct only for a single gateway process (single-node mode),
 * and for tests.
 */
export class MemorySharedState implements SharedState {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, { value: string; expiresAtMs: number }>();
  private readonly handlers = new Map<string, Set<(m: string) => void>>();

  constructor(private readonly now: () => number = Date.now) {}

  private read(key: string): string | null {
    const e = this.values.get(key);
    if (!e) return null;
    if (e.expiresAtMs && e.expiresAtMs <= this.now()) {
      this.values.delete(key);
      return null;
    }
    return e.value;
  }

  async publish(channel: string, message: string) {
    // Asynchronous like Redis, so publishers never run subscribers inside their own call stack.
    const set = this.handlers.get(channel);
    if (set)
      queueMicrotask(() => {
        for (const h of set) h(message);
      });
  }

  async subscribe(channel: string, handler: (message: string) => void) {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
    };
  }

  async get(key: string) {
    return this.read(key);
  }

  async set(key: string, value: string, ttlMs?: number) {
    this.values.set(key, { value, expiresAtMs: ttlMs ? this.now() + ttlMs : 0 });
  }

  async del(key: string) {
    this.values.delete(key);
  }

  async incrBy(key: string, delta: number, ttlMs = 0) {
    const v = Number(this.read(key) ?? '0') + delta;
    const prev = this.values.get(key);
    this.values.set(key, {
      value: String(v),
      expiresAtMs: ttlMs ? this.now() + ttlMs : (prev?.expiresAtMs ?? 0),
    });
    return v;
  }

  async reserve(key: string, delta: number, limit: number, ttlMs: number, mark?: ReserveMark) {
    const cur = Number(this.read(key) ?? '0');
    if (mark && this.read(mark.key) !== null) return { ok: true, value: cur };
    if (cur + delta > limit) return { ok: false, value: cur };
    if (mark) {
      this.values.set(mark.key, { value: String(delta), expiresAtMs: this.now() + mark.ttlMs });
      if (mark.index) {
        const index = this.indexes.get(mark.index) ?? new Map<string, string>();
        index.set(mark.key, key);
        this.indexes.set(mark.index, index);
      }
    }
    return { ok: true, value: await this.incrBy(key, delta, ttlMs) };
  }
  /** Mark indexes (`ReserveMark.index`); entries whose mark expired are skipped when released. */
  private readonly indexes = new Map<string, Map<string, string>>();

  async releaseMarked(key: string, markKey: string, index?: string) {
    if (index) this.indexes.get(index)?.delete(markKey);
    const d = this.read(markKey);
    if (d === null) return false;
    this.values.delete(markKey);
    if (this.read(key) !== null) await this.incrBy(key, -Number(d));
    return true;
  }

  async releaseMarkIndex(index: string) {
    let n = 0;
    for (const [markKey, key] of this.indexes.get(index) ?? [])
      if (await this.releaseMarked(key, markKey)) n++;
    this.indexes.delete(index);
    return n;
  }

  async reserveMany(entries: readonly ReserveEntry[], ttlMs: number): Promise<ReserveManyResult> {
    // No await between the checks and the writes: atomic within the one process memory serves.
    const current = entries.map((e) => BigInt(this.read(e.key) ?? '0'));
    const carried = entries.map((e) => (e.carry ? BigInt(this.read(e.carry.key) ?? '0') : 0n));
    const refusedIndex = entries.findIndex(
      (e, i) =>
        e.limit !== null &&
        (current[i]! + e.delta - e.limit) * 1_000_000n + carried[i]! * BigInt(e.carry?.weightPpm ?? 0) > 0n,
    );
    if (refusedIndex >= 0) return { ok: false, values: current, carried, refusedIndex };
    const values = entries.map((e, i) => {
      const v = current[i]! + e.delta;
      const prev = this.values.get(e.key);
      this.values.set(e.key, {
        value: v.toString(),
        expiresAtMs: ttlMs ? this.now() + ttlMs : (prev?.expiresAtMs ?? 0),
      });
      return v;
    });
    return { ok: true, values, carried, refusedIndex: -1 };
  }

  async adjustExisting(
    entries: readonly AdjustEntry[],
    ttlMs: number,
    once?: { key: string; ttlMs: number },
    settles?: SettledMarks,
  ): Promise<(bigint | null)[] | null> {
    for (const mark of settles?.marks ?? []) {
      this.values.delete(mark);
      if (settles?.index) this.indexes.get(settles.index)?.delete(mark);
    }
    if (once) {
      if (this.read(once.key) !== null) return null;
      this.values.set(once.key, { value: '1', expiresAtMs: this.now() + once.ttlMs });
    }
    return entries.map((e) => {
      const cur = this.read(e.key);
      if (cur === null) return null;
      const v = BigInt(cur) + e.delta;
      const prev = this.values.get(e.key);
      this.values.set(e.key, {
        value: v.toString(),
        expiresAtMs: ttlMs ? this.now() + ttlMs : (prev?.expiresAtMs ?? 0),
      });
      return v;
    });
  }

  async addRebuiltTotal(key: string, total: bigint, ttlMs: number): Promise<boolean> {
    const mark = rebuiltMark(key);
    const cur = this.read(key);
    if (cur !== null && this.read(mark) !== null) return false;
    const expiresAtMs = ttlMs ? this.now() + ttlMs : 0;
    this.values.set(key, {
      value: (BigInt(cur ?? '0') + total).toString(),
      expiresAtMs: expiresAtMs || (this.values.get(key)?.expiresAtMs ?? 0),
    });
    this.values.set(mark, { value: '1', expiresAtMs });
    return true;
  }

  async ping() {}

  async close() {
    this.handlers.clear();
  }
}
