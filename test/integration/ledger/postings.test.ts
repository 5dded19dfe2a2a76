import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTING_NANOS_MAX } from '../../../src/ledger/posting-amount.ts';
import { type TestDatabase, backends, openTestDatabase } from '../../helpers/db.ts';
import { USD, counts, walletWithBalance } from './fixtures.ts';

describe.each(backends())('Postings on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('credits a top-up from the provider clearing account with balanced entries', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma);
    const r = await ledger.creditTopUp({
      walletId: wallet.id,
      amountNanos: 25n * USD,
      paymentId: 'pay_1',
      idempotencyKey: `topup-${wallet.id}`,
    });
    expect(r).toMatchObject({ walletId: wallet.id, balanceNanos: 25n * USD, idempotencyHit: false });
    const entries = await db.prisma.ledgerEntry.findMany({
      where: { transactionId: r.transactionId },
      orderBy: { id: 'asc' },
    });
    expect(entries.map((e) => [e.accountId, e.amountNanos, e.reason])).toEqual([
      [`wallet:${wallet.id}`, 25n * USD, 'topup'],
      ['system:stripe_clearing:USD', -25n * USD, 'topup'],
    ]);
    expect((await ledger.getWallet(wallet.id)).balanceNanos).toBe(25n * USD);
    expect((await ledger.checkConsistency()).ok).toBe(true);
  });

  it('rejects zero, negative and too large amounts', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma, USD);
    const before = await counts(db);
    for (const amountNanos of [0n, -1n, POSTING_NANOS_MAX + 1n]) {
      await expect(
        ledger.hold({ walletId: wallet.id, amountNanos, idempotencyKey: `x${amountNanos}` }),
      ).rejects.toMatchObject({
        code: 'INVALID_AMOUNT',
      });
      await expect(
        ledger.creditTopUp({
          walletId: wallet.id,
          amountNanos,
          paymentId: 'p',
          idempotencyKey: `t${amountNanos}`,
        }),
      ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
    }
    await expect(
      ledger.adjust({ walletId: wallet.id, amountNanos: 0n, idempotencyKey: 'adj0', description: 'x' }),
    ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
    expect(await counts(db)).toEqual(before);
  });

  it('replays postings by key, refuses a key reused with other content, and survives a same-key race', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma);
    const input = {
      walletId: wallet.id,
      amountNanos: 7n * USD,
      paymentId: 'pay_r',
      idempotencyKey: `race-${wallet.id}`,
    };
    const results = await Promise.all([
      ledger.creditTopUp(input),
      ledger.creditTopUp(input),
      ledger.creditTopUp(input),
    ]);
    expect(new Set(results.map((r) => r.transactionId)).size).toBe(1);
    expect(results.filter((r) => !r.idempotencyHit)).toHaveLength(1);
    expect(results.every((r) => r.balanceNanos === 7n * USD)).toBe(true);
    const later = await ledger.creditTopUp(input);
    expect(later).toMatchObject({
      transactionId: results[0]!.transactionId,
      balanceNanos: 7n * USD,
      idempotencyHit: true,
    });
    await expect(ledger.creditTopUp({ ...input, amountNanos: 8n * USD })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
      status: 409,
    });
    expect((await ledger.getWallet(wallet.id)).balanceNanos).toBe(7n * USD);
  });

  it('blocks a refund beyond the unspent balance unless negative balances are allowed', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma, 10n * USD);
    await ledger.hold({ walletId: wallet.id, amountNanos: 4n * USD, idempotencyKey: 'h' });
    const before = await counts(db);
    await expect(
      ledger.debitRefund({
        walletId: wallet.id,
        amountNanos: 7n * USD,
        paymentId: 'p',
        idempotencyKey: 'rf1',
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { availableNanos: String(6n * USD) } });
    expect(await counts(db)).toEqual(before);
    const ok = await ledger.debitRefund({
      walletId: wallet.id,
      amountNanos: 6n * USD,
      paymentId: 'p',
      idempotencyKey: 'rf2',
    });
    expect(ok.balanceNanos).toBe(4n * USD);
    const neg = await ledger.debitRefund({
      walletId: wallet.id,
      amountNanos: 5n * USD,
      paymentId: 'p',
      idempotencyKey: 'rf3',
      allowNegative: true,
    });
    expect(neg.balanceNanos).toBe(-USD);
    const legs = await db.prisma.ledgerEntry.findMany({
      where: { transactionId: neg.transactionId },
      orderBy: { id: 'asc' },
    });
    expect(legs.map((e) => [e.accountId, e.amountNanos, e.reason])).toEqual([
      [`wallet:${wallet.id}`, -5n * USD, 'refund'],
      ['system:stripe_clearing:USD', 5n * USD, 'refund'],
    ]);
  });

  it('grants, adjusts both ways, and reverses a transaction exactly once', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma);
    const g = await ledger.grant({
      walletId: wallet.id,
      amountNanos: 3n * USD,
      idempotencyKey: 'gr',
      description: 'welcome',
    });
    const a = await ledger.adjust({
      walletId: wallet.id,
      amountNanos: -5n * USD,
      idempotencyKey: 'ad',
      description: 'fix',
    });
    expect(a.balanceNanos).toBe(-2n * USD);
    const rv = await ledger.reverse({ transactionId: a.transactionId, idempotencyKey: 'rv' });
    expect(rv.balanceNanos).toBe(3n * USD);
    const tx = await db.prisma.ledgerTransaction.findUniqueOrThrow({
      where: { id: rv.transactionId },
      include: { entries: true },
    });
    expect(tx).toMatchObject({ reason: 'reversal', reversesId: a.transactionId });
    expect(tx.entries.map((e) => [e.accountId, e.amountNanos]).sort()).toEqual(
      [
        [`wallet:${wallet.id}`, 5n * USD],
        ['system:adjustments:USD', -5n * USD],
      ].sort(),
    );
    await expect(
      ledger.reverse({ transactionId: a.transactionId, idempotencyKey: 'rv2' }),
    ).rejects.toMatchObject({
      code: 'ALREADY_REVERSED',
    });
    await expect(ledger.reverse({ transactionId: 'ltx_nope', idempotencyKey: 'rv3' })).rejects.toMatchObject({
      code: 'TRANSACTION_NOT_FOUND',
    });
    const promo = await db.prisma.ledgerEntry.findFirstOrThrow({
      where: { transactionId: g.transactionId, accountId: 'system:promotions:USD' },
    });
    expect(promo.amountNanos).toBe(-3n * USD);
    expect((await ledger.checkConsistency()).ok).toBe(true);
  });
});
