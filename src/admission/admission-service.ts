import { Counter } from 'prom-client';
import type { Principal } from '../identity/principal.ts';
import { lagoEnabled } from '../integrations/lago/handlers.ts';
import { UnauthenticatedError } from '../lib/errors.ts';
import { logger } from '../lib/logger.ts';
import { computeCost } from '../pricing/cost.ts';
import type { Admission, Admitted, Outcome, Priced, ProxyRequestInfo } from './port.ts';
import { admitRequest, type AdmitContext } from './admit.ts';
import { BillingCurrency } from './billing-currency.ts';
import { moveCounters } from './counter-moves.ts';
import type { AdmissionDeps } from './deps.ts';
import { KeySpendLimits } from './key-spend-limits.ts';
import { LedgerPosting } from './ledger-posting.ts';
import { modelAllowed } from './model-allowlist.ts';
import { recoverOrphans } from './orphans.ts';
import { UsageRecorder } from './record-usage.ts';
import { MemoryJournal, type OrphanBatch, type SettlementJournal } from './settlement-journal.ts';
import { type Ticket, settledOutcome, takeTicket } from './ticket.ts';
import { WalletLeases } from './wallet-leases.ts';
import { WalletReservation } from './wallet-reservation.ts';

/** The proxy's admission, plus what the process that runs it needs: recovery and shutdown. */
export interface AdmissionService extends Admission<Ticket> {
  /** Posts what a process that is gone left in the journal (see orphans.ts); resolves with the ids posted. */
  recoverOrphans(batch: OrphanBatch): Promise<string[]>;
  /** Shutdown, first step: postings still failing `drainMs` from now are left to the journal. */
  drainWithin(drainMs: number): void;
  /** Gives back every wallet lease and ends the journal (after the proxy has finished its requests). */
  close(): Promise<void>;
}

/**
 * The admission of the proxy path, over the settlement journal (the in-memory one unless the
 * process has a durable one: src/app.ts).
 */
export function createAdmission(
  deps: AdmissionDeps,
  journal: SettlementJournal = new MemoryJournal(),
): AdmissionService {
  return new ProxyAdmission(deps, journal);
}

/**
 * `admit` runs the rules (admit.ts) and reserves the estimate; `settle` prices the real usage
 * exactly, journals the charge, moves every reservation to it and posts it to the ledger
 * (ledger-posting.ts) after the answer; `release` gives everything back.
 */
class ProxyAdmission implements AdmissionService {
  private readonly keySpend: KeySpendLimits;
  private readonly leases: WalletLeases;
  private readonly wallet: WalletReservation;
  private readonly posting: LedgerPosting;
  private readonly usage: UsageRecorder;
  private readonly rules: AdmitContext;
  private readonly journalFailures: Counter<'entry'>;
  private readonly counters: Parameters<typeof moveCounters>[0];

  constructor(
    private readonly deps: AdmissionDeps,
    private readonly journal: SettlementJournal,
  ) {
    const registry = deps.metrics.registry;
    const c = deps.config;
    this.keySpend = new KeySpendLimits({
      db: deps.db,
      state: deps.state,
      nowMs: () => deps.clock().getTime(),
    });
    this.journalFailures = new Counter({
      name: 'tollgate_settlement_journal_failures_total',
      help: 'Journal writes that failed (the request is served; its posting then survives database outages but not the death of this process)',
      labelNames: ['entry'] as const,
      registers: [registry],
    });
    this.leases = new WalletLeases(
      deps.ledger,
      {
        enabled: c.ADMISSION_LEASES,
        holds: c.ADMISSION_LEASE_HOLDS,
        maxSharePercent: c.ADMISSION_LEASE_MAX_SHARE_PERCENT,
        ttlMs: c.ADMISSION_LEASE_TTL_MS,
        syncMs: c.ADMISSION_LEASE_SYNC_MS,
        giveBackWaitMs: c.ADMISSION_LEASE_GIVE_BACK_WAIT_MS,
      },
      () => deps.clock().getTime(),
      deps.pubsub,
      registry,
    );
    this.wallet = new WalletReservation(
      deps.ledger,
      this.leases,
      new Counter({
        name: 'tollgate_admission_reservations_total',
        help: "Admitted requests by where the estimate was reserved: lease (in memory) or hold (the request's own, one database round trip)",
        labelNames: ['kind'] as const,
        registers: [registry],
      }),
    );
    this.usage = new UsageRecorder(deps.db, deps.database.sql, lagoEnabled(c), c.SETTLEMENT_LINGER_MS);
    this.posting = new LedgerPosting(
      deps.ledger,
      this.usage,
      journal,
      deps.notifications,
      c.SETTLEMENT_LINGER_MS,
    );
    this.counters = { dailyLimits: deps.dailyLimits, risk: deps.risk, keySpend: this.keySpend };
    this.rules = {
      deps,
      billing: new BillingCurrency(deps.db, c.DEFAULT_CURRENCY),
      keySpend: this.keySpend,
      wallet: this.wallet,
      journal,
      journalFailures: this.journalFailures,
    };
  }

  async authenticate(credential: string | null): Promise<Principal> {
    if (!credential)
      throw new UnauthenticatedError(
        'No API key provided (Authorization: Bearer or x-api-key)',
        'MISSING_API_KEY',
      );
    return this.deps.apiKeys.authenticate(credential);
  }

