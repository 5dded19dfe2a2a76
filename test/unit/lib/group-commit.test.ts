import { describe, expect, it } from 'vitest';
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
