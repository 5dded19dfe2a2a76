import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

/** 11 prompt (3 cached) + 7 completion tokens of the double at the helpers' price. */
const COST = 5_625n;

describe('wallet leases through the proxy (openai client, PostgreSQL + Redis)', () => {
  let g: Gateway;
  const leaseHolds = () =>
    g.t.app.services.db.hold.findMany({
      where: { walletId: g.orgWalletId, idempotencyKey: { startsWith: 'lease:' } },
      orderBy: { createdAt: 'asc' },
    });
  const ask = (opts: { stream?: boolean } = {}) =>
    opts.stream
      ? g
          .client()
          .chat.completions.create({
            model: MODEL,
            messages: [{ role: 'user', content: 'x' }],
            max_tokens: 50,
            stream: true,
          })
          .then(async (s) => {
            for await (const _ of s);
            return 200;
          })
      : g
          .client()
          .chat.completions.create({
            model: MODEL,
            messages: [{ role: 'user', content: 'x' }],
            max_tokens: 50,
          })
          .then(() => 200)
          .catch((e) => ({ status: e.status as number, code: e.error?.code as string }));

  beforeAll(async () => {
    g = await startGateway();
    await g.fund(10_000_000_000n);
  });
  afterAll(async () => g?.close());

  it('reserves later requests from the lease the first one opened, and charges each exactly once', async () => {
    const before = await g.balance();
    expect(await ask()).toBe(200);
    await expect.poll(async () => (await leaseHolds()).filter((h) => h.status === 'active').length).toBe(1);
    const [lease] = await leaseHolds();
    for (let i = 0; i < 10; i++) expect(await ask()).toBe(200);
    expect(await ask({ stream: true })).toBe(200);
    await g.settled();

    expect(await g.balance()).toBe(before - 12n * COST);
    const s = g.t.app.services;
    // One hold of its own (the first request); the other eleven were reserved from the lease.
    expect(await s.db.hold.count({ where: { idempotencyKey: { startsWith: 'req:' } } })).toBe(1);
    const usage = await s.db.usageRecord.findMany({ where: { holdId: lease!.id } });
    expect(usage).toHaveLength(11);
    expect(usage.every((u) => u.costNanos === COST && u.status === 'succeeded')).toBe(true);
    const captures = await s.db.ledgerTransaction.findMany({
      where: { idempotencyScope: 'ledger:hold_capture' },
    });
    expect(captures).toHaveLength(11);
    expect((await s.ledger.checkConsistency()).ok).toBe(true);
    expect(await g.requestHeld()).toBe(0n);
    const metrics = await (await fetch(`${g.t.url}/metrics`)).text();
    expect(metrics).toContain('tollgate_admission_reservations_total{kind="hold"} 1');
    expect(metrics).toContain('tollgate_admission_reservations_total{kind="lease"} 11');
    expect(metrics).toContain('tollgate_wallet_lease_events_total{event="opened"} 1');
    expect(metrics).toContain('tollgate_wallet_leases{state="active"} 1');
    // The gauge follows the lease as the database holds it once every capture has landed.
    const [open] = (await leaseHolds()).filter((h) => h.status === 'active');
    expect(metrics).toContain(
      `tollgate_wallet_lease_held_nanos{currency="USD",part="amount"} ${open!.amountNanos}`,
    );
    expect(metrics).toContain('tollgate_wallet_lease_held_nanos{currency="USD",part="in_flight"} 0');
  });

  it('refuses at once when the wallet is frozen, though a lease is open', async () => {
    expect(await ask()).toBe(200);
    expect((await leaseHolds()).some((h) => h.status === 'active')).toBe(true);
    await g.t.app.services.ledger.setWalletStatus(g.orgWalletId, 'frozen');
    expect(await ask()).toEqual({ status: 403, code: 'WALLET_NOT_ACTIVE' });
    // The lease is given back once its finished requests' captures land, after SETTLEMENT_LINGER_MS.
    const metrics = () => fetch(`${g.t.url}/metrics`).then((r) => r.text());
    await expect
      .poll(metrics, { timeout: 20_000 })
      .toMatch(/tollgate_wallet_lease_events_total\{event="retired"\} [1-9]/);
    await expect
      .poll(metrics, { timeout: 20_000 })
      .toMatch(/tollgate_wallet_lease_events_total\{event="released"\} [1-9]/);
    await g.t.app.services.ledger.setWalletStatus(g.orgWalletId, 'active');
    expect(await ask()).toBe(200);
  });

  it('gives every lease back when the gateway shuts down', async () => {
    const other = await startGateway();
    try {
      await other.fund(1_000_000_000n);
      const ok = await other.client().chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        max_tokens: 50,
      });
      expect(ok.choices.length).toBe(1);
      const holds = () =>
        other.t.app.services.db.hold.findMany({ where: { idempotencyKey: { startsWith: 'lease:' } } });
      await expect.poll(async () => (await holds()).length).toBe(1);
      await other.t.app.close();
      expect((await holds()).map((h) => h.status)).toEqual(['released']);
      const w = await other.db.prisma.wallet.findUniqueOrThrow({ where: { id: other.orgWalletId } });
      expect(w.heldNanos).toBe(0n);
    } finally {
      await other.upstream.close();
      await other.db.close();
    }
  });
});
