import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueOutbox } from '../../../src/outbox/outbox.ts';
import { OutboxWorker, PermanentDeliveryError, replayOutboxMessage } from '../../../src/outbox/worker.ts';
import { backends, openTestDatabase, type TestDatabase } from '../../helpers/db.ts';

const fast = {
  batchSize: 10,
  pollIntervalMs: 10,
  maxAttempts: 3,
  backoffBaseMs: 1,
  backoffMaxMs: 5,
  lockTimeoutMs: 60_000,
};

async function rows(db: TestDatabase, topic: string) {
  return db.prisma.outboxMessage.findMany({ where: { topic }, orderBy: { id: 'asc' } });
}

const until = async (cond: () => Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met in time');
};

describe.each(backends())('outbox on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => db.close());

  it('delivers a message enqueued in a committed transaction, and nothing from a rolled-back one', async () => {
    const seen: unknown[] = [];
    const worker = new OutboxWorker(db.prisma, fast).register('t.commit', async (d) => {
      seen.push(d.payload);
    });
    await db.prisma.$transaction(async (tx) => enqueueOutbox(tx, { topic: 't.commit', payload: { n: 1 } }));
    await db.prisma
      .$transaction(async (tx) => {
        await enqueueOutbox(tx, { topic: 't.commit', payload: { n: 2 } });
        throw new Error('roll back');
      })
      .catch(() => {});
    await worker.drain();
    expect(seen).toEqual([{ n: 1 }]);
    const [row] = await rows(db, 't.commit');
    expect(row?.status).toBe('delivered');
    expect(row?.deliveredAt).not.toBeNull();
  });

  it('claims the next batch at once after a full one, not a poll interval later (issue 21)', async () => {
    const seen: number[] = [];
    const worker = new OutboxWorker(db.prisma, { ...fast, batchSize: 2, pollIntervalMs: 600_000 }).register(
      't.full',
      async (d) => {
        seen.push((d.payload as { n: number }).n);
      },
    );
    await enqueueOutbox(
      db.prisma,
      [1, 2, 3, 4, 5].map((n) => ({ topic: 't.full', payload: { n } })),
    );
    worker.start();
    try {
      await until(async () => seen.length === 5);
    } finally {
      await worker.stop();
    }
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('never runs more than `concurrency` deliveries of a batch at once (each may hold a connection; issue 21)', async () => {
    let inflight = 0;
    let inflightMax = 0;
    const seen: number[] = [];
    const worker = new OutboxWorker(db.prisma, { ...fast, batchSize: 10, concurrency: 3 }).register(
      't.lanes',
      async (d) => {
        inflight++;
        inflightMax = Math.max(inflightMax, inflight);
        // Yield a few turns so every lane that may start does start before this one ends.
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
        seen.push((d.payload as { n: number }).n);
        inflight--;
      },
    );
    await enqueueOutbox(
      db.prisma,
      Array.from({ length: 10 }, (_, n) => ({ topic: 't.lanes', payload: { n } })),
    );
    expect(await worker.runOnce()).toBe(10);
    expect(inflightMax).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await rows(db, 't.lanes')).map((r) => r.status)).toEqual(Array(10).fill('delivered'));
  });

  it('marks a batch delivered with one statement, and a failed delivery in it for retry', async () => {
    const worker = new OutboxWorker(db.prisma, { ...fast, batchSize: 4, concurrency: 2 }).register(
      't.mark',
      async (d) => {
        if ((d.payload as { n: number }).n === 2) throw new Error('receiver down');
      },
    );
    await enqueueOutbox(
      db.prisma,
      [1, 2, 3, 4].map((n) => ({ topic: 't.mark', payload: { n } })),
    );
    await worker.runOnce();
    const byN = new Map((await rows(db, 't.mark')).map((r) => [(r.payload as { n: number }).n, r]));
    expect([1, 3, 4].map((n) => byN.get(n)?.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(byN.get(1)?.deliveredAt).not.toBeNull();
    expect(byN.get(2)).toMatchObject({ status: 'pending', lastError: 'receiver down', attempts: 1 });
  });

  it('retries a failing delivery with backoff, then succeeds', async () => {
    let calls = 0;
    const worker = new OutboxWorker(db.prisma, { ...fast, maxAttempts: 5 }).register('t.retry', async () => {
      calls++;
      if (calls < 3) throw new Error(`boom ${calls}`);
    });
    await enqueueOutbox(db.prisma, { topic: 't.retry', payload: {} });
    await worker.runOnce();
    const afterFirst = (await rows(db, 't.retry'))[0]!;
    expect(afterFirst.status).toBe('pending');
    expect(afterFirst.attempts).toBe(1);
    expect(afterFirst.lastError).toBe('boom 1');
    expect(afterFirst.nextAttemptAt.getTime()).toBeGreaterThan(afterFirst.createdAt.getTime());
    await until(async () => {
      await worker.runOnce();
      return (await rows(db, 't.retry'))[0]!.status === 'delivered';
    });
    expect(calls).toBe(3);
    expect((await rows(db, 't.retry'))[0]!.attempts).toBe(3);
  });

  it('moves a message to dead after maxAttempts, and a replay puts it back in line', async () => {
    let fail = true;
    const worker = new OutboxWorker(db.prisma, fast).register('t.dead', async () => {
      if (fail) throw new Error('always');
    });
    await enqueueOutbox(db.prisma, { topic: 't.dead', payload: {} });
    await until(async () => {
      await worker.runOnce();
      return (await rows(db, 't.dead'))[0]!.status === 'dead';
    });
    const dead = (await rows(db, 't.dead'))[0]!;
    expect(dead.attempts).toBe(3);
    expect(dead.lastError).toBe('always');
    expect(await worker.runOnce()).toBe(0);

    fail = false;
    expect(await replayOutboxMessage(db.prisma, dead.id)).toBe(true);
    await worker.drain();
    expect((await rows(db, 't.dead'))[0]!.status).toBe('delivered');
  });

  it('dead-letters at once on a permanent error', async () => {
    const worker = new OutboxWorker(db.prisma, fast).register('t.permanent', async () => {
      throw new PermanentDeliveryError('rejected for good');
    });
    await enqueueOutbox(db.prisma, { topic: 't.permanent', payload: {} });
    await worker.runOnce();
    const row = (await rows(db, 't.permanent'))[0]!;
    expect([row.status, row.attempts]).toEqual(['dead', 1]);
  });

  it('drops a second message with the same dedupe key', async () => {
    await enqueueOutbox(db.prisma, { topic: 't.dedupe', payload: { v: 1 }, dedupeKey: 'k1' });
    await enqueueOutbox(db.prisma, { topic: 't.dedupe', payload: { v: 2 }, dedupeKey: 'k1' });
    expect((await rows(db, 't.dedupe')).map((r) => r.payload)).toEqual([{ v: 1 }]);
  });

  it('delivers messages with one ordering key one at a time, in order, even when one is retried', async () => {
    const seen: number[] = [];
    let failedOnce = false;
    const worker = new OutboxWorker(db.prisma, { ...fast, maxAttempts: 5 }).register('t.order', async (d) => {
      if (d.payload.n === 1 && !failedOnce) {
        failedOnce = true;
        throw new Error('first try fails');
      }
      seen.push(d.payload.n);
    });
    await enqueueOutbox(
      db.prisma,
      [0, 1, 2, 3].map((n) => ({ topic: 't.order', payload: { n }, orderingKey: 'customer-1' })),
    );
    await until(async () => {
      await worker.runOnce();
      return seen.length === 4;
    });
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('two concurrent workers never deliver one row twice', async () => {
    const delivered = new Map<number, string[]>();
    const make = (name: string) =>
      new OutboxWorker(db.prisma, { ...fast, batchSize: 7, workerId: name }).register('t.race', async (d) => {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        delivered.set(d.payload.n, [...(delivered.get(d.payload.n) ?? []), name]);
      });
    const n = 120;
    await enqueueOutbox(
      db.prisma,
      Array.from({ length: n }, (_, i) => ({ topic: 't.race', payload: { n: i } })),
    );
    const a = make('worker-a');
    const b = make('worker-b');
    await Promise.all([a.drain(), b.drain()]);
    expect(delivered.size).toBe(n);
    expect([...delivered.values()].every((w) => w.length === 1)).toBe(true);
    if (backend === 'postgres') {
      // Both workers really took part (on PGlite there is one connection, so they interleave less).
      const by = new Set([...delivered.values()].map((w) => w[0]));
      expect(by.size).toBe(2);
    }
    expect((await rows(db, 't.race')).every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
  });

  it('reclaims a message whose worker died while processing it, after the lock timeout', async () => {
    await enqueueOutbox(db.prisma, { topic: 't.crash', payload: {} });
    await db.prisma.$executeRaw`
      UPDATE outbox_messages SET status = 'processing', "lockedBy" = 'dead-worker', attempts = 1,
             "lockedAt" = now() - interval '10 minutes' WHERE topic = 't.crash'`;
    const seen: string[] = [];
    const worker = new OutboxWorker(db.prisma, { ...fast, lockTimeoutMs: 60_000 }).register(
      't.crash',
      async (d) => {
        seen.push(d.id);
      },
    );
    await worker.drain();
    expect(seen).toHaveLength(1);
    const row = (await rows(db, 't.crash'))[0]!;
    expect([row.status, row.attempts, row.lockedBy]).toEqual(['delivered', 2, worker.workerId]);
  });

  it('runs in the background once started and stops cleanly', async () => {
    const seen: number[] = [];
    const worker = new OutboxWorker(db.prisma, fast).register('t.bg', async (d) => {
      seen.push(d.payload.n);
    });
    worker.start();
    await enqueueOutbox(db.prisma, { topic: 't.bg', payload: { n: 7 } });
    await until(async () => seen.length === 1);
    await worker.stop();
    expect(seen).toEqual([7]);
  });
});
