import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionService } from '../../../src/admission/admission-service.ts';
import type { Outcome, ProxyRequestInfo } from '../../../src/admission/port.ts';
import type { Statement } from '../../../src/db/sql.ts';
import { runWithRequestContext } from '../../../src/lib/request-context.ts';
import { MODEL, type Gateway, startGateway } from '../gateway/helpers.ts';

let n = 0;
function info(): ProxyRequestInfo {
  return {
    requestId: `linger-${process.pid}-${Date.now()}-${++n}`,
    requestIdFromClient: false,
    endpoint: '/v1/chat/completions',
    credential: null,
    body: { model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 },
    stream: false,
    promptTextForEstimate: 'hi',
    promptTokensEstimate: 10,
    maxTokens: 100,
    maxTokensForEstimate: 100,
    clientUser: null,
  };
}

const outcome: Outcome = {
  status: 'succeeded',
  httpStatus: 200,
  usage: { promptTokens: 10, completionTokens: 20, cachedTokens: 0, totalTokens: 30 },
  estimated: false,
  modelServed: MODEL,
  latencyMs: 5,
};
// 10 prompt + 20 completion tokens at 150 / 600 nanos.
const COST = 13_500n;

describe('postings of settled requests gather for SETTLEMENT_LINGER_MS (issue 21)', () => {
  let g: Gateway;
  let admission: AdmissionService;
  beforeAll(async () => {
    g = await startGateway({
      // A lease big enough for every request below, so none needs a hold of its own or a resize.
      env: {
        SETTLEMENT_LINGER_MS: '1000',
        ADMISSION_LEASE_HOLDS: '1000',
        ADMISSION_LEASE_MAX_SHARE_PERCENT: '100',
      },
    });
    await g.fund(10_000_000_000n);
    admission = g.t.app.services.admission!;
  });
  afterAll(async () => g?.close());

  async function admitOne() {
    const i = info();
    const p = await admission.authenticate(g.apiKey);
    const a = await runWithRequestContext({ requestId: i.requestId }, () => admission.admit(p, i));
    return {
      requestId: i.requestId,
      settle: () =>
        runWithRequestContext({ requestId: i.requestId }, () => admission.settle(a.ticket, outcome).posted),
    };
  }

  it('settles 50 lease-admitted requests arriving over several turns in one capture and one INSERT of usage records', async () => {
    const s = g.t.app.services;
    const lease = () =>
      s.db.hold.findFirst({ where: { idempotencyKey: { startsWith: 'lease:' }, status: 'active' } });
    // The first request holds on its own and opens the lease in the background.
    await (await admitOne()).settle();
    for (let i = 0; i < 100 && !(await lease()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await lease()).not.toBeNull();
    const before = await g.balance();

    const sql = s.database.sql;
    const sent: string[] = [];
    const query = sql.query.bind(sql);
    sql.query = ((st: Statement, values: readonly unknown[]) => {
      sent.push(st.name);
      return query(st, values);
    }) as typeof sql.query;
    try {
      // Admitted first (against the lease, in memory), so settling them all takes a few ms even on
      // a loaded machine: well inside the linger.
      const admitted = [];
      for (let i = 0; i < 50; i++) admitted.push(await admitOne());
      const settled: { requestId: string; posted: Promise<void> }[] = [];
      // Ten groups of five, a turn of the timer apart: without a linger the first group's
      // statement goes out alone and the rest follow in further batches.
      for (let group = 0; group < 10; group++) {
        for (const a of admitted.slice(group * 5, group * 5 + 5))
          settled.push({ requestId: a.requestId, posted: a.settle() });
        await new Promise((r) => setTimeout(r, 1));
      }
      await Promise.all(settled.map((x) => x.posted));
      expect(sent.filter((name) => name.startsWith('ledger_capture'))).toEqual(['ledger_capture_many']);
      expect(sent.filter((name) => name.startsWith('usage_insert'))).toEqual(['usage_insert_many']);

      const ids = settled.map((x) => x.requestId);
      const usage = await s.db.usageRecord.findMany({ where: { requestId: { in: ids } } });
      expect(usage).toHaveLength(50);
      expect(usage.every((u) => u.costNanos === COST)).toBe(true);
      const txs = await s.db.ledgerTransaction.findMany({
        where: { reason: 'usage', requestId: { in: ids } },
      });
      expect(txs.map((t) => t.idempotencyKey).sort()).toEqual(ids.map((id) => `req:${id}`).sort());
      expect(await g.balance()).toBe(before - 50n * COST);
    } finally {
      sql.query = query;
    }
  });
});
