interface Waiting<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

/**
 * A group commit: per key, one `flush` runs at a time, and each run carries every item submitted
 * for that key while the previous run was in flight. An idle process flushes each item at once (a
 * batch of one, no added wait); a busy one writes one statement for many. `flush` answers each
 * item in order, as settled results, so one item's failure does not fail the others.
 */
export class GroupCommit<I, R> {
  private readonly queues = new Map<string, Waiting<I, R>[]>();

  constructor(
    private readonly flush: (key: string, items: I[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(key: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) queue.push({ item, resolve, reject });
      else {
        const fresh = [{ item, resolve, reject }];
        this.queues.set(key, fresh);
        void this.drain(key, fresh);
      }
    });
  }

  private async drain(key: string, queue: Waiting<I, R>[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatch);
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
}
