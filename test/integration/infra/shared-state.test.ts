import { afterAll, describe, expect, it } from 'vitest';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import type { SharedState } from '../../../src/infra/shared-state.ts';
import { testRedisState } from '../../helpers/app.ts';

const states: SharedState[] = [];
afterAll(async () => {
  for (const s of states) await s.close();
});

describe.each([
  ['memory', () => new MemorySharedState()],
  ['redis', () => testRedisState()],
] as const)('SharedState.adjustExisting on %s', (_name, open) => {
  const state = () => {
    const s = open();
    states.push(s);
    return s;
  };

  it('adds to counters that exist and leaves missing ones missing', async () => {
    const s = state();
    await s.incrBy('a', 10);
    expect(
      await s.adjustExisting(
        [
          { key: 'a', delta: -4n },
          { key: 'missing', delta: 7n },
        ],
        0,
      ),
    ).toEqual([6n, null]);
    expect(await s.get('a')).toBe('6');
    expect(await s.get('missing')).toBeNull();
  });

  it('with a once key, adjusts only the first time', async () => {
    const s = state();
    await s.incrBy('c', 100);
    const once = { key: 'res:1', ttlMs: 60_000 };
    expect(await s.adjustExisting([{ key: 'c', delta: 5n }], 60_000, once)).toEqual([105n]);
    expect(await s.adjustExisting([{ key: 'c', delta: 5n }], 60_000, once)).toBeNull();
    expect(await s.get('c')).toBe('105');
  });

  it('keeps amounts beyond 2^53 exact', async () => {
    const s = state();
    await s.set('big', '9007199254740993');
    expect(await s.adjustExisting([{ key: 'big', delta: 2n }], 0)).toEqual([9007199254740995n]);
  });
});

describe.each([
  ['memory', () => new MemorySharedState()],
  ['redis', () => testRedisState()],
] as const)('SharedState.reserve with a mark on %s', (_name, open) => {
  const state = () => {
    const s = open();
    states.push(s);
    return s;
  };
  const mark = { key: 'm:1', ttlMs: 60_000 };

  it('adds once when the same reservation is sent again (ioredis resends a command whose reply was lost)', async () => {
    const s = state();
    expect(await s.reserve('r', 7, 100, 60_000, mark)).toEqual({ ok: true, value: 7 });
    expect(await s.reserve('r', 7, 100, 60_000, mark)).toEqual({ ok: true, value: 7 });
    expect(await s.get('r')).toBe('7');
  });

  it('releaseMarked gives back exactly what was added, once, and nothing for a reservation never applied', async () => {
    const s = state();
    await s.incrBy('q', 10);
    await s.reserve('q', 5, 100, 60_000, mark);
    expect(await s.releaseMarked('q', mark.key)).toBe(true);
    expect(await s.releaseMarked('q', mark.key)).toBe(false);
    expect(await s.releaseMarked('q', 'm:never')).toBe(false);
    expect(await s.get('q')).toBe('10');
  });

  it("releaseMarkIndex gives back what a dead process's index still lists: not what was settled or given back, nor twice", async () => {
    const s = state();
    const index = 'idx:dead';
    await s.incrBy('d', 100);
    await s.reserve('d', 5, 1_000, 60_000, { key: 'm:open', ttlMs: 60_000, index });
    await s.reserve('d', 7, 1_000, 60_000, { key: 'm:settled', ttlMs: 60_000, index });
    await s.reserve('d', 11, 1_000, 60_000, { key: 'm:back', ttlMs: 60_000, index });
    // Settled at 3 (7 → 3, its mark goes with the move) and given back (11).
    await s.adjustExisting([{ key: 'd', delta: -4n }], 60_000, undefined, { marks: ['m:settled'], index });
    await s.releaseMarked('d', 'm:back', index);
    expect(await s.get('d')).toBe('108');
    expect(await s.releaseMarkIndex(index)).toBe(1);
    expect(await s.get('d')).toBe('103');
    expect(await s.releaseMarkIndex(index)).toBe(0);
    expect(await s.get('d')).toBe('103');
  });
});

describe.each([
  ['memory', () => new MemorySharedState()],
  ['redis', () => testRedisState()],
] as const)('SharedState.addRebuiltTotal on %s', (_name, open) => {
  const state = () => {
    const s = open();
    states.push(s);
    return s;
  };

  it('adds the rebuilt total once: a second, late rebuild of the same counter adds nothing', async () => {
    const s = state();
    expect(await s.addRebuiltTotal('dl:a', 300n, 60_000)).toBe(true);
    await s.incrBy('dl:a', 10);
    expect(await s.addRebuiltTotal('dl:a', 300n, 60_000)).toBe(false);
    expect(await s.get('dl:a')).toBe('310');
  });

  it('keeps reservations that raced in before the rebuilt total was added', async () => {
    const s = state();
    await s.incrBy('dl:b', 10);
    expect(await s.addRebuiltTotal('dl:b', 300n, 60_000)).toBe(true);
    expect(await s.get('dl:b')).toBe('310');
  });

  it('rebuilds again once the counter itself is lost', async () => {
    const s = state();
    await s.addRebuiltTotal('dl:c', 300n, 60_000);
    await s.del('dl:c');
    expect(await s.addRebuiltTotal('dl:c', 320n, 60_000)).toBe(true);
    expect(await s.get('dl:c')).toBe('320');
  });
});
