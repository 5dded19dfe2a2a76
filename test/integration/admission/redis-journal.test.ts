import { afterAll, describe, expect, it } from 'vitest';
import { RedisJournal } from '../../../src/admission/redis-journal.ts';
import type { JournalEntry } from '../../../src/admission/settlement-journal.ts';
import type { RedisSharedState } from '../../../src/infra/redis-shared-state.ts';
import { testRedisState } from '../../helpers/app.ts';

const settled = (requestId: string): JournalEntry => ({
  kind: 'settled',
  requestId,
  costNanos: 1n,
  chargedNanos: 1n,
  outcome: {
    status: 'succeeded',
    httpStatus: 200,
    promptTokens: 1,
    completionTokens: 1,
    cachedTokens: 0,
    estimated: false,
    modelServed: null,
    latencyMs: 1,
  },
});

describe('RedisJournal', () => {
  const state = testRedisState() as RedisSharedState;
  afterAll(() => state.close());

  it('sends the acknowledgements of one event-loop turn as one XDEL', async () => {
    const journal = new RedisJournal(state.client, { replicaTtlMs: 60_000 });
    const ids = await Promise.all([1, 2, 3].map((i) => journal.append(settled(`ack-${i}`))));
    const xdel = state.client.xdel.bind(state.client);
    const calls: string[][] = [];
    state.client.xdel = ((key: string, ...rest: string[]) => {
      calls.push(rest);
      return xdel(key, ...rest);
    }) as typeof state.client.xdel;
    try {
      await Promise.all(ids.map((id) => journal.ack([id])));
    } finally {
      state.client.xdel = xdel;
    }
    expect(calls).toEqual([ids]);
    expect(await state.client.xlen(`sj:stream:${journal.replica}`)).toBe(0);
    await journal.close({ forget: true });
  });

  it("hands over a dead process's mark index once its journal is empty, and forgets the process when done", async () => {
    const dead = new RedisJournal(state.client, { replicaTtlMs: 60_000 });
    const index = dead.markIndex();
    await state.reserve('counter', 5, 100, 60_000, { key: 'mark', ttlMs: 60_000, index });
    await dead.close({ forget: false }); // as kill -9 leaves it, once its liveness key expired
    const live = new RedisJournal(state.client, { replicaTtlMs: 60_000 });
    const batch = await live.claimOrphans();
    expect(batch).toMatchObject({ entries: [], leftMarks: index });
    expect(await state.releaseMarkIndex(batch!.leftMarks!)).toBe(1);
    expect(await state.get('counter')).toBe('0');
    await batch!.done([]);
    expect(await live.claimOrphans()).toBeNull();
    await live.close({ forget: true });
  });
});
