import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WalletLeases, type WalletLeaseOptions } from '../../../src/admission/wallet-leases.ts';
import type { Payer } from '../../../src/ledger/ledger-service.ts';
import { type TestDatabase, backends, openTestDatabase } from '../../helpers/db.ts';
import { USD, walletWithBalance } from '../ledger/fixtures.ts';

const OPTS: WalletLeaseOptions = {
  enabled: true,
  holds: 10,
  maxSharePercent: 10,
  ttlMs: 60_000,
  syncMs: 2_000,
};
const E = 1_000_000n; // one request's estimate

/** Lets background lease updates (open, sync, release) finish. */
async function drain(leases: WalletLeases) {
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setImmediate(r));
    const { busy, givingBack } = leases as unknown as {
      busy: Map<string, unknown>;
      givingBack: Map<string, unknown>;
    };
    if (busy.size === 0 && givingBack.size === 0) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.each(backends())('WalletLeases on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => db?.close());

  async function setup(fund: bigint, opts: Partial<WalletLeaseOptions> = {}, nowMs = () => Date.now()) {
    const w = await walletWithBalance(db.prisma, fund);
    // A user without a wallet of their own: the organization's pays.
    const payer: Payer = {
      organizationId: w.org.id,
      currency: 'USD',
      userId: 'usr_walletless',
      teamId: null,
    };
    const leases = new WalletLeases(w.ledger, { ...OPTS, ...opts }, nowMs);
    const leaseHolds = () =>
      db.prisma.hold.findMany({ where: { walletId: w.wallet.id, idempotencyKey: { startsWith: 'lease:' } } });
    const wallet = () => db.prisma.wallet.findUniqueOrThrow({ where: { id: w.wallet.id } });
    return { ...w, payer, leases, leaseHolds, wallet };
  }

  it('opens a lease after a direct hold, sized to the smaller of N estimates and the share of the balance', async () => {
    const t = await setup(1_000n * USD);
    expect(t.leases.take(t.payer, E)).toBeNull();
    t.leases.noteDirectHold(t.payer, 1_000n * USD, E);
    await drain(t.leases);
    const [hold] = await t.leaseHolds();
    // 10 estimates (10 ms of money) is far below 10% of 1,000 USD.
    expect(hold).toMatchObject({ status: 'active', amountNanos: 10n * E });
    expect((await t.wallet()).heldNanos).toBe(10n * E);

    // Smaller balance: the share caps it (10% of 50 estimates = 5 estimates).
    const small = await setup(50n * E);
    small.leases.noteDirectHold(small.payer, 50n * E, E);
    await drain(small.leases);
    expect((await small.leaseHolds())[0]?.amountNanos).toBe(5n * E);
  });

  it('opens none when the share would not cover two requests', async () => {
    const t = await setup(19n * E);
    t.leases.noteDirectHold(t.payer, 19n * E, E);
    await drain(t.leases);
    expect(await t.leaseHolds()).toHaveLength(0);
  });

  it('admits against the lease in memory until its room is used, then refuses (the caller holds directly)', async () => {
    const t = await setup(1_000n * USD);
    t.leases.noteDirectHold(t.payer, 1_000n * USD, E);
    await drain(t.leases);
    const takes = Array.from({ length: 10 }, () => t.leases.take(t.payer, E));
    expect(takes.every((x) => x !== null)).toBe(true);
    expect(t.leases.take(t.payer, E)).toBeNull();
    // A finished request frees its estimate and takes its charge off the lease.
    t.leases.finish(takes[0]!, 400_000n);
    expect(takes[0]!.lease.amountNanos).toBeLessThan(10n * E);
    expect(t.leases.take(t.payer, 600_000n)).not.toBeNull();
    // Running low, it grew itself back towards its target in the background.
    await drain(t.leases);
    const [hold] = await t.leaseHolds();
    expect(hold!.amountNanos).toBeGreaterThan(10n * E);
    expect((await t.wallet()).heldNanos).toBe(hold!.amountNanos);
    expect((await t.ledger.checkConsistency()).ok).toBe(true);
  });

  it('stops admitting when its organization retires it, and gives the hold back once drained', async () => {
    const t = await setup(1_000n * USD);
    t.leases.noteDirectHold(t.payer, 1_000n * USD, E);
    await drain(t.leases);
    const inFlight = t.leases.take(t.payer, E)!;
    t.leases.retireOrganization(t.org.id);
    expect(t.leases.take(t.payer, E)).toBeNull();
    await drain(t.leases);
    // Busy: it gives back at once all but what its request in flight needs.
    expect(await t.leaseHolds()).toMatchObject([{ status: 'active', amountNanos: E }]);
    expect((await t.wallet()).heldNanos).toBe(E);
    t.leases.finish(inFlight, 0n);
    await drain(t.leases);
    // Not before the finished request's charge is posted: a capture must find the lease open.
    expect((await t.leaseHolds())[0]?.status).toBe('active');
    t.leases.posted(inFlight);
    await drain(t.leases);
    expect((await t.leaseHolds())[0]?.status).toBe('released');
    expect((await t.wallet()).heldNanos).toBe(0n);
  });

  it('is not used once it could not be renewed for half its lifetime', async () => {
    let now = Date.now();
    const t = await setup(1_000n * USD, {}, () => now);
    t.leases.noteDirectHold(t.payer, 1_000n * USD, E);
    await drain(t.leases);
    expect(t.leases.take(t.payer, E)).not.toBeNull();
    now += OPTS.ttlMs / 2 + 1;
    expect(t.leases.take(t.payer, E)).toBeNull();
  });

  it('gives back what it holds beyond its requests in flight before a refusal', async () => {
    const t = await setup(1_000n * USD);
    t.leases.noteDirectHold(t.payer, 1_000n * USD, E);
    await drain(t.leases);
    const inFlight = t.leases.take(t.payer, E)!;
    expect(await t.leases.giveBack(t.payer)).toBe(true);
    const [hold] = await t.leaseHolds();
    expect(hold?.amountNanos).toBe(E);
    expect((await t.wallet()).heldNanos).toBe(E);
    expect(t.leases.take(t.payer, E)).toBeNull();
    t.leases.abandon(inFlight);
  });

  it('releases every lease at close', async () => {
    const t = await setup(1_000n * USD);
    t.leases.noteDirectHold(t.payer, 1_000n * USD, E);
    await drain(t.leases);
    await t.leases.close();
    expect((await t.leaseHolds()).map((h) => h.status)).toEqual(['released']);
    expect((await t.wallet()).heldNanos).toBe(0n);
  });

  it('never opens or admits when turned off', async () => {
    const t = await setup(1_000n * USD, { enabled: false });
    t.leases.noteDirectHold(t.payer, 1_000n * USD, E);
    await drain(t.leases);
    expect(await t.leaseHolds()).toHaveLength(0);
    expect(t.leases.take(t.payer, E)).toBeNull();
  });
});
