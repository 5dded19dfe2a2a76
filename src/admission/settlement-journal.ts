/**
 * The settlement journal: what this process has promised to charge, kept somewhere that survives
 * the process (a Redis stream, or a local file in single-node mode) until the ledger has it.
 *
 * An `admitted` entry is written when a request is admitted (its hold or lease, its estimate and
 * who pays); a `settled` entry when its charge is known, before the answer is released. Both are
 * acknowledged (deleted) once the posting has committed, or the admitted one as soon as the request
 * is released (nothing to charge). Whatever a process leaves behind — it was killed, or shut down
 * while the database was away — is taken over by a live process (`claimOrphans`) and posted: at
 * the settled charge when there is one, else at the admitted estimate, marked estimated.
 * Postings are idempotent on the request's keys, so an entry posted twice is charged once.
 */
export interface SettlementJournal {
  readonly kind: 'redis' | 'file' | 'memory';
  /**
   * Where this process lists its daily-limit reservation marks (`ReserveMark.index`), when its
   * counters outlive it: a process killed between a reservation and its `admitted` entry leaves
   * nothing in the journal, and this index is how the one that takes over gives that back.
   */
  markIndex?(): string;
  /** Durable once resolved (as durable as the store: docs/reliability.md). Returns the entry's id. */
  append(entry: JournalEntry): Promise<string>;
  /**
   * Resolves once every entry appended so far has been handed to the store (written to its
   * connection), before its reply; never rejects. Absent: `append` hands it over at once.
   */
  sent?(): Promise<void>;
  /** Forgets entries whose posting has committed (or that need none). */
  ack(ids: readonly string[]): Promise<void>;
  /**
   * Entries left by processes that are gone, claimed by this one (no other process gets them while
   * the claim lasts). Null when there are none. Call `done` with the ids posted.
   */
  claimOrphans(): Promise<OrphanBatch | null>;
  /** Stops this process's liveness signal; `forget` says nothing of it is left to recover. */
  close(opts: { forget: boolean }): Promise<void>;
}

export interface OrphanBatch {
  entries: { id: string; entry: JournalEntry }[];
  /**
   * Set on the batch that finds a dead process's journal empty (everything it journaled is
   * posted): the index of its reservation marks. Any mark still there belongs to a reservation it
   * never journaled nor settled — given back (`SharedState.releaseMarkIndex`) before `done`.
   */
  leftMarks?: string;
  done(ids: readonly string[]): Promise<void>;
}

/** Everything needed to post a request's charge without the process that admitted it. */
export interface PostingRecord {
  requestId: string;
  endpoint: string;
  organizationId: string;
  teamId: string | null;
  userId: string;
  apiKeyId: string;
  walletId: string;
  currency: string;
  /** The request's own hold, or the wallet lease it was admitted against (`leased`). */
  holdId: string;
  leased: boolean;
  /** The admitted estimate: what an orphan with no settlement is charged. */
  holdNanos: bigint;
  /** The estimate in tokens (prompt, completion), for the usage record of an orphan. */
  promptTokensEstimate: number;
  completionTokensEstimate: number;
  requestedModel: string;
  model: string;
  /** The plan's daily-limit reservation (plain JSON), settled idempotently by whoever posts. */
  plan: {
    reservation: unknown;
    graced: boolean;
    degradedFrom: string | null;
    planDay: string | null;
  } | null;
  admittedAtMs: number;
}

/** The request's outcome as the usage record stores it. */
export interface SettledOutcome {
  status: string;
  /** Null when not known (a request of a process that died before answering). */
  httpStatus: number | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  estimated: boolean;
  modelServed: string | null;
  latencyMs: number;
}

export type JournalEntry =
  | { kind: 'admitted'; record: PostingRecord }
  | {
      kind: 'settled';
      requestId: string;
      /** The price of the usage, and what the posting takes (the overshoot cap applied). */
      costNanos: bigint;
      chargedNanos: bigint;
      outcome: SettledOutcome;
    };

const n = (v: bigint) => ({ $n: v.toString() });

/** The bigint fields of a type: `encodeEntry` places each by hand (checked below at compile time). */
type BigintKeys<T> = { [K in keyof T]-?: T[K] extends bigint ? K : never }[keyof T];
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const encodesEveryAmount: [
  Exactly<BigintKeys<PostingRecord>, 'holdNanos'>,
  Exactly<BigintKeys<Extract<JournalEntry, { kind: 'settled' }>>, 'costNanos' | 'chargedNanos'>,
] = [true, true];
void encodesEveryAmount;

/**
 * JSON with bigints as `{"$n":"…"}`, so amounts never pass through a float. The amounts are
 * converted by name and the rest is stringified without a replacer: a replacer is a call from
 * the serializer into JS per key, which cost more than the rest of the encoding (issue 21).
 */
export function encodeEntry(e: JournalEntry): string {
  if (e.kind === 'admitted')
    return JSON.stringify({ kind: e.kind, record: { ...e.record, holdNanos: n(e.record.holdNanos) } });
  return JSON.stringify({ ...e, costNanos: n(e.costNanos), chargedNanos: n(e.chargedNanos) });
}

export function decodeEntry(s: string): JournalEntry {
  return JSON.parse(s, (_k, v) =>
    v && typeof v === 'object' && typeof v.$n === 'string' && Object.keys(v).length === 1 ? BigInt(v.$n) : v,
  ) as JournalEntry;
}

/**
 * Groups a batch of entries by request: each request's admission and, when it got that far, its
 * settlement. A settlement whose admission is not in the batch is kept too (posted at its charge
 * only if the admission turns up; see `JournalRecovery`).
 */
export function byRequest(
  entries: readonly { id: string; entry: JournalEntry }[],
): Map<
  string,
  { ids: string[]; admitted?: PostingRecord; settled?: Extract<JournalEntry, { kind: 'settled' }> }
> {
  const out = new Map<
    string,
    { ids: string[]; admitted?: PostingRecord; settled?: Extract<JournalEntry, { kind: 'settled' }> }
  >();
  for (const { id, entry } of entries) {
    const requestId = entry.kind === 'admitted' ? entry.record.requestId : entry.requestId;
    const g = out.get(requestId) ?? { ids: [] };
    g.ids.push(id);
    if (entry.kind === 'admitted') g.admitted = entry.record;
    else g.settled = entry;
    out.set(requestId, g);
  }
  return out;
}

/**
 * The journal of a process whose state is not shared (tests with an in-process SharedState): it
 * keeps nothing across the process, so it guards against database outages only.
 */
export class MemoryJournal implements SettlementJournal {
  readonly kind = 'memory' as const;
  private next = 0;
  readonly entries = new Map<string, JournalEntry>();

  async append(entry: JournalEntry): Promise<string> {
    const id = String(++this.next);
    this.entries.set(id, entry);
    return id;
  }

  async ack(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.entries.delete(id);
  }

  async claimOrphans(): Promise<OrphanBatch | null> {
    return null;
  }

  async close(): Promise<void> {}
}
