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

/** Waits until background lease updates (open, sync, give back, release) have finished. */
async function drain(leases: WalletLeases) {
  const inner = leases as unknown as {
    busy: Map<string, unknown>;
    givingBack: Map<string, unknown>;
    releasing: Set<unknown>;
  };
  const quiet = () => inner.busy.size === 0 && inner.givingBack.size === 0 && inner.releasing.size === 0;
  const turn = () => new Promise((r) => setImmediate(r));
  const deadline = Date.now() + 30_000;
  for (;;) {
    // Quiet across a turn: an update that ends may start the next with setImmediate (reapLater).
    await turn();
    if (quiet()) {
      await turn();
      if (quiet()) return;
    }
    if (Date.now() > deadline) throw new Error('wallet lease updates still running after 30 s');
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

  /**
   * Two processes on one wallet: B's lease (10 estimates) holds all but half an estimate of the
   * money; A, which waits up to 5 s for others to give back, has no lease.
   */
  async function moneyInAnotherLease() {
    const t = await setup(100n * E);
    const b = new WalletLeases(t.ledger, { ...OPTS, maxSharePercent: 90 });
    b.noteDirectHold(t.payer, 100n * E, E);
    await drain(b);
    const walletId = (await t.wallet()).id;
    await t.ledger.adjust({
      walletId,
      amountNanos: -(100n * E - 10n * E - E / 2n),
      idempotencyKey: `leave-half-an-estimate-${walletId}`,
      description: 'test: the money is in the lease',
    });
    const a = new WalletLeases(t.ledger, { ...OPTS, giveBackWaitMs: 5_000 });
    return { t, a, b, walletId };
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

  it('grows to twice its requests in flight when more overlap than ADMISSION_LEASE_HOLDS (issue 21)', async () => {
    let now = Date.now();
    const t = await setup(1_000n * USD, {}, () => now);
    t.leases.noteDirectHold(t.payer, 1_000n * USD, E);
    await drain(t.leases);
    const inFlight = Array.from({ length: 10 }, () => t.leases.take(t.payer, E));
    expect(inFlight.every((x) => x !== null)).toBe(true);
    await drain(t.leases);
    // The next request after a sync period resizes the lease for the 10 in flight.
    now += OPTS.syncMs + 1;
    t.leases.take(t.payer, E);
    await drain(t.leases);
    const lease = inFlight[0]!.lease;
    // Room for twice the 10 in flight (less the one just taken), not the 10 estimates of ADMISSION_LEASE_HOLDS.
    expect(lease.amountNanos - lease.inflightNanos).toBeGreaterThanOrEqual(19n * E);
    const [hold] = await t.leaseHolds();
    expect(hold!.amountNanos).toBe(lease.amountNanos);
    expect((await t.wallet()).heldNanos).toBe(lease.amountNanos);

    // The share of the wallet still caps it: 10% of 50 estimates, whatever is in flight.
    const small = await setup(50n * E, {}, () => now);
    small.leases.noteDirectHold(small.payer, 50n * E, E);
    await drain(small.leases);
    const all = Array.from({ length: 5 }, () => small.leases.take(small.payer, E));
    expect(all.every((x) => x !== null)).toBe(true);
    now += OPTS.syncMs + 1;
    small.leases.take(small.payer, E);
    await drain(small.leases);
    expect((await small.leaseHolds())[0]!.amountNanos).toBeLessThanOrEqual(11n * E);
  });

  it('counts the requests it turned away since its last resize in the demand it grows to (issue 21)', async () => {
    let now = Date.now();
    const t = await setup(1_000n * USD, {}, () => now);
    t.leases.noteDirectHold(t.payer, 1_000n * USD, E);
    await drain(t.leases);
    const lease = t.leases.take(t.payer, E)!.lease;
    // Fill it, then 30 more find no room (they hold directly): some while a resize is in flight.
    for (let i = 0; i < 60 && t.leases.take(t.payer, E) !== null; i++);
    for (let i = 0; i < 30; i++) t.leases.take(t.payer, E);
    await drain(t.leases);
    const inFlight = lease.inflightNanos;
    now += OPTS.syncMs + 1;
    expect(t.leases.take(t.payer, E)).not.toBeNull();
    await drain(t.leases);
    // Room for twice the demand: what was in flight plus what was turned away, less the one just taken.
    expect(lease.amountNanos - lease.inflightNanos).toBeGreaterThanOrEqual(2n * inFlight + 2n * 20n * E - E);
    expect((await t.wallet()).heldNanos).toBe(lease.amountNanos);
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

  it('waits for another process to give back its lease before refusing, and not when nobody else holds one', async () => {
    const { t, a, b, walletId } = await moneyInAnotherLease();
    expect((await t.leaseHolds())[0]?.amountNanos).toBe(10n * E);
    const hold = (key: string) => () =>
      t.ledger.holdForPayer({ payer: t.payer, amountNanos: E, idempotencyKey: key });
    const refusal = await hold('first')().catch((e) => e);
    expect(refusal.code).toBe('INSUFFICIENT_FUNDS');
    // B hears of it (pub/sub in a gateway) once A is waiting and, idle, gives its lease back.
    const waited = a.holdAfterGivingBack(t.payer, hold('waited'), refusal);
    b.retireOrganization(t.org.id);
    const h = await waited;
    expect(h.amountNanos).toBe(E);
    // B's lease is gone now: served at once.
    expect((await a.holdAfterGivingBack(t.payer, hold('again'), refusal)).amountNanos).toBe(E);
    // 8.5 estimates left; spend all but half of one. No other lease on the wallet: refused without
    // waiting.
    await t.ledger.adjust({
      walletId,
      amountNanos: -(8n * E),
      idempotencyKey: `empty-it-${walletId}`,
      description: 'test: nearly empty',
    });
    let attempts = 0;
    const counted = () => {
      attempts++;
      return hold('empty')();
    };
    await expect(a.holdAfterGivingBack(t.payer, counted, refusal)).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
    // The hold, then (no lease elsewhere) one last hold in case one was given back meanwhile.
    expect(attempts).toBe(2);
  });

  it('is served when the other process gives its lease back between the failed hold and the look at leases', async () => {
    const { t, a, b } = await moneyInAnotherLease();
    let attempts = 0;
    const hold = async () => {
      attempts++;
      try {
        return await t.ledger.holdForPayer({ payer: t.payer, amountNanos: E, idempotencyKey: 'raced' });
      } finally {
        // The race CI once lost: B releases right after A's retry failed, before A looks for leases.
        if (attempts === 2) {
          b.retireOrganization(t.org.id);
          await drain(b);
        }
      }
    };
    const refusal = await hold().catch((e) => e);
    expect(refusal.code).toBe('INSUFFICIENT_FUNDS');
    expect((await a.holdAfterGivingBack(t.payer, hold, refusal)).amountNanos).toBe(E);
    expect(attempts).toBe(3);
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
