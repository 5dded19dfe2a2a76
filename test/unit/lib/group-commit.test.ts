import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../../../src/lib/group-commit.ts';

describe('GroupCommit', () => {
  it('flushes the first item at once and everything that arrived meanwhile in the next batch, per key', async () => {
    const batches: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const gc = new GroupCommit<number, number>(async (key, items) => {
      batches.push(`${key}:${items.join(',')}`);
      if (batches.length === 1) await gate;
      return items.map((value) => ({ status: 'fulfilled', value: value * 10 }));
    });
    const first = gc.submit('a', 1);
    const rest = [gc.submit('a', 2), gc.submit('a', 3), gc.submit('b', 4)];
    expect(batches).toEqual(['a:1', 'b:4']);
    release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual(['a:1', 'b:4', 'a:2,3']);
  });

  it('fails only the item its flush rejected, and every item of a flush that threw', async () => {
    const gc = new GroupCommit<number, number>(async (_key, items) => {
      if (items.includes(0)) throw new Error('flush failed');
      return items.map((v) =>
        v < 0 ? { status: 'rejected', reason: new Error(`bad ${v}`) } : { status: 'fulfilled', value: v },
      );
    });
    const results = await Promise.allSettled([gc.submit('k', 1), gc.submit('k', -2), gc.submit('k', 3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await expect(gc.submit('k', 0)).rejects.toThrow('flush failed');
    expect(await gc.submit('k', 5)).toBe(5);
  });
});

describe('GroupCommit with a linger', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gathers items submitted within the linger into one flush, counted from the oldest', async () => {
    vi.useFakeTimers();
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(
      async (_key, items) => {
        batches.push(items);
        return items.map((value) => ({ status: 'fulfilled', value }));
      },
      500,
      10,
    );
    const all = [gc.submit('k', 1)];
    await vi.advanceTimersByTimeAsync(4);
    all.push(gc.submit('k', 2));
    await vi.advanceTimersByTimeAsync(4);
    all.push(gc.submit('k', 3));
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(batches).toEqual([[1, 2, 3]]);
    // Arriving later: a batch of its own, after its own linger.
    all.push(gc.submit('k', 4));
    await vi.advanceTimersByTimeAsync(9);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2, 3], [4]]);
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4]);
  });

  it('does not wait out the linger once a full batch is there', async () => {
    vi.useFakeTimers();
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(
      async (_key, items) => {
        batches.push(items);
        return items.map((value) => ({ status: 'fulfilled', value }));
      },
      3,
      1_000,
    );
    const all = [1, 2, 3, 4].map((i) => gc.submit('k', i));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1, 2, 3]]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(batches).toEqual([[1, 2, 3], [4]]);
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4]);
  });
});
