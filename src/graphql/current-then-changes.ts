/**
 * A subscription that starts with the current state: listening starts at once (the first `next` of
 * `changes` subscribes, and what arrives meanwhile is buffered by it), then `current()` is read and
 * sent, then every change.
 *
 * An iterator object, not an async generator: a generator's `return()` waits until its body reaches
 * a `yield`, so a client that unsubscribes from a quiet topic would leave the listener in place until
 * the next event; here `return()` reaches `changes` at once (which ends a pending `next`).
 */
export function currentThenChanges<T>(
  changes: AsyncIterable<T>,
  current: () => Promise<T>,
): AsyncIterableIterator<T> {
  const it = changes[Symbol.asyncIterator]();
  let listening: Promise<IteratorResult<T>> | null = it.next();
  let currentSent = false;
  const close = async () => {
    await it.return?.();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (!currentSent) {
        currentSent = true;
        try {
          return { done: false, value: await current() };
        } catch (err) {
          await close();
          throw err;
        }
      }
      if (listening) {
        const first = listening;
        listening = null;
        return first;
      }
      return it.next();
    },
    async return() {
      await close();
      return { done: true, value: undefined };
    },
    async throw(err: unknown) {
      await close();
      throw err;
    },
  };
}
