import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldSweeper } from '../../../src/ledger/hold-sweeper.ts';
import { type TestDatabase, backends, openTestDatabase } from '../../helpers/db.ts';
import { USD, counts, recordingPubSub, walletWithBalance } from './fixtures.ts';

describe.each(backends())('Holds (hold, settle, release, sweep, freeze) on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('holds, settles the real cost to revenue and releases the rest of the hold', async () => {
    const { pubsub, events } = recordingPubSub();
    const { ledger, wallet } = await walletWithBalance(db.prisma, 10n * USD, { pubsub });
    const hold = await ledger.hold({ walletId: wallet.id, amountNanos: 3n * USD, idempotencyKey: 'req-1' });
    expect(hold.idempotencyHit).toBe(false);
    let w = await ledger.getWallet(wallet.id);
    expect([w.balanceNanos, w.heldNanos]).toEqual([10n * USD, 3n * USD]);

    const s = await ledger.settle({ holdId: hold.holdId, actualNanos: 1_250_000_000n });
    expect(s).toMatchObject({
      settledNanos: 1_250_000_000n,
      overshootNanos: 0n,
      uncollectedNanos: 0n,
      balanceNanos: 8_750_000_000n,
      heldNanos: 0n,
      availableNanos: 8_750_000_000n,
      idempotencyHit: false,
    });
    const entries = await db.prisma.ledgerEntry.findMany({
      where: { transactionId: s.transactionId! },
      orderBy: { id: 'asc' },
    });
    expect(entries.map((e) => [e.accountId, e.amountNanos, e.reason])).toEqual([
      [`wallet:${wallet.id}`, -1_250_000_000n, 'usage'],
      ['system:revenue:USD', 1_250_000_000n, 'usage'],
    ]);
    expect(await db.prisma.hold.findUniqueOrThrow({ where: { id: hold.holdId } })).toMatchObject({
      status: 'settled',
      settledNanos: 1_250_000_000n,
      transactionId: s.transactionId,
    });
    await new Promise((r) => setImmediate(r)); // published after the caller's next step
    expect(
      events.filter((e) => e.channel === `balanceChanged:${wallet.id}`).map((e) => e.event.reason),
    ).toEqual(['topup', 'hold', 'usage']);
    expect(events.at(-1)!.event).toMatchObject({ balanceNanos: '8750000000', heldNanos: '0' });

    const h2 = await ledger.hold({ walletId: wallet.id, amountNanos: USD, idempotencyKey: 'req-2' });
    const before = await counts(db);
    const rel = await ledger.release({ holdId: h2.holdId, reason: 'upstream error' });
    expect(rel).toMatchObject({ balanceNanos: 8_750_000_000n, heldNanos: 0n, idempotencyHit: false });
    expect((await counts(db)).transactions).toBe(before.transactions);
    w = await ledger.getWallet(wallet.id);
    expect(w.heldNanos).toBe(0n);
    expect((await ledger.checkConsistency()).ok).toBe(true);
  });

  it('settles a zero cost without posting anything', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma, USD);
    const hold = await ledger.hold({ walletId: wallet.id, amountNanos: USD, idempotencyKey: 'zero' });
    const before = await counts(db);
    const s = await ledger.settle({ holdId: hold.holdId, actualNanos: 0n });
    expect(s).toMatchObject({ transactionId: null, settledNanos: 0n, balanceNanos: USD, heldNanos: 0n });
    expect((await counts(db)).transactions).toBe(before.transactions);
  });

  it('refuses a hold the available balance and credit limit cannot cover, writing nothing', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma, 2n * USD);
    await ledger.hold({ walletId: wallet.id, amountNanos: 15n * (USD / 10n), idempotencyKey: 'a' });
    const before = await counts(db);
    await expect(
      ledger.hold({ walletId: wallet.id, amountNanos: USD, idempotencyKey: 'b' }),
    ).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      status: 402,
      type: 'insufficient_quota',
      details: { availableNanos: '500000000', requestedNanos: '1000000000' },
    });
    expect(await counts(db)).toEqual(before);
    await ledger.setCreditLimit(wallet.id, USD);
    await ledger.hold({ walletId: wallet.id, amountNanos: 15n * (USD / 10n), idempotencyKey: 'b' });
    const w = await ledger.getWallet(wallet.id);
    expect(w.balanceNanos - w.heldNanos).toBe(-USD);
    await expect(
      ledger.hold({ walletId: wallet.id, amountNanos: 1n, idempotencyKey: 'c' }),
    ).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
  });

  it('refuses holds on frozen and closed wallets and on unknown wallets', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma, 5n * USD);
    await ledger.setWalletStatus(wallet.id, 'frozen');
    await expect(
      ledger.hold({ walletId: wallet.id, amountNanos: 1n, idempotencyKey: 'f' }),
    ).rejects.toMatchObject({
      code: 'WALLET_NOT_ACTIVE',
      details: { status: 'frozen' },
    });
    await ledger.setWalletStatus(wallet.id, 'closed');
    await expect(
      ledger.hold({ walletId: wallet.id, amountNanos: 1n, idempotencyKey: 'f' }),
    ).rejects.toMatchObject({
      code: 'WALLET_NOT_ACTIVE',
    });
    await expect(
      ledger.hold({ walletId: 'wal_nope', amountNanos: 1n, idempotencyKey: 'f' }),
    ).rejects.toMatchObject({
      code: 'WALLET_NOT_FOUND',
    });
    expect((await ledger.getWallet(wallet.id)).heldNanos).toBe(0n);
  });

  it('posts an overshoot up to the configured allowance and records the uncollected rest', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma, USD, { overshootMaxPercent: 50 });
    const h1 = await ledger.hold({ walletId: wallet.id, amountNanos: 800_000_000n, idempotencyKey: 'o1' });
    const s1 = await ledger.settle({ holdId: h1.holdId, actualNanos: 1_100_000_000n });
    expect(s1).toMatchObject({
      settledNanos: 1_100_000_000n,
      overshootNanos: 300_000_000n,
      uncollectedNanos: 0n,
      balanceNanos: -100_000_000n,
    });
    await ledger.grant({ walletId: wallet.id, amountNanos: USD, idempotencyKey: 'g', description: 'promo' });
    const h2 = await ledger.hold({ walletId: wallet.id, amountNanos: 200_000_000n, idempotencyKey: 'o2' });
    const s2 = await ledger.settle({ holdId: h2.holdId, actualNanos: 1_000_000_000n });
    expect(s2).toMatchObject({
      settledNanos: 300_000_000n,
      overshootNanos: 800_000_000n,
      uncollectedNanos: 700_000_000n,
    });
    expect(await db.prisma.hold.findUniqueOrThrow({ where: { id: h2.holdId } })).toMatchObject({
      settledNanos: 300_000_000n,
      overshootNanos: 800_000_000n,
    });
    expect((await ledger.checkConsistency()).ok).toBe(true);
  });

  it('replays a settle with the same amount and refuses every other second finalization', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma, 5n * USD);
    const h = await ledger.hold({ walletId: wallet.id, amountNanos: USD, idempotencyKey: 's' });
    const first = await ledger.settle({ holdId: h.holdId, actualNanos: 400_000_000n });
    const before = await counts(db);
    const replay = await ledger.settle({ holdId: h.holdId, actualNanos: 400_000_000n });
    expect(replay).toMatchObject({
      transactionId: first.transactionId,
      settledNanos: 400_000_000n,
      idempotencyHit: true,
    });
    await expect(ledger.settle({ holdId: h.holdId, actualNanos: 500_000_000n })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    await expect(ledger.release({ holdId: h.holdId })).rejects.toMatchObject({
      code: 'HOLD_ALREADY_FINALIZED',
    });
    await expect(ledger.settle({ holdId: 'hold_unknown', actualNanos: 1n })).rejects.toMatchObject({
      code: 'HOLD_NOT_FOUND',
    });
    await expect(ledger.release({ holdId: 'hold_unknown' })).rejects.toMatchObject({
      code: 'HOLD_NOT_FOUND',
    });
    const r = await ledger.hold({ walletId: wallet.id, amountNanos: USD, idempotencyKey: 'r' });
    await ledger.release({ holdId: r.holdId });
    expect(await ledger.release({ holdId: r.holdId })).toMatchObject({ idempotencyHit: true });
    await expect(ledger.settle({ holdId: r.holdId, actualNanos: 1n })).rejects.toMatchObject({
      code: 'HOLD_ALREADY_FINALIZED',
      details: { status: 'released' },
    });
    const after = await counts(db);
    expect(after.transactions).toBe(before.transactions);
    expect((await ledger.getWallet(wallet.id)).balanceNanos).toBe(4_600_000_000n);
  });

  it('replays a hold key with the same amount and refuses it with another', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma, USD);
    const a = await ledger.hold({ walletId: wallet.id, amountNanos: 600_000_000n, idempotencyKey: 'k' });
    // The replay answers even though a second 0.6 would no longer fit.
    const b = await ledger.hold({ walletId: wallet.id, amountNanos: 600_000_000n, idempotencyKey: 'k' });
    expect(b).toMatchObject({ holdId: a.holdId, idempotencyHit: true });
    await expect(
      ledger.hold({ walletId: wallet.id, amountNanos: 100n, idempotencyKey: 'k' }),
    ).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect((await ledger.getWallet(wallet.id)).heldNanos).toBe(600_000_000n);
  });

  it('answers concurrent holds with one key as one hold', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma, 10n * USD);
    const input = { walletId: wallet.id, amountNanos: USD, idempotencyKey: 'same' };
    const results = await Promise.all([
      ledger.hold(input),
      ledger.hold(input),
      ledger.hold(input),
      ledger.hold(input),
    ]);
    expect(new Set(results.map((r) => r.holdId)).size).toBe(1);
    expect(results.filter((r) => !r.idempotencyHit)).toHaveLength(1);
    expect((await ledger.getWallet(wallet.id)).heldNanos).toBe(USD);
    expect(await db.prisma.hold.count({ where: { walletId: wallet.id } })).toBe(1);
  });

  it('lets the sweeper release expired holds and then refuses to settle them', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const { ledger, wallet } = await walletWithBalance(db.prisma, 5n * USD, {
      clock: () => now,
      holdTtlMs: 60_000,
    });
    const h1 = await ledger.hold({ walletId: wallet.id, amountNanos: USD, idempotencyKey: 'e1' });
    const h2 = await ledger.hold({
      walletId: wallet.id,
      amountNanos: USD,
      idempotencyKey: 'e2',
      ttlMs: 600_000,
    });
    now = new Date(now.getTime() + 61_000);
    const swept = await ledger.sweepExpiredHolds();
    expect(swept).toContain(h1.holdId);
    expect(swept).not.toContain(h2.holdId);
    expect((await ledger.getWallet(wallet.id)).heldNanos).toBe(USD);
    await expect(ledger.settle({ holdId: h1.holdId, actualNanos: 1n })).rejects.toMatchObject({
      code: 'HOLD_ALREADY_FINALIZED',
      details: { status: 'expired' },
    });
    expect(await db.prisma.hold.findUniqueOrThrow({ where: { id: h1.holdId } })).toMatchObject({
      status: 'expired',
    });
  });

  it('runs the sweeper in the background until stopped', async () => {
    let now = new Date('2030-06-01T00:00:00Z');
    const { ledger, wallet } = await walletWithBalance(db.prisma, USD, {
      clock: () => now,
      holdTtlMs: 1_000,
    });
    const h = await ledger.hold({ walletId: wallet.id, amountNanos: USD, idempotencyKey: 'bg' });
    const sweeper = new HoldSweeper(ledger, { intervalMs: 20 });
    sweeper.start();
    try {
      now = new Date(now.getTime() + 2_000);
      for (let i = 0; i < 200; i++) {
        if ((await db.prisma.hold.findUniqueOrThrow({ where: { id: h.holdId } })).status === 'expired') break;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await sweeper.stop();
    }
    expect(await db.prisma.hold.findUniqueOrThrow({ where: { id: h.holdId } })).toMatchObject({
      status: 'expired',
    });
    expect((await ledger.getWallet(wallet.id)).heldNanos).toBe(0n);
  });

  it('freezes an amount beyond the balance and unfreezes it', async () => {
    const { ledger, wallet } = await walletWithBalance(db.prisma, USD);
    const f = await ledger.freeze({
      walletId: wallet.id,
      amountNanos: 3n * USD,
      idempotencyKey: 'dispute-1',
    });
    expect(f.expiresAt.getUTCFullYear()).toBeGreaterThan(2100);
    await expect(
      ledger.hold({ walletId: wallet.id, amountNanos: 1n, idempotencyKey: 'after' }),
    ).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
    await ledger.unfreeze({ holdId: f.holdId });
    expect((await ledger.getWallet(wallet.id)).heldNanos).toBe(0n);
  });
});
