import { randomUUID } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LedgerService, Payer } from '../ledger/ledger-service.ts';
import { logger } from '../lib/logger.ts';
import type { PubSub } from '../pubsub.ts';
import { HoldAlreadyFinalizedError, InsufficientFundsError } from '../ledger/errors.ts';

export interface WalletLeaseOptions {
  /** ADMISSION_LEASES: off means every request places its own hold (one database round trip). */
  enabled: boolean;
  /**
   * ADMISSION_LEASE_HOLDS: a lease aims to cover at least this many requests of the latest
   * estimate (twice its demand when more overlap: see `size`).
   */
  holds: number;
  /** ADMISSION_LEASE_MAX_SHARE_PERCENT: and never more than this share of what the wallet has available. */
  maxSharePercent: number;
  /** ADMISSION_LEASE_TTL_MS: the lease hold's expiry after each sync, and the most a lease is used before it is retired. */
  ttlMs: number;
  /** ADMISSION_LEASE_SYNC_MS: how often a lease in use is resized and renewed (and its wallet re-read). */
  syncMs: number;
  /**
   * ADMISSION_LEASE_GIVE_BACK_WAIT_MS: how long a request refused for want of funds waits for other
   * replicas to give back their leases' unused money before its 402 (0: not at all).
   */
  giveBackWaitMs?: number;
}

/** What happens to leases, for `tollgate_wallet_lease_events_total{event}`. */
type LeaseEvent = 'opened' | 'synced' | 'refused_growth' | 'given_back' | 'retired' | 'released';

/** A request admitted against a lease: handed back to `finish` or `abandon` exactly once. */
export interface LeaseTake {
  lease: Lease;
  estimateNanos: bigint;
}

export interface Lease {
  readonly key: string;
  readonly organizationId: string;
  readonly holdId: string;
  readonly walletId: string;
  readonly currency: string;
  /** The hold's amount as this process knows it: resizes add, charges subtract (before the database sees them). */
  amountNanos: bigint;
  /** Estimates of requests admitted and not yet finished. */
  inflightNanos: bigint;
  /** Estimates of requests turned away for want of room since the last resize started (they held directly). */
  shortNanos: bigint;
  /** Finished requests whose charge is not yet posted: the lease hold must outlive their captures. */
  pendingPostings: number;
  /** The wallet's balance - held at the last sync (held counts this lease). */
  walletAvailableNanos: bigint;
  /** `mark()` taken as the read behind `walletAvailableNanos` started: holds marked before it were counted held. */
  snapshotMark: number;
  /** What the lease should cover, recomputed at each sync. */
  targetNanos: bigint;
  openedAtMs: number;
  syncedAtMs: number;
  usedAtMs: number;
  /** No new admissions (wallet frozen, too little money, too old); released once nothing is in flight. */
  retired: boolean;
}

/** A lease idle this long (nothing in flight) is given back to the wallet. */
const IDLE_RELEASE_MS = 10_000;

/** Prometheus samples are doubles: whole nanos stay exact below 2^53 (9 million units); reporting only. */
const nanosToGaugeValue = (nanos: bigint): number => Number(nanos);

function payerKey(p: Payer): string {
  return `${p.organizationId}|${p.currency}|${p.userId}|${p.teamId ?? ''}`;
}

/**
 * Per-process leases on paying wallets, so admission needs no database round trip.
 *
 * A lease is an ordinary ledger hold on the paying wallet, sized to cover many requests. Requests
 * are admitted against it in memory (their estimate counted in flight), and each request's charge
 * is posted later with `captureFromHold`, which takes the charge out of the lease. Because the lease
 * is a hold in the database, the funds it covers are reserved against every other process: no
 * replica can spend them, and nothing admitted against a lease can overspend the wallet beyond
 * the documented settle overshoot. A lease is resized and renewed every `syncMs` while in use,
 * retired after `ttlMs` or when a wallet of its organization changes (`retireOrganization`), and
 * given back after 10 s idle or at shutdown; if this process dies, the sweeper expires it like any hold.
 *
 * Near exhaustion a lease could leave a request refused while it still holds unspent money, so
 * admission gives this process's unused lease back before it refuses (see `giveBack`), and its
 * refusal makes the other replicas retire theirs (pub/sub `walletChanged`).
 */
