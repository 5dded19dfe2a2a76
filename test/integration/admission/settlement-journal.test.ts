import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisJournal } from '../../../src/admission/redis-journal.ts';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import type { LedgerService } from '../../../src/ledger/ledger-service.ts';
import { runWithRequestContext } from '../../../src/lib/request-context.ts';
import type { AdmissionService } from '../../../src/admission/admission-service.ts';
import type { Outcome, ProxyRequestInfo } from '../../../src/admission/port.ts';
import { type TestApp, startTestApp, testRedisState } from '../../helpers/app.ts';
import { MODEL, type Gateway, startGateway } from '../gateway/helpers.ts';

/** Waits for `check` to hold (polling), never for a fixed time. */
async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let n = 0;
/** A request as the proxy describes it; a client-chosen id gets a hold of its own (no lease). */
function info(ownHold: boolean): ProxyRequestInfo {
  return {
    requestId: `req-${process.pid}-${Date.now()}-${++n}`,
    requestIdFromClient: ownHold,
    endpoint: '/v1/chat/completions',
    credential: null,
    body: { model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 },
    stream: true,
    promptTextForEstimate: 'hi',
    promptTokensEstimate: 10,
    maxTokens: 100,
    maxTokensForEstimate: 100,
    clientUser: null,
  };
}

// 10 prompt + 20 completion tokens at 150 / 600 nanos: 1,500 + 12,000.
const USAGE_COST = 13_500n;
// The estimate of info(): 10 prompt + 100 completion tokens.
const ESTIMATE = 10n * 150n + 100n * 600n;

function outcome(): Outcome {
  return {
    status: 'succeeded',
    httpStatus: 200,
    usage: { promptTokens: 10, completionTokens: 20, cachedTokens: 0, totalTokens: 30 },
    estimated: false,
    modelServed: MODEL,
    latencyMs: 5,
  };
}

/** Makes `method` of the ledger fail as a lost connection would, while `down()` says so; counts the attempts. */
function outage<K extends 'settle' | 'captureManyFromHold'>(
  ledger: LedgerService,
  method: K,
  down: () => boolean,
) {
  const original = ledger[method].bind(ledger) as (...a: unknown[]) => Promise<unknown>;
  const state = { attempts: 0, restore: () => Object.assign(ledger, { [method]: original }) };
  (ledger as any)[method] = async (...args: unknown[]) => {
    state.attempts++;
    if (down()) throw new Error('Connection terminated unexpectedly');
    return original(...args);
  };
  return state;
}

