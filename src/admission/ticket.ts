import type { ApiKeyPrincipal } from '../identity/api-keys.ts';
import type { PlanDecision } from '../plans/daily-limits.ts';
import type { ResolvedPrice } from '../pricing/cost.ts';
import type { Outcome } from './port.ts';
import type { RateLimitReservation } from '../risk/rate-limits.ts';
import type { SpendReservation } from '../risk/spend.ts';
import type { KeySpendReservation } from './key-spend-limits.ts';
import type { PostingRecord, SettledOutcome } from './settlement-journal.ts';
import type { LeaseTake } from './wallet-leases.ts';

/** What admission hands the proxy with an admitted request, and takes back at settle or release. */
export interface Ticket {
  /** What the posting needs, journaled at admission (settlement-journal.ts). */
  record: PostingRecord;
  principal: ApiKeyPrincipal;
  /** The wallet's balance - held right after the hold: what the client's balance header starts from. */
  availableAfterHoldNanos: bigint;
  /** A hold of its own: `leases.mark()` once it was placed (leases that read the wallet later count it held). */
  heldMark: number;
  /** Set when admitted against this process's wallet lease (`holdId` is the lease's); else a hold of its own. */
  lease: LeaseTake | null;
  price: ResolvedPrice;
  plan: PlanDecision | null;
  rate: RateLimitReservation | null;
  spend: SpendReservation | null;
  keySpend: KeySpendReservation | null;
  /**
   * The journal entry of the admission, in flight while the request is forwarded; null when the
   * journal could not be written.
   */
  admittedId: Promise<string | null>;
  closed: boolean;
}

/** The proxy hands a ticket back once: a second settle or release is a bug of the caller. */
export function takeTicket(t: Ticket): Ticket {
  if (t.closed) throw new Error(`admission ticket ${t.record.requestId} settled or released twice`);
  t.closed = true;
  return t;
}

/** What the usage record keeps of a proxy outcome (and the journal, to write it from another process). */
export function settledOutcome(o: Outcome): SettledOutcome {
  return {
    status: o.status,
    httpStatus: o.httpStatus,
    promptTokens: o.usage?.promptTokens ?? 0,
    completionTokens: o.usage?.completionTokens ?? 0,
    cachedTokens: o.usage?.cachedTokens ?? 0,
    estimated: o.estimated,
    modelServed: o.modelServed,
    latencyMs: o.latencyMs,
  };
}