export class WalletLeases {
  private readonly leases = new Map<string, Lease>();
  private readonly busy = new Map<string, Promise<void>>();
  private readonly givingBack = new Map<string, Promise<boolean>>();
  private readonly releasing = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  /** Orders this process's direct holds before or after lease reads of the wallet (`noteDirectSettled`). */
  private marks = 0;
  private readonly events: AsyncIterableIterator<{ organizationId: string }> | null = null;
  private readonly counted: Counter<'event'> | null = null;

  /**
   * Wallet changes retire the organization's leases: this process's ledger calls at once, other
   * processes' changes arrive over `pubsub` (`walletChanged`), milliseconds later.
   */
  constructor(
    private readonly ledger: LedgerService,
    private readonly opts: WalletLeaseOptions,
    private readonly nowMs: () => number = Date.now,
    private readonly pubsub: PubSub | null = null,
    registry: Registry | null = null,
  ) {
    if (registry) this.counted = this.registerMetrics(registry);
    ledger.onWalletChanged((e) => this.retireOrganization(e.organizationId));
    if (!pubsub || !opts.enabled) return;
    const events = pubsub.subscribe('walletChanged');
    this.events = events;
    void (async () => {
      for await (const e of events) this.retireOrganization(e.organizationId);
    })().catch((err) => logger.warn({ err }, 'walletChanged subscription ended'));
  }

  /** Takes `estimateNanos` from the payer's lease, or null when there is none with room (the caller holds directly). */
  take(payer: Payer, estimateNanos: bigint): LeaseTake | null {
    if (!this.opts.enabled) return null;
    const lease = this.leases.get(payerKey(payer));
    if (!lease) return null;
    const now = this.nowMs();
    if (now - lease.openedAtMs > this.opts.ttlMs) this.retire(lease);
    // A lease that could not be renewed for half its lifetime may already be close to expiring.
    if (lease.retired || now - lease.syncedAtMs > this.opts.ttlMs / 2) {
      this.reap(lease);
      return null;
    }
    const room = lease.amountNanos - lease.inflightNanos;
    if (
      room < estimateNanos ||
      now - lease.syncedAtMs > this.opts.syncMs ||
      room - estimateNanos < lease.targetNanos / 2n
    )
      this.sync(lease, estimateNanos);
    if (room < estimateNanos) {
      lease.shortNanos += estimateNanos;
      return null;
    }
    lease.inflightNanos += estimateNanos;
    lease.usedAtMs = now;
    return { lease, estimateNanos };
  }

  /**
   * The request is over: its estimate leaves the lease's in-flight sum and its charge the lease's
   * amount at once. Its posting (`captureFromHold`) follows: call `posted` when it is done, so the
   * lease is not given back before the capture has landed on it.
   */
  finish(t: LeaseTake, chargedNanos: bigint): void {
    t.lease.inflightNanos -= t.estimateNanos;
    t.lease.amountNanos -= chargedNanos;
    t.lease.pendingPostings++;
  }

  /** The charge of a `finish`ed request is posted (or given up on). */
  posted(t: LeaseTake): void {
    t.lease.pendingPostings--;
    if (t.lease.retired) this.reap(t.lease);
  }

  /** A request that is not charged (failed upstream, refused after admission): its estimate goes back. */
  abandon(t: LeaseTake): void {
    t.lease.inflightNanos -= t.estimateNanos;
    if (t.lease.retired) this.reap(t.lease);
  }

  /** A point in this process's order of direct holds and lease reads: take one when a direct hold has been placed. */
  mark(): number {
    return ++this.marks;
  }

  /**
   * A request with a hold of its own (placed before `heldMark`) settled: once posted, its wallet has
   * `freedNanos` (hold − charge) more available. A lease that read the wallet after that hold was
   * placed counted all of it as held, and its posting comes after this call, so the lease's figure
   * moves now, not at its next sync: else every balance it reports lags by the difference (the
   * first request's estimate less its cost, when that request opened the lease).
   */
  noteDirectSettled(walletId: string, heldMark: number, freedNanos: bigint): void {
    for (const lease of this.leases.values())
      if (lease.walletId === walletId && lease.snapshotMark > heldMark)
        lease.walletAvailableNanos += freedNanos;
  }

