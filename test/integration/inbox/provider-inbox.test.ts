import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InboxEvent, receiveEvent } from '../../../src/inbox/provider-inbox.ts';
import { sqlFor } from '../../../src/db/sql.ts';
import { runWithRequestContext } from '../../../src/lib/request-context.ts';
import { backends, openTestDatabase, type TestDatabase } from '../../helpers/db.ts';

const event = (eventId: string): InboxEvent => ({
  provider: 'stripe',
  eventId,
  type: 'payment_intent.succeeded',
  rawBody: Buffer.from(`{\n  "id": "${eventId}",\n  "object": "event"\n}`),
  decoded: { kind: 'test', eventId },
});

describe.each(backends())('the provider inbox on %s (issue 21: group-committed)', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => db?.close());

  it('stores 40 concurrent deliveries, duplicates among them, in two statements: each event once, with one job', async () => {
    const sql = sqlFor(db.prisma);
    const query = sql.query;
    let statements = 0;
    sql.query = ((s, v) => {
      statements++;
      return query.call(sql, s, v);
    }) as typeof sql.query;
    const ids = Array.from({ length: 30 }, (_, i) => `evt_burst_${backend}_${i}`);
    // Every third event delivered twice, in the same burst.
    const deliveries = [...ids, ...ids.filter((_, i) => i % 3 === 0)];
    let results: { duplicate: boolean }[];
    try {
      results = await Promise.all(
        deliveries.map((id, i) =>
          runWithRequestContext({ requestId: `req-${i}` }, () =>
            receiveEvent(db.prisma, 'bench.topic', event(id)),
          ),
        ),
      );
    } finally {
      sql.query = query;
    }
    // The first delivery goes out alone; everything that arrived meanwhile in one more statement.
    expect(statements).toBe(2);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(30);
    const stored = await db.prisma.providerEvent.findMany({ where: { eventId: { in: ids } } });
    expect(stored).toHaveLength(30);
    const first = stored.find((e) => e.eventId === ids[0])!;
    expect(Buffer.from(first.rawBody!).toString('utf8')).toBe(event(ids[0]!).rawBody.toString('utf8'));
    expect(first).toMatchObject({
      type: 'payment_intent.succeeded',
      payload: { id: ids[0], object: 'event' },
    });
    expect(first.decoded).toEqual({ kind: 'test', eventId: ids[0] });
    const jobs = await db.prisma.outboxMessage.findMany({ where: { topic: 'bench.topic' } });
    expect(jobs.map((j) => j.dedupeKey).sort()).toEqual(ids.map((id) => `inbox:stripe:${id}`).sort());
    const job = jobs.find((j) => j.dedupeKey === `inbox:stripe:${ids[1]}`)!;
    expect(job).toMatchObject({
      payload: { provider: 'stripe', eventId: ids[1] },
      status: 'pending',
      maxAttempts: 100,
    });
    // Each job carries the request that delivered its event first.
    expect(job.requestId).toBe('req-1');
  }, 30_000);

  it('adopts an event stored before the inbox and never processed: the redelivery enqueues its job', async () => {
    const id = `evt_legacy_${backend}`;
    await db.prisma.providerEvent.create({
      data: {
        id: `pev_legacy_${backend}`,
        provider: 'stripe',
        eventId: id,
        type: 'payment_intent.succeeded',
        payload: {},
      },
    });
    expect(await receiveEvent(db.prisma, 'legacy.topic', event(id))).toEqual({ duplicate: true });
    const stored = await db.prisma.providerEvent.findUniqueOrThrow({
      where: { provider_eventId: { provider: 'stripe', eventId: id } },
    });
    expect(stored.rawBody).not.toBeNull();
    expect(await db.prisma.outboxMessage.count({ where: { dedupeKey: `inbox:stripe:${id}` } })).toBe(1);
    // And once adopted, a further delivery is a plain duplicate.
    expect(await receiveEvent(db.prisma, 'legacy.topic', event(id))).toEqual({ duplicate: true });
    expect(await db.prisma.outboxMessage.count({ where: { dedupeKey: `inbox:stripe:${id}` } })).toBe(1);
  }, 30_000);
});
