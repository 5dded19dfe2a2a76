import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UsageRecordData, UsageRecordWriter } from '../../../src/admission/usage-record.ts';
import { isUniqueViolation } from '../../../src/db/unique-violation.ts';
import { newId } from '../../../src/lib/ids.ts';
import { type TestDatabase, backends, openTestDatabase } from '../../helpers/db.ts';

function record(requestId: string, over: Partial<UsageRecordData> = {}): UsageRecordData {
  return {
    id: newId('use'),
    requestId,
    organizationId: 'org_w',
    teamId: null,
    userId: 'usr_w',
    apiKeyId: 'key_w',
    walletId: 'wal_w',
    holdId: 'hold_w',
    currency: 'USD',
    endpoint: '/v1/chat/completions',
    modelRequested: 'gpt-4o-mini',
    modelServed: null,
    promptTokens: 11,
    completionTokens: 7,
    cachedTokens: 3,
    costNanos: 9_007_199_254_740_993n, // beyond a double's exact range: must arrive exactly
    status: 'succeeded',
    httpStatus: 200,
    latencyMs: 21,
    estimated: false,
    graced: true,
    degradedFrom: 'gpt-4o',
    planDay: '2026-11-25',
    ...over,
  };
}

describe.each(backends())('UsageRecordWriter on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => db?.close());

  it('stores every record of a burst exactly, in fewer statements than records', async () => {
    let statements = 0;
    const writer = new UsageRecordWriter({
      query: (s, v) => {
        statements++;
        return db.sql.query(s, v);
      },
    });
    const ids = Array.from({ length: 40 }, (_, i) => `burst-${backend}-${i}`);
    await Promise.all(ids.map((id) => writer.write(record(id))));
    const rows = await db.prisma.usageRecord.findMany({ where: { requestId: { in: ids } } });
    expect(rows).toHaveLength(40);
    expect(statements).toBeLessThan(40);
    expect(rows[0]).toMatchObject({
      costNanos: 9_007_199_254_740_993n,
      teamId: null,
      modelServed: null,
      graced: true,
      estimated: false,
      degradedFrom: 'gpt-4o',
      planDay: '2026-11-25',
      promptTokens: 11,
      cachedTokens: 3,
      httpStatus: 200,
    });
    expect(Math.abs(rows[0]!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('fails only the duplicate of a batch, storing the others', async () => {
    const writer = new UsageRecordWriter(db.sql);
    await writer.write(record(`dup-${backend}`));
    const results = await Promise.allSettled([
      writer.write(record(`ok-${backend}-1`)),
      writer.write(record(`dup-${backend}`)),
      writer.write(record(`ok-${backend}-2`)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(isUniqueViolation((results[1] as PromiseRejectedResult).reason)).toBe(true);
    expect(await db.prisma.usageRecord.count({ where: { requestId: { startsWith: `ok-${backend}` } } })).toBe(
      2,
    );
  });
});