  /** What the client is told its balance is after a lease-admitted request: as of the last sync, less what is reserved here. */
  availableNanos(lease: Lease): bigint {
    return lease.walletAvailableNanos + lease.amountNanos - lease.inflightNanos;
  }

  /**
   * After a direct hold on the payer's wallet: opens a lease in the background when the wallet
   * can afford one of a useful size.
   */
  noteDirectHold(payer: Payer, availableNanos: bigint, estimateNanos: bigint): void {
    if (!this.opts.enabled || estimateNanos <= 0n) return;
    const key = payerKey(payer);
    if (this.leases.has(key) || this.busy.has(key)) return;
    const amount = this.size(estimateNanos, availableNanos);
    if (amount === 0n) return;
    this.run(key, async () => {
      const snapshotMark = this.mark();
      const h = await this.ledger.holdForPayer({
        payer,
        amountNanos: amount,
        idempotencyKey: `lease:${randomUUID()}`,
        // A lease serves many requests: it is none of theirs (the one that opened it included).
        requestId: null,
        ttlMs: this.opts.ttlMs,
        metadata: { lease: true },
      });
      const now = this.nowMs();
      this.count('opened');
      this.leases.set(key, {
        key,
        organizationId: payer.organizationId,
        holdId: h.holdId,
        walletId: h.walletId,
        currency: h.currency,
        amountNanos: amount,
        inflightNanos: 0n,
        shortNanos: 0n,
        pendingPostings: 0,
        walletAvailableNanos: h.availableNanos,
        snapshotMark,
        targetNanos: amount,
        openedAtMs: now,
        syncedAtMs: now,
        usedAtMs: now,
        retired: false,
      });
      this.startTimer();
    });
  }

  /**
   * Before refusing a request for want of funds: gives back what this process's lease on the
   * payer's wallet holds beyond its requests in flight, and retires the lease. Resolves true when
   * something was given back (a direct hold is worth trying again).
   */
  async giveBack(payer: Payer): Promise<boolean> {
    // Other replicas' leases on the organization may hold the money: they give back what they do
    // not need for their requests in flight (retireOrganization), in time for this request's retry.
    if (this.opts.enabled)
      this.pubsub?.publish('walletChanged', { walletId: '', organizationId: payer.organizationId });
    const lease = this.leases.get(payerKey(payer));
    if (!lease) return false;
    return this.returnUnused(lease);
  }

  /**
   * A wallet of the organization was created, frozen or changed, or ran short on some replica:
   * which wallet pays, or whether it may, can have changed, so its leases take no more requests;
   * an idle one goes back at once, a busy one gives back all but its requests in flight now and
   * the rest once drained.
   */
  retireOrganization(organizationId: string): void {
    for (const lease of this.leases.values())
      if (lease.organizationId === organizationId) {
        if (this.idle(lease)) {
          this.retire(lease);
          this.reap(lease);
        } else void this.returnUnused(lease);
      }
  }

  /**
   * A hold for `payer` was refused for want of funds (`refusal`): gives back this process's unused
   * lease and tries `hold` again; if other replicas' leases on the wallet hold money, asks them to
   * give it back (giveBack) and keeps trying every 25 ms for up to `giveBackWaitMs`. Throws the
   * last refusal when the money does not come.
   */
  async holdAfterGivingBack<T>(payer: Payer, hold: () => Promise<T>, refusal: unknown): Promise<T> {
    const insufficient = (e: unknown) => e instanceof InsufficientFundsError;
    let last = refusal;
    const attempt = async (): Promise<T | null> => {
      try {
        return await hold();
      } catch (e) {
        if (!insufficient(e)) throw e;
        last = e;
        return null;
      }
    };
    const gaveBack = await this.giveBack(payer);
    const walletId = (last as { details?: { walletId?: unknown } }).details?.walletId;
    const waitMs = this.opts.giveBackWaitMs ?? 0;
    const waiting = this.opts.enabled && waitMs > 0 && typeof walletId === 'string';
    if (!gaveBack && !waiting) throw last;
    // Real time, not the injected clock: this waits for other processes.
    const deadline = Date.now() + waitMs;
    let othersHold = true;
    for (;;) {
      const h = await attempt();
      if (h !== null) return h;
      if (!waiting || !othersHold || Date.now() >= deadline) throw last;
      const own = [...this.leases.values()].map((l) => l.holdId);
      othersHold = (await this.ledger.leasedNanos(walletId, own)) > 0n;
      // No other lease left: one last try, as one may have been given back since the attempt above.
      if (othersHold) await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * Retires the lease and shrinks its hold to its requests in flight (and charges not yet posted).
   * Concurrent calls share one; resolves true when something was given back.
   */
  private returnUnused(lease: Lease): Promise<boolean> {
    const inProgress = this.givingBack.get(lease.key);
    if (inProgress) return inProgress;
    this.retire(lease);
    const done = (async () => {
      await this.busy.get(lease.key);
      const unused = lease.amountNanos - lease.inflightNanos;
      if (unused <= 0n) return false;
      const r = await this.resize(lease, -unused).catch(() => null);
      if (r) this.count('given_back');
      return r !== null;
    })().finally(() => {
      this.givingBack.delete(lease.key);
      this.reap(lease);
    });
    this.givingBack.set(lease.key, done);
    return done;
  }

  /** Gives every lease back (shutdown, after the requests in flight have finished). */
  async close(): Promise<void> {
    await this.events?.return?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.busy.values(), ...this.givingBack.values()]);
    await Promise.allSettled([...this.leases.values()].map((l) => this.release(l)));
    await Promise.allSettled([...this.releasing]);
  }

