import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldSweeper } from '../../../src/ledger/hold-sweeper.ts';
import { POSTING_NANOS_MAX } from '../../../src/ledger/posting-amount.ts';
import type { PubSub } from '../../../src/pubsub.ts';
import { type TestDatabase, backends, openTestDatabase } from '../../helpers/db.ts';
import { USD, createOrganization, walletWithBalance } from './fixtures.ts';

async function counts(db: TestDatabase) {
  const [transactions, entries, holds] = await Promise.all([
    db.prisma.ledgerTransaction.count(),
    db.prisma.ledgerEntry.count(),
    db.prisma.hold.count(),
  ]);
  return { transactions, entries, holds };
}

function recordingPubSub() {
  const events: { channel: string; event: any }[] = [];
  const pubsub = {
    publish: (channel: string, event: unknown) => events.push({ channel, event }),
  } as unknown as PubSub;
  return { pubsub, events };
}

describe.each(backends())('LedgerService on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('creates one wallet per owner and currency, with its ledger account', async () => {
    const { ledger, org, wallet } = await walletWithBalance(db.prisma);
    const again = await ledger.ensureWallet({
      organizationId: org.id,
      ownerType: 'organization',
      ownerId: org.id,
      currency: 'usd',
    });
    expect(again.id).toBe(wallet.id);
    const jpy = await ledger.ensureWallet({
      organizationId: org.id,
      ownerType: 'organization',
      ownerId: org.id,
      currency: 'JPY',
    });
    expect(jpy.id).not.toBe(wallet.id);
    const account = await db.prisma.ledgerAccount.findUniqueOrThrow({ where: { id: `wallet:${wallet.id}` } });
    expect(account).toMatchObject({ kind: 'wallet', walletId: wallet.id, currency: 'USD', balanceNanos: 0n });
    await expect(
      ledger.ensureWallet({
        organizationId: org.id,
        ownerType: 'organization',
        ownerId: org.id,
        currency: 'XYZ',
      }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_CURRENCY' });
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

  it('refuses wallets for unknown organizations and for owners outside the organization', async () => {
    const { ledger, org } = await walletWithBalance(db.prisma);
    await expect(
      ledger.ensureWallet({
        organizationId: 'org_missing',
        ownerType: 'organization',
        ownerId: 'org_missing',
        currency: 'USD',
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const other = await createOrganization(db.prisma, 'Foreign');
    const team = await db.prisma.team.create({
      data: { id: `team_${other.id}`, organizationId: other.id, name: 'x' },
    });
    await expect(
      ledger.ensureWallet({ organizationId: org.id, ownerType: 'team', ownerId: team.id, currency: 'USD' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      ledger.ensureWallet({
        organizationId: org.id,
        ownerType: 'user',
        ownerId: 'usr_nobody',
        currency: 'USD',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const inOrg = await db.prisma.team.create({
      data: { id: `team_${org.id}`, organizationId: org.id, name: 'y' },
    });
    const w = await ledger.ensureWallet({
      organizationId: org.id,
      ownerType: 'team',
      ownerId: inOrg.id,
      currency: 'USD',
    });
    expect(w).toMatchObject({ ownerType: 'team', ownerId: inOrg.id, organizationId: org.id });
  });

  it('refuses an organization wallet owned by someone else', async () => {
    const { ledger } = await walletWithBalance(db.prisma);
    const other = await createOrganization(db.prisma, 'Other');
    await expect(
      ledger.ensureWallet({
        organizationId: other.id,
        ownerType: 'organization',
        ownerId: 'org_x',
        currency: 'USD',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