describe('settlements survive the database and the process (issue 15, findings 1, 5, 6)', () => {
  let g: Gateway;
  let admission: AdmissionService;
  const prefix = `sj${process.pid}${Date.now() % 100000}:`;
  beforeAll(async () => {
    g = await startGateway({
      state: testRedisState(prefix),
      env: { SETTLEMENT_DRAIN_TIMEOUT_MS: '0', SETTLEMENT_REPLICA_TTL_MS: '300' },
    });
    await g.fund(10_000_000_000n);
    const s = g.t.app.services;
    const plan = await s.plans.createPlan({
      code: `journal-${Date.now()}`,
      name: 'journal',
      kind: 'daily_limit',
      dailyLimits: [{ metric: 'cost', limitValue: 1_000_000_000n, currency: 'USD' }],
    } as any);
    await s.plans.assignPlan({
      planId: plan.id,
      organizationId: g.organizationId,
      subjectType: 'organization',
      subjectId: g.organizationId,
      effectiveFrom: new Date('2020-01-01T00:00:00Z'),
    });
    admission = s.admission!;
  });
  afterAll(async () => g?.close());

  const principal = () => admission.authenticate(g.apiKey);
  const usageTx = (holdOrRequest: { requestId: string }) =>
    g.t.app.services.db.ledgerTransaction.findMany({
      where: {
        reason: 'usage',
        OR: [
          { requestId: holdOrRequest.requestId },
          { idempotencyKey: { contains: holdOrRequest.requestId } },
        ],
      },
    });

  it("a settle run from another request's context (a shared timer, a group commit) still writes its own request id", async () => {
    const own = info(true);
    const admitted = await admission.admit(await principal(), own);
    const priced = runWithRequestContext({ requestId: 'someone-else' }, () =>
      admission.settle(admitted.ticket, outcome()),
    );
    await priced.posted;
    const db = g.t.app.services.db;
    const txs = await db.ledgerTransaction.findMany({
      where: { reason: 'usage', requestId: { in: [own.requestId, 'someone-else'] } },
    });
    expect(txs.map((t) => t.requestId)).toEqual([own.requestId]);
    expect((await db.usageRecord.findUniqueOrThrow({ where: { requestId: own.requestId } })).costNanos).toBe(
      USAGE_COST,
    );
  });

  it('a request that outlived its hold is charged directly, under its own request id', async () => {
    const own = info(true);
    const admitted = await admission.admit(await principal(), own);
    const s = g.t.app.services;
    const hold = await s.db.hold.findFirstOrThrow({ where: { requestId: own.requestId } });
    await s.ledger.release({ holdId: hold.id, reason: 'swept in the test' });
    const priced = runWithRequestContext({ requestId: 'someone-else' }, () =>
      admission.settle(admitted.ticket, outcome()),
    );
    await priced.posted;
    const txs = await s.db.ledgerTransaction.findMany({
      where: { reason: 'usage', idempotencyKey: `late:${own.requestId}:${hold.id}` },
    });
    expect(txs.map((t) => t.requestId)).toEqual([own.requestId]);
  });

  it('a wallet lease names no request: it serves many (the one that opened it included)', async () => {
    const db = g.t.app.services.db;
    const lease = () => db.hold.findFirst({ where: { idempotencyKey: { startsWith: 'lease:' } } });
    const p = await principal();
    const postings: Promise<void>[] = [];
    await until(async () => {
      const i = info(false);
      // As the proxy runs it: in the request's context, which the lease opened in the background inherits.
      const a = await runWithRequestContext({ requestId: i.requestId }, () => admission.admit(p, i));
      postings.push(admission.settle(a.ticket, outcome()).posted);
      return (await lease()) !== null;
    }, 'a lease');
    expect((await lease())?.requestId).toBeNull();
    // The next test reads the balance: these postings must not land in the middle of it.
    await Promise.all(postings);
  });

  it('a database outage longer than any retry budget: the posting waits and lands once when the database is back', async () => {
    const s = g.t.app.services;
    let down = true;
    const failing = outage(s.ledger, 'settle', () => down);
    const own = info(true);
    const before = await g.balance();
    const admitted = await admission.admit(await principal(), own);
    const priced = admission.settle(admitted.ticket, outcome());
    expect(priced.settlement.costNanos).toBe(USAGE_COST);
    // Well past the old three attempts (~150 ms).
    await until(() => failing.attempts >= 5, 'five failed attempts');
    down = false;
    await priced.posted;
    expect(await g.balance()).toBe(before - USAGE_COST);
    const usage = await s.db.usageRecord.findUniqueOrThrow({ where: { requestId: own.requestId } });
    expect(usage).toMatchObject({ costNanos: USAGE_COST, estimated: false });
    failing.restore();
  });

  describe('a process that dies: another one posts what it had promised', () => {
    let a: TestApp;
    let aAdmission: AdmissionService;
    beforeAll(async () => {
      // A second gateway process on the same database and Redis keyspace; it "dies" by closing
      // without being able to post (its ledger fails), which leaves its journal as kill -9 would.
      a = await startTestApp(g.db, {
        state: testRedisState(prefix),
        env: {
          LITELLM_URL: g.upstream.url,
          LITELLM_MASTER_KEY: 'sk-double-master',
          LITELLM_SYNC_MODE: 'none',
          SETTLEMENT_DRAIN_TIMEOUT_MS: '0',
          SETTLEMENT_REPLICA_TTL_MS: '300',
          SETTLEMENT_RECOVERY_INTERVAL_MS: '100000',
        },
      });
      aAdmission = a.app.services.admission!;
      outage(a.app.services.ledger, 'settle', () => true);
      outage(a.app.services.ledger, 'captureManyFromHold', () => true);
    });

    it('a request cut mid-stream (admitted, never settled) is charged its estimate, marked estimated, and its daily counter matches; one settled but not posted is charged its real cost', async () => {
      const s = g.t.app.services;
      const p = await aAdmission.authenticate(g.apiKey);
      const cut = info(true);
      await aAdmission.admit(p, cut);
      const told = info(false); // against a lease
      const admitted = await aAdmission.admit(p, told);
      const priced = aAdmission.settle(admitted.ticket, outcome());
      await priced.journaled;
      expect(priced.settlement.costNanos).toBe(USAGE_COST);
      const usageBefore = await s.dailyLimits.todayUsage({
        organizationId: g.organizationId,
        teamId: null,
        userId: g.userId,
        apiKeyId: p.kind === 'api_key' ? p.apiKeyId : '',
      });
      const before = await g.balance();
      await a.close();

      const records = () =>
        s.db.usageRecord.findMany({ where: { requestId: { in: [cut.requestId, told.requestId] } } });
      await until(async () => (await records()).length === 2, 'both requests posted by the live process');
      const byId = new Map((await records()).map((r) => [r.requestId, r]));
      expect(byId.get(cut.requestId)).toMatchObject({ costNanos: ESTIMATE, estimated: true });
      expect(byId.get(told.requestId)).toMatchObject({ costNanos: USAGE_COST, estimated: false });
      expect(await g.balance()).toBe(before - ESTIMATE - USAGE_COST);
      // Each charged exactly once, under its own id.
      expect(await usageTx(cut)).toHaveLength(1);
      expect(await usageTx(told)).toHaveLength(1);
      // Daily counters: the cut request's estimate stays counted (it is charged), the told one moved once.
      const after = await s.dailyLimits.todayUsage({
        organizationId: g.organizationId,
        teamId: null,
        userId: g.userId,
        apiKeyId: p.kind === 'api_key' ? p.apiKeyId : '',
      });
      expect(after!.limits[0]!.used).toBe(usageBefore!.limits[0]!.used);
      const agg = await s.db.usageRecord.aggregate({ _sum: { costNanos: true } });
      expect(after!.limits[0]!.used).toBe(agg._sum.costNanos);
    });

    it('a process killed between the daily-limit reservation and its admitted entry: the one that takes over gives the reservation back', async () => {
      const s = g.t.app.services;
      const b = await startTestApp(g.db, {
        state: testRedisState(prefix),
        env: {
          LITELLM_URL: g.upstream.url,
          LITELLM_MASTER_KEY: 'sk-double-master',
          LITELLM_SYNC_MODE: 'none',
          SETTLEMENT_REPLICA_TTL_MS: '300',
          SETTLEMENT_RECOVERY_INTERVAL_MS: '100000',
        },
      });
      const bAdmission = b.app.services.admission!;
      const p = await bAdmission.authenticate(g.apiKey);
      const ids = {
        organizationId: g.organizationId,
        teamId: null,
        userId: g.userId,
        apiKeyId: p.kind === 'api_key' ? p.apiKeyId : '',
      };
      const used = async () => (await s.dailyLimits.todayUsage(ids))!.limits[0]!.used;
      const before = await used();
      // Its journal never gets the `admitted` entry: the process dies first.
      const journal = (bAdmission as unknown as { journal: RedisJournal }).journal;
      journal.append = () => new Promise<string>(() => {});
      void bAdmission.admit(p, info(true)).catch(() => {});
      await until(async () => (await used()) === before + ESTIMATE, 'the estimate reserved');
      // kill -9: its liveness key goes (here at once rather than after the TTL); nothing of it runs again.
      await journal.close({ forget: false });
      await until(async () => (await used()) === before, 'the reservation given back by the live process');
      const agg = await s.db.usageRecord.aggregate({ _sum: { costNanos: true } });
      expect(await used()).toBe(agg._sum.costNanos);
    });
  });

  it('single-node mode: what a process left in its journal file is posted by the next start on the same directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-sj-'));
    const env = {
      LITELLM_URL: g.upstream.url,
      LITELLM_MASTER_KEY: 'sk-double-master',
      LITELLM_SYNC_MODE: 'none',
      SETTLEMENT_JOURNAL_DIR: dir,
      SETTLEMENT_RECOVERY_INTERVAL_MS: '100',
    };
    try {
      const first = await startTestApp(g.db, { state: new MemorySharedState(), env });
      const cut = info(true);
      const firstAdmission = first.app.services.admission!;
      await firstAdmission.admit(await firstAdmission.authenticate(g.apiKey), cut);
      await first.close(); // as kill -9 would leave it: admitted, never settled
      const before = await g.balance();
      const next = await startTestApp(g.db, { state: new MemorySharedState(), env });
      try {
        const s = g.t.app.services;
        await until(
          async () => (await s.db.usageRecord.count({ where: { requestId: cut.requestId } })) === 1,
          'the previous life posted',
        );
        expect(
          await s.db.usageRecord.findUniqueOrThrow({ where: { requestId: cut.requestId } }),
        ).toMatchObject({
          costNanos: ESTIMATE,
          estimated: true,
        });
        expect(await g.balance()).toBe(before - ESTIMATE);
      } finally {
        await next.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
