import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/client.ts';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../../src/generated/prisma/client.ts';
import { createLedger } from '../../../src/ledger/ledger-service.ts';
import { preparedStatementName } from '../../../src/db/sql.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { walletWithBalance } from './fixtures.ts';

const CHILD = path.join(import.meta.dirname, 'concurrent-holds.child.ts');

function startChild(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    cwd: path.resolve(import.meta.dirname, '../../..'),
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => (out.includes('ready\n') ? resolve() : undefined);
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`child exited ${code} before ready: ${err}`)));
  });
  const done = new Promise<Record<string, number>>((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!));
    });
  });
  return { child, ready, done, go: () => child.stdin!.write('go\n') };
}

describe('ledger concurrency on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('admits exactly the holds the balance covers when 200 arrive at once from two processes', async () => {
    const amount = 1_000_000n;
    const fits = 73n;
    // Enough for 73 holds and half of a 74th; no credit limit.
    const { ledger, wallet } = await walletWithBalance(db.prisma, fits * amount + amount / 2n);
    const a = startChild([db.url!, wallet.id, '100', amount.toString(), 'a']);
    const b = startChild([db.url!, wallet.id, '100', amount.toString(), 'b']);
    await Promise.all([a.ready, b.ready]);
    const samples: bigint[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const w = await ledger.getWallet(wallet.id);
        samples.push(w.balanceNanos - w.heldNanos);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    a.go();
    b.go();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    sampling = false;
    await sampler;

    expect((ra.ok ?? 0) + (rb.ok ?? 0)).toBe(Number(fits));
    expect((ra.INSUFFICIENT_FUNDS ?? 0) + (rb.INSUFFICIENT_FUNDS ?? 0)).toBe(200 - Number(fits));
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((s) => s >= 0n)).toBe(true);
    const w = await ledger.getWallet(wallet.id);
    expect(w.heldNanos).toBe(0n);
    const settled = await db.prisma.hold.aggregate({
      where: { walletId: wallet.id, status: 'settled' },
      _sum: { settledNanos: true },
      _count: true,
    });
    expect(settled._count).toBe(Number(fits));
    expect(w.balanceNanos).toBe(fits * amount + amount / 2n - settled._sum.settledNanos!);
    const entries = await db.prisma.ledgerEntry.aggregate({
      where: { accountId: `wallet:${wallet.id}` },
      _sum: { amountNanos: true },
    });
    expect(entries._sum.amountNanos).toBe(w.balanceNanos);
    expect((await ledger.checkConsistency()).ok).toBe(true);
  });

  it('releases each expired hold exactly once with two sweepers on separate connections', async () => {
    let nowMs = Date.UTC(2031, 0, 1);
    const clock = () => new Date(nowMs);
    const { ledger, wallet } = await walletWithBalance(db.prisma, 1_000_000n, { clock, holdTtlMs: 1_000 });
    const holds = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        ledger.hold({ walletId: wallet.id, amountNanos: 1_000n, idempotencyKey: `sw-${i}` }),
      ),
    );
    const keep = await ledger.hold({
      walletId: wallet.id,
      amountNanos: 7n,
      idempotencyKey: 'sw-keep',
      ttlMs: 3_600_000,
    });
    nowMs += 5_000;
    const second: Database = await openDatabase({ url: db.url!, poolSize: 8 });
    try {
      const sweeperA = createLedger({ db: db.prisma, clock });
      const sweeperB = createLedger({ db: second.prisma, clock });
      const rounds = await Promise.all([
        sweeperA.sweepExpiredHolds(1_000),
        sweeperB.sweepExpiredHolds(1_000),
        sweeperA.sweepExpiredHolds(1_000),
        sweeperB.sweepExpiredHolds(1_000),
      ]);
      const all = rounds.flat();
      expect(all.length).toBe(60);
      expect(new Set(all).size).toBe(60);
      expect(new Set(all)).toEqual(new Set(holds.map((h) => h.holdId)));
      expect(all).not.toContain(keep.holdId);
    } finally {
      await second.close();
    }
    expect((await ledger.getWallet(wallet.id)).heldNanos).toBe(7n);
    expect((await ledger.checkConsistency()).ok).toBe(true);
  });

  it('gives the same results with the hot statements prepared once per connection', async () => {
    const names: string[] = [];
    const prepared = new PrismaClient({
      adapter: new PrismaPg(
        { connectionString: db.url!, max: 2 },
        {
          statementNameGenerator: (q) => {
            const name = preparedStatementName(q);
            if (name) names.push(name);
            return name;
          },
        },
      ),
    });
    try {
      let nowMs = Date.UTC(2032, 0, 1);
      const { wallet } = await walletWithBalance(db.prisma, 10_000n);
      const ledger = createLedger({ db: prepared, clock: () => new Date(nowMs), holdTtlMs: 1_000 });
      for (let i = 0; i < 8; i++) {
        const h = await ledger.hold({ walletId: wallet.id, amountNanos: 100n, idempotencyKey: `p${i}` });
        if (i % 2) await ledger.settle({ holdId: h.holdId, actualNanos: 90n + BigInt(i) });
        else await ledger.release({ holdId: h.holdId });
      }
      await expect(
        ledger.hold({ walletId: wallet.id, amountNanos: 10_000n, idempotencyKey: 'big' }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_FUNDS',
      });
      const late = await ledger.hold({ walletId: wallet.id, amountNanos: 5n, idempotencyKey: 'late' });
      nowMs += 2_000;
      expect(await ledger.sweepExpiredHolds()).toContain(late.holdId);
      const w = await ledger.getWallet(wallet.id);
      expect([w.balanceNanos, w.heldNanos]).toEqual([10_000n - (91n + 93n + 95n + 97n), 0n]);
      expect(new Set(names)).toEqual(
        new Set(['tg_ledger_hold', 'tg_ledger_settle', 'tg_ledger_release', 'tg_ledger_sweep']),
      );
      expect((await ledger.checkConsistency()).ok).toBe(true);
    } finally {
      await prepared.$disconnect();
    }
  });
});
