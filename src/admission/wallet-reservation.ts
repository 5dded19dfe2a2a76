import type { Counter } from 'prom-client';
import { HoldAlreadyFinalizedError, InsufficientFundsError } from '../ledger/errors.ts';
import type { LedgerService, Payer } from '../ledger/ledger-service.ts';
import { IdempotencyConflictError } from '../lib/errors.ts';
import type { ProxyRequestInfo } from './port.ts';
import { RequestIdReusedError } from './errors.ts';
import type { Ticket } from './ticket.ts';
import type { LeaseTake, WalletLeases } from './wallet-leases.ts';

/** Where a request's estimate is reserved: its own hold, or this process's lease on the wallet. */
export interface Reserved {
  holdId: string;
  walletId: string;
  currency: string;
  availableNanos: bigint;
  lease: LeaseTake | null;
  /** See Ticket.heldMark (0 for a lease). */
  heldMark: number;
}

/**
 * Reserves a request's estimate on the paying wallet (the hold statement picks it: the user's,
 * else the team's, else the organization's): from this process's lease on that wallet when it
 * has room (no round trip), else with a hold of the request's own. Requests whose client chose the
 * X-Request-ID always get their own hold, bound to that id, so a reused id is refused (409)
 * rather than replaying an earlier, already settled hold.
 */
export class WalletReservation {
  constructor(
    private readonly ledger: Pick<LedgerService, 'holdForPayer' | 'release'>,
    private readonly leases: WalletLeases,
    /** Admitted requests by where the estimate was reserved. */
    private readonly reservations: Counter<'kind'>,
  ) {}

  async reserve(
    payer: Payer,
    estimateNanos: bigint,
    info: ProxyRequestInfo,
    metadata: Record<string, string>,
  ): Promise<Reserved> {
    const fromLease = () => {
      const take = info.requestIdFromClient ? null : this.leases.take(payer, estimateNanos);
      if (!take) return null;
      const l = take.lease;
      return {
        holdId: l.holdId,
        walletId: l.walletId,
        currency: l.currency,
        availableNanos: this.leases.availableNanos(l),
        lease: take,
        heldMark: 0,
      };
    };
    const leased = fromLease();
    if (leased) {
      this.reservations.inc({ kind: 'lease' });
      return leased;
    }
    const hold = () =>
      this.ledger
        .holdForPayer({
          payer,
          amountNanos: estimateNanos,
          idempotencyKey: `req:${info.requestId}`,
          requestId: info.requestId,
          metadata,
        })
        .catch((err) => {
          throw err instanceof IdempotencyConflictError ? new RequestIdReusedError(info.requestId) : err;
        });
    let h: Awaited<ReturnType<typeof hold>>;
    try {
      h = await hold();
    } catch (err) {
      if (!(err instanceof InsufficientFundsError)) throw err;
      // Before refusing: the lease may have room again, or hold money this process can give back.
      const again = fromLease();
      if (again) {
        this.reservations.inc({ kind: 'lease' });
        return again;
      }
      h = await this.leases.holdAfterGivingBack(payer, hold, err);
    }
    if (h.idempotencyHit) throw new RequestIdReusedError(info.requestId);
    this.reservations.inc({ kind: 'hold' });
    const heldMark = this.leases.mark();
    this.leases.noteDirectHold(payer, h.availableNanos, estimateNanos);
    return {
      holdId: h.holdId,
      walletId: h.walletId,
      currency: h.currency,
      availableNanos: h.availableNanos,
      lease: null,
      heldMark,
    };
  }

  /** Gives the estimate back: to the lease, or by releasing the request's own hold. */
  async unreserve(r: Reserved | Ticket, reason: string): Promise<void> {
    if (r.lease) return this.leases.abandon(r.lease);
    const holdId = 'record' in r ? r.record.holdId : r.holdId;
    await this.ledger.release({ holdId, reason }).catch((err) => {
      // Already expired or released by the sweeper: the money is free either way.
      if (!(err instanceof HoldAlreadyFinalizedError)) throw err;
    });
  }
}
