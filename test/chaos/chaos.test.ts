/**
 * The chaos suite (issue 15): two gateway processes on their own PostgreSQL and Redis, real
 * clients (the `openai` package) streaming and not, faults injected under load, and after each
 * fault the money invariants. Run by `npm run test:chaos` (scripts/chaos.sh, called by .ci/run);
 * not part of `npm test`, whose shared services it must never touch.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { RedisSharedState } from '../../src/infra/redis-shared-state.ts';
import { bootstrap } from '../../src/resolvers/identity/bootstrap.ts';
import { type DataPlaneDouble, startDataPlaneDouble } from '../../testkit/doubles/litellm-data-plane.ts';
import { type TestDatabase, openThrowawayPostgres } from '../helpers/db.ts';
import {
  ChaosPostgres,
  ChaosRedis,
  chaosPort,
  type GatewayProcess,
  killGateway,
  startGatewayProcess,
  stopGateway,
} from './cluster.ts';

const MODEL = 'gpt-4o-mini';
/** The issue asks for a 30 s stop; 6 s keeps the suite within CI's few minutes and outlasts every retry budget the old code had (150 ms). */
const PG_STOP_MS = Number(process.env.CHAOS_PG_STOP_MS ?? 6_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Sent {
  requestId: string | null;
  stream: boolean;
  /** The cost the client was told (header or stream comment); null when it was not told one. */
  toldNanos: bigint | null;
  status: number | 'cut' | 'refused';
  /** When the client sent it and when it had the whole answer (or gave up), ms since the epoch. */
  startedAt: number;
  endedAt: number;
}

describe('chaos: no answered request goes unbilled', () => {
  let pg: ChaosPostgres;
  let redis: ChaosRedis;
  let db: TestDatabase;
  let upstream: DataPlaneDouble;
  let admin: App;
  let apiKey = '';
  let organizationId = '';
  let env: Record<string, string>;
  const gateways: GatewayProcess[] = [];
  const everyGateway: GatewayProcess[] = [];
  const sent: Sent[] = [];
  const faults: string[] = [];

  /**
   * Each start on a port the kernel reports free at that moment (or CHAOS_GATEWAY<i>_PORT): the
   * gateway binds it a second or so later, so an outgoing connection may take it first — then
   * another port is tried.
   */
  const startGw = async (i: number) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const g = await startGatewayProcess(`gw${i}`, await chaosPort(`CHAOS_GATEWAY${i}_PORT`), env);
        gateways[i] = g;
        everyGateway.push(g);
        return g;
      } catch (err) {
        if (attempt >= 5 || !String(err).includes('EADDRINUSE')) throw err;
      }
    }
  };

  beforeAll(async () => {
    // Each port is taken from the kernel just before its server starts (see chaosPort).
    ChaosPostgres.destroyData();
    pg = new ChaosPostgres(await chaosPort('CHAOS_PG_PORT'));
    pg.start();
    redis = new ChaosRedis(await chaosPort('CHAOS_REDIS_PORT'));
    await redis.destroy();
    await redis.start();
    db = await openThrowawayPostgres(pg.adminUrl, { poolSize: 5, prefix: 'tollgate_chaos' });
    upstream = await startDataPlaneDouble({
      models: [MODEL],
      record: false,
      interChunkMs: 30,
      chunks: Array.from({ length: 20 }, (_, i) => `w${i} `),
    });
    env = {
      DATABASE_URL: db.url!,
      DATABASE_POOL_SIZE: '5',
      REDIS_URL: redis.url,
      LITELLM_URL: upstream.url,
      LITELLM_MASTER_KEY: 'sk-double-master',
      LITELLM_SYNC_MODE: 'none',
      TOLLGATE_ADMIN_TOKEN: 'chaos-admin-token-0123456789-abcdefghijklmnopqrstuvwxyz',
      MIGRATE_ON_START: 'false',
      OUTBOX_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      HOLD_TTL_MS: '20000',
      HOLD_SWEEP_INTERVAL_MS: '1000',
      ADMISSION_LEASE_TTL_MS: '10000',
      ADMISSION_LEASE_SYNC_MS: '1000',
      SETTLEMENT_REPLICA_TTL_MS: '2000',
      SETTLEMENT_RECOVERY_INTERVAL_MS: '500',
      SETTLEMENT_DRAIN_TIMEOUT_MS: '3000',
    };
    // An in-process handle on the same database and Redis, for setup and the invariants; it serves nothing.
    admin = await createApp(loadConfig({ ...env, LOG_LEVEL: 'silent' }), {
      database: db,
      state: new RedisSharedState(redis.url),
    });
    const s = admin.services;
    const boot = await bootstrap(s, { org: 'Chaos', email: 'chaos@acme.test' });
    apiKey = boot.apiKey;
    organizationId = boot.organizationId;
    await s.pricing.createRule({
      modelPattern: MODEL,
      currency: 'USD',
      baseNanosPerToken: 150n,
      outputMultiplierPpm: 4_000_000n,
      cachedInputMultiplierPpm: 500_000n,
      effectiveFrom: new Date('2020-01-01T00:00:00Z'),
    });
    const wallet = await s.ledger.ensureWallet({
      organizationId,
      ownerType: 'organization',
      ownerId: organizationId,
      currency: 'USD',
    });
    await s.ledger.grant({
      walletId: wallet.id,
      amountNanos: 1_000_000_000_000n,
      idempotencyKey: 'chaos-funds',
      description: 'chaos funds',
    });
    const plan = await s.plans.createPlan({
      code: 'chaos-daily',
      name: 'chaos daily',
      kind: 'daily_limit',
      dailyLimits: [{ metric: 'cost', limitValue: 1_000_000_000_000n, currency: 'USD' }],
    } as any);
    await s.plans.assignPlan({
      planId: plan.id,
      organizationId,
      subjectType: 'organization',
      subjectId: organizationId,
      effectiveFrom: new Date('2020-01-01T00:00:00Z'),
    });
    await Promise.all([startGw(0), startGw(1)]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g && killGateway(g)));
    await admin?.close().catch(() => {});
    await upstream?.close();
    try {
      pg?.destroy();
    } catch {}
    await redis?.destroy();
  });

  /** One request through gateway `i`, streamed or not, as a client sees it. */
  async function one(i: number, stream: boolean): Promise<Sent> {
    const startedAt = Date.now();
    const r = await answer(i, stream);
    return { ...r, startedAt, endedAt: Date.now() };
  }

  async function answer(i: number, stream: boolean): Promise<Omit<Sent, 'startedAt' | 'endedAt'>> {
    const g = gateways[i]!;
    const client = new OpenAI({ apiKey, baseURL: `${g.url}/v1`, maxRetries: 0, timeout: 20_000 });
    const body = { model: MODEL, messages: [{ role: 'user' as const, content: 'chaos' }], max_tokens: 60 };
    let requestId: string | null = null;
    try {
      if (stream) {
        const res = await client.chat.completions.create({ ...body, stream: true }).asResponse();
        requestId = res.headers.get('x-request-id');
        const text = await res.text();
        const told = /cost_nanos=(\d+)/.exec(text);
        return { requestId, stream, toldNanos: told ? BigInt(told[1]!) : null, status: told ? 200 : 'cut' };
      }
      const { response } = await client.chat.completions.create(body).withResponse();
      requestId = response.headers.get('x-request-id');
      const cost = response.headers.get('x-tollgate-cost-nanos');
      return { requestId, stream, toldNanos: cost === null ? null : BigInt(cost), status: response.status };
    } catch (err) {
      const status = (err as { status?: number }).status;
      return { requestId, stream, toldNanos: null, status: status ?? (requestId ? 'cut' : 'refused') };
    }
  }

  /** Load from 8 clients over both gateways until `stop` resolves. */
  async function load(stop: Promise<unknown>) {
    let done = false;
    void stop.then(() => {
      done = true;
    });
    let n = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        while (!done) {
          const k = n++;
          const i = (w + k) % 2;
          if (gateways[i]?.exit) {
            await sleep(50);
            continue;
          }
          sent.push(await one(i, k % 2 === 0));
        }
      }),
    );
  }

  /**
   * Waits until every journal is empty and every told request has its usage record — or 30 s, after
   * which the figures are printed anyway and the invariants say what is missing.
   */
  async function quiesce() {
    const s = admin.services;
    const client = (s.state as RedisSharedState).client;
    await until(
      async () => {
        const streams = await client.keys('tollgate:sj:stream:*');
        let pending = 0;
        for (const k of streams) pending += await client.xlen(k.slice('tollgate:'.length));
        if (pending > 0) return false;
        const told = sent.filter((x) => x.toldNanos !== null && x.requestId).map((x) => x.requestId!);
        const have = await s.db.usageRecord.count({ where: { requestId: { in: told } } });
        return have === told.length;
      },
      'journals drained and every told request posted',
      30_000,
    ).catch((err) => process.stdout.write(`CHAOS ${(err as Error).message}\n`));
    // Expired holds are swept within HOLD_SWEEP_INTERVAL_MS: wait for the sweep, not a fixed time.
    await until(
      async () =>
        (await s.db.hold.count({ where: { status: 'active', expiresAt: { lt: new Date() } } })) === 0,
      'expired holds swept',
      30_000,
    ).catch((err) => process.stdout.write(`CHAOS ${(err as Error).message}\n`));
  }

  /** The invariants, printed for the CI log. */
  async function check(fault: string, opts: { countersExact: boolean } = { countersExact: true }) {
    await quiesce();
    const s = admin.services;
    const usage = await s.db.usageRecord.findMany({ where: { organizationId } });
    const byRequest = new Map(usage.map((u) => [u.requestId, u]));
    const rows = await s.db.$queryRaw<{ requestId: string | null; debit: bigint; n: bigint }[]>`
      SELECT t."requestId", -sum(e."amountNanos")::bigint AS debit, count(DISTINCT t.id)::bigint AS n
        FROM ledger_transactions t JOIN ledger_entries e ON e."transactionId" = t.id
       WHERE t.reason = 'usage' AND e."accountId" LIKE 'wallet:%'
       GROUP BY t."requestId"`;
    const debits = new Map(rows.map((r) => [r.requestId ?? '', r]));
    const told = sent.filter((x) => x.toldNanos !== null);
    const cut = sent.filter((x) => x.status === 'cut' && x.requestId);
    let toldSum = 0n;
    let chargedForTold = 0n;
    const wrong: string[] = [];
    for (const x of told) {
      toldSum += x.toldNanos!;
      const d = debits.get(x.requestId!);
      const charged = d?.debit ?? 0n;
      chargedForTold += charged;
      if (charged !== x.toldNanos || (x.toldNanos! > 0n && d?.n !== 1n))
        wrong.push(`${x.requestId}: told ${x.toldNanos}, charged ${charged} in ${d?.n ?? 0} postings`);
    }
    let chargedForCut = 0n;
    for (const x of cut) chargedForCut += debits.get(x.requestId!)?.debit ?? 0n;
    const ledgerTotal = rows.reduce((a, r) => a + r.debit, 0n);
    const usageTotal = usage.reduce((a, u) => a + u.costNanos, 0n);
    const consistency = await s.ledger.checkConsistency();
    const now = new Date(Date.now() - 3_000);
    const overdue = await s.db.hold.count({ where: { status: 'active', expiresAt: { lt: now } } });
    const readCounter = async () => {
      const today = await s.dailyLimits.todayUsage({
        organizationId,
        teamId: null,
        userId: usage[0]?.userId ?? '',
        apiKeyId: usage[0]?.apiKeyId ?? '',
      });
      return today?.limits[0]?.used ?? 0n;
    };
    const planDay = usage.find((u) => u.planDay)?.planDay;
    const dayTotal = usage.filter((u) => u.planDay === planDay).reduce((a, u) => a + u.costNanos, 0n);
    // Counter moves that failed while Redis was away are retried in the background (backoff up to 5 s).
    if (opts.countersExact)
      await until(async () => (await readCounter()) === dayTotal, 'daily counter settled', 15_000).catch(
        () => {},
      );
    const counter = await readCounter();
    const crashed = everyGateway.filter((g) => g.exit && !g.exit.killed);
    const figures = {
      fault,
      requests: sent.length,
      answered: told.length,
      cut: cut.length,
      refused: sent.filter((x) => x.toldNanos === null && x.status !== 'cut').length,
      toldNanos: toldSum.toString(),
      chargedForToldNanos: chargedForTold.toString(),
      chargedForCutNanos: chargedForCut.toString(),
      ledgerUsageDebitsNanos: ledgerTotal.toString(),
      usageRecordsNanos: usageTotal.toString(),
      drift: (ledgerTotal - usageTotal).toString(),
      dailyCounterNanos: counter.toString(),
      dailyUsageNanos: dayTotal.toString(),
      dailyCounterExcessNanos: (counter - dayTotal).toString(),
      overdueHolds: overdue,
      consistent: consistency.ok,
      crashed: crashed.map((g) => g.name),
      faults: faults.length,
    };
    process.stdout.write(`CHAOS ${JSON.stringify(figures)}\n`);
    expect(wrong).toEqual([]);
    expect(chargedForTold).toBe(toldSum);
    // Every cut request is charged once at most (its estimate or what was streamed), never twice.
    for (const x of cut) expect((debits.get(x.requestId!)?.n ?? 0n) <= 1n).toBe(true);
    expect(ledgerTotal).toBe(usageTotal);
    expect(consistency.ok).toBe(true);
    expect(overdue).toBe(0);
    // Exactly: a gateway killed after reserving a request's daily limit but before journaling it
    // has that reservation given back by the gateway that takes over (its mark index).
    if (opts.countersExact) expect(counter).toBe(dayTotal);
    expect(crashed.map((g) => `${g.name}: ${g.exit?.code} ${g.output.slice(-5).join('')}`)).toEqual([]);
    for (const u of usage) expect(byRequest.get(u.requestId)).toBeDefined();
  }

  it('baseline: load without faults', async () => {
    await load(sleep(3_000));
    await check('none');
  });

  it('kill -9 of a gateway mid-stream, then it restarts', async () => {
    faults.push('kill -9 mid-stream');
    await load(
      (async () => {
        await sleep(1_500);
        await killGateway(gateways[0]!);
        await sleep(1_000);
        await startGw(0);
        await sleep(1_500);
      })(),
    );
    await check('kill -9 mid-stream');
  });

  it(`PostgreSQL restart, and a stop of ${PG_STOP_MS / 1000} s`, async () => {
    faults.push('pg restart', 'pg stop');
    await load(
      (async () => {
        await sleep(1_000);
        pg.stop();
        pg.start();
        await sleep(1_500);
        pg.stop();
        await sleep(PG_STOP_MS);
        pg.start();
        await sleep(1_500);
      })(),
    );
    await check(`pg restart + ${PG_STOP_MS / 1000} s stop`);
  });

  it('kill -9 of a gateway between answer and posting (database away), then it restarts', async () => {
    faults.push('kill -9 between answer and posting');
    await load(
      (async () => {
        await sleep(1_000);
        pg.stop();
        await sleep(1_500);
        await killGateway(gateways[1]!);
        pg.start();
        await startGw(1);
        await sleep(1_000);
      })(),
    );
    await check('kill -9 between answer and posting');
  });

  it('upstream disappearing mid-stream', async () => {
    faults.push('upstream reset mid-stream');
    for (let i = 0; i < 10; i++) upstream.next({ kind: 'reset-mid-stream', afterChunks: 5 });
    await load(sleep(2_000));
    await check('upstream reset mid-stream');
  });

  it('a slow ledger: postings held back by a lock on the ledger while requests flow', async () => {
    faults.push('slow ledger');
    const LOCK_MS = 4_000;
    let lockedFrom = 0;
    let lockedUntil = 0;
    await load(
      (async () => {
        await sleep(1_000);
        // Every posting inserts ledger entries: a transaction of the test holding the table in
        // EXCLUSIVE mode (reads still pass) makes each one wait until it commits.
        await admin.services.db.$transaction(
          async (tx) => {
            await tx.$executeRawUnsafe('LOCK TABLE ledger_entries IN EXCLUSIVE MODE');
            lockedFrom = Date.now();
            await sleep(LOCK_MS);
            lockedUntil = Date.now();
          },
          { timeout: LOCK_MS + 10_000, maxWait: 10_000 },
        );
        await sleep(1_000);
      })(),
    );
    // Answers do not wait for the ledger: requests sent while it was locked were answered, with
    // their cost, before it was released.
    const answeredWhileLocked = sent.filter(
      (x) => x.toldNanos !== null && x.startedAt >= lockedFrom && x.endedAt < lockedUntil,
    );
    process.stdout.write(
      `CHAOS ${JSON.stringify({ fault: 'slow ledger', lockMs: lockedUntil - lockedFrom, answeredWhileLocked: answeredWhileLocked.length })}\n`,
    );
    expect(answeredWhileLocked.length).toBeGreaterThan(0);
    await check('slow ledger');
  });

  it('graceful shutdown of a gateway under load drains its postings', async () => {
    faults.push('SIGTERM');
    await load(
      (async () => {
        await sleep(1_000);
        await stopGateway(gateways[0]!);
        await startGw(0);
        await sleep(1_000);
      })(),
    );
    await check('graceful shutdown');
  });
  it('Redis restart, data kept (append-only file)', async () => {
    faults.push('redis restart');
    await load(
      (async () => {
        await sleep(1_000);
        await redis.kill(false);
        await redis.start();
        await sleep(1_500);
      })(),
    );
    // A reservation Redis applied whose reply died with the connection is given back by its mark
    // once Redis answers again, so the daily counter equals the usage records. The Redis faults
    // run last, as the figures are cumulative.
    await check('redis restart (AOF)');
  });

  it('Redis restart with its data lost (no AOF left)', async () => {
    faults.push('redis data loss');
    await load(
      (async () => {
        await sleep(1_000);
        await redis.kill(true);
        await redis.start();
        await sleep(1_500);
      })(),
    );
    // Counters are rebuilt from usage records while requests are in flight; a reservation's move that
    // lands on a rebuilt counter is not exact (docs/reliability.md): printed, not asserted. Last, as
    // the figures are cumulative.
    await check('redis data loss', { countersExact: false });
  });
});
