import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, backends, openTestDatabase } from '../../helpers/db.ts';
import { USD, walletWithBalance } from './fixtures.ts';

describe.each(backends())('checkConsistency on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('reports tampered caches and unbalanced transactions', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma, 2n * USD);
    expect((await ledger.checkConsistency()).ok).toBe(true);
    await db.prisma.wallet.update({
      where: { id: wallet.id },
      data: { balanceNanos: 3n * USD, heldNanos: 1n },
    });
    const tx = await db.prisma.ledgerTransaction.findFirstOrThrow({
      where: { idempotencyKey: `fund-${wallet.id}` },
    });
    await db.prisma.ledgerEntry.create({
      data: {
        transactionId: tx.id,
        accountId: 'system:revenue:USD',
        currency: 'USD',
        amountNanos: 1n,
        reason: 'topup',
      },
    });
    const report = await ledger.checkConsistency();
    expect(report.ok).toBe(false);
    expect(report.walletMismatches).toContainEqual(
      expect.objectContaining({
        walletId: wallet.id,
        balanceNanos: 3n * USD,
        entriesSumNanos: 2n * USD,
        heldNanos: 1n,
        activeHoldsSumNanos: 0n,
      }),
    );
    expect(report.unbalancedTransactions).toContainEqual({
      transactionId: tx.id,
      currency: 'USD',
      sumNanos: 1n,
    });
    expect(report.accountMismatches.map((a) => a.accountId)).toContain('system:revenue:USD');
    // Repair so later tests on this database see a healthy ledger again.
    await db.prisma.ledgerEntry.deleteMany({
      where: { transactionId: tx.id, accountId: 'system:revenue:USD' },
    });
    await db.prisma.wallet.update({
      where: { id: wallet.id },
      data: { balanceNanos: 2n * USD, heldNanos: 0n },
    });
  });
});
