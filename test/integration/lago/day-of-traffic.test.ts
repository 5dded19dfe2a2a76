import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enqueueLagoRefund,
  enqueueLagoTopUp,
  enqueueLagoUsage,
} from '../../../src/integrations/lago/handlers.ts';
import { TOPUP_METADATA_KEY } from '../../../src/integrations/lago/topups.ts';
import { reconcileLago } from '../../../src/integrations/lago/reconcile.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { LagoDouble } from '../../doubles/lago/server.ts';
import {
  deliverAll,
  insertRefund,
  insertTopUp,
  insertUsage,
  lagoConfig,
  lagoWorker,
  seedWallet,
} from './fixtures.ts';

/** Deterministic pseudo-random numbers, so a failing run can be repeated. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('a day of traffic delivered to a Lago that fails 30% of calls and goes down for a while (postgres)', () => {
  let db: TestDatabase;
  let lago: LagoDouble;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    lago = new LagoDouble({ creditInvoiceDelayMs: 15, random: mulberry32(42) });
    await lago.start();
  });
  afterAll(async () => {
    await lago.close();
    await db.close();
  });

  it('ends with every usage event, top-up and refund in Lago exactly once and nothing to reconcile', async () => {
    const config = lagoConfig(lago, { LAGO_EVENTS_BATCH_SIZE: '40' });
    const { outbox, lago: integration } = await lagoWorker(db.prisma, config, ['EUR', 'USD']);
    const day = new Date('2026-11-24T00:00:00Z');
    const at = (minute: number) => new Date(day.getTime() + minute * 60_000);
    const alice = await seedWallet(db.prisma, 'EUR');
    const bob = await seedWallet(db.prisma, 'USD');

    const payments: Awaited<ReturnType<typeof insertTopUp>>[] = [];
    for (const [who, amount, minute] of [
      [alice, 2_000n, 5],
      [bob, 5_000n, 60],
      [alice, 1_050n, 600],
    ] as const) {
      const p = await insertTopUp(db.prisma, who, amount, at(minute));
      await db.prisma.$transaction((tx) =>
        enqueueLagoTopUp(tx, {
          paymentId: p.id,
          owner: { ownerType: 'user', ownerId: who.userId, currency: who.wallet.currency },
        }),
      );
      payments.push(p);
    }
    const usage: Awaited<ReturnType<typeof insertUsage>>[] = [];
    for (let i = 0; i < 240; i++) {
      const who = i % 3 === 0 ? bob : alice;
      // A few failed requests that cost nothing are not billed.
      const failed = i % 50 === 7;
      const u = await insertUsage(
        db.prisma,
        who,
        i,
        at(10 + i * 5),
        failed ? { status: 'failed', costNanos: 0n } : {},
      );
      await db.prisma.$transaction((tx) => enqueueLagoUsage(tx, u));
      usage.push(u);
    }
    const refund = await insertRefund(db.prisma, payments[0]!.id, 500n, 'EUR', at(900));
    await db.prisma.$transaction((tx) =>
      enqueueLagoRefund(tx, {
        refundId: refund.id,
        owner: { ownerType: 'user', ownerId: alice.userId, currency: 'EUR' },
      }),
    );

    lago.failures = { rate: 0.3, afterEffectShare: 0.5, hangMs: 400 };
    await deliverAll(db.prisma, outbox, {
      onRound: (i) => {
        if (i === 3) lago.down = true;
        if (i === 40) lago.down = false;
      },
    });
    lago.failures = { rate: 0 };

    expect(await db.prisma.outboxMessage.count({ where: { status: 'dead' } })).toBe(0);
    expect(lago.specViolations).toEqual([]);
    // The chaos really happened, including failures after the write took effect.
    expect(lago.calls.filter((c) => c.outcome !== 200 && c.effect).length).toBeGreaterThan(0);
    expect(lago.calls.filter((c) => c.outcome === 'reset').length).toBeGreaterThan(0);

    const billable = usage.filter((u) => u.status === 'succeeded').map((u) => u.requestId);
    const events = lago.listEvents();
    expect(events.map((e) => e.transaction_id).sort()).toEqual([...billable].sort());
    const sample = events.find((e) => e.transaction_id === usage[1]!.requestId)!;
    expect(sample).toMatchObject({
      code: config.LAGO_BILLABLE_METRIC_CODE,
      external_subscription_id: `user:${alice.userId}:EUR:usage`,
      precise_total_amount_cents: '12.345679',
      properties: {
        model: 'gpt-4o-mini',
        prompt_tokens: '101',
        completion_tokens: '21',
        total_tokens: '122',
        cost: '0.12345679',
      },
    });

    // Non-idempotent calls were guarded: one purchased transaction per payment, one voided per refund.
    const txs = lago.listWalletTransactions();
    for (const p of payments) {
      const mine = txs.filter((t) =>
        t.metadata.some((m: any) => m.key === TOPUP_METADATA_KEY && m.value === p.id),
      );
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ status: 'settled', transaction_status: 'purchased' });
    }
    expect(txs.filter((t) => t.transaction_status === 'voided')).toHaveLength(1);
    expect(lago.listInvoices()).toHaveLength(3);
    expect(lago.listWallets(`user:${alice.userId}:EUR`)[0]).toMatchObject({
      balance_cents: 2_000 + 1_050 - 500,
    });
    expect(lago.listWallets(`user:${bob.userId}:USD`)[0]).toMatchObject({ balance_cents: 5_000 });
    expect(lago.customers.size).toBe(2);

    const report = await reconcileLago(integration.ctx, { from: day, to: at(24 * 60) });
    expect(report.differenceCount).toBe(0);
    const aliceRow = report.rows.find((r) => r.externalCustomerId === `user:${alice.userId}:EUR`)!;
    expect(aliceRow).toMatchObject({ topUps: 2, topUpsConfirmed: 2, refunds: 1, refundsConfirmed: 1 });
    expect(report.rows.reduce((s, r) => s + r.usageConfirmed, 0)).toBe(billable.length);
  }, 120_000);
});
