interface Waiting<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

interface Queue<I, R> {
  items: Waiting<I, R>[];
  /** When the oldest item still waiting arrived (the linger counts from it). */
  oldestAtMs: number;
  /** Ends the linger early (the batch is full). */
  wake: (() => void) | null;
}

/**
 * A group commit: per key, one `flush` runs at a time, and each run carries every item submitted
 * for that key while the previous run was in flight. With no linger an idle process flushes each
 * item at once (a batch of one, no added wait); with `lingerMs` each batch waits until its oldest
 * item is that old (or the batch is full), so a steady stream costs at most one flush per key per
 * `lingerMs` instead of one per round trip. `flush` answers each item in order, as settled
 * results, so one item's failure does not fail the others.
 */
export class GroupCommit<I, R> {
  private readonly queues = new Map<string, Queue<I, R>>();

  constructor(
    private readonly flush: (key: string, items: I[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly maxBatch = 500,
    private readonly lingerMs = 0,
    private readonly nowMs: () => number = Date.now,
  ) {}

  submit(key: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) {
        if (queue.items.length === 0) queue.oldestAtMs = this.nowMs();
        queue.items.push({ item, resolve, reject });
        if (queue.items.length >= this.maxBatch) queue.wake?.();
      } else {
        const fresh: Queue<I, R> = {
          items: [{ item, resolve, reject }],
          oldestAtMs: this.nowMs(),
          wake: null,
        };
        this.queues.set(key, fresh);
        void this.drain(key, fresh);
      }
    });
  }

  private async drain(key: string, queue: Queue<I, R>): Promise<void> {
    while (queue.items.length > 0) {
      // Flushes synchronously when there is nothing to wait for: an idle process adds no delay.
      const lingering = this.linger(queue);
      if (lingering) await lingering;
      const batch = queue.items.splice(0, this.maxBatch);
      try {
        const results = await this.flush(
          key,
          batch.map((w) => w.item),
        );
        for (const [i, w] of batch.entries()) {
          const r = results[i];
          if (r?.status === 'fulfilled') w.resolve(r.value);
          else w.reject(r ? r.reason : new Error('group commit: no result for an item'));
        }
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.queues.delete(key);
  }

  /** Waits until the queue's oldest item has lingered `lingerMs`, or the queue holds a full batch. */
  private linger(queue: Queue<I, R>): Promise<void> | null {
    const waitMs = queue.oldestAtMs + this.lingerMs - this.nowMs();
    if (waitMs <= 0 || queue.items.length >= this.maxBatch) return null;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      queue.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      queue.wake = null;
    });
  }
}
