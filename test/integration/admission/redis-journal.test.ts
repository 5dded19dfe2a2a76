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

  /** Counts the writes to the Redis connection (each a system call, whatever it carries) while `fn` runs. */
  async function writesDuring<T>(fn: () => Promise<T>): Promise<{ writes: number; result: T }> {
    const socket = (state.client as unknown as { stream: { write: (...a: unknown[]) => boolean } }).stream;
    const write = socket.write;
    let writes = 0;
    socket.write = function (this: unknown, ...a: unknown[]) {
      writes++;
      return write.apply(this, a);
    };
    try {
      const result = await fn();
      return { writes, result };
    } finally {
      socket.write = write;
    }
  }

  it('sends the entries appended during one event-loop turn in one write, each with its own id, in order', async () => {
    const journal = new RedisJournal(state.client, { replicaTtlMs: 60_000 });
    await journal.start();
    const { writes, result: ids } = await writesDuring(() =>
      Promise.all([1, 2, 3, 4].map((i) => journal.append(settled(`append-${i}`)))),
    );
    expect(writes).toBe(1);
    expect(new Set(ids).size).toBe(4);
    const stored = await state.client.xrange(`sj:stream:${journal.replica}`, '-', '+');
    expect(stored.map(([id]) => id)).toEqual(ids);
    expect(stored.map(([, f]) => JSON.parse(f[1]!).requestId)).toEqual(
      [1, 2, 3, 4].map((i) => `append-${i}`),
    );
    await journal.ack(ids);
    await journal.close({ forget: true });
  });

  it('sends the acknowledgements of one event-loop turn as one XDEL, in the same write as its appends', async () => {
    const journal = new RedisJournal(state.client, { replicaTtlMs: 60_000 });
    const ids = await Promise.all([1, 2, 3].map((i) => journal.append(settled(`ack-${i}`))));
    const { writes, result } = await writesDuring(() =>
      Promise.all([...ids.map((id) => journal.ack([id])), journal.append(settled('ack-4'))]),
    );
    expect(writes).toBe(1);
    const left = await state.client.xrange(`sj:stream:${journal.replica}`, '-', '+');
    expect(left.map(([id]) => id)).toEqual([result[3]]);
    await journal.ack([result[3]!]);
    expect(await state.client.xlen(`sj:stream:${journal.replica}`)).toBe(0);
    await journal.close({ forget: true });
  });

  it('an acknowledgement of nothing resolves, also in the turn of a lone append (orphan postings and close ack nothing)', async () => {
    const journal = new RedisJournal(state.client, { replicaTtlMs: 60_000 });
    await journal.start();
    // A hang fails the test at its timeout; no timer races the promise.
    const resolved = <T>(p: Promise<T>) => p.then(() => 'resolved');
    const [nothing, id] = [journal.ack([]), journal.append(settled('lone-1'))];
    expect(await resolved(nothing)).toBe('resolved');
    expect(await resolved(journal.ack([]))).toBe('resolved');
    await journal.ack([await id]);
    await journal.close({ forget: true });
  });

  it('sent resolves once the entries appended so far are written, before their replies', async () => {
    const journal = new RedisJournal(state.client, { replicaTtlMs: 60_000 });
    await journal.start();
    let replied = false;
    const { writes } = await writesDuring(async () => {
      const id = journal.append(settled('sent-1')).then((v) => {
        replied = true;
        return v;
      });
      await journal.sent();
      expect(replied).toBe(false);
      await journal.ack([await id]);
    });
    expect(writes).toBe(2);
    await journal.close({ forget: true });
  });

  it('an append fails, and an acknowledgement is kept to send again, while Redis is unreachable', async () => {
    const ok = testRedisState() as RedisSharedState;
    const journal = new RedisJournal(ok.client, { replicaTtlMs: 60_000 });
    const id = await journal.append(settled('down-1'));
    ok.client.disconnect();
    await expect(journal.append(settled('down-2'))).rejects.toBeDefined();
    await expect(journal.ack([id])).rejects.toBeDefined();
    await ok.client.connect();
    await journal.ack([]);
    expect(await ok.client.xlen(`sj:stream:${journal.replica}`)).toBe(0);
    await journal.close({ forget: true });
    await ok.close();
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
