import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/client.ts';
import { newId } from '../../../src/lib/ids.ts';
import { PaymentRiskError } from '../../../src/risk/errors.ts';
import { backends, openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import { riskHarness, seedAccount } from './harness.ts';

const NOW = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));

/** What the payments flow writes when a top-up starts (and, for failures, when the provider reports). */
async function topUp(
  db: Db,
  a: Awaited<ReturnType<typeof seedAccount>>,
  opts: { amountMinor: bigint; at: Date; paymentStatus?: 'succeeded' | 'failed'; orderStatus?: string },
) {
  const order = await db.order.create({
    data: {
      id: newId('ord'),
      organizationId: a.org.id,
      walletId: a.wallet.id,
      userId: a.user.id,
      currency: 'USD',
      amountMinor: opts.amountMinor,
      creditNanos: opts.amountMinor * 10_000_000n,
      provider: 'stripe',
      status: opts.orderStatus ?? 'paid',
      createdAt: opts.at,
    },
  });
  if (opts.paymentStatus)
    await db.payment.create({
      data: {
        id: newId('pay'),
        orderId: order.id,
        provider: 'stripe',
        status: opts.paymentStatus,
        amountMinor: opts.amountMinor,
        currency: 'USD',
        createdAt: opts.at,
        updatedAt: opts.at,
      },
    });
}

const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

describe.each(backends())('payment risk on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => db.close());

  it('blocks the n+1th top-up in an hour, and allows it once the oldest leaves the window', async () => {
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    await h.risk.settings.put('organization', a.org.id, { payments: { topUpsPerHourMax: 3 } });
    const check = (at: Date) =>
      h.risk.payments.checkTopUpAllowed({ ...a.subject, currency: 'USD', amountMinor: 1000n, at });
    for (const m of [50, 30, 10]) {
      await check(minutesAgo(m + 1));
      await topUp(db.prisma, a, { amountMinor: 1000n, at: minutesAgo(m) });
    }
    const err = (await check(NOW).catch((e) => e)) as PaymentRiskError;
    expect(err).toBeInstanceOf(PaymentRiskError);
    expect(err).toMatchObject({ code: 'TOPUP_LIMIT_EXCEEDED', status: 429 });
    expect(err.retryAfterSeconds).toBe(10 * 60);
    // Ten minutes later the oldest of the three has left the hour.
    await expect(check(new Date(NOW.getTime() + 10 * 60_000 + 1000))).resolves.toBeUndefined();
  });

  it('limits the amount per day per currency', async () => {
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    await h.risk.settings.put('user', a.user.id, {
      payments: { topUpAmountPerDayMaxMinor: { USD: '10000' } },
    });
    await topUp(db.prisma, a, { amountMinor: 6000n, at: minutesAgo(120) });
    await topUp(db.prisma, a, { amountMinor: 5000n, at: minutesAgo(60), orderStatus: 'failed' });
    const check = (amountMinor: bigint) =>
      h.risk.payments.checkTopUpAllowed({ ...a.subject, currency: 'USD', amountMinor, at: NOW });
    await expect(check(4000n)).resolves.toBeUndefined();
    await expect(check(4001n)).rejects.toMatchObject({ code: 'TOPUP_LIMIT_EXCEEDED' });
  });

  it('refuses amounts outside the currency range', async () => {
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    await h.risk.settings.put('organization', a.org.id, {
      payments: { amountLimits: { USD: { minMinor: '500', maxMinor: '100000' } } },
    });
    const check = (amountMinor: bigint, currency = 'USD') =>
      h.risk.payments.checkTopUpAllowed({ ...a.subject, currency, amountMinor, at: NOW });
    await expect(check(499n)).rejects.toMatchObject({ code: 'AMOUNT_OUT_OF_RANGE', status: 400 });
    await expect(check(100001n)).rejects.toMatchObject({ code: 'AMOUNT_OUT_OF_RANGE' });
    await expect(check(0n, 'EUR')).rejects.toMatchObject({ code: 'AMOUNT_OUT_OF_RANGE' });
    await expect(check(500n)).resolves.toBeUndefined();
  });

  it('cools down after repeated failed payments, until the cool-down after the last one ends', async () => {
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    await h.risk.settings.put('organization', a.org.id, {
      payments: { failedPaymentsMax: 3, failedPaymentsWindowMinutes: 60, cooldownMinutes: 30 },
    });
    for (const m of [40, 20, 5])
      await topUp(db.prisma, a, {
        amountMinor: 1000n,
        at: minutesAgo(m),
        paymentStatus: 'failed',
        orderStatus: 'failed',
      });
    const check = (at: Date) =>
      h.risk.payments.checkTopUpAllowed({ ...a.subject, currency: 'USD', amountMinor: 1000n, at });
    const err = (await check(NOW).catch((e) => e)) as PaymentRiskError;
    expect(err).toMatchObject({ code: 'TOPUP_COOLDOWN', status: 429, retryAfterSeconds: 25 * 60 });
    await expect(check(new Date(NOW.getTime() + 25 * 60_000))).resolves.toBeUndefined();
  });

  it('holds credit for review when the provider marks the payment elevated or highest risk', async () => {
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    const decide = (riskLevel: string | null, riskScore: number | null = null) =>
      h.risk.payments.decideCredit({ organizationId: a.org.id, userId: a.user.id, riskLevel, riskScore });
    expect(await decide('normal', 20)).toEqual({ credit: 'now', reason: null });
    expect(await decide('elevated')).toEqual({ credit: 'hold_for_review', reason: 'risk_level:elevated' });
    expect(await decide('highest')).toMatchObject({ credit: 'hold_for_review' });
    await h.risk.settings.put('organization', a.org.id, { payments: { holdRiskScoreMin: 65 } });
    expect(await decide('normal', 70)).toEqual({ credit: 'hold_for_review', reason: 'risk_score:70' });
  });
});