  listModels(principal: Principal, upstreamModels: string[]): string[] {
    const list = principal.kind === 'api_key' ? principal.modelAllowlist : [];
    return upstreamModels.filter((m) => modelAllowed(list, m));
  }

  admit(principal: Principal, info: ProxyRequestInfo): Promise<Admitted<Ticket>> {
    return admitRequest(this.rules, principal, info);
  }

  /**
   * Prices the usage and answers at once; the posting (settle, usage record, counters) runs in
   * `posted`. The charge told is what the settle posts: the cost, capped at the hold plus the
   * ledger's overshoot allowance. `journaled` resolves once the charge is in the journal: the
   * proxy releases the answer after it.
   */
  settle(ticket: Ticket, outcome: Outcome): Priced {
    const t = takeTicket(ticket);
    const r = t.record;
    const usage = outcome.usage ?? { promptTokens: 0, completionTokens: 0, cachedTokens: 0, totalTokens: 0 };
    const cost = computeCost(t.price, usage);
    const charged = this.deps.ledger.settledAmount(r.holdNanos, cost);
    let balanceNanos = t.availableAfterHoldNanos + r.holdNanos - charged;
    if (t.lease) {
      this.leases.finish(t.lease, charged);
      balanceNanos = this.leases.availableNanos(t.lease.lease);
    } else this.leases.noteDirectSettled(r.walletId, t.heldMark, r.holdNanos - charged);
    const settled = settledOutcome(outcome);
    // Sent at once, not after the `admitted` reply: Redis applies the two in order (one connection),
    // so the answer waits for one round trip even when upstream answered faster than that reply.
    // Should the `admitted` write have failed, this entry is dropped by whoever finds it alone.
    const settledId = this.journal
      .append({
        kind: 'settled',
        requestId: r.requestId,
        costNanos: cost,
        chargedNanos: charged,
        outcome: settled,
      })
      .catch((err) => {
        this.journalFailures.inc({ entry: 'settled' });
        logger.warn({ err, requestId: r.requestId }, 'settlement journal write failed');
        return null;
      });
    const journaled = Promise.all([t.admittedId, settledId]).then(([admitted, settled]) => ({
      admitted,
      settled,
    }));
    // Counters move once the charge is journaled (so a process that takes this request over finds
    // them either still at the estimate, with no charge journaled, or moved), one command each,
    // ahead of the answer: the client's next request must find this one counted at its charge.
    const counters = journaled.then(() =>
      this.moveCounters(t, { costNanos: charged, tokens: usage.promptTokens + usage.completionTokens }),
    );
    // The ledger posting starts on the next turn of the event loop, so the answer is written first.
    // Its journal entries are deleted only once the counters have moved too: a process that takes
    // over finds, for a request with no entry left, nothing of its reservation to give back.
    const ledger = journaled
      .then((ids) => new Promise<typeof ids>((resolve) => setImmediate(() => resolve(ids))))
      .then((ids) =>
        this.posting.post(
          r,
          settled,
          cost,
          charged,
          [ids.admitted, ids.settled].filter((id) => id !== null),
          counters,
        ),
      )
      .finally(() => {
        if (t.lease) this.leases.posted(t.lease);
      });
    return {
      settlement: { costNanos: charged, balanceNanos, currency: r.currency },
      journaled: journaled.then(() => {}),
      posted: Promise.all([counters, ledger]).then(() => {}),
    };
  }

  async release(ticket: Ticket, outcome: Outcome): Promise<void> {
    const t = takeTicket(ticket);
    // Nothing will be charged: forget the admission first, so no other process charges it if this one dies.
    const admittedId = await t.admittedId;
    if (admittedId)
      await this.journal
        .ack([admittedId])
        .catch((err) => logger.warn({ err, requestId: t.record.requestId }, 'settlement journal ack failed'));
    // Counters first, ahead of the answer, like settle.
    const counters = this.moveCounters(t, null);
    try {
      await this.posting
        .untilDone(t.record, () => this.wallet.unreserve(t, `upstream_${outcome.httpStatus}`))
        .catch((err) => {
          // The hold expires on its own: nothing is charged either way.
          logger.warn(
            { err, requestId: t.record.requestId },
            'releasing a hold failed; it expires on its own',
          );
        });
      await this.usage
        .record(t.record, settledOutcome(outcome), 0n)
        .catch((err) => logger.error({ err, requestId: t.record.requestId }, 'usage record write failed'));
    } finally {
      await counters;
    }
  }

  recoverOrphans(batch: OrphanBatch): Promise<string[]> {
    return recoverOrphans({ ...this.deps, posting: this.posting }, batch);
  }

  drainWithin(drainMs: number): void {
    this.posting.drainWithin(drainMs);
  }

  async close(): Promise<void> {
    await this.leases.close();
    await this.journal
      .close({ forget: this.posting.deferred === 0 })
      .catch((err) => logger.warn({ err }, 'closing the settlement journal failed'));
  }

  private moveCounters(t: Ticket, used: { costNanos: bigint; tokens: number } | null) {
    return moveCounters(this.counters, t, used);
  }
}
