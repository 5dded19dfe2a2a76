/**
 * Concurrent loads of one key share one call: the first caller starts it, the others await the
 * same promise, and the key is free again once it settles. A cache that expires under load
 * otherwise sends one query per request arriving while the first is on its way (a stampede that
 * grows as the process slows down: issue 21).
 *
 * `forget` after an invalidation: callers arriving later start a fresh load instead of joining one
 * that may have read the state before the change.
 */
export class SingleFlight<V> {
  private readonly pending = new Map<string, Promise<V>>();

  run(key: string, load: () => Promise<V>): Promise<V> {
    const running = this.pending.get(key);
    if (running) return running;
    const started = load().finally(() => {
      if (this.pending.get(key) === started) this.pending.delete(key);
    });
    this.pending.set(key, started);
    return started;
  }

  /** Later calls for `key` (every key when omitted) start a new load. */
  forget(key?: string): void {
    if (key === undefined) this.pending.clear();
    else this.pending.delete(key);
  }
}