  private retire(lease: Lease): void {
    if (!lease.retired) this.count('retired');
    lease.retired = true;
  }

  private count(event: LeaseEvent): void {
    this.counted?.inc({ event });
  }

  /** Open leases and what they hold are read from the map at scrape time; events are counted as they happen. */
  private registerMetrics(registry: Registry): Counter<'event'> {
    const leases = this.leases;
    new Gauge({
      name: 'tollgate_wallet_leases',
      help: 'Wallet leases this process holds, by state (active: admitting requests; retired: draining)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        let retired = 0;
        for (const l of leases.values()) if (l.retired) retired++;
        this.set({ state: 'active' }, leases.size - retired);
        this.set({ state: 'retired' }, retired);
      },
    });
    new Gauge({
      name: 'tollgate_wallet_lease_held_nanos',
      help: 'What this process holds in wallet leases, by currency and part: amount (the lease holds), in_flight (estimates of requests admitted against it), in nano-units of the currency',
      labelNames: ['currency', 'part'] as const,
      registers: [registry],
      collect() {
        this.reset();
        const sums = new Map<string, { amount: bigint; inFlight: bigint }>();
        for (const l of leases.values()) {
          const s = sums.get(l.currency) ?? { amount: 0n, inFlight: 0n };
          s.amount += l.amountNanos;
          s.inFlight += l.inflightNanos;
          sums.set(l.currency, s);
        }
        for (const [currency, s] of sums) {
          this.set({ currency, part: 'amount' }, nanosToGaugeValue(s.amount));
          this.set({ currency, part: 'in_flight' }, nanosToGaugeValue(s.inFlight));
        }
      },
    });
    return new Counter({
      name: 'tollgate_wallet_lease_events_total',
      help: 'Wallet lease events: opened, synced (resized/renewed), refused_growth (the wallet could not afford the target), given_back (before a 402), retired, released',
      labelNames: ['event'] as const,
      registers: [registry],
    });
  }

  /**
   * The lease size for an estimate, given the wallet's available money: 0 when not worth one. At
   * least `holds` estimates, or twice the demand (`demandNanos`: in flight, and turned away for
   * want of room since the last resize) when more requests than that overlap (a high rate, a slow
   * upstream, a slow resize): else each request beyond the lease's room pays for a hold and a
   * settle of its own. The share of the wallet caps it either way.
   */
  private size(estimateNanos: bigint, availableNanos: bigint, demandNanos = 0n): bigint {
    const byHolds = estimateNanos * BigInt(this.opts.holds);
    const byDemand = 2n * demandNanos;
    const byCount = byHolds > byDemand ? byHolds : byDemand;
    const byShare = availableNanos > 0n ? (availableNanos * BigInt(this.opts.maxSharePercent)) / 100n : 0n;
    const amount = byCount < byShare ? byCount : byShare;
    return amount >= 2n * estimateNanos ? amount : 0n;
  }

  /** Resizes the lease towards its target and renews its expiry, in the background, once at a time. */
  private sync(lease: Lease, estimateNanos: bigint): void {
    if (this.busy.has(lease.key)) return;
    this.run(lease.key, async () => {
      const unused = lease.amountNanos - lease.inflightNanos;
      // What this process could hold: the wallet's available money plus what the lease has unused.
      // The demand: what is in flight, plus what came and found no room (it will come again).
      const demand = lease.inflightNanos + lease.shortNanos;
      lease.shortNanos = 0n;
      const target = this.size(
        estimateNanos,
        lease.walletAvailableNanos + (unused > 0n ? unused : 0n),
        demand,
      );
      lease.targetNanos = target;
      if (target === 0n) {
        this.retire(lease);
        if (unused > 0n) await this.resize(lease, -unused);
        return;
      }
      const grown = await this.resize(lease, target - unused);
      if (grown === null) {
        this.count('refused_growth');
        await this.resize(lease, 0n);
      }
    });
  }

  /** One RESIZE_HOLD; on success the local amount follows by the same delta. Null: not applied. */
  private async resize(lease: Lease, delta: bigint) {
    const snapshotMark = this.mark();
    const r = await this.ledger.resizeHold({
      holdId: lease.holdId,
      deltaNanos: delta,
      ttlMs: this.opts.ttlMs,
    });
    if (r === null) {
      // Not applied: a growth the wallet cannot afford, or the hold is gone (expired, released).
      if (delta <= 0n) {
        this.retire(lease);
        this.reapLater(lease);
      }
      return null;
    }
    this.count('synced');
    lease.amountNanos += delta;
    lease.walletAvailableNanos = r.wallet.balanceNanos - r.wallet.heldNanos;
    lease.snapshotMark = snapshotMark;
    lease.syncedAtMs = this.nowMs();
    if (r.wallet.status !== 'active' || lease.walletAvailableNanos < 0n) this.retire(lease);
    return r;
  }

  /** `reap` once the update in progress (the caller) has finished. */
  private reapLater(lease: Lease): void {
    setImmediate(() => this.reap(lease));
  }

  /** Releases a retired lease once nothing is in flight on it, nothing waits to be posted, and no update runs. */
  private reap(lease: Lease): void {
    if (this.idle(lease) && !this.busy.has(lease.key) && !this.givingBack.has(lease.key))
      this.releaseInBackground(lease);
  }

  private idle(lease: Lease): boolean {
    return lease.inflightNanos === 0n && lease.pendingPostings === 0;
  }

  private async release(lease: Lease): Promise<void> {
    if (this.leases.get(lease.key) === lease) this.count('released');
    this.drop(lease);
    await this.ledger.release({ holdId: lease.holdId, reason: 'lease_closed' }).catch((err) => {
      // Already expired or released: the money is back with the wallet either way.
      if (!(err instanceof HoldAlreadyFinalizedError))
        logger.warn({ err, holdId: lease.holdId }, 'releasing a wallet lease failed; it expires on its own');
    });
  }

  /** A release nobody awaits: `close` still does (else shutdown could cut it, leaving the hold until it expires). */
  private releaseInBackground(lease: Lease): void {
    const p: Promise<void> = this.release(lease).finally(() => this.releasing.delete(p));
    this.releasing.add(p);
  }

  private drop(lease: Lease): void {
    if (this.leases.get(lease.key) === lease) this.leases.delete(lease.key);
  }

  private run(key: string, fn: () => Promise<void>): void {
    const p = fn()
      .catch((err) => logger.warn({ err }, 'wallet lease update failed'))
      .finally(() => this.busy.delete(key));
    this.busy.set(key, p);
  }

  /** Renews leases with requests in flight but no new traffic, and gives back idle ones. */
  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const now = this.nowMs();
      for (const lease of this.leases.values()) {
        if (this.idle(lease) && (lease.retired || now - lease.usedAtMs > IDLE_RELEASE_MS)) {
          if (!this.busy.has(lease.key)) this.releaseInBackground(lease);
        } else if (now - lease.syncedAtMs > this.opts.syncMs && !this.busy.has(lease.key))
          this.run(lease.key, async () => {
            await this.resize(lease, 0n);
          });
      }
    }, this.opts.syncMs);
    this.timer.unref();
  }
}
