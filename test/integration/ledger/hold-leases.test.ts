import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerService } from '../../../src/ledger/ledger-service.ts';
import { type TestDatabase, backends, openTestDatabase } from '../../helpers/db.ts';
import { USD, walletWithBalance } from './fixtures.ts';

/** A clock the test moves by hand; every ledger of a test shares it. */
function manualClock(start = Date.parse('2026-01-01T00:00:00.000Z')) {
  let t = start;
  return {
    clock: () => new Date(t),
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** 1/1000 of a USD: the unit of the concurrency tests. */
const MILLI = USD / 1000n;

describe.each(backends())('Hold leases (resizeHold, captureFromHold) on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function state(walletId: string, holdId: string) {
    const [w, h] = await Promise.all([
      db.prisma.wallet.findUniqueOrThrow({ where: { id: walletId } }),
      db.prisma.hold.findUniqueOrThrow({ where: { id: holdId } }),
    ]);
    return {
      balanceNanos: w.balanceNanos,
      heldNanos: w.heldNanos,
      holdNanos: h.amountNanos,
      holdStatus: h.status,
      expiresAt: h.expiresAt.getTime(),
    };
  }

  async function counts() {
    const [transactions, entries] = await Promise.all([
      db.prisma.ledgerTransaction.count(),
      db.prisma.ledgerEntry.count(),
    ]);
    return { transactions, entries };
  }

  async function expectConsistent(ledger: LedgerService) {
    const report = await ledger.checkConsistency();
    expect(report.walletMismatches).toEqual([]);
    expect(report.accountMismatches).toEqual([]);
    expect(report.unbalancedTransactions).toEqual([]);
    expect(report.ok).toBe(true);
  }

  /** A wallet funded with `fund` and a lease of `lease` on it, under a manual clock. */
  async function lease(fund: bigint, amount: bigint, ttlMs?: number) {
    const c = manualClock();
    const { ledger, wallet } = await walletWithBalance(db.prisma, fund, { clock: c.clock });
    const h = await ledger.hold({
      walletId: wallet.id,
      amountNanos: amount,
      idempotencyKey: `lease-${wallet.id}`,
      ttlMs,
    });
    return { ledger, wallet, holdId: h.holdId, c };
  }

  // ---------------------------------------------------------------- resizeHold

  it('grows a lease by the delta when the funds are available and moves its expiry to now + ttl', async () => {
    const { ledger, wallet, holdId, c } = await lease(10n * USD, 2n * USD);
    expect(await state(wallet.id, holdId)).toMatchObject({
      balanceNanos: 10n * USD,
      heldNanos: 2n * USD,
      holdNanos: 2n * USD,
      expiresAt: c.now() + 600_000,
    });
    c.advance(5_000);
    const r = await ledger.resizeHold({ holdId, deltaNanos: 3n * USD, ttlMs: 60_000 });
    expect(r).not.toBeNull();
    expect(r!.holdNanos).toBe(5n * USD);
    expect(r!.wallet).toMatchObject({ id: wallet.id, balanceNanos: 10n * USD, heldNanos: 5n * USD });
    expect(await state(wallet.id, holdId)).toEqual({
      balanceNanos: 10n * USD,
      heldNanos: 5n * USD,
      holdNanos: 5n * USD,
      holdStatus: 'active',
      expiresAt: c.now() + 60_000,
    });
    await expectConsistent(ledger);
  });

  it('grows a lease up to exactly the available funds and refuses one nano more, changing nothing', async () => {
    const { ledger, wallet, holdId, c } = await lease(10n * USD, 4n * USD);
    const before = await state(wallet.id, holdId);
    c.advance(1_000);
    expect(await ledger.resizeHold({ holdId, deltaNanos: 6n * USD + 1n, ttlMs: 60_000 })).toBeNull();
    expect(await state(wallet.id, holdId)).toEqual(before);

    const r = await ledger.resizeHold({ holdId, deltaNanos: 6n * USD, ttlMs: 60_000 });
    expect(r?.holdNanos).toBe(10n * USD);
    expect(await state(wallet.id, holdId)).toMatchObject({
      balanceNanos: 10n * USD,
      heldNanos: 10n * USD,
      holdNanos: 10n * USD,
    });
    expect(await ledger.resizeHold({ holdId, deltaNanos: 1n, ttlMs: 60_000 })).toBeNull();
    expect((await state(wallet.id, holdId)).heldNanos).toBe(10n * USD);
    await expectConsistent(ledger);
  });

  it('counts the wallet’s other holds when growing a lease', async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 4n * USD);
    await ledger.hold({ walletId: wallet.id, amountNanos: 5n * USD, idempotencyKey: 'other' });
    expect(await ledger.resizeHold({ holdId, deltaNanos: 1n * USD + 1n, ttlMs: 60_000 })).toBeNull();
    expect((await ledger.resizeHold({ holdId, deltaNanos: 1n * USD, ttlMs: 60_000 }))?.holdNanos).toBe(
      5n * USD,
    );
    expect((await state(wallet.id, holdId)).heldNanos).toBe(10n * USD);
    await expectConsistent(ledger);
  });

  it('grows a lease into the credit limit', async () => {
    const { ledger, wallet, holdId } = await lease(1n * USD, 1n * USD);
    await ledger.setCreditLimit(wallet.id, 2n * USD);
    expect(await ledger.resizeHold({ holdId, deltaNanos: 2n * USD + 1n, ttlMs: 60_000 })).toBeNull();
    expect((await ledger.resizeHold({ holdId, deltaNanos: 2n * USD, ttlMs: 60_000 }))?.holdNanos).toBe(
      3n * USD,
    );
    expect(await state(wallet.id, holdId)).toMatchObject({ balanceNanos: 1n * USD, heldNanos: 3n * USD });
    await expectConsistent(ledger);
  });

  it('refuses to grow a lease on a frozen or closed wallet but still lets it shrink', async () => {
    const { ledger, wallet, holdId, c } = await lease(10n * USD, 2n * USD);
    for (const status of ['frozen', 'closed'] as const) {
      await ledger.setWalletStatus(wallet.id, status);
      const before = await state(wallet.id, holdId);
      c.advance(1_000);
      expect(await ledger.resizeHold({ holdId, deltaNanos: 1n, ttlMs: 60_000 })).toBeNull();
      expect(await state(wallet.id, holdId)).toEqual(before);
    }
    const r = await ledger.resizeHold({ holdId, deltaNanos: -1n * USD, ttlMs: 60_000 });
    expect(r?.holdNanos).toBe(1n * USD);
    expect(await state(wallet.id, holdId)).toMatchObject({ heldNanos: 1n * USD, holdNanos: 1n * USD });
    await ledger.setWalletStatus(wallet.id, 'active');
    expect((await ledger.resizeHold({ holdId, deltaNanos: 1n, ttlMs: 60_000 }))?.holdNanos).toBe(USD + 1n);
    await expectConsistent(ledger);
  });

  it('refuses to resize a released lease in either direction, changing nothing', async () => {
    const { ledger, wallet, holdId, c } = await lease(10n * USD, 3n * USD);
    await ledger.release({ holdId });
    const before = await state(wallet.id, holdId);
    expect(before).toMatchObject({ heldNanos: 0n, holdNanos: 3n * USD, holdStatus: 'released' });
    c.advance(1_000);
    for (const deltaNanos of [1n, 0n, -1n])
      expect(await ledger.resizeHold({ holdId, deltaNanos, ttlMs: 60_000 })).toBeNull();
    expect(await state(wallet.id, holdId)).toEqual(before);
    await expectConsistent(ledger);
  });

  it('refuses to resize a lease the sweeper expired, changing nothing', async () => {
    const { ledger, wallet, holdId, c } = await lease(10n * USD, 3n * USD, 1_000);
    c.advance(1_000);
    expect(await ledger.sweepExpiredHolds()).toContain(holdId);
    const before = await state(wallet.id, holdId);
    expect(before).toMatchObject({ heldNanos: 0n, holdStatus: 'expired' });
    for (const deltaNanos of [1n, 0n, -1n])
      expect(await ledger.resizeHold({ holdId, deltaNanos, ttlMs: 60_000 })).toBeNull();
    expect(await state(wallet.id, holdId)).toEqual(before);
    await expectConsistent(ledger);
  });

  it('refuses to resize a hold that does not exist', async () => {
    const { ledger } = await lease(1n * USD, 1n);
    expect(await ledger.resizeHold({ holdId: 'hold_missing', deltaNanos: 1n, ttlMs: 60_000 })).toBeNull();
  });

  it('shrinks a lease and gives the amount back to the available balance', async () => {
    const { ledger, wallet, holdId, c } = await lease(10n * USD, 5n * USD);
    c.advance(2_000);
    const r = await ledger.resizeHold({ holdId, deltaNanos: -2n * USD, ttlMs: 30_000 });
    expect(r?.holdNanos).toBe(3n * USD);
    expect(r?.wallet.heldNanos).toBe(3n * USD);
    expect(await state(wallet.id, holdId)).toEqual({
      balanceNanos: 10n * USD,
      heldNanos: 3n * USD,
      holdNanos: 3n * USD,
      holdStatus: 'active',
      expiresAt: c.now() + 30_000,
    });
    await expectConsistent(ledger);
  });

  it('refuses to shrink a lease below zero but shrinks it to exactly zero', async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    const before = await state(wallet.id, holdId);
    expect(await ledger.resizeHold({ holdId, deltaNanos: -5n * USD - 1n, ttlMs: 60_000 })).toBeNull();
    expect(await state(wallet.id, holdId)).toEqual(before);
    expect((await ledger.resizeHold({ holdId, deltaNanos: -5n * USD, ttlMs: 60_000 }))?.holdNanos).toBe(0n);
    expect(await state(wallet.id, holdId)).toMatchObject({
      balanceNanos: 10n * USD,
      heldNanos: 0n,
      holdNanos: 0n,
      holdStatus: 'active',
    });
    expect(await ledger.resizeHold({ holdId, deltaNanos: -1n, ttlMs: 60_000 })).toBeNull();
    await expectConsistent(ledger);
  });

  it('renews only the expiry with a zero delta', async () => {
    const { ledger, wallet, holdId, c } = await lease(10n * USD, 5n * USD, 1_000);
    c.advance(900);
    const r = await ledger.resizeHold({ holdId, deltaNanos: 0n, ttlMs: 45_000 });
    expect(r?.holdNanos).toBe(5n * USD);
    expect(await state(wallet.id, holdId)).toEqual({
      balanceNanos: 10n * USD,
      heldNanos: 5n * USD,
      holdNanos: 5n * USD,
      holdStatus: 'active',
      expiresAt: c.now() + 45_000,
    });
    // Past the original expiry, the renewed lease is not swept.
    c.advance(1_000);
    expect(await ledger.sweepExpiredHolds()).not.toContain(holdId);
    expect((await state(wallet.id, holdId)).holdStatus).toBe('active');
    await expectConsistent(ledger);
  });

  // ---------------------------------------------------------------- captureFromHold

  it('captures usage from a lease that stays open, with balanced usage entries', async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    const r = await ledger.captureFromHold({
      holdId,
      amountNanos: 1n * USD,
      idempotencyKey: `cap-${holdId}-1`,
      requestId: 'req_cap_1',
    });
    expect(r).toMatchObject({ status: 'captured', idempotencyHit: false });
    if (r.status !== 'captured') throw new Error('not captured');
    expect(r.wallet).toMatchObject({ id: wallet.id, balanceNanos: 9n * USD, heldNanos: 4n * USD });
    expect(await state(wallet.id, holdId)).toMatchObject({
      balanceNanos: 9n * USD,
      heldNanos: 4n * USD,
      holdNanos: 4n * USD,
      holdStatus: 'active',
    });

    const tx = await db.prisma.ledgerTransaction.findUniqueOrThrow({ where: { id: r.transactionId } });
    expect(tx).toMatchObject({
      reason: 'usage',
      idempotencyScope: 'ledger:hold_capture',
      idempotencyKey: `cap-${holdId}-1`,
      requestId: 'req_cap_1',
      actorType: 'system',
    });
    expect(tx.metadata).toMatchObject({ holdId, walletBalanceAfterNanos: (9n * USD).toString() });
    const entries = await db.prisma.ledgerEntry.findMany({ where: { transactionId: r.transactionId } });
    expect(
      entries
        .map((e) => [e.accountId, e.amountNanos, e.reason, e.currency])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['system:revenue:USD', 1n * USD, 'usage', 'USD'],
      [`wallet:${wallet.id}`, -1n * USD, 'usage', 'USD'],
    ]);
    expect(entries.reduce((s, e) => s + e.amountNanos, 0n)).toBe(0n);
    await expectConsistent(ledger);
  });

  it('takes several captures in a row out of the same lease', async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    const amounts = [1n * USD, 2n * USD, USD / 2n, 1n];
    const balances: bigint[] = [];
    for (const [i, amountNanos] of amounts.entries()) {
      const r = await ledger.captureFromHold({ holdId, amountNanos, idempotencyKey: `row-${holdId}-${i}` });
      if (r.status !== 'captured') throw new Error(`capture ${i} not captured`);
      balances.push(r.wallet!.balanceNanos);
    }
    const total = 1n * USD + 2n * USD + USD / 2n + 1n;
    expect(balances).toEqual([9n * USD, 7n * USD, 7n * USD - USD / 2n, 7n * USD - USD / 2n - 1n]);
    expect(await state(wallet.id, holdId)).toMatchObject({
      balanceNanos: 10n * USD - total,
      heldNanos: 5n * USD - total,
      holdNanos: 5n * USD - total,
      holdStatus: 'active',
    });
    await expectConsistent(ledger);
  });

  it('posts the full amount of a capture larger than what the lease has left, taking the lease to zero', async () => {
    // 3 USD, a 2 USD lease and another 1 USD hold: nothing available.
    const { ledger, wallet, holdId } = await lease(3n * USD, 2n * USD);
    await ledger.hold({ walletId: wallet.id, amountNanos: 1n * USD, idempotencyKey: 'other' });
    const r = await ledger.captureFromHold({
      holdId,
      amountNanos: 3n * USD,
      idempotencyKey: `big-${holdId}`,
    });
    expect(r.status).toBe('captured');
    // The whole 3 USD is posted; held drops only by the 2 USD the lease had.
    const s = await state(wallet.id, holdId);
    expect(s).toMatchObject({ balanceNanos: 0n, heldNanos: 1n * USD, holdNanos: 0n, holdStatus: 'active' });
    expect(s.balanceNanos - s.heldNanos).toBe(-1n * USD);
    // An empty lease still takes captures: all of it is posted, nothing is freed.
    const again = await ledger.captureFromHold({ holdId, amountNanos: 5n, idempotencyKey: `big2-${holdId}` });
    expect(again.status).toBe('captured');
    expect(await state(wallet.id, holdId)).toMatchObject({
      balanceNanos: -5n,
      heldNanos: 1n * USD,
      holdNanos: 0n,
      holdStatus: 'active',
    });
    await expectConsistent(ledger);
  });

  it('captures from a lease on a frozen wallet (usage already happened)', async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    await ledger.setWalletStatus(wallet.id, 'frozen');
    const r = await ledger.captureFromHold({
      holdId,
      amountNanos: 1n * USD,
      idempotencyKey: `frz-${holdId}`,
    });
    expect(r.status).toBe('captured');
    expect(await state(wallet.id, holdId)).toMatchObject({ balanceNanos: 9n * USD, heldNanos: 4n * USD });
    await expectConsistent(ledger);
  });

  it('replays a capture with the same key and amount without posting again', async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    const key = `idem-${holdId}`;
    const first = await ledger.captureFromHold({ holdId, amountNanos: 2n * USD, idempotencyKey: key });
    if (first.status !== 'captured') throw new Error('not captured');
    const before = await state(wallet.id, holdId);
    const n = await counts();
    const replay = await ledger.captureFromHold({ holdId, amountNanos: 2n * USD, idempotencyKey: key });
    expect(replay).toEqual({
      status: 'captured',
      transactionId: first.transactionId,
      wallet: null,
      idempotencyHit: true,
    });
    expect(await state(wallet.id, holdId)).toEqual(before);
    expect(before).toMatchObject({ balanceNanos: 8n * USD, heldNanos: 3n * USD, holdNanos: 3n * USD });
    expect(await counts()).toEqual(n);
    await expectConsistent(ledger);
  });

  it('refuses a capture key reused with another amount or on another lease (IDEMPOTENCY_CONFLICT)', async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    const other = await ledger.hold({ walletId: wallet.id, amountNanos: 1n * USD, idempotencyKey: 'other' });
    const key = `conflict-${holdId}`;
    await ledger.captureFromHold({ holdId, amountNanos: 2n * USD, idempotencyKey: key });
    const before = await state(wallet.id, holdId);
    const n = await counts();
    await expect(
      ledger.captureFromHold({ holdId, amountNanos: 2n * USD + 1n, idempotencyKey: key }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    await expect(
      ledger.captureFromHold({ holdId: other.holdId, amountNanos: 2n * USD, idempotencyKey: key }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    expect(await state(wallet.id, holdId)).toEqual(before);
    expect((await state(wallet.id, other.holdId)).holdNanos).toBe(1n * USD);
    expect(await counts()).toEqual(n);
    await expectConsistent(ledger);
  });

  it('replays a landed capture after its lease was released instead of reporting the lease inactive', async () => {
    // A gateway retries a capture whose answer it lost; meanwhile the lease was given back. The capture
    // did land, so the retry must say so: on `hold_inactive` the caller charges the wallet again
    // (AdmissionService.chargeLate), which would bill the request twice.
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    const key = `lost-${holdId}`;
    const first = await ledger.captureFromHold({ holdId, amountNanos: 1n * USD, idempotencyKey: key });
    if (first.status !== 'captured') throw new Error('not captured');
    await ledger.release({ holdId });
    const before = await state(wallet.id, holdId);
    const replay = await ledger.captureFromHold({ holdId, amountNanos: 1n * USD, idempotencyKey: key });
    expect(replay).toMatchObject({
      status: 'captured',
      transactionId: first.transactionId,
      idempotencyHit: true,
    });
    expect(await state(wallet.id, holdId)).toEqual(before);
  });

  it('reports a released lease inactive and posts nothing', async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    await ledger.captureFromHold({ holdId, amountNanos: 1n * USD, idempotencyKey: `rel-${holdId}-1` });
    await ledger.release({ holdId });
    const before = await state(wallet.id, holdId);
    expect(before).toMatchObject({
      balanceNanos: 9n * USD,
      heldNanos: 0n,
      holdNanos: 4n * USD,
      holdStatus: 'released',
    });
    const n = await counts();
    expect(
      await ledger.captureFromHold({ holdId, amountNanos: 1n * USD, idempotencyKey: `rel-${holdId}-2` }),
    ).toEqual({ status: 'hold_inactive' });
    expect(await state(wallet.id, holdId)).toEqual(before);
    expect(await counts()).toEqual(n);
    await expectConsistent(ledger);
  });

  it('reports a lease the sweeper expired inactive and posts nothing', async () => {
    const { ledger, wallet, holdId, c } = await lease(10n * USD, 5n * USD, 1_000);
    c.advance(999);
    expect(await ledger.sweepExpiredHolds()).not.toContain(holdId);
    c.advance(1);
    expect(await ledger.sweepExpiredHolds()).toContain(holdId);
    const before = await state(wallet.id, holdId);
    expect(before).toMatchObject({ balanceNanos: 10n * USD, heldNanos: 0n, holdStatus: 'expired' });
    const n = await counts();
    expect(
      await ledger.captureFromHold({ holdId, amountNanos: 1n * USD, idempotencyKey: `exp-${holdId}` }),
    ).toEqual({ status: 'hold_inactive' });
    expect(await state(wallet.id, holdId)).toEqual(before);
    expect(await counts()).toEqual(n);
    await expectConsistent(ledger);
  });

  it('reports a hold that does not exist inactive', async () => {
    const { ledger } = await lease(1n * USD, 1n);
    expect(
      await ledger.captureFromHold({
        holdId: 'hold_missing',
        amountNanos: 1n,
        idempotencyKey: 'missing-hold',
      }),
    ).toEqual({ status: 'hold_inactive' });
  });

  it('refuses a zero or negative capture with INVALID_AMOUNT, changing nothing', async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    const before = await state(wallet.id, holdId);
    const n = await counts();
    for (const amountNanos of [0n, -1n, -5n * USD])
      await expect(
        ledger.captureFromHold({ holdId, amountNanos, idempotencyKey: `bad-${holdId}-${amountNanos}` }),
      ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
    expect(await state(wallet.id, holdId)).toEqual(before);
    expect(await counts()).toEqual(n);
  });

  // ---------------------------------------------------------------- concurrency

  it('keeps a lease exact under 50 parallel captures interleaved with resizes', async () => {
    const { ledger, wallet, holdId } = await lease(100n * MILLI, 60n * MILLI);
    // A capture lowers balance and held alike, so available (40) moves only with the resizes: the
    // shrinks always fit (the lease never drops below 60 - 50 - 8), the growths 10, 35 and 7 cannot
    // all fit (52 > 40 + 8), so which of them land depends on the order; 1000 never fits.
    const deltas = [10n, -5n, 35n, 7n, -3n, 1000n].map((d) => d * MILLI);
    type Capture = Awaited<ReturnType<LedgerService['captureFromHold']>>;
    type Resize = Awaited<ReturnType<LedgerService['resizeHold']>>;
    const captures: Promise<Capture>[] = [];
    const resizes: Promise<Resize>[] = [];
    // Issued in this order: a resize after every eighth capture.
    for (let i = 0; i < 50; i++) {
      captures.push(
        ledger.captureFromHold({ holdId, amountNanos: MILLI, idempotencyKey: `par-${holdId}-${i}` }),
      );
      const d = deltas[(i - 3) / 8];
      if (i % 8 === 3 && d !== undefined)
        resizes.push(ledger.resizeHold({ holdId, deltaNanos: d, ttlMs: 60_000 }));
    }
    expect(resizes).toHaveLength(deltas.length);
    const [capResults, resizeResults] = await Promise.all([Promise.all(captures), Promise.all(resizes)]);

    expect(capResults.every((r) => r.status === 'captured' && !r.idempotencyHit)).toBe(true);
    // Each capture saw a distinct balance: 99, 98, ..., 50 thousandths.
    const seen = capResults.map((r) => (r.status === 'captured' ? r.wallet!.balanceNanos : -1n));
    expect([...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(
      Array.from({ length: 50 }, (_, i) => (50n + BigInt(i)) * MILLI),
    );
    expect(resizeResults[1]).not.toBeNull();
    expect(resizeResults[4]).not.toBeNull();
    expect(resizeResults[5]).toBeNull();
    const landed = deltas.filter((_, i) => resizeResults[i] !== null);
    expect(landed.filter((d) => d > 0n).length).toBeLessThan(3);

    const hold = 60n * MILLI + landed.reduce((s, d) => s + d, 0n) - 50n * MILLI;
    const s = await state(wallet.id, holdId);
    expect(s).toMatchObject({
      balanceNanos: 50n * MILLI,
      heldNanos: hold,
      holdNanos: hold,
      holdStatus: 'active',
    });
    expect(s.balanceNanos - s.heldNanos).toBeGreaterThanOrEqual(0n);
    expect(
      await db.prisma.ledgerTransaction.count({
        where: { idempotencyScope: 'ledger:hold_capture', idempotencyKey: { startsWith: `par-${holdId}-` } },
      }),
    ).toBe(50);
    await expectConsistent(ledger);
  });

  it('keeps the wallet consistent when the sweeper races captures and a renewal of an expiring lease', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 6; round++) {
      const { ledger, wallet, holdId, c } = await lease(100n * MILLI, 20n * MILLI, 1_000);
      c.advance(1_000); // due now
      // Four captures, then the sweep and the renewal (the sweep issued first in even rounds), then four more.
      const capture = (i: number) =>
        ledger.captureFromHold({ holdId, amountNanos: MILLI, idempotencyKey: `race-${holdId}-${i}` });
      const growth = round % 3 === 1 ? 5n * MILLI : 0n;
      const captures = [0, 1, 2, 3].map(capture);
      const early = round % 2 === 0 ? ledger.sweepExpiredHolds() : null;
      const renewal = ledger.resizeHold({ holdId, deltaNanos: growth, ttlMs: 60_000 });
      const sweep = early ?? ledger.sweepExpiredHolds();
      captures.push(...[4, 5, 6, 7].map(capture));
      const [capResults, renewed, swept] = await Promise.all([Promise.all(captures), renewal, sweep]);

      const captured = BigInt(capResults.filter((r) => r.status === 'captured').length);
      const delta = renewed ? growth : 0n;
      const s = await state(wallet.id, holdId);
      // Exactly one of the renewal and the sweep decided the lease's fate.
      if (swept.includes(holdId)) {
        expect(s.holdStatus).toBe('expired');
        expect(renewed).toBeNull();
        expect(s.heldNanos).toBe(0n);
        outcomes.add('swept');
      } else {
        expect(s.holdStatus).toBe('active');
        expect(renewed).not.toBeNull();
        expect(s.heldNanos).toBe(s.holdNanos);
        expect(s.expiresAt).toBe(c.now() + 60_000);
        expect(captured).toBe(8n);
        outcomes.add('renewed');
      }
      // Captures only land while the lease is active, each taking its amount out of it.
      expect(s.holdNanos).toBe(20n * MILLI + delta - captured * MILLI);
      expect(s.balanceNanos).toBe(100n * MILLI - captured * MILLI);
      await expectConsistent(ledger);
    }
    // PGlite runs the statements in the order issued, so both outcomes happen there; on PostgreSQL
    // the pool decides.
    if (backend === 'pglite') expect([...outcomes].sort()).toEqual(['renewed', 'swept']);
    else expect(outcomes.size).toBeGreaterThan(0);
  });
  // ---------------------------------------------------------------- captureManyFromHold

  it('captures many requests in one statement exactly as one capture each would', async () => {
    const amounts = [1n * USD, 2n * USD, USD / 2n, 1n, 3n * USD];
    const batched = await lease(10n * USD, 5n * USD);
    const single = await lease(10n * USD, 5n * USD);
    const before = await counts();
    const results = await batched.ledger.captureManyFromHold(
      batched.holdId,
      amounts.map((amountNanos, i) => ({
        amountNanos,
        idempotencyKey: `many-${i}`,
        requestId: `req_many_${i}`,
      })),
    );
    expect((await counts()).transactions - before.transactions).toBe(amounts.length);
    expect((await counts()).entries - before.entries).toBe(2 * amounts.length);
    for (const [i, amountNanos] of amounts.entries())
      await single.ledger.captureFromHold({ holdId: single.holdId, amountNanos, idempotencyKey: `one-${i}` });

    // The lease ran out on the last one (6.5 USD captured from 5): it paid in full, the lease went to zero.
    const b = await state(batched.wallet.id, batched.holdId);
    const s1 = await state(single.wallet.id, single.holdId);
    expect({ ...b, expiresAt: 0 }).toEqual({ ...s1, expiresAt: 0 });
    expect(b).toMatchObject({
      balanceNanos: 10n * USD - 6n * USD - USD / 2n - 1n,
      holdNanos: 0n,
      heldNanos: 0n,
    });

    expect(results.map((r) => r.status)).toEqual(amounts.map(() => 'captured'));
    const txs = await db.prisma.ledgerTransaction.findMany({
      where: { idempotencyKey: { startsWith: 'many-' } },
    });
    const byKey = new Map(txs.map((t) => [t.idempotencyKey, t]));
    let balance = 10n * USD;
    for (const [i, amountNanos] of amounts.entries()) {
      balance -= amountNanos;
      const tx = byKey.get(`many-${i}`)!;
      expect(tx.id).toBe((results[i] as { transactionId: string }).transactionId);
      expect(tx).toMatchObject({
        reason: 'usage',
        requestId: `req_many_${i}`,
        idempotencyScope: 'ledger:hold_capture',
      });
      expect(tx.metadata).toMatchObject({
        holdId: batched.holdId,
        walletBalanceAfterNanos: balance.toString(),
      });
      const legs = await db.prisma.ledgerEntry.findMany({ where: { transactionId: tx.id } });
      expect(legs.map((l) => l.amountNanos).sort()).toEqual([-amountNanos, amountNanos].sort());
    }
    await expectConsistent(batched.ledger);
  });

  it('falls back to one capture each when a key in the batch was captured before: the replay is not charged again', async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    await ledger.captureFromHold({ holdId, amountNanos: 1n * USD, idempotencyKey: 'dup-1' });
    const results = await ledger.captureManyFromHold(holdId, [
      { amountNanos: 1n * USD, idempotencyKey: 'dup-1' },
      { amountNanos: 2n * USD, idempotencyKey: 'dup-2' },
    ]);
    expect(results.map((r) => r.status === 'captured' && r.idempotencyHit)).toEqual([true, false]);
    expect(await state(wallet.id, holdId)).toMatchObject({ balanceNanos: 7n * USD, holdNanos: 2n * USD });
    await expectConsistent(ledger);
  });

  it("captures a batch's requests one by one through the ledger's own captureFromHold, so a wrapper around it sees each", async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    const original = ledger.captureFromHold;
    const seen: string[] = [];
    ledger.captureFromHold = (input) => {
      seen.push(input.idempotencyKey);
      return original(input);
    };
    try {
      // One item: never the batch statement. A replayed key in a batch: the fallback, one by one.
      await ledger.captureManyFromHold(holdId, [{ amountNanos: 1n * USD, idempotencyKey: 'w-1' }]);
      await ledger.captureManyFromHold(holdId, [
        { amountNanos: 1n * USD, idempotencyKey: 'w-1' },
        { amountNanos: 1n * USD, idempotencyKey: 'w-2' },
      ]);
    } finally {
      ledger.captureFromHold = original;
    }
    expect(seen).toEqual(['w-1', 'w-1', 'w-2']);
    expect(await state(wallet.id, holdId)).toMatchObject({ balanceNanos: 8n * USD, holdNanos: 3n * USD });
    await expectConsistent(ledger);
  });

  it('reports every request of a batch on a released lease inactive and posts nothing', async () => {
    const { ledger, wallet, holdId } = await lease(10n * USD, 5n * USD);
    await ledger.release({ holdId, reason: 'lease_closed' });
    const before = await counts();
    const results = await ledger.captureManyFromHold(holdId, [
      { amountNanos: 1n * USD, idempotencyKey: 'gone-1' },
      { amountNanos: 1n * USD, idempotencyKey: 'gone-2' },
    ]);
    expect(results).toEqual([{ status: 'hold_inactive' }, { status: 'hold_inactive' }]);
    expect(await counts()).toEqual(before);
    expect((await state(wallet.id, holdId)).balanceNanos).toBe(10n * USD);
  });

  it('keeps a lease exact when batches and single captures race', async () => {
    const { ledger, wallet, holdId } = await lease(100n * USD, 50n * USD);
    const batch = (n: number) =>
      ledger.captureManyFromHold(
        holdId,
        Array.from({ length: 4 }, (_, i) => ({ amountNanos: MILLI, idempotencyKey: `race-${n}-${i}` })),
      );
    const one = (n: number) =>
      ledger.captureFromHold({ holdId, amountNanos: MILLI, idempotencyKey: `race-one-${n}` });
    await Promise.all([
      ...Array.from({ length: 10 }, (_, n) => batch(n)),
      ...Array.from({ length: 10 }, (_, n) => one(n)),
    ]);
    expect(await state(wallet.id, holdId)).toMatchObject({
      balanceNanos: 100n * USD - 50n * MILLI,
      holdNanos: 50n * USD - 50n * MILLI,
      heldNanos: 50n * USD - 50n * MILLI,
    });
    await expectConsistent(ledger);
  });
});
